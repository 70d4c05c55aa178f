"""Structure: the template's sections, sub-headings and labelled fields are present, ordered, filled."""

from __future__ import annotations

import re

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import Document, Region, names_match
from opsrelay.review.model import Finding, FindingSeverity
from opsrelay.review.rules.base import SECTION_ORDER, finding
from opsrelay.template import DOCUMENT_TITLE, SECTIONS, SectionSpec

# Sections that the seed template does not have (opsrelay's own addition): missing is major, not blocker.
_EXTENSION_SECTIONS = frozenset({"assumptions"})
# Fields whose absence is worse than cosmetic: downstream tools and other rules depend on them.
_MAJOR_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("Disaster Recovery Plan", "RTO (Recovery Time Objective)"),
        ("Disaster Recovery Plan", "RPO (Recovery Point Objective)"),
        ("Alert Channels", "Critical"),
        ("Alert Channels", "Warning"),
        ("Deployment Strategy", "Rollback Strategy"),
    }
)
# A value that is only filler: nothing, an ellipsis, a dash.
_EMPTY_VALUE = re.compile(r"^[\s.…\-–—_*]*$")


def missing_sections(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Every template section must be present (the seed's sections are blockers)."""
    out: list[Finding] = []
    for spec in SECTIONS:
        if doc.section(spec.heading) is None:
            severity: FindingSeverity = "major" if spec.key in _EXTENSION_SECTIONS else "blocker"
            out.append(
                finding(
                    "structure.missing-section",
                    severity,
                    spec.heading,
                    f"Section '## {spec.heading}' is missing.",
                    f"Add a '## {spec.heading}' section with the template's sub-headings and fields.",
                )
            )
    return out


def _longest_ordered(indices: list[int]) -> set[int]:
    """Return positions of a longest increasing subsequence of ``indices`` (the sections in order)."""
    best: list[list[int]] = []
    for i, value in enumerate(indices):
        chains = [best[j] for j in range(i) if indices[j] < value]
        longest = max(chains, key=len) if chains else []
        best.append([*longest, i])
    winner: list[int] = max(best, key=len) if best else []
    return set(winner)


def section_order(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Template sections appear in template order (the fewest moved sections are blamed); no duplicates."""
    out: list[Finding] = []
    seen: dict[str, int] = {}
    placed: list[tuple[SectionSpec, int]] = []  # (spec, line) of first occurrences, in document order
    for sec in doc.sections:
        spec = next((s for s in SECTIONS if names_match(s.heading, sec.heading)), None)
        if spec is None:
            continue  # extra sections are allowed anywhere
        if spec.heading in seen:
            out.append(
                finding(
                    "structure.duplicate-section",
                    "major",
                    spec.heading,
                    f"Section '## {spec.heading}' appears twice (first at line {seen[spec.heading]}).",
                    "Merge the two sections into one.",
                    line=sec.line,
                )
            )
            continue
        seen[spec.heading] = sec.line
        placed.append((spec, sec.line))
    in_order = _longest_ordered([SECTION_ORDER[spec.heading] for spec, _ in placed])
    for i, (spec, line) in enumerate(placed):
        if i not in in_order:
            out.append(
                finding(
                    "structure.section-order",
                    "major",
                    spec.heading,
                    f"Section '## {spec.heading}' is out of template order.",
                    "Order sections as the template does: " + " → ".join(s.heading for s in SECTIONS) + ".",
                    line=line,
                )
            )
    return out


def document_title(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Require the template's title at the top."""
    if doc.title and names_match(doc.title, DOCUMENT_TITLE):
        return []
    return [
        finding(
            "structure.title",
            "minor",
            None,
            f"The document has no '# {DOCUMENT_TITLE}' title.",
            f"Start the document with '# {DOCUMENT_TITLE}'.",
            line=1,
        )
    ]


def _check_fields(
    spec: SectionSpec, block_name: str | None, region: Region, labels: tuple[str, ...]
) -> list[Finding]:
    """Missing and empty labelled fields inside one region."""
    out: list[Finding] = []
    where = f"'{block_name}'" if block_name else f"'## {spec.heading}'"
    for label in labels:
        fld = region.field(label)
        if fld is None:
            severity: FindingSeverity = "major" if (block_name, label) in _MAJOR_FIELDS else "minor"
            out.append(
                finding(
                    "structure.missing-field",
                    severity,
                    spec.heading,
                    f"Field '{label}' is missing under {where}.",
                    f"Add '- **{label}**: <concrete value>' under {where}.",
                    line=region.line,
                )
            )
        elif _EMPTY_VALUE.match(fld.value):
            out.append(
                finding(
                    "structure.empty-field",
                    "major",
                    spec.heading,
                    f"Field '{label}' under {where} has no value.",
                    f"Give '{label}' a concrete value grounded in the QA facts or mark it as an assumption.",
                    line=fld.line,
                )
            )
    return out


def blocks_and_fields(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Each present section has its sub-headings, fields, checklists and filled values."""
    out: list[Finding] = []
    for spec in SECTIONS:
        sec = doc.section(spec.heading)
        if sec is None:
            continue
        out += _check_fields(spec, None, sec, spec.fields)
        for block in spec.blocks:
            region = sec.block(block.heading)
            if region is None:
                out.append(
                    finding(
                        "structure.missing-block",
                        "major",
                        spec.heading,
                        f"Sub-heading '{'#' * block.level} {block.heading}' is missing from "
                        f"'## {spec.heading}'.",
                        f"Add '{'#' * block.level} {block.heading}' with its template fields.",
                        line=sec.line,
                    )
                )
                continue
            if block.style == "checklist" and not region.checklist:
                out.append(
                    finding(
                        "structure.empty-checklist",
                        "major",
                        spec.heading,
                        f"'{block.heading}' has no checklist items.",
                        "List the recurring tasks as '- [ ] task' lines.",
                        line=region.line,
                    )
                )
            out += _check_fields(spec, block.heading, region, block.fields)
    return out


RULES = (missing_sections, section_order, document_title, blocks_and_fields)
