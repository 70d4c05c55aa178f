"""Run handoffs of either design against an instrumented fake server, and measure them."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from bench.naive import bench_backend, run_naive
from bench.scripted import BENCH_DATE, Call, ScriptedModel, union_seconds
from opsrelay.models.limit import RequestLimiter
from opsrelay.testing.fake_openai import FakeOpenAI, Latency

__all__ = ["MODEL", "BatchResult", "Design", "Task", "run_batch"]

MODEL = "openai:gpt-4.1-mini"
API_KEY = "sk-bench-not-a-key"
Design = Literal["naive", "opsrelay"]
T = TypeVar("T")


@dataclass
class BatchResult:
    """N handoffs of one design run at once in this process against one fake server."""

    design: Design
    reports: list[str]
    latency: tuple[float, float | None]
    concurrency: int
    scenario: str
    length: int | None = None
    """Target guide length in tokens (:mod:`bench.scale`); None: the offline engine's length."""
    guide_tokens: int = 0
    """Tokens of the (scaled) guide both designs were given for the first report."""
    wall_s: float = 0.0
    """From the first handoff's start to the last one's end."""
    model_s: float = 0.0
    """Wall time during which at least one simulated model generation was in progress."""
    overhead_s: float = 0.0
    """``wall_s - model_s``: time in which the run waited on nothing but itself."""
    calls: int = 0
    server_calls: int = 0
    tokens_in: int = 0
    cached_tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    peak_in_flight: int = 0
    truncated: int = 0
    labels: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per request kind, in order of first request: calls, re-asks, output tokens, simulated seconds
    (summed) and span (first start to last simulated end, re-asks included)."""
    phases: list[dict[str, Any]] = field(default_factory=list)
    """Consecutive requests of one kind, in time order (meaningful for N = 1): the critical path."""
    gaps: dict[str, float] = field(default_factory=dict)
    """Overhead by position: seconds with no simulated generation in progress, keyed by what came
    before and after (``start→decide``, ``section→critic``, ``critic→end``, …)."""
    verdicts: list[str] = field(default_factory=list)
    stop_reasons: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    """The final OPERATIONS.md of every handoff (not in the JSON output)."""
    started_at: float = 0.0
    error: str | None = None

    @property
    def n(self) -> int:
        """Handoffs in the batch."""
        return len(self.reports)

    @property
    def overhead_share(self) -> float:
        """Framework overhead as a share of wall time."""
        return self.overhead_s / self.wall_s if self.wall_s else 0.0

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (without the documents)."""
        data = asdict(self)
        data.pop("documents")
        data["n"] = self.n
        data["overhead_share"] = self.overhead_share
        return data


def _one_opsrelay(
    path: Path, base_url: str, concurrency: int, timeout_s: float, limiter: RequestLimiter | None = None
) -> dict[str, Any]:
    from opsrelay import run_handoff

    # The backend run_handoff would build, but with this batch's own request limiter.
    backend = bench_backend(
        MODEL,
        base_url=base_url,
        api_key=API_KEY,
        timeout_s=timeout_s,
        limiter=limiter,
        concurrency=concurrency,
    )
    result = run_handoff(
        path,
        model=MODEL,
        backend=backend,
        base_url=base_url,
        api_key=API_KEY,
        out_dir=None,
        date=BENCH_DATE,
        concurrency=concurrency,
        timeout_s=timeout_s,
    )
    run = result.handoff.run
    assert run is not None, "an LLM handoff records its run"
    return {
        "calls": run.llm_calls,
        "tokens_in": run.tokens_in,
        "tokens_out": run.tokens_out,
        "cached_tokens_in": run.cached_tokens_in,
        "cost_usd": run.cost_usd,
        "verdict": f"{result.review.verdict} {result.review.score}",
        "stop_reason": str(result.stop_reason),
        "document": result.operations_md,
    }


def _one_naive(
    path: Path, base_url: str, timeout_s: float, limiter: RequestLimiter | None = None
) -> dict[str, Any]:
    result = run_naive(
        path, model=MODEL, base_url=base_url, api_key=API_KEY, timeout_s=timeout_s, limiter=limiter
    )
    return {
        "calls": result.calls,
        "tokens_in": result.tokens_in,
        "tokens_out": result.tokens_out,
        "cached_tokens_in": result.cached_tokens_in,
        "cost_usd": result.cost_usd,
        "verdict": "",
        "stop_reason": "rewritten",
        "document": result.document,
    }


