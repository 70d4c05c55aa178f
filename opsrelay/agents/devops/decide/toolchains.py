"""Language toolchains CI sets up, from the stack QA names, and the schema-migration tool."""

from __future__ import annotations

import re
from collections.abc import Sequence

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.common import AssumptionLog, refs
from opsrelay.agents.devops.decisions import (
    Basis,
    DatastoreDecision,
    EvidenceRef,
    RuntimeDecision,
    RuntimeLanguage,
)
from opsrelay.facts.model import QAFacts, StackItem


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
        if lang is None:
            continue
        if lang not in items_of:
            order.append(lang)
            items_of[lang] = []
            rank[lang] = 1
        # The command QA ran its suite with names the application's toolchain as firmly as a
        # language name does (``cargo test``, ``go test ./...``, ``bundle exec rspec``).
        rank[lang] = min(rank[lang], 1)
    # One runtime runs another's code: Kotlin builds what Spring names as Java; Bun runs the
    # TypeScript/JavaScript; Flutter compiles the Dart. Fold the hosted language into its runtime.
    for host, guest in (("kotlin", "java"), ("bun", "node")):
        if host in items_of and guest in items_of:
            items_of[host] += items_of.pop(guest)
            rank[host] = min(rank[host], rank.pop(guest))
            order.remove(guest)
    ranked = sorted(order, key=lambda lang: (rank[lang], order.index(lang)))
    return [(lang, items_of[lang]) for lang in ranked]


def _language_of_command(command: str) -> RuntimeLanguage | None:
    """Toolchain a test command runs on (``None`` for load/mobile tools and unknown commands)."""
    words = [w for w in command.strip().split() if "=" not in w or w.startswith("-")]
    first = words[0] if words else ""
    if first in ("npx", "bunx", "pnpx") and len(words) > 1:
        tool = words[1].lower()
        if tool in kb.LOAD_TEST_TOOLS or tool in kb.MOBILE_E2E_TOOLS:
            return None
        return "bun" if first == "bunx" else "node"
    if first.rsplit("/", 1)[-1].lower() in kb.LOAD_TEST_TOOLS + kb.MOBILE_E2E_TOOLS:
        return None
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
        "php": "php",
        "vendor/bin/phpunit": "php",
        "./vendor/bin/phpunit": "php",
        "cargo": "rust",
        "ctest": "cpp",
        "cmake": "cpp",
        "flutter": "dart",
        "dart": "dart",
        "bun": "bun",
        "bunx": "bun",
        "rake": "ruby",
        "bin/rails": "ruby",
        "rails": "ruby",
    }
    return table.get(first)


def _version_of(items: Sequence[StackItem], lang: RuntimeLanguage) -> tuple[str | None, list[StackItem]]:
    for item in items:
        # A Flutter SDK version is the Dart toolchain version CI installs.
        implied = kb.framework_language(item.name) if lang == "dart" else None
        if item.version and (kb.language_of(item.name) == lang or (implied and implied[0] == lang)):
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
            ("sqlx", "SQLx migrations (sqlx migrate run)"),
            ("diesel", "Diesel migrations (diesel migration run)"),
            ("golangmigrate", "golang-migrate (migrate -path db/migrations up)"),
            ("goose", "goose (goose up)"),
            ("drizzle", "Drizzle migrations (drizzle-kit migrate)"),
        ]
        lang_tools = {
            "node": ("prisma", "typeorm", "sequelize", "knex"),
            "python": ("alembic", "django"),
            "java": ("flyway", "liquibase"),
            "kotlin": ("flyway", "liquibase"),
            "rust": ("sqlx", "diesel"),
            "go": ("golangmigrate", "goose"),
            "bun": ("prisma", "drizzle", "knex"),
            "dotnet": ("entityframework", "efcore"),
            "ruby": ("rails",),
            "php": ("laravel",),
        }
        for key, tool in named:
            item = next((s for n, s in by_name.items() if n.startswith(key)), None)
            if key in lang_tools.get(lang, ()) and item is not None:
                return tool, refs([item.evidence])
        defaults: dict[RuntimeLanguage, str] = {
            "node": "Knex migrations (npx knex migrate:latest)",
            "python": "Alembic (alembic upgrade head)",
            "java": "Flyway (flyway migrate, versioned V<n>__*.sql scripts)",
            "dotnet": "EF Core migration bundle (efbundle)",
            "go": "golang-migrate (migrate -path db/migrations up)",
            "ruby": "Rails migrations (bin/rails db:migrate)",
            "php": "Laravel migrations (php artisan migrate --force)",
            "kotlin": "Flyway (flyway migrate, versioned V<n>__*.sql scripts)",
            "rust": "SQLx migrations (sqlx migrate run)",
            "bun": "Drizzle migrations (drizzle-kit migrate)",
            "cpp": "versioned SQL migration scripts applied by Flyway",
            "dart": "versioned SQL migration scripts applied by Flyway",
            "other": "versioned SQL migration scripts applied by Flyway",
        }
        return defaults[lang], []
    if has_document_db:
        return (
            "versioned data-migration scripts (migrate-mongo) with additive, backward-compatible changes",
            [],
        )
    return None, []


