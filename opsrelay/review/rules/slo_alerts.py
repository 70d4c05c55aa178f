"""SLOs and alerts: numeric KPI targets; every alert with a threshold, a duration and a route."""

from __future__ import annotations

import re

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import Document
from opsrelay.review.model import Finding
from opsrelay.review.rules.base import NUMBER, find_section, finding, heading_of

_MONITORING = heading_of("monitoring_observability")
_ALERTING = heading_of("alerting_configuration")

# (field, regex its value must match, what is expected, severity)
_KPI_CHECKS: tuple[tuple[str, str, str, str], ...] = (
    ("Availability", rf"{NUMBER}\s*%", "a percentage, e.g. '99.9%'", "major"),
    (
        "Response Time",
        rf"{NUMBER}\s*(?:ms|milliseconds?|s|secs?|seconds?)\b",
        "a time, e.g. 'p95 < 300 ms'",
        "major",
    ),
    ("Error Rate", rf"{NUMBER}\s*%", "a percentage, e.g. '< 0.1%'", "major"),
    ("Throughput", rf"{NUMBER}", "a number, e.g. '200 requests/s' or '500 concurrent users'", "minor"),
)

_UNIT = r"(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)"
_THRESHOLD = re.compile(
    rf"[<>≤≥]=?\s*~?\s*{NUMBER}|{NUMBER}\s*(?:%|ms\b|x\b|×)"
    rf"|\b(?:above|below|over|under|exceeds?|exceeding|more than|less than|fewer than|greater than|"
    rf"at least|at most|reaches|within|>=|<=)\s+~?{NUMBER}"
    rf"|\b{NUMBER}\s*(?:\+\s*)?(?:failed|failures|errors|attempts|requests|restarts|events|5xx|4xx)\b"
    rf"|\b{NUMBER}\s+or\s+(?:more|fewer|less)\b|\b(?:no|zero)\s+(?:healthy|available|running|ready)\b"
    r"|\b(?:down|unavailable|unreachable|not responding|unresponsive|crash\w*|OOM\w*|expir\w*|stopped|"
    r"offline)\b"
    r"|\b(?:health|readiness|liveness|synthetic)[ -]?(?:checks?|probes?)\b.{0,40}?\bfail"
    r"|\bfail(?:s|ed|ing)?\b.{0,40}?\b(?:health|readiness|liveness|synthetic)",
    re.IGNORECASE,
)
_DURATION = re.compile(
    rf"\bfor\s+(?:at least\s+|more than\s+|over\s+|longer than\s+|>\s*)?{NUMBER}\s*\+?\s*-?{_UNIT}\b"
    rf"|{NUMBER}\s*\+\s*{_UNIT}\b"
    rf"|\b(?:over|during|within|in|across|sustained(?: for)?|lasting)\s+"
    rf"(?:an?\s+|the\s+)?(?:last\s+|past\s+)?"
    rf"(?:{NUMBER}\s*-?\s*)?{_UNIT}\b"
    rf"|\b{NUMBER}\s*(?:consecutive|successive|straight)\b"
    rf"|(?:\bper|/)\s*(?:{NUMBER}\s*)?(?:seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b"
    rf"|\bfor:\s*{NUMBER}\s*[smhd]\b|\bduration\b\W*{NUMBER}|\b{NUMBER}\s*-?\s*(?:minute|min|hour|second)s?\s+window"
    r"|\b(?:immediately|instantly|on first (?:occurrence|event|failure)|any single)\b",
    re.IGNORECASE,
)
_ROUTE = re.compile(
    r"pager\s*duty|opsgenie|victorops|splunk on-call|incident\.io|grafana on-?call|pager|on-?call|sms|"
    r"phone|call|slack|e-?mail|teams|webhook|discord|zulip|mattermost|telegram|matrix|sns|"
    r"#[\w-]+|@[\w-]+|dashboard|status ?page|ticket|jira",
    re.IGNORECASE,
)


def kpis_numeric(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Application KPIs carry numeric targets with units."""
    sec = find_section(doc, "monitoring_observability")
    if sec is None:
        return []
    region = sec.block("Application KPIs") or sec
    out: list[Finding] = []
    for label, pattern, expected, severity in _KPI_CHECKS:
        fld = region.field(label)
        if fld is None or not fld.value.strip() or re.search(pattern, fld.value, re.IGNORECASE):
            continue
        rule = "slo." + label.lower().replace(" ", "-") + "-numeric"
        out.append(
            finding(
                rule,
                "major" if severity == "major" else "minor",
                _MONITORING,
                f"KPI '{label}' has no numeric target: '{fld.value[:80]}'.",
                f"State '{label}' as {expected}.",
                line=fld.line,
            )
        )
    return out


def alerts_actionable(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Each critical/warning alert states a threshold and how long it must hold."""
    sec = find_section(doc, "alerting_configuration")
    if sec is None:
        return []
    out: list[Finding] = []
    for block_name in ("Critical Alerts (Immediate Response)", "Warning Alerts (Business Hours Response)"):
        block = sec.block(block_name)
        if block is None:
            continue
        for fld in (f for f in block.fields if f.depth == 0):
            if not fld.value.strip():
                continue  # structure.empty-field reports it
            if not _THRESHOLD.search(fld.value):
                out.append(
                    finding(
                        "alerts.threshold",
                        "major",
                        _ALERTING,
                        f"Alert '{fld.label}' has no threshold: '{fld.value[:80]}'.",
                        "Give a measurable condition, e.g. '> 1% 5xx responses' or 'health check fails'.",
                        line=fld.line,
                    )
                )
            if not _DURATION.search(fld.value):
                out.append(
                    finding(
                        "alerts.duration",
                        "major",
                        _ALERTING,
                        f"Alert '{fld.label}' has no duration or evaluation window: '{fld.value[:80]}'.",
                        "Say how long the condition must hold, e.g. 'for 5 minutes' or '2 consecutive "
                        "checks'.",
                        line=fld.line,
                    )
                )
    return out


def alert_routes(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Alert Channels route critical and warning alerts somewhere a human will see them."""
    sec = find_section(doc, "alerting_configuration")
    block = sec.block("Alert Channels") if sec else None
    if block is None:
        return []
    out: list[Finding] = []
    for label in ("Critical", "Warning"):
        fld = block.field(label)
        if fld is None or not fld.value.strip() or _ROUTE.search(fld.value):
            continue
        out.append(
            finding(
                "alerts.route",
                "major",
                _ALERTING,
                f"'{label}' alerts have no recognisable route: '{fld.value[:80]}'.",
                "Name the channel and receiver, e.g. 'PagerDuty (primary on-call), escalate after 15 min'.",
                line=fld.line,
            )
        )
    return out


RULES = (kpis_numeric, alerts_actionable, alert_routes)
