"""The ingest boundary: every bad input is an InputError (exit 2) with one clear line; good inputs load."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from opsrelay.errors import InputError
from opsrelay.facts.evidence import load_evidence, parse_evidence_xml
from opsrelay.handoff import DEVOPS_ROLE, HANDOFF_SCHEMA, ArtifactRef, Handoff, sha256_text
from opsrelay.ingest import IngestedQA, ingest_text, load_qa, read_text_file

EVIDENCE = Path(__file__).parent / "fixtures" / "evidence"
QA = """# QA Report — Billing API

**Date:** 2026-01-15
**Test Environment:** Staging (https://staging.billing.example.com)

Stack: FastAPI on Python 3.12 with PostgreSQL 16.

| Suite | Total | Passed | Failed | Skipped |
|---|---|---|---|---|
| **Total** | **120** | **118** | **2** | **0** |

| ID | Severity | Title | Status |
|---|---|---|---|
| BIL-7 | High | Refund rounding | Open |

**Overall Verdict:** NO-GO
"""


@pytest.fixture(autouse=True)
def _strict(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OPSRELAY_FACTS_STRICT", "1")
    yield


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def rejects(call: object, *fragments: str) -> str:
    """Assert that calling ``call()`` raises a one-line InputError (exit 2) containing the fragments."""
    with pytest.raises(InputError) as info:
        call()  # type: ignore[operator]
    message = str(info.value)
    assert info.value.exit_code == 2
    assert "\n" not in message and "Traceback" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def envelope(content: str, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "schema": HANDOFF_SCHEMA,
        "from_role": "QA Engineer",
        "to_role": DEVOPS_ROLE,
        "artifact": {"name": "QA_REPORT.md", "sha256": sha256_text(content), "content": content},
    }
    data.update(overrides)
    return data


# --- good inputs ----------------------------------------------------------------------------------


def test_markdown_file_loads_with_facts(tmp_path: Path) -> None:
    path = write(tmp_path, "qa.md", QA)
    qa = load_qa(path)
    assert isinstance(qa, IngestedQA)
    assert qa.source_name == "qa.md" and qa.facts.source_name == "qa.md"
    assert qa.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == qa.facts.source_sha256
    assert qa.text == QA and qa.envelope is None and qa.front_matter == {}
    f = qa.facts
    assert f.verdict.value == "NO-GO"
    assert [(d.id, d.severity, d.status) for d in f.defects] == [("BIL-7", "P1", "open")]
    assert [(r.total, r.passed, r.failed) for r in f.test_results] == [(120, 118, 2)]
    assert f.release_blocked
    assert [(e.name, e.url) for e in f.environments] == [("staging", "https://staging.billing.example.com")]


def test_bom_and_crlf_are_normalised_but_sha_is_of_the_original_bytes(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbf" + QA.replace("\n", "\r\n").encode("utf-8")
    path = write(tmp_path, "qa.md", raw)
    qa = load_qa(path)
    assert qa.text == QA
    assert qa.sha256 == hashlib.sha256(raw).hexdigest()
    assert qa.facts.verdict.evidence is not None and qa.facts.verdict.evidence.line == 16


def test_front_matter_is_parsed_and_line_numbers_count_it(tmp_path: Path) -> None:
    text = "---\nproject: billing-api\ndate: 2026-02-01\ntags: [qa]\n---\n" + QA
    qa = load_qa(write(tmp_path, "qa.md", text))
    assert qa.front_matter == {"project": "billing-api", "date": "2026-02-01", "tags": ["qa"]}
    assert qa.text.startswith("---\nproject:")  # front matter is kept in the text
    f = qa.facts
    assert f.project is not None and f.project.value == "billing-api" and f.project.evidence.line == 2
    assert f.report_date is not None and f.report_date.value == "2026-01-15"  # the body's Date label
    assert f.verdict.evidence is not None and f.verdict.evidence.line == 16 + 5


def test_stdin(tmp_path: Path) -> None:
    qa = load_qa("-", stdin=io.BytesIO(QA.encode("utf-8")))
    assert qa.source_name == "-" and qa.facts.source_name == "-"
    assert qa.sha256 == hashlib.sha256(QA.encode("utf-8")).hexdigest()


def test_stdin_json_envelope() -> None:
    data = json.dumps(envelope(QA)).encode("utf-8")
    qa = load_qa("-", stdin=io.BytesIO(data))
    assert qa.source_name == "QA_REPORT.md" and qa.envelope is not None
    assert qa.sha256 == sha256_text(QA)


def test_json_envelope_file(tmp_path: Path) -> None:
    path = write(tmp_path, "handoff.json", json.dumps(envelope(QA), indent=2))
    qa = load_qa(path)
    assert qa.envelope is not None and qa.envelope.from_role == "QA Engineer"
    assert qa.text == QA and qa.sha256 == sha256_text(QA)
    assert qa.facts.source_name == "QA_REPORT.md"
    assert qa.facts.verdict.value == "NO-GO"


def test_json_envelope_round_trips_through_the_handoff_model(tmp_path: Path) -> None:
    model = Handoff(
        from_role="QA Engineer",
        to_role="devops engineer",  # role match is case-insensitive
        artifact=ArtifactRef(name="qa.md", sha256=sha256_text(QA), content=QA),
    )
    qa = load_qa(write(tmp_path, "h.json", model.to_json()))
    assert qa.envelope == model


def test_json_envelope_with_artifact_path(tmp_path: Path) -> None:
    doc = write(tmp_path, "QA_REPORT.md", QA)
    data = envelope(QA)
    data["artifact"] = {
        "name": "QA_REPORT.md",
        "path": "QA_REPORT.md",
        "sha256": hashlib.sha256(doc.read_bytes()).hexdigest(),
    }
    qa = load_qa(write(tmp_path, "handoff.json", json.dumps(data)))
    assert qa.text == QA and qa.source_name == "QA_REPORT.md"


def test_json_qa_report_object(tmp_path: Path) -> None:
    qa = load_qa(write(tmp_path, "input.json", json.dumps({"qa_report": QA})))
    assert qa.envelope is None and qa.text == QA and qa.sha256 == sha256_text(QA)
    assert qa.source_name == "qa_report.md"


def test_json_detected_by_content_without_extension(tmp_path: Path) -> None:
    qa = load_qa(write(tmp_path, "handoff.txt", "  " + json.dumps(envelope(QA))))
    assert qa.envelope is not None


def test_ingest_text_for_the_graph_input() -> None:
    qa = ingest_text(QA)
    assert qa.source_name == "qa_report.md" and qa.sha256 == sha256_text(QA)
    assert qa.facts.verdict.value == "NO-GO"
    again = IngestedQA.model_validate(json.loads(qa.model_dump_json()))  # survives a JSON round trip
    assert again == qa


def test_ingest_text_accepts_an_envelope() -> None:
    qa = ingest_text(json.dumps(envelope(QA)))
    assert qa.envelope is not None and qa.source_name == "QA_REPORT.md"


def test_read_text_file(tmp_path: Path) -> None:
    assert read_text_file(write(tmp_path, "OPERATIONS.md", "# Ops\r\n")) == "# Ops\n"
    rejects(lambda: read_text_file(tmp_path / "nope.md"), "nope.md", "not found")


# --- rejections: files ----------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    rejects(lambda: load_qa(tmp_path / "missing.md"), "missing.md", "file not found")


def test_directory(tmp_path: Path) -> None:
    rejects(lambda: load_qa(tmp_path), str(tmp_path), "is a directory")


@pytest.mark.parametrize("content", ["", "   \n\t\n  "])
def test_empty_or_whitespace(tmp_path: Path, content: str) -> None:
    rejects(lambda: load_qa(write(tmp_path, "qa.md", content)), "qa.md", "is empty")


def test_binary_with_nul_bytes(tmp_path: Path) -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    rejects(lambda: load_qa(write(tmp_path, "shot.png", data)), "shot.png", "binary")


def test_mostly_control_characters(tmp_path: Path) -> None:
    data = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15] * 50) + b"# QA\n"
    rejects(lambda: load_qa(write(tmp_path, "blob.md", data)), "blob.md", "binary")


def test_utf16(tmp_path: Path) -> None:
    rejects(lambda: load_qa(write(tmp_path, "qa.md", QA.encode("utf-16"))), "qa.md", "UTF-16", "UTF-8")


def test_not_utf8_names_the_byte_offset(tmp_path: Path) -> None:
    data = "# QA Report\nCafé".encode("latin-1")
    message = rejects(lambda: load_qa(write(tmp_path, "qa.md", data)), "qa.md", "not valid UTF-8")
    assert f"byte offset {data.index(0xE9)}" in message and "0xe9" in message


def test_not_utf8_offset_counts_the_bom(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf# QA\n\xff"
    rejects(lambda: load_qa(write(tmp_path, "qa.md", data)), "byte offset 8")


def test_over_max_bytes_says_size_limit_and_option(tmp_path: Path) -> None:
    path = write(tmp_path, "big.md", QA + "x" * 2000)
    size = path.stat().st_size
    rejects(
        lambda: load_qa(path, max_bytes=1000), "big.md", f"{size:,} bytes", "1,000-byte limit", "--max-bytes"
    )
    assert load_qa(path, max_bytes=size).facts.verdict.value == "NO-GO"


def test_stdin_over_max_bytes() -> None:
    rejects(lambda: load_qa("-", stdin=io.BytesIO(b"x" * 50), max_bytes=10), "stdin", "--max-bytes")


def test_ingest_text_over_max_bytes() -> None:
    rejects(lambda: ingest_text(QA, max_bytes=100), "qa_report.md", "--max-bytes")


def test_no_qa_content(tmp_path: Path) -> None:
    text = "# Shopping list\n\n- milk\n- bread\n\nNothing else here.\n"
    rejects(
        lambda: load_qa(write(tmp_path, "notes.md", text)),
        "notes.md",
        "does not look like a QA report",
        "no tests, results, coverage, defects, performance figures, verdict or test plan",
    )


NOT_QA = Path(__file__).parent / "fixtures" / "not_qa"


@pytest.mark.parametrize("name", ["recipe.md", "library_README.md"])
def test_documents_without_qa_substance_are_refused(name: str) -> None:
    # The README has a `pytest` command and a "Known limitations" list: not QA output on their own.
    rejects(lambda: load_qa(NOT_QA / name), name, "does not look like a QA report")


def test_a_testing_guide_with_only_commands_is_accepted() -> None:
    text = "# Running the test suite\n\nRun everything with:\n\n```bash\n./gradlew test\n```\n"
    qa = ingest_text(text)
    assert [c.command for c in qa.facts.test_commands] == ["./gradlew test"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (  # a test plan: planned, not executed
            "# Test Plan — Checkout\n\n## Scenarios\n\n1. Pay by card\n"
            "   - Expected result: order confirmed\n2. Refund\n   - Expected result: money returned\n\n"
            "## Schedule\n\nEstimated time: 2 days\n",
            "plan",
        ),
        (  # a Spanish test plan
            "# Plan de pruebas — Pagos\n\n- Resultado esperado: pago aprobado en menos de 2 segundos\n"
            "- Tiempo estimado: 3 días\n",
            "plan",
        ),
        (  # a load-test log with nothing but measurements
            "# k6 run\n\n```\nhttp_req_duration..: avg=120ms p(95)=300ms\n```\n\n"
            "| Metric | Value |\n|---|---|\n| p95 latency | 300 ms |\n| Throughput | 850 req/s |\n",
            "report",
        ),
        (  # a version comparison that ends with a release statement
            "# Performance comparison 1.4.0 vs 1.5.0\n\n"
            "| Metric | 1.4.0 | 1.5.0 | Change |\n|---|---|---|---|\n"
            "| p99 latency | 40 ms | 42 ms | +5% |\n| Throughput | 1200 req/s | 1180 req/s | -1.7% |\n\n"
            "Release can continue as planned.\n",
            "report",
        ),
    ],
)
def test_plans_and_performance_runs_are_accepted(text: str, kind: str) -> None:
    facts = ingest_text(text).facts
    assert facts.document_kind == kind
    if kind == "plan":
        assert facts.document_kind_evidence is not None
        assert not facts.release_blocked and facts.test_results == []


# --- rejections: front matter ---------------------------------------------------------------------


def test_malformed_front_matter_names_the_line(tmp_path: Path) -> None:
    text = "---\nproject: billing\ntags: [qa, unclosed\ndate: 2026-01-01\n---\n" + QA
    message = rejects(
        lambda: load_qa(write(tmp_path, "qa.md", text)), "qa.md", "malformed YAML front matter at line"
    )
    line = int(message.split("at line ")[1].split(":")[0])
    assert 3 <= line <= 5


def test_front_matter_not_a_mapping(tmp_path: Path) -> None:
    text = "---\n- one\n- two\n---\n" + QA
    rejects(lambda: load_qa(write(tmp_path, "qa.md", text)), "qa.md", "front matter", "mapping", "list")


def test_leading_rule_is_not_front_matter(tmp_path: Path) -> None:
    text = "---\n\nSome intro text.\n\n---\n" + QA
    assert load_qa(write(tmp_path, "qa.md", text)).front_matter == {}


# --- rejections: JSON -----------------------------------------------------------------------------


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    rejects(
        lambda: load_qa(write(tmp_path, "h.json", '{\n  "schema": "x",\n  oops\n}')),
        "h.json",
        "malformed JSON at line 3, column 3",
    )


def test_json_not_an_object(tmp_path: Path) -> None:
    rejects(
        lambda: load_qa(write(tmp_path, "h.json", "[1, 2]")),
        "h.json",
        "handoff envelope",
        "qa_report",
        "not a list",
    )


def test_json_object_without_envelope_or_qa_report(tmp_path: Path) -> None:
    rejects(lambda: load_qa(write(tmp_path, "h.json", '{"report": "x"}')), "h.json", "neither", "qa_report")


def test_json_qa_report_not_a_string(tmp_path: Path) -> None:
    rejects(
        lambda: load_qa(write(tmp_path, "h.json", '{"qa_report": 42}')),
        "h.json",
        "'qa_report' must be a string",
    )


def test_envelope_wrong_schema_version(tmp_path: Path) -> None:
    data = envelope(QA, schema="opsrelay.handoff/v2")
    rejects(
        lambda: load_qa(write(tmp_path, "h.json", json.dumps(data))),
        "h.json",
        "opsrelay.handoff/v2",
        f"expected {HANDOFF_SCHEMA!r}",
    )


def test_envelope_missing_schema(tmp_path: Path) -> None:
    data = envelope(QA)
    del data["schema"]
    rejects(lambda: load_qa(write(tmp_path, "h.json", json.dumps(data))), "schema is missing", HANDOFF_SCHEMA)


def test_envelope_for_another_role(tmp_path: Path) -> None:
    data = envelope(QA, to_role="Security Engineer")
    rejects(
        lambda: load_qa(write(tmp_path, "h.json", json.dumps(data))),
        "h.json",
        "'Security Engineer'",
        "DevOps Engineer",
    )


def test_envelope_sha256_mismatch(tmp_path: Path) -> None:
    data = envelope(QA)
    data["artifact"] = {"name": "QA_REPORT.md", "sha256": "0" * 64, "content": QA}
    rejects(
        lambda: load_qa(write(tmp_path, "h.json", json.dumps(data))),
        "h.json",
        "artifact.sha256 does not match",
        "QA_REPORT.md",
    )


def test_envelope_without_content(tmp_path: Path) -> None:
    data = envelope(QA)
    data["artifact"] = {"name": "QA_REPORT.md", "sha256": sha256_text(QA)}
    rejects(lambda: ingest_text(json.dumps(data)), "no inline content")


def test_envelope_invalid_shape(tmp_path: Path) -> None:
    data = envelope(QA)
    data["artifact"] = "QA_REPORT.md"
    rejects(
        lambda: load_qa(write(tmp_path, "h.json", json.dumps(data))),
        "h.json",
        "invalid handoff envelope",
        "artifact",
    )


def test_envelope_with_empty_content(tmp_path: Path) -> None:
    rejects(lambda: load_qa(write(tmp_path, "h.json", json.dumps(envelope("  \n")))), "is empty")


def test_envelope_document_without_qa_content(tmp_path: Path) -> None:
    rejects(
        lambda: load_qa(write(tmp_path, "h.json", json.dumps(envelope("# Hello\n\nJust text.\n")))),
        "does not look like a QA report",
    )


# --- evidence files -------------------------------------------------------------------------------


def test_junit_evidence() -> None:
    ev = load_evidence(EVIDENCE / "junit.xml")
    assert ev.kind == "junit" and ev.source == "junit.xml"
    [run] = ev.test_results
    assert (run.total, run.passed, run.failed, run.skipped) == (6, 3, 2, 1)
    assert run.failing_tests == ["tests.api.test_orders.test_refund", "tests.worker.test_jobs.test_timeout"]
    assert run.evidence.source == "junit.xml" and run.evidence.line == 0 and 'tests="6"' in run.evidence.text


def test_junit_single_suite() -> None:
    [run] = load_evidence(EVIDENCE / "junit_single_suite.xml").test_results
    assert (run.total, run.passed, run.failed, run.skipped, run.failing_tests) == (3, 3, 0, 0, [])


def test_junit_counts_testcases_when_attributes_are_missing() -> None:
    xml = b'<testsuite><testcase classname="a" name="x"/><testcase name="y"><failure/></testcase></testsuite>'
    [run] = parse_evidence_xml(xml, "r.xml").test_results
    assert (run.total, run.passed, run.failed, run.failing_tests) == (2, 1, 1, ["y"])


def test_cobertura_evidence() -> None:
    ev = load_evidence(EVIDENCE / "cobertura.xml")
    assert ev.kind == "cobertura"
    assert [(c.percent, c.scope) for c in ev.coverage] == [(81.78, "lines"), (75.0, "branches")]


def test_coverage_py_without_branch_measurement() -> None:
    ev = load_evidence(EVIDENCE / "coverage_py_no_branches.xml")
    assert [(c.percent, c.scope) for c in ev.coverage] == [(90.5, "lines")]


def test_jacoco_evidence() -> None:
    ev = load_evidence(EVIDENCE / "jacoco.xml")
    assert {c.scope: c.percent for c in ev.coverage} == {
        "instructions": 90.0,
        "branches": 75.0,
        "lines": 90.0,
        "functions": 90.0,
    }


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("malformed.xml", "not well-formed XML at line"),
        ("unknown.xml", "unknown evidence XML <project>"),
        ("entities.xml", "refused to parse XML that uses a DTD or entities"),
        ("missing.xml", "evidence file not found"),
    ],
)
def test_bad_evidence_files(name: str, fragment: str) -> None:
    rejects(lambda: load_evidence(EVIDENCE / name), name, fragment)


def test_empty_evidence_file(tmp_path: Path) -> None:
    rejects(lambda: load_evidence(write(tmp_path, "empty.xml", "  ")), "empty.xml", "is empty")


def test_evidence_is_merged_without_double_counting(tmp_path: Path) -> None:
    path = write(tmp_path, "qa.md", QA)
    qa = load_qa(path, evidence=[EVIDENCE / "junit.xml", EVIDENCE / "cobertura.xml"])
    assert qa.evidence_files == ["junit.xml", "cobertura.xml"]
    assert [(r.total, r.failed, r.evidence.source) for r in qa.facts.test_results] == [
        (120, 2, "qa.md"),
        (6, 2, "junit.xml"),
    ]
    assert [(c.percent, c.evidence.source) for c in qa.facts.coverage] == [
        (81.78, "cobertura.xml"),
        (75.0, "cobertura.xml"),
    ]


def test_evidence_alone_makes_a_thin_note_a_qa_handoff(tmp_path: Path) -> None:
    qa = load_qa(
        write(tmp_path, "note.md", "# Release note\n\nSee the attached results.\n"),
        evidence=[EVIDENCE / "junit.xml"],
    )
    assert qa.facts.failing_test_count == 2 and qa.facts.release_blocked


def test_identical_evidence_run_adds_failing_names_only(tmp_path: Path) -> None:
    text = "# QA\n\nTotal Tests: 6 (3 passed, 2 failed, 1 skipped)\n"
    qa = load_qa(write(tmp_path, "qa.md", text), evidence=[EVIDENCE / "junit.xml"])
    [run] = qa.facts.test_results
    assert run.evidence.source == "qa.md" and len(run.failing_tests) == 2


def test_bad_evidence_fails_the_whole_load(tmp_path: Path) -> None:
    rejects(
        lambda: load_qa(write(tmp_path, "qa.md", QA), evidence=[EVIDENCE / "malformed.xml"]), "malformed.xml"
    )


def test_ingest_and_facts_are_pure() -> None:
    """The ingest boundary and the extractor import neither langgraph nor langchain (DESIGN §7)."""
    code = (
        "import sys, opsrelay.ingest, opsrelay.facts.extract, opsrelay.facts.evidence\n"
        "roots = ('langgraph', 'langchain', 'langchain_core', 'langchain_openai', 'openai')\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_an_unchecked_checklist_is_a_plan() -> None:
    facts = ingest_text(
        "# Pre-release checklist\n\n- [ ] Login works on iOS\n- [ ] Rollback rehearsed\n"
    ).facts
    assert facts.document_kind == "plan" and facts.document_kind_evidence is not None
    assert facts.document_kind_evidence.line == 1
