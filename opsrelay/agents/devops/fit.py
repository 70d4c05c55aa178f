"""Fit every request into the model's context window (issue 10), shrinking in a defined order.

A request fits when ``prompt tokens + max output tokens + margin <= window``; the margin
(:func:`margin`) covers the chat template's own tokens and the difference between opsrelay's
count and the server's tokenizer. When a request would not fit, it is shrunk in this order:

1. **decisions**: only the decision fields the section needs (:data:`SECTION_DECISIONS`)
   instead of all of them (a per-call change: the shared prefix stays as it is);
2. **QA document**: the QA facts plus the lines they cite (± :data:`CONTEXT_LINES`) instead
   of the whole document, then the facts alone (:class:`QAView`). This is part of the static
   prefix, so it is chosen **once per run**, from the largest need among the decide call and
   the section calls: every call of a run then shares one prefix (prompt caching);
3. **max output tokens**, lowered down to a floor (:data:`MAX_TOKENS_FLOOR`);
4. **the critic** judges a digest of the guide (headings, labelled fields, the first lines of
   each block) instead of the whole text, cut to what fits.

When even the smallest form does not fit, that call alone falls back (offline section,
offline decisions, rubric-only review) and the reason is recorded.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from opsrelay.agents.devops.decisions import Decisions
from opsrelay.models.base import ChatMessage

# 5 % of the window plus 64 tokens: the chat template's per-message tokens and the gap between
# an estimate (or another tokenizer) and the server's own count.
MARGIN_FRACTION = 0.05
MARGIN_TOKENS = 64
# Per-message overhead added when messages are counted one by one (role markers, separators).
PER_MESSAGE_TOKENS = 4
# Lines of context kept around each cited line in the cited-lines view of the QA document.
CONTEXT_LINES = 2
# The least output worth asking for, per call kind: below it answers are cut off and re-asked.
MAX_TOKENS_FLOOR: dict[str, int] = {"decide": 1536, "section": 768, "critic": 512, "facts": 512}
# The smallest digest of the guide worth sending to the critic (characters).
MIN_DIGEST_CHARS = 1200


def margin(window: int) -> int:
    """Tokens kept free in a window of ``window`` tokens (documented at module level)."""
    return math.ceil(window * MARGIN_FRACTION) + MARGIN_TOKENS


def room(window: int, prompt_tokens: int) -> int:
    """Output tokens a prompt of ``prompt_tokens`` leaves in ``window`` (may be negative)."""
    return window - margin(window) - prompt_tokens


class QAView(StrEnum):
    """How much of the QA document the static prefix carries, largest first."""

    FULL = "full"  # the whole (redacted) document and the facts
    CITED = "cited"  # the facts and the lines they cite, with context
    FACTS = "facts"  # the facts alone


QA_VIEWS: tuple[QAView, ...] = (QAView.FULL, QAView.CITED, QAView.FACTS)


# Which decision fields each section is written from (read off the offline writers). The
# service name and the release path are needed everywhere; reasoning is never needed to write.
_COMMON = ("service_name", "delivery", "release_gate")
SECTION_DECISIONS: dict[str, tuple[str, ...]] = {
    "deployment_overview": (
        "hosting",
        "platform",
        "deployment",
        "ci",
        "runtimes",
        "environments",
        "datastores",
        "observability",
        "slo",
        "capacity",
        "alert_routing",
        "services",
    ),
    "infrastructure_architecture": (
        "hosting",
        "platform",
        "environments",
        "datastores",
        "capacity",
        "services",
    ),
    "cicd_pipeline": (
        "ci",
        "runtimes",
        "test_commands",
        "environments",
        "deployment",
        "platform",
        "hosting",
        "datastores",
        "services",
    ),
    "monitoring_observability": ("observability", "slo", "capacity", "datastores", "alert_routing"),
    "alerting_configuration": ("alert_routing", "slo", "datastores", "capacity", "observability"),
    "security_compliance": ("hosting", "platform", "runtimes"),
    "backup_disaster_recovery": ("recovery", "datastores", "hosting", "alert_routing", "slo"),
    "incident_response": ("alert_routing", "slo", "recovery", "hosting"),
    "performance_optimization": ("capacity", "slo", "datastores", "hosting", "alert_routing"),
    "cost_management": ("hosting", "platform", "capacity", "datastores"),
    "operational_runbooks": ("datastores", "recovery", "slo", "capacity", "deployment"),
    "quality_gates": ("test_commands", "slo"),
    "assumptions": ("assumptions",),
}


def decisions_json(decisions: Decisions, section: str | None = None) -> str:
    """The decisions as JSON: all of them, or only what ``section`` is written from.

    A section's form leaves out the evidence lists (the QA document and its facts, in the
    shared prefix, carry the lines) and the reasoning: it exists to save tokens that are paid
    for once per section call.
    """
    if section is None:
        return decisions.model_dump_json(indent=1)
    fields = set(_COMMON) | set(SECTION_DECISIONS.get(section, ()))
    data = decisions.model_dump(mode="json", include={f for f in fields if f in type(decisions).model_fields})
    # Compact: this form exists to save tokens (indentation alone is a fifth of the JSON).
    return json.dumps(_without_evidence(data), ensure_ascii=False, separators=(",", ":"))


def _without_evidence(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_evidence(v) for k, v in node.items() if not k.endswith("evidence")}
    if isinstance(node, list):
        return [_without_evidence(v) for v in node]
    return node


def evidence_refs(node: Any) -> Iterator[tuple[str, int, str]]:
    """Every evidence reference (source, line, text) in dumped facts (JSON-like dicts and lists)."""
    if isinstance(node, dict):
        if {"source", "line", "text"} <= set(node) and isinstance(node.get("line"), int):
            yield str(node["source"]), int(node["line"]), str(node["text"])
        for value in node.values():
            yield from evidence_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from evidence_refs(value)


def without_quoted_text(node: Any, source: str) -> Any:
    """Dumped facts whose evidence on lines of ``source`` keeps the line number, not the text.

    For a prompt that carries ``source`` itself, numbered: the line is right there. Evidence from
    other inputs (JUnit, coverage) keeps its text.
    """
    if isinstance(node, dict):
        if {"source", "line", "text"} <= set(node) and node["source"] == source and node["line"]:
            return {k: v for k, v in node.items() if k != "text"}
        return {k: without_quoted_text(v, source) for k, v in node.items()}
    if isinstance(node, list):
        return [without_quoted_text(v, source) for v in node]
    return node


def numbered(text: str) -> str:
    """``text`` with each line prefixed by its 1-based number (``"12: …"``), for citations."""
    return "\n".join(f"{n}: {line}" for n, line in enumerate(text.splitlines(), 1))


def cited_excerpt(text: str, facts: Mapping[str, Any], *, context: int = CONTEXT_LINES) -> str:
    """The lines of ``text`` the facts cite, each with ``context`` lines around it, numbered.

    Gaps are marked with ``…`` so the model does not read two distant lines as one passage.
    """
    lines = text.splitlines()
    cited = {line for _, line, _ in evidence_refs(facts) if line > 0}
    keep: set[int] = set()
    for n in cited:
        keep.update(range(max(1, n - context), min(len(lines), n + context) + 1))
    out: list[str] = []
    last = 0
    for n in sorted(keep):
        if n != last + 1:
            out.append("…")
        out.append(f"{n}: {lines[n - 1]}")
        last = n
    if keep and last < len(lines):
        out.append("…")
    return "\n".join(out)


# --- counting -------------------------------------------------------------------------------------


class Counter:
    """Token counts for messages, from the backend's tokenizer when it has one, else an estimate.

    Messages are counted one at a time (and cached by content), so the shared prefix is counted
    once per run however many calls reuse it.
    """

    def __init__(self, count: Callable[[Sequence[ChatMessage]], int] | None) -> None:
        self._count = count
        self._cache: dict[tuple[str, str], int] = {}
        self.method = "backend" if count is not None else "estimate"

    def message(self, message: ChatMessage) -> int:
        """Tokens of one message's content (without the per-message overhead)."""
        key = (message.role, message.content)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        tokens: int | None = None
        if self._count is not None:
            try:
                tokens = int(self._count([message]))
            except Exception:  # a tokenizer endpoint that fails must not cost the call
                tokens = None
        if tokens is None:
            tokens = estimate(message.content)
        self._cache[key] = tokens
        return tokens

    def messages(self, messages: Sequence[ChatMessage]) -> int:
        """Prompt tokens of ``messages`` (sum of the messages plus per-message overhead)."""
        return sum(self.message(m) + PER_MESSAGE_TOKENS for m in messages) + 3


