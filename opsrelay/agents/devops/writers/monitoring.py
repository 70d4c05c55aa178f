"""Monitoring & Observability and Alerting Configuration."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.safety import slug
from opsrelay.agents.devops.writers.cicd import yq
from opsrelay.agents.devops.writers.common import (
    ASSUMED,
    baseline_phrase,
    cite_paren,
    esc,
    field,
    grounded,
    join_lines,
    num,
    profile_of,
    route_name,
    sub,
    tools_ground,
    unit_lines,
)
from opsrelay.facts.model import QAFacts

_FRONTEND = ("react", "nextjs", "next", "vue", "angular", "svelte", "expo", "reactnative", "nuxt")


def has_frontend(facts: QAFacts) -> bool:
    """Whether QA names a web or mobile front end."""
    return any(kb.has_marker(s.name, _FRONTEND) for s in facts.stack)


def _latency_kpi(d: Decisions) -> str:
    slo = d.slo
    if slo.baseline_p95_ms is None:
        return (
            f"API p95 < {slo.p95_target_ms} ms and p99 < {slo.p99_target_ms} ms {ASSUMED}: QA measured no "
            "latency; replace with a staging load-test baseline."
        )
    parts = []
    if slo.baseline_p50_ms is not None:
        parts.append(f"p50 {num(slo.baseline_p50_ms)} ms")
    parts.append(f"p95 {num(slo.baseline_p95_ms)} ms")
    if slo.baseline_p99_ms is not None:
        parts.append(f"p99 {num(slo.baseline_p99_ms)} ms")
    ctx = f" ({esc(slo.baseline_context, 80)})" if slo.baseline_context else ""
    return (
        f"API p95 < {slo.p95_target_ms} ms and p99 < {slo.p99_target_ms} ms, measured at the load balancer "
        "over "
        f"28 days. Derived from the QA baseline {', '.join(parts)}{ctx}{cite_paren(slo.evidence, 2)}: target "
        "= max(1.5 × baseline, baseline + 50 ms), rounded up to 10 ms."
    )


def _error_kpi(d: Decisions) -> str:
    slo = d.slo
    text = f"Server errors (5xx) < {num(slo.error_rate_target_percent)} % of requests over 28 days"
    if slo.baseline_error_rate_percent is not None:
        ctx = f" ({esc(slo.baseline_context, 80)})" if slo.baseline_context else ""
        text += (
            f"; QA baseline error rate {num(slo.baseline_error_rate_percent)} "
            f"%{ctx}{cite_paren(slo.error_rate_evidence, 1)}. "
            "Rate-limited requests (429) are tracked separately and excluded from the SLO"
        )
    else:
        text += f" {ASSUMED}"
    return text + "."


def _throughput_kpi(d: Decisions) -> str:
    cap = d.capacity
    if cap.baseline_rps is None:
        return f"Capacity for {cap.target_rps} {cap.throughput_unit} {ASSUMED}; QA measured no throughput."
    ctx = f" ({esc(cap.baseline_context, 80)})" if cap.baseline_context else ""
    text = (
        f"Capacity for {cap.target_rps} {cap.throughput_unit} sustained (2 × the QA sustained "
        f"{num(cap.baseline_rps)} {cap.throughput_unit}{ctx}{cite_paren(cap.evidence, 1)})"
    )
    if cap.peak_tested_rps and cap.peak_tested_rps > cap.baseline_rps:
        text += f"; QA exercised bursts up to {num(cap.peak_tested_rps)} {cap.throughput_unit}"
    return text + ". A warning fires when sustained traffic exceeds 80 % of the sized capacity."


def write_monitoring(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## Monitoring & Observability`` section."""
    obs = d.observability
    slo = d.slo
    budget_minutes = (100 - slo.availability_percent) / 100 * 30 * 24 * 60
    db_lines: list[str] = []
    for ds in d.datastores:
        profile = profile_of(ds)
        db_lines.append(sub(f"{esc(ds.name)}{cite_paren(ds.evidence, 1)} via {profile.exporter} {ASSUMED}:"))
        db_lines += [sub(m, 4) for m in profile.metrics]
    if not db_lines:
        db_lines = [
            sub(
                f"No datastore in the QA evidence; connection count, query latency and replication lag are "
                f"added with the first database {ASSUMED}."
            )
        ]
    frontend = has_frontend(facts)
    lines = [
        "## Monitoring & Observability",
        "### Application Monitoring",
        field("APM Tool", f"{esc(obs.apm, 200)}{tools_ground(obs.apm, facts)}."),
        field(
            "Metrics",
            "RED metrics per endpoint (request rate, 5xx ratio, latency histogram for p50/p95/p99) exported "
            f"to {esc(obs.metrics)}{tools_ground(obs.metrics, facts)}; dashboards show them against the SLO "
            "lines"
            + (f" and the {baseline_phrase(d)}" if baseline_phrase(d) else "")
            + "; plus saturation (instance CPU, memory, worker/thread pool usage, queue depth).",
        ),
        *unit_lines(d, "metrics"),
        *(
            [sub(f"{esc(d.delivery.label, 60)} health: {esc(s, 120)}.") for s in d.delivery.health_signals]
            if d.delivery.kind in ("data_pipeline", "distributed_node")
            else []
        ),
        field(
            "Logs",
            "Structured JSON logs (timestamp, level, service, environment, request id, trace id, route, "
            "status, "
            f"duration) shipped to {esc(obs.logs)}{tools_ground(obs.logs, facts)}; no secrets or personal "
            "data in log lines; error logs link to their trace.",
        ),
        field(
            "Tracing",
            f"{esc(obs.tracing)}{tools_ground(obs.tracing, facts)}: W3C trace context propagated through "
            "HTTP calls"
            + (", cache and database spans" if d.datastores else "")
            + f", 10 % head sampling plus 100 % of errors and slow requests {ASSUMED}.",
        ),
        "",
        "### Infrastructure Monitoring",
        field(
            "Server Metrics",
            "CPU, memory, disk usage, network I/O per instance/pod and per node, plus restarts and OOM "
            f"kills, collected by node-exporter/cAdvisor or the platform's container insights {ASSUMED}.",
        ),
        field("Database Metrics", "Connection count, query performance and replication lag per datastore:"),
        *db_lines,
        field(
            "Network Metrics",
            f"Load balancer response times (p95 vs {slo.p95_target_ms} ms objective), 4xx/5xx rates, "
            f"throughput in {d.capacity.throughput_unit} vs the {d.capacity.target_rps} "
            f"{d.capacity.throughput_unit} sizing, TLS handshake errors and upstream connection errors.",
        ),
        field(
            "Security Metrics",
            "Failed login attempts per minute and per source IP, 401/403 rates, WAF blocked requests, "
            f"rate-limited (429) requests, privilege and IAM changes from the cloud audit log {ASSUMED}.",
        ),
        "",
        "### Key Performance Indicators",
        "#### Application KPIs",
        *(
            _kind_kpis(d)
            or [
                field(
                    "Availability",
                    f"{num(slo.availability_percent)} % uptime target per calendar month "
                    f"{'' if slo.availability_basis == 'qa_fact' else ASSUMED}, an error budget of about "
                    f"{budget_minutes:.0f} minutes a month, measured by synthetic checks and load balancer "
                    "success ratio.",
                ),
                field(
                    "Response Time",
                    _latency_kpi(d)
                    + (" Page load (LCP) < 2.5 s at p75 for the web front end." if frontend else ""),
                ),
                field("Error Rate", _error_kpi(d)),
                field("Throughput", _throughput_kpi(d)),
            ]
        ),
        "",
        "#### Business KPIs",
        field(
            "User Engagement",
            f"Daily and weekly active users and requests per active user, from application events {ASSUMED}.",
        ),
        field(
            "Conversion Metrics",
            "Completion rate of the primary user flow (start → successful result) and adoption of each new "
            f"feature in its first 30 days {ASSUMED}.",
        ),
        field(
            "Performance Impact",
            "Weekly comparison of p95 latency against completion rate; any release that moves p95 by more "
            f"than 20 % gets a review of its business impact {ASSUMED}.",
        ),
    ]
    return join_lines(lines)


