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


class CassetteMismatch(OpsrelayError):
    """A replayed run asked something the cassette does not hold (or, strict, left some unused).

    Exit code 3, like a provider failure: the "provider" (the cassette) could not answer.
    """

    exit_code = 3


__all__ = ["CassetteMismatch", "PermanentProviderError", "ProviderError", "TransientProviderError"]
