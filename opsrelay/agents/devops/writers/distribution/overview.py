"""Deployment Overview and Infrastructure Architecture of distributed software: channels, not servers."""

from __future__ import annotations

from opsrelay.agents.devops import kinds
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.cicd import ci_test_commands, describe_runtimes
from opsrelay.agents.devops.writers.common import (
    ASSUMED,
    cite_paren,
    code,
    esc,
    field,
    gate_summary,
    grounded,
    join_lines,
    service,
)
from opsrelay.agents.devops.writers.distribution.shared import (
    a_kind,
    channels_text,
    env_purpose,
    is_device,
    kind_ground,
    kind_label,
)
from opsrelay.facts.model import QAFacts


def write_client_overview(facts: QAFacts, d: Decisions) -> str:
    """Deployment Overview of distributed software: the release path instead of a platform."""
    dep = d.deployment
    commands = ci_test_commands(d)
    lines = [
        "## Deployment Overview",
        f"Operations guide for **{service(d)}**, {a_kind(d)}{kind_ground(d)}, derived from the QA handoff "
        f"{code(facts.source_name)}. It runs in its users' processes, machines or devices, so it is "
        "released, not deployed: there are no production servers of its own.",
        "",
        field(
            "Deployment Strategy",
            f"{dep.strategy.capitalize()} path{grounded(dep.basis, dep.evidence)}: {esc(dep.rationale, 400)} "
            f"A release is stopped or superseded when {esc(dep.rollback_trigger, 300)}.",
        ),
        field(
            "Infrastructure",
            f"No servers: {esc(d.delivery.artefacts, 200)}, published to {channels_text(d)}; built by "
            f"{describe_runtimes(d.runtimes)}.",
        ),
        field(
            "CI/CD Pipeline",
            ("GitHub Actions" if d.ci.system == "github_actions" else "GitLab CI")
            + f"{grounded(d.ci.basis, d.ci.evidence, 1)}: lint → tests ("
            + ", ".join(code(c.command) for c in commands)
            + ") → dependency scan → release build on a version tag → signing and checksums → publication, "
            "with a manual approval before anything reaches users.",
        ),
        field(
            "Monitoring",
            "Field health of each release: "
            + "; ".join(esc(s, 120) for s in d.delivery.health_signals)
            + f" {ASSUMED}.",
        ),
        "",
        gate_summary(d),
    ]
    return join_lines(lines)


def write_client_infrastructure(facts: QAFacts, d: Decisions) -> str:
    """Infrastructure Architecture: release channels, signing and device data instead of servers."""
    kind = d.delivery.kind
    local = [ds for ds in d.datastores]
    stores = ", ".join(esc(ds.name) for ds in local)
    database = (
        f"{stores}{cite_paren(local[0].evidence, 1)} is embedded: it lives "
        + ("on each user's device" if is_device(d) else "in each consumer's process and data directory")
        + "; the team operates no database server for it."
        if local
        else f"None: the QA evidence shows no database, and {a_kind(d)} has no server-side database to run."
    )
    storage = kinds.PROFILES[kind].artefact_storage
    security = (
        "Releases are built only in CI from a protected tag, signed (Sigstore cosign keyless signatures; "
        + (
            "store upload keys and platform signing"
            if is_device(d)
            else "registry tokens scoped to this package"
        )
        + f"), and published with checksums; maintainers use MFA on the registry and Git host {ASSUMED}."
    )
    test_data = (
        "Test devices and store test accounts; no production user data."
        if is_device(d)
        else "Fixtures and generated test data only; nothing user-owned."
    )
    lines = [
        "## Infrastructure Architecture",
        "### Production Environment",
        field(
            "Hosting",
            f"No production hosting: the {kind_label(d)} runs on its users' side; releases are hosted by "
            f"{channels_text(d)}{grounded(d.delivery.basis, d.delivery.evidence, 1)}.",
        ),
        field(
            "Compute",
            "CI runners only (GitHub-hosted): "
            + (
                "native runners per OS/architecture build the release artefacts"
                if kind in ("cli", "desktop")
                else "Linux runners build and test; macOS runners build the iOS binaries"
                if kind == "mobile"
                else "Linux runners build and test the release"
            )
            + f"; nothing runs in production on the team's side {ASSUMED}.",
        ),
        field("Database", database),
        field("Storage", storage + f" {ASSUMED}"),
        field("Security", security),
        "",
        "### Environment Specifications",
        "#### Production",
        field("Instances", f"None of the team's own: {env_purpose(d, 'production')}"),
        field(
            "Database",
            "Not applicable: no server-side database."
            if not local
            else f"{stores} embedded on the users' side; schema changes ship inside the release.",
        ),
        field(
            "Monitoring",
            "; ".join(esc(s, 120) for s in d.delivery.health_signals) + f" {ASSUMED}.",
        ),
        field(
            "Logging",
            "Device-side crash and error reports with no personal data, kept 90 days"
            if is_device(d)
            else "CI and release logs kept 90 days; the software itself ships no logs to the team",
        )
        + f" {ASSUMED}.",
        "",
        "#### Staging",
        field("Purpose", env_purpose(d, "staging")),
        field(
            "Configuration",
            "The same build as production, signed with the release keys, promoted unchanged once accepted.",
        ),
        field("Data", test_data),
        "",
        "#### Development",
        field("Purpose", env_purpose(d, "development")),
        field(
            "Configuration",
            "Debug builds with development signing; feature flags default off."
            if is_device(d)
            else "Branch builds with the release toolchain versions; nothing is signed or published.",
        ),
        field("Data", "Synthetic fixtures; never production user data."),
    ]
    return join_lines(lines)
