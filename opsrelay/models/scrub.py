"""Remove things that look like credentials from text that is about to be written or logged.

Used on cassette contents, on server error text copied into exception messages, and on the
headers the fake server records. It is a safety net, not the primary defence: requests carry no
keys by construction, and the QA document is redacted upstream before it is sent.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

REDACTED = "[REDACTED]"

# (pattern, replacement). Specific token shapes first, then the generic "Bearer <token>".
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"), REDACTED),  # OpenAI sk-/sk-proj-, Anthropic sk-ant-
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), REDACTED),  # GitHub tokens
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"), REDACTED),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"), REDACTED),  # Slack
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), REDACTED),  # AWS access key id
    (re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"), REDACTED),  # Google API key
    (re.compile(r"\bhf_[A-Za-z0-9]{20,}"), REDACTED),  # Hugging Face
    (re.compile(r"(?i)\bBearer\s+[A-Za-z0-9._~+/=\-]{8,}"), "Bearer " + REDACTED),
)


def scrub_secrets(text: str, *extra_secrets: str) -> str:
    """Return ``text`` with credential-looking substrings replaced by ``[REDACTED]``.

    ``extra_secrets`` are exact strings to remove as well (e.g. the API key actually in use,
    whatever its shape); empty or very short ones are ignored.
    """
    for secret in extra_secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_url(url: str) -> str:
    """Drop user:password and the query string from a URL before it appears in a message."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    if parts.username or parts.password:
        host = f"{REDACTED}@{host}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def one_line(text: str, limit: int = 200) -> str:
    """Collapse whitespace to single spaces and truncate with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
