"""Jobs per service of a multi-service system, and the dispatch to the release jobs of each kind."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions, RuntimeDecision, ServiceUnit
from opsrelay.agents.devops.kinds import COMPILED
from opsrelay.agents.devops.safety import slug
from opsrelay.agents.devops.writers.cicd.deploy import service_matrix
from opsrelay.agents.devops.writers.cicd.jobs import mobile_jobs
from opsrelay.agents.devops.writers.cicd.release import (
    binary_release_jobs,
    desktop_release_jobs,
    embedded_release_jobs,
    mobile_release_jobs,
    package_release_jobs,
)
from opsrelay.agents.devops.writers.cicd.toolchains import setup_steps
from opsrelay.agents.devops.writers.cicd.yamltext import checkout_steps, run_step, safe_cmd

__all__ = ["client_release_jobs", "service_matrix", "service_test_job", "unit_job", "unit_runtime"]


def unit_job(unit: ServiceUnit) -> str:
    """Job id of a service's own build-and-test job, e.g. ``svc-auth-service``."""
    return f"svc-{slug(unit.name)}"


def unit_runtime(d: Decisions, unit: ServiceUnit) -> RuntimeDecision:
    """The decided toolchain of a service: the matching decided runtime, else its stack defaults."""
    same = next((r for r in d.runtimes if r.language == unit.language), None)
    if same is not None:
        return same
    p = kb.RUNTIMES[unit.language]
    return RuntimeDecision(
        language=unit.language,
        display=unit.runtime,
        version=p.default_version,
        install_command=p.install,
        lint_command=p.lint,
        audit_command=p.audit,
        migration_tool=None,
        migration_basis="assumption",
        migration_evidence=[],
        basis=unit.basis,
        evidence=unit.evidence,
    )


def service_test_job(d: Decisions, unit: ServiceUnit) -> list[str]:
    """Lint, test and audit one service in its own directory with its own toolchain."""
    rt = unit_runtime(d, unit)
    p = kb.RUNTIMES[rt.language]
    directory = slug(unit.name)
    test = p.default_test
    if rt.language in ("java", "kotlin") and "gradlew" in rt.install_command:
        test = kb.GRADLE_OVERRIDES["test"]
    audit = safe_cmd(rt.audit_command, p.audit)
    return [
        f"  {unit_job(unit)}:",
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 30",
        "    defaults:",
        "      run:",
        f"        working-directory: {directory}",
        "    steps:",
        *checkout_steps(),
        *setup_steps(rt),
        *run_step(f"Install dependencies ({p.label})", safe_cmd(rt.install_command, p.install)),
        *run_step(f"Lint ({p.label})", safe_cmd(rt.lint_command, p.lint)),
        *run_step(f"Tests of {unit.name}"[:100], test),
        *(run_step(f"Dependency audit ({p.label})", audit) if audit.strip() else []),
    ]


def client_release_jobs(d: Decisions, name: str) -> list[str]:
    """The release jobs of distributed software, by kind (library, CLI, mobile, desktop, embedded)."""
    kind = d.delivery.kind
    lang = d.runtimes[0].language if d.runtimes else "other"
    if kind == "library":
        return package_release_jobs(d, name)
    if kind == "cli":
        return binary_release_jobs(d, name) if lang in COMPILED else package_release_jobs(d, name)
    if kind == "mobile":
        if lang in ("node", "bun"):
            return mobile_jobs(d)  # React Native / Expo: EAS Build and Submit
        android = any("Google Play" in c for c in d.delivery.channels)
        ios = any("App Store" in c for c in d.delivery.channels)
        return mobile_release_jobs(d, android or not ios, ios)
    if kind == "desktop":
        return desktop_release_jobs(d, name)
    return embedded_release_jobs(d, name)
