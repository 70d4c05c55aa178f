"""Deployment Strategy fields for distributed software: release promotion, yank/halt, device data.

A registry, a store or a device fleet cannot "roll back" the way a platform returns to the previous
image. What each channel really offers is stated: registries yank or deprecate a version and a
patch release supersedes it; stores halt a staged rollout and a hotfix with a higher version code
replaces it; update feeds stop offering a version; OTA fleets halt the campaign and devices fall
back to the previous A/B slot.
"""

from __future__ import annotations

from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.common import ASSUMED, code, esc, field, grounded, sub

# How a published library version is withdrawn on each registry.
_YANK: dict[str, str] = {
    "rust": "cargo yank --version X.Y.Z",
    "node": 'npm deprecate <package>@X.Y.Z "regression: upgrade to X.Y.Z+1"',
    "bun": 'npm deprecate <package>@X.Y.Z "regression: upgrade to X.Y.Z+1"',
    "ruby": "gem yank <gem> --version X.Y.Z",
    "dotnet": "dotnet nuget delete <package> X.Y.Z --source https://api.nuget.org/v3/index.json",
    "go": "a 'retract vX.Y.Z' directive in go.mod, published in the next patch tag",
    "python": "the PyPI 'yank' action on the release (pip then skips it unless pinned)",
}


def client_intro(d: Decisions, system: str, commands: str, from_qa: bool) -> str:
    """The paragraph above the Build Pipeline YAML."""
    how = "exactly as QA ran them" if from_qa else ASSUMED
    return (
        f"{system}{grounded(d.ci.basis, d.ci.evidence)} runs lint, the tests ({commands}) {how} and the "
        f"dependency scans on every push. A version tag (vX.Y.Z) starts the release of this "
        f"{esc(d.delivery.label, 60)}: {esc(d.delivery.artefacts, 200)}, published to "
        + "; ".join(esc(c, 160) for c in d.delivery.channels)
        + ". Nothing reaches users without a required reviewer on the `production` environment."
    )


def client_deployment_fields(d: Decisions, gate_text: str) -> list[str]:
    """Staging Deployment, Production Deployment (with steps), Rollback Strategy, Database Migrations."""
    kind = d.delivery.kind
    lang = d.runtimes[0].language if d.runtimes else "other"
    staging = {
        "library": "Pre-release tags (vX.Y.Z-rc.N) run the same `release` job and publish a pre-release "
        "that consumers opt into; the test job runs on every push to develop.",
        "cli": "Pre-release tags (vX.Y.Z-rc.N) publish draft/pre-release binaries the team installs; the "
        "test job runs on every push to develop.",
        "mobile": "Automatic deployment on a version tag to the testing tracks ("
        + " and ".join(
            t
            for t, store in (("the Google Play internal track", "Google Play"), ("TestFlight", "App Store"))
            if any(store in c for c in d.delivery.channels)
        )
        + ", `staging` environment); testers run the device checklist there.",
        "desktop": "Automatic deployment on a version tag to the beta auto-update channel (`release-beta`, "
        "`staging` environment).",
        "embedded": "Automatic deployment on a version tag to lab devices and the canary device group "
        "(`release-canary`, `staging` environment).",
    }[kind]
    production = {
        "library": "Manual approval required: the `release` job waits for a required reviewer on the "
        "`production` environment, then publishes the tagged version.",
        "cli": "Manual approval required: the `release` job waits for a required reviewer on the "
        "`production` environment, then publishes the signed binaries.",
        "mobile": "Manual approval required for each rollout step: `promote-production` (run by hand with "
        "the rollout fraction) waits for a required reviewer on the `production` environment.",
        "desktop": "Manual approval required: `promote-stable` moves the tagged release to the stable "
        "channel after a required reviewer approves on `production`.",
        "embedded": "Manual approval required for each fleet wave: `fleet-wave` waits for a required "
        "reviewer on the `production` environment.",
    }[kind]
    if kind == "library":
        yank = _YANK.get(lang)
        if yank is None:
            mechanism = (
                "mark the bad version as broken in the release notes (the registry keeps it immutable)"
            )
        elif yank.startswith(("cargo", "npm", "gem", "dotnet")):
            mechanism = f"withdraw the bad version with {code(yank)}"
        else:
            mechanism = f"withdraw the bad version ({esc(yank, 160)})"
        rollback = [
            sub(
                f"Published versions are immutable: {mechanism}, then publish a patch release built from the "
                "previous release's code plus the fix; consumers on a lockfile keep the version they have."
            ),
            sub("The GitHub release of the bad version is edited to say which version supersedes it."),
        ]
    elif kind == "cli":
        rollback = [
            sub(
                "Point users back at the previous release: "
                + code('gh release edit "$BAD_TAG" --prerelease')
                + " removes it from 'latest' so installers and package managers pick the previous release; "
                "revert the Homebrew/Scoop manifests to the previous checksums."
            ),
            sub("Then ship a patch release (vX.Y.Z+1) through the normal pipeline."),
        ]
    elif kind == "mobile":
        rollback = [
            sub(
                "Stores cannot roll a release back. Halt the Google Play staged rollout ("
                + code('fastlane supply --track production --release_status halted --package_name "$PKG"')
                + ") and pause the App Store phased release; users who already updated keep the build."
            ),
            sub(
                "Ship a hotfix build with a higher version code through internal testing at an accelerated "
                "pace; server-side feature flags switch a broken feature off without a new binary."
            ),
        ]
    elif kind == "desktop":
        rollback = [
            sub(
                "Stop offering the bad version: "
                + code('gh release edit "$BAD_TAG" --prerelease')
                + " takes it off the stable feed; auto-updaters do not downgrade, so ship the previous "
                "release's code as a higher version."
            ),
        ]
    else:
        rollback = [
            sub(
                "Halt the OTA campaign in the OTA service; devices whose new image fails to boot or pass its "
                "health check fall back to the previous A/B slot on their own."
            ),
            sub(
                "Re-target the affected device groups to the previous image version (it stays in the OTA "
                "artefact store), then ship a fixed image through the canary group."
            ),
        ]
    lines = [
        "### Deployment Strategy",
        field("Staging Deployment", staging),
        field(
            "Production Deployment",
            f"{production} {d.deployment.strategy.capitalize()} path"
            f"{grounded(d.deployment.basis, d.deployment.evidence)}. {gate_text}",
        ),
    ]
    for i, s in enumerate(d.deployment.steps, 1):
        lines.append(f"  {i}. {esc(s, 300)}")
    lines.append(
        field(
            "Rollback Strategy",
            f"Act when {esc(d.deployment.rollback_trigger, 300)}; what the channel allows:",
        )
    )
    lines += rollback
    dbs = [esc(ds.name) for ds in d.datastores]
    if dbs:
        lines += [
            field(
                "Database Migrations",
                f"{', '.join(dbs)} lives on users' devices: schema changes ship inside the release as "
                "versioned, forward-only migrations that are backward compatible with the data the previous "
                f"version wrote {ASSUMED}.",
            ),
            sub(
                "Every release is tested upgrading from the last two released versions with a populated "
                "database; a migration never drops user data, and a failed migration keeps the old schema "
                "and reports the error."
            ),
        ]
    else:
        lines.append(
            field(
                "Database Migrations",
                "No database appears in the QA evidence and the software runs no server-side database, so "
                "there are no schema migrations to run.",
            )
        )
    return lines
