"""QA risks and concerns that are not id'd defects, and security findings stated without an id.

Sources, most specific first:
- NFR-style subsections whose status is CONCERNS/FAIL ("### Fault Tolerance" + "- **Status:** CONCERNS");
  under a security heading these become security findings instead of risks;
- "### Risk 1: …" headings, and list items under headings such as Risks, Evidence Gaps, Known Issues,
  Limitations, Bottlenecks, Blockers;
- list items after a bold label such as "**Blockers for Production Scale-out:**" or "**Limitations:**";
- open checklist items with a P0/P1 priority ("- [ ] P1: Add k6 smoke test…");
- when none of the above exists: table rows whose status cell warns (🟡 ⚠️ ❌ FAIL CONCERNS PARTIAL).
Security findings without an id: vulnerability keywords (XSS, SSRF, SQL injection, CVE…) in a security
section, on a line or row that is not a pass.
"""

from __future__ import annotations

import re

from opsrelay.facts import vocab
from opsrelay.facts.defects import GENERIC_ID, KNOWN_ID, SECURITY_HEADING
from opsrelay.facts.document import Document, Heading
from opsrelay.facts.model import QAFacts, Risk, SecurityFinding
from opsrelay.facts.text import clean, severity_of, short, strip_line_markers

_STATUS_LINE = re.compile(
    r"^(?:overall\s+)?status\s*[:：]\s*(?P<status>concerns?|fail(?:ed)?|partial|at\s+risk|not\s+met|blocked)\b",
    re.I,
)
_FINDINGS_LINE = re.compile(
    r"^(?:findings?|gap\s+detail(?:\s*\([^)]*\))?|gaps?|issues?)\s*[:：]\s*(?P<value>.+)$", re.I
)
_VERDICTISH = re.compile(r"summary|verdict|conclusion|decision|sign[\s-]?off|gate|executive", re.I)
# "## Risks", "### Known issues", "## Riesgos", "## 已知问题": sections whose items are risks
_RISK_SECTION = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:current\s+|key\s+|open\s+|known\s+|identified\s+|outstanding\s+|top\s+)?"
    + vocab.alternation(vocab.terms("h_risk_section")),
    re.I,
)
_RISK_HEADING = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?risk\s+(?P<id>[\w.-]+)\s*[:.\-—–]\s*(?P<title>.+)$", re.I
)
_LABEL_LIST = re.compile(
    r"^" + vocab.alternation(vocab.terms("h_risk_section")) + r"[^:：]{0,60}[:：]\s*$",
    re.I,
)
_CHECKBOX_P = re.compile(r"^\s*[-*+]\s+\[\s\]\s+\**(?P<p>P[01])\b[^:]*?\**\s*[:\-—–]?\s*(?P<rest>.+)$")
_LIST_ITEM = re.compile(r"^(?P<indent>\s*)(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?(?P<text>.+)$")
_WARN_CELL = re.compile(r"[🟡⚠❌]|\b(?:FAIL(?:ED)?|CONCERNS?|PARTIAL|NOT\s+MET|AT\s+RISK)\b")
_PASS_CELL = re.compile(r"✅|\bPASS(?:ED)?\b", re.I)
_STATUS_HEADER = re.compile(r"status|статус|result|state", re.I)
_VULN = re.compile(
    r"\bXSS\b|cross[\s-]site|\bSSRF\b|\bCSRF\b|\bXSRF\b|SQL\s*injection|\bSQLi\b|injection|\bIDOR\b|\bRCE\b|"
    r"remote\s+code|path\s+traversal|directory\s+traversal|\bReDoS\b|open\s+redirect|CVE-\d{4}-\d{4,}|"
    r"hard[\s-]?coded\s+(?:secret|password|credential|key)|default\s+(?:admin\s+)?password|"
    r"privilege\s+escalation|auth(?:entication|orization)?\s+bypass|clickjacking|deserializ|\bXXE\b|"
    r"уязвимост|инъекц",
    re.I,
)
_NOT_PASS = re.compile(
    r"[⚠❌🟡]|\b(?:FAIL(?:ED)?|PARTIAL|VULNERABLE|OPEN|CONCERNS|NOT\s+MET|MISSING|Partial|Fail(?:ed)?)\b"
    r"|\b(?:vulnerable|unpatched|exploitable|not\s+(?:fixed|mitigated))\b"
)


