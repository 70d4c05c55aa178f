"""Placeholders: template filler left in the document ('[Target recovery time]', TBD, lorem ipsum…)."""

from __future__ import annotations

import re

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import Document, strip_inline_code
from opsrelay.review.model import Finding
from opsrelay.review.rules.base import finding, template_heading

# '[Target recovery time]' but not a link '[x](y)', '[x][y]', a definition '[x]: url', an index
# 'a[0]', a checkbox '[ ]'/'[x]', a footnote '[^1]' or a GitHub alert '[!NOTE]'.
_BRACKET = re.compile(r"(?<![\w\]\\!])\[(?P<body>[A-Za-z][^\[\]\n]*)\](?![(\[:])")
_WORDS = re.compile(
    r"\bTBD\b|\bTBA\b|\bTODO\b|\bFIXME\b|\bXXX+\b|\bxxx+\b"
    r"|\blorem ipsum\b|\bchange[-_ ]?me\b|\breplace[-_ ]?me\b"
    r"|<\s*(?:your|my|insert|enter|replace)[\s_-][^>\n]*>|<placeholder>",
    re.IGNORECASE,
)
# Case-sensitive words: 'todo' and 'tbd' in lower case are usually ordinary prose or names.
_CASE_SENSITIVE = {"tbd", "tba", "todo", "fixme"}


def _tokens_on(line: str, in_code: bool) -> list[str]:
    """Return the placeholder tokens found on one line."""
    found: list[str] = []
    for m in _WORDS.finditer(line):
        word = m.group(0)
        if word.lower() in _CASE_SENSITIVE and word != word.upper():
            continue
        found.append(word)
    if not in_code:
        prose = strip_inline_code(line)
        if re.match(r"^\s*\[[^\]]+\]:\s*\S", prose):  # link reference definition
            return found
        found += [m.group(0) for m in _BRACKET.finditer(prose) if m.group("body").strip().lower() != "x"]
    return found


def leftover_placeholders(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Flag each line that still carries template filler (one finding per line)."""
    out: list[Finding] = []
    for number, line in enumerate(doc.lines, 1):
        in_code = number in doc.code_lines
        tokens = _tokens_on(line, in_code)
        if not tokens:
            continue
        shown = ", ".join(dict.fromkeys(t if len(t) <= 60 else t[:57] + "…" for t in tokens))
        out.append(
            finding(
                "placeholders.leftover",
                "blocker",
                template_heading(doc, number),
                f"Template placeholder left in the document: {shown}.",
                "Replace it with a concrete value grounded in the QA facts, or state it as an explicit "
                "assumption in 'Assumptions & Open Questions'.",
                line=number,
            )
        )
    return out


RULES = (leftover_placeholders,)
