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


def review_parsed(doc: Document, facts: QAFacts | None = None, *, external: bool = False) -> Review:
    """Run every rule over an already parsed document (and the installed linters if ``external``)."""
    findings = [f for rule in RULES for f in rule(doc, facts)]
    tools: dict[str, str] = {}
    if external:
        # Imported here: the linters' subprocess and thread machinery is not paid for without them.
        from opsrelay.review.external import run_external

        ran = run_external(doc)
        findings += ran.findings
        tools = ran.tools
    return Review(findings=sorted(findings, key=_sort_key), external_tools=tools)


def review_document(markdown: str, facts: QAFacts | None = None, *, external: bool = False) -> Review:
    """Review an OPERATIONS.md: findings sorted by section order, line, then rule id.

    With ``external``, the GitHub workflow and Prometheus rules blocks also go through the
    ecosystem's linters that are installed (actionlint, zizmor, the workflow schema, promtool;
    :mod:`opsrelay.review.external`), and ``Review.external_tools`` says which ran.
    """
    return review_parsed(parse_markdown(markdown), facts, external=external)


__all__ = ["Finding", "FindingSeverity", "Review", "parse_markdown", "review_document", "review_parsed"]
