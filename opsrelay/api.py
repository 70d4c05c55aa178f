"""The Python API: run one handoff, resume or approve one, or review a document.

The CLI is a thin layer over this module. Heavy imports (langgraph, langchain) happen inside the
functions that need them.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

from opsrelay.errors import InputError, OpsrelayError
from opsrelay.handoff import Handoff, StopReason
from opsrelay.ingest import IngestedQA, load_qa
from opsrelay.models.base import ChatBackend
from opsrelay.review import review_document
from opsrelay.review.model import Review
from opsrelay.settings import DEFAULT_CONCURRENCY, DEFAULT_MAX_BYTES, RunSettings

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from opsrelay.agents.devops.state import RunRecord

__all__ = [
    "ApprovalPending",
    "HandoffOptions",
    "HandoffResult",
    "Rejected",
    "approve_handoff",
    "collect_result",
    "resume_handoff",
    "review_document",
    "run_handoff",
    "stream_handoff",
]


class ApprovalPending(OpsrelayError):
    """The run paused before emit for a human decision (``--approve``); nothing is written yet."""

    exit_code = 5

    def __init__(self, thread_id: str, verdict: str, score: int) -> None:
        super().__init__(
            f"thread {thread_id} awaits approval (review verdict {verdict}, score {score}): "
            f"run `opsrelay approve {thread_id}` or `opsrelay reject {thread_id}`"
        )
        self.thread_id = thread_id


class Rejected(OpsrelayError):
    """A human rejected the draft at the approval gate; nothing was written."""

    exit_code = 4


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
    checkpoint: str | Path | None
    approve: bool
    base_url: str | None
    api_key: str | None
    record: str | Path | None
    timeout_s: float
    strict_replay: bool
    budget_tokens: int | None
    section_max_tokens: int | None
    decide_max_tokens: int | None
    critic_max_tokens: int | None
    context_window: int | None
    structured_output: str | None


def _settings(**kwargs: Any) -> RunSettings:
    try:
        return RunSettings(**kwargs)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        first = str(exc).splitlines()
        raise InputError(f"invalid setting: {' '.join(first[1:3]).strip() or first[0]}") from None


# Run settings a caller may leave to the environment: option name → variable (whole numbers
# of tokens, except the structured-output mode).
_FROM_ENV = {
    "section_max_tokens": "OPSRELAY_SECTION_MAX_TOKENS",
    "decide_max_tokens": "OPSRELAY_DECIDE_MAX_TOKENS",
    "critic_max_tokens": "OPSRELAY_CRITIC_MAX_TOKENS",
    "context_window": "OPSRELAY_CONTEXT_WINDOW",
    "structured_output": "OPSRELAY_STRUCTURED_OUTPUT",
}


def _env_settings(options: HandoffOptions) -> dict[str, Any]:
    """Output caps, context window and structured-output mode: the option, else its variable.

    Absent ones keep the RunSettings default; a variable that is not a whole number is an
    InputError naming it.
    """
    out: dict[str, Any] = {}
    for name, env in _FROM_ENV.items():
        value: Any = options.get(name)
        raw = os.environ.get(env)
        if value in (None, "") and raw:
            if name == "structured_output":
                value = raw
            else:
                try:
                    value = int(raw)
                except ValueError:
                    raise InputError(f"{env} must be a whole number of tokens, not {raw!r}") from None
        if value not in (None, ""):
            out[name] = value
    return out


def _backend_for(
    settings: RunSettings, backend: ChatBackend | None, **model_kwargs: Any
) -> ChatBackend | None:
    if backend is not None or settings.model == "offline":
        return backend
    from opsrelay.models.factory import make_backend, parse_model_spec

    # The window, the structured-output mode and the request cap are run settings (a resumed
    # run keeps them).
    model_kwargs.setdefault("context_window", settings.context_window)
    model_kwargs.setdefault("structured_output", settings.structured_output)
    model_kwargs.setdefault("concurrency", settings.concurrency)
    return make_backend(parse_model_spec(settings.model), **model_kwargs)


@contextlib.contextmanager
def _store(checkpoint: str | Path | None) -> Iterator[BaseCheckpointSaver[Any] | None]:
    if checkpoint is None:
        yield None
        return
    from opsrelay.checkpoints import open_checkpointer

    with open_checkpointer(checkpoint) as saver:
        yield saver


def _drive(
    graph: Any, graph_input: Any, config: RunnableConfig, *, durable: bool
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Stream a graph run as (node, update) pairs; raise ApprovalPending at an interrupt."""
    thread_id = str(config["configurable"]["thread_id"])
    pending: dict[str, Any] | None = None
    # Each step is saved before the next starts, so a killed run resumes where it stopped.
    extra = {"durability": "sync"} if durable else {}
    stream = graph.stream(graph_input, config, stream_mode="updates", **extra)
    # Close the stream before leaving, whatever happens: LangGraph finishes its background
    # checkpoint writes on close, and they must land before the checkpoint store is closed.
    with contextlib.closing(stream):
        for chunk in stream:
            for node, update in chunk.items():
                if node == "__interrupt__":
                    pending = update[0].value if update else {}
                    continue
                yield node, update or {}
    if pending is not None:
        raise ApprovalPending(thread_id, str(pending.get("verdict")), int(pending.get("score", 0)))