def run_batch(
    design: Design,
    reports: Sequence[Path],
    *,
    latency: Latency,
    concurrency: int,
    enforce_max_tokens: bool = True,
    critic_rejects: int = 0,
    timeout_s: float = 600.0,
    t_zero: float = 0.0,
    length: int | None = None,
    derived_full: bool = False,
) -> BatchResult:
    """Run ``len(reports)`` handoffs of ``design`` at once (one thread each) against a fresh fake server.

    ``concurrency`` is opsrelay's cap on model requests in flight, which opsrelay counts over the
    whole process: the batch gets a request limiter of its own (as if it ran alone in a process),
    shared by its handoffs, so N handoffs share ``concurrency`` slots; the straightforward design
    has no parallelism inside a handoff. A fresh server means a cold prefix cache and a
    peak-in-flight counter of this batch alone. ``length`` is the target guide
    length in tokens: the scripted model's sections and documents are scaled to it;
    ``derived_full`` keeps the sections opsrelay renders itself whole (see ``bench.scripted``).
    """
    scenario = "revise" if critic_rejects else "approve"
    out = BatchResult(
        design=design,
        reports=[p.name for p in reports],
        latency=(latency.ttft_s, latency.tokens_per_s),
        concurrency=concurrency,
        scenario=scenario,
        length=length,
    )
    model = ScriptedModel(
        latency,
        enforce_max_tokens=enforce_max_tokens,
        critic_rejects=critic_rejects,
        length=length,
        derived_full=derived_full,
    )
    results: list[dict[str, Any] | BaseException] = [RuntimeError("not run")] * len(reports)
    # opsrelay caps requests in flight over the whole process; a batch is one "process" of its
    # own, so that concurrent jobs of the benchmark never wait for each other's requests.
    limiter = RequestLimiter()

    with FakeOpenAI(model, latency=latency, max_hang_s=3600.0, enforce_max_tokens=enforce_max_tokens) as fake:

        def one(i: int, path: Path) -> None:
            try:
                if design == "opsrelay":
                    results[i] = _one_opsrelay(path, fake.base_url, concurrency, timeout_s, limiter)
                else:
                    results[i] = _one_naive(path, fake.base_url, timeout_s, limiter)
            except BaseException as exc:
                results[i] = exc
                traceback.print_exc()

        start = time.perf_counter()
        if len(reports) == 1:
            one(0, reports[0])
        else:
            threads = [threading.Thread(target=one, args=(i, p), daemon=True) for i, p in enumerate(reports)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        end = time.perf_counter()
        out.peak_in_flight = fake.peak_in_flight
        out.server_calls = len(fake.chat_requests)

    calls = model.snapshot()
    guide = model.guides.get(reports[0].name) if reports else None
    out.guide_tokens = guide.tokens if guide else 0
    out.started_at = start - t_zero
    out.wall_s = end - start
    out.model_s = union_seconds([(c.start, c.end) for c in calls], start, end)
    out.overhead_s = max(0.0, out.wall_s - out.model_s)
    out.truncated = sum(c.truncated for c in calls)
    bounds: dict[str, tuple[float, float]] = {}
    for c in sorted(calls, key=lambda c: c.start):
        kind = c.label.split(":")[0]
        row = out.labels.setdefault(
            kind, {"calls": 0, "retries": 0, "output_tokens": 0, "sim_s": 0.0, "span_s": 0.0}
        )
        row["calls"] += 1
        row["retries"] += c.label.endswith(":retry")
        row["output_tokens"] += c.output_tokens
        row["sim_s"] += c.end - c.start
        lo, hi = bounds.get(kind, (c.start, c.end))
        bounds[kind] = (min(lo, c.start), max(hi, c.end))
        row["span_s"] = bounds[kind][1] - bounds[kind][0]
        if not out.phases or out.phases[-1]["kind"] != kind:
            out.phases.append({"kind": kind, "calls": 0, "output_tokens": 0, "start": c.start, "end": c.end})
        phase = out.phases[-1]
        phase["calls"] += 1
        phase["output_tokens"] += c.output_tokens
        phase["end"] = max(phase["end"], c.end)
    for phase in out.phases:
        phase["span_s"] = phase.pop("end") - phase.pop("start")
    out.gaps = overhead_gaps(calls, start, end)
    for r in results:
        if isinstance(r, BaseException):
            out.error = f"{type(r).__name__}: {r}"
            continue
        out.calls += r["calls"]
        out.tokens_in += r["tokens_in"]
        out.tokens_out += r["tokens_out"]
        out.cached_tokens_in += r["cached_tokens_in"]
        out.cost_usd += r["cost_usd"]
        out.verdicts.append(r["verdict"])
        out.stop_reasons.append(r["stop_reason"])
        if r["document"] is not None:
            out.documents.append(r["document"])
    return out


def overhead_gaps(calls: Sequence[Call], lo: float, hi: float) -> dict[str, float]:
    """Split ``[lo, hi]`` minus the calls' intervals by position: ``<kind before>→<kind after>``."""
    gaps: dict[str, float] = {}
    cursor, before = lo, "start"
    for c in sorted(calls, key=lambda c: c.start):
        kind = c.label.split(":")[0]
        if c.start > cursor:
            key = f"{before}→{kind}"
            gaps[key] = gaps.get(key, 0.0) + (min(c.start, hi) - cursor)
        if c.end > cursor:
            cursor, before = c.end, kind
    if hi > cursor:
        gaps[f"{before}→end"] = gaps.get(f"{before}→end", 0.0) + (hi - cursor)
    return gaps


class Task(threading.Thread):
    """Run ``fn`` in a background thread and keep its result (or exception)."""

    def __init__(self, fn: Callable[[], T], name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._fn = fn
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        """Call the function once."""
        try:
            self.result = self._fn()
        except BaseException as exc:
            self.error = exc
            traceback.print_exc()
