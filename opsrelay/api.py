"""The Python API: run one handoff, or review a document. The CLI is a thin layer over this."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

from opsrelay.errors import InputError, OpsrelayError

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig
from opsrelay.handoff import Handoff, StopReason
from opsrelay.ingest import IngestedQA, load_qa
from opsrelay.models.base import ChatBackend
from opsrelay.review import review_document
from opsrelay.review.model import Review
from opsrelay.settings import DEFAULT_MAX_BYTES, RunSettings

__all__ = ["HandoffOptions", "HandoffResult", "review_document", "run_handoff", "stream_handoff"]


@dataclass(frozen=True)
class HandoffResult:
    """What one handoff run produced."""

    operations_md: str
    handoff: Handoff
    review: Review
    stop_reason: StopReason
    out_dir: Path | None

    @property
    def approved(self) -> bool:
        """True when the emitted document passed review."""
        return self.review.verdict == "pass"

    @property
    def exit_code(self) -> Literal[0, 4]:
        """The CLI's exit code for this result: 0 approved, 4 emitted with review blockers."""
        return 0 if self.approved else 4


def _settings(**kwargs: Any) -> RunSettings:
    try:
        return RunSettings(**kwargs)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        first = str(exc).splitlines()
        raise InputError(f"invalid setting: {' '.join(first[1:3]).strip() or first[0]}") from None


def _backend_for(
    settings: RunSettings, backend: ChatBackend | None, **model_kwargs: Any
) -> ChatBackend | None:
    if backend is not None or settings.model == "offline":
        return backend
    from opsrelay.models.factory import make_backend, parse_model_spec

    return make_backend(parse_model_spec(settings.model), **model_kwargs)


class HandoffOptions(TypedDict, total=False):
    """Keyword options of :func:`run_handoff` and :func:`stream_handoff` (all optional)."""

    evidence: Sequence[str | Path]
    out_dir: str | Path | None
    model: str | None
    backend: ChatBackend | None
    max_revisions: int
    concurrency: int
    date: str | None
    max_bytes: int
    thread_id: str | None
    base_url: str | None
    api_key: str | None
    record: str | Path | None
    timeout_s: float
    strict_replay: bool
    budget_tokens: int | None


def stream_handoff(
    source: str | Path | IngestedQA, **options: Unpack[HandoffOptions]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Run a handoff and yield ``(node, update)`` as each node finishes; the last update is from emit.

    Same arguments as :func:`run_handoff`; used by the CLI to show progress.
    """
    out_dir = options.get("out_dir", "artifacts")
    model = options.get("model") or os.environ.get("OPSRELAY_MODEL") or "offline"
    settings = _settings(
        model=model,
        max_revisions=options.get("max_revisions", 2),
        concurrency=options.get("concurrency", 8),
        date=options.get("date"),
        out_dir=Path(out_dir) if out_dir is not None else None,
        max_bytes=options.get("max_bytes", DEFAULT_MAX_BYTES),
        budget_tokens=options.get("budget_tokens"),
    )
    if settings.out_dir is not None:
        from opsrelay.emit import check_output_dir

        check_output_dir(settings.out_dir)
    qa = (
        source
        if isinstance(source, IngestedQA)
        else load_qa(
            source, evidence=[Path(e) for e in options.get("evidence", ())], max_bytes=settings.max_bytes
        )
    )
    record = options.get("record")
    chat = _backend_for(
        settings,
        options.get("backend"),
        base_url=options.get("base_url") or os.environ.get("OPENAI_BASE_URL"),
        api_key=options.get("api_key") or os.environ.get("OPENAI_API_KEY"),
        record_path=Path(record) if record else None,
        timeout_s=options.get("timeout_s", 60.0),
        strict_replay=options.get("strict_replay", False),
    )
    from opsrelay.agents.devops.state import DevOpsInput
    from opsrelay.graph import build_graph

    graph = build_graph(chat, settings)
    config: RunnableConfig = {"configurable": {"thread_id": options.get("thread_id") or uuid.uuid4().hex}}
    for chunk in graph.stream(DevOpsInput(qa=qa), config, stream_mode="updates"):
        for node, update in chunk.items():
            yield node, update or {}
    if chat is not None:
        # Flush a recording / check a strict replay only after a successful run, so a failure
        # is reported as itself and never leaves a cassette of a half run.
        from opsrelay.models.factory import close_backend

        close_backend(chat)


def run_handoff(source: str | Path | IngestedQA, **options: Unpack[HandoffOptions]) -> HandoffResult:
    """Turn a QA report into a reviewed OPERATIONS.md and a handoff envelope.

    ``source`` is a path to the QA document (Markdown, or a JSON handoff envelope), ``"-"`` for
    stdin, or an :class:`~opsrelay.ingest.IngestedQA`. ``evidence`` adds JUnit / coverage XML.
    ``out_dir`` is where ``OPERATIONS.md`` and ``handoff.json`` are written (``None``: nowhere).
    ``model`` is a model spec (default ``$OPSRELAY_MODEL`` or ``offline``); ``backend`` injects a
    ready :class:`~opsrelay.models.base.ChatBackend` instead. ``date`` fixes the changelog date
    (YYYY-MM-DD) for reproducible output. ``record`` writes a replay cassette of a live run.

    Raises :class:`~opsrelay.errors.InputError` on bad input (nothing written) and
    :class:`~opsrelay.errors.ProviderError` when the model fails after retries (nothing written).
    """
    final: dict[str, Any] = {}
    for node, update in stream_handoff(source, **options):
        if node == "emit":
            final = update
    if not final:
        raise OpsrelayError("the graph finished without emitting")
    return HandoffResult(
        operations_md=final["operations_md"],
        handoff=final["handoff"],
        review=final["review"],
        stop_reason=final["stop_reason"],
        out_dir=Path(out) if (out := options.get("out_dir", "artifacts")) is not None else None,
    )
