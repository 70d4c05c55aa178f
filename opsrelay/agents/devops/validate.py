"""Validate a model's decisions against the inputs and the offline engine, field by field.

The model is untrusted (DESIGN §2): its decisions reach the CI YAML, the guide's citations and
every section drafted from them. Each field is checked before use and an invalid one takes the
offline engine's value, with the reason recorded (``handoff.json`` lists them):

- **commands** (install, lint, audit) only from the vetted toolchain tables of
  :mod:`.knowledge` for that language, or the offline decision's own command;
- **citations**: every evidence reference must resolve to a real line of the inputs that
  contains the quoted text; references that do not are dropped, and a decision that claims a
  QA fact with no resolving citation left becomes an assumption (so it is listed as one);
- **names** (service, provider, platform, datastores, tools, routes) grounded in the QA text or
  a known-products list;
- **numbers** sane and consistent (availability 90–99.999 %, full-backup interval ≤ RPO unless
  continuous archiving, latency targets ≥ the QA baseline, min ≤ max instances, positive
  durations); QA-measured baselines are facts and always come from the offline engine;
- **filler**: empty, placeholder-ish, generic or repeated text.

Pure: no model calls, no langgraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import (
    AlertRouting,
    Basis,
    CapacityDecision,
    DatastoreDecision,
    Decisions,
    DeliveryDecision,
    EnvironmentDecision,
    EvidenceRef,
    HostingDecision,
    ObservabilityDecision,
    PlatformDecision,
    RecoveryDecision,
    RuntimeDecision,
    SLODecision,
    StrategyDecision,
)
from opsrelay.agents.devops.fit import evidence_refs
from opsrelay.agents.devops.knowledge.datastores import _DATASTORE_ALIASES as DATASTORE_ALIASES
from opsrelay.agents.devops.safety import vet_test_command
from opsrelay.facts.model import (
    Defect,
    Environment,
    Evidence,
    NamedFact,
    QAFacts,
    Severity,
    StackItem,
    StackKind,
    TestCommand,
)
from opsrelay.handoff import FallbackNote
from opsrelay.ingest import IngestedQA
from opsrelay.review.rules.safety import unsafe_command

# Availability objectives outside this range are typos or filler: below 90 % is no objective at
# all, above 99.999 % no single-region service can promise.
AVAILABILITY_RANGE = (90.0, 99.999)
# Longest durations accepted for RTO, RPO and the backup interval (one week, in minutes).
MAX_RECOVERY_MINUTES = 7 * 24 * 60
MAX_INSTANCES = 1000


# --- filler --------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"(?ix)"
    r"\[[^\]]*\]|<[^>]*>|\{\{[^}]*\}\}|\$\{[^}]*\}"  # [..], <..>, {{..}}, ${..}
    r"|\b(?:tbd|tbc|todo|fixme|xxx+|lorem|ipsum|changeme|placeholder|foo|bar|baz|n/?a)\b"
    r"|\bvalue\s+(?:for|of)\b|\byour[-_ ]"
    r"|\.\.\.|…"
)
# Whole answers that say nothing (what JSON-schema grammars make weak models write).
_EMPTY_WORDS = {
    "string",
    "str",
    "text",
    "value",
    "name",
    "example",
    "sample",
    "test",
    "none",
    "null",
    "unknown",
    "default",
    "generic",
    "other",
    "something",
    "anything",
    "various",
    "same",
    "yes",
    "no",
    "true",
    "false",
    "ok",
}
_GENERIC = re.compile(
    r"(?i)\b(?:as (?:needed|appropriate|required)|best practices?|industry[- ]standard|"
    r"appropriate (?:tool|service|value|solution)|suitable (?:tool|service|value)|"
    r"to be (?:decided|determined|defined|confirmed)|insert here|fill (?:in|this))\b"
)


def filler_reason(text: str | None, *, label: str = "") -> str | None:
    """Why ``text`` reads as filler rather than content, or None when it is usable.

    ``label`` is the field's own name: a value that merely restates it ("region" for the region)
    is filler too.
    """
    if text is None:
        return "empty"
    flat = " ".join(str(text).split())
    if not flat:
        return "empty"
    low = flat.lower().strip(" .:;,-_'\"`")
    if low in _EMPTY_WORDS or (label and low.replace(" ", "_") == label.lower()):
        return f"says nothing ({flat[:40]!r})"
    if _PLACEHOLDER.search(flat):
        return f"placeholder text ({flat[:60]!r})"
    if _GENERIC.search(flat):
        return f"generic wording ({flat[:60]!r})"
    words = re.findall(r"\w+", low)
    if not words:
        return f"no words ({flat[:40]!r})"
    if len(words) >= 6 and len(set(words)) / len(words) < 0.35:
        return f"repeated text ({flat[:60]!r})"
    if len(flat) >= 24 and re.fullmatch(r"(.{3,40}?)\s*(?:\1\s*){2,}", flat):
        return f"repeated text ({flat[:60]!r})"
    return None


# --- the inputs the citations must resolve to --------------------------------------------------


def _unsafe(text: str) -> str | None:
    what = unsafe_command(text)
    return f"unsafe command: it {what}" if what else None


def _collapse(text: str) -> str:
    # Quotes are compared without Markdown emphasis, backticks or spacing differences.
    return " ".join(re.sub(r"[`*_|]", " ", text).split()).lower()


@dataclass
class Inputs:
    """The lines a citation may point to: the QA document's, and the facts' evidence lines."""

    source_name: str
    lines: list[str]
    known_refs: set[tuple[str, int, str]]
    evidence_sources: set[str]
    norm_corpus: str = field(repr=False)  # every input text, normalised by kb.norm (for mentions)

    @classmethod
    def of(cls, qa: IngestedQA) -> Inputs:
        """Index one ingested QA document (its text and every evidence line its facts cite)."""
        refs = set(evidence_refs(qa.facts.model_dump(mode="json")))
        return cls(
            source_name=qa.source_name,
            lines=qa.text.splitlines(),
            known_refs=refs,
            evidence_sources={s for s, _, _ in refs} | set(qa.evidence_files),
            norm_corpus=kb.norm("\n".join([qa.text, *(t for _, _, t in refs)])),
        )

    def resolve(self, ref: EvidenceRef) -> str | None:
        """Why ``ref`` does not resolve to a real input line containing its text, or None if it does."""
        if (ref.source, ref.line, ref.text) in self.known_refs:
            return None  # exactly what the extractor cited
        # The prompt numbers the lines ("12: text"); a quote copied with its number is the same quote.
        quote = _collapse(re.sub(rf"^\s*{ref.line}\s*[:|]\s*", "", ref.text))
        if len(re.sub(r"\W", "", quote)) < 3:
            return f"citation {ref.cite()} quotes nothing ({ref.text[:40]!r})"
        if ref.source != self.source_name:
            if ref.source in self.evidence_sources and any(
                s == ref.source and ln == ref.line and quote in _collapse(t) for s, ln, t in self.known_refs
            ):
                return None
            return f"citation {ref.cite()} names no input the run read"
        if not 1 <= ref.line <= len(self.lines):
            return f"citation {ref.cite()} points past the document ({len(self.lines)} lines)"
        if quote not in _collapse(self.lines[ref.line - 1]):
            return f"citation {ref.cite()}: line {ref.line} does not contain {ref.text[:60]!r}"
        return None

    def mentions(self, name: str) -> bool:
        """True when the QA inputs name ``name`` (case and punctuation ignored)."""
        key = kb.norm(name)
        return len(key) >= 2 and key in self.norm_corpus


# --- known products ---------------------------------------------------------------------------------

_EXTRA_PRODUCTS = (
    "kubernetes",
    "docker",
    "dockercompose",
    "podman",
    "nomad",
    "openshift",
    "systemd",
    "heroku",
    "flyio",
    "render",
    "vercel",
    "netlify",
    "lambda",
    "cloudrun",
    "appengine",
    "elasticbeanstalk",
    "appservice",
    "cloudfunctions",
    "azurefunctions",
    "digitalocean",
    "hetzner",
    "linode",
    "ec2",
    "ecs",
    "eks",
    "gke",
    "aks",
    "fargate",
    "slack",
    "microsoftteams",
    "teams",
    "email",
    "sms",
    "statuspage",
    "jira",
    "servicenow",
    "discord",
    "mattermost",
    "googlechat",
    "webhook",
    "testflight",
    "appstore",
    "googleplay",
    "eas",
    "fastlane",
    "firebase",
    "alertmanager",
    "kibana",
    "honeycomb",
    "lightstep",
    "signoz",
    "azuremonitor",
    "applicationinsights",
    "stackdriver",
    "cloudlogging",
    "cloudmonitoring",
    "cloudtrace",
    "graylog",
    "papertrail",
    "logtail",
    "bugsnag",
    "rollbar",
    "pgbackrest",
    "barman",
    "walg",
    "velero",
    "restic",
    "mysqldump",
    "pgdump",
    "mongodump",
    "snapshot",
    "snapshots",
    "pitr",
    "binlog",
    "oplog",
    "aof",
    "rdb",
    "flyway",
    "liquibase",
    "alembic",
    "prisma",
    "djangomigrations",
    "efcore",
    "entityframework",
    "knex",
    "typeorm",
    "sequelize",
    "activerecord",
    "goose",
    "golangmigrate",
    "migrate",
    "dbmate",
    "diesel",
    "sqlx",
    "doctrine",
    "laravel",
    "artisan",
    "rails",
)


def _known_products() -> frozenset[str]:
    names: set[str] = set(_EXTRA_PRODUCTS)
    for cloud in kb.CLOUDS.values():
        for value in vars(cloud).values():
            if isinstance(value, str):
                names.add(kb.norm(value))
                names.update(kb.norm(w) for w in re.findall(r"[A-Z][\w.-]+(?:\s[A-Z][\w.-]+)*", value))
    for store in kb.DATASTORES.values():
        names.add(kb.norm(store.display))
        names.update(kb.norm(v) for v in store.managed.values())
    for group in (kb.METRICS_TOOLS, kb.LOG_TOOLS, kb.TRACE_TOOLS, kb.APM_TOOLS, kb.PAGING_TOOLS):
        names.update(group)
    names.update(DATASTORE_ALIASES)  # 'postgres', 'mariadb', 'valkey', 'elasticache', …
    return frozenset(n for n in names if len(n) >= 3)


_KNOWN = _known_products()


def is_known_product(text: str) -> bool:
    """True when ``text`` names a product opsrelay's tables (or a short list of common ones) know."""
    key = kb.norm(text)
    return any(name in key for name in _KNOWN)


