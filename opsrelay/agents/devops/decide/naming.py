"""The service name used throughout the guide."""

from __future__ import annotations

import re
from pathlib import PurePath

from opsrelay.facts.model import QAFacts

_REPORT_WORDS = re.compile(
    r"(?i)\b(?:qa|test|tests|testing|report|results?|plan|execution|nfr|assessment|load|perf|performance|"
    r"audit|readiness|summary|release|notes?)\b"
)


def decide_service_name(facts: QAFacts) -> str:
    """Name the service: QA's project name, else the file name without report words, else 'the service'."""
    if facts.project and facts.project.value.strip():
        return " ".join(facts.project.value.split())[:80]
    if facts.source_name not in ("", "-"):
        stem = PurePath(facts.source_name).stem.replace("_", " ").replace("-", " ")
        name = " ".join(_REPORT_WORDS.sub(" ", stem).split())
        if name:
            return name[:80]
    return "the service"
