"""Deployment Overview and Infrastructure Architecture."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import DatastoreDecision, Decisions, EnvironmentDecision
from opsrelay.agents.devops.writers.cicd import ci_test_commands, describe_runtimes
from opsrelay.agents.devops.writers.common import (
    ASSUMED,
    baseline_phrase,
    cite_paren,
    code,
    esc,
    field,
    gate_summary,
    grounded,
    hosting_phrase,
    join_lines,
    num,
    profile_of,
    service,
    sub,
    tools_ground,
    unit_lines,
)
from opsrelay.facts.model import QAFacts

# Per-datastore production sizing (provider-neutral), used in Environment Specifications.
_DB_SIZING: dict[str, str] = {
    "postgresql": "2 vCPU / 8 GiB primary plus a same-size standby, 100 GiB SSD with storage autoscaling, "
    "max_connections 200",
    "mysql": "2 vCPU / 8 GiB primary plus a same-size standby, 100 GiB SSD with storage autoscaling, "
    "max_connections 200",
    "sqlserver": "4 vCPU / 16 GiB with a synchronous secondary, 200 GiB SSD, max worker threads default",
    "sqlite": "single writer on a 20 GiB encrypted SSD volume",
    "mongodb": "3 members of 2 vCPU / 8 GiB, 100 GiB SSD each, maxIncomingConnections 1000 per member",
    "redis": "primary plus replica, 2 vCPU / 6 GiB each, maxmemory 75 % of RAM, "
    "maxmemory-policy allkeys-lru, maxclients 10000",
    "kafka": "3 brokers of 2 vCPU / 8 GiB, 500 GiB SSD each, replication factor 3, min.insync.replicas 2",
    "rabbitmq": "3 nodes of 2 vCPU / 4 GiB, quorum queues, vm_memory_high_watermark 0.6",
    "elasticsearch": "3 data nodes of 2 vCPU / 8 GiB (50 % heap), 200 GiB SSD each",
    "hazelcast": "3 members of 1 vCPU / 4 GiB, backup-count 1",
    "celery": "2 to 6 worker replicas of 1 vCPU / 2 GiB, scaled on queue length",
}

_ML_MARKERS = ("pytorch", "torch", "tensorflow", "onnx", "scikitlearn", "sklearn", "transformers")


def connection_budget(d: Decisions) -> int:
    """Per-instance database connection pool size that keeps all instances under 80 % of max_connections."""
    return max(2, int(200 * 0.8) // max(1, d.capacity.max_instances))


def _instance_size(facts: QAFacts) -> str:
    if any(kb.has_marker(s.name, _ML_MARKERS) for s in facts.stack):
        return "4 vCPU / 8 GiB (CPU-bound model inference)"
    return "1 vCPU / 2 GiB"


def _datastore_line(ds: DatastoreDecision) -> str:
    version = f" {esc(ds.version, 20)}" if ds.version else ""
    return (
        f"{esc(ds.name)}{version}{cite_paren(ds.evidence, 1)} on {esc(ds.hosting, 200)} {ASSUMED}; "
        f"backups: {esc(ds.backup_method, 300)}"
    )


def _env_ground(env: EnvironmentDecision | None) -> str:
    if env is None:
        return f" {ASSUMED}"
    url = f"; URL {esc(env.url, 200)}" if env.url else ""
    return url + grounded(env.basis, env.evidence, 1)


def write_overview(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## Deployment Overview`` section."""
    dep = d.deployment
    obs = d.observability
    commands = ci_test_commands(d)
    stores = ", ".join(f"{esc(ds.name)}{cite_paren(ds.evidence, 1)}" for ds in d.datastores)
    infra = (
        f"{hosting_phrase(d)}; "
        f"{esc(d.platform.service, 120)}{grounded(d.platform.basis, d.platform.evidence, 1)} running "
        f"{describe_runtimes(d.runtimes)}"
    )
    if stores:
        infra += f"; state in {stores} on managed services {ASSUMED}"
    if d.platform.mobile_release:
        infra += f"; mobile app shipped through the stores ({esc(d.platform.mobile_release, 300)})"
    baseline = baseline_phrase(d)
    slo = d.slo
    monitoring = (
        f"{esc(obs.metrics)}{tools_ground(obs.metrics, facts)} for metrics, {esc(obs.logs)}"
        f"{tools_ground(obs.logs, facts)} for logs, {esc(obs.tracing)}{tools_ground(obs.tracing, facts)} for "
        f"traces; alerts on the SLOs: availability {num(slo.availability_percent)} % "
        f"{ASSUMED}, p95 ≤ {slo.p95_target_ms} ms"
        + (f" (from {baseline}{cite_paren(slo.evidence, 1)})" if baseline else f" {ASSUMED}")
        + f", 5xx rate < {num(slo.error_rate_target_percent)} %."
    )
    ci_name = "GitHub Actions" if d.ci.system == "github_actions" else "GitLab CI"
    gate_line = gate_summary(d)
    lines = [
        "## Deployment Overview",
        f"Operations guide for **{service(d)}**, derived from the QA handoff {code(facts.source_name)}.",
        "",
        field(
            "Deployment Strategy",
            f"{dep.strategy.capitalize()} deployment{grounded(dep.basis, dep.evidence)}: "
            f"{esc(dep.rationale, 400)} Rollback when {esc(dep.rollback_trigger, 300)}.",
        ),
        field("Infrastructure", infra + "."),
        field(
            "CI/CD Pipeline",
            f"{ci_name}{grounded(d.ci.basis, d.ci.evidence, 1)}: "
            f"lint → tests ({', '.join(code(c.command) for c in commands)}) → dependency and image scans → "
            "image build → automatic staging deploy from `develop` → production deploy from `main` after "
            "manual approval.",
        ),
        field("Monitoring", monitoring),
        "",
        gate_line,
    ]
    return join_lines(lines)


