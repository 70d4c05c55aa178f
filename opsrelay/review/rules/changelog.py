"""Changelog: at least one dated entry ('YYYY-MM-DD - what changed'), with real dates."""

from __future__ import annotations

import datetime as dt
import re

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import Document
from opsrelay.review.model import Finding
from opsrelay.review.rules.base import find_section, finding, heading_of

_CHANGELOG = heading_of("changelog")
_ENTRY = re.compile(r"(?P<date>\b\d{4}-\d{2}-\d{2}\b)\*{0,2}\s*(?:[-–—:|]\s*)?\S")


def dated_entries(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Require at least one dated Changelog entry, and real calendar dates throughout."""
    sec = find_section(doc, "changelog")
    if sec is None:
        return []
    out: list[Finding] = []
    entries = 0
    for offset, text in enumerate(sec.lines[1:], sec.line + 1):
        for m in _ENTRY.finditer(text):
            try:
                dt.date.fromisoformat(m.group("date"))
            except ValueError:
                out.append(
                    finding(
                        "changelog.invalid-date",
                        "minor",
                        _CHANGELOG,
                        f"'{m.group('date')}' is not a valid date.",
                        "Use a real ISO date (YYYY-MM-DD).",
                        line=offset,
                    )
                )
            else:
                entries += 1
    if not entries:
        out.append(
            finding(
                "changelog.dated-entry",
                "major",
                _CHANGELOG,
                "The Changelog has no dated entry.",
                "Add an entry like '2025-01-31 - Initial operations guide generated from the QA report'.",
                line=sec.line,
            )
        )
    return out


RULES = (dated_entries,)
