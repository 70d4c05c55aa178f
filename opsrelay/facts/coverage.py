"""Code coverage: the actual figure, never the target.

Structured figures come first (a Metric/Actual row such as "Code Coverage | ≥ 80% | 81.78%", an
Istanbul/Jest ``All files`` row, a coverage.py ``TOTAL`` line); prose ("~98% test coverage") is used
only when there is no structured figure, or when it is a labelled line ("Line Coverage: 81.78%").
Requirement/functional coverage is not code coverage and is ignored.
"""

from __future__ import annotations

import re

from opsrelay.facts.document import Document
from opsrelay.facts.model import Coverage, Evidence, QAFacts
from opsrelay.facts.testing import value_column
from opsrelay.facts.text import RECOMMENDATION_HEADING, clean, percent_of

_COVERAGE_LABEL = re.compile(r"coverage|покрыти", re.I)
_NOT_CODE_COVERAGE = re.compile(
    r"functional|requirement|feature|acceptance|trace|\bAC\d|story|\bFRs?\b|\bNFRs?\b|test\s+case|scenario|"
    r"api\s+coverage|endpoint|criteria|risk|mutation",
    re.I,
)
_SCOPES = (
    ("statements", re.compile(r"stmts|statement", re.I)),
    ("branches", re.compile(r"branch", re.I)),
    ("functions", re.compile(r"funcs|function|methods?", re.I)),
    ("lines", re.compile(r"\blines?\b", re.I)),
)
_REPORT_TOTAL = re.compile(r"^\s*(?:all\s+files|total|totals|overall)\s*$", re.I)
_PROSE_COVERAGE = (
    re.compile(
        r"\b(?P<scope>code|test|line|statement|branch|function|overall|total)\s+coverage\s*(?:of|is|at|=|:|—|-|was|reached)?\s*"
        r"(?P<cmp>~|≈|about\s+|approximately\s+)?(?P<num>\d+(?:\.\d+)?)\s*%",
        re.I,
    ),
    re.compile(
        r"(?P<cmp>~|≈)?(?P<num>\d+(?:\.\d+)?)\s*%\s+(?P<scope>code|test|line|statement|branch|function|overall|total)\s+coverage\b",
        re.I,
    ),
    re.compile(r"^(?P<scope>)coverage\s*[:=]\s*(?P<cmp>~|≈)?(?P<num>\d+(?:\.\d+)?)\s*%", re.I),
)


def _scope_of(text: str) -> str | None:
    for scope, pattern in _SCOPES:
        if pattern.search(text):
            return scope
    return None


class _CoverageSet:
    def __init__(self) -> None:
        self.items: list[Coverage] = []

    def add(self, percent: float, scope: str | None, evidence: Evidence) -> None:
        if not 0 <= percent <= 100:
            return
        for i, c in enumerate(self.items):
            if abs(c.percent - percent) < 1e-9 and (c.scope == scope or c.scope is None or scope is None):
                if c.scope is None and scope is not None:
                    self.items[i] = c.model_copy(update={"scope": scope})
                return
        self.items.append(Coverage(percent=percent, scope=scope, evidence=evidence))


def _coverage_tables(doc: Document, out: _CoverageSet) -> None:
    for table in doc.tables:
        header = [clean(h) for h in table.header]
        cols = [
            (i, _scope_of(h))
            for i, h in enumerate(header)
            if i > 0 and re.search(r"%|cover|stmts|branch|funcs|lines", h, re.I)
        ]
        scoped = [(i, s) for i, s in cols if s is not None or re.search(r"cover", header[i], re.I)]
        if scoped and not _NOT_CODE_COVERAGE.search(" ".join(header)):
            for row in table.rows:
                if row.cells and _REPORT_TOTAL.match(clean(row.cells[0])):
                    for i, scope in scoped:
                        if i < len(row.cells):
                            value = percent_of(row.cells[i] if "%" in row.cells[i] else row.cells[i] + "%")
                            if value is not None:
                                out.add(value, scope, doc.evidence(row.line))
            continue
        col = value_column(table)
        if col is None:
            continue
        for row in table.rows:
            label = clean(row.cells[0]) if row.cells else ""
            if not _COVERAGE_LABEL.search(label) or _NOT_CODE_COVERAGE.search(label) or len(row.cells) <= col:
                continue
            value = percent_of(row.cells[col], allow_bounds=False)
            if value is not None:
                out.add(value, _scope_of(label), doc.evidence(row.line))


def _coverage_reports(doc: Document, out: _CoverageSet) -> None:
    """Istanbul/Jest text tables and coverage.py ``TOTAL`` lines inside code blocks."""
    for block in doc.code_blocks:
        header: list[str] | None = None
        for n, line in block.lines:
            if "|" in line and re.search(r"%\s*stmts|%\s*lines|%\s*branch", line, re.I):
                header = [c.strip() for c in line.split("|")]
                continue
            cells = [c.strip() for c in line.split("|")]
            if header and len(cells) >= 2 and _REPORT_TOTAL.match(cells[0]):
                for i, h in enumerate(header):
                    scope = _scope_of(h)
                    if i < len(cells) and scope and re.search(r"%", h):
                        value = percent_of(cells[i] + "%")
                        if value is not None:
                            out.add(value, scope, doc.evidence(n))
                continue
            m = re.match(r"^\s*TOTAL\s+(?:\d+\s+)+(\d+(?:\.\d+)?)%\s*$", line)
            if m:
                value = percent_of(m.group(1) + "%")
                if value is not None:
                    out.add(value, None, doc.evidence(n))


def extract_coverage(doc: Document, facts: QAFacts) -> None:
    """Coverage figures: structured sources first; prose ('~98% test coverage') only when there are none."""
    out = _CoverageSet()
    _coverage_tables(doc, out)
    _coverage_reports(doc, out)
    structured = bool(out.items)
    for joined, offsets in doc.paragraph_texts():
        first_line = offsets[0][1] if offsets else 0
        if any(RECOMMENDATION_HEADING.search(h.text) for h in doc.section_path(first_line)):
            continue
        text = clean(joined)
        if not _COVERAGE_LABEL.search(text):
            continue
        for sentence in re.split(r"(?<=[.;!?])\s+", text):
            if _NOT_CODE_COVERAGE.search(sentence):
                continue
            labelled = re.match(
                r"^[-*+]?\s*(?:\w+\s+)?(?:statement|branch|function|line|code)\s+coverage\s*:", sentence, re.I
            )
            if structured and not labelled:
                continue
            for pattern in _PROSE_COVERAGE:
                for m in pattern.finditer(sentence):
                    before = sentence[max(0, m.start() - 14) : m.start()].lower()
                    if re.search(r"(?:from|target|threshold|goal|≥|>=|below|under|above)\W*$", before):
                        continue
                    anchor = clean(m.group(0))[:12]
                    pos = joined.find(anchor.split()[0]) if anchor else 0
                    line = doc.line_at(offsets, max(pos, 0))
                    out.add(float(m.group("num")), _scope_of(m.group("scope") or ""), doc.evidence(line))
    facts.coverage = out.items
