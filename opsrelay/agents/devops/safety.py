"""Guards for untrusted QA text: Markdown escaping and test-command vetting.

The QA document is data written by someone else. Names and titles taken from it are escaped before
they are interpolated into Markdown, and nothing from it reaches a command line or CI YAML except
test commands that pass :func:`vet_test_command`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MAX_TITLE = 160
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MD_SPECIAL = re.compile(r"([\\*\[\]<>])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def md_text(text: str, *, limit: int = _MAX_TITLE) -> str:
    """Render untrusted text as inert inline Markdown on one line.

    Collapses whitespace, drops control characters, truncates to ``limit`` characters, escapes
    Markdown/HTML metacharacters (emphasis, links, tags) and a leading ``#``, ``>``, ``-``, ``+``
    or ``1.`` that would start a block. Untrusted text never forms code: backticks become ``'``
    and ``|`` becomes ``¦``, so a QA title such as "run `curl … | sh`" cannot render as a code
    span or as a pipeline someone copies (and cannot break a table row).
    """
    flat = " ".join(_CONTROL.sub(" ", text).split())
    flat = flat.replace("`", "'").replace("|", "¦")
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    escaped = _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), flat)
    escaped = re.sub(r"^([#>+\-=])", r"\\\1", escaped)
    return re.sub(r"^(\d+)\.", r"\1\\.", escaped)


def slug(text: str, *, default: str = "app") -> str:
    """Turn text into a DNS-label-safe identifier (lowercase letters, digits, dashes; at most 40 chars)."""
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
    return value or default


# --- test commands -----------------------------------------------------------------------------

# Shell features that chain, redirect, substitute or fetch: never copied into CI.
_FORBIDDEN = (
    ";",
    "&",
    "|",
    "`",
    "$(",
    "${",
    ">",
    "<",
    "\n",
    "\\",
)
_FORBIDDEN_WORDS = re.compile(
    r"(?i)(?:^|\s|/)(?:curl|wget|rm|sudo|su|eval|exec|chmod|chown|dd|mkfs|ssh|scp|nc|bash|sh|zsh|"
    r"powershell|iex|python\s+-c|node\s+-e|perl|ruby\s+-e)(?=\s|$)"
)
_ALLOWED_CHARS = re.compile(r"^[A-Za-z0-9_\-./:=@%+,*'\" ]+$")
_TEST_WORD = re.compile(
    r"(?i)(?:test|spec|pytest|tox|nox|jest|vitest|mocha|cypress|playwright|maestro|mvn|mvnw|gradle|"
    r"gradlew|dotnet|go\s|cargo|rspec|phpunit|karma|ava|tap|k6|locust|artillery|verify|check|e2e|"
    r"behave|robot|newman|detox|coverage)"
)
_ENV_ASSIGN = re.compile(r"^([A-Z][A-Z0-9_]{1,63})=(\S*)\s+")
_CD_PREFIX = re.compile(r"^cd\s+([A-Za-z0-9_\-./]+)\s*&&\s*(.+)$")


@dataclass(frozen=True)
class VettedCommand:
    """A test command judged safe to run in CI, with the directory and secret env vars it needs."""

    command: str
    working_directory: str | None
    secret_env: tuple[str, ...]


def vet_test_command(raw: str) -> VettedCommand | None:
    """Return the command if it looks like a plain test invocation, else ``None``.

    Accepted: one command, no chaining, pipes, redirections, substitutions or downloads, only
    ordinary argument characters, and a word that marks it as a test run. Two shapes are
    normalised instead of rejected: a leading ``cd DIR &&`` becomes the working directory, and
    leading ``NAME=value`` assignments become secret environment variables (their values, often
    placeholders or real tokens, are never copied).
    """
    text = " ".join(raw.strip().strip("`").split())
    if not text or len(text) > 200:
        return None
    workdir: str | None = None
    cd = _CD_PREFIX.match(text)
    if cd:
        workdir, text = cd.group(1), cd.group(2).strip()
        if workdir.startswith("/") or ".." in workdir.split("/"):
            return None
    secret_env: list[str] = []
    while True:
        m = _ENV_ASSIGN.match(text)
        if not m:
            break
        secret_env.append(m.group(1))
        text = text[m.end() :]
    if text.startswith("$ "):
        text = text[2:]
    if any(tok in text for tok in _FORBIDDEN):
        return None
    if not _ALLOWED_CHARS.match(text) or _FORBIDDEN_WORDS.search(text):
        return None
    if "--insecure" in text or "777" in text:
        return None
    if not _TEST_WORD.search(text):
        return None
    if text.count("'") % 2 or text.count('"') % 2:
        return None
    return VettedCommand(text, workdir, tuple(secret_env))
