"""The one factory behind ``--model`` / ``OPSRELAY_MODEL``.

Nothing here reads the environment: the CLI / API reads ``OPSRELAY_MODEL``, ``OPENAI_API_KEY``
and ``OPENAI_BASE_URL`` and passes the values in, so that library users and tests control them.

Stack for a live model with ``--record``::

    RecordingBackend(RetryingBackend(LimitedBackend(OpenAIBackend(...))), path)

so that the cassette holds what finally succeeded, not each failed attempt; and a replay is
``LimitedBackend(ReplayBackend(...))``.

Where the request cap sits: :class:`~opsrelay.models.limit.LimitedBackend` wraps the innermost
backend, the one that talks to the server, and nothing else. Below the retry layer, each attempt
takes its own slot and gives it back before the back-off sleep, so a request waiting to retry
never keeps another one off the wire (a wrapper rather than code in the retry loop: the retry
layer stays about retrying, and a replay, which has no retry layer, is limited the same way,
so a replayed run sends its requests in the same pattern as the live run it recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from opsrelay.errors import InputError, ProviderError
from opsrelay.models.base import ChatBackend, model_name_of
from opsrelay.models.cassette import RecordingBackend, ReplayBackend
from opsrelay.models.limit import DEFAULT_CONCURRENCY, LimitedBackend
from opsrelay.models.retry import RetryingBackend

__all__ = ["VALID_SPECS", "ModelSpec", "close_backend", "make_backend", "model_name_of", "parse_model_spec"]

VALID_SPECS = "'offline', 'openai:<model>' (e.g. openai:gpt-4.1-mini) or 'replay:<cassette.json>'"


@dataclass(frozen=True)
class ModelSpec:
    """A parsed model spec.

    ``kind`` is ``offline``, ``openai`` or ``replay``; ``name`` is the provider model name for
    ``openai`` (empty otherwise); ``path`` is the cassette for ``replay`` (None otherwise).
    """

    kind: Literal["offline", "openai", "replay"]
    name: str = ""
    path: Path | None = None

    def __str__(self) -> str:
        if self.kind == "openai":
            return f"openai:{self.name}"
        if self.kind == "replay":
            return f"replay:{self.path}"
        return "offline"

    @property
    def is_live(self) -> bool:
        """True when calls go to a real provider (and cost money)."""
        return self.kind == "openai"


def parse_model_spec(spec: str) -> ModelSpec:
    """Parse ``offline`` | ``openai:<name>`` | ``replay:<path>`` (prefixes case-insensitive).

    Raises:
        InputError: anything else, with one line listing the valid forms.

    """
    text = (spec or "").strip()
    prefix, sep, rest = text.partition(":")
    kind = prefix.strip().lower()
    rest = rest.strip()
    if not sep and kind == "offline":
        return ModelSpec("offline")
    if sep and kind == "openai" and rest and not any(ch.isspace() for ch in rest):
        return ModelSpec("openai", name=rest)
    if sep and kind == "replay" and rest:
        return ModelSpec("replay", path=Path(rest).expanduser())
    raise InputError(f"invalid model spec {text!r}: use {VALID_SPECS}")


def make_backend(
    spec: ModelSpec,
    *,
    base_url: str | None,
    api_key: str | None,
    record_path: Path | None,
    timeout_s: float,
    strict_replay: bool,
    max_attempts: int = 5,
    max_wait_s: float = 60.0,
    max_elapsed_s: float | None = None,
    structured_output: str = "auto",
    context_window: int | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> ChatBackend | None:
    """Build the backend for ``spec``; ``None`` for ``offline`` (the built-in engine).

    Args:
        spec: from :func:`parse_model_spec`.
        base_url: OpenAI-compatible server root (``OPENAI_BASE_URL`` / ``--base-url``); None for
            api.openai.com. Ignored for replay.
        api_key: ``OPENAI_API_KEY``; required for ``openai:``.
        record_path: ``--record``: write every exchange of the live backend to this cassette.
        timeout_s: the longest wait for the first token and between two tokens of an answer.
        strict_replay: replay fails at :func:`close_backend` if recorded answers were unused.
        max_attempts: retry bound: attempts in total per call.
        max_wait_s: retry bound: seconds spent waiting between attempts, per call.
        max_elapsed_s: optional hard deadline per call (attempts plus waits).
        structured_output: ``auto`` | ``json_schema`` | ``json_object`` | ``tools``: how
            JSON-schema requests are sent to an ``openai:`` model (``--structured-output``).
        context_window: configured window in tokens (``--context-window``); None asks the
            server, else the table of known models. Ignored for replay, which returns the
            recorded window.
        concurrency: this run's cap on model requests in flight, counted over the whole
            process (``--concurrency``; :mod:`opsrelay.models.limit`).

    Raises:
        ProviderError: ``openai:`` without a key (exit 3).
        InputError: ``--record`` with a spec that makes no live calls; unreadable cassette; an
            unknown structured-output mode, a window or a concurrency that is not positive.

    """
    if record_path is not None and not spec.is_live:
        raise InputError(
            f"--record needs a live model such as 'openai:<model>'; {str(spec)!r} makes no provider calls"
        )
    if spec.kind == "offline":
        return None
    if concurrency < 1:
        raise InputError(f"concurrency must be at least 1, got {concurrency}")
    if spec.kind == "replay":
        assert spec.path is not None
        return LimitedBackend(ReplayBackend(spec.path, strict=strict_replay), concurrency)
    if not api_key or not api_key.strip():
        raise ProviderError(
            f"OPENAI_API_KEY is not set (needed for {spec}; a local OpenAI-compatible server "
            "accepts any non-empty value)"
        )
    if timeout_s <= 0:
        raise InputError(f"timeout must be positive, got {timeout_s:g}")
    if context_window is not None and context_window <= 0:
        raise InputError(f"context window must be a positive number of tokens, got {context_window}")
    from opsrelay.models.openai_backend import STRUCTURED_MODES, OpenAIBackend, StructuredMode

    if structured_output not in STRUCTURED_MODES:
        raise InputError(
            f"invalid structured-output mode {structured_output!r}: use {' | '.join(STRUCTURED_MODES)}"
        )
    mode = cast(StructuredMode, structured_output)  # checked just above
    live: ChatBackend = RetryingBackend(
        LimitedBackend(
            OpenAIBackend(
                spec.name,
                base_url=base_url,
                api_key=api_key.strip(),
                timeout_s=timeout_s,
                structured_output=mode,
                context_window=context_window,
            ),
            concurrency,
        ),
        max_attempts=max_attempts,
        max_wait_s=max_wait_s,
        max_elapsed_s=max_elapsed_s,
    )
    if record_path is not None:
        return RecordingBackend(live, record_path)
    return live


def close_backend(backend: ChatBackend | None) -> None:
    """Finish a run's backend: flush a recording; in strict replay, check all answers were used.

    Call it after a successful run (a strict check after a failed run would hide the real error).
    """
    close = getattr(backend, "close", None)
    if callable(close):
        close()
