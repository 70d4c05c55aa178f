"""SLOs, alert thresholds and capacity, derived from the QA performance baselines."""

from __future__ import annotations

import re

from opsrelay.agents.devops.decide.common import DEFAULT_AVAILABILITY, AssumptionLog, ceil_to, refs
from opsrelay.agents.devops.decisions import Basis, CapacityDecision, SLODecision
from opsrelay.facts.model import PerfMetric, QAFacts

_BASELINE_HINT = re.compile(r"(?i)baseline|sustain|steady|normal|average load|load test|nominal")


_NON_BASELINE_HINT = re.compile(
    r"(?i)spike|stress|burst|peak|soak|cache hit|cache miss|max|single request|health"
)


def _ms(metric: PerfMetric) -> float:
    return metric.value * 1000 if metric.unit == "s" else metric.value


def _baseline_rank(metric: PerfMetric) -> tuple[int, int]:
    context = metric.context or ""
    if _BASELINE_HINT.search(context) and not _NON_BASELINE_HINT.search(context):
        return (0, 0)
    if not context:
        return (1, 0)
    if _NON_BASELINE_HINT.search(context):
        return (3, 0)
    return (2, 0)


THROUGHPUT_UNITS = {
    "rps": "requests/s",
    "msg/s": "messages/s",
    "tx/s": "transactions/s",
    "ops/s": "operations/s",
}
"""Throughput units a capacity decision can size for, and how the guide writes them."""


def _pick(facts: QAFacts, name: str, context: str | None) -> PerfMetric | None:
    candidates = [m for m in facts.performance if m.metric == name]
    if name in ("p50", "p95", "p99"):
        candidates = [m for m in candidates if m.unit in ("ms", "s")]
    elif name == "throughput":
        # Requests, messages, transactions or operations per second; the first unit QA used wins, so
        # figures of one kind are compared with each other only.
        candidates = [m for m in candidates if m.unit in THROUGHPUT_UNITS]
        if candidates:
            candidates = [m for m in candidates if m.unit == candidates[0].unit]
    elif name == "error_rate":
        candidates = [m for m in candidates if m.unit == "%"]
    if not candidates:
        return None
    if context is not None:
        same = [m for m in candidates if m.context == context]
        if same:
            return same[0]
    return sorted(candidates, key=lambda m: (_baseline_rank(m), facts.performance.index(m)))[0]


def error_rate_alert(target_percent: float) -> float:
    """The 5xx rate that raises a critical alert: twice the objective, and never below 1 %."""
    return round(max(1.0, target_percent * 2), 2)


def decide_slo(facts: QAFacts, notes: AssumptionLog) -> SLODecision:
    """SLOs and alert thresholds from the QA latency and error-rate baselines (defaults when unmeasured)."""
    p95 = _pick(facts, "p95", None)
    context = p95.context if p95 else None
    p50 = _pick(facts, "p50", context)
    p99 = _pick(facts, "p99", context)
    err = _pick(facts, "error_rate", context)
    evidence = refs(m.evidence for m in (p95, p50, p99) if m is not None)
    notes.add(
        "Availability objective",
        f"The availability objective is {DEFAULT_AVAILABILITY:g} % per calendar month.",
        "QA measured no availability figure; 99.9 % (about 43 minutes of downtime a month) is a common "
        "objective for a business service. Confirm with the product owner.",
    )
    if p95 is not None:
        base = _ms(p95)
        target95 = ceil_to(max(base * 1.5, base + 50), 10)
        alert = ceil_to(base * 2, 10)
        if p99 is not None:
            b99 = _ms(p99)
            target99 = max(ceil_to(max(b99 * 1.5, b99 + 50), 10), target95)
        else:
            target99 = target95 * 2
            notes.add(
                "p99 latency objective",
                f"The p99 objective is {target99} ms, twice the p95 objective.",
                "QA reports no p99 figure for the baseline scenario.",
            )
        latency_basis: Basis = "qa_fact"
    else:
        base = None
        target95, target99, alert = 500, 1000, 1000
        notes.add(
            "Latency objectives",
            "p95 latency objective 500 ms and p99 1000 ms; a critical alert fires at p95 above 1000 ms.",
            "QA measured no latency baseline; these are conventional API targets. Run a load test in staging "
            "and replace them with baseline-derived values.",
        )
        latency_basis = "assumption"
    if err is not None:
        err_target = round(max(0.1, err.value * 2), 2)
    else:
        err_target = 0.1
        notes.add(
            "Error-rate objective",
            "The server-error (5xx) rate objective is 0.1 % of requests.",
            "QA measured no error rate; 0.1 % matches the availability objective's error budget.",
        )
    err_alert = error_rate_alert(err_target)
    return SLODecision(
        availability_percent=DEFAULT_AVAILABILITY,
        availability_basis="assumption",
        baseline_p50_ms=_ms(p50) if p50 else None,
        baseline_p95_ms=base,
        baseline_p99_ms=_ms(p99) if p99 else None,
        baseline_context=context,
        p95_target_ms=target95,
        p99_target_ms=target99,
        latency_alert_ms=alert,
        baseline_error_rate_percent=err.value if err else None,
        error_rate_target_percent=err_target,
        error_rate_alert_percent=err_alert,
        error_rate_evidence=refs([err.evidence]) if err else [],
        latency_basis=latency_basis,
        # The load-test set-up (instances, nodes, data volume) the baselines were measured on.
        evidence=evidence + (refs(s.evidence for s in facts.perf_setup) if p95 is not None else []),
    )


def decide_capacity(facts: QAFacts, slo_context: str | None, notes: AssumptionLog) -> CapacityDecision:
    """Throughput sizing and autoscaling bounds from the QA throughput figures."""
    base = _pick(facts, "throughput", slo_context)
    unit = base.unit if base is not None else "rps"
    rps = [m for m in facts.performance if m.metric == "throughput" and m.unit == unit]
    peak = max(rps, key=lambda m: m.value) if rps else None
    notes.add(
        "Autoscaling bounds",
        "Production runs at least 2 application instances (one per availability zone) and scales out to at "
        "most 10 when average CPU exceeds 70 %.",
        "Two instances are the minimum for zero-downtime deploys and zone failure; the ceiling caps cost and "
        "database connections. Tune after a week of production metrics.",
    )
    if base is None:
        notes.add(
            "Throughput sizing",
            "Production is initially sized for 100 requests/s.",
            "QA measured no throughput; run a load test in staging to replace this figure.",
        )
        return CapacityDecision(
            baseline_rps=None,
            peak_tested_rps=None,
            baseline_context=None,
            target_rps=100,
            min_instances=2,
            max_instances=10,
            scale_out_cpu_percent=70,
            basis="assumption",
            evidence=[],
        )
    target = ceil_to(base.value * 2, 10)
    return CapacityDecision(
        baseline_rps=base.value,
        peak_tested_rps=peak.value if peak else None,
        baseline_context=base.context,
        target_rps=target,
        min_instances=2,
        max_instances=10,
        scale_out_cpu_percent=70,
        throughput_unit=THROUGHPUT_UNITS.get(unit, "requests/s"),
        basis="qa_fact",
        evidence=refs(
            [*(m.evidence for m in (base, peak) if m is not None), *(s.evidence for s in facts.perf_setup)]
        ),
    )
