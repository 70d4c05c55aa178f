"""Many handoffs at once: one per QA report, each isolated from the others. No printing here.

:func:`discover_reports` turns a folder or a glob into report paths; :func:`run_batch` runs
:func:`opsrelay.api.run_handoff` for each in a thread pool, writing ``<out>/<unique stem>/``;
:func:`batch_exit_code` folds the per-report exit codes into one.

Each run builds its own graph and backend; a failure (bad input, provider error, internal
error) is recorded on its own :class:`BatchItem` and never stops or changes the other runs.
``jobs`` is the number of handoffs at once; ``concurrency`` is what it is for one run: the model
requests in flight at most, here for the whole batch (every run takes its requests' slots from
the one process-wide limiter, :mod:`opsrelay.models.limit`).
"""

from __future__ import annotations

import glob
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, Unpack

from opsrelay.errors import InputError, OpsrelayError
from opsrelay.models.base import ChatBackend
from opsrelay.models.limit import DEFAULT_CONCURRENCY

__all__ = [
    "DEFAULT_JOBS",
    "REPORT_SUFFIXES",
    "BatchItem",
    "BatchOptions",
    "batch_exit_code",
    "discover_reports",
    "output_dirs",
    "run_batch",
]

REPORT_SUFFIXES = (".md", ".json")
_GLOB_CHARS = frozenset("*?[")
# Which exit code a batch reports when runs disagree: an internal error first, then a provider
# failure, then bad input, then documents emitted with review blockers.
_EXIT_PRIORITY = (1, 3, 2, 4)
DEFAULT_JOBS = 4


class BatchOptions(TypedDict, total=False):
    """The :class:`~opsrelay.api.HandoffOptions` a batch passes to every run.

    Not here, on purpose: ``out_dir`` (each run gets its own folder), ``thread_id`` (each run is
    its own thread), ``record`` and ``strict_replay`` (one cassette cannot serve concurrent
    runs) and ``evidence`` (evidence belongs to one report, not to all of them).
    ``concurrency`` is :func:`run_batch`'s own argument (the cap on requests in flight for the
    whole batch). ``checkpoint`` and ``approve`` are not offered either: batch runs are not
    checkpointed and never pause.
    """

    model: str | None
    backend: ChatBackend | None
    max_revisions: int
    date: str | None
    max_bytes: int
    base_url: str | None
    api_key: str | None
    timeout_s: float
    budget_tokens: int | None
    context_window: int | None
    structured_output: str | None