def write_infrastructure(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## Infrastructure Architecture`` section."""
    cloud = kb.CLOUDS[d.hosting.provider]
    cap = d.capacity
    slo = d.slo
    size = _instance_size(facts)
    compute = (
        f"{esc(d.platform.service, 120)}{grounded(d.platform.basis, d.platform.evidence, 1)}; "
        f"{cap.min_instances}–"
        f"{cap.max_instances} application instances of {size} {ASSUMED}, spread over at least two "
        f"availability zones and scaled out when average CPU exceeds {cap.scale_out_cpu_percent} %"
    )
    if cap.baseline_rps is not None:
        ctx = f" ({esc(cap.baseline_context, 80)})" if cap.baseline_context else ""
        compute += (
            f"; sized for {cap.target_rps} {cap.throughput_unit}, twice the QA sustained throughput of "
            f"{num(cap.baseline_rps)} {cap.throughput_unit}{ctx}{cite_paren(cap.evidence, 1)}"
        )
        if cap.peak_tested_rps and cap.peak_tested_rps > cap.baseline_rps:
            compute += (
                f", with {num(cap.peak_tested_rps)} {cap.throughput_unit} the highest rate QA exercised"
            )
    else:
        compute += f"; initially sized for {cap.target_rps} {cap.throughput_unit} {ASSUMED}"
    if d.delivery.kind == "data_pipeline":
        # A pipeline has runs, not a fleet behind a load balancer: size the run, not the instance count.
        compute = (
            f"{esc(d.platform.service, 120)}{grounded(d.platform.basis, d.platform.evidence, 1)}; each run "
            f"gets one task of {size}, at most one run per partition at a time, retried twice with backoff "
            f"{ASSUMED}"
        )
    elif d.delivery.kind == "distributed_node":
        compute = (
            f"{esc(d.platform.service, 120)}{grounded(d.platform.basis, d.platform.evidence, 1)}; nodes of "
            f"{size} at least {ASSUMED}, spread over availability zones so no zone holds a third of them"
        )
    if d.platform.mobile_release:
        compute += f". Mobile clients: {esc(d.platform.mobile_release, 300)}"
    if d.datastores:
        database = "; ".join(_datastore_line(ds) for ds in d.datastores)
    else:
        database = (
            "No database or cache appears in the QA evidence; the service is treated as stateless "
            f"{ASSUMED}. Any datastore added later gets a managed, replicated service with PITR backups"
        )
    storage = (
        f"{cloud.object_store} bucket per environment for user uploads and generated files (versioning on, "
        f"public access blocked, replicated to {esc(d.hosting.dr_region)}); static assets served through "
        f"{cloud.cdn}; images in {cloud.registry} with immutable tags {ASSUMED}"
    )
    security = (
        "Private subnets for application and data tiers; only the load balancer is public, on port 443; "
        f"security groups allow the application to reach its datastores and nothing else; {cloud.waf} in "
        "front "
        f"of the load balancer; no SSH: operators use SSO with MFA and audited session access; secrets in "
        f"{cloud.secrets}, injected at runtime {ASSUMED}"
    )
    prod_env = next((e for e in d.environments if e.name == "production"), None)
    staging = next((e for e in d.environments if e.name == "staging"), None)
    dev = next((e for e in d.environments if e.name == "development"), None)

    if d.datastores:
        db_specs = "; ".join(
            f"{esc(ds.name)}: {_DB_SIZING.get(profile_of(ds).key, 'sized from staging metrics')}"
            for ds in d.datastores
        )
        sql = [ds for ds in d.datastores if (p := kb.datastore_profile(ds.name)) is not None and p.sql]
        if sql:
            db_specs += (
                f"; application pools capped at {connection_budget(d)} connections per instance so "
                f"{cap.max_instances} instances stay below 80 % of max_connections"
            )
        db_specs += f" {ASSUMED}"
    else:
        db_specs = f"No production database in the QA evidence {ASSUMED}."
    versions = ", ".join(
        f"{esc(ds.name)} {esc(ds.version, 20)}" if ds.version else esc(ds.name) for ds in d.datastores
    )
    same_versions = f" and the same {versions} versions" if versions else ""
    compose_services = ", ".join(
        f"`{p.key}`" for ds in d.datastores if (p := kb.datastore_profile(ds.name)) is not None
    )
    lines = [
        "## Infrastructure Architecture",
        "### Production Environment",
        field(
            "Hosting",
            f"{hosting_phrase(d)} as the primary region; backup copies and recovery in "
            f"{esc(d.hosting.dr_region)}" + ("." if d.hosting.basis == "assumption" else f" {ASSUMED}."),
        ),
        field("Compute", compute + "."),
        *unit_lines(d, "compute"),
        field("Database", database + "."),
        field("Storage", storage + "."),
        field("Security", security + "."),
        "",
        "### Environment Specifications",
        "#### Production",
        field(
            "Instances",
            {
                "data_pipeline": f"One task of {size} per scheduled run; no long-running instances",
                "distributed_node": f"One VM of {size} per node with a persistent data volume",
            }.get(
                d.delivery.kind,
                f"{cap.min_instances} to {cap.max_instances} instances of {size} behind the load balancer, "
                "health-checked on `/health`",
            )
            + f"{_env_ground(prod_env)}.",
        ),
        field("Database", db_specs),
        field(
            "Monitoring",
            f"Full monitoring and alerting enabled: {esc(d.observability.metrics)} metrics, "
            f"{esc(d.observability.tracing)} traces, SLO alerts (p95 > {slo.latency_alert_ms} ms, 5xx > "
            f"{num(slo.error_rate_alert_percent)} %) routed to {esc(d.alert_routing.critical, 120)}.",
        ),
        field(
            "Logging",
            f"Centralized logging: structured JSON to {esc(d.observability.logs)}, retained 30 days "
            f"searchable and 1 year in archive storage {ASSUMED}.",
        ),
        "",
        "#### Staging",
        field(
            "Purpose",
            f"{esc(staging.purpose if staging else 'Pre-production testing environment', 200).rstrip('.')}"
            f"{_env_ground(staging)}.",
        ),
        field(
            "Configuration",
            f"Same images, deployment manifests{same_versions} as production at reduced size: 1 application "
            f"instance, single-zone datastores, scaled to zero outside working hours {ASSUMED}.",
        ),
        field(
            "Data",
            "Synthetic or anonymised seed data only, never production personal data; reset and reseeded "
            f"weekly and before each release candidate {ASSUMED}.",
        ),
        "",
        "#### Development",
        field(
            "Purpose",
            f"{esc(dev.purpose if dev else 'Development and initial testing', 200).rstrip('.')}"
            f"{_env_ground(dev)}.",
        ),
        field(
            "Configuration",
            "Local Docker Compose stack with the production images' base"
            + (f" and {compose_services} containers at the production versions" if compose_services else "")
            + f"; configuration through `.env` files that are never committed {ASSUMED}.",
        ),
        field(
            "Data",
            "Migrations plus a seed script create a small deterministic dataset on `docker compose up`; "
            f"developers reset it at will {ASSUMED}.",
        ),
    ]
    if d.datastores:
        lines.insert(
            5,
            sub(
                "Replication: "
                + "; ".join(f"{esc(ds.name)}: {profile_of(ds).replication}" for ds in d.datastores)
                + f" {ASSUMED}."
            ),
        )
    return join_lines(lines)
