"""Where alerts of each severity are routed."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.common import AssumptionLog, refs
from opsrelay.agents.devops.decisions import AlertRouting
from opsrelay.facts.model import QAFacts


def decide_routing(facts: QAFacts, notes: AssumptionLog) -> AlertRouting:
    """Alert routes per severity: the paging tool QA names, else PagerDuty/Slack defaults."""
    paging = [s for s in facts.stack if kb.has_marker(s.name, kb.PAGING_TOOLS)]
    if paging:
        tool = paging[0].name
        notes.add(
            "Alert channels",
            "Warnings go to a Slack alerts channel and email; informational notices to dashboards and a "
            "weekly report.",
            "QA names the paging tool but not the chat and reporting channels.",
        )
        return AlertRouting(
            critical=f"{tool} (on-call rotation: push, SMS and phone escalation)",
            warning="Slack alerts channel and email to the owning team",
            info="Grafana dashboard annotations and the weekly operations report",
            basis="qa_fact",
            evidence=refs(s.evidence for s in paging),
        )
    notes.add(
        "Alert channels",
        "Critical alerts page the on-call engineer through PagerDuty; warnings go to Slack and email; "
        "informational notices go to dashboards and a weekly report.",
        "QA names no alerting tools; this split keeps pages for customer impact only.",
    )
    return AlertRouting(
        critical="PagerDuty (on-call rotation: push, SMS and phone escalation)",
        warning="Slack alerts channel and email to the owning team",
        info="Grafana dashboard annotations and the weekly operations report",
        basis="assumption",
        evidence=[],
    )
