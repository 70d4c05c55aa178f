"""``python -m bench``: opsrelay against the straightforward draft → critique → rewrite design.

What runs, in one process (see docs/BENCHMARKS.md for how to read the results):

1. start-up: ``opsrelay --help`` / ``opsrelay review`` against ``python -c pass`` (subprocesses,
   interleaved), and which heavy packages each imports;
2. the offline engine: one full handoff of the bundled example and of the largest corpus report;
3. side by side: for every guide length (about 3k, 6k and 12k output tokens: the scripted
   model's sections and documents are scaled by :mod:`bench.scale`, the same content for both
   designs), every QA report and run, a pair (a) straightforward, (b) opsrelay, each against its
   own fake OpenAI-compatible server with the latency model; all pairs of all lengths are
   launched interleaved (a, b, a, b, … with a stagger, the longest guides first) so that every
   length sees the same machine;
4. throughput: N handoffs of the bundled example (at the longest length) at once in this
   process (N = 1, 4, 16) for each design.

Model time is simulated (sleeps), so jobs overlap in time to keep the full run near ten minutes:
the straightforward design is almost all waiting, opsrelay's side-by-side runs are staggered so
that their CPU phases rarely meet, and opsrelay's throughput batches run one at a time after
them. Contention between jobs can only inflate opsrelay's measured overhead, never hide it.
``--quick`` shrinks everything to a smoke run of about a minute at a 20× faster latency model
(targets are then not judged).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import sys
import time
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.measure import BatchResult, Design, Task, run_batch
from bench.report import (
    COMPARE_HEADER,
    LENGTH_HEADER,
    PER_REPORT_HEADER,
    THROUGHPUT_HEADER,
    Pair,
    by_length,
    compare_rows,
    length_label,
    length_rows,
    markdown_table,
    per_report_rows,
    plot,
    ratio_stats,
    targets,
    text_table,
    throughput_rows,
)
from bench.scale import DEFAULT_LENGTHS
from opsrelay.settings import RunSettings
from opsrelay.testing.fake_openai import Latency

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "qa" / "QA_REPORT.md"
DEFAULT_CORPUS = ("agent-teams-demo_test-report.md", "urtruck-app_QA_REPORT.md")
QUICK_LATENCY = (0.045, 1540.0)  # the target latency model, 20× faster
QUICK_LENGTHS = (3000, 12000)
DEFAULT_STAGGER = 8.0
"""Seconds between pair launches: with every section of a handoff in flight at once, a 3 s
stagger kept about 12 opsrelay handoffs running together in this one process, and their CPU
(streamed chunks, rubric, emit; one GIL) inflated each one's overhead to 10-30 %."""


def corpus_dir() -> Path | None:
    """The real QA documents: ``../shared/corpus/qa`` beside the repo, else the test fixtures' copies."""
    for candidate in (REPO.parent / "shared" / "corpus" / "qa", REPO / "tests" / "fixtures" / "qa"):
        if candidate.is_dir():
            return candidate
    return None


def corpus_documents() -> list[Path]:
    """Every QA document of the corpus (``SOURCES.md`` excluded)."""
    folder = corpus_dir()
    if folder is None:
        return []
    return sorted(p for p in folder.glob("*.md") if p.name != "SOURCES.md")