def _alert_rules_yaml(d: Decisions) -> str:
    name = slug(d.service_name)
    slo = d.slo
    job = f'job="{name}"'
    total = f"sum(rate(http_server_request_duration_seconds_count{{{job}}}[5m]))"
    errors = (
        f'sum(rate(http_server_request_duration_seconds_count{{{job},http_response_status_code=~"5.."}}[5m]))'
    )
    buckets = f"http_server_request_duration_seconds_bucket{{{job}}}"
    p95 = f"histogram_quantile(0.95, sum by (le) (rate({buckets}[5m])))"
    rules: list[tuple[str, str, str, str, str]] = [
        ("ServiceDown", f"up{{{job}}} == 0", "2m", "critical", "No healthy instance is being scraped."),
        (
            "HighErrorRate",
            f"{errors} / {total} > {slo.error_rate_alert_percent / 100:g}",
            "5m",
            "critical",
            f"5xx rate above {num(slo.error_rate_alert_percent)} %.",
        ),
        (
            "LatencyDegraded",
            f"{p95} > {slo.latency_alert_ms / 1000:g}",
            "5m",
            "critical",
            f"p95 latency above {slo.latency_alert_ms} ms.",
        ),
        (
            "LatencySLOAtRisk",
            f"{p95} > {slo.p95_target_ms / 1000:g}",
            "15m",
            "warning",
            f"p95 latency above the {slo.p95_target_ms} ms objective.",
        ),
    ]
    keys = {profile_of(ds).key for ds in d.datastores}
    if "postgresql" in keys:
        rules.append(("PostgresDown", "pg_up == 0", "1m", "critical", "PostgreSQL is unreachable."))
        rules.append(
            (
                "PostgresConnectionsHigh",
                "sum(pg_stat_activity_count) / max(pg_settings_max_connections) > 0.8",
                "10m",
                "warning",
                "PostgreSQL connections above 80 % of max_connections.",
            )
        )
    if "redis" in keys:
        rules.append(("RedisDown", "redis_up == 0", "1m", "critical", "Redis is unreachable."))
        rules.append(
            (
                "RedisMemoryHigh",
                "redis_memory_used_bytes / redis_memory_max_bytes > 0.8",
                "15m",
                "warning",
                "Redis memory above 80 % of maxmemory.",
            )
        )
    if "mongodb" in keys:
        rules.append(("MongoDBDown", "mongodb_up == 0", "1m", "critical", "MongoDB is unreachable."))
    if "kafka" in keys:
        rules.append(
            (
                "KafkaConsumerLagHigh",
                "sum by (consumergroup) (kafka_consumergroup_lag) > 1000",
                "10m",
                "warning",
                "Kafka consumer group lag above 1000 messages.",
            )
        )
    lines = ["groups:", f"  - name: {name}-slo", "    rules:"]
    for alert, expr, duration, severity, summary in rules:
        lines += [
            f"      - alert: {alert}",
            f"        expr: {yq(expr)}",
            f"        for: {duration}",
            "        labels:",
            f"          severity: {severity}",
            "        annotations:",
            f"          summary: {yq(summary)}",
        ]
    return "\n".join(lines)


