"""Shared fixtures. No test may reach the network: sockets to anything but loopback fail."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "qa" / "QA_REPORT.md"
FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus" / "qa"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Refuse connections to anything but loopback, so a test can never call a real provider."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            raise OSError(f"network disabled in tests (tried {host})")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPSRELAY_MODEL", raising=False)
    yield


def qa_fixture_paths() -> list[Path]:
    """Real QA documents: the copies under tests/fixtures/qa, plus the shared corpus when present."""
    paths = sorted((FIXTURES / "qa").glob("*.md"))
    paths = [p for p in paths if p.name != "SOURCES.md"]
    if CORPUS.is_dir():
        have = {p.name for p in paths}
        paths += [p for p in sorted(CORPUS.glob("*.md")) if p.name != "SOURCES.md" and p.name not in have]
    return paths
