"""Shared fixtures. No test may reach the network: sockets to anything but loopback fail."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

# The fixture opsrelay offers users' test suites (opsrelay_replay), used the way they would.
pytest_plugins = ["opsrelay.testing.replay"]


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each test in its own folder, so default outputs (artifacts/, .opsrelay/) never mix."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Refuse connections to anything but loopback, so a test can never call a real provider."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if (
            isinstance(host, str)
            and host not in ("127.0.0.1", "localhost", "::1")
            and not host.startswith("/")
        ):
            raise OSError(f"network disabled in tests (tried {host})")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPSRELAY_MODEL", raising=False)
    yield


@pytest.fixture
def facts_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    """Extractor bugs must raise in tests instead of being logged and skipped.

    Modules that test the QA-facts extractor use it for every test:
    ``pytestmark = pytest.mark.usefixtures("facts_strict")``.
    """
    monkeypatch.setenv("OPSRELAY_FACTS_STRICT", "1")
