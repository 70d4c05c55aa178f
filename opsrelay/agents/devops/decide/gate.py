"""The release gate: whether the QA evidence lets this release through, and every reason why not."""

from __future__ import annotations

from opsrelay.agents.devops.decide.common import AssumptionLog, refs
from opsrelay.agents.devops.decisions import GateStatus, ReleaseGate
from opsrelay.facts.model import Evidence, QAFacts


def decide_release_gate(facts: QAFacts, notes: AssumptionLog | None = None) -> ReleaseGate:
    """Release gate status and every blocking reason from the QA evidence.

    ``blocked`` names each reason: open P0/P1 defects, failing tests, failed QA criteria (services
    down, performance criteria missed, "not production-ready"…) and a NO-GO/FAIL verdict. A test
    plan proves nothing, so its gate is ``not_executed``, never ``open``; ``notes`` then records it
    as an assumption, and every open question the document leaves is recorded too.
    """
    reasons: list[str] = []
    evidence: list[Evidence] = []
    for d in facts.open_blockers:
        reasons.append(f"Open {d.severity} defect {d.id}: {d.title}")
        evidence.append(d.evidence)
    failing = facts.failing_test_count
    if failing:
        names = [n for r in facts.test_results for n in r.failing_tests]
        shown = f" ({', '.join(names[:5])}{', …' if len(names) > 5 else ''})" if names else ""
        reasons.append(f"{failing} failing test(s) in the QA test runs{shown}")
        evidence.extend(r.evidence for r in facts.test_results if r.failed)
    for f in facts.outcome_failures:
        reasons.append(f"QA outcome: {f.reason}")
        evidence.append(f.evidence)
    verdict = facts.verdict.value
    if verdict in ("NO-GO", "FAIL") and f"QA outcome: QA verdict is {verdict}" not in reasons:
        reasons.append(f"QA verdict is {verdict}")
    if facts.verdict.evidence:
        evidence.append(facts.verdict.evidence)
    status: GateStatus = "open"
    if facts.release_blocked:
        status = "blocked"
    elif facts.document_kind == "plan":
        status = "not_executed"
        reasons.append("The QA document is a test plan: tests were planned, not executed")
        if facts.document_kind_evidence is not None:
            evidence.append(facts.document_kind_evidence)
    elif not _states_an_outcome(facts):
        # A testing guide or strategy that reports nothing executed proves nothing either: the gate
        # is checked only with evidence, so it cannot be OPEN (a coverage figure quoted in prose
        # is not a run).
        status = "not_executed"
        reasons.append("The QA document states no executed test results, measurements or verdict")
    if notes is not None:
        _record(facts, status, notes)
    return ReleaseGate(
        status=status,
        reasons=reasons,
        blocking_defect_ids=[d.id for d in facts.open_blockers],
        failing_tests=failing,
        qa_verdict=verdict,
        evidence=refs(evidence),
        open_questions=[
            f"{q.question} ({q.evidence.source}:{q.evidence.line})" for q in facts.open_questions
        ],
    )


def _states_an_outcome(facts: QAFacts) -> bool:
    """Whether QA reports anything executed: a test run, a measurement, a verdict or a defect."""
    return bool(
        facts.test_results
        or facts.performance
        or facts.verdict.value != "unknown"
        or facts.defects
        or facts.security
    )


def _record(facts: QAFacts, status: GateStatus, notes: AssumptionLog) -> None:
    """Assumptions the gate implies: a plan's untested state, and each open question QA leaves."""
    if facts.document_kind == "plan":
        where = facts.document_kind_evidence
        cite = f" ({where.source}:{where.line})" if where is not None and where.line else ""
        notes.add(
            "Tests planned, not executed",
            "The QA handoff is a test plan"
            + cite
            + ": none of its tests has run, so no result, baseline or defect status is proven. "
            + (
                "The release gate stays NOT EXECUTED until the planned tests run and pass."
                if status == "not_executed"
                else "The release gate is blocked by the items the plan itself reports."
            ),
            "A plan states intent; only an executed run with results can open the release gate.",
        )
    elif status == "not_executed":
        notes.add(
            "No executed QA outcome",
            "The QA handoff reports no executed test run, measurement or verdict, so no result is "
            "proven; the release gate stays NOT EXECUTED until a QA run with results is handed over.",
            "Only an executed run with results can open the release gate.",
        )
    for q in facts.open_questions:
        ev = q.evidence
        notes.add(
            "Open question from QA",
            q.question,
            f"The QA document leaves this unresolved or contradictory ({ev.source}:{ev.line}: "
            f"“{ev.text[:160]}”); it must be answered before the release gate can be trusted.",
        )
