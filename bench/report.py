"""Tables, target verdicts, Markdown and the plot, from the measurements."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.measure import BatchResult

__all__ = [
    "LENGTH_HEADER",
    "METRICS",
    "Pair",
    "by_length",
    "compare_rows",
    "length_rows",
    "markdown_table",
    "plot",
    "ratio_stats",
    "targets",
    "text_table",
    "throughput_rows",
]


def model_sections() -> int:
    """Sections opsrelay asks the model for (the template's drafted ones minus those it derives)."""
    from bench.scripted import model_free_headings
    from opsrelay.template import DRAFTED_SECTIONS

    return len(DRAFTED_SECTIONS) - len(model_free_headings())


TARGET_LATENCY = (0.9, 77.0)
Pair = tuple[BatchResult, BatchResult]
"""(a) the straightforward design, (b) opsrelay, on the same report at the same guide length."""

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


def by_length(pairs: Sequence[Pair]) -> dict[int | None, list[Pair]]:
    """Pairs grouped by target guide length, shortest first (None, the offline length, last)."""
    out: dict[int | None, list[Pair]] = {}
    for pair in sorted(pairs, key=lambda p: (p[1].length is None, p[1].length or 0)):
        out.setdefault(pair[1].length, []).append(pair)
    return out


def length_label(length: int | None) -> str:
    """``~3k`` for 3000, ``offline`` for None."""
    if length is None:
        return "offline"
    return f"~{length / 1000:g}k" if length % 500 == 0 else f"~{length:,}"


def _span(values: Sequence[int]) -> str:
    lo, hi = min(values), max(values)
    return f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"


def length_rows(groups: dict[int | None, list[Pair]]) -> list[list[str]]:
    """One row per guide length: measured guide size, wall times, and the b/a ratios that matter."""
    rows = []
    for length, pairs in groups.items():
        wall = ratio_stats(pairs, lambda r: r.wall_s)
        rows.append(
            [
                length_label(length),
                _span([a.guide_tokens for a, _ in pairs]),
                f"{statistics.median(a.wall_s for a, _ in pairs):.1f} s",
                f"{statistics.median(b.wall_s for _, b in pairs):.1f} s",
                f"**{wall['median']:.2f}×** ({wall['min']:.2f}–{wall['max']:.2f})",
                f"{ratio_stats(pairs, lambda r: r.tokens_out)['median']:.2f}×",
                f"{ratio_stats(pairs, lambda r: r.cost_usd)['median']:.2f}×",
                f"{100 * statistics.median(b.overhead_share for _, b in pairs):.2f} %",
            ]
        )
    return rows


LENGTH_HEADER = [
    "guide length",
    "guide tokens (measured)",
    "(a) wall",
    "(b) wall",
    "wall b/a (min–max)",
    "output b/a",
    "cost b/a",
    "(b) overhead",
]


def per_report_rows(pairs: Sequence[Pair]) -> list[list[str]]:
    """One row per guide length and report: medians of wall time and output tokens, and where
    opsrelay's time goes (its model phases on the critical path)."""
    by_report: dict[tuple[int | None, str], list[Pair]] = {}
    for length, group in by_length(pairs).items():
        for a, b in group:
            by_report.setdefault((length, b.reports[0]), []).append((a, b))
    rows = []
    for (length, report), group in by_report.items():

        def med(
            fn: Callable[[BatchResult], float],
            which: int,
            group: list[tuple[BatchResult, BatchResult]] = group,
        ) -> float:
            return statistics.median(fn(p[which]) for p in group)

        path = " → ".join(_phase(ph) for ph in group[0][1].phases)
        rows.append(
            [
                length_label(length),
                report,
                f"{group[0][0].guide_tokens:,}",
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
    "length",
    "report",
    "guide tokens",
    "(a) wall",
    "(b) wall",
    "wall b/a",
    "output b/a",
    "(b) overhead",
    "(b) truncated answers",
    "(b) model phases, simulated (first run)",
    "(b) review",
]


def _nearest(groups: dict[int | None, list[Pair]], tokens: int) -> tuple[int | None, list[Pair]] | None:
    """The group whose measured guide size is nearest ``tokens`` (within a factor of 1.5), if any."""
    best = None
    for length, pairs in groups.items():
        size = statistics.median(a.guide_tokens for a, _ in pairs)
        if size and 1 / 1.5 <= size / tokens <= 1.5 and (best is None or abs(size - tokens) < best[0]):
            best = (abs(size - tokens), length, pairs)
    return (best[1], best[2]) if best else None


def targets(
    pairs: Sequence[Pair],
    batches: Sequence[BatchResult],
    latency: tuple[float, float | None],
    concurrency: int,
) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it is met.

    Judged only at the target latency (0.9 s to first token, 77 output tokens/s); otherwise each
    target says so and is not judged.
    """
    judged = (round(latency[0], 3), latency[1]) == TARGET_LATENCY
    groups = by_length(pairs)
    rows: list[dict[str, Any]] = []

    def ratio_row(target: str, fn: Callable[[BatchResult], float], bound: float, group: list[Pair]) -> None:
        stats = ratio_stats(group, fn)
        rows.append(
            {
                "target": target,
                "measured": f"median {stats['median']:.2f}×, max {stats['max']:.2f}×",
                "met": stats["max"] <= bound,
                "median_met": stats["median"] <= bound,
            }
        )

    for tokens, bound in ((3000, 0.25), (12000, 0.15)):
        target = f"wall time ≤ {bound:g}× the straightforward design's at ~{tokens // 1000}k tokens"
        found = _nearest(groups, tokens)
        if found is None:
            rows.append({"target": target, "measured": "not measured (no such length in this run)"})
        else:
            ratio_row(target + f" ({length_label(found[0])})", lambda r: r.wall_s, bound, found[1])
    if pairs:
        for name, fn, bound in (
            ("output tokens", lambda r: r.tokens_out, 0.6),
            ("cost", lambda r: r.cost_usd, 0.7),
        ):
            stats = {length: ratio_stats(g, fn) for length, g in groups.items()}
            per = ", ".join(f"{length_label(k)} {v['median']:.2f}×" for k, v in stats.items())
            rows.append(
                {
                    "target": f"{name} ≤ {bound:g}× at every length",
                    "measured": f"medians {per}; max {max(v['max'] for v in stats.values()):.2f}×",
                    "met": all(v["max"] <= bound for v in stats.values()),
                    "median_met": all(v["median"] <= bound for v in stats.values()),
                }
            )
    n16 = [r for r in batches if r.design == "opsrelay" and r.n == 16]
    target = "framework overhead ≤ 2 % of wall time at N = 16 handoffs in one process"
    if n16:
        share = n16[0].overhead_share
        rows.append(
            {
                "target": target,
                "measured": f"{100 * share:.2f} % ({n16[0].overhead_s:.2f} s of {n16[0].wall_s:.1f} s)",
                "met": share <= 0.02,
                "median_met": share <= 0.02,
            }
        )
    else:
        rows.append({"target": target, "measured": "not measured (no N = 16 throughput batch)"})
    if pairs:
        peaks = sorted({b.peak_in_flight for _, b in pairs})
        drafted = model_sections()
        expected_peak = min(concurrency, drafted)
        rows.append(
            {
                "target": f"peak requests in flight = configured concurrency ({concurrency}"
                + (
                    f", capped by the {drafted} sections asked of the model)"
                    if concurrency > drafted
                    else ")"
                ),
                "measured": "peak " + ", ".join(str(p) for p in peaks),
                "met": peaks == [expected_peak],
                "median_met": peaks == [expected_peak],
            }
        )
    for row in rows:
        if "met" not in row:
            row["verdict"] = "not measured"
        elif not judged:
            row["verdict"] = "not judged (latency differs from 0.9 s / 77 tok/s)"
        elif row["met"]:
            row["verdict"] = "met (every run)"
        elif row["median_met"]:
            row["verdict"] = "met by the median, missed by the worst run"
        else:
            row["verdict"] = "missed"
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


def plot(batches: Sequence[BatchResult], pairs: Sequence[Pair], path: Path, *, title: str) -> bool:
    """One figure: the b/a ratios against guide length (left), and wall time and tokens against
    N handoffs in one process (middle, right; when throughput was measured). False (and a note)
    without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(no plot: matplotlib is not installed; pip install -e '.[bench]')")
        return False
    panels = (1 if pairs else 0) + (2 if batches else 0)
    if not panels:
        return False
    fig, axes = plt.subplots(1, panels, figsize=(5.6 * panels, 4.4), squeeze=False)
    axes_list = list(axes[0])
    if pairs:
        _plot_lengths(axes_list.pop(0), by_length(pairs))
    if batches:
        _plot_throughput(matplotlib, axes_list[0], axes_list[1], batches)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def _plot_lengths(ax: Any, groups: dict[int | None, list[Pair]]) -> None:
    xs = [statistics.median(a.guide_tokens for a, _ in g) for g in groups.values()]
    for name, fn, color, style in (
        ("wall time", lambda r: r.wall_s, "tab:blue", "-"),
        ("output tokens", lambda r: r.tokens_out, "tab:orange", "--"),
        ("cost", lambda r: r.cost_usd, "tab:green", ":"),
    ):
        stats = [ratio_stats(g, fn) for g in groups.values()]
        med = [st["median"] for st in stats]
        err = [
            [m - st["min"] for m, st in zip(med, stats, strict=True)],
            [st["max"] - m for m, st in zip(med, stats, strict=True)],
        ]
        ax.errorbar(
            xs, med, yerr=err, marker="o", color=color, linestyle=style, capsize=3, label=f"{name} b/a"
        )
        if name == "wall time":
            for x, m in zip(xs, med, strict=True):
                ax.annotate(
                    f"{m:.2f}×", (x, m), textcoords="offset points", xytext=(4, 6), fontsize=7, color=color
                )
    ax.plot(
        [3000],
        [0.25],
        marker="v",
        color="tab:red",
        linestyle="none",
        label="wall target (0.25× at 3k, 0.15× at 12k)",
    )
    ax.plot([12000], [0.15], marker="v", color="tab:red", linestyle="none")
    ax.set_xlabel("guide length (output tokens of one whole document, measured)")
    ax.set_ylabel("opsrelay (b) / straightforward (a)")
    ax.set_ylim(0, None)
    ax.set_title("Ratio b/a against guide length (median, min–max)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)


def _plot_throughput(matplotlib: Any, left: Any, right: Any, batches: Sequence[BatchResult]) -> None:
    styles = {
        "naive": ("straightforward (a)", "tab:gray", "s"),
        "opsrelay": ("opsrelay (b)", "tab:blue", "o"),
    }
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
    left.set_title("Throughput: wall time (handoffs per minute annotated)")
    right.set_yscale("log")
    right.set_ylabel("tokens for the batch")
    right.set_title("Throughput: tokens")
    left.legend(fontsize=8)
    right.legend(fontsize=7)
