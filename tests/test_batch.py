"""``opsrelay batch``: discovery, isolation between runs, exit codes, and the command line."""

from __future__ import annotations

import json
import shutil
import typing
from pathlib import Path
from typing import Any

import pytest
from paths import FIXTURES

from opsrelay.api import HandoffOptions, HandoffResult
from opsrelay.batch import (
    BatchItem,
    BatchOptions,
    batch_exit_code,
    discover_reports,
    output_dirs,
    run_batch,
)
from opsrelay.errors import InputError, ProviderError

DATE = "2026-01-15"
GOOD = (
    "urtruck-app_QA_REPORT.md",
    "zulip_testing.md",
    "production-ml-api_load-test-results.md",
)


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """Three real QA documents, an empty file and a binary file."""
    folder = tmp_path / "qa"
    folder.mkdir()
    for name in GOOD:
        shutil.copy(FIXTURES / "qa" / name, folder / name)
    (folder / "empty.md").write_bytes(b"")
    (folder / "blob.md").write_bytes(bytes(range(256)) * 4)
    return folder


# -- discovery -------------------------------------------------------------------------------


def test_discover_folder_is_sorted_flat_and_md_json_only(tmp_path: Path) -> None:
    for name in ("b.md", "a.json", "c.MD", "notes.txt", ".hidden.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.md").write_text("x", encoding="utf-8")
    (tmp_path / "dir.md").mkdir()  # a folder named like a report is not a report
    assert [p.name for p in discover_reports(str(tmp_path))] == ["a.json", "b.md", "c.MD"]


def test_discover_glob_recurses_only_with_double_star(tmp_path: Path) -> None:
    (tmp_path / "top.md").write_text("x", encoding="utf-8")
    (tmp_path / "one" / "two").mkdir(parents=True)
    (tmp_path / "one" / "mid.md").write_text("x", encoding="utf-8")
    (tmp_path / "one" / "two" / "deep.md").write_text("x", encoding="utf-8")
    assert [p.name for p in discover_reports(str(tmp_path / "*.md"))] == ["top.md"]
    deep = discover_reports(str(tmp_path / "**" / "*.md"))
    assert sorted(p.name for p in deep) == ["deep.md", "mid.md", "top.md"]
    assert deep == sorted(deep)


def test_discover_single_file(tmp_path: Path) -> None:
    f = tmp_path / "QA.md"
    f.write_text("x", encoding="utf-8")
    assert discover_reports(str(f)) == [f]


@pytest.mark.parametrize("what", ["empty-folder", "no-match", "missing", "blank"])
def test_discover_nothing_is_an_input_error(tmp_path: Path, what: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("x", encoding="utf-8")
    arg = {
        "empty-folder": str(tmp_path / "empty"),
        "no-match": str(tmp_path / "*.md"),
        "missing": str(tmp_path / "nope"),
        "blank": "  ",
    }[what]
    with pytest.raises(InputError):
        discover_reports(arg)


def test_output_dirs_are_unique_per_report(tmp_path: Path) -> None:
    paths = [Path("a/report.md"), Path("b/report.json"), Path("c/Report.md"), Path("report-2.md")]
    dirs = output_dirs(paths, tmp_path)
    assert [d.name for d in dirs] == ["report", "report-2", "Report-3", "report-2-2"]
    assert all(d.parent == tmp_path for d in dirs)


# -- exit codes ------------------------------------------------------------------------------


def _item(code: int) -> BatchItem:
    return BatchItem(path=Path("x.md"), out_dir=Path("out/x"), exit_code=code)


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([], 0),
        ([0, 0], 0),
        ([0, 4], 4),
        ([4, 2, 0], 2),
        ([2, 3, 4], 3),
        ([4, 3, 1, 2], 1),
    ],
)
def test_batch_exit_code_priority(codes: list[int], expected: int) -> None:
    assert batch_exit_code([_item(c) for c in codes]) == expected


def test_batch_options_are_handoff_options() -> None:
    """What a batch passes to every run is a subset of run_handoff's options, same types."""
    batch_hints = typing.get_type_hints(BatchOptions)
    handoff_hints = typing.get_type_hints(HandoffOptions)
    assert set(batch_hints) <= set(handoff_hints)
    assert {k: handoff_hints[k] for k in batch_hints} == batch_hints
    assert not {"out_dir", "thread_id", "record", "strict_replay"} & set(batch_hints)


# -- running ---------------------------------------------------------------------------------


