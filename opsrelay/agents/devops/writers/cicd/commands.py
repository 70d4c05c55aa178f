"""The test commands the pipeline runs, re-vetted (decisions may come from a model)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions, TestCommandDecision, TestStage
from opsrelay.agents.devops.safety import vet_test_command
from opsrelay.agents.devops.writers.common import code, grounded


@dataclass(frozen=True)
class CICommand:
    """A vetted test command plus what the pipeline must provide to it."""

    command: str
    working_directory: str | None
    secret_env: tuple[str, ...]
    from_qa: bool
    stage: TestStage


def ci_test_commands(d: Decisions, stage: TestStage | None = "ci") -> list[CICommand]:
    """Return the decided test commands of ``stage`` (all stages for None), re-vetted.

    Decisions may come from a model, so every command is vetted again here. When no command of
    stage ``ci`` survives, the primary toolchain's default test command is used.
    """
    out: list[CICommand] = []
    for tc in d.test_commands:
        if stage is not None and tc.stage != stage:
            continue
        raw = tc.command if tc.working_directory is None else f"cd {tc.working_directory} && {tc.command}"
        vetted = vet_test_command(raw)
        if vetted is None:
            continue
        names = [n for n in (*vetted.secret_env, *tc.secret_env) if re.fullmatch(r"[A-Z][A-Z0-9_]{1,63}", n)]
        item = CICommand(
            vetted.command,
            vetted.working_directory,
            tuple(dict.fromkeys(names)),
            tc.basis == "qa_fact",
            tc.stage,
        )
        if item not in out:
            out.append(item)
    if stage == "ci" and not out:
        primary = d.runtimes[0].language if d.runtimes else "other"
        out.append(CICommand(kb.RUNTIMES[primary].default_test, None, (), False, "ci"))
    return out


def describe_tests(commands: Sequence[TestCommandDecision]) -> str:
    """Inline list of test commands with their grounding."""
    return ", ".join(f"{code(c.command)}{grounded(c.basis, c.evidence, 1)}" for c in commands)
