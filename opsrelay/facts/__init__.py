"""QA facts: the pydantic model and the deterministic extractor (pure: no langgraph/langchain)."""

from opsrelay.facts.model import (
    Coverage,
    Defect,
    Environment,
    Evidence,
    NamedFact,
    PerfMetric,
    QAFacts,
    QAVerdict,
    Risk,
    SecurityFinding,
    StackItem,
    TestCommand,
    TestResults,
)

__all__ = [
    "Coverage",
    "Defect",
    "Environment",
    "Evidence",
    "NamedFact",
    "PerfMetric",
    "QAFacts",
    "QAVerdict",
    "Risk",
    "SecurityFinding",
    "StackItem",
    "TestCommand",
    "TestResults",
]