def _kind_kpis(d: Decisions) -> list[str]:
    """Application KPIs of a data pipeline or a distributed node (empty: a service's KPIs apply)."""
    slo = d.slo
    if d.delivery.kind == "data_pipeline":
        return [
            field(
                "Availability",
                f"{num(slo.availability_percent)} % of scheduled runs succeed per calendar month "
                f"{'' if slo.availability_basis == 'qa_fact' else ASSUMED}, measured from the scheduler's "
                "run history.",
            ),
            field(
                "Response Time",
                "Each run finishes within 60 minutes of its schedule (p95 run duration), so data is never "
                f"more than one interval stale {ASSUMED}. " + _latency_kpi(d),
            ),
            field(
                "Error Rate", f"Below 1 % of records rejected by the data-quality checks per run {ASSUMED}."
            ),
            field("Throughput", _throughput_kpi(d)),
        ]
    if d.delivery.kind == "distributed_node":
        return [
            field(
                "Availability",
                f"{num(slo.availability_percent)} % of nodes healthy (3 or more peers, in sync with the "
                f"network) per calendar month {'' if slo.availability_basis == 'qa_fact' else ASSUMED}.",
            ),
            field("Response Time", _latency_kpi(d)),
            field("Error Rate", _error_kpi(d)),
            field("Throughput", _throughput_kpi(d)),
        ]
    return []


