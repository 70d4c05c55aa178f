"""The scripted model behind the fake server, instrumented for benchmarks.

Both designs talk to the same kind of model:

* opsrelay's decisions (and fact proposals) are answered by
  :func:`opsrelay.testing.devops_model.devops_responder`, i.e. with what the offline engine
  decides; its section requests (and revisions) with the sections of the offline guide
  (:func:`opsrelay.agents.devops.render_offline`), looked up by the heading the responder
  writes;
* the straightforward design's whole-document requests are answered with that whole guide, so
  both designs receive the same content, only cut differently;
* at a target guide length (the length sweep), the guide is scaled first (:mod:`bench.scale`):
  its sections are shrunk by the factor that brings the whole guide to the target, so that both
  designs still receive the same sections. Decisions and the critique do not grow with the guide
  and are not scaled;
* the critic request (the same prompt in both designs) gets one shared, realistic critique: six
  verdicts with one-line reasons that quote a concrete value of the draft, about 300 tokens.

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

from bench.scale import ScaledGuide, scaled_offline_guide, section_heading
from opsrelay.facts.model import QAFacts
from opsrelay.testing.devops_model import between, devops_responder, facts_from_messages
from opsrelay.testing.fake_openai import CHARS_PER_TOKEN, Latency, Reply, estimate_tokens

__all__ = [
    "BENCH_DATE",
    "NAIVE_DRAFT_MARK",
    "NAIVE_REWRITE_MARK",
    "Call",
    "ScriptedModel",
    "critique_for",
    "guide_for",
    "model_free_headings",
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

_MEMO: dict[str, tuple[Reply, ScaledGuide | None]] = {}
_MEMO_LOCK = threading.Lock()
_GUIDES: dict[tuple[str, int | None, bool], ScaledGuide] = {}
_GUIDES_LOCK = threading.Lock()


@dataclass(frozen=True)
class Call:
    """One chat request as the scripted model saw it."""

    label: str
    """facts, decide, section, revise, critic, draft_doc or rewrite_doc; ``:retry`` appended if re-asked."""
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
    elif schema == "FactProposals":
        label = "facts"
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


_FIGURE = re.compile(
    r"(?:[\w/+()-]+\s+){1,3}[<>≤≥]?\s*\d[\d.,]*\s*"
    r"(?:%|ms\b|s\b|seconds?\b|minutes?\b|hours?\b|days?\b|GiB\b|GB\b|vCPU\b|requests/s\b|instances\b|replicas\b)"
)


def _concrete_value(text: str) -> str:
    """One short concrete value of a section: a figure with its unit and a few words before it,
    else the first number with the words around it."""
    lines, code = [], False
    for raw in text.splitlines():
        if raw.lstrip().startswith("```"):
            code = not code
        elif not code:
            line = re.sub(r"\*\*[^*]+\*\*:\s*", "", raw)  # the label is the template's, not the draft's
            lines.append(re.sub(r"\s*\(QA: [^()]*\)|`|\\", "", line).strip(" -*|#>\t"))
    for line in lines:
        if m := _FIGURE.search(line):
            return " ".join(m.group(0).split()).replace("'", "’")
    for line in lines:
        words = line.split()
        at = next((i for i, w in enumerate(words) if re.search(r"\d", w)), None)
        if at is not None:
            return " ".join(words[max(0, at - 2) : at + 2]).strip(" ,;:.").replace("'", "’")
    return ""


def critique_for(draft: str, *, reject: str | None = None) -> dict[str, Any]:
    """A realistic critique of ``draft`` in the critic's format (:class:`CriticReport`), ~300 tokens.

    Six verdicts, one per standard, each with a one-line reason quoting one concrete value of
    its section; ``reject`` names the one standard found unmet (with its section and one fix).
    """
    verdicts = []
    for standard, heading in STANDARDS:
        value = _concrete_value(_section(draft, heading))
        quoted = f"'{value}'" if value else "no concrete value"
        met = standard != reject
        reason = (
            f"{heading} states {quoted}, measurable and tied to QA evidence."
            if met
            else f"{heading} states {quoted} but names no owner or escalation route."
        )
        verdicts.append(
            {
                "standard": standard,
                "reason": reason,
                "met": met,
                "section": None if met else heading,
                "fix": None if met else f"Give every alert in {heading} an owner and an escalation route.",
            }
        )
    return {"verdicts": verdicts}


def model_free_headings() -> frozenset[str]:
    """Headings of the sections opsrelay renders itself instead of asking the model for them."""
    from opsrelay.agents.devops.llm import DERIVED_SECTIONS
    from opsrelay.template import SECTION_BY_KEY

    return frozenset(SECTION_BY_KEY[k].heading for k in DERIVED_SECTIONS)


def guide_for(facts: QAFacts, length: int | None, *, derived_full: bool = False) -> ScaledGuide:
    """The offline guide for ``facts`` scaled to ``length`` tokens (None: as it is), memoised.

    ``derived_full``: the sections opsrelay renders itself (:func:`model_free_headings`) stay
    whole, so that the straightforward design's document equals opsrelay's final one.
    """
    digest = hashlib.blake2b(facts.model_dump_json().encode(), digest_size=20).hexdigest()
    key = (digest, length, derived_full)
    with _GUIDES_LOCK:
        hit = _GUIDES.get(key)
    if hit is None:
        fixed = model_free_headings() if derived_full else frozenset()
        hit = scaled_offline_guide(facts, length, date=BENCH_DATE, fixed=fixed)
        with _GUIDES_LOCK:
            _GUIDES[key] = hit
    return hit


def _memo_key(body: dict[str, Any], length: int | None, derived_full: bool) -> str:
    fmt = body.get("response_format") or {}
    name = (fmt.get("json_schema") or {}).get("name") if isinstance(fmt, dict) else None
    raw = json.dumps([name, length, derived_full, body.get("messages")], sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(raw.encode(), digest_size=20).hexdigest()


def _answer(
    body: dict[str, Any], label: str, length: int | None, derived_full: bool
) -> tuple[Reply, ScaledGuide | None]:
    """The scripted answer (memoised), and the scaled guide it was cut from (None for decisions)."""
    key = _memo_key(body, length, derived_full)
    with _MEMO_LOCK:
        hit = _MEMO.get(key)
    if hit is not None:
        return hit
    kind = label.split(":", maxsplit=1)[0]
    guide = None
    if kind in ("section", "revise", "draft_doc", "rewrite_doc"):
        facts = facts_from_messages(body.get("messages") or [])
        guide = guide_for(facts, length, derived_full=derived_full)
    if guide is not None and kind in ("draft_doc", "rewrite_doc"):
        reply = Reply.text(guide.markdown)
    else:
        reply = devops_responder(body)
        if guide is not None and kind in ("section", "revise") and reply.kind == "content" and reply.content:
            # The very section the straightforward design's document has (the responder writes it
            # from the decisions in the request, which opsrelay trims per section: same content,
            # but not always the same words); the responder's own, scaled, if the guide lacks it.
            heading = section_heading(reply.content)
            reply = Reply.text((heading and guide.section_named(heading)) or guide.section(reply.content))
    with _MEMO_LOCK:
        _MEMO[key] = (reply, guide)
    return reply, guide


class ScriptedModel:
    """A responder for :class:`~opsrelay.testing.fake_openai.FakeOpenAI` that records every call.

    Args:
        latency: the same latency model the fake server is given (used to compute each call's
            simulated end time exactly as the server does).
        enforce_max_tokens: the server truncates answers longer than the request's limit (as a
            real server does); then the recorded delay is that of the truncated answer.
        critic_rejects: how many critic calls (first ones) find one unmet standard, which makes
            opsrelay revise a section and review again. 0: the first draft is approved.
        length: the target guide length in tokens (:mod:`bench.scale`); None: the offline
            engine's own length.
        derived_full: the sections opsrelay renders itself are not scaled (see :func:`guide_for`).

    """

    def __init__(
        self,
        latency: Latency,
        *,
        enforce_max_tokens: bool = True,
        critic_rejects: int = 0,
        length: int | None = None,
        derived_full: bool = False,
    ) -> None:
        self.latency = latency
        self.derived_full = derived_full
        self.enforce_max_tokens = enforce_max_tokens
        self.critic_rejects = critic_rejects
        self.length = length
        self.guides: dict[str, ScaledGuide] = {}
        """The scaled guide of every QA report answered so far, by source name."""
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
            reply, guide = _answer(body, label, self.length, self.derived_full)
            if guide is not None:
                with self._lock:
                    self.guides.setdefault(guide.source_name, guide)
        ready = time.perf_counter()
        tokens = estimate_tokens(reply.content or "")
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        truncated = self.enforce_max_tokens and isinstance(limit, int) and tokens > limit
        if truncated and isinstance(limit, int):
            tokens = estimate_tokens((reply.content or "")[: limit * CHARS_PER_TOKEN])
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
