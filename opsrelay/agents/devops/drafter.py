"""Who writes the content: the offline engine or an LLM, behind one small protocol."""

from __future__ import annotations

from typing import Protocol

from opsrelay.agents.devops.decide import decide_offline
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.state import SectionDraft, SectionTask, UsageTotals
from opsrelay.agents.devops.writers import write_section_offline
from opsrelay.ingest import IngestedQA
from opsrelay.models.base import ChatBackend
from opsrelay.review.model import Finding
from opsrelay.settings import RunSettings


class Drafter(Protocol):
    """Makes the decisions and writes sections. Implementations must be thread-safe."""

    @property
    def model(self) -> str:
        """Model spec recorded in the handoff ('offline', 'openai:…', 'replay:…')."""
        ...

    @property
    def label(self) -> str:
        """Who wrote the content, as the changelog says it; the same for a live run and its replay."""
        ...

    def decide(self, qa: IngestedQA) -> tuple[Decisions, UsageTotals]:
        """Fix the cross-cutting decisions before sections are drafted in parallel."""
        ...

    def propose_facts(self, qa: IngestedQA) -> tuple[IngestedQA, UsageTotals]:
        """The QA document with facts the extractor missed added (quoted); unchanged offline."""
        ...

    def draft(self, task: SectionTask) -> tuple[SectionDraft, UsageTotals]:
        """Write (or, with findings, rewrite) one section."""
        ...

    def critique(self, qa: IngestedQA, decisions: Decisions, draft: str) -> tuple[list[Finding], UsageTotals]:
        """Findings beyond the deterministic rubric (the LLM critic); none for the offline engine."""
        ...


class OfflineDrafter:
    """The deterministic, rule-based engine: no network, no key, same input → same bytes."""

    model = "offline"
    label = "offline engine"

    def propose_facts(self, qa: IngestedQA) -> tuple[IngestedQA, UsageTotals]:
        """The deterministic facts are all the offline engine has."""
        return qa, UsageTotals()

    def decide(self, qa: IngestedQA) -> tuple[Decisions, UsageTotals]:
        """Rules of practice over the QA facts."""
        return decide_offline(qa.facts), UsageTotals()

    def draft(self, task: SectionTask) -> tuple[SectionDraft, UsageTotals]:
        """Render one section from the facts and decisions."""
        markdown = write_section_offline(task.key, task.qa.facts, task.decisions, task.findings)  # type: ignore[arg-type]
        return SectionDraft(
            key=task.key, markdown=markdown, source="offline", revision=task.revision
        ), UsageTotals()

    def critique(self, qa: IngestedQA, decisions: Decisions, draft: str) -> tuple[list[Finding], UsageTotals]:
        """The offline engine has no critic beyond the deterministic rubric."""
        return [], UsageTotals()


def make_drafter(backend: ChatBackend | None, settings: RunSettings) -> Drafter:
    """The drafter for a backend: the offline engine when there is none.

    Its requests count against the process-wide cap (:mod:`opsrelay.models.limit`) with
    ``settings.concurrency``: a backend from :func:`~opsrelay.models.factory.make_backend` is
    limited already (below its retry layer); a hand-built one is wrapped here.
    """
    if backend is None:
        return OfflineDrafter()
    from opsrelay.agents.devops.llm import LLMDrafter
    from opsrelay.models.factory import model_name_of
    from opsrelay.models.limit import limited

    return LLMDrafter(
        limited(backend, settings.concurrency),
        model_name=model_name_of(backend),
        budget_tokens=settings.budget_tokens,
        section_max_tokens=settings.section_max_tokens,
        decide_max_tokens=settings.decide_max_tokens,
        critic_max_tokens=settings.critic_max_tokens,
    )
