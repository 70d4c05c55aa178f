"""Errors users can cause or meet, each mapped to the CLI exit code of DESIGN §6."""

from __future__ import annotations


class OpsrelayError(Exception):
    """Base class: an expected failure that the CLI reports as one line, without a traceback."""

    exit_code = 1


class InputError(OpsrelayError, ValueError):
    """Bad input or usage: a missing, empty, binary or oversized file, malformed front matter or JSON.

    Also a ``ValueError``, so hosts that surface only standard errors (the LangGraph server)
    still show its message.
    """

    exit_code = 2


class ProviderError(OpsrelayError):
    """The model provider failed after retries (or is misconfigured): nothing was emitted."""

    exit_code = 3


class BudgetExceeded(ProviderError):
    """The run would exceed its token/cost budget: stopped cleanly before exceeding it."""
