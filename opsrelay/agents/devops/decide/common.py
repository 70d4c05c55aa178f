"""Shared helpers of the decide step: the assumptions collector and small number/evidence helpers."""

from __future__ import annotations

import math
from collections.abc import Iterable

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Assumption, EvidenceRef
from opsrelay.facts.model import Evidence, QAFacts, StackItem

DEFAULT_AVAILABILITY = 99.9


DEFAULT_RTO_MINUTES = 60


DEFAULT_RPO_MINUTES = 15


FULL_BACKUP_INTERVAL_MINUTES = 1440


MAX_TEST_COMMANDS = 8


class AssumptionLog:
    """Collects assumptions in decision order, without duplicates."""

    def __init__(self) -> None:
        self.items: list[Assumption] = []

    def add(self, topic: str, statement: str, reason: str) -> None:
        """Record one assumption unless the same topic and statement are already recorded."""
        if all(a.topic != topic or a.statement != statement for a in self.items):
            self.items.append(Assumption(topic=topic, statement=statement, reason=reason))


def refs(evidence: Iterable[Evidence]) -> list[EvidenceRef]:
    """Evidence as decision references, without duplicates, in order."""
    seen: list[EvidenceRef] = []
    for ev in evidence:
        ref = EvidenceRef.of(ev)
        if ref not in seen:
            seen.append(ref)
    return seen


def ceil_to(value: float, step: int) -> int:
    """Round ``value`` up to a multiple of ``step``."""
    return int(math.ceil(value / step) * step)


def fmt_num(value: float) -> str:
    """Format a number without a trailing ``.0``."""
    return f"{value:g}"


def find_items(facts: QAFacts, markers: tuple[str, ...]) -> list[StackItem]:
    """Stack items whose normalised name matches one of ``markers``."""
    return [s for s in facts.stack if kb.has_marker(s.name, markers)]
