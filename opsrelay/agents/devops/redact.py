"""Redact secrets from the untrusted QA document before any of it leaves the machine.

The shapes are the reviewer's (:mod:`opsrelay.review.rules.secrets`), so what the linter calls a
secret is what is withheld from the model; the generic scrubber adds the bearer-token and
provider-key shapes it knows.
"""

from __future__ import annotations

import re

from opsrelay.models.scrub import REDACTED, scrub_secrets
from opsrelay.review.rules.secrets import (
    ASSIGNMENT,
    TOKEN_PATTERNS,
    URL_CREDENTIALS,
    is_literal_credential,
)

# The whole block, not only its header line: the reviewer needs to find it, redaction to remove it.
_KEY_LABEL = r"[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
_PRIVATE_KEY_BLOCK = re.compile(rf"-----BEGIN {_KEY_LABEL}.*?(?:-----END {_KEY_LABEL}|\Z)", re.S)


def _mask_group(match: re.Match[str], group: str) -> str:
    start, end = match.span(group)
    whole = match.group(0)
    return whole[: start - match.start()] + REDACTED + whole[end - match.start() :]


def _mask(match: re.Match[str]) -> str:
    if "secret" in match.re.groupindex and match.group("secret") is not None:
        return _mask_group(match, "secret")
    return REDACTED


def _mask_assignment(match: re.Match[str]) -> str:
    value = match.group("value")
    # A quoted value or an '=' assignment reads as configuration; an unquoted 'Token: …' as prose.
    config_like = value[:1] in ("'", '"') or match.group("op") == "="
    if not is_literal_credential(value, config_like, match.group("op")):
        return match.group(0)
    quote = value[0] if value[:1] in ("'", '"') else ""
    masked = f"{quote}{REDACTED}{quote}"
    start, end = match.span("value")
    whole = match.group(0)
    return whole[: start - match.start()] + masked + whole[end - match.start() :]


def redact_secrets(text: str) -> str:
    """Replace credentials in ``text`` with ``[REDACTED]`` (keys, tokens, passwords, URL userinfo)."""
    text = _PRIVATE_KEY_BLOCK.sub(REDACTED, text)
    text = scrub_secrets(text)
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub(_mask, text)
    text = URL_CREDENTIALS.sub(_mask, text)
    return ASSIGNMENT.sub(_mask_assignment, text)
