"""Checkpoints in PostgreSQL (``--checkpoint postgresql://…``), against a real server.

.ci/run starts one and sets OPSRELAY_TEST_POSTGRES_URL; without it these tests are skipped.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from paths import EXAMPLE

from opsrelay.cli import cli

URL = os.environ.get("OPSRELAY_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(
    not URL, reason="no PostgreSQL: set OPSRELAY_TEST_POSTGRES_URL (.ci/run starts a server and sets it)"
)


def test_pause_and_approve_through_postgres(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    thread = f"pg-{uuid.uuid4().hex[:8]}"
    out = tmp_path / "out"
    assert (
        cli(["run", str(EXAMPLE), "--out", str(out), "--checkpoint", URL, "--thread-id", thread, "--approve"])
        == 5
    )
    assert not out.exists()
    capsys.readouterr()
    assert cli(["checkpoints", "list", "--checkpoint", URL]) == 0
    assert thread in capsys.readouterr().out
    assert cli(["approve", thread, "--checkpoint", URL]) == 0
    assert (out / "OPERATIONS.md").read_text(encoding="utf-8").startswith("# Operations & Deployment Guide")


def test_unreachable_postgres_is_a_clean_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = "postgresql://nobody:wrong@127.0.0.1:1/none"
    assert cli(["run", str(EXAMPLE), "--out", str(tmp_path / "o"), "--checkpoint", bad]) == 2
    err = capsys.readouterr().err
    assert "PostgreSQL" in err and "Traceback" not in err and "wrong" not in err
