"""The scripted model behind the fake server, instrumented for benchmarks.

Both designs talk to the same kind of model:

* opsrelay's requests (decisions, sections, revisions) are answered by
  :func:`opsrelay.testing.devops_model.devops_responder`, i.e. with what the offline engine
  writes;
* the straightforward design's whole-document requests are answered with the whole offline
  document (:func:`opsrelay.agents.devops.render_offline`), so both designs receive the same
  content, only cut differently;
* the critic request (the same prompt in both designs) gets one shared, realistic critique: six
  judgements with reasons that quote the draft, about 100 tokens each.

Answers are memoised by request content, so that after a warm-up the scripted model costs
microseconds of CPU and does not compete with the framework being measured. Every request is
recorded with the interval during which the fake server "generates" it (time in the responder
plus the latency model's delay): the union of these intervals is the simulated model time of a
run, and what is left of the wall time is framework overhead.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from opsrelay.agents.devops import render_offline
from opsrelay.testing.devops_model import between, devops_responder, facts_from_messages
from opsrelay.testing.fake_openai import CHARS_PER_TOKEN, Latency, Reply, estimate_tokens

__all__ = [
    "BENCH_DATE",
    "NAIVE_DRAFT_MARK",
    "NAIVE_REWRITE_MARK",
    "Call",
    "ScriptedModel",
    "critique_for",
    "union_seconds",
]

BENCH_DATE = "2026-11-21"
NAIVE_DRAFT_MARK = "Write the complete OPERATIONS.md now"
NAIVE_REWRITE_MARK = "Rewrite the complete OPERATIONS.md"

# The six Quality Standards and the section that carries each one.
STANDARDS: tuple[tuple[str, str], ...] = (
    ("pipeline", "CI/CD Pipeline"),
    ("monitoring", "Monitoring & Observability"),
    ("incident response", "Incident Response"),
    ("security", "Security & Compliance"),
    ("scalability", "Performance Optimization"),
    ("runbooks", "Operational Runbooks"),
)

_MEMO: dict[str, Reply] = {}
_MEMO_LOCK = threading.Lock()


@dataclass(frozen=True)
class Call:
    """One chat request as the scripted model saw it."""

    label: str
    """decide, section, revise, critic, draft_doc or rewrite_doc; ``:retry`` appended if re-asked."""
    start: float
    """``time.perf_counter()`` when the responder was called (the request has been read)."""
    end: float
    """When the simulated answer is complete: start + responder time + latency-model delay."""
    output_tokens: int
    """Tokens the fake server bills for the answer (after truncation)."""
    truncated: bool
    """The answer was cut at the request's ``max_completion_tokens`` (``finish_reason=length``)."""


def _last_user(messages: list[dict[str, Any]]) -> str:
    for m in reversed(messages):
        if m.get("role") == "user":
            return str(m.get("content") or "")
    return ""


def classify(body: dict[str, Any]) -> str:
    """Label a request by what it asks for (see :attr:`Call.label`)."""
    messages = body.get("messages") or []
    fmt = body.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("name") if isinstance(fmt, dict) else None
    retry = any("Your answer could not be used" in str(m.get("content") or "") for m in messages)
    last = _last_user(messages)
    if schema == "Decisions":
        label = "decide"
    elif schema == "CriticReport":
        label = "critic"
    elif NAIVE_DRAFT_MARK in last:
        label = "draft_doc"
    elif NAIVE_REWRITE_MARK in last:
        label = "rewrite_doc"
    elif any("The reviewer rejected the section" in str(m.get("content") or "") for m in messages):
        label = "revise"
    else:
        label = "section"
    return f"{label}:retry" if retry else label


def _section(draft: str, heading: str) -> str:
    m = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", draft, re.M | re.S)
    return m.group(1) if m else ""


def _evidence_lines(text: str, limit: int = 3) -> list[str]:
    """Lines of a section that carry concrete values (digits), shortened for quoting."""
    out = []
    for raw in text.splitlines():
        line = raw.strip(" -*|#>\t")
        if len(line) > 20 and re.search(r"\d", line) and not line.startswith(("```", "uses:")):
            out.append(re.sub(r"\s+", " ", line)[:140])
        if len(out) == limit:
            break
    return out


