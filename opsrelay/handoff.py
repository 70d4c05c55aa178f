"""The typed handoff envelope (schema ``opsrelay.handoff/v1``) passed between pipeline stages."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from opsrelay.review.model import Finding

HANDOFF_SCHEMA = "opsrelay.handoff/v1"
DEVOPS_ROLE = "DevOps Engineer"
QA_ROLE = "QA Engineer"

StopReason = Literal["approved", "max_revisions", "no_improvement", "budget"]


def sha256_text(text: str) -> str:
    """sha256 hex digest of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ArtifactRef(BaseModel):
    """An artifact a stage produced: its name, where it was written, and its digest.

    ``content`` carries the artifact inline when the envelope travels without a file system
    (chained graphs, the LangGraph server, JSON handoffs on stdin).
    """

    name: str
    path: str | None = None
    sha256: str
    content: str | None = None


class ReviewSummary(BaseModel):
    """The outcome of the review loop."""

    verdict: Literal["pass", "fail"]
    score: int
    iterations: int = Field(description="Number of review passes (1 = approved or final at first review).")
    stop_reason: StopReason
    findings: list[Finding] = Field(default_factory=list)


class FallbackNote(BaseModel):
    """One thing the model wrote that the run did not use, and what it used instead.

    ``call`` is the model call (``decide``, ``draft:<section>``, ``revise:<section>:<n>``,
    ``critic``) or ``review`` for a section replaced after the loop; ``target`` the decision
    field (dotted path) or section key concerned, empty for a whole call; ``action`` what was
    used instead (``offline``: the offline engine's value or section; ``dropped``; ``assumption``:
    kept, recorded as an assumption; ``rubric_only``: the critic was skipped).
    """

    call: str
    target: str = ""
    reason: str
    action: str = "offline"


class RunInfo(BaseModel):
    """How the run went: model, calls, tokens, cost and per-node wall time."""

    thread_id: str
    model: str
    llm_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cached_tokens_in: int = 0
    cost_usd: float = 0.0
    timings_s: dict[str, float] = Field(default_factory=dict, description="Wall seconds per node.")
    fallback_sections: list[str] = Field(
        default_factory=list, description="Sections written by the offline engine after an LLM failure."
    )
    # Added compatibly (defaults, so v1 readers and older envelopes keep working).
    sections: dict[str, str] = Field(
        default_factory=dict,
        description="Who wrote each section: 'llm' (the model), 'offline' (the offline engine, no "
        "model configured) or 'fallback' (the offline engine after the model's version failed).",
    )
    decision_fallbacks: list[FallbackNote] = Field(
        default_factory=list,
        description="Model decision fields replaced by the offline value (or dropped, or re-based as "
        "assumptions) by validation, each with its reason.",
    )
    call_fallbacks: list[FallbackNote] = Field(
        default_factory=list,
        description="Model calls whose answer was not used (section fallbacks, a skipped critic, "
        "sections replaced after the review loop), each with its reason.",
    )
    warnings: list[str] = Field(
        default_factory=list, description="Problems with the model set-up, each with its fix."
    )
    context_window: int | None = Field(
        default=None, description="Context window the requests were fitted to (tokens); null: unknown."
    )
    context_window_source: str | None = Field(
        default=None,
        description="Where the window came from: 'configured', 'server', 'known-model' or 'default'.",
    )
    context_window_detail: str | None = Field(
        default=None, description="How it was found, e.g. 'llama.cpp /props n_ctx = 8,192 per slot'."
    )
    model_facts: list[str] = Field(
        default_factory=list,
        description="Facts the model added to the extracted ones, each quoted from its line.",
    )
    largest_request_tokens: int = Field(
        default=0,
        description="Prompt tokens of the largest request sent, as opsrelay counted them before sending "
        "(the model's tokenizer where one is at hand, else a conservative estimate).",
    )


class Handoff(BaseModel):
    """A stage's handoff to the next one: what it produced and from what."""

    # ``schema`` is the public name everywhere: to_json, and any plain ``model_dump()`` (the
    # LangGraph server and checkpoint serialisers call it without ``by_alias``).
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    schema_: Literal["opsrelay.handoff/v1"] = Field(default="opsrelay.handoff/v1", alias="schema")
    from_role: str
    to_role: str
    artifact: ArtifactRef
    upstream: ArtifactRef | None = None
    review: ReviewSummary | None = None
    run: RunInfo | None = None

    def to_json(self) -> str:
        """Serialise with the schema field under its public name, stable key order, 2-space indent."""
        return self.model_dump_json(by_alias=True, indent=2, exclude_none=True) + "\n"
