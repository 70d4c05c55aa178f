"""Release paths per kind of software: what ships, where to, how it rolls out and how it rolls back.

A network service is deployed to a platform; everything else reaches its users another way. A
library is published to its language's registry; a command-line tool ships signed binaries per
OS/arch; a mobile app moves through store tracks with staged rollout percentages and crash-rate
gates; a desktop app ships signed installers on auto-update channels; embedded/TV software is
rolled out over the air to a device fleet, canary devices first; a data pipeline runs scheduled
jobs; a distributed node is upgraded in waves while the network keeps consensus. Pure data plus
small lookups, like :mod:`.knowledge`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsrelay.agents.devops.decisions import DeliveryKind, RuntimeLanguage, StrategyKind

SERVER_KINDS: tuple[DeliveryKind, ...] = ("service", "data_pipeline", "distributed_node")
"""Kinds that run on the team's own infrastructure (deployed, not distributed)."""

CLIENT_KINDS: tuple[DeliveryKind, ...] = ("library", "cli", "mobile", "desktop", "embedded")
"""Kinds that run in other people's processes, machines or devices (distributed, not deployed)."""


def is_server(kind: str) -> bool:
    """Whether software of this kind runs on the team's infrastructure."""
    return kind in SERVER_KINDS


@dataclass(frozen=True)
class Registry:
    """Where a library (or an interpreted command-line tool) of one language is published."""

    name: str
    publish: str | None
    """The publish command run on a version tag; ``None`` when the registry reads the tag itself."""
    secret: str | None
    """Repository secret holding the publish token (``None``: OIDC or no token needed)."""
    install_hint: str


REGISTRIES: dict[RuntimeLanguage, Registry] = {
    "rust": Registry("crates.io", "cargo publish --locked", "CARGO_REGISTRY_TOKEN", "cargo install"),
    "go": Registry(
        "the Go module proxy (proxy.golang.org), which serves the module from its semver tag",
        None,
        None,
        "go get / go install",
    ),
    "python": Registry("PyPI", "pipx run twine upload --non-interactive dist/*", "TWINE_PASSWORD", "pipx"),
    "node": Registry("npm", "npm publish --provenance --access public", "NODE_AUTH_TOKEN", "npm install"),
    "bun": Registry("npm", "npm publish --provenance --access public", "NODE_AUTH_TOKEN", "bun add"),
    "java": Registry("Maven Central", "./mvnw -B -ntp deploy -P release", "MAVEN_CENTRAL_TOKEN", "Maven"),
    "kotlin": Registry("Maven Central", "./gradlew --no-daemon publish", "MAVEN_CENTRAL_TOKEN", "Gradle"),
    "dotnet": Registry(
        "NuGet",
        "dotnet pack --configuration Release --output out && dotnet nuget push 'out/*.nupkg' "
        '--source https://api.nuget.org/v3/index.json --api-key "$NUGET_API_KEY"',
        "NUGET_API_KEY",
        "dotnet add package",
    ),
    "ruby": Registry("RubyGems.org", "gem build ./*.gemspec && gem push ./*.gem", "GEM_HOST_API_KEY", "gem"),
    "php": Registry("Packagist, which reads the tag through its GitHub hook", None, None, "composer require"),
    "dart": Registry(
        "pub.dev",
        "dart pub token add https://pub.dev --env-var PUB_TOKEN && dart pub publish --force",
        "PUB_TOKEN",
        "dart pub add",
    ),
    "cpp": Registry(
        "GitHub Releases (source archive with checksums, consumed by vcpkg/Conan recipes)",
        None,
        None,
        "vcpkg/Conan",
    ),
    "other": Registry("GitHub Releases", None, None, "the release page"),
}

COMPILED: tuple[RuntimeLanguage, ...] = ("rust", "go", "cpp", "dotnet", "dart", "bun")
"""Languages whose command-line tools ship as native binaries per OS/arch (others via a registry)."""

# (runner, target label) for native release binaries: one runner per OS/architecture.
BINARY_TARGETS: tuple[tuple[str, str], ...] = (
    ("ubuntu-latest", "x86_64-unknown-linux-gnu"),
    ("ubuntu-24.04-arm", "aarch64-unknown-linux-gnu"),
    ("macos-14", "aarch64-apple-darwin"),
    ("macos-15-intel", "x86_64-apple-darwin"),  # GitHub retired the macos-13 (Intel) runners
    ("windows-latest", "x86_64-pc-windows-msvc"),
)

# Native build of a command-line tool per language; the binary lands in dist/.
BINARY_BUILD: dict[RuntimeLanguage, str] = {
    "rust": 'cargo build --release --locked --target "$TARGET" && cp target/"$TARGET"/release/"$BIN"* dist/',
    "go": 'go build -trimpath -ldflags "-s -w" -o dist/ ./...',
    "cpp": "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build --config Release "
    "&& cmake --install build --config Release --prefix dist",
    "dotnet": "dotnet publish --configuration Release --self-contained -p:PublishSingleFile=true "
    "--output dist",
    "dart": 'dart compile exe bin/"$BIN".dart -o dist/"$BIN"',
    "bun": 'bun build --compile ./src/index.ts --outfile dist/"$BIN"',
}


