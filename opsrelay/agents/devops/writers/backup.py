"""Backup & Disaster Recovery and Incident Response."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import DatastoreDecision, Decisions
from opsrelay.agents.devops.safety import slug
from opsrelay.agents.devops.writers.common import (
    ASSUMED,
    cite_paren,
    esc,
    field,
    join_lines,
    num,
    profile_of,
    route_name,
    step,
    sub,
)
from opsrelay.facts.model import QAFacts


def _restore_command(ds: DatastoreDecision, provider: str, name: str) -> str:
    key = profile_of(ds).key
    if key == "postgresql" and provider == "aws":
        return (
            "`aws rds restore-db-instance-to-point-in-time --source-db-instance-identifier "
            f"{name}-production "
            f'--target-db-instance-identifier {name}-restore --restore-time "$RESTORE_TIME"`, then repoint '
            "the application's database secret"
        )
    if key == "postgresql":
        return '`pgbackrest --stanza=main --type=time "--target=$RESTORE_TIME" restore` on a fresh instance'
    if key == "mongodb":
        return 'Atlas point-in-time restore to a new cluster, or `pbm restore --time="$RESTORE_TIME"`'
    return profile_of(ds).restore


def write_backup(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## Backup & Disaster Recovery`` section."""
    rec = d.recovery
    name = slug(d.service_name)
    cloud = kb.CLOUDS[d.hosting.provider]
    db_lines: list[str] = []
    for ds in d.datastores:
        profile = profile_of(ds)
        text = f"{esc(ds.name)}{cite_paren(ds.evidence, 1)}: {esc(ds.backup_method, 400)} {ASSUMED}"
        if profile.rebuildable:
            text += "; the data is rebuildable, so losing it costs warm-up time, not data"
        db_lines.append(sub(text + "."))
    if db_lines:
        db_value = (
            f"Full backups every {rec.backup_interval_minutes} minutes ({rec.backup_interval_minutes // 60} "
            "hours)"
            + (
                ", plus continuous log archiving for point-in-time recovery (PITR) where the store supports "
                "it"
                if rec.continuous_archiving
                else ""
            )
            + "; backups are copied to "
            + f"{esc(d.hosting.dr_region)} and verified by an automated restore every week:"
        )
    else:
        db_value = (
            f"No database in the QA evidence; if one is introduced it gets full backups every "
            f"{rec.backup_interval_minutes} minutes with continuous log archiving {ASSUMED}."
        )
    if rec.continuous_archiving:
        rpo_text = (
            f"{rec.rpo_minutes} minutes {ASSUMED}. Met by continuous log archiving/PITR, not by the "
            f"{rec.backup_interval_minutes}-minute full backups; an archiving lag above 5 minutes raises a "
            "warning."
        )
    else:
        rpo_text = (
            f"{rec.rpo_minutes} minutes ({rec.rpo_minutes // 60} hours) {ASSUMED}, equal to the full-backup "
            f"interval of {rec.backup_interval_minutes} minutes because no continuous log archiving applies."
        )
    restores = [
        sub(f"{esc(ds.name)}: {_restore_command(ds, d.hosting.provider, name)}.", 3) for ds in d.datastores
    ]
    lines = [
        "## Backup & Disaster Recovery",
        "### Backup Strategy",
        field("Database Backups", db_value),
        *db_lines,
        field(
            "File Backups",
            f"Application assets and user-uploaded content in {cloud.object_store} with versioning and "
            "cross-region "
            f"replication to {esc(d.hosting.dr_region)}; deleted objects recoverable for 30 days {ASSUMED}.",
        ),
        field(
            "Configuration Backups",
            "Infrastructure as Code (Terraform) and deployment manifests in Git are the source of truth; "
            f"secrets are replicated by {cloud.secrets}; container images are immutable and retained 90 days "
            f"{ASSUMED}.",
        ),
        field("Retention Policy", f"{esc(rec.retention, 300)} {ASSUMED}."),
        "",
        "### Disaster Recovery Plan",
        field(
            "RTO (Recovery Time Objective)",
            f"{rec.rto_minutes} minutes {ASSUMED}: from declaring the disaster to serving traffic again, "
            "including a point-in-time restore and redeploy.",
        ),
        field("RPO (Recovery Point Objective)", rpo_text),
        field(
            "Failover Strategy",
            "Zone failure: automatic failover of the replicated datastores and rescheduling of instances "
            "across zones (no action needed). Region failure: restore the latest backups into "
            f"{esc(d.hosting.dr_region)} "
            "from the IaC definitions, deploy the last released image, then switch DNS (health-checked "
            f"failover record, 60 s TTL) {ASSUMED}. Restores are rehearsed quarterly against the RTO.",
        ),
        field(
            "Communication Plan",
            "The incident commander notifies stakeholders within 15 minutes of declaring a disaster, posts "
            "on the status page, and updates every 30 minutes until recovery (see Incident Response).",
        ),
        "",
        "### Recovery Procedures",
        step(
            1,
            "Assess Impact",
            "Determine scope and severity of outage: which components, which environments, "
            "since when; read the last good backup/archiving timestamp to know the possible data loss.",
        ),
        step(
            2,
            "Activate Team",
            f"Notify incident response team: page via {route_name(d.alert_routing.critical)}, open "
            "the incident channel, name an incident commander and a scribe.",
        ),
        step(
            3,
            "Implement Fix",
            "Execute recovery procedures: roll back the release if a deploy caused it; otherwise "
            "restore data to a new instance and repoint the application (`RESTORE_TIME` is the UTC time just "
            "before the damage):",
        ),
        *restores,
        step(
            4,
            "Monitor Recovery",
            f"Verify system restoration: health checks green, p95 below "
            f"{d.slo.p95_target_ms} ms and 5xx below {num(d.slo.error_rate_target_percent)} % for 30 "
            "minutes, row counts and latest records checked against the restore point.",
        ),
        step(
            5,
            "Post-Incident Review",
            "Document lessons learned in a blameless review within 5 working days; "
            "record actual RTO/RPO against the objectives and file follow-up actions.",
        ),
    ]
    return join_lines(lines)


