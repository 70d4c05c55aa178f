"""Machine evidence files: JUnit XML → test results; Cobertura / coverage.py / JaCoCo XML → coverage.

Parsed with defusedxml (no entity expansion, no external entities, no DTD tricks). The kind is
detected from the root element. Anything unreadable, malformed or unknown is an
:class:`~opsrelay.errors.InputError` naming the file, in one line.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Literal

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from pydantic import BaseModel, Field

from opsrelay.errors import InputError
from opsrelay.facts.model import Coverage, Evidence, TestResults

EvidenceKind = Literal["junit", "cobertura", "jacoco"]
DEFAULT_MAX_BYTES = 50_000_000


class EvidenceFacts(BaseModel):
    """What one evidence file contributes to the QA facts."""

    source: str = Field(description="File name of the evidence file.")
    kind: EvidenceKind
    test_results: list[TestResults] = Field(default_factory=list)
    coverage: list[Coverage] = Field(default_factory=list)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def _rate(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        rate = float(value)
    except ValueError:
        return None
    return round(rate * 100, 2) if 0 <= rate <= 1 else None


def _tag(element: ET.Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _summary(name: str, element: ET.Element, keys: tuple[str, ...]) -> str:
    attrs = " ".join(f'{k}="{element.get(k)}"' for k in keys if element.get(k) is not None)
    return f"<{_tag(element)} {attrs}>".replace(" >", ">")[:240]


def parse_junit(root: ET.Element, source: str) -> TestResults:
    """JUnit/xUnit XML (``<testsuites>`` or ``<testsuite>``): counts and failing tests ``classname.name``."""
    failing: list[str] = []
    cases = [e for e in root.iter() if _tag(e) == "testcase"]
    case_failed = case_skipped = 0
    for case in cases:
        children = {_tag(c) for c in case}
        if children & {"failure", "error"}:
            case_failed += 1
            cls, name = case.get("classname"), case.get("name") or "?"
            failing.append(f"{cls}.{name}" if cls else name)
        elif "skipped" in children:
            case_skipped += 1

    top = [root] if _tag(root) == "testsuite" else [c for c in root if _tag(c) == "testsuite"]

    def attr_sum(key: str, *alts: str) -> int | None:
        """Return a count from the root ``<testsuites>`` attribute, else summed over the top-level suites."""
        if _tag(root) == "testsuites" and root.get(key) is not None:
            return _int(root.get(key))
        values = [_int(next((s.get(k) for k in (key, *alts) if s.get(k) is not None), None)) for s in top]
        known = [v for v in values if v is not None]
        return sum(known) if known else None

    total = attr_sum("tests")
    failures = attr_sum("failures")
    errors = attr_sum("errors")
    skipped = attr_sum("skipped", "skip", "disabled")
    if total is None:
        total = len(cases)
        failed = case_failed
        skipped = case_skipped
    else:
        failed = (
            (failures or 0) + (errors or 0) if failures is not None or errors is not None else case_failed
        )
        if skipped is None:
            skipped = case_skipped
    passed = max(total - failed - (skipped or 0), 0) if total is not None else None
    evidence = Evidence(
        source=source, line=0, text=_summary(source, root, ("name", "tests", "failures", "errors", "skipped"))
    )
    return TestResults(
        total=total, passed=passed, failed=failed, skipped=skipped, failing_tests=failing, evidence=evidence
    )


def parse_cobertura(root: ET.Element, source: str) -> list[Coverage]:
    """Cobertura / coverage.py XML: ``line-rate`` → lines %, ``branch-rate`` → branches % (if measured)."""
    keys = ("line-rate", "branch-rate", "lines-valid", "lines-covered", "branches-valid")
    evidence = Evidence(source=source, line=0, text=_summary(source, root, keys))
    out: list[Coverage] = []
    lines = _rate(root.get("line-rate"))
    if lines is None:
        valid, covered = _int(root.get("lines-valid")), _int(root.get("lines-covered"))
        if valid and covered is not None:
            lines = round(100 * covered / valid, 2)
    if lines is not None:
        out.append(Coverage(percent=lines, scope="lines", evidence=evidence))
    branches_valid = _int(root.get("branches-valid"))
    branches = _rate(root.get("branch-rate"))
    if branches is not None and ((branches_valid is None and branches > 0) or (branches_valid or 0) > 0):
        out.append(Coverage(percent=branches, scope="branches", evidence=evidence))
    return out


def parse_jacoco(root: ET.Element, source: str) -> list[Coverage]:
    """JaCoCo XML report: the report-level LINE / BRANCH / INSTRUCTION counters."""
    out: list[Coverage] = []
    scopes = {"LINE": "lines", "BRANCH": "branches", "INSTRUCTION": "instructions", "METHOD": "functions"}
    for counter in root:
        if _tag(counter) != "counter":
            continue
        scope = scopes.get(counter.get("type") or "")
        missed, covered = _int(counter.get("missed")), _int(counter.get("covered"))
        if scope and missed is not None and covered is not None and missed + covered > 0:
            text = _summary(source, counter, ("type", "missed", "covered"))
            out.append(
                Coverage(
                    percent=round(100 * covered / (missed + covered), 2),
                    scope=scope,
                    evidence=Evidence(source=source, line=0, text=text),
                )
            )
    return out


def parse_evidence_xml(data: bytes, source: str) -> EvidenceFacts:
    """Parse evidence XML bytes; ``source`` names the file in facts and errors."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InputError(
            f"{source}: refused to parse XML that uses a DTD or entities ({type(exc).__name__})"
        ) from None
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise InputError(f"{source}: not well-formed XML at line {line}, column {col + 1}") from None
    tag = _tag(root)
    if tag in ("testsuites", "testsuite"):
        return EvidenceFacts(source=source, kind="junit", test_results=[parse_junit(root, source)])
    if tag == "coverage":
        coverage = parse_cobertura(root, source)
        if not coverage:
            raise InputError(f"{source}: coverage XML has no line-rate or branch-rate on <coverage>")
        return EvidenceFacts(source=source, kind="cobertura", coverage=coverage)
    if tag == "report" and any(_tag(c) == "counter" for c in root):
        return EvidenceFacts(source=source, kind="jacoco", coverage=parse_jacoco(root, source))
    raise InputError(
        f"{source}: unknown evidence XML <{tag}>; expected JUnit (<testsuites>/<testsuite>), "
        "Cobertura/coverage.py (<coverage>) or JaCoCo (<report>)"
    )


def load_evidence(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> EvidenceFacts:
    """Read and parse one evidence file (JUnit, Cobertura/coverage.py or JaCoCo XML)."""
    name = str(path)
    if not path.exists():
        raise InputError(f"{name}: evidence file not found")
    if path.is_dir():
        raise InputError(f"{name}: is a directory, not an evidence file")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{name}: evidence file is {size:,} bytes, over the {max_bytes:,}-byte limit")
        data = path.read_bytes()
    except PermissionError:
        raise InputError(f"{name}: cannot read evidence file (permission denied)") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read evidence file ({exc.strerror or exc})") from None
    if not data.strip():
        raise InputError(f"{name}: evidence file is empty")
    return parse_evidence_xml(data, path.name)
