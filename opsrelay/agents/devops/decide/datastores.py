"""Stateful components QA names and how production runs and backs them up."""

from __future__ import annotations

from collections.abc import Sequence

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.common import AssumptionLog, refs
from opsrelay.agents.devops.decisions import CloudProvider, DatastoreDecision
from opsrelay.facts.model import QAFacts, StackItem


def _is_test_only(item: StackItem, all_items: Sequence[StackItem]) -> bool:
    key = kb.norm(item.name)
    if any(key.startswith(t) for t in kb.TEST_ONLY_DATASTORES):
        return True
    if key.startswith("sqlite"):
        text = item.evidence.text.lower()
        others = [
            o
            for o in all_items
            if o is not item and (p := kb.datastore_profile(o.name)) is not None and p.sql
        ]
        return bool(others) and ("test" in text or "in-memory" in text or "in memory" in text)
    return False


def decide_datastores(
    facts: QAFacts, provider: CloudProvider, notes: AssumptionLog
) -> list[DatastoreDecision]:
    """Every stateful component QA names (test-only databases excluded), with hosting and backups."""
    result: list[DatastoreDecision] = []
    seen: dict[str, int] = {}
    items = facts.datastores
    for item in items:
        if _is_test_only(item, items):
            continue
        profile = kb.datastore_profile(item.name)
        if profile is None:
            role = {"cache": "cache", "queue": "queue"}.get(item.kind, "other")
            profile = kb.generic_datastore(item.name, role)  # type: ignore[arg-type]
        if profile.key in seen:
            existing = result[seen[profile.key]]
            merged = existing.evidence + [r for r in refs([item.evidence]) if r not in existing.evidence]
            version = existing.version or item.version
            names = existing.name.split(" / ")
            name = existing.name if item.name in names else f"{existing.name} / {item.name}"
            result[seen[profile.key]] = existing.model_copy(
                update={"evidence": merged, "version": version, "name": name}
            )
            continue
        hosting = profile.managed[provider]
        if kb.norm(item.name) == "supabase":
            hosting = "Supabase (managed PostgreSQL) with the point-in-time-recovery add-on"
        method = (
            profile.backup if profile.continuous is None else f"{profile.backup}, plus {profile.continuous}"
        )
        seen[profile.key] = len(result)
        result.append(
            DatastoreDecision(
                name=item.name,
                version=item.version,
                role=profile.role,
                hosting=hosting,
                backup_method=method,
                basis="qa_fact",
                evidence=refs([item.evidence]),
            )
        )
        notes.add(
            f"{item.name} hosting",
            f"Production {item.name} runs as {hosting}.",
            f"QA names {item.name} but not how production hosts it; a managed service provides "
            "replication, patching and backups.",
        )
    return result
