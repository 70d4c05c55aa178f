"""``opsrelay batch``: many handoffs, one per QA report, with a progress bar and a results table.

Registered in :mod:`opsrelay.cli` with ``app.command("batch")(batch)``. Like the rest of the
CLI it imports the heavy modules only when the command runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from opsrelay.cli_options import (
    BaseUrlOption,
    ContextWindowOption,
    DateOption,
    JsonOption,
    MaxRevisionsOption,
    ModelOption,
    StructuredOutputOption,
    TimeoutOption,
)
from opsrelay.models.limit import DEFAULT_CONCURRENCY

if TYPE_CHECKING:
    from rich.console import Console

    from opsrelay.batch import BatchItem

__all__ = ["batch", "batch_summary", "print_batch_table"]


def batch(  # noqa: PLR0917 (typer: one parameter per option)
    reports: Annotated[
        str,
        typer.Argument(
            metavar="DIR_OR_GLOB",
            help="A folder (its *.md and *.json files) or a quoted glob such as 'qa/**/*.md'.",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output folder; each report gets OUT/<its name>/.")
    ] = Path("artifacts/batch"),
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=64, help="Handoffs run at once.")] = 4,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            min=1,
            max=64,
            help="Model requests in flight at most, shared by every handoff in this process "
            "(the whole batch).",
        ),
    ] = DEFAULT_CONCURRENCY,
    model: ModelOption = "offline",
    base_url: BaseUrlOption = None,
    max_revisions: MaxRevisionsOption = 2,
    date: DateOption = None,
    timeout: TimeoutOption = 60.0,
    context_window: ContextWindowOption = None,
    structured_output: StructuredOutputOption = "auto",
    as_json: JsonOption = False,
) -> int:
    """Run one handoff per QA report, several at once; one failing report never affects the others.

    Exit 0 when every document was approved, else the worst code among the runs: 1, 3, 2, then 4.
    """
    from opsrelay.batch import batch_exit_code, discover_reports, run_batch

    paths = discover_reports(reports)
    on_done, progress = _progress(len(paths), enabled=sys.stderr.isatty() and not as_json)
    with progress:
        items = run_batch(
            paths,
            out_dir=out,
            jobs=jobs,
            concurrency=concurrency,
            on_done=on_done,
            model=model,
            base_url=base_url,
            api_key=os.environ.get("OPENAI_API_KEY"),
            max_revisions=max_revisions,
            date=date,
            timeout_s=timeout,
            context_window=context_window,
            structured_output=structured_output,
        )
    code = batch_exit_code(items)
    if as_json:
        typer.echo(json.dumps(batch_summary(items, code), indent=2))
    else:
        print_batch_table(items, code)
    return code


def _progress(
    total: int, *, enabled: bool
) -> tuple[Callable[[BatchItem], None] | None, AbstractContextManager[Any]]:
    """A rich progress bar on stderr (only on a terminal) and the callback that advances it."""
    if not enabled:
        return None, nullcontext()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("[bold]handoffs[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task("", total=total)

    def on_done(item: BatchItem) -> None:
        mark = "ok" if item.exit_code == 0 else f"exit {item.exit_code}"
        progress.update(task, advance=1, description=f"{item.path.name}: {mark}")

    return on_done, progress


def _item_dict(item: BatchItem) -> dict[str, Any]:
    return {
        "report": str(item.path),
        "exit_code": item.exit_code,
        "verdict": item.verdict,
        "score": item.score,
        "stop_reason": item.stop_reason,
        "out_dir": str(item.out_dir) if item.ok else None,
        "error": item.error,
        "seconds": round(item.seconds, 3),
    }


def batch_summary(items: list[BatchItem], exit_code: int) -> dict[str, Any]:
    """The machine summary printed by ``opsrelay batch --json``."""
    return {
        "exit_code": exit_code,
        "total": len(items),
        "approved": sum(1 for i in items if i.exit_code == 0),
        "not_approved": sum(1 for i in items if i.exit_code == 4),
        "failed": sum(1 for i in items if not i.ok),
        "items": [_item_dict(i) for i in items],
    }


def print_batch_table(items: list[BatchItem], exit_code: int, console: Console | None = None) -> None:
    """Print the results table and a one-line tally on stdout."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    out = console or Console(highlight=False, soft_wrap=True)
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("report", "exit", "verdict", "score", "stop reason", "output folder / error"):
        table.add_column(col, overflow="fold")
    for item in items:
        where = str(item.out_dir) if item.ok else f"[red]{escape(item.error or '')}[/red]"
        table.add_row(
            escape(str(item.path)),
            str(item.exit_code),
            item.verdict or "-",
            "-" if item.score is None else str(item.score),
            (item.stop_reason or "-").replace("_", " "),
            where,
        )
    out.print(table)
    s = batch_summary(items, exit_code)
    out.print(
        f"{s['total']} report(s): {s['approved']} approved, {s['not_approved']} not approved "
        f"(DRAFT banner), {s['failed']} failed — exit {exit_code}"
    )
