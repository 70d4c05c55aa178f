"""The offline engine's ``decide`` step: cross-cutting decisions from QA facts and rules of practice.

Deterministic: the same :class:`QAFacts` always yields the same :class:`Decisions`. Every choice
that no QA fact supports is recorded as an :class:`Assumption`. Pure Python.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import (
    AlertRouting,
    Assumption,
    Basis,
    CapacityDecision,
    CIDecision,
    CloudProvider,
    DatastoreDecision,
    Decisions,
    EnvironmentDecision,
    EnvName,
    EvidenceRef,
    HostingDecision,
    ObservabilityDecision,
    PlatformDecision,
    RecoveryDecision,
    ReleaseGate,
    RuntimeDecision,
    RuntimeLanguage,
    SLODecision,
    StrategyDecision,
    TestCommandDecision,
    TestStage,
)
from opsrelay.agents.devops.safety import vet_test_command
from opsrelay.facts.model import Evidence, PerfMetric, QAFacts, StackItem

DEFAULT_AVAILABILITY = 99.9
DEFAULT_RTO_MINUTES = 60
DEFAULT_RPO_MINUTES = 15
FULL_BACKUP_INTERVAL_MINUTES = 1440
MAX_TEST_COMMANDS = 8

_BASELINE_HINT = re.compile(r"(?i)baseline|sustain|steady|normal|average load|load test|nominal")
_NON_BASELINE_HINT = re.compile(
    r"(?i)spike|stress|burst|peak|soak|cache hit|cache miss|max|single request|health"
)


class _Assumptions:
    """Collects assumptions in decision order, without duplicates."""

    def __init__(self) -> None:
        self.items: list[Assumption] = []

    def add(self, topic: str, statement: str, reason: str) -> None:
        if all(a.topic != topic or a.statement != statement for a in self.items):
            self.items.append(Assumption(topic=topic, statement=statement, reason=reason))


def _refs(evidence: Iterable[Evidence]) -> list[EvidenceRef]:
    seen: list[EvidenceRef] = []
    for ev in evidence:
        ref = EvidenceRef.of(ev)
        if ref not in seen:
            seen.append(ref)
    return seen


def _ceil_to(value: float, step: int) -> int:
    return int(math.ceil(value / step) * step)


def _fmt_num(value: float) -> str:
    return f"{value:g}"


# --- naming ------------------------------------------------------------------------------------


_REPORT_WORDS = re.compile(
    r"(?i)\b(?:qa|test|tests|testing|report|results?|plan|execution|nfr|assessment|load|perf|performance|"
    r"audit|readiness|summary|release|notes?)\b"
)


def _service_name(facts: QAFacts) -> str:
    """Name the service: QA's project name, else the file name without report words, else 'the service'."""
    if facts.project and facts.project.value.strip():
        return " ".join(facts.project.value.split())[:80]
    if facts.source_name not in ("", "-"):
        stem = PurePath(facts.source_name).stem.replace("_", " ").replace("-", " ")
        name = " ".join(_REPORT_WORDS.sub(" ", stem).split())
        if name:
            return name[:80]
    return "the service"


# --- hosting and platform -------------------------------------------------------------------------


def _find(facts: QAFacts, markers: tuple[str, ...]) -> list[StackItem]:
    return [s for s in facts.stack if kb.has_marker(s.name, markers)]


def _hosting(facts: QAFacts, notes: _Assumptions) -> HostingDecision:
    for item in facts.stack:
        provider = kb.cloud_of(item.name)
        if provider:
            cloud = kb.CLOUDS[provider]
            texts = [(s.evidence, s.evidence.text) for s in facts.stack] + [
                (e.evidence, e.evidence.text) for e in facts.environments
            ]
            found = next(((ev, r) for ev, t in texts if (r := kb.region_in(t, provider))), None)
            if found is not None:
                region_ev, region = found
                dr = kb.dr_region_for(provider, region)
                notes.add(
                    "Disaster-recovery region",
                    f"Backup copies and disaster recovery use {cloud.name} region {dr}.",
                    "QA names the primary region only; the DR region should be far enough away for regional "
                    "failures and allowed by data-residency rules.",
                )
                return HostingDecision(
                    provider=provider,
                    provider_name=cloud.name,
                    region=region,
                    dr_region=dr,
                    rationale=f"QA evidence names {cloud.name} region {region}; production stays where QA "
                    "tested.",
                    basis="qa_fact",
                    evidence=_refs([item.evidence, region_ev]),
                )
            notes.add(
                "Region",
                f"Production runs in {cloud.name} region {cloud.region}, with backup copies in "
                f"{cloud.dr_region}.",
                "QA names the provider but not a region; pick the region closest to users and data-residency "
                "rules.",
            )
            return HostingDecision(
                provider=provider,
                provider_name=cloud.name,
                region=cloud.region,
                dr_region=cloud.dr_region,
                rationale=f"QA evidence names {cloud.name}; production stays on the provider QA tested "
                "against.",
                basis="qa_fact",
                evidence=_refs([item.evidence]),
            )
    cloud = kb.CLOUDS["aws"]
    notes.add(
        "Hosting",
        f"Production is hosted on AWS in {cloud.region} (disaster-recovery copies in {cloud.dr_region}).",
        "The QA report names no cloud provider; AWS is the most common default and every service used "
        "here has a direct equivalent on Google Cloud and Azure.",
    )
    return HostingDecision(
        provider="aws",
        provider_name=cloud.name,
        region=cloud.region,
        dr_region=cloud.dr_region,
        rationale="No provider in the QA evidence; AWS chosen as a portable default with managed "
        "equivalents.",
        basis="assumption",
        evidence=[],
    )


