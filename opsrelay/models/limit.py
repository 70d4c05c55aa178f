"""One cap on model requests in flight for the whole process, shared by every handoff in it.

``opsrelay run --concurrency N`` (:attr:`~opsrelay.settings.RunSettings.concurrency`) and
``opsrelay batch --concurrency N`` mean the same thing: at most N model requests on the wire at
once, counted over the whole process. A batch of eight handoffs therefore sends at most N
requests to the server, not eight times N.

:data:`REQUESTS` is the process-wide :class:`RequestLimiter`: one in-flight counter. Each request
asks for a slot with the cap of the run that makes it and waits until fewer than that many
requests of the *whole process* are in flight, so two runs with different caps in one process
are both honoured (each run's requests start only below its own cap). Waiters are served first
come, first served: with mixed caps, the request at the head of the queue holds the line until
it fits (fairness over throughput: a run with a small cap is never starved by one with a large
cap).

:class:`LimitedBackend` takes a slot around each call of the backend under it. The factory
puts it directly around the backend that talks to the server (under the retry layer), so a
slot is held only while a request is on the wire, never during a retry's back-off sleep.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: the CLI imports DEFAULT_CONCURRENCY for --help, which stays light
    from opsrelay.models.base import ChatBackend, ChatMessage, ChatRequest, ChatResponse
    from opsrelay.models.context import ContextWindow

__all__ = ["DEFAULT_CONCURRENCY", "REQUESTS", "LimitedBackend", "RequestLimiter", "limited"]

# The template drafts 13 sections in parallel (opsrelay.template.DRAFTED_SECTIONS): 16 lets one
# handoff have all of them in flight at once, with room for a facts or critic call.
DEFAULT_CONCURRENCY = 16


class RequestLimiter:
    """A counter of requests in flight, each admitted under its own cap, first come first served.

    Thread-safe. ``acquire(cap)`` returns once this caller is first in line and fewer than
    ``cap`` slots are taken; ``release()`` gives the slot back. Use :meth:`slot` as a context
    manager rather than pairing the two by hand.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: deque[object] = deque()
        self._in_flight = 0
        self._peak = 0

    @property
    def in_flight(self) -> int:
        """Slots taken now."""
        with self._cond:
            return self._in_flight

    @property
    def waiting(self) -> int:
        """Callers waiting for a slot now."""
        with self._cond:
            return len(self._queue)

    @property
    def peak(self) -> int:
        """Most slots taken at once since creation."""
        with self._cond:
            return self._peak

    def acquire(self, cap: int) -> None:
        """Wait until first in line and fewer than ``cap`` slots are taken, then take one.

        Raises:
            ValueError: ``cap`` below 1 (such a request could never start).

        """
        if cap < 1:
            raise ValueError(f"request cap must be at least 1, got {cap}")
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            try:
                while self._queue[0] is not ticket or self._in_flight >= cap:
                    self._cond.wait()
            except BaseException:  # interrupted while waiting: leave the line, let the next one in
                self._queue.remove(ticket)
                self._cond.notify_all()
                raise
            self._queue.popleft()
            self._in_flight += 1
            self._peak = max(self._peak, self._in_flight)
            self._cond.notify_all()  # the next in line may fit as well

    def release(self) -> None:
        """Give a slot back."""
        with self._cond:
            if self._in_flight <= 0:
                raise RuntimeError("release() without a slot taken")
            self._in_flight -= 1
            self._cond.notify_all()

    @contextmanager
    def slot(self, cap: int) -> Iterator[None]:
        """Hold one slot (admitted under ``cap``) for the duration of the block."""
        self.acquire(cap)
        try:
            yield
        finally:
            self.release()


REQUESTS = RequestLimiter()
"""The process-wide limiter every :class:`LimitedBackend` uses unless given another."""


class LimitedBackend:
    """Take a slot of ``limiter`` (admitted under ``cap``) around each call of ``inner``.

    Put it around the backend that talks to the server, under any retry layer: then a slot is
    held only while a request is on the wire. Everything but :meth:`complete` is passed through.

    Args:
        inner: the backend to call.
        cap: this run's cap on requests in flight in the whole process (>= 1).
        limiter: the counter to share; the process-wide :data:`REQUESTS` by default.

    """

    def __init__(self, inner: ChatBackend, cap: int, *, limiter: RequestLimiter | None = None) -> None:
        if cap < 1:
            raise ValueError(f"request cap must be at least 1, got {cap}")
        self.inner = inner
        self.cap = cap
        self.limiter = limiter if limiter is not None else REQUESTS

    @property
    def spec(self) -> str:
        """The inner backend's spec (limiting does not change what answers)."""
        return self.inner.spec

    @property
    def structured_mode(self) -> str | None:
        """The inner backend's structured-output mode, if it has one (read by the drafter)."""
        mode = getattr(self.inner, "structured_mode", None)
        return mode if isinstance(mode, str) else None

    def complete(self, request: ChatRequest) -> ChatResponse:
        """Call ``inner`` while holding one slot."""
        with self.limiter.slot(self.cap):
            return self.inner.complete(request)

    # The next two are the inner backend's own methods, not wrappers: a hand-built backend
    # without one (the drafter tolerates that) then lacks it here too, and the drafter falls back
    # exactly as it would without this layer. Neither is a model request: neither is limited.

    @property
    def context_window(self) -> Callable[[], ContextWindow]:
        """The inner backend's ``context_window`` method."""
        return self.inner.context_window

    @property
    def count_tokens(self) -> Callable[[Sequence[ChatMessage]], int]:
        """The inner backend's ``count_tokens`` method."""
        return self.inner.count_tokens

    def close(self) -> None:
        """Close the inner backend if it has a ``close()``."""
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()


def limited(backend: ChatBackend, cap: int) -> ChatBackend:
    """``backend`` under the process-wide cap: itself when a layer of it is limited already.

    For backends a caller built by hand (``run_handoff(backend=…)``). One built by
    :func:`~opsrelay.models.factory.make_backend` is limited below its retry layer already and
    keeps the cap it was made with; a hand-built one is wrapped whole (so its own retries, if
    any, hold their slot while they wait).
    """
    from opsrelay.models.base import layers  # here: this module stays light for the CLI

    if any(isinstance(layer, LimitedBackend) for layer in layers(backend)):
        return backend
    return LimitedBackend(backend, cap)
