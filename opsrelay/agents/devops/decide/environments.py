"""Deployment environments: production, staging and development."""

from __future__ import annotations

from opsrelay.agents.devops.decide.common import AssumptionLog, refs
from opsrelay.agents.devops.decisions import EnvironmentDecision, EnvName
from opsrelay.facts.model import QAFacts

# What each environment means for software that is distributed rather than deployed.
_CLIENT_PURPOSES: dict[str, dict[EnvName, str]] = {
    "library": {
        "production": "Published releases on the package registry that consumers depend on.",
        "staging": "Pre-releases (vX.Y.Z-rc.N) on the registry that early adopters opt into.",
        "development": "Local development and CI builds of every branch; nothing is published.",
    },
    "cli": {
        "production": "Published GitHub releases and package-manager entries users install from.",
        "staging": "Draft and pre-release (vX.Y.Z-rc.N) builds, installed by the team and testers.",
        "development": "Local builds and CI artefacts of every branch; nothing is published.",
    },
    "mobile": {
        "production": "The store production track (staged rollout to real users).",
        "staging": "Store testing tracks: Google Play internal/closed testing and TestFlight.",
        "development": "Debug builds on emulators, simulators and team devices.",
    },
    "desktop": {
        "production": "The stable auto-update channel.",
        "staging": "The beta auto-update channel (opt-in testers).",
        "development": "Local and CI builds; unsigned or development-signed.",
    },
    "embedded": {
        "production": "The device fleet, updated over the air in waves.",
        "staging": "Lab devices and the canary device group.",
        "development": "Developer boards, emulators and bench devices.",
    },
}


def decide_environments(
    facts: QAFacts, service: str, notes: AssumptionLog, kind: str = "service"
) -> list[EnvironmentDecision]:
    """Production, staging and development, grounded where QA names them."""
    purposes: dict[EnvName, str] = {
        "production": "Serves real users; changes arrive only through the approved pipeline.",
        "staging": "Pre-production copy of production at reduced size; every main-branch build is "
        "verified here.",
        "development": "Local and shared development; containers started with Docker Compose.",
    }
    purposes = _CLIENT_PURPOSES.get(kind, purposes)
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
                    evidence=refs(e.evidence for e in exact),
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
