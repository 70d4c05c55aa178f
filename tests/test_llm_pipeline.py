"""The openai: path end to end, through real HTTP to the local fake server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from paths import EXAMPLE

from opsrelay.cli import cli
from opsrelay.testing.devops_model import devops_responder
from opsrelay.testing.fake_openai import FakeOpenAI, Latency, Reply

MODEL = "openai:gpt-4.1-mini"
KEY = "sk-test-not-a-real-key-0123456789"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(devops_responder, latency=Latency()) as fake:
        yield fake


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli(args)
    out, err = capsys.readouterr()
    return code, out, err


def live_args(server: FakeOpenAI, out: Path, *extra: str) -> list[str]:
    return [
        "run",
        str(EXAMPLE),
        "--out",
        str(out),
        "--model",
        MODEL,
        "--base-url",
        server.base_url,
        "--date",
        "2026-11-21",
        "--timeout",
        "5",
        *extra,
    ]


def test_full_run_through_http(
    server: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    code, out, err = run(live_args(server, tmp_path, "--json"), capsys)
    assert code == 0, err
    summary = json.loads(out)
    bodies = server.chat_requests
    # 1 facts + 1 decide + 12 sections + 1 critic, nothing retried (the assumptions are rendered).
    assert summary["llm_calls"] == len(bodies) == 15
    assert summary["tokens_in"] > 0 and summary["tokens_out"] > 0
    handoff = json.loads((tmp_path / "handoff.json").read_text())
    assert handoff["run"]["model"] == MODEL
    assert handoff["run"]["llm_calls"] == 15
    assert handoff["run"]["fallback_sections"] == []
    # A competent model's decisions pass validation, and every section is the model's.
    assert handoff["run"]["decision_fallbacks"] == [] and handoff["run"]["call_fallbacks"] == []
    sections = handoff["run"]["sections"]
    assert sections.pop("assumptions") == "offline" and set(sections.values()) == {"llm"}
    assert handoff["run"]["context_window"] and handoff["run"]["largest_request_tokens"] > 0
    # Every call shares the same static prefix: system prompt, then the delimited QA document.
    prefixes = {json.dumps(b["messages"][:2], sort_keys=True) for b in bodies}
    assert len(prefixes) == 1
    system, qa_msg = bodies[0]["messages"][:2]
    assert system["role"] == "system" and "untrusted data" in system["content"]
    assert "<qa_document>" in qa_msg["content"] and "checkout-service" in qa_msg["content"]
    # Structured output for decisions and critic, plain Markdown for sections.
    schemas = sorted(
        (b.get("response_format") or {}).get("json_schema", {}).get("name", "markdown") for b in bodies
    )
    assert schemas.count("Decisions") == 1 and schemas.count("CriticReport") == 1
    assert schemas.count("FactProposals") == 1
    assert schemas.count("markdown") == 12
    assert all(b.get("max_tokens") or b.get("max_completion_tokens") for b in bodies)
    doc = (tmp_path / "OPERATIONS.md").read_text()
    assert "opsrelay (model gpt-4.1-mini)" in doc


def test_key_never_leaves_in_bodies_or_artifacts(
    server: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    qa = tmp_path / "qa.md"
    qa.write_text(
        EXAMPLE.read_text() + "\nStaging DB: postgres://app:Sup3rS3cretPw@db.internal:5432/app\n"
        "Leaked key AKIAIOSFODNN7EXAMPLE in the old config.\n"
    )
    args = live_args(server, tmp_path / "out", "--record", str(tmp_path / "c.json"))
    args[1] = str(qa)
    code, _, err = run(args, capsys)
    assert code == 0, err
    sent = json.dumps(server.chat_requests)
    assert "Sup3rS3cretPw" not in sent and "AKIAIOSFODNN7EXAMPLE" not in sent
    for path in [tmp_path / "c.json", *(tmp_path / "out").iterdir()]:
        text = path.read_text()
        assert KEY not in text and "Sup3rS3cretPw" not in text and "AKIAIOSFODNN7EXAMPLE" not in text
    # The key travelled only in the Authorization header, which the server saw and we never store.
    assert all(r.headers.get("authorization") == "Bearer [REDACTED]" for r in server.requests)
    assert KEY not in json.dumps([r.body for r in server.requests])


def test_record_then_replay_offline_is_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    cassette = tmp_path / "run.cassette.json"
    with FakeOpenAI(devops_responder, latency=Latency()) as fake:
        code, _, err = run(live_args(fake, tmp_path / "live", "--record", str(cassette)), capsys)
        assert code == 0, err
    # Server stopped, key gone: the replay answers everything from the cassette.
    monkeypatch.delenv("OPENAI_API_KEY")
    code, _, err = run(
        [
            "run",
            str(EXAMPLE),
            "--out",
            str(tmp_path / "replay"),
            "--model",
            f"replay:{cassette}",
            "--date",
            "2026-11-21",
            "--strict-replay",
        ],
        capsys,
    )
    assert code == 0, err
    live = (tmp_path / "live" / "OPERATIONS.md").read_bytes()
    replay = (tmp_path / "replay" / "OPERATIONS.md").read_bytes()
    assert live == replay
    assert KEY not in cassette.read_text()


def test_peak_requests_in_flight_equals_concurrency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FakeOpenAI(devops_responder, latency=Latency(ttft_s=0.15)) as fake:
        code, _, err = run(live_args(fake, tmp_path, "--concurrency", "4"), capsys)
        assert code == 0, err
        assert fake.peak_in_flight == 4


def _asks_for(body: dict[str, Any], heading: str) -> bool:
    return any(f'section "{heading}"' in str(m["content"]) for m in body["messages"][2:])


def _fail_section(heading: str, reply: Reply) -> Any:
    def responder(body: dict[str, Any]) -> Reply:
        if _asks_for(body, heading):
            return reply
        return devops_responder(body)

    return responder


@pytest.mark.parametrize(
    "bad",
    [
        Reply.truncated("## Cost Management\n- **Resource Usage**: cut"),
        Reply.refusal(),
        Reply.text("Sure! Here it is."),
    ],
    ids=["truncated", "refusal", "wrong-shape"],
)
def test_bad_section_is_reasked_then_falls_back(
    bad: Reply, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FakeOpenAI(_fail_section("Cost Management", bad)) as fake:
        code, _, err = run(live_args(fake, tmp_path), capsys)
        asked = [b for b in fake.chat_requests if _asks_for(b, "Cost Management")]
    assert code == 0, err
    assert len(asked) == 2  # the first ask and one re-ask with the error, then the fallback
    assert "could not be used" in asked[1]["messages"][-1]["content"]
    handoff = json.loads((tmp_path / "handoff.json").read_text())
    assert handoff["run"]["fallback_sections"] == ["cost_management"]
    assert handoff["run"]["sections"]["cost_management"] == "fallback"
    assert [n["target"] for n in handoff["run"]["call_fallbacks"]] == ["cost_management"]
    doc = (tmp_path / "OPERATIONS.md").read_text()
    assert "Written by the offline engine" in doc.split("## Cost Management")[1].split("\n## ")[0]


@pytest.mark.parametrize("reply", [Reply.unauthorized(), Reply.not_found(), Reply.bad_request()])
def test_permanent_errors_exit_3_nothing_written(
    reply: Reply, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FakeOpenAI(default=reply) as fake:
        code, _, err = run(live_args(fake, tmp_path / "out"), capsys)
        assert len(fake.chat_requests) == 2  # facts and decide go out together, each never retried
    assert code == 3
    errors = [line for line in err.splitlines() if line.startswith("opsrelay: error: ")]
    assert len(errors) == 1 and "Traceback" not in err and KEY not in err
    assert "resume" in errors[0]  # the checkpoint is kept for a retry once the cause is fixed
    assert not (tmp_path / "out" / "OPERATIONS.md").exists()


def test_missing_key_and_unreachable_server_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(["run", str(EXAMPLE), "--out", str(tmp_path), "--model", MODEL], capsys)
    assert code == 3 and "OPENAI_API_KEY" in err
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FakeOpenAI() as fake:
        url = fake.base_url
    code, _, err = run(
        [
            "run",
            str(EXAMPLE),
            "--out",
            str(tmp_path / "o"),
            "--model",
            MODEL,
            "--base-url",
            url,
            "--timeout",
            "1",
        ],
        capsys,
    )
    assert code == 3 and "Traceback" not in err
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_malformed_model_spec_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["run", str(EXAMPLE), "--out", str(tmp_path), "--model", "gpt4"], capsys)
    assert code == 2 and "offline" in err


def test_budget_stops_cleanly_exit_3(
    server: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    code, _, err = run(live_args(server, tmp_path / "out", "--budget-tokens", "2000"), capsys)
    assert code == 3 and "budget" in err
    assert not (tmp_path / "out" / "OPERATIONS.md").exists()
