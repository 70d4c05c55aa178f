"""Operational Runbooks and Quality Gates."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import DatastoreDecision, Decisions, EvidenceRef
from opsrelay.agents.devops.kinds import is_server
from opsrelay.agents.devops.writers.common import (
    baseline_phrase,
    check,
    cite_paren,
    code,
    esc,
    join_lines,
    num,
    profile_of,
    ref,
    sub,
    unit_lines,
)
from opsrelay.facts.model import Defect, QAFacts

_SEVERITY_ORDER = {"P0": 0, "P1": 1, "P2": 2, "P3": 3, "P4": 4, "unknown": 5}


def _backup_check(ds: DatastoreDecision) -> str:
    key = profile_of(ds).key
    if key == "postgresql":
        return "PostgreSQL: last nightly base backup succeeded and WAL archiving lag is under 5 minutes"
    if key == "mysql":
        return "MySQL: last nightly backup succeeded and binary-log shipping is current"
    if key == "mongodb":
        return "MongoDB: last daily snapshot succeeded and the oplog/PITR window is at least 24 hours"
    if key == "redis":
        return "Redis: last daily RDB snapshot exists (cache, rebuildable)"
    if key == "kafka":
        return "Kafka: no under-replicated partitions and MirrorMaker 2 replication lag is normal"
    if key == "sqlite":
        return "SQLite: Litestream replica synced within the last minute and last daily copy present"
    return f"{esc(ds.name)}: last scheduled backup succeeded"


def _defect_label(d: Defect) -> str:
    return f"{d.severity} {esc(d.id, 40)}: {esc(d.title)}"


def runbooks_section(daily: list[str], weekly: list[str], monthly: list[str]) -> str:
    """The Operational Runbooks section from its daily, weekly and monthly checklists."""
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


def write_runbooks(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## Operational Runbooks`` section."""
    slo = d.slo
    baseline = baseline_phrase(d)
    backups = [sub(_backup_check(ds) + ".") for ds in d.datastores]
    open_defects = [x for x in facts.defects if x.status != "fixed"]
    tool = f" with {esc(facts.load_test_tool.value, 40)}" if facts.load_test_tool else ""
    gate = d.release_gate
    daily = [
        check(
            False,
            f"Check system health dashboards: availability, p95 against the {slo.p95_target_ms} ms "
            "objective, "
            f"5xx against {num(slo.error_rate_target_percent)} %, instance and datastore saturation.",
        ),
        *(
            [check(False, "Check each service's own health:"), *unit_lines(d, "runbook")]
            if len(d.services) >= 2
            else []
        ),
        check(False, "Review overnight alerts and incidents; every page has an owner and a ticket."),
        check(
            False,
            "Verify backup completion status" + (":" if backups else " of configuration and object storage."),
        ),
        *backups,
        check(
            False,
            "Monitor performance trends: p95 and throughput against yesterday and against the "
            + (f"{baseline}." if baseline else "SLO."),
        ),
    ]
    if gate.status == "blocked":
        daily.append(
            check(
                False,
                "Release gate is BLOCKED: check progress on "
                + ", ".join(esc(i, 40) for i in gate.blocking_defect_ids or ["the blocking items"])
                + " and keep production approvals on hold.",
            )
        )
    elif gate.status == "not_executed":
        daily.append(
            check(
                False,
                "Release gate is NOT EXECUTED: check whether QA has run the planned tests; keep production "
                "approvals on hold until an executed run is green.",
            )
        )
    weekly = [
        check(
            False,
            "Review and analyze performance metrics: slowest endpoints, slow-query view, cache hit rate, "
            "error budget consumed.",
        ),
        check(
            False,
            "Update security patches and dependencies: merge Dependabot/renovate updates that pass CI, "
            "rebuild images for base-image patches"
            + (
                " (" + "; ".join(code(kb.UPDATE_COMMANDS[rt.language]) for rt in d.runtimes) + ")."
                if d.runtimes
                else "."
            ),
        ),
        check(
            False,
            "Conduct capacity planning review: peak traffic against the "
            f"{d.capacity.target_rps} {d.capacity.throughput_unit} "
            "sizing and autoscaling events.",
        ),
        check(
            False,
            "Test backup and recovery procedures: automated restore of the latest backup into a scratch "
            "instance with row-count and latest-record checks.",
        ),
    ]
    if open_defects or facts.risks:
        weekly.append(
            check(False, "Review open QA defects and risks with their owners (listed under Quality Gates).")
        )
    monthly = [
        check(
            False,
            "Security vulnerability assessment: review scan results, WAF and intrusion-detection findings, "
            "access grants.",
        ),
        check(False, "Cost analysis and optimization review against the budgets and right-sizing rules."),
        check(
            False,
            "Disaster recovery testing: point-in-time restore timed against the "
            f"{d.recovery.rto_minutes}-minute RTO (full region failover drill every quarter).",
        ),
        check(
            False,
            f"Performance baseline updates: rerun the QA load scenario{tool} in staging and update the "
            "baselines and SLO thresholds if they moved by more than 20 %.",
        ),
    ]
    return runbooks_section(daily, weekly, monthly)


