"""Language toolchains: how CI installs, lints, audits, tests and builds each; names implying a language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsrelay.agents.devops.decisions import RuntimeLanguage
from opsrelay.agents.devops.knowledge.names import norm
from opsrelay.agents.devops.knowledge.pins import (
    FLUTTER_ACTION,
    RUST_TOOLCHAIN,
    SETUP_BUN,
    SETUP_DOTNET,
    SETUP_GO,
    SETUP_JAVA,
    SETUP_NODE,
    SETUP_PYTHON,
    SETUP_RUBY,
    ActionPin,
)


@dataclass(frozen=True)
class RuntimeProfile:
    """How CI sets up and checks one language toolchain."""

    language: RuntimeLanguage
    label: str
    default_version: str
    install: str
    lint: str
    audit: str
    default_test: str
    setup: ActionPin | None
    version_input: str
    container_image: str | None = None
    build: str = ""
    """Release build command (an empty string: the test run already builds everything)."""


RUNTIMES: dict[RuntimeLanguage, RuntimeProfile] = {
    "node": RuntimeProfile(
        "node",
        "Node.js",
        "22",
        "npm ci",
        "npm run lint --if-present",
        "npm audit --audit-level=high",
        "npm test",
        SETUP_NODE,
        "node-version",
        build="npm run build --if-present",
    ),
    "python": RuntimeProfile(
        "python",
        "Python",
        "3.12",
        "python -m pip install -r requirements.txt",
        "pipx run ruff check .",
        "pipx run pip-audit -r requirements.txt",
        "python -m pytest",
        SETUP_PYTHON,
        "python-version",
        build="pipx run build",
    ),
    "java": RuntimeProfile(
        "java",
        "Java",
        "21",
        "./mvnw -B -ntp dependency:go-offline",
        "./mvnw -B -ntp checkstyle:check",
        "./mvnw -B -ntp org.owasp:dependency-check-maven:check -DfailBuildOnCVSS=7",
        "./mvnw -B -ntp verify",
        SETUP_JAVA,
        "java-version",
        build="./mvnw -B -ntp package -DskipTests",
    ),
    "kotlin": RuntimeProfile(
        "kotlin",
        "Kotlin",
        "21",
        "./gradlew --no-daemon dependencies",
        "./gradlew --no-daemon check -x test",
        "./gradlew --no-daemon dependencyCheckAnalyze",
        "./gradlew --no-daemon test",
        SETUP_JAVA,
        "java-version",
        build="./gradlew --no-daemon assemble",
    ),
    "dotnet": RuntimeProfile(
        "dotnet",
        ".NET",
        "8.0.x",
        "dotnet restore",
        "dotnet format --verify-no-changes --no-restore",
        "dotnet list package --vulnerable --include-transitive",
        "dotnet test --no-restore",
        SETUP_DOTNET,
        "dotnet-version",
        build="dotnet publish --configuration Release --no-restore --output out",
    ),
    "go": RuntimeProfile(
        "go",
        "Go",
        "1.24",
        "go mod download",
        "go vet ./...",
        "go run golang.org/x/vuln/cmd/govulncheck@v1.1.4 ./...",
        "go test ./...",
        SETUP_GO,
        "go-version",
        build="go build ./...",
    ),
    "ruby": RuntimeProfile(
        "ruby",
        "Ruby",
        "3.3",
        "bundle install --jobs 4",
        "bundle exec rubocop",
        "gem install bundler-audit --no-document && bundle-audit check --update",
        "bundle exec rspec",
        SETUP_RUBY,
        "ruby-version",
        "ruby:3.3",
    ),
    "php": RuntimeProfile(
        "php",
        "PHP",
        "8.3",
        "composer install --no-interaction --prefer-dist",
        "vendor/bin/phpcs",
        "composer audit",
        "vendor/bin/phpunit",
        None,
        "",
        "composer:2",
    ),
    "rust": RuntimeProfile(
        "rust",
        "Rust",
        "stable",
        "cargo fetch --locked",
        "cargo clippy --all-targets --locked -- -D warnings",
        "cargo install cargo-audit --locked && cargo audit",
        "cargo test --locked",
        RUST_TOOLCHAIN,
        "toolchain",
        "rust:1",
        build="cargo build --release --locked",
    ),
    "cpp": RuntimeProfile(
        "cpp",
        "C++",
        "17",
        "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release",
        "cmake --build build --parallel",
        "",
        "ctest --test-dir build --output-on-failure",
        None,
        "",
        "gcc:14",
        build="cmake --build build --parallel --config Release",
    ),
    "dart": RuntimeProfile(
        "dart",
        "Flutter",
        "3.x",
        "flutter pub get",
        "flutter analyze",
        "",
        "flutter test",
        FLUTTER_ACTION,
        "flutter-version",
        "ghcr.io/cirruslabs/flutter:stable",
        build="flutter build appbundle --release",
    ),
    "bun": RuntimeProfile(
        "bun",
        "Bun",
        "1.2",
        "bun install --frozen-lockfile",
        "bun run lint",
        "bun audit",
        "bun test",
        SETUP_BUN,
        "bun-version",
        "oven/bun:1",
        build="bun run build",
    ),
    "other": RuntimeProfile(
        "other",
        "application",
        "latest",
        "make deps",
        "make lint",
        "make audit",
        "make test",
        None,
        "",
        None,
    ),
}


GRADLE_OVERRIDES = {
    "install": "./gradlew --no-daemon dependencies",
    "lint": "./gradlew --no-daemon check -x test",
    "audit": "./gradlew --no-daemon dependencyCheckAnalyze",
    "test": "./gradlew --no-daemon test",
}


_LANGUAGE_ALIASES: dict[str, RuntimeLanguage] = {
    "python": "python",
    "node": "node",
    "nodejs": "node",
    "javascript": "node",
    "typescript": "node",
    "java": "java",
    "kotlin": "kotlin",
    "rust": "rust",
    "c++": "cpp",
    "cpp": "cpp",
    "cplusplus": "cpp",
    "dart": "dart",
    "bun": "bun",
    "c#": "dotnet",
    "c#net": "dotnet",
    "csharp": "dotnet",
    "net": "dotnet",
    "dotnet": "dotnet",
    "netcore": "dotnet",
    "go": "go",
    "golang": "go",
    "ruby": "ruby",
    "php": "php",
}


# Framework or tool name → the language it implies, and whether it is a server-side framework.
_FRAMEWORKS: dict[str, tuple[RuntimeLanguage, bool]] = {
    "django": ("python", True),
    "fastapi": ("python", True),
    "flask": ("python", True),
    "pytorch": ("python", True),
    "celery": ("python", True),
    "sqlalchemy": ("python", True),
    "pytest": ("python", False),
    "express": ("node", True),
    "nestjs": ("node", True),
    "nextjs": ("node", False),
    "next": ("node", False),
    "react": ("node", False),
    "reactnative": ("node", False),
    "reactnativeexpo": ("node", False),
    "expo": ("node", False),
    "vue": ("node", False),
    "vuejs": ("node", False),
    "angular": ("node", False),
    "svelte": ("node", False),
    "prisma": ("node", True),
    "jest": ("node", False),
    "vitest": ("node", False),
    "cypress": ("node", False),
    "playwright": ("node", False),
    "springboot": ("java", True),
    "spring": ("java", True),
    "hibernate": ("java", True),
    "quarkus": ("java", True),
    "flyway": ("java", True),
    "junit": ("java", False),
    "aspnetcore": ("dotnet", True),
    "aspnet": ("dotnet", True),
    "entityframework": ("dotnet", True),
    "efcore": ("dotnet", True),
    "masstransit": ("dotnet", True),
    "gin": ("go", True),
    "rails": ("ruby", True),
    "rubyonrails": ("ruby", True),
    "laravel": ("php", True),
    "symfony": ("php", True),
    "flutter": ("dart", False),  # a client framework: a backend beside it is the service to deploy
    "qt": ("cpp", True),
    "qt5": ("cpp", True),
    "qt6": ("cpp", True),
    "cmake": ("cpp", False),
    "ktor": ("kotlin", True),
    "actix": ("rust", True),
    "actixweb": ("rust", True),
    "axum": ("rust", True),
    "tokio": ("rust", True),
    "rocket": ("rust", True),
    "sqlx": ("rust", True),
    "diesel": ("rust", True),
    "cargo": ("rust", False),
    "echo": ("go", True),
    "fiber": ("go", True),
    "chi": ("go", True),
    "gorm": ("go", True),
    "sinatra": ("ruby", True),
    "rspec": ("ruby", False),
    "elysia": ("bun", True),
    "hono": ("node", True),
    "fastify": ("node", True),
    "electron": ("node", True),
    "springcloud": ("java", True),
    "micronaut": ("java", True),
    "vertx": ("java", True),
    "dropwizard": ("java", True),
    "nuxt": ("node", False),
    "remix": ("node", False),
    "sveltekit": ("node", False),
    "koa": ("node", True),
    "blazor": ("dotnet", True),
    "maui": ("dotnet", False),
    "jetpackcompose": ("kotlin", False),
    "gradle": ("java", False),
    "maven": ("java", False),
    "composer": ("php", False),
    "phpunit": ("php", False),
    "codeigniter": ("php", True),
}


def language_of(name: str) -> RuntimeLanguage | None:
    """Return the language a stack item's name denotes (``Python``, ``Node.js``, ``.NET``…)."""
    key = norm(name)
    if key in _LANGUAGE_ALIASES:
        return _LANGUAGE_ALIASES[key]
    for alias, lang in _LANGUAGE_ALIASES.items():
        if len(alias) > 2 and key.startswith(alias) and key[len(alias) :].isdigit():
            return lang
    return None