def write_incident(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## Incident Response`` section."""
    slo = d.slo
    crit = route_name(d.alert_routing.critical)
    warn = route_name(d.alert_routing.warning)
    lines = [
        "## Incident Response",
        "QA severities (P0 highest) and incident priorities (P1 highest) are different scales: an open QA "
        "P0/P1 defect that reaches production is handled as a P1 or P2 incident.",
        "",
        "### Incident Classification",
        field(
            "P1 Critical",
            f"Service down, data loss, security breach, or error budget burning fast (5xx > "
            f"{num(slo.error_rate_alert_percent)} % for 5 minutes): respond within 15 minutes, 24/7.",
        ),
        field(
            "P2 High",
            f"Major feature failure or performance degradation (p95 > {slo.latency_alert_ms} ms): respond "
            "within 1 hour, 24/7.",
        ),
        field(
            "P3 Medium",
            "Minor feature issues, non-critical bugs, single-tenant problems with a workaround: next "
            "business day.",
        ),
        field("P4 Low", "Enhancement requests, cosmetic issues: planned in the backlog."),
        "",
        "### Response Procedures",
        "#### P1 Critical Incident Response",
        step(
            1,
            "Detection",
            f"Critical alerts (Service Down, High Error Rate, Performance Degradation, Security "
            f"Incident) page {crit}; customer reports arriving through support are escalated to the same "
            "rotation.",
        ),
        step(
            2,
            "Assessment",
            "Within 15 minutes the on-call acknowledges, confirms impact on dashboards (error "
            "rate, latency, affected endpoints, recent deploys), sets the priority and names an incident "
            "commander.",
        ),
        step(
            3,
            "Response",
            "Contain first: roll back the latest deploy (see CI/CD Rollback Strategy), disable the "
            "feature flag, scale out, or block abusive traffic at the WAF; post the first status-page update "
            "within 30 minutes.",
        ),
        step(
            4,
            "Resolution",
            "Apply and verify the fix through the normal pipeline (hotfix branch, tests, staging, "
            "approval); no manual changes in production without a second person.",
        ),
        step(
            5,
            "Recovery",
            f"Confirm SLO indicators are back (p95 < {slo.p95_target_ms} ms, 5xx < "
            f"{num(slo.error_rate_target_percent)} %) for 30 minutes, restore any degraded redundancy, close "
            "the incident.",
        ),
        step(
            6,
            "Post-Mortem",
            "Blameless root-cause analysis within 5 working days with timeline, contributing "
            "factors and owned follow-up actions; alerts and runbooks updated.",
        ),
        "",
        "### Communication Plan",
        field(
            "Internal",
            f"Team notification via Slack/PagerDuty: page through {crit}, coordination in a dedicated "
            f"incident channel, {warn} for lower priorities.",
        ),
        field(
            "External",
            f"Status page updates and customer notifications for P1/P2 incidents {ASSUMED}; the support "
            "team receives the same wording.",
        ),
        field(
            "Updates",
            "Regular status updates during incidents: every 30 minutes for P1, every 2 hours for P2, "
            "even when there is no news.",
        ),
        field(
            "Resolution",
            "Final resolution notification and summary within 1 hour of recovery; the post-mortem "
            "summary is shared with stakeholders.",
        ),
    ]
    return join_lines(lines)