def estimate(text: str) -> int:
    """A conservative token estimate without a tokenizer: ~3 characters per token.

    English prose runs ~4 characters per token in OpenAI's and Llama's tokenizers; tables,
    code, JSON and non-Latin scripts run denser, so 3 errs on the side of fitting.
    """
    return math.ceil(len(text) / 3) + 1


# --- choosing a form --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fitted:
    """A request that fits: its messages, the output tokens to ask for, and how it was shrunk."""

    messages: tuple[ChatMessage, ...]
    max_tokens: int
    prompt_tokens: int
    form: str


@dataclass(frozen=True)
class NoFit:
    """Why no form of a request fits the window."""

    reason: str


def fit_request(
    forms: Sequence[tuple[str, tuple[ChatMessage, ...]]],
    *,
    counter: Counter,
    window: int | None,
    max_tokens: int,
    floor: int,
    extra_tokens: int = 0,
) -> Fitted | NoFit:
    """Choose the form of a request to send, and its output cap.

    The first of ``forms`` (largest first) that fits with ``max_tokens``; else the smallest
    form with max tokens lowered (not below ``floor``); else :class:`NoFit`.
    With an unknown window (``None``) the first form is used as it is. ``extra_tokens`` are
    prompt tokens the backend adds itself (a JSON schema stated in the prompt in JSON mode).
    """
    if window is None:
        label, messages = forms[0]
        return Fitted(messages, max_tokens, counter.messages(messages) + extra_tokens, label)
    counted: list[tuple[str, tuple[ChatMessage, ...], int]] = []
    for label, messages in forms:
        tokens = counter.messages(messages) + extra_tokens
        if room(window, tokens) >= max_tokens:
            return Fitted(messages, max_tokens, tokens, label)
        counted.append((label, messages, tokens))
    label, messages, tokens = min(counted, key=lambda c: c[2])
    allowed = room(window, tokens)
    if allowed >= floor:
        return Fitted(messages, min(max_tokens, allowed), tokens, f"{label}, max_tokens {allowed}")
    return NoFit(
        f"does not fit the {window:,}-token context window even in its smallest form "
        f"({tokens:,} prompt tokens + {floor:,} output + {margin(window):,} margin)"
    )


