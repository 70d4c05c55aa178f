"""opsrelay: the DevOps Engineer stage of a multi-agent delivery pipeline, on LangGraph.

Public API (imported lazily so ``opsrelay review`` and ``--help`` stay fast):
:func:`run_handoff`, :func:`build_graph`, :class:`Handoff`, :func:`review_document`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from opsrelay.api import HandoffResult, run_handoff
    from opsrelay.graph import build_graph
    from opsrelay.handoff import Handoff
    from opsrelay.review import review_document

__all__ = ["Handoff", "HandoffResult", "__version__", "build_graph", "review_document", "run_handoff"]

_LAZY = {
    "run_handoff": "opsrelay.api",
    "HandoffResult": "opsrelay.api",
    "build_graph": "opsrelay.graph",
    "Handoff": "opsrelay.handoff",
    "review_document": "opsrelay.review",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'opsrelay' has no attribute {name!r}")
