"""The deterministic QA-facts extractor: any text in, a :class:`QAFacts` out, never an exception.

``extract_facts`` parses the document once (Markdown structure with original line numbers, see
:mod:`opsrelay.facts.document`) and runs the focused extractors in turn: title, project, date and
language (``meta``), the stack (``stack``), test commands and results (``testing``), coverage
(``coverage``), performance (``perf``), defects and security findings by id (``defects``), the
remaining risks and findings (``risks``), environments (``environments``) and the verdict
(``verdict``). A failure inside one extractor is logged and leaves that part of the facts empty
("unknown" is a valid value) instead of failing the whole ingest.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

from opsrelay.facts.coverage import extract_coverage
from opsrelay.facts.defects import extract_defects
from opsrelay.facts.document import Document, parse_document
from opsrelay.facts.environments import extract_environments
from opsrelay.facts.kind import extract_software_kind
from opsrelay.facts.meta import detect_language, extract_date, extract_title_and_project
from opsrelay.facts.model import QAFacts
from opsrelay.facts.outcome import extract_outcome
from opsrelay.facts.perf import extract_performance
from opsrelay.facts.plan import extract_document_kind
from opsrelay.facts.risks import extract_risks
from opsrelay.facts.services import extract_services
from opsrelay.facts.setup import extract_perf_setup
from opsrelay.facts.stack import extract_stack
from opsrelay.facts.testing import extract_test_commands, extract_test_results
from opsrelay.facts.verdict import extract_verdict

log = logging.getLogger(__name__)

Step = Callable[[Document, QAFacts], None]

STEPS: tuple[tuple[str, Step], ...] = (
    ("title_and_project", extract_title_and_project),
    ("date", extract_date),
    ("stack", extract_stack),
    ("services", extract_services),  # after the stack (names of products are not services)
    ("software_kind", extract_software_kind),  # reads the stack and the services
    ("test_commands", extract_test_commands),
    ("test_results", extract_test_results),
    ("coverage", extract_coverage),
    ("performance", extract_performance),
    ("perf_setup", extract_perf_setup),
    ("defects", extract_defects),
    ("risks", extract_risks),
    ("environments", extract_environments),
    ("verdict", extract_verdict),
    # after the verdict and results: failures and open questions read them; the kind reads all
    ("outcome", extract_outcome),
    ("document_kind", extract_document_kind),
)

# Set OPSRELAY_FACTS_STRICT=1 (the test suite does) to let extractor bugs raise instead of being logged.
_STRICT_ENV = "OPSRELAY_FACTS_STRICT"


def extract_facts(
    text: str,
    *,
    source_name: str,
    source_sha256: str,
    front_matter: Mapping[str, Any] | None = None,
) -> QAFacts:
    """Extract QA facts from a QA document's full text (front matter included, if any).

    ``text`` is the whole document as read, so evidence line numbers are line numbers in the file.
    ``front_matter`` is the already-parsed YAML front matter when the caller has it; otherwise the
    extractor parses it leniently itself. Deterministic, and never raises on any text.
    """
    facts = QAFacts(source_name=source_name, source_sha256=source_sha256)
    strict = os.environ.get(_STRICT_ENV) == "1"
    try:
        doc = parse_document(text, source_name, front_matter)
    except Exception:
        if strict:
            raise
        log.warning("opsrelay.facts: could not parse %s; no facts extracted", source_name, exc_info=True)
        return facts
    for name, step in STEPS:
        try:
            step(doc, facts)
        except Exception:
            if strict:
                raise
            log.warning(
                "opsrelay.facts: extractor %r failed on %s; skipped", name, source_name, exc_info=True
            )
    try:
        facts.language = detect_language("\n".join(line for n, line in doc.text_lines()))
    except Exception:
        if strict:
            raise
    return facts
