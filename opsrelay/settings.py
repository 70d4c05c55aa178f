"""Run settings: one typed object per run, passed in; nothing deep inside reads the environment."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from opsrelay.models.limit import DEFAULT_CONCURRENCY
from opsrelay.models.modes import StructuredMode

__all__ = ["DEFAULT_CONCURRENCY", "DEFAULT_MAX_BYTES", "RunSettings"]

DEFAULT_MAX_BYTES = 5_000_000


class RunSettings(BaseModel):
    """Everything that shapes one handoff run except the model backend itself."""

    model_config = ConfigDict(frozen=True)

    model: str = Field(
        default="offline", description="Model spec: 'offline', 'openai:<name>' or 'replay:<cassette>'."
    )
    max_revisions: int = Field(default=2, ge=0, le=10, description="Revision rounds after the first review.")
    concurrency: int = Field(
        default=DEFAULT_CONCURRENCY,
        ge=1,
        le=64,
        description=(
            "Model requests in flight at most, shared by every handoff in this process "
            "(opsrelay.models.limit). The default lets all drafted sections of one handoff go at once."
        ),
    )
    date: str | None = Field(
        default=None,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="Changelog date (YYYY-MM-DD). Default: the QA report's date, else today (UTC).",
    )
    out_dir: Path | None = Field(default=None, description="Where emit writes; None writes nothing.")
    budget_tokens: int | None = Field(
        default=None, ge=1, description="Stop before exceeding this many tokens."
    )
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1, description="Largest QA input accepted.")
    require_approval: bool = Field(default=False, description="Pause before emit for a human decision.")
    context_window: int | None = Field(
        default=None,
        ge=1,
        description=(
            "The model's context window in tokens (--context-window / OPSRELAY_CONTEXT_WINDOW). "
            "None: what the server reports, else the known window of the model, else 8,192."
        ),
    )
    structured_output: StructuredMode = Field(
        default="auto",
        description=(
            "How schema-bound requests are sent (--structured-output / OPSRELAY_STRUCTURED_OUTPUT): "
            "strict json_schema, JSON mode with the schema in the prompt, or one forced tool call; "
            "auto starts with json_schema and falls back when a server refuses it."
        ),
    )
    # Output caps per model call (env OPSRELAY_SECTION/DECIDE/CRITIC_MAX_TOKENS): a slow local
    # model's test run stays short without code edits.
    section_max_tokens: int = Field(default=6000, ge=64, description="Max output tokens per section call.")
    decide_max_tokens: int = Field(default=1500, ge=64, description="Max output tokens of the decide call.")
    critic_max_tokens: int = Field(default=1000, ge=64, description="Max output tokens of the critic call.")

    def graph_threads(self) -> int:
        """LangGraph's ``max_concurrency``: room for every section task plus checkpoint writes.

        LangGraph runs node tasks and the saving of finished tasks' checkpoint writes on one
        thread pool of ``max_concurrency`` threads. Sized to the model concurrency, the writes of
        finished sections queue behind unfinished ones, so a run killed mid-fan-out loses work
        it already paid for. The model's calls in flight are bounded by ``concurrency`` in the
        process-wide request limiter instead (:mod:`opsrelay.models.limit`, shared with every
        other handoff in the process); the pool only needs to be large enough never to starve
        the writes.
        """
        from opsrelay.template import DRAFTED_SECTIONS

        return max(self.concurrency, len(DRAFTED_SECTIONS)) + 4

    def recursion_limit(self) -> int:
        """An explicit bound on graph steps, derived from the loop's own bound.

        ingest, decide, draft, assemble, review, (approval,) emit are up to seven steps; each
        revision adds revise, assemble and review. LangGraph's default limit is far too large
        to be a safety net.
        """
        return 7 + 3 * self.max_revisions + 4
