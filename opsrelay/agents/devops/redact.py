"""Redact secrets from the untrusted QA document before any of it leaves the machine."""

from __future__ import annotations

import re

from opsrelay.models.scrub import REDACTED, scrub_secrets

# Shapes the generic scrubber does not cover: key blocks, credentials in URLs, literal
# assignments to secret-looking names.
_EXTRA = (
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S), REDACTED),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^\s:/@]+):([^\s@/]+)@"), r"\1\2:" + REDACTED + "@"),
    (
        re.compile(
            r"(?i)\b((?:password|passwd|pwd|secret|api[_-]?key|access[_-]?key|token|client[_-]?secret)"
            r"\s*[:=]\s*)(['\"]?)(?!\$\{|\$[A-Z_]|<|\*\*\*|\[REDACTED)([^\s'\"]{4,})\2"
        ),
        r"\1\2" + REDACTED + r"\2",
    ),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), REDACTED),
    (re.compile(r"\bsk_live_[A-Za-z0-9]{10,}"), REDACTED),
)


def redact_secrets(text: str) -> str:
    """Replace credentials in ``text`` with ``[REDACTED]`` (keys, tokens, passwords, URL userinfo)."""
    text = scrub_secrets(text)
    for pattern, replacement in _EXTRA:
        text = pattern.sub(replacement, text)
    return text
