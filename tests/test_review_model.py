"""The review model: score, verdict and failing sections computed from findings."""

from __future__ import annotations

from opsrelay.review.model import Finding, Review


def _f(severity: str, section: str | None = "Quality Gates", rule: str = "x.y") -> Finding:
    return Finding.model_validate(
        {"rule": rule, "severity": severity, "section": section, "message": "m", "fix": "f"}
    )


def test_empty_review_passes_with_full_score() -> None:
    review = Review()
    assert review.verdict == "pass"
    assert review.score == 100
    assert review.failing_sections() == []


def test_minors_only_pass_but_cost_points() -> None:
    review = Review(findings=[_f("minor"), _f("minor")])
    assert review.verdict == "pass"
    assert review.score == 96
    assert review.failing_sections() == []


def test_any_major_or_blocker_fails() -> None:
    assert Review(findings=[_f("major")]).verdict == "fail"
    assert Review(findings=[_f("blocker")]).verdict == "fail"


def test_score_is_floored_at_zero() -> None:
    assert Review(findings=[_f("blocker")] * 10).score == 0


def test_a_blocker_outweighs_many_minors() -> None:
    assert Review(findings=[_f("blocker")]).score < Review(findings=[_f("minor")] * 12).score


def test_failing_sections_in_first_seen_order_without_duplicates() -> None:
    review = Review(
        findings=[
            _f("major", "CI/CD Pipeline"),
            _f("minor", "Cost Management"),
            _f("blocker", "Quality Gates"),
            _f("major", "CI/CD Pipeline"),
            _f("blocker", None),
        ]
    )
    assert review.failing_sections() == ["CI/CD Pipeline", "Quality Gates"]
    assert review.count("major") == 2
    assert review.count("blocker") == 2


def test_review_serialises_score_and_verdict() -> None:
    data = Review(findings=[_f("major")]).model_dump(mode="json")
    assert data["verdict"] == "fail"
    assert data["score"] == 92
    assert data["findings"][0]["rule"] == "x.y"