class _Bag:
    def __init__(self, doc: Document, skip_ids: set[str]) -> None:
        self.doc = doc
        self.skip_ids = skip_ids
        self.risks: list[Risk] = []
        self.security: list[SecurityFinding] = []
        self.titles: set[str] = set()

    def has_id(self, text: str) -> bool:
        return bool(KNOWN_ID.search(text)) or any(
            m.group(0) in self.skip_ids for m in GENERIC_ID.finditer(text)
        )

    def starts_with_id(self, text: str) -> bool:
        head = " ".join(text.split()[:3])
        return self.has_id(head)

    def risk(self, title: str, line: int, risk_id: str | None = None) -> None:
        title = short(title, 240)
        key = title.lower()
        if len(title) < 4 or key in self.titles:
            return
        self.titles.add(key)
        self.risks.append(Risk(id=risk_id, title=title, evidence=self.doc.evidence(line)))

    def finding(self, title: str, line: int, severity: str | None) -> None:
        title = short(title, 240)
        key = title.lower()
        if len(title) < 4 or key in self.titles:
            return
        self.titles.add(key)
        self.security.append(
            SecurityFinding(
                title=title, severity=severity or "unknown", status="open", evidence=self.doc.evidence(line)
            )
        )


def _heading_title(heading: Heading) -> str:
    text = clean(heading.text)
    text = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", text)
    return re.sub(r"\s*\(\d+/\d+[^)]*\)\s*$", "", text).strip()


def _status_subsections(doc: Document, bag: _Bag) -> bool:
    found = False
    for n, raw in doc.prose_lines():
        text = clean(strip_line_markers(raw))
        m = _STATUS_LINE.match(text)
        if not m:
            continue
        section = doc.section(n)
        if section is None or section.level < 3 or _VERDICTISH.search(section.text):
            continue
        title = _heading_title(section)
        indent = len(raw) - len(raw.lstrip())
        if indent >= 2:
            parent = _parent_item(doc, n, indent)
            if parent:
                title = f"{title} / {parent}"
        status = (
            m.group("status")
            .upper()
            .replace("FAILED", "FAIL")
            .replace("CONCERN", "CONCERNS")
            .replace("CONCERNSS", "CONCERNS")
        )
        detail = _detail_after(doc, n, section)
        full = f"{title}: {status}" + (f" — {detail}" if detail else "")
        path = doc.heading_path(n)
        if any(SECURITY_HEADING.search(h.text) for h in path):
            bag.finding(full, n, None)
        else:
            bag.risk(full, n)
        found = True
    return found


def _parent_item(doc: Document, n: int, indent: int) -> str | None:
    for k in range(n - 1, max(0, n - 12), -1):
        raw = doc.line(k)
        if not raw.strip():
            continue
        item = _LIST_ITEM.match(raw)
        if item and len(item.group("indent")) < indent:
            return clean(item.group("text")).strip(" :")
    return None


def _detail_after(doc: Document, n: int, section: Heading) -> str | None:
    for k in range(n + 1, min(n + 12, len(doc.lines) + 1)):
        if doc.is_heading_line(k):
            return None
        text = clean(strip_line_markers(doc.line(k)))
        if _STATUS_LINE.match(text):
            return None
        m = _FINDINGS_LINE.match(text)
        if m:
            return short(m.group("value"), 160)
    return None


def _risk_sections(doc: Document, bag: _Bag) -> None:
    for heading in doc.headings:
        title = clean(heading.text)
        rm = _RISK_HEADING.match(title)
        if rm:
            description = next(
                (
                    m.group("value")
                    for _, raw in doc.body_lines(heading)
                    if (
                        m := re.match(
                            r"^(?:description|описание)\s*[:：]\s*(?P<value>.+)$",
                            clean(strip_line_markers(raw)),
                            re.I,
                        )
                    )
                ),
                None,
            )
            text = rm.group("title") + (f": {short(description, 160)}" if description else "")
            bag.risk(text, heading.line, risk_id=f"Risk {rm.group('id')}")
            continue
        if not _RISK_SECTION.match(title):
            continue
        _top_items(doc, heading.line, bag, stop_at_heading=True)


def _top_items(doc: Document, after: int, bag: _Bag, *, stop_at_heading: bool) -> None:
    base: int | None = None
    blank = 0
    for k in range(after + 1, len(doc.lines) + 1):
        if doc.is_heading_line(k) or k in doc.code_lines:
            return
        raw = doc.line(k)
        if not raw.strip():
            blank += 1
            if not stop_at_heading and blank > 1:
                return
            continue
        blank = 0
        item = _LIST_ITEM.match(raw)
        if item is None:
            if not stop_at_heading and base is not None and not raw.startswith((" ", "\t")):
                return
            continue
        indent = len(item.group("indent"))
        if base is None:
            base = indent
        if indent != base:
            continue
        text = clean(item.group("text"))
        if bag.starts_with_id(text) or re.fullmatch(r"\[.*\]", text):
            continue
        bag.risk(text, k)


