"""The ``openai:<model>`` backend: ``langchain_openai.ChatOpenAI`` behind the one seam.

What this module pins down, and why (verified against langchain-openai 1.7 / openai 3.57 source):

* **Every answer is streamed** (``ChatOpenAI.stream(..., stream_usage=True)``, server-sent
  events), so that ``timeout_s`` bounds the wait for the first token and each gap between
  tokens, not the length of the answer. openai 3.x sends through ``httpx2`` (the httpx fork)
  and httpcore2, whose read timeout is set on the socket before *each* read
  (``httpcore2._backends.sync.SyncStream.read``): on a streamed response that is the wait for
  the response headers, then for every next chunk. A 20 tokens/s server writing 6,000 tokens
  (5 minutes) completed here with a 5 s timeout (``tests/test_models_streaming.py``). A stall
  longer than the timeout mid-answer raises from the body's iteration, where the SDK's
  ``Stream`` turns httpx2's ``ReadTimeout`` into ``APITimeoutError`` (and a broken connection
  into ``APIConnectionError``); after the first chunk these are reported as a stall or a
  broken-off stream, transient, so the retry layer retries them. The bound is per read:
  bytes that carry no token (SSE comments some gateways send while they wait) reset it too.
* Structured output (``--structured-output``, :data:`StructuredMode`): ``json_schema`` sends
  ``response_format={"type": "json_schema", ...}``. ChatOpenAI streams that through the SDK's
  ``chat.completions.stream`` helper, which accumulates the chunks, passes the final
  completion's usage and ``refusal`` on, and raises ``LengthFinishReasonError`` /
  ``ContentFilterFinishReasonError`` (not ``APIError``) for ``finish_reason`` ``length`` /
  ``content_filter`` *after* the last chunk, so the completion they carry has the partial
  content and the usage; both become responses again here. With a dict ``response_format`` the
  helper does no partial JSON parsing per chunk. ``json_object`` sends JSON mode and states the
  schema in a final instruction; ``tools`` forces one strict function tool whose arguments are
  the answer. ``auto`` starts with ``json_schema`` and falls back (once per step, remembered for
  the backend's lifetime) to ``json_object`` then ``tools`` when a server answers 400/422 naming
  ``response_format``/``json_schema`` (one that does not support it), but not for OpenAI's
  ``Invalid schema for response_format``, which is opsrelay's bug to surface.
* ``max_retries=0``: the OpenAI client retries 408/409/429/5xx/connection errors twice by
  default; retries live in :mod:`opsrelay.models.retry` only, so attempts do not multiply.
* ``use_responses_api=False`` and ``output_version="v0"``: some model names (``*-pro``,
  ``codex``) and the ``LC_OUTPUT_VERSION`` environment variable would otherwise route to the
  Responses API or return content blocks instead of a string.
* ``max_tokens`` is sent as ``max_completion_tokens``; temperature is set per request, with one
  ChatOpenAI per distinct temperature so that ChatOpenAI's own per-model rules apply (it drops
  a non-default temperature for gpt-5 reasoning models, which reject it).
* Context: :meth:`OpenAIBackend.context_window` (configured, else the server's report, else
  OpenAI's published windows, else a default; :mod:`opsrelay.models.context`) and
  :meth:`OpenAIBackend.count_tokens` (llama.cpp's tokenizer, tiktoken or an estimate;
  :mod:`opsrelay.models.tokens`). A context-length refusal from any server becomes
  :class:`~opsrelay.models.errors.ContextLengthError`; an answer whose reported prompt tokens
  are far below what was sent becomes :class:`~opsrelay.models.errors.PromptTruncatedError`.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import math
import re
import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import httpx2
import openai
import structlog
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from opsrelay.models.base import ChatMessage, ChatRequest, ChatResponse, Usage
from opsrelay.models.context import PROBE_TIMEOUT_S, ContextWindow, ServerInfo, probe_server, resolve_window
from opsrelay.models.errors import (
    ContextLengthError,
    PermanentProviderError,
    PromptTruncatedError,
    TransientProviderError,
)
from opsrelay.models.modes import STRUCTURED_MODES, StructuredMode
from opsrelay.models.schema import bounded_for_grammar
from opsrelay.models.scrub import one_line, redact_url, scrub_secrets
from opsrelay.models.tokens import (
    TRUNCATION_RATIO,
    TokenCount,
    count_tokens,
    count_with_llamacpp,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "STRUCTURED_MODES",
    "TRUNCATION_MIN_TOKENS",
    "OpenAIBackend",
    "StructuredMode",
    "context_error_from",
    "parse_retry_after",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"

_FALLBACK: dict[str, str] = {"json_schema": "json_object", "json_object": "tools"}

TRUNCATION_MIN_TOKENS = 512
"""Prompts counted below this are not checked for silent truncation (template overhead dominates)."""

_log = structlog.get_logger("opsrelay.models")

# langchain-openai warns on these 400s with advice for ``with_structured_output``, which opsrelay
# does not use; the error itself is mapped (and, in auto mode, answered by a fallback) here.
warnings.filterwarnings("ignore", message="This model does not support OpenAI's structured output")
warnings.filterwarnings("ignore", message="Invalid schema for OpenAI's structured output")

_TRANSIENT_4XX = frozenset({408, 409, 429})
_HINTS = {
    401: "check OPENAI_API_KEY",
    403: "the key may not have access to this model",
    404: "check the model name and the base URL (it usually ends in /v1)",
}

# What servers say when a request does not fit (OpenAI, vLLM, llama.cpp, Ollama, LM Studio, LiteLLM).
_CONTEXT_PATTERNS = (
    re.compile(r"maximum context length is (?P<window>\d+) tokens", re.I),  # OpenAI, vLLM
    re.compile(r"exceeds the available context size", re.I),  # llama.cpp
    re.compile(r"longer than the maximum model length of (?P<window>\d+)", re.I),  # vLLM (prompt alone)
    re.compile(r"input length exceeds the (?:maximum )?context length", re.I),  # Ollama
    re.compile(r"context length of only (?P<window>\d+) tokens", re.I),  # LM Studio
    re.compile(r"context[_ ]length[_ ]exceeded|context window exceeded|exceeds the context window", re.I),
    re.compile(r"ContextWindowExceededError|prompt is too long", re.I),  # LiteLLM, Anthropic via gateways
)
_WINDOW_NUMBERS = (
    re.compile(r"maximum context length is (\d+) tokens", re.I),
    re.compile(r"available context size \((\d+) tokens\)", re.I),
    re.compile(r"maximum model length of (\d+)", re.I),
    re.compile(r"context length of only (\d+) tokens", re.I),
)
_PROMPT_NUMBERS = (
    re.compile(r"resulted in (\d+) tokens", re.I),  # OpenAI
    re.compile(r"your prompt contains at least (\d+) input tokens", re.I),  # vLLM 0.10+
    re.compile(r"you requested (\d+) tokens", re.I),  # older vLLM (prompt + completion)
    re.compile(r"your request has (\d+) input tokens", re.I),  # newer vLLM
    re.compile(r"request \((\d+) tokens\)", re.I),  # llama.cpp
    re.compile(r"prompt \(length (\d+)\)", re.I),  # vLLM
)
# Self-hosted engines that enforce a JSON schema with a grammar (and support maxLength in it).
_GRAMMAR_SERVERS = frozenset({"llama.cpp", "ollama", "vllm"})
# A 400/422 that names these refuses the structured-output *mode*, not the request's content.
_FORMAT_REJECTED = re.compile(r"response_format|json_schema|json schema|json_object|structured output", re.I)
_SCHEMA_BUG = re.compile(r"Invalid schema for response_format", re.I)


def _reason(status: int) -> str:
    """The standard reason phrase for an HTTP status ('Error' for unknown codes)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def parse_retry_after(headers: Mapping[str, str] | None, *, now: float | None = None) -> float | None:
    """Return the seconds the server asked us to wait, or ``None``.

    Reads ``retry-after-ms``, else ``retry-after`` (seconds or an HTTP date). ``None`` when
    absent or unparsable; never negative.
    """
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = lowered.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue
        if math.isfinite(seconds):
            return max(0.0, seconds)
    value = lowered.get("retry-after")
    if value:
        parsed = email.utils.parsedate_tz(value)
        if parsed is not None:
            return max(0.0, float(email.utils.mktime_tz(parsed)) - (time.time() if now is None else now))
    return None


