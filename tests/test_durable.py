"""Durable runs: kill -9 at several points and resume, stale checkpoints, the approval gate."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from paths import EXAMPLE, ROOT

from opsrelay.cli import cli
from opsrelay.testing.devops_model import devops_responder
from opsrelay.testing.fake_openai import FakeOpenAI, Latency

KEY = "sk-test-durable-0000000000"


def opsrelay(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "opsrelay", *args],
        cwd=ROOT,
        env={**os.environ, "OPENAI_API_KEY": KEY, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def body_key(body: dict[str, object]) -> str:
    return json.dumps(body["messages"], sort_keys=True)


@pytest.mark.parametrize("kill_after", [1, 4, 9, 15])
def test_killed_run_resumes_without_repeating_calls(kill_after: int, tmp_path: Path) -> None:
    common = ["--model", "openai:gpt-4.1-mini", "--date", "2026-11-21", "--concurrency", "2"]
    with FakeOpenAI(devops_responder, latency=Latency(ttft_s=0.25)) as fake:
        base = ["--base-url", fake.base_url]
        # The reference: one uninterrupted run.
        ref = opsrelay("run", str(EXAMPLE), "--out", str(tmp_path / "ref"), "--no-checkpoint", *common, *base)
        assert ref.wait(timeout=120) == 0, ref.stderr.read() if ref.stderr else ""  # type: ignore[union-attr]
        fake.reset()

        ck = tmp_path / "ck.sqlite"
        out = tmp_path / "out"
        run = opsrelay(
            "run",
            str(EXAMPLE),
            "--out",
            str(out),
            "--checkpoint",
            str(ck),
            "--thread-id",
            "t-kill",
            *common,
            *base,
        )
        deadline = time.monotonic() + 60
        while len(fake.chat_requests) < kill_after and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # let some answers land before the kill
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=10)
        first = [body_key(b) for b in fake.chat_requests]
        in_flight_at_kill = fake.in_flight
        assert not (out / "OPERATIONS.md").exists()

        fake.reset()
        resumed = opsrelay("resume", "t-kill", "--checkpoint", str(ck))
        assert resumed.wait(timeout=120) == 0, resumed.stderr.read() if resumed.stderr else ""  # type: ignore[union-attr]
        second = [body_key(b) for b in fake.chat_requests]

    # Only calls that had not completed when the process died are asked again.
    repeated = sum((Counter(first) & Counter(second)).values())
    assert repeated <= max(in_flight_at_kill, 2), (repeated, in_flight_at_kill)
    assert len(set(first) | set(second)) == 15  # facts + decide + 12 sections + critic, each asked
    assert (out / "OPERATIONS.md").read_bytes() == (tmp_path / "ref" / "OPERATIONS.md").read_bytes()


def test_thread_reuse_with_other_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ck = str(tmp_path / "ck.sqlite")
    assert (
        cli(["run", str(EXAMPLE), "--out", str(tmp_path / "a"), "--checkpoint", ck, "--thread-id", "t1"]) == 0
    )
    other = tmp_path / "other.md"
    other.write_text(EXAMPLE.read_text().replace("508", "509"))
    capsys.readouterr()
    code = cli(["run", str(other), "--out", str(tmp_path / "b"), "--checkpoint", ck, "--thread-id", "t1"])
    err = capsys.readouterr().err
    assert code == 2 and "different input" in err
    assert not (tmp_path / "b").exists()
    # The same input may run again on the same thread once the earlier run finished.
    assert (
        cli(["run", str(EXAMPLE), "--out", str(tmp_path / "c"), "--checkpoint", ck, "--thread-id", "t1"]) == 0
    )


def test_resume_refuses_other_prompt_version_and_unknown_threads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ck = str(tmp_path / "ck.sqlite")
    assert (
        cli(
            [
                "run",
                str(EXAMPLE),
                "--out",
                str(tmp_path / "a"),
                "--checkpoint",
                ck,
                "--thread-id",
                "t1",
                "--approve",
            ]
        )
        == 5
    )
    capsys.readouterr()
    import opsrelay.checkpoints as checkpoints

    monkeypatch.setattr(checkpoints, "current_versions", lambda: (checkpoints.GRAPH_VERSION, "0000newprompt"))
    assert cli(["resume", "t1", "--checkpoint", ck]) == 2
    assert "prompt version" in capsys.readouterr().err
    monkeypatch.undo()
    assert cli(["resume", "nope", "--checkpoint", ck]) == 2
    assert "no opsrelay run" in capsys.readouterr().err


def test_approval_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ck = str(tmp_path / "ck.sqlite")
    out = tmp_path / "out"
    code = cli(
        ["run", str(EXAMPLE), "--out", str(out), "--checkpoint", ck, "--thread-id", "gate", "--approve"]
    )
    err = capsys.readouterr().err
    assert code == 5 and "opsrelay approve gate" in err
    assert not out.exists()
    assert cli(["approve", "gate", "--checkpoint", ck]) == 0
    assert (out / "OPERATIONS.md").exists()
    assert cli(["resume", "gate", "--checkpoint", ck]) == 2  # finished: nothing to resume

    out2 = tmp_path / "out2"
    assert (
        cli(["run", str(EXAMPLE), "--out", str(out2), "--checkpoint", ck, "--thread-id", "no", "--approve"])
        == 5
    )
    capsys.readouterr()
    assert cli(["reject", "no", "--checkpoint", ck, "--reason", "wrong region"]) == 4
    assert "rejected" in capsys.readouterr().err
    assert not out2.exists()


def test_checkpoints_list_and_prune(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ck = str(tmp_path / "ck.sqlite")
    assert (
        cli(["run", str(EXAMPLE), "--out", str(tmp_path / "a"), "--checkpoint", ck, "--thread-id", "done"])
        == 0
    )
    assert (
        cli(
            [
                "run",
                str(EXAMPLE),
                "--out",
                str(tmp_path / "b"),
                "--checkpoint",
                ck,
                "--thread-id",
                "paused",
                "--approve",
            ]
        )
        == 5
    )
    capsys.readouterr()
    assert cli(["checkpoints", "list", "--checkpoint", ck]) == 0
    listing = capsys.readouterr().out
    assert "done" in listing and "finished" in listing and "paused" in listing and "resumable" in listing
    assert cli(["checkpoints", "prune", "--checkpoint", ck]) == 0
    assert "removed 1" in capsys.readouterr().out
    assert cli(["checkpoints", "list", "--checkpoint", ck]) == 0
    listing = capsys.readouterr().out
    assert "paused" in listing and "done" not in listing


def test_default_checkpoint_lives_under_the_current_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["run", str(EXAMPLE), "--out", "out"]) == 0
    assert Path(".opsrelay/checkpoints.sqlite").is_file()
    assert "opsrelay: thread " in capsys.readouterr().err