def framework_language(name: str) -> tuple[RuntimeLanguage, bool] | None:
    """(language, is_server_side) implied by a framework or tool name, or ``None``."""
    key = norm(name)
    if key in _FRAMEWORKS:
        return _FRAMEWORKS[key]
    key = re.sub(r"\d+$", "", key)
    return _FRAMEWORKS.get(key)


# Multi-stage container images per toolchain: (build stage, run stage). Compiled languages run on a
# distroless base with no shell or package manager; interpreted ones on the slim official runtime.
BASE_IMAGES: dict[RuntimeLanguage, tuple[str, str]] = {
    "node": ("node:22-bookworm-slim", "node:22-bookworm-slim"),
    "bun": ("oven/bun:1", "oven/bun:1-slim"),
    "python": ("python:3.12-slim", "python:3.12-slim"),
    "java": ("eclipse-temurin:21-jdk", "eclipse-temurin:21-jre"),
    "kotlin": ("eclipse-temurin:21-jdk", "eclipse-temurin:21-jre"),
    "dotnet": ("mcr.microsoft.com/dotnet/sdk:8.0", "mcr.microsoft.com/dotnet/aspnet:8.0"),
    "go": ("golang:1.24", "gcr.io/distroless/static-debian12"),
    "rust": ("rust:1", "gcr.io/distroless/cc-debian12"),
    "cpp": ("gcc:14", "gcr.io/distroless/cc-debian12"),
    "ruby": ("ruby:3.3", "ruby:3.3-slim"),
    "php": ("composer:2", "php:8.3-fpm-alpine"),
    "dart": ("dart:stable", "scratch (with the Dart AOT runtime files)"),
    "other": ("debian:bookworm", "debian:bookworm-slim"),
}

# How the weekly dependency review updates each toolchain's lockfile (the changes go through CI).
UPDATE_COMMANDS: dict[RuntimeLanguage, str] = {
    "node": "npm update",
    "bun": "bun update",
    "python": "pip-compile --upgrade (or the project's lock tool)",
    "java": "./mvnw versions:use-latest-releases",
    "kotlin": "./gradlew dependencyUpdates",
    "dotnet": "dotnet outdated",
    "go": "go get -u ./... && go mod tidy",
    "rust": "cargo update",
    "cpp": "the vcpkg/Conan baseline bump",
    "ruby": "bundle update --conservative",
    "php": "composer update",
    "dart": "flutter pub upgrade",
    "other": "make update",
}
