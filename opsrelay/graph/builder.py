"""Wiring only: nodes, edges, fan-out and the bounded review loop. No prompts, no DevOps knowledge."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Checkpointer, Send, interrupt

from opsrelay.agents.devops.drafter import Drafter, make_drafter
from opsrelay.agents.devops.nodes import DevOpsNodes
from opsrelay.agents.devops.state import Approval, DevOpsInput, DevOpsOutput, DevOpsState
from opsrelay.logging import get_logger
from opsrelay.models.base import ChatBackend
from opsrelay.settings import RunSettings

GRAPH_NAME = "opsrelay"
log = get_logger("opsrelay.graph")


def _thread_id(config: RunnableConfig | None) -> str:
    return str(((config or {}).get("configurable") or {}).get("thread_id", ""))


def _timed(name: str, fn: Callable[..., dict[str, Any]], model: str, *, pass_thread: bool = False) -> Any:
    """Wrap a node: log one event per call and add its wall time to the ``timings`` channel."""

    def node(state: Any, config: RunnableConfig) -> dict[str, Any]:
        start = time.perf_counter()
        thread_id = _thread_id(config)
        result = fn(state, thread_id) if pass_thread else fn(state)
        elapsed = time.perf_counter() - start
        usage = result.get("usage")
        log.info(
            "node",
            node=name,
            thread_id=thread_id,
            duration_s=round(elapsed, 4),
            model=model,
            tokens_in=getattr(usage, "tokens_in", 0),
            tokens_out=getattr(usage, "tokens_out", 0),
        )
        return {**result, "timings": {name: elapsed}}

    node.__name__ = name
    return node


def approval_gate(state: DevOpsState) -> dict[str, Any]:
    """Pause for a human decision (LangGraph ``interrupt``); resumes with ``{"approved": bool}``."""
    review = state.get("best_review") or state["review"]
    answer = interrupt(
        {"verdict": review.verdict, "score": review.score, "stop_reason": state.get("stop_reason")}
    )
    if isinstance(answer, dict):
        return {
            "approval": Approval(approved=bool(answer.get("approved")), reason=str(answer.get("reason", "")))
        }
    return {"approval": Approval(approved=bool(answer))}


def after_approval(state: DevOpsState) -> Literal["emit", "__end__"]:
    """Emit an approved draft; end without writing anything when it was rejected."""
    approval = state.get("approval")
    if approval is None:
        raise RuntimeError("approval gate passed without an answer")
    return "emit" if approval.approved else "__end__"


def build_graph(
    backend: ChatBackend | None = None,
    settings: RunSettings | None = None,
    *,
    checkpointer: Checkpointer = None,
    drafter: Drafter | None = None,
) -> CompiledStateGraph[DevOpsState, None, DevOpsInput, DevOpsOutput]:
    """Compile the DevOps stage graph: usable directly, as a subgraph, or under the LangGraph server.

    ``backend`` is the model (``None``: the offline engine); ``settings`` bound the loop and the
    fan-out; ``drafter`` replaces the content writer outright (tests script it). The compiled
    graph carries an explicit ``recursion_limit`` and ``max_concurrency``.
    """
    settings = settings or RunSettings()
    drafter = drafter or make_drafter(backend, settings)
    nodes = DevOpsNodes(drafter, settings)
    model = drafter.model

    def fan_out(state: DevOpsState) -> list[Send]:
        return [Send("draft_section", task) for task in nodes.section_tasks(state)]

    done: Literal["approval", "emit"] = "approval" if settings.require_approval else "emit"

    def after_review(state: DevOpsState) -> list[Send] | Literal["approval", "emit"]:
        if state.get("stop_reason") is not None:
            return done
        tasks = nodes.revise_tasks(state)
        if not tasks:  # the review node only continues when something is revisable
            raise RuntimeError("review loop continued with no section to revise")
        return [Send("revise_section", task) for task in tasks]

    graph = StateGraph(DevOpsState, input_schema=DevOpsInput, output_schema=DevOpsOutput)
    graph.add_node("ingest", _timed("ingest", nodes.ingest, model))
    graph.add_node("decide", _timed("decide", nodes.decide, model))
    graph.add_node("draft_section", _timed("draft_section", nodes.draft_section, model))
    graph.add_node("assemble", _timed("assemble", nodes.assemble, model))
    graph.add_node("review", _timed("review", nodes.review, model))
    graph.add_node("revise_section", _timed("revise_section", nodes.revise_section, model))
    graph.add_node("emit", _timed("emit", nodes.emit, model, pass_thread=True))

    graph.add_edge(START, "ingest")
    graph.add_edge("ingest", "decide")
    graph.add_conditional_edges("decide", fan_out, ["draft_section"])
    graph.add_edge("draft_section", "assemble")
    graph.add_edge("assemble", "review")
    graph.add_conditional_edges("review", after_review, ["revise_section", done])
    if settings.require_approval:
        graph.add_node("approval", _timed("approval", approval_gate, model))
        graph.add_conditional_edges("approval", after_approval, ["emit", END])
    graph.add_edge("revise_section", "assemble")
    graph.add_edge("emit", END)

    compiled = graph.compile(checkpointer=checkpointer, name=GRAPH_NAME)
    return compiled.with_config(
        recursion_limit=settings.recursion_limit(), max_concurrency=settings.graph_threads()
    )
