"""The good OPERATIONS.md fixture and the QA facts it was written from (shared by reviewer tests)."""

from __future__ import annotations

from pathlib import Path

from opsrelay.facts.model import (
    Defect,
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

FIXTURES = Path(__file__).parent / "fixtures" / "ops"


def good_document() -> str:
    """The hand-written OPERATIONS.md that must pass review."""
    return (FIXTURES / "good_OPERATIONS.md").read_text(encoding="utf-8")


def ev(line: int, text: str = "") -> Evidence:
    """Evidence in the (imaginary) QA report."""
    return Evidence(source="QA_REPORT.md", line=line, text=text or f"line {line}")


def good_facts(**overrides: object) -> QAFacts:
    """QA facts matching the good document; keyword overrides replace whole fields."""
    data: dict[str, object] = {
        "source_name": "QA_REPORT.md",
        "source_sha256": "0" * 64,
        "project": NamedFact(value="orders-api", evidence=ev(1)),
        "stack": [
            StackItem(name="Python", kind="language", version="3.12", evidence=ev(5)),
            StackItem(name="FastAPI", kind="framework", evidence=ev(5)),
            StackItem(name="PostgreSQL", kind="datastore", version="16", evidence=ev(6)),
            StackItem(name="Redis", kind="cache", version="7", evidence=ev(7)),
            StackItem(name="Docker", kind="platform", evidence=ev(8)),
        ],
        "test_commands": [TestCommand(command="pytest -q --cov=orders", evidence=ev(12))],
        "test_results": [TestResults(total=412, passed=412, failed=0, skipped=0, evidence=ev(14))],
        "performance": [
            PerfMetric(metric="p95", value=240, unit="ms", context="k6 checkout", evidence=ev(20)),
            PerfMetric(metric="p99", value=480, unit="ms", context="k6 checkout", evidence=ev(21)),
            PerfMetric(metric="throughput", value=180, unit="rps", evidence=ev(22)),
        ],
        "defects": [
            Defect(
                id="BUG-099", title="Duplicate order on retry", severity="P1", status="fixed", evidence=ev(30)
            ),
            Defect(
                id="BUG-101",
                title="Intermittent 409 on order update",
                severity="P2",
                status="open",
                evidence=ev(31),
            ),
        ],
        "security": [
            SecurityFinding(
                id="SEC-7", title="No rate limit on /login", severity="P2", status="open", evidence=ev(40)
            ),
        ],
        "risks": [Risk(id="RISK-3", title="Redis eviction under peak load", evidence=ev(45))],
        "verdict": QAVerdict(value="GO", evidence=ev(50)),
    }
    data.update(overrides)
    return QAFacts.model_validate(data)
