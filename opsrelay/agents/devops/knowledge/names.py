"""Name matching shared by the knowledge tables: 'Node.js' and 'nodejs' compare equal."""

from __future__ import annotations

import re


def norm(name: str) -> str:
    """Lower-case a product name and drop punctuation, so 'Node.js' and 'nodejs' compare equal."""
    return re.sub(r"[^a-z0-9#+]", "", name.lower())
