"""Recovery objectives (RTO/RPO) and backup cadence."""

from __future__ import annotations

from collections.abc import Sequence

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.common import (
    DEFAULT_RPO_MINUTES,
    DEFAULT_RTO_MINUTES,
    FULL_BACKUP_INTERVAL_MINUTES,
    AssumptionLog,
)
from opsrelay.agents.devops.decisions import DatastoreDecision, RecoveryDecision


def decide_recovery(datastores: Sequence[DatastoreDecision], notes: AssumptionLog) -> RecoveryDecision:
    """RTO, RPO and backup cadence; RPO never shorter than the backup interval without log archiving."""
    continuous = [
        (d, p)
        for d in datastores
        if (p := kb.datastore_profile(d.name)) is not None and p.continuous and p.role == "primary_database"
    ]
    retention = (
        "point-in-time recovery window 7 days; daily backups kept 35 days; monthly backups kept 12 months"
    )
    if continuous:
        rpo = DEFAULT_RPO_MINUTES
        notes.add(
            "RTO and RPO",
            f"RTO is {DEFAULT_RTO_MINUTES} minutes and RPO is {DEFAULT_RPO_MINUTES} minutes; full backups "
            "run "
            f"every {FULL_BACKUP_INTERVAL_MINUTES} minutes (24 hours) and continuous log archiving keeps the "
            "RPO independent of that interval.",
            "QA states no recovery objectives; one hour to restore and at most 15 minutes of lost writes are "
            "common targets for a business application. Confirm with the product owner.",
        )
    else:
        rpo = FULL_BACKUP_INTERVAL_MINUTES
        notes.add(
            "RTO and RPO",
            f"RTO is {DEFAULT_RTO_MINUTES} minutes and RPO is {FULL_BACKUP_INTERVAL_MINUTES} minutes "
            "(24 hours), equal to the daily backup interval because no continuous log archiving applies.",
            "QA states no recovery objectives and names no primary database with log archiving; the RPO "
            "cannot be shorter than the backup interval.",
        )
    notes.add(
        "Backup retention",
        f"Backups are retained as follows: {retention}.",
        "No retention requirement in the QA evidence; adjust to legal and contractual obligations.",
    )
    return RecoveryDecision(
        rto_minutes=DEFAULT_RTO_MINUTES,
        rpo_minutes=rpo,
        backup_interval_minutes=FULL_BACKUP_INTERVAL_MINUTES,
        continuous_archiving=bool(continuous),
        archiving_method="; ".join(f"{d.name}: {p.continuous}" for d, p in continuous) or None,
        retention=retention,
        basis="assumption",
        evidence=[],
    )
