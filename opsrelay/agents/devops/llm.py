"""LLM drafting: decisions as structured output, sections as plain Markdown, a critic, fallbacks.

Every request starts with the same static prefix (role and template, then the QA document and
its facts) so a provider's prompt cache can reuse it across the parallel section calls; only the
last message differs per call. Failures of one section never sink the run: after one re-ask the
offline engine writes that section, and the artifact and the handoff say so.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from typing import TypeVar

from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from opsrelay import prompts
from opsrelay.agents.devops.assemble import mark_fallback
from opsrelay.agents.devops.assumptions import derive_assumptions
from opsrelay.agents.devops.decide import decide_offline
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.redact import redact_secrets
from opsrelay.agents.devops.state import SectionDraft, SectionTask, UsageTotals
from opsrelay.agents.devops.writers import write_section_offline
from opsrelay.errors import BudgetExceeded
from opsrelay.ingest import IngestedQA
from opsrelay.logging import get_logger
from opsrelay.models.base import ChatBackend, ChatMessage, ChatRequest, ChatResponse
from opsrelay.models.prices import estimate_cost
from opsrelay.models.schema import strict_schema as strict_schema  # noqa: PLC0414 (re-export)
from opsrelay.review.model import Finding
from opsrelay.template import DRAFTED_SECTIONS, SECTION_BY_HEADING, SECTION_BY_KEY, section_skeleton

log = get_logger("opsrelay.llm")
M = TypeVar("M", bound=BaseModel)

# Caps sized from the corpus: the largest decisions are ~5k tokens and the largest CI/CD section
# ~3.6k; a cap below that truncates, re-asks and falls back, paying for the answer twice.
SECTION_MAX_TOKENS = 6000
DECIDE_MAX_TOKENS = 8000
CRITIC_MAX_TOKENS = 3000


# Decisions that follow from QA facts alone; the offline engine's values are always used.
FACT_DECISIONS = ("release_gate", "test_commands")
# Derived from the decisions' basis flags instead of being restated by the model.
DERIVED_DECISIONS = ("assumptions",)

# What the model is asked for: Decisions without the fact-determined fields. Named "Decisions"
# so the request (and its cassette key) says what it is.
ModelDecisions: type[BaseModel] = create_model(
    "Decisions",
    __base__=Decisions.__base__,
    __doc__=Decisions.__doc__,
    **{
        name: (field.annotation, field)
        for name, field in Decisions.model_fields.items()
        if name not in FACT_DECISIONS + DERIVED_DECISIONS
    },  # type: ignore[call-overload]
)


class StandardJudgement(BaseModel):
    """The critic's answer for one Quality Standard: reasons first, then the verdict, then fixes."""

    model_config = ConfigDict(extra="forbid")

    standard: str = Field(description="The standard, in a few words.")
    reasons: str = Field(description="What in the draft meets or misses the standard, with specifics.")
    met: bool = Field(description="True when the draft meets the standard.")
    section: str | None = Field(description="Top-level heading to change when not met; null otherwise.")
    fixes: list[str] = Field(description="Concrete changes that would meet the standard.")


class CriticReport(BaseModel):
    """The critic's structured verdict over the six Quality Standards."""

    model_config = ConfigDict(extra="forbid")

    judgements: list[StandardJudgement] = Field(description="One entry per Quality Standard, in order.")


