"""Grounding in the QA facts: release gate, datastores, baselines, traceability, unlisted components.

Every rule here is silent without facts.
"""

from __future__ import annotations

import re

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import Document
from opsrelay.review.model import Finding, FindingSeverity
from opsrelay.review.rules.base import NUMBER, find_section, finding, heading_of
from opsrelay.review.vocab import CLOUD_OF, ENGINE_OF, KNOWN_COMPONENTS, canonical, find_mention, mentioned

_GATES = heading_of("quality_gates")
_BACKUP = heading_of("backup_disaster_recovery")
_MONITORING = heading_of("monitoring_observability")
_ASSUMPTIONS = heading_of("assumptions")
_BLOCKED = re.compile(
    r"(?<!not )(?<!no longer )\bblocked\b|\bno[- ]go\b|release gate\W+(?:closed|fail\w*)"
    r"|do not (?:release|deploy|ship)",
    re.IGNORECASE,
)


def _has_id(text: str, ident: str) -> bool:
    """Whether a defect/risk id appears in ``text`` as a whole token (case-insensitive)."""
    return re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", text, re.IGNORECASE) is not None


def _section_text(doc: Document, *keys: str) -> str:
    """Concatenated text of the named template sections that exist."""
    return "\n".join(sec.text for key in keys if (sec := find_section(doc, key)) is not None)