def _platform(facts: QAFacts, provider: CloudProvider, notes: _Assumptions) -> PlatformDecision:
    cloud = kb.CLOUDS[provider]
    k8s = _find(facts, kb.KUBERNETES_MARKERS)
    mobile = _find(facts, kb.MOBILE_MARKERS)
    containers = _find(facts, kb.CONTAINER_MARKERS)
    mobile_release: str | None = None
    if mobile:
        mobile_release = (
            "EAS Build produces signed iOS and Android binaries; EAS Submit uploads them to TestFlight / "
            "App Store Connect and to the Google Play internal track, then a phased (iOS) and staged "
            "(Android) rollout"
        )
        if not any(kb.norm(m.name) in ("expo", "eas") for m in mobile):
            notes.add(
                "Mobile release tooling",
                "Mobile binaries are built and submitted with Expo EAS Build/Submit.",
                "QA names a mobile app but not its build tooling; EAS fits React Native/Expo projects and "
                "can be replaced by Fastlane without changing the release flow.",
            )
    if k8s:
        openshift = [s for s in k8s if kb.norm(s.name) in ("openshift", "ocp", "redhatopenshift")]
        service = "Red Hat OpenShift (Kubernetes)" if openshift else cloud.kubernetes
        if not openshift and not any(kb.norm(s.name) in ("eks", "gke", "aks") for s in k8s):
            notes.add(
                "Kubernetes distribution",
                f"The Kubernetes cluster is {cloud.kubernetes}.",
                "QA names Kubernetes but not which distribution; the provider's managed control plane "
                "removes control-plane operations from the team.",
            )
        return PlatformDecision(
            kind="kubernetes",
            service=service,
            mobile_release=mobile_release,
            rationale="QA evidence shows the services already run on Kubernetes (manifests/Helm); production "
            "keeps the same deployment units.",
            basis="qa_fact",
            evidence=_refs(s.evidence for s in k8s),
        )
    vm = _find(facts, kb.VM_MARKERS)
    if vm:
        tool = vm[0].name
        service = f"{cloud.name} virtual machines running the backend under {tool} behind nginx"
        notes.add(
            "Runtime platform",
            f"The backend keeps running on virtual machines under {tool}, with nginx in front; the VMs are "
            f"in {cloud.name}.",
            f"QA evidence shows the backend managed by {tool} on a server; the guide keeps that model and "
            "adds a second process slot for blue-green switches.",
        )
        return PlatformDecision(
            kind="vm",
            service=service,
            mobile_release=mobile_release,
            rationale=f"QA evidence shows the backend running under {tool} on a server.",
            basis="qa_fact",
            evidence=_refs(s.evidence for s in vm),
        )
    evidence = _refs(s.evidence for s in containers + mobile)
    if containers:
        reason = (
            "QA ran the services as Docker containers; a managed container platform runs the same images "
            "with load balancing and autoscaling, without operating a Kubernetes cluster."
        )
    else:
        reason = (
            "QA does not say how the service is packaged; containers on a managed platform are the "
            "lowest-operations default and keep environments identical."
        )
    notes.add(
        "Runtime platform",
        f"Backend services run as containers on {cloud.container_paas}.",
        reason,
    )
    return PlatformDecision(
        kind="container_paas",
        service=cloud.container_paas,
        mobile_release=mobile_release,
        rationale=reason,
        basis="assumption",
        evidence=evidence,
    )


# --- runtimes, tests, CI -----------------------------------------------------------------------


def _runtime_languages(facts: QAFacts) -> list[tuple[RuntimeLanguage, list[StackItem]]]:
    """Languages in the stack with their supporting items, the server-side application first.

    Rank: a language with a server-side framework (Spring Boot, FastAPI, Express…) first, then
    languages QA names directly, then languages only implied by client or test tooling.
    """
    rank: dict[RuntimeLanguage, int] = {}
    items_of: dict[RuntimeLanguage, list[StackItem]] = {}
    order: list[RuntimeLanguage] = []
    for item in facts.stack:
        lang = (
            kb.language_of(item.name) if item.kind in ("language", "framework", "tool", "platform") else None
        )
        level = 1 if lang is not None else 2
        if lang is None and item.kind in ("framework", "tool", "language"):
            implied = kb.framework_language(item.name)
            if implied:
                lang, server = implied
                level = 0 if server else 2
        if lang is None:
            continue
        if lang not in items_of:
            order.append(lang)
            items_of[lang] = []
            rank[lang] = level
        items_of[lang].append(item)
        rank[lang] = min(rank[lang], level)
    for tc in facts.test_commands:
        lang = _language_of_command(tc.command)
        if lang and lang not in items_of:
            order.append(lang)
            items_of[lang] = []
            rank[lang] = 2
    ranked = sorted(order, key=lambda lang: (rank[lang], order.index(lang)))
    return [(lang, items_of[lang]) for lang in ranked]


def _language_of_command(command: str) -> RuntimeLanguage | None:
    first = command.strip().split()[0] if command.strip() else ""
    table: dict[str, RuntimeLanguage] = {
        "npm": "node",
        "npx": "node",
        "yarn": "node",
        "pnpm": "node",
        "node": "node",
        "pytest": "python",
        "python": "python",
        "python3": "python",
        "tox": "python",
        "mvn": "java",
        "./mvnw": "java",
        "gradle": "java",
        "./gradlew": "java",
        "dotnet": "dotnet",
        "go": "go",
        "bundle": "ruby",
        "rspec": "ruby",
        "composer": "php",
    }
    return table.get(first)


def _version_of(items: Sequence[StackItem], lang: RuntimeLanguage) -> tuple[str | None, list[StackItem]]:
    for item in items:
        if item.version and kb.language_of(item.name) == lang:
            version = item.version.strip().lstrip("vV")
            if re.fullmatch(r"\d+(\.\d+){0,2}(\.x)?", version):
                return version, [item]
    return None, []


