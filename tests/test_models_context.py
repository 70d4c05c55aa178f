"""Context windows, token counting, context-length refusals and silent truncation (issue 10).

Servers here are real HTTP on 127.0.0.1: ``InfoServer`` answers the info endpoints of llama.cpp,
Ollama and vLLM with their documented shapes; chat completions come from ``FakeOpenAI``.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import structlog
import tiktoken
from paths import CORPUS

from opsrelay.models import context as context_module
from opsrelay.models import tokens as tokens_module
from opsrelay.models.base import ChatMessage, ChatRequest
from opsrelay.models.context import (
    DEFAULT_WINDOW,
    ContextWindow,
    ServerInfo,
    known_window,
    probe_server,
    resolve_window,
    server_root,
)
from opsrelay.models.errors import (
    ContextLengthError,
    PermanentProviderError,
    PromptTruncatedError,
    TransientProviderError,
)
from opsrelay.models.openai_backend import OpenAIBackend, context_error_from
from opsrelay.models.retry import RetryingBackend
from opsrelay.models.schema import GRAMMAR_MAX_STRING
from opsrelay.models.tokens import (
    ESTIMATE_TOKENS_PER_MESSAGE,
    TRUNCATION_RATIO,
    TokenCount,
    count_tokens,
    count_with_tiktoken,
    estimate_text_tokens,
    estimate_tokens,
    tiktoken_encoding_name,
)
from opsrelay.testing.fake_openai import FakeOpenAI, Reply, StructuredOutputSupport

# langchain-openai's advice for with_structured_output on the 400s of servers without json_schema
# (the backend filters it at import; pytest restores the warning filters around each test).
pytestmark = pytest.mark.filterwarnings("ignore:This model does not support OpenAI's structured output")

KEY = "sk-test-context-00000000000000000000"
Route = tuple[int, Any] | Callable[[dict[str, Any] | None], tuple[int, Any]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        owner = self.server.owner
        path = self.path.split("?")[0]
        with owner.lock:
            owner.seen.append((method, path, body, self.headers.get("Authorization")))
        route = owner.routes.get((method, path))
        if route is None:
            status, payload = 404, {"error": {"message": f"no route {method} {path}", "code": 404}}
        else:
            status, payload = route(body) if callable(route) else route
        if owner.delay_s:
            time.sleep(owner.delay_s)
        data = json.dumps(payload).encode()
        with contextlib.suppress(OSError):  # the client may have given up (probe timeout)
            self._reply(status, data)

    def _reply(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        """Route a GET."""
        self._serve("GET")

    def do_POST(self) -> None:
        """Route a POST."""
        self._serve("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: InfoServer


class InfoServer:
    """Serves fixed JSON per (method, path); records what was asked."""

    def __init__(self, routes: Mapping[tuple[str, str], Route], *, delay_s: float = 0.0) -> None:
        self.routes = dict(routes)
        self.delay_s = delay_s
        self.seen: list[tuple[str, str, Any, str | None]] = []
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def paths(self) -> list[str]:
        """``METHOD /path`` of every request so far."""
        with self.lock:
            return [f"{m} {p}" for m, p, _b, _a in self.seen]

    def __enter__(self) -> InfoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def llamacpp_routes(n_ctx: int = 8192, slots: int = 2) -> dict[tuple[str, str], Route]:
    """llama-server's /props (tools/server/README.md) and a whitespace 'tokenizer'."""

    def apply_template(body: dict[str, Any] | None) -> tuple[int, Any]:
        assert body is not None
        turns = "".join(f"<start_of_turn>{m['role']} {m['content']} <end_of_turn> " for m in body["messages"])
        return 200, {"prompt": turns + "<start_of_turn>model "}

    def tokenize(body: dict[str, Any] | None) -> tuple[int, Any]:
        assert body is not None
        words = str(body["content"]).split()
        return 200, {"tokens": list(range(len(words) + (1 if body.get("add_special") else 0)))}

    return {
        ("GET", "/props"): (
            200,
            {
                "default_generation_settings": {"n_ctx": n_ctx, "params": {"n_predict": -1}},
                "total_slots": slots,
                "model_path": "gemma-3-270m-q4_k_m.gguf",
                "chat_template": "…",
            },
        ),
        ("POST", "/apply-template"): apply_template,
        ("POST", "/tokenize"): tokenize,
    }


