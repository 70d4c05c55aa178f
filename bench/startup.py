"""CLI start-up time and import hygiene, and the offline engine's speed."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.scripted import BENCH_DATE

__all__ = ["HEAVY_MODULES", "measure_offline", "measure_startup", "opsrelay_command"]

HEAVY_MODULES = ("langgraph", "langchain_openai", "langchain_core", "openai")
"""Top-level packages that ``--help`` and ``review`` should not import (the first two are required)."""


def opsrelay_command() -> list[str]:
    """The installed ``opsrelay`` console script next to this interpreter (else ``python -m opsrelay``)."""
    script = Path(sys.executable).with_name("opsrelay")
    return [str(script)] if script.exists() else [sys.executable, "-m", "opsrelay"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("OPSRELAY_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(name, None)
    return env


def _time(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 4):  # review exits 4 on a failing document; that is fine here
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return elapsed


def _imported(cmd: list[str], cwd: Path) -> set[str]:
    """Top-level packages a command imports, from ``python -X importtime``."""
    if cmd[0] == sys.executable:
        full = [sys.executable, "-X", "importtime", *cmd[1:]]
    else:  # a console script is a Python file
        full = [sys.executable, "-X", "importtime", *cmd]
    proc = subprocess.run(full, cwd=cwd, env=_env(), capture_output=True, text=True, check=False)
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def _document(workdir: Path, repo: Path) -> Path:
    """An OPERATIONS.md to review: the offline engine's output for the bundled example."""
    from opsrelay.agents.devops import render_offline
    from opsrelay.ingest import load_qa

    doc = workdir / "OPERATIONS.md"
    doc.write_text(
        render_offline(load_qa(repo / "examples/qa/QA_REPORT.md").facts, date=BENCH_DATE), encoding="utf-8"
    )
    return doc


EAGER_IMPORT = "import opsrelay.api, opsrelay.graph, opsrelay.models.openai_backend"
EAGER_LABEL = "python -c 'import opsrelay.graph …' (eager, reference)"
IMPORT_LABEL = "python -c 'import opsrelay'"


def measure_startup(repo: Path, *, repeats: int) -> dict[str, Any]:
    """Time CLI start-up against ``python -c pass``, interleaved, and list heavy imports per command.

    Returns medians (seconds), ratios to ``python -c pass`` and, for each command, which of
    :data:`HEAVY_MODULES` it imported. The import check runs first and doubles as the warm-up
    (OS file cache, bytecode cache). The eager-import reference is timed in at most three rounds.
    """
    cli = opsrelay_command()
    with tempfile.TemporaryDirectory(prefix="opsrelay-bench-") as tmp:
        doc = _document(Path(tmp), repo)
        commands: dict[str, list[str]] = {
            "python -c pass": [sys.executable, "-c", "pass"],
            IMPORT_LABEL: [sys.executable, "-c", "import opsrelay"],
            "opsrelay --help": [*cli, "--help"],
            # Start-up and the rubric only: the external linters (when installed) are subprocesses.
            "opsrelay review OPERATIONS.md": [*cli, "review", "--no-external", str(doc)],
            EAGER_LABEL: [sys.executable, "-c", EAGER_IMPORT],
        }
        imports = {name: sorted(set(HEAVY_MODULES) & _imported(cmd, repo)) for name, cmd in commands.items()}
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(repeats):
            for name, cmd in commands.items():
                if name != EAGER_LABEL or round_ < 3:
                    samples[name].append(_time(cmd, repo))
    base = statistics.median(samples["python -c pass"])
    return {
        "repeats": repeats,
        "samples": {name: len(values) for name, values in samples.items()},
        "commands": {
            name: {
                "median_s": statistics.median(values),
                "min_s": min(values),
                "max_s": max(values),
                "ratio_to_python": statistics.median(values) / base,
                "heavy_imports": imports[name],
            }
            for name, values in samples.items()
        },
    }


def measure_offline(
    repo: Path, reports: dict[str, Path], *, repeats: int, startup: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Time one full offline handoff (ingest → emit, files written) per report, in this process and cold.

    The baseline is ``python -c 'import opsrelay'`` (a subprocess, like any import of the package)
    and, for reference, the eager import of everything a handoff needs (langgraph included); both
    are taken from ``startup`` (:func:`measure_startup`'s result) when given.
    """
    from opsrelay import run_handoff

    def import_time(label: str, code: str) -> float:
        if startup is not None:
            return float(startup["commands"][label]["median_s"])
        values = [_time([sys.executable, "-c", code], repo) for _ in range(max(3, repeats))]
        return statistics.median(values)

    base = import_time(IMPORT_LABEL, "import opsrelay")
    eager = import_time(EAGER_LABEL, EAGER_IMPORT)
    cli = opsrelay_command()
    out: dict[str, Any] = {"import_opsrelay_s": base, "import_opsrelay_graph_s": eager, "reports": {}}
    with tempfile.TemporaryDirectory(prefix="opsrelay-bench-") as tmp:
        for label, path in reports.items():
            run_handoff(path, out_dir=tmp, date=BENCH_DATE)  # warm-up
            warm = []
            for _ in range(repeats):
                start = time.perf_counter()
                result = run_handoff(path, out_dir=tmp, date=BENCH_DATE)
                warm.append(time.perf_counter() - start)
            cold = [
                _time([*cli, "run", str(path), "--out", tmp, "--date", BENCH_DATE], repo)
                for _ in range(max(1, repeats // 3))
            ]
            median = statistics.median(warm)
            out["reports"][label] = {
                "path": str(path.relative_to(repo)) if path.is_relative_to(repo) else path.name,
                "input_bytes": path.stat().st_size,
                "output_bytes": len(result.operations_md.encode()),
                "verdict": f"{result.review.verdict} {result.review.score}",
                "warm_median_s": median,
                "warm_min_s": min(warm),
                "warm_max_s": max(warm),
                "ratio_to_import": median / base,
                "ratio_to_eager_import": median / eager,
                "cold_cli_median_s": statistics.median(cold),
                "cold_cli_ratio_to_import": statistics.median(cold) / base,
            }
    return out
