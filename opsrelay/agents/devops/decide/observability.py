"""Metrics, logs, tracing and APM tooling."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.common import AssumptionLog, refs
from opsrelay.agents.devops.decisions import CloudProvider, ObservabilityDecision
from opsrelay.facts.model import QAFacts, StackItem


def decide_observability(
    facts: QAFacts, provider: CloudProvider, notes: AssumptionLog
) -> ObservabilityDecision:
    """Metrics, logs, tracing and APM: the tools QA names, else open-source defaults."""
    named = facts.stack_of("observability", "tool", "platform", "framework", "datastore")
    by_key = {kb.norm(s.name): s for s in named}

    def pick(keys: tuple[str, ...]) -> list[StackItem]:
        return [s for k, s in by_key.items() if any(k.startswith(m) for m in keys)]

    metrics = pick(kb.METRICS_TOOLS)
    logs = pick(kb.LOG_TOOLS)
    traces = pick(kb.TRACE_TOOLS)
    apm = pick(kb.APM_TOOLS)
    used = metrics + logs + traces + apm
    cloud = kb.CLOUDS[provider]

    def join(items: list[StackItem]) -> str:
        return " + ".join(dict.fromkeys(s.name for s in items))

    metrics_text = join(metrics) if metrics else "Prometheus + Grafana"
    logs_text = join(logs) if logs else f"{cloud.logs} (JSON logs shipped by Fluent Bit)"
    tracing_text = join(traces) if traces else "OpenTelemetry SDK exporting to Grafana Tempo"
    apm_text = (
        join(apm) if apm else "Grafana Application Observability (APM views over the traces and RED metrics)"
    )
    missing = [
        label
        for label, items in (("metrics", metrics), ("logs", logs), ("tracing", traces), ("APM", apm))
        if not items
    ]
    if missing:
        notes.add(
            "Observability tooling",
            "Not named by QA and chosen here: "
            + "; ".join(
                f"{label}: {text}"
                for label, text in (
                    ("metrics", metrics_text),
                    ("logs", logs_text),
                    ("tracing", tracing_text),
                    ("APM", apm_text),
                )
                if label in missing
            )
            + ".",
            "Open-source, vendor-neutral defaults that cover the RED metrics, logs and traces the alerts "
            "rely on.",
        )
    return ObservabilityDecision(
        metrics=metrics_text,
        logs=logs_text,
        tracing=tracing_text,
        apm=apm_text,
        basis="qa_fact" if not missing else "assumption",
        evidence=refs(s.evidence for s in used),
    )
