"""Record/replay: cassettes recorded through real HTTP, replayed with the server stopped."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import pytest

from opsrelay.errors import InputError
from opsrelay.models.base import ChatBackend, ChatMessage, ChatRequest, ChatResponse, Usage
from opsrelay.models.cassette import (
    CassetteMismatch,
    RecordingBackend,
    ReplayBackend,
    load_cassette,
    request_key,
)
from opsrelay.models.context import ContextWindow
from opsrelay.models.openai_backend import OpenAIBackend
from opsrelay.models.retry import RetryingBackend
from opsrelay.models.tokens import count_tokens
from opsrelay.testing.fake_openai import FakeOpenAI, Reply

FAKE_KEY = "sk-test-not-a-real-key-0123456789"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"gate": {"type": "string"}},
    "required": ["gate"],
    "additionalProperties": False,
}
STATIC = "Role: DevOps engineer.\nTemplate:\n## Deployment Overview\n## CI/CD Pipeline\n"


def req(section: str, extra: str = "", **kw: Any) -> ChatRequest:
    return ChatRequest(
        model="gpt-4.1-mini",
        messages=(
            ChatMessage(role="system", content=STATIC),
            ChatMessage(
                role="user", content=f"QA facts:\ncoverage: 81%\n{extra}\nWrite section {section}.\n"
            ),
        ),
        purpose=f"draft:{section}",
        **kw,
    )


def responder(body: dict[str, Any]) -> Reply:
    last = body["messages"][-1]["content"]
    if body.get("response_format"):
        return Reply.json({"gate": "blocked"})
    section = last.rsplit("Write section ", 1)[1].split(".")[0]
    return Reply.text(f"## {section}\n\n- **Owner**: platform team\n")


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(responder) as s:
        yield s


def live(server: FakeOpenAI) -> OpenAIBackend:
    return OpenAIBackend("gpt-4.1-mini", base_url=server.base_url, api_key=FAKE_KEY, timeout_s=5)


SECTIONS = ["overview", "cicd", "monitoring", "alerting", "backup", "incident"]


def requests_for_run() -> list[ChatRequest]:
    return [req(s) for s in SECTIONS] + [req("gates", schema_name="Gate", json_schema=SCHEMA, max_tokens=200)]


def test_record_then_replay_with_server_stopped_is_identical(tmp_path: Path) -> None:
    cassette = tmp_path / "run.json"
    with FakeOpenAI(responder) as server:
        rec = RecordingBackend(RetryingBackend(live(server)), cassette)
        with ThreadPoolExecutor(max_workers=4) as pool:
            recorded = list(pool.map(rec.complete, requests_for_run()))
        rec.close()
    # the server is stopped: anything that tried the network would fail now
    replay = ReplayBackend(cassette, strict=True)
    replayed = [replay.complete(r) for r in requests_for_run()]
    assert replayed == recorded
    assert replayed[-1].content == '{"gate": "blocked"}'
    assert replayed[0].usage.input_tokens > 0
    replay.close()  # strict: every recorded answer was used
    assert replay.spec == f"replay:{cassette}"


def test_replay_is_order_independent(server: FakeOpenAI, tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    rec = RecordingBackend(live(server), cassette)
    expected = {r.purpose: rec.complete(r) for r in requests_for_run()}
    rec.close()
    shuffled = requests_for_run()
    random.Random(7).shuffle(shuffled)
    replay = ReplayBackend(cassette)
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = dict(zip([r.purpose for r in shuffled], pool.map(replay.complete, shuffled), strict=True))
    assert got == expected


def test_key_ignores_purpose_and_covers_everything_else() -> None:
    base = req("cicd")
    assert request_key(base) == request_key(base.model_copy(update={"purpose": "other"}))
    variants = [
        base.model_copy(update={"model": "gpt-4.1"}),
        base.model_copy(update={"temperature": 0.3}),
        base.model_copy(update={"max_tokens": 10}),
        base.model_copy(update={"schema_name": "S"}),
        base.model_copy(update={"json_schema": SCHEMA}),
        req("cicd", extra="one more line"),
    ]
    keys = {request_key(v) for v in variants}
    assert len(keys) == len(variants) and request_key(base) not in keys
    # dict order inside the schema does not matter (canonical JSON)
    reordered = dict(reversed(list(SCHEMA.items())))
    assert request_key(base.model_copy(update={"json_schema": SCHEMA})) == request_key(
        base.model_copy(update={"json_schema": reordered})
    )


def test_key_is_stable_across_versions() -> None:
    """A golden value: if this changes, every user's cassette stops matching."""
    r = ChatRequest(model="m", messages=(ChatMessage(role="user", content="hi"),), temperature=0.0)
    assert request_key(r) == "70af3ef7f69b30b70ba9cb7861fefe93e3adec654815c49b16bbd50444c403d3"
    canonical = (
        '{"json_schema":null,"max_tokens":null,"messages":[{"content":"hi","role":"user"}],'
        '"model":"m","schema_name":null,"temperature":0.0}'
    )
    assert request_key(r) == hashlib.sha256(canonical.encode()).hexdigest()