# --- commands ------------------------------------------------------------------------------------


def vetted_commands(language: str) -> dict[str, set[str]]:
    """The install/lint/audit commands the toolchain tables allow for ``language``."""
    out: dict[str, set[str]] = {"install": set(), "lint": set(), "audit": set()}
    profile = kb.RUNTIMES.get(language)  # type: ignore[call-overload]
    if profile is not None:
        for kind, allowed in out.items():
            allowed.add(getattr(profile, kind))
    # Gradle builds are Java-family (Kotlin included); their commands are vetted the same way.
    if language in ("java", "kotlin"):
        for kind, allowed in out.items():
            override = kb.GRADLE_OVERRIDES.get(kind)
            if override:
                allowed.add(override)
    return out


# --- the validator -------------------------------------------------------------------------------

_CLOUD_WORDS: dict[str, tuple[str, ...]] = {
    "aws": ("aws", "amazon"),
    "gcp": ("google", "gcp", "gke", "cloudrun"),
    "azure": ("azure", "microsoft"),
}


def _foreign_cloud(text: str, provider: str) -> str | None:
    """The other cloud ``text`` names (e.g. 'Amazon RDS' while hosting is on Azure), or None.

    Off the three clouds (provider 'other') no cloud is foreign.
    """
    if provider not in _CLOUD_WORDS:
        return None
    key = kb.norm(text)
    for cloud, words in _CLOUD_WORDS.items():
        if cloud != provider and any(w in key for w in words):
            return cloud
    return None


_VERSION = re.compile(r"^v?\d+(?:\.(?:\d+|x))*(?:[-.][a-z0-9]+)?$", re.I)
_REGION = re.compile(r"^[a-z]{2,}(?:-[a-z0-9]+)*\d?$|^[a-z]+\d?$|^[a-z]+[- ][a-z]+\d?$", re.I)


