"""QA facts: what the upstream QA stage established, each fact with its evidence.

Pure pydantic: no langgraph, no langchain. "Unknown" is a valid value everywhere: real QA
documents are incomplete, and the DevOps stage must say what it does not know rather than guess.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Evidence(BaseModel):
    """Where a fact was read: the source document (or evidence file), 1-based line, the line's text."""

    model_config = ConfigDict(frozen=True)

    source: str = Field(description="File name of the QA document or evidence file.")
    line: int = Field(ge=0, description="1-based line number; 0 when the fact has no single line.")
    text: str = Field(description="The evidencing line, trimmed (at most 240 characters).")


StackKind = Literal[
    "language",
    "framework",
    "datastore",
    "cache",
    "queue",
    "platform",
    "cloud",
    "observability",
    "ci",
    "tool",
]


class StackItem(BaseModel):
    """One technology the QA document names: a language, framework, datastore, platform, etc."""

    name: str = Field(description="Canonical product name, e.g. 'PostgreSQL', 'Redis', 'Kubernetes'.")
    kind: StackKind
    version: str | None = None
    evidence: Evidence


class TestCommand(BaseModel):
    """A command the QA stage ran (or documents) to execute the test suite."""

    command: str
    evidence: Evidence


class TestResults(BaseModel):
    """Aggregate results of a test run. Counts are ``None`` when the document does not say."""

    total: int | None = None
    passed: int | None = None
    failed: int | None = None
    skipped: int | None = None
    failing_tests: list[str] = Field(default_factory=list, description="Names of failing tests, when known.")
    evidence: Evidence


class Coverage(BaseModel):
    """A code-coverage figure, e.g. 81.78 % of lines."""

    percent: float = Field(ge=0, le=100)
    scope: str | None = Field(default=None, description="What was measured: 'lines', 'branches', a module…")
    evidence: Evidence


PerfMetricName = Literal[
    "p50",
    "p75",
    "p90",
    "p95",
    "p99",
    "p99.9",
    "min",
    "max",
    "avg",
    "throughput",
    "error_rate",
    "concurrency",
    "saturation",
]
PerfUnit = Literal["ms", "s", "rps", "%", "users", "msg/s", "tx/s", "ops/s", "MB/s", "MB/min"]


class PerfMetric(BaseModel):
    """A measured performance figure from a load test or benchmark.

    Latencies are in milliseconds whatever the document wrote (µs, s, "3 menit 13 detik").
    ``saturation`` is the load (users) where the system stopped coping: a breaking point or the
    largest load it sustained. A ``delta`` is a version-to-version change in percent of the
    named metric (``regression`` when it got worse: slower, less throughput, more errors).
    """

    metric: PerfMetricName
    value: float
    unit: PerfUnit
    context: str | None = Field(default=None, description="Scenario or endpoint the figure belongs to.")
    evidence: Evidence
    kind: Literal["baseline", "delta"] = "baseline"
    regression: bool | None = Field(
        default=None, description="For a delta: whether the change is for the worse."
    )


Severity = Literal["P0", "P1", "P2", "P3", "P4", "unknown"]
DefectStatus = Literal["open", "fixed", "unknown"]


class Defect(BaseModel):
    """A defect or risk item with a severity (normalised to P0–P4) and a status."""

    id: str
    title: str
    severity: Severity
    status: DefectStatus
    evidence: Evidence


class SecurityFinding(BaseModel):
    """A security finding (vulnerability, weakness, missing control)."""

    id: str | None = None
    title: str
    severity: Severity
    status: DefectStatus
    evidence: Evidence


class Environment(BaseModel):
    """An environment the QA document names, with its URL when given."""

    name: Literal["production", "staging", "test", "development", "local", "other"]
    url: str | None = None
    evidence: Evidence


class Risk(BaseModel):
    """A QA risk or open concern that operations must track (not necessarily a defect)."""

    id: str | None = None
    title: str
    evidence: Evidence


VerdictValue = Literal["GO", "NO-GO", "PASS", "FAIL", "CONCERNS", "CONDITIONAL", "unknown"]


class QAVerdict(BaseModel):
    """The QA stage's overall verdict."""

    value: VerdictValue = "unknown"
    evidence: Evidence | None = None


class NamedFact(BaseModel):
    """A single string fact with its evidence (project name, report date, load-test tool)."""

    value: str
    evidence: Evidence


DocumentKind = Literal["report", "plan"]
"""``report``: tests were executed and results reported. ``plan``: a test plan, strategy or checklist
(tests planned, not executed) -- the release gate can never be OPEN on a plan."""

