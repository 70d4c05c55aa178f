"""bench/scale.py: the offline guide shrunk to the benchmark's lengths keeps its structure and passes review.

opsrelay revises whatever its rubric rejects, so a scaled guide that failed review would make the
length sweep compare the two designs at unequal content (and unequal call counts).
"""

from __future__ import annotations

import functools
import re
import sys

import pytest
import yaml
from paths import ROOT

if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))

from bench.__main__ import default_reports
from bench.scale import (
    DEFAULT_LENGTHS,
    Keep,
    ScaledGuide,
    item_key,
    scale_guide,
    scale_section,
    scaled_offline_guide,
    section_heading,
    split_sections,
)
from bench.scripted import BENCH_DATE
from opsrelay.agents.devops import render_offline
from opsrelay.ingest import load_qa
from opsrelay.review import review_document
from opsrelay.testing.fake_openai import estimate_tokens

REPORTS = default_reports()
FIELD = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+(?:\*\*|__)([^*_\n]+?)(?:\*\*|__)\s*:")


@functools.cache
def _facts(name: str):  # type: ignore[no-untyped-def]
    return load_qa(next(p for p in REPORTS if p.name == name)).facts


@functools.cache
def _scaled(name: str, length: int) -> ScaledGuide:
    return scaled_offline_guide(_facts(name), length, date=BENCH_DATE)


def _skeleton(markdown: str) -> list[str]:
    """Headings and bold field labels, in order (outside code blocks)."""
    out = []
    code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            code = not code
        elif code:
            continue
        elif line.startswith("#"):
            out.append(line.strip())
        elif m := FIELD.match(line):
            out.append(f"field {m.group(1)}")
    return out


def test_the_default_reports_are_the_three_the_brief_names() -> None:
    assert [p.name for p in REPORTS] == [
        "QA_REPORT.md",
        "agent-teams-demo_test-report.md",
        "urtruck-app_QA_REPORT.md",
    ]
    assert DEFAULT_LENGTHS == (3000, 6000, 12000)


@pytest.mark.parametrize("length", DEFAULT_LENGTHS)
@pytest.mark.parametrize("name", [p.name for p in REPORTS])
def test_scaled_guide_passes_review_at_the_target_length(name: str, length: int) -> None:
    guide = _scaled(name, length)
    review = review_document(guide.markdown, _facts(name))
    serious = [
        f"{f.severity} {f.rule}: {f.message}" for f in review.findings if f.severity in ("blocker", "major")
    ]
    assert review.verdict == "pass", serious
    assert not serious
    # Tokens as the fake server bills them (4 characters each), within ±25 % of the target; a
    # target above the offline guide's length is the offline guide itself.
    expected = min(length, guide.offline_tokens)
    assert guide.tokens == estimate_tokens(guide.markdown)
    assert 0.75 * expected <= guide.tokens <= 1.25 * expected, (guide.tokens, expected)


@pytest.mark.parametrize("length", DEFAULT_LENGTHS)
@pytest.mark.parametrize("name", [p.name for p in REPORTS])
def test_scaled_guide_keeps_every_heading_and_field(name: str, length: int) -> None:
    offline = render_offline(_facts(name), date=BENCH_DATE)
    scaled = _scaled(name, length).markdown
    assert _skeleton(scaled) == _skeleton(offline)
    for part in split_sections(scaled):
        for m in re.finditer(r"```ya?ml\n(.*?)```", part, re.S):
            list(yaml.safe_load_all(m.group(1)))  # parses


@pytest.mark.parametrize("name", [p.name for p in REPORTS])
def test_each_section_scaled_alone_is_the_section_of_the_scaled_guide(name: str) -> None:
    """opsrelay gets sections one request at a time, the straightforward design the whole guide."""
    guide = _scaled(name, DEFAULT_LENGTHS[0])
    offline = render_offline(_facts(name), date=BENCH_DATE)
    alone = "".join(
        part if section_heading(part) in (None, "Changelog") else guide.section(part)
        for part in split_sections(offline)
    )
    assert alone == guide.markdown


def test_factor_one_and_a_length_above_the_guide_leave_it_unchanged() -> None:
    facts = _facts("QA_REPORT.md")
    offline = render_offline(facts, date=BENCH_DATE)
    guide = scaled_offline_guide(facts, 10 * estimate_tokens(offline), date=BENCH_DATE)
    assert guide.markdown == offline
    assert guide.factor == 1.0
    assert guide.tokens == guide.offline_tokens
    section = split_sections(offline)[1]
    assert scale_section(section, 1.0) == section
    assert scale_guide(offline, 1.0) == offline
    with pytest.raises(ValueError, match="factor"):
        scale_section(section, 0.0)


