"""The Markdown structure the reviewer reads: sections, blocks, fields, checklists, code blocks."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from review_helpers import good_document

from opsrelay.review import review_document
from opsrelay.review.markdown import names_match, parse_markdown

SAMPLE = """---
title: front matter
---
# Operations & Deployment Guide

## Deployment Overview
- **Deployment Strategy**: Rolling,
  continued on the next line
- **Infrastructure:** colon inside the bold
- Plain bullet without a label

## Infrastructure Architecture
### Production Environment
- **Hosting**: AWS
  - **Region**: eu-west-1
### Environment Specifications
#### Production
1. **Instances**: 3

```bash
# ## Not a heading
echo hi
```

## Quality Gates
- [ ] open gate
- [x] closed gate (QA report)
"""


def test_sections_blocks_and_lines() -> None:
    doc = parse_markdown(SAMPLE)
    assert doc.title == "Operations & Deployment Guide"
    assert [s.heading for s in doc.sections] == [
        "Deployment Overview",
        "Infrastructure Architecture",
        "Quality Gates",
    ]
    infra = doc.section("Infrastructure Architecture")
    assert infra is not None
    assert [b.heading for b in infra.blocks] == [
        "Production Environment",
        "Environment Specifications",
        "Production",
    ]
    specs = infra.block("Environment Specifications")
    prod = infra.block("Production")
    assert specs is not None and prod is not None
    assert specs.contains(prod.line)  # the ### block spans its #### children
    assert doc.section_at(prod.line) is infra


def test_fields_with_continuations_nesting_and_numbering() -> None:
    doc = parse_markdown(SAMPLE)
    overview = doc.section("Deployment Overview")
    assert overview is not None
    strategy = overview.field("Deployment Strategy")
    assert strategy is not None
    assert strategy.value == "Rolling, continued on the next line"
    assert strategy.line == 7
    infra_field = overview.field("Infrastructure")
    assert infra_field is not None and infra_field.value == "colon inside the bold"
    infra = doc.section("Infrastructure Architecture")
    assert infra is not None
    hosting = infra.field("Hosting")
    region = infra.field("Region")
    assert hosting is not None and region is not None
    assert (hosting.depth, region.depth) == (0, 1)
    assert "eu-west-1" in hosting.value  # nested lines belong to the parent value
    instances = infra.field("Instances")
    assert instances is not None and instances.numbered and instances.value == "3"


def test_checklists_and_code_blocks() -> None:
    doc = parse_markdown(SAMPLE)
    gates = doc.section("Quality Gates")
    assert gates is not None
    assert [(c.text, c.checked) for c in gates.checklist] == [
        ("open gate", False),
        ("closed gate (QA report)", True),
    ]
    (block,) = doc.code_blocks
    assert block.lang == "bash"
    assert block.content_line(0) == block.line + 1
    assert doc.line_text(block.content_line(0)) == "# ## Not a heading"
    assert block.line in doc.code_lines and block.end in doc.code_lines


def test_front_matter_is_not_a_heading() -> None:
    doc = parse_markdown(SAMPLE)
    assert all(h.text != "title: front matter" for h in doc.headings)


def test_names_match_is_lenient_about_spelling() -> None:
    assert names_match("RTO", "RTO (Recovery Time Objective)")
    assert names_match("Recovery Time Objective", "RTO (Recovery Time Objective)")
    assert names_match("3. Backup and Disaster Recovery", "Backup & Disaster Recovery")
    assert names_match("**Critical Alerts**", "Critical Alerts (Immediate Response)")
    assert not names_match("Production", "Production Environment")


def test_odd_documents_do_not_crash() -> None:
    for text in [
        "",
        "\n\n",
        "no headings at all",
        "```\nunclosed fence",
        "## Only\n- **A**:",
        "\r\n## CRLF\r\n",
    ]:
        review = review_document(text)
        assert review.verdict == "fail"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("#-*[]()`:|\n x1AZ_>!~/\\.{}$")), max_size=400))
def test_any_markdown_reviews_without_raising(text: str) -> None:
    review_document(text)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=200))
def test_truncated_good_document_reviews_without_raising(start: int, length: int) -> None:
    lines = good_document().split("\n")
    review_document("\n".join(lines[start : start + length]))


def test_reviewer_does_not_import_langgraph_or_langchain() -> None:
    code = (
        "import sys, opsrelay.review\n"
        "opsrelay.review.review_document('# x')\n"
        "bad = [m for m in sys.modules if m.startswith(('langgraph', 'langchain'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_leading_thematic_break_is_not_front_matter() -> None:
    """A document that opens with '---' and has another '---' later is reviewed whole."""
    from opsrelay.review import review_document

    doc = good_document()
    text = "---\n" + doc.replace("## Security & Compliance", "---\n\n## Security & Compliance", 1)
    assert review_document(text).findings == review_document(doc).findings


def test_real_front_matter_is_still_skipped() -> None:
    from opsrelay.review import review_document

    doc = good_document()
    text = "---\ntitle: Operations guide\nowner: platform-team\n---\n" + doc
    assert review_document(text).verdict == "pass"
