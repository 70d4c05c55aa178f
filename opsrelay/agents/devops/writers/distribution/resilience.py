"""Security, backup/recovery and incident response of distributed software: signing, withdrawal, hotfix."""

from __future__ import annotations

from opsrelay.agents.devops import kinds
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.common import (
    ASSUMED,
    cite_paren,
    code,
    esc,
    field,
    join_lines,
    ref,
    route_name,
    step,
    sub,
)
from opsrelay.agents.devops.writers.distribution.shared import a_kind, is_device, kind_label
from opsrelay.facts.model import QAFacts


def write_client_security(facts: QAFacts, d: Decisions) -> str:
    """Security of the release chain: signing, provenance, dependency advisories."""
    findings = [
        sub(
            f"{esc(f.id, 40) + ' ' if f.id else ''}{esc(f.title)} — severity {f.severity}, status {f.status}"
            f"{cite_paren(ref(f.evidence), 1)}."
        )
        for f in facts.security
    ]
    audits = [rt.audit_command for rt in d.runtimes if rt.audit_command]
    lines = [
        "## Security & Compliance",
        "### Security Measures",
        field(
            "SSL/TLS",
            "Releases are downloaded only over HTTPS from the registry/store/release page; the software "
            "verifies TLS certificates for every network call it makes.",
        ),
        field(
            "Authentication",
            "Maintainers and release managers use SSO/MFA on the Git host and registry/store consoles; CI "
            f"publishes with short-lived OIDC credentials or scoped tokens {ASSUMED}.",
        ),
        field(
            "Access Control",
            "Protected main branch and tags, required reviews, release environment with required reviewers; "
            "only CI holds the publish credentials.",
        ),
        field(
            "Data Encryption",
            "No user data reaches the team's side"
            + ("; on-device data uses the platform's encrypted storage" if is_device(d) else "")
            + f" {ASSUMED}.",
        ),
        field(
            "Backup Security",
            "Signing keys are backed up offline in hardware-backed storage, accessible to two named "
            f"maintainers {ASSUMED}.",
        ),
        "",
        "### Security Monitoring",
        field(
            "Vulnerability Scanning",
            "Dependency audit in CI ("
            + (", ".join(code(a) for a in audits) if audits else "Trivy filesystem scan")
            + ") and Trivy filesystem scan on every push; Dependabot alerts reviewed weekly.",
        ),
        *findings,
        field(
            "Intrusion Detection",
            "Tag and release events are audited; a release not produced by the CI workflow (no Sigstore "
            "signature from it) is treated as tampering.",
        ),
        field("Audit Logging", "Git host and registry/store audit logs kept 1 year."),
        field(
            "Compliance",
            "Licence compliance of dependencies checked in CI; an SBOM is attached to every release"
            + ("; store privacy declarations kept current." if is_device(d) else ".")
            + f" {ASSUMED}",
        ),
    ]
    return join_lines(lines)