# --- the critic's digest -----------------------------------------------------------------------------

_FIELD = re.compile(r"^\s*[-*]\s+\*\*[^*]+\*\*")
_HEADING = re.compile(r"^#{1,6}\s")


def digest(draft: str, budget_chars: int) -> str:
    """A shorter view of the guide for the critic, at most ``budget_chars`` characters.

    Keeps every heading and labelled field line (``- **Label**: …``, cut to 200 characters),
    replaces code blocks by a one-line note with their language and length, keeps the first
    rows of each table, and then cuts each section to an equal share of what is left, so no
    section disappears from the critic's view.
    """
    sections: list[list[str]] = [[]]
    in_code = False
    code_lang = ""
    code_lines = 0
    table_rows = 0
    for line in draft.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            if in_code:
                sections[-1].append(f"[{code_lang or 'code'} block, {code_lines} lines]")
                in_code = False
            else:
                in_code, code_lang, code_lines = True, stripped[3:].strip(), 0
            continue
        if in_code:
            code_lines += 1
            continue
        if line.startswith("## "):
            sections.append([line])
            table_rows = 0
            continue
        if stripped.startswith("|"):
            table_rows += 1
            if table_rows > 4:
                continue
        else:
            table_rows = 0
        if _HEADING.match(line) or _FIELD.match(line):
            sections[-1].append(line[:200])
        elif stripped:
            sections[-1].append(line[:160])
    blocks = ["\n".join(s) for s in sections if s]
    text = "\n\n".join(blocks)
    if len(text) <= budget_chars:
        return text
    share = max(80, budget_chars // max(1, len(blocks)) - 2)
    return "\n\n".join(b if len(b) <= share else b[: share - 2].rstrip() + " …" for b in blocks)
