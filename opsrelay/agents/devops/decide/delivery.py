"""The kind of software and its release path: deployed to a platform, or distributed to its users.

The kind comes from the QA facts (``software_kind``, with its evidence); an unknown kind is taken to
be a network service and recorded as an assumption. The kind then decides the release path: the
channels a release is published to, the signals that say it is healthy in the field, the rollout
steps and the rollback, each from :mod:`opsrelay.agents.devops.kinds`.
"""

from __future__ import annotations

from collections.abc import Sequence

from opsrelay.agents.devops import kinds
from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.common import AssumptionLog, refs
from opsrelay.agents.devops.decisions import (
    Basis,
    CloudProvider,
    DeliveryDecision,
    DeliveryKind,
    EvidenceRef,
    HostingDecision,
    PlatformDecision,
    RecoveryDecision,
    RuntimeDecision,
    StrategyDecision,
)
from opsrelay.facts.model import QAFacts


def decide_kind(facts: QAFacts, notes: AssumptionLog) -> tuple[DeliveryKind, Basis, list[EvidenceRef]]:
    """(kind, basis, evidence): the kind QA shows, else a network service recorded as an assumption."""
    value = facts.software_kind.value
    also = list(getattr(facts.software_kind, "also", []))
    if value == "mobile" and ("service" in also or _server_state(facts)):
        # A mobile app with its own backend: the backend is deployed as a service and the app ships
        # through the stores beside it (the platform decision carries the store release).
        notes.add(
            "Kind of software",
            "A mobile app and its backend: the backend is deployed as a network service, the app is "
            "released through the app stores.",
            "QA tests both the app and server-side components (a backend datastore or service).",
        )
        return "service", "qa_fact", refs(facts.software_kind.evidence)
    if value != "unknown":
        return value, "qa_fact", refs(facts.software_kind.evidence)
    notes.add(
        "Kind of software",
        "The software is a network service deployed to a runtime platform.",
        "The QA document does not show what kind of software it tests (service, library, command-line "
        "tool, mobile, desktop or embedded app, data pipeline, distributed node); a service is the most "
        "common case. Correct this and the release path changes with it.",
    )
    return "service", "assumption", []


# Datastores that live inside an app on the device; anything else is server-side state.
_ON_DEVICE = ("sqlite", "realm", "hive", "isar", "objectbox", "coredata", "room", "sembast", "drift")


def _server_state(facts: QAFacts) -> bool:
    """Whether QA names a datastore that only a server would run (PostgreSQL, Redis, Kafka…)."""
    return any(not kb.norm(s.name).startswith(_ON_DEVICE) for s in facts.datastores)


def mobile_platforms(facts: QAFacts) -> tuple[bool, bool]:
    """(Android, iOS) targets of a mobile app, as QA shows them (both when QA shows neither)."""
    # The "TestFlight/App Store" stack label is the extractor's name, not what QA wrote; its evidence is.
    texts = [s.name for s in facts.stack if s.name != "TestFlight/App Store"]
    texts += [s.evidence.text for s in facts.stack]
    texts += [e.text for e in facts.software_kind.evidence]
    if facts.title:
        texts.append(facts.title.value)
    android = kinds.has_mention(texts, kinds.ANDROID_WORDS)
    # "App Store Metrics" in an Android report means the stores in general; only iOS words make it iOS.
    ios = kinds.has_mention(texts, kinds.IOS_ONLY_WORDS) or (
        not android and kinds.has_mention(texts, kinds.IOS_WORDS)
    )
    return (android, ios) if android or ios else (True, True)


def _channels(
    kind: DeliveryKind, facts: QAFacts, runtimes: Sequence[RuntimeDecision], platform: PlatformDecision
) -> list[str]:
    lang = runtimes[0].language if runtimes else "other"
    if kind == "library":
        registry = kinds.REGISTRIES[lang]
        return [registry.name, "GitHub Releases (changelog, SHA256SUMS and Sigstore signature)"]
    if kind == "cli":
        out = [
            "GitHub Releases: signed binaries for Linux (x86_64, arm64), macOS (arm64, x86_64) and Windows "
            "(x86_64) with SHA256SUMS, a Sigstore signature and an SBOM"
            if lang in kinds.COMPILED
            else "GitHub Releases: the package with SHA256SUMS, a Sigstore signature and an SBOM"
        ]
        if lang not in kinds.COMPILED or lang == "rust":
            out.append(f"{kinds.REGISTRIES[lang].name} ({kinds.REGISTRIES[lang].install_hint})")
        out.append("Homebrew tap and Scoop bucket updated from the release checksums")
        return out
    if kind == "mobile":
        android, ios = mobile_platforms(facts)
        out = []
        if android:
            out.append("Google Play: internal → closed testing → open testing → production (staged rollout)")
        if ios:
            out.append("Apple App Store: TestFlight → production with a 7-day phased release")
        return out
    if kind == "desktop":
        return [
            "Signed installers on GitHub Releases: Windows (MSIX/MSI), macOS (notarised DMG), Linux "
            "(AppImage/deb)",
            "Auto-update feed with a beta and a stable channel",
        ]
    if kind == "embedded":
        return [
            "OTA update service with device groups: lab devices, canary devices, then fleet waves",
            "Signed update images with A/B partitions (automatic fallback on a failed boot)",
        ]
    return [platform.service]


