"""The offline decide step: every cross-cutting decision, in dependency order."""

from __future__ import annotations

from opsrelay.agents.devops.decide.alerting import decide_routing
from opsrelay.agents.devops.decide.ci import decide_ci
from opsrelay.agents.devops.decide.commands import decide_test_commands
from opsrelay.agents.devops.decide.common import AssumptionLog
from opsrelay.agents.devops.decide.datastores import decide_datastores
from opsrelay.agents.devops.decide.defaults import practice_defaults, reasoning_summary
from opsrelay.agents.devops.decide.environments import decide_environments
from opsrelay.agents.devops.decide.gate import decide_release_gate
from opsrelay.agents.devops.decide.hosting import decide_hosting, decide_platform
from opsrelay.agents.devops.decide.naming import decide_service_name
from opsrelay.agents.devops.decide.observability import decide_observability
from opsrelay.agents.devops.decide.recovery import decide_recovery
from opsrelay.agents.devops.decide.slo import decide_capacity, decide_slo
from opsrelay.agents.devops.decide.strategy import decide_strategy
from opsrelay.agents.devops.decide.toolchains import decide_runtimes
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.facts.model import QAFacts


def decide_offline(facts: QAFacts) -> Decisions:
    """Fix the cross-cutting decisions for ``facts`` by rules of practice (deterministic, no model)."""
    notes = AssumptionLog()
    service = decide_service_name(facts)
    hosting = decide_hosting(facts, notes)
    platform = decide_platform(facts, hosting.provider, notes)
    datastores = decide_datastores(facts, hosting.provider, notes)
    runtimes = decide_runtimes(facts, datastores, notes)
    tests = decide_test_commands(facts, runtimes, notes)
    ci = decide_ci(facts, notes)
    environments = decide_environments(facts, service, notes)
    observability = decide_observability(facts, hosting.provider, notes)
    slo = decide_slo(facts, notes)
    capacity = decide_capacity(facts, slo.baseline_context, notes)
    has_db = any(d.role == "primary_database" for d in datastores)
    deployment = decide_strategy(
        facts, platform=platform, provider=hosting.provider, slo=slo, has_db=has_db, notes=notes
    )
    recovery = decide_recovery(datastores, notes)
    routing = decide_routing(facts, notes)
    gate = decide_release_gate(facts, notes)
    practice_defaults(facts, hosting.provider, notes)
    return Decisions(
        reasoning=reasoning_summary(facts, {"slo": slo, "gate": gate}),
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
        assumptions=notes.items,
    )
