"""The one retry layer (tenacity) for every live model backend.

Retries :class:`~opsrelay.models.errors.TransientProviderError` only (429, 408/409, 5xx,
timeouts, connection errors); a :class:`~opsrelay.models.errors.PermanentProviderError` or any
other exception goes straight through. Bounded by attempts, by the total time spent waiting
between attempts (``max_wait_s``) and, optionally, by the total elapsed time including the attempts
themselves (``max_elapsed_s``). A server's ``Retry-After`` is honoured (capped at ``max_delay_s``);
otherwise the wait is exponential with jitter. If the next wait would overrun a time budget, it
gives up now instead of sleeping first.

Why two time budgets: an attempt that times out already took ``timeout_s``; counting attempts in
the only budget would make a 60 s timeout with a 60 s budget unretryable. ``max_wait_s`` bounds
what retrying *adds*; ``max_elapsed_s`` is a hard deadline for callers that need one.

The backend under it must not retry by itself (``OpenAIBackend`` sets ``max_retries=0``).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence

import structlog
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from opsrelay.models.base import ChatBackend, ChatMessage, ChatRequest, ChatResponse
from opsrelay.models.context import ContextWindow
from opsrelay.models.errors import TransientProviderError

__all__ = ["RetryingBackend"]

_log = structlog.get_logger("opsrelay.models")


class _CallState:
    """Per-call bookkeeping (tenacity's own clock counts real time, not injected sleeps)."""

    def __init__(self) -> None:
        self.attempts = 0
        self.attempt_time = 0.0
        self.waited = 0.0


class RetryingBackend:
    """Wrap a backend with bounded, logged retries of transient provider errors.

    Args:
        inner: the backend to call (one request per call, no retries of its own).
        max_attempts: attempts in total, first one included (>= 1).
        max_wait_s: bound on the total time spent waiting between attempts.
        max_elapsed_s: optional bound on the whole call: attempts plus waits (None: no bound
            beyond ``max_attempts`` × the inner timeout + ``max_wait_s``).
        base_delay_s: first backoff delay; doubles per retry.
        max_delay_s: cap on any single wait, including a server's ``Retry-After``.
        sleep: how to wait (inject a fake in tests).
        clock: monotonic clock used to measure attempt durations (inject with ``sleep``).
        rng: uniform [0, 1) source for jitter.

    """

    def __init__(
        self,
        inner: ChatBackend,
        *,
        max_attempts: int = 5,
        max_wait_s: float = 60.0,
        max_elapsed_s: float | None = None,
        base_delay_s: float = 0.5,
        max_delay_s: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if max_wait_s < 0 or base_delay_s < 0 or max_delay_s < 0:
            raise ValueError("delays must be >= 0")
        self.inner = inner
        self.max_attempts = max_attempts
        self.max_wait_s = max_wait_s
        self.max_elapsed_s = max_elapsed_s
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._rng_lock = threading.Lock()

    @property
    def spec(self) -> str:
        """The inner backend's spec (retrying does not change what answers)."""
        return self.inner.spec

    def context_window(self) -> ContextWindow:
        """The inner backend's window (asking the server about itself is not retried: it is optional)."""
        return self.inner.context_window()

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """The inner backend's count."""
        return self.inner.count_tokens(messages)

    def close(self) -> None:
        """Close the inner backend if it has a ``close()``."""
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()

    # -- policy -----------------------------------------------------------------------------

    def _jitter(self) -> float:
        with self._rng_lock:
            return self._rng()

    def next_wait(self, attempt: int, error: TransientProviderError) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based).

        ``Retry-After`` when the server sent one (plus up to 10 % jitter so that parallel callers
        do not return in lockstep), else ``base * 2**(attempt-1)`` with "equal jitter"
        (between half and all of it); both capped at ``max_delay_s``.
        """
        if error.retry_after is not None:
            wait = error.retry_after * (1.0 + 0.1 * self._jitter())
        else:
            backoff = self.base_delay_s * (2.0 ** (attempt - 1))
            wait = min(backoff, self.max_delay_s) * (0.5 + 0.5 * self._jitter())
        return min(wait, self.max_delay_s)

    # -- the call ---------------------------------------------------------------------------

    def complete(self, request: ChatRequest) -> ChatResponse:
        """Call the inner backend, retrying transient errors within the bounds.

        Raises:
            TransientProviderError: the last transient error once attempts or time run out,
                with the number of attempts and the time spent appended to its message.
            Any other exception from the inner backend, unchanged, on its first occurrence.

        """
        state = _CallState()

        def attempt() -> ChatResponse:
            state.attempts += 1
            started = self._clock()
            try:
                return self.inner.complete(request)
            finally:
                state.attempt_time += max(0.0, self._clock() - started)

        def wait(rs: RetryCallState) -> float:
            exc = rs.outcome.exception() if rs.outcome is not None else None
            assert isinstance(exc, TransientProviderError)
            return self.next_wait(rs.attempt_number, exc)

        def stop(rs: RetryCallState) -> bool:
            if rs.attempt_number >= self.max_attempts:
                return True
            if state.waited + rs.upcoming_sleep > self.max_wait_s:
                return True
            elapsed = state.attempt_time + state.waited + rs.upcoming_sleep
            return self.max_elapsed_s is not None and elapsed > self.max_elapsed_s

        def before_sleep(rs: RetryCallState) -> None:
            exc = rs.outcome.exception() if rs.outcome is not None else None
            assert isinstance(exc, TransientProviderError)
            state.waited += rs.upcoming_sleep
            _log.warning(
                "model.retry",
                model=self.inner.spec,
                purpose=request.purpose,
                attempt=rs.attempt_number,
                max_attempts=self.max_attempts,
                wait=round(rs.upcoming_sleep, 3),
                status=exc.status,
                kind=exc.kind,
                retry_after=exc.retry_after,
                error=str(exc),
            )

        retrying = Retrying(
            retry=retry_if_exception_type(TransientProviderError),
            stop=stop,
            wait=wait,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except TransientProviderError as exc:
            attempts = state.attempts
            spent = state.attempt_time + state.waited
            _log.error(
                "model.gave_up",
                model=self.inner.spec,
                purpose=request.purpose,
                attempts=attempts,
                seconds=round(spent, 3),
                status=exc.status,
                kind=exc.kind,
            )
            raise TransientProviderError(
                f"{exc} (gave up after {attempts} attempt{'s' if attempts != 1 else ''} in {spent:.1f} s)",
                kind=exc.kind,
                status=exc.status,
                retry_after=exc.retry_after,
                attempts=attempts,
            ) from exc