def default_reports() -> list[Path]:
    """The bundled example plus two corpus reports: the largest input and the largest output."""
    docs = {p.name: p for p in corpus_documents()}
    return [EXAMPLE, *[docs[name] for name in DEFAULT_CORPUS if name in docs]]


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--quick", action="store_true", help="smoke run (~1 min): 20× faster latency, one report, two lengths"
    )
    p.add_argument("--runs", type=int, help="pairs per report and length (default 3; quick 2)")
    p.add_argument(
        "--lengths",
        default=None,
        help="comma-separated target guide lengths in output tokens (default 3000,6000,12000; quick "
        "3000,12000); a length above the offline guide's uses the guide as it is",
    )
    p.add_argument("--ttft", type=float, help="simulated time to first token, s (default 0.9)")
    p.add_argument("--tps", type=float, help="simulated output tokens per second (default 77)")
    default_concurrency = RunSettings().concurrency
    p.add_argument(
        "--concurrency",
        type=int,
        default=default_concurrency,
        help=f"opsrelay sections drafted at once (default {default_concurrency}, opsrelay's default)",
    )
    p.add_argument(
        "--derived-sections",
        choices=["scaled", "full"],
        default="scaled",
        help="the sections opsrelay renders itself instead of asking the model (Assumptions & Open "
        "Questions): 'scaled' (default), the straightforward design's document has them scaled like "
        "every other section; 'full', as opsrelay renders them, so both final documents are equal and "
        "the target length includes them",
    )
    p.add_argument("--reports", nargs="+", type=Path, help="QA reports (default: example + 2 corpus reports)")
    p.add_argument(
        "--throughput", default=None, help="comma-separated N for the throughput curve (default 1,4,16)"
    )
    p.add_argument(
        "--stagger",
        type=float,
        help=f"seconds between launches of side-by-side pairs (default {DEFAULT_STAGGER:g}; quick 0.5)",
    )
    p.add_argument(
        "--no-revise-scenario",
        action="store_true",
        help="skip the pairs in which the critic rejects one standard once (opsrelay revises)",
    )
    p.add_argument(
        "--no-enforce-max-tokens",
        action="store_true",
        help="let the fake server ignore max_completion_tokens (default: truncate, as real servers do)",
    )
    p.add_argument("--timeout", type=float, default=600.0, help="per-request client timeout, s, both designs")
    p.add_argument(
        "--only",
        nargs="+",
        choices=["startup", "offline", "compare", "throughput"],
        help="run only these parts",
    )
    p.add_argument(
        "--plot",
        type=Path,
        help="write the plot (PNG) here: ratio b/a against guide length, and the throughput curves",
    )
    p.add_argument("--json", type=Path, help="write every measurement as JSON here")
    p.add_argument("--markdown", type=Path, help="write the results as a Markdown snippet here")
    args = p.parse_args(argv)
    quick = args.quick
    args.runs = args.runs or (2 if quick else 3)
    args.ttft = args.ttft if args.ttft is not None else (QUICK_LATENCY[0] if quick else 0.9)
    args.tps = args.tps if args.tps is not None else (QUICK_LATENCY[1] if quick else 77.0)
    args.throughput = [
        int(n) for n in (args.throughput or ("1,4" if quick else "1,4,16")).split(",") if n.strip()
    ]
    args.stagger = args.stagger if args.stagger is not None else (0.5 if quick else DEFAULT_STAGGER)
    try:
        lengths = [int(n) for n in args.lengths.split(",") if n.strip()] if args.lengths else None
    except ValueError:
        p.error(f"--lengths takes comma-separated integers, not {args.lengths!r}")
    args.lengths = sorted(set(lengths or (QUICK_LENGTHS if quick else DEFAULT_LENGTHS)))
    args.reports = (
        [p.resolve() for p in args.reports] if args.reports else ([EXAMPLE] if quick else default_reports())
    )
    args.only = set(args.only or ["startup", "offline", "compare", "throughput"])
    for path in args.reports:
        if not path.is_file():
            p.error(f"no such QA report: {path}")
    if args.concurrency < 1 or args.runs < 1 or any(n < 1 for n in args.throughput):
        p.error("--concurrency, --runs and --throughput values must be at least 1")
    if any(n < 500 for n in args.lengths):
        p.error("--lengths values must be at least 500 tokens")
    return args


