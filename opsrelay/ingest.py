"""The input boundary: read the QA stage's handoff, reject bad input in one clear line, extract the QA facts.

Accepted inputs (DESIGN §1 *ingest*):

- a Markdown QA document, optionally with YAML front matter;
- a JSON handoff envelope (schema ``opsrelay.handoff/v1``) addressed to the DevOps Engineer, carrying
  the QA document inline in ``artifact.content`` (or, for files, at ``artifact.path`` relative to the
  envelope);
- a JSON object ``{"qa_report": "…"}`` (the LangGraph server input shape);
- any of these on stdin (``-``);
- optional evidence files (JUnit, Cobertura/coverage.py, JaCoCo XML) whose results and coverage are
  appended to the facts.

Decisions (documented because downstream checks depend on them):

- ``IngestedQA.text`` is the whole QA document as decoded: UTF-8 BOM removed, CRLF/CR normalised to
  LF, **front matter kept**, so evidence line numbers are line numbers in the original file.
- ``IngestedQA.sha256`` identifies the upstream artifact as handed over: for a Markdown file (or stdin)
  it is the sha256 of the **original bytes** (BOM and CRLF included), which is what a downstream
  check computes over the file; for a JSON envelope or ``{"qa_report"}`` object it is the sha256 of
  the embedded document's UTF-8 text, which is what ``artifact.sha256`` is defined over; for
  :func:`ingest_text` it is the sha256 of the given text's UTF-8.
- The "is this a QA report" check runs after evidence files are merged: a thin note plus a JUnit
  report is still a QA handoff. Plans, strategies, checklists, performance runs and load-test logs
  are QA output; a document whose only QA-like content is a test command or a list of limitations
  (a library README) is not, unless its title says it is about testing
  (:func:`opsrelay.facts.plan.has_qa_substance`).

Nothing here imports langgraph or langchain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from opsrelay.errors import InputError
from opsrelay.facts.document import find_front_matter
from opsrelay.facts.evidence import EvidenceFacts, load_evidence
from opsrelay.facts.extract import extract_facts
from opsrelay.facts.model import QAFacts
from opsrelay.facts.plan import has_qa_substance
from opsrelay.handoff import DEVOPS_ROLE, HANDOFF_SCHEMA, Handoff, sha256_text
from opsrelay.reading import (
    STDIN,
    check_text,
    decode_text,
    display_name,
    read_bytes,
    read_text_file,
    too_big,
)
from opsrelay.settings import DEFAULT_MAX_BYTES

__all__ = [
    "STDIN",
    "IngestedQA",
    "decode_text",
    "ingest_text",
    "load_qa",
    "merge_evidence",
    "parse_front_matter",
    "read_bytes",
    "read_text_file",
]


class IngestedQA(BaseModel):
    """A validated QA handoff: the document, its identity, its front matter, its envelope and its facts."""

    source_name: str = Field(
        description="File name of the QA document ('-' for stdin, artifact.name for envelopes)."
    )
    text: str = Field(
        description="The QA document: BOM stripped, newlines normalised to LF, front matter kept."
    )
    sha256: str = Field(
        description="sha256 of the upstream artifact (file bytes; embedded text for JSON inputs)."
    )
    front_matter: dict[str, Any] = Field(
        default_factory=dict, description="Parsed YAML front matter (JSON-safe)."
    )
    envelope: Handoff | None = Field(
        default=None, description="The JSON handoff envelope, when the input was one."
    )
    evidence_files: list[str] = Field(
        default_factory=list, description="Names of the evidence files merged in."
    )
    facts: QAFacts


# --- front matter --------------------------------------------------------------------------------------


def parse_front_matter(text: str, name: str) -> dict[str, Any]:
    """Strictly parse a leading YAML front matter block ({} when there is none)."""
    span = find_front_matter(text)
    if span is None:
        return {}
    try:
        data = yaml.safe_load(span.raw)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = span.start + 1 + (mark.line if mark is not None else 0)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise InputError(f"{name}: malformed YAML front matter at line {line}: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{name}: malformed YAML front matter: {str(exc).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(
            f"{name}: front matter (lines {span.start}-{span.end}) must be a YAML mapping of keys to values, "
            f"not a {type(data).__name__}"
        )
    return {str(k): _jsonable(v) for k, v in data.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# --- JSON handoffs ------------------------------------------------------------------------------------------


def _looks_like_json(name: str, text: str) -> bool:
    return name.lower().endswith(".json") or text.lstrip().startswith("{")


def _from_json(
    text: str, name: str, *, base_dir: Path | None, max_bytes: int
) -> tuple[str, str, str, Handoff | None]:
    """(document name, document text, sha256, envelope) from a JSON envelope or {"qa_report": …} object."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    expected = f"a handoff envelope (schema {HANDOFF_SCHEMA!r}) or an object with a string 'qa_report'"
    if not isinstance(obj, dict):
        raise InputError(f"{name}: JSON input must be {expected}, not a {type(obj).__name__}")
    if any(k in obj for k in ("schema", "artifact", "to_role", "from_role")):
        return _from_envelope(obj, name, base_dir=base_dir, max_bytes=max_bytes)
    if "qa_report" in obj:
        report = obj["qa_report"]
        if not isinstance(report, str):
            raise InputError(f"{name}: 'qa_report' must be a string holding the QA document")
        doc_name = obj.get("qa_source_name") if isinstance(obj.get("qa_source_name"), str) else None
        return doc_name or "qa_report.md", report, sha256_text(report), None
    raise InputError(f"{name}: JSON is neither {expected}")


