"""The short decide: the model makes only the choices sections must agree on; the rest is derived."""

from __future__ import annotations

import json

import pytest
from paths import FIXTURES

from opsrelay.agents.devops.choices import apply_choices, brief, choices_of
from opsrelay.agents.devops.decide import decide_offline
from opsrelay.agents.devops.validate import validate_decisions
from opsrelay.ingest import load_qa
from opsrelay.testing.fake_openai import estimate_tokens

EXAMPLE = FIXTURES.parent.parent / "examples" / "qa" / "QA_REPORT.md"
CORPUS = sorted(p for p in (FIXTURES / "qa").glob("*.md") if p.name != "SOURCES.md")


@pytest.mark.parametrize("path", [EXAMPLE, *CORPUS], ids=lambda p: p.stem[:30])
def test_a_competent_answer_is_short_and_survives_validation_unchanged(path) -> None:  # type: ignore[no-untyped-def]
    qa = load_qa(path)
    offline = decide_offline(qa.facts)
    chosen = choices_of(offline)
    answer = json.dumps(chosen.model_dump(mode="json"), ensure_ascii=False)
    assert estimate_tokens(answer) <= 600  # on the critical path of every run
    merged, dropped = apply_choices(chosen, offline, qa)
    checked, fallbacks = validate_decisions(merged, offline, qa)
    assert dropped == [] and fallbacks == []
    # What follows from the facts is the offline engine's, untouched.
    for name in ("runtimes", "test_commands", "environments", "datastores", "release_gate", "delivery"):
        assert getattr(checked, name) == getattr(offline, name), name
    assert checked.deployment.steps == offline.deployment.steps
    assert checked.slo.latency_alert_ms == offline.slo.latency_alert_ms


def test_other_choices_are_followed_by_what_derives_from_them() -> None:
    qa = load_qa(FIXTURES / "qa" / "production-ml-api_load-test-results.md")
    offline = decide_offline(qa.facts)
    chosen = choices_of(offline)
    assert offline.hosting.provider == "aws" and offline.deployment.strategy == "rolling"
    chosen.hosting.provider, chosen.hosting.region, chosen.hosting.dr_region = (
        "gcp",
        "europe-west1",
        "europe-west4",
    )
    chosen.deployment.strategy = "canary"
    chosen.slo.p95_target_ms = offline.slo.p95_target_ms + 100
    chosen.recovery.point_in_time_recovery = False
    chosen.recovery.rpo_minutes = chosen.recovery.backup_interval_minutes
    merged, _ = apply_choices(chosen, offline, qa)
    # Managed databases follow the provider; rollout steps follow the strategy.
    assert merged.hosting.provider_name == "Google Cloud"
    assert all("Amazon" not in d.hosting and "RDS" not in d.hosting for d in merged.datastores)
    assert any("Cloud SQL" in d.hosting or "Memorystore" in d.hosting for d in merged.datastores)
    assert any("Canary" in s for s in merged.deployment.steps)
    assert merged.slo.p95_target_ms == offline.slo.p95_target_ms + 100
    assert merged.slo.latency_alert_ms >= merged.slo.p95_target_ms
    assert merged.recovery.continuous_archiving is False and merged.recovery.archiving_method is None


def test_cited_lines_carry_the_documents_own_text_or_are_dropped_with_a_reason() -> None:
    qa = load_qa(EXAMPLE)
    offline = decide_offline(qa.facts)
    chosen = choices_of(offline)
    lines = qa.text.splitlines()
    ci_line = next(i for i, t in enumerate(lines, 1) if "run in CI" in t)
    chosen.ci.qa_lines = [ci_line, 1, 10_000]
    merged, dropped = apply_choices(chosen, offline, qa)
    assert [e.line for e in merged.ci.evidence] == [ci_line]
    assert merged.ci.evidence[0].text == lines[ci_line - 1].strip()[:200]
    assert merged.ci.basis == "qa_fact"
    reasons = [d.reason for d in dropped if d.target == "ci.evidence"]
    assert reasons == ["line 1 says nothing about the ci choice", "there is no line 10000"]
    chosen.ci.qa_lines = []
    merged, _ = apply_choices(chosen, offline, qa)
    assert merged.ci.basis == "assumption" and merged.ci.evidence == []


def test_brief_keeps_whole_clauses() -> None:
    long = (
        "Rolling updates with maxUnavailable 0 are native to Kubernetes, need no extra controller and keep "
        "full capacity during the rollout, and helm reverts automatically when pods never become ready."
    )
    assert brief(long) == (
        "Rolling updates with maxUnavailable 0 are native to Kubernetes, need no extra controller and keep "
        "full capacity during the rollout"
    )
    assert brief("Short. Second sentence.") == "Short"
    assert not brief(long).endswith(("…", ","))


def test_facts_that_arrive_after_the_choices_are_followed_by_the_gate_and_assumptions() -> None:
    from opsrelay.agents.devops.choices import with_facts
    from opsrelay.facts.model import Defect, Evidence

    qa = load_qa(EXAMPLE)
    offline = decide_offline(qa.facts)
    decisions, _ = apply_choices(choices_of(offline), offline, qa)
    assert decisions.release_gate.status == "open"
    blocker = Defect(
        id="BUG-77",
        title="Payments double-charge on retry",
        severity="P1",
        status="open",
        evidence=Evidence(source=qa.source_name, line=3, text=qa.text.splitlines()[2].strip()),
    )
    merged = qa.model_copy(
        update={"facts": qa.facts.model_copy(update={"defects": [*qa.facts.defects, blocker]})}
    )
    refreshed = with_facts(decisions, merged)
    assert (
        refreshed.release_gate.status == "blocked" and "BUG-77" in refreshed.release_gate.blocking_defect_ids
    )
    assert refreshed.hosting == decisions.hosting and refreshed.slo == decisions.slo  # the choices stand
