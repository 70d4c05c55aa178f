"""The decide call: what the model is asked, and what follows from facts instead."""

from __future__ import annotations

from paths import FIXTURES

from opsrelay.agents.devops.assumptions import derive_assumptions
from opsrelay.agents.devops.decide import decide_offline
from opsrelay.agents.devops.llm import LLMDrafter, ModelDecisions, strict_schema
from opsrelay.ingest import load_qa
from opsrelay.models.factory import make_backend, parse_model_spec
from opsrelay.testing.devops_model import devops_responder
from opsrelay.testing.fake_openai import FakeOpenAI

SYNCRO = FIXTURES / "qa" / "syncro-spring_nfr-assessment.md"


def test_model_is_asked_only_for_the_choices_sections_must_agree_on() -> None:
    schema = strict_schema(ModelDecisions)
    props = schema["properties"]
    assert list(props) == [
        "service_name",
        "hosting",
        "platform",
        "deployment",
        "ci",
        "observability",
        "slo",
        "capacity",
        "recovery",
        "alert_routing",
    ]
    # Facts and what follows from them are derived, never asked for (nor paid for).
    derived = {"release_gate", "test_commands", "assumptions", "runtimes", "datastores", "environments"}
    assert not derived & set(props)
    hosting = schema["$defs"]["HostingChoice"]["properties"]
    assert list(hosting)[:2] == ["reason", "qa_lines"]  # the reason before the choice


def test_gate_comes_from_facts_and_assumptions_from_basis_flags() -> None:
    qa = load_qa(SYNCRO)
    with FakeOpenAI(devops_responder) as fake:
        backend = make_backend(
            parse_model_spec("openai:gpt-4.1-mini"),
            base_url=fake.base_url,
            api_key="sk-test-decide-000000",
            record_path=None,
            timeout_s=5,
            strict_replay=False,
        )
        assert backend is not None
        decisions, usage = LLMDrafter(backend, model_name="gpt-4.1-mini").decide(qa)
    assert usage.calls == 1
    assert decisions.release_gate.status == "blocked"
    assert "R-2.9-1" in decisions.release_gate.blocking_defect_ids
    topics = [a.topic for a in decisions.assumptions]
    assert topics == [a.topic for a in derive_assumptions(decisions)]
    assert "Availability objective" in topics  # syncro states no availability target


def test_grounded_decisions_are_not_listed_as_assumptions() -> None:
    d = decide_offline(load_qa(FIXTURES / "qa" / "production-ml-api_load-test-results.md").facts)
    topics = {a.topic for a in derive_assumptions(d)}
    assert d.slo.latency_basis == "qa_fact" and "Latency objective" not in topics
    assert d.capacity.basis == "qa_fact" and "Capacity" not in topics
