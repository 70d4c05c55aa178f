"""Practice defaults the section writers rely on, and the decisions' reasoning summary."""

from __future__ import annotations

from opsrelay.agents.devops import kinds
from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.common import AssumptionLog, fmt_num
from opsrelay.agents.devops.decisions import CloudProvider, DeliveryKind, ReleaseGate, SLODecision
from opsrelay.facts.model import QAFacts


def compliance_texts(facts: QAFacts) -> list[str]:
    """QA texts that may name a compliance regime: security findings, risks, defects, stack."""
    texts = [f.title for f in facts.security] + [f.evidence.text for f in facts.security]
    texts += [r.title for r in facts.risks] + [r.evidence.text for r in facts.risks]
    texts += [d.title for d in facts.defects] + [s.name for s in facts.stack]
    return texts


def practice_defaults(facts: QAFacts, provider: CloudProvider, notes: AssumptionLog) -> None:
    """Assumptions the section writers rely on that no single decision field carries."""
    cloud = kb.CLOUDS[provider]
    regimes = kb.compliance_mentions(compliance_texts(facts))
    if not regimes:
        notes.add(
            "Compliance",
            "No specific compliance regime applies; personal data is handled to GDPR-style baseline controls "
            "(data minimisation, encryption, access logging, deletion on request).",
            "The QA report names no regulatory requirement; confirm with legal whether GDPR, SOC 2, HIPAA or "
            "PCI DSS apply.",
        )
    notes.add(
        "Network and access controls",
        f"Private subnets, a single public HTTPS load balancer, {cloud.waf}, SSO with MFA for operators and "
        f"secrets in {cloud.secrets}.",
        "QA tested the application, not the production network; these are baseline cloud security controls.",
    )
    notes.add(
        "Storage and CDN",
        f"User uploads and generated files live in {cloud.object_store} with versioning; static assets are "
        f"served through {cloud.cdn}.",
        "QA does not describe file storage; object storage with versioning is the standard durable store.",
    )
    notes.add(
        "Instance sizing",
        "Application instances start at the size stated under Environment Specifications and are right-sized "
        "after two weeks of production metrics.",
        "QA resource figures, where present, come from a test machine; production sizing must be confirmed.",
    )
    notes.add(
        "Health endpoint",
        "The service exposes /health for load balancer checks, smoke tests and synthetic probes.",
        "QA does not name the health endpoint; adjust the path in the pipeline and probes if it differs.",
    )
    notes.add(
        "Logging retention",
        "Logs are searchable for 30 days and archived for 1 year.",
        "No retention requirement in the QA evidence; align with legal and security policy.",
    )
    notes.add(
        "Incident tooling",
        "A public status page and a dedicated incident chat channel per P1/P2 incident are used for "
        "communication.",
        "QA does not cover incident communication; these are common, inexpensive defaults.",
    )
    notes.add(
        "Cost controls",
        "Monthly cloud budgets with alerts at 50 %, 80 % and 100 % of forecast; staging and development "
        "scale down outside working hours.",
        "No budget figure in the QA evidence; the amount must be set by the service owner.",
    )


def reasoning_summary(facts: QAFacts, decisions: dict[str, object]) -> str:
    """One paragraph summarising what QA established and how it drives the decisions."""
    stack = ", ".join(dict.fromkeys(s.name for s in facts.stack)) or "no named technologies"
    perf = "no latency baseline"
    slo = decisions["slo"]
    assert isinstance(slo, SLODecision)
    if slo.baseline_p95_ms is not None:
        perf = f"p95 baseline {fmt_num(slo.baseline_p95_ms)} ms ({slo.baseline_context or 'load test'})"
    gate = decisions["gate"]
    assert isinstance(gate, ReleaseGate)
    kind = decisions.get("kind", "service")
    plan = " (a test plan: tests planned, not executed)" if facts.document_kind == "plan" else ""
    return (
        f"QA evidence{plan}: stack {stack}; {len(facts.test_commands)} test command(s); {perf}; "
        f"{len(facts.open_blockers)} open P0/P1 defect(s); {facts.failing_test_count} failing test(s); "
        f"{len(facts.outcome_failures)} failed QA criterion/criteria; verdict {facts.verdict.value}. "
        f"Kind of software: {kind}, which decides the release path. Platform, strategy and SLOs follow "
        f"from these facts where they exist; everything else is a recorded assumption. Release gate: "
        f"{gate.status}."
    )


def client_defaults(facts: QAFacts, kind: DeliveryKind, notes: AssumptionLog) -> None:
    """Assumptions behind the guide of software distributed to users (library, CLI, apps, devices)."""
    regimes = kb.compliance_mentions(compliance_texts(facts))
    if not regimes and kind in ("mobile", "desktop", "embedded"):
        notes.add(
            "Compliance",
            "Crash and usage telemetry is collected without personal data, with consent where the store or "
            "law requires it (GDPR-style baseline).",
            "The QA report names no regulatory requirement; confirm with legal which regimes apply.",
        )
    notes.add(
        "Signing keys",
        "Release signing keys (store upload keys, code-signing certificates, Sigstore keyless identity) "
        "live in the CI secret store and hardware-backed key storage; no developer machine signs releases.",
        "QA does not describe how releases are signed; signing in CI from protected secrets is the "
        "standard control against tampered releases.",
    )
    notes.add(
        "Release cadence",
        "Releases are cut from main when changes are ready, at most weekly, with patch releases as needed.",
        "No release cadence in the QA evidence; a predictable cadence lets users plan upgrades.",
    )
    notes.add(
        "Field telemetry",
        kinds.PROFILES[kind].telemetry,
        "QA tested the software, not how it is observed in the field; these are the usual signals for it.",
    )