class _Checker:
    """Accumulates fallbacks while rebuilding each decision group from model and offline values."""

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs
        self.fallbacks: list[FallbackNote] = []

    def note(self, path: str, reason: str, action: str = "offline") -> None:
        self.fallbacks.append(FallbackNote(call="decide", target=path, reason=reason, action=action))

    # generic helpers ------------------------------------------------------------------------

    def text(self, path: str, model: str, offline: str, *, label: str = "") -> str:
        if model == offline:
            return model  # the offline engine's own value is the floor, never rejected
        reason = filler_reason(model, label=label or path.rsplit(".", 1)[-1]) or _unsafe(model)
        if reason:
            self.note(path, reason)
            return offline
        return model

    def name(self, path: str, model: str, offline: str) -> str:
        """A product or tool name: usable text that the inputs or the known-products list ground."""
        reason = filler_reason(model, label=path.rsplit(".", 1)[-1]) or _unsafe(model)
        if reason is None and not (
            kb.norm(model) == kb.norm(offline) or self.inputs.mentions(model) or is_known_product(model)
        ):
            reason = f"{model[:60]!r} is neither in the QA report nor a known product"
        if reason:
            self.note(path, reason)
            return offline
        return model

    def refs(self, path: str, refs: list[EvidenceRef]) -> list[EvidenceRef]:
        kept = []
        for i, ref in enumerate(refs):
            reason = self.inputs.resolve(ref)
            if reason:
                self.note(f"{path}[{i}]", reason, "dropped")
            else:
                kept.append(ref)
        return kept

    def cited(
        self, path: str, basis: Basis, evidence: list[EvidenceRef], *, field: str = ""
    ) -> dict[str, Any]:
        """``{field}basis`` and ``{field}evidence`` checked, as keyword arguments of the decision.

        Citations that do not resolve are dropped; a 'qa_fact' claim with none left is recorded
        as an assumption.
        """
        kept = self.refs(f"{path}.{field}evidence", evidence)
        if basis == "qa_fact" and not kept:
            why = "no citation resolves" if evidence else "no citation given"
            self.note(f"{path}.{field}basis", f"claims a QA fact but {why}", "assumption")
            basis = "assumption"
        return {f"{field}basis": basis, f"{field}evidence": kept}

    def positive(self, path: str, model: int | float, offline: int | float, *, upper: float) -> Any:
        if model != offline and not 0 < model <= upper:
            self.note(path, f"{model:g} is outside (0, {upper:g}]")
            return offline
        return model

    # groups ---------------------------------------------------------------------------------

    def hosting(self, m: HostingDecision, o: HostingDecision) -> HostingDecision:
        if m.provider != o.provider and not any(
            self.inputs.mentions(w) for w in (*_CLOUD_WORDS.get(m.provider, ()), m.provider_name)
        ):
            # Changing the cloud without QA evidence would leave platform, datastores and the
            # CI credentials disagreeing with each other; the offline engine's cloud is kept.
            self.note(
                "hosting.provider",
                f"{m.provider!r} is not in the QA report (the offline engine chose {o.provider!r})",
            )
            return o
        profile = kb.CLOUDS.get(m.provider)
        expected = profile.name if profile else o.provider_name
        provider_name = m.provider_name
        if _foreign_cloud(provider_name, m.provider) is not None:
            self.note("hosting.provider_name", f"{provider_name!r} names another cloud than {m.provider!r}")
            provider_name = expected
        provider_name = self.text("hosting.provider_name", provider_name, expected, label="provider_name")
        region, dr_region = m.region, m.dr_region
        for label, value in (("region", region), ("dr_region", dr_region)):
            if value == getattr(o, label):
                continue  # the offline engine's own value (also 'none' for software without a region)
            bad = filler_reason(value, label=label)
            if bad is None and not _REGION.match(value.strip()):
                bad = f"{value[:40]!r} is not a region name"
            if (
                bad is None
                and m.provider != "other"
                and kb.region_in(value, m.provider) is None
                and not self.inputs.mentions(value)
            ):
                bad = f"{value[:40]!r} is not a {m.provider} region"
            if bad:
                self.note(f"hosting.{label}", bad)
                # Region and DR region go together: a partial fallback could pick the same twice.
                same = m.provider == o.provider or profile is None
                region, dr_region = (o.region, o.dr_region) if same else (profile.region, profile.dr_region)  # type: ignore[union-attr]
                break
        if region == dr_region and (region, dr_region) != (o.region, o.dr_region):
            self.note("hosting.dr_region", "the DR region equals the primary region")
            region, dr_region = (o.region, o.dr_region) if m.provider == o.provider else (region, dr_region)
        return HostingDecision(
            provider=m.provider,
            provider_name=provider_name,
            region=region,
            dr_region=dr_region,
            rationale=self.text("hosting.rationale", m.rationale, o.rationale),
            **self.cited("hosting", m.basis, m.evidence),
        )

    def platform(self, m: PlatformDecision, o: PlatformDecision, provider: str) -> PlatformDecision:
        service = self.name("platform.service", m.service, o.service)
        foreign = _foreign_cloud(service, provider)
        if foreign:
            self.note("platform.service", f"{service!r} is a {foreign} product but hosting is {provider}")
            return o
        mobile = m.mobile_release
        if o.mobile_release is None and mobile is not None:
            self.note("platform.mobile_release", "the QA facts show no mobile app", "dropped")
            mobile = None
        elif mobile is not None or o.mobile_release is not None:
            mobile = self.text("platform.mobile_release", mobile or "", o.mobile_release or "") or None
        return PlatformDecision(
            kind=m.kind,
            service=service,
            mobile_release=mobile,
            rationale=self.text("platform.rationale", m.rationale, o.rationale),
            **self.cited("platform", m.basis, m.evidence),
        )

    def deployment(self, m: StrategyDecision, o: StrategyDecision) -> StrategyDecision:
        if m.strategy != o.strategy and (
            o.strategy in ("staged", "release") or m.strategy in ("staged", "release")
        ):
            # Store/device rollouts and registry releases follow from the kind of software (a
            # QA fact), not from taste: a server rollout for a library is wrong, and vice versa.
            self.note("deployment.strategy", f"{m.strategy!r} does not fit a {o.strategy!r} release path")
            return o
        steps = [s for s in m.steps if filler_reason(s) is None]
        if len(steps) != len(m.steps) or not steps:
            self.note("deployment.steps", "filler or missing rollout steps")
            steps = list(o.steps) if len(steps) < 2 else steps
        trigger = self.text("deployment.rollback_trigger", m.rollback_trigger, o.rollback_trigger)
        if trigger != o.rollback_trigger and not re.search(r"\d", trigger):
            self.note("deployment.rollback_trigger", f"{trigger[:60]!r} is not measurable (no threshold)")
            trigger = o.rollback_trigger
        return StrategyDecision(
            strategy=m.strategy,
            steps=steps,
            rollback_trigger=trigger,
            rationale=self.text("deployment.rationale", m.rationale, o.rationale),
            **self.cited("deployment", m.basis, m.evidence),
        )

    def runtime(self, path: str, m: RuntimeDecision, o: RuntimeDecision | None) -> RuntimeDecision | None:
        if o is None and not self.inputs.mentions(m.language) and not self.inputs.mentions(m.display):
            self.note(path, f"toolchain {m.language!r} is not in the QA report", "dropped")
            return None
        profile = kb.RUNTIMES.get(m.language)
        base = o or (
            RuntimeDecision(
                language=m.language,
                display=profile.label,
                version=profile.default_version,
                install_command=profile.install,
                lint_command=profile.lint,
                audit_command=profile.audit,
                migration_tool=None,
                migration_basis="assumption",
                migration_evidence=[],
                basis="assumption",
                evidence=[],
            )
            if profile
            else None
        )
        if base is None:
            self.note(path, f"no vetted toolchain for {m.language!r}", "dropped")
            return None
        vetted = vetted_commands(m.language)
        commands: dict[str, str] = {}
        for kind in ("install", "lint", "audit"):
            value = " ".join(getattr(m, f"{kind}_command").split())
            allowed = vetted[kind] | {getattr(base, f"{kind}_command")}
            if value not in allowed:
                self.note(
                    f"{path}.{kind}_command",
                    f"{value[:80]!r} is not a vetted {m.language} {kind} command",
                )
                value = getattr(base, f"{kind}_command")
            commands[kind] = value
        version = m.version.strip()
        if version != base.version and not _VERSION.match(version):
            self.note(f"{path}.version", f"{version[:30]!r} is not a version number")
            version = base.version
        migration = m.migration_tool
        if migration is not None and migration != base.migration_tool:
            bad = filler_reason(migration)
            if bad is None and not (self.inputs.mentions(migration) or is_known_product(migration)):
                bad = f"{migration[:40]!r} is not a known migration tool"
            if bad:
                self.note(f"{path}.migration_tool", bad)
                migration = base.migration_tool
        return RuntimeDecision(
            language=m.language,
            display=self.text(f"{path}.display", m.display, base.display),
            version=version,
            install_command=commands["install"],
            lint_command=commands["lint"],
            audit_command=commands["audit"],
            migration_tool=migration,
            **(
                self.cited(path, m.migration_basis, m.migration_evidence, field="migration_")
                if migration
                else {"migration_basis": "assumption", "migration_evidence": []}
            ),
            **self.cited(path, m.basis, m.evidence),
        )

    def runtimes(self, m: list[RuntimeDecision], o: list[RuntimeDecision]) -> list[RuntimeDecision]:
        offline_by_lang = {r.language: r for r in o}
        out: list[RuntimeDecision] = []
        seen: set[str] = set()
        for i, rt in enumerate(m):
            if rt.language in seen:
                self.note(f"runtimes[{i}]", f"toolchain {rt.language!r} listed twice", "dropped")
                continue
            checked = self.runtime(f"runtimes[{i}]", rt, offline_by_lang.get(rt.language))
            if checked is not None:
                out.append(checked)
                seen.add(rt.language)
        for rt in o:
            if rt.language not in seen:
                # The QA facts show this toolchain: CI must still build and test it.
                self.note(f"runtimes.{rt.language}", "missing from the model's answer")
                out.append(rt)
        return out

    def environments(
        self, m: list[EnvironmentDecision], o: list[EnvironmentDecision]
    ) -> list[EnvironmentDecision]:
        offline_by_name = {e.name: e for e in o}
        out: list[EnvironmentDecision] = []
        for i, env in enumerate(m):
            if any(e.name == env.name for e in out):
                self.note(f"environments[{i}]", f"{env.name} listed twice", "dropped")
                continue
            base = offline_by_name.get(env.name)
            url = env.url
            if url is not None and not self.inputs.mentions(url):
                self.note(f"environments[{i}].url", f"{url[:60]!r} is not in the QA report")
                url = base.url if base else None
            out.append(
                EnvironmentDecision(
                    name=env.name,
                    url=url,
                    purpose=self.text(
                        f"environments[{i}].purpose", env.purpose, base.purpose if base else env.name
                    ),
                    **self.cited(f"environments[{i}]", env.basis, env.evidence),
                )
            )
        for env in o:
            if not any(e.name == env.name for e in out):
                self.note(f"environments.{env.name}", "missing from the model's answer")
                out.append(env)
        return out

    def datastores(
        self, m: list[DatastoreDecision], o: list[DatastoreDecision], provider: str
    ) -> list[DatastoreDecision]:
        def key(name: str) -> str:
            profile = kb.datastore_profile(name)
            return profile.key if profile else kb.norm(name)

        offline_by_key = {key(s.name): s for s in o}
        out: list[DatastoreDecision] = []
        seen: set[str] = set()
        for i, store in enumerate(m):
            k = key(store.name)
            base = offline_by_key.get(k)
            path = f"datastores[{i}]"
            if k in seen:
                self.note(path, f"{store.name!r} listed twice", "dropped")
                continue
            if base is None:
                # A datastore the facts do not show would get backups, alerts and runbooks for
                # something that does not exist; kept only when the QA report names it.
                reason = filler_reason(store.name) or (
                    None
                    if self.inputs.mentions(store.name)
                    else f"{store.name[:40]!r} is not in the QA report"
                )
                if reason:
                    self.note(path, reason, "dropped")
                    continue
            hosting = self.text(f"{path}.hosting", store.hosting, base.hosting if base else "")
            backup = self.text(
                f"{path}.backup_method", store.backup_method, base.backup_method if base else ""
            )
            if not hosting or not backup:
                self.note(path, "no usable hosting or backup method", "dropped")
                continue
            for label, value in (("hosting", hosting), ("backup_method", backup)):
                foreign = _foreign_cloud(value, provider)
                if foreign and base is not None:
                    self.note(
                        f"{path}.{label}", f"{value[:50]!r} is a {foreign} service but hosting is {provider}"
                    )
                    hosting, backup = base.hosting, base.backup_method
            version = store.version
            if (
                version is not None
                and version != (base.version if base else None)
                and (not _VERSION.match(version.strip()) or not self.inputs.mentions(version))
            ):
                self.note(f"{path}.version", f"version {version[:20]!r} is not in the QA report")
                version = base.version if base else None
            cited = self.cited(path, store.basis, store.evidence)
            if not cited["evidence"] and base is not None:
                cited["evidence"] = list(base.evidence)
            out.append(
                DatastoreDecision(
                    name=base.name if base else store.name,
                    version=version,
                    role=base.role if base else store.role,
                    hosting=hosting,
                    backup_method=backup,
                    **cited,
                )
            )
            seen.add(k)
        for k, store in offline_by_key.items():
            if k not in seen:
                # Every datastore QA names needs backup coverage and metrics.
                self.note(f"datastores.{store.name}", "missing from the model's answer")
                out.append(store)
        return out

    def observability(self, m: ObservabilityDecision, o: ObservabilityDecision) -> ObservabilityDecision:
        return ObservabilityDecision(
            metrics=self.name("observability.metrics", m.metrics, o.metrics),
            logs=self.name("observability.logs", m.logs, o.logs),
            tracing=self.name("observability.tracing", m.tracing, o.tracing),
            apm=self.name("observability.apm", m.apm, o.apm),
            **self.cited("observability", m.basis, m.evidence),
        )

    def slo(self, m: SLODecision, o: SLODecision) -> SLODecision:
        values = m.model_dump()
        # Measured baselines are QA facts: the extractor's reading stands, whatever the model says.
        for name in (
            "baseline_p50_ms",
            "baseline_p95_ms",
            "baseline_p99_ms",
            "baseline_context",
            "baseline_error_rate_percent",
            "latency_basis",
            "evidence",
            "error_rate_evidence",
        ):
            if values[name] != getattr(o, name) and name not in ("evidence", "error_rate_evidence"):
                self.note(f"slo.{name}", "a QA-measured baseline comes from the QA facts")
            values[name] = getattr(o, name)
        lo, hi = AVAILABILITY_RANGE
        if not lo <= m.availability_percent <= hi:
            self.note("slo.availability_percent", f"{m.availability_percent:g} % is outside {lo:g}–{hi:g} %")
            values["availability_percent"] = o.availability_percent
            values["availability_basis"] = o.availability_basis
        elif m.availability_basis == "qa_fact" and o.availability_basis != "qa_fact":
            self.note("slo.availability_basis", "the QA report states no availability target", "assumption")
            values["availability_basis"] = "assumption"
        baseline = o.baseline_p95_ms or 0.0
        checks: list[tuple[str, Callable[[dict[str, Any]], bool], str]] = [
            (
                "p95_target_ms",
                lambda v: baseline <= v["p95_target_ms"] <= 60_000,
                f"p95 target below the QA baseline {baseline:g} ms or over 60 s",
            ),
            (
                "p99_target_ms",
                lambda v: v["p95_target_ms"] <= v["p99_target_ms"] <= 120_000,
                "p99 target below the p95 target",
            ),
            (
                "latency_alert_ms",
                lambda v: max(baseline, 1) < v["latency_alert_ms"] <= 120_000,
                "latency alert not above the QA baseline",
            ),
            (
                "error_rate_target_percent",
                lambda v: 0 < v["error_rate_target_percent"] < 50,
                "error-rate target outside (0, 50) %",
            ),
            (
                "error_rate_alert_percent",
                lambda v: v["error_rate_target_percent"] <= v["error_rate_alert_percent"] <= 100,
                "error-rate alert below the target",
            ),
        ]
        for name, ok, why in checks:
            if values[name] != getattr(o, name) and not ok(values):
                self.note(f"slo.{name}", f"{why} ({values[name]:g})")
                values[name] = getattr(o, name)
        mixed = any(values[name] != getattr(o, name) for name, _, _ in checks)
        if mixed and not all(ok(values) for _, ok, _ in checks):
            # Mixed model and offline values can still disagree: then all targets are the offline ones.
            self.note("slo", "targets inconsistent after field fallbacks")
            for name, _, _ in checks:
                values[name] = getattr(o, name)
        return SLODecision(**values)

    def capacity(self, m: CapacityDecision, o: CapacityDecision) -> CapacityDecision:
        values = m.model_dump()
        for name in ("baseline_rps", "peak_tested_rps", "baseline_context"):
            if values[name] != getattr(o, name):
                self.note(f"capacity.{name}", "a QA-measured throughput comes from the QA facts")
            values[name] = getattr(o, name)
        values["target_rps"] = self.positive(
            "capacity.target_rps", m.target_rps, o.target_rps, upper=10_000_000
        )
        values["min_instances"] = self.positive(
            "capacity.min_instances", m.min_instances, o.min_instances, upper=MAX_INSTANCES
        )
        values["max_instances"] = self.positive(
            "capacity.max_instances", m.max_instances, o.max_instances, upper=MAX_INSTANCES
        )
        if values["min_instances"] > values["max_instances"]:
            self.note("capacity.min_instances", "more minimum than maximum instances")
            values["min_instances"], values["max_instances"] = o.min_instances, o.max_instances
        if not 30 <= m.scale_out_cpu_percent <= 95:
            self.note("capacity.scale_out_cpu_percent", f"{m.scale_out_cpu_percent} % is outside 30–95 %")
            values["scale_out_cpu_percent"] = o.scale_out_cpu_percent
        kept = self.refs("capacity.evidence", m.evidence)
        values["evidence"] = kept or list(o.evidence)
        values["basis"] = o.basis  # grounded iff derived from the QA throughput figures (a fact)
        return CapacityDecision(**values)

    def recovery(self, m: RecoveryDecision, o: RecoveryDecision) -> RecoveryDecision:
        values = m.model_dump()
        numbers = ("rto_minutes", "rpo_minutes", "backup_interval_minutes")
        # Objectives and cadence are one design, with the archiving that makes the RPO possible.
        design = (*numbers, "continuous_archiving", "archiving_method")
        for name in numbers:
            values[name] = self.positive(
                f"recovery.{name}", getattr(m, name), getattr(o, name), upper=MAX_RECOVERY_MINUTES
            )
        if any(values[n] != getattr(m, n) for n in numbers):
            # Once one number is the offline engine's, the whole design is.
            values.update({name: getattr(o, name) for name in design})
        elif m.continuous_archiving and filler_reason(m.archiving_method) is not None:
            self.note("recovery.archiving_method", "continuous archiving claimed without a method")
            values["continuous_archiving"], values["archiving_method"] = (
                o.continuous_archiving,
                o.archiving_method,
            )
        elif not m.continuous_archiving:
            values["archiving_method"] = None
        if not values["continuous_archiving"] and values["backup_interval_minutes"] > values["rpo_minutes"]:
            # Without continuous archiving, up to one full-backup interval of data can be lost.
            self.note(
                "recovery",
                f"RPO {values['rpo_minutes']} min is shorter than the backup interval "
                f"{values['backup_interval_minutes']} min without continuous archiving",
            )
            values.update({name: getattr(o, name) for name in design})
        values["retention"] = self.text("recovery.retention", m.retention, o.retention)
        values.update(self.cited("recovery", m.basis, m.evidence))
        return RecoveryDecision(**values)

    def delivery(self, m: DeliveryDecision, o: DeliveryDecision) -> DeliveryDecision:
        """The release path: the kind of software is a QA fact, the wording may be the model's."""
        if m.kind != o.kind:
            self.note("delivery.kind", f"the QA facts show a {o.kind}, not a {m.kind}")
            return o
        channels = [ch for ch in m.channels if filler_reason(ch) is None]
        signals = [sig for sig in m.health_signals if filler_reason(sig) is None]
        if not channels or len(channels) != len(m.channels):
            self.note("delivery.channels", "filler or missing release channels")
            channels = list(o.channels)
        if not signals or len(signals) != len(m.health_signals):
            self.note("delivery.health_signals", "filler or missing health signals")
            signals = list(o.health_signals)
        kept = self.refs("delivery.evidence", m.evidence)
        return m.model_copy(
            update={
                "label": self.text("delivery.label", m.label, o.label),
                "artefacts": self.text("delivery.artefacts", m.artefacts, o.artefacts),
                "channels": channels,
                "health_signals": signals,
                "rationale": self.text("delivery.rationale", m.rationale, o.rationale),
                "basis": o.basis,
                "evidence": kept or list(o.evidence),
            }
        )

    def alert_routing(self, m: AlertRouting, o: AlertRouting) -> AlertRouting:
        return AlertRouting(
            critical=self.name("alert_routing.critical", m.critical, o.critical),
            warning=self.name("alert_routing.warning", m.warning, o.warning),
            info=self.name("alert_routing.info", m.info, o.info),
            **self.cited("alert_routing", m.basis, m.evidence),
        )


