"""The release gate: whether the QA evidence lets this release through."""

from __future__ import annotations

from opsrelay.agents.devops.decide.common import refs
from opsrelay.agents.devops.decisions import ReleaseGate
from opsrelay.facts.model import Evidence, QAFacts


def decide_release_gate(facts: QAFacts) -> ReleaseGate:
    """Release gate status and every blocking reason from the QA evidence."""
    reasons: list[str] = []
    evidence: list[Evidence] = []
    for d in facts.open_blockers:
        reasons.append(f"Open {d.severity} defect {d.id}: {d.title}")
        evidence.append(d.evidence)
    failing = facts.failing_test_count
    if failing:
        reasons.append(f"{failing} failing test(s) in the QA test runs")
        evidence.extend(r.evidence for r in facts.test_results if r.failed)
    verdict = facts.verdict.value
    if verdict in ("NO-GO", "FAIL"):
        reasons.append(f"QA verdict is {verdict}")
    if facts.verdict.evidence:
        evidence.append(facts.verdict.evidence)
    return ReleaseGate(
        status="blocked" if facts.release_blocked else "open",
        reasons=reasons,
        blocking_defect_ids=[d.id for d in facts.open_blockers],
        failing_tests=failing,
        qa_verdict=verdict,
        evidence=refs(evidence),
    )
