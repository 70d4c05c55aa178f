"""structlog set-up: console or JSON lines on stderr, with secrets scrubbed from every event."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal

import structlog

from opsrelay.models.scrub import scrub_secrets

LogFormat = Literal["console", "json"]

def _scrub_processor(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event.items()):
        if isinstance(value, str):
            # Values that look like credentials never reach a log line, whatever field they hide in.
            event[key] = scrub_secrets(value)
    return event


class _CurrentStderr:
    """Write to whatever ``sys.stderr`` is now, not what it was when logging was configured.

    Test runners and embedding applications swap ``sys.stderr``.
    """

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "warning", fmt: LogFormat = "console") -> None:
    """Configure structlog for the process: level name, console or JSON rendering, to stderr."""
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.WARNING)
    renderer: Any = (
        structlog.processors.JSONRenderer(sort_keys=True)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _scrub_processor,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )


def get_logger(name: str = "opsrelay") -> Any:
    """Return a structlog logger bound to a component name.

    A library must not chat on stdout: unless the application configured structlog itself,
    opsrelay logs warnings and errors only, to stderr.
    """
    if not structlog.is_configured():
        configure_logging("warning")
    return structlog.get_logger(name)
