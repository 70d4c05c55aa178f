"""Parse an OPERATIONS.md (or any Markdown) into the small structure the review rules read.

The parser is markdown-it-py (CommonMark), so headings inside code blocks are not headings and
fences are found exactly as a renderer would find them. The result is flat lists of headings,
labelled fields (``- **Label**: value`` and ``1. **Label**: value``), checklist items and fenced
code blocks, each with its 1-based line, plus *regions* (sections and sub-blocks) that are just
line spans over those lists. Nothing here raises on odd Markdown: a document with no headings is
a document with no sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from opsrelay.facts.document import find_front_matter

# "**Label**: value", "**Label:** value", "__Label__ - value"
_FIELD = re.compile(
    r"^(?:\*\*|__)(?P<label>[^*_\n]+?)(?P<colon_in>:)?(?:\*\*|__)\s*(?(colon_in)|[:–—-])\s*(?P<value>.*)",
    re.DOTALL,
)
_CHECK = re.compile(r"^\[(?P<mark>[ xX])\][ \t]+(?P<text>.*)", re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_PARENTHETICAL = re.compile(r"\s*\(([^)]*)\)\s*")
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[ivx]+\.)\s+")


def normalize_name(text: str) -> str:
    """Fold a heading or label for comparison: case, emphasis, numbering, emoji, '&'/'and'."""
    text = re.sub(r"[*_`]", "", text)
    text = _NUMBERING.sub("", text)
    text = re.sub(r"^[^\w(]+", "", text)  # leading emoji / punctuation
    text = re.sub(r"\s+and\s+", " & ", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+", " ", text).strip().rstrip(":").strip()
    return text.casefold()


@lru_cache(maxsize=4096)
def _name_keys(text: str) -> frozenset[str]:
    """Return the spellings a name answers to: in full, without its parenthetical, and the parenthetical."""
    keys = {normalize_name(text), normalize_name(_PARENTHETICAL.sub(" ", text))}
    keys.update(normalize_name(m) for m in _PARENTHETICAL.findall(text))
    return frozenset(k for k in keys if k)


def names_match(a: str, b: str) -> bool:
    """Whether two headings/labels name the same thing ('RTO' matches 'RTO (Recovery Time Objective)')."""
    return bool(_name_keys(a) & _name_keys(b))


def strip_inline_code(text: str) -> str:
    """Replace inline code spans by spaces of the same length (keeps column positions)."""
    return _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), text)


@dataclass(frozen=True)
class Heading:
    """A Markdown heading (ATX or setext)."""

    level: int
    text: str
    line: int


@dataclass(frozen=True)
class LabelledField:
    """A ``- **Label**: value`` bullet or ``1. **Label**: value`` step.

    ``value`` includes the item's continuation and nested lines; ``depth`` is the list nesting
    (0 = a top-level list item).
    """

    label: str
    value: str
    line: int
    depth: int
    numbered: bool


@dataclass(frozen=True)
class ChecklistItem:
    """A ``- [ ] item`` / ``- [x] item`` line."""

    text: str
    checked: bool
    line: int


@dataclass(frozen=True)
class CodeBlock:
    """A fenced (or indented) code block. ``line`` is the opening fence's line."""

    info: str
    content: str
    line: int
    end: int  # last line of the block (closing fence, or last content line)
    fenced: bool = True

    @property
    def lang(self) -> str:
        """First word of the info string, lower-cased ('yaml', 'bash', '' when none)."""
        return self.info.split()[0].lower() if self.info.split() else ""

    def content_line(self, index: int) -> int:
        """1-based document line of the ``index``-th (0-based) content line."""
        return self.line + index + (1 if self.fenced else 0)


@dataclass
class Region:
    """A heading and everything under it until the next heading of the same or higher level."""

    heading: str
    level: int
    line: int
    end: int  # exclusive: the region covers lines ``line .. end-1``
    lines: tuple[str, ...]
    fields: list[LabelledField] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)

    def contains(self, line: int) -> bool:
        """Whether a 1-based document line lies inside this region."""
        return self.line <= line < self.end

    @property
    def text(self) -> str:
        """The region's raw Markdown, heading line included."""
        return "\n".join(self.lines)

    @property
    def body(self) -> str:
        """The region's raw Markdown without its heading line."""
        return "\n".join(self.lines[1:])

    def field(self, label: str) -> LabelledField | None:
        """Return the shallowest field whose label matches ``label`` (first in document order on ties)."""
        found = [f for f in self.fields if names_match(f.label, label)]
        return min(found, key=lambda f: (f.depth, f.line)) if found else None


@dataclass
class Section(Region):
    """A top-level (``##``) section with its sub-blocks (``###`` and deeper)."""

    blocks: list[Region] = field(default_factory=list)

    def block(self, heading: str) -> Region | None:
        """Return the first sub-block whose heading matches ``heading``."""
        return next((b for b in self.blocks if names_match(b.heading, heading)), None)


@dataclass
class Document:
    """A parsed Markdown document: flat element lists plus the ``##`` sections over them."""

    source: str
    lines: tuple[str, ...]
    headings: list[Heading]
    fields: list[LabelledField]
    checklist: list[ChecklistItem]
    code_blocks: list[CodeBlock]
    sections: list[Section]

    @property
    def title(self) -> str | None:
        """Text of the first level-1 heading, if any."""
        return next((h.text for h in self.headings if h.level == 1), None)

    def line_text(self, line: int) -> str:
        """Return the raw text of a 1-based line ('' when out of range)."""
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    def section(self, heading: str) -> Section | None:
        """Return the first ``##`` section whose heading matches ``heading``."""
        return next((s for s in self.sections if names_match(s.heading, heading)), None)

    def section_at(self, line: int) -> Section | None:
        """Return the ``##`` section a 1-based line belongs to (None before the first one)."""
        return next((s for s in self.sections if s.contains(line)), None)

    @cached_property
    def code_lines(self) -> frozenset[int]:
        """Every 1-based line that belongs to a code block, fences included."""
        return frozenset(n for b in self.code_blocks for n in range(b.line, b.end + 1))


