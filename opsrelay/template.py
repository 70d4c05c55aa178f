"""The OPERATIONS.md template: section order, headings and labelled fields.

This is the single source of truth for the document's shape. The offline writer, the LLM
drafter, the assembler and the reviewer all read it, so a heading is spelled in one place only.
Pure Python: no langgraph, no langchain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DOCUMENT_TITLE = "Operations & Deployment Guide"

SectionKey = Literal[
    "deployment_overview",
    "infrastructure_architecture",
    "cicd_pipeline",
    "monitoring_observability",
    "alerting_configuration",
    "security_compliance",
    "backup_disaster_recovery",
    "incident_response",
    "performance_optimization",
    "cost_management",
    "operational_runbooks",
    "quality_gates",
    "assumptions",
    "changelog",
]


@dataclass(frozen=True)
class Block:
    """A sub-heading (### or ####) inside a section and the labelled fields it must carry.

    ``style`` says how the fields are written: ``fields`` as ``- **Label**: value`` bullets,
    ``numbered`` as ``1. **Label**: value`` steps, ``checklist`` as ``- [ ] item`` lines,
    ``yaml`` as a fenced YAML block.
    """

    heading: str
    level: int
    fields: tuple[str, ...] = ()
    style: Literal["fields", "numbered", "checklist", "yaml", "container"] = "fields"


@dataclass(frozen=True)
class SectionSpec:
    """One top-level (``##``) section of OPERATIONS.md."""

    key: SectionKey
    heading: str
    fields: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    style: Literal["fields", "checklist", "free", "changelog"] = "fields"
    # Sections the LLM/offline writer drafts; the changelog is rendered from run history.
    drafted: bool = True


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "deployment_overview",
        "Deployment Overview",
        fields=("Deployment Strategy", "Infrastructure", "CI/CD Pipeline", "Monitoring"),
    ),
    SectionSpec(
        "infrastructure_architecture",
        "Infrastructure Architecture",
        blocks=(
            Block("Production Environment", 3, ("Hosting", "Compute", "Database", "Storage", "Security")),
            Block("Environment Specifications", 3, style="container"),
            Block("Production", 4, ("Instances", "Database", "Monitoring", "Logging")),
            Block("Staging", 4, ("Purpose", "Configuration", "Data")),
            Block("Development", 4, ("Purpose", "Configuration", "Data")),
        ),
    ),
    SectionSpec(
        "cicd_pipeline",
        "CI/CD Pipeline",
        blocks=(
            Block("Build Pipeline", 3, style="yaml"),
            Block(
                "Deployment Strategy",
                3,
                ("Staging Deployment", "Production Deployment", "Rollback Strategy", "Database Migrations"),
            ),
        ),
    ),
    SectionSpec(
        "monitoring_observability",
        "Monitoring & Observability",
        blocks=(
            Block("Application Monitoring", 3, ("APM Tool", "Metrics", "Logs", "Tracing")),
            Block(
                "Infrastructure Monitoring",
                3,
                ("Server Metrics", "Database Metrics", "Network Metrics", "Security Metrics"),
            ),
            Block("Key Performance Indicators", 3, style="container"),
            Block("Application KPIs", 4, ("Availability", "Response Time", "Error Rate", "Throughput")),
            Block("Business KPIs", 4, ("User Engagement", "Conversion Metrics", "Performance Impact")),
        ),
    ),
    SectionSpec(
        "alerting_configuration",
        "Alerting Configuration",
        blocks=(
            Block(
                "Critical Alerts (Immediate Response)",
                3,
                ("Service Down", "High Error Rate", "Performance Degradation", "Security Incident"),
            ),
            Block(
                "Warning Alerts (Business Hours Response)",
                3,
                ("Resource Usage", "Slow Queries", "Low Disk Space", "SSL Certificate"),
            ),
            Block("Alert Channels", 3, ("Critical", "Warning", "Info")),
        ),
    ),
    SectionSpec(
        "security_compliance",
        "Security & Compliance",
        blocks=(
            Block(
                "Security Measures",
                3,
                ("SSL/TLS", "Authentication", "Access Control", "Data Encryption", "Backup Security"),
            ),
            Block(
                "Security Monitoring",
                3,
                ("Vulnerability Scanning", "Intrusion Detection", "Audit Logging", "Compliance"),
            ),
        ),
    ),
    SectionSpec(
        "backup_disaster_recovery",
        "Backup & Disaster Recovery",
        blocks=(
            Block(
                "Backup Strategy",
                3,
                ("Database Backups", "File Backups", "Configuration Backups", "Retention Policy"),
            ),
            Block(
                "Disaster Recovery Plan",
                3,
                (
                    "RTO (Recovery Time Objective)",
                    "RPO (Recovery Point Objective)",
                    "Failover Strategy",
                    "Communication Plan",
                ),
            ),
            Block(
                "Recovery Procedures",
                3,
                (
                    "Assess Impact",
                    "Activate Team",
                    "Implement Fix",
                    "Monitor Recovery",
                    "Post-Incident Review",
                ),
                style="numbered",
            ),
        ),
    ),
    SectionSpec(
        "incident_response",
        "Incident Response",
        blocks=(
            Block("Incident Classification", 3, ("P1 Critical", "P2 High", "P3 Medium", "P4 Low")),
            Block("Response Procedures", 3, style="container"),
            Block(
                "P1 Critical Incident Response",
                4,
                ("Detection", "Assessment", "Response", "Resolution", "Recovery", "Post-Mortem"),
                style="numbered",
            ),
            Block("Communication Plan", 3, ("Internal", "External", "Updates", "Resolution")),
        ),
    ),
    SectionSpec(
        "performance_optimization",
        "Performance Optimization",
        blocks=(
            Block("Optimization Strategies", 3, ("Caching", "Database", "Frontend", "Backend")),
            Block(
                "Scaling Strategies",
                3,
                ("Horizontal Scaling", "Vertical Scaling", "Database Scaling", "CDN"),
            ),
        ),
    ),
    SectionSpec(
        "cost_management",
        "Cost Management",
        blocks=(
            Block("Cost Monitoring", 3, ("Resource Usage", "Service Costs", "Optimization", "Budgets")),
            Block(
                "Cost Optimization",
                3,
                ("Reserved Instances", "Spot Instances", "Resource Right-sizing", "Automated Shutdown"),
            ),
        ),
    ),
    SectionSpec(
        "operational_runbooks",
        "Operational Runbooks",
        blocks=(
            Block("Daily Operations", 3, style="checklist"),
            Block("Weekly Operations", 3, style="checklist"),
            Block("Monthly Operations", 3, style="checklist"),
        ),
    ),
    SectionSpec("quality_gates", "Quality Gates", style="checklist"),
    SectionSpec("assumptions", "Assumptions & Open Questions", style="free"),
    SectionSpec("changelog", "Changelog", style="changelog", drafted=False),
)

SECTION_BY_KEY: dict[str, SectionSpec] = {s.key: s for s in SECTIONS}
SECTION_BY_HEADING: dict[str, SectionSpec] = {s.heading: s for s in SECTIONS}
DRAFTED_SECTIONS: tuple[SectionSpec, ...] = tuple(s for s in SECTIONS if s.drafted)


def section_skeleton(spec: SectionSpec) -> str:
    """Return the section's headings and field labels with empty values, as a drafting guide."""
    lines = [f"## {spec.heading}"]
    lines += [f"- **{f}**: …" for f in spec.fields]
    for block in spec.blocks:
        lines.append(f"{'#' * block.level} {block.heading}")
        if block.style == "numbered":
            lines += [f"{i}. **{f}**: …" for i, f in enumerate(block.fields, 1)]
        elif block.style == "checklist":
            lines.append("- [ ] …")
        elif block.style == "yaml":
            lines += ["```yaml", "…", "```"]
        else:
            lines += [f"- **{f}**: …" for f in block.fields]
    if spec.style == "checklist" and not spec.blocks:
        lines.append("- [ ] …")
    return "\n".join(lines)
