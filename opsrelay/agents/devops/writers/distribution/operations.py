"""Performance, cost and runbooks of distributed software: QA benchmarks as budgets, CI cost, routines."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.common import ASSUMED, check, code, field, join_lines, perf_setup_note
from opsrelay.agents.devops.writers.distribution.shared import figure, is_device, latency_figures
from opsrelay.agents.devops.writers.runbooks import runbooks_section
from opsrelay.facts.model import QAFacts


def write_client_performance(facts: QAFacts, d: Decisions) -> str:
    """Performance for distributed software: the QA benchmarks as budgets; scaling is the users'."""
    latency = latency_figures(facts)
    figures = "; ".join(figure(m) for m in latency[:3])
    measured = f"QA measured {figures}." if figures else f"No QA benchmark yet {ASSUMED}."
    lines = [
        "## Performance Optimization",
        f"{measured}{perf_setup_note(facts)} These figures are the regression budget for every release.",
        "",
        "### Optimization Strategies",
        field(
            "Caching",
            "CI caches dependencies and build outputs per lockfile hash; the software caches only what its "
            "callers configure.",
        ),
        field(
            "Database",
            "Not applicable: no server-side database."
            if not d.datastores
            else "On-device queries indexed for the hot paths; migrations tested on a copy of a large "
            "device database.",
        ),
        field(
            "Frontend",
            "Startup time and frame rendering tracked per release (store vitals)."
            if is_device(d)
            else "Not applicable: no frontend; the public API/CLI surface is kept stable by semver.",
        ),
        field(
            "Backend",
            "Benchmarks of the hot paths run in CI on every release tag and compare against the previous "
            "release (fail above 20 % slower).",
        ),
        "",
        "### Scaling Strategies",
        field(
            "Horizontal Scaling",
            "Not applicable on the team's side: every user runs their own copy. CI scales out to parallel "
            "jobs (up to 20 concurrent runners) within the monthly CI budget.",
        ),
        field("Vertical Scaling", "Larger CI runners only if release builds exceed 30 minutes."),
        field("Database Scaling", "Not applicable: no server-side database."),
        field(
            "CDN",
            "Release assets are served by the registry/store/GitHub CDN; no CDN of the team's own.",
        ),
    ]
    return join_lines(lines)


def write_client_cost(facts: QAFacts, d: Decisions) -> str:
    """Cost of distributed software: CI minutes, signing certificates, store fees."""
    fees = {
        "mobile": "Google Play one-off and Apple Developer Program yearly fees",
        "desktop": "code-signing certificates (Windows) and the Apple Developer Program",
        "embedded": "the OTA service per device",
    }.get(
        d.delivery.kind, "none beyond CI minutes: registries and GitHub Releases are free for public packages"
    )
    lines = [
        "## Cost Management",
        "### Cost Monitoring",
        field("Resource Usage", "CI minutes and artefact storage per month, reviewed monthly."),
        field("Service Costs", f"{fees} {ASSUMED}."),
        field("Optimization", "Dependency and build caches; release builds only on tags."),
        field("Budgets", f"A monthly CI budget with alerts at 80 % and 100 % {ASSUMED}."),
        "",
        "### Cost Optimization",
        field("Reserved Instances", "Not applicable: no servers."),
        field("Spot Instances", "Not applicable: no servers; hosted CI runners only."),
        field(
            "Resource Right-sizing", "Use larger runners only for the release matrix if builds exceed 30 min."
        ),
        field("Automated Shutdown", "Not applicable: nothing runs between CI jobs."),
    ]
    return join_lines(lines)


def write_client_runbooks(facts: QAFacts, d: Decisions) -> str:
    """Operational runbooks for distributed software: releases, field signals, keys, advisories."""
    gate = d.release_gate
    daily = [
        check(
            False,
            "Check the field signals of the latest release: " + "; ".join(d.delivery.health_signals) + ".",
        ),
        check(False, "Triage new issues and crash reports; label regressions against the version they hit."),
        check(False, "Confirm the last CI run on main is green (lint, tests, dependency audit)."),
    ]
    if d.delivery.kind in ("mobile", "desktop", "embedded"):
        daily.append(check(False, "Decide whether the staged rollout advances, holds or halts."))
    if gate.status != "open":
        daily.append(
            check(False, f"Release gate is {gate.status.replace('_', ' ').upper()}: no release is published.")
        )
    weekly = [
        check(
            False,
            "Merge dependency updates that pass CI ("
            + "; ".join(code(kb.UPDATE_COMMANDS[rt.language]) for rt in d.runtimes)
            + "); review Dependabot security alerts.",
        ),
        check(False, "Review the QA benchmark trend against the regression budget."),
        check(False, "Review open regressions and their fixes with the owners."),
    ]
    monthly = [
        check(False, "Rotate or verify registry/store tokens; check signing certificate expiry dates."),
        check(False, "Rehearse the release-from-mirror procedure and the yank/deprecate procedure."),
        check(False, "Review CI minutes and storage cost against the budget."),
    ]
    return runbooks_section(daily, weekly, monthly)
