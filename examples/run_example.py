"""Run the DevOps stage on the bundled QA report from Python and print what came out.

.venv/bin/python examples/run_example.py [QA_REPORT.md] [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from opsrelay import run_handoff

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    """Run one handoff and print the verdict, the stop reason and where the files went."""
    qa = Path(argv[0]) if argv else HERE / "qa" / "QA_REPORT.md"
    out = Path(argv[1]) if len(argv) > 1 else Path("artifacts")
    evidence = [p for p in (qa.parent / "junit.xml", qa.parent / "coverage.xml") if p.exists()]
    result = run_handoff(qa, evidence=evidence, out_dir=out)
    review = result.review
    print(f"verdict {review.verdict}, score {review.score}/100, stop reason {result.stop_reason}")
    counts = ", ".join(f"{review.count(s)} {s}" for s in ("blocker", "major", "minor"))
    print(f"findings: {counts}")
    print(f"wrote {result.handoff.artifact.path} (sha256 {result.handoff.artifact.sha256[:12]}…)")
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
