"""When the review loop stops, and what the changelog says about it (pure functions)."""

from __future__ import annotations

from opsrelay.agents.devops.state import IterationRecord
from opsrelay.handoff import StopReason
from opsrelay.review.model import Review


def stop_reason_after_review(
    review: Review,
    *,
    iteration: int,
    max_revisions: int,
    best_score_before: int | None,
    revisable_sections: list[str],
) -> StopReason | None:
    """Return why the loop must stop after this review, or None to revise again.

    ``iteration`` is the 1-based number of this review; revisions done so far are
    ``iteration - 1``. A revision that did not raise the score stops the loop (oscillation
    guard); so does a failing review with nothing a section rewrite could fix.
    """
    if review.verdict == "pass":
        return "approved"
    if best_score_before is not None and review.score <= best_score_before:
        return "no_improvement"
    if iteration - 1 >= max_revisions:
        return "max_revisions"
    if not revisable_sections:
        return "no_improvement"
    return None


def record(iteration: int, review: Review, revised: list[str]) -> IterationRecord:
    """Summarise one review pass."""
    return IterationRecord(
        iteration=iteration,
        score=review.score,
        verdict=review.verdict,
        blockers=review.count("blocker"),
        majors=review.count("major"),
        minors=review.count("minor"),
        revised_sections=revised,
    )
