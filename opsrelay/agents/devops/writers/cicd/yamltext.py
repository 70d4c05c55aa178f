"""Writing YAML text safely: scalar quoting, ``run`` steps, checkout, harmless-command checks."""

from __future__ import annotations

import re

from opsrelay.agents.devops import knowledge as kb

_PLAIN = re.compile(r"^[A-Za-z_./][A-Za-z0-9 _./@=+,():-]*$")


def plain_ok(value: str) -> bool:
    """Whether ``value`` can be written as a plain YAML scalar without changing its meaning."""
    return (
        bool(_PLAIN.match(value))
        and ": " not in value
        and not value.endswith(":")
        and value.lower() not in ("true", "false", "yes", "no", "on", "off", "null", "~")
    )


def yq(value: str) -> str:
    """Quote a YAML scalar: plain when unambiguous, else single-quoted."""
    if plain_ok(value):
        return value
    return "'" + value.replace("'", "''") + "'"


def safe_cmd(command: str, fallback: str) -> str:
    """Commands in decisions that are not ours are only used when they look harmless."""
    bad = ("`", "$(", "curl", "wget", "|", ";", ">", "<", "--insecure", "chmod", "rm ")
    return fallback if any(b in command for b in bad) or "\n" in command else command


def run_step(name: str, command: str, *, workdir: str | None = None, indent: int = 6) -> list[str]:
    """A ``run`` step named ``name``, as a block scalar when the command is not a safe plain scalar."""
    pad = " " * indent
    lines = [f"{pad}- name: {yq(name)}"]
    if plain_ok(command) and " #" not in command:
        lines.append(f"{pad}  run: {command}")
    else:
        lines += [f"{pad}  run: |", f"{pad}    {command}"]
    if workdir:
        lines.append(f"{pad}  working-directory: {yq(workdir)}")
    return lines


def checkout_steps() -> list[str]:
    """The pinned checkout step, without persisting the job token in the work tree."""
    return [
        f"      - uses: {kb.CHECKOUT.uses()} # {kb.CHECKOUT.tag}",
        "        with:",
        "          persist-credentials: false",
    ]