class Clock:
    """Seconds since the benchmark started, for progress lines."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def log(self, text: str) -> None:
        """Print one progress line."""
        print(f"[{time.perf_counter() - self.start:7.1f}s] {text}", flush=True)


def _describe(r: BatchResult) -> str:
    name = "opsrelay       " if r.design == "opsrelay" else "straightforward"
    what = (r.reports[0] if r.n == 1 else f"N={r.n}") + f" @{length_label(r.length)}"
    err = f"  ERROR {r.error}" if r.error else ""
    return (
        f"{name} {what:<40} wall {r.wall_s:6.1f} s  model {r.model_s:6.1f} s"
        f"  overhead {100 * r.overhead_share:5.2f} %  calls {r.calls:3d}  out {r.tokens_out:6d}"
        f"  peak {r.peak_in_flight:2d}{err}"
    )


def _machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in load] if load else None,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def run_side_by_side(
    args: argparse.Namespace, latency: Latency, clock: Clock
) -> tuple[list[Pair], list[Pair], list[BatchResult]]:
    """Warm up, then run the side-by-side pairs and the throughput batches (see the module doc)."""
    common: dict[str, Any] = {
        "concurrency": args.concurrency,
        "enforce_max_tokens": not args.no_enforce_max_tokens,
        "timeout_s": args.timeout,
        "derived_full": args.derived_sections == "full",
    }
    revise = not args.no_revise_scenario and "compare" in args.only
    throughput_report = args.reports[0]
    longest = max(args.lengths)

    schedule: list[tuple[Path, int, int, int]] = []  # (report, run, critic_rejects, length)
    if "compare" in args.only:
        for run in range(args.runs):
            # Longest guides first: the straightforward design's long jobs bound the run's wall time.
            for length in sorted(args.lengths, reverse=True):
                schedule += [(report, run, 0, length) for report in args.reports]
            if revise:
                schedule.append((args.reports[0], run, 1, longest))

    # Warm-up at zero latency: imports, the scaled guides, the scripted model's memo, every request shape.
    instant = Latency()
    warm = dict.fromkeys((report, rejects, length) for report, _, rejects, length in schedule)
    if "throughput" in args.only:
        warm[(throughput_report, 0, longest)] = None
    for report, rejects, length in warm:
        designs: tuple[Design, ...] = ("opsrelay",) if rejects else ("naive", "opsrelay")
        for design in designs:
            run_batch(design, [report], latency=instant, critic_rejects=rejects, length=length, **common)
    clock.log(f"warm-up done ({len(schedule)} pairs to run)")

    t0 = time.perf_counter()

    def job(design: Design, reports: list[Path], length: int, rejects: int = 0) -> Task:
        def fn() -> BatchResult:
            result = run_batch(
                design,
                reports,
                latency=latency,
                critic_rejects=rejects,
                t_zero=t0,
                length=length,
                **common,
            )
            clock.log(_describe(result) + (" [revise scenario]" if rejects else ""))
            return result

        return Task(fn, name=f"{design}-{len(reports)}")

    pairs: list[tuple[Task, Task, int]] = []
    for i, (report, _, rejects, length) in enumerate(schedule):
        # a, b, a, b, …: the straightforward job first, opsrelay half a stagger later, so that
        # their start-up CPU does not collide.
        _sleep_until(t0 + i * args.stagger)
        a = job("naive", [report], length, rejects)
        a.start()
        _sleep_until(t0 + (i + 0.5) * args.stagger)
        b = job("opsrelay", [report], length, rejects)
        b.start()
        pairs.append((a, b, rejects))
    naive_batches: list[Task] = []
    if "throughput" in args.only:
        # The straightforward design's batches are sleep-bound; they run in the background while
        # opsrelay's batches run one after another in the foreground.
        for j, n in enumerate(args.throughput):
            _sleep_until(t0 + (len(schedule) + j) * args.stagger)
            task = job("naive", [throughput_report] * n, longest)
            task.start()
            naive_batches.append(task)
    for _, b, _ in pairs:
        b.join()
    ops_batches: list[BatchResult] = []
    if "throughput" in args.only:
        clock.log("side-by-side opsrelay runs done; throughput batches next")
        for n in args.throughput:
            result = run_batch(
                "opsrelay",
                [throughput_report] * n,
                latency=latency,
                t_zero=t0,
                length=longest,
                **common,
            )
            clock.log(_describe(result))
            ops_batches.append(result)
    for a, _, _ in pairs:
        a.join()
    for task in naive_batches:
        task.join()
    approve = [(a.result, b.result) for a, b, r in pairs if not r and a.result and b.result]
    revised = [(a.result, b.result) for a, b, r in pairs if r and a.result and b.result]
    batches = [t.result for t in naive_batches if t.result] + ops_batches
    _review_naive([*approve, *revised], args.reports)
    return approve, revised, batches


def _sleep_until(deadline: float) -> None:
    delay = deadline - time.perf_counter()
    if delay > 0:
        time.sleep(delay)


def _review_naive(pairs: list[Pair], reports: Sequence[Path]) -> None:
    """Review the straightforward design's final documents with opsrelay's rubric (not timed)."""
    from opsrelay.ingest import load_qa
    from opsrelay.review import review_document

    paths = {p.name: p for p in [*reports, EXAMPLE, *corpus_documents()]}
    facts = {}
    for a, _ in pairs:
        name = a.reports[0]
        if name not in facts:
            facts[name] = load_qa(paths[name]).facts
        a.verdicts = []
        for doc in a.documents:
            review = review_document(doc, facts[name])
            a.verdicts.append(f"{review.verdict} {review.score}")


def gap_rows(pairs: list[Pair]) -> list[list[str]]:
    """Median and max overhead per position, for each design."""
    rows = []
    for which, name in ((0, "straightforward (a)"), (1, "opsrelay (b)")):
        runs = [p[which] for p in pairs]
        keys = list(dict.fromkeys(k for r in runs for k in r.gaps))
        for key in keys:
            values = [r.gaps.get(key, 0.0) for r in runs]
            rows.append([name, key, f"{statistics.median(values):.3f} s", f"{max(values):.3f} s"])
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print tables; optionally write JSON, Markdown and the plot."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parse(argv)
    from opsrelay.logging import configure_logging

    configure_logging("error")
    warnings.filterwarnings("ignore", message=".*durability.*no effect", category=UserWarning)
    clock = Clock()
    latency = Latency(ttft_s=args.ttft, tokens_per_s=args.tps)
    command = "python -m bench" + ("" if not argv else " " + shlex.join(argv))
    out: dict[str, Any] = {
        "command": command,
        "machine": _machine(),
        "settings": {
            "ttft_s": args.ttft,
            "tokens_per_s": args.tps,
            "concurrency": args.concurrency,
            "lengths": args.lengths,
            "derived_sections": args.derived_sections,
            "runs": args.runs,
            "reports": [p.name for p in args.reports],
            "throughput_n": args.throughput,
            "stagger_s": args.stagger,
            "enforce_max_tokens": not args.no_enforce_max_tokens,
        },
    }
    clock.log(
        f"{command}: latency {args.ttft:g} s + tokens/{args.tps:g} per s, concurrency {args.concurrency}"
    )

    if "startup" in args.only:
        from bench.startup import measure_startup

        out["startup"] = measure_startup(REPO, repeats=1 if args.quick else 7)
        clock.log("start-up measured")
    if "offline" in args.only:
        from bench.startup import measure_offline

        docs = corpus_documents()
        reports = {"bundled example": EXAMPLE}
        if docs:
            largest = max(docs, key=lambda p: p.stat().st_size)
            reports[f"largest corpus report ({largest.name})"] = largest
        out["offline"] = measure_offline(
            REPO, reports, repeats=2 if args.quick else 6, startup=out.get("startup")
        )
        clock.log("offline engine measured")

    approve: list[Pair] = []
    revised: list[Pair] = []
    batches: list[BatchResult] = []
    if args.only & {"compare", "throughput"}:
        approve, revised, batches = run_side_by_side(args, latency, clock)
        out["lengths"] = [length_json(length, group) for length, group in by_length(approve).items()]
        out["revise_pairs"] = [{"a": a.as_json(), "b": b.as_json()} for a, b in revised]
        out["throughput"] = [r.as_json() for r in batches]
        out["targets"] = targets(approve, batches, (args.ttft, args.tps), args.concurrency)

    text = render(out, approve, revised, batches, args, markdown=False)
    print()
    print(text)
    if args.plot and (batches or approve):
        title = (
            f"opsrelay vs straightforward: fake server at {args.ttft:g} s TTFT, {args.tps:g} tok/s; "
            f"concurrency {args.concurrency}"
        )
        if plot(batches, approve, args.plot, title=title):
            clock.log(f"plot written to {args.plot}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1, default=str) + "\n", encoding="utf-8")
        clock.log(f"JSON written to {args.json}")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(
            render(out, approve, revised, batches, args, markdown=True), encoding="utf-8"
        )
        clock.log(f"Markdown written to {args.markdown}")
    failed = [r for pair in [*approve, *revised] for r in pair if r.error] + [r for r in batches if r.error]
    clock.log("done" + (f", {len(failed)} run(s) FAILED" if failed else ""))
    return 1 if failed else 0


def length_json(length: int | None, pairs: list[Pair]) -> dict[str, Any]:
    """One guide length's results for the JSON output: guide sizes, b/a ratios, every pair."""
    metrics = {
        "wall_s": lambda r: r.wall_s,
        "calls": lambda r: r.calls,
        "tokens_out": lambda r: r.tokens_out,
        "tokens_in": lambda r: r.tokens_in,
        "cached_tokens_in": lambda r: r.cached_tokens_in,
        "uncached_tokens_in": lambda r: r.tokens_in - r.cached_tokens_in,
        "cost_usd": lambda r: r.cost_usd,
    }
    return {
        "target_tokens": length,
        "guide_tokens": {a.reports[0]: a.guide_tokens for a, _ in pairs},
        "ratios_b_over_a": {name: ratio_stats(pairs, fn) for name, fn in metrics.items()},
        "opsrelay_overhead_share_median": statistics.median(b.overhead_share for _, b in pairs),
        "pairs": [{"a": a.as_json(), "b": b.as_json()} for a, b in pairs],
    }