def _migration_tool(
    lang: RuntimeLanguage, facts: QAFacts, has_sql: bool, has_document_db: bool
) -> tuple[str | None, list[EvidenceRef]]:
    """(migration tool, QA evidence naming it: empty when assumed) for a language and its datastores."""
    by_name = {kb.norm(s.name): s for s in facts.stack}
    if has_sql:
        named: list[tuple[str, str]] = [
            ("prisma", "Prisma Migrate (npx prisma migrate deploy)"),
            ("flyway", "Flyway (flyway migrate, versioned V<n>__*.sql scripts)"),
            ("liquibase", "Liquibase (liquibase update)"),
            ("alembic", "Alembic (alembic upgrade head)"),
            ("django", "Django migrations (python manage.py migrate --noinput)"),
            ("typeorm", "TypeORM migrations (npx typeorm migration:run)"),
            ("sequelize", "Sequelize migrations (npx sequelize-cli db:migrate)"),
            ("knex", "Knex migrations (npx knex migrate:latest)"),
            ("entityframework", "EF Core migration bundle (efbundle)"),
            ("efcore", "EF Core migration bundle (efbundle)"),
            ("rails", "Rails migrations (bin/rails db:migrate)"),
            ("laravel", "Laravel migrations (php artisan migrate --force)"),
        ]
        lang_tools = {
            "node": ("prisma", "typeorm", "sequelize", "knex"),
            "python": ("alembic", "django"),
            "java": ("flyway", "liquibase"),
            "dotnet": ("entityframework", "efcore"),
            "ruby": ("rails",),
            "php": ("laravel",),
        }
        for key, tool in named:
            item = next((s for n, s in by_name.items() if n.startswith(key)), None)
            if key in lang_tools.get(lang, ()) and item is not None:
                return tool, _refs([item.evidence])
        defaults: dict[RuntimeLanguage, str] = {
            "node": "Knex migrations (npx knex migrate:latest)",
            "python": "Alembic (alembic upgrade head)",
            "java": "Flyway (flyway migrate, versioned V<n>__*.sql scripts)",
            "dotnet": "EF Core migration bundle (efbundle)",
            "go": "golang-migrate (migrate -path db/migrations up)",
            "ruby": "Rails migrations (bin/rails db:migrate)",
            "php": "Laravel migrations (php artisan migrate --force)",
            "other": "versioned SQL migration scripts applied by Flyway",
        }
        return defaults[lang], []
    if has_document_db:
        return (
            "versioned data-migration scripts (migrate-mongo) with additive, backward-compatible changes",
            [],
        )
    return None, []


def _runtimes(
    facts: QAFacts, datastores: Sequence[DatastoreDecision], notes: _Assumptions
) -> list[RuntimeDecision]:
    has_sql = any((p := kb.datastore_profile(d.name)) is not None and p.sql for d in datastores)
    has_doc = any(kb.norm(d.name).startswith("mongo") for d in datastores)
    langs = _runtime_languages(facts)
    if not langs:
        notes.add(
            "Language toolchain",
            "The application is built with a Makefile exposing deps, lint, audit and test targets.",
            "The QA report names no language or framework, so CI calls make targets the team maps to its "
            "toolchain.",
        )
        langs = [("other", [])]
    names = {kb.norm(s.name) for s in facts.stack}
    commands = " ".join(tc.command for tc in facts.test_commands)
    runtimes: list[RuntimeDecision] = []
    for index, (lang, items) in enumerate(langs[:3]):
        profile = kb.RUNTIMES[lang]
        version, version_items = _version_of(items, lang)
        install, lint, audit = profile.install, profile.lint, profile.audit
        if lang == "java" and ("gradle" in names or "gradlew" in commands or "gradle " in commands):
            install, lint, audit = (
                kb.GRADLE_OVERRIDES["install"],
                kb.GRADLE_OVERRIDES["lint"],
                kb.GRADLE_OVERRIDES["audit"],
            )
            if re.search(r"(?:^|\s)gradle\s", f" {commands} ") and "gradlew" not in commands:
                install, lint, audit = (c.replace("./gradlew", "gradle") for c in (install, lint, audit))
        elif lang == "java" and re.search(r"(?:^|\s)mvn\s", f" {commands} ") and "mvnw" not in commands:
            # QA runs the system Maven, not the wrapper: CI does the same.
            install, lint, audit = (c.replace("./mvnw", "mvn") for c in (install, lint, audit))
        if lang == "node" and ("pnpm" in names or commands.startswith("pnpm") or " pnpm " in f" {commands} "):
            install = "corepack enable && pnpm install --frozen-lockfile"
            lint, audit = "pnpm run --if-present lint", "pnpm audit --audit-level high"
        elif lang == "node" and ("yarn" in names or " yarn " in f" {commands} "):
            install = "corepack enable && yarn install --immutable"
            lint, audit = "yarn run lint", "yarn npm audit --severity high"
        frameworks = [
            s.name for s in items if s.kind == "framework" and kb.framework_language(s.name) is not None
        ]
        display_version = version or profile.default_version
        display = f"{profile.label} {display_version}" if lang != "other" else "application toolchain (make)"
        if frameworks:
            display += " (" + ", ".join(dict.fromkeys(frameworks)) + ")"
        migration, migration_refs = (
            _migration_tool(lang, facts, has_sql, has_doc) if index == 0 else (None, [])
        )
        basis: Basis = "qa_fact" if version else "assumption"
        if version is None and lang != "other":
            notes.add(
                f"{profile.label} version",
                f"CI and production use {profile.label} {profile.default_version}.",
                f"QA names {profile.label} but not the version it tested with; {profile.default_version} is "
                "the current long-term-support line. Pin it to what QA ran once known.",
            )
        if migration and not migration_refs:
            notes.add(
                "Database migrations",
                f"Schema changes are applied with {migration}.",
                "QA does not name a migration tool; this is the conventional tool for the stack.",
            )
        if lang != "other":
            notes.add(
                f"{profile.label} CI commands",
                f"CI installs dependencies with '{install}', lints with '{lint}' and audits with '{audit}'.",
                "QA documents how tests were run, not how dependencies are installed or linted; these are "
                "the stack's standard commands.",
            )
        runtimes.append(
            RuntimeDecision(
                language=lang,
                display=display,
                version=display_version,
                install_command=install,
                lint_command=lint,
                audit_command=audit,
                migration_tool=migration,
                migration_basis="qa_fact" if migration_refs else "assumption",
                migration_evidence=migration_refs,
                basis=basis,
                evidence=_refs(s.evidence for s in (version_items or items)),
            )
        )
    return runtimes


def _stage_of(command: str) -> TestStage:
    words = [w for w in command.split() if "=" not in w or w.startswith("-")]
    first = words[0].rsplit("/", 1)[-1].lower() if words else ""
    if first in ("npx", "pnpx", "bunx") and len(words) > 1:
        first = words[1].lower()
    if first in kb.LOAD_TEST_TOOLS:
        return "load"
    if first in kb.MOBILE_E2E_TOOLS:
        return "mobile_e2e"
    return "ci"


def _cmd_dir(command: str) -> str:
    first = command.split(maxsplit=1)[0] if command.split() else ""
    first = first[2:] if first.startswith("./") else first
    return first.rsplit("/", 1)[0] if "/" in first else ""


def _prune(commands: list[TestCommandDecision]) -> list[TestCommandDecision]:
    """Drop CI commands another one already covers: an all-suites runner, or a bare prefix command."""
    ci = [c for c in commands if c.stage == "ci"]
    all_runner = next((c for c in ci if re.search(r"(?:^|/)(?:test|run)[-_]all\b", c.command)), None)
    kept: list[TestCommandDecision] = []
    for c in commands:
        if c.stage == "ci" and all_runner is not None and c is not all_runner:
            same_dir = _cmd_dir(c.command) == _cmd_dir(all_runner.command)
            if same_dir and c.working_directory == all_runner.working_directory:
                continue
        covered = any(
            o is not c
            and o.stage == c.stage
            and o.working_directory == c.working_directory
            and c.command.startswith(o.command + " ")
            for o in commands
        ) or any(  # the same load script run again with other options
            o.stage == "load" == c.stage
            and o.command.split()[-1] == c.command.split()[-1]
            and o.command.split()[0] == c.command.split()[0]
            for o in kept
        )
        if not covered:
            kept.append(c)
    return kept


def _test_commands(
    facts: QAFacts, runtimes: Sequence[RuntimeDecision], notes: _Assumptions
) -> list[TestCommandDecision]:
    chosen: list[TestCommandDecision] = []
    for tc in facts.test_commands:
        vetted = vet_test_command(tc.command)
        if vetted is None:
            notes.add(
                "Rejected QA command",
                f"A command QA documents at {tc.evidence.source} line {tc.evidence.line} is not run by CI.",
                "It contains shell chaining, pipes, substitutions, downloads or other constructs that are "
                "unsafe to copy from an untrusted document; the team should add it by hand after review.",
            )
            continue
        if any(
            c.command == vetted.command and c.working_directory == vetted.working_directory for c in chosen
        ):
            continue
        if vetted.secret_env:
            notes.add(
                "Test secrets",
                "The pipeline provides "
                + ", ".join(vetted.secret_env)
                + " to the tests from repository secrets.",
                "QA sets these variables inline for its run; their values are never copied into the "
                "pipeline.",
            )
        chosen.append(
            TestCommandDecision(
                command=vetted.command,
                working_directory=vetted.working_directory,
                secret_env=list(vetted.secret_env),
                stage=_stage_of(vetted.command),
                basis="qa_fact",
                evidence=_refs([tc.evidence]),
            )
        )
    chosen = _prune(chosen)
    ci = [c for c in chosen if c.stage == "ci"][:MAX_TEST_COMMANDS]
    others = [c for c in chosen if c.stage != "ci"]
    if any(c.stage == "load" for c in others):
        notes.add(
            "Load tests",
            "QA's load-test commands run weekly (and on demand) against staging, not on every push; the load "
            "scripts read the target from the BASE_URL environment variable.",
            "Load tests need a deployed environment and take minutes; running them per commit would slow "
            "delivery without adding signal.",
        )
    if any(c.stage == "mobile_e2e" for c in others):
        notes.add(
            "Mobile end-to-end tests",
            "QA's mobile flows run on a macOS runner against an iOS simulator build produced by an EAS 'e2e' "
            "build profile.",
            "QA ran them on a device or simulator; a simulator in CI reproduces that without a device farm.",
        )
    if ci:
        return ci + others
    primary = runtimes[0]
    command = kb.RUNTIMES[primary.language].default_test
    if primary.language == "java" and "gradlew" in primary.install_command:
        command = kb.GRADLE_OVERRIDES["test"]
    notes.add(
        "Test command",
        f"CI runs the unit and integration tests with '{command}'.",
        "The QA report gives no runnable unit-test command that is safe to copy; this is the stack's "
        "standard test entry point. Replace it with the exact command QA uses.",
    )
    default = TestCommandDecision(
        command=command, working_directory=None, secret_env=[], stage="ci", basis="assumption", evidence=[]
    )
    return [default, *others]


def _ci(facts: QAFacts, notes: _Assumptions) -> CIDecision:
    for item in facts.stack:
        key = kb.norm(item.name)
        if key.startswith("githubactions") or key == "github":
            return CIDecision(
                system="github_actions",
                rationale="QA evidence shows the repository already uses GitHub Actions.",
                basis="qa_fact",
                evidence=_refs([item.evidence]),
            )
        if key.startswith("gitlab"):
            return CIDecision(
                system="gitlab_ci",
                rationale="QA evidence shows the project uses GitLab CI.",
                basis="qa_fact",
                evidence=_refs([item.evidence]),
            )
    other = [s for s in facts.stack if s.kind == "ci"]
    if other:
        notes.add(
            "CI system",
            "The pipeline is specified in GitHub Actions syntax.",
            "QA names a CI system opsrelay does not generate configuration for; each job maps one-to-one "
            "onto stages of the existing system.",
        )
        return CIDecision(
            system="github_actions",
            rationale="The named CI system has no generator here; GitHub Actions syntax documents the "
            "same stages.",
            basis="assumption",
            evidence=_refs(s.evidence for s in other),
        )
    notes.add(
        "CI system",
        "CI/CD runs on GitHub Actions.",
        "The QA report names no CI system; GitHub Actions is the most common choice for hosted repositories.",
    )
    return CIDecision(
        system="github_actions",
        rationale="No CI system in the QA evidence; GitHub Actions chosen as the default.",
        basis="assumption",
        evidence=[],
    )


# --- environments and datastores ---------------------------------------------------------------


def _environments(facts: QAFacts, service: str, notes: _Assumptions) -> list[EnvironmentDecision]:
    purposes: dict[EnvName, str] = {
        "production": "Serves real users; changes arrive only through the approved pipeline.",
        "staging": "Pre-production copy of production at reduced size; every main-branch build is "
        "verified here.",
        "development": "Local and shared development; containers started with Docker Compose.",
    }
    mapping: dict[str, EnvName] = {
        "production": "production",
        "staging": "staging",
        "development": "development",
        "local": "development",
    }
    result: list[EnvironmentDecision] = []
    for name in ("production", "staging", "development"):
        env_name: EnvName = name
        matches = [e for e in facts.environments if mapping.get(e.name) == env_name]
        exact = [e for e in matches if e.name == name] or matches
        url = next((e.url for e in exact if e.url and e.url.startswith("https://")), None)
        if exact:
            result.append(
                EnvironmentDecision(
                    name=env_name,
                    url=url,
                    purpose=purposes[env_name],
                    basis="qa_fact",
                    evidence=_refs(e.evidence for e in exact),
                )
            )
        else:
            notes.add(
                f"{name.capitalize()} environment",
                f"A {name} environment exists for {service}: "
                f"{purposes[env_name][0].lower()}{purposes[env_name][1:]}",
                "The QA report does not describe this environment; the three-environment promotion path is "
                "standard practice.",
            )
            result.append(
                EnvironmentDecision(
                    name=env_name, url=None, purpose=purposes[env_name], basis="assumption", evidence=[]
                )
            )
    return result


def _is_test_only(item: StackItem, all_items: Sequence[StackItem]) -> bool:
    key = kb.norm(item.name)
    if any(key.startswith(t) for t in kb.TEST_ONLY_DATASTORES):
        return True
    if key.startswith("sqlite"):
        text = item.evidence.text.lower()
        others = [
            o
            for o in all_items
            if o is not item and (p := kb.datastore_profile(o.name)) is not None and p.sql
        ]
        return bool(others) and ("test" in text or "in-memory" in text or "in memory" in text)
    return False


def _datastores(facts: QAFacts, provider: CloudProvider, notes: _Assumptions) -> list[DatastoreDecision]:
    result: list[DatastoreDecision] = []
    seen: dict[str, int] = {}
    items = facts.datastores
    for item in items:
        if _is_test_only(item, items):
            continue
        profile = kb.datastore_profile(item.name)
        if profile is None:
            role = {"cache": "cache", "queue": "queue"}.get(item.kind, "other")
            profile = kb.generic_datastore(item.name, role)  # type: ignore[arg-type]
        if profile.key in seen:
            existing = result[seen[profile.key]]
            refs = existing.evidence + [r for r in _refs([item.evidence]) if r not in existing.evidence]
            version = existing.version or item.version
            names = existing.name.split(" / ")
            name = existing.name if item.name in names else f"{existing.name} / {item.name}"
            result[seen[profile.key]] = existing.model_copy(
                update={"evidence": refs, "version": version, "name": name}
            )
            continue
        hosting = profile.managed[provider]
        if kb.norm(item.name) == "supabase":
            hosting = "Supabase (managed PostgreSQL) with the point-in-time-recovery add-on"
        method = (
            profile.backup if profile.continuous is None else f"{profile.backup}, plus {profile.continuous}"
        )
        seen[profile.key] = len(result)
        result.append(
            DatastoreDecision(
                name=item.name,
                version=item.version,
                role=profile.role,
                hosting=hosting,
                backup_method=method,
                basis="qa_fact",
                evidence=_refs([item.evidence]),
            )
        )
        notes.add(
            f"{item.name} hosting",
            f"Production {item.name} runs as {hosting}.",
            f"QA names {item.name} but not how production hosts it; a managed service provides "
            "replication, patching and backups.",
        )
    return result


# --- observability, SLOs, capacity -------------------------------------------------------------


def _observability(facts: QAFacts, provider: CloudProvider, notes: _Assumptions) -> ObservabilityDecision:
    named = facts.stack_of("observability", "tool", "platform", "framework", "datastore")
    by_key = {kb.norm(s.name): s for s in named}

    def pick(keys: tuple[str, ...]) -> list[StackItem]:
        return [s for k, s in by_key.items() if any(k.startswith(m) for m in keys)]

    metrics = pick(kb.METRICS_TOOLS)
    logs = pick(kb.LOG_TOOLS)
    traces = pick(kb.TRACE_TOOLS)
    apm = pick(kb.APM_TOOLS)
    used = metrics + logs + traces + apm
    cloud = kb.CLOUDS[provider]

    def join(items: list[StackItem]) -> str:
        return " + ".join(dict.fromkeys(s.name for s in items))

    metrics_text = join(metrics) if metrics else "Prometheus + Grafana"
    logs_text = join(logs) if logs else f"{cloud.logs} (JSON logs shipped by Fluent Bit)"
    tracing_text = join(traces) if traces else "OpenTelemetry SDK exporting to Grafana Tempo"
    apm_text = (
        join(apm) if apm else "Grafana Application Observability (APM views over the traces and RED metrics)"
    )
    missing = [
        label
        for label, items in (("metrics", metrics), ("logs", logs), ("tracing", traces), ("APM", apm))
        if not items
    ]
    if missing:
        notes.add(
            "Observability tooling",
            "Not named by QA and chosen here: "
            + "; ".join(
                f"{label}: {text}"
                for label, text in (
                    ("metrics", metrics_text),
                    ("logs", logs_text),
                    ("tracing", tracing_text),
                    ("APM", apm_text),
                )
                if label in missing
            )
            + ".",
            "Open-source, vendor-neutral defaults that cover the RED metrics, logs and traces the alerts "
            "rely on.",
        )
    return ObservabilityDecision(
        metrics=metrics_text,
        logs=logs_text,
        tracing=tracing_text,
        apm=apm_text,
        basis="qa_fact" if not missing else "assumption",
        evidence=_refs(s.evidence for s in used),
    )


def _ms(metric: PerfMetric) -> float:
    return metric.value * 1000 if metric.unit == "s" else metric.value


def _baseline_rank(metric: PerfMetric) -> tuple[int, int]:
    context = metric.context or ""
    if _BASELINE_HINT.search(context) and not _NON_BASELINE_HINT.search(context):
        return (0, 0)
    if not context:
        return (1, 0)
    if _NON_BASELINE_HINT.search(context):
        return (3, 0)
    return (2, 0)


def _pick(facts: QAFacts, name: str, context: str | None) -> PerfMetric | None:
    candidates = [m for m in facts.performance if m.metric == name]
    if name in ("p50", "p95", "p99"):
        candidates = [m for m in candidates if m.unit in ("ms", "s")]
    elif name == "throughput":
        candidates = [m for m in candidates if m.unit == "rps"]
    elif name == "error_rate":
        candidates = [m for m in candidates if m.unit == "%"]
    if not candidates:
        return None
    if context is not None:
        same = [m for m in candidates if m.context == context]
        if same:
            return same[0]
    return sorted(candidates, key=lambda m: (_baseline_rank(m), facts.performance.index(m)))[0]


def _slo(facts: QAFacts, notes: _Assumptions) -> SLODecision:
    p95 = _pick(facts, "p95", None)
    context = p95.context if p95 else None
    p50 = _pick(facts, "p50", context)
    p99 = _pick(facts, "p99", context)
    err = _pick(facts, "error_rate", context)
    evidence = _refs(m.evidence for m in (p95, p50, p99) if m is not None)
    notes.add(
        "Availability objective",
        f"The availability objective is {DEFAULT_AVAILABILITY:g} % per calendar month.",
        "QA measured no availability figure; 99.9 % (about 43 minutes of downtime a month) is a common "
        "objective for a business service. Confirm with the product owner.",
    )
    if p95 is not None:
        base = _ms(p95)
        target95 = _ceil_to(max(base * 1.5, base + 50), 10)
        alert = _ceil_to(base * 2, 10)
        if p99 is not None:
            b99 = _ms(p99)
            target99 = max(_ceil_to(max(b99 * 1.5, b99 + 50), 10), target95)
        else:
            target99 = target95 * 2
            notes.add(
                "p99 latency objective",
                f"The p99 objective is {target99} ms, twice the p95 objective.",
                "QA reports no p99 figure for the baseline scenario.",
            )
        latency_basis: Basis = "qa_fact"
    else:
        base = None
        target95, target99, alert = 500, 1000, 1000
        notes.add(
            "Latency objectives",
            "p95 latency objective 500 ms and p99 1000 ms; a critical alert fires at p95 above 1000 ms.",
            "QA measured no latency baseline; these are conventional API targets. Run a load test in staging "
            "and replace them with baseline-derived values.",
        )
        latency_basis = "assumption"
    if err is not None:
        err_target = round(max(0.1, err.value * 2), 2)
    else:
        err_target = 0.1
        notes.add(
            "Error-rate objective",
            "The server-error (5xx) rate objective is 0.1 % of requests.",
            "QA measured no error rate; 0.1 % matches the availability objective's error budget.",
        )
    err_alert = round(max(1.0, err_target * 2), 2)
    return SLODecision(
        availability_percent=DEFAULT_AVAILABILITY,
        availability_basis="assumption",
        baseline_p50_ms=_ms(p50) if p50 else None,
        baseline_p95_ms=base,
        baseline_p99_ms=_ms(p99) if p99 else None,
        baseline_context=context,
        p95_target_ms=target95,
        p99_target_ms=target99,
        latency_alert_ms=alert,
        baseline_error_rate_percent=err.value if err else None,
        error_rate_target_percent=err_target,
        error_rate_alert_percent=err_alert,
        error_rate_evidence=_refs([err.evidence]) if err else [],
        latency_basis=latency_basis,
        evidence=evidence,
    )


