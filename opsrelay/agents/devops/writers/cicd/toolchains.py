"""Toolchain set-up steps in CI: setup actions pinned by SHA and their versions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import RuntimeDecision
from opsrelay.agents.devops.writers.common import esc, grounded

_VERSION = re.compile(r"^\d+(\.\d+){0,2}(\.x)?$")


def toolchain_version(rt: RuntimeDecision) -> str:
    """The runtime's version when it looks like a version number, else the toolchain default."""
    version = rt.version.strip().lstrip("vV")
    return version if _VERSION.match(version) else kb.RUNTIMES[rt.language].default_version


def setup_steps(rt: RuntimeDecision, *, cache: bool = True) -> list[str]:
    """The pinned setup-action step of a runtime (none for toolchains without a setup action).

    ``cache=False`` for workflows that publish releases: a cache written by one run and restored
    by a release build is a cache-poisoning path (zizmor's ``cache-poisoning`` audit), so those
    workflows build from a clean toolchain, and setup-go, which caches by default, is told not to.
    """
    profile = kb.RUNTIMES[rt.language]
    version = toolchain_version(rt)
    if profile.setup is None:
        return []
    lines = [
        f"      - name: Set up {profile.label} {version}",
        f"        uses: {profile.setup.uses()} # {profile.setup.tag}",
        "        with:",
        f"          {profile.version_input}: '{version}'",
    ]
    if not cache:
        if rt.language in ("java", "kotlin"):
            lines.insert(3, "          distribution: temurin")
        elif rt.language == "rust":
            lines.append("          components: clippy")
        elif rt.language == "go":
            lines.append("          cache: false")
        elif rt.language == "dart":
            lines.append("          channel: stable")
        return lines
    if rt.language in ("java", "kotlin"):
        lines.insert(3, "          distribution: temurin")
        lines.append(
            "          cache: gradle" if "gradlew" in rt.install_command else "          cache: maven"
        )
    elif rt.language == "node":
        if "pnpm" in rt.install_command:
            pass
        elif "yarn" in rt.install_command:
            lines.append("          cache: yarn")
        else:
            lines.append("          cache: npm")
    elif rt.language == "python":
        lines.append("          cache: pip")
    elif rt.language == "rust":
        lines.append("          components: clippy")
    elif rt.language == "ruby":
        lines.append("          bundler-cache: true")
    elif rt.language == "dart":
        lines += ["          channel: stable", "          cache: true"]
    return lines


def setup_node_default() -> list[str]:
    """Node.js set-up and ``npm ci`` for jobs that run the mobile tooling."""
    return [
        "      - name: Set up Node.js",
        f"        uses: {kb.SETUP_NODE.uses()} # {kb.SETUP_NODE.tag}",
        "        with:",
        "          node-version: '22'",
        "          cache: npm",
        "      - name: Install dependencies",
        "        run: npm ci",
    ]


def describe_runtimes(runtimes: Sequence[RuntimeDecision]) -> str:
    """E.g. ``Python 3.11 (FastAPI) (QA: …)``."""
    parts = [f"{esc(rt.display, 120)}{grounded(rt.basis, rt.evidence, 1)}" for rt in runtimes]
    return ", ".join(parts)
