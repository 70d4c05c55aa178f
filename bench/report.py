"""Tables, target verdicts, Markdown and the plot, from the measurements."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.measure import BatchResult

__all__ = [
    "METRICS",
    "compare_rows",
    "markdown_table",
    "plot",
    "ratio_stats",
    "targets",
    "text_table",
    "throughput_rows",
]

SECTIONS_DRAFTED = 13
TARGET_LATENCY = (0.9, 77.0)

Metric = tuple[str, Callable[[BatchResult], float], str]
METRICS: tuple[Metric, ...] = (
    ("wall time per handoff", lambda r: r.wall_s, "s"),
    ("LLM calls", lambda r: r.calls, ""),
    ("input tokens", lambda r: r.tokens_in, ""),
    ("… of which cached prefix", lambda r: r.cached_tokens_in, ""),
    ("… of which uncached", lambda r: r.tokens_in - r.cached_tokens_in, ""),
    ("output tokens", lambda r: r.tokens_out, ""),
    ("cost, gpt-4.1-mini prices", lambda r: r.cost_usd, "$"),
    ("simulated model time", lambda r: r.model_s, "s"),
    ("framework overhead", lambda r: r.overhead_s, "s"),
    ("framework overhead share of wall time", lambda r: r.overhead_share, "%"),
    ("peak requests in flight", lambda r: r.peak_in_flight, ""),
)


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{100 * value:.2f} %"
    if unit == "$":
        return f"${value:.4f}"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:,.0f}"


def _ratio(a: float, b: float) -> float:
    return b / a if a else float("inf") if b else 1.0


def ratio_stats(
    pairs: Sequence[tuple[BatchResult, BatchResult]], fn: Callable[[BatchResult], float]
) -> dict[str, float]:
    """min / median / max over pairs of ``fn(b) / fn(a)`` (a: straightforward, b: opsrelay)."""
    ratios = [_ratio(fn(a), fn(b)) for a, b in pairs]
    return {"min": min(ratios), "median": statistics.median(ratios), "max": max(ratios)}


def compare_rows(pairs: Sequence[tuple[BatchResult, BatchResult]]) -> list[list[str]]:
    """Rows: metric, (a) median, (b) median, b/a min, median, max."""
    rows = []
    for name, fn, unit in METRICS:
        stats = ratio_stats(pairs, fn)
        a = statistics.median(fn(p[0]) for p in pairs)
        b = statistics.median(fn(p[1]) for p in pairs)
        rows.append(
            [
                name,
                _fmt(a, unit),
                _fmt(b, unit),
                f"{stats['min']:.2f}×",
                f"**{stats['median']:.2f}×**",
                f"{stats['max']:.2f}×",
            ]
        )
    return rows


COMPARE_HEADER = [
    "metric",
    "straightforward (a), median",
    "opsrelay (b), median",
    "b/a min",
    "b/a median",
    "b/a max",
]


def per_report_rows(pairs: Sequence[tuple[BatchResult, BatchResult]]) -> list[list[str]]:
    """One row per report: medians of wall time and output tokens, and where opsrelay's time goes."""
    by_report: dict[str, list[tuple[BatchResult, BatchResult]]] = {}
    for a, b in pairs:
        by_report.setdefault(b.reports[0], []).append((a, b))
    rows = []
    for report, group in by_report.items():

        def med(
            fn: Callable[[BatchResult], float],
            which: int,
            group: list[tuple[BatchResult, BatchResult]] = group,
        ) -> float:
            return statistics.median(fn(p[which]) for p in group)

        path = " → ".join(_phase(ph) for ph in group[0][1].phases)
        rows.append(
            [
                report,
                f"{med(lambda r: r.wall_s, 0):.1f} s",
                f"{med(lambda r: r.wall_s, 1):.1f} s",
                f"{statistics.median(_ratio(a.wall_s, b.wall_s) for a, b in group):.2f}×",
                f"{statistics.median(_ratio(a.tokens_out, b.tokens_out) for a, b in group):.2f}×",
                f"{100 * med(lambda r: r.overhead_share, 1):.2f} %",
                str(group[0][1].truncated),
                path,
                group[0][1].verdicts[0] if group[0][1].verdicts else "-",
            ]
        )
    return rows


def _phase(ph: dict[str, Any]) -> str:
    count = f"{ph['calls']}× " if ph["calls"] > 1 else ""
    return f"{count}{ph['kind']} {ph['span_s']:.1f} s"


PER_REPORT_HEADER = [
    "report",
    "(a) wall",
    "(b) wall",
    "wall b/a",
    "output b/a",
    "(b) overhead",
    "(b) truncated answers",
    "(b) model phases, simulated (first run)",
    "(b) review",
]