# The fields of each decision group the rules above check; a field added to a group later is
# taken from the offline engine until a rule for it exists (unchecked text never ships).
CHECKED_FIELDS: dict[str, frozenset[str]] = {
    "hosting": frozenset(
        {"provider", "provider_name", "region", "dr_region", "rationale", "basis", "evidence"}
    ),
    "platform": frozenset({"kind", "service", "mobile_release", "rationale", "basis", "evidence"}),
    "deployment": frozenset({"strategy", "steps", "rollback_trigger", "rationale", "basis", "evidence"}),
    "ci": frozenset({"system", "rationale", "basis", "evidence"}),
    "observability": frozenset({"metrics", "logs", "tracing", "apm", "basis", "evidence"}),
    "slo": frozenset(
        {
            "availability_percent",
            "availability_basis",
            "baseline_p50_ms",
            "baseline_p95_ms",
            "baseline_p99_ms",
            "baseline_context",
            "p95_target_ms",
            "p99_target_ms",
            "latency_alert_ms",
            "baseline_error_rate_percent",
            "error_rate_target_percent",
            "error_rate_alert_percent",
            "latency_basis",
            "error_rate_evidence",
            "evidence",
        }
    ),
    "capacity": frozenset(
        {
            "baseline_rps",
            "peak_tested_rps",
            "baseline_context",
            "target_rps",
            "min_instances",
            "max_instances",
            "scale_out_cpu_percent",
            "basis",
            "evidence",
        }
    ),
    "recovery": frozenset(
        {
            "rto_minutes",
            "rpo_minutes",
            "backup_interval_minutes",
            "continuous_archiving",
            "archiving_method",
            "retention",
            "basis",
            "evidence",
        }
    ),
    "alert_routing": frozenset({"critical", "warning", "info", "basis", "evidence"}),
}


def _unchecked_fields_offline(c: _Checker, decided: Decisions, offline: Decisions) -> Decisions:
    updates: dict[str, Any] = {}
    for group, checked in CHECKED_FIELDS.items():
        value, base = getattr(decided, group), getattr(offline, group)
        extra = {
            name: getattr(base, name)
            for name in type(base).model_fields
            if name not in checked and getattr(value, name) != getattr(base, name)
        }
        for name in extra:
            c.note(f"{group}.{name}", "not checked field by field: the offline engine's value is used")
        if extra:
            updates[group] = value.model_copy(update=extra)
    return decided.model_copy(update=updates) if updates else decided


def validate_decisions(
    model: Decisions, offline: Decisions, qa: IngestedQA
) -> tuple[Decisions, list[FallbackNote]]:
    """Check every field of the model's decisions; invalid ones take the offline engine's value.

    ``model`` already carries the fact-determined fields (release gate, test commands) from
    ``offline``; they are taken from ``offline`` again here so nothing the model wrote survives
    in them. ``assumptions`` is left for the caller to derive from the checked basis flags.
    Returns the decisions to use and one :class:`~opsrelay.handoff.FallbackNote` per replaced,
    dropped or re-based field (call ``decide``, target the dotted field path, e.g.
    ``runtimes[0].lint_command``), in field order.
    """
    c = _Checker(Inputs.of(qa))
    service = model.service_name
    bad = filler_reason(service, label="service_name")
    if bad is None and kb.norm(service) != kb.norm(offline.service_name) and not c.inputs.mentions(service):
        bad = f"{service[:60]!r} is not named in the QA report"
    if bad:
        c.note("service_name", bad)
        service = offline.service_name
    hosting = c.hosting(model.hosting, offline.hosting)
    ci = model.ci.model_copy(
        update={
            "rationale": c.text("ci.rationale", model.ci.rationale, offline.ci.rationale),
            **c.cited("ci", model.ci.basis, model.ci.evidence),
        }
    )
    if ci.system != offline.ci.system and offline.ci.basis == "qa_fact":
        c.note("ci.system", f"the QA report shows {offline.ci.system}, not {ci.system}")
        ci = offline.ci
    decided = Decisions(
        reasoning=c.text("reasoning", model.reasoning, offline.reasoning),
        service_name=service,
        hosting=hosting,
        platform=c.platform(model.platform, offline.platform, hosting.provider),
        deployment=c.deployment(model.deployment, offline.deployment),
        ci=ci,
        runtimes=c.runtimes(model.runtimes, offline.runtimes),
        test_commands=offline.test_commands,
        environments=c.environments(model.environments, offline.environments),
        datastores=c.datastores(model.datastores, offline.datastores, hosting.provider),
        observability=c.observability(model.observability, offline.observability),
        slo=c.slo(model.slo, offline.slo),
        capacity=c.capacity(model.capacity, offline.capacity),
        recovery=c.recovery(model.recovery, offline.recovery),
        alert_routing=c.alert_routing(model.alert_routing, offline.alert_routing),
        release_gate=offline.release_gate,
        delivery=c.delivery(model.delivery, offline.delivery),
        assumptions=[],
    )
    decided = _unchecked_fields_offline(c, decided, offline)
    # Fields this validator has no specific rules for (added to Decisions later, or derived
    # from facts such as the service units) take the offline value: unchecked model text never
    # reaches the guide.
    known = set(decided.model_fields_set)
    rest: dict[str, Any] = {}
    for name in type(offline).model_fields:
        if name in known or name == "assumptions":
            continue
        if getattr(model, name) != getattr(offline, name):
            c.note(name, "not checked field by field: the offline engine's value is used")
        rest[name] = getattr(offline, name)
    return decided.model_copy(update=rest), c.fallbacks


