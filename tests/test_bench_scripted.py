"""bench: the scripted model's critique and the length sweep, run end to end at zero latency.

No timing is asserted here: targets are the benchmark's business, not the test suite's.
"""

from __future__ import annotations

import json
import sys

import pytest
from paths import EXAMPLE, ROOT

if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))

from bench.__main__ import _parse
from bench.measure import run_batch
from bench.report import by_length, length_rows, model_sections, targets
from bench.scale import DEFAULT_LENGTHS, section_heading, split_sections
from bench.scripted import STANDARDS, classify, critique_for, guide_for, model_free_headings
from opsrelay.agents.devops.llm import CriticReport
from opsrelay.ingest import load_qa
from opsrelay.review import review_document
from opsrelay.settings import RunSettings
from opsrelay.testing.fake_openai import Latency, estimate_tokens


def test_critique_is_six_one_line_verdicts_of_about_300_tokens() -> None:
    facts = load_qa(EXAMPLE).facts
    for length in DEFAULT_LENGTHS:
        draft = guide_for(facts, length).markdown
        answer = critique_for(draft)
        report = CriticReport.model_validate(answer)  # the critic's schema, as opsrelay parses it
        assert [v.standard for v in report.verdicts] == [s for s, _ in STANDARDS]
        assert all(v.met and v.section is None and v.fix is None for v in report.verdicts)
        for v in report.verdicts:
            assert "\n" not in v.reason
            assert len(v.reason.split()) <= 20
            quoted = v.reason.split("'")[1]
            assert any(ch.isdigit() for ch in quoted)
            assert quoted.replace("’", "'") in " ".join(draft.replace("`", "").split())
        assert 200 <= estimate_tokens(json.dumps(answer, ensure_ascii=False)) <= 400


def test_critique_rejecting_one_standard_names_its_section_and_one_fix() -> None:
    draft = guide_for(load_qa(EXAMPLE).facts, DEFAULT_LENGTHS[0]).markdown
    report = CriticReport.model_validate(critique_for(draft, reject="monitoring"))
    unmet = [v for v in report.verdicts if not v.met]
    assert len(unmet) == 1
    assert unmet[0].standard == "monitoring"
    assert unmet[0].section == "Monitoring & Observability"
    assert unmet[0].fix and "\n" not in unmet[0].fix
    assert len(unmet[0].reason.split()) >= 4  # opsrelay drops reasons shorter than that


def test_classify_tells_the_fact_proposals_from_sections() -> None:
    body = {
        "messages": [{"role": "user", "content": "x"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "FactProposals"}},
    }
    assert classify(body) == "facts"


def test_concurrency_follows_opsrelay_default_and_lengths_parse() -> None:
    args = _parse([])
    assert args.concurrency == RunSettings().concurrency
    assert args.lengths == list(DEFAULT_LENGTHS)
    assert _parse(["--lengths", "6000,3000"]).lengths == [3000, 6000]
    assert len(_parse(["--quick"]).lengths) < len(DEFAULT_LENGTHS)
    with pytest.raises(SystemExit):
        _parse(["--lengths", "3k"])


@pytest.mark.slow
@pytest.mark.parametrize("length", DEFAULT_LENGTHS)
def test_both_designs_at_each_length_get_the_same_content_and_opsrelay_does_not_revise(length: int) -> None:
    common = {"latency": Latency(), "concurrency": RunSettings().concurrency, "length": length}
    a = run_batch("naive", [EXAMPLE], **common)  # type: ignore[arg-type]
    b = run_batch("opsrelay", [EXAMPLE], **common)  # type: ignore[arg-type]
    assert a.error is None and b.error is None
    facts = load_qa(EXAMPLE).facts
    # Both were served the same scaled guide (cut from the facts in the prompt), of the target size.
    assert a.guide_tokens == b.guide_tokens == estimate_tokens(a.documents[0])
    assert abs(a.guide_tokens - guide_for(facts, length).tokens) <= 20
    assert 0.75 * length <= a.guide_tokens <= 1.25 * length
    # The straightforward design's final document passes opsrelay's rubric, and opsrelay's final
    # document has the very same sections, except those opsrelay renders itself.
    assert review_document(a.documents[0], facts).verdict == "pass"
    ours = {section_heading(p): p.strip() for p in split_sections(b.documents[0])}
    theirs = {section_heading(p): p.strip() for p in split_sections(a.documents[0])}
    assert ours.keys() == theirs.keys()
    for heading in ours.keys() - model_free_headings() - {None, "Changelog"}:
        assert ours[heading] == theirs[heading], heading
    # opsrelay approves the first draft: one call per section asked of the model, no revision.
    assert b.stop_reasons == ["approved"]
    assert b.verdicts[0].startswith("pass")
    assert "revise" not in b.labels
    assert b.labels["section"]["calls"] == model_sections()
    assert b.labels["critic"]["calls"] == 1
    assert b.truncated == 0
    assert b.length == length
    # Reporting works on such pairs (no timing judged).
    pairs = [(a, b)]
    assert len(length_rows(by_length(pairs))) == 1
    rows = targets(pairs, [], (0.0, None), RunSettings().concurrency)
    assert rows
    # Not at the target latency: nothing is judged; a wall target is measured only at a length
    # within 1.5× of its own, and the N = 16 overhead target needs a throughput batch.
    walls = [r for r in rows if r["target"].startswith("wall time")]
    assert len(walls) == 2
    measured = {r["target"].split("at ~")[1].split(" ")[0] for r in walls if r["verdict"] != "not measured"}
    assert measured == {3000: {"3k"}, 6000: set(), 12000: {"12k"}}[length]
    assert all(r["verdict"].startswith(("not judged", "not measured")) for r in rows)
    assert [r["verdict"] for r in rows if "N = 16" in r["target"]] == ["not measured"]


def test_bench_backend_counts_its_requests_with_its_own_limiter() -> None:
    """Each benchmark job caps its requests on its own limiter, never the process-wide one."""
    from bench.measure import MODEL
    from bench.naive import bench_backend
    from opsrelay.models.limit import REQUESTS, LimitedBackend, RequestLimiter

    limiter = RequestLimiter()
    backend = bench_backend(
        MODEL, base_url="http://127.0.0.1:9/v1", api_key="x", timeout_s=5.0, limiter=limiter, concurrency=3
    )
    limited = [x for x in _layers(backend) if isinstance(x, LimitedBackend)]
    assert len(limited) == 1
    assert limited[0].limiter is limiter and limited[0].cap == 3
    default = bench_backend(MODEL, base_url="http://127.0.0.1:9/v1", api_key="x", timeout_s=5.0)
    assert [x.limiter for x in _layers(default) if isinstance(x, LimitedBackend)] == [REQUESTS]


def _layers(backend: object) -> list[object]:
    from opsrelay.models.base import layers

    return list(layers(backend))
