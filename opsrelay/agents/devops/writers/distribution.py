"""Sections for software distributed to its users rather than deployed: libraries, CLIs, apps, devices.

A library, a command-line tool, a mobile, desktop or embedded app has no production servers of the
team's own. Where the template asks about servers, load balancers or database backups, these
writers say so explicitly and describe what takes their place (registries, release assets, store
tracks, update channels, device fleets), so every heading and labelled field remains and nothing
is invented. The CI/CD section is written by :mod:`.cicd` for every kind.
"""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.cicd import ci_test_commands, describe_runtimes
from opsrelay.agents.devops.writers.common import (
    ASSUMED,
    check,
    cite_paren,
    code,
    esc,
    field,
    gate_summary,
    grounded,
    join_lines,
    num,
    perf_setup_note,
    ref,
    route_name,
    service,
    step,
    sub,
)
from opsrelay.facts.model import PerfMetric, QAFacts

DEVICE_KINDS = ("mobile", "desktop", "embedded")


def _is_device(d: Decisions) -> bool:
    return d.delivery.kind in DEVICE_KINDS


def _kind(d: Decisions) -> str:
    return esc(d.delivery.label, 60)


def _a_kind(d: Decisions) -> str:
    """The kind with its indefinite article: 'a library / SDK', 'an embedded / device software'."""
    label = _kind(d)
    return f"{'an' if label[:1].lower() in 'aeiou' else 'a'} {label}"


def _kind_ground(d: Decisions) -> str:
    return grounded(d.delivery.basis, d.delivery.evidence, 1)


def _channels(d: Decisions) -> str:
    return "; ".join(esc(c, 200) for c in d.delivery.channels)


def _purpose(d: Decisions, name: str) -> str:
    """What an environment is for (decisions from a model may omit one: then say what it means here)."""
    env = next((e for e in d.environments if e.name == name), None)
    if env is not None:
        return esc(env.purpose, 200)
    return {
        "production": "What users install or receive.",
        "staging": "Pre-releases and testing channels used by the team and testers.",
        "development": "Local and CI builds; nothing is published.",
    }[name]


def _latency(facts: QAFacts) -> list[PerfMetric]:
    """QA's latency figures (p50…max), which become the performance-regression budget."""
    return [
        m for m in facts.performance if m.unit in ("ms", "s") and m.metric in ("p50", "p95", "p99", "avg")
    ]


def _figure(m: PerfMetric) -> str:
    ctx = f" ({esc(m.context, 60)})" if m.context else ""
    return f"{m.metric} {num(m.value)} {m.unit}{ctx}{cite_paren(ref(m.evidence), 1)}"


def write_client_overview(facts: QAFacts, d: Decisions) -> str:
    """Deployment Overview of distributed software: the release path instead of a platform."""
    dep = d.deployment
    commands = ci_test_commands(d)
    lines = [
        "## Deployment Overview",
        f"Operations guide for **{service(d)}**, {_a_kind(d)}{_kind_ground(d)}, derived from the QA handoff "
        f"{code(facts.source_name)}. It runs in its users' processes, machines or devices, so it is "
        "released, not deployed: there are no production servers of its own.",
        "",
        field(
            "Deployment Strategy",
            f"{dep.strategy.capitalize()} path{grounded(dep.basis, dep.evidence)}: {esc(dep.rationale, 400)} "
            f"A release is stopped or superseded when {esc(dep.rollback_trigger, 300)}.",
        ),
        field(
            "Infrastructure",
            f"No servers: {esc(d.delivery.artefacts, 200)}, published to {_channels(d)}; built by "
            f"{describe_runtimes(d.runtimes)}.",
        ),
        field(
            "CI/CD Pipeline",
            ("GitHub Actions" if d.ci.system == "github_actions" else "GitLab CI")
            + f"{grounded(d.ci.basis, d.ci.evidence, 1)}: lint → tests ("
            + ", ".join(code(c.command) for c in commands)
            + ") → dependency scan → release build on a version tag → signing and checksums → publication, "
            "with a manual approval before anything reaches users.",
        ),
        field(
            "Monitoring",
            "Field health of each release: "
            + "; ".join(esc(s, 120) for s in d.delivery.health_signals)
            + f" {ASSUMED}.",
        ),
        "",
        gate_summary(d),
    ]
    return join_lines(lines)