def decide_runtimes(
    facts: QAFacts, datastores: Sequence[DatastoreDecision], notes: AssumptionLog
) -> list[RuntimeDecision]:
    """Toolchains CI sets up (at most three), the server-side application's first."""
    has_sql = any((p := kb.datastore_profile(d.name)) is not None and p.sql for d in datastores)
    has_doc = any(kb.norm(d.name).startswith("mongo") for d in datastores)
    langs = _runtime_languages(facts)
    # A language QA names that has no CI toolchain profile here (Swift, Elixir…): still named, built via make.
    unprofiled = [s for s in facts.stack if s.kind == "language" and kb.language_of(s.name) is None]
    if not langs:
        named = unprofiled[0].name if unprofiled else None
        notes.add(
            "Language toolchain",
            "The application is built with a Makefile exposing deps, lint, audit and test targets.",
            (
                f"QA names {named}, for which this guide has no standard CI commands, so CI calls make "
                "targets the team maps to its toolchain."
                if named
                else "The QA report names no language or framework, so CI calls make targets the team maps "
                "to its toolchain."
            ),
        )
        langs = [("other", unprofiled[:1])]
    names = {kb.norm(s.name) for s in facts.stack}
    commands = " ".join(tc.command for tc in facts.test_commands)
    runtimes: list[RuntimeDecision] = []
    for index, (lang, items) in enumerate(langs[:3]):
        profile = kb.RUNTIMES[lang]
        version, version_items = _version_of(items, lang)
        install, lint, audit = profile.install, profile.lint, profile.audit
        label = profile.label
        if lang == "dart" and "flutter" not in names and not re.search(r"(?:^|\s)flutter\s", commands):
            # Plain Dart (a server or package), not a Flutter app.
            label, install, lint = "Dart", "dart pub get", "dart analyze"
        if lang == "cpp" and any(n.startswith("qt") for n in names):
            # Qt's development packages come from the runner's package manager before configuring.
            install = f"sudo apt-get update && sudo apt-get install --yes qt6-base-dev && {install}"
        if lang in ("java", "kotlin") and (
            "gradle" in names or "gradlew" in commands or "gradle " in commands
        ):
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
        display = f"{label} {display_version}" if lang not in ("other", "cpp") else label
        if lang == "other":
            display = (
                f"{items[0].name} (application toolchain via make)"
                if items
                else "application toolchain (make)"
            )
        frameworks = [f for f in frameworks if kb.norm(f) != kb.norm(label)]
        if lang == "cpp":  # 'C++ (CMake, Qt)': the build system and frameworks in one parenthesis
            display = "C++ (" + ", ".join(dict.fromkeys(["CMake", *frameworks])) + ")"
        elif frameworks:
            display += " (" + ", ".join(dict.fromkeys(frameworks)) + ")"
        migration, migration_refs = (
            _migration_tool(lang, facts, has_sql, has_doc) if index == 0 else (None, [])
        )
        basis: Basis = "qa_fact" if version else "assumption"
        if version is None and lang != "other":
            notes.add(
                f"{label} version",
                f"CI and production use {label} {profile.default_version}.",
                f"QA names {label} but not the version it tested with; {profile.default_version} is "
                "the toolchain's current default line. Pin it to what QA ran once known.",
            )
        if migration and not migration_refs:
            notes.add(
                "Database migrations",
                f"Schema changes are applied with {migration}.",
                "QA does not name a migration tool; this is the conventional tool for the stack.",
            )
        if lang != "other":
            audits = (
                f"audits with '{audit}'"
                if audit
                else "relies on the Trivy filesystem scan for dependency vulnerabilities"
            )
            notes.add(
                f"{label} CI commands",
                f"CI installs dependencies with '{install}', lints with '{lint}' and {audits}.",
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
                evidence=refs(s.evidence for s in (version_items or items)),
            )
        )
    return runtimes
