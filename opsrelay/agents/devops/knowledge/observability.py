"""Observability and paging tools by family, and compliance regimes QA texts may name."""

from __future__ import annotations

import re

METRICS_TOOLS = ("prometheus", "grafana", "datadog", "newrelic", "cloudwatch", "victoriametrics")


LOG_TOOLS = (
    "elasticsearch",
    "elk",
    "loki",
    "fluentbit",
    "fluentd",
    "serilog",
    "splunk",
    "cloudwatch",
    "logstash",
)


TRACE_TOOLS = ("opentelemetry", "otel", "jaeger", "tempo", "zipkin", "xray")


APM_TOOLS = ("datadog", "newrelic", "sentry", "dynatrace", "appdynamics", "elasticapm")


PAGING_TOOLS = ("pagerduty", "opsgenie", "victorops")


COMPLIANCE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bGDPR\b", "GDPR"),
    (r"\bSOC\s?2\b", "SOC 2"),
    (r"\bHIPAA\b", "HIPAA"),
    (r"\bPCI[\s-]?DSS\b|\bPCI\b", "PCI DSS"),
    (r"\bISO\s?27001\b", "ISO 27001"),
    (r"\bFedRAMP\b", "FedRAMP"),
    (r"\bSection\s?508\b|\bWCAG\b", "Section 508 / WCAG accessibility"),
)


def compliance_mentions(texts: list[str]) -> list[str]:
    """Compliance regimes named in the given texts, in a stable order."""
    found: list[str] = []
    for pattern, label in COMPLIANCE_PATTERNS:
        if any(re.search(pattern, t, re.IGNORECASE) for t in texts) and label not in found:
            found.append(label)
    return found
