"""Re-record the bundled example's cassette (``make cassette``) after a prompt or schema change.

No real provider is reachable from CI, so this records against opsrelay's local fake
OpenAI-compatible server answering with the scripted DevOps model. To record a real model
instead, run the same ``opsrelay run`` with ``--model openai:<name>`` and your key.
"""

from __future__ import annotations

import sys
from pathlib import Path

from opsrelay.cli import cli
from opsrelay.testing.devops_model import devops_responder
from opsrelay.testing.fake_openai import FakeOpenAI

HERE = Path(__file__).resolve().parent
CASSETTE = HERE / "cassettes" / "checkout-service.json"
# The replay must ask exactly what was recorded: same report, evidence, date and model.
RUN_ARGS = [
    "run",
    str(HERE / "qa" / "QA_REPORT.md"),
    "--evidence",
    str(HERE / "qa" / "junit.xml"),
    "--evidence",
    str(HERE / "qa" / "coverage.xml"),
    "--date",
    "2026-11-20",
    "--no-checkpoint",
]


def main() -> int:
    """Record one run of the example into examples/cassettes/checkout-service.json."""
    import os

    with FakeOpenAI(devops_responder) as fake:
        os.environ.setdefault("OPENAI_API_KEY", "sk-local-fake-server")
        return cli(
            [
                *RUN_ARGS,
                "--out",
                str(HERE.parent / "artifacts" / "recorded"),
                "--model",
                "openai:gpt-4.1-mini",
                "--base-url",
                fake.base_url,
                "--record",
                str(CASSETTE),
            ]
        )


if __name__ == "__main__":
    sys.exit(main())