# "(QA: `report.md:12`, `junit.xml:3`)", the offline writers' citation shape (writers.common.cite).
_QA_CITATION = re.compile(r"[ \t]?\(QA:\s*((?:`[^`\n]*`\s*,?\s*)+)\)")
_CODE_ITEM = re.compile(r"`([^`\n]*)`")
_LOCATOR = re.compile(r"^(?P<source>[^`:\s][^`:]*?):(?P<line>\d+)$")


def _locator_problem(item: str, inputs: Inputs) -> str | None:
    m = _LOCATOR.match(item.strip())
    if not m:
        return f"`{item[:60]}` is not a file:line citation"
    source, line = m.group("source"), int(m.group("line"))
    if source == inputs.source_name:
        if not 1 <= line <= len(inputs.lines) or not inputs.lines[line - 1].strip():
            return f"`{item[:60]}` points to no line with content"
        return None
    if any(s == source and ln == line for s, ln, _ in inputs.known_refs):
        return None
    return f"`{item[:60]}` names no line the run read"


def clean_citations(markdown: str, inputs: Inputs) -> tuple[str, list[str]]:
    """Remove citations in a model-written section that do not resolve to a real input line.

    Handles the guide's citation shape, ``(QA: `file:line`, …)``: unresolvable items are
    removed (the whole parenthesis when none is left). Code blocks are left alone. Returns the
    cleaned Markdown and one reason per removed citation.
    """
    removed: list[str] = []

    def fix(match: re.Match[str]) -> str:
        items = _CODE_ITEM.findall(match.group(1))
        good = []
        for item in items:
            problem = _locator_problem(item, inputs)
            if problem:
                removed.append(f"invented citation removed: {problem}")
            else:
                good.append(f"`{item}`")
        if not good:
            return ""
        if len(good) == len(items):
            return match.group(0)
        lead = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
        return f"{lead}(QA: {', '.join(good)})"

    out: list[str] = []
    in_code = False
    for line in markdown.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        out.append(line if in_code else _QA_CITATION.sub(fix, line))
    return "\n".join(out), removed