SECTION = """## Operational Runbooks
Procedures live in the runbook repository; the on-call engineer owns them and keeps them current.
Each task has an owner, a ticket and a due date, and nobody skips one without saying so in the channel.

### Daily Operations
- [ ] Check the dashboards: availability, p95 against the 320 ms objective, 5xx against 0.4 %.
- [ ] Review overnight alerts and incidents; every page has an owner and a ticket.
- [ ] Verify backups: the nightly base backup succeeded and WAL archiving lags under 5 minutes.
- [ ] Monitor trends: p95 and throughput against yesterday and against the QA baseline.

### Weekly Operations
- **Owner**: The platform team, with the on-call engineer of the week as the deputy; the rota is in PagerDuty.
  - Hand-over on Monday at 10:00, in the operations channel, with the open tickets.
  - Escalation to the engineering manager after 2 missed tasks.
- [ ] Merge dependency updates that pass CI, rebuild images for base-image patches.

| # | Task | Why |
|---|---|---|
| 1 | Restore test | A backup that was never restored is not a backup. |
| 2 | Capacity review | Traffic grows 5 % a month; the ceiling is 680 requests/s. |
| 3 | Cost review | Budgets alert at 80 %; right-size anything below 40 % for 30 days. |

```yaml
# .github/workflows/ci.yml
name: CI
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - run: ruff check .
  test:
    needs: lint
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:16
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - name: Install
        run: pip install -r requirements.txt
      - name: Tests
        run: pytest -q
  build:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - run: docker build .
  deploy-production:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: production
    steps:
      - name: Deploy
        run: |
          helm upgrade --install app ./chart --atomic
```
"""


@pytest.mark.parametrize("f", [0.05, 0.2, 0.4, 0.7, 0.95])
def test_scale_section_keeps_the_structure_of_every_kind_of_block(f: float) -> None:
    keep = Keep(terms=("pytest -q",), commands=("pytest -q",))
    out = scale_section(SECTION, f, keep)
    assert len(out) <= len(SECTION)
    assert _skeleton(out) == _skeleton(SECTION)
    blocks = re.split(r"(?m)^### ", out)
    for block in blocks[1:]:
        assert re.search(r"(?m)^- \[ \] ", block), f"no checklist item left in {block[:40]!r}"
    table = [ln for ln in out.splitlines() if ln.startswith("|")]
    assert table[:2] == ["| # | Task | Why |", "|---|---|---|"]
    assert len(table) >= 3
    code = re.search(r"```yaml\n(.*?)```", out, re.S)
    assert code is not None
    workflow = yaml.safe_load(code.group(1))
    jobs = workflow["jobs"]
    # The job running the test command and the deploy job stay, and ``needs`` names kept jobs.
    assert "pytest -q" in str(jobs["test"]["steps"])
    assert "helm upgrade" in str(jobs["deploy-production"]["steps"])
    for job in jobs.values():
        needs = job.get("needs")
        for name in [needs] if isinstance(needs, str) else needs or []:
            assert name in jobs


def test_scale_section_gets_shorter_as_the_factor_falls() -> None:
    sizes = [len(scale_section(SECTION, f)) for f in (0.1, 0.3, 0.5, 0.8, 1.0)]
    assert sizes == sorted(sizes)
    assert sizes[0] < sizes[-1] / 2


def test_text_trimming_keeps_figures_and_the_assumption_marker() -> None:
    section = (
        "## Alerting Configuration\n### Critical Alerts (Immediate Response)\n"
        "- **High Error Rate**: 5xx responses above 1 % of all requests, measured at the load "
        "balancer across every region and every route, for 5 minutes → PagerDuty (assumption).\n"
    )
    out = scale_section(section, 0.3)
    value = out.splitlines()[-1]
    assert value.startswith("- **High Error Rate**: ")
    assert "1 %" in value and "5 minutes" in value and "(assumption)" in value
    assert len(out) < len(section)


def test_item_key_names_labels_and_first_words() -> None:
    assert item_key("- **Rollback Strategy**: helm rollback") == "Rollback Strategy"
    assert item_key("1. **Assess Impact**: scope") == "Assess Impact"
    assert item_key("  - [ ] Release gate: BLOCKED until P1-1 is fixed") == "Release gate: BLOCKED"
    assert item_key("plain prose") is None
