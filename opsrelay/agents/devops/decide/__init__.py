"""The offline engine's ``decide`` step: cross-cutting decisions from QA facts and rules of practice.

Deterministic: the same :class:`QAFacts` always yields the same :class:`Decisions`. Every choice
that no QA fact supports is recorded as an :class:`Assumption`. One concern per module: hosting
and platform, toolchains, test commands, CI, environments, datastores, observability, SLOs and
capacity, recovery, alert routing, deployment strategy, release gate and practice defaults;
:mod:`.engine` calls them in dependency order. Pure Python.
"""

from opsrelay.agents.devops.decide.defaults import compliance_texts
from opsrelay.agents.devops.decide.engine import decide_offline

__all__ = ["compliance_texts", "decide_offline"]
