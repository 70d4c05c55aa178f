"""The QA verdict (GO, NO-GO, PASS, FAIL, CONCERNS, CONDITIONAL) from the strongest overall label."""

from __future__ import annotations

import re

from opsrelay.facts.document import Document
from opsrelay.facts.meta import fm_evidence
from opsrelay.facts.model import Evidence, QAFacts, QAVerdict, VerdictValue
from opsrelay.facts.text import clean, strip_line_markers

_VERDICT_LABEL = re.compile(
    r"^(?P<label>overall\s+(?:qa\s+)?(?:verdict|status|result|assessment|decision|rating|recommendation)"
    r"|final\s+(?:verdict|decision|status|result|recommendation)"
    r"|qa\s+(?:verdict|decision|sign[\s-]?off|status|recommendation)"
    r"|release\s+(?:decision|verdict|readiness|recommendation|status)"
    r"|gate\s+(?:decision|status|result|verdict)|quality\s+gate|gate|go\s*/\s*no[\s-]?go(?:\s+decision)?"
    r"|verdict|вердикт|итоговый\s+вердикт|итог|решение|decision|recommendation|overall)"
    r"\s*[:：]\s*(?P<value>.*)$",
    re.I,
)
_LABEL_SCORE = (
    (re.compile(r"overall\s+(?:qa\s+)?verdict|final\s+verdict|итоговый", re.I), 7),
    (re.compile(r"verdict|вердикт|gate\s+decision|release\s+decision|final|go\s*/\s*no", re.I), 6),
    (
        re.compile(
            r"overall\s+(?:status|result|assessment|decision|rating)|gate\s+status|qa\s+|release|gate", re.I
        ),
        5,
    ),
    (re.compile(r"overall|итог|решение", re.I), 4),
    (re.compile(r"decision|recommendation", re.I), 2),
)
_SUMMARY_HEADING = re.compile(
    r"summary|verdict|conclusion|decision|sign[\s-]?off|gate|итог|вердикт|executive|key\s+metrics|overall|result",
    re.I,
)
_KEYWORD = re.compile(
    r"(?P<nogo>\bNO[\s-]?GO\b|\bNo[\s-]Go\b)|(?P<go>(?<![\w-])(?:GO|Go)(?![\w-]))"
    r"|(?P<pass>(?i:\bpass(?:ed|es)?\b))|(?P<fail>(?i:\bfail(?:ed|s|ure)?\b))|(?P<concerns>(?i:\bconcerns?\b))"
    r"|(?P<cond>(?i:\bconditional(?:ly)?\b|условн\w*))|(?P<approved>(?i:\bapproved\b))"
    r"|(?P<rejected>(?i:\brejected\b|\bblocked\b))",
)
_CONDITION_MARK = re.compile(r"\bconditional(?:ly)?\b|условн\w*|\bwith\s+conditions\b|\bпри\s+условии", re.I)


def verdict_of(value: str, *, strict_start: bool = False) -> VerdictValue | None:
    """Map a verdict text ('✅ PASS - all targets met', 'GO для TestFlight — УСЛОВНЫЙ') to a verdict value."""
    text = clean(value)
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
    concerns = bool(re.search(r"\bconcerns?\b", text, re.I))
    if first in ("nogo", "rejected"):
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
        if not text or re.match(r"^(?:if|when|если)\b", text, re.I):
            continue
        m = _VERDICT_LABEL.match(text)
        if not m:
            continue
        label = m.group("label")
        value = m.group("value").strip()
        is_heading = doc.is_heading_line(n)
        if not value and is_heading:
            value = _next_nonblank(doc, n)
        strict = label.lower() in ("decision", "recommendation", "решение")
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
        candidate = (score, n, v, doc.evidence(n))
        if best is None or (candidate[0], candidate[1]) >= (best[0], best[1]):
            best = candidate
    if best is not None:
        facts.verdict = QAVerdict(value=best[2], evidence=best[3])


def _next_nonblank(doc: Document, n: int) -> str:
    for k in range(n + 1, min(n + 4, len(doc.lines) + 1)):
        if doc.line(k).strip():
            return clean(strip_line_markers(doc.line(k)))
    return ""
