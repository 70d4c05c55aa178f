"""Prompt files and their strict renderer.

Prompts live only here, as Markdown files with ``$name`` placeholders (``string.Template``
syntax; ``$$`` is a literal dollar). Rendering is strict: a missing or unused variable is an
error naming it, so a prompt and its caller cannot drift apart silently.
"""

from __future__ import annotations

import hashlib
import string
from functools import cache
from importlib import resources

PROMPT_NAMES = (
    "system",
    "qa_context",
    "qa_excerpt",
    "decisions_context",
    "propose_facts",
    "decide",
    "draft_section",
    "revise_section",
    "critic",
)


class PromptError(Exception):
    """A prompt file and the variables given to it do not match."""


@cache
def load(name: str) -> str:
    """Return the raw text of ``opsrelay/prompts/<name>.md``."""
    if name not in PROMPT_NAMES:
        raise PromptError(f"unknown prompt {name!r}")
    return resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8")


def placeholders(name: str) -> set[str]:
    """The variable names a prompt expects."""
    return set(string.Template(load(name)).get_identifiers())


def render(name: str, **variables: str) -> str:
    """Render a prompt; raise :class:`PromptError` naming any missing or unexpected variable."""
    expected = placeholders(name)
    missing = expected - variables.keys()
    extra = variables.keys() - expected
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {sorted(missing)}")
        if extra:
            parts.append(f"unexpected {sorted(extra)}")
        raise PromptError(f"prompt {name!r}: {', '.join(parts)}")
    return string.Template(load(name)).substitute(variables).strip() + "\n"


def prompt_version() -> str:
    """A short hash of every prompt file: changes whenever any prompt text changes."""
    digest = hashlib.sha256()
    for name in PROMPT_NAMES:
        digest.update(name.encode())
        digest.update(load(name).encode())
    return digest.hexdigest()[:12]
