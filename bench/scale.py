"""Shrink the offline guide to a target length while keeping its structure, for the length sweep.

The benchmark compares both designs at several guide lengths with the *same content*: the offline
engine's guide with its ``## `` sections shrunk. :func:`scale_section` shrinks one section to a
factor ``f`` of its length: it keeps every heading line and every bold-label field line
(``- **Label**: value``, ``1. **Label**: value``) and thins everything else by one keep ratio
``k`` (the longest version within ``f``, over a grid of ``k``):

* text (a field value, a bullet, a checklist item, a paragraph, a table cell) keeps its leading
  sentences within its budget (``k`` of its length, never below ``k`` × 400 characters, so the
  longest texts are cut first), at least one; a sentence still too long keeps its first and last
  comma-separated phrases, then its leading words plus every figure with its neighbouring words
  (``> 1 %``, ``for 5 minutes``); parentheses and code spans are never cut inside; only the first
  ``ceil(k·n)`` QA citations of a text stay; ``(assumption)`` survives;
* lists: unlabelled bullets and paragraphs under one parent keep their first ``ceil(k·n)`` (none
  need stay where the parent still has fields, at least one under a value ending in a colon),
  checklists at least one item per block; a table keeps its header, separator and first
  ``ceil(k·rows)`` rows (at least one);
* YAML code blocks stay parseable: comment lines go, then list items of mappings (CI steps,
  alert rules) beyond the first ``ceil(k·n)``, block-valued keys outside the pipeline's skeleton
  (``services``, ``env``, ``with``, …) and whole CI jobs, except the steps and jobs that run the
  QA test command or deploy; ``needs:`` is re-pointed past dropped jobs. Other code blocks keep
  their first ``ceil(k·n)`` lines.

``Keep.terms`` (the QA facts the rubric traces: datastores, ids of open defects, security
findings and risks, test commands; :func:`keep_for`) are kept once per section: the first list
item, table row, phrase or word naming each stays, so that a shorter guide still covers them.

:func:`plan_factors` chooses the factors: one for all sections, solved so that the whole guide
lands on the target (sections whose floor is above it are paid for by the others). opsrelay
reviews what it receives with its deterministic rubric and revises what fails, so a scaled guide
that failed review would no longer compare both designs at equal content: the plan therefore
reviews the scaled guide with ``opsrelay.review.review_document`` and keeps whole every item a
blocker or major finding points at (a section, when the finding points at none), until it
passes. :func:`scaled_offline_guide` returns the guide with the factors and kept items used.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import yaml

from opsrelay.review.rules.cicd import runs_test_command
from opsrelay.testing.fake_openai import CHARS_PER_TOKEN, estimate_tokens

if TYPE_CHECKING:
    from opsrelay.facts.model import QAFacts
    from opsrelay.review import Review

__all__ = [
    "DEFAULT_LENGTHS",
    "Keep",
    "Plan",
    "ScaledGuide",
    "guide_factor",
    "item_key",
    "keep_for",
    "plan_factors",
    "scale_guide",
    "scale_section",
    "scaled_offline_guide",
    "section_heading",
    "split_sections",
]

DEFAULT_LENGTHS = (3000, 6000, 12000)
"""The benchmark's target guide lengths in output tokens (12k is about the offline guide's own)."""

_HEADING = re.compile(r"^#{1,6}\s")
_ITEM = re.compile(r"^(?P<indent>\s*)(?P<marker>[-*+]|\d+\.)\s+(?P<rest>.*)$")
_CHECK = re.compile(r"^\[[ xX]\]\s")
_LABEL = re.compile(r"^(?:\*\*|__)[^*_\n]+?(?:\*\*|__)\s*:")
_LINE_HEAD = re.compile(
    r"^(\s*(?:(?:[-*+]|\d+\.)\s+)?(?:\[[ xX]\]\s+)?(?:(?:\*\*|__)[^*_\n]+?(?:\*\*|__)\s*:\s*)?)"
)
_FENCE = re.compile(r"^\s*(```+|~~~+)\s*(?P<lang>[\w+-]*)")
_CITATION = re.compile(r"\s*\(QA: [^()]*\)")
_ASSUMPTION = "(assumption)"
_DANGLING = re.compile(
    r"(?:\s+(?:and|or|with|without|for|to|of|the|a|an|in|on|at|by|from|via|per|plus|than|as|into|"
    r"that|which|when|where|while|then|is|are|be|over|under|after|before|within|across|against|vs)"
    r"|\s*[-–—→:;,+/=<>≤≥×])+$",
    re.IGNORECASE,
)
_FIGURE = re.compile(r"\d")
_GRID = 40
_MIN_WORDS = 3
_LONG = 400
_PLAN_ROUNDS = 16
_GRID_MIN = 1e-6


@dataclass(frozen=True)
class Keep:
    """What a shorter guide keeps naming (see the module doc)."""

    terms: tuple[str, ...] = ()
    """Kept once per section: the first item, row, phrase or word naming each."""
    commands: tuple[str, ...] = ()
    """QA test commands: CI steps and jobs running one are never dropped."""
    whole: tuple[tuple[str, str], ...] = ()
    """(section heading, item key) of list items kept whole, with their sub-items (see
    :func:`item_key`): the items the rubric found wanting once shortened."""

    def for_section(self, heading: str | None) -> Keep:
        """The same, with ``whole`` narrowed to one section (so that caches stay per section)."""
        return Keep(self.terms, self.commands, tuple(w for w in self.whole if w[0] == heading))


def item_key(line: str) -> str | None:
    """What identifies a list item across lengths: its bold label, else its first three words."""
    m = _ITEM.match(line)
    if not m:
        return None
    rest = re.sub(r"^\[[ xX]\]\s+", "", m.group("rest"))
    label = re.match(r"^(?:\*\*|__)([^*_\n]+?)(?:\*\*|__)\s*:", rest)
    return label.group(1).strip() if label else " ".join(rest.split()[:3])


# --- the Markdown tree ----------------------------------------------------------------------------


@dataclass
class _Node:
    kind: str  # heading, field, check, bullet, para, table, code, blank
    lines: list[str]
    indent: int = -1
    children: list[_Node] = field(default_factory=list)
    lang: str = ""

    def text(self) -> str:
        return "\n".join([*self.lines, *(c.text() for c in self.children)])


def _parse(markdown: str) -> list[_Node]:
    """Top-level nodes of a section; list items nest by indentation."""
    lines = markdown.split("\n")
    top: list[_Node] = []
    stack: list[_Node] = []  # open list items, innermost last
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            mark = fence.group(1)
            end = i + 1
            while end < len(lines) and not lines[end].strip().startswith(mark):
                end += 1
            stack.clear()
            top.append(_Node("code", lines[i : end + 1], lang=fence.group("lang").lower()))
            i = end + 1
            continue
        i += 1
        if not line.strip() or _HEADING.match(line):
            stack.clear()
            top.append(_Node("heading" if line.strip() else "blank", [line]))
            continue
        if line.lstrip().startswith("|"):
            if top and top[-1].kind == "table" and not stack:
                top[-1].lines.append(line)
            else:
                stack.clear()
                top.append(_Node("table", [line]))
            continue
        item = _ITEM.match(line)
        if item:
            rest = item.group("rest")
            kind = "check" if _CHECK.match(rest) else "field" if _LABEL.match(rest) else "bullet"
            node = _Node(kind, [line], indent=len(item.group("indent")))
            while stack and stack[-1].indent >= node.indent:
                stack.pop()
            (stack[-1].children if stack else top).append(node)
            stack.append(node)
            continue
        if stack and len(line) - len(line.lstrip()) > stack[-1].indent:
            stack[-1].lines.append(line)  # a continuation line of the open item
        else:
            stack.clear()
            top.append(_Node("para", [line]))
    return top


# --- text -----------------------------------------------------------------------------------------


def _top_level(text: str) -> Iterator[int]:
    """Indices of the characters of ``text`` outside parentheses, brackets and code spans
    (the brackets and backticks themselves excluded)."""
    depth, code = 0, False
    for i, ch in enumerate(text):
        if ch == "`":
            code = not code
        elif code:
            continue
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            yield i


def _split_top(text: str, cut_after: str) -> list[str]:
    """``text`` cut after each top-level separator in ``cut_after`` followed by a space.

    Top level: not inside parentheses, brackets or a code span. A sentence end (``.!?``) only
    counts before a capital, a code span, bold or a parenthesis, and not after a digit.
    """
    out: list[str] = []
    start = 0
    n = len(text)
    for i in _top_level(text):
        ch = text[i]
        if ch in cut_after and text[i + 1 : i + 2] == " ":
            if ch in ".!?" and not (
                i + 2 < n
                and (text[i + 2].isupper() or text[i + 2] in "`*(")
                and not text[i - 1 : i].isdigit()
            ):
                continue
            out.append(text[start : i + 2])
            start = i + 2
    out.append(text[start:])
    return [p for p in out if p]


def _units(text: str) -> list[str]:
    """Top-level words of ``text`` (each with its trailing space); a parenthetical or code span is one."""
    out: list[str] = []
    start = 0
    for i in _top_level(text):
        if text[i] == " ":
            out.append(text[start : i + 1])
            start = i + 1
    out.append(text[start:])
    return [u for u in out if u]


def _cut(text: str, budget: float, unseen: set[str]) -> str:
    """Leading words of ``text`` within ``budget`` (at least ``_MIN_WORDS``), every figure, every term.

    A word with a digit is kept with the word before and after it (``> 1 %``, ``for 5 minutes``),
    so that thresholds, durations and sizes survive the cut; so is a word naming an ``unseen`` term.
    """
    units = _units(text)
    keep = [False] * len(units)
    used = 0
    for i, unit in enumerate(units):
        if i >= _MIN_WORDS and used + len(unit) > budget:
            break
        keep[i] = True
        used += len(unit)
    for i, unit in enumerate(units):
        if _FIGURE.search(unit) and not unit.startswith("("):
            for j in (i - 1, i, i + 1):
                if 0 <= j < len(units):
                    keep[j] = True
        names = [t for t in unseen if _mentions(unit, t)]
        if names:
            keep[i] = True
            unseen.difference_update(names)
    if all(keep):
        return text
    kept = [u for u, k in zip(units, keep, strict=True) if k]
    return _DANGLING.sub("", "".join(kept).rstrip())


def _mentions(text: str, term: str) -> bool:
    return term.lower() in text.lower()


def _shorten(sentence: str, budget: float, unseen: set[str]) -> str:
    """One sentence within ``budget``: first and last phrases, middle ones that fit, then :func:`_cut`."""
    end = sentence[len(sentence.rstrip(" .;")) :]
    body = sentence[: len(sentence) - len(end)] if end else sentence
    pieces = _split_top(body, ",")
    if len(pieces) > 2:
        used = len(pieces[0]) + len(pieces[-1])
        kept = [pieces[0]]
        for piece in pieces[1:-1]:
            names = [t for t in unseen if _mentions(piece, t)]
            if used + len(piece) <= budget or names:
                kept.append(piece)
                used += len(piece)
                unseen.difference_update(names)
        body = "".join([*kept, pieces[-1]])
    if len(body) > budget:
        body = _cut(body, budget, unseen)
    return body + end


def _thin_citations(text: str, k: float) -> str:
    cites = list(_CITATION.finditer(text))
    if len(cites) <= 1:
        return text
    quota = max(1, math.ceil(k * len(cites)))
    for m in reversed(cites[quota:]):
        text = text[: m.start()] + text[m.end() :]
    return text


def _trim(text: str, k: float, unseen: set[str]) -> str:
    """``text`` thinned by ``k`` (see the module doc).

    Its budget is ``k`` times its length, but never below ``k × _LONG``: when ``k`` falls, the
    longest texts are cut first.
    """
    if k >= 1 or not text.strip():
        return text
    budget = max(k * len(text), k * _LONG)
    if len(text) <= budget:
        return text
    original = text
    text = _thin_citations(text, k)
    pieces = _split_top(text, ";.!?")
    kept = [pieces[0]]
    used = len(pieces[0])
    for piece in pieces[1:]:
        if used + len(piece) > budget:
            break
        kept.append(piece)
        used += len(piece)
    if len(kept[0]) > budget:
        kept[0] = _shorten(kept[0], budget, unseen)
    out = "".join(kept).rstrip()
    if out == original.rstrip():
        return original
    out = re.sub(r"[;,:]$", "", out).rstrip()
    if _ASSUMPTION in original and _ASSUMPTION not in out:
        out = out.rstrip(".") + f" {_ASSUMPTION}"
    if original.rstrip().endswith(".") and not out.endswith((".", "!", "?")):
        out += "."
    return out


def _trim_line(line: str, k: float, unseen: set[str]) -> str:
    """Trim the text of one Markdown line, keeping its list marker, checkbox and bold label."""
    m = _LINE_HEAD.match(line)
    head = m.group(1) if m else ""
    return head + _trim(line[len(head) :], k, unseen)


def _quota(n: int, k: float, *, least: int = 1) -> int:
    if k >= 1:
        return n
    return min(n, max(least, math.ceil(k * n)))


# --- YAML -----------------------------------------------------------------------------------------

_BLOCK_SCALAR = re.compile(r":\s*[|>][-+]?\d*\s*(?:#.*)?$")
_SKELETON = frozenset(
    {"on", "jobs", "steps", "groups", "rules", "stages", "script", "environment", "permissions"}
)


@dataclass
class _YNode:
    line: str
    indent: int
    children: list[_YNode] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.line.strip().removeprefix("- ").split(":", 1)[0].strip()

    @property
    def is_item(self) -> bool:
        return self.line.lstrip().startswith("- ")

    def text(self) -> str:
        return "\n".join([self.line, *(c.text() for c in self.children)])

    def render(self) -> list[str]:
        return [self.line, *(ln for c in self.children for ln in c.render())]


def _ytree(lines: list[str]) -> list[_YNode]:
    """Lines nested by indentation; ``key:`` followed by ``- item`` at the same indent owns the items."""
    root: list[_YNode] = []
    stack: list[_YNode] = []
    for line in lines:
        if not line.strip():
            continue
        node = _YNode(line, len(line) - len(line.lstrip()))
        while stack:
            top = stack[-1]
            owns_items = (
                top.indent == node.indent
                and node.is_item
                and not top.is_item
                and top.line.rstrip().endswith(":")
            )
            if top.indent < node.indent or owns_items:
                break
            stack.pop()
        (stack[-1].children if stack else root).append(node)
        stack.append(node)
    return root


def _shrink_yaml(content: str, k: float, keep: Keep) -> str:
    """A parseable YAML block shrunk by ``k`` (see the module doc); comment-free input if it cannot be."""
    if k >= 1:
        return content
    lines = [ln for ln in content.split("\n") if not ln.lstrip().startswith("#")]
    dropped_jobs: dict[str, list[str]] = {}

    def runs_tests(node: _YNode) -> bool:
        return bool(keep.commands) and runs_test_command(node.text(), list(keep.commands))

    def thin(nodes: list[_YNode], parent: str) -> list[_YNode]:
        drop: set[int] = set()
        if parent == "jobs":
            jobs = [n for n in nodes if n.children]
            deploys = [n for n in jobs if "deploy" in n.key.lower()]
            protected = {id(n) for n in jobs if runs_tests(n)} | ({id(deploys[-1])} if deploys else set())
            kept = {id(n) for n in jobs[: _quota(len(jobs), k)]} | protected
            for n in jobs:
                if id(n) not in kept:
                    drop.add(id(n))
                    dropped_jobs[n.key] = _needs_of(n)
        else:
            items = [n for n in nodes if n.is_item and n.children]
            if len(items) >= 2:
                protected = {id(n) for n in items if runs_tests(n) or "deploy" in n.line.lower()}
                kept = {id(n) for n in items[: _quota(len(items), k)]} | protected
                drop |= {id(n) for n in items} - kept
            blocks = [
                n
                for n in nodes
                if n.children
                and not n.is_item
                and not _BLOCK_SCALAR.search(n.line)
                and n.key not in _SKELETON
            ]
            allowed = round(k * len(blocks))
            drop |= {id(n) for n in blocks[allowed:] if not runs_tests(n)}
            if all(id(n) in drop for n in nodes) and nodes:
                drop.discard(id(nodes[0]))  # a mapping or list never empties
        nodes = [n for n in nodes if id(n) not in drop]
        for n in nodes:
            if not _BLOCK_SCALAR.search(n.line):
                n.children = thin(n.children, n.key)
        return nodes

    tree = thin(_ytree(lines), "")
    if dropped_jobs:
        _repoint_needs(tree, dropped_jobs)
    out = "\n".join(ln for n in tree for ln in n.render())
    try:
        list(yaml.safe_load_all(out))
    except yaml.YAMLError:
        return "\n".join(lines)
    return out


def _needs_of(job: _YNode) -> list[str]:
    for c in job.children:
        if c.key == "needs":
            value = c.line.split(":", 1)[1].strip()
            if value:
                return [v.strip() for v in value.strip("[]").split(",") if v.strip()]
            return [g.line.strip().removeprefix("- ").strip() for g in c.children]
    return []


def _repoint_needs(tree: list[_YNode], dropped: dict[str, list[str]]) -> None:
    """Let ``needs:`` name the nearest kept ancestors of dropped jobs (or drop it)."""

    def resolve(names: Iterable[str], seen: frozenset[str] = frozenset()) -> list[str]:
        out: list[str] = []
        for name in names:
            if name not in dropped:
                out.append(name)
            elif name not in seen:
                out += resolve(dropped[name], seen | {name})
        return list(dict.fromkeys(out))

    for top in tree:
        if top.key != "jobs":
            continue
        for job in top.children:
            for c in list(job.children):
                if c.key != "needs":
                    continue
                needs = resolve(_needs_of(job))
                if not needs:
                    job.children.remove(c)
                    continue
                value = needs[0] if len(needs) == 1 else "[" + ", ".join(needs) + "]"
                c.line, c.children = f"{' ' * c.indent}needs: {value}", []


def _shrink_code(node: _Node, k: float, keep: Keep) -> list[str]:
    if k >= 1 or len(node.lines) < 3:
        return node.lines
    open_, body, close = node.lines[0], node.lines[1:-1], node.lines[-1]
    if node.lang in ("yaml", "yml"):
        return [open_, *_shrink_yaml("\n".join(body), k, keep).split("\n"), close]
    return [open_, *body[: _quota(len(body), k)], close]


def _shrink_table(lines: list[str], k: float, unseen: set[str]) -> list[str]:
    if len(lines) < 3 or k >= 1:
        return lines
    head, sep, rows = lines[0], lines[1], lines[2:]
    quota = _quota(len(rows), k)
    out = [head, sep]
    for n, row in enumerate(rows):
        names = [t for t in unseen if _mentions(row, t)]
        if n >= quota and not names:
            continue
        cells = re.split(r"(?<!\\)\|", row.strip().strip("|"))
        out.append("| " + " | ".join(_trim(c.strip(), k, unseen) for c in cells) + " |")
    return out


# --- sections -------------------------------------------------------------------------------------


def _shrink(markdown: str, k: float, keep: Keep) -> str:
    """One section with keep ratio ``k`` (0: the floor, 1: unchanged)."""
    unseen = {t for t in keep.terms if _mentions(markdown, t)}
    whole = {key for _, key in keep.whole}
    out: list[str] = []

    def emit_group(nodes: list[_Node], *, under_field: bool = False) -> None:
        checks = [n for n in nodes if n.kind == "check"]
        loose = [n for n in nodes if n.kind in ("bullet", "para")]
        # Unlabelled text may all go where fields (or a table, code, a checklist) remain.
        has_content = under_field or any(n.kind in ("field", "table", "code", "check") for n in nodes)
        quota = {id(n): i < _quota(len(checks), k) for i, n in enumerate(checks)}
        quota |= {
            id(n): i < _quota(len(loose), k, least=0 if has_content else 1) for i, n in enumerate(loose)
        }
        for node in nodes:
            if not quota.get(id(node), True) and not any(_mentions(node.text(), t) for t in unseen):
                continue
            emit(node)

    def emit(node: _Node) -> None:
        start = len(out)
        if node.kind in ("heading", "blank"):
            out.extend(node.lines)
        elif node.kind == "code":
            out.extend(_shrink_code(node, k, keep))
        elif node.kind == "table":
            out.extend(_shrink_table(node.lines, k, unseen))
        elif whole and item_key(node.lines[0]) in whole:
            out.extend(node.text().split("\n"))
        else:
            out.append(_trim_line(node.lines[0], k, unseen))
            out.extend(node.lines[1:])
            # A value ending in a colon announces its items: at least one stays.
            announces = node.lines[0].rstrip().endswith(":")
            emit_group(node.children, under_field=node.kind == "field" and not announces)
        added = "\n".join(out[start:])
        unseen.difference_update([t for t in list(unseen) if _mentions(added, t)])

    group: list[_Node] = []  # headings split the top level into groups; blank lines do not
    for node in _parse(markdown):
        if node.kind == "heading":
            emit_group(group)
            group = []
            emit(node)
        else:
            group.append(node)
    emit_group(group)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out))


@functools.lru_cache(maxsize=512)
def _versions(markdown: str, keep: Keep) -> tuple[str, ...]:
    """The section at every keep ratio of the grid, shortest first (duplicates removed)."""
    found = {_shrink(markdown, i / _GRID, keep) for i in range(_GRID)} | {markdown}
    return tuple(sorted(found, key=lambda t: (len(t), t)))


def scale_section(markdown: str, f: float, keep: Keep | None = None) -> str:
    """``markdown`` (one ``## `` section) shrunk to about ``f`` of its length, its structure kept.

    The longest version (keep ratios 0, 1/40, …, 1) within ``f`` times the length; when even the
    floor (headings, labels, the first words of every value, figures, kept terms) is longer,
    the floor.
    """
    if not 0 < f <= 1:
        raise ValueError(f"the factor must be in (0, 1], got {f}")
    if f == 1:
        return markdown
    versions = _versions(markdown, keep or Keep())
    target = f * len(markdown)
    fitting = [v for v in versions if len(v) <= target]
    best = fitting[-1] if fitting else versions[0]
    trailing = markdown[len(markdown.rstrip("\n")) :]
    return best.rstrip("\n") + trailing


def split_sections(markdown: str) -> list[str]:
    """The document cut before every ``## `` heading (the first piece is what precedes them)."""
    return [p for p in re.split(r"(?m)^(?=## )", markdown) if p]


def section_heading(section: str) -> str | None:
    """The heading text of a ``## `` section, or None for the title block."""
    m = re.match(r"## +(.+?)\s*$", section.split("\n", 1)[0])
    return m.group(1) if m else None


def scale_guide(
    markdown: str, f: float, keep: Keep | None = None, factors: Mapping[str, float] | None = None
) -> str:
    """Every ``## `` section scaled by ``factors[heading]`` (default ``f``); the title block and the
    Changelog (rendered by opsrelay, not drafted) are kept as they are."""
    keep = keep or Keep()
    out = []
    for part in split_sections(markdown):
        heading = section_heading(part)
        if heading is None or heading == "Changelog":
            out.append(part)
        else:
            factor = min(1.0, (factors or {}).get(heading, f))
            out.append(scale_section(part, factor, keep.for_section(heading)))
    return "".join(out)


@dataclass(frozen=True)
class Plan:
    """How a guide is scaled: a factor per section and the items kept whole."""

    factors: dict[str, float]
    keep: Keep


def _blamed_item(lines: list[str], line: int) -> tuple[str, str] | None:
    """(section heading, item key) of the list item a finding at ``line`` (1-based) is about.

    The item whose line it is, or the item it belongs to (a continuation or sub-item line);
    None when the finding points at a heading or outside any item.
    """
    if not 1 <= line <= len(lines):
        return None
    heading = next((h for n in range(line - 1, -1, -1) if (h := section_heading(lines[n])) is not None), None)
    for n in range(line - 1, -1, -1):
        text = lines[n]
        if _HEADING.match(text) or not text.strip():
            return None
        key = item_key(text)
        if key and (n == line - 1 or not text.startswith(" ")):
            return (heading, key) if heading else None
    return None


def plan_factors(
    markdown: str,
    target_tokens: int,
    facts: QAFacts,
    keep: Keep | None = None,
    *,
    fixed: frozenset[str] = frozenset(),
) -> Plan:
    """Per-section factors that bring the guide to about ``target_tokens`` and pass the rubric.

    One factor ``g`` for all sections, the largest that keeps the guide within the target (so
    the floors of some sections are paid for by the others). Then opsrelay's rubric reviews the
    result: an item a blocker or major finding points at is kept whole from then on, and a
    section with a finding that points at no item gets a floor on its factor a third of the way
    closer to 1 (1: unchanged); ``g`` is solved again, until the guide passes. Sections named in
    ``fixed`` are kept as they are (and count toward the target).
    """
    from opsrelay.review import review_document

    keep = keep or keep_for(facts)
    sections = {h: p for p in split_sections(markdown) if (h := section_heading(p)) and h != "Changelog"}
    unscaled = len(markdown) - sum(len(p) for p in sections.values())  # title block, Changelog
    budget = target_tokens * CHARS_PER_TOKEN
    least: dict[str, float] = {h: 1.0 if h in fixed else 0.0 for h in sections}
    whole: set[tuple[str, str]] = set(keep.whole)

    def factors_at(g: float) -> dict[str, float]:
        return {h: min(1.0, max(g, least[h])) for h in sections}

    def size(g: float, keep: Keep) -> int:
        fs = factors_at(g)
        return unscaled + sum(len(scale_section(p, fs[h], keep.for_section(h))) for h, p in sections.items())

    plan = Plan(factors_at(1.0), keep)
    for _ in range(_PLAN_ROUNDS):
        current = Keep(keep.terms, keep.commands, tuple(sorted(whole)))
        lo, hi = 0.0, 1.0
        if size(1.0, current) <= budget:
            lo = 1.0
        else:
            for _ in range(20):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if size(mid, current) <= budget else (lo, mid)
        plan = Plan(factors_at(max(lo, _GRID_MIN)), current)
        if all(f >= 1 for f in plan.factors.values()):
            break
        guide = scale_guide(markdown, 1.0, current, plan.factors)
        review: Review = review_document(guide, facts)
        if review.verdict == "pass":
            break
        lines = guide.split("\n")
        progress = False
        for finding in review.findings:
            if finding.severity not in ("blocker", "major") or finding.section not in sections:
                continue
            item = _blamed_item(lines, finding.line) if finding.line else None
            if item is not None and item not in whole:
                whole.add(item)
                progress = True
            elif item is None and plan.factors[finding.section] < 1:
                f = plan.factors[finding.section]
                least[finding.section] = 1.0 if f > 0.9 else f + (1 - f) / 3
                progress = True
        if not progress:
            break
    return plan


def keep_for(facts: QAFacts) -> Keep:
    """The terms a shorter guide for ``facts`` still names, and its QA test commands."""
    commands = [c.command for c in facts.test_commands]
    terms = [*commands, *(s.name for s in facts.datastores)]
    terms += [d.id for d in facts.defects if d.status == "open"]
    terms += [s.id for s in facts.security if s.id and s.status == "open"]
    terms += [r.id for r in facts.risks if r.id]
    return Keep(
        terms=tuple(dict.fromkeys(t for t in terms if len(t) >= 2)),
        commands=tuple(dict.fromkeys(commands)),
    )


def guide_factor(target_tokens: int | None, guide_tokens: int) -> float:
    """``target / guide`` tokens, capped at 1 (``None``: the offline length, 1)."""
    if target_tokens is None or guide_tokens <= 0:
        return 1.0
    return min(1.0, target_tokens / guide_tokens)


@dataclass(frozen=True)
class ScaledGuide:
    """The offline guide scaled for one target length."""

    markdown: str
    factor: float
    """target / offline tokens (capped at 1)."""
    factors: dict[str, float]
    """The factor each section was scaled by (one for all, unless review needed more)."""
    offline_tokens: int
    keep: Keep
    """Kept terms, test commands and the items kept whole."""
    source_name: str = ""
    """The QA report's file name."""

    @property
    def tokens(self) -> int:
        """Tokens as the fake server bills them (4 characters each)."""
        return estimate_tokens(self.markdown)

    def section_named(self, heading: str) -> str | None:
        """This guide's ``## heading`` section (None when it has none)."""
        for part in split_sections(self.markdown):
            if section_heading(part) == heading:
                return part.rstrip("\n") + "\n"
        return None

    def section(self, markdown: str) -> str:
        """Scale one section the way this guide scaled it (by its heading)."""
        heading = section_heading(markdown)
        f = self.factors.get(heading or "", 1.0)
        return markdown if f >= 1 else scale_section(markdown, f, self.keep.for_section(heading))


def scaled_offline_guide(
    facts: QAFacts, target_tokens: int | None, *, date: str, fixed: frozenset[str] = frozenset()
) -> ScaledGuide:
    """The offline guide for ``facts`` scaled to about ``target_tokens``, passing the rubric.

    Sections whose heading is in ``fixed`` stay as they are and count toward the target.
    """
    from opsrelay.agents.devops import render_offline

    guide = render_offline(facts, date=date)
    offline_tokens = estimate_tokens(guide)
    f = guide_factor(target_tokens, offline_tokens)
    keep = keep_for(facts)
    if f >= 1 or target_tokens is None:
        return ScaledGuide(guide, 1.0, {}, offline_tokens, keep, facts.source_name)
    plan = plan_factors(guide, target_tokens, facts, keep, fixed=fixed)
    markdown = scale_guide(guide, 1.0, plan.keep, plan.factors)
    return ScaledGuide(markdown, f, plan.factors, offline_tokens, plan.keep, facts.source_name)
