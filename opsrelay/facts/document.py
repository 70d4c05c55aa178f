"""A QA document as lines plus Markdown structure, always addressed by 1-based original line numbers.

The extractor modules work on this view: headings (with the section each line belongs to), GFM
tables (cells per row, each row with its line), fenced/indented code blocks, and the front matter
span. Front matter lines are blanked before Markdown parsing, so every line number the parser
reports is already a line number in the original document. Building a :class:`Document` never
raises: malformed Markdown degrades to plain lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml
from markdown_it import MarkdownIt

from opsrelay.facts.model import Evidence

EVIDENCE_MAX = 240

_FM_OPEN = "---"
_FM_CLOSE = ("---", "...")
_MD_HEADING = re.compile(r"^#{1,6}\s+\S")
_YAML_KEY = re.compile(r"^[\w\"'-][\w .\"'-]*:(?:\s|$)")


@dataclass(frozen=True)
class FrontMatterSpan:
    """Where a YAML front matter block sits: its first and last line (the ``---`` fences), 1-based."""

    start: int
    end: int
    raw: str


def _is_mapping(raw: str) -> bool:
    try:
        return isinstance(yaml.safe_load(raw), dict)
    except yaml.YAMLError:
        return False


def find_front_matter(text: str) -> FrontMatterSpan | None:
    """Locate a leading ``---`` … ``---`` block that looks like YAML; ``None`` when there is none.

    A leading ``---`` whose block holds neither a ``key:`` line nor starts like a YAML list or flow
    collection is a Markdown thematic break, not front matter; so is one whose block holds Markdown
    headings and does not load as a YAML mapping.
    """
    lines = text.split("\n", 2000)
    if not lines or lines[0].rstrip() != _FM_OPEN:
        return None
    for i in range(1, min(len(lines), 2000)):
        if lines[i].rstrip() in _FM_CLOSE:
            body = lines[1:i]
            first = next((b.strip() for b in body if b.strip() and not b.lstrip().startswith("#")), "")
            yamlish = (
                any(_YAML_KEY.match(b) for b in body) or first.startswith(("- ", "[", "{")) or first == "-"
            )
            if body and any(b.strip() for b in body) and not yamlish:
                return None
            raw = "\n".join(body)
            if any(_MD_HEADING.match(b) for b in body) and not _is_mapping(raw):
                # Markdown headings between two thematic breaks ('---'), not a YAML block.
                return None
            return FrontMatterSpan(start=1, end=i + 1, raw=raw)
    return None


def parse_front_matter_lenient(span: FrontMatterSpan | None) -> dict[str, Any]:
    """Parse front matter YAML, returning ``{}`` on any problem (the strict check lives in ingest)."""
    if span is None:
        return {}
    try:
        data = yaml.safe_load(span.raw)
    except Exception:
        return {}
    return {str(k): v for k, v in data.items()} if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Heading:
    """A Markdown heading: level 1–6, its inline text (Markdown kept), and its line."""

    level: int
    text: str
    line: int


@dataclass(frozen=True)
class TableRow:
    """One table row: its line and its cells (inline Markdown kept)."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A GFM table: header cells and body rows."""

    line: int
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class CodeBlock:
    """A fenced or indented code block: its info string and its content lines (1-based)."""

    info: str
    start: int
    end: int
    lines: tuple[tuple[int, str], ...]


