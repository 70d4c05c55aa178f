"""A local, scripted, OpenAI-compatible chat-completions server for tests.

Use it to exercise real HTTP clients (``ChatOpenAI``, ``openai.OpenAI``, opsrelay's backend)
without a network or a key::

    from opsrelay.testing.fake_openai import FakeOpenAI, Reply

    with FakeOpenAI(replies=[Reply.rate_limited(retry_after=1), Reply.text("hello")]) as server:
        llm = ChatOpenAI(model="gpt-4.1-mini", base_url=server.base_url, api_key="test")
        ...
        assert len(server.requests) == 2
        assert server.requests[0].headers["authorization"] == "Bearer [REDACTED]"

**As strict as the real service.** By default (``contract="openai"``) every chat request is
checked against OpenAI's documented request contract (:mod:`opsrelay.testing.openai_contract`:
request shape, strict JSON schemas, tool names, ``json_object`` needing the word "json"), and a
request OpenAI would refuse gets OpenAI's 400 body instead of an answer, so no test can pass on a
request the real service refuses. ``contract=None`` turns the check off for tests that send odd
requests on purpose.

What a valid request gets, in this order: the next queued reply (``replies=`` or
:meth:`FakeOpenAI.enqueue`), else ``responder(request_json)``, else ``default``, else a 400 saying
nothing was scripted (a 400 so that clients fail fast instead of retrying). A refused request does
not consume a queued reply.

Replies (see :class:`Reply`): text, JSON, tool calls, refusal, truncation (``finish_reason="length"``),
content filter, invalid JSON, HTTP errors (429 with ``Retry-After``, 500/503, 401, 400, 404),
hangs (sleep longer than the client timeout, bounded so that the server always shuts down),
stalls in the middle of a streamed answer (:meth:`Reply.with_stall`), dropped connections and raw
bodies. A responder may also return a plain ``str`` (text) or a ``dict``/``list`` (JSON content).

Simulated, so that tests can assert on cost, time, limits and concurrency:

* **tokens**: the fake's tokenizer cuts text into 4-character pieces (``ceil(chars / 4)``
  tokens, see :func:`fake_tokenize`); pass ``tokenizer=`` (text → token ids, e.g.
  ``tiktoken.get_encoding("o200k_base").encode`` where its data file is cached) to count
  otherwise. The prompt is counted over the messages rendered as ``<|role|>content<|end|>`` (a
  chat template's overhead), not the schema. Every count the fake makes (usage, context checks,
  truncation, ``/tokenize``) uses the same tokenizer;
* **latency** (:class:`Latency`): the first token after ``ttft_s``, then ``tokens_per_s``. A
  streamed answer is sent in chunks spread over that time (not all at the end); a plain answer
  arrives when the last token would have been generated;
* **usage**: ``prompt_tokens``, ``completion_tokens`` and
  ``prompt_tokens_details.cached_tokens`` from a prefix cache that behaves like OpenAI's
  automatic prompt caching: the prompt is cut into 128-token blocks, a block is cached when the
  same model saw the same prefix before, and nothing is reported below 1024 tokens (blocks are
  cut as 512 characters, exact for the default tokenizer, approximate for another). A prompt
  enters the cache when its response is sent, so requests that run at the same time do not
  hit each other's prefix (as with the real service);
* **context window** (``context_window=N``): a request that does not fit is refused with HTTP 400
  in the shape of the server named by ``error_style``: OpenAI (``context_length_exceeded``),
  llama.cpp (``exceed_context_size_error`` with ``n_prompt_tokens``/``n_ctx``) or vLLM;
* **silent truncation** (``truncate_prompt_to=N``): as Ollama's OpenAI-compatible endpoint does,
  the front of a longer prompt is dropped, the (shortened) request is answered normally and
  ``prompt_tokens`` says ``N``; the responder sees the shortened messages;
* **servers without structured outputs** (``structured_output_support``): ``json_schema`` (or
  also ``json_object``) is refused with a 400 naming ``response_format``;
* **server info endpoints** (``server_info=``): llama.cpp's ``GET /props``, ``GET /slots``,
  ``POST /apply-template`` (the messages in the fake's template) and ``POST /tokenize``;
  Ollama's ``POST /api/show`` and ``GET /api/ps``; vLLM's ``max_model_len`` in
  ``GET /v1/models`` and its ``POST /tokenize``. All at the server root (no ``/v1``), as the
  real servers serve them;
* **concurrency**: :attr:`FakeOpenAI.in_flight` and :attr:`FakeOpenAI.peak_in_flight`;
* optionally, **max tokens**: ``enforce_max_tokens=True`` truncates long answers.

Requests are handled on one thread each, so a ``responder`` must be thread-safe.

Streaming (``"stream": true``) is supported with server-sent events, including the final usage
chunk when ``stream_options.include_usage`` is set, because ``ChatOpenAI.invoke`` switches to
streaming on its own when a streaming callback is attached (LangGraph ``stream_mode="messages"``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import socket
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from opsrelay.testing.openai_contract import check_chat_request

__all__ = [
    "CHARS_PER_TOKEN",
    "ErrorStyle",
    "FakeOpenAI",
    "Latency",
    "RecordedRequest",
    "Reply",
    "Responder",
    "ServerInfo",
    "Tokenizer",
    "estimate_tokens",
    "fake_tokenize",
]

CHARS_PER_TOKEN = 4
CACHE_BLOCK_TOKENS = 128
CACHE_MIN_TOKENS = 1024
DEFAULT_SERVER_CONTEXT = 4096
"""The window ``server_info`` endpoints report when neither ``context_window`` nor
``truncate_prompt_to`` is set (Ollama's default ``num_ctx`` in recent versions)."""
_STREAM_CHUNK_CHARS = 16
_MAX_BODY_BYTES = 64 * 1024 * 1024
_SENSITIVE_HEADER_PARTS = ("authorization", "api-key", "apikey", "token", "cookie", "secret")

ReplyKind = Literal["content", "refusal", "tool_call", "error", "disconnect", "raw"]
ErrorStyle = Literal["openai", "llamacpp", "vllm"]
ServerInfo = Literal["llamacpp", "ollama", "vllm"]
StructuredOutputSupport = Literal["json_schema", "json_object", "none"]
Tokenizer = Callable[[str], "list[int]"]
"""Text to token ids; ``len()`` of the result is the token count."""

_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "permission_denied"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


def _reason(status: int) -> str:
    """The standard reason phrase for an HTTP status ('Error' for unknown codes)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def estimate_tokens(text: str) -> int:
    """Count tokens the fake's default way: ``ceil(len(text) / 4)``."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def fake_tokenize(text: str) -> list[int]:
    """The fake's default tokenizer: one token per 4 characters, its id a CRC of those characters.

    Deterministic and stable across runs and machines; ``len(fake_tokenize(t)) ==
    estimate_tokens(t)``.
    """
    return [
        zlib.crc32(text[i : i + CHARS_PER_TOKEN].encode()) % 100_000
        for i in range(0, len(text), CHARS_PER_TOKEN)
    ]


@dataclass(frozen=True)
class Reply:
    """One scripted answer. Build it with the class methods, not the constructor."""

    kind: ReplyKind = "content"
    content: str | None = ""
    finish_reason: str = "stop"
    refusal_text: str | None = None
    status: int = 200
    message: str = ""
    error_code: str | None = None
    """``error.code`` in the error body; None means the usual code for the status."""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay_s: float | None = None
    """Overrides the latency model for this reply (seconds before the response starts)."""
    hang_s: float = 0.0
    usage: Mapping[str, Any] | None = None
    """Overrides the simulated ``usage`` object verbatim."""
    stall_after_tokens: int | None = None
    """In a streamed answer, stop after about this many tokens for ``stall_s`` seconds."""
    stall_s: float = 0.0
    tool_name: str | None = None
    """For ``kind="tool_call"``: the function called; ``content`` holds its JSON arguments."""

    # -- successful answers -------------------------------------------------------------------

    @classmethod
    def text(cls, content: str, *, finish_reason: str = "stop") -> Reply:
        """Answer with a normal assistant message."""
        return cls(kind="content", content=content, finish_reason=finish_reason)

    @classmethod
    def json(cls, obj: Any) -> Reply:
        """Assistant content that is ``obj`` serialised as JSON (for ``json_schema`` requests)."""
        return cls(kind="content", content=json.dumps(obj, ensure_ascii=False))

    @classmethod
    def tool_call(cls, name: str, arguments: Any) -> Reply:
        """Answer with one call of function ``name`` (``arguments``: a JSON string, or serialised).

        ``finish_reason`` is ``"tool_calls"``, except when the request forced this function with
        ``tool_choice``, where OpenAI answers ``"stop"``.
        """
        args = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
        return cls(kind="tool_call", content=args, tool_name=name, finish_reason="tool_calls")

    @classmethod
    def truncated(cls, content: str = '{"partial": "cut off her') -> Reply:
        """Content cut off by the token limit: ``finish_reason="length"``."""
        return cls(kind="content", content=content, finish_reason="length")

    @classmethod
    def invalid_json(cls, content: str = '{"not": valid json,}') -> Reply:
        """Content that does not parse as JSON although the request asked for a schema."""
        return cls(kind="content", content=content)

    @classmethod
    def refusal(cls, text: str = "I'm sorry, I can't help with that.") -> Reply:
        """Refuse (structured-output style): ``content`` null, ``message.refusal`` set."""
        return cls(kind="refusal", content=None, refusal_text=text)

    @classmethod
    def content_filter(cls, content: str = "") -> Reply:
        """Answer stopped by the provider's content filter (``finish_reason="content_filter"``)."""
        return cls(kind="content", content=content, finish_reason="content_filter")

    # -- faults -------------------------------------------------------------------------------

    @classmethod
    def error(
        cls,
        status: int,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
    ) -> Reply:
        """Fail with an HTTP error and an OpenAI-style JSON error body (``Retry-After`` if given)."""
        hdrs = dict(headers or {})
        if retry_after is not None:
            hdrs["Retry-After"] = _fmt_seconds(retry_after)
        return cls(
            kind="error",
            status=status,
            message=message or f"fake_openai: {status} {_reason(status)}",
            headers=hdrs,
            error_code=code,
        )

    @classmethod
    def quota_exceeded(cls) -> Reply:
        """429 ``insufficient_quota``: billing, not load; retrying does not help."""
        return cls.error(
            429,
            "You exceeded your current quota, please check your plan and billing details (fake_openai).",
            code="insufficient_quota",
        )

    @classmethod
    def rate_limited(cls, retry_after: float | None = 1.0, message: str | None = None) -> Reply:
        """429 Too Many Requests, with ``Retry-After: <seconds>`` unless ``retry_after`` is None."""
        return cls.error(429, message or "Rate limit reached (fake_openai).", retry_after=retry_after)

    @classmethod
    def server_error(cls, status: int = 500, message: str | None = None) -> Reply:
        """Fail with a 5xx (500 by default; 502/503/504 also useful)."""
        return cls.error(status, message)

    @classmethod
    def unavailable(cls, retry_after: float | None = None) -> Reply:
        """503 Service Unavailable."""
        return cls.error(503, "The server is overloaded (fake_openai).", retry_after=retry_after)

    @classmethod
    def unauthorized(cls, message: str = "Incorrect API key provided (fake_openai).") -> Reply:
        """401 Unauthorized."""
        return cls.error(401, message)

    @classmethod
    def bad_request(cls, message: str = "Invalid request (fake_openai).") -> Reply:
        """400 Bad Request."""
        return cls.error(400, message)

    @classmethod
    def not_found(cls, message: str = "The model does not exist (fake_openai).") -> Reply:
        """404 Not Found."""
        return cls.error(404, message)

    @classmethod
    def hang(cls, seconds: float = 5.0, then: Reply | None = None) -> Reply:
        """Sleep ``seconds`` (capped by the server's ``max_hang_s``) before answering ``then``.

        Make ``seconds`` longer than the client's timeout to provoke a timeout.
        """
        after = then or cls.text("late answer")
        return replace(after, hang_s=seconds)

    @classmethod
    def disconnect(cls) -> Reply:
        """Close the connection without sending a response (a connection error for the client)."""
        return cls(kind="disconnect", content=None)

    @classmethod
    def raw(cls, status: int, body: bytes | str, content_type: str = "text/plain") -> Reply:
        """Send exactly this body (e.g. an HTML error page from a misconfigured gateway)."""
        data = body.encode() if isinstance(body, str) else body
        return cls(kind="raw", status=status, body=data, headers={"Content-Type": content_type})

    def with_delay(self, seconds: float) -> Reply:
        """Return the same reply, sent after ``seconds`` instead of the latency model's delay."""
        return replace(self, delay_s=seconds)

    def with_usage(self, **usage: Any) -> Reply:
        """Return the same reply with this ``usage`` object instead of the simulated one."""
        return replace(self, usage=usage)

    def with_stall(self, seconds: float, *, after_tokens: int = 0) -> Reply:
        """Return the same reply, pausing ``seconds`` after ``after_tokens`` tokens.

        Streamed, the connection stays open and silent for ``seconds`` in the middle of the
        answer (what a client's gap timeout must catch); not streamed, the answer arrives that
        much later. Bounded by the server's ``max_hang_s`` like every sleep.
        """
        return replace(self, stall_after_tokens=after_tokens, stall_s=seconds)


ResponderResult = Reply | str | dict[str, Any] | list[Any]
Responder = Callable[[dict[str, Any]], ResponderResult]
"""A function from the request JSON to a reply; ``str`` is text, ``dict``/``list`` is JSON."""


@dataclass(frozen=True)
class Latency:
    """Simulated generation time: ``ttft_s + output_tokens / tokens_per_s`` (None: instant).

    ``Latency(ttft_s=2, tokens_per_s=20)`` is a server that starts answering after 2 s and then
    writes 20 tokens a second: streamed, the chunks arrive spread over that time.
    """

    ttft_s: float = 0.0
    tokens_per_s: float | None = None

    def seconds(self, output_tokens: int) -> float:
        """How long an answer of ``output_tokens`` takes in total."""
        extra = output_tokens / self.tokens_per_s if self.tokens_per_s else 0.0
        return self.ttft_s + extra


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it. Credential headers are ``[REDACTED]``."""

    method: str
    path: str
    headers: dict[str, str]
    """Lower-cased header names."""
    body: dict[str, Any] | None
    """Parsed JSON body (None for GET or unparsable bodies)."""
    received_at: float
    """``time.monotonic()`` when the request arrived."""


def _fmt_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if any(part in key for part in _SENSITIVE_HEADER_PARTS):
            scheme = value.split(" ", 1)[0] if " " in value else ""
            out[key] = f"{scheme} [REDACTED]".strip()
        else:
            out[key] = value
    return out


def _tool_call(completion_id: str, reply: Reply) -> dict[str, Any]:
    """The ``tool_calls`` entry of a tool-call reply."""
    return {
        "id": "call_" + completion_id.removeprefix("chatcmpl-"),
        "type": "function",
        "function": {"name": reply.tool_name or "", "arguments": reply.content or ""},
    }


def _is_chat_path(path: str) -> bool:
    """True for the chat-completions route (with or without ``/v1``)."""
    return path.split("?", 1)[0].rstrip("/") in ("/v1/chat/completions", "/chat/completions")


def _content_text(content: Any) -> str:
    """A message's content as one string (content parts joined)."""
    if isinstance(content, list):  # content blocks
        return "".join(
            str(block.get("text", "")) if isinstance(block, Mapping) else str(block) for block in content
        )
    return str(content or "")


def _render(role: str, text: str) -> str:
    """One message as the fake's chat template renders it (what the prompt tokens count)."""
    return f"<|{role}|>{text}<|end|>"


def _prompt_text(body: Mapping[str, Any]) -> str:
    """Join the prompt into one string in message order (what a prefix cache sees)."""
    parts: list[str] = []
    for msg in body.get("messages") or []:
        if not isinstance(msg, Mapping):
            continue
        parts.append(_render(str(msg.get("role", "")), _content_text(msg.get("content"))))
    return "".join(parts)


class _PrefixCache:
    """Block-hash prefix cache: the prompt is cut into 128-token blocks, each hashed with its prefix."""

    def __init__(self) -> None:
        self._blocks: set[bytes] = set()
        self._lock = threading.Lock()

    @staticmethod
    def _chain(model: str, prompt: str) -> list[bytes]:
        size = CACHE_BLOCK_TOKENS * CHARS_PER_TOKEN
        digest = hashlib.blake2b(model.encode(), digest_size=16).digest()
        chain: list[bytes] = []
        for start in range(0, len(prompt) - size + 1, size):
            digest = hashlib.blake2b(digest + prompt[start : start + size].encode(), digest_size=16).digest()
            chain.append(digest)
        return chain

    def lookup(self, model: str, prompt: str) -> int:
        """Count cached prompt tokens for this prompt (a multiple of 128; 0 below 1024)."""
        hits = 0
        with self._lock:
            for digest in self._chain(model, prompt):
                if digest not in self._blocks:
                    break
                hits += 1
        cached = hits * CACHE_BLOCK_TOKENS
        return cached if cached >= CACHE_MIN_TOKENS else 0

    def store(self, model: str, prompt: str) -> None:
        """Remember every full block of this prompt."""
        chain = self._chain(model, prompt)
        with self._lock:
            self._blocks.update(chain)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._blocks.clear()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    def setup(self) -> None:
        """Track the connection so that :meth:`FakeOpenAI.stop` can cut keep-alive clients off."""
        super().setup()
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle + delayed ACK
        # add ~40 ms to every response on loopback.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.fake._connections_opened(self.connection)

    def finish(self) -> None:
        """Forget the connection."""
        try:
            super().finish()
        finally:
            self.server.fake._connections_closed(self.connection)

    # -- plumbing ----------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY_BYTES:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, payload: bytes, headers: Mapping[str, str]) -> None:
        self.send_response(status, _reason(status))
        merged = {"Content-Type": "application/json", **headers}
        for name, value in merged.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def _send_json(self, status: int, obj: Any, headers: Mapping[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), headers or {})

    def _send_error(
        self, status: int, message: str, headers: Mapping[str, str] | None = None, code: str | None = None
    ) -> None:
        etype, default_code = _ERROR_TYPES.get(
            status, ("server_error" if status >= 500 else "invalid_request_error", None)
        )
        code = code or default_code
        body = {"error": {"message": message, "type": etype, "param": None, "code": code}}
        self._send_json(status, body, headers)

    # -- routes ------------------------------------------------------------------------------

    def do_GET(self) -> None:
        """``GET /v1/models`` (and ``/models``), plus the ``server_info`` endpoints."""
        fake = self.server.fake
        fake._record(self, None)
        path = self.path.split("?", 1)[0].rstrip("/")
        if path in ("/v1/models", "/models"):
            self._send_json(200, fake._models_list())
        elif fake.server_info == "llamacpp" and path == "/props":
            self._send_json(200, fake._llamacpp_props())
        elif fake.server_info == "llamacpp" and path == "/slots":
            self._send_json(200, fake._llamacpp_slots())
        elif fake.server_info == "llamacpp" and path == "/health":
            self._send_json(200, {"status": "ok"})
        elif fake.server_info == "ollama" and path == "/api/ps":
            self._send_json(200, fake._ollama_ps())
        else:
            self._send_error(404, f"fake_openai: no route GET {self.path}")

    def do_POST(self) -> None:
        """``POST /v1/chat/completions`` (and ``/chat/completions``), plus ``server_info`` routes."""
        fake = self.server.fake
        chat = _is_chat_path(self.path)
        if chat:  # in_flight counts chat requests only, not /tokenize or /api/show probes
            fake._enter()
        try:
            self._post(fake)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. timeout)
            self.close_connection = True
        finally:
            if chat:
                fake._leave()

    def _post(self, fake: FakeOpenAI) -> None:
        try:
            raw = self._read_body()
            body = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError):
            fake._record(self, None)
            self._send_error(400, "fake_openai: request body is not valid JSON")
            return
        fake._record(self, body if isinstance(body, dict) else None)
        if not _is_chat_path(self.path):
            self._info_post(fake, self.path.split("?", 1)[0].rstrip("/"), body)
            return
        if fake.contract == "openai":
            refusal = check_chat_request(body)
            if refusal is not None:
                self._send_json(400, refusal)
                return
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body.get("model"):
            self._send_error(400, "fake_openai: body needs 'model' and a 'messages' list")
            return
        unsupported = fake._structured_output_refusal(body)
        if unsupported is not None:
            self._send_json(400, unsupported)
            return
        body, prompt_tokens = fake._fit_prompt(body)
        too_long = fake._context_refusal(body, prompt_tokens)
        if too_long is not None:
            self._send_json(400, too_long)
            return

        reply = fake._next_reply(body)
        if reply.hang_s > 0 and fake._wait(min(reply.hang_s, fake.max_hang_s)):
            return  # server is stopping
        if reply.kind == "disconnect":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if reply.kind == "raw":
            self._send(reply.status, reply.body, reply.headers)
            return
        if reply.kind == "error":
            if reply.delay_s and fake._wait(reply.delay_s):
                return
            self._send_error(reply.status, reply.message, reply.headers, reply.error_code)
            return
        self._answer(fake, body, reply, prompt_tokens)

    def _info_post(self, fake: FakeOpenAI, path: str, body: Any) -> None:
        """The POST routes of ``server_info``: llama.cpp's, vLLM's ``/tokenize``, Ollama's ``/api/show``."""
        if fake.server_info == "llamacpp" and path == "/apply-template":
            # llama.cpp renders the messages with the model's chat template: here, the fake's.
            messages = body.get("messages") if isinstance(body, dict) else None
            if not isinstance(messages, list):
                self._send_error(400, "fake_openai: /apply-template needs a 'messages' list")
                return
            self._send_json(200, {"prompt": _prompt_text({"messages": messages})})
            return
        if fake.server_info == "llamacpp" and path == "/tokenize":
            content = body.get("content") if isinstance(body, dict) else None
            if not isinstance(content, str):
                # llama.cpp answers an absent "content" with an empty token list.
                self._send_json(200, {"tokens": []})
                return
            tokens = fake.tokenize(content)
            if isinstance(body, dict) and body.get("with_pieces"):
                pieces = _pieces(content, len(tokens))
                pairs = zip(tokens, pieces, strict=True)
                self._send_json(200, {"tokens": [{"id": t, "piece": p} for t, p in pairs]})
            else:
                self._send_json(200, {"tokens": tokens})
            return
        if fake.server_info == "vllm" and path == "/tokenize":
            # vLLM's TokenizeRequest: a completion "prompt" or chat "messages" (counted as this
            # fake renders them); TokenizeResponse: count, max_model_len, tokens.
            if isinstance(body, dict) and isinstance(body.get("messages"), list):
                text = _prompt_text(body)
            else:
                text = str(body.get("prompt", "")) if isinstance(body, dict) else ""
            tokens = fake.tokenize(text)
            self._send_json(
                200,
                {
                    "count": len(tokens),
                    "max_model_len": fake.server_context,
                    "tokens": tokens,
                    "token_strs": None,
                },
            )
            return
        if fake.server_info == "ollama" and path == "/api/show":
            name = (body.get("model") or body.get("name")) if isinstance(body, dict) else None
            if name not in fake.models:
                # Ollama's shape: a bare string under "error", status 404.
                self._send_json(404, {"error": f"model '{name}' not found"})
                return
            self._send_json(200, fake._ollama_show(str(name)))
            return
        self._send_error(404, f"fake_openai: no route POST {self.path}")

    def _answer(self, fake: FakeOpenAI, body: dict[str, Any], reply: Reply, prompt_tokens: int) -> None:
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if (
            fake.enforce_max_tokens
            and isinstance(limit, int)
            and reply.kind == "content"
            and reply.content is not None
            and fake.count_tokens(reply.content) > limit
        ):
            reply = replace(reply, content=fake._head(reply.content, limit), finish_reason="length")
        room = fake._generation_room(prompt_tokens)
        if (
            room is not None
            and reply.kind == "content"
            and reply.content is not None
            and fake.count_tokens(reply.content) > room
        ):
            # llama.cpp stops generating when the slot's context is full (see _generation_room).
            reply = replace(reply, content=fake._head(reply.content, room), finish_reason="length")
        model = str(body["model"])
        prompt = _prompt_text(body)
        cached = min(fake._cache.lookup(model, prompt), prompt_tokens)
        out_text = reply.content if reply.content is not None else (reply.refusal_text or "")
        completion_tokens = fake.count_tokens(out_text)
        usage: dict[str, Any] = (
            dict(reply.usage)
            if reply.usage is not None
            else {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
            }
        )
        delay = reply.delay_s if reply.delay_s is not None else fake.latency.seconds(completion_tokens)
        completion_id = fake._completion_id()
        message: dict[str, Any] = {
            "role": "assistant",
            "content": reply.content,
            "refusal": reply.refusal_text,
        }
        if reply.kind == "tool_call":
            forced = body.get("tool_choice")
            if (
                isinstance(forced, Mapping)
                and forced.get("type") == "function"
                and reply.finish_reason == "tool_calls"
            ):
                reply = replace(reply, finish_reason="stop")
            message["content"] = None
            message["tool_calls"] = [_tool_call(completion_id, reply)]
        if body.get("stream"):
            self._stream(
                fake, body, reply, model=model, completion_id=completion_id, usage=usage, delay=delay
            )
        else:
            if delay + reply.stall_s > 0 and fake._wait(delay + reply.stall_s):
                return
            fake._cache.store(model, prompt)
            self._send_json(
                200,
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": message,
                            "finish_reason": reply.finish_reason,
                            "logprobs": None,
                        }
                    ],
                    "usage": usage,
                    "system_fingerprint": "fp_fake",
                },
                {"x-request-id": completion_id},
            )
            return
        fake._cache.store(model, prompt)

    def _stream(
        self,
        fake: FakeOpenAI,
        body: dict[str, Any],
        reply: Reply,
        *,
        model: str,
        completion_id: str,
        usage: dict[str, Any],
        delay: float,
    ) -> None:
        """Server-sent events, as the chat-completions streaming API sends them.

        The headers and the role chunk go out after the time to first token; then the text in
        16-character chunks (4 fake tokens), each after its share of the generation time, so a
        client sees the answer arrive at the simulated tokens per second.
        """
        ttft = min(fake.latency.ttft_s, delay)
        if ttft > 0 and fake._wait(ttft):
            return
        self.close_connection = True
        self.send_response(200, "OK")
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.send_header("x-request-id", completion_id)
        self.end_headers()
        base = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
        }

        def event(choices: list[dict[str, Any]], **extra: Any) -> None:
            chunk = {**base, "choices": choices, **extra}
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            self.wfile.flush()

        event([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        text = (reply.refusal_text if reply.kind == "refusal" else reply.content) or ""

        def delta(piece: str) -> dict[str, Any]:
            if reply.kind == "tool_call":
                return {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
            return {"refusal" if reply.kind == "refusal" else "content": piece}

        if reply.kind == "tool_call":  # the call's id and name come first, arguments follow
            call = _tool_call(completion_id, reply)
            call["function"]["arguments"] = ""
            event([{"index": 0, "delta": {"tool_calls": [{"index": 0, **call}]}, "finish_reason": None}])
        pieces = [text[i : i + _STREAM_CHUNK_CHARS] for i in range(0, len(text), _STREAM_CHUNK_CHARS)]
        per_piece = (delay - ttft) / len(pieces) if pieces and delay > ttft else 0.0
        stall_at = (
            reply.stall_after_tokens * CHARS_PER_TOKEN
            if reply.stall_after_tokens is not None and reply.stall_s > 0
            else None
        )
        sent = 0
        started = time.monotonic()
        for n, piece in enumerate(pieces, start=1):
            if stall_at is not None and sent >= stall_at:
                stall_at = None
                paused = time.monotonic()
                if fake._wait(reply.stall_s):
                    return
                started += time.monotonic() - paused
            # Pace against the clock, not by sleeping a fixed share per chunk: sleeps overshoot,
            # and thousands of chunks would otherwise drift far behind the simulated rate.
            due = started + n * per_piece - time.monotonic()
            if due > 0 and fake._wait(due):
                return
            event([{"index": 0, "delta": delta(piece), "finish_reason": None}])
            sent += len(piece)
        if stall_at is not None and fake._wait(reply.stall_s):  # a stall after the last token
            return
        event([{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}])
        options = body.get("stream_options") or {}
        if isinstance(options, Mapping) and options.get("include_usage"):
            event([], usage=usage)
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def _pieces(text: str, count: int) -> list[str]:
    """The text of each of ``count`` tokens (for ``/tokenize`` with ``with_pieces``).

    Exact for the fake's own 4-character tokens; with another tokenizer an approximation (the
    text cut into ``count`` parts), since a plain ``str -> ids`` tokenizer cannot say more.
    """
    if count == estimate_tokens(text):
        return [text[i : i + CHARS_PER_TOKEN] for i in range(0, len(text), CHARS_PER_TOKEN)]
    size = max(1, math.ceil(len(text) / max(1, count)))
    return [text[i * size : (i + 1) * size] for i in range(count)]


class FakeOpenAI:
    """A scripted OpenAI-compatible server on ``127.0.0.1`` (context manager; port 0 → free port).

    Args:
        responder: called with the request JSON when no queued reply is left.
        replies: replies served first, in order, one per chat-completions request.
        default: reply for requests that neither the queue nor ``responder`` answer.
        latency: simulated generation time for successful replies.
        models: names listed by ``GET /v1/models``.
        max_hang_s: upper bound on any sleep, so that :meth:`stop` never waits long.
        enforce_max_tokens: cut text answers longer than the request's ``max_completion_tokens``
            (or ``max_tokens``) to that many tokens, with ``finish_reason="length"``, as a real
            server does.
        port: 0 for a free port.
        contract: ``"openai"`` refuses, with OpenAI's 400 body, every chat request that breaks
            OpenAI's documented contract (:mod:`opsrelay.testing.openai_contract`); ``None``
            accepts anything with a model and a messages list.
        context_window: the most tokens a request may use (prompt plus requested output, as the
            server named by ``error_style`` counts them); None for no limit.
        error_style: whose 400 a request over ``context_window`` gets: ``"openai"``
            (``context_length_exceeded``), ``"llamacpp"`` (``exceed_context_size_error``; like
            llama-server it refuses a prompt that fills the window and cuts the answer where the
            window is full) or ``"vllm"``.
        truncate_prompt_to: silently keep only the last this-many prompt tokens (Ollama), answer,
            and report that many ``prompt_tokens``; None for no truncation.
        structured_output_support: ``"json_schema"`` (everything), ``"json_object"`` (refuse
            ``json_schema`` response formats) or ``"none"`` (refuse both), each with a 400 whose
            message names ``response_format``.
        server_info: which server's discovery endpoints to serve: ``"llamacpp"`` (``/props``,
            ``/slots``, ``/tokenize``, ``/health``), ``"ollama"`` (``/api/show``, ``/api/ps``),
            ``"vllm"`` (``max_model_len`` in ``/v1/models``, ``/tokenize``) or None.
        tokenizer: text → token ids, for every count the fake makes; None for :func:`fake_tokenize`.
        slots: llama.cpp's parallel slots (``total_slots`` in ``/props``); ``context_window`` is
            the context of one slot.
        trained_context: the model's training context, reported as llama.cpp's ``n_ctx_train``
            and Ollama's ``<arch>.context_length`` (a model property, not the server's window).

    """

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        replies: Iterable[ResponderResult] = (),
        default: ResponderResult | None = None,
        latency: Latency | None = None,
        models: Iterable[str] = ("gpt-4.1-mini",),
        max_hang_s: float = 30.0,
        enforce_max_tokens: bool = False,
        port: int = 0,
        contract: Literal["openai"] | None = "openai",
        context_window: int | None = None,
        error_style: ErrorStyle = "openai",
        truncate_prompt_to: int | None = None,
        structured_output_support: StructuredOutputSupport = "json_schema",
        server_info: ServerInfo | None = None,
        tokenizer: Tokenizer | None = None,
        slots: int = 1,
        trained_context: int = 32768,
    ) -> None:
        for name, value in (("context_window", context_window), ("truncate_prompt_to", truncate_prompt_to)):
            if value is not None and value < 1:
                raise ValueError(f"{name} must be a positive number of tokens, not {value}")
        self.responder = responder
        self.default = default
        self.latency = latency or Latency()
        self.models = list(models)
        self.max_hang_s = max_hang_s
        self.enforce_max_tokens = enforce_max_tokens
        self.contract = contract
        self.context_window = context_window
        self.error_style: ErrorStyle = error_style
        self.truncate_prompt_to = truncate_prompt_to
        self.structured_output_support: StructuredOutputSupport = structured_output_support
        self.server_info: ServerInfo | None = server_info
        self.tokenizer: Tokenizer = tokenizer or fake_tokenize
        self.slots = slots
        self.trained_context = trained_context
        self._port = port
        self._queue: deque[ResponderResult] = deque(replies)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._requests: list[RecordedRequest] = []
        self._in_flight = 0
        self._peak = 0
        self._counter = 0
        self._cache = _PrefixCache()
        self._server: _Server | None = None
        self._connections: set[socket.socket] = set()
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        """Bind and serve in a background thread. Returns ``self``."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", self._port), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake sleeping handlers, and free the port."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        with self._lock:  # keep-alive connections would otherwise still be answered
            connections, self._connections = list(self._connections), set()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not running; use it as a context manager or call start()")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``: pass it as ``base_url`` to OpenAI clients."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting ----------------------------------------------------------------------------

    def enqueue(self, *replies: ResponderResult) -> None:
        """Append replies to the queue (served before ``responder``)."""
        with self._lock:
            self._queue.extend(replies)

    @property
    def pending(self) -> int:
        """Queued replies not served yet."""
        with self._lock:
            return len(self._queue)

    def reset(self) -> None:
        """Forget recorded requests, queued replies, the prefix cache and the peak counter."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()
            self._peak = self._in_flight
        self._cache.clear()

    # -- observations -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (a copy), in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of the chat-completions requests, in arrival order.

        Other POSTs (``/tokenize``, ``/api/show``) are in :attr:`requests` only.
        """
        return [
            r.body
            for r in self.requests
            if r.method == "POST" and r.body is not None and _is_chat_path(r.path)
        ]

    @property
    def in_flight(self) -> int:
        """Chat requests being handled right now."""
        with self._lock:
            return self._in_flight

    @property
    def peak_in_flight(self) -> int:
        """Most chat requests handled at the same time since start (or :meth:`reset`)."""
        with self._lock:
            return self._peak

    # -- tokens -------------------------------------------------------------------------------

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` as this server counts them (what ``/tokenize`` answers)."""
        return list(self.tokenizer(text))

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is for this server."""
        if self.tokenizer is fake_tokenize:
            return estimate_tokens(text)  # same number, without building the id list
        return len(self.tokenizer(text))

    def prompt_tokens(self, body: Mapping[str, Any]) -> int:
        """Prompt tokens of a chat request: its messages rendered as ``<|role|>content<|end|>``."""
        return max(1, self.count_tokens(_prompt_text(body)))

    @property
    def server_context(self) -> int:
        """The window the ``server_info`` endpoints report (see :data:`DEFAULT_SERVER_CONTEXT`)."""
        return self.context_window or self.truncate_prompt_to or DEFAULT_SERVER_CONTEXT

    def _head(self, text: str, tokens: int) -> str:
        """The longest start of ``text`` that is at most ``tokens`` tokens."""
        if self.tokenizer is fake_tokenize:
            return text[: max(0, tokens) * CHARS_PER_TOKEN]
        lo, hi = 0, len(text)
        while lo < hi:  # counts grow with length, so bisect on the cut
            mid = (lo + hi + 1) // 2
            if self.count_tokens(text[:mid]) <= tokens:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo]

    def _tail(self, text: str, tokens: int) -> str:
        """The longest end of ``text`` that is at most ``tokens`` tokens."""
        if tokens <= 0:
            return ""
        if self.tokenizer is fake_tokenize:
            return text[-tokens * CHARS_PER_TOKEN :]
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.count_tokens(text[len(text) - mid :]) <= tokens:
                lo = mid
            else:
                hi = mid - 1
        return text[len(text) - lo :]

    # -- limits -------------------------------------------------------------------------------

    def _fit_prompt(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Apply ``truncate_prompt_to``: the request as the model sees it, and its prompt tokens.

        Like Ollama, whole messages are dropped from the front and the first one kept loses its
        beginning, so the system prompt is the first thing to vanish. The reported prompt tokens
        are then exactly ``truncate_prompt_to``, as an Ollama server reports its ``num_ctx``.
        """
        tokens = self.prompt_tokens(body)
        limit = self.truncate_prompt_to
        if limit is None or tokens <= limit:
            return body, tokens
        kept: list[dict[str, Any]] = []
        room = limit
        for msg in reversed(body["messages"]):
            if not isinstance(msg, Mapping):
                continue
            role = str(msg.get("role", ""))
            text = _content_text(msg.get("content"))
            size = self.count_tokens(_render(role, text))
            if size <= room:
                kept.append(dict(msg))
                room -= size
                continue
            overhead = self.count_tokens(_render(role, ""))
            if room > overhead:
                kept.append({**msg, "content": self._tail(text, room - overhead)})
            break
        return {**body, "messages": kept[::-1]}, limit

    def _context_refusal(self, body: Mapping[str, Any], prompt_tokens: int) -> dict[str, Any] | None:
        """The 400 body for a request that does not fit ``context_window``, in ``error_style``."""
        window = self.context_window
        if window is None:
            return None
        asked = body.get("max_completion_tokens") or body.get("max_tokens")
        output = asked if isinstance(asked, int) and not isinstance(asked, bool) else None
        if self.error_style == "llamacpp":
            # tools/server/server-context.cpp: `if (slot.task->n_tokens() >= slot.n_ctx)` →
            # send_error("request (%d tokens) exceeds the available context size (%d tokens), try
            # increasing it", ERROR_TYPE_EXCEED_CONTEXT_SIZE); format_error_response gives
            # {"code": 400, "message", "type": "exceed_context_size_error"} and the result adds
            # n_prompt_tokens and n_ctx. The requested max_tokens is not part of the check.
            if prompt_tokens < window:
                return None
            return {
                "error": {
                    "code": 400,
                    "message": f"request ({prompt_tokens} tokens) exceeds the available context size "
                    f"({window} tokens), try increasing it",
                    "type": "exceed_context_size_error",
                    "n_prompt_tokens": prompt_tokens,
                    "n_ctx": window,
                }
            }
        if self.error_style == "vllm":
            # vLLM checks prompt + requested output (at least 1) against max_model_len and
            # answers with its VLLMValidationError text, quoted verbatim by several clients:
            # "This model's maximum context length is N tokens. However, you requested X output
            # tokens and your prompt contains at least P input tokens, for a total of at least T
            # tokens. Please reduce the length of the input prompt or the number of requested
            # output tokens. (parameter=input_tokens, value=P)", type "BadRequestError", code 400.
            wanted = max(1, output or 1)
            if prompt_tokens + wanted <= window:
                return None
            return {
                "error": {
                    "message": f"This model's maximum context length is {window} tokens. However, you "
                    f"requested {wanted} output tokens and your prompt contains at least {prompt_tokens} "
                    f"input tokens, for a total of at least {prompt_tokens + wanted} tokens. Please reduce "
                    "the length of the input prompt or the number of requested output tokens. "
                    f"(parameter=input_tokens, value={prompt_tokens})",
                    "type": "BadRequestError",
                    "param": "input_tokens",
                    "code": 400,
                }
            }
        # OpenAI: code "context_length_exceeded", param "messages"; the messages alone ("your
        # messages resulted in M tokens") or with the requested completion ("you requested T
        # tokens (P in the messages, C in the completion)").
        if prompt_tokens > window:
            message = (
                f"This model's maximum context length is {window} tokens. However, your messages "
                f"resulted in {prompt_tokens} tokens. Please reduce the length of the messages."
            )
        elif output is not None and prompt_tokens + output > window:
            message = (
                f"This model's maximum context length is {window} tokens. However, you requested "
                f"{prompt_tokens + output} tokens ({prompt_tokens} in the messages, {output} in the "
                "completion). Please reduce the length of the messages or completion."
            )
        else:
            return None
        return {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
            }
        }

    def _generation_room(self, prompt_tokens: int) -> int | None:
        """Tokens left for the answer when the server stops at a full window (llama.cpp).

        server-context.cpp, without context shift (the default): ``if (slot.prompt.n_tokens() + 1
        >= slot.n_ctx)`` → ``STOP_TYPE_LIMIT``, "stopped due to running out of context capacity",
        finish_reason "length".
        """
        if self.context_window is None or self.error_style != "llamacpp":
            return None
        return max(0, self.context_window - prompt_tokens - 1)

    def _structured_output_refusal(self, body: Mapping[str, Any]) -> dict[str, Any] | None:
        """The 400 of a server that does not know this ``response_format`` type."""
        fmt = body.get("response_format")
        kind = fmt.get("type") if isinstance(fmt, Mapping) else None
        refused = {"json_schema": (), "json_object": ("json_schema",), "none": ("json_schema", "json_object")}
        if kind not in refused[self.structured_output_support]:
            return None
        # OpenAI's wording for a model without the feature: "Invalid parameter: 'response_format'
        # of type 'json_object' is not supported with this model." (param "response_format").
        return {
            "error": {
                "message": f"Invalid parameter: 'response_format' of type '{kind}' is not supported "
                "with this model.",
                "type": "invalid_request_error",
                "param": "response_format",
                "code": None,
            }
        }

    # -- server info --------------------------------------------------------------------------

    def _models_list(self) -> dict[str, Any]:
        data: list[dict[str, Any]] = []
        for name in self.models:
            entry: dict[str, Any] = {"id": name, "object": "model", "created": 0, "owned_by": "fake-openai"}
            if self.server_info == "vllm":
                # vLLM's ModelCard: owned_by "vllm", root, parent, max_model_len, permission.
                entry.update(owned_by="vllm", root=name, parent=None, max_model_len=self.server_context)
                entry["permission"] = []
            elif self.server_info == "llamacpp":
                entry.update(owned_by="llamacpp")
                entry["meta"] = {"n_ctx": self.server_context, "n_ctx_train": self.trained_context}
            elif self.server_info == "ollama":
                entry.update(owned_by="library")
            data.append(entry)
        return {"object": "list", "data": data}

    def _llamacpp_props(self) -> dict[str, Any]:
        # get_res_props in tools/server/server-context.cpp (the subset clients read).
        return {
            "default_generation_settings": {"n_ctx": self.server_context, "params": {"n_predict": -1}},
            "total_slots": self.slots,
            "model_alias": self.models[0] if self.models else "",
            "model_path": f"/models/{self.models[0] if self.models else 'model'}.gguf",
            "modalities": {"vision": False, "video": False, "audio": False},
            "endpoint_slots": True,
            "endpoint_props": False,
            "endpoint_metrics": False,
            "chat_template": "",
            "build_info": "fake_openai",
            "is_sleeping": False,
        }

    def _llamacpp_slots(self) -> list[dict[str, Any]]:
        busy = self.in_flight
        return [
            {"id": i, "n_ctx": self.server_context, "is_processing": i < busy, "speculative": False}
            for i in range(self.slots)
        ]

    def _ollama_show(self, name: str) -> dict[str, Any]:
        # Ollama's ShowResponse: model_info holds the model's trained context under
        # "<architecture>.context_length"; "parameters" is the Modelfile's text, where num_ctx
        # appears only when it was set.
        arch = "llama"
        params = 'stop "<|end|>"'
        if self.context_window or self.truncate_prompt_to:
            params = f"num_ctx {self.server_context}\n{params}"
        return {
            "modelfile": f"FROM {name}\nPARAMETER {params.splitlines()[0]}\n",
            "parameters": params,
            "template": "{{ .Prompt }}",
            "details": {
                "parent_model": "",
                "format": "gguf",
                "family": arch,
                "families": [arch],
                "parameter_size": "1B",
                "quantization_level": "Q4_K_M",
            },
            "model_info": {
                "general.architecture": arch,
                "general.parameter_count": 1_000_000_000,
                f"{arch}.context_length": self.trained_context,
            },
            "capabilities": ["completion"],
            "modified_at": "2026-01-01T00:00:00Z",
        }

    def _ollama_ps(self) -> dict[str, Any]:
        # /api/ps lists loaded models; "context_length" is the window they were loaded with.
        return {
            "models": [
                {
                    "name": name,
                    "model": name,
                    "size": 1_000_000_000,
                    "digest": hashlib.sha256(name.encode()).hexdigest(),
                    "details": {"format": "gguf", "family": "llama", "quantization_level": "Q4_K_M"},
                    "expires_at": "2099-01-01T00:00:00Z",
                    "size_vram": 0,
                    "context_length": self.server_context,
                }
                for name in self.models
            ]
        }

    # -- internals used by the handler ---------------------------------------------------------

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._peak = max(self._peak, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _connections_opened(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def _connections_closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _record(self, handler: BaseHTTPRequestHandler, body: dict[str, Any] | None) -> None:
        rec = RecordedRequest(
            method=handler.command,
            path=handler.path,
            headers=_redact_headers(handler.headers.items()),
            body=body,
            received_at=time.monotonic(),
        )
        with self._lock:
            self._requests.append(rec)

    def _completion_id(self) -> str:
        with self._lock:
            self._counter += 1
            return f"chatcmpl-fake{self._counter:06d}"

    def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` (and at most ``max_hang_s``); True if the server is stopping."""
        return self._stopping.wait(min(seconds, self.max_hang_s))

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            queued = self._queue.popleft() if self._queue else None
        result: ResponderResult | None = queued
        if result is None and self.responder is not None:
            try:
                result = self.responder(body)
            except Exception as exc:  # a bug in the test's responder: make it visible, don't retry
                return Reply.error(400, f"fake_openai: responder raised {type(exc).__name__}: {exc}")
        if result is None:
            result = self.default
        if result is None:
            return Reply.error(400, "fake_openai: no scripted reply left for this request")
        return _as_reply(result)


def _as_reply(result: ResponderResult) -> Reply:
    if isinstance(result, Reply):
        return result
    if isinstance(result, str):
        return Reply.text(result)
    return Reply.json(result)
