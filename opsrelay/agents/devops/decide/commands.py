"""Test commands CI runs, copied from QA after vetting, with the stage each one runs in."""

from __future__ import annotations

import re
from collections.abc import Sequence

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.common import MAX_TEST_COMMANDS, AssumptionLog, refs
from opsrelay.agents.devops.decisions import RuntimeDecision, TestCommandDecision, TestStage
from opsrelay.agents.devops.safety import vet_test_command
from opsrelay.facts.model import QAFacts


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


def decide_test_commands(
    facts: QAFacts, runtimes: Sequence[RuntimeDecision], notes: AssumptionLog
) -> list[TestCommandDecision]:
    """Vetted QA test commands with their stage, or the stack's default test command."""
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
                evidence=refs([tc.evidence]),
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
    elif primary.language == "dart" and primary.install_command.startswith("dart "):
        command = "dart test"
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
