"""The ``opsrelay`` command line. Only this module prints; it maps errors to exit codes (DESIGN §6).

Heavy imports (langgraph, langchain) happen inside the commands that need them, so ``--help``
and ``opsrelay review`` start fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from opsrelay.cli_batch import batch
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
from opsrelay.errors import InputError, OpsrelayError
from opsrelay.models.limit import DEFAULT_CONCURRENCY

# A plain path constant: importing opsrelay.checkpoints here would pull pydantic models only.
DEFAULT_CHECKPOINT = Path(".opsrelay") / "checkpoints.sqlite"

app = typer.Typer(
    name="opsrelay",
    help="DevOps Engineer stage: turn a QA report into a reviewed OPERATIONS.md and a handoff envelope.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state: dict[str, Any] = {"debug": False}


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    log_level: Annotated[
        str, typer.Option("--log-level", help="debug, info, warning or error.", envvar="OPSRELAY_LOG_LEVEL")
    ] = "warning",
    log_format: Annotated[str, typer.Option("--log-format", help="console or json.")] = "console",
) -> None:
    """Global options."""
    if log_format not in ("console", "json"):
        raise InputError(f"--log-format must be 'console' or 'json', not {log_format!r}")
    _state["debug"] = debug
    if ctx.invoked_subcommand in ("review", "checkpoints"):
        return  # nothing there logs; skipping structlog keeps the linter's start-up short
    from opsrelay.logging import configure_logging

    configure_logging(log_level, "json" if log_format == "json" else "console")


def _err(message: str) -> None:
    typer.echo(f"opsrelay: error: {message}", err=True)


@app.command()
def run(
    qa_file: Annotated[str, typer.Argument(help="QA report (Markdown or JSON handoff), or - for stdin.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("artifacts"),
    evidence: Annotated[
        list[Path] | None, typer.Option("--evidence", "-e", help="JUnit or coverage XML (repeatable).")
    ] = None,
    max_revisions: MaxRevisionsOption = 2,
    model: ModelOption = "offline",
    base_url: BaseUrlOption = None,
    record: Annotated[
        Path | None, typer.Option("--record", help="Record model exchanges to a cassette.")
    ] = None,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            min=1,
            max=64,
            help="Model requests in flight at most, shared by every handoff in this process.",
        ),
    ] = DEFAULT_CONCURRENCY,
    date: DateOption = None,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", min=1, help="Largest QA input accepted.")
    ] = 5_000_000,
    budget_tokens: Annotated[
        int | None, typer.Option("--budget-tokens", min=1, help="Stop cleanly before using more tokens.")
    ] = None,
    timeout: TimeoutOption = 60.0,
    context_window: ContextWindowOption = None,
    structured_output: StructuredOutputOption = "auto",
    strict_replay: Annotated[
        bool, typer.Option("--strict-replay", help="With replay:, fail if recorded exchanges go unused.")
    ] = False,
    checkpoint: Annotated[
        str, typer.Option("--checkpoint", help="SQLite file or postgresql:// URL for resumable runs.")
    ] = str(DEFAULT_CHECKPOINT),
    no_checkpoint: Annotated[
        bool, typer.Option("--no-checkpoint", help="Do not checkpoint this run.")
    ] = False,
    thread_id: Annotated[
        str | None, typer.Option("--thread-id", help="Thread id (default: a new one).")
    ] = None,
    approve: Annotated[
        bool, typer.Option("--approve", help="Pause before writing for `opsrelay approve/reject`.")
    ] = False,
    as_json: JsonOption = False,
) -> int:
    """Draft, review and emit OPERATIONS.md and handoff.json from a QA report."""
    import os

    from opsrelay.api import stream_handoff

    updates = stream_handoff(
        qa_file,
        evidence=evidence or [],
        out_dir=out,
        model=model,
        max_revisions=max_revisions,
        concurrency=concurrency,
        date=date,
        max_bytes=max_bytes,
        base_url=base_url,
        api_key=os.environ.get("OPENAI_API_KEY"),
        record=record,
        budget_tokens=budget_tokens,
        timeout_s=timeout,
        context_window=context_window,
        structured_output=structured_output,
        strict_replay=strict_replay,
        checkpoint=None if no_checkpoint else checkpoint,
        thread_id=thread_id,
        approve=approve,
    )
    return _finish(updates, as_json=as_json, resumable=not no_checkpoint)


def _finish(updates: Iterator[tuple[str, dict[str, Any]]], *, as_json: bool, resumable: bool) -> int:
    """Show progress while a run streams, then its summary; return the exit code."""
    from opsrelay.api import collect_result
    from opsrelay.cli_output import Progress, print_summary, summary_dict
    from opsrelay.errors import ProviderError

    progress = Progress(enabled=sys.stderr.isatty() and not as_json)
    thread: list[str] = []

    def watched() -> Iterator[tuple[str, dict[str, Any]]]:
        for node, update in updates:
            if node == "thread":
                thread.append(update["thread_id"])
                if resumable and not as_json:
                    typer.echo(f"opsrelay: thread {update['thread_id']}", err=True)
                continue
            progress.update(node, update)
            yield node, update

    try:
        with progress:
            result = collect_result(watched())
    except ProviderError as exc:
        if resumable and thread:
            exc.args = (f"{exc} (checkpoint kept: `opsrelay resume {thread[0]}`)",)
        raise
    if result is None:
        from opsrelay.api import Rejected

        raise Rejected(
            f"thread {thread[0] if thread else '?'} rejected at the approval gate; nothing written"
        )
    if as_json:
        typer.echo(json.dumps(summary_dict(result), indent=2))
    else:
        print_summary(result)
    return result.exit_code


@app.command()
def resume(
    thread_id: Annotated[str, typer.Argument(help="The thread id printed when the run started.")],
    checkpoint: Annotated[str, typer.Option("--checkpoint", help="The run's checkpoint store.")] = str(
        DEFAULT_CHECKPOINT
    ),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default: the run's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")] = False,
) -> int:
    """Continue an interrupted run without repeating completed model calls."""
    from opsrelay.api import resume_handoff

    return _finish(
        resume_handoff(thread_id, checkpoint=checkpoint, out_dir=out), as_json=as_json, resumable=True
    )


def _decide(thread_id: str, checkpoint: str, approved: bool, reason: str, as_json: bool) -> int:
    from opsrelay.api import resume_handoff

    updates = resume_handoff(
        thread_id, checkpoint=checkpoint, decision={"approved": approved, "reason": reason}
    )
    return _finish(updates, as_json=as_json, resumable=True)


@app.command()
def approve(
    thread_id: Annotated[str, typer.Argument(help="A run paused by --approve.")],
    checkpoint: Annotated[str, typer.Option("--checkpoint")] = str(DEFAULT_CHECKPOINT),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> int:
    """Approve a paused run: write its OPERATIONS.md and handoff.json."""
    return _decide(thread_id, checkpoint, True, "", as_json)


@app.command()
def reject(
    thread_id: Annotated[str, typer.Argument(help="A run paused by --approve.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the log).")] = "",
    checkpoint: Annotated[str, typer.Option("--checkpoint")] = str(DEFAULT_CHECKPOINT),
) -> int:
    """Reject a paused run: end it without writing anything (exit 4)."""
    return _decide(thread_id, checkpoint, False, reason, False)


checkpoints_app = typer.Typer(help="List or prune stored checkpoints.", no_args_is_help=True)
app.add_typer(checkpoints_app, name="checkpoints")


@checkpoints_app.command("list")
def checkpoints_list(
    checkpoint: Annotated[str, typer.Option("--checkpoint")] = str(DEFAULT_CHECKPOINT),
) -> int:
    """List checkpointed runs, newest first."""
    from opsrelay.checkpoints import list_threads, open_checkpointer
    from opsrelay.cli_output import print_threads

    with open_checkpointer(checkpoint) as saver:
        print_threads(list_threads(saver))
    return 0


@checkpoints_app.command("prune")
def checkpoints_prune(
    older_than_days: Annotated[
        float | None, typer.Option("--older-than-days", min=0, help="Only runs started before this.")
    ] = None,
    include_unfinished: Annotated[
        bool, typer.Option("--include-unfinished", help="Also delete runs that could still be resumed.")
    ] = False,
    checkpoint: Annotated[str, typer.Option("--checkpoint")] = str(DEFAULT_CHECKPOINT),
) -> int:
    """Delete old checkpointed runs (finished ones only, unless told otherwise)."""
    from opsrelay.checkpoints import open_checkpointer, prune_threads

    with open_checkpointer(checkpoint) as saver:
        removed = prune_threads(saver, older_than_days=older_than_days, finished_only=not include_unfinished)
    typer.echo(f"removed {len(removed)} run(s)")
    return 0


@app.command()
def review(
    document: Annotated[Path, typer.Argument(help="An OPERATIONS.md to lint.")],
    qa: Annotated[
        str | None, typer.Option("--qa", help="The QA report it answers (enables grounding rules).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print findings as JSON on stdout.")] = False,
    no_external: Annotated[
        bool,
        typer.Option("--no-external", help="Skip the linters (actionlint, zizmor, schema, promtool)."),
    ] = False,
) -> int:
    """Review an OPERATIONS.md against the quality rules: exit 0 pass, 4 fail, 2 bad input.

    The GitHub workflow and Prometheus rules blocks also go through the ecosystem's linters that
    are installed (`bash .ci/tools.sh` installs them); the output says which ran.
    """
    from opsrelay.cli_output import print_review
    from opsrelay.reading import read_text_file
    from opsrelay.review import review_document

    text = read_text_file(document)
    facts = None
    if qa:
        from opsrelay.ingest import load_qa  # the fact extractor, only when grounding is asked for

        facts = load_qa(qa).facts
    result = review_document(text, facts, external=not no_external)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        print_review(result, str(document))
        tools = ", ".join(f"{k} {v}" for k, v in result.external_tools.items())
        hint = "; `bash .ci/tools.sh` in a checkout installs them" if "missing" in tools else ""
        typer.echo(f"external linters: {tools or 'off (--no-external)'}{hint}")
    return 0 if result.verdict == "pass" else 4


app.command("batch")(batch)


@app.command()
def graph() -> int:
    """Print the graph as a Mermaid diagram."""
    from opsrelay.graph import build_graph

    typer.echo(build_graph().get_graph().draw_mermaid())
    return 0


def cli(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` and return the exit code (tests call this directly)."""
    from typer.exceptions import TyperException

    try:
        rv = app(args=argv, standalone_mode=False, prog_name="opsrelay")
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        _err("aborted")
        return 130
    except OpsrelayError as exc:
        if exc.exit_code == 5:  # paused at the approval gate: not an error
            typer.echo(f"opsrelay: paused: {exc}", err=True)
            return 5
        if _state["debug"]:
            raise
        _err(str(exc))
        return exc.exit_code
    except TyperException as exc:  # usage errors: unknown option, bad value, missing argument
        _err(f"{exc.format_message()} (see opsrelay --help)")
        return int(exc.exit_code)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception as exc:
        if _state["debug"]:
            raise
        _err(f"internal error: {type(exc).__name__}: {exc} (re-run with --debug for a traceback)")
        return 1
    return int(rv) if isinstance(rv, int) else 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli())