class _Budget:
    """Thread-safe token accounting that refuses a call which could exceed the budget."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0
        self.lock = threading.Lock()

    def reserve(self, request: ChatRequest) -> None:
        if self.limit is None:
            return
        estimate = sum(len(m.content) for m in request.messages) // 4 + (request.max_tokens or 0)
        with self.lock:
            if self.used + estimate > self.limit:
                raise BudgetExceeded(
                    f"token budget: {self.used} used, next call needs up to ~{estimate}, "
                    f"limit {self.limit} (raise --budget-tokens)"
                )

    def spend(self, tokens: int) -> None:
        with self.lock:
            self.used += tokens


class LLMDrafter:
    """Drafts with a chat model; falls back to the offline engine per section."""

    def __init__(
        self, backend: ChatBackend, *, model_name: str, budget_tokens: int | None = None, concurrency: int = 8
    ) -> None:
        self.backend = backend
        # Bounds the requests in flight (see RunSettings.graph_threads for why not LangGraph's).
        self._slots = threading.BoundedSemaphore(concurrency)
        self.model_name = model_name
        self.budget = _Budget(budget_tokens)
        self._prefix_cache: dict[str, tuple[ChatMessage, ...]] = {}
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        """The backend's spec, e.g. 'openai:gpt-4.1-mini'."""
        return self.backend.spec

    @property
    def label(self) -> str:
        """'model gpt-4.1-mini': names the model, not the backend, so a replay writes the same bytes."""
        return f"model {self.model_name}"

    # -- messages ------------------------------------------------------------------------------

    def prefix(self, qa: IngestedQA) -> tuple[ChatMessage, ...]:
        """The static prefix shared by every call of a run: role + template, then the QA document."""
        with self._lock:
            cached = self._prefix_cache.get(qa.sha256)
            if cached is not None:
                return cached
        template = "\n\n".join(section_skeleton(spec) for spec in DRAFTED_SECTIONS)
        facts = qa.facts.model_dump(mode="json", exclude={"source_sha256"})
        messages = (
            ChatMessage(role="system", content=prompts.render("system", template=template)),
            ChatMessage(
                role="user",
                content=prompts.render(
                    "qa_context",
                    source_name=qa.source_name,
                    source_sha256=qa.sha256,
                    qa_document=_neutralise_tags(redact_secrets(qa.text)),
                    qa_facts=redact_secrets(json.dumps(facts, ensure_ascii=False, sort_keys=True)),
                ),
            ),
        )
        with self._lock:
            self._prefix_cache[qa.sha256] = messages
        return messages

    def _decisions_message(self, decisions: Decisions) -> ChatMessage:
        return ChatMessage(
            role="user",
            content=prompts.render("decisions_context", decisions=decisions.model_dump_json(indent=1)),
        )

    # -- calls ---------------------------------------------------------------------------------

    def _call(self, request: ChatRequest) -> tuple[ChatResponse, UsageTotals]:
        self.budget.reserve(request)
        with self._slots:
            response = self.backend.complete(request)
        u = response.usage
        self.budget.spend(u.input_tokens + u.output_tokens)
        usage = UsageTotals(
            calls=1,
            tokens_in=u.input_tokens,
            tokens_out=u.output_tokens,
            cached_tokens_in=u.cached_input_tokens,
            cost_usd=estimate_cost(self.model_name, u.input_tokens, u.output_tokens, u.cached_input_tokens),
        )
        log.info(
            "model.call",
            purpose=request.purpose,
            model=self.model,
            tokens_in=u.input_tokens,
            tokens_out=u.output_tokens,
            cached_tokens_in=u.cached_input_tokens,
            finish_reason=response.finish_reason,
        )
        return response, usage

    def _ask(
        self,
        messages: tuple[ChatMessage, ...],
        *,
        purpose: str,
        max_tokens: int,
        parse: Callable[[str], M | str],
        schema: type[BaseModel] | None = None,
    ) -> tuple[M | str | None, UsageTotals, str]:
        """Ask, validate, re-ask once with the error; return (result or None, usage, last error)."""
        total = UsageTotals()
        error = ""
        for attempt in (1, 2):
            request = ChatRequest(
                model=self.model_name,
                messages=messages,
                schema_name=schema.__name__ if schema else None,
                json_schema=strict_schema(schema) if schema else None,
                max_tokens=max_tokens,
                purpose=purpose if attempt == 1 else f"{purpose}:retry",
            )
            response, usage = self._call(request)
            total = total + usage
            if response.refusal:
                error = f"the model refused: {response.refusal[:200]}"
            elif response.finish_reason == "length":
                error = "the answer was cut off at the token limit (finish_reason=length)"
            else:
                try:
                    return parse(response.content), total, ""
                except (ValueError, ValidationError) as exc:
                    error = _short_error(exc)
            log.warning("model.invalid_answer", purpose=purpose, attempt=attempt, error=error)
            messages = (
                *messages,
                ChatMessage(role="assistant", content=response.content[:4000]),
                ChatMessage(
                    role="user",
                    content=f"Your answer could not be used: {error}. Answer again, following the "
                    "instructions and the format exactly, and keep it shorter.",
                ),
            )
        return None, total, error

    # -- Drafter protocol ----------------------------------------------------------------------

    def decide(self, qa: IngestedQA) -> tuple[Decisions, UsageTotals]:
        """Decisions as structured output; deterministic facts override what the model got wrong."""
        messages = (*self.prefix(qa), ChatMessage(role="user", content=prompts.render("decide")))
        result, usage, error = self._ask(
            messages,
            purpose="decide",
            max_tokens=DECIDE_MAX_TOKENS,
            parse=ModelDecisions.model_validate_json,
            schema=ModelDecisions,
        )
        offline = decide_offline(qa.facts)
        if not isinstance(result, ModelDecisions):
            log.warning("model.fallback", purpose="decide", error=error)
            return offline, usage
        # The release gate and the test commands are facts, not opinions: they come from the
        # QA facts, and the model is not asked (or paid) to restate them.
        facts_part = {name: getattr(offline, name) for name in FACT_DECISIONS}
        decided = Decisions(**dict(result), **facts_part, assumptions=[])
        return decided.model_copy(update={"assumptions": derive_assumptions(decided)}), usage

    def draft(self, task: SectionTask) -> tuple[SectionDraft, UsageTotals]:
        """One section as Markdown (or a revision with findings); offline fallback after one re-ask."""
        spec = SECTION_BY_KEY[task.key]
        skeleton = section_skeleton(spec)
        if task.findings and task.previous:
            last = prompts.render(
                "revise_section",
                heading=spec.heading,
                skeleton=skeleton,
                findings=_findings_text(task.findings),
                previous=task.previous,
            )
            purpose = f"revise:{task.key}:{task.revision}"
        else:
            last = prompts.render("draft_section", heading=spec.heading, skeleton=skeleton)
            purpose = f"draft:{task.key}"
        messages = (
            *self.prefix(task.qa),
            self._decisions_message(task.decisions),
            ChatMessage(role="user", content=last),
        )
        result, usage, error = self._ask(
            messages,
            purpose=purpose,
            max_tokens=SECTION_MAX_TOKENS,
            parse=lambda text: _section_markdown(text, spec.heading),
        )
        if isinstance(result, str):
            return SectionDraft(key=task.key, markdown=result, source="llm", revision=task.revision), usage
        log.warning("model.fallback", purpose=purpose, error=error)
        offline = write_section_offline(task.key, task.qa.facts, task.decisions, task.findings)  # type: ignore[arg-type]
        marked = mark_fallback(offline, f"the model's answer for this section could not be used ({error})")
        return SectionDraft(key=task.key, markdown=marked, source="fallback", revision=task.revision), usage

    def critique(self, qa: IngestedQA, decisions: Decisions, draft: str) -> tuple[list[Finding], UsageTotals]:
        """The six Quality Standards judged by the model; unmet ones become major findings."""
        messages = (
            *self.prefix(qa),
            self._decisions_message(decisions),
            ChatMessage(role="user", content=prompts.render("critic", draft=draft)),
        )
        result, usage, _ = self._ask(
            messages,
            purpose="critic",
            max_tokens=CRITIC_MAX_TOKENS,
            parse=CriticReport.model_validate_json,
            schema=CriticReport,
        )
        if not isinstance(result, CriticReport):
            return [], usage  # the deterministic rubric still stands on its own
        findings = []
        for j in result.judgements:
            if j.met:
                continue
            section = j.section if j.section in SECTION_BY_HEADING else None
            findings.append(
                Finding(
                    rule="critic.quality-standard",
                    severity="major" if section else "minor",
                    section=section,
                    message=f"{j.standard}: {j.reasons}"[:500],
                    fix="; ".join(j.fixes)[:500] or "address the standard",
                )
            )
        return findings, usage