def write_client_infrastructure(facts: QAFacts, d: Decisions) -> str:
    """Infrastructure Architecture: release channels, signing and device data instead of servers."""
    kind = d.delivery.kind
    local = [ds for ds in d.datastores]
    stores = ", ".join(esc(ds.name) for ds in local)
    database = (
        f"{stores}{cite_paren(local[0].evidence, 1)} is embedded: it lives "
        + ("on each user's device" if _is_device(d) else "in each consumer's process and data directory")
        + "; the team operates no database server for it."
        if local
        else f"None: the QA evidence shows no database, and a {_kind(d)} has no server-side database to run."
    )
    storage = {
        "library": "Release packages in the registry (immutable once published) and GitHub release assets; "
        "CI artefacts kept 90 days.",
        "cli": "Release binaries, SHA256SUMS, signatures and SBOMs as GitHub release assets (immutable once "
        "published); CI artefacts kept 90 days.",
        "mobile": "Signed App Bundles/IPAs kept in the store consoles and as CI artefacts for 90 days; "
        "upload keys in the CI secret store.",
        "desktop": "Signed installers and the update feed on GitHub Releases (or the update server's object "
        "storage); CI artefacts kept 90 days.",
        "embedded": "Signed update images in the OTA service's artefact store, the last three versions "
        "kept for fallback; CI artefacts kept 90 days.",
    }.get(kind, "Release artefacts in the distribution channels.")
    security = (
        "Releases are built only in CI from a protected tag, signed (Sigstore cosign keyless signatures; "
        + (
            "store upload keys and platform signing"
            if _is_device(d)
            else "registry tokens scoped to this package"
        )
        + f"), and published with checksums; maintainers use MFA on the registry and Git host {ASSUMED}."
    )
    test_data = (
        "Test devices and store test accounts; no production user data."
        if _is_device(d)
        else "Fixtures and generated test data only; nothing user-owned."
    )
    lines = [
        "## Infrastructure Architecture",
        "### Production Environment",
        field(
            "Hosting",
            f"No production hosting: the {_kind(d)} runs on its users' side; releases are hosted by "
            f"{_channels(d)}{grounded(d.delivery.basis, d.delivery.evidence, 1)}.",
        ),
        field(
            "Compute",
            "CI runners only (GitHub-hosted): "
            + (
                "native runners per OS/architecture build the release artefacts"
                if kind in ("cli", "desktop")
                else "Linux runners build and test; macOS runners build the iOS binaries"
                if kind == "mobile"
                else "Linux runners build and test the release"
            )
            + f"; nothing runs in production on the team's side {ASSUMED}.",
        ),
        field("Database", database),
        field("Storage", storage + f" {ASSUMED}"),
        field("Security", security),
        "",
        "### Environment Specifications",
        "#### Production",
        field("Instances", f"None of the team's own: {_purpose(d, 'production')}"),
        field(
            "Database",
            "Not applicable: no server-side database."
            if not local
            else f"{stores} embedded on the users' side; schema changes ship inside the release.",
        ),
        field(
            "Monitoring",
            "; ".join(esc(s, 120) for s in d.delivery.health_signals) + f" {ASSUMED}.",
        ),
        field(
            "Logging",
            "Device-side crash and error reports with no personal data, kept 90 days"
            if _is_device(d)
            else "CI and release logs kept 90 days; the software itself ships no logs to the team",
        )
        + f" {ASSUMED}.",
        "",
        "#### Staging",
        field("Purpose", _purpose(d, "staging")),
        field(
            "Configuration",
            "The same build as production, signed with the release keys, promoted unchanged once accepted.",
        ),
        field("Data", test_data),
        "",
        "#### Development",
        field("Purpose", _purpose(d, "development")),
        field(
            "Configuration",
            "Debug builds with development signing; feature flags default off."
            if _is_device(d)
            else "Branch builds with the release toolchain versions; nothing is signed or published.",
        ),
        field("Data", "Synthetic fixtures; never production user data."),
    ]
    return join_lines(lines)


