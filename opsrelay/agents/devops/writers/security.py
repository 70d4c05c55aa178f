"""Security & Compliance."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide import compliance_texts
from opsrelay.agents.devops.decisions import Decisions, EvidenceRef
from opsrelay.agents.devops.writers.common import ASSUMED, cite_paren, esc, field, join_lines, sub
from opsrelay.facts.model import QAFacts

_INTRUSION: dict[str, str] = {
    "aws": "Amazon GuardDuty (account, VPC flow and EKS/ECS runtime findings)",
    "gcp": "Security Command Center threat detection",
    "azure": "Microsoft Defender for Cloud",
    "other": "Falco runtime detection on the nodes",
}
_AUDIT: dict[str, str] = {
    "aws": "AWS CloudTrail (all regions, log-file validation on)",
    "gcp": "Cloud Audit Logs (admin and data access)",
    "azure": "Azure Activity Log and resource diagnostic logs",
    "other": "the platform's API audit log",
}


def write_security(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## Security & Compliance`` section."""
    provider = d.hosting.provider
    cloud = kb.CLOUDS[provider]
    regimes = kb.compliance_mentions(compliance_texts(facts))
    scans = sorted({rt.audit_command for rt in d.runtimes})
    findings = []
    for f in facts.security:
        ident = f"{esc(f.id, 40)} " if f.id else ""
        findings.append(
            sub(
                f"{ident}{esc(f.title)} — severity {f.severity}, status {f.status}"
                f"{cite_paren([EvidenceRef.of(f.evidence)], 1)}; "
                + (
                    "verify the fix in staging before release."
                    if f.status == "fixed"
                    else "tracked in Quality Gates until closed."
                )
            ),
        )
    if regimes:
        compliance = (
            ", ".join(regimes)
            + " named in the QA evidence: controls above are mapped to it, evidence (audit logs, access "
            "reviews, backup tests) is retained for audits."
        )
    else:
        compliance = (
            "No compliance regime is named by QA; baseline GDPR-style controls apply (data minimisation, "
            "encryption, "
            f"access logging, deletion on request) {ASSUMED}. Confirm GDPR, SOC 2, HIPAA or PCI DSS scope "
            "with legal."
        )
    lines = [
        "## Security & Compliance",
        "### Security Measures",
        field(
            "SSL/TLS",
            "HTTPS enforcement with A+ SSL rating: TLS 1.2 minimum (1.3 preferred) at the load balancer, "
            "HTTP "
            "redirected to HTTPS, HSTS with a 1-year max-age; certificates issued and renewed automatically; "
            f"datastore connections use TLS with certificate verification {ASSUMED}.",
        ),
        field(
            "Authentication",
            "Multi-factor authentication for admin access: SSO with MFA for the cloud console, CI/CD, "
            "dashboards and "
            "any admin UI; CI authenticates to the cloud with OIDC short-lived tokens, never stored keys "
            f"{ASSUMED}.",
        ),
        field(
            "Access Control",
            "Role-based access with principle of least privilege: separate deploy roles per environment, "
            "production "
            "data access only through break-glass roles that page the on-call and are reviewed quarterly "
            f"{ASSUMED}.",
        ),
        field(
            "Data Encryption",
            "Encryption at rest (provider-managed keys in the cloud KMS for databases, volumes, "
            f"{cloud.object_store} "
            f"and backups) and in transit (TLS everywhere, including inside the VPC) {ASSUMED}.",
        ),
        field(
            "Backup Security",
            f"Encrypted backups copied to {esc(d.hosting.dr_region)} in a separate backup account with "
            f"write-once (object-lock) retention, so a compromised production account cannot delete them "
            f"{ASSUMED}.",
        ),
        "",
        "### Security Monitoring",
        field(
            "Vulnerability Scanning",
            "Automated security scans in CI/CD: "
            + ", ".join(f"`{c}`" for c in scans)
            + ", Trivy filesystem and image scans failing on HIGH/CRITICAL, and a weekly scheduled "
            "re-scan of the images running in production.",
        ),
        *(
            [sub("Security findings from QA:"), *[f"  {line}" for line in findings]]
            if findings
            else [sub("QA reports no open security findings; the CI scans above are the baseline.")]
        ),
        field(
            "Intrusion Detection",
            f"{_INTRUSION[provider]} plus {cloud.waf} logs; findings of high severity page the on-call "
            f"{ASSUMED}.",
        ),
        field(
            "Audit Logging",
            f"{_AUDIT[provider]} for infrastructure changes, application audit events for admin and "
            f"data-export actions, both retained 1 year in tamper-evident storage {ASSUMED}.",
        ),
        field("Compliance", compliance),
    ]
    return join_lines(lines)