def write_client_backup(facts: QAFacts, d: Decisions) -> str:
    """Backup & DR for distributed software: Git, registry, signing keys; no database of its own."""
    rec = d.recovery
    local = ", ".join(esc(ds.name) for ds in d.datastores)
    lines = [
        "## Backup & Disaster Recovery",
        "### Backup Strategy",
        field(
            "Database Backups",
            "Not applicable: the team runs no database for this "
            + kind_label(d)
            + (
                (
                    f". {local} lives on users' devices and is protected by the app's own export/sync, not "
                    "by server backups."
                    if is_device(d)
                    else f". {local} lives in the applications that use it; they own its backups."
                )
                if local
                else "."
            ),
        ),
        field(
            "File Backups",
            "Source, tags and changelog are replicated to every clone and to the Git host; published "
            "release artefacts are immutable in their registries; a nightly mirror of the repository goes to "
            f"a second provider {ASSUMED}.",
        ),
        field(
            "Configuration Backups",
            "CI workflows and release configuration live in the repository; signing keys and tokens are "
            f"backed up offline in hardware-backed storage {ASSUMED}.",
        ),
        field("Retention Policy", f"{esc(rec.retention, 200)} {ASSUMED}."),
        "",
        "### Disaster Recovery Plan",
        field(
            "RTO (Recovery Time Objective)",
            f"{rec.rto_minutes} minutes to cut and publish a fixed release from the last good tag {ASSUMED}.",
        ),
        field(
            "RPO (Recovery Point Objective)",
            f"{rec.rpo_minutes} minutes: every pushed commit is already replicated (Git replication to the "
            f"host and every clone) {ASSUMED}.",
        ),
        field(
            "Failover Strategy",
            "If the Git host or CI is unavailable, release from the mirror with the documented manual "
            "release procedure; if a registry/store is unavailable, users keep the installed version.",
        ),
        field(
            "Communication Plan",
            "Security advisories and release notes on the GitHub release page and the project's channel; "
            "affected versions named explicitly.",
        ),
        "",
        "### Recovery Procedures",
        step(1, "Assess Impact", "Which versions, platforms and users are affected; is it a regression?"),
        step(2, "Activate Team", f"Page {route_name(d.alert_routing.critical)}; name a release manager."),
        step(
            3,
            "Implement Fix",
            "Halt the rollout or yank/deprecate the bad version, then ship a patch release through the "
            "normal pipeline.",
        ),
        step(
            4,
            "Monitor Recovery",
            "Watch the field signals (" + "; ".join(esc(s, 80) for s in d.delivery.health_signals[:2]) + ").",
        ),
        step(5, "Post-Incident Review", "Blameless review within 5 working days; add the regression test."),
    ]
    return join_lines(lines)


def write_client_incident(facts: QAFacts, d: Decisions) -> str:
    """Incident response for distributed software: halt, withdraw, hotfix; users hold the old version."""
    kind = d.delivery.kind
    r = d.alert_routing
    broken = kinds.PROFILES[kind].incident_p1
    contain = kinds.PROFILES[kind].containment
    lines = [
        "## Incident Response",
        f"Incidents of {a_kind(d)} happen on users' machines or devices: containment means stopping the "
        "release from spreading, because users who already have it keep it until a fix arrives.",
        "",
        "### Incident Classification",
        field(
            "P1 Critical",
            f"{broken[0].upper()}{broken[1:]}, or a signing-key compromise: respond within 15 minutes, 24/7.",
        ),
        field(
            "P2 High",
            "A regression in a major feature on some platforms or versions, or field signals over their "
            "thresholds at the current rollout step: respond within 1 hour.",
        ),
        field(
            "P3 Medium", "Minor regressions with a workaround: next business day, fixed in the next release."
        ),
        field("P4 Low", "Enhancement requests, cosmetic issues: planned in the backlog."),
        "",
        "### Response Procedures",
        "#### P1 Critical Incident Response",
        step(
            1,
            "Detection",
            f"Field alerts ({'; '.join(esc(s, 60) for s in d.delivery.health_signals[:2])}), security "
            f"advisories and user reports page {route_name(r.critical)}.",
        ),
        step(
            2,
            "Assessment",
            "Within 15 minutes: which versions, platforms and devices are affected, how far the rollout has "
            "gone, and whether user data is at risk; name an incident commander.",
        ),
        step(3, "Response", f"Contain first: {contain} (see CI/CD Rollback Strategy)."),
        step(
            4,
            "Resolution",
            "Ship a hotfix release through the normal pipeline (tests, signing, staged promotion at an "
            "accelerated pace); no release is built outside CI.",
        ),
        step(
            5,
            "Recovery",
            "Field signals back within their thresholds for 24 hours at the resumed rollout step; affected "
            "users told to update.",
        ),
        step(
            6,
            "Post-Mortem",
            "Blameless review within 5 working days; the regression gets a test, the alert or rollout gate "
            "that missed it is tightened.",
        ),
        "",
        "### Communication Plan",
        field(
            "Internal",
            f"Page through {route_name(r.critical)}; coordination in a dedicated incident channel.",
        ),
        field(
            "External",
            "Release notes and a security advisory on the GitHub release page"
            + ("; store release notes and in-app message for affected versions" if is_device(d) else "")
            + f" {ASSUMED}.",
        ),
        field("Updates", "Every 30 minutes for P1 and every 2 hours for P2 until the fixed release is out."),
        field(
            "Resolution",
            "The advisory and release notes name the fixed version and how to upgrade; summary within 1 "
            "day of the fix.",
        ),
    ]
    return join_lines(lines)