def msgs(*texts: str) -> tuple[ChatMessage, ...]:
    roles = ["system", "user", "assistant"]
    return tuple(ChatMessage(role=roles[min(i, 1)], content=t) for i, t in enumerate(texts))


def live(base_url: str, model: str = "gemma-3-270m", **kw: Any) -> OpenAIBackend:
    kw.setdefault("timeout_s", 5.0)
    return OpenAIBackend(model, base_url=base_url, api_key=KEY, probe_timeout_s=1.0, **kw)


# -- the window --------------------------------------------------------------------------------


def test_configured_window_wins_and_is_not_probed() -> None:
    with InfoServer(llamacpp_routes(16384)) as server:
        b = live(server.base_url, context_window=4096)
        window = b.context_window()
    assert window == ContextWindow(4096, "configured", "--context-window / OPSRELAY_CONTEXT_WINDOW")
    assert server.paths() == []


def test_llamacpp_props_n_ctx_per_slot_and_server_side_counting() -> None:
    with InfoServer(llamacpp_routes(n_ctx=8192, slots=2)) as server:
        b = live(server.base_url)
        window = b.context_window()
        count = b.token_count(msgs("You are terse.", "Two words"))
        assert b.count_tokens(msgs("You are terse.", "Two words")) == count.tokens
        assert server.paths() == ["GET /props", "POST /apply-template", "POST /tokenize"]  # counted once
        tokenize = server.seen[-1]
    assert window.tokens == 8192 and window.source == "server"
    assert "per slot (2 slots)" in window.detail
    # "<start_of_turn>system You are terse. <end_of_turn> <start_of_turn>user Two words <end_of_turn>
    #  <start_of_turn>model" is 10 whitespace tokens, plus BOS for add_special
    assert count == TokenCount(11, "server")
    assert tokenize[2]["add_special"] is True
    assert tokenize[3] == f"Bearer {KEY}"  # same credentials as the chat requests


def test_ollama_effective_window_is_the_loaded_runners_not_the_models_maximum() -> None:
    show = {
        "parameters": 'num_ctx 8192\nstop "<end_of_turn>"',
        "model_info": {"general.architecture": "gemma3", "gemma3.context_length": 131072},
    }
    ps = {"models": [{"name": "gemma3:latest", "model": "gemma3:latest", "context_length": 4096}]}
    routes: dict[tuple[str, str], Route] = {("POST", "/api/show"): (200, show), ("GET", "/api/ps"): (200, ps)}
    with InfoServer(routes) as server:
        window = live(server.base_url, model="gemma3").context_window()
        asked = server.seen
    assert window.tokens == 4096 and window.source == "server"
    assert "loaded model (/api/ps)" in window.detail
    assert "OLLAMA_CONTEXT_LENGTH" in window.detail and "131,072" in window.detail
    assert [(m, p) for m, p, _b, _a in asked] == [
        ("GET", "/props"),
        ("POST", "/api/show"),
        ("GET", "/api/ps"),
    ]
    assert asked[1][2] == {"model": "gemma3"}


def test_ollama_without_a_loaded_runner_uses_num_ctx_else_the_default_capped_by_the_model() -> None:
    with_num_ctx = {"parameters": "num_ctx 8192", "model_info": {"llama.context_length": 131072}}
    with InfoServer(
        {("POST", "/api/show"): (200, with_num_ctx), ("GET", "/api/ps"): (200, {"models": []})}
    ) as s:
        assert live(s.base_url, model="llama3.2").context_window().tokens == 8192
    tiny = {"parameters": "", "model_info": {"tiny.context_length": 2048}}
    with InfoServer({("POST", "/api/show"): (200, tiny)}) as s:
        window = live(s.base_url, model="tiny").context_window()
    assert window.tokens == 2048  # Ollama's 4,096 default, capped by the model's own maximum
    assert "default num_ctx" in window.detail


def test_vllm_max_model_len() -> None:
    listing = {
        "object": "list",
        "data": [
            {"id": "other", "object": "model", "max_model_len": 4096},
            {"id": "Qwen/Qwen2.5-7B-Instruct", "object": "model", "owned_by": "vllm", "max_model_len": 32768},
        ],
    }
    with InfoServer({("GET", "/v1/models"): (200, listing)}) as server:
        window = live(server.base_url, model="Qwen/Qwen2.5-7B-Instruct").context_window()
    assert (window.tokens, window.source) == (32768, "server")
    assert "max_model_len" in window.detail


