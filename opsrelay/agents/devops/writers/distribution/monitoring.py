"""Monitoring and alerting of distributed software: field health per release, release pipeline, advisories."""

from __future__ import annotations

from opsrelay.agents.devops import kinds
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.common import (
    ASSUMED,
    esc,
    field,
    grounded,
    join_lines,
    perf_setup_note,
    route_name,
    sub,
)
from opsrelay.agents.devops.writers.distribution.shared import a_kind, figure, is_device, latency_figures
from opsrelay.facts.model import QAFacts


def write_client_monitoring(facts: QAFacts, d: Decisions) -> str:
    """Monitoring of distributed software: field health per release, not server metrics."""
    kind = d.delivery.kind
    latency = latency_figures(facts)
    p95 = next((m for m in latency if m.metric == "p95"), latency[0] if latency else None)
    budget = (
        f"QA benchmark {figure(p95)} is the performance budget: a CI benchmark more than 20 % slower fails "
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
    tool = kinds.PROFILES[kind].field_monitoring
    lines = [
        "## Monitoring & Observability",
        f"{a_kind(d)[0].upper()}{a_kind(d)[1:]} is observed through its releases in the field, not through "
        f"servers.{perf_setup_note(facts)}",
        "",
        "### Application Monitoring",
        field("APM Tool", f"{esc(tool)} {ASSUMED}."),
        field("Metrics", "; ".join(esc(s, 120) for s in d.delivery.health_signals) + "."),
        field(
            "Logs",
            "Crash reports with stack traces and device/OS version, no personal data"
            if is_device(d)
            else "CI and release-job logs; user-reported logs attached to issues",
        )
        + f" {ASSUMED}.",
        field(
            "Tracing",
            "Not applicable: no distributed request path runs on the team's side; "
            + ("crash breadcrumbs record the last user actions." if is_device(d) else "benchmarks in CI."),
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
            if is_device(d)
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
        lines.append(sub(f"QA figure: {figure(m)}."))
    return join_lines(lines)


def write_client_alerting(facts: QAFacts, d: Decisions) -> str:
    """Alerts for distributed software: release pipeline, field crash rates, security advisories."""
    kind = d.delivery.kind
    r = d.alert_routing
    down = kinds.PROFILES[kind].alert_release_broken
    error = kinds.PROFILES[kind].alert_field_errors
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
            if is_device(d)
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