def _label_lists(doc: Document, bag: _Bag) -> None:
    for n, raw in doc.prose_lines():
        text = clean(raw)
        if _LABEL_LIST.match(text) and not doc.is_heading_line(n):
            _top_items(doc, n, bag, stop_at_heading=False)


def _checkboxes(doc: Document, bag: _Bag) -> None:
    for n, raw in doc.prose_lines():
        m = _CHECKBOX_P.match(raw)
        if m and not bag.starts_with_id(m.group("rest")):
            bag.risk(f"{m.group('p')}: {clean(m.group('rest'))}", n)


def _table_rows(doc: Document, bag: _Bag) -> None:
    for table in doc.tables:
        header = [clean(h) for h in table.header]
        status_cols = [i for i, h in enumerate(header) if _STATUS_HEADER.search(h)]
        if not status_cols:
            continue
        security = any(SECURITY_HEADING.search(h.text) for h in doc.heading_path(table.line))
        if security:
            continue
        for row in table.rows:
            status = " ".join(row.cells[i] for i in status_cols if i < len(row.cells))
            if not _WARN_CELL.search(status) or _PASS_CELL.search(status) or bag.has_id(" ".join(row.cells)):
                continue
            cells = [clean(c) for i, c in enumerate(row.cells) if i not in status_cols and clean(c)]
            if not cells or any(re.fullmatch(r"\[.*\]", c) for c in cells):
                continue
            label = cells[0]
            rest = " / ".join(cells[1:3])
            bag.risk(f"{label}: {_status_words(status)}" + (f" ({rest})" if rest else ""), row.line)


def _status_words(status: str) -> str:
    words = clean(status)
    if words:
        return words
    return "failed" if "❌" in status else "warning"


def _security_lines(doc: Document, bag: _Bag) -> None:
    for table in doc.tables:
        if not any(SECURITY_HEADING.search(h.text) for h in doc.heading_path(table.line)):
            continue
        header = [clean(h) for h in table.header]
        sev_col = next(
            (i for i, h in enumerate(header) if re.search(r"severity|priority|impact", h, re.I)), None
        )
        for row in table.rows:
            joined = " | ".join(clean(c) for c in row.cells)
            if not _VULN.search(joined) and not any(_VULN.search(h) for h in header):
                continue
            others = " ".join(c for i, c in enumerate(row.cells) if i != sev_col)
            if not _NOT_PASS.search(others) or (
                re.search(r"✅|\bPASS(?:ED)?\b", others) and not re.search(r"PARTIAL|FAIL", others, re.I)
            ):
                continue
            if KNOWN_ID.search(joined):
                continue
            severity = (
                severity_of(clean(row.cells[sev_col]))
                if sev_col is not None and sev_col < len(row.cells)
                else None
            )
            parts = [
                clean(c)
                for i, c in enumerate(row.cells)
                if i != sev_col and clean(c) and not re.fullmatch(r"[\d.]+", clean(c))
            ]
            bag.finding(" — ".join(parts[:3]), row.line, severity)
    for n, raw in doc.prose_lines():
        if doc.is_heading_line(n) or not any(SECURITY_HEADING.search(h.text) for h in doc.heading_path(n)):
            continue
        text = clean(strip_line_markers(raw))
        if not _VULN.search(text) or not _NOT_PASS.search(raw) or KNOWN_ID.search(text):
            continue
        if re.search(r"\b(?:no|zero|none)\b[^.;]{0,40}(?:vulnerab|finding|issue)", text, re.I):
            continue
        bag.finding(text, n, severity_of(text))


def extract_risks(doc: Document, facts: QAFacts) -> None:
    """Append non-id risks to ``facts.risks`` and id-less findings to ``facts.security``."""
    skip = (
        {d.id for d in facts.defects}
        | {s.id for s in facts.security if s.id}
        | {r.id for r in facts.risks if r.id}
    )
    bag = _Bag(doc, skip)
    bag.titles.update(r.title.lower() for r in facts.risks)
    subsections = _status_subsections(doc, bag)
    _risk_sections(doc, bag)
    _label_lists(doc, bag)
    _checkboxes(doc, bag)
    if not subsections:
        _table_rows(doc, bag)
    _security_lines(doc, bag)
    facts.risks = facts.risks + bag.risks
    facts.security = facts.security + bag.security
