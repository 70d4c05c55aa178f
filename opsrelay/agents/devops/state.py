"""Graph state: separate input, internal and output schemas.

A caller (or a parent graph) sees only :class:`DevOpsInput` and :class:`DevOpsOutput`; the
internal :class:`DevOpsState` carries the drafts, reviews and loop bookkeeping.
"""

from __future__ import annotations

import operator
from typing import Annotated, Literal, NotRequired, TypedDict

from pydantic import BaseModel, Field

from opsrelay.agents.devops.decisions import Decisions
from opsrelay.handoff import FallbackNote, Handoff, StopReason
from opsrelay.ingest import IngestedQA
from opsrelay.review.model import Finding, Review
from opsrelay.settings import RunSettings

SectionSource = Literal["offline", "llm", "fallback"]


class RunRecord(BaseModel):
    """What a thread was started with: enough to check and resume it. Never holds a credential.

    Written into the state with the input (see :mod:`opsrelay.checkpoints`, which builds and
    checks it); it lives here so that the state does not import the checkpoint module.
    """

    graph_version: str
    prompt_version: str
    input_sha256: str = Field(description="sha256 of the QA document plus its evidence.")
    source: str = Field(description="The QA document's path or name, for listings.")
    settings: RunSettings
    base_url: str | None = None
    started_at: str


class SectionDraft(BaseModel):
    """One drafted section: its Markdown and who wrote it."""

    key: str
    markdown: str
    source: SectionSource = "offline"
    revision: int = 0


class SectionTask(BaseModel):
    """What one ``draft_section``/``revise_section`` call works on (the payload of a ``Send``)."""

    key: str
    qa: IngestedQA = Field(
        description="The ingested QA document and its facts (Send payloads carry no state)."
    )
    decisions: Decisions
    findings: list[Finding] = Field(default_factory=list)
    previous: str | None = None
    revision: int = 0


class Approval(BaseModel):
    """A human's answer at the approval gate."""

    approved: bool
    reason: str = ""


class IterationRecord(BaseModel):
    """One pass of the review loop, for the changelog and the handoff."""

    iteration: int
    score: int
    verdict: Literal["pass", "fail"]
    blockers: int
    majors: int
    minors: int
    revised_sections: list[str] = Field(default_factory=list)


class UsageTotals(BaseModel):
    """LLM accounting summed over the run, and what the model wrote that was not used.

    It travels through the same reducer as the token counts, so every node (and every parallel
    section call) can report fallbacks and warnings without a channel of its own.
    """

    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cached_tokens_in: int = 0
    cost_usd: float = 0.0
    largest_request_tokens: int = Field(default=0, description="Prompt tokens of the largest request sent.")
    fallbacks: list[FallbackNote] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    model_facts: list[str] = Field(default_factory=list, description="Quoted facts the model added.")

    def __add__(self, other: UsageTotals) -> UsageTotals:
        return UsageTotals(
            calls=self.calls + other.calls,
            tokens_in=self.tokens_in + other.tokens_in,
            tokens_out=self.tokens_out + other.tokens_out,
            cached_tokens_in=self.cached_tokens_in + other.cached_tokens_in,
            cost_usd=round(self.cost_usd + other.cost_usd, 6),
            largest_request_tokens=max(self.largest_request_tokens, other.largest_request_tokens),
            fallbacks=[*self.fallbacks, *other.fallbacks],
            warnings=[*self.warnings, *(w for w in other.warnings if w not in self.warnings)],
            model_facts=[*self.model_facts, *other.model_facts],
        )


def merge_sections(left: dict[str, SectionDraft], right: dict[str, SectionDraft]) -> dict[str, SectionDraft]:
    """Reducer: parallel section writers each contribute one key."""
    return {**left, **right}


def add_usage(left: UsageTotals | None, right: UsageTotals | None) -> UsageTotals:
    """Reducer: sum LLM usage from parallel nodes."""
    return (left or UsageTotals()) + (right or UsageTotals())


def add_timings(left: dict[str, float], right: dict[str, float]) -> dict[str, float]:
    """Reducer: sum wall seconds per node name (parallel section calls add up)."""
    out = dict(left)
    for k, v in right.items():
        out[k] = round(out.get(k, 0.0) + v, 6)
    return out


class DevOpsInput(TypedDict, total=False):
    """What a caller passes: the QA document's text, an ingested one, or the chain of envelopes.

    ``qa_report`` is what the LangGraph server sends; ``qa`` is what :func:`opsrelay.run_handoff`
    sends after validating files and evidence; ``handoffs`` is what a parent pipeline's state
    carries (the newest envelope addressed to the DevOps Engineer is taken).
    """

    qa_report: str
    qa_source_name: str
    qa: IngestedQA
    run: RunRecord
    handoffs: list[Handoff]


class DevOpsOutput(TypedDict, total=False):
    """What a caller gets back."""

    operations_md: str
    handoff: Handoff
    handoffs: list[Handoff]
    review: Review
    stop_reason: StopReason


class DevOpsState(TypedDict):
    """Internal state of one handoff run."""

    qa_report: NotRequired[str]
    qa_source_name: NotRequired[str]
    qa: NotRequired[IngestedQA]
    run: NotRequired[RunRecord]
    handoffs: NotRequired[list[Handoff]]
    approval: NotRequired[Approval]
    decisions: NotRequired[Decisions]
    sections: Annotated[dict[str, SectionDraft], merge_sections]
    draft: NotRequired[str]
    review: NotRequired[Review]
    iteration: NotRequired[int]
    history: Annotated[list[IterationRecord], operator.add]
    best_draft: NotRequired[str]
    best_sections: NotRequired[dict[str, SectionDraft]]
    best_review: NotRequired[Review]
    stop_reason: NotRequired[StopReason]
    usage: Annotated[UsageTotals, add_usage]
    budget_exhausted: NotRequired[bool]
    timings: Annotated[dict[str, float], add_timings]
    operations_md: NotRequired[str]
    handoff: NotRequired[Handoff]


# Every model type the state holds at top level (pydantic nests the rest): the checkpoint
# serializer's allowlist, so a checkpoint restores these and refuses anything else.
CHECKPOINTED_TYPES: tuple[type[BaseModel], ...] = (
    IngestedQA,
    RunRecord,
    Decisions,
    SectionDraft,
    SectionTask,
    Review,
    IterationRecord,
    UsageTotals,
    Handoff,
    Approval,
)
