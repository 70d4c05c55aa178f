"""Toolchains the offline engine sets up in CI: the runtime comes from the QA stack, never a default.

Each case is a small synthetic QA handoff naming one stack the way real documents do (a language,
a framework, or only the command QA ran). The CI YAML is parsed and its ``run:`` steps and pinned
``uses:`` actions checked, so a wrong toolchain, an unpinned action or a Node.js default shows up.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from opsrelay.agents.devops import decide_offline, render_offline, write_section_offline
from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.writers.cicd import gitlab_ci_yaml
from opsrelay.facts.model import Evidence, QAFacts, StackItem
from opsrelay.facts.model import TestCommand as QACommand

YAML_BLOCK = re.compile(r"```ya?ml\n(.*?)```", re.S)
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def _ev(line: int, text: str) -> Evidence:
    return Evidence(source="qa.md", line=line, text=text)


def _facts(stack: list[tuple[str, str, str | None]], commands: list[str]) -> QAFacts:
    return QAFacts(
        source_name="qa.md",
        source_sha256="0" * 64,
        stack=[
            StackItem(name=n, kind=k, version=v, evidence=_ev(i + 2, f"{n} {v or ''}"))  # type: ignore[arg-type]
            for i, (n, k, v) in enumerate(stack)
        ],
        test_commands=[QACommand(command=c, evidence=_ev(20 + i, c)) for i, c in enumerate(commands)],
    )


def _pipeline(facts: QAFacts) -> dict[str, Any]:
    md = write_section_offline("cicd_pipeline", facts, decide_offline(facts))
    loaded = yaml.safe_load(YAML_BLOCK.findall(md)[0])
    assert isinstance(loaded, dict)
    return loaded


def _test_job(pipeline: dict[str, Any]) -> tuple[list[str], list[str]]:
    steps = pipeline["jobs"]["test"]["steps"]
    runs = [line.strip() for s in steps if "run" in s for line in str(s["run"]).splitlines() if line.strip()]
    uses = [str(s["uses"]) for s in steps if "uses" in s]
    return runs, uses


# (stack, QA commands, expected language, setup action or None, commands that must run in CI)
CASES: list[tuple[str, list[tuple[str, str, str | None]], list[str], str, str | None, list[str]]] = [
    (
        "rust-cargo",
        [("Rust", "language", "1.85")],
        ["cargo test --workspace"],
        "rust",
        "dtolnay/rust-toolchain",
        ["cargo fetch --locked", "cargo clippy", "cargo test --workspace", "cargo audit"],
    ),
    (
        "rust-only-command",
        [],
        ["cargo test"],
        "rust",
        "dtolnay/rust-toolchain",
        ["cargo clippy", "cargo test"],
    ),
    (
        "go",
        [("Go", "language", "1.23")],
        ["go test ./..."],
        "go",
        "actions/setup-go",
        ["go mod download", "go vet ./...", "go test ./...", "govulncheck"],
    ),
    (
        "cpp-qt",
        [("C++", "language", None), ("Qt", "framework", "6.5"), ("CMake", "tool", None)],
        ["ctest --test-dir build"],
        "cpp",
        None,
        ["qt6-base-dev", "cmake -S . -B build", "cmake --build build", "ctest --test-dir build"],
    ),
    (
        "flutter",
        [("Dart", "language", None), ("Flutter", "framework", "3.24")],
        ["flutter test"],
        "dart",
        "subosito/flutter-action",
        ["flutter pub get", "flutter analyze", "flutter test"],
    ),
    (
        "ruby-rails",
        [("Ruby", "language", "3.3"), ("Rails", "framework", None)],
        ["bundle exec rspec"],
        "ruby",
        "ruby/setup-ruby",
        ["bundle install", "bundle exec rubocop", "bundle exec rspec", "bundle-audit check"],
    ),
    (
        "bun",
        [("TypeScript", "language", None), ("Bun", "language", "1.2")],
        ["bun test"],
        "bun",
        "oven-sh/setup-bun",
        ["bun install --frozen-lockfile", "bun test", "bun audit"],
    ),
    (
        "kotlin-spring",
        [("Kotlin", "language", None), ("Spring Boot", "framework", None), ("Gradle", "tool", None)],
        ["./gradlew test"],
        "kotlin",
        "actions/setup-java",
        ["./gradlew --no-daemon dependencies", "./gradlew test", "dependencyCheckAnalyze"],
    ),
    (
        "java-maven",
        [("Java", "language", "17"), ("Spring Boot", "framework", None)],
        ["mvn test"],
        "java",
        "actions/setup-java",
        ["mvn -B -ntp dependency:go-offline", "mvn test"],
    ),
    (
        "python",
        [("Python", "language", "3.12"), ("FastAPI", "framework", None)],
        ["pytest -q"],
        "python",
        "actions/setup-python",
        ["pytest -q", "pip-audit"],
    ),
    (
        "php-laravel",
        [("PHP", "language", "8.3"), ("Laravel", "framework", None)],
        ["php artisan test"],
        "php",
        None,
        ["composer install", "php artisan test", "composer audit"],
    ),
    (
        "dotnet",
        [("C#", "language", None), ("ASP.NET Core", "framework", None)],
        ["dotnet test"],
        "dotnet",
        "actions/setup-dotnet",
        ["dotnet restore", "dotnet test", "--vulnerable"],
    ),
    (
        "node",
        [("Node.js", "language", "20"), ("Express", "framework", None)],
        ["npm test"],
        "node",
        "actions/setup-node",
        ["npm ci", "npm test", "npm audit"],
    ),
]


@pytest.mark.parametrize(
    ("stack", "commands", "language", "action", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_runtime_and_ci_follow_the_qa_stack(
    stack: list[tuple[str, str, str | None]],
    commands: list[str],
    language: str,
    action: str | None,
    expected: list[str],
) -> None:
    facts = _facts(stack, commands)
    decisions = decide_offline(facts)
    assert decisions.runtimes[0].language == language
    assert all(r.language != "node" for r in decisions.runtimes) or language in ("node", "bun")
    runs, uses = _test_job(_pipeline(facts))
    joined = "\n".join(runs)
    for fragment in expected:
        assert fragment in joined, (fragment, runs)
    for u in uses:
        assert SHA_PIN.match(u), u
    repos = [u.split("@")[0] for u in uses]
    if action is not None:
        assert action in repos
    assert "actions/setup-node" not in repos or language == "node"


def test_versions_come_from_the_qa_stack() -> None:
    rust = decide_offline(_facts([("Rust", "language", "1.85")], ["cargo test"]))
    assert rust.runtimes[0].version == "1.85"
    assert rust.runtimes[0].basis == "qa_fact"
    flutter = decide_offline(_facts([("Flutter", "framework", "3.24")], ["flutter test"]))
    assert flutter.runtimes[0].version == "3.24"
    steps = _pipeline(_facts([("Flutter", "framework", "3.24")], ["flutter test"]))["jobs"]["test"]["steps"]
    flutter_step = next(s for s in steps if "flutter-action" in str(s.get("uses", "")))
    assert flutter_step["with"]["flutter-version"] == "3.24"


def test_plain_dart_is_not_flutter() -> None:
    d = decide_offline(_facts([("Dart", "language", "3.5")], ["dart test"]))
    assert d.runtimes[0].install_command == "dart pub get"
    assert d.runtimes[0].display.startswith("Dart ")


def test_a_test_command_outranks_an_incidental_client_language() -> None:
    # A Go service whose QA report also mentions a React dashboard: CI is Go first.
    facts = _facts([("React", "framework", None)], ["go test ./..."])
    assert decide_offline(facts).runtimes[0].language == "go"


def test_load_test_commands_do_not_pick_the_runtime() -> None:
    facts = _facts([("Rust", "language", None)], ["npx artillery run load.yml", "cargo test"])
    assert [r.language for r in decide_offline(facts).runtimes] == ["rust"]


def test_every_setup_action_is_pinned_to_a_full_sha() -> None:
    for profile in kb.RUNTIMES.values():
        if profile.setup is not None:
            assert re.fullmatch(r"[0-9a-f]{40}", profile.setup.sha), profile.setup
            assert profile.setup.tag


@pytest.mark.parametrize("language", ["rust", "dart", "bun", "kotlin", "cpp"])
def test_gitlab_images_exist_for_new_toolchains(language: str) -> None:
    stack = {
        "rust": [("Rust", "language", None)],
        "dart": [("Flutter", "framework", None)],
        "bun": [("Bun", "language", None)],
        "kotlin": [("Kotlin", "language", None)],
        "cpp": [("C++", "language", None)],
    }[language]
    facts = _facts([*stack, ("GitLab CI", "ci", None)], [])
    text = gitlab_ci_yaml(decide_offline(facts))
    pipeline = yaml.safe_load(text)
    assert pipeline["test"]["image"]
    assert kb.RUNTIMES[language].default_test.split()[0] in " ".join(pipeline["test"]["script"])


def test_image_and_dependency_updates_follow_the_toolchain() -> None:
    md = render_offline(_facts([("Rust", "language", None)], ["cargo test"]), date="2026-01-01")
    assert "`rust:1`" in md and "gcr.io/distroless/cc-debian12" in md
    runbooks = md[md.index("## Operational Runbooks") : md.index("## Quality Gates")]
    assert "`cargo update`" in runbooks
    assert "npm " not in md and "Node.js" not in md  # never a Node default beside Rust
