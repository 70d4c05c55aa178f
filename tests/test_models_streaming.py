"""Streamed answers through real HTTP: the timeout bounds the first token and each gap, not the answer.

The server here is a small chat-completions SSE server written for these tests (chunked transfer
encoding, one token per event, as llama.cpp and vLLM stream), so that rates, stalls and cut-offs
are exact. It also answers with the error bodies and tool-call deltas the structured-output tests
need.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import structlog

from opsrelay.models.base import ChatMessage, ChatRequest
from opsrelay.models.errors import PermanentProviderError, TransientProviderError
from opsrelay.models.openai_backend import OpenAIBackend
from opsrelay.models.retry import RetryingBackend
from opsrelay.testing.fake_openai import FakeOpenAI, Latency, Reply

# langchain-openai's advice for with_structured_output on these 400s (the backend filters it at
# import; pytest restores the warning filters around each test).
pytestmark = pytest.mark.filterwarnings("ignore:This model does not support OpenAI's structured output")

KEY = "sk-test-streaming-0000000000000000"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"verdict": {"type": "string"}},
    "required": ["verdict"],
    "additionalProperties": False,
}


@dataclass
class Script:
    """How the server answers one chat-completions request."""

    pieces: list[str] = field(default_factory=lambda: ["ok"])
    tokens_per_s: float | None = None
    first_token_after_s: float = 0.0
    stall_after: int | None = None
    stall_s: float = 0.0
    cut_after: int | None = None
    tool_call: str | None = None
    """Send the pieces as the arguments of a call to this function instead of content."""
    error: tuple[int, dict[str, Any]] | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        """Nothing to report (probes get a 404, as from a plain OpenAI-compatible gateway)."""
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        """Answer the next script."""
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else {}
        owner = self.server.owner
        with owner.lock:
            owner.bodies.append(body)
            script = owner.scripts.popleft() if owner.scripts else Script()
        try:
            self._answer(body, script)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _event(self, obj: Any) -> None:
        self._chunk(b"data: " + json.dumps(obj).encode() + b"\n\n")

    def _answer(self, body: dict[str, Any], script: Script) -> None:
        owner = self.server.owner
        if script.error is not None:
            status, payload = script.error
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        base = {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 0, "model": body["model"]}

        def choice(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        self._event(choice({"role": "assistant", "content": ""}))
        if script.first_token_after_s and owner.stopping.wait(script.first_token_after_s):
            return
        started = time.monotonic()
        for i, piece in enumerate(script.pieces):
            if script.cut_after is not None and i == script.cut_after:
                self.close_connection = True
                return  # no terminating chunk: the client sees the body end early
            if script.stall_after is not None and i == script.stall_after:
                if owner.stopping.wait(script.stall_s):
                    return
                started += script.stall_s
            if script.tokens_per_s:
                delay = started + i / script.tokens_per_s - time.monotonic()
                if delay > 0 and owner.stopping.wait(delay):
                    return
            if script.tool_call is not None:
                call: dict[str, Any] = {"index": 0, "function": {"arguments": piece}}
                if i == 0:
                    call.update(id="call_1", type="function")
                    call["function"]["name"] = script.tool_call
                self._event(choice({"tool_calls": [call]}))
            else:
                self._event(choice({"content": piece}))
        self._event(choice({}, "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            prompt = sum(len(str(m.get("content", ""))) for m in body["messages"]) // 4 + 1
            usage = {"prompt_tokens": prompt, "completion_tokens": len(script.pieces)}
            self._event(
                {**base, "choices": [], "usage": {**usage, "total_tokens": prompt + len(script.pieces)}}
            )
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: SSEServer


class SSEServer:
    """A scripted streaming chat-completions server on 127.0.0.1."""

    def __init__(self, *scripts: Script) -> None:
        self.scripts: deque[Script] = deque(scripts)
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> SSEServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def req(**kw: Any) -> ChatRequest:
    return ChatRequest(
        model="gpt-4.1-mini",
        messages=(ChatMessage(role="system", content="Be brief."), ChatMessage(role="user", content="Go.")),
        purpose="draft:test",
        **kw,
    )


def backend(server: SSEServer | FakeOpenAI, timeout_s: float, **kw: Any) -> OpenAIBackend:
    return OpenAIBackend("gpt-4.1-mini", base_url=server.base_url, api_key=KEY, timeout_s=timeout_s, **kw)


# -- timeouts ----------------------------------------------------------------------------------


def test_a_long_answer_at_a_steady_rate_outlasts_the_timeout_and_completes() -> None:
    """6,000 tokens at 2,000 tok/s take 3 s, six times the 0.5 s timeout: each gap is 0.5 ms."""
    pieces = [f"t{i} " for i in range(6000)]
    with SSEServer(Script(pieces=pieces, tokens_per_s=2000)) as server:
        started = time.monotonic()
        out = backend(server, timeout_s=0.5).complete(req())
        elapsed = time.monotonic() - started
    assert out.content == "".join(pieces)
    assert out.finish_reason == "stop"
    assert out.usage.output_tokens == 6000
    assert elapsed >= 3.0  # the answer took longer than the timeout, many times over


@pytest.mark.skipif(
    os.environ.get("OPSRELAY_STREAM_FULL") != "1", reason="5 minutes of wall time: set OPSRELAY_STREAM_FULL=1"
)
def test_issue_8_4_a_6000_token_answer_at_20_tokens_per_s_completes_with_timeout_5() -> None:
    pieces = [f"t{i} " for i in range(6000)]
    with SSEServer(Script(pieces=pieces, tokens_per_s=20)) as server:
        started = time.monotonic()
        out = backend(server, timeout_s=5).complete(req())
        elapsed = time.monotonic() - started
    assert out.content == "".join(pieces)
    assert elapsed >= 299


def test_a_stall_mid_answer_longer_than_the_timeout_is_a_transient_timeout_and_retried() -> None:
    stalled = Script(pieces=["a"] * 50, stall_after=20, stall_s=3.0)
    with SSEServer(stalled, Script(pieces=["fine"])) as server:
        waits: list[float] = []
        retrying = RetryingBackend(backend(server, timeout_s=0.4), sleep=waits.append, rng=lambda: 0.0)
        started = time.monotonic()
        with structlog.testing.capture_logs() as logs:
            out = retrying.complete(req())
        elapsed = time.monotonic() - started
    assert out.content == "fine"
    assert len(server.bodies) == 2
    assert len(waits) == 1
    assert elapsed < 2.0  # gave up on the stall after ~0.4 s, not after 3 s
    retry = next(e for e in logs if e["event"] == "model.retry")
    assert retry["kind"] == "timeout"
    assert "no token within 0.4 s (timeout mid-answer)" in retry["error"]


def test_a_stall_alone_raises_transient_timeout() -> None:
    with (
        SSEServer(Script(pieces=["a"] * 10, stall_after=5, stall_s=3.0)) as server,
        pytest.raises(TransientProviderError) as info,
    ):
        backend(server, timeout_s=0.3).complete(req())
    assert info.value.kind == "timeout" and info.value.status is None


def test_a_first_token_later_than_the_timeout_is_a_timeout() -> None:
    """Headers and the role chunk arrive at once; the first token does not (prompt processing)."""
    with SSEServer(Script(pieces=["late"], first_token_after_s=2.0)) as server:
        started = time.monotonic()
        with pytest.raises(TransientProviderError) as info:
            backend(server, timeout_s=0.4).complete(req())
        assert time.monotonic() - started < 1.5
    assert info.value.kind == "timeout"
    assert "no token within 0.4 s (timeout waiting for the first token)" in str(info.value)


def test_a_first_token_within_the_timeout_is_fine() -> None:
    with SSEServer(Script(pieces=["on ", "time"], first_token_after_s=0.3)) as server:
        out = backend(server, timeout_s=1.0).complete(req())
    assert out.content == "on time"


def test_a_stream_cut_off_mid_answer_is_transient() -> None:
    with (
        SSEServer(Script(pieces=["x"] * 20, cut_after=10)) as server,
        pytest.raises(TransientProviderError) as info,
    ):
        backend(server, timeout_s=2).complete(req())
    assert info.value.kind == "connection"
    assert "the answer stream broke off" in str(info.value)


# -- structured-output modes -------------------------------------------------------------------


def unsupported(message: str, status: int = 400) -> Script:
    return Script(
        error=(status, {"error": {"message": message, "type": "invalid_request_error", "code": None}})
    )


def test_json_schema_mode_sends_the_strict_response_format() -> None:
    with SSEServer(Script(pieces=['{"verdict":', ' "GO"}'])) as server:
        out = backend(server, 2, structured_output="json_schema").complete(
            req(schema_name="Verdict", json_schema=SCHEMA)
        )
    assert out.content == '{"verdict": "GO"}'
    body = server.bodies[0]
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Verdict", "schema": SCHEMA, "strict": True},
    }
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


def test_json_object_mode_states_the_schema_in_a_final_instruction() -> None:
    with SSEServer(Script(pieces=['{"verdict": "GO"}'])) as server:
        out = backend(server, 2, structured_output="json_object").complete(
            req(schema_name="Verdict", json_schema=SCHEMA)
        )
    assert out.content == '{"verdict": "GO"}'
    body = server.bodies[0]
    assert body["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in body["messages"]] == ["system", "user"]  # no extra turn
    last = body["messages"][-1]["content"]
    assert last.startswith("Go.\n\n")
    assert "JSON" in last  # OpenAI's JSON mode refuses messages without the word
    assert json.dumps(SCHEMA, separators=(",", ":")) in last


def test_tools_mode_forces_one_strict_tool_and_returns_its_arguments() -> None:
    script = Script(pieces=['{"verd', 'ict": "NO', '-GO"}'], tool_call="Verdict")
    with SSEServer(script) as server:
        out = backend(server, 2, structured_output="tools").complete(
            req(schema_name="Verdict", json_schema=SCHEMA)
        )
    assert out.content == '{"verdict": "NO-GO"}'
    assert out.finish_reason == "stop"
    body = server.bodies[0]
    assert "response_format" not in body
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "Verdict",
                "description": "Give the answer as the arguments of Verdict.",
                "parameters": SCHEMA,
                "strict": True,
            },
        }
    ]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Verdict"}}
    assert body["parallel_tool_calls"] is False


def test_auto_falls_back_to_json_object_once_and_remembers_it() -> None:
    rejected = unsupported("'response_format' of type 'json_schema' is not supported with this model.")
    with SSEServer(rejected, Script(pieces=['{"verdict": "GO"}']), Script(pieces=["{}"])) as server:
        b = backend(server, 2)
        with structlog.testing.capture_logs() as logs:
            first = b.complete(req(schema_name="Verdict", json_schema=SCHEMA))
            second = b.complete(req(schema_name="Verdict", json_schema=SCHEMA))
    assert (first.content, second.content) == ('{"verdict": "GO"}', "{}")
    kinds = [body["response_format"]["type"] for body in server.bodies]
    assert kinds == ["json_schema", "json_object", "json_object"]  # remembered: no second refusal
    assert b.structured_mode == "json_object"
    fallbacks = [e for e in logs if e["event"] == "model.structured_output_fallback"]
    assert [(e["rejected"], e["now"]) for e in fallbacks] == [("json_schema", "json_object")]


def test_auto_goes_on_to_tools_when_json_mode_is_refused_too() -> None:
    scripts = (
        unsupported("response_format json_schema is unsupported", 422),
        unsupported("response_format.type must be 'json_schema' or 'text'"),
        Script(pieces=['{"verdict": "GO"}'], tool_call="Verdict"),
    )
    with SSEServer(*scripts) as server:
        out = backend(server, 2).complete(req(schema_name="Verdict", json_schema=SCHEMA))
    assert out.content == '{"verdict": "GO"}'
    assert [("tools" in b, b.get("response_format", {}).get("type")) for b in server.bodies] == [
        (False, "json_schema"),
        (False, "json_object"),
        (True, None),
    ]


@pytest.mark.filterwarnings("ignore:Invalid schema for OpenAI:UserWarning")
def test_auto_does_not_hide_an_invalid_schema_and_explicit_modes_never_fall_back() -> None:
    bug = unsupported("Invalid schema for response_format 'Verdict': $ref cannot have keywords")
    plain = unsupported("'response_format' of type 'json_schema' is not supported with this model.")
    with SSEServer(bug, plain) as server:
        with pytest.raises(PermanentProviderError, match="Invalid schema"):
            backend(server, 2).complete(req(schema_name="Verdict", json_schema=SCHEMA))
        with pytest.raises(PermanentProviderError, match="not supported"):
            backend(server, 2, structured_output="json_schema").complete(
                req(schema_name="Verdict", json_schema=SCHEMA)
            )
    assert len(server.bodies) == 2


def test_free_text_requests_never_carry_a_format() -> None:
    with SSEServer(Script(pieces=["## Heading"])) as server:
        for mode in ("json_object", "tools"):
            backend(server, 2, structured_output=mode).complete(req())
    assert len(server.bodies) == 2  # one request per mode, so the check below is not vacuous
    assert all("response_format" not in b and "tools" not in b for b in server.bodies)


def test_fake_openai_latency_model_answer_longer_than_the_timeout_completes() -> None:
    """The same with FakeOpenAI's latency model: 6,000 tokens at 2,000 tok/s behind a 0.3 s first token."""
    text = "word " * 4800  # 24,000 characters: 6,000 tokens at the fake's 4 characters per token
    with FakeOpenAI(default=Reply.text(text), latency=Latency(ttft_s=0.3, tokens_per_s=2000)) as server:
        started = time.monotonic()
        out = backend(server, timeout_s=1.0).complete(req())
        elapsed = time.monotonic() - started
    assert out.content == text and out.finish_reason == "stop"
    assert out.usage.output_tokens == 6000
    assert elapsed >= 3.0  # three times the timeout: the timeout bounds gaps, not the answer