def test_a_gateway_listing_context_length() -> None:
    listing = {"data": [{"id": "meta-llama/llama-3.1-8b-instruct", "context_length": 131072}]}
    with InfoServer({("GET", "/api/v1/models"): (200, listing)}) as server:
        base = server.base_url.removesuffix("/v1") + "/api/v1"
        window = live(base, model="meta-llama/llama-3.1-8b-instruct").context_window()
    assert (window.tokens, window.source) == (131072, "server")


def test_no_report_falls_back_to_the_known_table_then_the_default() -> None:
    with FakeOpenAI() as server:
        known = live(server.base_url, model="gpt-4.1-mini").context_window()
        unknown = live(server.base_url, model="gemma-3-270m").context_window()
    assert (known.tokens, known.source) == (1_047_576, "known-model")
    assert (unknown.tokens, unknown.source) == (DEFAULT_WINDOW, "default")
    assert "--context-window" in unknown.detail


def test_a_hanging_or_broken_probe_is_ignored_quickly() -> None:
    with InfoServer(llamacpp_routes(), delay_s=3.0) as server:
        b = OpenAIBackend("gpt-4o-mini", base_url=server.base_url, api_key=KEY, probe_timeout_s=0.2)
        started = time.monotonic()
        window = b.context_window()
        elapsed = time.monotonic() - started
    assert (window.tokens, window.source) == (128_000, "known-model")
    assert elapsed < 2.0  # three probes of 0.2 s each, not 3 × 3 s


def test_the_server_is_probed_once_even_from_many_threads() -> None:
    with InfoServer(llamacpp_routes(16384)) as server:
        b = live(server.base_url)
        with ThreadPoolExecutor(max_workers=8) as pool:
            windows = list(pool.map(lambda _i: b.context_window(), range(16)))
        assert server.paths().count("GET /props") == 1
    assert {w.tokens for w in windows} == {16384}


def test_api_openai_com_is_never_probed(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(context_module, "http_json", lambda method, url, **kw: asked.append(url))
    assert probe_server("https://api.openai.com/v1", "gpt-4.1") == ServerInfo()
    window = OpenAIBackend("gpt-4.1", base_url=None, api_key=KEY).context_window()
    assert asked == []
    assert (window.tokens, window.source) == (1_047_576, "known-model")


@pytest.mark.parametrize(
    ("model", "tokens"),
    [
        ("gpt-4.1-mini", 1_047_576),
        ("gpt-4.1-2025-04-14", 1_047_576),
        ("openai/gpt-4o", 128_000),
        ("gpt-4o-mini-2024-07-18", 128_000),
        ("gpt-4", 8_192),
        ("gpt-4-turbo", 128_000),
        ("o1-mini", 128_000),
        ("o1", 200_000),
        ("o3-mini", 200_000),
        ("o4-mini", 200_000),
        ("gpt-5", 400_000),
        ("gpt-5-mini", 400_000),
        ("gpt-5.1", 400_000),
        ("gpt-5-chat-latest", 128_000),
    ],
)
def test_known_windows(model: str, tokens: int) -> None:
    window = known_window(model)
    assert window is not None and window.tokens == tokens and window.source == "known-model"


@pytest.mark.parametrize("model", ["gemma-3-270m", "llama3.2:3b", "gpt-40", "o10", "qwen2.5"])
def test_unknown_models_have_no_known_window(model: str) -> None:
    assert known_window(model) is None
    assert resolve_window(model).source == "default"


def test_server_root_and_window_json_round_trip() -> None:
    assert server_root("http://h:8080/v1") == "http://h:8080"
    assert server_root("http://h:8080/v1/") == "http://h:8080"
    assert server_root("http://h/api") == "http://h/api"
    window = ContextWindow(16384, "server", "llama.cpp /props n_ctx")
    assert ContextWindow.from_json(json.loads(json.dumps(window.to_json()))) == window
    assert ContextWindow.from_json({"tokens": -1, "source": "server"}) is None
    assert ContextWindow.from_json({"tokens": 5, "source": "guess"}) is None
    with pytest.raises(ValueError, match="positive"):
        resolve_window("m", configured=0)


# -- context-length refusals -------------------------------------------------------------------

# llama-server's refusal of a request over its context, with the two numbers as fields.
LLAMACPP_REFUSAL = {
    "error": {
        "code": 400,
        "message": "request (23930 tokens) exceeds the available context size (16384 tokens), "
        "try increasing it",
        "type": "exceed_context_size_error",
        "n_prompt_tokens": 23930,
        "n_ctx": 16384,
    }
}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # OpenAI
            {
                "error": {
                    "message": "This model's maximum context length is 128000 tokens. However, your messages "
                    "resulted in 130512 tokens. Please reduce the length of the messages.",
                    "type": "invalid_request_error",
                    "param": "messages",
                    "code": "context_length_exceeded",
                }
            },
            (130512, 128000),
        ),
        (  # OpenAI, newer wording: the code alone identifies it
            {
                "error": {
                    "message": "Your input exceeds the context window of this model.",
                    "code": "context_length_exceeded",
                }
            },
            (None, None),
        ),
        (LLAMACPP_REFUSAL, (23930, 16384)),  # llama.cpp (tools/server): type and numbers as fields
        (  # older llama.cpp: message only
            {
                "error": {
                    "code": 400,
                    "message": "the request exceeds the available context size (4096 tokens), "
                    "try increasing the context size or enable context shift",
                    "type": "invalid_request_error",
                }
            },
            (None, 4096),
        ),
        (  # vLLM, top-level error object
            {
                "object": "error",
                "message": "This model's maximum context length is 4096 tokens. However, you requested 5000 "
                "tokens (4000 in the messages, 1000 in the completion). Please reduce the length of the "
                "messages or completion.",
                "type": "BadRequestError",
                "param": None,
                "code": 400,
            },
            (5000, 4096),
        ),
        (  # vLLM, prompt alone too long
            {
                "error": {
                    "message": "The decoder prompt (length 9000) is longer than the maximum model "
                    "length of 8192. Make sure that `max_model_len` is no smaller than the number of "
                    "text tokens."
                }
            },
            (9000, 8192),
        ),
        ({"error": {"message": "the input length exceeds the context length"}}, (None, None)),  # Ollama
    ],
)
def test_context_errors_are_recognised_with_their_numbers(body: dict[str, Any], expected: Any) -> None:
    assert context_error_from(body, "") == expected


