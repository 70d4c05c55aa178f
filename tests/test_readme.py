"""The README's promises: two set-up commands, and a replay of the committed cassette that works offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from paths import ROOT

from opsrelay.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
CASSETTE = ROOT / "examples" / "cassettes" / "checkout-service.json"


def test_first_code_block_has_exactly_two_commands() -> None:
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", README, re.S)
    assert block
    commands = [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]
    assert [c.split("#")[0].strip() for c in commands] == ["make example", "make test"]


def test_committed_cassette_replays_offline_and_strictly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from record_example_cassette import RUN_ARGS  # type: ignore[import-not-found]

    code = cli([*RUN_ARGS, "--out", str(tmp_path), "--model", f"replay:{CASSETTE}", "--strict-replay"])
    assert code == 0, capsys.readouterr().err + " (prompts changed? re-record with `make cassette`)"
    doc = (tmp_path / "OPERATIONS.md").read_text(encoding="utf-8")
    assert "opsrelay (model gpt-4.1-mini)" in doc
    assert "sk-" not in CASSETTE.read_text(encoding="utf-8")
    # The replay command the README shows is exactly this one.
    assert f"replay:examples/cassettes/{CASSETTE.name}" in README