def write_client_monitoring(facts: QAFacts, d: Decisions) -> str:
    """Monitoring of distributed software: field health per release, not server metrics."""
    kind = d.delivery.kind
    latency = _latency(facts)
    p95 = next((m for m in latency if m.metric == "p95"), latency[0] if latency else None)
    budget = (
        f"QA benchmark {_figure(p95)} is the performance budget: a CI benchmark more than 20 % slower fails "
        "the release."
        if p95
        else f"Startup under 500 ms and the QA suite's runtime within 20 % of the previous release {ASSUMED}."
    )
    if kind == "library":
        availability = f"99.9 % of CI runs on main green over 30 days {ASSUMED}."
        error = f"Below 1 % of dependents' reported builds failing after an upgrade {ASSUMED}."
        throughput = f"At least 1 release per month when main has unreleased fixes {ASSUMED}."
    elif kind == "cli":
        availability = (
            f"100 % of published release assets download and pass the install smoke test {ASSUMED}."
        )
        error = f"Below 1 % of runs ending in a crash, per crash reports {ASSUMED}."
        throughput = (
            "Release-asset downloads per week tracked per OS/arch (0 downloads for 7 days is a "
            f"signal) {ASSUMED}."
        )
    else:
        availability = f"Crash-free users ≥ 99.5 % per release {ASSUMED}."
        error = (
            f"ANR rate below 0.47 % and crash rate below 0.5 % of sessions {ASSUMED}."
            if kind == "mobile"
            else f"Update failures below 2 % and crash rate below 0.5 % of sessions {ASSUMED}."
        )
        throughput = f"Active installs on the latest version ≥ 80 % within 14 days of a release {ASSUMED}."
    tool = {
        "mobile": "Firebase Crashlytics with the Google Play Console / App Store Connect vitals",
        "desktop": "Sentry crash reporting plus the update feed's logs",
        "embedded": "the OTA service's fleet dashboard (heartbeat, update status, reboot counts)",
    }.get(kind, "GitHub Insights and the registry's download statistics")
    lines = [
        "## Monitoring & Observability",
        f"{_a_kind(d)[0].upper()}{_a_kind(d)[1:]} is observed through its releases in the field, not through "
        f"servers.{perf_setup_note(facts)}",
        "",
        "### Application Monitoring",
        field("APM Tool", f"{esc(tool)} {ASSUMED}."),
        field("Metrics", "; ".join(esc(s, 120) for s in d.delivery.health_signals) + "."),
        field(
            "Logs",
            "Crash reports with stack traces and device/OS version, no personal data"
            if _is_device(d)
            else "CI and release-job logs; user-reported logs attached to issues",
        )
        + f" {ASSUMED}.",
        field(
            "Tracing",
            "Not applicable: no distributed request path runs on the team's side; "
            + ("crash breadcrumbs record the last user actions." if _is_device(d) else "benchmarks in CI."),
        ),
        "",
        "### Infrastructure Monitoring",
        field(
            "Server Metrics", "Not applicable: no production servers. CI runner queue time and job duration."
        ),
        field(
            "Database Metrics",
            "Not applicable: no server-side database."
            if not d.datastores
            else f"On-device {', '.join(esc(ds.name) for ds in d.datastores)} only: migration failures, "
            "query errors and database size arrive with crash reports.",
        ),
        field(
            "Network Metrics",
            "Download failures of release assets and registry/store availability (their status pages).",
        ),
        field(
            "Security Metrics",
            "Open Dependabot/advisory alerts by severity, signature-verification failures reported by users, "
            "tokens or keys rotated on schedule.",
        ),
        "",
        "### Key Performance Indicators",
        "#### Application KPIs",
        field("Availability", availability),
        field("Response Time", budget),
        field("Error Rate", error),
        field("Throughput", throughput),
        "",
        "#### Business KPIs",
        field(
            "User Engagement",
            "Active installs and retention per version (store consoles)"
            if _is_device(d)
            else "Downloads per release and dependents/stars trend",
        )
        + f" {ASSUMED}.",
        field(
            "Conversion Metrics",
            "Share of users on the latest version 14 days after release"
            + (" and store rating ≥ 4.0" if kind == "mobile" else "")
            + f" {ASSUMED}.",
        ),
        field(
            "Performance Impact",
            "Each release is compared with the previous one on the QA benchmark; regressions above 20 % "
            "block the release.",
        ),
    ]
    for m in latency[:4]:
        lines.append(sub(f"QA figure: {_figure(m)}."))
    return join_lines(lines)


