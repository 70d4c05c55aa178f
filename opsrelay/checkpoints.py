"""Durable runs: where checkpoints live, what a run's fingerprint is, and listing/pruning them.

A checkpoint carries a :class:`RunRecord` in the graph state (written with the input, so it is
in the very first checkpoint): the fingerprint of graph version, prompt version and input, plus
the run settings needed to resume. A thread started with another input, or checkpointed by
another graph or prompt version, is refused rather than silently resumed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

# RunRecord is a state type, so it lives with the state (state no longer imports this module).
from opsrelay.agents.devops.state import CHECKPOINTED_TYPES, RunRecord
from opsrelay.errors import InputError
from opsrelay.settings import RunSettings

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from opsrelay.ingest import IngestedQA

__all__ = [
    "DEFAULT_CHECKPOINT",
    "GRAPH_VERSION",
    "RunRecord",
    "ThreadInfo",
    "check_resumable",
    "current_versions",
    "input_fingerprint",
    "list_threads",
    "new_record",
    "open_checkpointer",
    "prune_threads",
]

DEFAULT_CHECKPOINT = Path(".opsrelay") / "checkpoints.sqlite"
# Bump when nodes, routes or state change shape: old checkpoints then no longer resume.
GRAPH_VERSION = "2"


def input_fingerprint(qa: IngestedQA) -> str:
    """sha256 over the QA document and everything extracted from it (evidence files included)."""
    digest = hashlib.sha256(qa.sha256.encode())
    digest.update(qa.facts.model_dump_json().encode())
    return digest.hexdigest()


def current_versions() -> tuple[str, str]:
    """(graph version, prompt version) of this installation."""
    from opsrelay import prompts

    return GRAPH_VERSION, prompts.prompt_version()


def new_record(*, input_sha256: str, source: str, settings: RunSettings, base_url: str | None) -> RunRecord:
    """A run record for a thread being started now."""
    graph_version, prompt_version = current_versions()
    return RunRecord(
        graph_version=graph_version,
        prompt_version=prompt_version,
        input_sha256=input_sha256,
        source=source,
        settings=settings,
        base_url=base_url,
        started_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def check_resumable(record: RunRecord, thread_id: str) -> None:
    """Refuse a checkpoint made by another graph or prompt version."""
    graph_version, prompt_version = current_versions()
    if record.graph_version != graph_version:
        raise InputError(
            f"thread {thread_id} was checkpointed by graph version {record.graph_version}, this is "
            f"{graph_version}: start a new run instead of resuming"
        )
    if record.prompt_version != prompt_version:
        raise InputError(
            f"thread {thread_id} was checkpointed with prompt version {record.prompt_version}, this is "
            f"{prompt_version}: start a new run instead of resuming"
        )


def _allowlist() -> list[tuple[str, ...]]:
    """Types our state stores, so the checkpoint serializer restores them (and nothing else)."""
    return sorted({(t.__module__, t.__name__) for t in CHECKPOINTED_TYPES})


def _serializer() -> Any:
    """LangGraph's serializer restricted to our state types: a checkpoint restores nothing else."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    return JsonPlusSerializer(allowed_msgpack_modules=_allowlist())


@contextlib.contextmanager
def open_checkpointer(where: str | Path) -> Iterator[BaseCheckpointSaver[Any]]:
    """Open a checkpoint store: a SQLite file path, or a ``postgresql://`` URL."""
    text = str(where)
    if text.startswith(("postgresql://", "postgres://")):
        try:
            from langgraph.checkpoint.postgres import PostgresSaver
        except ImportError:
            raise InputError(
                "--checkpoint postgresql://… needs langgraph-checkpoint-postgres: "
                "pip install 'opsrelay[postgres]'"
            ) from None
        try:
            with PostgresSaver.from_conn_string(text) as saver:
                saver.setup()
                saver.serde = _serializer()
                yield saver
        except InputError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg"):
                raise InputError(f"--checkpoint: cannot use PostgreSQL: {str(exc).splitlines()[0]}") from None
            raise
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = Path(text)
    if path.exists() and path.is_dir():
        raise InputError(f"--checkpoint {path}: is a folder, not a SQLite file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--checkpoint {path}: cannot create its folder ({exc.strerror})") from None
    with SqliteSaver.from_conn_string(str(path)) as saver:
        saver.serde = _serializer()
        yield saver


@dataclass(frozen=True)
class ThreadInfo:
    """One checkpointed thread, for ``opsrelay checkpoints list``."""

    thread_id: str
    source: str
    started_at: str
    finished: bool
    step: int


def list_threads(saver: BaseCheckpointSaver[Any]) -> list[ThreadInfo]:
    """Every thread in the store with its latest checkpoint's status, newest first."""
    latest: dict[str, Any] = {}
    for tup in saver.list(None):
        tid = str(tup.config["configurable"]["thread_id"])
        if tid not in latest and not tup.config["configurable"].get("checkpoint_ns"):
            latest[tid] = tup
    out = []
    for tid, tup in latest.items():
        values = tup.checkpoint.get("channel_values", {})
        record = values.get("run")
        finished = "operations_md" in values or "handoff" in values
        out.append(
            ThreadInfo(
                thread_id=tid,
                source=record.source if isinstance(record, RunRecord) else "?",
                started_at=record.started_at if isinstance(record, RunRecord) else "?",
                finished=finished,
                step=int(tup.metadata.get("step", -1)) if tup.metadata else -1,
            )
        )
    return sorted(out, key=lambda t: t.started_at, reverse=True)


def prune_threads(
    saver: BaseCheckpointSaver[Any], *, older_than_days: float | None, finished_only: bool
) -> list[str]:
    """Delete threads started more than ``older_than_days`` ago (all when None); return their ids."""
    cutoff = None
    if older_than_days is not None:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=older_than_days)
    removed = []
    for info in list_threads(saver):
        if finished_only and not info.finished:
            continue
        if cutoff is not None:
            try:
                started = dt.datetime.fromisoformat(info.started_at)
            except ValueError:
                continue
            if started > cutoff:
                continue
        saver.delete_thread(info.thread_id)
        removed.append(info.thread_id)
    return removed