def decide_delivery(
    facts: QAFacts,
    *,
    kind: DeliveryKind,
    basis: Basis,
    evidence: list[EvidenceRef],
    runtimes: Sequence[RuntimeDecision],
    platform: PlatformDecision,
    notes: AssumptionLog,
) -> DeliveryDecision:
    """The release path for ``kind``: channels, field health signals and why."""
    profile = kinds.PROFILES[kind]
    channels = _channels(kind, facts, runtimes, platform)
    if kind not in ("service",) and basis == "qa_fact":
        notes.add(
            "Release channels",
            f"Releases of this {profile.label} go to: " + "; ".join(channels) + ".",
            "QA shows the kind of software but not where its releases are published; these are the "
            "standard channels for it.",
        )
    return DeliveryDecision(
        kind=kind,
        label=profile.label,
        artefacts=profile.artefacts,
        channels=channels,
        health_signals=list(profile.health_signals),
        rationale=profile.rationale,
        basis=basis,
        evidence=evidence,
    )


def client_hosting(facts: QAFacts, kind: DeliveryKind) -> HostingDecision:
    """Hosting of software that runs on its users' machines: none of the team's own."""
    label = kinds.PROFILES[kind].label
    return HostingDecision(
        provider="other",
        provider_name="no production servers",
        region="none",
        dr_region="none",
        rationale=f"A {label} runs in its users' processes, machines or devices; releases are hosted by "
        "the distribution channels.",
        basis="assumption",
        evidence=[],
    )


def client_platform(kind: DeliveryKind, basis: Basis, evidence: list[EvidenceRef]) -> PlatformDecision:
    """The 'platform' of distributed software: its release channels, not servers."""
    profile = kinds.PROFILES[kind]
    return PlatformDecision(
        kind="distribution",
        service=f"no servers: the {profile.label} is distributed to its users",
        mobile_release=None,
        rationale=profile.rationale,
        basis=basis,
        evidence=evidence,
    )


def node_platform(
    provider: CloudProvider, basis: Basis, evidence: list[EvidenceRef], notes: AssumptionLog
) -> PlatformDecision:
    """Nodes of a distributed system: one virtual machine per node, upgraded in waves by Ansible."""
    cloud = kb.CLOUDS[provider]
    notes.add(
        "Runtime platform",
        f"Each node runs on its own {cloud.name} virtual machine with a persistent data volume; upgrades are "
        "driven by an Ansible playbook in waves.",
        "QA shows a distributed system's nodes but not how they are hosted; one VM per node keeps node "
        "identity, keys and chain/log data on a stable disk, which container platforms make harder.",
    )
    return PlatformDecision(
        kind="vm",
        service=f"{cloud.name} virtual machines, one node per VM with a persistent data volume",
        mobile_release=None,
        rationale="Nodes keep identity and data on disk and are upgraded in waves so the network keeps "
        "quorum.",
        basis="assumption",
        evidence=evidence if basis == "qa_fact" else [],
    )


# Scheduled container jobs per provider: the pipeline's runs, without a load balancer.
_SCHEDULED_JOBS = {
    "aws": "Amazon ECS scheduled tasks on AWS Fargate (EventBridge Scheduler)",
    "gcp": "Cloud Run jobs triggered by Cloud Scheduler",
    "azure": "Azure Container Apps jobs with a schedule trigger",
    "other": "scheduled container jobs on the existing platform",
}


def pipeline_platform(
    provider: CloudProvider, evidence: list[EvidenceRef], notes: AssumptionLog
) -> PlatformDecision:
    """A data pipeline runs as scheduled container jobs, not behind a load balancer."""
    service = _SCHEDULED_JOBS[provider]
    notes.add(
        "Runtime platform",
        f"The pipeline's jobs run as {service}.",
        "QA shows a data pipeline but not its scheduler; managed scheduled jobs run the same image "
        "without servers to operate.",
    )
    return PlatformDecision(
        kind="container_paas",
        service=service,
        mobile_release=None,
        rationale="Scheduled jobs run the pipeline image on a schedule; no load balancer, no idle servers.",
        basis="assumption",
        evidence=evidence,
    )


