"""A two-stage pipeline: a QA Engineer node tests a real project, then opsrelay takes the handoff.

    .venv/bin/python examples/chain_after_qa.py

The QA node runs the bundled inventory-service test suite under coverage (JUnit XML + Cobertura
XML as evidence), writes a QA report from the measured results and hands it over in an
``opsrelay.handoff/v1`` envelope. The DevOps stage is opsrelay's compiled graph used as a
subgraph; it validates the envelope (schema, role, sha256) and appends its own. A stub of the
next stage prints what it received. Handoffs travel in a reducer-appended list.
"""

from __future__ import annotations

import datetime as dt
import operator
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any, TypedDict

import yaml
from langgraph.graph import END, START, StateGraph

from opsrelay import Handoff, build_graph
from opsrelay.facts.evidence import load_evidence
from opsrelay.handoff import DEVOPS_ROLE, QA_ROLE, ArtifactRef, sha256_text
from opsrelay.settings import RunSettings

PROJECT = Path(__file__).resolve().parent / "chain" / "inventory_service"


class Pipeline(TypedDict, total=False):
    """The parent pipeline's state: every stage appends its envelope to ``handoffs``."""

    handoffs: Annotated[list[Handoff], operator.add]
    received: str


def qa_engineer(state: Pipeline) -> dict[str, Any]:
    """Run the project's tests with coverage and hand over a QA report built from the evidence."""
    service = yaml.safe_load((PROJECT / "service.yaml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="qa-evidence-") as tmp:
        junit, cov = Path(tmp) / "junit.xml", Path(tmp) / "coverage.xml"
        test_cmd = "python -m pytest -q"
        run = [sys.executable, "-m", "coverage", "run", f"--data-file={tmp}/.coverage", "--source=.", "-m"]
        subprocess.run(
            [*run, "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", "test_inventory.py"],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        subprocess.run(
            [sys.executable, "-m", "coverage", "xml", f"--data-file={tmp}/.coverage", "-o", str(cov)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        results = load_evidence(junit).test_results[0]
        line_rate = load_evidence(cov).coverage[0].percent
    failed = results.failed or 0
    verdict = "PASS" if failed == 0 else "FAIL"
    report = "\n".join(
        [
            f"# QA Report — {service['name']}",
            "",
            f"**Date:** {dt.date.today().isoformat()}",
            f"**Stack:** {service['language']} ({service['framework']}), {', '.join(service['datastores'])}; "
            f"deployed to {service['platform']}.",
            "",
            "## Test Execution",
            "",
            f"Command: `{test_cmd}`",
            "",
            "| Total | Passed | Failed | Skipped |",
            "|-------|--------|--------|---------|",
            f"| {results.total} | {results.passed} | {failed} | {results.skipped or 0} |",
            "",
            f"Line coverage: {line_rate:.1f}%",
            "",
            "## Defects",
            "",
            *(
                f"- FAIL-{i}: failing test {name} (P1, open)"
                for i, name in enumerate(results.failing_tests, 1)
            ),
            *(["No open defects."] if not results.failing_tests else []),
            "",
            f"**Overall Verdict: {verdict}**",
            "",
        ]
    )
    envelope = Handoff(
        from_role=QA_ROLE,
        to_role=DEVOPS_ROLE,
        artifact=ArtifactRef(name="QA_REPORT.md", sha256=sha256_text(report), content=report),
    )
    return {"handoffs": [envelope]}


def next_stage(state: Pipeline) -> dict[str, Any]:
    """A stub of the stage after DevOps: check the envelope it was handed and say what it got."""
    envelope = state["handoffs"][-1]
    content = envelope.artifact.content or ""
    intact = sha256_text(content) == envelope.artifact.sha256
    review = envelope.review
    line = (
        f"received {envelope.artifact.name} from {envelope.from_role}: "
        f"{len(content.splitlines())} lines, sha256 {'ok' if intact else 'MISMATCH'}, "
        f"review {review.verdict if review else '?'} ({review.score if review else '?'}/100), "
        f"upstream {envelope.upstream.name if envelope.upstream else '?'}"
    )
    return {"received": line}


def build_pipeline() -> Any:
    """QA Engineer → DevOps Engineer (opsrelay, as a subgraph) → next stage."""
    pipeline = StateGraph(Pipeline)
    pipeline.add_node("qa_engineer", qa_engineer)
    pipeline.add_node("devops_engineer", build_graph(settings=RunSettings(out_dir=None)))
    pipeline.add_node("next_stage", next_stage)
    pipeline.add_edge(START, "qa_engineer")
    pipeline.add_edge("qa_engineer", "devops_engineer")
    pipeline.add_edge("devops_engineer", "next_stage")
    pipeline.add_edge("next_stage", END)
    return pipeline.compile()


def main() -> int:
    """Run the pipeline once and print the chain of envelopes."""
    final = build_pipeline().invoke({"handoffs": []})
    for envelope in final["handoffs"]:
        artifact = envelope.artifact
        print(f"{envelope.from_role} → {envelope.to_role}: {artifact.name} {artifact.sha256[:12]}")
    print(final["received"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