def test_batch_isolates_failures_and_matches_single_runs(reports: Path, tmp_path: Path) -> None:
    from opsrelay.api import run_handoff

    out = tmp_path / "out"
    done: list[str] = []
    paths = discover_reports(str(reports))
    items = run_batch(paths, out_dir=out, jobs=3, date=DATE, on_done=lambda i: done.append(i.path.name))

    assert [i.path for i in items] == paths  # input order, whatever the finishing order
    assert sorted(done) == sorted(p.name for p in paths)
    by_name = {i.path.name: i for i in items}
    for bad, words in (("empty.md", "empty"), ("blob.md", "binary")):
        item = by_name[bad]
        assert item.exit_code == 2
        assert item.error and words in item.error
        assert item.verdict is None and not item.ok
        assert not item.out_dir.exists()  # nothing written for a failed report
    assert batch_exit_code(items) == 2

    for name in GOOD:
        item = by_name[name]
        assert item.ok and item.error is None
        assert item.exit_code in (0, 4)
        assert item.verdict in ("pass", "fail") and item.score is not None and item.stop_reason
        assert item.out_dir == out / Path(name).stem
        assert item.seconds > 0
        batch_doc = (item.out_dir / "OPERATIONS.md").read_bytes()
        single = tmp_path / "single" / Path(name).stem
        result: HandoffResult = run_handoff(reports / name, out_dir=single, date=DATE)
        assert (single / "OPERATIONS.md").read_bytes() == batch_doc, name  # no cross-talk
        assert result.exit_code == item.exit_code
        envelope = json.loads((item.out_dir / "handoff.json").read_text(encoding="utf-8"))
        assert envelope["artifact"]["sha256"] == result.handoff.artifact.sha256
        assert envelope["upstream"]["name"] == name


def test_unexpected_errors_stay_in_their_item(
    reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import opsrelay.api

    real = opsrelay.api.run_handoff

    def flaky(source: Any, **options: Any) -> HandoffResult:
        name = Path(source).name
        if name == GOOD[0]:
            raise RuntimeError("boom")
        if name == GOOD[1]:
            raise ProviderError("provider down after retries")
        return real(source, **options)

    monkeypatch.setattr(opsrelay.api, "run_handoff", flaky)
    paths = [reports / n for n in GOOD]
    items = run_batch(paths, out_dir=tmp_path / "out", jobs=2, date=DATE)
    assert [i.exit_code for i in items][:2] == [1, 3]
    assert items[0].error == "internal error: RuntimeError: boom"
    assert items[1].error == "provider down after retries"
    assert items[2].ok and (items[2].out_dir / "OPERATIONS.md").is_file()
    assert batch_exit_code(items) == 1


@pytest.mark.parametrize("bound", [{"jobs": 0}, {"concurrency": 0}])
def test_jobs_and_concurrency_must_be_positive(tmp_path: Path, bound: dict[str, int]) -> None:
    with pytest.raises(InputError, match="must be at least 1"):
        run_batch([tmp_path / "x.md"], out_dir=tmp_path, **bound)  # type: ignore[arg-type]


def test_bad_model_spec_fails_the_batch_once(reports: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="invalid model spec"):
        run_batch([reports / GOOD[0]], out_dir=tmp_path / "out", jobs=1, model="gpt-4")
    assert not (tmp_path / "out").exists()


# -- command line (needs `app.command("batch")(batch)` in opsrelay/cli.py) -----------------------


def test_cli_batch_table_and_exit_code(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from opsrelay.cli import cli

    out = tmp_path / "out"
    code = cli(["batch", str(reports), "--out", str(out), "--jobs", "2", "--date", DATE])
    stdout, _ = capsys.readouterr()
    assert code == 2
    for name in (*GOOD, "empty.md", "blob.md"):
        assert Path(name).stem[:10] in stdout
    assert "5 report(s)" in stdout and "2 failed" in stdout
    for name in GOOD:
        assert (out / Path(name).stem / "OPERATIONS.md").is_file()
        assert (out / Path(name).stem / "handoff.json").is_file()


def test_cli_batch_json(reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from opsrelay.cli import cli

    (reports / "empty.md").unlink()
    (reports / "blob.md").unlink()
    code = cli(["batch", str(reports / "*.md"), "--out", str(tmp_path / "o"), "--json", "--date", DATE])
    stdout, _ = capsys.readouterr()
    summary = json.loads(stdout)
    assert summary["total"] == 3 and summary["failed"] == 0
    assert code == summary["exit_code"] == batch_exit_code([_item(i["exit_code"]) for i in summary["items"]])
    assert {Path(i["report"]).name for i in summary["items"]} == set(GOOD)
    assert all(i["out_dir"] and i["error"] is None for i in summary["items"])


def test_cli_batch_nothing_found_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from opsrelay.cli import cli

    code = cli(["batch", str(tmp_path / "*.md"), "--out", str(tmp_path / "o")])
    _, stderr = capsys.readouterr()
    assert code == 2
    assert "no files match" in stderr
