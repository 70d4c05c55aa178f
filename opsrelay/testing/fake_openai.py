"""A local, scripted, OpenAI-compatible chat-completions server for tests.

Use it to exercise real HTTP clients (``ChatOpenAI``, ``openai.OpenAI``, opsrelay's backend)
without a network or a key::

    from opsrelay.testing.fake_openai import FakeOpenAI, Reply

    with FakeOpenAI(replies=[Reply.rate_limited(retry_after=1), Reply.text("hello")]) as server:
        llm = ChatOpenAI(model="gpt-4.1-mini", base_url=server.base_url, api_key="test")
        ...
        assert len(server.requests) == 2
        assert server.requests[0].headers["authorization"] == "Bearer [REDACTED]"

What a request gets, in this order: the next queued reply (``replies=`` or :meth:`enqueue`),
else ``responder(request_json)``, else ``default``, else a 400 saying nothing was scripted
(a 400 so that clients fail fast instead of retrying).

Replies (see :class:`Reply`): text, JSON, refusal, truncation (``finish_reason="length"``),
content filter, invalid JSON, HTTP errors (429 with ``Retry-After``, 500/503, 401, 400, 404),
hangs (sleep longer than the client timeout, bounded so that the server always shuts down),
dropped connections and raw bodies. A responder may also return a plain ``str`` (text) or a
``dict``/``list`` (JSON content).

Simulated, so that tests can assert on cost and concurrency:

* **latency**: time-to-first-token plus output tokens / tokens-per-second (tokens are
  estimated as ``ceil(chars / 4)``);
* **usage**: ``prompt_tokens``, ``completion_tokens`` and
  ``prompt_tokens_details.cached_tokens`` from a prefix cache that behaves like OpenAI's
  automatic prompt caching: the prompt is cut into 128-token blocks, a block is cached when the
  same model saw the same prefix before, and nothing is reported below 1024 tokens. A prompt
  enters the cache when its response is sent, so requests that run at the same time do not
  hit each other's prefix (as with the real service);
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
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

__all__ = [
    "CHARS_PER_TOKEN",
    "FakeOpenAI",
    "Latency",
    "RecordedRequest",
    "Reply",
    "Responder",
    "estimate_tokens",
]

CHARS_PER_TOKEN = 4
CACHE_BLOCK_TOKENS = 128
CACHE_MIN_TOKENS = 1024
_MAX_BODY_BYTES = 64 * 1024 * 1024
_SENSITIVE_HEADER_PARTS = ("authorization", "api-key", "apikey", "token", "cookie", "secret")

ReplyKind = Literal["content", "refusal", "error", "disconnect", "raw"]

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
    """Count tokens the fake's way: ``ceil(len(text) / 4)``."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


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


ResponderResult = Reply | str | dict[str, Any] | list[Any]
Responder = Callable[[dict[str, Any]], ResponderResult]
"""A function from the request JSON to a reply; ``str`` is text, ``dict``/``list`` is JSON."""


@dataclass(frozen=True)
class Latency:
    """Simulated generation time: ``ttft_s + output_tokens / tokens_per_s`` (None: instant)."""

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


def _prompt_text(body: Mapping[str, Any]) -> str:
    """Join the prompt into one string in message order (what a prefix cache sees)."""
    parts: list[str] = []
    for msg in body.get("messages") or []:
        if not isinstance(msg, Mapping):
            continue
        content = msg.get("content")
        if isinstance(content, list):  # content blocks
            content = "".join(
                str(block.get("text", "")) if isinstance(block, Mapping) else str(block) for block in content
            )
        parts.append(f"<|{msg.get('role', '')}|>{content or ''}<|end|>")
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
        """``GET /v1/models`` (and ``/models``): one model per name the server was given."""
        fake = self.server.fake
        fake._record(self, None)
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            data = [
                {"id": name, "object": "model", "created": 0, "owned_by": "fake-openai"}
                for name in fake.models
            ]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self._send_error(404, f"fake_openai: no route GET {self.path}")

    def do_POST(self) -> None:
        """``POST /v1/chat/completions`` (and ``/chat/completions``)."""
        fake = self.server.fake
        fake._enter()
        try:
            self._post(fake)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. timeout)
            self.close_connection = True
        finally:
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
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._send_error(404, f"fake_openai: no route POST {self.path}")
            return
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body.get("model"):
            self._send_error(400, "fake_openai: body needs 'model' and a 'messages' list")
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
        self._answer(fake, body, reply)

    def _answer(self, fake: FakeOpenAI, body: dict[str, Any], reply: Reply) -> None:
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if (
            fake.enforce_max_tokens
            and isinstance(limit, int)
            and reply.kind == "content"
            and reply.content is not None
            and estimate_tokens(reply.content) > limit
        ):
            reply = replace(reply, content=reply.content[: limit * CHARS_PER_TOKEN], finish_reason="length")
        model = str(body["model"])
        prompt = _prompt_text(body)
        prompt_tokens = max(1, estimate_tokens(prompt))
        cached = min(fake._cache.lookup(model, prompt), prompt_tokens)
        out_text = reply.content if reply.content is not None else (reply.refusal_text or "")
        completion_tokens = estimate_tokens(out_text)
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
        if body.get("stream"):
            self._stream(
                fake, body, reply, model=model, completion_id=completion_id, usage=usage, delay=delay
            )
        else:
            if delay > 0 and fake._wait(delay):
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
        """Server-sent events, as the chat-completions streaming API sends them."""
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
        field_name = "content" if reply.kind == "content" else "refusal"
        text = (reply.content if reply.kind == "content" else reply.refusal_text) or ""
        pieces = [text[i : i + 16] for i in range(0, len(text), 16)]
        per_piece = (delay - ttft) / len(pieces) if pieces and delay > ttft else 0.0
        for piece in pieces:
            if per_piece > 0 and fake._wait(per_piece):
                return
            event([{"index": 0, "delta": {field_name: piece}, "finish_reason": None}])
        event([{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}])
        options = body.get("stream_options") or {}
        if isinstance(options, Mapping) and options.get("include_usage"):
            event([], usage=usage)
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


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
    ) -> None:
        self.responder = responder
        self.default = default
        self.latency = latency or Latency()
        self.models = list(models)
        self.max_hang_s = max_hang_s
        self.enforce_max_tokens = enforce_max_tokens
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
        """The JSON bodies of the chat-completions requests, in arrival order."""
        return [r.body for r in self.requests if r.method == "POST" and r.body is not None]

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
