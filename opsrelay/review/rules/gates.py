"""Quality Gates: a checklist, and (with QA facts) no gate ticked without citing its evidence."""

from __future__ import annotations

import re

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import Document
from opsrelay.review.model import Finding
from opsrelay.review.rules.base import find_section, finding, heading_of

_GATES = heading_of("quality_gates")
_EVIDENCE = re.compile(
    r"\d|evidence|\bQA\b|report|verified|\bper\b|source|\bsee\b|\]\(|junit|coverage|test run|\bCI\b|#\w+",
    re.IGNORECASE,
)


def gates_checklist(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Quality Gates is written as a checklist of ``- [ ]`` / ``- [x]`` gates."""
    sec = find_section(doc, "quality_gates")
    if sec is None or sec.checklist:
        return []
    return [
        finding(
            "gates.checklist",
            "major",
            _GATES,
            "Quality Gates has no checklist items.",
            "Write each gate as '- [ ] gate' (tick it '[x]' only with evidence).",
            line=sec.line,
        )
    ]


def gates_evidenced(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """With QA facts, a ticked gate cites what proves it (a number, the QA report, a run)."""
    sec = find_section(doc, "quality_gates")
    if facts is None or sec is None:
        return []
    return [
        finding(
            "gates.unevidenced-check",
            "minor",
            _GATES,
            f"Gate ticked without evidence: '{item.text[:80]}'.",
            "Cite the evidence (e.g. 'QA report: 412/412 tests passed') or leave the gate unchecked.",
            line=item.line,
        )
        for item in sec.checklist
        if item.checked and not _EVIDENCE.search(item.text)
    ]


RULES = (gates_checklist, gates_evidenced)