def client_recovery(kind: DeliveryKind) -> RecoveryDecision:
    """Recovery objectives of distributed software: republish from Git and the registry.

    Nothing the team runs holds user data, so the recovery point is the last pushed commit (Git is
    replicated to every clone and to the hosting service); recovery time is the time to cut and
    publish a fixed release (longer where store review or fleet waves add a day). A database kept
    on the users' side belongs to them; the backup section says how it is protected.
    """
    rto = {"library": 240, "cli": 240, "mobile": 1440, "desktop": 480, "embedded": 1440}.get(kind, 240)
    return RecoveryDecision(
        rto_minutes=rto,
        rpo_minutes=0,
        backup_interval_minutes=1440,
        continuous_archiving=True,
        archiving_method="every pushed commit and tag is replicated to the Git hosting service and every "
        "clone; published artefacts are immutable in their registries",
        retention="release artefacts and tags kept indefinitely; CI build artefacts kept 90 days",
        basis="assumption",
        evidence=[],
    )


def kind_strategy(
    kind: DeliveryKind, delivery: DeliveryDecision, facts: QAFacts, has_db: bool
) -> StrategyDecision | None:
    """Rollout steps for kinds other than a plain service (``None``: use the platform's strategy)."""
    profile = kinds.PROFILES[kind]
    channel = delivery.channels[0] if delivery.channels else "the release channel"
    steps: list[str]
    if kind == "library":
        steps = [
            "Merge to main with a CHANGELOG.md entry under 'Unreleased' describing the change",
            "Choose the version by semantic versioning (breaking change → major); push a signed tag vX.Y.Z",
            "CI re-runs lint and tests on the tag, builds the package, writes SHA256SUMS and signs it "
            "with Sigstore cosign (keyless, OIDC)",
            f"Publish to {channel} and create the GitHub release with the changelog section attached",
            "Risky changes ship first as a pre-release (vX.Y.Z-rc.N) that consumers opt into",
        ]
    elif kind == "cli":
        steps = [
            "Merge to main with a CHANGELOG.md entry; push a signed semver tag vX.Y.Z",
            "CI builds the binaries per OS/architecture on native runners after the test job passes",
            "The release job writes SHA256SUMS, an SBOM (CycloneDX) and a Sigstore signature, then "
            "publishes a draft GitHub release",
            "An install smoke test downloads each asset, verifies its checksum and runs '--version'; the "
            "draft is then published and package managers (Homebrew tap, Scoop bucket) are bumped",
        ]
    elif kind == "mobile":
        android, ios = mobile_platforms(facts)
        steps = []
        if android:
            steps += [
                "Android: upload the signed App Bundle to the Google Play internal track (team devices)",
                "Promote to closed testing, then open testing, once the device checklist passes",
                "Production staged rollout 1 % → 5 % → 20 % → 50 % → 100 %, at least 24 hours per step, "
                "halted if crash-free users fall below 99.5 % or the ANR rate exceeds 0.47 %",
            ]
        if ios:
            steps += [
                "iOS: upload the signed IPA to TestFlight (internal, then external testers)",
                "App Store release with a 7-day phased release, paused on the same crash-free threshold",
            ]
    elif kind == "desktop":
        steps = [
            "Build and sign installers per OS (Windows Authenticode, macOS Developer ID + notarisation)",
            "Publish to the beta auto-update channel for 3 days",
            "Stable channel staged by percentage 10 % → 50 % → 100 %, halted if crash-free sessions fall "
            "below 99.5 % or update failures exceed 2 %",
        ]
    elif kind == "embedded":
        steps = [
            "Build and sign the update image; install it on lab devices and run the device test checklist",
            "Canary: roll out to the canary device group (about 1 % of the fleet) for 24 hours",
            "Waves of 10 % → 50 % → 100 % of the fleet, each at least 24 hours, halted if update failures "
            "exceed 1 % or the crash/reboot rate doubles",
            "Devices keep the previous image in the other A/B slot and fall back to it automatically when "
            "the new image fails to boot or pass its health check",
        ]
    elif kind == "data_pipeline":
        steps = [
            "Build, scan and push the pipeline image tagged with the commit SHA",
            *(["Run schema migrations (additive only) before the new job version"] if has_db else []),
            "Register the new job definition; the next scheduled run in staging processes a sample "
            "partition and its data-quality checks must pass",
            "Production: the next scheduled run uses the new version; its output is published only "
            "after the data-quality checks pass",
            "Backfills run as a separate, manually triggered job over an explicit date range, idempotent "
            "per partition",
        ]
    elif kind == "distributed_node":
        steps = [
            "Build, scan and publish the node image/binary tagged with the version",
            "Canary: upgrade one node and watch peer count, consensus participation and height lag for "
            "1 hour",
            "Waves of 10 % → 33 % → 100 % of the nodes, never more than a third at once so the network "
            "keeps quorum, each wave healthy for 30 minutes before the next",
        ]
    else:
        return None
    return StrategyDecision(
        strategy=profile.strategy,
        steps=steps,
        rollback_trigger=profile.rollback_trigger,
        rationale=profile.rationale,
        basis="qa_fact" if delivery.basis == "qa_fact" else "assumption",
        evidence=delivery.evidence,
    )
