"""The test set-up of a performance or load run: machines, instance types, node counts, databases, load.

Read from sections whose heading names a set-up ("Test Configuration", "Test Environment",
"Konfigurasi Testing", "Configuración del Entorno", "테스트 환경" …) — their ``label: value`` lines,
two-column tables and ``key: value`` lines in code blocks — and, anywhere else, from labelled lines
whose label is a set-up word ("Test System: Ubuntu 22.04", "Load Generator: local machine").
Each becomes one ``perf_setup`` fact, ``"label: value"`` with its line, in document order.
"""

from __future__ import annotations

import re

from opsrelay.facts import vocab
from opsrelay.facts.document import Document
from opsrelay.facts.model import NamedFact, QAFacts
from opsrelay.facts.text import clean, short, strip_line_markers

_SETUP_HEADING = vocab.pattern("h_setup")
_SETUP_LABEL = re.compile(r"^" + vocab.alternation(vocab.terms("setup_labels")) + r"$", re.I)
_LABELLED = re.compile(r"^(?P<label>[^:：|]{2,40}?)\s*[:：]\s*(?P<value>\S.{0,200})$")
_ADVICE = vocab.pattern("h_recommendation", "h_non_fact")
_TARGET = vocab.pattern("col_target", "h_target")
_MAX = 24


def _in_setup_section(doc: Document, line: int) -> bool:
    path = [h for h in doc.heading_path(line) if h.level > 1]
    return bool(path) and bool(_SETUP_HEADING.search(clean(path[-1].text)))


def extract_perf_setup(doc: Document, facts: QAFacts) -> None:
    """Fill ``facts.perf_setup`` with the run's set-up, one ``label: value`` fact per line."""
    found: dict[int, str] = {}
    seen: set[str] = set()

    def add(label: str, value: str, line: int) -> None:
        label, value = clean(label).strip(" *-"), clean(value).strip(" *")
        if not label or not value or value in ("-", "—") or len(found) >= _MAX or _TARGET.search(label):
            return  # "Target NFR: 500 users" is what the run had to reach, not how it was set up
        fact = f"{label}: {short(value, 160)}"
        if fact.lower() not in seen and line not in found:
            seen.add(fact.lower())
            found[line] = fact

    for n, raw in doc.text_lines():
        if doc.is_heading_line(n) or any(_ADVICE.search(clean(h.text)) for h in doc.heading_path(n)[1:]):
            continue
        in_setup = _in_setup_section(doc, n)
        if n in doc.table_lines:
            continue
        m = _LABELLED.match(clean(strip_line_markers(raw)))
        if m and (in_setup or _SETUP_LABEL.match(clean(m.group("label")))):
            add(m.group("label"), m.group("value"), n)
    for table in doc.tables:
        if not _in_setup_section(doc, table.line) or len(table.header) != 2:
            continue
        for row in table.rows:
            if len(row.cells) == 2:
                add(row.cells[0], row.cells[1], row.line)
    for block in doc.code_blocks:
        if not _in_setup_section(doc, block.start):
            continue
        for n, line in block.lines:
            m = _LABELLED.match(line.strip())
            if m and not m.group("label").strip().startswith(("#", "//", "-")):
                add(m.group("label"), m.group("value"), n)
    facts.perf_setup = [
        NamedFact(value=value, evidence=doc.evidence(line)) for line, value in sorted(found.items())
    ]
