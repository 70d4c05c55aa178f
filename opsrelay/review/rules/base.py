"""Shared helpers for review rules: the rule signature, finding construction, section lookup."""

from __future__ import annotations

import re
from collections.abc import Callable

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import Document, Section, names_match
from opsrelay.review.model import Finding, FindingSeverity
from opsrelay.template import SECTION_BY_KEY, SECTIONS

Rule = Callable[[Document, QAFacts | None], list[Finding]]
"""A rule reads the parsed document (and the QA facts when given) and returns its findings."""

SECTION_ORDER: dict[str, int] = {s.heading: i for i, s in enumerate(SECTIONS)}


def heading_of(key: str) -> str:
    """Template heading of a section key, e.g. ``'cicd_pipeline'`` → ``'CI/CD Pipeline'``."""
    return SECTION_BY_KEY[key].heading


def find_section(doc: Document, key: str) -> Section | None:
    """Return the document's section for a template section key."""
    return doc.section(heading_of(key))


def template_heading(doc: Document, line: int | None) -> str | None:
    """Template heading of the section holding ``line`` (None outside template sections)."""
    if line is None:
        return None
    sec = doc.section_at(line)
    if sec is None:
        return None
    return next((s.heading for s in SECTIONS if names_match(s.heading, sec.heading)), None)


def finding(
    rule: str,
    severity: FindingSeverity,
    section: str | None,
    message: str,
    fix: str,
    *,
    line: int | None = None,
) -> Finding:
    """Build a :class:`Finding` (positional core fields keep rule bodies short)."""
    return Finding(rule=rule, severity=severity, section=section, message=message, fix=fix, line=line)


TIME_UNIT = r"(?:ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)"
NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"

_UNIT_SECONDS: dict[str, float] = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def unit_seconds(unit: str) -> float:
    """Seconds in one ``unit`` (any spelling :data:`TIME_UNIT` accepts)."""
    u = unit.lower()
    if u.startswith("ms") or u.startswith("milli"):
        return _UNIT_SECONDS["ms"]
    if u in ("m",) or u.startswith("min"):
        return _UNIT_SECONDS["m"]
    return _UNIT_SECONDS[u[0]]


def durations(text: str) -> list[float]:
    """Every '<number> <time unit>' in ``text``, in seconds."""
    found = re.finditer(rf"({NUMBER})\s*-?\s*({TIME_UNIT})\b", text, re.IGNORECASE)
    return [float(m.group(1).replace(",", "")) * unit_seconds(m.group(2)) for m in found]
