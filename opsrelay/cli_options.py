"""Command-line options shared by several commands, defined once (typer ``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

import typer

from opsrelay.models.modes import StructuredMode

ModelOption = Annotated[
    str,
    typer.Option("--model", "-m", envvar="OPSRELAY_MODEL", help="offline | openai:NAME | replay:CASSETTE"),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option("--base-url", envvar="OPENAI_BASE_URL", help="OpenAI-compatible server URL."),
]
MaxRevisionsOption = Annotated[
    int, typer.Option("--max-revisions", min=0, max=10, help="Revision rounds after the first review.")
]
DateOption = Annotated[
    str | None, typer.Option("--date", help="Changelog date YYYY-MM-DD (reproducible output).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")]
TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=0.1,
        help="Seconds to wait for a model's first token and between two tokens (answers are streamed; "
        "a long answer at a steady pace is never cut off).",
    ),
]
ContextWindowOption = Annotated[
    int | None,
    typer.Option(
        "--context-window",
        envvar="OPSRELAY_CONTEXT_WINDOW",
        min=1,
        help="The model's context window in tokens (default: what the server reports, else the "
        "model's known window, else 8192).",
    ),
]
StructuredOutputOption = Annotated[
    StructuredMode,
    typer.Option(
        "--structured-output",
        envvar="OPSRELAY_STRUCTURED_OUTPUT",
        help="How schema-bound requests are sent: auto (json_schema, falling back when a server "
        "refuses it), json_schema, json_object (JSON mode) or tools (one forced tool call).",
    ),
]
