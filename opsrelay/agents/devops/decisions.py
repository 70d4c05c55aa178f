"""Cross-cutting decisions fixed before the sections are drafted in parallel.

The offline engine fills :class:`Decisions` with rules of practice (:mod:`.decide`); an LLM fills
the very same model through strict structured output. For that reason the schema is kept plain:
every field is required (no defaults), optional values are ``X | None``, there are no free-form
dicts and no unions other than ``None``, and every field carries a description. (``delivery`` and
``services`` have defaults so that decisions written before they existed still load.) ``reasoning``
comes first so that a model writes its reasons before it commits to decisions.

Every choice records its ``basis``: ``qa_fact`` (with the QA evidence it rests on) or
``assumption`` (and then it is also listed in ``assumptions``). Pure pydantic.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from opsrelay.facts.model import Evidence

Basis = Literal["qa_fact", "assumption"]

PlatformKind = Literal["kubernetes", "container_paas", "compose_vm", "vm", "serverless", "distribution"]
"""``distribution``: no servers of the team's own; the software is distributed to its users' processes,
machines or devices (libraries, command-line tools, mobile, desktop and embedded apps)."""
StrategyKind = Literal["rolling", "canary", "blue-green", "staged", "release"]
"""``staged``: percentage or wave rollouts to devices, store users or nodes; ``release``: a versioned
artefact published to a registry or release page (libraries, command-line tools)."""
CISystem = Literal["github_actions", "gitlab_ci"]
CloudProvider = Literal["aws", "gcp", "azure", "other"]
RuntimeLanguage = Literal[
    "node", "python", "java", "kotlin", "dotnet", "go", "ruby", "php", "rust", "cpp", "dart", "bun", "other"
]
EnvName = Literal["production", "staging", "development"]
DatastoreRole = Literal["primary_database", "cache", "queue", "search", "object_store", "other"]
GateStatus = Literal["blocked", "open", "not_executed"]
"""``not_executed``: the QA document is a test plan; tests were planned, not run, so nothing is proven."""
DeliveryKind = Literal[
    "service", "library", "cli", "mobile", "desktop", "embedded", "data_pipeline", "distributed_node"
]
TestStage = Literal["ci", "mobile_e2e", "load"]


class _Strict(BaseModel):
    """Base: unknown keys are rejected, so the JSON schema says ``additionalProperties: false``."""

    model_config = ConfigDict(extra="forbid")


class EvidenceRef(_Strict):
    """A pointer to the QA line a decision rests on (a schema-friendly copy of :class:`Evidence`)."""

    source: str = Field(description="File name of the QA document or evidence file.")
    line: int = Field(description="1-based line number in that file; 0 when the fact has no single line.")
    text: str = Field(description="The evidencing line as it appears in the QA document (trimmed).")

    @classmethod
    def of(cls, evidence: Evidence) -> EvidenceRef:
        """Copy a QA-facts :class:`Evidence` into a decision reference."""
        return cls(source=evidence.source, line=evidence.line, text=evidence.text)

    def cite(self) -> str:
        """Short human citation, e.g. ``report.md:12``."""
        return f"{self.source}:{self.line}" if self.line else self.source


class Assumption(_Strict):
    """A decision taken without QA evidence, stated so the team can confirm or correct it."""

    topic: str = Field(description="What the assumption is about, e.g. 'Hosting', 'RTO', 'CI system'.")
    statement: str = Field(description="The assumption itself, as one sentence.")
    reason: str = Field(description="Why this is a sensible default in the absence of QA evidence.")


class HostingDecision(_Strict):
    """Where production runs."""

    provider: CloudProvider = Field(description="Cloud provider for production.")
    provider_name: str = Field(description="Display name, e.g. 'AWS', 'Google Cloud', 'Azure'.")
    region: str = Field(description="Primary region, e.g. 'us-east-1'.")
    dr_region: str = Field(description="Secondary region used for backups copies and failover.")
    rationale: str = Field(description="Why this provider and region.")
    basis: Basis = Field(description="qa_fact when the QA document names the provider; else assumption.")
    evidence: list[EvidenceRef] = Field(description="QA lines supporting the choice; empty for assumptions.")


class PlatformDecision(_Strict):
    """The runtime platform the services are deployed on."""

    kind: PlatformKind = Field(description="Platform family.")
    service: str = Field(description="Concrete product, e.g. 'Amazon EKS', 'Amazon ECS on AWS Fargate'.")
    mobile_release: str | None = Field(
        description="Store release channel when the product ships a mobile app (e.g. 'TestFlight then "
        "App Store via EAS Submit'); null otherwise."
    )
    rationale: str = Field(description="Why this platform fits what QA tested.")
    basis: Basis = Field(description="qa_fact when the QA document names the platform; else assumption.")
    evidence: list[EvidenceRef] = Field(description="QA lines supporting the choice; empty for assumptions.")


class StrategyDecision(_Strict):
    """How a new version reaches production."""

    strategy: StrategyKind = Field(description="Deployment strategy.")
    steps: list[str] = Field(description="Rollout steps in order, e.g. '10% of traffic for 10 minutes'.")
    rollback_trigger: str = Field(description="Measurable condition that aborts the rollout and rolls back.")
    rationale: str = Field(description="Why this strategy, given platform, state and QA baselines.")
    basis: Basis = Field(description="qa_fact when QA evidence dictates it; else assumption.")
    evidence: list[EvidenceRef] = Field(description="QA lines supporting the choice; empty for assumptions.")


class RuntimeDecision(_Strict):
    """One language toolchain the CI pipeline must set up."""

    language: RuntimeLanguage = Field(description="Toolchain family.")
    display: str = Field(description="Human name with framework, e.g. 'Python 3.11 (FastAPI)'.")
    version: str = Field(description="Version to install in CI, e.g. '3.11', '20', '21'.")
    install_command: str = Field(description="Dependency installation command run in CI.")
    lint_command: str = Field(description="Static-analysis command run in CI.")
    audit_command: str = Field(description="Dependency vulnerability audit command run in CI.")
    migration_tool: str | None = Field(
        description="Schema migration tool for this stack (Prisma Migrate, Flyway, Alembic, Django "
        "migrations, EF Core…); null when the stack has no database."
    )
    migration_basis: Basis = Field(description="qa_fact when QA names the migration tool; else assumption.")
    migration_evidence: list[EvidenceRef] = Field(description="QA lines naming the migration tool, if any.")
    basis: Basis = Field(description="qa_fact when QA names language and version; else assumption.")
    evidence: list[EvidenceRef] = Field(description="QA lines supporting the choice; empty for assumptions.")


class TestCommandDecision(_Strict):
    """A test command CI runs exactly as QA ran it (or a safe default when QA gave none)."""

    command: str = Field(description="The command line, without shell chaining or pipes.")
    working_directory: str | None = Field(description="Directory to run it in; null for the repository root.")
    secret_env: list[str] = Field(
        description="Environment variables the command needs from the secret store (names only; QA's inline "
        "values are never copied)."
    )
    stage: TestStage = Field(
        description="Where the pipeline runs it: 'ci' in the test job on every push, 'mobile_e2e' in the "
        "mobile end-to-end job (simulator/device), 'load' in the scheduled load test against staging."
    )
    basis: Basis = Field(description="qa_fact when copied from the QA document; assumption for a default.")
    evidence: list[EvidenceRef] = Field(description="QA lines where the command appears; empty for defaults.")


class CIDecision(_Strict):
    """The CI/CD system and what it runs."""

    system: CISystem = Field(description="CI system whose syntax the Build Pipeline uses.")
    rationale: str = Field(description="Why this CI system.")
    basis: Basis = Field(description="qa_fact when the QA document names the CI system; else assumption.")
    evidence: list[EvidenceRef] = Field(description="QA lines supporting the choice; empty for assumptions.")


class EnvironmentDecision(_Strict):
    """One deployment environment."""

    name: EnvName = Field(description="Environment name.")
    url: str | None = Field(description="Base URL when QA names one; null otherwise.")
    purpose: str = Field(description="What the environment is for.")
    basis: Basis = Field(description="qa_fact when QA names the environment; else assumption.")
    evidence: list[EvidenceRef] = Field(description="QA lines supporting it; empty for assumptions.")


class DatastoreDecision(_Strict):
    """A stateful component (database, cache, queue) and how it is run, backed up and watched."""

    name: str = Field(description="Product name, e.g. 'PostgreSQL', 'Redis', 'MongoDB', 'Kafka'.")
    version: str | None = Field(description="Version QA names; null when unknown.")
    role: DatastoreRole = Field(description="What the component is used for.")
    hosting: str = Field(description="How production runs it, e.g. 'Amazon RDS for PostgreSQL (Multi-AZ)'.")
    backup_method: str = Field(description="Backup mechanism, e.g. 'pgBackRest full + continuous WAL'.")
    basis: Basis = Field(
        description="qa_fact: the component itself is named by QA (hosting may still be assumed)."
    )
    evidence: list[EvidenceRef] = Field(description="QA lines naming the component.")


class ObservabilityDecision(_Strict):
    """Metrics, logs, traces and APM tooling."""

    metrics: str = Field(description="Metrics stack, e.g. 'Prometheus + Grafana'.")
    logs: str = Field(description="Log aggregation, e.g. 'Grafana Loki, 30 days retention'.")
    tracing: str = Field(description="Distributed tracing, e.g. 'OpenTelemetry SDK → Jaeger'.")
    apm: str = Field(description="APM tool.")
    basis: Basis = Field(description="qa_fact when QA names the tools; else assumption.")
    evidence: list[EvidenceRef] = Field(description="QA lines naming the tools; empty for assumptions.")


class SLODecision(_Strict):
    """Service level objectives and the alert thresholds derived from QA baselines."""

    availability_percent: float = Field(description="Monthly availability objective, e.g. 99.9.")
    availability_basis: Basis = Field(description="Basis of the availability objective.")
    baseline_p50_ms: float | None = Field(description="QA-measured p50 latency (ms); null when not measured.")
    baseline_p95_ms: float | None = Field(description="QA-measured p95 latency (ms); null when not measured.")
    baseline_p99_ms: float | None = Field(description="QA-measured p99 latency (ms); null when not measured.")
    baseline_context: str | None = Field(description="Scenario the baseline was measured in.")
    p95_target_ms: int = Field(description="p95 latency objective in milliseconds.")
    p99_target_ms: int = Field(description="p99 latency objective in milliseconds.")
    latency_alert_ms: int = Field(description="p95 latency that raises a critical alert (2x baseline).")
    baseline_error_rate_percent: float | None = Field(description="QA-measured error rate (%); null if none.")
    error_rate_target_percent: float = Field(description="Server-error (5xx) rate objective in percent.")
    error_rate_alert_percent: float = Field(
        description="Error rate that raises a critical alert, in percent."
    )
    latency_basis: Basis = Field(description="qa_fact when derived from a QA latency baseline.")
    error_rate_evidence: list[EvidenceRef] = Field(
        description="QA lines of the error-rate baseline; empty if none."
    )
    evidence: list[EvidenceRef] = Field(description="QA lines of the latency baselines used, p95 first.")


class CapacityDecision(_Strict):
    """Throughput the deployment is sized for."""

    baseline_rps: float | None = Field(description="QA-measured sustained throughput (requests/s).")
    peak_tested_rps: float | None = Field(description="Highest throughput QA measured (requests/s).")
    baseline_context: str | None = Field(description="Scenario of the sustained throughput figure.")
    target_rps: int = Field(description="Throughput production is sized for (requests/s).")
    min_instances: int = Field(description="Minimum application instances in production.")
    max_instances: int = Field(description="Maximum instances the autoscaler may add.")
    scale_out_cpu_percent: int = Field(description="CPU utilisation that triggers scale-out.")
    throughput_unit: str = Field(
        default="requests/s",
        description="Unit of the throughput figures: 'requests/s', 'messages/s', 'transactions/s' or "
        "'operations/s', as QA measured them.",
    )
    basis: Basis = Field(description="qa_fact when derived from QA throughput figures.")
    evidence: list[EvidenceRef] = Field(description="QA lines of the throughput figures.")


class RecoveryDecision(_Strict):
    """Recovery objectives and the backup cadence that makes them achievable."""

    rto_minutes: int = Field(description="Recovery time objective in minutes.")
    rpo_minutes: int = Field(description="Recovery point objective in minutes.")
    backup_interval_minutes: int = Field(description="Interval between full database backups in minutes.")
    continuous_archiving: bool = Field(
        description="True when continuous log archiving (WAL/PITR, oplog, AOF) makes RPO independent "
        "of the full-backup interval; otherwise RPO must be >= backup_interval_minutes."
    )
    archiving_method: str | None = Field(description="How continuous archiving is done; null if none.")
    retention: str = Field(description="Backup retention policy.")
    basis: Basis = Field(description="qa_fact when QA states RTO/RPO; else assumption.")
    evidence: list[EvidenceRef] = Field(description="QA lines supporting it; empty for assumptions.")


class AlertRouting(_Strict):
    """Where alerts of each severity go."""

    critical: str = Field(description="Route for critical alerts (pages a human), e.g. 'PagerDuty'.")
    warning: str = Field(description="Route for warnings (business hours).")
    info: str = Field(description="Route for informational notices.")
    basis: Basis = Field(description="qa_fact when QA names the tooling; else assumption.")
    evidence: list[EvidenceRef] = Field(description="QA lines supporting it; empty for assumptions.")


class ReleaseGate(_Strict):
    """Whether QA evidence lets this release through."""

    status: GateStatus = Field(
        description="'blocked' iff an open P0/P1, a failing test, a failed QA criterion or a NO-GO/FAIL "
        "verdict; else 'not_executed' when QA only planned the tests; else 'open'."
    )
    reasons: list[str] = Field(description="Human-readable reasons, one per blocking item.")
    blocking_defect_ids: list[str] = Field(description="Ids of open P0/P1 defects.")
    failing_tests: int = Field(description="Number of failing tests in QA runs.")
    qa_verdict: str = Field(description="QA verdict as extracted: GO, NO-GO, PASS, FAIL, CONCERNS, …")
    evidence: list[EvidenceRef] = Field(description="QA lines of the blocking items or the verdict.")
    open_questions: list[str] = Field(
        default_factory=list,
        description="What the QA document leaves contradictory or unproven, each with its line; every one "
        "is listed under Assumptions & Open Questions.",
    )


class DeliveryDecision(_Strict):
    """How this kind of software reaches its users: the release path that replaces a server deploy."""

    kind: DeliveryKind = Field(description="Kind of software, which decides the release path.")
    label: str = Field(description="Human name of the kind, e.g. 'command-line tool', 'mobile app'.")
    artefacts: str = Field(description="What a release produces, e.g. 'signed binaries per OS/arch'.")
    channels: list[str] = Field(description="Where releases are published, e.g. 'crates.io', 'Google Play'.")
    health_signals: list[str] = Field(
        description="Signals that say a release is healthy in the field (crash-free rate, downloads…)."
    )
    rationale: str = Field(description="Why this release path.")
    basis: Basis = Field(description="qa_fact when the QA document shows the kind; else assumption.")
    evidence: list[EvidenceRef] = Field(description="QA lines showing the kind; empty for assumptions.")


def service_delivery() -> DeliveryDecision:
    """The default release path: a network service deployed to a platform (an assumption)."""
    return DeliveryDecision(
        kind="service",
        label="network service",
        artefacts="a container image per commit, promoted unchanged from staging to production",
        channels=["the runtime platform"],
        health_signals=["availability", "p95 latency", "5xx rate"],
        rationale="A network service is deployed to a runtime platform behind a load balancer.",
        basis="assumption",
        evidence=[],
    )


class ServiceUnit(_Strict):
    """One deployable service of a multi-service system, with its own runtime and QA status."""

    name: str = Field(description="Service name as QA writes it, e.g. 'auth-service'.")
    language: RuntimeLanguage = Field(description="Toolchain family of this service.")
    runtime: str = Field(description="Human runtime name, e.g. 'Java 21 (Spring Boot)'.")
    status: Literal["ok", "failing", "unknown"] = Field(description="QA outcome for this service.")
    basis: Basis = Field(description="qa_fact when QA names the service's runtime; else assumption.")
    evidence: list[EvidenceRef] = Field(description="QA lines naming the service.")


class Decisions(_Strict):
    """All cross-cutting choices, fixed before sections are drafted, each grounded or assumed."""

    reasoning: str = Field(
        description="Think first: what QA established (stack, tests, baselines, defects, verdict) and "
        "how that drives each decision below. Free text."
    )
    service_name: str = Field(description="Service or project name used throughout the guide.")
    hosting: HostingDecision = Field(description="Cloud provider and region.")
    platform: PlatformDecision = Field(description="Runtime platform.")
    deployment: StrategyDecision = Field(description="Deployment strategy.")
    ci: CIDecision = Field(description="CI/CD system.")
    runtimes: list[RuntimeDecision] = Field(description="Toolchains CI sets up, main application first.")
    test_commands: list[TestCommandDecision] = Field(description="Test commands CI must run.")
    environments: list[EnvironmentDecision] = Field(description="production, staging, development.")
    datastores: list[DatastoreDecision] = Field(description="Every stateful component QA names.")
    observability: ObservabilityDecision = Field(description="Monitoring tool choices.")
    slo: SLODecision = Field(description="SLOs and alert thresholds.")
    capacity: CapacityDecision = Field(description="Throughput sizing.")
    recovery: RecoveryDecision = Field(description="RTO, RPO and backup cadence.")
    alert_routing: AlertRouting = Field(description="Alert channels per severity.")
    release_gate: ReleaseGate = Field(description="Release gate status from QA evidence.")
    delivery: DeliveryDecision = Field(
        default_factory=service_delivery,
        description="Kind of software and its release path (a service unless QA shows otherwise).",
    )
    services: list[ServiceUnit] = Field(
        default_factory=list, description="Deployable services when QA reports two or more; else empty."
    )
    assumptions: list[Assumption] = Field(description="Every decision above whose basis is 'assumption'.")

    def assumption_topics(self) -> list[str]:
        """Topics of all recorded assumptions, in order."""
        return [a.topic for a in self.assumptions]