def _from_envelope(
    obj: dict[str, Any], name: str, *, base_dir: Path | None, max_bytes: int
) -> tuple[str, str, str, Handoff]:
    schema = obj.get("schema")
    if schema != HANDOFF_SCHEMA:
        shown = "missing" if schema is None else repr(schema)
        raise InputError(f"{name}: handoff schema is {shown}; expected {HANDOFF_SCHEMA!r}")
    to_role = obj.get("to_role")
    if isinstance(to_role, str) and to_role.strip().casefold() != DEVOPS_ROLE.casefold():
        raise InputError(f"{name}: handoff is addressed to {to_role!r}, not to the {DEVOPS_ROLE!r} stage")
    try:
        envelope = Handoff.model_validate(obj)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "envelope"
        raise InputError(f"{name}: invalid handoff envelope: {where}: {err.get('msg', 'invalid')}") from None
    artifact = envelope.artifact
    declared = (artifact.sha256 or "").strip().lower()
    if artifact.content is not None:
        content = artifact.content
        if len(content.encode("utf-8")) > max_bytes:
            raise too_big(f"{name} (artifact {artifact.name!r})", len(content.encode("utf-8")), max_bytes)
        actual = sha256_text(content)
    elif artifact.path and base_dir is not None:
        target = (base_dir / artifact.path) if not Path(artifact.path).is_absolute() else Path(artifact.path)
        data = read_bytes(target, max_bytes=max_bytes)
        content = decode_text(data, str(target))
        actual = hashlib.sha256(data).hexdigest()
    else:
        raise InputError(
            f"{name}: handoff artifact {artifact.name!r} carries no inline content (artifact.content)"
            + ("" if artifact.path is None else f" and its path {artifact.path!r} cannot be resolved here")
        )
    if declared and declared != actual:
        raise InputError(
            f"{name}: artifact.sha256 does not match the content of {artifact.name!r} "
            f"(declared {declared[:12]}…, actual {actual[:12]}…)"
        )
    return artifact.name, content, actual, envelope


# --- building ----------------------------------------------------------------------------------------------


