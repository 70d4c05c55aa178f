"""Edge cases found by running unusual real-world shapes of QA output by hand."""

from __future__ import annotations

from opsrelay.ingest import ingest_text

REGRESSION = "# Regression run\n\n| id | name | result |\n|---|---|---|\n" + "\n".join(
    f"| T-{i} | checkout scenario {i} | PASS |" for i in range(1, 41)
)


def test_passing_test_cases_listed_by_id_are_not_defects() -> None:
    facts = ingest_text(REGRESSION + "\n\nOverall Verdict: PASS\n").facts
    assert facts.defects == []
    assert facts.verdict.value == "PASS"


def test_failing_rows_still_count() -> None:
    table = REGRESSION.replace(
        "| T-7 | checkout scenario 7 | PASS |", "| BUG-7 | refund twice | Open (High) |"
    )
    facts = ingest_text(table + "\n\nOverall Verdict: FAIL\n").facts
    assert [(d.id, d.severity, d.status) for d in facts.defects] == [("BUG-7", "P1", "open")]
    assert facts.release_blocked


def test_pytest_console_log_is_a_qa_report() -> None:
    log = (
        "collected 57 items\n\ntests/test_api.py ........F..\n\n"
        "FAILED tests/test_api.py::test_refund - AssertionError\n"
        "========================= 1 failed, 56 passed in 3.21s =========================\n"
    )
    facts = ingest_text(log, source_name="pytest.log").facts
    assert facts.failing_test_count == 1
    assert facts.release_blocked


def test_thematic_breaks_around_headings_are_not_front_matter() -> None:
    text = (
        "---\n# QA Report\n\n## Results\n\n- **Tests**: 10 passed, 0 failed\n- Ran `npm test` in CI\n\n"
        "---\n\nOverall Verdict: PASS\n"
    )
    qa = ingest_text(text)
    assert qa.front_matter == {}
    assert qa.facts.title is not None and qa.facts.title.value == "QA Report"