def _capacity(facts: QAFacts, slo_context: str | None, notes: _Assumptions) -> CapacityDecision:
    base = _pick(facts, "throughput", slo_context)
    rps = [m for m in facts.performance if m.metric == "throughput" and m.unit == "rps"]
    peak = max(rps, key=lambda m: m.value) if rps else None
    notes.add(
        "Autoscaling bounds",
        "Production runs at least 2 application instances (one per availability zone) and scales out to at "
        "most 10 when average CPU exceeds 70 %.",
        "Two instances are the minimum for zero-downtime deploys and zone failure; the ceiling caps cost and "
        "database connections. Tune after a week of production metrics.",
    )
    if base is None:
        notes.add(
            "Throughput sizing",
            "Production is initially sized for 100 requests/s.",
            "QA measured no throughput; run a load test in staging to replace this figure.",
        )
        return CapacityDecision(
            baseline_rps=None,
            peak_tested_rps=None,
            baseline_context=None,
            target_rps=100,
            min_instances=2,
            max_instances=10,
            scale_out_cpu_percent=70,
            basis="assumption",
            evidence=[],
        )
    target = _ceil_to(base.value * 2, 10)
    return CapacityDecision(
        baseline_rps=base.value,
        peak_tested_rps=peak.value if peak else None,
        baseline_context=base.context,
        target_rps=target,
        min_instances=2,
        max_instances=10,
        scale_out_cpu_percent=70,
        basis="qa_fact",
        evidence=_refs(m.evidence for m in (base, peak) if m is not None),
    )


# --- recovery, routing, strategy, gate ---------------------------------------------------------


def _recovery(datastores: Sequence[DatastoreDecision], notes: _Assumptions) -> RecoveryDecision:
    continuous = [
        (d, p)
        for d in datastores
        if (p := kb.datastore_profile(d.name)) is not None and p.continuous and p.role == "primary_database"
    ]
    retention = (
        "point-in-time recovery window 7 days; daily backups kept 35 days; monthly backups kept 12 months"
    )
    if continuous:
        methods = "; ".join(f"{d.name}: {p.continuous}" for d, p in continuous)
        notes.add(
            "RTO and RPO",
            f"RTO is {DEFAULT_RTO_MINUTES} minutes and RPO is {DEFAULT_RPO_MINUTES} minutes; full backups "
            "run "
            f"every {FULL_BACKUP_INTERVAL_MINUTES} minutes (24 hours) and continuous log archiving keeps the "
            "RPO independent of that interval.",
            "QA states no recovery objectives; one hour to restore and at most 15 minutes of lost writes are "
            "common targets for a business application. Confirm with the product owner.",
        )
        notes.add(
            "Backup retention",
            f"Backups are retained as follows: {retention}.",
            "No retention requirement in the QA evidence; adjust to legal and contractual obligations.",
        )
        return RecoveryDecision(
            rto_minutes=DEFAULT_RTO_MINUTES,
            rpo_minutes=DEFAULT_RPO_MINUTES,
            backup_interval_minutes=FULL_BACKUP_INTERVAL_MINUTES,
            continuous_archiving=True,
            archiving_method=methods,
            retention=retention,
            basis="assumption",
            evidence=[],
        )
    notes.add(
        "RTO and RPO",
        f"RTO is {DEFAULT_RTO_MINUTES} minutes and RPO is {FULL_BACKUP_INTERVAL_MINUTES} minutes (24 hours), "
        "equal to the daily backup interval because no continuous log archiving applies.",
        "QA states no recovery objectives and names no primary database with log archiving; the RPO cannot "
        "be shorter than the backup interval.",
    )
    notes.add(
        "Backup retention",
        f"Backups are retained as follows: {retention}.",
        "No retention requirement in the QA evidence; adjust to legal and contractual obligations.",
    )
    return RecoveryDecision(
        rto_minutes=DEFAULT_RTO_MINUTES,
        rpo_minutes=FULL_BACKUP_INTERVAL_MINUTES,
        backup_interval_minutes=FULL_BACKUP_INTERVAL_MINUTES,
        continuous_archiving=False,
        archiving_method=None,
        retention=retention,
        basis="assumption",
        evidence=[],
    )


def _routing(facts: QAFacts, notes: _Assumptions) -> AlertRouting:
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
            evidence=_refs(s.evidence for s in paging),
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