@pytest.mark.parametrize(
    "message",
    [
        "Invalid schema for response_format 'X'",
        "Unrecognized request argument supplied: foo",
        "model not found",
    ],
)
def test_other_errors_are_not_context_errors(message: str) -> None:
    assert context_error_from({"error": {"message": message, "code": None}}, message) is None


def test_a_context_refusal_is_a_permanent_context_error_and_never_retried() -> None:
    refusal = Reply.error(
        400,
        "This model's maximum context length is 16385 tokens. "
        "However, your messages resulted in 20001 tokens.",
        code="context_length_exceeded",
    )
    with FakeOpenAI(replies=[refusal, Reply.text("never")]) as server:
        waits: list[float] = []
        b = RetryingBackend(live(server.base_url, model="gpt-3.5-turbo"), sleep=waits.append)
        with pytest.raises(ContextLengthError) as info:
            b.complete(ChatRequest(model="gpt-3.5-turbo", messages=msgs("s", "u")))
        assert len(server.chat_requests) == 1 and waits == []
    err = info.value
    assert isinstance(err, PermanentProviderError) and err.exit_code == 3
    assert (err.prompt_tokens, err.context_window, err.status) == (20001, 16385, 400)
    assert "does not fit the model's context (20,001 tokens for a 16,385-token window)" in str(err)


def test_llamacpp_shaped_refusal_through_http() -> None:
    with (
        FakeOpenAI(replies=[Reply.raw(400, json.dumps(LLAMACPP_REFUSAL), "application/json")]) as server,
        pytest.raises(ContextLengthError) as info,
    ):
        live(server.base_url).complete(ChatRequest(model="gemma-3-270m", messages=msgs("s", "u")))
    assert (info.value.prompt_tokens, info.value.context_window) == (23930, 16384)


# -- silent truncation -------------------------------------------------------------------------

LONG = "Deployment runbook line with a few facts about the service and its database.\n" * 400


