"""A real llama.cpp ``llama-server`` with the packaged Gemma 3 270M weights, for the tests that need one.

Where the server comes from, in order:

1. ``OPSRELAY_TEST_LLAMA_URL`` (``http://127.0.0.1:PORT/v1``): a server someone started, e.g.
   ``.ci/run`` through ``.ci/llama.sh start``;
2. the binary and weights that ``.ci/llama.sh build`` cached (``$OPSRELAY_CACHE``, default
   ``~/.cache/opsrelay``): the session fixture starts its own server on a free port;
3. neither: the tests skip with the reason and the command that fixes it -- except in CI
   (``CI=true``), where a missing server is a failure, never a skip.

The server runs with ``-c 16384 -np 2``: two slots of 8,192 tokens each, the small window issue 10
asks the real run to fit.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

LLAMA_VERSION = os.environ.get("OPSRELAY_LLAMA_VERSION", "11434.0.0")
CACHE = Path(os.environ.get("OPSRELAY_CACHE", Path.home() / ".cache" / "opsrelay"))
SERVER = CACHE / f"llama-{LLAMA_VERSION}" / "llama-server"
WEIGHTS = CACHE / "gemma-3-270m-q4_k_m.gguf"
MODEL_ALIAS = "gemma-3-270m"
CONTEXT_TOTAL = 16384
SLOTS = 2
PER_SLOT_CONTEXT = CONTEXT_TOTAL // SLOTS


def in_ci() -> bool:
    """True on the project's CI, where tests that need the real server must run."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _healthy(root: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{root}/health", timeout=timeout) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def llama_server() -> Iterator[str]:
    """Yield the base URL (``…/v1``) of a running llama-server, starting one if need be."""
    url = os.environ.get("OPSRELAY_TEST_LLAMA_URL", "").rstrip("/")
    if url:
        root = url.removesuffix("/v1")
        if not _healthy(root):
            pytest.fail(f"OPSRELAY_TEST_LLAMA_URL={url} does not answer /health")
        yield url
        return
    if not (SERVER.is_file() and WEIGHTS.is_file()):
        reason = (
            f"needs a real llama.cpp server: none at OPSRELAY_TEST_LLAMA_URL and no cached build at {SERVER} "
            "(run `.ci/llama.sh build` once, about 15 minutes on 2 cores)"
        )
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    port = _free_port()
    log = CACHE / f"llama-server-test-{port}.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [
                str(SERVER), "-m", str(WEIGHTS), "--host", "127.0.0.1", "--port", str(port),
                "-c", str(CONTEXT_TOTAL), "-np", str(SLOTS), "--threads", str(os.cpu_count() or 2),
                "--alias", MODEL_ALIAS,
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not _healthy(root):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama-server did not start; see {log}")
            time.sleep(0.5)
        yield f"{root}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
