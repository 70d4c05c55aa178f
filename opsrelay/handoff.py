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