def _evidence_gates(facts: QAFacts, d: Decisions) -> list[str]:
    """Gates QA evidence lets us check, each with its citation."""
    lines: list[str] = []
    for r in facts.test_results:
        if r.failed == 0 and (r.passed or 0) > 0:
            skipped = f", {r.skipped} skipped" if r.skipped else ""
            lines.append(
                check(
                    True,
                    f"QA test run green: {r.passed} passed, 0 failed{skipped}"
                    f"{cite_paren(ref(r.evidence), 1)}.",
                )
            )
    for c in facts.coverage:
        scope = f" ({esc(c.scope, 40)})" if c.scope else ""
        lines.append(
            check(
                True,
                f"Code coverage measured by QA: {num(c.percent)} %{scope}{cite_paren(ref(c.evidence), 1)}.",
            )
        )
    slo = d.slo
    if slo.baseline_p95_ms is not None and slo.baseline_p95_ms <= slo.p95_target_ms:
        ctx = f" ({esc(slo.baseline_context, 80)})" if slo.baseline_context else ""
        lines.append(
            check(
                True,
                f"QA load-test baseline within the latency objective: p95 {num(slo.baseline_p95_ms)} ms "
                f"≤ {slo.p95_target_ms} ms{ctx}{cite_paren(slo.evidence, 1)}.",
            )
        )
    for x in facts.defects:
        if x.status == "fixed":
            lines.append(
                check(
                    True,
                    f"{_defect_label(x)} — fixed according to QA{cite_paren(ref(x.evidence), 1)}; "
                    "keep its regression test in CI.",
                )
            )
    return lines


