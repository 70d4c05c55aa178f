"""Defects and security findings identified by id (BUG-009, P0-1, R-2.9-1, SEC-01, CHK-112, #123).

Every mention of an id is collected: *defining* mentions (a row of a table with an ID column, a
heading that names the id) and *prose* mentions. Each carries what it says about severity and status,
with the section context (a heading such as "## 2. P0 — НАЙДЕНЫ И ИСПРАВЛЕНЫ" or "### CRITICAL"
applies to the items under it). Mentions of one id are merged: severity from the most specific
source, status from the last mention that states one (a retest later in the document overrides the
initial "open"), title and evidence from the defining mention that carries the final status.

Ids in a risk register (R-…) with neither severity nor status are risks, not defects.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from opsrelay.facts import vocab
from opsrelay.facts.document import Document, Heading, Table
from opsrelay.facts.model import Defect, DefectStatus, QAFacts, Risk, SecurityFinding, Severity
from opsrelay.facts.text import (
    RECOMMENDATION_HEADING,
    clean,
    p_token_of,
    severity_of,
    short,
    status_of,
    strip_line_markers,
)

KNOWN_ID = re.compile(
    r"(?<![\w.#/-])(?:(?:BUG|DEF|DEFECT|ISSUE|INC|SEC|VULN|CRIT|HIGH|MED|LOW|NEW|CWE)-\d+[A-Z]?"
    r"|R-\d+(?:\.\d+)*(?:-\d+)?|P[0-4]-\d+|CVE-\d{4}-\d{4,})(?![\w-])"
    r"|(?:(?<=[Bb]ug )|(?<=[Ii]ssue )|(?<=[Dd]efect )|(?<=[Бб]аг ))#\d+\b"
)
GENERIC_ID = re.compile(r"(?<![\w.#/-])(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d+(?:\.\d+)*[a-z]?|#\d+)(?![\w-])")
_SECURITY_PREFIX = re.compile(r"^(?:SEC|VULN|CVE|CRIT|HIGH|MED|LOW|CWE)-")
_PREFIX_SEVERITY: tuple[tuple[re.Pattern[str], Severity], ...] = (
    (re.compile(r"^P([0-4])-"), "P0"),
    (re.compile(r"^CRIT-"), "P0"),
    (re.compile(r"^HIGH-"), "P1"),
    (re.compile(r"^MED-"), "P2"),
    (re.compile(r"^LOW-"), "P3"),
)
_ID_HEADER = re.compile(
    r"^(?:#|№|no\.?|id|ids|key|ref|ticket|bug|bug\s+id|defect(?:\s+id)?|issue(?:\s+id)?|finding(?:\s+id)?|risk\s+id|vuln\w*\s+id)$",
    re.I,
)
_STATUS_HEADER = vocab.pattern("col_status")
_SEVERITY_HEADER = vocab.pattern("col_severity")
_TITLE_HEADER = vocab.pattern("col_title")
SECURITY_HEADING = vocab.pattern("h_security")
RISK_HEADING = vocab.pattern("h_risk")
_STATUS_LABEL = vocab.label("label_status")
_SEVERITY_LABEL = vocab.label("label_severity")
_PAREN_AFTER = re.compile(r"^\s*\(([^()]{1,80})\)")

# Severity source ranks: the id itself beats a severity column/label, which beats an inline
# parenthetical, which beats the section heading, which beats a bare P-token elsewhere on the line.
_R_PREFIX, _R_COLUMN, _R_INLINE, _R_SECTION, _R_LINE = 5, 4, 3, 2, 1


@dataclass
class Mention:
    """One mention of a defect id and what it says."""

    id: str
    line: int
    defining: bool
    title: str | None
    severity: tuple[int, Severity] | None
    status: DefectStatus | None
    security: bool
    risk: bool
    good_title: bool = True


_PASSED = re.compile(r"^(?:✅\s*)?(?:pass(?:ed)?|ok|success(?:ful)?)\s*(?:✅)?$", re.I)


def prefix_severity(defect_id: str) -> Severity | None:
    """Severity encoded in an id: P1-3 → P1, CRIT-01 → P0, HIGH-02 → P1, MED-01 → P2, LOW-01 → P3."""
    for pattern, sev in _PREFIX_SEVERITY:
        m = pattern.match(defect_id)
        if m:
            return f"P{m.group(1)}" if m.groups() else sev  # type: ignore[return-value]
    return None


def _best(*options: tuple[int, Severity | None]) -> tuple[int, Severity] | None:
    kept = [(rank, sev) for rank, sev in options if sev is not None]
    return max(kept, key=lambda o: o[0]) if kept else None


def _section_context(
    doc: Document, line: int, *, include_self: bool = True
) -> tuple[Severity | None, DefectStatus | None, bool, bool, bool]:
    """Return (severity, status, in security, in risk, in recommendations) from the enclosing headings."""
    path = doc.section_path(line)
    if not include_self and path and path[-1].line == line:
        path = path[:-1]
    return _path_context(tuple(h.text for h in path))


@lru_cache(maxsize=4096)
def _path_context(texts: tuple[str, ...]) -> tuple[Severity | None, DefectStatus | None, bool, bool, bool]:
    severity: Severity | None = None
    status: DefectStatus | None = None
    for raw in reversed(texts):
        text_wo_ids = KNOWN_ID.sub(" ", clean(raw))
        if severity is None:
            severity = severity_of(text_wo_ids)
        if status is None:
            status = status_of(text_wo_ids)
    security = any(SECURITY_HEADING.search(t) for t in texts)
    risk = any(RISK_HEADING.search(t) for t in texts)
    recommendation = any(RECOMMENDATION_HEADING.search(t) for t in texts)
    return severity, status, security, risk, recommendation


def _title_from(text: str, ids: list[str]) -> str:
    s = text
    for i in ids:
        s = s.replace(i, " ")
    s = re.sub(r"\(\s*[/,&]?\s*\)", " ", s)
    s = re.sub(r"^[^\w(]*(?:\d+(?:\.\d+)*[.)]?\s+)?", "", s)
    while True:
        m = re.match(r"^\s*[/,&:.\-—–]*\s*\(([^()]*)\)\s*[.:\-—–]*\s*", s)
        if not m:
            break
        s = s[m.end() :]
    s = re.sub(
        r"\s*\(([^()]*)\)\s*$",
        lambda m: "" if severity_of(m.group(1)) or status_of(m.group(1)) else m.group(0),
        s,
    )
    return short(s.strip(" .:;,-—–/"), 200)


class _Collector:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.mentions: list[Mention] = []
        self.alias: dict[str, str] = {}
        self.known: set[str] = set()
        self.passed_items: set[str] = set()  # ids a table lists as passing test items

    def canonical(self, defect_id: str) -> str:
        return self.alias.get(defect_id, defect_id)

    # -- tables ---------------------------------------------------------------------------------

    def tables(self) -> None:
        plain: list[Table] = []
        for table in self.doc.tables:
            col = self._id_column(table)
            if col is None:
                plain.append(table)
                continue
            self._table(table, col)
        for table in plain:
            for row in table.rows:
                for cell in row.cells:
                    self._prose(clean(cell), row.line, line_status=False)

    def _id_column(self, table: Table) -> int | None:
        header = [clean(h) for h in table.header]
        for i, h in enumerate(header):
            if _ID_HEADER.match(h):
                return i
        if header and not re.search(r"test|case|step|criteri|requirement|metric", header[0], re.I):
            cells = [clean(r.cells[0]) for r in table.rows if r.cells]
            hits = [c for c in cells if KNOWN_ID.match(c)]
            if hits and len(hits) >= max(1, len(cells) // 2):
                return 0
        return None

    def _table(self, table: Table, col: int) -> None:
        header = [clean(h) for h in table.header]
        if re.search(r"test", header[col], re.I):
            return
        status_cols = [i for i, h in enumerate(header) if i != col and _STATUS_HEADER.search(h)]
        severity_cols = [i for i, h in enumerate(header) if i != col and _SEVERITY_HEADER.search(h)]
        title_col = next((i for i, h in enumerate(header) if i != col and _TITLE_HEADER.search(h)), None)
        sec_sev, sec_status, security, risk, _ = _section_context(self.doc, table.line)
        for row in table.rows:
            if col >= len(row.cells):
                continue
            ids = GENERIC_ID.findall(clean(row.cells[col]))
            if not ids:
                for cell in row.cells:
                    self._prose(clean(cell), row.line, line_status=False)
                continue
            main = ids[0]
            for alias in ids[1:]:
                self.alias.setdefault(alias, main)
            self.known.update(ids)
            status: DefectStatus | None = None
            paren_sev: Severity | None = None
            for i in status_cols:
                if i < len(row.cells):
                    value = clean(row.cells[i])
                    status = status_of(value) or status
                    for p in re.findall(r"\(([^()]*)\)", value):
                        paren_sev = paren_sev or severity_of(p)
            column_sev = next(
                (s for i in severity_cols if i < len(row.cells) and (s := severity_of(clean(row.cells[i])))),
                None,
            )
            alias_sev = next((s for a in ids[1:] if (s := prefix_severity(a))), None)
            severity = _best(
                (_R_PREFIX, prefix_severity(main)),
                (_R_COLUMN, column_sev),
                (_R_COLUMN, alias_sev),
                (_R_INLINE, paren_sev),
                (_R_SECTION, sec_sev),
            )
            if (
                status is None
                and column_sev is None
                and paren_sev is None
                and any(_PASSED.match(clean(c)) for c in row.cells)
            ):
                self.passed_items.add(main)
                continue  # a passing test case listed by id (even one named "P0-1"), not a defect
            title_cell = (
                row.cells[title_col] if title_col is not None and title_col < len(row.cells) else None
            )
            if title_cell is None:
                others = [
                    c
                    for i, c in enumerate(row.cells)
                    if i != col and i not in status_cols and i not in severity_cols
                ]
                title_cell = others[0] if others else ""
            self.mentions.append(
                Mention(
                    id=main,
                    line=row.line,
                    defining=True,
                    title=_title_from(clean(title_cell), ids) or None,
                    severity=severity,
                    status=status if status is not None else sec_status,
                    security=security,
                    risk=risk,
                )
            )
            for i, cell in enumerate(row.cells):
                if i != col:
                    self._prose(clean(cell), row.line, line_status=False)

    # -- headings -------------------------------------------------------------------------------

    def headings(self) -> None:
        for heading in self.doc.headings:
            text = clean(heading.text)
            ids = KNOWN_ID.findall(text)
            lead = re.match(r"^(?:\d+(?:\.\d+)*\.?\s+)?(" + GENERIC_ID.pattern + r")\s*[.:)\-—–]", text)
            if not ids and lead and lead.group(1) in self.known:
                ids = [lead.group(1)]
            if not ids:
                continue
            self._heading(heading, text, ids)

    def _heading(self, heading: Heading, text: str, ids: list[str]) -> None:
        sec_sev, sec_status, security, risk, _ = _section_context(self.doc, heading.line, include_self=False)
        label_status: DefectStatus | None = None
        label_sev: Severity | None = None
        for _, raw in self.doc.body_lines(heading):
            body = clean(strip_line_markers(raw))
            m = _STATUS_LABEL.match(body)
            if m and label_status is None:
                label_status = status_of(m.group("value"))
            m = _SEVERITY_LABEL.match(body)
            if m and label_sev is None:
                label_sev = severity_of(m.group("value"))
        text_wo_ids = KNOWN_ID.sub(" ", text)
        paren_sev = next((s for p in re.findall(r"\(([^()]*)\)", text_wo_ids) if (s := severity_of(p))), None)
        own_status = status_of(text_wo_ids)
        title = _title_from(text, ids) or None
        for i in ids:
            self.known.add(i)
            severity = _best(
                (_R_PREFIX, prefix_severity(i)),
                (_R_COLUMN, label_sev),
                (_R_INLINE, paren_sev),
                (_R_SECTION, sec_sev),
            )
            status = (label_status if len(ids) == 1 else None) or own_status or sec_status
            self.mentions.append(
                Mention(
                    id=i,
                    line=heading.line,
                    defining=True,
                    title=title,
                    severity=severity,
                    status=status,
                    security=security or bool(SECURITY_HEADING.search(text_wo_ids)),
                    risk=risk,
                )
            )

    # -- prose ----------------------------------------------------------------------------------

    def prose(self) -> None:
        for n, raw in self.doc.prose_lines():
            if self.doc.is_heading_line(n):
                continue
            _, _, security, risk, recommendation = _section_context(self.doc, n)
            self._prose(
                clean(raw),
                n,
                line_status=not recommendation,
                security=security,
                risk=risk,
                allow_status=not recommendation,
            )

    def _prose(
        self,
        text: str,
        line: int,
        *,
        line_status: bool,
        security: bool = False,
        risk: bool = False,
        allow_status: bool = True,
    ) -> None:
        found = [(m.start(), m.end(), m.group(0)) for m in KNOWN_ID.finditer(text)]
        if self.known:
            starts = {a for a, _, _ in found}
            for m in GENERIC_ID.finditer(text):
                if m.group(0) in self.known and m.start() not in starts:
                    found.append((m.start(), m.end(), m.group(0)))
        if not found:
            return
        found = sorted(found)[:_MAX_MENTIONS_PER_LINE]
        sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.;]+(?:[.;](?!\s)[^.;]*)*", text)]
        sentence_starts = [a for a, _ in sentences]
        line_p = {m.group(0) for m in re.finditer(r"(?<![\w.-])P[0-4](?![\w-])", text[: _WINDOW * 20])}
        for k, (start, end, defect_id) in enumerate(found):
            seg_end = min(found[k + 1][0] if k + 1 < len(found) else len(text), end + _WINDOW)
            segment = text[end:seg_end]
            paren = _PAREN_AFTER.match(segment)
            inline_sev = severity_of(paren.group(1)) if paren else None
            window = text[max(0, start - _WINDOW) : start]
            hypothetical = bool(_HYPOTHETICAL.search(_clauses(window)[-1] if window else ""))
            status = status_of(segment) if allow_status and not hypothetical else None
            if status is None and allow_status and not hypothetical and line_status:
                i = bisect_right(sentence_starts, start) - 1
                a, b = sentences[i] if i >= 0 else (0, 0)
                said = (
                    _statuses(text[max(a, start - _WINDOW) : min(b, end + _WINDOW)])
                    if a <= start < b
                    else set()
                )
                if len(said) == 1:
                    status = next(iter(said))
            severity = _best(
                (_R_PREFIX, prefix_severity(defect_id)),
                (_R_INLINE, inline_sev),
                (_R_INLINE, p_token_of(segment)),
                (_R_LINE, p_token_of(text) if len(line_p) == 1 else None),
            )
            title, good = _prose_title(
                text[max(0, start - _WINDOW) : seg_end],
                min(start, _WINDOW),
                end - start + min(start, _WINDOW),
                seg_end - start + min(start, _WINDOW),
            )
            self.mentions.append(
                Mention(
                    id=defect_id,
                    line=line,
                    defining=False,
                    title=title or None,
                    severity=severity,
                    status=status,
                    security=security,
                    risk=risk,
                    good_title=good,
                )
            )


_WINDOW = 300  # characters around a mention that can describe it
_MAX_MENTIONS_PER_LINE = 200


def _statuses(text: str) -> set[DefectStatus]:
    return {s for s in (status_of(p) for p in re.split(r",|\band\b|\bbut\b", text)) if s}


_HYPOTHETICAL = re.compile(
    r"\b(?:once|when|after|until|unless|if|before|whether)\b|как\s+только|после|если", re.I
)
_WEAK_START = {
    "and",
    "or",
    "are",
    "is",
    "was",
    "were",
    "to",
    "of",
    "in",
    "on",
    "with",
    "the",
    "a",
    "an",
    "once",
    "then",
    "but",
    "be",
    "been",
    "has",
    "have",
    "had",
    "it",
    "its",
    "as",
    "for",
    "by",
    "и",
    "или",
    "в",
    "на",
    "с",
}


_CLAUSE_SEP = re.compile(r"[,;]| [—–-] |\. ")


def _clauses(text: str) -> list[str]:
    """Split on , ; and dashes outside parentheses."""
    if "(" not in text and ")" not in text:
        return _CLAUSE_SEP.split(text)
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if depth == 0 and (ch in ",;" or text.startswith((" — ", " – ", " - ", ". "), i)):
            parts.append("".join(current))
            current = []
            i += 3 if text.startswith((" — ", " – ", " - "), i) else 1
            continue
        current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def _describe(paren: str) -> str:
    """Return the descriptive part of a parenthetical: 'page-reset bug, unfixed' → 'page-reset bug'."""
    kept = [p.strip() for p in re.split(r"[,;]", paren) if p.strip() and not (severity_of(p) or status_of(p))]
    return ", ".join(kept)


def _drop_tag_parens(text: str) -> str:
    return re.sub(
        r"\s*\(([^()]*)\)",
        lambda m: "" if severity_of(m.group(1)) or status_of(m.group(1)) else m.group(0),
        text,
    )


def _good(title: str) -> bool:
    words = title.split()
    return len(words) >= 2 and words[0].lower().strip("*_") not in _WEAK_START


def _balance(text: str) -> str:
    text = text.strip(" .:;,-—–*")
    if text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip()
    if text.startswith("(") and text.count("(") > text.count(")"):
        text = text[1:].lstrip()
    return text


def _prose_title(text: str, start: int, end: int, seg_end: int) -> tuple[str, bool]:
    """Return a short title for an id mentioned in prose, and whether it is a real description.

    The title comes from the words after the id, or before it when the id is parenthesised; when
    neither describes anything, the whole line is the (not good) fallback.
    """
    before = text[:start].rstrip()
    if before.endswith("("):
        clause = _balance(re.split(r"[,;:(—–]|\s-\s", before[:-1])[-1])
        if _good(clause):
            return short(clause, 160), True
    segment = text[end:seg_end]
    lead = re.match(r"^\s*[:.\-—–]*\s*\(([^()]*)\)", segment)
    lead_desc = _describe(lead.group(1)) if lead else ""
    rest = segment[lead.end() :] if lead else segment
    rest = rest.lstrip(" :.-—–*")
    first = _balance(_drop_tag_parens(_clauses(rest)[0]))
    if first and _good(first):
        return short(first, 160), True
    if lead_desc:
        return short(lead_desc, 160), True
    return short(strip_line_markers(text), 200), False


def _merge(group: list[Mention]) -> tuple[Mention, Severity, DefectStatus, bool, bool]:
    group = sorted(group, key=lambda m: m.line)
    status_mention = next((m for m in reversed(group) if m.status is not None), None)
    status: DefectStatus = status_mention.status if status_mention and status_mention.status else "unknown"
    ranked = [m for m in group if m.severity is not None]
    severity: Severity = "unknown"
    if ranked:
        top = max(m.severity[0] for m in ranked if m.severity)
        severity = next(m.severity[1] for m in ranked if m.severity and m.severity[0] == top)
    if status_mention is not None and status_mention.defining:
        primary = status_mention
    else:
        primary = next((m for m in group if m.defining), group[0])
    if not primary.defining or not primary.title:
        titled = next((m for m in group if m.title and (m.defining or m.good_title)), None)
        titled = titled or next((m for m in group if m.title), None)
        if titled is not None:
            primary = (
                titled if not primary.defining else Mention(**{**primary.__dict__, "title": titled.title})
            )
    defining = [m for m in group if m.defining] or group
    security = any(m.security for m in defining)
    risk = any(m.risk for m in defining)
    return primary, severity, status, security, risk


def extract_defects(doc: Document, facts: QAFacts) -> None:
    """Fill ``facts.defects`` and id-based ``facts.security`` findings; register-style R-ids become risks."""
    collector = _Collector(doc)
    collector.tables()
    collector.headings()
    collector.prose()
    groups: dict[str, list[Mention]] = {}
    order: list[str] = []
    for mention in sorted(collector.mentions, key=lambda m: m.line):
        key = collector.canonical(mention.id)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(mention)
    defects: list[Defect] = []
    security: list[SecurityFinding] = []
    risks: list[Risk] = []
    for key in order:
        if key in collector.passed_items and all(m.status is None for m in groups[key]):
            continue  # a test item a table lists as passed; its own section is not a defect
        primary, severity, status, in_security, in_risk = _merge(groups[key])
        title = primary.title or key
        evidence = doc.evidence(primary.line)
        if _SECURITY_PREFIX.match(key) or (in_security and not key.startswith(("P", "BUG", "R-"))):
            security.append(
                SecurityFinding(id=key, title=title, severity=severity, status=status, evidence=evidence)
            )
        elif (key.startswith("R-") or in_risk) and severity == "unknown" and status == "unknown":
            risks.append(Risk(id=key, title=title, evidence=evidence))
        else:
            defects.append(Defect(id=key, title=title, severity=severity, status=status, evidence=evidence))
    facts.defects = defects
    facts.security = security
    facts.risks = risks