def _build(
    text: str,
    *,
    source_name: str,
    display_name: str,
    sha256: str,
    envelope: Handoff | None,
    evidence: Sequence[str | Path],
) -> IngestedQA:
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    check_text(text, display_name)
    front_matter = parse_front_matter(text, display_name)
    facts = extract_facts(text, source_name=source_name, source_sha256=sha256, front_matter=front_matter)
    names: list[str] = []
    for path in evidence:
        ev = load_evidence(Path(path))
        merge_evidence(facts, ev)
        names.append(ev.source)
    if not has_qa_substance(facts):
        raise InputError(
            f"{display_name}: does not look like a QA report: no tests, results, coverage, defects, "
            "performance figures, verdict or test plan found"
        )
    return IngestedQA(
        source_name=source_name,
        text=text,
        sha256=sha256,
        front_matter=front_matter,
        envelope=envelope,
        evidence_files=names,
        facts=facts,
    )


def merge_evidence(facts: QAFacts, evidence: EvidenceFacts) -> None:
    """Append an evidence file's results and coverage to the facts, without double counting.

    A run whose counts equal a run the document already states is the same run: its failing test
    names are added to it instead of a second copy. Likewise for an identical coverage figure.
    """
    for run in evidence.test_results:
        same = next(
            (
                r
                for r in facts.test_results
                if (r.total, r.passed, r.failed, r.skipped)
                == (run.total, run.passed, run.failed, run.skipped)
            ),
            None,
        )
        if same is None:
            facts.test_results.append(run)
        else:
            same.failing_tests.extend(n for n in run.failing_tests if n not in same.failing_tests)
    for cov in evidence.coverage:
        if not any(abs(c.percent - cov.percent) < 0.005 and c.scope == cov.scope for c in facts.coverage):
            facts.coverage.append(cov)


def load_qa(
    source: str | Path,
    *,
    evidence: Sequence[str | Path] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: IO[bytes] | None = None,
) -> IngestedQA:
    """Load and validate a QA handoff from a file or stdin (``-``), merging evidence files into its facts.

    Raises :class:`~opsrelay.errors.InputError` (exit code 2) with one line naming the input and the
    problem: missing file, directory, empty, binary, not UTF-8, over ``max_bytes``, malformed front
    matter or JSON, a JSON that is not a DevOps-bound handoff, an artifact whose sha256 does not
    match, a malformed evidence file, or a document with no QA content at all.
    """
    display = display_name(source)
    data = read_bytes(source, max_bytes=max_bytes, stdin=stdin)
    text = decode_text(data, display)
    file_name = STDIN if str(source) == STDIN else Path(source).name
    if _looks_like_json(display, text):
        base_dir = None if str(source) == STDIN else Path(source).resolve().parent
        doc_name, doc_text, sha, envelope = _from_json(text, display, base_dir=base_dir, max_bytes=max_bytes)
        return _build(
            doc_text,
            source_name=doc_name,
            display_name=f"{display} ({doc_name})" if envelope else display,
            sha256=sha,
            envelope=envelope,
            evidence=evidence,
        )
    return _build(
        text,
        source_name=file_name,
        display_name=display,
        sha256=hashlib.sha256(data).hexdigest(),
        envelope=None,
        evidence=evidence,
    )


def ingest_text(
    text: str,
    *,
    source_name: str = "qa_report.md",
    evidence: Sequence[str | Path] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IngestedQA:
    """Validate and ingest a QA document given as text (graph / LangGraph server input ``{"qa_report": …}``).

    The text may itself be a JSON handoff envelope. Same checks and errors as :func:`load_qa`.
    """
    if not isinstance(text, str):
        raise InputError(f"{source_name}: QA input must be text, not {type(text).__name__}")
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise too_big(source_name, size, max_bytes)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{source_name}: text is not valid Unicode (lone surrogate at character {exc.start})"
        ) from None
    if text.lstrip("\ufeff").lstrip().startswith("{") or source_name.lower().endswith(".json"):
        check_text(text, source_name)
        doc_name, doc_text, sha, envelope = _from_json(
            text.lstrip("\ufeff"), source_name, base_dir=None, max_bytes=max_bytes
        )
        return _build(
            doc_text,
            source_name=doc_name,
            display_name=source_name,
            sha256=sha,
            envelope=envelope,
            evidence=evidence,
        )
    return _build(
        text,
        source_name=source_name,
        display_name=source_name,
        sha256=sha256_text(text),
        envelope=None,
        evidence=evidence,
    )