def release_gate(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Open P0/P1 defects, failing tests or a NO-GO verdict must show as a blocked release gate."""
    if facts is None or not facts.release_blocked:
        return []
    gates = find_section(doc, "quality_gates")
    text = gates.text if gates else ""
    out: list[Finding] = []
    reasons = []
    if facts.open_blockers:
        reasons.append("open P0/P1 defects " + ", ".join(d.id for d in facts.open_blockers))
    if facts.failing_test_count:
        reasons.append(f"{facts.failing_test_count} failing test(s)")
    if facts.verdict.value in ("NO-GO", "FAIL"):
        reasons.append(f"QA verdict {facts.verdict.value}")
    if not _BLOCKED.search(text):
        out.append(
            finding(
                "grounding.release-gate",
                "blocker",
                _GATES,
                "QA evidence blocks the release (" + "; ".join(reasons) + ") but Quality Gates does not "
                "say so.",
                "Add an unchecked gate such as '- [ ] Release gate: BLOCKED until <defect ids> are fixed and "
                "the test run is green'.",
                line=gates.line if gates else None,
            )
        )
    for defect in facts.open_blockers:
        if not _has_id(text, defect.id):
            out.append(
                finding(
                    "grounding.blocker-not-named",
                    "blocker",
                    _GATES,
                    f"Open {defect.severity} defect {defect.id} ('{defect.title[:60]}') is not named in "
                    "Quality Gates.",
                    f"Name {defect.id} in an unchecked release gate.",
                    line=gates.line if gates else None,
                )
            )
    return out


def datastore_coverage(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Every datastore from the QA facts has backup coverage (major) and metrics (minor)."""
    if facts is None:
        return []
    backup = _section_text(doc, "backup_disaster_recovery")
    metrics = _section_text(doc, "monitoring_observability", "alerting_configuration")
    out: list[Finding] = []
    for store in {s.name: s for s in facts.datastores}.values():
        names = (store.name, *ENGINE_OF.get(canonical(store.name) or store.name, ()))
        if not any(mentioned(backup, n) for n in names):
            out.append(
                finding(
                    "grounding.datastore-backup",
                    "major",
                    _BACKUP,
                    f"{store.name} ({store.kind}, from the QA facts) has no backup coverage in '{_BACKUP}'.",
                    f"State how {store.name} is backed up and restored (or why it needs none, e.g. a "
                    "cache rebuilt from the primary store).",
                )
            )
        if not any(mentioned(metrics, n) for n in names):
            out.append(
                finding(
                    "grounding.datastore-metrics",
                    "minor",
                    _MONITORING,
                    f"{store.name} (from the QA facts) is not covered by monitoring or alerts.",
                    f"Add {store.name} metrics (connections, latency, saturation, replication/eviction) to "
                    "Database Metrics and an alert.",
                )
            )
    return out


def _latencies_ms(text: str) -> list[float]:
    """Every latency figure in ``text`` in milliseconds."""
    out: list[float] = []
    for m in re.finditer(rf"({NUMBER})\s*(ms|milliseconds?|s|secs?|seconds?)\b", text, re.IGNORECASE):
        value = float(m.group(1).replace(",", ""))
        out.append(value if m.group(2).lower().startswith("m") else value * 1000)
    return out


def performance_baselines(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """QA's p95/p99 latency baselines appear in the KPIs, alerts or performance targets."""
    if facts is None:
        return []
    baselines = [p for p in facts.performance if p.metric in ("p95", "p99") and p.unit in ("ms", "s")]
    if not baselines:
        return []
    figures = _latencies_ms(
        _section_text(doc, "monitoring_observability", "alerting_configuration", "performance_optimization")
    )
    for p in baselines:
        target = p.value * (1000 if p.unit == "s" else 1)
        if any(abs(f - target) <= max(1.0, target * 0.01) for f in figures):
            return []
    listed = ", ".join(f"{p.metric} {p.value:g} {p.unit}" for p in baselines[:4])
    return [
        finding(
            "grounding.performance-baseline",
            "minor",
            _MONITORING,
            f"QA's latency baselines ({listed}) are not used in KPIs, alerts or performance targets.",
            "Quote the QA baseline in Response Time / Performance Degradation (e.g. 'p95 baseline 240 ms "
            "from QA load test; alert at 2x').",
        )
    ]


def traceability(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Every open defect, open security finding and QA risk with an id is tracked somewhere operational."""
    if facts is None:
        return []
    text = _section_text(doc, "quality_gates", "operational_runbooks", "assumptions")
    blockers = {d.id for d in facts.open_blockers}
    items: list[tuple[str, str, FindingSeverity]] = []
    items += [
        (d.id, f"open {d.severity} defect", "major" if d.severity == "P2" else "minor")
        for d in facts.defects
        if d.status == "open" and d.id not in blockers
    ]
    items += [
        (
            s.id,
            f"open {s.severity} security finding",
            "major" if s.severity in ("P0", "P1", "P2") else "minor",
        )
        for s in facts.security
        if s.id and s.status == "open"
    ]
    items += [(r.id, "QA risk", "minor") for r in facts.risks if r.id]
    out: list[Finding] = []
    for ident, kind, severity in {i[0]: i for i in items}.values():
        if not _has_id(text, ident):
            out.append(
                finding(
                    "grounding.traceability",
                    severity,
                    _GATES,
                    f"{kind[0].upper()}{kind[1:]} {ident} from the QA facts is not tracked in Quality Gates, "
                    "Operational Runbooks or Assumptions & Open Questions.",
                    f"Reference {ident} where operations will act on it (a gate, a runbook task or an "
                    "open question).",
                )
            )
    return out


def _in_facts(facts: QAFacts, component: str) -> bool:
    """Whether the QA facts' stack names this known component."""
    return any(canonical(item.name) == component or mentioned(item.name, component) for item in facts.stack)


def unlisted_components(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Clouds and datastores the QA facts do not name are declared as assumptions."""
    if facts is None:
        return []
    assumptions = find_section(doc, "assumptions")
    assumed = assumptions.text if assumptions else ""
    out: list[Finding] = []
    for component in KNOWN_COMPONENTS:
        cloud = CLOUD_OF.get(component)
        if not mentioned(doc.source, component):
            continue
        if _in_facts(facts, component) or mentioned(assumed, component):
            continue
        if cloud and (_in_facts(facts, cloud) or mentioned(assumed, cloud)):
            continue
        lines = [n for n, text in enumerate(doc.lines, 1) if find_mention(text, component)]
        lines = [n for n in lines if not (assumptions and assumptions.contains(n))]
        if not lines or any(re.search(r"assum", doc.line_text(n), re.IGNORECASE) for n in lines):
            continue
        sec = doc.section_at(lines[0])
        out.append(
            finding(
                "grounding.unlisted-component",
                "minor",
                _ASSUMPTIONS,
                f"{component} is named (line {lines[0]}"
                + (f", '{sec.heading}'" if sec else "")
                + ") but the QA facts do not mention it, and it is not marked as an assumption.",
                f"List {component} under '{_ASSUMPTIONS}' (or mark it '(assumption)' where it is named).",
                line=lines[0],
            )
        )
    return out


RULES = (release_gate, datastore_coverage, performance_baselines, traceability, unlisted_components)
