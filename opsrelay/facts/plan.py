"""Document kind: a report of executed tests, or a plan (tests planned, not executed).

A document is a *plan* when it presents itself as one — a test plan, strategy or checklist in its
title or front matter or file name, or several "expected result" / "estimated time" lines — and
states no outcome of its own: no test counts, no verdict, no failures, no pass/fail statuses, no
measured figures outside the numbers it quotes from earlier runs. A plan titled "Test Plan" whose
scenarios were executed and passed is a report (of that plan's execution).
"""

from __future__ import annotations

import re

from opsrelay.facts import vocab
from opsrelay.facts.document import Document
from opsrelay.facts.model import Evidence, QAFacts
from opsrelay.facts.text import clean, strip_line_markers

_PLAN_TITLE = vocab.pattern("plan_title")
_PLAN_MARKER = vocab.pattern("plan_marker")
_EXECUTED = vocab.pattern("executed_marker")
_PRIOR = vocab.pattern("prior_results")
_RESULT_WORD = vocab.pattern("pass", "fail", "approved", "rejected", "no_go")
_STATUS_LABEL = re.compile(r"^" + vocab.alternation(vocab.terms("label_status")) + r"\s*[:：]", re.I)

_MARKER_LINES_FOR_PLAN = 3


def _executed_statuses(doc: Document) -> int:
    """Lines that state an executed outcome: 'Status: PASS', an executed-results heading."""
    count = 0
    for n, raw in doc.text_lines():
        text = clean(strip_line_markers(raw))
        if _PLAN_MARKER.search(text):
            continue
        executed_heading = doc.is_heading_line(n) and _EXECUTED.search(text)
        if executed_heading or (_STATUS_LABEL.match(text) and _RESULT_WORD.search(text)):
            count += 1
    return count


def _own_measurements(facts: QAFacts, doc: Document) -> bool:
    """Measured figures that are the document's own (not quoted from previous runs)."""
    for metric in facts.performance:
        if metric.metric in ("concurrency", "saturation"):
            continue  # the load a run is configured with, or a quoted capacity: not an outcome
        line = metric.evidence.line
        context = " ".join(clean(doc.line(k)) for k in range(max(1, line - 6), line + 1))
        if not _PRIOR.search(context):
            return True
    return False


def _plan_evidence(doc: Document, facts: QAFacts) -> Evidence | None:
    title = facts.title
    if title is not None and _PLAN_TITLE.search(title.value):
        return title.evidence
    for key in ("title", "type", "kind", "document_type", "doc_type"):
        value = doc.front_matter.get(key)
        if isinstance(value, str) and _PLAN_TITLE.search(value):
            line = doc.front_matter_line(key)
            return doc.evidence(line) if line else Evidence(source=doc.source, line=0, text=f"{key}: {value}")
    for heading in doc.headings[:3]:
        if _PLAN_TITLE.search(clean(heading.text)):
            return doc.evidence(heading.line)
    markers = [n for n, raw in doc.text_lines() if _PLAN_MARKER.search(clean(raw))]
    stem = re.sub(r"[_\-.]+", " ", doc.source.rsplit(".", 1)[0])
    named = bool(_PLAN_TITLE.search(stem))
    if markers and (named or len(markers) >= _MARKER_LINES_FOR_PLAN):
        return doc.evidence(markers[0])
    if named and title is not None:
        return title.evidence
    return None


def extract_document_kind(doc: Document, facts: QAFacts) -> None:
    """Set ``facts.document_kind`` to 'plan' when the document plans tests and reports no outcome."""
    executed = (
        any(r.passed is not None or r.failed is not None for r in facts.test_results)
        or facts.verdict.value != "unknown"
        or bool(facts.outcome_failures)
        or bool(facts.coverage)
        or _own_measurements(facts, doc)
        or _executed_statuses(doc) > 0
    )
    if executed:
        return
    evidence = _plan_evidence(doc, facts)
    if evidence is not None:
        facts.document_kind = "plan"
        facts.document_kind_evidence = evidence
        # A plan's pending rows and missing results are its nature, not open questions about it.
        facts.open_questions = [
            q for q in facts.open_questions if not q.question.startswith("The document states no executed")
        ]


_QA_TITLE = vocab.pattern("qa_title", "plan_title")


def has_qa_substance(facts: QAFacts) -> bool:
    """Whether a document is QA output at all (ingest refuses the rest: a recipe, a library README).

    Results, coverage, measurements, defects, a verdict, failures or a plan are QA substance on
    their own. Test commands and a list of limitations are not: every library README has them. They
    count only in a document whose title says it is about testing or quality.
    """
    strong = any(
        (
            facts.test_results,
            facts.coverage,
            [m for m in facts.performance if m.metric not in ("concurrency",)],
            facts.defects,
            facts.security,
            facts.verdict.value != "unknown",
            facts.document_kind == "plan",
            facts.outcome_failures,
        )
    )
    if strong:
        return True
    weak = bool(facts.test_commands or facts.risks or facts.perf_setup)
    return weak and facts.title is not None and bool(_QA_TITLE.search(facts.title.value))