def write_client_alerting(facts: QAFacts, d: Decisions) -> str:
    """Alerts for distributed software: release pipeline, field crash rates, security advisories."""
    kind = d.delivery.kind
    r = d.alert_routing
    down = {
        "library": "1 failed publish to the registry or 1 failed post-publish install check, on first "
        "failure",
        "cli": "1 or more published release assets failing the install smoke test (404 or checksum "
        "mismatch), on first failure",
    }.get(kind, "Crash-free users below 99 % for 1 hour on the current rollout percentage")
    error = {
        "library": "3 or more issues labelled 'regression' against the latest version within 24 hours",
        "cli": "3 or more crash reports against the latest version within 24 hours",
        "mobile": "ANR rate above 0.47 % or crash rate above 1 % of sessions for 24 hours",
        "desktop": "Auto-update failures above 2 % for 1 hour",
        "embedded": "Update failures above 1 % in the current wave for 30 minutes, or any canary device "
        "offline for 15 minutes",
    }.get(kind, "Error reports above 1 % for 1 hour")
    lines = [
        "## Alerting Configuration",
        "### Critical Alerts (Immediate Response)",
        field("Service Down", f"{down} → halt the rollout/publication and page {route_name(r.critical)}."),
        field("High Error Rate", f"{error} → page {route_name(r.critical)}."),
        field(
            "Performance Degradation",
            "CI benchmark more than 20 % slower than the previous release on 2 consecutive runs → the "
            "release job stays blocked; notify the maintainers.",
        ),
        field(
            "Security Incident",
            "1 or more critical advisories (CVSS ≥ 9.0) against the software or a dependency, or any single "
            f"signing-key or token exposure, immediately → page {route_name(r.critical)}, revoke the key, "
            "yank affected versions.",
        ),
        "",
        "### Warning Alerts (Business Hours Response)",
        field(
            "Resource Usage",
            "CI minutes above 80 % of the monthly budget, or release jobs slower than 30 minutes for 3 "
            "consecutive runs.",
        ),
        field(
            "Slow Queries",
            "Not applicable: no server-side database; on-device database operations over 100 ms appear in "
            "the performance traces for 1 day."
            if _is_device(d)
            else "Not applicable: no database. The test suite's runtime above 120 % of its 7-day median "
            "for 3 consecutive runs.",
        ),
        field(
            "Low Disk Space",
            "Release-asset storage or artefact retention above 80 % of the quota for 1 day.",
        ),
        field(
            "SSL Certificate",
            "Code-signing or store upload certificate expires within 30 days (checked daily).",
        ),
        "",
        "### Alert Channels",
        field("Critical", f"{esc(r.critical, 200)}{grounded(r.basis, r.evidence, 1)}."),
        field("Warning", f"{esc(r.warning, 200)}."),
        field(
            "Info", f"{esc(r.info, 200)}; release announcements in the changelog and GitHub release notes."
        ),
    ]
    return join_lines(lines)


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
            + ("; on-device data uses the platform's encrypted storage" if _is_device(d) else "")
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
            + ("; store privacy declarations kept current." if _is_device(d) else ".")
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
            + _kind(d)
            + (
                (
                    f". {local} lives on users' devices and is protected by the app's own export/sync, not "
                    "by server backups."
                    if _is_device(d)
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


def write_client_performance(facts: QAFacts, d: Decisions) -> str:
    """Performance for distributed software: the QA benchmarks as budgets; scaling is the users'."""
    latency = _latency(facts)
    figures = "; ".join(_figure(m) for m in latency[:3])
    measured = f"QA measured {figures}." if figures else f"No QA benchmark yet {ASSUMED}."
    lines = [
        "## Performance Optimization",
        f"{measured}{perf_setup_note(facts)} These figures are the regression budget for every release.",
        "",
        "### Optimization Strategies",
        field(
            "Caching",
            "CI caches dependencies and build outputs per lockfile hash; the software caches only what its "
            "callers configure.",
        ),
        field(
            "Database",
            "Not applicable: no server-side database."
            if not d.datastores
            else "On-device queries indexed for the hot paths; migrations tested on a copy of a large "
            "device database.",
        ),
        field(
            "Frontend",
            "Startup time and frame rendering tracked per release (store vitals)."
            if _is_device(d)
            else "Not applicable: no frontend; the public API/CLI surface is kept stable by semver.",
        ),
        field(
            "Backend",
            "Benchmarks of the hot paths run in CI on every release tag and compare against the previous "
            "release (fail above 20 % slower).",
        ),
        "",
        "### Scaling Strategies",
        field(
            "Horizontal Scaling",
            "Not applicable on the team's side: every user runs their own copy. CI scales out to parallel "
            "jobs (up to 20 concurrent runners) within the monthly CI budget.",
        ),
        field("Vertical Scaling", "Larger CI runners only if release builds exceed 30 minutes."),
        field("Database Scaling", "Not applicable: no server-side database."),
        field(
            "CDN",
            "Release assets are served by the registry/store/GitHub CDN; no CDN of the team's own.",
        ),
    ]
    return join_lines(lines)


def write_client_cost(facts: QAFacts, d: Decisions) -> str:
    """Cost of distributed software: CI minutes, signing certificates, store fees."""
    fees = {
        "mobile": "Google Play one-off and Apple Developer Program yearly fees",
        "desktop": "code-signing certificates (Windows) and the Apple Developer Program",
        "embedded": "the OTA service per device",
    }.get(
        d.delivery.kind, "none beyond CI minutes: registries and GitHub Releases are free for public packages"
    )
    lines = [
        "## Cost Management",
        "### Cost Monitoring",
        field("Resource Usage", "CI minutes and artefact storage per month, reviewed monthly."),
        field("Service Costs", f"{fees} {ASSUMED}."),
        field("Optimization", "Dependency and build caches; release builds only on tags."),
        field("Budgets", f"A monthly CI budget with alerts at 80 % and 100 % {ASSUMED}."),
        "",
        "### Cost Optimization",
        field("Reserved Instances", "Not applicable: no servers."),
        field("Spot Instances", "Not applicable: no servers; hosted CI runners only."),
        field(
            "Resource Right-sizing", "Use larger runners only for the release matrix if builds exceed 30 min."
        ),
        field("Automated Shutdown", "Not applicable: nothing runs between CI jobs."),
    ]
    return join_lines(lines)


def write_client_runbooks(facts: QAFacts, d: Decisions) -> str:
    """Operational runbooks for distributed software: releases, field signals, keys, advisories."""
    gate = d.release_gate
    daily = [
        check(
            False,
            "Check the field signals of the latest release: " + "; ".join(d.delivery.health_signals) + ".",
        ),
        check(False, "Triage new issues and crash reports; label regressions against the version they hit."),
        check(False, "Confirm the last CI run on main is green (lint, tests, dependency audit)."),
    ]
    if d.delivery.kind in ("mobile", "desktop", "embedded"):
        daily.append(check(False, "Decide whether the staged rollout advances, holds or halts."))
    if gate.status != "open":
        daily.append(
            check(False, f"Release gate is {gate.status.replace('_', ' ').upper()}: no release is published.")
        )
    weekly = [
        check(
            False,
            "Merge dependency updates that pass CI ("
            + "; ".join(code(kb.UPDATE_COMMANDS[rt.language]) for rt in d.runtimes)
            + "); review Dependabot security alerts.",
        ),
        check(False, "Review the QA benchmark trend against the regression budget."),
        check(False, "Review open regressions and their fixes with the owners."),
    ]
    monthly = [
        check(False, "Rotate or verify registry/store tokens; check signing certificate expiry dates."),
        check(False, "Rehearse the release-from-mirror procedure and the yank/deprecate procedure."),
        check(False, "Review CI minutes and storage cost against the budget."),
    ]
    lines = [
        "## Operational Runbooks",
        "### Daily Operations",
        *daily,
        "",
        "### Weekly Operations",
        *weekly,
        "",
        "### Monthly Operations",
        *monthly,
    ]
    return join_lines(lines)


def write_client_incident(facts: QAFacts, d: Decisions) -> str:
    """Incident response for distributed software: halt, withdraw, hotfix; users hold the old version."""
    kind = d.delivery.kind
    r = d.alert_routing
    broken = {
        "library": "a published version that breaks consumers' builds or corrupts data",
        "cli": "a published binary that cannot be installed or run, or corrupts user data",
        "mobile": "crash-free users below 99 % on the rollout, or data loss on devices",
        "desktop": "crash-free sessions below 99 % or a failing auto-update",
        "embedded": "devices failing to boot or going offline after an update",
    }.get(kind, "a release that breaks its users")
    contain = {
        "library": "yank or deprecate the version and point users to the previous one",
        "cli": "take the release off 'latest' and revert the package-manager manifests",
        "mobile": "halt the staged rollout and pause the phased release",
        "desktop": "take the version off the update feed",
        "embedded": "halt the OTA campaign; failed devices fall back to the previous A/B slot",
    }.get(kind, "stop the rollout")
    lines = [
        "## Incident Response",
        f"Incidents of {_a_kind(d)} happen on users' machines or devices: containment means stopping the "
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
            + ("; store release notes and in-app message for affected versions" if _is_device(d) else "")
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
