"""Deployable services of a multi-service system, each with its own runtime."""

from __future__ import annotations

import re
from collections.abc import Sequence

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.common import AssumptionLog, refs
from opsrelay.agents.devops.decisions import RuntimeDecision, RuntimeLanguage, ServiceUnit
from opsrelay.facts.model import QAFacts

MAX_SERVICES = 12


def _language(runtime: str | None) -> RuntimeLanguage | None:
    """Toolchain family of a service runtime as the facts name it ('Java', 'Go', 'Spring Boot'…)."""
    if not runtime:
        return None
    lang = kb.language_of(runtime)
    if lang is not None:
        return lang
    implied = kb.framework_language(runtime)
    return implied[0] if implied else None


def decide_services(
    facts: QAFacts, runtimes: Sequence[RuntimeDecision], notes: AssumptionLog
) -> list[ServiceUnit]:
    """One unit per service QA reports when it reports two or more (else empty: one deploy unit).

    A service without a runtime of its own gets the application's main toolchain, recorded as an
    assumption. Services keep QA's order and status (a failing service is named in the gate).
    """
    seen: set[str] = set()
    named = []
    for s in facts.services:
        key = re.sub(r"[^a-z0-9]", "", s.name.lower())
        if key and key not in seen:
            seen.add(key)
            named.append(s)
    if len(named) < 2:
        return []
    primary = runtimes[0] if runtimes else None
    units: list[ServiceUnit] = []
    assumed: list[str] = []
    for s in named[:MAX_SERVICES]:
        lang = _language(s.runtime)
        if lang is not None:
            profile = kb.RUNTIMES[lang]
            same = next((r for r in runtimes if r.language == lang), None)
            display = same.display if same else f"{profile.label} {profile.default_version}"
            units.append(
                ServiceUnit(
                    name=s.name,
                    language=lang,
                    runtime=display,
                    status=s.status,
                    basis="qa_fact",
                    evidence=refs([s.evidence]),
                )
            )
            continue
        assumed.append(s.name)
        units.append(
            ServiceUnit(
                name=s.name,
                language=primary.language if primary else "other",
                runtime=primary.display if primary else "application toolchain (make)",
                status=s.status,
                basis="assumption",
                evidence=refs([s.evidence]),
            )
        )
    if assumed:
        notes.add(
            "Service runtimes",
            f"{', '.join(assumed)} use{'s' if len(assumed) == 1 else ''} the main toolchain "
            f"({primary.display if primary else 'make'}).",
            "QA names these services but not their language; the main application's toolchain is the "
            "likeliest. Correct it per service.",
        )
    notes.add(
        "Service layout",
        "Each service lives in a directory named after it, with its own Dockerfile, and is built, tested "
        "and deployed as its own unit.",
        "QA reports the services separately but not the repository layout; one directory per service is "
        "the common monorepo convention.",
    )
    return units
