"""The public replay helper and fixture, as a user's test suite would use them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from paths import EXAMPLE, ROOT

from opsrelay.api import HandoffResult
from opsrelay.graph import build_graph
from opsrelay.ingest import load_qa
from opsrelay.models.errors import CassetteMismatch
from opsrelay.settings import RunSettings
from opsrelay.testing.replay import replay_backend, replay_handoff

CASSETTE = ROOT / "examples" / "cassettes" / "checkout-service.json"
EVIDENCE = [EXAMPLE.parent / "junit.xml", EXAMPLE.parent / "coverage.xml"]


def test_fixture_replays_the_recorded_run(opsrelay_replay: Callable[..., HandoffResult]) -> None:
    result = opsrelay_replay(EXAMPLE, CASSETTE, evidence=EVIDENCE, date="2026-11-20", out_dir=True)
    assert result.review.verdict == "pass"
    assert (
        result.handoff.run is not None and result.handoff.run.llm_calls == 15
    )  # facts, decide, 12 sections, critic
    assert result.out_dir is not None and (result.out_dir / "OPERATIONS.md").is_file()


def test_compiled_graph_over_a_replay_backend() -> None:
    qa = load_qa(EXAMPLE, evidence=EVIDENCE)
    graph = build_graph(replay_backend(CASSETTE, strict=False), RunSettings(date="2026-11-20"))
    out = graph.invoke({"qa": qa})
    assert out["stop_reason"] == "approved"
    assert out["operations_md"] == replay_handoff(qa, CASSETTE, date="2026-11-20").operations_md


def test_a_different_request_names_the_closest_recorded_one(tmp_path: Path) -> None:
    changed = tmp_path / "QA_REPORT.md"
    changed.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("p95 latency | 210 ms", "p95 latency | 260 ms")
    )
    with pytest.raises(CassetteMismatch, match=r"closest recorded.*differs"):
        replay_handoff(changed, CASSETTE, evidence=EVIDENCE, date="2026-11-20")
