"""The graph the LangGraph server serves (``langgraph.json`` → ``./opsrelay/server.py:graph``).

This module is the server's boundary, so it is the one place besides the CLI that reads the
environment: ``OPSRELAY_MODEL`` (default ``offline``), ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``.

The graph is compiled without a checkpointer (the server brings its own: in memory under
``langgraph dev``, PostgreSQL under the self-hosted server) and with no output folder: a run's
final state carries the document (``operations_md``) and the envelope (``handoff``, with the
document's sha256); nothing is written to the server's disk.

Send ``{"qa_report": "<the QA document's text>"}`` as the run input (optionally
``qa_source_name``, the name recorded in the envelope and the changelog).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from langgraph.graph.state import CompiledStateGraph

from opsrelay.agents.devops.state import DevOpsInput, DevOpsOutput, DevOpsState
from opsrelay.graph import build_graph
from opsrelay.models.base import ChatBackend
from opsrelay.models.factory import make_backend, parse_model_spec
from opsrelay.settings import RunSettings

__all__ = ["graph", "make_server_graph"]


def make_server_graph(
    env: Mapping[str, str],
) -> CompiledStateGraph[DevOpsState, None, DevOpsInput, DevOpsOutput]:
    """Build the served graph from an environment mapping (``os.environ`` in the server).

    Raises:
        InputError: ``OPSRELAY_MODEL`` is not a valid model spec.
        ProviderError: ``openai:`` without ``OPENAI_API_KEY``. The server then fails to start,
            with that message, instead of failing every run.

    """
    spec = (env.get("OPSRELAY_MODEL") or "").strip() or "offline"
    parsed = parse_model_spec(spec)
    backend: ChatBackend | None = make_backend(
        parsed,
        base_url=env.get("OPENAI_BASE_URL") or None,
        api_key=env.get("OPENAI_API_KEY") or None,
        record_path=None,
        timeout_s=60.0,
        strict_replay=False,
    )
    settings = RunSettings(model=str(parsed), out_dir=None)
    return build_graph(backend, settings)


graph = make_server_graph(os.environ)
