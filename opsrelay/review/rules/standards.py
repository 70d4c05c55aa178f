"""The six Quality Standards of the DevOps Engineer role, checked by keyword evidence.

Each standard is a set of signal groups; it counts as addressed when every group is present in
the document's *content* (headings and field labels removed, so the template's own wording does
not count). One missing standard is minor; when most are missing the document is hollow and each
finding is major.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import Document
from opsrelay.review.model import Finding, FindingSeverity
from opsrelay.review.rules.base import finding, heading_of


@dataclass(frozen=True)
class Standard:
    """One quality standard: its question, the section it belongs to, and its signal groups."""

    rule: str
    question: str
    section_key: str
    signals: tuple[tuple[str, str], ...]  # (what the signal shows, regex)


STANDARDS: tuple[Standard, ...] = (
    Standard(
        "standards.pipeline",
        "Is the deployment pipeline automated and reliable?",
        "cicd_pipeline",
        (
            ("an automatic trigger", r"\bon:|\bpush\b|pull[_ ]request|merge request|automatic|automated"),
            (
                "tests run in the pipeline",
                r"pytest|npm (?:run )?test|go test|mvn|gradle|jest|vitest|rspec|"
                r"phpunit|cargo test|tox|nox|\btests?\b",
            ),
            (
                "a reliability safeguard",
                r"smoke[- ]test|health[- ]?check|readiness|canary|retr(?:y|ies)|"
                r"idempot|approval|protected environment|concurrency|timeout|automatic rollback|"
                r"auto-rollback",
            ),
        ),
    ),
    Standard(
        "standards.monitoring",
        "Are monitoring and alerting comprehensive and actionable?",
        "alerting_configuration",
        (
            (
                "a metrics/logs/traces stack",
                r"prometheus|grafana|datadog|new relic|opentelemetry|\botel\b|"
                r"cloudwatch|sentry|loki|\belk\b|elastic|jaeger|tempo|honeycomb|stackdriver|azure monitor",
            ),
            ("an on-call route", r"pagerduty|opsgenie|on-?call|escalat|victorops|incident\.io"),
            (
                "actions for responders",
                r"runbook|playbook|first (?:step|action)|→|->|respond by|"
                r"action:|mitigat",
            ),
        ),
    ),
    Standard(
        "standards.incident-response",
        "Is the incident response plan well-documented and tested?",
        "incident_response",
        (
            ("a documented procedure", r"\bP1\b|\bSEV-?1\b|incident commander|post-?mortem|blameless"),
            (
                "how it is exercised",
                r"game ?days?|drills?|tabletop|chaos|simulat\w*|exercis\w*|"
                r"(?:restore|recovery|failover|dr) (?:test|rehearsal)|rehears\w*",
            ),
        ),
    ),
    Standard(
        "standards.security",
        "Are security measures implemented and regularly updated?",
        "security_compliance",
        (
            (
                "implemented controls",
                r"\btls\b|\bmfa\b|multi-factor|least privilege|rbac|encrypt|\bwaf\b|"
                r"secrets? manager|vault|\bkms\b",
            ),
            (
                "an update mechanism",
                r"patch|dependabot|renovate|rotat\w*|\bcve\b|vulnerability scan|trivy|"
                r"snyk|pip-audit|npm audit|grype|osv",
            ),
            (
                "a cadence",
                r"daily|weekly|monthly|quarterly|nightly|every \d+ (?:days|hours)|within \d+ "
                r"(?:hours|days)|\bsla\b",
            ),
        ),
    ),
    Standard(
        "standards.scalability-cost",
        "Is the infrastructure scalable and cost-effective?",
        "performance_optimization",
        (
            (
                "a scaling mechanism",
                r"auto-?scal\w*|\bhpa\b|horizontal pod|scale[sd]? (?:out|up|to)|"
                r"replicas",
            ),
            (
                "a capacity figure",
                r"\d+\s*(?:replicas|instances|pods|nodes|tasks|rps|req/s|"
                r"requests? per second|concurrent|users|vcpu|gib|gb)",
            ),
            (
                "a cost control",
                r"\$\s?\d|\d+\s?(?:usd|eur|€)|budget|cost (?:alert|anomal)|right-?siz\w*|"
                r"savings plan|reserved|spot",
            ),
        ),
    ),
    Standard(
        "standards.procedures",
        "Are operational procedures documented and accessible?",
        "operational_runbooks",
        (
            (
                "where procedures live",
                r"wiki|confluence|notion|docs/|runbooks?/|repositor\w*|\brepo\b|https?://|"
                r"stored (?:in|at)|linked from|accessible|bookmark|sharepoint|backstage|readme",
            ),
            ("who owns them", r"\bowner\w*|on-?call|rota|\bteam\b|responsible|assignee|\bDRI\b|rotation"),
        ),
    ),
)

_LABEL = re.compile(r"(?:\*\*|__)[^*_\n]+?(?:\*\*|__)\s*:?")
_MOST = 4  # of six


def content_text(doc: Document) -> str:
    """Return the document without headings and field labels, so template wording does not count."""
    heading_lines = {h.line for h in doc.headings}
    kept = [_LABEL.sub(" ", text) for n, text in enumerate(doc.lines, 1) if n not in heading_lines]
    return "\n".join(kept)


def quality_standards(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Each of the six Quality Standards has evidence in the document."""
    text = content_text(doc)
    runbooks = doc.section(heading_of("operational_runbooks"))
    missing: list[tuple[Standard, list[str]]] = []
    for std in STANDARDS:
        gaps = [what for what, rx in std.signals if not re.search(rx, text, re.IGNORECASE)]
        if std.rule == "standards.procedures" and (runbooks is None or len(runbooks.checklist) < 3):
            gaps.insert(0, "runbook checklists")
        if gaps:
            missing.append((std, gaps))
    severity: FindingSeverity = "major" if len(missing) >= _MOST else "minor"
    return [
        finding(
            std.rule,
            severity,
            heading_of(std.section_key),
            f"Quality standard not evidenced — {std.question} Missing: {', '.join(gaps)}.",
            f"Address it explicitly: add {', '.join(gaps)}.",
        )
        for std, gaps in missing
    ]


RULES = (quality_standards,)