def _blank_front_matter(source: str) -> str:
    """Blank out YAML front matter (keeping line numbers), so '---' is not read as a setext heading.

    Uses the same detector as QA ingest: a leading '---' that opens no YAML is a thematic break,
    and the document after it is reviewed as written.
    """
    span = find_front_matter(source)
    if span is None:
        return source
    lines = source.split("\n")
    return "\n" * span.end + "\n".join(lines[span.end :])


def _inline_plain(token: Token) -> str:
    """Plain text of an inline token (emphasis markers dropped, code spans kept as text)."""
    if not token.children:
        return token.content
    parts = [c.content for c in token.children if c.type in ("text", "code_inline", "html_inline")]
    parts += [" " for c in token.children if c.type in ("softbreak", "hardbreak")]
    return "".join(parts).strip() or token.content


def _item_fields(
    tokens: list[Token], index: int, lines: tuple[str, ...], depth: int, numbered: bool
) -> tuple[LabelledField | None, ChecklistItem | None]:
    """Read the field or checklist item that a ``list_item_open`` at ``index`` starts, if any."""
    item = tokens[index]
    if index + 2 >= len(tokens) or tokens[index + 1].type != "paragraph_open":
        return None, None
    para, inline = tokens[index + 1], tokens[index + 2]
    if inline.type != "inline" or not item.map or not para.map:
        return None, None
    line = para.map[0] + 1
    first = inline.content.strip()
    check = _CHECK.match(first)
    if check:
        text = re.sub(r"\s+", " ", check.group("text")).strip()
        return None, ChecklistItem(text=text, checked=check.group("mark") != " ", line=line)
    match = _FIELD.match(first)
    if not match:
        return None, None
    # The rest of the item (continuation paragraphs, nested lists) belongs to the value too.
    rest = [ln.strip() for ln in lines[para.map[1] : item.map[1]] if ln.strip()]
    value = " ".join([match.group("value").strip(), *rest]).strip()
    value = re.sub(r"\s+", " ", value)
    label = match.group("label").strip()
    return LabelledField(label=label, value=value, line=line, depth=depth, numbered=numbered), None


def parse_markdown(source: str) -> Document:
    """Parse Markdown text into a :class:`Document`. Never raises on malformed Markdown."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    lines = tuple(source.split("\n"))
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(_blank_front_matter(source))

    headings: list[Heading] = []
    fields: list[LabelledField] = []
    checklist: list[ChecklistItem] = []
    code_blocks: list[CodeBlock] = []
    list_stack: list[bool] = []  # True for ordered lists
    for i, tok in enumerate(tokens):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            list_stack.append(tok.type == "ordered_list_open")
        elif tok.type in ("bullet_list_close", "ordered_list_close") and list_stack:
            list_stack.pop()
        elif tok.type == "heading_open" and tok.map:
            text = _inline_plain(tokens[i + 1]) if i + 1 < len(tokens) else ""
            headings.append(Heading(level=int(tok.tag[1:]), text=text, line=tok.map[0] + 1))
        elif tok.type == "list_item_open" and list_stack:
            fld, check = _item_fields(tokens, i, lines, len(list_stack) - 1, list_stack[-1])
            if fld:
                fields.append(fld)
            if check:
                checklist.append(check)
        elif tok.type in ("fence", "code_block") and tok.map:
            fenced = tok.type == "fence"
            code_blocks.append(
                CodeBlock(
                    info=tok.info.strip() if fenced else "",
                    content=tok.content,
                    line=tok.map[0] + 1,
                    end=max(tok.map[0] + 1, tok.map[1]),
                    fenced=fenced,
                )
            )
    doc = Document(source, lines, headings, fields, checklist, code_blocks, sections=[])
    doc.sections = _sections(doc)
    return doc


def _region(doc: Document, heading: Heading, end: int) -> Region:
    """Build the region from a heading to its exclusive end line."""
    start = heading.line
    return Region(
        heading=heading.text,
        level=heading.level,
        line=start,
        end=end,
        lines=doc.lines[start - 1 : end - 1],
        fields=[f for f in doc.fields if start <= f.line < end],
        checklist=[c for c in doc.checklist if start <= c.line < end],
        code_blocks=[b for b in doc.code_blocks if start <= b.line < end],
    )


def _sections(doc: Document) -> list[Section]:
    """Cut the document into ``##`` sections, each with its ``###``+ sub-blocks."""
    headings = doc.headings

    def end_of(index: int) -> int:
        level = headings[index].level
        return next((h.line for h in headings[index + 1 :] if h.level <= level), len(doc.lines) + 1)

    sections: list[Section] = []
    for i, h in enumerate(headings):
        if h.level != 2:
            continue
        region = _region(doc, h, end_of(i))
        sec = Section(**vars(region))
        for j in range(i + 1, len(headings)):
            if headings[j].line >= sec.end:
                break
            if headings[j].level > 2:
                sec.blocks.append(_region(doc, headings[j], end_of(j)))
        sections.append(sec)
    return sections
