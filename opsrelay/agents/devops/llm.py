"""LLM drafting: decisions as structured output, sections as plain Markdown, a critic, fallbacks.

Every request starts with the same static prefix (role and template, then the QA document and
its facts) so a provider's prompt cache can reuse it across the parallel section calls; only the
last message differs per call. The model is untrusted and one call never costs the run:

- its decisions are validated field by field (:mod:`.validate`); invalid fields take the
  offline engine's value;
- its sections are accepted as real models write them (a preamble, a fence around the section,
  ``#``/``###`` for the heading, closing remarks), re-asked once when still unusable, then
  written by the offline engine, marked;
- every request is fitted to the context window (:mod:`.fit`); a call that cannot fit, that the
  provider refuses for its length or silently truncates, or that meets a permanent provider
  error after other calls succeeded, falls back alone, with the reason in ``handoff.json``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from typing import Literal, TypeVar

from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from opsrelay import prompts
from opsrelay.agents.devops.assemble import mark_fallback
from opsrelay.agents.devops.assumptions import derive_assumptions
from opsrelay.agents.devops.choices import DecisionChoices, apply_choices
from opsrelay.agents.devops.decide import decide_offline
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.fit import (
    CONTEXT_LINES,
    MAX_TOKENS_FLOOR,
    MIN_DIGEST_CHARS,
    QA_VIEWS,
    Counter,
    Fitted,
    NoFit,
    QAView,
    cited_excerpt,
    decisions_json,
    digest,
    fit_request,
    margin,
    numbered,
    room,
    without_quoted_text,
)
from opsrelay.agents.devops.redact import redact_secrets
from opsrelay.agents.devops.state import SectionDraft, SectionTask, UsageTotals
from opsrelay.agents.devops.validate import (
    FactProposals,
    Inputs,
    clean_citations,
    fallback_summary,
    filler_reason,
    merge_model_facts,
    unvetted_ci_commands,
    validate_decisions,
)
from opsrelay.agents.devops.writers import write_section_offline
from opsrelay.errors import BudgetExceeded
from opsrelay.handoff import FallbackNote
from opsrelay.ingest import IngestedQA
from opsrelay.logging import get_logger
from opsrelay.models.base import ChatBackend, ChatMessage, ChatRequest, ChatResponse, layers
from opsrelay.models.errors import ContextLengthError, PermanentProviderError, PromptTruncatedError
from opsrelay.models.prices import estimate_cost
from opsrelay.models.schema import strict_schema  # openai's own strict conversion (issue 8)
from opsrelay.review.model import Finding
from opsrelay.template import DRAFTED_SECTIONS, SECTION_BY_HEADING, SECTION_BY_KEY, section_skeleton

log = get_logger("opsrelay.llm")
M = TypeVar("M", bound=BaseModel)

# Default caps (RunSettings.section/decide/critic_max_tokens), sized from the corpus: the
# largest CI/CD section is ~3.6k tokens, the decisions' choices ~500 and the critic's verdicts
# ~300; a cap below the answer truncates, re-asks and falls back, paying for the answer twice.
SECTION_MAX_TOKENS = 6000
DECIDE_MAX_TOKENS = 1500
CRITIC_MAX_TOKENS = 1000
# Proposed facts are short (a few quoted lines); a longer answer is a model rambling.
FACTS_MAX_TOKENS = 2000


# Sections rendered from the decisions, never asked of the model: the assumptions list must be
# complete and exact (every assumed decision, every open question of the release gate), which a
# writer that only copies it can get wrong and cannot improve. Off the critical path, and free.
DERIVED_SECTIONS = frozenset({"assumptions"})

# What the model is asked for: only the choices parallel sections must agree on (choices.py);
# the rest is derived. Named "Decisions" so the request (and its cassette key) says what it is.
ModelDecisions: type[DecisionChoices] = create_model(
    "Decisions", __base__=DecisionChoices, __doc__=DecisionChoices.__doc__
)


Standard = Literal["pipeline", "monitoring", "incident response", "security", "scalability", "runbooks"]
"""The six Quality Standards of the role specification, in order, as the critic names them."""


class StandardVerdict(BaseModel):
    """The critic's verdict on one Quality Standard: a one-line reason, then met or not, then a fix."""

    model_config = ConfigDict(extra="forbid")

    standard: Standard = Field(description="The Quality Standard judged.")
    reason: str = Field(description="One line (at most 20 words): what in the draft meets or misses it.")
    met: bool = Field(description="True when the draft meets the standard.")
    section: str | None = Field(description="Top-level heading to change when not met; null when met.")
    fix: str | None = Field(description="One concrete change that would meet it (one line); null when met.")


class CriticReport(BaseModel):
    """The critic's verdicts over the six Quality Standards: short, so that it stays off the clock."""

    model_config = ConfigDict(extra="forbid")

    # Exactly six (minItems and maxItems are both in OpenAI's strict subset): a grammar-enforcing
    # server (llama.cpp) holds even a weak model to it, which neither repeats entries until the
    # token cap nor answers an empty list.
    verdicts: list[StandardVerdict] = Field(
        min_length=6, max_length=6, description="One verdict per Quality Standard, in order (six)."
    )