# -- helpers -----------------------------------------------------------------------------------


def _short_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        errs = exc.errors()[:3]
        return "invalid JSON for the schema: " + "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errs
        )
    return str(exc)[:300]


def _findings_text(findings: list[Finding]) -> str:
    return "\n".join(f"- [{f.severity}] {f.rule}: {f.message} Fix: {f.fix}" for f in findings)


_FENCE = re.compile(r"^```(?:markdown|md)?\s*\n(.*)\n```\s*$", re.DOTALL)


def _section_markdown(text: str, heading: str) -> str:
    """Validate a drafted section: it must start with its own ``##`` heading and hold no other."""
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    first = body.splitlines()[0].strip() if body else ""
    if first != f"## {heading}":
        raise ValueError(f"the section must start with the line '## {heading}', not {first[:80]!r}")
    # Parse rather than grep, so a '# comment' inside a YAML block is not taken for a heading.
    tokens = MarkdownIt("commonmark").parse(body)
    tops = [t for t in tokens if t.type == "heading_open" and t.tag in ("h1", "h2")]
    if len(tops) > 1:
        line = body.splitlines()[(tops[1].map or [0])[0]]
        raise ValueError(f"write only this section; found another top-level heading {line[:80]!r}")
    return body + "\n"


def _neutralise_tags(text: str) -> str:
    """Stop the document from closing its own delimiter and posing as instructions."""
    return re.sub(
        r"</?\s*(qa_document|qa_facts|decisions|template|draft)\s*>", "[tag removed]", text, flags=re.I
    )
