"""Typed provider failures: what the retry layer may retry, and what it must not.

Every message is one line, names the backend and endpoint, and never contains a credential:
messages are built by opsrelay (not copied from the server) and any server text included is
scrubbed with :func:`opsrelay.models.scrub.scrub_secrets` first.
"""

from __future__ import annotations

from opsrelay.errors import OpsrelayError, ProviderError


class TransientProviderError(ProviderError):
    """A failure that may go away on its own: 429, 408/409, 5xx, timeouts, connection errors.

    ``retry_after`` is the server's requested delay in seconds (``Retry-After`` /
    ``retry-after-ms`` header), when it sent one. ``status`` is the HTTP status, or ``None``
    for timeouts and connection failures. ``kind`` is one of ``rate_limit``, ``server``,
    ``timeout``, ``connection``. ``attempts`` is filled in by the retry layer when it gives up.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        status: int | None = None,
        retry_after: float | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.attempts = attempts


class PermanentProviderError(ProviderError):
    """A failure that retrying cannot fix: 400/401/403/404/422, malformed responses.

    ``status`` is the HTTP status when there was one.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ContextLengthError(PermanentProviderError):
    """The request does not fit the model's context window, and the server said so (never retried).

    Recognised from OpenAI (``code == "context_length_exceeded"``), llama.cpp
    (``type == "exceed_context_size_error"``), vLLM and Ollama messages. ``prompt_tokens`` is what
    the server counted for the request and ``context_window`` its window, when the error told them
    (``None`` otherwise). A caller can shrink the request or fall back for this one call.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = 400,
        prompt_tokens: int | None = None,
        context_window: int | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.prompt_tokens = prompt_tokens
        self.context_window = context_window


class PromptTruncatedError(PermanentProviderError):
    """The server answered, but reported far fewer prompt tokens than were sent (never retried).

    That is a server that silently dropped the front of the prompt to fit its context (Ollama's
    OpenAI-compatible endpoint does this at its default ``num_ctx``): the answer was written
    without the role, template or instructions, so it must not be trusted. ``sent_tokens`` is
    opsrelay's count (``method`` says how it was counted), ``reported_tokens`` the server's.
    """

    def __init__(self, message: str, *, sent_tokens: int, reported_tokens: int, method: str) -> None:
        super().__init__(message, status=None)
        self.sent_tokens = sent_tokens
        self.reported_tokens = reported_tokens
        self.method = method


class CassetteMismatch(OpsrelayError):
    """A replayed run asked something the cassette does not hold (or, strict, left some unused).

    Exit code 3, like a provider failure: the "provider" (the cassette) could not answer.
    """

    exit_code = 3


__all__ = [
    "CassetteMismatch",
    "ContextLengthError",
    "PermanentProviderError",
    "PromptTruncatedError",
    "ProviderError",
    "TransientProviderError",
]
