"""Edge cases found by running unusual real-world shapes of QA output by hand."""

from __future__ import annotations

import time

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


# --- outcome: what blocks, and what must not ------------------------------------------------------


def test_failures_fixed_on_retest_do_not_block() -> None:
    text = (
        "# Regression run\n\n## Results\n\n| Test | Status | Retest |\n|---|---|---|\n"
        "| TC-1 checkout | PASS | - |\n| TC-2 refund | FAIL | PASS after fix in build 12 |\n"
        "| TC-3 login | FAIL → FIXED | - |\n\n**Status:** FAIL → fixed and re-verified\n\nAll tests passed.\n"
    )
    facts = ingest_text(text).facts
    assert facts.outcome_failures == [] and not facts.release_blocked


def test_a_fail_count_column_is_not_a_failure() -> None:
    text = (
        "# NFR assessment\n\n## Summary\n\n| Category | PASS | CONCERNS | FAIL | Overall Status |\n"
        "|---|---|---|---|---|\n| Security | 4 | 0 | 0 | PASS |\n| Performance | 3 | 1 | 0 | PASS |\n\n"
        "- If FAIL: resolve the failing NFRs and re-run the assessment.\n\n**Gate Decision:** PASS\n"
    )
    facts = ingest_text(text).facts
    assert facts.outcome_failures == [] and not facts.release_blocked


def test_a_failed_criterion_blocks_and_names_itself() -> None:
    text = (
        "# Launch gates\n\n| Gate | Threshold | Measured | Status |\n|---|---|---|---|\n"
        "| Open P1 bugs | 0 | 1 | FAIL |\n| Burn-in SLO | PASS | PASS | PASS |\n"
    )
    facts = ingest_text(text).facts
    assert [x.reason for x in facts.outcome_failures] == ["Open P1 bugs: failed (status FAIL); measured 1"]
    assert facts.release_blocked and facts.outcome_failures[0].evidence.line == 5


def test_services_that_fail_or_do_not_build_block() -> None:
    text = (
        "# Multi-service run\n\nTests: 120 passed, 0 failed.\n\n## Findings\n\n"
        "The auth service returns 500 on every login request. The NLP service does not build "
        "(missing CUDA headers). No other service is down.\n\n### Failed Services\n\n- billing-service\n"
    )
    reasons = [x.reason for x in ingest_text(text).facts.outcome_failures]
    [broken] = [r for r in reasons if r.startswith("Service not working:")]
    assert "The auth service returns 500" in broken and "The NLP service does not build" in broken
    assert any("Failed: billing-service" in r for r in reasons)
    assert not any("No other service" in r for r in reasons)


def test_pending_checks_behind_a_passing_headline_are_open_questions() -> None:
    text = (
        "# QA report\n\n**Overall Status:** PASS\n\n| Stage | Completion | Status |\n|---|---|---|\n"
        "| Static analysis | 100% | ✅ COMPLETE |\n| Compilation | 0% | ⏳ PENDING |\n"
    )
    facts = ingest_text(text).facts
    [question] = facts.open_questions
    assert "'Compilation' (PENDING)" in question.question and question.evidence.line == 8
    assert not facts.release_blocked


def test_skipped_tests_behind_a_full_pass_rate_are_an_open_question() -> None:
    text = (
        "# Test execution\n\n| Suite | Total | Passed | Failed | Skipped | Pass Rate |\n"
        "|---|---|---|---|---|---|\n"
        "| TOTAL | 100 | 90 | 0 | 10 | 100% |\n\nSkipped tests are the NFR performance load tests.\n"
    )
    [question] = ingest_text(text).facts.open_questions
    assert question.question.startswith("10 tests were skipped (among them performance/load tests)")


def test_a_plan_titled_plan_that_was_executed_is_a_report() -> None:
    text = (
        "# Test Plan\n\n## Test Scenarios Executed\n\n### Scenario 1\n\n**Expected Result:** saved\n\n"
        "**Status:** ✅ PASS\n\n## Issues Found\n\nNone. All test scenarios passed.\n"
    )
    facts = ingest_text(text).facts
    assert facts.document_kind == "report" and not facts.release_blocked


def test_a_failure_whose_defect_was_fixed_or_that_passed_on_retest_does_not_block() -> None:
    text = (
        "# Test execution\n\n## Cases\n\n| Case | Status | Defect |\n|---|---|---|\n"
        "| TC-12 checkout | FAIL | BUG-3 |\n| TC-13 login | PASS | - |\n\n"
        "### TC-20 refund\n\n**Status:** FAIL\n\nRetest after the fix in build 14: PASS.\n\n"
        "## Defects\n\n| ID | Severity | Status |\n|---|---|---|\n| BUG-3 | High | Fixed |\n"
    )
    facts = ingest_text(text).facts
    assert facts.outcome_failures == [] and not facts.release_blocked


def test_a_line_of_padding_spaces_does_not_stall_the_extractor() -> None:
    # Console output pasted into a report keeps its padding (k6's banner, fixed-width tables). The
    # labelled-count reader had five interchangeable \s* around its label: one line of 143 spaces
    # took 8 s, 200 spaces 40 s. It must stay linear, and still read the labelled counts.
    padding = " " * 160
    text = (
        f"# Test run\n\n```\n         /\\      Grafana   /‾‾/{padding}\n```\n{padding}\n\n"
        f"Results of the nightly run{padding}\n\n- Passed: 9\n- Failed: 2\n"
    )
    start = time.perf_counter()
    facts = ingest_text(text).facts
    assert time.perf_counter() - start < 2.0
    assert [(r.passed, r.failed) for r in facts.test_results] == [(9, 2)]