def test_a_prompt_reported_far_below_what_was_sent_is_silent_truncation() -> None:
    kept = Reply.text("## Deployment Overview\nfiller").with_usage(
        prompt_tokens=2048, completion_tokens=5, total_tokens=2053
    )
    with FakeOpenAI(replies=[kept, Reply.text("never")]) as server:
        waits: list[float] = []
        b = RetryingBackend(live(server.base_url, model="llama3.2"), sleep=waits.append)
        with structlog.testing.capture_logs() as logs, pytest.raises(PromptTruncatedError) as info:
            b.complete(ChatRequest(model="llama3.2", messages=msgs("You are a DevOps engineer.", LONG)))
        assert len(server.chat_requests) == 1 and waits == []
    err = info.value
    assert err.reported_tokens == 2048 and err.method == "estimate"
    assert err.sent_tokens == estimate_tokens(msgs("You are a DevOps engineer.", LONG))
    assert f"the server kept 2,048 of ~{err.sent_tokens:,} prompt tokens" in str(err)
    assert "raise its context (Ollama: OLLAMA_CONTEXT_LENGTH or num_ctx)" in str(err)
    assert any(e["event"] == "model.prompt_truncated" for e in logs)


def test_honest_prompt_counts_pass() -> None:
    # FakeOpenAI reports ceil(chars / 4): what a real tokenizer reports for such text, give or take
    with FakeOpenAI(default=Reply.text("fine")) as server:
        out = live(server.base_url, model="llama3.2").complete(
            ChatRequest(model="llama3.2", messages=msgs("You are a DevOps engineer.", LONG))
        )
    assert out.content == "fine"
    counted = estimate_tokens(msgs("You are a DevOps engineer.", LONG))
    assert out.usage.input_tokens >= TRUNCATION_RATIO["estimate"] * counted


def test_a_low_count_within_a_reported_window_is_prompt_caching_not_truncation() -> None:
    """Ollama reports only the tokens it evaluated; with room in its window nothing was dropped."""
    routes: dict[tuple[str, str], Route] = {
        ("POST", "/api/show"): (200, {"parameters": "num_ctx 32768", "model_info": {}}),
    }
    with (
        InfoServer(routes) as info,
        FakeOpenAI(default=Reply.text("ok").with_usage(prompt_tokens=300)) as chat,
    ):
        b = live(chat.base_url, model="llama3.2")
        b._server = live(info.base_url, model="llama3.2").server_info()  # the probe of the real server
        assert b.context_window().tokens == 32768
        out = b.complete(ChatRequest(model="llama3.2", messages=msgs("s", LONG)))
    assert out.content == "ok"


def test_no_usage_reported_is_not_truncation() -> None:
    with FakeOpenAI(default=Reply.text("ok").with_usage(prompt_tokens=0, completion_tokens=0)) as server:
        out = live(server.base_url, model="llama3.2").complete(
            ChatRequest(model="llama3.2", messages=msgs("s", LONG))
        )
    assert out.content == "ok"


# -- counting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4.1-mini", "o200k_base"),
        ("gpt-4o", "o200k_base"),
        ("openai/gpt-4o-mini", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("o3-mini", "o200k_base"),
        ("gpt-5.2-codex", "o200k_base"),
        ("chatgpt-4o-latest", "o200k_base"),
        ("gemma-3-270m", None),
        ("llama3.2:3b", None),
        ("ollama", None),
        ("", None),
    ],
)
def test_tiktoken_is_used_for_openai_model_names_only(model: str, encoding: str | None) -> None:
    assert tiktoken_encoding_name(model) == encoding


def test_openai_message_overhead_with_a_real_tiktoken_encoding() -> None:
    """A byte-level encoding (256 ranks, no merges): one token per UTF-8 byte, so counts are exact."""
    encoding = tiktoken.Encoding(
        name="bytes",
        pat_str=r"[\s\S]+",
        mergeable_ranks={bytes([i]): i for i in range(256)},
        special_tokens={},
    )
    messages = msgs("sys", "héllo <|endoftext|>")
    # per message: 3 + content bytes + role bytes; + 3 for the reply
    expected = 3 + (3 + 3 + 6) + (3 + len("héllo <|endoftext|>".encode()) + 4)
    assert count_with_tiktoken(messages, encoding) == expected


