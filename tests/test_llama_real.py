"""opsrelay against a real llama.cpp server with real weights (Gemma 3 270M, a *base* model).

These tests need ``llama-server``: ``.ci/run`` starts one (``.ci/llama.sh``); on a developer's
machine the session fixture starts the cached build, or the tests skip and say how to build it.
In CI (``CI=true``) they never skip. The model is weak on purpose: it does not follow
instructions, so the run shows the LLM path's floor -- an approved guide whatever the model
writes -- and the server shows the real contract: JSON-schema grammars, usage numbers,
``finish_reason=length``, a per-slot context window of 8,192 tokens, and its own tokenizer.

Token caps are settings (``OPSRELAY_*_MAX_TOKENS``), kept small so a run takes minutes on 2 cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from llama_server import MODEL_ALIAS, PER_SLOT_CONTEXT, llama_server
from paths import EXAMPLE

from opsrelay.agents.devops.llm import CriticReport
from opsrelay.models.base import ChatMessage, ChatRequest
from opsrelay.models.openai_backend import OpenAIBackend
from opsrelay.models.schema import strict_schema

pytestmark = pytest.mark.slow

EVIDENCE = [EXAMPLE.parent / "junit.xml", EXAMPLE.parent / "coverage.xml"]


@pytest.fixture(scope="module")
def llama_url() -> Iterator[str]:
    with llama_server() as url:
        yield url


def _backend(url: str, timeout: float = 120.0) -> OpenAIBackend:
    return OpenAIBackend(MODEL_ALIAS, base_url=url, api_key="unused-local", timeout_s=timeout)


def test_server_reports_its_window_and_counts_with_its_tokenizer(llama_url: str) -> None:
    backend = _backend(llama_url)
    window = backend.context_window()
    assert (window.tokens, window.source) == (PER_SLOT_CONTEXT, "server")
    messages = (
        ChatMessage(role="system", content="You write operations guides."),
        ChatMessage(role="user", content="Name one deployment strategy."),
    )
    counted = backend.count_tokens(messages)
    answer = backend.complete(ChatRequest(model=MODEL_ALIAS, messages=messages, max_tokens=8))
    # The server's own count of the prompt it received is the one we budgeted with.
    assert answer.usage.input_tokens == counted
    assert 0 < answer.usage.output_tokens <= 8


def test_structured_critic_answer_parses_under_the_servers_json_grammar(llama_url: str) -> None:
    backend = _backend(llama_url)
    assert backend.context_window().source == "server"  # as a run does first: now it knows llama.cpp
    request = ChatRequest(
        model=MODEL_ALIAS,
        messages=(
            ChatMessage(role="system", content="You review operations guides."),
            ChatMessage(
                role="user", content="Judge this guide against the six standards:\n## Deployment Overview\n"
            ),
        ),
        schema_name="CriticReport",
        json_schema=strict_schema(CriticReport),
        # Every string (maxLength, sent to grammar servers) and list (maxItems) is bounded, so the
        # answer ends well inside this cap whatever the model writes.
        max_tokens=4000,
    )
    answer = backend.complete(request)
    assert answer.finish_reason == "stop", answer.content[-200:]
    report = CriticReport.model_validate_json(answer.content)
    # The schema bounds the list, and the grammar enforces the bound even on a base model.
    assert len(report.verdicts) == 6  # minItems = maxItems: the grammar holds the model to six
    assert answer.usage.input_tokens > 0 and answer.usage.output_tokens > 0


def test_small_token_cap_gives_length_and_the_reask_path(llama_url: str) -> None:
    from opsrelay.agents.devops.llm import LLMDrafter
    from opsrelay.ingest import load_qa

    backend = _backend(llama_url)
    drafter = LLMDrafter(backend, model_name=MODEL_ALIAS, decide_max_tokens=64)
    qa = load_qa(EXAMPLE)
    decisions, usage = drafter.decide(qa)
    # Cut off twice (first answer and re-ask) at 64 tokens: the offline decisions stand.
    assert usage.calls == 2
    assert usage.tokens_out <= 2 * 64
    from opsrelay.agents.devops.decide import decide_offline

    assert decisions.model_dump() == decide_offline(qa.facts).model_dump()


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opsrelay", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


def test_whole_run_through_llama_is_approved_and_replays(llama_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "OPENAI_API_KEY": "unused-local",
        "OPSRELAY_SECTION_MAX_TOKENS": "64",
        "OPSRELAY_DECIDE_MAX_TOKENS": "256",
        "OPSRELAY_CRITIC_MAX_TOKENS": "700",
    }
    common = [str(EXAMPLE), *(x for e in EVIDENCE for x in ("--evidence", str(e))), "--date", "2026-11-20"]
    common += ["--no-checkpoint", "--max-revisions", "1", "--json"]
    cassette = tmp_path / "llama.cassette.json"
    live_out, replay_out = tmp_path / "live", tmp_path / "replay"
    model = ["--model", f"openai:{MODEL_ALIAS}", "--base-url", llama_url, "--timeout", "300"]
    started = time.monotonic()
    live = _run(["run", *common, *model, "--record", str(cassette), "--out", str(live_out)], env, tmp_path)
    wall = time.monotonic() - started
    assert live.returncode == 0, live.stderr[-2000:]
    handoff = json.loads((live_out / "handoff.json").read_text())
    run = handoff["run"]
    assert handoff["review"]["verdict"] == "pass"
    assert run["model"] == f"openai:{MODEL_ALIAS}"
    assert run["llm_calls"] >= 15 and run["tokens_in"] > 0 and run["tokens_out"] > 0
    assert run["context_window"] == PER_SLOT_CONTEXT and run["context_window_source"] == "server"
    assert 0 < run["largest_request_tokens"] <= PER_SLOT_CONTEXT
    guide = (live_out / "OPERATIONS.md").read_text()
    assert "DRAFT" not in guide.splitlines()[0]
    # The base model's critic answers parse under the grammar but say nothing usable: none of
    # that reaches the findings as if it were a reason.
    assert all(len(f["message"].split()) >= 4 for f in handoff["review"]["findings"])
    # Every call that was not used is accounted for, with its reason.
    assert all(f["reason"] for f in run["call_fallbacks"])
    # What the run cost, for the issue note (pytest -s shows it).
    print(
        f"\nllama run: {wall:.0f} s, {run['llm_calls']} calls, "
        f"{run['tokens_in']} in / {run['tokens_out']} out, "
        f"largest request {run['largest_request_tokens']} of {run['context_window']}, "
        f"sections {json.dumps(run['sections'])}, fallbacks {len(run['call_fallbacks'])}"
    )

    # Replay, with no key and the server out of the picture: the same bytes.
    offline_env = {k: v for k, v in env.items() if k != "OPENAI_API_KEY"}
    replay = ["--model", f"replay:{cassette}", "--strict-replay", "--out", str(replay_out)]
    replayed = _run(["run", *common, *replay], offline_env, tmp_path)
    assert replayed.returncode == 0, replayed.stderr[-2000:]
    assert (replay_out / "OPERATIONS.md").read_bytes() == (live_out / "OPERATIONS.md").read_bytes()
