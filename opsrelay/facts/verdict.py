"""The QA verdict (GO, NO-GO, PASS, FAIL, CONCERNS, CONDITIONAL) from the strongest overall label."""

from __future__ import annotations

import re

from opsrelay.facts import vocab
from opsrelay.facts.document import Document
from opsrelay.facts.meta import fm_evidence
from opsrelay.facts.model import Evidence, QAFacts, QAVerdict, VerdictValue
from opsrelay.facts.text import clean, status_of, strip_line_markers

# Label categories (lang/*.yaml) and their strength: an overall verdict beats a gate status beats
# a bare "Decision:".
_LABEL_CATEGORIES: tuple[tuple[str, int], ...] = (
    ("verdict_label_top", 7),
    ("verdict_label", 6),
    ("verdict_label_overall", 5),
    ("verdict_label_weak", 4),
    ("verdict_label_decision", 2),
)
_VERDICT_LABEL = re.compile(
    r"^(?P<label>"
    + vocab.alternation(t for c, _ in _LABEL_CATEGORIES for t in vocab.terms(c))
    + r")\s*[:：]\s*(?P<value>.*)$",
    re.I,
)
_LABEL_SCORE = tuple(
    (re.compile(r"^" + vocab.alternation(vocab.terms(c)) + r"$", re.I), score)
    for c, score in _LABEL_CATEGORIES
)
_STRICT_LABEL = _LABEL_SCORE[-1][0]
_SUMMARY_HEADING = vocab.pattern("h_summary")
_FINAL_HEADING = re.compile(
    r"\bfinal\s+(?:sign[-\s]?off|verdict|decision|approval)\b|\bsign[-\s]?off\b|veredicto\s+final|"
    r"décision\s+finale|endgültige\s+entscheidung|最终结论|最終判定|итоговое\s+решение",
    re.I,
)
_KEYWORD = re.compile(
    r"(?P<nogo>\bNO[\s-]?GO\b|\bNo[\s-]Go\b|(?i:" + vocab.alternation(vocab.terms("no_go")) + r"))"
    r"|(?P<go>(?<![\w-])(?:GO|Go)(?![\w-]))"
    r"|(?P<fail>(?i:" + vocab.alternation(vocab.terms("fail")) + r"))"
    r"|(?P<pass>(?i:" + vocab.alternation(vocab.terms("pass")) + r"))"
    r"|(?P<concerns>(?i:" + vocab.alternation(vocab.terms("concerns")) + r"))"
    r"|(?P<cond>(?i:" + vocab.alternation(vocab.terms("conditional")) + r"))"
    r"|(?P<rejected>(?i:" + vocab.alternation(vocab.terms("rejected")) + r"))"
    r"|(?P<approved>(?i:" + vocab.alternation(vocab.terms("approved")) + r"))"
    r"|(?P<notready>(?i:" + vocab.alternation(vocab.terms("not_ready")) + r"))"
)
_CONDITION_MARK = vocab.pattern("conditional", "conditional_mark")
_STATUS_LABEL = re.compile(
    r"^(?P<label>" + vocab.alternation(vocab.terms("label_status")) + r")\s*[:：]\s*(?P<value>.*)$", re.I
)
_NOT_READY = vocab.pattern("not_ready")
_RELEASE_OK = vocab.pattern("release_ok")
_ADVICE = vocab.pattern("h_recommendation", "h_non_fact", "h_target")
_CONCERNS = vocab.pattern("concerns")
# A line opening with "if"/"when" ("If the P1 is fixed: GO") states a condition, not the verdict.
_NOT_A_VERDICT_START = vocab.pattern("conditional_clause")  # used with .match: at the start only


def verdict_of(value: str, *, strict_start: bool = False) -> VerdictValue | None:
    """Map a verdict text ('✅ PASS - all targets met', 'GO для TestFlight — УСЛОВНЫЙ') to a verdict value."""
    text = clean(value)
    # "FAIL → PASS after retest", "FAIL → fixed": the last state stated is the one that stands
    *_, last = re.split(r"\s*(?:→|->|=>)\s*", text)
    if last != text:
        if status_of(last) == "fixed":
            return None
        if _KEYWORD.search(last):
            text = last
    if re.search(r"\bpass\s+rate\b", text, re.I):
        text = re.sub(r"\bpass\s+rate\b", "", text, flags=re.I)
    first = None
    for m in _KEYWORD.finditer(text):
        kind = m.lastgroup or ""
        head = text[: m.start()]
        words_before = len(re.findall(r"[^\W_]+", head))
        arrow = bool(re.search(r"(?:→|=>|->|:)\s*$", head))
        if strict_start and words_before > 0:
            return None
        if words_before > 3 and not arrow:
            continue
        first = kind
        break
    if first is None:
        return None
    conditional = bool(_CONDITION_MARK.search(text))
    concerns = bool(_CONCERNS.search(text))
    if first in ("nogo", "rejected", "notready"):
        return "NO-GO"
    if first == "cond":
        return "CONDITIONAL"
    if first == "concerns":
        return "CONCERNS"
    if first == "fail":
        return "FAIL"
    if first in ("go", "approved"):
        return "CONDITIONAL" if conditional else "GO"
    if first == "pass":
        if concerns:
            return "CONCERNS"
        return "CONDITIONAL" if conditional else "PASS"
    return None


