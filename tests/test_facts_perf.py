"""Performance and benchmark reports: units, percentiles, durations, saturation, deltas, set-up, speed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from opsrelay.facts.extract import extract_facts
from opsrelay.facts.model import PerfMetric, QAFacts
from opsrelay.facts.perf import parse_duration, parse_value

FIXTURES = Path(__file__).parent / "fixtures" / "qa"


pytestmark = pytest.mark.usefixtures("facts_strict")


def facts(text: str) -> QAFacts:
    return extract_facts(text, source_name="perf.md", source_sha256="0")


def got(f: QAFacts, metric: str) -> list[tuple[float, str]]:
    return [(round(m.value, 4), m.unit) for m in f.performance if m.metric == metric and m.kind == "baseline"]


@pytest.mark.parametrize(
    ("metric", "cell", "hint", "expected"),
    [
        ("p99", "327 μs", "", (0.327, "ms")),
        ("p99", "590", "Latency (μs)", (0.59, "ms")),
        ("p95", "1.2 s", "", (1200.0, "ms")),
        ("avg", "3 menit 13 detik", "", (193000.0, "ms")),
        ("avg", "~5 minutos", "", (300000.0, "ms")),
        ("max", "240,342 ms (4 menit)", "", (240342.0, "ms")),
        ("throughput", "197,793 msg/s", "", (197793.0, "msg/s")),
        ("throughput", "19.6/sec", "", (19.6, "rps")),
        ("throughput", "1,200 tx/s", "", (1200.0, "tx/s")),
        ("throughput", "75.58 MB/s", "", (75.58, "MB/s")),
        ("throughput", "420 MB/min", "", (420.0, "MB/min")),
        ("throughput", "600 rpm", "", (10.0, "rps")),
        ("error_rate", "31.77%", "", (31.77, "%")),
        ("error_rate", "0.6", "Err %", (0.6, "%")),
    ],
)
def test_units(metric: str, cell: str, hint: str, expected: tuple[float, str]) -> None:
    parsed = parse_value(metric, cell, hint)  # type: ignore[arg-type]
    assert parsed is not None and (round(parsed[0], 4), parsed[1]) == expected


@pytest.mark.parametrize("cell", ["Not tested", "⏳ pending", "300-500", "-", "n/a"])
def test_cells_that_are_not_measurements(cell: str) -> None:
    assert parse_value("p95", cell) is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3 menit 13 detik", 193), ("18m 33s", 1113), ("2 minutes", 120), ("1 h 30 min", 5400), ("no", None)],
)
def test_written_durations(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


def test_percentile_table_with_microseconds() -> None:
    f = facts(
        "# Bench\n\n## Results\n\n| Percentile | Latency (μs) |\n|---|---|\n"
        "| p50 | 327 |\n| p75 | 390 |\n| p99 | 590 |\n| p99.9 | 4,371 |\n| max | 15,895 |\n"
    )
    assert got(f, "p50") == [(0.327, "ms")]
    assert got(f, "p75") == [(0.39, "ms")]
    assert got(f, "p99.9") == [(4.371, "ms")]
    assert got(f, "max") == [(15.895, "ms")]


def test_latency_breakdown_in_a_code_block_and_go_benchmarks() -> None:
    f = facts(
        "# Bench\n\n## Cluster\n\n```\np50:    0.61ms\np99:    2.85ms\np99.9:  3.60ms\n"
        "max:   12.22ms\n```\n\n"
        "## Go\n\n```\nBenchmarkSearch_1000Nodes-4    5    111346 ns/op\n```\n"
    )
    assert got(f, "p99") == [(2.85, "ms")] and got(f, "p99.9") == [(3.6, "ms")]
    [bench] = [m for m in f.performance if m.metric == "avg"]
    assert round(bench.value, 4) == 0.1113 and "BenchmarkSearch_1000Nodes" in (bench.context or "")


def test_targets_and_expected_metrics_are_not_measurements() -> None:
    f = facts(
        "# Plan de pruebas\n\n## Escenario 1\n\n**Métricas Esperadas**:\n- P95: < 12 segundos\n"
        "- Throughput: ~3.0-3.5 MB/s\n\n**Criterios de Éxito**:\n- Latencia promedio: < 15 segundos\n\n"
        "## Criterios de Evaluación\n\n| Escenario | Throughput | Estado |\n|---|---|---|\n"
        "| Smoke | 6 MB/s | ✅ |\n"
    )
    assert [m for m in f.performance if m.metric != "concurrency"] == []
    assert f.document_kind == "plan"


def test_saturation_points() -> None:
    f = facts(
        "# Stress test\n\n## Conclusion\n\n**BREAKING POINT: 300-500 concurrent users**\n\n"
        "- Safe operating capacity: ~200 users\n- Nivel máximo sin degradación: 100 usuarios concurrentes\n"
    )
    values = sorted(m.value for m in f.performance if m.metric == "saturation")
    assert values == [100.0, 200.0, 300.0]
    breaking = next(m for m in f.performance if m.metric == "saturation" and m.value == 300)
    assert "300-500" in (breaking.context or "")


def test_version_comparison_gives_baseline_and_deltas() -> None:
    f = facts(
        "# Release 2.3 performance comparison\n\n## Results\n\n"
        "| Metric | v2.2 | v2.3 | Change |\n|---|---|---|---|\n"
        "| p99 latency | 40 ms | 46 ms | +15% |\n| Throughput | 1,200 req/s | 1,260 req/s | +5% |\n"
        "| Error rate | 0.5% | 0.4% | |\n\nRelease can continue as planned.\n"
    )
    assert got(f, "p99") == [(46.0, "ms")]  # the newest version is the baseline
    deltas = {m.metric: (m.value, m.regression) for m in f.performance if m.kind == "delta"}
    assert deltas["p99"] == (15.0, True)  # slower: a regression
    assert deltas["throughput"] == (5.0, False)  # more throughput: not a regression
    assert deltas["error_rate"] == (-20.0, False)  # computed from the two columns
    assert f.verdict.value == "GO" and not f.release_blocked


def test_failed_criteria_in_a_performance_table_block_the_release() -> None:
    f = facts(
        "# Load test\n\n## Results\n\n| Metric | Value | Target | Status |\n|---|---|---|---|\n"
        "| Throughput | 19.6 req/s | > 100 req/s | ❌ FAIL |\n| Error rate | 31.77% | < 5% | ❌ FAIL |\n"
        "| Min response time | 1,420 ms | - | - |\n"
    )
    assert got(f, "throughput") == [(19.6, "rps")] and got(f, "min") == [(1420.0, "ms")]
    reasons = [x.reason for x in f.outcome_failures]
    assert reasons == [
        "Throughput: failed (status FAIL); measured 19.6 req/s",
        "Error rate: failed (status FAIL); measured 31.77%",
    ]
    assert f.release_blocked


def test_setup_of_the_run() -> None:
    f = facts(
        "# Benchmark\n\n## Test Configuration\n\n- **Concurrency**: 128 producers\n"
        "- **Message Size**: 256 bytes\n"
        "- **Instance type**: c6i.2xlarge (3 nodes)\n\n## Results\n\n| Metric | Value |\n|---|---|\n"
        "| Throughput | 197,793 msg/s |\n\n**Test System**: Ubuntu 22.04\n**Target NFR**: 500 users\n"
    )
    assert [s.value for s in f.perf_setup] == [
        "Concurrency: 128 producers",
        "Message Size: 256 bytes",
        "Instance type: c6i.2xlarge (3 nodes)",
        "Test System: Ubuntu 22.04",
    ]


def _metrics(f: QAFacts, metric: str, context: str) -> list[PerfMetric]:
    return [m for m in f.performance if m.metric == metric and context in (m.context or "")]


def test_extraction_stays_fast_on_a_large_benchmark_report() -> None:
    chunk = (FIXTURES / "chronik-stream_BASELINE_PERFORMANCE.md").read_text(encoding="utf-8")
    text = "\n".join([chunk] * 60)  # ~410 kB of tables and code blocks
    start = time.perf_counter()
    f = extract_facts(text, source_name="big.md", source_sha256="0")
    assert time.perf_counter() - start < 30
    assert _metrics(f, "p99.9", "Standalone Mode - acks=1")


def test_a_testnet_run_reads_tps_and_node_counts() -> None:
    f = facts(
        "# Testnet performance run\n\n## Setup\n\n- Node count: 200\n- Instance type: c5.xlarge\n\n"
        "## Results\n\n| Metric | Value |\n|---|---|\n| Peak TPS | 1,250 |\n| Block time p95 | 2.1 s |\n"
    )
    assert got(f, "throughput") == [(1250.0, "tx/s")] and got(f, "p95") == [(2100.0, "ms")]
    assert [s.value for s in f.perf_setup] == ["Node count: 200", "Instance type: c5.xlarge"]
