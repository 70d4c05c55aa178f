"""Replay recorded handoffs in your own tests: offline, no key, exactly.

Use :func:`replay_handoff` directly, or the pytest fixture ``opsrelay_replay`` by adding
``pytest_plugins = ["opsrelay.testing.replay"]`` to your ``conftest.py``::

    def test_ops_guide(opsrelay_replay):
        result = opsrelay_replay("qa/QA_REPORT.md", "cassettes/run.json", date="2026-11-20")
        assert result.review.verdict == "pass"
        assert "pytest -q" in result.operations_md

For a compiled graph (e.g. a parent pipeline), build it over a replay backend:
``build_graph(replay_backend("cassettes/run.json"))``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Unpack

import pytest

from opsrelay.api import HandoffOptions, HandoffResult, run_handoff
from opsrelay.ingest import IngestedQA
from opsrelay.models.cassette import ReplayBackend


def replay_backend(cassette: str | Path, *, strict: bool = True) -> ReplayBackend:
    """A model backend that answers from ``cassette``; strict: unused recorded answers fail at close."""
    return ReplayBackend(Path(cassette), strict=strict)


def replay_handoff(
    source: str | Path | IngestedQA,
    cassette: str | Path,
    *,
    strict: bool = True,
    **options: Unpack[HandoffOptions],
) -> HandoffResult:
    """Run a handoff whose model answers come from ``cassette``; nothing is written unless ``out_dir``.

    Pass the same ``evidence`` and ``date`` the recording used, or the requests will not match
    (the error names the closest recorded request and what differs).
    """
    options.setdefault("out_dir", None)
    options["model"] = f"replay:{cassette}"
    options["strict_replay"] = strict
    return run_handoff(source, **options)


@pytest.fixture
def opsrelay_replay(tmp_path: Path) -> Iterator[Callable[..., HandoffResult]]:
    """Pytest fixture: a :func:`replay_handoff` whose artifacts (if any) go under ``tmp_path``."""

    def run(source: str | Path | IngestedQA, cassette: str | Path, **options: Any) -> HandoffResult:
        if options.get("out_dir") is True:
            options["out_dir"] = tmp_path / "artifacts"
        return replay_handoff(source, cassette, **options)

    yield run