def critique_for(draft: str, *, reject: str | None = None) -> dict[str, Any]:
    """A realistic critique of ``draft``: six judgements with quoted reasons; ``reject`` names one unmet."""
    judgements = []
    for standard, heading in STANDARDS:
        quotes = _evidence_lines(_section(draft, heading))
        cited = "; ".join(f"'{q}'" for q in quotes) or "no concrete values"
        met = standard != reject
        reasons = (
            f"The {heading} section is specific: {cited}. These are measurable and tied to the QA "
            f"evidence where the report has it, and the assumptions are labelled as such."
        )
        fixes: list[str] = []
        if not met:
            reasons += (
                " But several items lack an owner and an escalation route, so on-call cannot act on them."
            )
            fixes = [
                f"In {heading}, give every alert and dashboard an owner and a route.",
                f"In {heading}, state the duration for every threshold.",
            ]
        judgements.append(
            {
                "standard": standard,
                "reasons": reasons,
                "met": met,
                "section": None if met else heading,
                "fixes": fixes,
            }
        )
    return {"judgements": judgements}


def _memo_key(body: dict[str, Any]) -> str:
    fmt = body.get("response_format") or {}
    name = (fmt.get("json_schema") or {}).get("name") if isinstance(fmt, dict) else None
    raw = json.dumps([name, body.get("messages")], sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(raw.encode(), digest_size=20).hexdigest()


def _answer(body: dict[str, Any], label: str) -> Reply:
    key = _memo_key(body)
    with _MEMO_LOCK:
        hit = _MEMO.get(key)
    if hit is not None:
        return hit
    messages = body.get("messages") or []
    if label.startswith(("draft_doc", "rewrite_doc")):
        reply = Reply.text(render_offline(facts_from_messages(messages), date=BENCH_DATE))
    else:
        reply = devops_responder(body)
    with _MEMO_LOCK:
        _MEMO[key] = reply
    return reply


class ScriptedModel:
    """A responder for :class:`~opsrelay.testing.fake_openai.FakeOpenAI` that records every call.

    Args:
        latency: the same latency model the fake server is given (used to compute each call's
            simulated end time exactly as the server does).
        enforce_max_tokens: the server truncates answers longer than the request's limit (as a
            real server does); then the recorded delay is that of the truncated answer.
        critic_rejects: how many critic calls (first ones) find one unmet standard, which makes
            opsrelay revise a section and review again. 0: the first draft is approved.

    """

    def __init__(self, latency: Latency, *, enforce_max_tokens: bool = True, critic_rejects: int = 0) -> None:
        self.latency = latency
        self.enforce_max_tokens = enforce_max_tokens
        self.critic_rejects = critic_rejects
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._critics = 0

    def __call__(self, body: dict[str, Any]) -> Reply:
        """Answer one request body (called by the fake server, one thread per request)."""
        start = time.perf_counter()
        label = classify(body)
        if label.startswith("critic"):
            with self._lock:
                self._critics += 1
                reject = "monitoring" if self._critics <= self.critic_rejects else None
            draft = between(_last_user(body.get("messages") or []), "draft") or ""
            reply = Reply.json(critique_for(draft, reject=reject))
        else:
            reply = _answer(body, label)
        ready = time.perf_counter()
        tokens = estimate_tokens(reply.content or "")
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        truncated = bool(self.enforce_max_tokens and isinstance(limit, int) and tokens > limit)
        if truncated:
            tokens = estimate_tokens((reply.content or "")[: int(limit) * CHARS_PER_TOKEN])
        call = Call(label, start, ready + self.latency.seconds(tokens), tokens, truncated)
        with self._lock:
            self.calls.append(call)
        return reply

    def snapshot(self) -> list[Call]:
        """The calls recorded so far (a copy)."""
        with self._lock:
            return list(self.calls)


def union_seconds(intervals: list[tuple[float, float]], lo: float, hi: float) -> float:
    """Length of the union of ``intervals`` clipped to ``[lo, hi]``."""
    total = 0.0
    cur_start: float | None = None
    cur_end = lo
    for start, end in sorted((max(s, lo), min(e, hi)) for s, e in intervals):
        if end <= start:
            continue
        if cur_start is None or start > cur_end:
            if cur_start is not None:
                total += cur_end - cur_start
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    if cur_start is not None:
        total += cur_end - cur_start
    return total