SoftwareKind = Literal[
    "service",  # a network service (HTTP/gRPC API, web app backend, worker behind a queue)
    "library",  # a library / SDK / package consumed by other code
    "cli",  # a command-line tool
    "mobile",  # a mobile app (Android / iOS / Flutter / React Native)
    "desktop",  # a desktop app
    "embedded",  # embedded, TV, kiosk or device-fleet software
    "data_pipeline",  # batch / streaming data processing
    "distributed_node",  # a node of a distributed system (blockchain testnet, cluster member)
    "unknown",
]


class KindFact(BaseModel):
    """What kind of software the QA document is about, with every piece of evidence weighed."""

    value: SoftwareKind = "unknown"
    evidence: list[Evidence] = Field(default_factory=list)
    also: list[SoftwareKind] = Field(
        default_factory=list,
        description="Other kinds with strong evidence in the same document (a mobile app and its backend).",
    )


class ServiceFact(BaseModel):
    """One deployable service of a multi-service system, with its own runtime when known."""

    name: str = Field(description="Service name as the document writes it, e.g. 'auth-service'.")
    runtime: str | None = Field(default=None, description="Canonical language/runtime, e.g. 'Java', 'Go'.")
    status: Literal["ok", "failing", "unknown"] = "unknown"
    evidence: Evidence


class OutcomeFailure(BaseModel):
    """A reason the QA outcome is not a pass, besides defects and failed test counts.

    Failed acceptance criteria, services down or not building, "not production-ready",
    a performance criterion missed, a regression beyond tolerance. Each one blocks the gate.
    """

    reason: str = Field(description="One line in English naming what failed.")
    evidence: Evidence


class OpenQuestion(BaseModel):
    """Something the document leaves contradictory or unproven (its numbers vs its headline)."""

    question: str = Field(description="One line in English.")
    evidence: Evidence


class QAFacts(BaseModel):
    """Everything opsrelay extracted from the upstream QA artifact and evidence files."""

    source_name: str = Field(description="File name of the QA document ('-' for stdin).")
    source_sha256: str = Field(description="sha256 of the QA document's bytes.")
    title: NamedFact | None = None
    project: NamedFact | None = None
    report_date: NamedFact | None = Field(default=None, description="ISO date (YYYY-MM-DD) of the report.")
    stack: list[StackItem] = Field(default_factory=list)
    test_commands: list[TestCommand] = Field(default_factory=list)
    test_results: list[TestResults] = Field(default_factory=list)
    coverage: list[Coverage] = Field(default_factory=list)
    performance: list[PerfMetric] = Field(default_factory=list)
    load_test_tool: NamedFact | None = None
    defects: list[Defect] = Field(default_factory=list)
    security: list[SecurityFinding] = Field(default_factory=list)
    environments: list[Environment] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    verdict: QAVerdict = Field(default_factory=QAVerdict)
    language: str = Field(default="en", description="Main natural language of the document (ISO 639-1).")
    document_kind: DocumentKind = "report"
    document_kind_evidence: Evidence | None = None
    software_kind: KindFact = Field(default_factory=KindFact)
    services: list[ServiceFact] = Field(default_factory=list)
    outcome_failures: list[OutcomeFailure] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    perf_setup: list[NamedFact] = Field(
        default_factory=list, description="Load-test set-up: instance types, node counts, data volumes."
    )

    # --- convenience views used by the writer and the reviewer -------------------------------

    def stack_of(self, *kinds: StackKind) -> list[StackItem]:
        """Stack items of the given kinds, in document order."""
        return [s for s in self.stack if s.kind in kinds]

    @property
    def datastores(self) -> list[StackItem]:
        """Databases, caches and queues: everything that holds state and needs backups/metrics."""
        return self.stack_of("datastore", "cache", "queue")

    @property
    def open_blockers(self) -> list[Defect]:
        """Open P0/P1 defects: each one blocks the release gate."""
        return [d for d in self.defects if d.status == "open" and d.severity in ("P0", "P1")]

    @property
    def failing_test_count(self) -> int:
        """Failed tests across all reported runs (0 when unknown)."""
        return sum(r.failed or 0 for r in self.test_results)

    @property
    def release_blocked(self) -> bool:
        """True when QA evidence blocks release: an open P0/P1, a failing test run, or a NO-GO/FAIL."""
        blocked_verdict = self.verdict.value in ("NO-GO", "FAIL")
        return (
            bool(self.open_blockers)
            or self.failing_test_count > 0
            or blocked_verdict
            or bool(self.outcome_failures)
        )
