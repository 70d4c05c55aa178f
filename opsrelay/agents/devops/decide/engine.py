"""The offline decide step: every cross-cutting decision, in dependency order."""

from __future__ import annotations

from opsrelay.agents.devops import kinds
from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.alerting import decide_routing
from opsrelay.agents.devops.decide.ci import decide_ci
from opsrelay.agents.devops.decide.commands import decide_test_commands
from opsrelay.agents.devops.decide.common import AssumptionLog, find_items
from opsrelay.agents.devops.decide.datastores import decide_datastores
from opsrelay.agents.devops.decide.defaults import client_defaults, practice_defaults, reasoning_summary
from opsrelay.agents.devops.decide.delivery import (
    client_hosting,
    client_platform,
    client_recovery,
    decide_delivery,
    decide_kind,
    kind_strategy,
    node_platform,
    pipeline_platform,
)
from opsrelay.agents.devops.decide.environments import decide_environments
from opsrelay.agents.devops.decide.gate import decide_release_gate
from opsrelay.agents.devops.decide.hosting import decide_hosting, decide_platform
from opsrelay.agents.devops.decide.naming import decide_service_name
from opsrelay.agents.devops.decide.observability import decide_observability
from opsrelay.agents.devops.decide.recovery import decide_recovery
from opsrelay.agents.devops.decide.services import decide_services
from opsrelay.agents.devops.decide.slo import decide_capacity, decide_slo
from opsrelay.agents.devops.decide.strategy import decide_strategy
from opsrelay.agents.devops.decide.toolchains import decide_runtimes
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.facts.model import QAFacts


def decide_offline(facts: QAFacts) -> Decisions:
    """Fix the cross-cutting decisions for ``facts`` by rules of practice (deterministic, no model)."""
    notes = AssumptionLog()
    service = decide_service_name(facts)
    kind, kind_basis, kind_evidence = decide_kind(facts, notes)
    server = kinds.is_server(kind)
    # Server-side objectives (availability, latency, autoscaling, RTO of a database…) mean nothing for
    # software that runs on its users' machines; their defaults are not recorded as assumptions then.
    server_notes = notes if server else AssumptionLog()
    named_cloud = any(kb.cloud_of(s.name) for s in facts.stack)
    hosting = decide_hosting(facts, notes) if server or named_cloud else client_hosting(facts, kind)
    if kind == "distributed_node" and not (
        find_items(facts, kb.KUBERNETES_MARKERS) or find_items(facts, kb.VM_MARKERS)
    ):
        platform = node_platform(hosting.provider, kind_basis, kind_evidence, notes)
    elif kind == "data_pipeline" and not find_items(facts, kb.KUBERNETES_MARKERS + kb.VM_MARKERS):
        platform = pipeline_platform(hosting.provider, kind_evidence, notes)
    elif server:
        platform = decide_platform(facts, hosting.provider, notes)
    else:
        platform = client_platform(kind, kind_basis, kind_evidence)
    datastores = decide_datastores(facts, hosting.provider, notes)
    runtimes = decide_runtimes(facts, datastores, notes)
    tests = decide_test_commands(facts, runtimes, notes)
    ci = decide_ci(facts, notes)
    environments = decide_environments(facts, service, notes, kind)
    observability = decide_observability(facts, hosting.provider, server_notes)
    slo = decide_slo(facts, server_notes)
    capacity = decide_capacity(facts, slo.baseline_context, server_notes)
    has_db = any(d.role == "primary_database" for d in datastores)
    delivery = decide_delivery(
        facts,
        kind=kind,
        basis=kind_basis,
        evidence=kind_evidence,
        runtimes=runtimes,
        platform=platform,
        notes=notes,
    )
    deployment = kind_strategy(kind, delivery, facts, has_db) if kind != "service" else None
    if deployment is None:
        deployment = decide_strategy(
            facts, platform=platform, provider=hosting.provider, slo=slo, has_db=has_db, notes=notes
        )
    elif deployment.basis == "assumption":
        notes.add(
            "Deployment strategy",
            f"Releases follow the {delivery.label}'s path: " + "; ".join(deployment.steps[:3]) + ".",
            deployment.rationale,
        )
    recovery = decide_recovery(datastores, notes) if server else client_recovery(kind)
    routing = decide_routing(facts, notes)
    gate = decide_release_gate(facts, notes)
    units = decide_services(facts, runtimes, notes)
    if server:
        practice_defaults(facts, hosting.provider, notes)
    else:
        client_defaults(facts, kind, notes)
    return Decisions(
        reasoning=reasoning_summary(facts, {"slo": slo, "gate": gate, "kind": kind}),
        service_name=service,
        hosting=hosting,
        platform=platform,
        deployment=deployment,
        ci=ci,
        runtimes=runtimes,
        test_commands=tests,
        environments=environments,
        datastores=datastores,
        observability=observability,
        slo=slo,
        capacity=capacity,
        recovery=recovery,
        alert_routing=routing,
        release_gate=gate,
        delivery=delivery,
        services=units,
        assumptions=notes.items,
    )