def fallback_summary(fallbacks: Iterable[FallbackNote]) -> str:
    """One line for logs: how many fields fell back and the first few paths."""
    items = list(fallbacks)
    head = ", ".join(f.target for f in items[:5])
    return f"{len(items)} field(s): {head}{', …' if len(items) > 5 else ''}" if items else "none"


# --- facts the model proposes (issue 9.9) -----------------------------------------------------------

# A stack item of any kind the facts know, or one of the other facts a model may add.
ProposedKind = Literal[StackKind, "test_command", "environment", "defect", "project_name"]
_STACK_KINDS = frozenset(get_args(StackKind))


class ProposedFact(BaseModel):
    """One fact the model read in the QA document, with the exact quote that shows it."""

    model_config = ConfigDict(extra="forbid")

    kind: ProposedKind = Field(description="What kind of fact this is.")
    value: str = Field(
        description="The fact: a product name ('PostgreSQL'), a test command, an environment name "
        "('staging'), a defect id, or the project name."
    )
    detail: str | None = Field(
        description="For a defect: its severity (P0-P4); for an environment: its URL; else null."
    )
    line: int = Field(description="1-based line number of the QA document where the quote is.")
    quote: str = Field(description="Exact text copied from that line that shows the fact.")


class FactProposals(BaseModel):
    """Facts the deterministic extractor missed, each quoted from the QA document."""

    model_config = ConfigDict(extra="forbid")

    facts: list[ProposedFact] = Field(
        description="Only facts not already in the extracted facts; may be empty."
    )


