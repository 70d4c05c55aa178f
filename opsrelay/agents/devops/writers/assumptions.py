"""Assumptions & Open Questions: every assumption from the decisions, plus questions for the team."""

from __future__ import annotations

from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.common import esc, join_lines, profile_of
from opsrelay.facts.model import QAFacts


def _questions(facts: QAFacts, d: Decisions) -> list[str]:
    topics = set(d.assumption_topics())
    qs: list[str] = []
    if d.hosting.basis == "assumption":
        qs.append(
            f"Which cloud provider, account and region must production use (data residency, existing "
            f"contracts)? This guide assumes {esc(d.hosting.provider_name)} {esc(d.hosting.region)}."
        )
    if "RTO and RPO" in topics:
        qs.append(
            f"Are an RTO of {d.recovery.rto_minutes} minutes and an RPO of {d.recovery.rpo_minutes} minutes "
            "acceptable to the business, and what does an hour of downtime cost?"
        )
    if d.slo.availability_basis == "assumption":
        qs.append(f"Is {d.slo.availability_percent:g} % the right availability objective for this service?")
    if all(c.basis == "assumption" for c in d.test_commands):
        qs.append(
            "What exact command does QA run for the automated test suite? CI currently uses a stack default."
        )
    if "Rejected QA command" in topics:
        qs.append(
            "Some QA commands were not copied into CI because they contain unsafe shell constructs; what are "
            "their safe, single-command equivalents?"
        )
    if d.slo.baseline_p95_ms is None:
        qs.append(
            "Can QA run a load test in staging to establish p95/p99 latency and throughput baselines? The "
            "current objectives are conventional defaults."
        )
    if d.release_gate.status == "not_executed":
        qs.append("When will QA execute the planned tests, and who reviews the results before production?")
    if d.release_gate.status == "blocked":
        ids = ", ".join(esc(i, 40) for i in d.release_gate.blocking_defect_ids) or "the blocking items"
        qs.append(f"Who owns the fixes for {ids}, and when is the QA retest planned?")
    if d.release_gate.qa_verdict in ("CONCERNS", "CONDITIONAL"):
        qs.append(
            f"Who accepts the conditions behind the QA verdict {d.release_gate.qa_verdict} before production?"
        )
    if "Compliance" in topics:
        qs.append(
            "Which regulatory regimes (GDPR, SOC 2, HIPAA, PCI DSS) apply to the data this service handles?"
        )
    if any(profile_of(ds).key != "celery" for ds in d.datastores):
        names = ", ".join(esc(ds.name) for ds in d.datastores if profile_of(ds).key != "celery")
        qs.append(f"Is managed hosting acceptable for {names}, or must they stay self-managed?")
    if d.platform.mobile_release:
        qs.append(
            "Who holds the App Store Connect and Google Play credentials used by the store submission step?"
        )
    if not facts.environments:
        qs.append("Which environments and URLs already exist, and who can approve production deployments?")
    return qs


def write_assumptions(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## Assumptions & Open Questions`` section."""
    lines = [
        "## Assumptions & Open Questions",
        'Each decision below was taken without QA evidence; it is marked "(assumption)" where it is used. '
        "Confirm or correct it before go-live.",
        "",
        "| # | Topic | Assumption | Why |",
        "|---|---|---|---|",
    ]
    for i, a in enumerate(d.assumptions, 1):
        lines.append(f"| {i} | {esc(a.topic, 80)} | {esc(a.statement, 400)} | {esc(a.reason, 400)} |")
    if not d.assumptions:
        lines.append(
            "| 1 | None | Every decision in this guide is grounded in QA evidence. | Nothing was assumed. |"
        )
    lines += ["", "### Open Questions"]
    qs = _questions(facts, d)
    lines += [f"{i}. {q}" for i, q in enumerate(qs, 1)] or ["1. None: QA evidence covered every decision."]
    return join_lines(lines)
