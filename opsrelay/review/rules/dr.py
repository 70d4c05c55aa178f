"""Disaster recovery: numeric RTO/RPO with units, and an RPO the backup schedule can actually meet."""

from __future__ import annotations

import re

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import Document, LabelledField, Region
from opsrelay.review.model import Finding
from opsrelay.review.rules.base import NUMBER, TIME_UNIT, durations, find_section, finding, heading_of

_SECTION = heading_of("backup_disaster_recovery")
_RTO = "RTO (Recovery Time Objective)"
_RPO = "RPO (Recovery Point Objective)"
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|ten|twelve|fifteen|twenty|thirty|forty[- ]five|sixty|an?|half an?"
)
_HAS_NUMBER = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
_WITH_UNIT = re.compile(rf"(?:{NUMBER}\s*-?\s*|\b(?:{_NUMBER_WORDS})(?:\s+|-)){TIME_UNIT}\b", re.IGNORECASE)
_ZERO = re.compile(r"\b(?:zero|0)\b(?!\s*\.)", re.IGNORECASE)
# Continuous protection makes an RPO shorter than the backup interval achievable.
_CONTINUOUS = re.compile(
    r"\bPITR\b|point[- ]in[- ]time|\bWAL\b|write[- ]ahead log|binlog|binary log|oplog|transaction log"
    r"|log shipping|continuous (?:archiving|backup|replication)|streaming replication|synchronous"
    r"|\breplication\b|\bAOF\b|append[- ]only|change data capture|\bCDC\b|pgBackRest|wal-g|Barman",
    re.IGNORECASE,
)
_INTERVAL_WORDS: dict[str, float] = {
    "every minute": 60,
    "hourly": 3600,
    "every hour": 3600,
    "nightly": 86400,
    "daily": 86400,
    "every day": 86400,
    "weekly": 604800,
    "every week": 604800,
}
_EVERY = re.compile(rf"\bevery\s+({NUMBER})\s*-?\s*({TIME_UNIT})\b", re.IGNORECASE)


def _objective(region: Region | None, label: str) -> LabelledField | None:
    """Return the RTO/RPO field of a region, if any."""
    return region.field(label) if region else None


def _check_objective(fld: LabelledField, rule: str, name: str, allow_zero: bool) -> list[Finding]:
    """One objective: a number and a time unit."""
    value = fld.value
    if _WITH_UNIT.search(value) or (allow_zero and _ZERO.search(value)):
        return []
    problem = "has no number" if not _HAS_NUMBER.search(value) else "has a number but no time unit"
    return [
        finding(
            rule,
            "blocker",
            _SECTION,
            f"{name} {problem}: '{value[:80]}'.",
            f"State {name} as a number with a time unit, e.g. '1 hour' or '15 minutes'.",
            line=fld.line,
        )
    ]


def rto_rpo_numeric(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """RTO and RPO are each a number with a time unit (missing fields are structure's concern)."""
    sec = find_section(doc, "backup_disaster_recovery")
    if sec is None:
        return []
    region = sec.block("Disaster Recovery Plan") or sec
    out: list[Finding] = []
    rto = _objective(region, _RTO) or _objective(sec, _RTO)
    rpo = _objective(region, _RPO) or _objective(sec, _RPO)
    if rto:
        out += _check_objective(rto, "dr.rto-numeric", "RTO", allow_zero=False)
    if rpo:
        out += _check_objective(rpo, "dr.rpo-numeric", "RPO", allow_zero=True)
    return out


def backup_interval(text: str) -> float | None:
    """Shortest database backup interval stated in ``text``, in seconds (None when none is stated)."""
    found = [seconds for word, seconds in _INTERVAL_WORDS.items() if re.search(rf"\b{word}\b", text, re.I)]
    for m in _EVERY.finditer(text):
        found += durations(m.group(0))
    return min(found) if found else None


def rpo_matches_backups(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Flag an RPO shorter than the backup interval without continuous protection (PITR, WAL…)."""
    sec = find_section(doc, "backup_disaster_recovery")
    if sec is None:
        return []
    rpo = (sec.block("Disaster Recovery Plan") or sec).field(_RPO) or sec.field(_RPO)
    backups = (sec.block("Backup Strategy") or sec).field("Database Backups") or sec.field("Database Backups")
    if rpo is None or backups is None:
        return []
    rpo_values = durations(rpo.value)
    interval = backup_interval(backups.value)
    if not rpo_values or interval is None:
        return []
    rpo_seconds = max(rpo_values)
    # Only what is said about the database counts: file-bucket replication does not protect it.
    infra = find_section(doc, "infrastructure_architecture")
    db_fields = [f.value for f in (infra.fields if infra else []) if f.label.lower() == "database"]
    db_fields += [f.value for f in sec.fields if f.label.lower() in ("database backups", "failover strategy")]
    context = "\n".join([rpo.value, *db_fields])
    if rpo_seconds >= interval or _CONTINUOUS.search(context):
        return []
    return [
        finding(
            "dr.rpo-backup-interval",
            "major",
            _SECTION,
            f"RPO ({rpo.value[:60]}) is shorter than the database backup interval "
            f"({backups.value[:60]}) and no continuous protection (PITR/WAL/binlog/replication) is named.",
            "Either add point-in-time recovery / WAL archiving / replication, or raise the RPO to the "
            "backup interval.",
            line=rpo.line,
        )
    ]


RULES = (rto_rpo_numeric, rpo_matches_backups)
