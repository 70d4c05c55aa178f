"""The Database Migrations field: tool, when migrations run, expand/contract and rollback."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.common import ASSUMED, esc, field, grounded, sub


def migration_fields(d: Decisions, name: str) -> list[str]:
    """The Database Migrations field and its expand/contract and rollback sub-bullets."""
    tool = next((rt.migration_tool for rt in d.runtimes if rt.migration_tool), None)
    dbs = [ds for ds in d.datastores if ds.role == "primary_database"]
    if not dbs:
        return [
            field(
                "Database Migrations",
                "No database appears in the QA evidence, so there are no schema "
                f"migrations; any database added later follows expand/contract {ASSUMED}.",
            )
        ]
    db_names = ", ".join(esc(ds.name) for ds in dbs)
    tool_text = esc(tool, 200) if tool else "the stack's versioned migration tool"
    owner = next((rt for rt in d.runtimes if rt.migration_tool), None)
    tool_ground = grounded(owner.migration_basis, owner.migration_evidence, 1) if owner else f" {ASSUMED}"
    sql = any((p := kb.datastore_profile(ds.name)) is not None and p.sql for ds in dbs)
    if sql:
        expand = (
            "Expand/contract: a release only adds (new columns nullable or defaulted, new tables, new "
            "indexes created concurrently); removals and renames ship in a later release once no running "
            "version uses the old shape."
        )
    else:
        expand = (
            "Expand/contract for documents: new fields are optional and defaulted in code, readers accept "
            "both the old and the new shape, backfills run as idempotent batched scripts, and old fields are "
            "removed only once no running version reads them."
        )
    if d.platform.kind == "kubernetes":
        when = "as a Helm pre-upgrade hook Job that must succeed before any pod is replaced"
    elif d.platform.kind in ("vm", "compose_vm"):
        when = "by the release script on the server, before traffic switches to the new version"
    else:
        when = "as a one-off task in the deploy job, before the new version receives traffic"
    lines = [
        field(
            "Database Migrations",
            f"{db_names} schema changes are applied with {tool_text}{tool_ground}, {when}.",
        ),
        sub(expand),
        sub(
            "Before production migrations, a fresh snapshot is taken and PITR coverage is confirmed; "
            "migrations run first in staging against a refreshed copy of the schema."
        ),
        sub(
            "Rollback plan: roll the application back (it is compatible with the expanded schema); a failed "
            "contract step is reverted with a forward migration, and point-in-time recovery is the last "
            "resort."
        ),
    ]
    return lines
