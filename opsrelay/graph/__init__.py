"""LangGraph wiring of the DevOps stage."""

from opsrelay.graph.builder import build_graph

__all__ = ["build_graph"]