def _to_langchain(message: ChatMessage) -> BaseMessage:
    if message.role == "system":
        return SystemMessage(content=message.content)
    if message.role == "assistant":
        return AIMessage(content=message.content)
    return HumanMessage(content=message.content)


def _usage_from_completion(completion: Any) -> Usage:
    usage = getattr(completion, "usage", None)
    if usage is None:
        return Usage()
    details = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) or 0
    return Usage(
        input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        cached_input_tokens=int(cached),
    )


def _first_int(patterns: Sequence[re.Pattern[str]], text: str) -> int | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None


def context_error_from(body: Any, message: str) -> tuple[int | None, int | None] | None:
    """Recognise a context-length refusal; ``(prompt_tokens, context_window)`` if it is one, else None.

    Reads OpenAI's ``code == "context_length_exceeded"``, llama.cpp's
    ``type == "exceed_context_size_error"`` (with its ``n_prompt_tokens`` / ``n_ctx`` fields) and
    the messages of OpenAI, vLLM, llama.cpp, Ollama and LM Studio. Either number is ``None`` when
    the server did not give it.
    """
    inner = body.get("error", body) if isinstance(body, Mapping) else None
    fields = inner if isinstance(inner, Mapping) else {}
    text = str(fields.get("message") or message or "")
    code = str(fields.get("code") or "")
    kind = str(fields.get("type") or "")
    recognised = (
        code == "context_length_exceeded"
        or kind == "exceed_context_size_error"
        or any(p.search(text) for p in _CONTEXT_PATTERNS)
    )
    if not recognised:
        return None
    prompt = fields.get("n_prompt_tokens")
    window = fields.get("n_ctx")
    prompt_tokens = prompt if isinstance(prompt, int) and prompt > 0 else _first_int(_PROMPT_NUMBERS, text)
    context_window = window if isinstance(window, int) and window > 0 else _first_int(_WINDOW_NUMBERS, text)
    return prompt_tokens, context_window


