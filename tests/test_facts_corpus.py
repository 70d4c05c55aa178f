"""The QA-facts extractor on real QA documents: every one ingests, and the important facts are right.

The pinned facts were read off the documents by hand; each assertion says what the document says.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import CORPUS, QA_FIXTURES, qa_documents
from pydantic import BaseModel

from opsrelay.facts.extract import extract_facts
from opsrelay.facts.model import Defect, Evidence, QAFacts, StackItem
from opsrelay.facts.plan import has_qa_substance
from opsrelay.ingest import load_qa

pytestmark = pytest.mark.usefixtures("facts_strict")


@cache
def facts(name: str) -> QAFacts:
    return load_qa(QA_FIXTURES / name).facts


def stack(f: QAFacts) -> dict[str, StackItem]:
    return {s.name: s for s in f.stack}


def defects(f: QAFacts) -> dict[str, Defect]:
    return {d.id: d for d in f.defects}


def perf(f: QAFacts, metric: str, context_word: str) -> list[float]:
    return [m.value for m in f.performance if m.metric == metric and context_word in (m.context or "")]


# --- every document ingests -----------------------------------------------------------------------


def test_fixture_folder_has_the_corpus_copies() -> None:
    docs = qa_documents(QA_FIXTURES)
    assert len(docs) >= 6
    assert (QA_FIXTURES / "SOURCES.md").is_file()
    sources = (QA_FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
    for doc in docs:
        assert doc.name in sources


@pytest.mark.parametrize("path", qa_documents(QA_FIXTURES), ids=lambda p: p.name)
def test_fixture_documents_ingest(path: Path) -> None:
    qa = load_qa(path)
    assert has_qa_substance(qa.facts)
    assert qa.facts.source_name == path.name
    _check_evidence_lines(path, qa.facts)


@pytest.mark.parametrize("path", qa_documents(CORPUS) or [None], ids=lambda p: p.name if p else "absent")
def test_shared_corpus_documents_ingest(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"shared corpus not present at {CORPUS}")
    qa = load_qa(path)
    assert has_qa_substance(qa.facts)
    _check_evidence_lines(path, qa.facts)


def _evidences(value: object) -> Iterator[Evidence]:
    if isinstance(value, Evidence):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _evidences(item)
    elif isinstance(value, BaseModel):
        for field in type(value).model_fields:
            yield from _evidences(getattr(value, field))


def _check_evidence_lines(path: Path, f: QAFacts) -> None:
    """Every evidence line number points at the line of the original file whose text it quotes."""
    # utf-8-sig: ingest drops a byte-order mark (it is not text), so line 1 is quoted without it.
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    for ev in _evidences(f):
        assert ev.source == path.name
        if ev.line:
            assert ev.text == lines[ev.line - 1].strip()[:240], ev


def test_extraction_is_deterministic() -> None:
    text = (QA_FIXTURES / "agent-teams-demo_test-report.md").read_text(encoding="utf-8")
    runs = {extract_facts(text, source_name="a.md", source_sha256="0").model_dump_json() for _ in range(3)}
    assert len(runs) == 1


# --- syncro-spring (NFR assessment, front matter, risk-register ids) ------------------------------


def test_syncro_open_p0_release_blocker_and_concerns() -> None:
    f = facts("syncro-spring_nfr-assessment.md")
    blocker = defects(f)["R-2.9-1"]
    assert (blocker.severity, blocker.status) == ("P0", "open")
    assert "immutability" in blocker.title
    assert blocker in f.open_blockers and f.release_blocked
    assert f.verdict.value == "CONCERNS"
    assert f.report_date is not None and f.report_date.value == "2026-08-08"
    # front matter is 7 lines: the Date label on line 11 keeps its original line number
    assert f.report_date.evidence.line == 11
    assert defects(f)["R-2.9-13"].severity == "P2"
    assert defects(f)["R-2.9-14"].severity == "P3"
    assert defects(f)["R-2.9-6"].status == "open"  # "unfixed"; "once … are fixed" is hypothetical
    assert not any(d.id.startswith("T-") or "P3-01" in d.id for d in f.defects)
    titles = [s.title for s in f.security]
    assert any(t.startswith("Data Protection: FAIL") for t in titles)
    assert any(r.title.startswith("Fault Tolerance: CONCERNS") for r in f.risks)
    assert [r.passed for r in f.test_results] == [28]
    assert f.coverage == []  # "Coverage ≥ 80%" is a threshold, "overall 60%" is trace coverage


# --- production-ml-api (load test) ----------------------------------------------------------------


def test_ml_api_stack_and_load_test_baseline() -> None:
    f = facts("production-ml-api_load-test-results.md")
    s = stack(f)
    assert (s["PostgreSQL"].kind, s["PostgreSQL"].version) == ("datastore", "15")
    assert (s["Redis"].kind, s["Redis"].version) == ("cache", "7")
    assert {x.name for x in f.datastores} == {"PostgreSQL", "Redis"}  # "Use Redis Queue or Celery" is advice
    assert {"Prometheus", "Grafana"} <= {x.name for x in f.stack_of("observability")}
    assert s["Python"].version == "3.11" and s["PyTorch"].version == "2.6.0+cpu" and "Docker" in s
    assert perf(f, "p50", "Baseline") == [65.0]
    assert perf(f, "p95", "Baseline") == [120.0]
    assert perf(f, "p99", "Baseline") == [180.0]
    assert perf(f, "throughput", "Baseline") == [100.0]
    assert perf(f, "error_rate", "Baseline") == [0.5]
    assert perf(f, "concurrency", "Baseline") == [100.0]
    assert perf(f, "p99", "Spike") == [350.0]
    assert all(m.unit == "ms" for m in f.performance if m.metric.startswith("p"))
    # Locust is never named (only its "spawn rate" vocabulary): no tool is better than a guess
    assert f.load_test_tool is None
    # "p95 latency > 200ms" under Monitoring Alerts is a threshold, not a measurement
    assert 200.0 not in [m.value for m in f.performance if m.metric == "p95"]
    assert f.project is not None and f.project.value == "Production ML API"
    assert any("Rate limiting" in r.title for r in f.risks)


# --- ku-connect (test execution report) -----------------------------------------------------------


def test_ku_connect_stack_results_coverage_verdict() -> None:
    f = facts("ku-connect_TEST_EXECUTION_REPORT.md")
    s = stack(f)
    assert (s["Node.js"].version, s["Express"].version, s["Prisma"].version) == ("23.6.0", "5.1.0", "6.16.3")
    assert s["Express"].kind == "framework" and s["Prisma"].kind == "framework"
    assert s["PostgreSQL"].kind == "datastore"
    assert "SQLite" not in s  # in-memory SQLite for tests is not a production datastore
    assert (
        f.coverage[0].percent == 81.78 and f.coverage[0].scope == "lines"
    )  # the actual, not the ≥ 80% target
    assert 80.0 not in [c.percent for c in f.coverage]
    assert {c.scope: c.percent for c in f.coverage[1:]} == {
        "statements": 53.43,
        "branches": 35.76,
        "functions": 42.59,
    }
    assert len(f.test_results) == 1  # one run, mentioned many times
    run = f.test_results[0]
    assert (run.total, run.passed, run.failed, run.skipped) == (719, 698, 0, 21)
    assert f.verdict.value == "PASS" and f.verdict.evidence is not None and f.verdict.evidence.line == 27
    assert f.report_date is not None and f.report_date.value == "2025-11-17"
    assert {e.name for e in f.environments} == {"test", "staging"}
    assert "npm test" in [c.command for c in f.test_commands]
    assert "npm run test:coverage" in [c.command for c in f.test_commands]
    assert defects(f)["DEF-001"].severity == "P2" and defects(f)["DEF-001"].status == "fixed"
    assert not f.release_blocked
    avg = [m for m in f.performance if m.metric == "avg" and "Key Metrics" in (m.context or "")]
    assert [(m.value, "upper bound" in (m.context or "")) for m in avg] == [(100.0, True)]
    assert perf(f, "p95", "/api/auth/login") == [50.0]
    assert any(x.title.startswith("SEC-TC-006") and x.severity == "P1" for x in f.security)


# --- agent-teams-demo (bug report + retest) -------------------------------------------------------


def test_agent_teams_bugs_fixed_after_retest_and_new_issues_open() -> None:
    f = facts("agent-teams-demo_test-report.md")
    s = stack(f)
    assert {"Spring Boot", "Next.js"} <= set(s) and s["Next.js"].version == "14"
    assert "Redis" not in s  # only proposed ("Bucket4j + Redis") for a future distributed limiter
    d = defects(f)
    assert (d["BUG-009"].severity, d["BUG-009"].status) == (
        "P0",
        "fixed",
    )  # CRITICAL, FIXED in retest round 1
    assert all(d[f"BUG-00{i}"].status == "fixed" for i in range(1, 10))
    assert {d[i].severity for i in ("BUG-001", "BUG-003", "BUG-004", "BUG-005", "BUG-006")} == {"P1"}
    assert (d["NEW-02"].severity, d["NEW-02"].status) == ("P3", "open")
    assert (d["NEW-03"].severity, d["NEW-03"].status) == ("P4", "open")
    sec = {x.id: x for x in f.security}
    assert (sec["SEC-01"].severity, sec["SEC-01"].status) == ("P0", "fixed")
    assert "XSS" in sec["SEC-01"].title and "CRIT-01" not in sec  # CRIT-01 is an alias of SEC-01
    assert (sec["HIGH-02"].severity, sec["MED-03"].severity, sec["LOW-01"].severity) == ("P1", "P2", "P3")
    assert f.open_blockers == []
    assert f.verdict.value == "PASS"
    assert [(r.total, r.passed, r.failed) for r in f.test_results] == [(36, 36, 0)]
    assert [c.command for c in f.test_commands] == ["mvn test"]
    assert f.project is not None and f.project.value == "Dynamic Form Builder"


# --- urtruck-app (Russian, section-level status) --------------------------------------------------


def test_urtruck_russian_conditional_with_fixed_p0_and_open_p1() -> None:
    f = facts("urtruck-app_QA_REPORT.md")
    assert f.language == "ru"
    assert f.verdict.value == "CONDITIONAL"
    assert f.report_date is not None and f.report_date.value == "2026-06-11"
    d = defects(f)
    for i in range(1, 5):
        assert (d[f"P0-{i}"].severity, d[f"P0-{i}"].status) == (
            "P0",
            "fixed",
        )  # "## 2. P0 — НАЙДЕНЫ И ИСПРАВЛЕНЫ"
    for i in range(1, 9):
        assert (d[f"P1-{i}"].severity, d[f"P1-{i}"].status) == ("P1", "open")  # "## 3. P1 — открыты"
    # P1-5 is used twice: a P1 fixed with the P0s, and an open row of the P1 table; open wins
    assert "_validate_future_date" in d["P1-5"].title
    assert all(d[f"P2-{i}"].severity == "P2" for i in range(1, 9))
    assert {x.id for x in f.open_blockers} == {f"P1-{i}" for i in range(1, 9)}
    s = stack(f)
    assert {"React Native/Expo", "FastAPI", "TestFlight/App Store"} <= set(s)
    assert "Go" not in s  # "GO для TestFlight", "Expo Go"
    assert [c.command for c in f.test_commands] == [
        "MAESTRO_QA_AGENT_TOKEN=... maestro test qa/maestro/audit-*.yaml"
    ]


# --- zulip (developer testing docs) ---------------------------------------------------------------


def test_zulip_commands_and_coverage() -> None:
    f = facts("zulip_testing.md")
    commands = [c.command for c in f.test_commands]
    assert commands[0] == "./tools/test-all"
    assert "./tools/test-backend MarkdownTest" in commands  # the "# Run …" shell comment is dropped
    assert "./tools/test-js-with-node utils.js" in commands
    assert not any("--help" in c for c in commands)
    assert not any("lint" in c for c in commands)
    assert [(c.percent, c.evidence.line) for c in f.coverage] == [(98.0, 4)]  # "~98% test" wraps onto line 5
    assert {"Python", "Django", "Vagrant"} <= set(stack(f))
    assert f.verdict.value == "unknown"


# --- va-gov (manual test plan) --------------------------------------------------------------------


def test_va_gov_cypress_staging_and_passing() -> None:
    f = facts("va-gov_21p-0537_test-plan.md")
    assert stack(f)["Cypress"].kind == "tool"
    staging = [e for e in f.environments if e.name == "staging"]
    assert (
        staging
        and staging[0].url
        == "https://staging.va.gov/supporting-forms-for-claims/marital-status-questionnaire-21p-0537"
    )
    assert f.report_date is not None and f.report_date.value == "2025-10-03"  # US month/day/year
    assert [r.failed for r in f.test_results] == [0]
    assert f.defects == [] and not f.release_blocked
    assert f.project is not None and f.project.value.startswith("VA Form 21P-0537")


def test_va_gov_unsupported_all_passed_is_an_open_question() -> None:
    """'All test scenarios passed', yet 6 of 7 scenarios record no status; tester/date read [DATE]/[NAME]."""
    f = facts("va-gov_21p-0537_test-plan.md")
    questions = [q.question for q in f.open_questions]
    assert any(q.startswith("6 of 7 test scenarios record no status") for q in questions)
    assert any("[DATE], [NAME]" in q for q in questions)
    assert not f.release_blocked  # a question to answer, not a failure the document reports


# --- ez-data-processing-platform (NFR assessment with a gate decision) ----------------------------


def test_ez_platform_concerns_stack_and_no_phantom_k6() -> None:
    f = facts("ez-data-processing-platform_nfr-assessment.md")
    assert f.verdict.value == "CONCERNS"
    s = stack(f)
    assert {
        "MongoDB",
        "Kafka",
        "Kubernetes",
        "Hazelcast",
        "Helm",
        "Prometheus",
        "Jaeger",
        "ASP.NET Core",
    } <= set(s)
    assert "k6" not in s and f.load_test_tool is None  # "no k6 load tests", "Add k6 smoke test"
    assert "AWS" not in s  # "mongodump to S3" is a proposed action
    titles = [r.title for r in f.risks]
    assert any(t.startswith("Disaster Recovery: CONCERNS") for t in titles)
    assert any(t.startswith("No circuit breakers") for t in titles)
    assert any(t.startswith("P1: Add k6 smoke test") for t in titles)
    assert f.project is not None and f.project.value == "EZ Platform"


# --- every corpus document: kind, verdict, gate, language, name -----------------------------------

# (document, kind, verdict, release blocked, language, project name) — read off each document by hand.
CORPUS_PINS = [
    ("agent-teams-demo_test-report.md", "report", "PASS", False, "en", "Dynamic Form Builder"),
    ("anb-rising-stars-showcase_plan_de_pruebas5.md", "plan", "unknown", False, "es", None),
    ("chronik-stream_BASELINE_PERFORMANCE.md", "report", "unknown", False, "en", "chronik"),
    ("clnrm_V1_RELEASE_CERTIFICATION.md", "report", "GO", False, "en", "Cleanroom"),
    ("cortex_go-no-go-decision-record.md", "report", "NO-GO", True, "en", "Cortex"),
    ("extropos_DETAILED_TEST_EXECUTION_REPORT_v1.0.27.md", "report", "GO", False, "en", "FlutterPOS"),
    ("ez-data-processing-platform_nfr-assessment.md", "report", "CONCERNS", True, "en", "EZ Platform"),
    ("freescout_TEST_RESULTS_SUMMARY.md", "report", "unknown", False, "en", None),
    ("gognee_018-vector-search-optimization-qa.md", "report", "GO", False, "en", "gognee"),
    ("iwaproject-back_test-report.md", "report", "unknown", True, "en", None),
    ("ku-connect_TEST_EXECUTION_REPORT.md", "report", "PASS", False, "en", "KU CONNECT BACKEND"),
    ("production-ml-api_load-test-results.md", "report", "GO", False, "en", "Production ML API"),
    ("rest-benchmark_RAPPORT_BENCHMARK_COMPLET.md", "report", "unknown", False, "fr", "rest-benchmark"),
    ("silapor-ppsi_LAPORAN_PERFORMANCE_TESTING.md", "report", "FAIL", True, "id", "SILAPOR"),
    (
        "syncro-spring_nfr-assessment.md",
        "report",
        "CONCERNS",
        True,
        "en",
        "Immutable Audit Log for Master Data",
    ),
    (
        "take-home-assessment_test-summary-report.md",
        "report",
        "NO-GO",
        True,
        "en",
        "Laravel Backend API + Flutter Mobile App",
    ),
    ("urtruck-app_QA_REPORT.md", "report", "CONDITIONAL", True, "ru", None),
    (
        "va-gov_21p-0537_test-plan.md",
        "report",
        "unknown",
        False,
        "en",
        "VA Form 21P-0537 - Marital Status Questionnaire for DIC Recipients",
    ),
    (
        "webosbrowser-native_PG-3_QA_TESTING_REPORT.md",
        "report",
        "unknown",
        False,
        "ko",
        "webosbrowser-native",
    ),
    ("zulip_testing.md", "report", "unknown", False, "en", None),
]


def test_every_fixture_is_pinned() -> None:
    assert sorted(p.name for p in qa_documents(QA_FIXTURES)) == sorted(pin[0] for pin in CORPUS_PINS)


@pytest.mark.parametrize(("name", "kind", "verdict", "blocked", "language", "project"), CORPUS_PINS)
def test_corpus_kind_verdict_gate_language_name(
    name: str, kind: str, verdict: str, blocked: bool, language: str, project: str | None
) -> None:
    f = facts(name)
    assert (f.document_kind, f.verdict.value, f.release_blocked, f.language) == (
        kind,
        verdict,
        blocked,
        language,
    )
    if project is None:
        # a plan's scope or a report without a name is not a project name
        assert f.project is None or f.document_kind == "plan"
    else:
        assert f.project is not None and f.project.value == project
    if blocked:
        assert f.outcome_failures or f.open_blockers  # a blocked gate always says why


def reasons(f: QAFacts) -> list[str]:
    return [x.reason for x in f.outcome_failures]


# --- silapor-ppsi (Indonesian JMeter report that fails its criteria) ------------------------------


def test_silapor_indonesian_load_test_fails_its_criteria() -> None:
    f = facts("silapor-ppsi_LAPORAN_PERFORMANCE_TESTING.md")
    assert (
        f.verdict.value == "FAIL" and f.verdict.evidence is not None
    )  # "STATUS: FAIL - Sistem TIDAK memenuhi NFR"
    assert "Throughput: failed (status FAIL); measured 19.6 req/s" in reasons(f)
    assert "Error Rate: failed (status FAIL); measured 31.77%" in reasons(f)
    not_ready = [x for x in f.outcome_failures if "not ready for release" in x.reason]
    assert [x.evidence.line for x in not_ready] == [291]  # "SISTEM TIDAK PRODUCTION-READY"
    assert perf(f, "throughput", "Statistik Keseluruhan")[:3] == [19.6, 94.2, 25.1]
    assert perf(f, "avg", "Statistik Keseluruhan")[0] == 20076.0
    assert perf(f, "error_rate", "Statistik Keseluruhan")[0] == 31.77
    breaking = [
        m for m in f.performance if m.metric == "saturation" and "BREAKING POINT" in (m.context or "")
    ]
    assert [(m.value, m.evidence.line) for m in breaking] == [(300.0, 160)]  # "300-500 concurrent users"
    assert f.load_test_tool is not None and f.load_test_tool.value == "JMeter"
    assert "Tool: Apache JMeter 5.6.3" in [s.value for s in f.perf_setup]
    assert f.report_date is not None and f.report_date.value == "2025-12-24"  # "24 Desember 2025"


# --- iwaproject-back (2 of 9 services fail) --------------------------------------------------------


def test_iwaproject_failing_services_block() -> None:
    f = facts("iwaproject-back_test-report.md")
    first = f.test_results[0]
    assert (first.total, first.passed, first.failed) == (18, 16, 2)  # summed per service
    assert "Announcement-Service: failed (status - FAIL)" in reasons(f)
    assert "Application-Service: failed (status - FAIL)" in reasons(f)
    assert f.project is None  # "Test Report - 2025-10-05 00:21:29" names no project
    assert f.report_date is not None and f.report_date.value == "2025-10-05"


# --- anb-rising-stars-showcase (Spanish capacity test plan) ----------------------------------------


def test_anb_spanish_plan_is_a_plan_not_a_result() -> None:
    f = facts("anb-rising-stars-showcase_plan_de_pruebas5.md")
    assert f.document_kind == "plan" and f.document_kind_evidence is not None
    assert f.test_results == [] and f.outcome_failures == []
    # "Métricas Esperadas", "Criterios de Éxito": targets and expectations, never measurements
    assert [m.metric for m in f.performance if m.metric not in ("concurrency",)] == []
    assert f.report_date is not None and f.report_date.value == "2025-11-26"


# --- cortex (go/no-go decision record) -------------------------------------------------------------


def test_cortex_no_go_names_its_failing_gates() -> None:
    f = facts("cortex_go-no-go-decision-record.md")
    assert f.verdict.value == "NO-GO" and f.release_blocked
    assert "Open P1 bugs: failed (status FAIL); measured 1 (cortex-cin)" in reasons(f)
    assert any(r.startswith("Safety evidence completeness: failed") for r in reasons(f))
    assert not any(r.startswith("Open P2 bugs") for r in reasons(f))  # a passing gate
    assert f.report_date is not None and f.report_date.value == "2026-02-19"


# --- take-home-assessment (manual failures, "not production-ready") --------------------------------


def test_take_home_manual_failures_and_not_production_ready() -> None:
    f = facts("take-home-assessment_test-summary-report.md")
    assert (75, 47, 28) in [(r.total, r.passed, r.failed) for r in f.test_results]
    assert f.verdict.value == "NO-GO"  # "The system is not yet production-ready"
    assert any('"not yet production-ready"' in r for r in reasons(f))


# --- chronik-stream (Rust benchmark: msg/s, µs, p99.9, set-up) -------------------------------------


def test_chronik_benchmark_numbers_and_setup() -> None:
    f = facts("chronik-stream_BASELINE_PERFORMANCE.md")
    first = f.performance[0]
    assert (first.metric, first.value, first.unit) == ("throughput", 197793.0, "msg/s")
    assert perf(f, "p99", "Standalone Non-Searchable")[0] == 0.59
    assert perf(f, "p99.9", "Standalone Mode - acks=1") == [4.37]
    assert perf(f, "p50", "Standalone Mode - acks=1") == [
        0.33
    ]  # the ms column of "Latency (μs) | Latency (ms)"
    assert "MB/s" in {m.unit for m in f.performance}
    setup = [s.value for s in f.perf_setup]
    assert {
        "Concurrency: 128 producers",
        "Message Size: 256 bytes",
        "Test System: Ubuntu Linux 6.11.0-28-generic",
    } <= set(setup)
    assert not f.release_blocked and f.outcome_failures == []


# --- rest-benchmark (French REST framework comparison) ---------------------------------------------


def test_rest_benchmark_french_comparison() -> None:
    f = facts("rest-benchmark_RAPPORT_BENCHMARK_COMPLET.md")
    assert perf(f, "p95", "JOIN-FILTER — A : Jersey") == [13.0]
    assert perf(f, "p99", "READ-HEAVY — D : Spring Data REST") == [380.0]
    assert f.report_date is not None and f.report_date.value == "2025-11-11"  # "11 Novembre 2025"
    [question] = f.open_questions
    assert question.question.startswith("Error rate up to 100 %")  # HEAVY-body: every request failed
    assert not f.release_blocked


# --- webosbrowser-native (Korean: all ✅ while compilation is 0 % pending) -----------------------


def test_webos_korean_static_checks_with_pending_compilation() -> None:
    f = facts("webosbrowser-native_PG-3_QA_TESTING_REPORT.md")
    assert f.test_results == []  # 57 unit tests were written, none was run
    [question] = f.open_questions
    assert "'실제 컴파일' (PENDING (Qt 미설치))" in question.question
    assert not f.release_blocked


# --- gognee (Go library: benchmark in ns/op, a criterion PASS against its own number) --------------


def test_gognee_benchmark_and_coverage_criterion_contradiction() -> None:
    f = facts("gognee_018-vector-search-optimization-qa.md")
    assert [(r.total, r.passed) for r in f.test_results] == [(13, 13)]
    assert [c.percent for c in f.coverage] == [73.5]
    bench = [m for m in f.performance if "BenchmarkVectorSearch_1000Nodes" in (m.context or "")]
    assert [(m.metric, round(m.value, 4), m.unit) for m in bench] == [("avg", 0.1113, "ms")]
    [question] = f.open_questions
    assert question.question.startswith("'Coverage ≥75% for pkg/store' is marked PASS")
    assert f.verdict.value == "GO" and not f.release_blocked


# --- clnrm, extropos, freescout, zulip -------------------------------------------------------------


def test_clnrm_certified_but_the_suite_timed_out() -> None:
    f = facts("clnrm_V1_RELEASE_CERTIFICATION.md")
    assert f.verdict.value == "GO" and not f.release_blocked
    assert any("times out after 2 minutes" in q.question for q in f.open_questions)


def test_extropos_approved_for_production() -> None:
    f = facts("extropos_DETAILED_TEST_EXECUTION_REPORT_v1.0.27.md")
    assert f.verdict.value == "GO" and f.verdict.evidence is not None
    assert "APPROVED FOR PRODUCTION DEPLOYMENT" in f.verdict.evidence.text
    assert f.report_date is not None and f.report_date.value == "2026-02-19"


def test_freescout_artisan_run() -> None:
    f = facts("freescout_TEST_RESULTS_SUMMARY.md")
    assert [(r.passed, r.failed, r.skipped) for r in f.test_results] == [(1026, 0, 3)]
    assert f.report_date is not None and f.report_date.value == "2025-11-09"  # `date` output
    assert not f.release_blocked


def test_zulip_guide_states_no_outcome() -> None:
    [question] = facts("zulip_testing.md").open_questions
    assert question.question.startswith("The document states no executed test results")


def test_ku_connect_skipped_performance_tests_behind_a_full_pass() -> None:
    questions = [q.question for q in facts("ku-connect_TEST_EXECUTION_REPORT.md").open_questions]
    assert any(q.startswith("21 tests were skipped (among them performance/load tests)") for q in questions)
    assert any("'Normal Load' (Not Tested)" in q for q in questions)


# --- the bundled example --------------------------------------------------------------------------


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "qa" / "QA_REPORT.md"


@pytest.mark.skipif(not EXAMPLE.is_file(), reason="example not present")
def test_example_report() -> None:
    f = load_qa(EXAMPLE).facts
    assert f.project is not None and f.project.value == "checkout-service"
    assert f.verdict.value == "GO"
    assert {d.id: (d.severity, d.status) for d in f.defects} == {
        "CHK-101": ("P0", "fixed"),
        "CHK-107": ("P1", "fixed"),
        "CHK-112": ("P2", "open"),
        "CHK-115": ("P3", "open"),
    }
    assert [r.id for r in f.risks[:2]] == ["R-1", "R-2"]
    assert f.load_test_tool is not None and f.load_test_tool.value == "k6"
    assert [e.name for e in f.environments] == ["staging"]


# --- robustness -----------------------------------------------------------------------------------


_FRAGMENTS = st.sampled_from(
    [
        "# QA Report — X",
        "## 2. P0 — FIXED",
        "| ID | Severity | Status |",
        "|---|---|---|",
        "| BUG-1 | High | open |",
        "| Metric | Target | Actual |",
        "| p95 Latency | <500ms | 120ms |",
        "```bash",
        "```",
        "pytest -q",
        "---",
        "**Overall Status:** PASS",
        "- [ ] P1: fix it",
        "Total Tests: 10 (9 passed, 1 failed)",
        "Line coverage: 80%",
        "R-2.9-1 (P0, critical-open)",
        "ВЕРДИКТ: GO — УСЛОВНЫЙ",
        "> quote",
        "   ",
        "\t|",
        "[link](http://x)",
        "~~~",
        "### Status: CONCERNS",
        "- **Status:** FAIL",
        "PostgreSQL 15",
        "| **Total** | **5** | **5** | **0** |",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=40)), max_size=40))
def test_extractor_never_raises(parts: list[str]) -> None:
    text = "\n".join(parts)
    f = extract_facts(text, source_name="fuzz.md", source_sha256="0")
    json.loads(f.model_dump_json())
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for ev in _evidences(f):
        assert 0 <= ev.line <= len(lines)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_extractor_never_raises_on_any_text(text: str) -> None:
    extract_facts(text, source_name="fuzz.md", source_sha256="0")


def test_large_document_is_fast_enough() -> None:
    chunk = (QA_FIXTURES / "ku-connect_TEST_EXECUTION_REPORT.md").read_text(encoding="utf-8")
    text = "\n".join([chunk] * 40)  # ~830 kB of dense tables, code and prose
    start = time.perf_counter()
    f = extract_facts(text, source_name="big.md", source_sha256="0")
    assert time.perf_counter() - start < 30
    assert f.verdict.value == "PASS"


# --- the pieces, on small synthetic inputs -------------------------------------------------------


def one(text: str) -> QAFacts:
    return extract_facts(text, source_name="t.md", source_sha256="0")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Tests: 698 passed, 21 failed, 719 total", (719, 698, 21, None)),
        ("==== 3 failed, 120 passed, 2 skipped in 12.3s ====", (None, 120, 3, 2)),
        ("`mvn test` — 36 tests, 0 failures, 0 errors. BUILD SUCCESS.", (36, 36, 0, None)),
        ("Tests run: 40, Failures: 1, Errors: 1, Skipped: 3", (40, 35, 2, 3)),
        ("Total Tests: 719 (698 passed, 21 skipped)", (719, 698, None, 21)),
        ("**Backend:** 36/36 tests passing.", (36, 36, None, None)),
        ("28 active backend/component tests documented as passing", (None, 28, None, None)),
        ("All E2E tests passing", (None, None, 0, None)),
    ],
)
def test_test_run_summaries(line: str, expected: tuple[int | None, ...]) -> None:
    [run] = one(f"# QA\n\n{line}\n").test_results
    assert (run.total, run.passed, run.failed, run.skipped) == expected


def test_breakdown_lines_and_suite_counts_are_not_runs() -> None:
    text = (
        "# QA\n\n- `FooTest`: 8 tests PASS\n- `BarTest`: 4 tests PASS\n\n"
        "Total Test Suites: 52 (49 passed, 3 skipped)\n"
    )
    assert one(text).test_results == []


def test_failing_tests_from_pytest_output() -> None:
    text = "# QA\n\n```\nFAILED tests/test_a.py::test_x - AssertionError\n"
    text += "== 1 failed, 9 passed in 1s ==\n```\n"
    [run] = one(text).test_results
    assert (run.failed, run.passed, run.failing_tests) == (1, 9, ["tests/test_a.py::test_x"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "| Metric | Target | Actual |\n|---|---|---|\n| Code Coverage | ≥ 80% | 81.78% |\n",
            [(81.78, None)],
        ),
        (
            "| Metric | Value |\n|---|---|\n| Line coverage | 92.5% |\n| Branch coverage | 80% |\n",
            [(92.5, "lines"), (80.0, "branches")],
        ),
        ("```\nName    Stmts   Miss  Cover\nTOTAL    1234     56    95%\n```\n", [(95.0, None)]),
        ("We keep ~98% test coverage.\n", [(98.0, None)]),
        ("Coverage must stay above 80% coverage target.\n", []),
        ("| Requirement | Coverage % |\n|---|---|\n| FR-1 | 100% |\n", []),
    ],
)
def test_coverage_sources(text: str, expected: list[tuple[float, str | None]]) -> None:
    assert [(c.percent, c.scope) for c in one("# QA\n\n" + text).coverage] == expected


def test_performance_targets_are_not_measurements() -> None:
    text = (
        "# Perf\n\n## Results\n\n| Metric | Target | Actual |\n|---|---|---|\n"
        "| p95 latency | < 500ms | 1.2s |\n| Error rate | < 1% | 0.3% |\n"
        "| Throughput | 100 rps | 240 req/s |\n"
        "\n## Alerts\n\n- p95 latency: 800 ms\n"
    )
    got = {(m.metric, m.value, m.unit) for m in one(text).performance}
    assert got == {("p95", 1200.0, "ms"), ("error_rate", 0.3, "%"), ("throughput", 240.0, "rps")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**Overall Status:** ✅ PASS - All targets met", "PASS"),
        ("## ВЕРДИКТ: ⚠️ GO для TestFlight — УСЛОВНЫЙ", "CONDITIONAL"),
        ("**Gate Decision**: CONCERNS — Conditional Approval", "CONCERNS"),
        ("Recommendation: NO-GO until BUG-1 is fixed", "NO-GO"),
        ("Recommendation: re-run the tests so they pass", "unknown"),
        ("**Release decision:** GO with conditions", "CONDITIONAL"),
        ("- If PASS: proceed to release", "unknown"),
        ("Final verdict: FAIL", "FAIL"),
    ],
)
def test_verdicts(text: str, expected: str) -> None:
    assert one(f"# QA\n\n{text}\n").verdict.value == expected


def test_overall_verdict_beats_per_category_status() -> None:
    text = "# NFR\n\n**Gate Decision:** CONCERNS\n\n### 1. Security\n\n**Overall Status**: PASS (3/4)\n"
    assert one(text).verdict.value == "CONCERNS"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("**Date:** 2026-04-06", "2026-04-06"),
        ("**Test Execution Date:** November 17, 2025", "2025-11-17"),
        ("**Date:**  10/03/2025", "2025-10-03"),
        ("**Дата:** 2026-06-11 · **Ветка:** main", "2026-06-11"),
        ("Date: 17.11.2025", "2025-11-17"),
        ("Дата: 11 июня 2026", "2026-06-11"),
    ],
)
def test_dates(line: str, expected: str) -> None:
    f = one(f"# QA Report — X\n\n{line}\n\n**Overall Verdict:** PASS\n")
    assert f.report_date is not None and f.report_date.value == expected


def test_front_matter_date_and_project() -> None:
    f = one("---\nservice: payments\nlastSaved: '2026-08-08'\n---\n# NFR Assessment\n\nStatus\n")
    assert f.project is not None and (f.project.value, f.project.evidence.line) == ("payments", 2)
    assert f.report_date is not None
    assert (f.report_date.value, f.report_date.evidence.line) == ("2026-08-08", 3)


@pytest.mark.parametrize(
    ("line", "present", "absent"),
    [
        ("Backend on Go 1.22 with PostgreSQL 16", {"Go", "PostgreSQL"}, set()),
        ("GO for release. Built with Expo Go.", {"React Native/Expo"}, {"Go"}),
        ("The express lane is fast; Rust never forms; swift delivery.", set(), {"Express", "Rust", "Swift"}),
        ("We should add Redis later; no k6 tests exist.", set(), {"Redis", "k6"}),
        ("Stack: Express 5, Node.js 20, Prisma", {"Express", "Node.js", "Prisma"}, set()),
        ("Config lives in `next.config.mjs` and `redis.conf`.", set(), {"Next.js", "Redis"}),
    ],
)
def test_stack_false_positives(line: str, present: set[str], absent: set[str]) -> None:
    names = {s.name for s in one(f"# QA\n\n{line}\n").stack}
    assert present <= names and not (absent & names)


def test_defect_status_takes_the_last_statement_and_ignores_imperatives() -> None:
    text = (
        "# QA\n\n## Bugs\n\n| ID | Severity | Title | Status |\n|---|---|---|---|\n"
        "| BUG-1 | Major | Login fails | Open |\n| BUG-2 | Minor | Typo | Open |\n\n"
        "## Must Fix Before Release\n\n1. **BUG-2 (Minor):** Fix the typo.\n\n"
        "## Retest\n\n#### BUG-1 (Major)\n\n**Status: FIXED**\n"
    )
    d = {x.id: (x.severity, x.status) for x in one(text).defects}
    assert d == {"BUG-1": ("P1", "fixed"), "BUG-2": ("P3", "open")}


def test_section_heading_status_and_severity_apply_to_items() -> None:
    text = "# QA\n\n## P0 — FOUND AND FIXED\n\n### P0-1. Crash on upload\n\n"
    text += "## Open issues\n\n### ISSUE-7: Slow search (Critical)\n"
    d = {x.id: (x.severity, x.status) for x in one(text).defects}
    assert d == {"P0-1": ("P0", "fixed"), "ISSUE-7": ("P0", "open")}


def test_language_detection() -> None:
    assert one("# Отчёт\n\nВсе тесты прошли успешно, дефектов нет. Вердикт: GO\n").language == "ru"
    assert one("# QA\n\nAll tests passed.\n").language == "en"