@dataclass
class Document:
    """Lines and Markdown structure of one QA document."""

    source: str
    lines: list[str]
    front_matter: dict[str, Any]
    front_matter_span: FrontMatterSpan | None
    headings: list[Heading] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    code_lines: set[int] = field(default_factory=set)
    table_lines: set[int] = field(default_factory=set)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    _heading_at: list[int] = field(default_factory=list)
    _paths: dict[int, list[Heading]] = field(default_factory=dict)
    title: Heading | None = None
    """The document's title: the single heading of its top level (None when there are several)."""

    # -- addressing -------------------------------------------------------------------------------

    def line(self, number: int) -> str:
        """Return the text of a 1-based line ('' when out of range)."""
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""

    def evidence(self, number: int) -> Evidence:
        """Evidence for a 1-based line of this document."""
        return Evidence(source=self.source, line=number, text=self.line(number).strip()[:EVIDENCE_MAX])

    def in_front_matter(self, number: int) -> bool:
        """Whether a line belongs to the front matter block (fences included)."""
        span = self.front_matter_span
        return span is not None and span.start <= number <= span.end

    def front_matter_line(self, key: str) -> int:
        """Return the line of a top-level front matter key (0 when not found)."""
        span = self.front_matter_span
        if span is None:
            return 0
        pattern = re.compile(rf"^[\"']?{re.escape(key)}[\"']?\s*:")
        for n in range(span.start + 1, span.end):
            if pattern.match(self.line(n)):
                return n
        return 0

    # -- sections ---------------------------------------------------------------------------------

    def heading_index(self, number: int) -> int:
        """Index into :attr:`headings` of the heading a line falls under (-1 before any heading)."""
        if 1 <= number <= len(self._heading_at):
            return self._heading_at[number - 1]
        return -1

    def section(self, number: int) -> Heading | None:
        """Return the nearest heading at or above a line."""
        i = self.heading_index(number)
        return self.headings[i] if i >= 0 else None

    def heading_path(self, number: int) -> list[Heading]:
        """Return the chain of enclosing headings of a line, outermost first (its own heading last)."""
        i = self.heading_index(number)
        if i < 0:
            return []
        cached = self._paths.get(i)
        if cached is not None:
            return cached
        chain = [self.headings[i]]
        level = self.headings[i].level
        for j in range(i - 1, -1, -1):
            if self.headings[j].level < level:
                chain.append(self.headings[j])
                level = self.headings[j].level
                if level == 1:
                    break
        path = list(reversed(chain))
        self._paths[i] = path
        return path

    def section_path(self, number: int) -> list[Heading]:
        """Like :meth:`heading_path`, without the document's title.

        The single heading of a document's top level (usually its one H1) is its :attr:`title`, which
        names the topic ("Vector Search Optimization"), not a section; a heading check ("is this
        under a recommendations section?") must not read the title as one. With several top-level
        headings, they are sections and are kept.
        """
        path = self.heading_path(number)
        if path and path[0] is self.title:
            return path[1:]
        return path

    def section_end(self, heading: Heading) -> int:
        """Return the last line of a heading's section (up to the next heading of the same or higher rank)."""
        found = False
        for h in self.headings:
            if h is heading:
                found = True
                continue
            if found and h.line > heading.line and h.level <= heading.level:
                return h.line - 1
        return len(self.lines)

    def body_lines(self, heading: Heading) -> Iterator[tuple[int, str]]:
        """Non-code lines after a heading, up to the next heading of any level."""
        for n in range(heading.line + 1, len(self.lines) + 1):
            i = self.heading_index(n)
            if i >= 0 and self.headings[i] is not heading:
                return
            if n not in self.code_lines:
                yield n, self.line(n)

    # -- line views -------------------------------------------------------------------------------

    def text_lines(self) -> Iterator[tuple[int, str]]:
        """Lines outside front matter and code blocks (prose, headings and table rows)."""
        for n, text in enumerate(self.lines, start=1):
            if n in self.code_lines or self.in_front_matter(n):
                continue
            yield n, text

    @cached_property
    def all_lines(self) -> tuple[tuple[int, str], ...]:
        """:meth:`text_lines` and the content of code blocks, in line order (for output pasted either way)."""
        code = (pair for block in self.code_blocks for pair in block.lines)
        return tuple(sorted([*self.text_lines(), *code]))

    def prose_lines(self) -> Iterator[tuple[int, str]]:
        """Lines outside front matter, code blocks and tables."""
        for n, text in self.text_lines():
            if n not in self.table_lines:
                yield n, text

    def paragraph_texts(self) -> Iterator[tuple[str, list[tuple[int, int]]]]:
        """Yield each paragraph's lines joined with spaces, with (offset, line) pairs to map matches back."""
        for start, end in self.paragraphs:
            parts: list[str] = []
            offsets: list[tuple[int, int]] = []
            pos = 0
            for n in range(start, end + 1):
                if n in self.code_lines or n in self.table_lines:
                    continue
                text = self.line(n).strip()
                offsets.append((pos, n))
                parts.append(text)
                pos += len(text) + 1
            if parts:
                yield " ".join(parts), offsets

    @staticmethod
    def line_at(offsets: list[tuple[int, int]], pos: int) -> int:
        """Return the line of a character position in a joined paragraph (see :meth:`paragraph_texts`)."""
        line = offsets[0][1] if offsets else 0
        for start, n in offsets:
            if start <= pos:
                line = n
            else:
                break
        return line

    def is_heading_line(self, number: int) -> bool:
        """Whether a line is a heading."""
        i = self.heading_index(number)
        return i >= 0 and self.headings[i].line == number


