"""Every request fits the window, and one call never costs the run (issues 10.2-10.4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from paths import EXAMPLE

from opsrelay.agents.devops.decide import decide_offline
from opsrelay.agents.devops.fit import (
    SECTION_DECISIONS,
    Counter,
    Fitted,
    NoFit,
    cited_excerpt,
    decisions_json,
    digest,
    estimate,
    fit_request,
    margin,
    room,
)
from opsrelay.cli import cli
from opsrelay.ingest import load_qa
from opsrelay.models.base import ChatMessage
from opsrelay.template import DRAFTED_SECTIONS
from opsrelay.testing.devops_model import devops_responder
from opsrelay.testing.fake_openai import FakeOpenAI, Reply

KEY = "sk-test-not-a-real-key-0123456789"


def msg(text: str) -> tuple[ChatMessage, ...]:
    return (ChatMessage(role="user", content=text),)


# -- the fitting rules ----------------------------------------------------------------------------


def test_margin_is_five_percent_plus_64() -> None:
    assert margin(8192) == 410 + 64
    assert room(8192, 6000) == 8192 - 474 - 6000


def test_the_first_form_that_fits_wins_then_output_is_lowered_then_nothing() -> None:
    counter = Counter(lambda messages: sum(len(m.content) for m in messages))  # 1 token per character
    big, small = ("big", msg("x" * 5000)), ("small", msg("x" * 2000))
    fitted = fit_request([big, small], counter=counter, window=10_000, max_tokens=3000, floor=500)
    assert isinstance(fitted, Fitted) and fitted.form == "big" and fitted.max_tokens == 3000
    fitted = fit_request([big, small], counter=counter, window=6_000, max_tokens=3000, floor=500)
    assert isinstance(fitted, Fitted) and fitted.form == "small" and fitted.max_tokens == 3000
    fitted = fit_request([big, small], counter=counter, window=4_000, max_tokens=3000, floor=500)
    assert isinstance(fitted, Fitted) and fitted.form.startswith("small, max_tokens")
    assert fitted.prompt_tokens + fitted.max_tokens + margin(4_000) <= 4_000
    refused = fit_request([big, small], counter=counter, window=2_500, max_tokens=3000, floor=500)
    assert isinstance(refused, NoFit) and "2,500-token context window" in refused.reason
    unknown = fit_request([big, small], counter=counter, window=None, max_tokens=3000, floor=500)
    assert isinstance(unknown, Fitted) and unknown.form == "big"


def test_a_failing_tokenizer_falls_back_to_the_estimate() -> None:
    def broken(messages: Any) -> int:
        raise OSError("tokenizer endpoint down")

    assert Counter(broken).message(ChatMessage(role="user", content="x" * 30)) == estimate("x" * 30)


def test_sections_get_only_the_decisions_they_need() -> None:
    decisions = decide_offline(load_qa(EXAMPLE).facts)
    assert set(SECTION_DECISIONS) == {spec.key for spec in DRAFTED_SECTIONS}
    full = decisions_json(decisions)
    for spec in DRAFTED_SECTIONS:
        scoped = json.loads(decisions_json(decisions, spec.key))
        assert "service_name" in scoped and "reasoning" not in scoped
        assert len(decisions_json(decisions, spec.key)) < len(full)
    assert set(json.loads(decisions_json(decisions, "backup_disaster_recovery"))) >= {
        "recovery",
        "datastores",
    }


def test_cited_lines_carry_their_context_and_gaps() -> None:
    text = "\n".join(f"line {n}" for n in range(1, 21))
    facts = {
        "a": {"source": "r.md", "line": 5, "text": "line 5"},
        "b": [{"source": "r.md", "line": 15, "text": "x"}],
    }
    excerpt = cited_excerpt(text, facts, context=1).splitlines()
    assert excerpt == [
        "…",
        "4: line 4",
        "5: line 5",
        "6: line 6",
        "…",
        "14: line 14",
        "15: line 15",
        "16: line 16",
        "…",
    ]


def test_the_critics_digest_keeps_every_section_and_fits() -> None:
    draft = (
        "# Operations Guide\n\n## A\n\n### Sub\n- **Field**: value\n\n```yaml\n"
        + "key: value\n" * 200
        + "```\n\n## B\n\n"
        + "Long prose. " * 300
        + "\n"
    )
    short = digest(draft, 600)
    assert "## A" in short and "## B" in short and "- **Field**: value" in short
    assert "[yaml block, 200 lines]" in short
    assert len(short) <= 700
    assert len(digest(draft, 100_000)) < len(draft)


# -- through the fake server ----------------------------------------------------------------------


def run(
    fake: FakeOpenAI, out: Path, capsys: pytest.CaptureFixture[str], model: str, *extra: str
) -> tuple[int, dict[str, Any], str]:
    code = cli(
        [
            "run",
            str(EXAMPLE),
            "--out",
            str(out),
            "--model",
            model,
            "--base-url",
            fake.base_url,
            "--date",
            "2026-11-21",
            "--timeout",
            "10",
            "--no-checkpoint",
            *extra,
        ]
    )
    captured = capsys.readouterr()
    handoff = json.loads((out / "handoff.json").read_text()) if (out / "handoff.json").exists() else {}
    return code, handoff, captured.out + captured.err


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


def test_every_request_fits_a_small_reported_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAI(
        devops_responder, context_window=8192, server_info="llamacpp", error_style="llamacpp"
    ) as fake:
        code, handoff, out = run(fake, tmp_path, capsys, "openai:gemma-3-270m")
        bodies = fake.chat_requests
    assert code == 0, out
    r = handoff["run"]
    assert r["context_window"] == 8192 and r["context_window_source"] == "server"
    assert "n_ctx" in r["context_window_detail"]
    assert 0 < r["largest_request_tokens"] <= 8192 - margin(8192)
    # Nothing was refused for its length, so every request was answered and used.
    assert r["llm_calls"] == len(bodies) == 14  # decide, 12 sections, critic
    assert set(r["sections"].values()) == {"llm", "offline"}  # assumptions are rendered
    # One prefix for the whole run (prompt caching), chosen once: not the whole document here.
    prefixes = {json.dumps(b["messages"][:2], sort_keys=True) for b in bodies}
    assert len(prefixes) == 1
    assert "<qa_document>" in bodies[0]["messages"][1]["content"]
    assert "does not fit this model's context window" in bodies[0]["messages"][1]["content"]
    assert "8,192" in out and "largest request" in out
    # The model cannot quote lines it is not shown: the facts call is skipped, and says so.
    assert [n["call"] for n in r["call_fallbacks"]] == ["facts"]
    assert "does not fit" in r["call_fallbacks"][0]["reason"]


def test_a_window_too_small_for_any_call_still_emits_the_offline_guide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAI(devops_responder) as fake:
        code, handoff, out = run(fake, tmp_path, capsys, "openai:gemma-3-270m", "--context-window", "2048")
        sent = len(fake.chat_requests)
    assert code == 0, out
    assert sent == 0
    r = handoff["run"]
    assert r["context_window"] == 2048 and r["context_window_source"] == "configured"
    calls = {n["call"]: n for n in r["call_fallbacks"]}
    assert "does not fit the 2,048-token context window" in calls["decide"]["reason"]
    assert calls["critic"]["action"] == "rubric_only"
    assert set(r["sections"].values()) == {"fallback", "offline"}  # assumptions are rendered
    assert handoff["review"]["verdict"] == "pass"


def test_a_refused_length_costs_only_that_call(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The server's real window (6,000) is smaller than the one the model name suggests (1M):
    # every request is refused with OpenAI's context_length_exceeded, each falls back alone.
    with FakeOpenAI(devops_responder, context_window=6000) as fake:
        code, handoff, out = run(fake, tmp_path, capsys, "openai:gpt-4.1-mini")
    assert code == 0, out
    r = handoff["run"]
    assert r["call_fallbacks"], r
    assert all(
        "refused the request for its length" in n["reason"]
        for n in r["call_fallbacks"]
        if n["call"] != "review"
    )
    assert set(r["sections"].values()) == {"fallback", "offline"}  # assumptions are rendered
    assert handoff["review"]["verdict"] == "pass"


def test_silent_truncation_falls_back_and_warns_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def responder(body: dict[str, Any]) -> Reply:
        # What is left of a truncated prompt has no QA facts: the model answers anyway.
        try:
            return devops_responder(body)
        except ValueError:
            return Reply.text("## Notes\n\nI only see the end of a long document.")

    with FakeOpenAI(responder, truncate_prompt_to=2048) as fake:
        code, handoff, out = run(fake, tmp_path, capsys, "openai:gpt-4.1-mini")
    assert code == 0, out
    r = handoff["run"]
    assert any("truncated the prompt" in n["reason"] for n in r["call_fallbacks"])
    assert r["warnings"] and "OLLAMA_CONTEXT_LENGTH" in r["warnings"][0]
    assert "OLLAMA_CONTEXT_LENGTH" in out  # the CLI summary shows the warning and its fix
    assert set(r["sections"].values()) == {"fallback", "offline"}  # assumptions are rendered


def test_a_permanent_error_after_a_success_costs_one_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def responder(body: dict[str, Any]) -> Reply:
        if any('section "Cost Management"' in str(m.get("content")) for m in body["messages"]):
            return Reply.not_found("The model `gpt-4.1-mini` does not exist (fake_openai).")
        return devops_responder(body)

    with FakeOpenAI(responder) as fake:
        code, handoff, out = run(fake, tmp_path, capsys, "openai:gpt-4.1-mini")
    assert code == 0, out
    r = handoff["run"]
    assert r["sections"]["cost_management"] == "fallback"
    assert [n["target"] for n in r["call_fallbacks"]] == ["cost_management"]
    assert "refused this call" in r["call_fallbacks"][0]["reason"]


def test_a_permanent_error_on_the_first_call_is_misconfiguration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAI(default=Reply.unauthorized()) as fake:
        code, handoff, out = run(fake, tmp_path, capsys, "openai:gpt-4.1-mini")
    assert code == 3, out
    assert handoff == {}


def test_token_caps_are_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSRELAY_SECTION_MAX_TOKENS", "5000")
    monkeypatch.setenv("OPSRELAY_DECIDE_MAX_TOKENS", "7000")
    monkeypatch.setenv("OPSRELAY_CRITIC_MAX_TOKENS", "2000")
    with FakeOpenAI(devops_responder) as fake:
        code, _, out = run(fake, tmp_path, capsys, "openai:gpt-4.1-mini")
        caps = {
            ((b.get("response_format") or {}).get("json_schema") or {}).get("name", "section"): (
                b.get("max_completion_tokens") or b.get("max_tokens")
            )
            for b in fake.chat_requests
        }
    assert code == 0, out
    assert caps == {"FactProposals": 2000, "Decisions": 7000, "section": 5000, "CriticReport": 2000}


@pytest.mark.parametrize("mode", ["json_object", "tools"])
def test_a_schema_sent_in_the_prompt_counts_against_the_window(
    mode: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # JSON mode and tool calling state the schema in the request itself; it is counted, and a
    # whole run in that mode still fits an 8,192-token window (the short decide schema does).
    with FakeOpenAI(
        devops_responder,
        context_window=8192,
        server_info="llamacpp",
        structured_output_support="json_object" if mode == "json_object" else "none",
    ) as fake:
        code, handoff, out = run(fake, tmp_path, capsys, "openai:gemma-3-270m", "--structured-output", mode)
        bodies = fake.chat_requests
    assert code == 0, out
    decide = [b for b in bodies if "Before any section is written" in b["messages"][-1]["content"]]
    assert len(decide) == 1
    if mode == "json_object":
        assert "must validate against this JSON schema" in decide[0]["messages"][-1]["content"]
    else:
        assert decide[0]["tools"][0]["function"]["name"] == "Decisions"
    assert not [n for n in handoff["run"]["call_fallbacks"] if n["call"] == "decide"]
    assert handoff["run"]["decision_fallbacks"] == []  # the model's choices were used as given
    assert not [n for n in handoff["run"]["call_fallbacks"] if "for its length" in n["reason"]]

    from opsrelay.agents.devops.llm import LLMDrafter, ModelDecisions

    class Backend:
        structured_mode = mode

    drafter = LLMDrafter(Backend(), model_name="gemma-3-270m")  # type: ignore[arg-type]
    assert drafter._schema_in_prompt_tokens(ModelDecisions) > 300
    Backend.structured_mode = "json_schema"
    assert drafter._schema_in_prompt_tokens(ModelDecisions) == 0


def test_model_settings_come_from_the_option_else_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from opsrelay.api import _env_settings
    from opsrelay.errors import InputError

    monkeypatch.setenv("OPSRELAY_CONTEXT_WINDOW", "4096")
    monkeypatch.setenv("OPSRELAY_STRUCTURED_OUTPUT", "tools")
    monkeypatch.setenv("OPSRELAY_SECTION_MAX_TOKENS", "900")
    assert _env_settings({"section_max_tokens": 700}) == {
        "section_max_tokens": 700,
        "context_window": 4096,
        "structured_output": "tools",
    }
    monkeypatch.setenv("OPSRELAY_DECIDE_MAX_TOKENS", "lots")
    with pytest.raises(InputError, match="OPSRELAY_DECIDE_MAX_TOKENS must be a whole number"):
        _env_settings({})