def test_repeated_identical_requests(server: FakeOpenAI, tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    server.responder = None
    server.enqueue(Reply.text("same"), Reply.text("same"), Reply.text("first"), Reply.text("second"))
    rec = RecordingBackend(live(server), cassette)
    r1, r2 = req("a"), req("b")
    rec.complete(r1)
    rec.complete(r1)  # same answer: stored once
    rec.complete(r2)
    rec.complete(r2)  # different answer for the same request: both kept, in order
    rec.close()
    data = json.loads(cassette.read_text())
    assert [i["purpose"] for i in data["interactions"]] == ["draft:a", "draft:b", "draft:b"]

    replay = ReplayBackend(cassette, strict=True)
    assert [replay.complete(r1).content for _ in range(3)] == ["same"] * 3
    assert [replay.complete(r2).content for _ in range(4)] == ["first", "second", "second", "second"]
    replay.close()


def test_unmatched_request_names_the_closest_and_what_differs(server: FakeOpenAI, tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    rec = RecordingBackend(live(server), cassette)
    for r in requests_for_run():
        rec.complete(r)
    rec.close()
    replay = ReplayBackend(cassette)

    changed = ChatRequest(
        model="gpt-4.1-mini",
        messages=(
            ChatMessage(role="system", content=STATIC),
            ChatMessage(role="user", content="QA facts:\ncoverage: 93%\n\nWrite section cicd.\n"),
        ),
        purpose="draft:cicd",
    )
    with pytest.raises(CassetteMismatch) as info:
        replay.complete(changed)
    msg = str(info.value)
    assert info.value.exit_code == 3
    assert "\n" not in msg
    assert msg.startswith(f"replay:{cassette}: no recorded answer for request 'draft:cicd'")
    assert "closest recorded: 'draft:cicd'" in msg
    assert 'message 1 (user) differs at line 2: recorded "coverage: 81%" vs now "coverage: 93%"' in msg

    with pytest.raises(CassetteMismatch) as info2:
        replay.complete(
            req("gates", schema_name="Gate", json_schema=SCHEMA, max_tokens=300).model_copy(
                update={"model": "gpt-4.1", "purpose": "unknown-purpose"}
            )
        )
    msg2 = str(info2.value)
    assert "closest recorded: 'draft:gates'" in msg2  # no same purpose: most similar messages
    assert "model 'gpt-4.1-mini' recorded vs 'gpt-4.1' now" in msg2
    assert "max_tokens 200 recorded vs 300 now" in msg2

    with pytest.raises(CassetteMismatch) as info3:
        replay.complete(
            req("gates", schema_name="Gate", json_schema={**SCHEMA, "required": []}, max_tokens=200)
        )
    assert 'json_schema differs at required: recorded ["gate"] vs now []' in str(info3.value)


def test_added_and_removed_lines_are_named(tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    record_one(cassette, req("a", extra="keep\nold line"))
    replay = ReplayBackend(cassette)
    with pytest.raises(CassetteMismatch, match='line 5 added: "inserted"'):
        replay.complete(req("a", extra="keep\nold line\ninserted"))
    with pytest.raises(CassetteMismatch, match='line 4 removed: "old line"'):
        replay.complete(req("a", extra="keep"))
    with pytest.raises(CassetteMismatch, match="2 messages recorded vs 3 now"):
        replay.complete(
            req("a", extra="keep\nold line").model_copy(
                update={"messages": (*req("a").messages, ChatMessage(role="assistant", content="x"))}
            )
        )


def test_long_lines_are_snipped_around_the_difference(tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    long_line = "x" * 300
    rec = RecordingBackend(_Echo(), cassette)
    rec.complete(req("a", extra=long_line + "A"))
    rec.close()
    with pytest.raises(CassetteMismatch) as info:
        ReplayBackend(cassette).complete(req("a", extra=long_line + "B"))
    msg = str(info.value)
    assert len(msg) < 600
    assert 'xA"' in msg and 'xB"' in msg


def test_strict_mode_lists_unused_answers(server: FakeOpenAI, tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    rec = RecordingBackend(live(server), cassette)
    for r in requests_for_run():
        rec.complete(r)
    rec.close()
    lenient = ReplayBackend(cassette)
    lenient.complete(req("cicd"))
    lenient.close()  # not strict: fine

    strict = ReplayBackend(cassette, strict=True)
    strict.complete(req("cicd"))
    assert len(strict.unused()) == 6
    with pytest.raises(CassetteMismatch) as info:
        strict.close()
    msg = str(info.value)
    assert "strict replay: 6 recorded answers never used" in msg
    assert "'draft:alerting'" in msg and "and 1 more" in msg


def test_cassette_never_contains_credentials(server: FakeOpenAI, tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    server.responder = None
    server.enqueue(Reply.text(f"Use key {FAKE_KEY} and header Authorization: Bearer abcdefghijklmnop1234"))
    rec = RecordingBackend(live(server), cassette)
    leaky = req(
        "security",
        extra=f"OPENAI_API_KEY={FAKE_KEY}\nAuthorization: Bearer abcdefghijklmnop1234\nghp_{'a' * 36}",
    )
    out = rec.complete(leaky)
    rec.close()
    assert FAKE_KEY in out.content  # the live answer is untouched...
    text = cassette.read_text()
    assert "sk-" not in text  # ...but nothing key-like is written
    assert "abcdefghijklmnop1234" not in text
    assert "ghp_" not in text
    assert "authorization" in server.requests[0].headers  # the key was sent over HTTP...
    assert "x-stainless" not in text.lower()  # ...and no header is part of a cassette
    assert "[REDACTED]" in text
    # the scrubbed cassette still replays the unscrubbed request
    assert ReplayBackend(cassette).complete(leaky).content.startswith("Use key [REDACTED]")


def test_file_format_is_diffable_sorted_and_exact(tmp_path: Path) -> None:
    cassette = tmp_path / "sub" / "c.json"
    rec = RecordingBackend(_Echo(), cassette)
    tricky = "line 1\r\nline 2\n\n  indented\ttab\nunicode: é ✓\n"
    for name in ["zeta", "alpha", "mid"]:
        rec.complete(req(name, extra=tricky))
    rec.close()
    text = cassette.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["version"] == 1
    assert [i["purpose"] for i in data["interactions"]] == ["draft:alpha", "draft:mid", "draft:zeta"]
    first = data["interactions"][0]
    assert set(first) == {"key", "purpose", "request", "response"}
    assert first["request"]["messages"][1]["content"][:3] == ["QA facts:", "coverage: 81%", "line 1\r"]
    assert isinstance(first["response"]["content"], list)
    assert text.startswith('{\n  "version": 1,')
    assert "✓" in text  # not \u-escaped
    assert list(cassette.parent.iterdir()) == [cassette]  # no temp files left behind
    loaded = load_cassette(cassette)
    assert loaded[0].request.messages[1].content.endswith(tricky + "\nWrite section alpha.\n")
    assert ReplayBackend(cassette).complete(req("mid", extra=tricky)).content == _Echo.answer(
        req("mid", extra=tricky)
    )


def test_hand_edited_request_still_matches(tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    record_one(cassette, req("a"))
    data = json.loads(cassette.read_text())
    data["interactions"][0]["request"]["messages"][1]["content"][1] = "coverage: 90%"
    cassette.write_text(json.dumps(data))
    edited = req("a").model_copy(
        update={
            "messages": (
                req("a").messages[0],
                ChatMessage(role="user", content=req("a").messages[1].content.replace("81", "90")),
            )
        }
    )
    assert ReplayBackend(cassette).complete(edited).content == _Echo.answer(req("a"))


def test_recording_is_thread_safe(tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    rec = RecordingBackend(_Echo(), cassette)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: rec.complete(req(f"s{i}")), range(40)))
    rec.close()
    assert len(load_cassette(cassette)) == 40


def test_append_mode_keeps_earlier_interactions(tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    record_one(cassette, req("a"))
    record_one(cassette, req("b"), append=True)
    assert [i.purpose for i in load_cassette(cassette)] == ["draft:a", "draft:b"]
    record_one(cassette, req("c"))  # default: a fresh cassette
    assert [i.purpose for i in load_cassette(cassette)] == ["draft:c"]


def test_cassette_is_written_on_close_so_a_failed_run_keeps_the_old_one(tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    record_one(cassette, req("good"))
    before = cassette.read_text()
    rerun = RecordingBackend(_Echo(), cassette)
    rerun.complete(req("half"))  # ...and then the run fails: close() is never called
    assert cassette.read_text() == before
    autosaving = RecordingBackend(_Echo(), tmp_path / "auto.json", autosave=True)
    autosaving.complete(req("x"))
    assert [i.purpose for i in load_cassette(tmp_path / "auto.json")] == ["draft:x"]
    empty = RecordingBackend(_Echo(), tmp_path / "empty.json")
    empty.close()  # a run without model calls still leaves a valid (empty) cassette
    assert load_cassette(tmp_path / "empty.json") == []


def test_failed_calls_are_not_recorded(server: FakeOpenAI, tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    server.enqueue(Reply.server_error(503), Reply.text("finally"))
    rec = RecordingBackend(RetryingBackend(live(server), sleep=lambda s: None), cassette)
    assert rec.complete(req("a")).content == "finally"
    rec.close()
    interactions = load_cassette(cassette)
    assert [i.response.content for i in interactions] == ["finally"]
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (None, "cassette not found"),
        ("{not json", "not valid JSON"),
        ('{"version": 2, "interactions": []}', "unsupported format"),
        (
            '{"version": 1, "interactions": [{"request": {"messages": [{"role": "robot", "content": "x"}]},'
            ' "response": {}}]}',
            "malformed",
        ),
    ],
)
def test_bad_cassettes_are_input_errors(tmp_path: Path, content: str | None, match: str) -> None:
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=match) as info:
        ReplayBackend(path)
    assert info.value.exit_code == 2


def test_empty_cassette_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text('{"version": 1, "interactions": []}')
    with pytest.raises(CassetteMismatch, match="the cassette is empty"):
        ReplayBackend(path).complete(req("a"))


def record_one(path: Path, request: ChatRequest, *, append: bool = False) -> None:
    rec = RecordingBackend(_Echo(), path, append=append)
    rec.complete(request)
    rec.close()


class _Echo:
    """An in-process backend for format tests that need no HTTP."""

    spec = "echo"

    @staticmethod
    def answer(request: ChatRequest) -> str:
        return "echo:\n" + request.messages[-1].content

    def complete(self, request: ChatRequest) -> ChatResponse:
        return ChatResponse(content=self.answer(request), usage=Usage(input_tokens=3, output_tokens=2))

    def context_window(self) -> ContextWindow:
        return ContextWindow(4096, "server", "echo")

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return sum(len(m.content) for m in messages)


class _Bare:
    """A backend from before context windows: ``complete`` only (third-party code may have one)."""

    spec = "bare"

    def complete(self, request: ChatRequest) -> ChatResponse:
        return ChatResponse(content="bare")


# -- context: recorded window and counts --------------------------------------------------------


def test_recording_stores_the_window_and_counts_and_replay_returns_them(tmp_path: Path) -> None:
    """Replay reproduces a run's context decisions: the same window, the same counts."""
    cassette = tmp_path / "ctx.json"
    with FakeOpenAI(responder=responder, models=["gemma-3-270m"]) as server:
        # Configured, so the window is known without asking the server (test_models_context asks).
        live = OpenAIBackend(
            "gemma-3-270m", base_url=server.base_url, api_key=FAKE_KEY, timeout_s=5, context_window=6000
        )
        rec = RecordingBackend(RetryingBackend(live), cassette)
        window = rec.context_window()
        counted = rec.count_tokens(req("a").messages)
        rec.complete(req("a"))
        rec.close()
    assert (window.tokens, window.source) == (6000, "configured")
    stored = json.loads(cassette.read_text())
    assert list(stored) == ["version", "context", "interactions"]
    assert stored["context"]["window"] == {
        "tokens": 6000,
        "source": "configured",
        "detail": "--context-window / OPSRELAY_CONTEXT_WINDOW",
    }
    assert stored["context"]["count_method"] == "estimate"  # gemma: no tiktoken, no /tokenize
    assert list(stored["context"]["counts"].values()) == [counted]

    replay = ReplayBackend(cassette, strict=True)
    assert replay.context_window() == window
    assert replay.count_tokens(req("a").messages) == counted
    assert replay.token_count(req("a").messages).method == "estimate"
    # messages never counted in the recorded run: counted offline, not an error
    assert replay.count_tokens(req("b").messages) > 0
    # ... for the model the requests carry (tiktoken where its file is cached, else the estimate)
    assert replay.count_tokens(req("b").messages) == count_tokens(req("b").messages, "gpt-4.1-mini").tokens


def test_recorded_counts_win_over_offline_counting(tmp_path: Path) -> None:
    """A cassette from a llama.cpp server holds its tokenizer's counts; replay returns them as is."""
    cassette = tmp_path / "llama.json"
    record_one(cassette, req("a"))
    doc = json.loads(cassette.read_text())
    from opsrelay.models.cassette import messages_key

    doc["context"] = {
        "window": {"tokens": 16384, "source": "server", "detail": "llama.cpp /props n_ctx = 16,384"},
        "count_method": "server",
        "counts": {messages_key(req("a").messages): 4321},
    }
    cassette.write_text(json.dumps(doc))
    replay = ReplayBackend(cassette)
    assert replay.count_tokens(req("a").messages) == 4321
    assert replay.token_count(req("a").messages).method == "server"
    assert replay.context_window().tokens == 16384


def test_old_cassettes_without_context_use_the_known_table(tmp_path: Path) -> None:
    cassette = tmp_path / "old.json"
    record_one(cassette, req("a"))  # the run never asked about the context: nothing written
    assert "context" not in json.loads(cassette.read_text())
    replay = ReplayBackend(cassette)
    window = replay.context_window()
    assert (window.tokens, window.source) == (1_047_576, "known-model")  # gpt-4.1-mini
    assert replay.count_tokens(req("a").messages) > 0
    assert replay.count_tokens(req("a").messages) == count_tokens(req("a").messages, "gpt-4.1-mini").tokens


def test_recorder_over_a_backend_without_context_methods_still_answers(tmp_path: Path) -> None:
    rec = RecordingBackend(cast(ChatBackend, _Bare()), tmp_path / "bare.json")
    window = rec.context_window()
    assert window.source == "default"  # _Bare names no model
    assert rec.token_count(req("a").messages).method == "estimate"
    assert rec.complete(req("a")).content == "bare"
    rec.close()
    stored = json.loads((tmp_path / "bare.json").read_text())
    assert stored["context"]["window"]["source"] == "default"


def test_recorder_records_what_the_inner_backend_says(tmp_path: Path) -> None:
    rec = RecordingBackend(_Echo(), tmp_path / "echo.json")
    assert rec.context_window() == ContextWindow(4096, "server", "echo")
    assert rec.count_tokens(req("a").messages) == sum(len(m.content) for m in req("a").messages)
    rec.close()
    replay = ReplayBackend(tmp_path / "echo.json")
    assert replay.context_window() == ContextWindow(4096, "server", "echo")
    assert replay.count_tokens(req("a").messages) == sum(len(m.content) for m in req("a").messages)


def test_counts_are_keyed_on_scrubbed_messages(tmp_path: Path) -> None:
    """A secret in a message is not in the cassette, and the count still matches on replay."""
    secret = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0" * 2
    messages = (ChatMessage(role="user", content=f"token {secret} leaked in the QA report"),)
    rec = RecordingBackend(cast(ChatBackend, _Bare()), tmp_path / "s.json")
    counted = rec.count_tokens(messages)
    rec.close()
    text = (tmp_path / "s.json").read_text()
    assert secret not in text
    assert ReplayBackend(tmp_path / "s.json").count_tokens(messages) == counted


def test_malformed_context_is_ignored_not_fatal(tmp_path: Path) -> None:
    cassette = tmp_path / "bad.json"
    record_one(cassette, req("a"))
    doc = json.loads(cassette.read_text())
    doc["context"] = {"window": {"tokens": "many"}, "count_method": "magic", "counts": {"k": -3, "j": True}}
    cassette.write_text(json.dumps(doc))
    replay = ReplayBackend(cassette)
    assert replay.context_window().source == "known-model"
    assert replay.complete(req("a")).content.startswith("echo:")
