"""Shared text helpers for the extractor: Markdown cleaning, severity/status vocabulary, numbers, hedges.

Everything here is plain regex work over single lines or table cells. Nothing raises on odd input.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opsrelay.facts import vocab
from opsrelay.facts.model import DefectStatus, Severity

# --- Markdown cleaning ----------------------------------------------------------------------------

_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_REF_LINK = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,200}>")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_EMPHASIS = re.compile(r"(\*\*|__|~~)")
_SINGLE_STAR = re.compile(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_SPACES = re.compile(r"[ \t\u00a0]+")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?")
_HEADING_MARK = re.compile(r"^\s{0,3}#{1,6}\s+")


def strip_symbols(text: str) -> str:
    """Drop emoji, pictographs, variation selectors and other symbols (keep letters, digits, punctuation)."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("So", "Cs", "Co") or ch in "\ufe0f\ufe0e\u200d":
            continue
        out.append(ch)
    return "".join(out)


_PLAIN = re.compile(r"[\[`<*_~!]")


@lru_cache(maxsize=1 << 18)
def clean(text: str, *, keep_code: bool = True) -> str:
    """Markdown inline text → plain text: links to their text, no emphasis/HTML/emoji, single spaces.

    With ``keep_code=False`` inline code spans are removed entirely (useful where file names and
    identifiers in code would cause false matches).
    """
    if text.isascii() and not _PLAIN.search(text):
        return _SPACES.sub(" ", text).strip()
    s = _IMAGE.sub(r"\1", text)
    s = _LINK.sub(r"\1", s)
    s = _REF_LINK.sub(r"\1", s)
    s = _CODE_SPAN.sub((lambda m: m.group(2)) if keep_code else (lambda m: " "), s)
    s = _HTML_TAG.sub(" ", s)
    s = _EMPHASIS.sub("", s)
    s = _SINGLE_STAR.sub("", s)
    s = strip_symbols(s)
    return _SPACES.sub(" ", s).strip()


def strip_line_markers(text: str) -> str:
    """Remove a leading heading marker, list marker or checkbox."""
    s = _HEADING_MARK.sub("", text)
    return _LIST_MARK.sub("", s)


def code_spans(text: str) -> list[str]:
    """Return the contents of inline code spans on a line."""
    return [m.group(2).strip() for m in _CODE_SPAN.finditer(text)]


def short(text: str, limit: int = 200) -> str:
    """Trim to ``limit`` characters on a word boundary, with an ellipsis when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—-") + "…"


def cell_is_empty(text: str) -> bool:
    """Whether a table cell carries no information (blank, dash, N/A, None, template placeholder)."""
    s = clean(text).strip().lower()
    return s in ("", "-", "—", "–", "n/a", "na", "none", "tbd", "?", "x") or bool(re.fullmatch(r"\[.*\]", s))


# --- severity and status --------------------------------------------------------------------------

P_TOKEN = re.compile(r"(?<![\w.-])P([0-4])(?![\w-])")
# Severity words of every language (lang/*.yaml: sev_p0 … sev_p4), most severe first.
_SEVERITIES: tuple[Severity, ...] = ("P0", "P1", "P2", "P3", "P4")
_SEVERITY_WORDS: tuple[tuple[re.Pattern[str], Severity], ...] = tuple(
    (vocab.pattern(f"sev_{p.lower()}"), p) for p in _SEVERITIES
)


def severity_of(text: str) -> Severity | None:
    """Return the first severity named in a text: a P0–P4 token or a word (Critical→P0 … Cosmetic→P4)."""
    best: tuple[int, Severity] | None = None
    m = P_TOKEN.search(text)
    if m:
        best = (m.start(), f"P{m.group(1)}")  # type: ignore[assignment]
    for pattern, sev in _SEVERITY_WORDS:
        w = pattern.search(text)
        if w and (best is None or w.start() < best[0]):
            best = (w.start(), sev)
    return best[1] if best else None


def p_token_of(text: str) -> Severity | None:
    """Return the first bare P0–P4 token in a text (not inside ids such as T-2.9-P3-01)."""
    m = P_TOKEN.search(text)
    return f"P{m.group(1)}" if m else None  # type: ignore[return-value]


_OPEN_STATUS = vocab.pattern("status_open")
_FIXED_STATUS = vocab.pattern("status_fixed")


def status_of(text: str) -> DefectStatus | None:
    """Return the last status stated in a text: 'open' (open, unfixed, abierto, 未修复…) or 'fixed'."""
    found: list[tuple[int, DefectStatus]] = []
    # "not fixed", "belum diperbaiki", "未修复" are open statements that contain a fixed word:
    # a fixed word inside an open statement does not count.
    open_spans = [m.span() for m in _OPEN_STATUS.finditer(text)]
    for a, _ in open_spans:
        found.append((a, "open"))
    for m in _FIXED_STATUS.finditer(text):
        if any(a <= m.start() < b or a < m.end() <= b for a, b in open_spans):
            continue
        found.append((m.start(), "fixed"))
    if not found:
        return None
    return max(found)[1]


# --- numbers --------------------------------------------------------------------------------------

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


def to_float(text: str) -> float | None:
    """Parse '1,234.5' → 1234.5 (None when not a number)."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def to_int(text: str) -> int | None:
    """Parse a whole count such as '719', '**698**' or '1,024' (None otherwise)."""
    s = clean(text).replace(",", "").strip()
    return int(s) if re.fullmatch(r"\d{1,9}", s) else None