class _Budget:
    """Thread-safe token accounting that refuses a call which could exceed the budget."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0
        self.lock = threading.Lock()

    def reserve(self, request: ChatRequest, prompt_tokens: int) -> None:
        """Refuse ``request`` (its counted prompt plus its output cap) if it could exceed the limit."""
        if self.limit is None:
            return
        estimate = prompt_tokens + (request.max_tokens or 0)
        with self.lock:
            if self.used + estimate > self.limit:
                raise BudgetExceeded(
                    f"token budget: {self.used} used, next call needs up to ~{estimate}, "
                    f"limit {self.limit} (raise --budget-tokens)"
                )

    def spend(self, tokens: int) -> None:
        with self.lock:
            self.used += tokens


class CallFallback(Exception):
    """One call that cannot be used (does not fit, refused for length, truncated, permanent error).

    Internal: the caller turns it into the call's fallback (offline section, offline decisions,
    rubric-only review), records ``reason`` and, when set, the run ``warning``.
    """

    def __init__(self, reason: str, *, warning: str | None = None, usage: UsageTotals | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.warning = warning
        self.usage = usage or UsageTotals()


class LLMDrafter:
    """Drafts with a chat model; falls back to the offline engine per call."""

    def __init__(
        self,
        backend: ChatBackend,
        *,
        model_name: str,
        budget_tokens: int | None = None,
        section_max_tokens: int = SECTION_MAX_TOKENS,
        decide_max_tokens: int = DECIDE_MAX_TOKENS,
        critic_max_tokens: int = CRITIC_MAX_TOKENS,
    ) -> None:
        # Requests in flight are bounded for the whole process under the retry layer of the
        # backend (opsrelay.models.limit), not here: a slot held here would be held through
        # retry back-offs, and each drafter would have its own.
        self.backend = backend
        self.model_name = model_name
        self.budget = _Budget(budget_tokens)
        self.section_max_tokens = section_max_tokens
        self.decide_max_tokens = decide_max_tokens
        self.critic_max_tokens = critic_max_tokens
        self._prefix_cache: dict[tuple[str, str, QAView], tuple[ChatMessage, ...]] = {}
        self._views: dict[str, QAView] = {}
        self._lock = threading.RLock()
        self._counter = Counter(getattr(backend, "count_tokens", None))
        self._window: tuple[int | None, str | None, str | None] | None = None
        self._succeeded = False
        self._inputs_cache: dict[str, Inputs] = {}

    @property
    def model(self) -> str:
        """The backend's spec, e.g. 'openai:gpt-4.1-mini'."""
        return self.backend.spec

    @property
    def label(self) -> str:
        """'model gpt-4.1-mini': names the model, not the backend, so a replay writes the same bytes."""
        return f"model {self.model_name}"

    def _inputs(self, qa: IngestedQA) -> Inputs:
        """The lines citations may point to, indexed once per QA document."""
        with self._lock:
            found = self._inputs_cache.get(qa.sha256)
            if found is None:
                found = self._inputs_cache[qa.sha256] = Inputs.of(qa)
            return found

    # -- the context window ----------------------------------------------------------------------

    def context_window(self) -> tuple[int | None, str | None]:
        """(tokens, source) of the window requests are fitted to; (None, None) when unknown.

        ``source`` is the backend's word for where the window came from (``configured``,
        ``server``, ``known-model``, ``default``); :meth:`context_window_detail` says more.
        Asked of the backend once per run. A backend without the method, or one whose lookup
        fails, leaves the window unknown: requests are then sent as they are, and a
        context-length refusal still falls back for that call alone.
        """
        tokens, source, _ = self._window_info()
        return tokens, source

    def context_window_detail(self) -> str | None:
        """How the backend found the window, e.g. 'llama.cpp /props n_ctx = 8,192 per slot'."""
        return self._window_info()[2]

    def _window_info(self) -> tuple[int | None, str | None, str | None]:
        with self._lock:
            if self._window is None:
                tokens: int | None = None
                source: str | None = None
                detail: str | None = None
                lookup = getattr(self.backend, "context_window", None)
                if callable(lookup):
                    try:
                        found = lookup()
                        tokens = getattr(found, "tokens", None)
                        source = str(getattr(found, "source", "")) or None
                        detail = str(getattr(found, "detail", "") or "") or None
                    except Exception as exc:  # a probe failure must not cost the run
                        log.warning("model.context_window_unknown", error=str(exc)[:200])
                self._window = (tokens if tokens and tokens > 0 else None, source, detail)
            return self._window

    # -- messages ------------------------------------------------------------------------------

    def prefix(self, qa: IngestedQA, view: QAView | None = None) -> tuple[ChatMessage, ...]:
        """The static prefix shared by every call of a run: role + template, then the QA document.

        ``view`` defaults to the run's choice (:meth:`qa_view`): the whole document when it fits.
        """
        view = view or self.qa_view(qa)
        facts = qa.facts.model_dump(mode="json", exclude={"source_sha256"})
        # With the whole (numbered) document in the prompt, an evidence line's text is already
        # there: the facts cite it by line only, which makes them about 45 % shorter. Every call
        # carries them.
        shown = without_quoted_text(facts, qa.source_name) if view is QAView.FULL else facts
        # The facts quote the document (evidence lines): delimited and neutralised like it.
        facts_json = _neutralise_tags(
            redact_secrets(json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
        )
        # Keyed by the facts too: the model's quoted facts change them within one run.
        key = (qa.sha256, hashlib.sha256(facts_json.encode()).hexdigest(), view)
        with self._lock:
            cached = self._prefix_cache.get(key)
            if cached is not None:
                return cached
        template = "\n\n".join(section_skeleton(spec) for spec in DRAFTED_SECTIONS)
        if view is QAView.FULL:
            qa_message = prompts.render(
                "qa_context",
                source_name=qa.source_name,
                source_sha256=qa.sha256,
                qa_document=_neutralise_tags(redact_secrets(numbered(qa.text))),
                qa_facts=facts_json,
            )
        else:
            excerpt = cited_excerpt(qa.text, facts) if view is QAView.CITED else ""
            note = (
                "below are only the lines the extracted facts cite, with their line numbers and "
                f"{CONTEXT_LINES} lines of context (… marks a gap)."
                if view is QAView.CITED
                else "the document is left out; the facts below were extracted from all of it."
            )
            qa_message = prompts.render(
                "qa_excerpt",
                source_name=qa.source_name,
                source_sha256=qa.sha256,
                view_note=note,
                qa_document=_neutralise_tags(redact_secrets(excerpt)) or "(omitted)",
                qa_facts=facts_json,
            )
        messages = (
            ChatMessage(role="system", content=prompts.render("system", template=template)),
            ChatMessage(role="user", content=qa_message),
        )
        with self._lock:
            self._prefix_cache[key] = messages
        return messages

    def qa_view(self, qa: IngestedQA) -> QAView:
        """How much of the QA document this run's prefix carries, chosen once from the largest need.

        The largest need is the biggest of the decide call and every section call asked of the
        model (each with the decisions it needs, the offline decisions standing in for the
        model's, which are not known yet). The first view in which all of them fit with their
        full output caps wins; else the smallest view, and per-call shrinking takes over.
        """
        with self._lock:
            chosen = self._views.get(qa.sha256)
            if chosen is not None:
                return chosen
            window, _ = self.context_window()
            chosen = QAView.FULL
            if window is not None:
                chosen = QA_VIEWS[-1]
                stand_in = decide_offline(qa.facts)
                smallest: int | None = None
                for view in QA_VIEWS:
                    prefix = self.prefix(qa, view)
                    size = self._counter.messages(prefix)
                    if smallest is not None and size >= smallest:
                        continue  # a short report's cited lines are no smaller than the report
                    smallest = size
                    needs = [self._counter.messages(self._decide_messages(prefix)) + self.decide_max_tokens]
                    for spec in DRAFTED_SECTIONS:
                        if spec.key in DERIVED_SECTIONS:
                            continue  # rendered, never sent
                        messages = self._section_messages(prefix, stand_in, spec.key, None)
                        needs.append(self._counter.messages(messages) + self.section_max_tokens)
                    if max(needs) <= window - margin(window):
                        chosen = view
                        break
                if chosen is not QAView.FULL:
                    log.warning("model.qa_view", view=chosen.value, window=window)
            self._views[qa.sha256] = chosen
            return chosen

    def _decisions_message(self, decisions: Decisions, section: str) -> ChatMessage:
        return ChatMessage(
            role="user",
            content=prompts.render(
                "decisions_context", decisions=_neutralise_tags(decisions_json(decisions, section))
            ),
        )

    @staticmethod
    def _decide_messages(prefix: tuple[ChatMessage, ...]) -> tuple[ChatMessage, ...]:
        return (*prefix, ChatMessage(role="user", content=prompts.render("decide")))

    def _section_messages(
        self,
        prefix: tuple[ChatMessage, ...],
        decisions: Decisions,
        key: str,
        task: SectionTask | None,
    ) -> tuple[ChatMessage, ...]:
        """Prefix, the decisions ``key`` is written from, and the draft (or revise) instruction."""
        spec = SECTION_BY_KEY[key]
        skeleton = section_skeleton(spec)
        if task is not None and task.findings and task.previous:
            last = prompts.render(
                "revise_section",
                heading=spec.heading,
                skeleton=skeleton,
                findings=_neutralise_tags(_findings_text(task.findings)),
                previous=_neutralise_tags(task.previous),
            )
        else:
            last = prompts.render("draft_section", heading=spec.heading, skeleton=skeleton)
        return (
            *prefix,
            self._decisions_message(decisions, key),
            ChatMessage(role="user", content=last),
        )

    # -- calls ---------------------------------------------------------------------------------

    def _call(self, request: ChatRequest, prompt_tokens: int) -> tuple[ChatResponse, UsageTotals]:
        self.budget.reserve(request, prompt_tokens)
        try:
            response = self.backend.complete(request)
        except PromptTruncatedError as exc:
            raise CallFallback(
                f"the server truncated the prompt "
                f"({exc.reported_tokens:,} of ~{exc.sent_tokens:,} tokens kept)",
                warning=f"the model server silently truncated prompts to ~{exc.reported_tokens:,} tokens: "
                "raise its context window (Ollama: OLLAMA_CONTEXT_LENGTH or the model's num_ctx; "
                "llama.cpp: -c) or pass --context-window with the server's real size",
                # The call was answered (and paid for): count the prompt tokens the server reported.
                usage=UsageTotals(
                    calls=1, tokens_in=exc.reported_tokens, largest_request_tokens=prompt_tokens
                ),
            ) from None
        except ContextLengthError as exc:
            raise CallFallback(
                f"the provider refused the request for its length ({_first_line(exc)})",
                usage=UsageTotals(largest_request_tokens=prompt_tokens),
            ) from None
        except PermanentProviderError as exc:
            # Misconfiguration (bad key, unknown model) shows on the first call: that still
            # ends the run (exit 3). After a call succeeded, one refusal costs only its call.
            with self._lock:
                succeeded = self._succeeded
            if not succeeded:
                raise
            raise CallFallback(
                f"the provider refused this call ({_first_line(exc)})",
                usage=UsageTotals(largest_request_tokens=prompt_tokens),
            ) from None
        with self._lock:
            self._succeeded = True
        u = response.usage
        self.budget.spend(u.input_tokens + u.output_tokens)
        usage = UsageTotals(
            calls=1,
            tokens_in=u.input_tokens,
            tokens_out=u.output_tokens,
            cached_tokens_in=u.cached_input_tokens,
            cost_usd=estimate_cost(self.model_name, u.input_tokens, u.output_tokens, u.cached_input_tokens),
            largest_request_tokens=prompt_tokens,
        )
        log.info(
            "model.call",
            purpose=request.purpose,
            model=self.model,
            prompt_tokens_counted=prompt_tokens,
            tokens_in=u.input_tokens,
            tokens_out=u.output_tokens,
            cached_tokens_in=u.cached_input_tokens,
            finish_reason=response.finish_reason,
        )
        return response, usage

    def _schema_in_prompt_tokens(self, schema: type[BaseModel] | None) -> int:
        """Prompt tokens a backend adds for ``schema`` itself.

        In JSON mode or tool calling the schema travels in the prompt; with strict
        ``json_schema`` the provider holds it (a grammar, for llama.cpp) and it costs nothing.
        """
        if schema is None:
            return 0
        # The provider backend under the recording, retrying and limiting layers says the mode.
        mode = next(
            (
                m
                for layer in layers(self.backend)
                if isinstance(m := getattr(layer, "structured_mode", None), str)
            ),
            None,
        )
        if mode not in ("json_object", "tools"):
            return 0
        text = json.dumps(strict_schema(schema), ensure_ascii=False, separators=(",", ":"))
        return self._counter.message(ChatMessage(role="user", content=text)) + 64

    def _fit(
        self,
        forms: list[tuple[str, tuple[ChatMessage, ...]]],
        *,
        kind: str,
        max_tokens: int,
        purpose: str,
        schema: type[BaseModel] | None = None,
    ) -> Fitted:
        window, _ = self.context_window()
        fitted = fit_request(
            forms,
            counter=self._counter,
            window=window,
            max_tokens=max_tokens,
            floor=min(max_tokens, MAX_TOKENS_FLOOR.get(kind, 512)),
            extra_tokens=self._schema_in_prompt_tokens(schema),
        )
        if isinstance(fitted, NoFit):
            log.warning("model.no_fit", purpose=purpose, reason=fitted.reason)
            raise CallFallback(fitted.reason)
        if fitted.form != forms[0][0]:
            log.info("model.fitted", purpose=purpose, form=fitted.form, prompt_tokens=fitted.prompt_tokens)
        return fitted

    def _ask(
        self,
        forms: list[tuple[str, tuple[ChatMessage, ...]]],
        *,
        kind: str,
        purpose: str,
        max_tokens: int,
        parse: Callable[[str], M | str],
        schema: type[BaseModel] | None = None,
    ) -> tuple[M | str | None, UsageTotals, str]:
        """Fit, ask, validate, re-ask once with the error; return (result or None, usage, last error).

        A request that cannot be sent, or is refused in a way only this call should pay for
        (:class:`CallFallback`), returns None with the usage so far, the run warning it carries
        and its reason: the caller takes its fallback as for an unusable answer.
        """
        try:
            return self._exchange(
                forms, kind=kind, purpose=purpose, max_tokens=max_tokens, parse=parse, schema=schema
            )
        except CallFallback as exc:
            warned = UsageTotals(warnings=[exc.warning]) if exc.warning else UsageTotals()
            return None, exc.usage + warned, exc.reason

    def _exchange(
        self,
        forms: list[tuple[str, tuple[ChatMessage, ...]]],
        *,
        kind: str,
        purpose: str,
        max_tokens: int,
        parse: Callable[[str], M | str],
        schema: type[BaseModel] | None,
    ) -> tuple[M | str | None, UsageTotals, str]:
        """:meth:`_ask` itself; raises :class:`CallFallback` carrying the usage so far."""
        total = UsageTotals()
        error = ""
        for attempt in (1, 2):
            try:
                fitted = self._fit(forms, kind=kind, max_tokens=max_tokens, purpose=purpose, schema=schema)
            except CallFallback as exc:
                if attempt == 1:
                    raise CallFallback(exc.reason, usage=total) from None
                # The re-ask (previous answer + error) no longer fits: the first answer's error stands.
                break
            request = ChatRequest(
                model=self.model_name,
                messages=fitted.messages,
                schema_name=schema.__name__ if schema else None,
                json_schema=strict_schema(schema) if schema else None,
                max_tokens=fitted.max_tokens,
                purpose=purpose if attempt == 1 else f"{purpose}:retry",
            )
            try:
                response, usage = self._call(request, fitted.prompt_tokens)
            except CallFallback as exc:
                raise CallFallback(exc.reason, warning=exc.warning, usage=total + exc.usage) from None
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
            retry = (
                ChatMessage(role="assistant", content=response.content[:4000]),
                ChatMessage(
                    role="user",
                    content=f"Your answer could not be used: {error}. Answer again, following the "
                    "instructions and the format exactly, and keep it shorter.",
                ),
            )
            # The re-ask keeps the form that fitted (and may still shrink its output cap).
            forms = [(fitted.form, (*fitted.messages, *retry))]
        return None, total, error

    # -- Drafter protocol ----------------------------------------------------------------------

    def propose_facts(self, qa: IngestedQA) -> tuple[IngestedQA, UsageTotals]:
        """Facts the extractor missed, each with an exact quote at its line (issue 9.9).

        One structured call; a fact is kept only when its quote is found at its line
        (:func:`.validate.merge_model_facts`), the others are dropped and logged. The
        deterministic facts stay the floor. Skipped (and recorded) when the prefix carries less
        than the whole document: the model could not quote what it cannot see.
        """
        if self.qa_view(qa) is not QAView.FULL:
            note = FallbackNote(
                call="facts",
                reason="skipped: the whole QA document does not fit the context window",
                action="dropped",
            )
            return qa, UsageTotals(fallbacks=[note])
        messages = (*self.prefix(qa), ChatMessage(role="user", content=prompts.render("propose_facts")))
        result, usage, error = self._ask(
            [("all", messages)],
            kind="facts",
            purpose="facts",
            max_tokens=min(self.decide_max_tokens, FACTS_MAX_TOKENS),
            parse=lambda text: parse_json_answer(text, FactProposals),
            schema=FactProposals,
        )
        if not isinstance(result, FactProposals):
            note = FallbackNote(call="facts", reason=f"no usable proposals ({error})", action="dropped")
            return qa, usage + UsageTotals(fallbacks=[note])
        facts, kept, dropped = merge_model_facts(qa.facts, result, self._inputs(qa))
        for reason in dropped:
            log.info("model.fact_dropped", reason=reason)
        notes = [
            FallbackNote(call="facts", target=d.split(":", 1)[0], reason=d, action="dropped") for d in dropped
        ]
        if kept:
            log.info("model.facts_added", facts=kept)
        merged = qa.model_copy(update={"facts": facts}) if kept else qa
        return merged, usage + UsageTotals(fallbacks=notes, model_facts=kept)

    def decide(self, qa: IngestedQA) -> tuple[Decisions, UsageTotals]:
        """Decisions as structured output, validated field by field against the offline engine's."""
        offline = decide_offline(qa.facts)
        messages = self._decide_messages(self.prefix(qa))
        result, usage, error = self._ask(
            [("all", messages)],
            kind="decide",
            purpose="decide",
            max_tokens=self.decide_max_tokens,
            parse=lambda text: parse_json_answer(text, ModelDecisions),
            schema=ModelDecisions,
        )
        if not isinstance(result, ModelDecisions):
            log.warning("model.fallback", purpose="decide", error=error)
            note = FallbackNote(call="decide", reason=f"the model's decisions could not be used ({error})")
            return offline, usage + UsageTotals(fallbacks=[note])
        # The model chose; everything else (release gate, test commands, toolchains, datastores,
        # rollout steps, thresholds…) is derived from the QA facts and from those choices.
        try:
            proposed, dropped = apply_choices(result, offline, qa)
            checked, fallbacks = validate_decisions(proposed, offline, qa)
        except Exception as exc:  # a validator bug must cost the model's decisions, not the run
            log.warning("model.validation_failed", error=repr(exc)[:300])
            note = FallbackNote(call="decide", reason=f"the decisions could not be validated ({exc!r:.200})")
            return offline, usage + UsageTotals(fallbacks=[note])
        if fallbacks:
            log.warning("model.decision_fallbacks", count=len(fallbacks), fields=fallback_summary(fallbacks))
        fallbacks = dropped + fallbacks
        decided = checked.model_copy(update={"assumptions": derive_assumptions(checked)})
        return decided, usage + UsageTotals(fallbacks=fallbacks)

    def draft(self, task: SectionTask) -> tuple[SectionDraft, UsageTotals]:
        """One section as Markdown (or a revision with findings); offline fallback after one re-ask."""
        if task.key in DERIVED_SECTIONS:
            markdown = write_section_offline(task.key, task.qa.facts, task.decisions, task.findings)  # type: ignore[arg-type]
            return SectionDraft(
                key=task.key, markdown=markdown, source="offline", revision=task.revision
            ), UsageTotals()
        spec = SECTION_BY_KEY[task.key]
        purpose = (
            f"revise:{task.key}:{task.revision}" if task.findings and task.previous else f"draft:{task.key}"
        )
        prefix = self.prefix(task.qa)
        # Only the decisions this section is written from, without the evidence and reasoning
        # behind them: all section calls are in flight at once, so nothing after the shared
        # prefix is cached, and every token of it is paid for once per section.
        forms = [("section decisions", self._section_messages(prefix, task.decisions, task.key, task))]
        result, usage, error = self._ask(
            forms,
            kind="section",
            purpose=purpose,
            max_tokens=self.section_max_tokens,
            parse=lambda text: section_markdown(text, spec.heading),
        )
        offline = write_section_offline(task.key, task.qa.facts, task.decisions, task.findings)  # type: ignore[arg-type]
        if isinstance(result, str):
            # Nothing untrusted reaches the CI YAML: every command the model's YAML runs must be
            # one the offline engine runs for the same decisions (vetted commands only).
            unvetted = unvetted_ci_commands(result, offline)
            if unvetted:
                error = f"the CI YAML runs a command that is not vetted: {unvetted[0][:100]!r}"
                result = None
        if isinstance(result, str):
            cleaned, removed = clean_citations(result, self._inputs(task.qa))
            notes = [FallbackNote(call=purpose, target=task.key, reason=r, action="dropped") for r in removed]
            draft = SectionDraft(key=task.key, markdown=cleaned, source="llm", revision=task.revision)
            return draft, usage + UsageTotals(fallbacks=notes)
        log.warning("model.fallback", purpose=purpose, error=error)
        marked = mark_fallback(offline, f"the model's answer for this section could not be used ({error})")
        note = FallbackNote(call=purpose, target=task.key, reason=error or "no usable answer")
        return (
            SectionDraft(key=task.key, markdown=marked, source="fallback", revision=task.revision),
            usage + UsageTotals(fallbacks=[note]),
        )

    def critique(self, qa: IngestedQA, decisions: Decisions, draft: str) -> tuple[list[Finding], UsageTotals]:
        """The six Quality Standards judged by the model; unmet ones become major findings.

        When the whole draft does not fit the window, the critic judges a digest of it (cut to
        what fits); when not even that fits, or the call fails, the review is the rubric's alone.
        """
        prefix = self.prefix(qa)

        def ask(text: str) -> tuple[ChatMessage, ...]:
            # No decisions: the guide states them itself, and the critic judges the guide.
            critic_msg = ChatMessage(
                role="user", content=prompts.render("critic", draft=_neutralise_tags(text))
            )
            return (*prefix, critic_msg)

        forms = [("whole draft", ask(draft))]
        window, _ = self.context_window()
        if window is not None:
            base = self._counter.messages(ask(""))
            budget_chars = max(MIN_DIGEST_CHARS, (room(window, base) - self.critic_max_tokens) * 3)
            forms.append(("digest", ask(digest(draft, budget_chars))))
            forms.append(("short digest", ask(digest(draft, MIN_DIGEST_CHARS))))
        result, usage, error = self._ask(
            forms,
            kind="critic",
            purpose="critic",
            max_tokens=self.critic_max_tokens,
            parse=lambda text: parse_json_answer(text, CriticReport),
            schema=CriticReport,
        )
        if not isinstance(result, CriticReport):
            # The deterministic rubric still stands on its own.
            note = FallbackNote(call="critic", reason=error or "no usable answer", action="rubric_only")
            return [], usage + UsageTotals(fallbacks=[note])
        findings = []
        for v in result.verdicts:
            if v.met:
                continue
            section = v.section if v.section in SECTION_BY_HEADING else None
            reason = " ".join(v.reason.split())
            if filler_reason(reason) is not None or len(re.findall(r"[^\W_]+", reason)) < 4:
                # A verdict that gives no reason (filler, or a bare token such as a file name
                # echoed by a weak model) is not a finding anyone can act on.
                continue
            fix = " ".join((v.fix or "").split())
            findings.append(
                Finding(
                    rule="critic.quality-standard",
                    severity="major" if section else "minor",
                    section=section,
                    message=f"{v.standard}: {reason}"[:500],
                    fix=(fix if fix and filler_reason(fix) is None else "address the standard")[:500],
                )
            )
        return findings, usage


# -- helpers -----------------------------------------------------------------------------------


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _short_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        errs = exc.errors()[:3]
        return "invalid JSON for the schema: " + "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errs
        )
    return str(exc)[:300]