@dataclass(frozen=True)
class BatchItem:
    """The outcome of one report's handoff in a batch.

    ``exit_code`` is what ``opsrelay run`` would have returned for this report (0 approved,
    4 emitted with review blockers, 2 bad input, 3 provider failure, 1 internal error);
    ``verdict``, ``score`` and ``stop_reason`` are set when a document was emitted, ``error``
    when none was.
    """

    path: Path
    out_dir: Path
    exit_code: int
    verdict: str | None = None
    score: int | None = None
    stop_reason: str | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when a document was emitted (approved or not)."""
        return self.error is None


def discover_reports(pattern_or_dir: str) -> list[Path]:
    """The QA reports a batch runs on, sorted.

    A folder gives its ``*.md`` and ``*.json`` files (not its subfolders, not hidden files); a
    glob gives the files it matches, recursively only where it says ``**``; a file gives itself.

    Raises:
        InputError: nothing matched.

    """
    text = pattern_or_dir.strip()
    if not text:
        raise InputError("no QA reports given: pass a folder or a glob such as 'qa/*.md'")
    folder = Path(text).expanduser()
    if folder.is_dir():
        found = [
            p
            for p in folder.iterdir()
            if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES and not p.name.startswith(".")
        ]
        if not found:
            raise InputError(f"no QA reports (*.md, *.json) in folder {text}")
        return sorted(found)
    expanded = str(folder)
    if not _GLOB_CHARS.intersection(expanded):
        if folder.is_file():
            return [folder]
        raise InputError(f"no such folder or file: {text}")
    found = [Path(p) for p in glob.glob(expanded, recursive=True) if Path(p).is_file()]
    if not found:
        raise InputError(f"no files match {text}")
    return sorted(set(found))


def output_dirs(paths: Sequence[Path], out_dir: Path) -> list[Path]:
    """One output folder per report: ``out_dir/<stem>``, with ``-2``, ``-3``… for equal stems.

    Names are compared case-insensitively, so the folders stay distinct on macOS and Windows.
    """
    used: set[str] = set()
    dirs = []
    for path in paths:
        stem = path.stem or "report"
        name, n = stem, 1
        while name.casefold() in used:
            n += 1
            name = f"{stem}-{n}"
        used.add(name.casefold())
        dirs.append(out_dir / name)
    return dirs


def _run_one(path: Path, out: Path, concurrency: int, options: BatchOptions) -> BatchItem:
    from opsrelay.api import run_handoff

    start = time.perf_counter()
    try:
        result = run_handoff(path, out_dir=out, concurrency=concurrency, **options)
    except OpsrelayError as exc:
        return BatchItem(
            path=path,
            out_dir=out,
            exit_code=exc.exit_code,
            error=str(exc) or type(exc).__name__,
            seconds=time.perf_counter() - start,
        )
    except Exception as exc:  # one run's bug must not take the batch down
        return BatchItem(
            path=path,
            out_dir=out,
            exit_code=1,
            error=f"internal error: {type(exc).__name__}: {exc}",
            seconds=time.perf_counter() - start,
        )
    return BatchItem(
        path=path,
        out_dir=out,
        exit_code=result.exit_code,
        verdict=result.review.verdict,
        score=result.review.score,
        stop_reason=result.stop_reason,
        seconds=time.perf_counter() - start,
    )


def run_batch(
    paths: Sequence[Path],
    *,
    out_dir: Path,
    jobs: int = DEFAULT_JOBS,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_done: Callable[[BatchItem], None] | None = None,
    **options: Unpack[BatchOptions],
) -> list[BatchItem]:
    """Run one handoff per report, ``jobs`` at a time; the items come back in input order.

    ``concurrency`` caps the model requests in flight for the whole batch (as ``run_handoff``'s
    ``concurrency`` does for one run: the runs share the process-wide limiter), so ``jobs``
    handoffs at once never send more than ``concurrency`` requests to a server together.
    Each report writes ``OPERATIONS.md`` and ``handoff.json`` into its own folder (see
    :func:`output_dirs`); a report that fails writes nothing and gets an item with its exit
    code and error. ``on_done`` is called in the calling thread as each run finishes (for a
    progress bar). ``options`` go to every :func:`~opsrelay.api.run_handoff` call.

    Raises:
        InputError: ``jobs`` or ``concurrency`` below 1, or an invalid ``model`` spec (checked
            once here, rather than failing every run the same way).

    """
    if jobs < 1:
        raise InputError(f"jobs (handoffs at once) must be at least 1, got {jobs}")
    if concurrency < 1:
        raise InputError(f"concurrency (model requests in flight) must be at least 1, got {concurrency}")
    if options.get("model"):
        from opsrelay.models.factory import parse_model_spec

        parse_model_spec(str(options.get("model")))
    items: list[BatchItem | None] = [None] * len(paths)
    dirs = output_dirs(paths, out_dir)
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="opsrelay-batch")
    try:
        futures = {
            pool.submit(_run_one, path, out, concurrency, options): i
            for i, (path, out) in enumerate(zip(paths, dirs, strict=True))
        }
        for future in as_completed(futures):
            item = future.result()  # _run_one turns every Exception into an item
            items[futures[future]] = item
            if on_done is not None:
                on_done(item)
    except BaseException:
        # Ctrl-C (or a failing callback): start nothing new; runs already going finish first.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [item for item in items if item is not None]


def batch_exit_code(items: Sequence[BatchItem]) -> int:
    """0 when every run returned 0; otherwise the worst code, in the order 1, 3, 2, 4."""
    codes = {item.exit_code for item in items} - {0}
    if not codes:
        return 0
    for code in _EXIT_PRIORITY:
        if code in codes:
            return code
    return max(codes)