def extract_verdict(doc: Document, facts: QAFacts) -> None:
    """Set ``facts.verdict`` from the strongest overall verdict label (later wins among equals)."""
    best: tuple[int, int, VerdictValue, Evidence] | None = None
    for key in ("verdict", "gate", "gate_decision", "overall_status", "qa_verdict", "decision"):
        value = doc.front_matter.get(key)
        if isinstance(value, str):
            v = verdict_of(value)
            if v:
                line = doc.front_matter_line(key)
                ev = doc.evidence(line) if line else fm_evidence(doc, key, value)
                best = (6, line, v, ev)
    for n, raw in doc.text_lines():
        if n in doc.table_lines:
            continue
        text = clean(strip_line_markers(raw))
        if not text or _NOT_A_VERDICT_START.match(text):
            continue
        m = _VERDICT_LABEL.match(text) or _status_in_summary(doc, n, text)
        if not m:
            continue
        label = m.group("label")
        value = m.group("value").strip()
        is_heading = doc.is_heading_line(n)
        if not value and is_heading:
            value = _next_nonblank(doc, n)
        strict = bool(_STRICT_LABEL.match(label))
        v = verdict_of(value, strict_start=strict) if value else None
        if v is None:
            continue
        score = next((s for p, s in _LABEL_SCORE if p.search(label)), 1)
        section = doc.section(n)
        if (
            section is not None
            and section.level >= 3
            and not is_heading
            and not _SUMMARY_HEADING.search(section.text)
        ):
            score -= 2
        if any(_FINAL_HEADING.search(clean(h.text)) for h in doc.heading_path(n) if h.level > 1):
            score = max(score, 7)  # "### Q/A Final Sign-Off": the document's last word on this release
        candidate = (score, n, v, doc.evidence(n))
        if best is None or (candidate[0], candidate[1]) >= (best[0], best[1]):
            best = candidate
    if best is None:
        best = _release_statement(doc)
    if best is not None:
        facts.verdict = QAVerdict(value=best[2], evidence=best[3])


def _status_in_summary(doc: Document, n: int, text: str) -> re.Match[str] | None:
    """'Status: FAIL' counts as a verdict in a conclusion or summary section, or in the title block."""
    m = _STATUS_LABEL.match(text)
    if m is None:
        return None
    section = doc.section(n)
    if section is None or section.level == 1 or _SUMMARY_HEADING.search(clean(section.text)):
        return m
    return None


def _release_statement(doc: Document) -> tuple[int, int, VerdictValue, Evidence] | None:
    """With no verdict label: the document's last word on release, outside advice and target sections.

    "not production-ready" → NO-GO; "release can continue as planned" → GO.
    """
    found: tuple[int, int, VerdictValue, Evidence] | None = None
    for n, raw in doc.prose_lines():
        if any(_ADVICE.search(clean(h.text)) for h in doc.heading_path(n) if h.level > 1):
            continue
        text = clean(strip_line_markers(raw))
        if not text or _NOT_A_VERDICT_START.match(text):
            continue
        bad = [m.span() for m in _NOT_READY.finditer(text)]
        good = [m for m in _RELEASE_OK.finditer(text) if not any(a <= m.start() < b for a, b in bad)]
        if bad and (not good or max(a for a, _ in bad) > good[-1].start()):
            found = (0, n, "NO-GO", doc.evidence(n))
        elif good:
            found = (0, n, "GO", doc.evidence(n))
    return found


def _next_nonblank(doc: Document, n: int) -> str:
    for k in range(n + 1, min(n + 4, len(doc.lines) + 1)):
        if doc.line(k).strip():
            return clean(strip_line_markers(doc.line(k)))
    return ""