def write_quality_gates(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## Quality Gates`` section."""
    gate = d.release_gate
    verdict = gate.qa_verdict
    lines = [
        "## Quality Gates",
        "A gate is checked only where QA evidence proves it (cited); the rest are verified after deployment.",
        "",
    ]
    verdict_ref = [EvidenceRef.of(facts.verdict.evidence)] if facts.verdict.evidence else []
    if gate.status == "blocked":
        parts: list[str] = []
        if gate.blocking_defect_ids:
            n = len(gate.blocking_defect_ids)
            parts.append(
                f"{n} open P0/P1 defect{'s' if n > 1 else ''} ("
                + ", ".join(esc(i, 40) for i in gate.blocking_defect_ids)
                + ", listed below)"
            )
        if gate.failing_tests:
            parts.append(f"{gate.failing_tests} failing test(s)")
        outcome = [r for r in gate.reasons if r.startswith("QA outcome: ")]
        said = f"QA outcome: QA verdict is {verdict}"
        parts += [esc(r.removeprefix("QA outcome: "), 200) for r in outcome if r != said]
        if verdict in ("NO-GO", "FAIL"):
            parts.append(f"QA verdict {verdict}{cite_paren(verdict_ref, 1)}")
        if not parts:
            parts = [esc(r, 200) for r in gate.reasons] or ["blocking items in the QA evidence"]
        lines.append(
            check(
                False,
                "Release gate: **BLOCKED** — "
                + "; ".join(parts)
                + ". Production approvals are refused until each item below is closed and retested.",
            )
        )
    elif gate.status == "not_executed":
        plan_ref = [EvidenceRef.of(facts.document_kind_evidence)] if facts.document_kind_evidence else []
        lines.append(
            check(
                False,
                "Release gate: **NOT EXECUTED** — the QA handoff is a test plan"
                f"{cite_paren(plan_ref, 1)}: tests were planned, not executed, so no result is proven. "
                "Production approvals wait until QA runs the planned tests and reports them green.",
            )
        )
    elif verdict in ("GO", "PASS") or any(r.failed == 0 and (r.passed or 0) > 0 for r in facts.test_results):
        green = [
            EvidenceRef.of(r.evidence) for r in facts.test_results if r.failed == 0 and (r.passed or 0) > 0
        ]
        lines.append(
            check(
                True,
                f"Release gate: **OPEN** — no open P0/P1 defect and no failing test; QA verdict "
                f"{esc(verdict, 20)}{cite_paren(verdict_ref + green, 2)}.",
            )
        )
    else:
        lines.append(
            check(
                False,
                "Release gate: **OPEN** (unconfirmed) — nothing in the QA evidence blocks the "
                f"release, but QA gave no verdict or green test run (verdict {esc(verdict, 20)}); "
                "confirm with QA before approving production.",
            )
        )
    # open_blockers keeps document order; a stable sort by severity keeps it within a severity.
    blockers = sorted(facts.open_blockers, key=lambda x: _SEVERITY_ORDER[x.severity])
    for x in blockers:
        lines.append(
            check(
                False,
                f"{_defect_label(x)} — open, blocks release; fix and retest{cite_paren(ref(x.evidence), 1)}.",
            )
        )
    if gate.failing_tests or facts.failing_test_count:
        for r in facts.test_results:
            if r.failed:
                names = ", ".join(esc(n, 80) for n in r.failing_tests[:5])
                lines.append(
                    check(
                        False,
                        f"All QA tests pass: currently {r.failed} failing"
                        + (f" ({names})" if names else "")
                        + f"{cite_paren(ref(r.evidence), 1)}.",
                    )
                )
    for failure in facts.outcome_failures:
        lines.append(
            check(
                False,
                f"QA criterion met on retest: {esc(failure.reason, 200)} — currently failing"
                f"{cite_paren(ref(failure.evidence), 1)}.",
            )
        )
    if verdict in ("NO-GO", "FAIL"):
        lines.append(
            check(
                False,
                f"QA verdict changes from {verdict} to GO/PASS after the retest{cite_paren(verdict_ref, 1)}.",
            )
        )
    elif verdict in ("CONCERNS", "CONDITIONAL"):
        lines.append(
            check(
                False,
                f"QA verdict is {verdict}: the release owner accepts or resolves each QA condition "
                f"before production{cite_paren(verdict_ref, 1)}.",
            )
        )
    lines += _evidence_gates(facts, d)
    slo = d.slo
    open_security = [f for f in facts.security if f.status != "fixed"]
    if not is_server(d.delivery.kind):
        lines += _release_gates(d, len(open_security))
        lines += _defect_and_risk_lines(facts)
        return join_lines(lines)
    lines += [
        "",
        "Deployment gates (verified in production):",
        "",
        check(
            False,
            "All services deployed successfully with zero downtime (rolling deploy completed, no 5xx spike "
            "during rollout).",
        ),
        check(False, "Monitoring and alerting fully operational (test alert delivered to every channel)."),
        check(
            False,
            "Security scans passed with no critical vulnerabilities (CI dependency and image scans green"
            + (f"; {len(open_security)} QA security finding(s) open, listed below" if open_security else "")
            + ").",
        ),
        check(
            False,
            f"Backup and recovery procedures tested and verified (restore completed within the "
            f"{d.recovery.rto_minutes}-minute RTO).",
        ),
        check(
            False,
            f"Performance benchmarks met in production (p95 < {slo.p95_target_ms} ms, 5xx < "
            f"{num(slo.error_rate_target_percent)} % over the first 7 days).",
        ),
        check(
            False,
            "Incident response procedures documented and accessible (this guide linked from the on-call "
            "runbook; pager rotation staffed).",
        ),
    ]
    lines += _defect_and_risk_lines(facts)
    return join_lines(lines)


def _defect_and_risk_lines(facts: QAFacts) -> list[str]:
    """Open defects that do not block, open security findings and QA risks, each tracked and cited."""
    open_security = [f for f in facts.security if f.status != "fixed"]
    # By severity, then document order (index lookups and model equality are O(n) each: avoid).
    blocking = {id(d) for d in facts.open_blockers}
    others = [
        x
        for _, _, x in sorted(
            (_SEVERITY_ORDER[x.severity], i, x)
            for i, x in enumerate(facts.defects)
            if x.status != "fixed" and id(x) not in blocking
        )
    ]
    tracked: list[str] = []
    for x in others:
        tracked.append(
            check(
                False,
                f"{_defect_label(x)} — {x.status}, not blocking; fix scheduled"
                f"{cite_paren(ref(x.evidence), 1)}.",
            )
        )
    for f in open_security:
        ident = f"{esc(f.id, 40)}: " if f.id else ""
        tracked.append(
            check(
                False,
                f"Security finding {ident}{esc(f.title)} ({f.severity}, {f.status})"
                f"{cite_paren(ref(f.evidence), 1)}.",
            )
        )
    for risk in facts.risks:
        ident = f"{esc(risk.id, 40)}: " if risk.id else ""
        tracked.append(
            check(
                False,
                f"QA risk {ident}{esc(risk.title)} — mitigation owned and tracked"
                f"{cite_paren(ref(risk.evidence), 1)}.",
            )
        )
    return ["", "Tracked QA items (from the QA report):", "", *tracked] if tracked else []


def _release_gates(d: Decisions, open_security: int) -> list[str]:
    """Release gates of distributed software, verified on the channels and in the field."""
    return [
        "",
        "Release gates (verified on the channels and in the field):",
        "",
        check(
            False,
            "Release published on every channel ("
            + "; ".join(esc(c, 80) for c in d.delivery.channels)
            + ") with checksums and a valid signature.",
        ),
        check(
            False,
            "Field monitoring operational: " + "; ".join(esc(s, 80) for s in d.delivery.health_signals) + ".",
        ),
        check(
            False,
            "Security scans passed with no critical vulnerabilities (CI dependency scan green"
            + (f"; {open_security} QA security finding(s) open, listed below" if open_security else "")
            + ").",
        ),
        check(
            False,
            "Recovery rehearsed: a fixed release can be cut and published within the "
            f"{d.recovery.rto_minutes}-minute RTO, and the bad version withdrawn (see Rollback Strategy).",
        ),
        check(False, "Performance budget met: the QA benchmark is within 20 % of the previous release."),
        check(False, "Incident response procedures documented and accessible to the release managers."),
    ]
