"""What the model decides: only the choices parallel sections must agree on, with brief reasons.

The decide call sits on the critical path of every run (nothing is drafted before it), so its
answer is kept short: about 400 output tokens instead of the 2–5k of a whole :class:`Decisions`.
The model chooses provider and regions, platform, deployment strategy and its rollback trigger,
CI system, monitoring tools, objectives, sizing, recovery targets and alert routes, each group with
a one-line reason and the QA lines it rests on. Everything else is derived (:func:`apply_choices`):

- from QA facts by the offline engine: toolchains, test commands, environments, datastores and
  their backups, the kind of software and its release path, services, the release gate, measured
  baselines;
- from the model's other choices: datastore hosting follows the provider, rollout steps follow
  the strategy, alert thresholds follow the objectives, continuous archiving follows
  point-in-time recovery, the basis of a choice follows whether its QA lines are real;
- citations are built from the line numbers the model gives, with the line's own text, so a
  quote can never be misquoted (only a wrong line can be cited, and that is checked).

The merged :class:`Decisions` then goes through :func:`~.validate.validate_decisions` field by
field, like any model output. Pure pydantic and Python.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.assumptions import derive_assumptions
from opsrelay.agents.devops.decide import decide_offline
from opsrelay.agents.devops.decide.common import AssumptionLog
from opsrelay.agents.devops.decide.datastores import decide_datastores
from opsrelay.agents.devops.decide.slo import error_rate_alert
from opsrelay.agents.devops.decide.strategy import BUILD_STEP, CANARY_STEPS, MIGRATE_STEP, WATCH_STEP
from opsrelay.agents.devops.decisions import (
    AlertRouting,
    CIDecision,
    CISystem,
    CloudProvider,
    DatastoreDecision,
    Decisions,
    EvidenceRef,
    HostingDecision,
    ObservabilityDecision,
    PlatformDecision,
    PlatformKind,
    RecoveryDecision,
    StrategyDecision,
    StrategyKind,
)
from opsrelay.handoff import FallbackNote
from opsrelay.ingest import IngestedQA

# At most this many cited lines per choice: a reason rests on a line or two, not on a list.
MAX_LINES = 3


class _Choice(BaseModel):
    """Base: unknown keys are rejected (strict structured output)."""

    model_config = ConfigDict(extra="forbid")


class _Grounded(_Choice):
    reason: str = Field(description="Why, in one short line (at most 15 words).")
    qa_lines: list[int] = Field(
        max_length=MAX_LINES,
        description="Line numbers of the QA document this choice rests on; empty when it is an assumption.",
    )


class HostingChoice(_Grounded):
    """Cloud provider and regions."""

    provider: CloudProvider = Field(description="Cloud provider for production.")
    region: str = Field(description="Primary region, e.g. 'us-east-1'.")
    dr_region: str = Field(description="Region for backup copies and failover.")


class PlatformChoice(_Grounded):
    """Runtime platform."""

    kind: PlatformKind = Field(description="Platform family.")
    service: str = Field(description="Concrete product, e.g. 'Amazon EKS'.")


class DeploymentChoice(_Grounded):
    """Deployment strategy."""

    strategy: StrategyKind = Field(description="How a new version reaches production.")
    rollback_trigger: str = Field(description="Measurable condition (with thresholds) that rolls back.")


class CIChoice(_Grounded):
    """CI/CD system."""

    system: CISystem = Field(description="CI system whose syntax the pipeline uses.")


class ObservabilityChoice(_Grounded):
    """Monitoring tools."""

    metrics: str = Field(description="Metrics stack, e.g. 'Prometheus + Grafana'.")
    logs: str = Field(description="Log aggregation, e.g. 'Grafana Loki'.")
    tracing: str = Field(description="Distributed tracing, e.g. 'OpenTelemetry → Jaeger'.")
    apm: str = Field(description="APM tool.")


class SLOChoice(_Grounded):
    """Objectives (QA-measured baselines are taken from the facts, not restated)."""

    availability_percent: float = Field(description="Monthly availability objective, e.g. 99.9.")
    p95_target_ms: int = Field(description="p95 latency objective (ms), not below the QA baseline.")
    p99_target_ms: int = Field(description="p99 latency objective (ms).")
    error_rate_target_percent: float = Field(description="Server-error (5xx) rate objective, percent.")


class CapacityChoice(_Grounded):
    """Sizing."""

    target_rps: int = Field(description="Throughput production is sized for, in QA's unit per second.")
    min_instances: int = Field(description="Minimum application instances.")
    max_instances: int = Field(description="Maximum instances the autoscaler may add.")


class RecoveryChoice(_Grounded):
    """Recovery objectives."""

    rto_minutes: int = Field(description="Recovery time objective, minutes.")
    rpo_minutes: int = Field(description="Recovery point objective, minutes.")
    backup_interval_minutes: int = Field(description="Interval between full backups, minutes.")
    point_in_time_recovery: bool = Field(
        description="True with continuous log archiving; otherwise RPO must be >= the backup interval."
    )


class AlertChoice(_Choice):
    """Alert routes."""

    critical: str = Field(description="Route for critical alerts (pages a human), e.g. 'PagerDuty'.")
    warning: str = Field(description="Route for warnings (business hours).")
    info: str = Field(description="Route for informational notices.")


class DecisionChoices(_Choice):
    """The choices every section must agree on; the rest of the decisions is derived from them."""

    service_name: str = Field(description="Service or project name used throughout the guide.")
    hosting: HostingChoice = Field(description="Cloud provider and regions.")
    platform: PlatformChoice = Field(description="Runtime platform.")
    deployment: DeploymentChoice = Field(description="Deployment strategy and rollback trigger.")
    ci: CIChoice = Field(description="CI/CD system.")
    observability: ObservabilityChoice = Field(description="Monitoring tools.")
    slo: SLOChoice = Field(description="Objectives.")
    capacity: CapacityChoice = Field(description="Sizing.")
    recovery: RecoveryChoice = Field(description="Recovery objectives and backup cadence.")
    alert_routing: AlertChoice = Field(description="Alert routes per severity.")


# --- from choices to decisions --------------------------------------------------------------------


# Words a QA line must contain to support a choice of each kind (besides the chosen values).
_TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "hosting": ("aws", "amazon", "gcp", "google", "azure", "cloud", "region", "hosted", "hosting"),
    "platform": (
        "kubernetes",
        "k8s",
        "eks",
        "gke",
        "aks",
        "ecs",
        "fargate",
        "container",
        "docker",
        "vm",
        "server",
        "serverless",
        "lambda",
        "cloud run",
        "heroku",
        "render",
        "fly.io",
        "platform",
    ),
    "deployment": ("canary", "blue-green", "blue/green", "rolling", "rollout", "staged", "release", "deploy"),
    "ci": ("github", "gitlab", "actions", "ci", "pipeline", "workflow"),
    "observability": (
        "prometheus",
        "grafana",
        "datadog",
        "new relic",
        "sentry",
        "opentelemetry",
        "jaeger",
        "loki",
        "elk",
        "cloudwatch",
        "monitoring",
        "logs",
        "tracing",
        "metrics",
        "apm",
    ),
    "slo": ("p95", "p99", "p50", "latency", "availability", "uptime", "error", "slo", "sla", "ms"),
    "capacity": ("rps", "req/s", "requests", "throughput", "users", "concurrent", "instances", "tps"),
    "recovery": ("rto", "rpo", "backup", "recovery", "restore", "disaster", "pitr"),
}


class _Citer:
    """Citations for a choice's line numbers, each with the line's own text.

    Lines that cannot support the choice (past the document, blank, or about something else) are
    dropped and reported.
    """

    def __init__(self, qa: IngestedQA, offline: Decisions) -> None:
        self.qa = qa
        self.known = {group: {e.line for e in getattr(offline, group).evidence} for group in _TOPIC_WORDS}
        self.lines = qa.text.splitlines()
        self.notes: list[FallbackNote] = []

    def cite(self, group: str, choice: _Grounded, *values: object) -> list[EvidenceRef]:
        words = [*_TOPIC_WORDS[group], *(str(v).lower() for v in values if v)]
        # The lines the offline engine rests the same decision on are relevant by construction.
        known = self.known[group]
        out: list[EvidenceRef] = []
        for n in dict.fromkeys(choice.qa_lines[:MAX_LINES]):
            body = self.lines[n - 1].strip() if 1 <= n <= len(self.lines) else ""
            low = body.lower()
            if not body:
                why = f"line {n} is blank" if 1 <= n <= len(self.lines) else f"there is no line {n}"
            elif n not in known and not any(
                re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", low) for w in words if len(w) >= 2
            ):
                why = f"line {n} says nothing about the {group} choice"
            else:
                out.append(EvidenceRef(source=self.qa.source_name, line=n, text=body[:200]))
                continue
            self.notes.append(
                FallbackNote(call="decide", target=f"{group}.evidence", reason=why, action="dropped")
            )
        return out

    def grounding(self, group: str, choice: _Grounded, *values: object) -> dict[str, Any]:
        evidence = self.cite(group, choice, *values)
        return {"basis": "qa_fact" if evidence else "assumption", "evidence": evidence}


def rollout_steps(strategy: StrategyKind, offline: StrategyDecision, *, has_db: bool) -> list[str]:
    """Rollout steps for ``strategy``: the offline engine's when it chose the same one, else generic.

    Staged and release paths follow from the kind of software, not from taste: the offline
    engine's path is kept (and the validator refuses the switch).
    """
    body = {
        "canary": [*CANARY_STEPS, "Promote to 100 % and retire the previous version"],
        "blue-green": [
            "Start the new version in the idle colour and wait for its health check",
            "Switch traffic to it; keep the previous colour running for 30 minutes to switch back at once",
            WATCH_STEP,
        ],
        "rolling": [
            "Replace instances 25 % at a time, each admitted to traffic once its readiness check passes",
            WATCH_STEP,
        ],
    }.get(strategy)
    if strategy == offline.strategy or body is None:
        return list(offline.steps)
    return [BUILD_STEP, *([MIGRATE_STEP] if has_db else []), *body]


def _datastores_on(provider: CloudProvider, offline: Decisions, qa: IngestedQA) -> list[DatastoreDecision]:
    """The datastores as run on ``provider``: managed products follow it (RDS on AWS, Cloud SQL…)."""
    if provider == offline.hosting.provider:
        return offline.datastores
    return decide_datastores(qa.facts, provider, AssumptionLog())


def apply_choices(
    choices: DecisionChoices, offline: Decisions, qa: IngestedQA
) -> tuple[Decisions, list[FallbackNote]]:
    """The full :class:`Decisions`: the model's choices over the offline engine's derivations.

    Returns them with one note per cited line dropped. ``assumptions`` is left empty: the caller
    derives it from the basis flags once validated.
    """
    cite = _Citer(qa, offline)
    h, p, d, s, c, r, o = (
        choices.hosting,
        choices.platform,
        choices.deployment,
        choices.slo,
        choices.capacity,
        choices.recovery,
        choices.observability,
    )
    provider_name = (
        offline.hosting.provider_name
        if h.provider == offline.hosting.provider
        else kb.CLOUDS[h.provider].name
    )
    datastores = _datastores_on(h.provider, offline, qa)
    has_db = any(x.role == "primary_database" for x in datastores)
    o_slo = offline.slo
    if s.p95_target_ms == o_slo.p95_target_ms:
        latency_alert = o_slo.latency_alert_ms
    elif o_slo.baseline_p95_ms is not None:  # twice the measured baseline, never below the objective
        latency_alert = max(o_slo.latency_alert_ms, s.p95_target_ms)
    else:
        latency_alert = 2 * s.p95_target_ms
    error_alert = (
        o_slo.error_rate_alert_percent
        if s.error_rate_target_percent == o_slo.error_rate_target_percent
        else error_rate_alert(s.error_rate_target_percent)
    )
    slo = o_slo.model_copy(
        update={
            "availability_percent": s.availability_percent,
            "p95_target_ms": s.p95_target_ms,
            "p99_target_ms": s.p99_target_ms,
            "latency_alert_ms": latency_alert,
            "error_rate_target_percent": s.error_rate_target_percent,
            "error_rate_alert_percent": error_alert,
        }
    )
    recovery = offline.recovery
    archiving = recovery.archiving_method if r.point_in_time_recovery else None
    if r.point_in_time_recovery and archiving is None:
        archiving = "continuous log archiving of the primary database (point-in-time recovery)"
    decided = offline.model_copy(
        update={
            "service_name": choices.service_name,
            "hosting": HostingDecision(
                provider=h.provider,
                provider_name=provider_name,
                region=h.region,
                dr_region=h.dr_region,
                rationale=h.reason,
                **cite.grounding("hosting", h, h.provider, h.region, h.dr_region),
            ),
            "platform": PlatformDecision(
                kind=p.kind,
                service=p.service,
                mobile_release=offline.platform.mobile_release,
                rationale=p.reason,
                **cite.grounding("platform", p, p.service),
            ),
            "deployment": StrategyDecision(
                strategy=d.strategy,
                steps=rollout_steps(d.strategy, offline.deployment, has_db=has_db),
                rollback_trigger=d.rollback_trigger,
                rationale=d.reason,
                **cite.grounding("deployment", d, d.strategy),
            ),
            "ci": CIDecision(
                system=choices.ci.system,
                rationale=choices.ci.reason,
                **cite.grounding("ci", choices.ci, choices.ci.system.replace("_", " ")),
            ),
            "datastores": datastores,
            "observability": ObservabilityDecision(
                metrics=o.metrics,
                logs=o.logs,
                tracing=o.tracing,
                apm=o.apm,
                **cite.grounding(
                    "observability",
                    o,
                    *(
                        w
                        for t in (o.metrics, o.logs, o.tracing, o.apm)
                        for w in re.findall(r"[a-z][a-z0-9.]{3,}", t.lower())
                    ),
                ),
            ),
            "slo": slo,
            "capacity": offline.capacity.model_copy(
                update={
                    "target_rps": c.target_rps,
                    "min_instances": c.min_instances,
                    "max_instances": c.max_instances,
                }
            ),
            "recovery": RecoveryDecision(
                rto_minutes=r.rto_minutes,
                rpo_minutes=r.rpo_minutes,
                backup_interval_minutes=r.backup_interval_minutes,
                continuous_archiving=r.point_in_time_recovery,
                archiving_method=archiving,
                retention=recovery.retention,
                **cite.grounding("recovery", r),
            ),
            "alert_routing": AlertRouting(
                critical=choices.alert_routing.critical,
                warning=choices.alert_routing.warning,
                info=choices.alert_routing.info,
                basis=offline.alert_routing.basis,
                evidence=offline.alert_routing.evidence,
            ),
            "assumptions": [],
        }
    )
    # model_copy does not validate: rebuild so that every nested value is checked once.
    return Decisions.model_validate(decided.model_dump()), cite.notes


# What follows from the QA facts alone (no model choice among them).
FACT_FIELDS = (
    "runtimes",
    "test_commands",
    "environments",
    "datastores",
    "release_gate",
    "delivery",
    "services",
)


def with_facts(decisions: Decisions, qa: IngestedQA) -> Decisions:
    """``decisions`` with everything that follows from facts derived again from ``qa``'s facts.

    For facts that arrive after the choices were made (the model's quoted facts, asked for at
    the same time as the decisions): the choices stand, the gate, toolchains, datastores… and
    the assumption list follow the merged facts.
    """
    offline = decide_offline(qa.facts)
    update: dict[str, Any] = {name: getattr(offline, name) for name in FACT_FIELDS}
    update["datastores"] = _datastores_on(decisions.hosting.provider, offline, qa)
    refreshed = decisions.model_copy(update=update)
    return refreshed.model_copy(update={"assumptions": derive_assumptions(refreshed)})


# --- from decisions to choices (what a competent model answers; the scripted model uses it) -----


def brief(text: str, words: int = 20) -> str:
    """The first sentence of ``text``; past ``words`` words, its first clauses that fit."""
    first = re.split(r"(?<=[.;:])\s", " ".join(text.split()), maxsplit=1)[0].rstrip(".;:")
    if len(first.split()) <= words:
        return first
    clauses = re.split(r"(?<=,)\s|\s(?=\()", first)
    out = ""
    for clause in clauses:
        candidate = f"{out} {clause}".strip()
        if len(candidate.split()) > words:
            break
        out = candidate
    return (out or " ".join(first.split()[:words])).rstrip(",")


def _lines(evidence: list[EvidenceRef]) -> list[int]:
    return list(dict.fromkeys(e.line for e in evidence if e.line > 0))[:MAX_LINES]


def choices_of(decisions: Decisions) -> DecisionChoices:
    """The choices in ``decisions``, as a model would answer them (brief reasons, cited lines)."""
    d = decisions
    return DecisionChoices(
        service_name=d.service_name,
        hosting=HostingChoice(
            provider=d.hosting.provider,
            region=d.hosting.region,
            dr_region=d.hosting.dr_region,
            reason=brief(d.hosting.rationale),
            qa_lines=_lines(d.hosting.evidence),
        ),
        platform=PlatformChoice(
            kind=d.platform.kind,
            service=d.platform.service,
            reason=brief(d.platform.rationale),
            qa_lines=_lines(d.platform.evidence),
        ),
        deployment=DeploymentChoice(
            strategy=d.deployment.strategy,
            rollback_trigger=d.deployment.rollback_trigger,
            reason=brief(d.deployment.rationale),
            qa_lines=_lines(d.deployment.evidence),
        ),
        ci=CIChoice(system=d.ci.system, reason=brief(d.ci.rationale), qa_lines=_lines(d.ci.evidence)),
        observability=ObservabilityChoice(
            metrics=d.observability.metrics,
            logs=d.observability.logs,
            tracing=d.observability.tracing,
            apm=d.observability.apm,
            reason="The team's named tools where QA shows them, else a common open stack.",
            qa_lines=_lines(d.observability.evidence),
        ),
        slo=SLOChoice(
            availability_percent=d.slo.availability_percent,
            p95_target_ms=d.slo.p95_target_ms,
            p99_target_ms=d.slo.p99_target_ms,
            error_rate_target_percent=d.slo.error_rate_target_percent,
            reason="Objectives above the QA baselines with headroom."
            if d.slo.baseline_p95_ms
            else "Conventional API objectives; QA measured no latency baseline.",
            qa_lines=_lines(d.slo.evidence),
        ),
        capacity=CapacityChoice(
            target_rps=d.capacity.target_rps,
            min_instances=d.capacity.min_instances,
            max_instances=d.capacity.max_instances,
            reason="Sized above the QA-measured throughput."
            if d.capacity.baseline_rps
            else "Minimum for availability; QA measured no throughput.",
            qa_lines=_lines(d.capacity.evidence),
        ),
        recovery=RecoveryChoice(
            rto_minutes=d.recovery.rto_minutes,
            rpo_minutes=d.recovery.rpo_minutes,
            backup_interval_minutes=d.recovery.backup_interval_minutes,
            point_in_time_recovery=d.recovery.continuous_archiving,
            reason="Common business-application targets; QA states no recovery objectives."
            if d.recovery.basis == "assumption"
            else "The QA report's recovery objectives.",
            qa_lines=_lines(d.recovery.evidence),
        ),
        alert_routing=AlertChoice(
            critical=d.alert_routing.critical, warning=d.alert_routing.warning, info=d.alert_routing.info
        ),
    )
