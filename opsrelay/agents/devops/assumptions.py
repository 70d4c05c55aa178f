"""Derive the assumptions list from the decisions' own ``basis`` flags.

The LLM path does not ask the model to restate its assumptions in a separate list: every
decision already says whether it rests on a QA fact or is an assumption, so the list follows
deterministically, is always complete, and costs no output tokens (on the critical path, the
decide call's list was about half of its answer).
"""

from __future__ import annotations

from opsrelay.agents.devops.decisions import Assumption, Decisions

_NO_QA = "the QA report does not establish it"
_CI_NAMES = {"github_actions": "GitHub Actions", "gitlab_ci": "GitLab CI"}


def _why(rationale: str) -> str:
    text = " ".join(rationale.split())
    return text if text else f"A common default: {_NO_QA}."


def derive_assumptions(d: Decisions) -> list[Assumption]:
    """One assumption per decision whose basis is ``assumption``, in the order of the decisions."""
    out: list[Assumption] = []

    def add(topic: str, statement: str, reason: str) -> None:
        out.append(Assumption(topic=topic, statement=statement, reason=reason))

    if d.hosting.basis == "assumption":
        add(
            "Hosting",
            f"Production runs on {d.hosting.provider_name} in {d.hosting.region}, with recovery copies in "
            f"{d.hosting.dr_region}.",
            _why(d.hosting.rationale),
        )
    if d.platform.basis == "assumption":
        add("Runtime platform", f"The services run on {d.platform.service}.", _why(d.platform.rationale))
    if d.deployment.basis == "assumption":
        add(
            "Deployment strategy",
            f"Releases use a {d.deployment.strategy} deployment; "
            f"rollback when {d.deployment.rollback_trigger}.",
            _why(d.deployment.rationale),
        )
    if d.ci.basis == "assumption":
        add("CI system", f"The pipeline runs on {_CI_NAMES[d.ci.system]}.", _why(d.ci.rationale))
    for r in d.runtimes:
        if r.basis == "assumption":
            add(
                "Toolchain",
                f"CI builds with {r.display}, version {r.version}.",
                f"A common default: {_NO_QA}.",
            )
        if r.migration_tool and r.migration_basis == "assumption":
            add(
                "Migrations", f"Schema migrations use {r.migration_tool}.", f"The usual tool for {r.display}."
            )
    for e in d.environments:
        if e.basis == "assumption":
            add("Environments", f"A {e.name} environment exists: {e.purpose}", f"A common default: {_NO_QA}.")
    for s in d.datastores:
        add(
            f"{s.name} hosting",
            f"{s.name} runs as {s.hosting}, backed up by {s.backup_method}.",
            f"QA names {s.name} but not how production hosts or backs it up.",
        )
    if d.observability.basis == "assumption":
        o = d.observability
        add(
            "Observability",
            f"Metrics in {o.metrics}, logs in {o.logs}, traces with {o.tracing}, APM with {o.apm}.",
            f"A common default: {_NO_QA}.",
        )
    if d.slo.availability_basis == "assumption":
        add(
            "Availability objective",
            f"The service targets {d.slo.availability_percent:g} % monthly availability.",
            "No availability target in the QA evidence; a usual objective for a production service.",
        )
    if d.slo.latency_basis == "assumption":
        add(
            "Latency objective",
            f"p95 ≤ {d.slo.p95_target_ms} ms and p99 ≤ {d.slo.p99_target_ms} ms.",
            "No latency baseline in the QA evidence; to be replaced by measured figures.",
        )
    if d.capacity.basis == "assumption":
        c = d.capacity
        add(
            "Capacity",
            f"Sized for {c.target_rps} requests/s on {c.min_instances}–{c.max_instances} instances, "
            f"scaling out above {c.scale_out_cpu_percent} % CPU.",
            "No throughput figure in the QA evidence; to be confirmed by a load test.",
        )
    if d.recovery.basis == "assumption":
        rec = d.recovery
        add(
            "Recovery objectives",
            f"RTO {rec.rto_minutes} minutes, RPO {rec.rpo_minutes} minutes, full backups every "
            f"{rec.backup_interval_minutes} minutes.",
            "QA states no recovery objectives; the business owner confirms them.",
        )
    if d.delivery.basis == "assumption":
        add(
            "Kind of software",
            f"The software is a {d.delivery.label}; releases go to " + "; ".join(d.delivery.channels) + ".",
            "QA does not show what kind of software it is; the release path follows from the kind.",
        )
    for u in d.services:
        if u.basis == "assumption":
            add(
                "Service runtime",
                f"{u.name} is built with {u.runtime}.",
                f"QA names {u.name} but not its language.",
            )
    if d.release_gate.status == "not_executed":
        add(
            "Tests planned, not executed",
            "The QA handoff is a test plan: no test has run, so the release gate stays NOT EXECUTED until "
            "the planned tests run and pass.",
            "A plan states intent; only an executed run with results can open the release gate.",
        )
    for q in d.release_gate.open_questions:
        add("Open question from QA", q, "The QA document leaves this unresolved; answer it before release.")
    if d.alert_routing.basis == "assumption":
        a = d.alert_routing
        add(
            "Alert routing",
            f"Critical alerts page through {a.critical}; warnings go to {a.warning}.",
            f"A common default: {_NO_QA}.",
        )
    return out
