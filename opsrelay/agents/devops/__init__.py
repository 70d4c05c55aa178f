"""The DevOps Engineer agent: decisions, section writers and the assembler (pure: no langgraph/langchain).

The offline engine lives here: :func:`decide_offline` fixes the cross-cutting decisions from QA
facts, :func:`write_section_offline` writes one section, :func:`assemble_document` renders
OPERATIONS.md and :func:`render_offline` chains the three.
"""

from opsrelay.agents.devops.assemble import ChangelogEntry, assemble_document, render_offline
from opsrelay.agents.devops.decide import decide_offline
from opsrelay.agents.devops.decisions import Assumption, Decisions, EvidenceRef
from opsrelay.agents.devops.writers import write_section_offline

__all__ = [
    "Assumption",
    "ChangelogEntry",
    "Decisions",
    "EvidenceRef",
    "assemble_document",
    "decide_offline",
    "render_offline",
    "write_section_offline",
]