@dataclass(frozen=True)
class KindProfile:
    """The release path of one kind of software."""

    kind: DeliveryKind
    label: str
    strategy: StrategyKind
    health_signals: tuple[str, ...]
    rollback_trigger: str
    rationale: str
    artefacts: str
    """What one release produces, e.g. a container image per commit or a versioned package per tag."""
    # The phrases below are only written for distributed kinds (library, CLI, apps, devices).
    telemetry: str = ""
    """Where field signals come from (the assumption recorded for the guide)."""
    field_monitoring: str = ""
    """The tool or console the field signals are read in."""
    artefact_storage: str = ""
    """Where release artefacts live and how long they are kept."""
    alert_release_broken: str = ""
    """Alert threshold: the release itself is broken (publish, install or crash-free users)."""
    alert_field_errors: str = ""
    """Alert threshold: error reports from the field."""
    incident_p1: str = ""
    """What makes a P1 incident for this kind."""
    containment: str = ""
    """How a bad release is stopped from spreading."""


PROFILES: dict[DeliveryKind, KindProfile] = {
    "service": KindProfile(
        "service",
        "network service",
        "rolling",
        ("availability", "p95 latency", "5xx rate"),
        "",
        "A network service is deployed to a runtime platform behind a load balancer.",
        artefacts="a container image per commit, promoted unchanged from staging to production",
    ),
    "library": KindProfile(
        "library",
        "library / SDK",
        "release",
        (
            "registry downloads per version (adoption of the new release)",
            "issues labelled 'regression' opened within 7 days of a release",
            "failed installs or builds reported by dependents",
        ),
        "a regression confirmed against the new version (an issue labelled 'regression', a failing "
        "dependent build) or a failed post-publish install check",
        "A library runs inside its consumers' processes: it is released as a versioned package to its "
        "registry (semantic versioning, changelog, checksums), not deployed to servers.",
        artefacts="a versioned package for each semver tag",
        telemetry=(
            "Adoption and regressions are tracked through registry download statistics and issues "
            "labelled 'regression'; the library itself sends no telemetry."
        ),
        field_monitoring="GitHub Insights and the registry's download statistics",
        artefact_storage=(
            "Release packages in the registry (immutable once published) and GitHub release assets; CI "
            "artefacts kept 90 days."
        ),
        alert_release_broken=(
            "1 failed publish to the registry or 1 failed post-publish install check, on first failure"
        ),
        alert_field_errors=(
            "3 or more issues labelled 'regression' against the latest version within 24 hours"
        ),
        incident_p1="a published version that breaks consumers' builds or corrupts data",
        containment="yank or deprecate the version and point users to the previous one",
    ),
    "cli": KindProfile(
        "cli",
        "command-line tool",
        "release",
        (
            "release-asset downloads per OS/arch",
            "install-smoke-test result of every published binary",
            "crash and bug reports per release",
        ),
        "a published binary that fails the install smoke test on any OS/arch, or a regression "
        "confirmed against the new version",
        "A command-line tool runs on its users' machines: it ships as signed, checksummed binaries per "
        "OS/architecture and through package managers, not as a deployed service.",
        artefacts="release archives per OS/architecture for each semver tag",
        telemetry=(
            "The tool sends no telemetry; release-asset downloads, the install smoke test and issue "
            "reports are the field signals."
        ),
        field_monitoring="GitHub Insights and the registry's download statistics",
        artefact_storage=(
            "Release binaries, SHA256SUMS, signatures and SBOMs as GitHub release assets (immutable once "
            "published); CI artefacts kept 90 days."
        ),
        alert_release_broken=(
            "1 or more published release assets failing the install smoke test (404 or checksum "
            "mismatch), on first failure"
        ),
        alert_field_errors="3 or more crash reports against the latest version within 24 hours",
        incident_p1="a published binary that cannot be installed or run, or corrupts user data",
        containment="take the release off 'latest' and revert the package-manager manifests",
    ),
    "mobile": KindProfile(
        "mobile",
        "mobile app",
        "staged",
        (
            "crash-free users ≥ 99.5 %",
            "ANR rate < 0.47 % (Google Play's bad-behaviour threshold)",
            "store rating and review volume",
        ),
        "crash-free users below 99.5 % or an ANR rate above 0.47 % over 24 hours at the current rollout "
        "percentage, or a P1 defect reported from the field",
        "A mobile app reaches users through the app stores: store tracks with staged rollout percentages "
        "and crash-rate gates; stores cannot roll a release back, so rollback is halt plus hotfix.",
        artefacts="signed store binaries (Android App Bundle / iOS IPA) per version code",
        telemetry=(
            "Crash and ANR telemetry come from Firebase Crashlytics and the store consoles (Google Play "
            "Console / App Store Connect)."
        ),
        field_monitoring="Firebase Crashlytics with the Google Play Console / App Store Connect vitals",
        artefact_storage=(
            "Signed App Bundles/IPAs kept in the store consoles and as CI artefacts for 90 days; upload "
            "keys in the CI secret store."
        ),
        alert_release_broken="Crash-free users below 99 % for 1 hour on the current rollout percentage",
        alert_field_errors="ANR rate above 0.47 % or crash rate above 1 % of sessions for 24 hours",
        incident_p1="crash-free users below 99 % on the rollout, or data loss on devices",
        containment="halt the staged rollout and pause the phased release",
    ),
    "desktop": KindProfile(
        "desktop",
        "desktop app",
        "staged",
        (
            "crash-free sessions ≥ 99.5 %",
            "auto-update success rate ≥ 98 %",
            "installer download and install failures",
        ),
        "crash-free sessions below 99.5 % or auto-update failures above 2 % over 24 hours on the current "
        "channel",
        "A desktop app runs on users' machines: it ships as signed installers and reaches them through "
        "auto-update channels (beta, then stable in percentages).",
        artefacts="signed installers per OS per version, with an auto-update feed entry",
        telemetry=(
            "Crash reports come from the app's crash reporter (Sentry) and update success from the "
            "auto-update feed's logs."
        ),
        field_monitoring="Sentry crash reporting plus the update feed's logs",
        artefact_storage=(
            "Signed installers and the update feed on GitHub Releases (or the update server's object "
            "storage); CI artefacts kept 90 days."
        ),
        alert_release_broken="Crash-free users below 99 % for 1 hour on the current rollout percentage",
        alert_field_errors="Auto-update failures above 2 % for 1 hour",
        incident_p1="crash-free sessions below 99 % or a failing auto-update",
        containment="take the version off the update feed",
    ),
    "embedded": KindProfile(
        "embedded",
        "embedded / device software",
        "staged",
        (
            "update success rate ≥ 99 % per wave",
            "device crash or unexpected-reboot rate",
            "devices online (heartbeat) after the update",
        ),
        "update failures above 1 %, or crash/reboot rate above twice the previous version's, in the "
        "current wave over 24 hours, or canary devices offline",
        "Embedded and TV software runs on a device fleet: signed images are rolled out over the air in "
        "waves, canary devices first, with automatic fallback to the previous image.",
        artefacts="signed update images per version, with A/B partition fallback",
        telemetry="Devices report a heartbeat, update status and crash/reboot counts to the OTA service.",
        field_monitoring="the OTA service's fleet dashboard (heartbeat, update status, reboot counts)",
        artefact_storage=(
            "Signed update images in the OTA service's artefact store, the last three versions kept for "
            "fallback; CI artefacts kept 90 days."
        ),
        alert_release_broken="Crash-free users below 99 % for 1 hour on the current rollout percentage",
        alert_field_errors=(
            "Update failures above 1 % in the current wave for 30 minutes, or any canary device offline "
            "for 15 minutes"
        ),
        incident_p1="devices failing to boot or going offline after an update",
        containment="halt the OTA campaign; failed devices fall back to the previous A/B slot",
    ),
    "data_pipeline": KindProfile(
        "data_pipeline",
        "data pipeline",
        "rolling",
        (
            "scheduled-run success rate",
            "data freshness (time since the last successful run)",
            "data-quality checks passed per run",
            "rows processed per run against the previous 7 days",
        ),
        "a failed scheduled run, a failed data-quality check or output row counts outside ±30 % of the "
        "7-day average",
        "A data pipeline runs as scheduled jobs: a release changes the job definition; data-quality "
        "checks gate each run's output and backfills re-run affected partitions.",
        artefacts="a container image per commit running the pipeline's scheduled jobs",
    ),
    "distributed_node": KindProfile(
        "distributed_node",
        "distributed-system node",
        "staged",
        (
            "peer count per node",
            "consensus participation / block or log height lag behind the network",
            "node restarts and crash loops",
        ),
        "a canary node losing peers, falling more than 10 blocks/entries behind the network or "
        "restarting more than twice within 30 minutes",
        "A node of a distributed system is upgraded in waves across the fleet so that the network keeps "
        "quorum: one canary node, then growing waves, never more than a third of the nodes at once.",
        artefacts="a node image/binary per version, rolled out in waves",
    ),
}


def has_mention(texts: list[str], words: tuple[str, ...]) -> bool:
    """Whether any text names one of ``words`` as a whole word (case-insensitive)."""
    low = " ".join(texts).lower()
    return any(re.search(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])", low) for w in words)


IOS_WORDS = ("ios", "iphone", "ipad", "testflight", "app store", "xcode", "swift")
# "App Store Metrics" in an Android report means the stores in general: without "app store", the
# words that name iOS whatever else the document names.
IOS_ONLY_WORDS = tuple(w for w in IOS_WORDS if w != "app store")
ANDROID_WORDS = ("android", "apk", "aab", "google play", "play store", "tablet", "kotlin")