def targets(
    pairs: Sequence[tuple[BatchResult, BatchResult]], latency: tuple[float, float | None], concurrency: int
) -> list[dict[str, Any]]:
    """The issue's four targets, each with the measured value and whether it is met.

    Judged only at the target latency (0.9 s to first token, 77 output tokens/s); otherwise each
    target says so and is not judged.
    """
    judged = (round(latency[0], 3), latency[1]) == TARGET_LATENCY
    wall = ratio_stats(pairs, lambda r: r.wall_s)
    out_tok = ratio_stats(pairs, lambda r: r.tokens_out)
    shares = [b.overhead_share for _, b in pairs]
    peaks = sorted({b.peak_in_flight for _, b in pairs})
    expected_peak = min(concurrency, SECTIONS_DRAFTED)
    rows = [
        {
            "target": "opsrelay wall time ≤ 0.3× the straightforward design's",
            "measured": f"median {wall['median']:.2f}×, max {wall['max']:.2f}×",
            "met": wall["max"] <= 0.3,
            "median_met": wall["median"] <= 0.3,
        },
        {
            "target": "output tokens ≤ 0.8×",
            "measured": f"median {out_tok['median']:.2f}×, max {out_tok['max']:.2f}×",
            "met": out_tok["max"] <= 0.8,
            "median_met": out_tok["median"] <= 0.8,
        },
        {
            "target": "framework overhead < 3 % of wall time",
            "measured": f"median {100 * statistics.median(shares):.2f} %, max {100 * max(shares):.2f} %",
            "met": max(shares) < 0.03,
            "median_met": statistics.median(shares) < 0.03,
        },
        {
            "target": f"peak requests in flight = configured concurrency ({concurrency}"
            + (f", capped by the {SECTIONS_DRAFTED} sections)" if concurrency > SECTIONS_DRAFTED else ")"),
            "measured": "peak " + ", ".join(str(p) for p in peaks),
            "met": peaks == [expected_peak],
            "median_met": peaks == [expected_peak],
        },
    ]
    for row in rows:
        if not judged:
            row["verdict"] = "not judged (latency differs from 0.9 s / 77 tok/s)"
        elif row["met"]:
            row["verdict"] = "met (every run)"
        elif row["median_met"]:
            row["verdict"] = "met by the median, missed by the worst run"
        else:
            row["verdict"] = "MISSED"
    return rows


def throughput_rows(batches: Sequence[BatchResult]) -> list[list[str]]:
    """Rows: design, N, wall, handoffs/min, calls, tokens, peak in flight, overhead share."""
    rows = []
    for r in sorted(batches, key=lambda r: (r.design, r.n)):
        rows.append(
            [
                "opsrelay (b)" if r.design == "opsrelay" else "straightforward (a)",
                str(r.n),
                f"{r.wall_s:.1f} s",
                f"{60 * r.n / r.wall_s:.1f}" if r.wall_s else "-",
                f"{r.calls:,}",
                f"{r.tokens_in:,}",
                f"{r.cached_tokens_in:,}",
                f"{r.tokens_out:,}",
                str(r.peak_in_flight),
                f"{100 * r.overhead_share:.2f} %",
                f"${r.cost_usd:.3f}",
            ]
        )
    return rows


THROUGHPUT_HEADER = [
    "design",
    "N",
    "wall",
    "handoffs/min",
    "LLM calls",
    "input tokens",
    "cached",
    "output tokens",
    "peak in flight",
    "overhead",
    "cost",
]


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table for the terminal."""
    cells = [list(header), *[[c.replace("**", "") for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table (first column left-aligned, the rest right-aligned)."""
    align = [":---", *["---:"] * (len(header) - 1)]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def plot(batches: Sequence[BatchResult], path: Path, *, title: str) -> bool:
    """Wall time and tokens against N for both designs; False (and a note) without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(no plot: matplotlib is not installed; pip install -e '.[bench]')")
        return False
    styles = {
        "naive": ("straightforward (a)", "tab:gray", "s"),
        "opsrelay": ("opsrelay (b)", "tab:blue", "o"),
    }
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for design, (label, color, marker) in styles.items():
        rows = sorted((r for r in batches if r.design == design), key=lambda r: r.n)
        if not rows:
            continue
        ns = [r.n for r in rows]
        left.plot(ns, [r.wall_s for r in rows], marker=marker, color=color, label=label)
        for r in rows:
            left.annotate(
                f"{60 * r.n / r.wall_s:.1f}/min",
                (r.n, r.wall_s),
                textcoords="offset points",
                xytext=(4, 6),
                fontsize=7,
                color=color,
            )
        right.plot(ns, [r.tokens_out for r in rows], marker=marker, color=color, label=f"{label}: output")
        right.plot(
            ns,
            [r.tokens_in - r.cached_tokens_in for r in rows],
            marker=marker,
            color=color,
            linestyle="--",
            label=f"{label}: uncached input",
        )
        right.plot(
            ns,
            [r.cached_tokens_in for r in rows],
            marker=marker,
            color=color,
            linestyle=":",
            label=f"{label}: cached input",
        )
    for ax in (left, right):
        ax.set_xscale("log", base=2)
        ax.margins(x=0.15)
        ax.set_xticks([r.n for r in batches if r.design == "opsrelay"] or [1])
        ax.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.set_xlabel("handoffs at once in one process (N)")
        ax.grid(True, alpha=0.3)
    left.set_ylabel("wall time for the batch (s)")
    left.set_ylim(0, 1.15 * max(r.wall_s for r in batches))
    left.set_title("Wall time (handoffs per minute annotated)")
    right.set_yscale("log")
    right.set_ylabel("tokens for the batch")
    right.set_title("Tokens")
    left.legend(fontsize=8)
    right.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True