def _kind_alerts(d: Decisions, crit: str) -> list[str]:
    """Alerts a data pipeline or a distributed node needs beyond a service's health check."""
    if d.delivery.kind == "data_pipeline":
        return [
            sub(
                f"A scheduled run failed, or did not start within 15 minutes of its schedule, 1 or more "
                f"times → {crit}."
            ),
            sub(
                f"Data freshness: no successful run for 2 × the schedule interval (checked every 5 "
                f"minutes) → {crit}."
            ),
            sub(
                f"1 or more data-quality checks failed in a run → {crit}; that run's output is not published."
            ),
        ]
    if d.delivery.kind == "distributed_node":
        return [
            sub(f"A node's peer count is 0 for 5 minutes, or below 3 peers for 15 minutes → {crit}."),
            sub(f"A node is more than 10 blocks/entries behind the network for 10 minutes → {crit}."),
            sub(f"More than a third of the nodes unhealthy for 1 minute (quorum at risk) → {crit}."),
        ]
    return []


def write_alerting(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## Alerting Configuration`` section."""
    slo = d.slo
    r = d.alert_routing
    crit = route_name(r.critical)
    warn = route_name(r.warning)
    baseline = baseline_phrase(d)
    if baseline:
        degradation = (
            f"p95 latency > {slo.latency_alert_ms} ms (2 × {baseline}{cite_paren(slo.evidence, 1)}) for 5 "
            f"minutes → {crit}."
        )
    else:
        degradation = (
            f"p95 latency > {slo.latency_alert_ms} ms (2 × the objective) for 5 minutes → {crit} {ASSUMED}."
        )
    err_base = (
        f" QA baseline {num(slo.baseline_error_rate_percent)} %{cite_paren(slo.error_rate_evidence, 1)}."
        if slo.baseline_error_rate_percent is not None
        else f" {ASSUMED}"
    )
    down_extra = [
        sub(
            f"{esc(ds.name)} unavailable (exporter `up` metric 0 or connection failures) for 1 minute → "
            f"{crit}."
        )
        for ds in d.datastores
    ]
    resource_extra: list[str] = []
    slow_extra: list[str] = []
    for ds in d.datastores:
        key = profile_of(ds).key
        if key == "postgresql":
            resource_extra.append(
                sub(f"PostgreSQL connections > 80 % of max_connections for 10 minutes → {warn}.")
            )
            resource_extra.append(sub(f"PostgreSQL replication lag > 30 s for 5 minutes → {warn}."))
            slow_extra.append(
                sub(
                    f"PostgreSQL: statements with mean_exec_time > 1000 ms in pg_stat_statements over "
                    f"15 minutes → {warn}."
                )
            )
        elif key == "mysql":
            resource_extra.append(
                sub(f"MySQL Threads_connected > 80 % of max_connections for 10 minutes → {warn}.")
            )
            slow_extra.append(sub(f"MySQL slow-query log entries (> 1 s) above 10 per 15 minutes → {warn}."))
        elif key == "redis":
            resource_extra.append(
                sub(
                    f"Redis used_memory > 80 % of maxmemory for 15 minutes, or evicted_keys rising "
                    f"for 15 minutes → {warn}."
                )
            )
            resource_extra.append(sub(f"Redis hit rate < 50 % for 30 minutes (cache ineffective) → {warn}."))
        elif key == "mongodb":
            resource_extra.append(
                sub(
                    f"MongoDB oplog window < 24 hours for 30 minutes, or replication lag > 30 s for "
                    f"5 minutes → {warn}."
                )
            )
            slow_extra.append(sub(f"MongoDB operations slower than 100 ms above 50 per 15 minutes → {warn}."))
        elif key == "kafka":
            resource_extra.append(
                sub(
                    f"Kafka consumer lag > 1000 messages for 10 minutes, or under-replicated "
                    f"partitions > 0 for 5 minutes → {warn}."
                )
            )
        else:
            resource_extra.append(
                sub(f"{esc(ds.name)} resource usage > 80 % of its limit for 15 minutes → {warn}.")
            )
    if not slow_extra:
        slow_extra = [
            sub(
                f"Application: database or downstream calls slower than 1 s above 1 % of calls for 15 "
                f"minutes → {warn}."
            )
        ]
    lines = [
        "## Alerting Configuration",
        "Every alert states a threshold, a duration and a route; critical alerts page, warnings do not.",
        "",
        "### Critical Alerts (Immediate Response)",
        field(
            "Service Down",
            {
                "data_pipeline": "No scheduled run started for 2 consecutive intervals, or the job's "
                f"container fails to start, for 30 minutes → {crit} {ASSUMED}.",
                "distributed_node": "A node process down, or unreachable on its peer port from 2 or more "
                f"probe locations, for 2 minutes → {crit} {ASSUMED}.",
            }.get(
                d.delivery.kind,
                "Health check fails on `/health` from 2 or more probe locations, or no healthy instance "
                f"behind the load balancer, for 2 minutes → {crit} {ASSUMED}.",
            ),
        ),
        *down_extra,
        *_kind_alerts(d, crit),
        field(
            "High Error Rate",
            f"5xx responses > {num(slo.error_rate_alert_percent)} % of requests for 5 minutes "
            f"→ {crit}.{err_base}",
        ),
        field("Performance Degradation", degradation),
        field(
            "Security Incident",
            "More than 50 failed logins per minute from one source, or more than 500 per minute in total, "
            "for 5 "
            f"minutes; or any privilege escalation in the audit log (immediately) → {crit} and the security "
            f"lead {ASSUMED}.",
        ),
        "",
        "### Warning Alerts (Business Hours Response)",
        field("Resource Usage", f"CPU or memory > 80 % for 15 minutes on any instance → {warn}."),
        *resource_extra,
        sub(
            f"p95 latency above the {slo.p95_target_ms} ms objective for 15 minutes (error budget burning) → "
            f"{warn}."
        ),
        sub(
            f"Sustained traffic above 80 % of the {d.capacity.target_rps} {d.capacity.throughput_unit} "
            "sizing for 30 minutes → "
            f"{warn}."
        ),
        field("Slow Queries", "Database queries > 1 s execution time:"),
        *slow_extra,
        field(
            "Low Disk Space",
            f"< 20 % disk space remaining on any volume or database storage for 15 minutes → {warn}.",
        ),
        field(
            "SSL Certificate",
            f"Expiring within 30 days, checked hourly; fires after 1 hour below the threshold "
            f"→ {warn} (critical at 7 days).",
        ),
        "",
        "### Alert Channels",
        field(
            "Critical",
            f"{esc(r.critical, 160)}{grounded(r.basis, r.evidence, 1)}; unacknowledged pages escalate to the "
            "secondary on-call after 10 minutes.",
        ),
        field(
            "Warning",
            f"{esc(r.warning, 160)}{grounded(r.basis, r.evidence, 1)}; triaged during business hours.",
        ),
        field("Info", f"{esc(r.info, 160)}{grounded(r.basis, r.evidence, 1)}."),
        "",
        "Prometheus alerting rules implementing the thresholds above (metric names follow the OpenTelemetry "
        f"HTTP conventions and the standard exporters) {ASSUMED}:",
        "",
        "```yaml",
        _alert_rules_yaml(d),
        "```",
    ]
    return join_lines(lines)
