"""The graph's wiring and its bounded review loop, driven by scripted drafters."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from paths import EXAMPLE
from syrupy.assertion import SnapshotAssertion

from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.drafter import OfflineDrafter
from opsrelay.agents.devops.state import SectionDraft, SectionTask, UsageTotals
from opsrelay.graph import build_graph
from opsrelay.ingest import IngestedQA, load_qa
from opsrelay.review.model import Finding
from opsrelay.settings import RunSettings


class ScriptedDrafter:
    """The offline engine, with a defect planted into chosen sections until round ``fixed_at``."""

    model = "scripted"
    label = "scripted drafter"

    def __init__(self, broken: dict[str, int], *, worse_on_revision: bool = False) -> None:
        self.inner = OfflineDrafter()
        self.broken = broken  # section key -> revision number from which it is fixed
        self.worse = worse_on_revision
        self.calls: list[tuple[str, int, list[str]]] = []
        self.lock = threading.Lock()

    def decide(self, qa: IngestedQA) -> tuple[Decisions, UsageTotals]:
        return self.inner.decide(qa)

    def critique(self, qa: IngestedQA, decisions: Decisions, draft: str) -> tuple[list[Finding], UsageTotals]:
        return self.inner.critique(qa, decisions, draft)

    def draft(self, task: SectionTask) -> tuple[SectionDraft, UsageTotals]:
        with self.lock:
            self.calls.append((task.key, task.revision, sorted({f.rule for f in task.findings})))
        draft, usage = self.inner.draft(task)
        md = draft.markdown
        fixed_at = self.broken.get(task.key)
        if fixed_at is not None and task.revision < fixed_at:
            md = md.rstrip("\n") + "\n\nOwner of this section: TBD\n"
        if self.worse and task.revision > 0:
            md = md.rstrip("\n") + "\n\nTODO: TBD lorem ipsum\n"
        return draft.model_copy(update={"markdown": md}), usage


@pytest.fixture(scope="module")
def qa() -> IngestedQA:
    return load_qa(EXAMPLE)


def run(qa: IngestedQA, drafter: Any, **settings: Any) -> dict[str, Any]:
    graph = build_graph(settings=RunSettings(date="2026-11-21", **settings), drafter=drafter)
    return graph.invoke({"qa": qa})


def test_mermaid_drawing_is_stable(snapshot: SnapshotAssertion) -> None:
    assert build_graph().get_graph().draw_mermaid() == snapshot


def test_offline_run_is_approved_at_first_review(qa: IngestedQA) -> None:
    out = run(qa, OfflineDrafter())
    assert set(out) == {"operations_md", "handoff", "handoffs", "review", "stop_reason"}
    assert out["handoffs"] == [out["handoff"]]
    assert out["stop_reason"] == "approved"
    assert out["handoff"].review.iterations == 1


def test_only_failing_sections_are_revised(qa: IngestedQA) -> None:
    drafter = ScriptedDrafter({"backup_disaster_recovery": 1})
    out = run(qa, drafter)
    revisions = [c for c in drafter.calls if c[1] > 0]
    assert [c[0] for c in revisions] == ["backup_disaster_recovery"]
    assert revisions[0][2] == ["placeholders.leftover"]
    assert out["stop_reason"] == "approved"
    assert out["handoff"].review.iterations == 2
    assert "Owner of this section: TBD" not in out["operations_md"]
    assert "Review round 1: revised Backup & Disaster Recovery" in out["operations_md"]
    # The 13 drafted sections were each drafted exactly once before the revision.
    assert len([c for c in drafter.calls if c[1] == 0]) == 13


def test_loop_stops_when_score_does_not_improve(qa: IngestedQA) -> None:
    drafter = ScriptedDrafter({"backup_disaster_recovery": 99})
    out = run(qa, drafter, max_revisions=5)
    assert out["stop_reason"] == "no_improvement"
    assert out["handoff"].review.iterations == 2
    assert out["operations_md"].count("DRAFT — not approved") == 1
    assert out["review"].verdict == "fail"


def test_best_draft_is_kept_when_revision_makes_it_worse(qa: IngestedQA) -> None:
    drafter = ScriptedDrafter({"backup_disaster_recovery": 99}, worse_on_revision=True)
    out = run(qa, drafter, max_revisions=3)
    assert out["stop_reason"] == "no_improvement"
    assert "TODO: TBD lorem ipsum" not in out["operations_md"]
    assert "Owner of this section: TBD" in out["operations_md"]


def test_max_revisions_bounds_the_loop(qa: IngestedQA) -> None:
    drafter = ScriptedDrafter({"backup_disaster_recovery": 1, "cost_management": 2, "quality_gates": 3})
    out = run(qa, drafter, max_revisions=0)
    assert out["stop_reason"] == "max_revisions"
    assert out["handoff"].review.iterations == 1
    assert not [c for c in drafter.calls if c[1] > 0]


def test_string_input_as_the_server_sends_it() -> None:
    graph = build_graph(settings=RunSettings(date="2026-11-21"))
    out = graph.invoke({"qa_report": EXAMPLE.read_text(encoding="utf-8")})
    assert out["operations_md"].startswith("# Operations & Deployment Guide")
    assert out["handoff"].artifact.content == out["operations_md"]


def test_works_as_a_subgraph(qa: IngestedQA) -> None:
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph

    class Parent(TypedDict, total=False):
        qa_report: str
        operations_md: str

    parent = StateGraph(Parent)
    parent.add_node("devops", build_graph(settings=RunSettings(date="2026-11-21")))
    parent.add_edge(START, "devops")
    parent.add_edge("devops", END)
    out = parent.compile().invoke({"qa_report": EXAMPLE.read_text(encoding="utf-8")})
    assert "## Quality Gates" in out["operations_md"]


def test_explicit_limits_are_set() -> None:
    graph = build_graph(settings=RunSettings(max_revisions=2, concurrency=3))
    assert graph.config is not None
    assert graph.config["recursion_limit"] == RunSettings(max_revisions=2).recursion_limit()
    # Section tasks and checkpoint writes share LangGraph's pool; model calls are bounded apart.
    assert graph.config["max_concurrency"] == RunSettings(concurrency=3).graph_threads() == 17