def test_tiktoken_offline_falls_back_to_the_estimate_once_and_fast(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # nothing cached: a download would be needed
    tokens_module.ENCODINGS.forget()
    calls: list[str] = []

    def hanging(name: str) -> Any:
        calls.append(name)
        time.sleep(30)  # a download into a black hole

    monkeypatch.setattr(tiktoken, "get_encoding", hanging)
    monkeypatch.setattr(tokens_module, "TIKTOKEN_LOAD_TIMEOUT_S", 0.3)
    # The module's own logger, recorded directly: structlog's capture_logs depends on the global
    # configuration, which other tests in the same process change.
    logs: list[dict[str, Any]] = []

    class Recorder:
        def info(self, event: str, **kw: Any) -> None:
            logs.append({"event": event, **kw})

        warning = info

    monkeypatch.setattr(tokens_module, "_log", Recorder())
    try:
        started = time.monotonic()
        first = count_tokens(msgs("s", "hello world"), "gpt-4.1-mini")
        second = count_tokens(msgs("s", "hello again"), "gpt-4o")
        elapsed = time.monotonic() - started
    finally:
        tokens_module.ENCODINGS.forget()
    assert first.method == "estimate" and second.method == "estimate"
    assert calls == ["o200k_base"]  # tried once per process, not per call
    assert elapsed < 2.0
    unavailable = [e for e in logs if e["event"] == "tokens.tiktoken_unavailable"]
    assert len(unavailable) == 1 and unavailable[0]["reason"] == "timed out"


def test_tiktoken_offline_without_network_fails_fast_to_the_estimate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """The test suite's socket guard refuses the download as an offline machine would."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})  # encodings tiktoken itself holds loaded
    tokens_module.ENCODINGS.forget()
    try:
        started = time.monotonic()
        result = count_tokens(msgs("s", "hello"), "gpt-4.1-mini")
        elapsed = time.monotonic() - started
    finally:
        tokens_module.ENCODINGS.forget()
    assert result == TokenCount(estimate_tokens(msgs("s", "hello")), "estimate")
    assert elapsed < tokens_module.TIKTOKEN_LOAD_TIMEOUT_S + 1


def test_non_openai_models_are_estimated_without_touching_tiktoken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tiktoken, "get_encoding", lambda name: pytest.fail("tiktoken must not load"))
    assert count_tokens(msgs("s", "hello"), "gemma-3-270m").method == "estimate"


def test_the_estimate_follows_the_pre_tokenizer() -> None:
    assert estimate_text_tokens("") == 0
    assert estimate_text_tokens("hello") == 1
    assert estimate_text_tokens("deployment") == 2  # 10 letters, 5 per token
    assert estimate_text_tokens("1234567") == 3  # digits in threes
    assert estimate_text_tokens("a | b") == 3  # two words, a symbol; single spaces merge
    assert estimate_text_tokens("✅") == 2 and estimate_text_tokens("é") == 1
    assert estimate_text_tokens("x\r\ny") == 4  # a control character counts
    assert estimate_tokens(msgs("a", "b")) == 8 + (8 + 1) + (8 + 1)


def _cached_encodings() -> list[tiktoken.Encoding]:
    found = []
    for name in ("o200k_base", "cl100k_base"):
        path = tokens_module._tiktoken_cache_path(name)
        if path is not None and os.path.exists(path):
            found.append(tiktoken.get_encoding(name))
    return found


@pytest.mark.skipif(
    not _cached_encodings() or not CORPUS.is_dir(),
    reason="needs tiktoken's BPE files in TIKTOKEN_CACHE_DIR (not downloadable here) and shared/corpus/qa",
)
def test_the_estimate_never_under_counts_the_corpus() -> None:
    for encoding in _cached_encodings():
        for path in sorted(CORPUS.glob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            exact = len(encoding.encode(text, disallowed_special=()))
            assert estimate_text_tokens(text) >= 1.1 * exact, (encoding.name, path.name)


def test_counts_are_cached_per_distinct_messages() -> None:
    with InfoServer(llamacpp_routes()) as server:
        b = live(server.base_url)
        for _ in range(3):
            b.count_tokens(msgs("same", "messages"))
        b.count_tokens(msgs("other", "messages"))
        assert server.paths().count("POST /tokenize") == 2


def test_a_llamacpp_server_without_apply_template_counts_each_message() -> None:
    """Servers older than /apply-template: each message tokenized, plus the estimate's overhead."""
    routes = llamacpp_routes()
    del routes[("POST", "/apply-template")]
    with InfoServer(routes) as server:
        counted = live(server.base_url).token_count(msgs("You are terse.", "Two words"))
        asked = server.paths()
    assert counted == TokenCount(3 + 2 + 3 * ESTIMATE_TOKENS_PER_MESSAGE, "server")  # words + overhead
    assert asked == ["GET /props", "POST /apply-template", "POST /tokenize", "POST /tokenize"]


def test_a_llamacpp_server_that_cannot_count_is_asked_once() -> None:
    """Without /tokenize (a proxy passing /props and /v1 only) counting falls back for good."""
    routes = llamacpp_routes()
    del routes[("POST", "/tokenize")]
    with InfoServer(routes) as server:
        b = live(server.base_url)
        first = b.token_count(msgs("one", "message"))
        second = b.token_count(msgs("another", "message"))
        asked = server.paths()
    assert (first.method, second.method) == ("estimate", "estimate")
    assert first.tokens == estimate_tokens(msgs("one", "message"))
    assert asked == ["GET /props", "POST /apply-template", "POST /tokenize"]


@pytest.fixture(autouse=True)
def _quiet_tiktoken() -> Iterator[None]:
    """Each test starts without remembered encodings (an earlier test may have failed to load)."""
    tokens_module.ENCODINGS.forget()
    yield
    tokens_module.ENCODINGS.forget()


# -- against opsrelay.testing.FakeOpenAI's server shapes ---------------------------------------

DOC = "The checkout service runs on Kubernetes with PostgreSQL 15 and Redis; p95 latency 180 ms.\n" * 300


def test_fake_llamacpp_window_counting_and_refusal() -> None:
    with FakeOpenAI(
        default=Reply.text("ok"),
        models=["gemma-3-270m"],
        server_info="llamacpp",
        context_window=4096,
        slots=2,
        error_style="llamacpp",
    ) as server:
        b = live(server.base_url)
        window = b.context_window()
        counted = b.token_count(msgs("You are a DevOps engineer.", DOC))
        with pytest.raises(ContextLengthError) as info:
            b.complete(ChatRequest(model="gemma-3-270m", messages=msgs("You are a DevOps engineer.", DOC)))
    assert (window.tokens, window.source) == (4096, "server")
    assert counted.method == "server"  # the server's /tokenize
    err = info.value
    assert err.context_window == 4096
    assert err.prompt_tokens is not None and counted.tokens >= err.prompt_tokens  # never under the server
    assert counted.tokens == err.prompt_tokens  # /apply-template + /tokenize: the server's own count


def test_fake_vllm_window_and_refusal_numbers() -> None:
    with FakeOpenAI(
        default=Reply.text("ok"),
        models=["Qwen/Qwen2.5-7B-Instruct"],
        server_info="vllm",
        context_window=2048,
        error_style="vllm",
    ) as server:
        b = live(server.base_url, model="Qwen/Qwen2.5-7B-Instruct")
        window = b.context_window()
        with pytest.raises(ContextLengthError) as info:
            b.complete(ChatRequest(model="Qwen/Qwen2.5-7B-Instruct", messages=msgs("s", DOC), max_tokens=100))
    assert (window.tokens, window.source) == (2048, "server")
    assert info.value.context_window == 2048
    assert info.value.prompt_tokens is not None and info.value.prompt_tokens > 2048


def test_fake_ollama_silent_truncation_is_detected() -> None:
    with FakeOpenAI(
        default=Reply.text("## Deployment Overview\nfiller"),
        models=["llama3.2"],
        server_info="ollama",
        truncate_prompt_to=2048,
    ) as server:
        b = live(server.base_url, model="llama3.2")
        window = b.context_window()  # what the run asks first, as the drafter does
        short = b.complete(ChatRequest(model="llama3.2", messages=msgs("s", "a short request")))
        with pytest.raises(PromptTruncatedError) as info:
            b.complete(ChatRequest(model="llama3.2", messages=msgs("You are a DevOps engineer.", DOC)))
    assert (window.tokens, window.source) == (2048, "server")
    assert "OLLAMA_CONTEXT_LENGTH" in window.detail
    assert short.content.startswith("## Deployment Overview")
    assert info.value.reported_tokens <= 2048 < info.value.sent_tokens


@pytest.mark.parametrize(("support", "mode"), [("json_object", "json_object"), ("none", "tools")])
def test_fake_servers_without_json_schema_get_the_fallback(
    support: StructuredOutputSupport, mode: str
) -> None:
    schema = {
        "type": "object",
        "properties": {"gate": {"type": "string"}},
        "required": ["gate"],
        "additionalProperties": False,
    }

    def answer(body: dict[str, Any]) -> Reply:
        if body.get("tools"):
            return Reply.tool_call(body["tools"][0]["function"]["name"], {"gate": "blocked"})
        return Reply.json({"gate": "blocked"})

    with FakeOpenAI(answer, structured_output_support=support) as server:
        b = live(server.base_url, model="gpt-4.1-mini")
        out = b.complete(
            ChatRequest(model="gpt-4.1-mini", messages=msgs("s", "u"), schema_name="Gate", json_schema=schema)
        )
        again = b.complete(
            ChatRequest(model="gpt-4.1-mini", messages=msgs("s", "v"), schema_name="Gate", json_schema=schema)
        )
    assert json.loads(out.content) == {"gate": "blocked"} == json.loads(again.content)
    assert b.structured_mode == mode
    assert out.finish_reason == "stop"


def test_fake_stall_mid_stream_is_a_timeout() -> None:
    stalled = Reply.text("x" * 400).with_stall(3.0, after_tokens=20)
    with (
        FakeOpenAI(replies=[stalled], max_hang_s=5) as server,
        pytest.raises(TransientProviderError) as info,
    ):
        live(server.base_url, model="gpt-4.1-mini", timeout_s=0.5).complete(
            ChatRequest(model="gpt-4.1-mini", messages=msgs("s", "u"))
        )
    assert info.value.kind == "timeout"
    assert "timeout mid-answer" in str(info.value)


def test_a_count_made_before_the_probe_is_not_reused_after_it() -> None:
    """complete() counts without probing; a later count of the same messages uses the server."""
    with InfoServer(llamacpp_routes()) as server:
        b = live(server.base_url)
        early = b.token_count(msgs("same", "messages"), probe=False)
        later = b.token_count(msgs("same", "messages"))
    assert (early.method, later.method) == ("estimate", "server")


def test_only_grammar_servers_get_string_bounds_in_the_schema() -> None:
    """A probed llama.cpp server gets maxLength on free strings; an unprobed or OpenAI server never."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "gate": {"type": "string", "enum": ["open", "blocked"]},
            "reason": {"type": "string"},
            "fixes": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
        },
        "required": ["gate", "reason", "fixes"],
        "additionalProperties": False,
    }
    answer = Reply.json({"gate": "blocked", "reason": "open P1", "fixes": []})
    request = ChatRequest(
        model="gemma-3-270m", messages=msgs("s", "u"), schema_name="Gate", json_schema=schema
    )
    with FakeOpenAI(default=answer, models=["gemma-3-270m"], server_info="llamacpp") as server:
        b = live(server.base_url)
        b.complete(request)  # the server is not known yet: sent as given
        b.context_window()  # what a run asks first: now it is known to be llama.cpp
        b.complete(request)
        before, after = (body["response_format"]["json_schema"]["schema"] for body in server.chat_requests)
    assert before == schema
    props = after["properties"]
    assert props["reason"]["maxLength"] == GRAMMAR_MAX_STRING
    assert props["fixes"]["items"]["maxLength"] == GRAMMAR_MAX_STRING
    assert "maxLength" not in props["gate"]  # an enum is bounded already
    assert schema["properties"]["reason"] == {"type": "string"}  # the caller's schema is not mutated
    with FakeOpenAI(default=answer) as server:
        b = live(server.base_url, model="gpt-4.1-mini")
        b.context_window()
        b.complete(request.model_copy(update={"model": "gpt-4.1-mini"}))
        sent = server.chat_requests[0]["response_format"]["json_schema"]["schema"]
    assert sent == schema


# -- a real llama.cpp server -------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_llama() -> Iterator[str]:
    """A real llama-server (tests/llama_server.py: skips with the reason locally, fails in CI)."""
    from llama_server import llama_server

    with llama_server() as base_url:
        yield base_url


def test_real_llamacpp_window_and_exact_count(real_llama: str) -> None:
    """/props gives the per-slot window; /apply-template + /tokenize count what the server reports."""
    from llama_server import MODEL_ALIAS, PER_SLOT_CONTEXT

    b = OpenAIBackend(MODEL_ALIAS, base_url=real_llama, api_key="local", timeout_s=120)
    window = b.context_window()
    messages = msgs("You are a DevOps engineer.", "List two rollback steps for a Kubernetes deployment.")
    counted = b.token_count(messages)
    out = b.complete(ChatRequest(model=MODEL_ALIAS, messages=messages, max_tokens=4))
    assert (window.tokens, window.source) == (PER_SLOT_CONTEXT, "server")
    assert counted.method == "server"
    # exact up to a BOS the template may already spell out (counted twice: over, never under)
    assert out.usage.input_tokens <= counted.tokens <= out.usage.input_tokens + 1
    assert out.finish_reason == "length" and out.usage.output_tokens == 4
