"""The DevOps Engineer's graph nodes: ingest, decide, draft, assemble, review, revise, emit.

The nodes hold the DevOps knowledge and the loop's bookkeeping; :mod:`opsrelay.graph` only wires
them. The drafter (offline engine or LLM) is injected.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from opsrelay.agents.devops.assemble import ChangelogEntry, assemble_document, mark_fallback
from opsrelay.agents.devops.choices import with_facts
from opsrelay.agents.devops.decide import decide_offline
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.drafter import Drafter, OfflineDrafter
from opsrelay.agents.devops.loop import record, stop_reason_after_review
from opsrelay.agents.devops.state import DevOpsState, IterationRecord, SectionDraft, SectionTask, UsageTotals
from opsrelay.emit import write_artifacts
from opsrelay.errors import BudgetExceeded, InputError
from opsrelay.handoff import (
    DEVOPS_ROLE,
    ArtifactRef,
    FallbackNote,
    Handoff,
    ReviewSummary,
    RunInfo,
    sha256_text,
)
from opsrelay.ingest import IngestedQA, ingest_text
from opsrelay.review import review_document
from opsrelay.review.model import Finding, Review
from opsrelay.settings import RunSettings
from opsrelay.template import DRAFTED_SECTIONS, SECTION_BY_HEADING, SECTION_BY_KEY

ARTIFACT_NAME = "OPERATIONS.md"
HANDOFF_NAME = "handoff.json"
NEXT_ROLE = "Next Stage"


class DevOpsNodes:
    """Node functions bound to one backend and one set of run settings."""

    def __init__(self, drafter: Drafter, settings: RunSettings) -> None:
        self.drafter = drafter
        self.settings = settings

    # -- ingest / decide ---------------------------------------------------------------------

    def ingest(self, state: DevOpsState) -> dict[str, Any]:
        """Validate the upstream QA artifact and extract its facts (no model is called)."""
        qa = state.get("qa")
        if qa is None and not state.get("qa_report") and state.get("handoffs"):
            envelope = latest_handoff_for(DEVOPS_ROLE, state.get("handoffs") or [])
            # The envelope goes through the same checks as a handoff.json file: schema version,
            # role, and the sha256 of the inline artifact.
            qa = ingest_text(envelope, source_name="handoff.json", max_bytes=self.settings.max_bytes)
        elif qa is None:
            text = state.get("qa_report")
            if not text:
                raise InputError("no QA input: pass 'qa_report' (the QA document's text), 'qa' or 'handoffs'")
            qa = ingest_text(
                text,
                source_name=state.get("qa_source_name") or "qa_report.md",
                max_bytes=self.settings.max_bytes,
            )
        elif isinstance(qa, dict):  # a parent graph or the server may hand us plain JSON
            qa = IngestedQA.model_validate(qa)
        return {"qa": qa, "iteration": 0}

    def decide(self, state: DevOpsState) -> dict[str, Any]:
        """Fix the cross-cutting decisions so parallel sections agree with each other."""
        qa = state["qa"]
        # A drafter written before model facts existed (tests script their own) simply has none.
        propose = getattr(self.drafter, "propose_facts", None)
        if not callable(propose):
            decisions, usage = self.drafter.decide(qa)
            return {"decisions": decisions, "usage": usage}
        # The facts call goes out with decide, not before it: only decide is on the critical
        # path. The choices rest on the extractor's facts; whatever follows from facts is derived
        # again once the model's quoted facts are merged.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsrelay-facts") as pool:
            pending = pool.submit(propose, qa)
            decisions, decide_usage = self.drafter.decide(qa)
            merged, usage = pending.result()
        update: dict[str, Any] = {"decisions": decisions, "usage": usage + decide_usage}
        if merged is not qa:
            update["decisions"] = with_facts(decisions, merged)
            update["qa"] = merged  # sections, review and emit work from the merged facts
        return update

    # -- sections ------------------------------------------------------------------------------

    def section_tasks(self, state: DevOpsState) -> list[SectionTask]:
        """One drafting task per template section (the changelog is rendered, not drafted)."""
        return [
            SectionTask(key=spec.key, qa=state["qa"], decisions=state["decisions"])
            for spec in DRAFTED_SECTIONS
        ]

    def draft_section(self, task: SectionTask) -> dict[str, Any]:
        """Draft one section."""
        draft, usage = self.drafter.draft(task)
        return {"sections": {task.key: draft}, "usage": usage}

    def revise_tasks(self, state: DevOpsState) -> list[SectionTask]:
        """Tasks for the sections with blocker/major findings only; the rest are kept verbatim."""
        review = state["review"]
        tasks = []
        for heading in review.failing_sections():
            spec = SECTION_BY_HEADING.get(heading)
            if spec is None or not spec.drafted:
                continue
            findings = [f for f in review.findings if f.section == heading]
            previous = state["sections"].get(spec.key)
            tasks.append(
                SectionTask(
                    key=spec.key,
                    qa=state["qa"],
                    decisions=state["decisions"],
                    findings=findings,
                    previous=previous.markdown if previous else None,
                    revision=state.get("iteration", 0),
                )
            )
        return tasks

    def revise_section(self, task: SectionTask) -> dict[str, Any]:
        """Re-draft one failing section with its findings as instructions.

        A revision that would exceed the token budget keeps the section as it was and tells the
        review node to stop the loop (stop reason ``budget``).
        """
        try:
            return self.draft_section(task)
        except BudgetExceeded:
            return {"budget_exhausted": True}

    # -- assemble / review ---------------------------------------------------------------------

    def assemble(self, state: DevOpsState) -> dict[str, Any]:
        """Put the sections in template order and render the document."""
        markdown = self._render(state, state["sections"], state.get("history", []), final=None)
        return {"draft": markdown}

    def review(self, state: DevOpsState) -> dict[str, Any]:
        """Review the assembled draft; keep the best draft; decide whether the loop stops."""
        iteration = state.get("iteration", 0) + 1
        budget_hit = state.get("budget_exhausted", False)
        critic: list[Finding] = []
        usage = UsageTotals()
        # The critic's call is in flight while the deterministic rubric runs: the review costs
        # the critic's latency alone. Its findings count even when the rubric has blockers
        # (they go into the same revision round).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsrelay-critic") as pool:
            pending = (
                None
                if budget_hit
                else pool.submit(self.drafter.critique, state["qa"], state["decisions"], state["draft"])
            )
            rubric = review_document(state["draft"], state["qa"].facts)
            if pending is not None:
                try:
                    critic, usage = pending.result()
                except BudgetExceeded:
                    budget_hit = True
        review = Review(findings=[*rubric.findings, *critic])
        best = state.get("best_review")
        revised = sorted(
            k for k, d in state["sections"].items() if iteration > 1 and d.revision == iteration - 1
        )
        update: dict[str, Any] = {
            "review": review,
            "usage": usage,
            "iteration": iteration,
            "history": [record(iteration, review, revised)],
        }
        if best is None or review.score > best.score:
            update |= {
                "best_draft": state["draft"],
                "best_sections": state["sections"],
                "best_review": review,
            }
        candidate = {**state, **update}
        revisable = [t.key for t in self.revise_tasks(candidate)]  # type: ignore[arg-type]
        reason = stop_reason_after_review(
            review,
            iteration=iteration,
            max_revisions=self.settings.max_revisions,
            best_score_before=best.score if best else None,
            revisable_sections=revisable,
        )
        if reason is None and budget_hit:
            reason = "budget"
        if reason is not None:
            update["stop_reason"] = reason
        return update

    # -- emit ----------------------------------------------------------------------------------

    def emit(self, state: DevOpsState, thread_id: str = "") -> dict[str, Any]:
        """Render the best draft with its final changelog, build the handoff, write atomically.

        Never worse than the offline floor: a model-written section that still has blocker or
        major findings after the loop is replaced by its offline version when that one reviews
        better (marked in the document and listed in the handoff). The critic advises, the
        rubric decides: once the deterministic rubric passes on the final document, the
        critic's remaining findings are reported as minor (see :func:`advisory_critic`).
        """
        best_review = state.get("best_review") or state["review"]
        judged = state.get("best_sections") or state["sections"]
        sections = self._without_unsafe_sections(state, judged, best_review)
        stop_reason = state.get("stop_reason", "max_revisions")
        facts = state["qa"].facts
        history = state.get("history", [])
        sections, replaced = self._offline_where_better(state, sections, history)
        # Re-check the final text (its changelog, maybe a replaced section); the critic's
        # judgement stands for the sections it judged, not for those replaced since (as unsafe
        # or by the offline floor). The banner follows the final verdict.
        changed = {
            SECTION_BY_KEY[k].heading
            for k, d in sections.items()
            if k not in judged or judged[k].markdown != d.markdown
        }
        critic = [
            f for f in best_review.findings if f.rule.startswith("critic.") and f.section not in changed
        ]

        def render_and_review(verdict: str, score: int) -> tuple[str, Review]:
            md = self._render(
                state, sections, history, final=(verdict, score, stop_reason), banner=verdict != "pass"
            )
            rubric = review_document(md, facts)
            return md, Review(findings=[*rubric.findings, *advisory_critic(critic, rubric)])

        markdown, final_review = render_and_review(best_review.verdict, best_review.score)
        if (final_review.verdict, final_review.score) != (best_review.verdict, best_review.score):
            # A replaced section changed the outcome: say the final verdict in the changelog.
            markdown, final_review = render_and_review(final_review.verdict, final_review.score)
        qa = state["qa"]
        usage = state.get("usage") or UsageTotals()
        notes = [*usage.fallbacks, *replaced.values()]
        window_of = getattr(self.drafter, "context_window", None)
        window, window_source = window_of() if callable(window_of) else (None, None)
        detail_of = getattr(self.drafter, "context_window_detail", None)
        window_detail = detail_of() if callable(detail_of) else None
        handoff = Handoff(
            from_role=DEVOPS_ROLE,
            to_role=NEXT_ROLE,
            artifact=ArtifactRef(name=ARTIFACT_NAME, sha256=sha256_text(markdown)),
            upstream=ArtifactRef(name=qa.source_name, sha256=qa.sha256),
            review=ReviewSummary(
                verdict=final_review.verdict,
                score=final_review.score,
                iterations=state.get("iteration", 1),
                stop_reason=stop_reason,
                findings=final_review.findings,
            ),
            run=RunInfo(
                thread_id=thread_id,
                model=self.drafter.model,
                llm_calls=usage.calls,
                tokens_in=usage.tokens_in,
                tokens_out=usage.tokens_out,
                cached_tokens_in=usage.cached_tokens_in,
                cost_usd=usage.cost_usd,
                timings_s=dict(state.get("timings", {})),
                fallback_sections=sorted(k for k, d in sections.items() if d.source == "fallback"),
                sections={
                    spec.key: sections[spec.key].source for spec in DRAFTED_SECTIONS if spec.key in sections
                },
                decision_fallbacks=[n for n in notes if n.call == "decide" and n.target],
                call_fallbacks=sorted(
                    (n for n in notes if not (n.call == "decide" and n.target)),
                    key=lambda n: (n.call, n.target),
                ),
                warnings=list(usage.warnings),
                context_window=window,
                context_window_source=window_source,
                context_window_detail=window_detail,
                largest_request_tokens=usage.largest_request_tokens,
                model_facts=list(usage.model_facts),
            ),
        )
        if self.settings.out_dir is not None:
            handoff = write_artifacts(Path(self.settings.out_dir), markdown, handoff)
        else:
            handoff = handoff.model_copy(
                update={"artifact": handoff.artifact.model_copy(update={"content": markdown})}
            )
        return {
            "operations_md": markdown,
            "handoff": handoff,
            "handoffs": [handoff],  # a parent graph's reducer appends it to the chain
            "review": final_review,
            "stop_reason": stop_reason,
        }

    def _offline_where_better(
        self, state: DevOpsState, sections: dict[str, SectionDraft], history: list[IterationRecord]
    ) -> tuple[dict[str, SectionDraft], dict[str, FallbackNote]]:
        """Replace model sections still failing the rubric by their offline versions, where better.

        First section by section: all candidates are tried at once (one review of the trial
        document), then each is kept only if its own section's findings weigh less than before
        (if the kept set would lower the document's score, none is). If the guide still fails
        (findings no single section owns, or sections written from the model's decisions), the
        offline engine's whole guide, written from its own decisions, replaces every model
        section when it reviews better: the run is never worse than the offline floor.
        """
        if all(d.source == "offline" for d in sections.values()):
            return sections, {}  # the offline engine's guide is the floor itself
        facts = state["qa"].facts

        def rubric(secs: dict[str, SectionDraft]) -> Review:
            return review_document(self._render(state, secs, history, final=None), facts)

        def offline(keys: list[str], decisions: Decisions, why: str) -> dict[str, SectionDraft]:
            return sections | {key: _offline_section(state["qa"], decisions, key, why) for key in keys}

        current = rubric(sections)
        if current.verdict == "pass":
            return sections, {}
        failing = set(current.failing_sections())
        candidates: list[str] = [
            spec.key
            for spec in DRAFTED_SECTIONS
            if spec.heading in failing and spec.key in sections and sections[spec.key].source == "llm"
        ]
        out: dict[str, SectionDraft] = dict(sections)
        kept: dict[str, FallbackNote] = {}
        after = current
        if candidates:
            trial = offline(
                candidates,
                state["decisions"],
                "the model's version still failed review after the revision loop",
            )
            trial_review = rubric(trial)
            for key in candidates:
                heading = SECTION_BY_KEY[key].heading
                if _weight(trial_review, heading) < _weight(current, heading):
                    out[key] = trial[key]
                    kept[key] = FallbackNote(
                        call="review",
                        target=key,
                        reason=f"the model's section still had {_count_serious(current, heading)} "
                        "blocker/major finding(s) after the review loop; the offline version has "
                        f"{_count_serious(trial_review, heading)}",
                    )
            if kept:
                # Each guide is reviewed once: the trial's review stands when all were kept.
                after = trial_review if len(kept) == len(candidates) else rubric(out)
                if after.score < current.score:
                    out, kept, after = dict(sections), {}, current
        model_keys = [k for k, d in out.items() if d.source == "llm"]
        if after.verdict == "pass" or not model_keys:
            return out, kept
        whole = offline(
            # Every drafted section, a missing one included (a structure finding owns no section).
            [
                spec.key
                for spec in DRAFTED_SECTIONS
                if spec.key not in sections or sections[spec.key].source != "offline"
            ],
            decide_offline(facts),
            "the model's guide still failed review; the offline engine's guide replaces it",
        )
        whole_review = rubric(whole)
        if whole_review.score <= after.score:
            return out, kept
        notes = {
            key: FallbackNote(
                call="review",
                target=key,
                reason=f"the guide still failed review (score {after.score}); the offline engine's whole "
                f"guide scores {whole_review.score}",
            )
            for key, draft in whole.items()
            if draft.source == "fallback" and (key not in sections or sections[key].source != "offline")
        }
        return whole, notes

    # -- helpers -------------------------------------------------------------------------------

    def _date(self, qa: IngestedQA) -> str:
        if self.settings.date:
            return self.settings.date
        if qa.facts.report_date is not None:
            return qa.facts.report_date.value
        return dt.datetime.now(dt.UTC).date().isoformat()

    def _render(
        self,
        state: DevOpsState,
        sections: dict[str, SectionDraft],
        history: list[IterationRecord],
        *,
        final: tuple[str, int, str] | None,
        banner: bool = False,
    ) -> str:
        qa = state["qa"]
        entries = changelog_entries(
            self._date(qa),
            source_name=qa.source_name,
            model=self.drafter.label,
            decisions=state["decisions"],
            history=history,
            final=final,
        )
        return assemble_document(
            {k: d.markdown for k, d in sections.items()},
            changelog=entries,
            draft_banner=banner,
            source_name=qa.source_name,
        )

    def _without_unsafe_sections(
        self, state: DevOpsState, sections: dict[str, SectionDraft], review: Review
    ) -> dict[str, SectionDraft]:
        """Replace model-written sections that still carry an unsafe command or a secret.

        The QA document is untrusted and may try to smuggle a command into the guide through the
        model. Whatever the loop achieved, such a section never ships: the offline engine's
        version replaces it, marked as a fallback.
        """
        unsafe = {
            f.section
            for f in review.findings
            if f.severity == "blocker" and f.section and f.rule.startswith(("safety.", "secrets."))
        }
        out = dict(sections)
        for heading in sorted(h for h in unsafe if h is not None):
            spec = SECTION_BY_HEADING.get(heading)
            if spec is None or spec.key not in out or out[spec.key].source == "offline":
                continue
            out[spec.key] = _offline_section(
                state["qa"],
                state["decisions"],
                spec.key,
                "the model's version contained an unsafe command or a secret",
            )
        return out


def _offline_section(qa: IngestedQA, decisions: Decisions, key: str, why: str) -> SectionDraft:
    """The offline engine's version of a section, marked as a fallback with the reason."""
    draft, _ = OfflineDrafter().draft(SectionTask(key=key, qa=qa, decisions=decisions))
    return draft.model_copy(update={"markdown": mark_fallback(draft.markdown, why), "source": "fallback"})


def _weight(review: Review, heading: str) -> int:
    """How badly one section fails: blockers outweigh any number of majors, majors of minors."""
    weights = {"blocker": 10_000, "major": 100, "minor": 1}
    return sum(weights[f.severity] for f in review.findings if f.section == heading)


def _count_serious(review: Review, heading: str) -> int:
    return sum(1 for f in review.findings if f.section == heading and f.severity in ("blocker", "major"))


def advisory_critic(critic: list[Finding], rubric: Review) -> list[Finding]:
    """The critic's findings as they count for the final verdict.

    The rule (documented in docs/DEVELOPMENT.md's review-loop notes and the handoff): the critic
    advises, the deterministic rubric decides. During the loop an unmet quality standard is a
    major finding and gets its section revised (bounded by ``max_revisions`` and the
    oscillation guard). At emit, when the rubric passes on the final document — so the guide is
    at least as good as the offline floor by the same measure — the critic's remaining findings
    are kept but downgraded to minor, so a model's critic cannot hold an otherwise approved
    guide back for ever. When the rubric fails, they keep their severity.
    """
    if rubric.verdict != "pass":
        return critic
    return [f.model_copy(update={"severity": "minor"}) if f.severity != "minor" else f for f in critic]


def latest_handoff_for(role: str, handoffs: list[Any]) -> str:
    """The newest envelope addressed to ``role``, as JSON text; InputError when there is none."""
    for item in reversed(handoffs):
        data = item.model_dump(mode="json", by_alias=True) if isinstance(item, Handoff) else item
        if isinstance(data, dict) and str(data.get("to_role", "")).strip().lower() == role.lower():
            return json.dumps(data)
    raise InputError(f"no handoff addressed to {role!r} among the {len(handoffs)} received")


def changelog_entries(
    date: str,
    *,
    source_name: str,
    model: str,
    decisions: Decisions,
    history: list[IterationRecord],
    final: tuple[str, int, str] | None,
) -> list[ChangelogEntry]:
    """Dated changelog lines: the first draft, each review round's revisions, the final verdict."""
    gate = "blocked" if decisions.release_gate.status == "blocked" else "open"
    entries = [
        ChangelogEntry(
            date=date,
            summary=f"Initial operations guide drafted by opsrelay ({model}) from QA report "
            f"`{source_name}`; release gate {gate}.",
        )
    ]
    for prev, rec in itertools.pairwise(history):
        entries.append(
            ChangelogEntry(
                date=date,
                summary=f"Review round {prev.iteration}: revised "
                f"{', '.join(SECTION_BY_KEY[k].heading for k in rec.revised_sections) or 'no sections'}; "
                f"score {prev.score} → {rec.score}.",
            )
        )
    if final is not None:
        verdict, score, reason = final
        entries.append(
            ChangelogEntry(
                date=date,
                summary=f"Review verdict: {verdict} (score {score}/100, {len(history)} review pass(es), "
                f"stopped: {reason.replace('_', ' ')}).",
            )
        )
    return entries
