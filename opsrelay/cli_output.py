"""What the CLI shows: progress on a terminal, the run summary, review findings (rich, stderr/stdout)."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from opsrelay.review.model import Review

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.status import Status

    from opsrelay.api import HandoffResult
    from opsrelay.checkpoints import ThreadInfo

_NODE_LABELS = {
    "ingest": "Reading the QA report",
    "decide": "Deciding platform, SLOs, RTO/RPO and the release gate",
    "draft_section": "Drafting sections",
    "assemble": "Assembling OPERATIONS.md",
    "review": "Reviewing",
    "revise_section": "Revising failing sections",
    "emit": "Writing artifacts",
}


class Progress:
    """A one-line spinner on stderr naming the running step; silent when not on a terminal."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.console = Console(stderr=True)
        self._status: Status | None = None
        self._sections = 0

    def __enter__(self) -> Progress:
        if self.enabled:
            self._status = self.console.status(_NODE_LABELS["ingest"])
            self._status.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._status is not None:
            self._status.stop()

    def update(self, node: str, update: dict[str, Any]) -> None:
        """Report that ``node`` finished with ``update``."""
        if self._status is None:
            return
        if node in ("draft_section", "revise_section"):
            self._sections += 1
            self._status.update(f"{_NODE_LABELS[node]} ({self._sections} done)")
            return
        self._sections = 0
        if node == "review" and "review" in update:
            rv: Review = update["review"]
            self.console.print(
                f"  review pass {update.get('iteration')}: score {rv.score}, "
                f"{rv.count('blocker')} blocker, {rv.count('major')} major, {rv.count('minor')} minor"
            )
        nxt = {"ingest": "decide", "decide": "draft_section", "assemble": "review", "review": "emit"}.get(
            node
        )
        if nxt:
            self._status.update(_NODE_LABELS[nxt])


def summary_dict(result: HandoffResult) -> dict[str, Any]:
    """The machine summary printed by ``--json``."""
    handoff = result.handoff
    assert handoff.review is not None and handoff.run is not None
    return {
        "verdict": result.review.verdict,
        "score": result.review.score,
        "iterations": handoff.review.iterations,
        "stop_reason": result.stop_reason,
        "exit_code": result.exit_code,
        "findings": {s: result.review.count(s) for s in ("blocker", "major", "minor")},
        "artifact": handoff.artifact.path,
        "handoff": str(result.out_dir / "handoff.json") if result.out_dir else None,
        "thread_id": handoff.run.thread_id,
        "model": handoff.run.model,
        "llm_calls": handoff.run.llm_calls,
        "tokens_in": handoff.run.tokens_in,
        "tokens_out": handoff.run.tokens_out,
        "cached_tokens_in": handoff.run.cached_tokens_in,
        "cost_usd": handoff.run.cost_usd,
        "timings_s": handoff.run.timings_s,
        "fallback_sections": handoff.run.fallback_sections,
        "decision_fallbacks": len(handoff.run.decision_fallbacks),
        "call_fallbacks": len(handoff.run.call_fallbacks),
        "context_window": handoff.run.context_window,
        "context_window_source": handoff.run.context_window_source,
        "context_window_detail": handoff.run.context_window_detail,
        "largest_request_tokens": handoff.run.largest_request_tokens,
        "warnings": handoff.run.warnings,
        "model_facts": len(handoff.run.model_facts),
    }


def print_summary(result: HandoffResult) -> None:
    """Print the human summary of a run on stdout."""
    out = Console(highlight=False, soft_wrap=True)
    s = summary_dict(result)
    mark = "approved" if result.approved else "NOT approved (DRAFT banner)"
    out.print(
        f"[bold]OPERATIONS.md {mark}[/bold]: verdict {s['verdict']}, score {s['score']}/100, "
        f"{s['iterations']} review pass(es), stopped: {str(s['stop_reason']).replace('_', ' ')}"
    )
    f = s["findings"]
    out.print(f"findings: {f['blocker']} blocker, {f['major']} major, {f['minor']} minor")
    if s["llm_calls"]:
        out.print(
            f"model {s['model']}: {s['llm_calls']} calls, {s['tokens_in']} tokens in "
            f"({s['cached_tokens_in']} cached), {s['tokens_out']} out, ~${s['cost_usd']:.4f}"
        )
    if s["llm_calls"] or s["context_window"]:
        window = (
            f"context window {s['context_window']:,} tokens ({s['context_window_source']}"
            + (f": {s['context_window_detail']})" if s["context_window_detail"] else ")")
            if s["context_window"]
            else "context window unknown"
        )
        out.print(f"{window}; largest request {s['largest_request_tokens']:,} tokens")
    if s["fallback_sections"]:
        out.print(f"written by the offline engine after model failures: {', '.join(s['fallback_sections'])}")
    if s["decision_fallbacks"]:
        out.print(f"model decisions replaced by offline values: {s['decision_fallbacks']} (see handoff.json)")
    if s["call_fallbacks"]:
        out.print(f"model answers not used: {s['call_fallbacks']} (reasons in handoff.json)")
    if s["model_facts"]:
        out.print(f"facts the model added, each quoted from its line: {s['model_facts']}")
    for warning in s["warnings"]:
        out.print(f"[bold]warning[/bold]: {warning}", markup=True)
    if s["timings_s"]:
        # Parallel section calls add up, so a node's total can exceed the run's wall time.
        busiest = sorted(s["timings_s"].items(), key=lambda kv: -kv[1])[:4]
        out.print("time per node: " + ", ".join(f"{name} {secs:.2f}s" for name, secs in busiest))
    if s["artifact"]:
        out.print(f"wrote {s['artifact']} and {s['handoff']}")
    if not result.approved:
        _findings_table(out, result.review, limit=10)


def print_review(result: Review, name: str) -> None:
    """Print a review's verdict and findings on stdout."""
    out = Console(highlight=False, soft_wrap=True)
    out.print(
        f"{name}: verdict {result.verdict}, score {result.score}/100 — "
        f"{result.count('blocker')} blocker, {result.count('major')} major, {result.count('minor')} minor"
    )
    _findings_table(out, result, limit=None)


def _findings_table(out: Console, review: Review, *, limit: int | None) -> None:
    if not review.findings:
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("severity", "rule", "section", "line", "message / fix"):
        table.add_column(col, overflow="fold")
    shown = review.findings if limit is None else review.findings[:limit]
    for f in shown:
        table.add_row(f.severity, f.rule, f.section or "-", str(f.line or ""), f"{f.message}\n→ {f.fix}")
    out.print(table)
    if limit is not None and len(review.findings) > limit:
        out.print(f"… and {len(review.findings) - limit} more (see handoff.json)")


def print_threads(threads: Sequence[ThreadInfo]) -> None:
    """Print checkpointed runs as a table."""
    out = Console(highlight=False, soft_wrap=True)
    if not threads:
        out.print("no checkpointed runs")
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("thread", "started", "status", "step", "source"):
        table.add_column(col)
    for t in threads:
        table.add_row(
            t.thread_id, t.started_at, "finished" if t.finished else "resumable", str(t.step), t.source
        )
    out.print(table)