def stream_handoff(
    source: str | Path | IngestedQA, **options: Unpack[HandoffOptions]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Run a handoff and yield ``(node, update)`` as each node finishes; the last update is from emit.

    Same arguments as :func:`run_handoff`; used by the CLI to show progress. The first item is
    ``("thread", {"thread_id": …})`` so a caller can show the id before any work starts.
    """
    out_dir = options.get("out_dir", "artifacts")
    model = options.get("model") or os.environ.get("OPSRELAY_MODEL") or "offline"
    settings = _settings(
        model=model,
        max_revisions=options.get("max_revisions", 2),
        concurrency=options.get("concurrency", DEFAULT_CONCURRENCY),
        date=options.get("date"),
        out_dir=Path(out_dir) if out_dir is not None else None,
        max_bytes=options.get("max_bytes", DEFAULT_MAX_BYTES),
        budget_tokens=options.get("budget_tokens"),
        require_approval=options.get("approve", False),
        **_env_settings(options),
    )
    checkpoint = options.get("checkpoint")
    if settings.require_approval and checkpoint is None:
        raise InputError("--approve needs a checkpoint store to pause in (do not pass --no-checkpoint)")
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
    base_url = options.get("base_url") or os.environ.get("OPENAI_BASE_URL")
    record = options.get("record")
    chat = _backend_for(
        settings,
        options.get("backend"),
        base_url=base_url,
        api_key=options.get("api_key") or os.environ.get("OPENAI_API_KEY"),
        record_path=Path(record) if record else None,
        timeout_s=options.get("timeout_s", 60.0),
        strict_replay=options.get("strict_replay", False),
    )
    from opsrelay.agents.devops.state import DevOpsInput
    from opsrelay.checkpoints import input_fingerprint, new_record
    from opsrelay.graph import build_graph

    thread_id = options.get("thread_id") or uuid.uuid4().hex
    config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    run_record = new_record(
        input_sha256=input_fingerprint(qa), source=qa.source_name, settings=settings, base_url=base_url
    )
    with _store(checkpoint) as saver:
        graph = build_graph(chat, settings, checkpointer=saver)
        if saver is not None:
            _refuse_reuse(graph, config, run_record)
        yield "thread", {"thread_id": thread_id}
        yield from _drive(graph, DevOpsInput(qa=qa, run=run_record), config, durable=saver is not None)
    _close(chat)


def _refuse_reuse(graph: Any, config: RunnableConfig, record: RunRecord) -> None:
    """A thread id may be reused only for the same input, and only once its last run finished."""
    state = graph.get_state(config)
    previous = state.values.get("run") if state.values else None
    if previous is None:
        return
    tid = config["configurable"]["thread_id"]
    if previous.input_sha256 != record.input_sha256:
        raise InputError(
            f"thread {tid} was started with a different input ({previous.source}); use a new --thread-id"
        )
    if state.next:
        raise InputError(f"thread {tid} has an unfinished run: continue it with `opsrelay resume {tid}`")


def _close(chat: ChatBackend | None) -> None:
    if chat is not None:
        # Flush a recording / check a strict replay only after a successful run, so a failure
        # is reported as itself and never leaves a cassette of a half run.
        from opsrelay.models.factory import close_backend

        close_backend(chat)


def resume_handoff(
    thread_id: str,
    *,
    checkpoint: str | Path,
    out_dir: str | Path | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    decision: dict[str, Any] | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Continue a checkpointed run where it stopped; yields ``(node, update)`` like :func:`stream_handoff`.

    Completed nodes (and completed parallel section calls) are not run again. ``out_dir``
    overrides where the artifacts go. ``decision`` answers a pending approval
    (``{"approved": bool, "reason": str}``). A thread checkpointed by another graph or prompt
    version is refused with :class:`~opsrelay.errors.InputError`.
    """
    from langgraph.types import Command

    from opsrelay.agents.devops.state import RunRecord
    from opsrelay.checkpoints import check_resumable
    from opsrelay.graph import build_graph

    config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    with _store(checkpoint) as saver:
        assert saver is not None
        found = saver.get_tuple(config)
        record = found.checkpoint["channel_values"].get("run") if found else None
        if not isinstance(record, RunRecord):
            raise InputError(f"no opsrelay run with thread id {thread_id!r} in {checkpoint}")
        check_resumable(record, thread_id)
        settings = record.settings
        if out_dir is not None:
            settings = settings.model_copy(update={"out_dir": Path(out_dir)})
        if settings.out_dir is not None:
            from opsrelay.emit import check_output_dir

            check_output_dir(settings.out_dir)
        chat = _backend_for(
            settings,
            None,
            base_url=base_url or record.base_url or os.environ.get("OPENAI_BASE_URL"),
            api_key=api_key or os.environ.get("OPENAI_API_KEY"),
            record_path=None,
            timeout_s=60.0,
            strict_replay=False,
        )
        graph = build_graph(chat, settings, checkpointer=saver)
        state = graph.get_state(config)
        if not state.next:
            raise InputError(f"thread {thread_id} already finished: nothing to resume")
        waiting = any(task.interrupts for task in state.tasks)
        if decision is not None and not waiting:
            raise InputError(f"thread {thread_id} is not waiting for approval")
        graph_input: Command[Any] | None = Command(resume=decision) if decision is not None else None
        yield "thread", {"thread_id": thread_id}
        yield from _drive(graph, graph_input, config, durable=True)
    _close(chat)


def approve_handoff(
    thread_id: str, *, checkpoint: str | Path, approved: bool = True, reason: str = "", **kwargs: Any
) -> HandoffResult:
    """Answer a paused run's approval gate: emit it (approved) or end it without writing (rejected)."""
    final = collect_result(
        resume_handoff(
            thread_id, checkpoint=checkpoint, decision={"approved": approved, "reason": reason}, **kwargs
        )
    )
    if final is None:
        raise Rejected(f"thread {thread_id} rejected{': ' + reason if reason else ''}; nothing written")
    return final


def collect_result(
    updates: Iterator[tuple[str, dict[str, Any]]], out_dir: Path | None = None
) -> HandoffResult | None:
    """Drain a run's ``(node, update)`` stream; the result from emit, or None if nothing was emitted."""
    final: dict[str, Any] = {}
    for node, update in updates:
        if node == "emit":
            final = update
    if not final:
        return None
    handoff: Handoff = final["handoff"]
    path = handoff.artifact.path
    return HandoffResult(
        operations_md=final["operations_md"],
        handoff=handoff,
        review=final["review"],
        stop_reason=final["stop_reason"],
        out_dir=Path(path).parent if path else out_dir,
    )


def run_handoff(source: str | Path | IngestedQA, **options: Unpack[HandoffOptions]) -> HandoffResult:
    """Turn a QA report into a reviewed OPERATIONS.md and a handoff envelope.

    ``source`` is a path to the QA document (Markdown, or a JSON handoff envelope), ``"-"`` for
    stdin, or an :class:`~opsrelay.ingest.IngestedQA`. ``evidence`` adds JUnit / coverage XML.
    ``out_dir`` is where ``OPERATIONS.md`` and ``handoff.json`` are written (``None``: nowhere).
    ``model`` is a model spec (default ``$OPSRELAY_MODEL`` or ``offline``); ``backend`` injects a
    ready :class:`~opsrelay.models.base.ChatBackend` instead. ``date`` fixes the changelog date
    (YYYY-MM-DD) for reproducible output. ``record`` writes a replay cassette of a live run.
    ``concurrency`` (default 16) caps this run's model requests in flight, counted over every
    handoff in the process (:mod:`opsrelay.models.limit`). ``checkpoint`` (a SQLite path or
    ``postgresql://`` URL) makes the run resumable under ``thread_id``; ``approve`` pauses before
    emit (raises :class:`ApprovalPending`).

    Raises :class:`~opsrelay.errors.InputError` on bad input (nothing written) and
    :class:`~opsrelay.errors.ProviderError` when the model fails after retries (nothing written).
    """
    result = collect_result(stream_handoff(source, **options))
    if result is None:
        raise OpsrelayError("the graph finished without emitting")
    return result
