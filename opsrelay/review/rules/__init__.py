"""The rule registry: every review rule, one module per concern, in a fixed order.

A rule is a function ``(doc, facts | None) -> list[Finding]``; rules that need the QA facts return
nothing without them. Rule ids are stable (``structure.missing-section``, ``safety.pipe-to-shell``…).
"""

from __future__ import annotations

from opsrelay.review.rules import (
    changelog,
    cicd,
    dr,
    gates,
    grounding,
    placeholders,
    safety,
    secrets,
    slo_alerts,
    standards,
    structure,
)
from opsrelay.review.rules.base import Rule

RULES: tuple[Rule, ...] = (
    *structure.RULES,
    *placeholders.RULES,
    *dr.RULES,
    *slo_alerts.RULES,
    *cicd.RULES,
    *safety.RULES,
    *secrets.RULES,
    *gates.RULES,
    *grounding.RULES,
    *standards.RULES,
    *changelog.RULES,
)

__all__ = ["RULES", "Rule"]