def _findings_text(findings: list[Finding]) -> str:
    return "\n".join(f"- [{f.severity}] {f.rule}: {f.message} Fix: {f.fix}" for f in findings)


_JSON_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)\n\s*```", re.DOTALL)


def parse_json_answer(text: str, model: type[M]) -> M:
    """Parse a structured answer, accepting JSON as real models wrap it.

    Tried in order: the answer as it is; the inside of a ```json fence; the first JSON object
    in the text (prose before or after it). The first error is raised when none validates, so
    the re-ask names what was wrong with the answer itself.
    """
    try:
        return model.model_validate_json(text)
    except (ValueError, ValidationError) as first:
        candidates = [m.group(1) for m in _JSON_FENCE.finditer(text)]
        start = text.find("{")
        if start >= 0:
            try:
                obj, _ = json.JSONDecoder().raw_decode(text[start:])
                candidates.append(json.dumps(obj))
            except ValueError:
                pass
        for candidate in candidates:
            try:
                return model.model_validate_json(candidate)
            except (ValueError, ValidationError):
                continue
        raise first from None


# Closing remarks models append after the section ("Let me know…", "I hope this helps").
_COMMENTARY = re.compile(
    r"(?i)^\s*(?:let me know|i hope|hope this|feel free|if you (?:need|want|would|have)|"
    r"please (?:let|note that this|review)|would you like|this section (?:covers|provides|outlines)|"
    r"(?:note|n\.b\.):\s*(?:this|i|the above)|i (?:have|'ve) (?:written|kept|included|followed)|"
    r"here (?:is|are) (?:the|a)|below is)\b"
)
_ATX = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_FENCE_LINE = re.compile(r"^\s*(```+|~~~+)\s*([\w-]*)\s*$")


def _norm_heading(text: str) -> str:
    text = re.sub(r"^\s*(?:\d+[.)]\s*)", "", text)  # "3. CI/CD Pipeline"
    return re.sub(r"[^a-z0-9&/]+", " ", text.replace("*", "").lower()).strip()


def _outside_code(lines: list[str]) -> list[bool]:
    """For each line: True when it is outside a fenced code block (fence lines count as inside)."""
    out: list[bool] = []
    fence: str | None = None
    for line in lines:
        m = _FENCE_LINE.match(line) or re.match(r"^\s*(```+|~~~+)", line)
        if fence is None and m:
            fence = m.group(1)
            out.append(False)
        elif fence is not None and line.strip().startswith(fence) and not line.strip()[len(fence) :].strip():
            fence = None
            out.append(False)
        else:
            out.append(fence is None)
    return out


def _unwrap_fence(lines: list[str], heading: str) -> list[str]:
    """The inside of a ```markdown / ```md / bare ``` fence wrapped around the whole section.

    A fenced section often holds fenced YAML itself, which closes the outer fence early in a
    Markdown parser; so the outer fence is taken to close at the *last* bare fence line, and
    whatever follows it (closing remarks) is dropped.
    """
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if (m := _FENCE_LINE.match(line)) and m.group(2).lower() in ("", "markdown", "md", "text")
        ),
        None,
    )
    if start is None:
        return lines
    inner_first = next((ln for ln in lines[start + 1 :] if ln.strip()), "")
    heading_inside = bool(_ATX.match(inner_first)) and _norm_heading(_ATX.match(inner_first).group(2)) == (  # type: ignore[union-attr]
        _norm_heading(heading)
    )
    before = [ln for ln in lines[:start] if ln.strip()]
    # Only a fence that opens the answer (after at most a short preamble) and holds the
    # section's heading is a wrapper; any other fence is the section's own code block.
    if not heading_inside or len(before) > 3 or any(_ATX.match(ln) for ln in before):
        return lines
    fence = _FENCE_LINE.match(lines[start]).group(1)  # type: ignore[union-attr]
    end = max((i for i in range(start + 1, len(lines)) if lines[i].strip() == fence), default=None)
    if end is None:
        return lines[start + 1 :]  # unclosed: the answer ends inside the fence
    return lines[start + 1 : end]


def section_markdown(text: str, heading: str) -> str:
    """Accept a drafted section as real models write it, or raise ValueError saying why not.

    Normalised without a re-ask: a preamble before the heading, a Markdown fence around the
    section, ``#``/``###`` (or a numbered or bold heading) instead of ``## {heading}`` (other
    headings shift by the same number of levels), closing remarks after it, and a missing
    heading when the content otherwise carries the section's own sub-headings or fields. A
    second top-level section ends the answer. Refused: an empty answer, or one whose heading
    is another section's.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    lines = _unwrap_fence(lines, heading)
    outside = _outside_code(lines)
    want = _norm_heading(heading)
    top = next(
        (
            i
            for i, line in enumerate(lines)
            if outside[i] and (m := _ATX.match(line)) and _norm_heading(m.group(2)) == want
        ),
        None,
    )
    if top is None:
        first = next((i for i, line in enumerate(lines) if outside[i] and _ATX.match(line)), None)
        if first is not None:
            level = len(_ATX.match(lines[first]).group(1))  # type: ignore[union-attr]
            other = _ATX.match(lines[first]).group(2)  # type: ignore[union-attr]
            if level <= 2 and _norm_heading(other) in _OTHER_HEADINGS:
                raise ValueError(
                    f"the section must start with the line '## {heading}', not {lines[first][:80]!r}"
                )
        body = "\n".join(lines).strip()
        if not body or not _own_shape(body, heading):
            shown = next((ln for ln in lines if ln.strip()), "")
            raise ValueError(f"the section must start with the line '## {heading}', not {shown[:80]!r}")
        lines, outside, top, shift = [f"## {heading}", *lines], [True, *outside], 0, 0
    else:
        shift = 2 - len(_ATX.match(lines[top]).group(1))  # type: ignore[union-attr]
    out: list[str] = [f"## {heading}"]
    own = _own_subheadings(heading)
    for i in range(top + 1, len(lines)):
        line = lines[i]
        m = _ATX.match(line) if outside[i] else None
        if m:
            level = len(m.group(1)) + shift
            if level <= 2 and _norm_heading(m.group(2)) in own:
                level = 3  # the section's own sub-heading, written one level too high
            if level <= 2:
                break  # another section begins: only this one was asked for
            out.append(f"{'#' * min(level, 6)} {m.group(2)}")
        else:
            out.append(line)
    body_lines = _drop_commentary(out)
    body = "\n".join(body_lines).strip()
    if len(body.splitlines()) < 2:
        raise ValueError(f"the section '## {heading}' has no content")
    # Parse rather than grep, so a '# comment' inside a YAML block is not taken for a heading.
    tokens = MarkdownIt("commonmark").parse(body)
    tops = [t for t in tokens if t.type == "heading_open" and t.tag in ("h1", "h2")]
    if len(tops) > 1:
        line = body.splitlines()[(tops[1].map or [0])[0]]
        raise ValueError(f"write only this section; found another top-level heading {line[:80]!r}")
    return body + "\n"


_OTHER_HEADINGS = {_norm_heading(spec.heading) for spec in DRAFTED_SECTIONS} | {"changelog"}


def _own_subheadings(heading: str) -> set[str]:
    """The normalised sub-headings of a section's template."""
    spec = SECTION_BY_HEADING.get(heading)
    if spec is None:
        return set()
    found = (_ATX.match(ln) for ln in section_skeleton(spec).splitlines()[1:])
    return {_norm_heading(m.group(2)) for m in found if m}


def _own_shape(body: str, heading: str) -> bool:
    """True when ``body`` carries at least one of the section's template sub-headings or field labels."""
    spec = SECTION_BY_HEADING.get(heading)
    if spec is None:
        return False
    skeleton = section_skeleton(spec)
    marks = [ln.strip() for ln in skeleton.splitlines()[1:] if ln.strip().startswith(("#", "- **"))]
    probes = [re.sub(r"^#+\s*", "", m).split(":")[0].strip().lower() for m in marks]
    low = body.lower()
    return any(p and p in low for p in probes) or (not marks and len(body) > 200)


def _drop_commentary(lines: list[str]) -> list[str]:
    """Cut closing remarks ("Let me know…") and a trailing rule from the end of a section.

    Only the trailing prose counts (after the last heading, list item, table row or code
    block): a sentence that merely starts like a remark inside the section is content.
    """
    outside = _outside_code(lines)
    structural = [
        i
        for i, line in enumerate(lines)
        if not outside[i] or re.match(r"^\s*(?:#|[-*+]\s|\d+[.)]\s|\|)", line)
    ]
    tail = (structural[-1] + 1) if structural else 1
    cut = next((i for i in range(tail, len(lines)) if _COMMENTARY.match(lines[i])), len(lines))
    kept = lines[:cut]
    while kept and (not kept[-1].strip() or kept[-1].strip() in ("---", "***", "___")):
        kept.pop()
    return kept


def _neutralise_tags(text: str) -> str:
    """Stop data from closing its own delimiter and posing as instructions.

    Data is the QA document and all that quotes it or the model: facts, decisions, findings,
    drafts.
    """
    return _PROMPT_TAGS.sub("[tag removed]", text)


# Every tag the prompts delimit data with.
_PROMPT_TAGS = re.compile(
    r"</?\s*(qa_document|qa_facts|decisions|template|draft|findings|previous_section)\s*>", re.I
)
