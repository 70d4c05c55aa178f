"""Offline section writers: one Markdown section per template key, from QA facts and decisions.

:func:`write_section_offline` is the single entry point. Output starts with ``## <heading>``
exactly and carries every sub-heading and labelled field of the section in the template.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.kinds import is_server
from opsrelay.agents.devops.writers.assumptions import write_assumptions
from opsrelay.agents.devops.writers.backup import write_backup, write_incident
from opsrelay.agents.devops.writers.cicd import write_cicd
from opsrelay.agents.devops.writers.common import sanitised
from opsrelay.agents.devops.writers.distribution import (
    write_client_alerting,
    write_client_backup,
    write_client_cost,
    write_client_incident,
    write_client_infrastructure,
    write_client_monitoring,
    write_client_overview,
    write_client_performance,
    write_client_runbooks,
    write_client_security,
)
from opsrelay.agents.devops.writers.monitoring import write_alerting, write_monitoring
from opsrelay.agents.devops.writers.overview import write_infrastructure, write_overview
from opsrelay.agents.devops.writers.performance import write_cost, write_performance
from opsrelay.agents.devops.writers.runbooks import write_quality_gates, write_runbooks
from opsrelay.agents.devops.writers.security import write_security
from opsrelay.facts.model import QAFacts
from opsrelay.review.model import Finding
from opsrelay.template import SECTION_BY_KEY, SectionKey, SectionSpec

Writer = Callable[[QAFacts, Decisions], str]

WRITERS: dict[str, Writer] = {
    "deployment_overview": write_overview,
    "infrastructure_architecture": write_infrastructure,
    "cicd_pipeline": write_cicd,
    "monitoring_observability": write_monitoring,
    "alerting_configuration": write_alerting,
    "security_compliance": write_security,
    "backup_disaster_recovery": write_backup,
    "incident_response": write_incident,
    "performance_optimization": write_performance,
    "cost_management": write_cost,
    "operational_runbooks": write_runbooks,
    "quality_gates": write_quality_gates,
    "assumptions": write_assumptions,
}

# Software distributed to its users (library, CLI, mobile/desktop/embedded app) has no servers: these
# sections describe its release channels and field signals instead.
CLIENT_WRITERS: dict[str, Writer] = {
    "deployment_overview": write_client_overview,
    "infrastructure_architecture": write_client_infrastructure,
    "monitoring_observability": write_client_monitoring,
    "alerting_configuration": write_client_alerting,
    "security_compliance": write_client_security,
    "backup_disaster_recovery": write_client_backup,
    "incident_response": write_client_incident,
    "performance_optimization": write_client_performance,
    "cost_management": write_client_cost,
    "operational_runbooks": write_client_runbooks,
}

_PLACEHOLDER = re.compile(r"\[\.\.\.\]|\[…\]|\bTBD\b|\bTODO\b|\blorem\b|\bchangeme\b", re.IGNORECASE)


def missing_shape(markdown: str, spec: SectionSpec) -> list[str]:
    """Template headings and field labels of ``spec`` that ``markdown`` lacks, in template order."""
    missing: list[str] = []
    lines = markdown.splitlines()
    if not lines or lines[0].strip() != f"## {spec.heading}":
        missing.append(f"## {spec.heading}")
    pos = 0

    def find(pattern: re.Pattern[str], start: int) -> int:
        for i in range(start, len(lines)):
            if pattern.match(lines[i]):
                return i
        return -1

    for label in spec.fields:
        at = find(re.compile(rf"^- \*\*{re.escape(label)}\*\*: \S"), pos)
        if at < 0:
            missing.append(label)
        else:
            pos = at
    for block in spec.blocks:
        at = find(re.compile(rf"^{'#' * block.level} {re.escape(block.heading)}\s*$"), pos)
        if at < 0:
            missing.append(f"{'#' * block.level} {block.heading}")
            continue
        pos = at
        for n, label in enumerate(block.fields, 1):
            prefix = rf"{n}\. " if block.style == "numbered" else r"- "
            at = find(re.compile(rf"^{prefix}\*\*{re.escape(label)}\*\*: \S"), pos)
            if at < 0:
                missing.append(label)
            else:
                pos = at
    return missing


def write_section_offline(
    key: SectionKey,
    facts: QAFacts,
    decisions: Decisions,
    findings: Sequence[Finding] = (),
) -> str:
    """Write one section as Markdown, starting with ``## <heading>``.

    ``findings`` are the reviewer's findings for this section when it is being revised. The offline
    writers are deterministic and already emit every heading and field with concrete values, so a
    revision re-renders the section and then enforces what a finding can point at mechanically:
    the template shape (any missing heading/label is an internal error) and no placeholder text.
    Findings that need information the QA evidence lacks cannot be fixed offline; they stay open.
    """
    if key not in WRITERS:
        raise ValueError(f"no offline writer for section {key!r}")
    spec = SECTION_BY_KEY[key]
    writer = WRITERS[key]
    if not is_server(decisions.delivery.kind):
        writer = CLIENT_WRITERS.get(key, writer)
    markdown = writer(facts, sanitised(decisions))
    missing = missing_shape(markdown, spec)
    if missing:  # pragma: no cover - guarded by tests; a bug, not a user error
        raise AssertionError(f"offline writer for {key} lacks template elements: {missing}")
    if findings or _PLACEHOLDER.search(markdown):
        markdown = _PLACEHOLDER.sub("(to be confirmed)", markdown)
    return markdown.rstrip("\n") + "\n"


__all__ = ["CLIENT_WRITERS", "WRITERS", "missing_shape", "write_section_offline"]
