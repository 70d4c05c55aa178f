"""The ``openai:<model>`` backend: ``langchain_openai.ChatOpenAI`` behind the one seam.

What this module pins down, and why (verified against langchain-openai 1.7 / openai 3.x source):

* ``max_retries=0``: the OpenAI client retries 408/409/429/5xx/connection errors twice by
  default; retries live in :mod:`opsrelay.models.retry` only, so attempts do not multiply.
* An explicit ``timeout``: the client default is 600 s. A float applies to each phase
  (connect, write, read, pool), so for a non-streaming call it bounds the wait for the answer.
* ``disable_streaming=True``: ``BaseChatModel.invoke`` silently switches to the streaming API
  when a streaming callback handler is attached, which LangGraph does for
  ``stream_mode="messages"``; opsrelay wants one plain request per call.
* ``use_responses_api=False`` and ``output_version="v0"``: some model names (``*-pro``,
  ``codex``) and the ``LC_OUTPUT_VERSION`` environment variable would otherwise route to the
  Responses API or return content blocks instead of a string.
* Structured output is ``response_format={"type": "json_schema", ...}`` passed as an invoke
  kwarg: ChatOpenAI then calls ``chat.completions.parse`` which sends it verbatim, but raises
  ``LengthFinishReasonError`` / ``ContentFilterFinishReasonError`` (not ``APIError``) for
  ``finish_reason`` ``length`` / ``content_filter``; both are turned back into responses here so
  that callers see ``finish_reason`` as for free-text calls.
* ``max_tokens`` is sent as ``max_completion_tokens``; temperature is set per request, with one
  ChatOpenAI per distinct temperature so that ChatOpenAI's own per-model rules apply (it drops
  a non-default temperature for gpt-5 reasoning models, which reject it).
"""

from __future__ import annotations

import email.utils
import math
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import openai
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from opsrelay.models.base import ChatMessage, ChatRequest, ChatResponse, Usage
from opsrelay.models.errors import PermanentProviderError, TransientProviderError
from opsrelay.models.scrub import one_line, redact_url, scrub_secrets

__all__ = ["DEFAULT_BASE_URL", "OpenAIBackend", "parse_retry_after"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"

_TRANSIENT_4XX = frozenset({408, 409, 429})
_HINTS = {
    401: "check OPENAI_API_KEY",
    403: "the key may not have access to this model",
    404: "check the model name and the base URL (it usually ends in /v1)",
}


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


class OpenAIBackend:
    """A :class:`~opsrelay.models.base.ChatBackend` for OpenAI and OpenAI-compatible servers.

    Args:
        model: provider model name (``gpt-4.1-mini``; no ``openai:`` prefix).
        base_url: server root including ``/v1``; ``None`` means api.openai.com. Environment
            variables are not consulted here: the caller passes ``OPENAI_BASE_URL`` in.
        api_key: the key (local servers accept any non-empty value). Never logged or shown.
        timeout_s: per-request timeout in seconds (always explicit; the client default is 600 s).
        organization: optional OpenAI organization id.
        default_headers: extra HTTP headers for every request (e.g. for a gateway).

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
    ) -> None:
        if not model:
            raise ValueError("model name is empty")
        if not api_key:
            raise ValueError("api_key is empty")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.model = model
        self.base_url = base_url or DEFAULT_BASE_URL
        self.timeout_s = float(timeout_s)
        self._api_key = SecretStr(api_key)
        self._organization = organization
        self._default_headers = dict(default_headers or {})
        self._clients: dict[float, ChatOpenAI] = {}
        self._lock = threading.Lock()
        self._where = f"openai:{model} at {redact_url(self.base_url)}"

    @property
    def spec(self) -> str:
        """``openai:<model>``."""
        return f"openai:{self.model}"

    def __repr__(self) -> str:
        where = redact_url(self.base_url)
        return f"OpenAIBackend({self.model!r}, base_url={where!r}, timeout_s={self.timeout_s})"

    def _client(self, temperature: float) -> ChatOpenAI:
        with self._lock:
            client = self._clients.get(temperature)
            if client is None:
                client = ChatOpenAI(
                    model=self.model,
                    base_url=self.base_url,
                    api_key=self._api_key,
                    organization=self._organization,
                    timeout=self.timeout_s,
                    max_retries=0,
                    temperature=temperature,
                    streaming=False,
                    disable_streaming=True,
                    use_responses_api=False,
                    output_version="v0",
                    default_headers=self._default_headers or None,
                )
                self._clients[temperature] = client
            return client

    def complete(self, request: ChatRequest) -> ChatResponse:
        """Send one chat-completions request and map the answer or the failure.

        Raises:
            TransientProviderError: 408/409/429/5xx, timeout, connection failure (retryable).
            PermanentProviderError: other 4xx (and 429 ``insufficient_quota``: billing, not
                load), or a response that is not a chat completion.

        """
        kwargs: dict[str, Any] = {}
        if request.max_tokens is not None:
            kwargs["max_tokens"] = request.max_tokens
        if request.json_schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema_name or "response",
                    "schema": request.json_schema,
                    "strict": True,
                },
            }
        messages = [_to_langchain(m) for m in request.messages]
        try:
            reply = self._client(request.temperature).invoke(messages, **kwargs)
        except openai.LengthFinishReasonError as exc:
            return self._from_completion(exc.completion, "length")
        except openai.ContentFilterFinishReasonError as exc:
            return self._from_completion(exc.completion, "content_filter")
        except openai.APIError as exc:
            raise self._map_error(exc) from None
        except (ValueError, KeyError, TypeError) as exc:
            # ChatOpenAI raises these for bodies that are not chat completions (HTML error
            # pages from a proxy, null choices, an {"error": ...} body with status 200).
            raise PermanentProviderError(
                f"{self._where}: the server's answer is not an OpenAI chat completion "
                f"({type(exc).__name__}: {self._snippet(str(exc), 120)})"
            ) from None
        return self._from_message(reply)

    # -- answers ----------------------------------------------------------------------------

    @staticmethod
    def _from_message(message: BaseMessage) -> ChatResponse:
        content = message.content
        if not isinstance(content, str):  # content blocks (should not happen with output_version v0)
            content = "".join(
                str(block.get("text", "")) if isinstance(block, dict) else str(block) for block in content
            )
        refusal = message.additional_kwargs.get("refusal") or None
        finish = message.response_metadata.get("finish_reason")
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
