"""The command line as a user meets it: exit codes, messages, and what is on disk afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from paths import EXAMPLE, ROOT

from opsrelay.cli import cli

EVIDENCE = [EXAMPLE.parent / "junit.xml", EXAMPLE.parent / "coverage.xml"]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_run_example_writes_approved_artifacts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    args = ["run", str(EXAMPLE), "--out", str(out_dir)]
    for e in EVIDENCE:
        args += ["--evidence", str(e)]
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    doc = (out_dir / "OPERATIONS.md").read_text(encoding="utf-8")
    handoff = json.loads((out_dir / "handoff.json").read_text(encoding="utf-8"))
    assert doc.startswith("# Operations & Deployment Guide\n")
    assert "DRAFT — not approved" not in doc
    assert "pytest -q --junitxml=reports/junit.xml --cov=checkout --cov-report=xml" in doc
    assert handoff["schema"] == "opsrelay.handoff/v1"
    assert handoff["review"]["verdict"] == "pass"
    assert handoff["review"]["stop_reason"] == "approved"
    assert handoff["artifact"]["path"].endswith("OPERATIONS.md")
    import hashlib

    assert handoff["artifact"]["sha256"] == hashlib.sha256(doc.encode()).hexdigest()
    assert handoff["upstream"]["sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert "verdict pass" in out and "score" in out
    assert not list(out_dir.glob(".*.tmp"))


def test_run_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["run", str(EXAMPLE), "--out", str(tmp_path), "--json"], capsys)
    summary = json.loads(out)
    assert code == 0
    assert summary["verdict"] == "pass"
    assert summary["exit_code"] == 0
    assert summary["iterations"] >= 1
    assert set(summary["findings"]) == {"blocker", "major", "minor"}


def test_same_input_same_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b"):
        assert (
            run_cli(["run", str(EXAMPLE), "--out", str(tmp_path / name), "--date", "2026-11-21"], capsys)[0]
            == 0
        )
    a = (tmp_path / "a" / "OPERATIONS.md").read_bytes()
    assert a == (tmp_path / "b" / "OPERATIONS.md").read_bytes()
    assert b"2026-11-21 - " in a


def test_stdin_input(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "opsrelay", "run", "-", "--out", str(tmp_path)],
        input=EXAMPLE.read_bytes(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert (tmp_path / "OPERATIONS.md").exists()


BAD_INPUTS = {
    "empty": b"",
    "whitespace": b"  \n\n\t\n",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "latin1": "# QA Report\n\nTests: 10 passed, 0 failed. Verdict: PASS. Café".encode("latin-1"),
    "bad_front_matter": b"---\nproject: [unclosed\n---\n# QA\n\n10 tests passed.\n",
    "no_qa_content": b"# Shopping list\n\n- eggs\n- milk\n",
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_exit_2_nothing_written(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / f"{kind}.md"
    src.write_bytes(BAD_INPUTS[kind])
    out_dir = tmp_path / "out"
    code, _, err = run_cli(["run", str(src), "--out", str(out_dir)], capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("opsrelay: error: "), err
    assert "Traceback" not in err
    assert not out_dir.exists()


def test_malformed_json_envelope(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "handoff.json"
    src.write_text('{"schema": "opsrelay.handoff/v1", "artifact": ', encoding="utf-8")
    code, _, err = run_cli(["run", str(src), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and "Traceback" not in err and "JSON" in err


@pytest.mark.parametrize("what", ["missing", "directory", "too_large"])
def test_unreadable_inputs(what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra: list[str] = []
    if what == "missing":
        src = tmp_path / "nope.md"
    elif what == "directory":
        src = tmp_path
    else:
        src = EXAMPLE
        extra = ["--max-bytes", "100"]
    code, _, err = run_cli(["run", str(src), "--out", str(tmp_path / "out"), *extra], capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_failed_run_keeps_existing_good_artifact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["run", str(EXAMPLE), "--out", str(tmp_path)], capsys)[0] == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"")
    assert run_cli(["run", str(bad), "--out", str(tmp_path)], capsys)[0] == 2
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name != "bad.md"}
    assert after == before


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["run", str(EXAMPLE), "--max-revisions", "-1"], capsys)
    assert code == 2 and "Traceback" not in err
    code, _, _ = run_cli(["frobnicate"], capsys)
    assert code == 2


def test_review_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["run", str(EXAMPLE), "--out", str(tmp_path)], capsys)[0] == 0
    doc = tmp_path / "OPERATIONS.md"
    code, out, _ = run_cli(["review", str(doc), "--qa", str(EXAMPLE)], capsys)
    assert code == 0 and "verdict pass" in out
    bad = tmp_path / "bad.md"
    bad.write_text(
        doc.read_text(encoding="utf-8").replace("## Backup & Disaster Recovery", "## Backups"), "utf-8"
    )
    code, out, _ = run_cli(["review", str(bad), "--json"], capsys)
    assert code == 4
    findings = json.loads(out)["findings"]
    assert any(f["severity"] in ("blocker", "major") for f in findings)
    code, _, err = run_cli(["review", str(tmp_path / "missing.md")], capsys)
    assert code == 2 and err.startswith("opsrelay: error: ")


def test_graph_command_prints_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["graph"], capsys)
    assert code == 0
    assert out.startswith("---") or "graph TD" in out
    assert "draft_section" in out and "revise_section" in out


def test_help_and_review_do_not_import_langgraph(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from opsrelay.cli import cli\n"
        "rc = cli(sys.argv[1:])\n"
        "roots = ('langgraph', 'langchain_openai', 'langchain_core')\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "heavy += [m for m in ('opsrelay.facts.extract', 'structlog') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    doc = tmp_path / "doc.md"
    doc.write_text("# Operations & Deployment Guide\n", encoding="utf-8")
    for args in (["--help"], ["review", str(doc)]):
        proc = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            check=False,
        )
        assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr
