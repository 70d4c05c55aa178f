"""Performance Optimization and Cost Management."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.common import (
    ASSUMED,
    baseline_phrase,
    cite_paren,
    esc,
    field,
    join_lines,
    num,
    perf_setup_note,
    profile_of,
    ref,
    route_name,
    sub,
)
from opsrelay.agents.devops.writers.monitoring import has_frontend
from opsrelay.agents.devops.writers.overview import connection_budget
from opsrelay.facts.model import QAFacts


def write_performance(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## Performance Optimization`` section."""
    cloud = kb.CLOUDS[d.hosting.provider]
    caches = [ds for ds in d.datastores if ds.role == "cache"]
    dbs = [ds for ds in d.datastores if ds.role == "primary_database"]
    cap = d.capacity
    if caches:
        caching = (
            "; ".join(f"{esc(ds.name)}{cite_paren(ds.evidence, 1)}" for ds in caches)
            + " as the application cache with explicit TTLs per key family and cache-aside reads; hit rate "
            "is tracked on the dashboard and alerted below 50 %"
            + f"; {cloud.cdn} in front of static assets {ASSUMED}."
        )
    else:
        caching = (
            f"{cloud.cdn} for static assets and HTTP caching headers on cacheable GET responses; an "
            f"application cache (Redis) only once profiling shows repeated expensive reads {ASSUMED}."
        )
    if dbs:
        database = (
            "; ".join(esc(ds.name) for ds in dbs)
            + f": connection pooling capped at {connection_budget(d)} connections per instance, indexes "
            "driven by "
            "the slow-query view (top statements by total time reviewed weekly), N+1 query patterns removed, "
            "statement timeouts of 5 s on request paths."
        )
    else:
        database = (
            "No database in the QA evidence; pooling and statement timeouts apply once one is added "
            f"{ASSUMED}."
        )
    if has_frontend(facts):
        frontend = (
            "Route-level code splitting, lazy loading of below-the-fold components, image compression to "
            "WebP/AVIF, long-lived cache headers on fingerprinted bundles, bundle-size budget checked in CI "
            f"{ASSUMED}."
        )
    else:
        frontend = (
            "No web front end in the QA evidence: API responses are compressed (gzip/brotli) and paginated; "
            f"clients cache with ETags {ASSUMED}."
        )
    backend = (
        "Timeouts and retries with backoff on every outbound call, expensive work moved to background jobs, "
        "rate limiting per client at the edge, request payload size limits."
    )
    if facts.risks:
        backend += " QA-identified risks to address:"
    risk_lines = [sub(f"{esc(r.title)}{cite_paren(ref(r.evidence), 1)}") for r in facts.risks[:8]]
    baseline = baseline_phrase(d)
    horizontal = (
        f"Autoscaling between {cap.min_instances} and {cap.max_instances} instances on average CPU > "
        f"{cap.scale_out_cpu_percent} % (scale in after 10 minutes below 40 %) behind the load balancer"
    )
    if cap.baseline_rps is not None:
        horizontal += (
            f"; QA sustained {num(cap.baseline_rps)} {cap.throughput_unit}{cite_paren(cap.evidence, 1)}, "
            "so the minimum "
            f"footprint covers the QA load with one instance lost"
        )
    horizontal += f" {ASSUMED}."
    vertical = (
        "Resource requests/limits set from the p95 of observed usage plus 30 % headroom; revisit after each "
        "major release" + (f" and whenever {baseline} drifts by more than 20 %" if baseline else "") + "."
    )
    db_scaling = (
        "; ".join(f"{esc(ds.name)}: {profile_of(ds).scaling}" for ds in d.datastores)
        if d.datastores
        else f"Not applicable until a datastore exists {ASSUMED}"
    )
    names = {"throughput": "throughput", "error_rate": "error rate"}
    units = {
        "rps": "requests/s",
        "msg/s": "messages/s",
        "tx/s": "transactions/s",
        "ops/s": "operations/s",
    }
    picked = [m for m in facts.performance if m.metric in ("p95", "p99", "throughput", "error_rate")][:4]
    groups: dict[str, list[str]] = {}
    for m in picked:  # one phrase per QA scenario, in document order
        figure = f"{names.get(m.metric, m.metric)} {num(m.value)} {units.get(m.unit, m.unit)}"
        groups.setdefault(m.context or "", []).append(figure + cite_paren(ref(m.evidence), 1))
    measured = [
        (f"in {esc(ctx, 80)}: " if ctx else "") + ", ".join(figures) for ctx, figures in groups.items()
    ]
    setup = perf_setup_note(facts)
    intro: list[str] = []
    if measured:
        intro = [
            "QA measured " + "; ".join(measured) + "." + setup + " The sizing below follows them.",
            "",
        ]
    elif setup:
        intro = [setup.strip(), ""]
    lines = [
        "## Performance Optimization",
        *intro,
        "### Optimization Strategies",
        field("Caching", caching),
        field("Database", database),
        field("Frontend", frontend),
        field("Backend", backend),
        *risk_lines,
        "",
        "### Scaling Strategies",
        field("Horizontal Scaling", horizontal),
        field("Vertical Scaling", vertical),
        field("Database Scaling", db_scaling + "."),
        field(
            "CDN",
            f"{cloud.cdn} with edge caching of static assets and cacheable API responses, origin shielding "
            f"and compression {ASSUMED}.",
        ),
    ]
    return join_lines(lines)


def write_cost(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## Cost Management`` section."""
    cloud = kb.CLOUDS[d.hosting.provider]
    third_party = [route_name(d.alert_routing.critical)]
    third_party += [esc(ds.hosting.split(",")[0], 80) for ds in d.datastores if "Atlas" in ds.hosting]
    lines = [
        "## Cost Management",
        "### Cost Monitoring",
        field(
            "Resource Usage",
            "Track CPU, memory, storage, and bandwidth costs per environment and per component "
            f"through mandatory `service`, `environment` and `owner` tags, reported daily {ASSUMED}.",
        ),
        field(
            "Service Costs",
            "Monitor third-party service expenses ("
            + ", ".join(third_party)
            + f", CI minutes, container registry storage) in a monthly review {ASSUMED}.",
        ),
        field(
            "Optimization",
            "Identify cost-saving opportunities monthly: idle instances, unattached volumes, "
            "oversized databases (CPU < 20 % for 14 days) and old snapshots beyond the retention policy.",
        ),
        field(
            "Budgets",
            f"Monthly {cloud.budgets} per environment with alerts at 50 %, 80 % and 100 % of the "
            f"forecast, routed to {esc(d.alert_routing.warning, 120)} {ASSUMED}.",
        ),
        "",
        "### Cost Optimization",
        field(
            "Reserved Instances",
            f"{cloud.reserved} for the steady baseline ({d.capacity.min_instances} "
            "application instances and the primary datastores) after 3 months of stable usage.",
        ),
        field(
            "Spot Instances",
            f"{cloud.spot} for CI runners, staging and batch jobs; never for the primary "
            "database or the minimum production capacity.",
        ),
        field(
            "Resource Right-sizing",
            "Match resources to actual usage: compare requests/limits and database size "
            "with 30-day p95 utilisation every month and downsize anything below 40 %.",
        ),
        field(
            "Automated Shutdown",
            "Development environment scheduling: staging and development scale to zero "
            f"from 20:00 to 07:00 and at weekends, with on-demand start from the pipeline {ASSUMED}.",
        ),
    ]
    return join_lines(lines)
