"""Command-line options shared by several commands, defined once (typer ``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

import typer

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
