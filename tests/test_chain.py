"""Chaining after a QA agent: envelopes travel in a reducer-appended list through a parent graph."""

from __future__ import annotations

import importlib.util
import operator
import re
import sys
from typing import Annotated, Any, TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from paths import EXAMPLE, ROOT

from opsrelay import Handoff, build_graph
from opsrelay.errors import InputError
from opsrelay.handoff import DEVOPS_ROLE, QA_ROLE, ArtifactRef, sha256_text
from opsrelay.settings import RunSettings


def load_example() -> Any:
    spec = importlib.util.spec_from_file_location("chain_after_qa", ROOT / "examples" / "chain_after_qa.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["chain_after_qa"] = module
    spec.loader.exec_module(module)
    return module


def test_example_pipeline_runs_real_tests_and_chains_envelopes(capsys: pytest.CaptureFixture[str]) -> None:
    example = load_example()
    final = example.build_pipeline().invoke({"handoffs": []})
    qa, devops = final["handoffs"]
    assert (qa.from_role, qa.to_role) == (QA_ROLE, DEVOPS_ROLE)
    assert devops.from_role == DEVOPS_ROLE
    # The QA report carries what the test run measured: 5 tests, all passing, real coverage.
    assert "| 5 | 5 | 0 | 0 |" in (qa.artifact.content or "")
    measured = re.search(r"Line coverage: (\d+\.\d)%", qa.artifact.content or "")
    assert measured and 80 < float(measured.group(1)) < 100  # one error branch is untested
    # DevOps validated and referenced the upstream artifact by its digest, and ran QA's command in CI.
    assert devops.upstream and devops.upstream.sha256 == qa.artifact.sha256
    assert devops.artifact.content and sha256_text(devops.artifact.content) == devops.artifact.sha256
    assert "python -m pytest -q" in devops.artifact.content
    assert "PostgreSQL" in devops.artifact.content and "Redis" in devops.artifact.content
    assert "sha256 ok, review pass" in final["received"]


class Parent(TypedDict, total=False):
    handoffs: Annotated[list[Handoff], operator.add]


def run_parent(handoffs: list[Handoff]) -> dict[str, Any]:
    parent = StateGraph(Parent)
    parent.add_node("devops", build_graph(settings=RunSettings(out_dir=None, date="2026-11-21")))
    parent.add_edge(START, "devops")
    parent.add_edge("devops", END)
    return parent.compile().invoke({"handoffs": handoffs})


def qa_envelope(text: str, *, to_role: str = DEVOPS_ROLE, sha: str | None = None) -> Handoff:
    return Handoff(
        from_role=QA_ROLE,
        to_role=to_role,
        artifact=ArtifactRef(name="QA_REPORT.md", sha256=sha or sha256_text(text), content=text),
    )


def test_takes_the_latest_envelope_addressed_to_devops() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    older = qa_envelope(text.replace("checkout-service", "old-service"))
    other = qa_envelope("# not for us", to_role="Security Engineer")
    out = run_parent([older, qa_envelope(text), other])
    assert len(out["handoffs"]) == 4
    assert out["handoffs"][-1].upstream.sha256 == sha256_text(text)


def test_tampered_envelope_is_refused() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    with pytest.raises(InputError, match="sha256"):
        run_parent([qa_envelope(text, sha="0" * 64)])


def test_no_envelope_for_devops_is_refused() -> None:
    with pytest.raises(InputError, match="no handoff addressed"):
        run_parent([qa_envelope("# QA", to_role="Security Engineer")])