def _with_json_instruction(
    messages: Sequence[ChatMessage], name: str, schema: Mapping[str, Any]
) -> list[ChatMessage]:
    """Messages for JSON mode: the schema stated at the end (JSON mode needs the word "JSON" in them).

    Appended to the last user message rather than sent as a new message: several chat templates
    (Mistral's, Gemma's) refuse two user turns in a row or a system turn after the first.
    """
    text = (
        f"Answer with one JSON object only, no prose and no Markdown fence. It is named {name!r} and "
        "must validate against this JSON schema (every property required, no others):\n"
        + json.dumps(schema, ensure_ascii=False, separators=(",", ":"))
    )
    out = list(messages)
    if out and out[-1].role == "user":
        out[-1] = ChatMessage(role="user", content=f"{out[-1].content}\n\n{text}")
    else:
        out.append(ChatMessage(role="user", content=text))
    return out


def _messages_key(messages: Sequence[ChatMessage]) -> str:
    raw = json.dumps([[m.role, m.content] for m in messages], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class _FormatRejected(Exception):
    """The server refused the structured-output mode itself (auto mode may try the next one)."""

    def __init__(self, error: PermanentProviderError) -> None:
        super().__init__(str(error))
        self.error = error


class OpenAIBackend:
    """A :class:`~opsrelay.models.base.ChatBackend` for OpenAI and OpenAI-compatible servers.

    Args:
        model: provider model name (``gpt-4.1-mini``; no ``openai:`` prefix).
        base_url: server root including ``/v1``; ``None`` means api.openai.com. Environment
            variables are not consulted here: the caller passes ``OPENAI_BASE_URL`` in.
        api_key: the key (local servers accept any non-empty value). Never logged or shown.
        timeout_s: the longest wait for the first token and between two tokens (connect, send
            and each read); not a bound on the whole answer, which is streamed.
        organization: optional OpenAI organization id.
        default_headers: extra HTTP headers for every request (e.g. for a gateway).
        structured_output: how JSON-schema requests are sent (:data:`StructuredMode`).
        context_window: the configured window in tokens (``--context-window``); None: ask the
            server, else the table of known models, else the default.
        probe_timeout_s: timeout of each request that asks the server about itself.

    One request per :meth:`complete`, no retries: wrap it in
    :class:`~opsrelay.models.retry.RetryingBackend`. Thread-safe.

    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None,
        api_key: str,
        timeout_s: float = 60.0,
        organization: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        structured_output: StructuredMode = "auto",
        context_window: int | None = None,
        probe_timeout_s: float = PROBE_TIMEOUT_S,
    ) -> None:
        if not model:
            raise ValueError("model name is empty")
        if not api_key:
            raise ValueError("api_key is empty")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if structured_output not in STRUCTURED_MODES:
            raise ValueError(f"structured_output must be one of {', '.join(STRUCTURED_MODES)}")
        if context_window is not None and context_window <= 0:
            raise ValueError("context_window must be positive")
        self.model = model
        self.base_url = base_url or DEFAULT_BASE_URL
        self.timeout_s = float(timeout_s)
        self.structured_output: StructuredMode = structured_output
        self.configured_window = context_window
        self.probe_timeout_s = probe_timeout_s
        self._api_key = SecretStr(api_key)
        self._organization = organization
        self._default_headers = dict(default_headers or {})
        self._clients: dict[float, ChatOpenAI] = {}
        self._lock = threading.Lock()
        self._probe_lock = threading.Lock()
        self._server: ServerInfo | None = None
        self._auto_mode = "json_schema"
        self._counts: dict[str, TokenCount] = {}
        self._server_counts = True  # until a llama.cpp server fails to count once
        self._where = f"openai:{model} at {redact_url(self.base_url)}"

    @property
    def spec(self) -> str:
        """``openai:<model>``."""
        return f"openai:{self.model}"

    def __repr__(self) -> str:
        where = redact_url(self.base_url)
        return f"OpenAIBackend({self.model!r}, base_url={where!r}, timeout_s={self.timeout_s})"

    @property
    def structured_mode(self) -> str:
        """The mode JSON-schema requests are sent in now (``auto`` resolved to where it fell back to)."""
        if self.structured_output != "auto":
            return self.structured_output
        with self._lock:
            return self._auto_mode

    def _client(self, temperature: float) -> ChatOpenAI:
        with self._lock:
            client = self._clients.get(temperature)
            if client is None:
                client = ChatOpenAI(
                    model=self.model,
                    base_url=self.base_url,
                    api_key=self._api_key,
                    organization=self._organization,
                    # A float sets connect, write, pool and *each read* of the stream.
                    timeout=self.timeout_s,
                    max_retries=0,
                    temperature=temperature,
                    streaming=True,
                    stream_usage=True,
                    use_responses_api=False,
                    output_version="v0",
                    default_headers=self._default_headers or None,
                )
                self._clients[temperature] = client
            return client

    # -- context ----------------------------------------------------------------------------

    def server_info(self) -> ServerInfo:
        """What the server reported about itself (asked once, lazily, thread-safe)."""
        with self._probe_lock:
            if self._server is None:
                self._server = probe_server(
                    self.base_url,
                    self.model,
                    api_key=self._api_key.get_secret_value(),
                    timeout_s=self.probe_timeout_s,
                )
            return self._server

    def context_window(self) -> ContextWindow:
        """The window requests must fit: configured, else the server's, else known, else default."""
        if self.configured_window is not None:
            return resolve_window(self.model, configured=self.configured_window)
        return resolve_window(self.model, server=self.server_info())

    def token_count(self, messages: Sequence[ChatMessage], *, probe: bool = True) -> TokenCount:
        """Count ``messages`` with the best method at hand (cached per distinct messages).

        ``probe=False`` does not ask the server about itself if it has not been asked yet (then a
        llama.cpp server is counted with the estimate instead of its tokenizer). A llama.cpp
        server that fails to count once is not asked again: every later count would wait for
        the same failure.
        """
        key = _messages_key(messages)
        with self._lock:
            known = self._counts.get(key)
        if known is not None:
            return known
        info = self.server_info() if probe else self._server
        result: TokenCount | None = None
        if info is not None and info.kind == "llama.cpp" and self._server_counts:
            tokens = count_with_llamacpp(
                info.root,
                messages,
                api_key=self._api_key.get_secret_value(),
                timeout_s=max(self.timeout_s, 5.0),
            )
            if tokens is not None:
                result = TokenCount(tokens, "server")
            else:
                self._server_counts = False
                _log.info("model.server_count_unavailable", model=self.spec, fallback="tiktoken or estimate")
        if result is None:
            result = count_tokens(messages, self.model)
        if info is None:
            return result  # not known yet whether the server can count: do not cache the estimate
        with self._lock:
            if len(self._counts) > 1024:
                self._counts.clear()
            self._counts[key] = result
        return result

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """Tokens ``messages`` take as a prompt for this model (see :meth:`token_count`)."""
        return self.token_count(messages).tokens

    # -- the call ---------------------------------------------------------------------------

    def complete(self, request: ChatRequest) -> ChatResponse:
        """Stream one chat-completions request and map the answer or the failure.

        Raises:
            TransientProviderError: 408/409/429/5xx, timeout (first token or a gap between tokens
                longer than ``timeout_s``), connection failure or a stream cut off (retryable).
            ContextLengthError: the server refused the request for its length.
            PromptTruncatedError: the server reported far fewer prompt tokens than were sent.
            PermanentProviderError: other 4xx (and 429 ``insufficient_quota``: billing, not
                load), or a response that is not a chat completion.

        """
        if request.json_schema is None:
            response = self._complete_once(request, None)
        else:
            while True:
                mode = self.structured_mode
                try:
                    response = self._complete_once(request, mode)
                    break
                except _FormatRejected as rejected:
                    following = _FALLBACK.get(mode) if self.structured_output == "auto" else None
                    if following is None:
                        raise rejected.error from None
                    with self._lock:
                        if self._auto_mode == mode:
                            self._auto_mode = following
                    _log.warning(
                        "model.structured_output_fallback",
                        model=self.spec,
                        rejected=mode,
                        now=following,
                        error=str(rejected.error),
                    )
        self._check_truncation(request, response)
        return response

    def _complete_once(self, request: ChatRequest, mode: str | None) -> ChatResponse:
        kwargs: dict[str, Any] = {}
        if request.max_tokens is not None:
            kwargs["max_tokens"] = request.max_tokens
        messages: Sequence[ChatMessage] = request.messages
        name = request.schema_name or "response"
        if mode == "json_schema":
            schema = request.json_schema or {}
            # Once the server is known (runs probe it first, for the window) and enforces schemas
            # with a grammar, strings get a bound too: a weak model cannot loop inside one string.
            known = self._server
            if known is not None and known.kind in _GRAMMAR_SERVERS:
                schema = bounded_for_grammar(schema)
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": True},
            }
        elif mode == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
            messages = _with_json_instruction(messages, name, request.json_schema or {})
        elif mode == "tools":
            kwargs["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": name,
                        "description": f"Give the answer as the arguments of {name}.",
                        "parameters": request.json_schema,
                        "strict": True,
                    },
                }
            ]
            kwargs["tool_choice"] = {"type": "function", "function": {"name": name}}
            # Strict schemas are not guaranteed for parallel calls (OpenAI's function-calling guide).
            kwargs["parallel_tool_calls"] = False
        lc_messages = [_to_langchain(m) for m in messages]
        merged: AIMessageChunk | None = None
        try:
            for chunk in self._client(request.temperature).stream(lc_messages, **kwargs):
                merged = chunk if merged is None else merged + chunk
        except openai.LengthFinishReasonError as exc:
            return self._from_completion(exc.completion, "length")
        except openai.ContentFilterFinishReasonError as exc:
            return self._from_completion(exc.completion, "content_filter")
        except openai.APIError as exc:
            if merged is not None and isinstance(exc, openai.APITimeoutError):
                raise self._stalled(merged) from None
            if merged is not None and isinstance(exc, openai.APIConnectionError):
                raise self._broken(exc.__cause__ or exc) from None
            error = self._map_error(exc)
            if (
                mode is not None
                and isinstance(error, PermanentProviderError)
                and self._rejects_mode(exc, error)
            ):
                raise _FormatRejected(error) from None
            raise error from None
        except httpx2.TimeoutException:
            # In case the body's iteration lets httpx2's error through unwrapped.
            raise self._stalled(merged) from None
        except httpx2.TransportError as exc:  # the server closed or broke the stream mid-answer
            raise self._broken(exc) from None
        except (ValueError, KeyError, TypeError) as exc:
            # ChatOpenAI raises these for bodies that are not chat completions (HTML error
            # pages from a proxy, null choices, an {"error": ...} body with status 200).
            raise PermanentProviderError(
                f"{self._where}: the server's answer is not an OpenAI chat completion "
                f"({type(exc).__name__}: {self._snippet(str(exc), 120)})"
            ) from None
        if merged is None:
            raise PermanentProviderError(f"{self._where}: the server's answer stream was empty")
        if merged.response_metadata.get("finish_reason") is None:
            # Every OpenAI-compatible server ends a complete answer with a finish_reason; a stream
            # that just stops (connection closed cleanly mid-answer) carries a partial answer.
            raise TransientProviderError(
                f"{self._where}: the answer stream ended before the server finished it (no finish_reason)",
                kind="connection",
            )
        return self._from_message(merged, tool=mode == "tools")

    def _stalled(self, merged: AIMessageChunk | None) -> TransientProviderError:
        """The stream started, then no chunk came for ``timeout_s``: before the first token or mid-answer."""
        started = merged is not None and bool(merged.content or merged.tool_call_chunks)
        where = "mid-answer" if started else "waiting for the first token"
        return TransientProviderError(
            f"{self._where}: no token within {self.timeout_s:g} s (timeout {where})", kind="timeout"
        )

    def _broken(self, cause: BaseException) -> TransientProviderError:
        """The stream started, then the connection failed (closed mid-answer, reset)."""
        return TransientProviderError(
            f"{self._where}: the answer stream broke off ({type(cause).__name__})", kind="connection"
        )

    def _rejects_mode(self, exc: openai.APIError, error: PermanentProviderError) -> bool:
        if isinstance(error, ContextLengthError):
            return False
        if error.status not in (400, 422):
            return False
        text = f"{self._server_message(exc) if isinstance(exc, openai.APIStatusError) else ''} {exc.message}"
        return bool(_FORMAT_REJECTED.search(text)) and not _SCHEMA_BUG.search(text)

    def _check_truncation(self, request: ChatRequest, response: ChatResponse) -> None:
        """Raise :class:`PromptTruncatedError` when the server reports far fewer prompt tokens than sent.

        Counts without probing the server (a server not asked yet is counted offline); a server
        already known to be llama.cpp counts the prompt with its tokenizer (two requests, cached
        per distinct messages). Skipped when the server reported no usage, for short prompts,
        and when the server's own reported window had room for the prompt: then a low count is
        prompt-cache accounting (Ollama counts only the tokens it evaluated), not truncation.
        """
        reported = response.usage.input_tokens
        if reported <= 0:
            return
        counted = self.token_count(request.messages, probe=False)
        if counted.tokens < TRUNCATION_MIN_TOKENS:
            return
        if reported >= TRUNCATION_RATIO[counted.method] * counted.tokens:
            return
        info = self._server
        if info is not None and info.window is not None and counted.tokens <= info.window:
            return
        _log.warning(
            "model.prompt_truncated",
            model=self.spec,
            purpose=request.purpose,
            counted=counted.tokens,
            method=counted.method,
            reported=reported,
        )
        raise PromptTruncatedError(
            f"{self._where}: the server kept {reported:,} of ~{counted.tokens:,} prompt tokens "
            f"(counted: {counted.method}): raise its context (Ollama: OLLAMA_CONTEXT_LENGTH or num_ctx)",
            sent_tokens=counted.tokens,
            reported_tokens=reported,
            method=counted.method,
        )

    # -- answers ----------------------------------------------------------------------------

    @staticmethod
    def _from_message(message: BaseMessage, *, tool: bool = False) -> ChatResponse:
        content = message.content
        if not isinstance(content, str):  # content blocks (should not happen with output_version v0)
            content = "".join(
                str(block.get("text", "")) if isinstance(block, dict) else str(block) for block in content
            )
        if tool:
            content = _tool_arguments(message) or content
        refusal = message.additional_kwargs.get("refusal") or None
        finish = message.response_metadata.get("finish_reason")
        if tool and finish == "tool_calls":
            finish = "stop"  # the forced call is the whole answer
        usage = Usage()
        if isinstance(message, AIMessage | AIMessageChunk) and message.usage_metadata:
            meta = message.usage_metadata
            details = meta.get("input_token_details") or {}
            usage = Usage(
                input_tokens=int(meta.get("input_tokens", 0) or 0),
                output_tokens=int(meta.get("output_tokens", 0) or 0),
                cached_input_tokens=int(details.get("cache_read", 0) or 0),
            )
        return ChatResponse(
            content=content,
            finish_reason=str(finish) if finish is not None else None,
            refusal=str(refusal) if refusal is not None else None,
            usage=usage,
        )

    @staticmethod
    def _from_completion(completion: Any, finish_reason: str) -> ChatResponse:
        """Build a response from the ``ChatCompletion`` carried by the SDK's finish-reason errors."""
        content = ""
        refusal = None
        choices = getattr(completion, "choices", None) or []
        if choices:
            msg = choices[0].message
            content = msg.content or ""
            refusal = getattr(msg, "refusal", None) or None
        return ChatResponse(
            content=content,
            finish_reason=finish_reason,
            refusal=refusal,
            usage=_usage_from_completion(completion),
        )

    # -- failures ---------------------------------------------------------------------------

    def _snippet(self, text: str, limit: int = 160) -> str:
        return one_line(scrub_secrets(text, self._api_key.get_secret_value()), limit)

    def _map_error(self, exc: openai.APIError) -> TransientProviderError | PermanentProviderError:
        if isinstance(exc, openai.APITimeoutError):
            return TransientProviderError(
                f"{self._where}: no response within {self.timeout_s:g} s (timeout)", kind="timeout"
            )
        if isinstance(exc, openai.APIConnectionError):
            cause = type(exc.__cause__).__name__ if exc.__cause__ is not None else "connection error"
            return TransientProviderError(
                f"{self._where}: cannot reach the server ({cause})", kind="connection"
            )
        status = exc.status_code if isinstance(exc, openai.APIStatusError) else None
        context = context_error_from(exc.body, str(exc.message))
        if context is not None:
            prompt_tokens, window = context
            sizes = ""
            if prompt_tokens is not None and window is not None:
                sizes = f" ({prompt_tokens:,} tokens for a {window:,}-token window)"
            elif window is not None:
                sizes = f" (window {window:,} tokens)"
            label = f"{status} {_reason(status)}: " if status is not None else ""
            return ContextLengthError(
                f"{self._where}: {label}the request does not fit the model's context{sizes}",
                status=status,
                prompt_tokens=prompt_tokens,
                context_window=window,
            )
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            label = f"{status} {_reason(status)}"
            server_text = self._server_message(exc)
            if status == 429 and self._error_code(exc) == "insufficient_quota":
                return PermanentProviderError(
                    f"{self._where}: {label}: insufficient quota (check the plan and billing of this key)",
                    status=status,
                )
            if status in _TRANSIENT_4XX or status >= 500:
                detail = f": {server_text}" if server_text else ""
                retry_after = parse_retry_after(exc.response.headers)
                return TransientProviderError(
                    f"{self._where}: {label}{detail}",
                    kind="rate_limit" if status == 429 else "server",
                    status=status,
                    retry_after=retry_after,
                )
            hint = _HINTS.get(status)
            parts = [f"{self._where}: {label}"]
            if hint:
                parts.append(f" ({hint})")
            if server_text and status != 401:  # 401 texts echo (part of) the key
                parts.append(f": {server_text}")
            return PermanentProviderError("".join(parts), status=status)
        # APIResponseValidationError and other APIError: the body did not fit the API.
        return PermanentProviderError(
            f"{self._where}: unexpected answer ({type(exc).__name__}: {self._snippet(str(exc.message), 120)})"
        )

    @staticmethod
    def _error_code(exc: openai.APIStatusError) -> str | None:
        body = exc.body
        inner = body.get("error", body) if isinstance(body, Mapping) else None
        code = inner.get("code") if isinstance(inner, Mapping) else None
        return str(code) if code is not None else None

    def _server_message(self, exc: openai.APIStatusError) -> str:
        body = exc.body
        text: Any = None
        if isinstance(body, Mapping):
            inner = body.get("error", body)
            text = inner.get("message") if isinstance(inner, Mapping) else inner
        if not text:
            text = exc.message
            prefix = f"Error code: {exc.status_code} - "
            if isinstance(text, str) and text.startswith(prefix):
                text = text[len(prefix) :]
        return self._snippet(str(text)) if text else ""


def _tool_arguments(message: BaseMessage) -> str | None:
    """The arguments of the (forced) tool call, as the JSON text the model wrote."""
    chunks = getattr(message, "tool_call_chunks", None) or []
    for chunk in chunks:
        args = chunk.get("args")
        if isinstance(args, str) and args:
            return args
    raw = message.additional_kwargs.get("tool_calls")
    if isinstance(raw, list):
        for call in raw:
            function = call.get("function") if isinstance(call, Mapping) else None
            args = function.get("arguments") if isinstance(function, Mapping) else None
            if isinstance(args, str) and args:
                return args
    return None
