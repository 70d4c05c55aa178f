"""The deterministic reviewer: lints an OPERATIONS.md against the template and the QA facts.

Pure Python over Markdown and pydantic (no langgraph, no langchain), so it also runs as the
standalone linter ``opsrelay review``.
"""

from __future__ import annotations

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import Document, parse_markdown
from opsrelay.review.model import Finding, FindingSeverity, Review
from opsrelay.review.rules import RULES
from opsrelay.review.rules.base import SECTION_ORDER


def _sort_key(f: Finding) -> tuple[int, int, str, str]:
    """Document-wide findings first, then template section order, then line, then rule id."""
    section = -1 if f.section is None else SECTION_ORDER.get(f.section, len(SECTION_ORDER))
    return (section, f.line or 0, f.rule, f.message)


def review_parsed(doc: Document, facts: QAFacts | None = None) -> Review:
    """Run every rule over an already parsed document."""
    findings = [f for rule in RULES for f in rule(doc, facts)]
    return Review(findings=sorted(findings, key=_sort_key))


def review_document(markdown: str, facts: QAFacts | None = None) -> Review:
    """Review an OPERATIONS.md: findings sorted by section order, line, then rule id."""
    return review_parsed(parse_markdown(markdown), facts)


__all__ = ["Finding", "FindingSeverity", "Review", "parse_markdown", "review_document", "review_parsed"]