def _strategy(
    facts: QAFacts,
    *,
    platform: PlatformDecision,
    provider: CloudProvider,
    slo: SLODecision,
    has_db: bool,
    notes: _Assumptions,
) -> StrategyDecision:
    canary = _find(facts, kb.CANARY_MARKERS)
    trigger = (
        f"p95 latency above {slo.latency_alert_ms} ms or 5xx rate above "
        f"{_fmt_num(slo.error_rate_alert_percent)} % for 5 minutes, or failing readiness/health checks"
    )
    migrate = (
        ["Run database migrations (expand phase only: additive, backward-compatible) as a pre-deploy job"]
        if has_db
        else []
    )
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
            "Build, scan and push the image tagged with the commit SHA",
            *migrate,
            "Canary: shift 10 % of traffic to the new version for 10 minutes",
            "Automated analysis of p95 latency and 5xx rate against the SLO, then 50 % for 10 minutes",
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
            evidence=_refs(s.evidence for s in canary),
        )
    if platform.kind == "kubernetes":
        steps = [
            "Build, scan and push the image tagged with the commit SHA",
            *migrate,
            "helm upgrade --atomic: pods are replaced 25 % at a time (maxSurge 25 %, maxUnavailable 0), each "
            "admitted to traffic only after its readiness probe passes",
            "Post-deploy smoke test of the health endpoint, then a 15-minute watch of p95 latency and 5xx "
            "rate",
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
        "Build, scan and push the image tagged with the commit SHA",
        *migrate,
        paas_rollout,
        "Post-deploy smoke test of the health endpoint, then a 15-minute watch of p95 latency and 5xx rate",
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


def _release_gate(facts: QAFacts) -> ReleaseGate:
    reasons: list[str] = []
    evidence: list[Evidence] = []
    for d in facts.open_blockers:
        reasons.append(f"Open {d.severity} defect {d.id}: {d.title}")
        evidence.append(d.evidence)
    failing = facts.failing_test_count
    if failing:
        reasons.append(f"{failing} failing test(s) in the QA test runs")
        evidence.extend(r.evidence for r in facts.test_results if r.failed)
    verdict = facts.verdict.value
    if verdict in ("NO-GO", "FAIL"):
        reasons.append(f"QA verdict is {verdict}")
    if facts.verdict.evidence:
        evidence.append(facts.verdict.evidence)
    return ReleaseGate(
        status="blocked" if facts.release_blocked else "open",
        reasons=reasons,
        blocking_defect_ids=[d.id for d in facts.open_blockers],
        failing_tests=failing,
        qa_verdict=verdict,
        evidence=_refs(evidence),
    )


def compliance_texts(facts: QAFacts) -> list[str]:
    """QA texts that may name a compliance regime: security findings, risks, defects, stack."""
    texts = [f.title for f in facts.security] + [f.evidence.text for f in facts.security]
    texts += [r.title for r in facts.risks] + [r.evidence.text for r in facts.risks]
    texts += [d.title for d in facts.defects] + [s.name for s in facts.stack]
    return texts


def _practice_defaults(facts: QAFacts, provider: CloudProvider, notes: _Assumptions) -> None:
    """Assumptions the section writers rely on that no single decision field carries."""
    cloud = kb.CLOUDS[provider]
    regimes = kb.compliance_mentions(compliance_texts(facts))
    if not regimes:
        notes.add(
            "Compliance",
            "No specific compliance regime applies; personal data is handled to GDPR-style baseline controls "
            "(data minimisation, encryption, access logging, deletion on request).",
            "The QA report names no regulatory requirement; confirm with legal whether GDPR, SOC 2, HIPAA or "
            "PCI DSS apply.",
        )
    notes.add(
        "Network and access controls",
        f"Private subnets, a single public HTTPS load balancer, {cloud.waf}, SSO with MFA for operators and "
        f"secrets in {cloud.secrets}.",
        "QA tested the application, not the production network; these are baseline cloud security controls.",
    )
    notes.add(
        "Storage and CDN",
        f"User uploads and generated files live in {cloud.object_store} with versioning; static assets are "
        f"served through {cloud.cdn}.",
        "QA does not describe file storage; object storage with versioning is the standard durable store.",
    )
    notes.add(
        "Instance sizing",
        "Application instances start at the size stated under Environment Specifications and are right-sized "
        "after two weeks of production metrics.",
        "QA resource figures, where present, come from a test machine; production sizing must be confirmed.",
    )
    notes.add(
        "Health endpoint",
        "The service exposes /health for load balancer checks, smoke tests and synthetic probes.",
        "QA does not name the health endpoint; adjust the path in the pipeline and probes if it differs.",
    )
    notes.add(
        "Logging retention",
        "Logs are searchable for 30 days and archived for 1 year.",
        "No retention requirement in the QA evidence; align with legal and security policy.",
    )
    notes.add(
        "Incident tooling",
        "A public status page and a dedicated incident chat channel per P1/P2 incident are used for "
        "communication.",
        "QA does not cover incident communication; these are common, inexpensive defaults.",
    )
    notes.add(
        "Cost controls",
        "Monthly cloud budgets with alerts at 50 %, 80 % and 100 % of forecast; staging and development "
        "scale down outside working hours.",
        "No budget figure in the QA evidence; the amount must be set by the service owner.",
    )


def _reasoning(facts: QAFacts, decisions: dict[str, object]) -> str:
    stack = ", ".join(dict.fromkeys(s.name for s in facts.stack)) or "no named technologies"
    perf = "no latency baseline"
    slo = decisions["slo"]
    assert isinstance(slo, SLODecision)
    if slo.baseline_p95_ms is not None:
        perf = f"p95 baseline {_fmt_num(slo.baseline_p95_ms)} ms ({slo.baseline_context or 'load test'})"
    gate = decisions["gate"]
    assert isinstance(gate, ReleaseGate)
    return (
        f"QA evidence: stack {stack}; {len(facts.test_commands)} test command(s); {perf}; "
        f"{len(facts.open_blockers)} open P0/P1 defect(s); {facts.failing_test_count} failing test(s); "
        f"verdict {facts.verdict.value}. Platform, strategy and SLOs follow from these facts where they "
        f"exist; everything else is a recorded assumption. Release gate: {gate.status}."
    )


def decide_offline(facts: QAFacts) -> Decisions:
    """Fix the cross-cutting decisions for ``facts`` by rules of practice (deterministic, no model)."""
    notes = _Assumptions()
    service = _service_name(facts)
    hosting = _hosting(facts, notes)
    platform = _platform(facts, hosting.provider, notes)
    datastores = _datastores(facts, hosting.provider, notes)
    runtimes = _runtimes(facts, datastores, notes)
    tests = _test_commands(facts, runtimes, notes)
    ci = _ci(facts, notes)
    environments = _environments(facts, service, notes)
    observability = _observability(facts, hosting.provider, notes)
    slo = _slo(facts, notes)
    capacity = _capacity(facts, slo.baseline_context, notes)
    has_db = any(d.role == "primary_database" for d in datastores)
    deployment = _strategy(
        facts, platform=platform, provider=hosting.provider, slo=slo, has_db=has_db, notes=notes
    )
    recovery = _recovery(datastores, notes)
    routing = _routing(facts, notes)
    gate = _release_gate(facts)
    _practice_defaults(facts, hosting.provider, notes)
    return Decisions(
        reasoning=_reasoning(facts, {"slo": slo, "gate": gate}),
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