# Inline parsing is not needed (headings and cells are read as raw inline Markdown): skip it for speed.
_MD = MarkdownIt("commonmark", {"html": True}).enable(["table"]).disable(["inline", "text_join"])


def parse_document(text: str, source: str, front_matter: Mapping[str, Any] | None = None) -> Document:
    """Split a document into lines and parse its Markdown structure (never raises)."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = normalised.split("\n")
    span = find_front_matter(normalised)
    fm = dict(front_matter) if front_matter is not None else parse_front_matter_lenient(span)
    doc = Document(source=source, lines=lines, front_matter=fm, front_matter_span=span)
    body = list(lines)
    if span is not None:
        for n in range(span.start, span.end + 1):
            body[n - 1] = ""
    try:
        tokens = _MD.parse("\n".join(body))
    except Exception:  # pragma: no cover - markdown-it does not raise on str input
        tokens = []
    _collect(doc, tokens)
    _index_headings(doc)
    return doc


def _collect(doc: Document, tokens: list[Any]) -> None:
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.type == "heading_open" and tok.map:
            inline = tokens[i + 1] if i + 1 < n else None
            content = inline.content if inline is not None and inline.type == "inline" else ""
            doc.headings.append(Heading(level=int(tok.tag[1:]), text=content, line=tok.map[0] + 1))
        elif tok.type in ("fence", "code_block") and tok.map:
            start, end = tok.map[0] + 1, tok.map[1]
            if tok.type == "fence":
                first, last = start + 1, end - 1
                closing = doc.line(end).strip()
                if not (closing.startswith("```") or closing.startswith("~~~")) or end == start:
                    last = end
            else:
                first, last = start, end
            content = tuple((k, doc.line(k)) for k in range(first, last + 1))
            doc.code_blocks.append(
                CodeBlock(info=(tok.info or "").strip().lower(), start=start, end=end, lines=content)
            )
            doc.code_lines.update(range(start, end + 1))
        elif tok.type == "paragraph_open" and tok.map:
            doc.paragraphs.append((tok.map[0] + 1, tok.map[1]))
        elif tok.type == "table_open" and tok.map:
            i = _collect_table(doc, tokens, i)
            continue
        i += 1


def _collect_table(doc: Document, tokens: list[Any], i: int) -> int:
    start_tok = tokens[i]
    header: list[str] = []
    rows: list[TableRow] = []
    current: list[str] | None = None
    row_line = 0
    in_head = False
    j = i + 1
    while j < len(tokens) and tokens[j].type != "table_close":
        tok = tokens[j]
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            current = []
            row_line = tok.map[0] + 1 if tok.map else 0
        elif tok.type == "inline" and current is not None:
            current.append(tok.content.strip())
        elif tok.type == "tr_close" and current is not None:
            if in_head:
                header = current
            else:
                rows.append(TableRow(line=row_line, cells=tuple(current)))
            current = None
        j += 1
    first, last = start_tok.map[0] + 1, start_tok.map[1]
    doc.tables.append(Table(line=first, header=tuple(header), rows=tuple(rows)))
    doc.table_lines.update(range(first, last + 1))
    return j + 1


def _index_headings(doc: Document) -> None:
    at = [-1] * len(doc.lines)
    k = -1
    starts = {h.line: idx for idx, h in enumerate(doc.headings)}
    for n in range(1, len(doc.lines) + 1):
        if n in starts:
            k = starts[n]
        at[n - 1] = k
    doc._heading_at = at
    top = min((h.level for h in doc.headings), default=0)
    tops = [h for h in doc.headings if h.level == top]
    doc.title = tops[0] if len(tops) == 1 else None
