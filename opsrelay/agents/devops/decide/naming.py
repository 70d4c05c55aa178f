"""The service name used throughout the guide."""

from __future__ import annotations

import re
from pathlib import PurePath

from opsrelay.facts import vocab
from opsrelay.facts.model import QAFacts

# Report words of every language ("detailed", "latest", "relatorio", "gerado"): in a file name they
# say what the document is, not what it is about.
_VOCAB_REPORT_WORDS = frozenset(t.lower() for t in vocab.terms("report_words"))

_REPORT_WORDS = re.compile(
    r"(?i)\b(?:qa|test|tests|testing|report|results?|plan|execution|nfr|assessment|load|perf|performance|"
    r"audit|readiness|summary|release|notes?|readme)\b"
)


def decide_service_name(facts: QAFacts) -> str:
    """Name the service: QA's project name, else the file name without report words, else 'the service'."""
    if facts.project and facts.project.value.strip():
        return " ".join(facts.project.value.split())[:80]
    if facts.source_name not in ("", "-"):
        stem = PurePath(facts.source_name).stem.replace("_", " ").replace("-", " ")
        words = _REPORT_WORDS.sub(" ", stem).split()
        name = " ".join(w for w in words if w.lower() not in _VOCAB_REPORT_WORDS)
        if name:
            return name[:80]
    return "the service"