def render(
    out: dict[str, Any],
    approve: list[tuple[BatchResult, BatchResult]],
    revised: list[tuple[BatchResult, BatchResult]],
    batches: list[BatchResult],
    args: argparse.Namespace,
    *,
    markdown: bool,
) -> str:
    """All result tables, as terminal text or as a Markdown snippet."""
    table = markdown_table if markdown else text_table
    parts: list[str] = []

    def heading(text: str) -> None:
        parts.append(f"### {text}" if markdown else f"== {text} ==")

    m = out["machine"]
    parts.append(
        f"Command: `{out['command']}`  \nMachine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}, "
        f"{m['date']} (load average at start {m['loadavg_at_start']}).  \n"
        f"Fake server: {args.ttft:g} s to first token, {args.tps:g} output tokens/s, "
        f"max_completion_tokens {'enforced' if not args.no_enforce_max_tokens else 'ignored'}; "
        f"opsrelay concurrency {args.concurrency}; guide lengths "
        f"{', '.join(f'{n:,}' for n in args.lengths)} tokens (scaled offline guide, bench/scale.py)."
        if markdown
        else f"{out['command']} | {m['cpus']} CPUs, Python {m['python']}"
        f" | latency {args.ttft:g} s + {args.tps:g} tok/s | concurrency {args.concurrency}"
        f" | lengths {','.join(str(n) for n in args.lengths)}"
    )
    if approve:
        groups = by_length(approve)
        n_reports = len({b.reports[0] for _, b in approve})
        heading(
            f"Ratio by length: opsrelay (b) / straightforward (a), {len(approve)} pairs "
            f"({len(groups)} lengths, {n_reports} reports, {args.runs} runs; medians)"
        )
        parts.append(table(LENGTH_HEADER, length_rows(groups)))
        for length, group in groups.items():
            heading(
                f"Side by side at {length_label(length)} tokens: {len(group)} pairs "
                f"({len({b.reports[0] for _, b in group})} reports × {args.runs} runs)"
            )
            parts.append(table(COMPARE_HEADER, compare_rows(group)))
        heading("Per length and report (medians; opsrelay's model phases are its critical path)")
        parts.append(table(PER_REPORT_HEADER, per_report_rows(approve)))
        naive_reviews = sorted({v for a, _ in approve for v in a.verdicts})
        parts.append(
            "Review of the straightforward design's final documents by opsrelay's rubric: "
            f"{', '.join(naive_reviews)}."
        )
    if approve or batches:
        heading("Targets")
        rows = [[t["target"], t["measured"], t["verdict"]] for t in out.get("targets", [])]
        parts.append(table(["target", "measured", "verdict"], rows))
    if revised:
        heading(
            f"Revise scenario at {length_label(revised[0][1].length)} tokens: the critic rejects one "
            f"standard once ({len(revised)} pairs)"
        )
        parts.append(table(COMPARE_HEADER, compare_rows(revised)))
        parts.append(table(PER_REPORT_HEADER, per_report_rows(revised)))
    if batches:
        heading(
            f"Throughput: N handoffs of {args.reports[0].name} at once in one process "
            f"(at {length_label(max(args.lengths))} tokens)"
        )
        parts.append(table(THROUGHPUT_HEADER, throughput_rows(batches)))
    if markdown and args.plot and (approve or batches):
        rel = os.path.relpath(args.plot.resolve(), (args.markdown or Path.cwd()).resolve().parent)
        parts.append(f"![ratio b/a against guide length; wall time and tokens against N]({rel})")
    if "startup" in out:
        s = out["startup"]
        heading(f"CLI start-up (medians of {s['repeats']} interleaved runs)")
        rows = [
            [
                name,
                f"{c['median_s'] * 1000:.0f} ms",
                f"{c['ratio_to_python']:.1f}×",
                ", ".join(c["heavy_imports"]) or "none",
            ]
            for name, c in s["commands"].items()
        ]
        parts.append(
            table(
                ["command", "median", "ratio to python -c pass", "imports of langgraph / langchain / openai"],
                rows,
            )
        )
    if "offline" in out:
        o = out["offline"]
        heading("Offline engine: one full handoff (ingest → emit, files written)")
        rows = [
            [
                label,
                f"{r['input_bytes']:,} B → {r['output_bytes']:,} B",
                f"{r['warm_median_s'] * 1000:.0f} ms",
                f"{r['ratio_to_import']:.1f}×",
                f"{r['ratio_to_eager_import']:.2f}×",
                f"{r['cold_cli_median_s']:.2f} s",
                f"{r['cold_cli_ratio_to_import']:.1f}×",
                r["verdict"],
            ]
            for label, r in o["reports"].items()
        ]
        header = [
            "report",
            "size in → out",
            "in process, warm",
            "÷ import opsrelay",
            "÷ eager import",
            "`opsrelay run`, cold",
            "÷ import opsrelay",
            "review",
        ]
        parts.append(table(header, rows))
        parts.append(
            f"import opsrelay (lazy, a subprocess): {o['import_opsrelay_s'] * 1000:.0f} ms; eager import of "
            f"opsrelay.api + graph + OpenAI backend: {o['import_opsrelay_graph_s'] * 1000:.0f} ms."
        )
    if approve:
        heading("Where the framework overhead sits (median seconds per handoff, by position)")
        parts.append(table(["design", "position (before → after)", "median", "max"], gap_rows(approve)))
        shares = [b.overhead_share for _, b in approve]
        parts.append(
            f"opsrelay framework overhead: median {100 * statistics.median(shares):.2f} % of wall time "
            f"({statistics.median(b.overhead_s for _, b in approve):.2f} s per handoff)."
        )
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