def _quote_problem(fact: ProposedFact, inputs: Inputs) -> str | None:
    ref = EvidenceRef(source=inputs.source_name, line=fact.line, text=fact.quote)
    problem = inputs.resolve(ref)
    if problem:
        return problem
    if filler_reason(fact.value) is not None:
        return f"{fact.value[:40]!r} is not a value"
    if fact.kind != "test_command" and kb.norm(fact.value) not in kb.norm(fact.quote):
        return f"the quote does not show {fact.value[:40]!r}"
    if fact.kind == "test_command" and " ".join(fact.value.split()) not in " ".join(fact.quote.split()):
        return "the quote does not contain the command"
    return None


def merge_model_facts(
    facts: QAFacts, proposals: FactProposals, inputs: Inputs
) -> tuple[QAFacts, list[str], list[str]]:
    """Add the model's quoted facts to the deterministic ones; return (facts, kept, dropped).

    The deterministic facts are the floor: nothing is removed or weakened (no defect, failing
    test or verdict is touched). A fact is kept only when its quote is found at its line and
    shows its value. A quoted language ranks before languages the extractor only inferred
    (whose evidence line does not name them), so it can correct a heuristic runtime; a quoted
    project name fills a missing one.
    """
    out = facts.model_copy(deep=True)
    kept: list[str] = []
    dropped: list[str] = []
    for fact in proposals.facts:
        label = f"{fact.kind} {fact.value[:40]!r} (line {fact.line})"
        problem = _quote_problem(fact, inputs)
        if problem:
            dropped.append(f"{label}: {problem}")
            continue
        evidence = Evidence(
            source=inputs.source_name, line=fact.line, text=inputs.lines[fact.line - 1].strip()[:240]
        )
        value = " ".join(fact.value.split())
        if fact.kind in _STACK_KINDS:
            if any(kb.norm(s.name) == kb.norm(value) for s in out.stack):
                dropped.append(f"{label}: already extracted")
                continue
            item = StackItem(name=value, kind=fact.kind, evidence=evidence)
            if fact.kind == "language":
                inferred = [
                    i
                    for i, s in enumerate(out.stack)
                    if s.kind == "language" and kb.norm(s.name) not in kb.norm(s.evidence.text)
                ]
                out.stack.insert(inferred[0] if inferred else len(out.stack), item)
            else:
                out.stack.append(item)
        elif fact.kind == "test_command":
            if vet_test_command(value) is None:
                dropped.append(f"{label}: not a plain test command")
                continue
            if any(" ".join(t.command.split()) == value for t in out.test_commands):
                dropped.append(f"{label}: already extracted")
                continue
            out.test_commands.append(TestCommand(command=value, evidence=evidence))
        elif fact.kind == "environment":
            name = value.lower()
            allowed = get_args(Environment.model_fields["name"].annotation)
            if name not in allowed or any(e.name == name for e in out.environments):
                dropped.append(f"{label}: unknown or already extracted environment")
                continue
            url = (
                fact.detail
                if fact.detail and fact.detail in fact.quote and fact.detail.startswith("http")
                else None
            )
            out.environments.append(Environment(name=name, url=url, evidence=evidence))
        elif fact.kind == "defect":
            if any(d.id.lower() == value.lower() for d in out.defects):
                dropped.append(f"{label}: already extracted")  # never changes a known defect
                continue
            severity = (fact.detail or "unknown").upper()
            sev = severity if severity in get_args(Severity) else "unknown"
            out.defects.append(
                Defect(
                    id=value, title=fact.quote.strip()[:120], severity=sev, status="open", evidence=evidence
                )
            )
        elif fact.kind == "project_name":
            if out.project is not None:
                dropped.append(f"{label}: the project name is already known")
                continue
            out.project = NamedFact(value=value, evidence=evidence)
        kept.append(label)
    return out, kept, dropped


# --- CI steps in a model-written section ------------------------------------------------------------

_YAML_BLOCK = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.S | re.M)
_STEP_KEYS = frozenset({"run", "script", "before_script", "after_script"})


def ci_commands(markdown: str) -> list[str]:
    """Every command line the YAML blocks of ``markdown`` would run (GitHub ``run:``, GitLab ``script:``).

    A block that does not parse contributes its ``run:``/``script:`` lines as text, so an
    unparsable block cannot hide a command.
    """
    commands: list[str] = []

    def add(value: Any) -> None:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str):
                commands.extend(" ".join(ln.split()) for ln in item.splitlines() if ln.strip())

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _STEP_KEYS:
                    add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for block in _YAML_BLOCK.findall(markdown):
        try:
            walk(yaml.safe_load(block))
        except yaml.YAMLError:
            commands.extend(_step_lines(block))
    return commands


_STEP_LINE = re.compile(rf"^(?P<indent>\s*)(?:-\s+)?(?:{'|'.join(sorted(_STEP_KEYS))}):(?P<value>.*)$")


def _step_lines(block: str) -> Iterator[str]:
    """The command lines of a YAML block that does not parse, read as text.

    A step key's inline value, and the lines under a step key with no inline value (a ``|``
    or ``>`` block scalar, or a list of commands): more indented than the key's line, or list
    items at its indentation.
    """
    lines = block.splitlines()
    for i, line in enumerate(lines):
        m = _STEP_LINE.match(line)
        if not m:
            continue
        value = m.group("value").strip()
        if value and not re.fullmatch(r"[|>][-+0-9]*", value):
            yield " ".join(value.split())
            continue
        indent = len(m.group("indent"))
        for below in lines[i + 1 :]:
            if not below.strip():
                continue
            depth = len(below) - len(below.lstrip())
            if depth < indent or (depth == indent and not below.lstrip().startswith("- ")):
                break
            text = below.strip()
            yield " ".join((text[2:] if text.startswith("- ") else text).split())


def unvetted_ci_commands(markdown: str, trusted: str) -> list[str]:
    """Commands in ``markdown``'s CI YAML that the offline engine's own section does not run.

    ``trusted`` is the offline section written from the same decisions, whose commands all come
    from the vetted tables and the vetted QA test commands.
    """
    allowed = set(ci_commands(trusted))
    return [c for c in ci_commands(markdown) if c not in allowed]
