"""The CI/CD system whose syntax the build pipeline uses."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.common import AssumptionLog, refs
from opsrelay.agents.devops.decisions import CIDecision
from opsrelay.facts.model import QAFacts


def decide_ci(facts: QAFacts, notes: AssumptionLog) -> CIDecision:
    """The CI system QA names, else GitHub Actions as a recorded assumption."""
    for item in facts.stack:
        key = kb.norm(item.name)
        if key.startswith("githubactions") or key == "github":
            return CIDecision(
                system="github_actions",
                rationale="QA evidence shows the repository already uses GitHub Actions.",
                basis="qa_fact",
                evidence=refs([item.evidence]),
            )
        if key.startswith("gitlab"):
            return CIDecision(
                system="gitlab_ci",
                rationale="QA evidence shows the project uses GitLab CI.",
                basis="qa_fact",
                evidence=refs([item.evidence]),
            )
    other = [s for s in facts.stack if s.kind == "ci"]
    if other:
        notes.add(
            "CI system",
            "The pipeline is specified in GitHub Actions syntax.",
            "QA names a CI system opsrelay does not generate configuration for; each job maps one-to-one "
            "onto stages of the existing system.",
        )
        return CIDecision(
            system="github_actions",
            rationale="The named CI system has no generator here; GitHub Actions syntax documents the "
            "same stages.",
            basis="assumption",
            evidence=refs(s.evidence for s in other),
        )
    notes.add(
        "CI system",
        "CI/CD runs on GitHub Actions.",
        "The QA report names no CI system; GitHub Actions is the most common choice for hosted repositories.",
    )
    return CIDecision(
        system="github_actions",
        rationale="No CI system in the QA evidence; GitHub Actions chosen as the default.",
        basis="assumption",
        evidence=[],
    )
