"""How a new version reaches production: the deployment strategy and its rollout steps."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.common import AssumptionLog, find_items, fmt_num, refs
from opsrelay.agents.devops.decisions import CloudProvider, PlatformDecision, SLODecision, StrategyDecision
from opsrelay.facts.model import QAFacts

# Rollout steps shared by the strategies (and by a model's choice of strategy, see choices.py).
BUILD_STEP = "Build, scan and push the image tagged with the commit SHA"
MIGRATE_STEP = (
    "Run database migrations (expand phase only: additive, backward-compatible) as a pre-deploy job"
)
WATCH_STEP = (
    "Post-deploy smoke test of the health endpoint, then a 15-minute watch of p95 latency and 5xx rate"
)
CANARY_STEPS = (
    "Canary: shift 10 % of traffic to the new version for 10 minutes",
    "Automated analysis of p95 latency and 5xx rate against the SLO, then 50 % for 10 minutes",
)


def decide_strategy(
    facts: QAFacts,
    *,
    platform: PlatformDecision,
    provider: CloudProvider,
    slo: SLODecision,
    has_db: bool,
    notes: AssumptionLog,
) -> StrategyDecision:
    """Deployment strategy and rollout steps for the decided platform."""
    canary = find_items(facts, kb.CANARY_MARKERS)
    trigger = (
        f"p95 latency above {slo.latency_alert_ms} ms or 5xx rate above "
        f"{fmt_num(slo.error_rate_alert_percent)} % for 5 minutes, or failing readiness/health checks"
    )
    migrate = [MIGRATE_STEP] if has_db else []
    mobile_steps = (
        [
            "Mobile: upload the signed build to TestFlight and the Google Play internal track; promote after "
            "the device checklist passes",
            "Mobile: App Store phased release over 7 days and Google Play staged rollout 5 % → 20 % → 50 % → "
            "100 %, halted if the crash-free sessions rate drops below 99.5 %",
        ]
        if platform.mobile_release
        else []
    )
    if platform.kind == "kubernetes" and canary:
        steps = [
            BUILD_STEP,
            *migrate,
            *CANARY_STEPS,
            "Promote to 100 % and scale the previous ReplicaSet down",
            *mobile_steps,
        ]
        return StrategyDecision(
            strategy="canary",
            steps=steps,
            rollback_trigger=trigger,
            rationale="QA evidence names progressive-delivery tooling on Kubernetes; canary analysis "
            "compares the new version against the QA-derived SLO before full exposure.",
            basis="qa_fact",
            evidence=refs(s.evidence for s in canary),
        )
    if platform.kind == "kubernetes":
        steps = [
            BUILD_STEP,
            *migrate,
            "helm upgrade --atomic: pods are replaced 25 % at a time (maxSurge 25 %, maxUnavailable 0), each "
            "admitted to traffic only after its readiness probe passes",
            WATCH_STEP,
            *mobile_steps,
        ]
        rationale = (
            "Rolling updates with maxUnavailable 0 are native to Kubernetes, need no extra controller and "
            "keep full "
            "capacity during the rollout; helm --atomic reverts automatically when pods never become ready."
        )
        notes.add(
            "Deployment strategy",
            "Production uses Kubernetes rolling updates (maxSurge 25 %, maxUnavailable 0) via helm upgrade "
            "--atomic.",
            "QA does not prescribe a strategy; rolling updates need no additional tooling. Move to canary "
            "with Argo Rollouts if error-budget burn during rollouts becomes a problem.",
        )
        return StrategyDecision(
            strategy="rolling",
            steps=steps,
            rollback_trigger=trigger,
            rationale=rationale,
            basis="assumption",
            evidence=[],
        )
    if platform.kind in ("vm", "compose_vm"):
        steps = [
            "Build, scan and publish the release artefact tagged with the commit SHA",
            *migrate,
            "Start the new release in the idle colour (second process slot on its own port), wait for its "
            "health check, then switch the nginx upstream to it and reload nginx",
            "Keep the previous colour running for 30 minutes so switching back is instant, then stop it",
            *mobile_steps,
        ]
        notes.add(
            "Deployment strategy",
            "Production uses blue-green releases on the server: two process slots behind nginx, traffic "
            "switched after the health check.",
            "A single server cannot do rolling updates; blue-green gives zero-downtime switches and an "
            "instant rollback without extra infrastructure.",
        )
        return StrategyDecision(
            strategy="blue-green",
            steps=steps,
            rollback_trigger=trigger,
            rationale="Blue-green on the server: the old version stays up until the new one is healthy, and "
            "switching the nginx upstream back is the rollback.",
            basis="assumption",
            evidence=[],
        )
    paas_rollout = {
        "aws": "ECS rolling deployment (minimum healthy 100 %, maximum 200 %) with the deployment "
        "circuit breaker and CloudWatch-alarm rollback enabled",
        "gcp": "Cloud Run deploys a new revision; traffic moves to it only after its startup probe passes",
        "azure": "Container Apps creates a new revision; traffic moves to it only after its readiness "
        "probe passes",
        "other": "rolling replacement of containers behind the load balancer, gated by health checks",
    }[provider]
    steps = [
        BUILD_STEP,
        *migrate,
        paas_rollout,
        WATCH_STEP,
        *mobile_steps,
    ]
    notes.add(
        "Deployment strategy",
        f"Production uses rolling deployments on {platform.service}.",
        "QA does not prescribe a strategy; the platform's native rolling deployment with automatic rollback "
        "needs no extra tooling and keeps full capacity during the rollout.",
    )
    return StrategyDecision(
        strategy="rolling",
        steps=steps,
        rollback_trigger=trigger,
        rationale="Native rolling deployment of the container platform with health-check gating and "
        "automatic rollback; no second full environment to pay for.",
        basis="assumption",
        evidence=[],
    )
