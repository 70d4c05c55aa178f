"""The graph under the LangGraph server: ``langgraph dev`` on 127.0.0.1, driven by ``langgraph-sdk``.

Needs ``langgraph-cli[inmem]`` (the in-memory server); skipped with a reason without it.
The server runs in a scratch folder that holds the repository's real ``langgraph.json`` and a
link to the package, so its ``.langgraph_api/`` state never lands in the repository.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from paths import EXAMPLE, ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("langgraph_api") is None
        or importlib.util.find_spec("langgraph_cli") is None
        or importlib.util.find_spec("langgraph_sdk") is None,
        reason="the LangGraph server is not installed (pip install 'langgraph-cli[inmem]')",
    ),
]

READY_TIMEOUT_S = 90.0
RUN_TIMEOUT_S = 90.0
_URL = re.compile(r"API: (?:\x1b\[[0-9;]*m)?(http://127\.0\.0\.1:\d+)")
# Whatever the developer's shell holds, the server under test is offline and phones no one.
_SCRUBBED_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "LANGSMITH_API_KEY",
    "LANGCHAIN_API_KEY",
    "LANGGRAPH_CLOUD_LICENSE_KEY",
    "LANGSMITH_ENDPOINT",
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _wait_ready(proc: subprocess.Popen[bytes], log: Path, port: int) -> str:
    """The server's URL once ``/ok`` answers; fails (with the log) on exit or timeout."""
    import httpx

    deadline = time.monotonic() + READY_TIMEOUT_S
    url = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"langgraph dev exited with {proc.returncode}:\n{_tail(log)}")
        # The server moves to another port if ours was taken meanwhile; it prints the one it uses.
        found = _URL.search(log.read_text(encoding="utf-8", errors="replace"))
        if found:
            url = found.group(1)
        try:
            if httpx.get(f"{url}/ok", timeout=2.0).status_code == 200:
                return url
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    pytest.fail(f"langgraph dev not ready after {READY_TIMEOUT_S:.0f}s:\n{_tail(log)}")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("langgraph-server")
    (work / "langgraph.json").write_bytes((ROOT / "langgraph.json").read_bytes())
    (work / "opsrelay").symlink_to(ROOT / "opsrelay", target_is_directory=True)
    log = work / "server.log"
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env |= {
        "OPSRELAY_MODEL": "offline",
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGGRAPH_NO_VERSION_CHECK": "true",
        "LANGSMITH_TRACING": "false",
        "LANGCHAIN_TRACING_V2": "false",
        "NO_COLOR": "1",
    }
    port = _free_port()
    cmd = [sys.executable, "-m", "langgraph_cli", "dev", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--no-browser", "--no-reload"]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield _wait_ready(proc, log, port)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


def _run(url: str, payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Start a run on a new thread and wait for it (bounded): ``(run, thread state)``."""
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=url, api_key=None, timeout=30.0)
    thread = client.threads.create()
    run = client.runs.create(thread["thread_id"], "opsrelay", input=payload)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while run["status"] in ("pending", "running"):
        assert time.monotonic() < deadline, f"run still {run['status']} after {RUN_TIMEOUT_S:.0f}s"
        time.sleep(0.2)
        run = client.runs.get(thread["thread_id"], run["run_id"])
    state = client.threads.get_state(thread["thread_id"])
    return dict(run), dict(state)


def test_served_graph_is_listed(server_url: str) -> None:
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=server_url, api_key=None, timeout=30.0)
    assert [a["graph_id"] for a in client.assistants.search()] == ["opsrelay"]


def test_handoff_through_the_server(server_url: str) -> None:
    qa_text = EXAMPLE.read_text(encoding="utf-8")
    run, state = _run(server_url, {"qa_report": qa_text})
    assert run["status"] == "success", state.get("tasks")
    values = state["values"]
    md = values["operations_md"]
    handoff = values["handoff"]
    # What the client gets is plain JSON: the pydantic envelope arrives as a dict, public names.
    assert isinstance(md, str) and isinstance(handoff, dict)
    assert md.startswith("# Operations & Deployment Guide")
    assert "pytest -q --junitxml=reports/junit.xml --cov=checkout --cov-report=xml" in qa_text
    assert "pytest -q --junitxml=reports/junit.xml --cov=checkout --cov-report=xml" in md
    assert handoff["schema"] == "opsrelay.handoff/v1"
    assert handoff["artifact"]["sha256"] == hashlib.sha256(md.encode("utf-8")).hexdigest()
    assert handoff["artifact"]["path"] is None  # nothing written on the server's disk
    assert handoff["review"]["verdict"] == values["review"]["verdict"]
    assert values["stop_reason"] in ("approved", "max_revisions", "no_improvement", "budget")
    assert handoff["run"]["thread_id"]  # the server's thread id reaches the envelope


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"qa_report": ""}, "no QA input"),
        ({"qa_report": "eggs\nmilk\nbread\nbutter\n"}, "does not look like a QA report"),
    ],
)
def test_bad_input_is_a_run_error_not_a_hang(server_url: str, payload: dict[str, Any], message: str) -> None:
    run, state = _run(server_url, payload)
    assert run["status"] == "error"
    errors = [t.get("error") or "" for t in state.get("tasks", [])]
    assert any("InputError" in e and message in e for e in errors), errors