_PERCENT = re.compile(rf"(?P<cmp>[<>≤≥]=?|~|≈)?\s*(?P<num>{NUMBER})\s*%")


def percent_of(text: str, *, allow_bounds: bool = False) -> float | None:
    """Return the first percentage in a text that is not a target (no ≥/>/< in front, unless allowed)."""
    for m in _PERCENT.finditer(text):
        cmp = m.group("cmp") or ""
        if cmp and cmp not in ("~", "≈") and not allow_bounds:
            continue
        before = text[max(0, m.start() - 12) : m.start()].lower()
        if re.search(r"(?:target|from|threshold|goal)\W*$", before):
            continue
        value = to_float(m.group("num"))
        if value is not None and 0 <= value <= 100:
            return value
    return None


# --- hedges, recommendations, negations -----------------------------------------------------------

_HEDGE = re.compile(r"\be\.g\.|\bi\.e\.|" + vocab.alternation(vocab.terms("hedge")), re.I)
# Negations bind to the next word; a hyphenated compound ("no-op", "not-null") is not a negation.
_NEGATION = re.compile(
    r"(?:^|[^\w-])" + vocab.alternation(vocab.terms("negation")) + r"(?![\w-])",
    re.I,
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\|")
_CLAUSE_SPLIT = re.compile(r"[,;:()\[\]—–|→]|\s-\s")


def clause_before(text: str, pos: int) -> str:
    """Return the clause text from the last clause separator up to a position."""
    head = text[:pos]
    parts = _CLAUSE_SPLIT.split(head)
    return parts[-1] if parts else head


_HEDGE_AFTER = re.compile(
    r"\b(?:would|could|should|might|may|will|recommended|suggested|required|needed|planned|proposed)\b", re.I
)


_SENTENCE_END = re.compile(r"[.!?;](?:\s+|$)|\s\|\s")


def is_hedged(text: str, start: int, end: int) -> bool:
    """Whether a mention at [start, end) is hypothetical, recommended or negated rather than a fact.

    Hedge words count before the mention in its sentence ("should use Redis", "tools like JMeter"),
    or as a modal right after it in the same clause ("k6 script … would close this gap"); negations
    count in the clause before it ("no k6 load tests") or as "→ none" after it. Only the mention's
    sentence (or table cell) is read: in "There is no mobile app yet. `GET /health` returns 200" the
    negation of one sentence does not reach into the next.
    """
    begin = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        begin = m.end()
    stop = next((m.start() + 1 for m in _SENTENCE_END.finditer(text, end)), len(text))
    return _hedged_in_sentence(text[begin:stop], start - begin, end - begin)


def _hedged_in_sentence(text: str, start: int, end: int) -> bool:
    sentence_start = start - len(sentence_before(text, start))
    if _HEDGE.search(text[sentence_start:start]):
        return True
    after_parts = _CLAUSE_SPLIT.split(text[end:], maxsplit=1)
    after = after_parts[0] if after_parts else ""
    if _HEDGE_AFTER.search(" ".join(after.split()[:8])):
        return True
    before = clause_before(text, start)
    return bool(
        _NEGATION.search(before)
        or re.match(r"\s*(?:→\s*)?(?:none|not\s+(?:found|used|present))\b", after, re.I)
    )


def sentence_before(text: str, pos: int) -> str:
    """Return the part of a position's sentence (or table cell) that lies before it."""
    start = 0
    for m in _SENTENCE_SPLIT.finditer(text):
        if m.end() <= pos:
            start = m.end()
        else:
            break
    return text[start:pos]


RECOMMENDATION_HEADING = vocab.pattern("h_recommendation")
"""Headings of advice sections (recommendations, next steps, roadmap) in any language."""
NON_FACT_HEADING = vocab.pattern("h_recommendation", "h_non_fact")
"""Headings whose content is advice or reference material rather than facts about the system."""
