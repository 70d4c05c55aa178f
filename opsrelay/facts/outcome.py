"""The QA outcome beyond defect lists: what failed (each blocks the gate) and what is left unproven.

Failures (``facts.outcome_failures``), each with an English reason and its evidence line:

- a test run with failed tests, a NO-GO / FAIL verdict;
- a row of a results or criteria table whose status cell says FAIL (in any language, or ❌) —
  unless the same row says the failure was fixed or passed on retest; only the *status* column
  counts, so a criteria table with a "FAIL" count column does not block;
- a "Status: FAIL" line of a section (not "If FAIL: …");
- "not production-ready", "no apto para producción", "不可发布" …;
- items listed under a "Failed services" heading; a service that is down, returns 5xx or does not build.

Open questions (``facts.open_questions``): the document's own numbers against its headline —
a check still pending while the report presents its checks as passed, a criterion marked PASS
whose measured value misses its threshold, testing that could not run or timed out, skipped tests
behind a 100 % pass rate, very high error rates nobody called a failure, and a report with no
executed outcome at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from opsrelay.facts import vocab
from opsrelay.facts.document import Document, Table
from opsrelay.facts.model import OpenQuestion, OutcomeFailure, QAFacts
from opsrelay.facts.text import clean, short, strip_line_markers

_FAIL = vocab.pattern("fail", "no_go", "rejected")
_PASS = vocab.pattern("pass", "approved")
_NOT_RUN = vocab.pattern("not_run")
_FIXED = vocab.pattern("status_fixed")
_NOT_READY = vocab.pattern("not_ready")
_NOT_EXECUTED = vocab.pattern("not_executed")
_STATUS_HEADER = vocab.pattern("col_status")
_STATUS_LABEL = vocab.label("label_status")
_CONDITIONAL = vocab.pattern("conditional_clause")  # used with .match: at the start only
_SKIP_SECTION = vocab.pattern("h_recommendation", "h_non_fact", "h_target")
_ADVICE_SECTION = vocab.pattern("h_recommendation", "h_non_fact")
_TARGET_SECTION = vocab.pattern("h_target")
_FAILED_HEADING = vocab.pattern("h_failed")
_SERVICE = vocab.pattern("service_words")
_NOT_BUILDING = vocab.pattern("not_building")
_DOWN = vocab.pattern("down_words")
_HTTP_5XX = re.compile(
    r"\b(?:returns?|returned|returning|responds?\s+with|gives?|throws?)\s+(?:an?\s+|HTTP\s+)*5\d\d\b", re.I
)
_NEGATED = re.compile(r"\b(?:no|not|never|none\s+of|without)\b", re.I)
_FAIL_MARK = re.compile(r"[❌✗✘🔴⛔]")
_PASS_MARK = re.compile(r"[✅✔✓🟢]")
_PENDING_MARK = re.compile(r"[⏳🕒]")
_VALUE_HEADER = vocab.pattern("col_value")
_DEFECT_ID = re.compile(r"(?<![\w.#/-])(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d+(?:\.\d+)*[a-z]?|#\d+)(?![\w-])")
_RETEST = re.compile(r"\bre-?test\w*|\bre-?run\b|\bre-?verified\b|\bafter\s+(?:the\s+)?fix", re.I)

_MAX_QUESTIONS = 12


_REGRESSED = re.compile(r"\W*(?:regress\w*|degraded|регресс\w*|regresi[oó]n|回归|退化|性能劣化)\W*", re.I)


def cell_state(text: str, *, marks: bool = True) -> str | None:
    """'fail', 'pass', 'pending' or 'fixed' for a status cell (the last statement wins), else ``None``.

    With ``marks`` a cell with no status word is read by its mark (❌ fail, ⏳ pending, ✅ pass);
    criteria tables that *define* targets use marks for other things ("❌ Limit"), so callers
    reading those pass ``marks=False``.
    """
    cell = clean(text)
    if _REGRESSED.fullmatch(cell):
        return "fail"  # a comparison's status "⚠️ REGRESSION": the measured change missed the baseline
    found: list[tuple[int, str]] = []
    fail_spans = [m.span() for m in _FAIL.finditer(cell)]
    found.extend((a, "fail") for a, _ in fail_spans)
    for m in _PASS.finditer(cell):
        # "no aprobado", "不通过" contain a pass word inside a fail statement
        if not any(a <= m.start() < b for a, b in fail_spans):
            found.append((m.start(), "pass"))
    found.extend((m.start(), "pending") for m in _NOT_RUN.finditer(cell))
    found.extend((m.start(), "fixed") for m in _FIXED.finditer(cell))
    if found:
        return max(found)[1]
    if not marks:
        return None
    raw = text
    if _FAIL_MARK.search(raw):
        return "fail"
    if _PENDING_MARK.search(raw):
        return "pending"
    if _PASS_MARK.search(raw):
        return "pass"
    return None


@dataclass
class _Outcome:
    doc: Document
    failures: list[OutcomeFailure]
    questions: list[OpenQuestion]
    executed_rows: int = 0
    fixed_ids: frozenset[str] = frozenset()

    def fail(self, reason: str, line: int) -> None:
        if any(f.evidence.line == line for f in self.failures):
            return
        self.failures.append(OutcomeFailure(reason=short(reason, 200), evidence=self.doc.evidence(line)))

    def ask(self, question: str, line: int) -> None:
        if len(self.questions) >= _MAX_QUESTIONS or any(q.evidence.line == line for q in self.questions):
            return
        self.questions.append(OpenQuestion(question=short(question, 240), evidence=self.doc.evidence(line)))


def _sections(doc: Document, line: int) -> list[str]:
    """Enclosing section titles of a line, without the document title.

    An H1 names the topic: "Vector Search Optimization" is what was tested, not a section of advice.
    """
    return [clean(h.text) for h in doc.section_path(line)]


@lru_cache(maxsize=4096)
def _is_skip_heading(title: str) -> bool:
    return bool(_SKIP_SECTION.search(title))


@lru_cache(maxsize=4096)
def _is_advice_heading(title: str) -> bool:
    return bool(_ADVICE_SECTION.search(title))


def _skipped_section(doc: Document, line: int) -> bool:
    return any(_is_skip_heading(h) for h in _sections(doc, line))


# --- tables ---------------------------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:[,\s]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_THRESHOLD = re.compile(
    rf"(?P<op>≥|>=|=>|≤|<=|=<|>|<|\bat\s+least\b|\bat\s+most\b|\bmin(?:imum)?\b|\bmax(?:imum)?\b)\s*"
    rf"(?P<num>{_NUM})\s*(?P<unit>%|ms|s|sec|seconds?|req/s|rps)?",
    re.I,
)
_MEASURE = re.compile(
    rf"(?<![≥≤<>=~≈\d.,])(?P<num>{_NUM})\s*(?P<unit>%|ms|s|sec|seconds?|req/s|rps)?(?![\w/])", re.I
)


def _to_base(value: float, unit: str) -> tuple[float, str]:
    unit = unit.lower()
    if unit in ("s", "sec", "second", "seconds"):
        return value * 1000, "ms"
    if unit == "req/s":
        return value, "rps"
    return value, unit


def _threshold(text: str) -> tuple[str, float, str] | None:
    m = _THRESHOLD.search(clean(text))
    if not m:
        return None
    op = m.group("op").lower()
    op = ">=" if op in ("≥", ">=", "=>") or "least" in op or op.startswith("min") else op
    op = "<=" if op in ("≤", "<=", "=<") or "most" in op or op.startswith("max") else op
    value, unit = _to_base(float(re.sub(r"[,\s]", "", m.group("num"))), m.group("unit") or "")
    return op, value, unit


def _measure(text: str) -> tuple[float, str] | None:
    cell = clean(text)
    if _THRESHOLD.search(cell):
        return None
    m = _MEASURE.search(cell)
    if not m:
        return None
    return _to_base(float(re.sub(r"[,\s]", "", m.group("num"))), m.group("unit") or "")


def _misses(threshold: tuple[str, float, str], measured: tuple[float, str]) -> bool:
    op, limit, unit = threshold
    value, measured_unit = measured
    if not unit or unit != measured_unit:
        return False  # "> 24h" against a count, or a bare number: not comparable
    return {
        ">=": value < limit,
        ">": value <= limit,
        "<=": value > limit,
        "<": value >= limit,
    }.get(op, False)


def _status_column(table: Table) -> int | None:
    header = [clean(h) for h in table.header]
    for i, h in enumerate(header):
        if i > 0 and _STATUS_HEADER.search(h):
            return i
    return None


def _tables(doc: Document, out: _Outcome, *, headline_passes: bool) -> None:
    for table in doc.tables:
        col = _status_column(table)
        path = _sections(doc, table.line)
        if col is None or any(_ADVICE_SECTION.search(h) for h in path):
            continue
        marks = not any(_TARGET_SECTION.search(h) for h in path)
        header = [clean(h) for h in table.header]
        pending: list[tuple[str, str, int]] = []
        for row in table.rows:
            if col >= len(row.cells):
                continue
            label = clean(row.cells[0]) or "row"
            state = cell_state(row.cells[col], marks=marks)
            others = [c for i, c in enumerate(row.cells) if i not in (0, col)]
            status_text = clean(row.cells[col]) or row.cells[col].strip()
            if state in ("fail", "pass"):
                out.executed_rows += 1
            if state == "fail":
                later = [cell_state(c) for i, c in enumerate(row.cells) if i > col]
                if any(s in ("fixed", "pass") for s in later):
                    continue  # failed once, fixed or passed on retest
                if _fixed_defect_named(" ".join(row.cells), out.fixed_ids):
                    continue  # "| TC-12 | FAIL | BUG-3 |" with BUG-3 fixed: the failure was resolved
                detail = _measured_detail(header, row.cells, col)
                out.fail(f"{label}: failed (status {status_text}){detail}", row.line)
            elif state == "pending":
                pending.append((label, status_text, row.line))
            elif state == "pass":
                threshold = next((t for c in row.cells if (t := _threshold(c))), None)
                measured = next((m for c in others if (m := _measure(c))), None) if threshold else None
                if threshold and measured and _misses(threshold, measured):
                    out.ask(
                        f"'{label}' is marked {status_text} but its measured value misses its threshold",
                        row.line,
                    )
        if pending and headline_passes:
            names = ", ".join(f"'{name}' ({status})" for name, status, _ in pending[:4])
            more = f" and {len(pending) - 4} more" if len(pending) > 4 else ""
            out.ask(
                f"Still pending or not executed: {names}{more}; the report presents its checks as passed",
                pending[0][2],
            )


def _measured_detail(header: list[str], cells: tuple[str, ...], status_col: int) -> str:
    value_col = next(
        (i for i, h in enumerate(header) if i not in (0, status_col) and _VALUE_HEADER.match(h)), None
    )
    if value_col is None or value_col >= len(cells):
        return ""
    value = clean(cells[value_col])
    return f"; measured {short(value, 60)}" if value and value not in ("-", "—") else ""


# --- prose -------------------------------------------------------------------------------------------------


def _status_lines(doc: Document, out: _Outcome) -> None:
    for n, raw in doc.prose_lines():
        if doc.is_heading_line(n) or _skipped_section(doc, n):
            continue
        text = clean(strip_line_markers(raw))
        m = _STATUS_LABEL.match(text)
        if not m:
            continue
        value = m.group("value")
        head = " ".join(value.split()[:4])
        if cell_state(head) == "fail" and status_is_final(value) and not _resolved_later(doc, n, out):
            section = doc.section(n)
            where = f" ({clean(section.text)})" if section is not None else ""
            out.fail(f"Stated status: {short(value, 80)}{where}", n)


def _fixed_defect_named(text: str, fixed_ids: frozenset[str]) -> bool:
    return bool(fixed_ids) and any(m.group(0) in fixed_ids for m in _DEFECT_ID.finditer(clean(text)))


def _resolved_later(doc: Document, n: int, out: _Outcome) -> bool:
    """A 'Status: FAIL' whose own section later says it passed on retest, or names a fixed defect."""
    section = doc.section(n)
    if section is None:
        return False
    for k, raw in doc.body_lines(section):
        if k < n:
            continue
        text = clean(strip_line_markers(raw))
        if _fixed_defect_named(text, out.fixed_ids):
            return True
        if k > n and _RETEST.search(text) and cell_state(text) in ("pass", "fixed"):
            return True
    return False


def status_is_final(value: str) -> bool:
    """Whether a stated FAIL still stands (not 'FAIL → fixed', not 'FAIL before retest, now PASS')."""
    return cell_state(value) not in ("fixed", "pass")


def _not_ready(doc: Document, out: _Outcome) -> None:
    for n, raw in doc.prose_lines():
        if doc.is_heading_line(n) and not _NOT_READY.search(raw):
            continue
        if _skipped_section(doc, n) and not doc.is_heading_line(n):
            continue
        text = clean(strip_line_markers(raw))
        m = _NOT_READY.search(text)
        if not m or _CONDITIONAL.match(text):
            continue
        out.fail(f'The document says the system is not ready for release: "{short(m.group(0), 60)}"', n)


def _failed_lists(doc: Document, out: _Outcome) -> None:
    for heading in doc.headings:
        title = clean(heading.text)
        if not (_FAILED_HEADING.search(title) and _SERVICE.search(title)):
            continue
        for n, raw in doc.body_lines(heading):
            m = re.match(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.+)$", raw)
            if m:
                name = clean(m.group(1))
                if name and cell_state(name) not in ("fixed", "pass"):
                    out.fail(f"Failed: {short(name, 80)} (listed under '{title}')", n)


def _service_lines(doc: Document, out: _Outcome) -> None:
    for n, raw in doc.prose_lines():
        if doc.is_heading_line(n) or _skipped_section(doc, n):
            continue
        text = clean(raw)
        if not _SERVICE.search(text):
            continue
        broken: list[str] = []
        for sentence in re.split(r"(?<=[.;!?])\s+", text):
            if not _SERVICE.search(sentence) or _CONDITIONAL.match(strip_line_markers(sentence)):
                continue
            hit = _NOT_BUILDING.search(sentence) or _HTTP_5XX.search(sentence) or _DOWN.search(sentence)
            if hit is None:
                continue
            before = sentence[: hit.start()]
            if _NEGATED.search(before.split(",")[-1]) and not _NOT_BUILDING.search(sentence):
                continue  # "no service is down"
            if cell_state(sentence[hit.end() :]) in ("fixed", "pass"):
                continue  # "… returned 500, fixed in build 12"
            broken.append(short(strip_line_markers(sentence), 100))
        if broken:
            out.fail("Service not working: " + " ".join(broken), n)


def _not_executed(doc: Document, out: _Outcome) -> None:
    for n, raw in doc.prose_lines():
        if doc.is_heading_line(n) or any(_is_advice_heading(h) for h in _sections(doc, n)):
            continue
        text = clean(strip_line_markers(raw))
        m = _NOT_EXECUTED.search(text)
        if m and not _CONDITIONAL.match(text):
            out.ask(f"Part of the testing did not run or finish: {short(text, 160)}", n)


_HUNDRED = re.compile(r"(?<![\d.])100(?:\.0+)?\s*%")
_SKIPPED_KIND = re.compile(r"skipp\w*.{0,80}\b(?:performance|load|perf|nfr|stress)\b", re.I)


def _skipped_behind_full_pass(doc: Document, facts: QAFacts, out: _Outcome) -> None:
    run = next((r for r in facts.test_results if r.skipped and not r.failed), None)
    if run is None:
        return
    claim = next(
        (
            n
            for n, raw in doc.text_lines()
            if _HUNDRED.search(raw) and re.search(r"pass|total|success", raw, re.I)
        ),
        None,
    )
    if claim is None:
        return
    kind = next((n for n, raw in doc.text_lines() if _SKIPPED_KIND.search(clean(raw))), None)
    what = " (among them performance/load tests)" if kind else ""
    out.ask(
        f"{run.skipped} tests were skipped{what}, yet the pass rate is given as 100 %: "
        "what the skipped tests cover is unproven",
        kind or claim,
    )


def _error_rates(facts: QAFacts, out: _Outcome) -> None:
    """Very high error rates that the document does not call a failure: one question for all of them."""
    if facts.outcome_failures:
        return
    high = [
        m for m in facts.performance if m.metric == "error_rate" and m.kind == "baseline" and m.value >= 50
    ]
    if not high:
        return
    worst = max(high, key=lambda m: m.value)
    where = f" ({worst.context})" if worst.context else ""
    more = f"; {len(high)} figures at 50 % or more" if len(high) > 1 else ""
    out.ask(
        f"Error rate up to {worst.value:g} %{where}{more}: latencies measured over mostly failing "
        "requests do not describe the service",
        worst.evidence.line,
    )


def _headline_passes(facts: QAFacts) -> bool:
    return facts.verdict.value in ("GO", "PASS", "CONDITIONAL", "unknown") and not facts.release_blocked


_K6_THRESHOLD = re.compile(r"^\s*(?P<mark>[✓✔✗✘])\s+'(?P<expr>[^']+)'\s*(?P<observed>\S*)")
_K6_METRIC = re.compile(r"^\s*(?P<metric>[\w{}:.\s-]+?)\s*$")


def _k6_thresholds(doc: Document, out: _Outcome) -> None:
    """A k6 threshold marked ✗ failed the run (k6 exits non-zero) unless a later run of it passes."""
    lines = doc.all_lines
    metric = ""
    results: list[tuple[int, str, str, bool]] = []  # (line, metric, expression + observed, passed)
    for n, line in lines:
        m = _K6_THRESHOLD.match(line)
        if m:
            expr = f"{m.group('expr')} {m.group('observed')}".strip()
            results.append((n, metric, expr, m.group("mark") in "✓✔"))
            continue
        label = _K6_METRIC.match(line)
        if label and line.strip() and not line.lstrip().startswith(("#", "█", "-", "*", "|")):
            metric = label.group("metric").strip()
    for i, (n, metric_name, expr, passed) in enumerate(results):
        if passed:
            continue
        key = (metric_name, expr.split()[0])
        if any(ok and (m2, e2.split()[0]) == key for _, m2, e2, ok in results[i + 1 :]):
            continue  # a later run of the same threshold passes: this run was superseded
        out.fail(f"k6 threshold crossed: {metric_name} {expr}".replace("  ", " "), n)


# "### Scenario 3: …", "## TC-04 Login", "### Caso de prueba 2": one test item per heading.
_ITEM_HEADING = re.compile(
    r"^\W*(?:scenario|test\s*case|case|tc|escenario|cen[aá]rio|caso(?:\s+de\s+(?:prueba|teste))?|szenario|"
    r"testfall|сценари\w*|тест-кейс|シナリオ|テストケース|场景|用例|시나리오)\s*[-#:]?\s*\d+",
    re.I,
)
# A recorded result in any language ("Status: Passed", "Estado: Aprobado", "Статус: Пройден").
_RESULT_WORD = re.compile(
    r"[✅❌✔✗✘⚠]|\bok\b|"
    + vocab.alternation(
        vocab.terms("pass") + vocab.terms("fail") + vocab.terms("approved") + vocab.terms("rejected")
    ),
    re.I,
)
# A field left as its template placeholder: "[DATE]", "[NAME]", "<tester>", "{date}", "TBD", "YYYY-MM-DD".
_PLACEHOLDER = re.compile(
    r"^\s*(?:\[[A-Z][A-Z _/-]{1,30}\]|<[a-z][\w -]{1,30}>|\{\{?[\w -]{2,30}\}?\}|TBD|TBA|"
    r"YYYY-MM-DD|DD/MM/YYYY|MM/DD/YYYY)\s*$"
)
_WHO_WHEN = re.compile(
    r"^\s*(?:[-*+]\s+)?\**\s*(?P<label>(?:tested|executed|run|signed[\s-]off)\s+(?:on|by|at)|tester|date|"
    r"test\s+date|execution\s+date|qa\s+(?:owner|lead|engineer)|approved\s+by|reviewer)\s*:?\s*\**\s*:?\s*(?P<value>.*)$",
    re.I,
)


def _unrecorded_items(doc: Document, facts: QAFacts, out: _Outcome) -> None:
    """Results claimed for test scenarios that record none, and who/when fields left as placeholders."""
    items = [h for h in doc.headings if _ITEM_HEADING.match(clean(h.text))]
    claims_pass = facts.verdict.value in ("PASS", "GO") or any(r.failed == 0 for r in facts.test_results)
    if len(items) >= 3 and claims_pass and not facts.release_blocked:
        silent = [
            h
            for h in items
            if not any(
                (m := _STATUS_LABEL.match(clean(raw))) and _RESULT_WORD.search(m.group("value"))
                for _, raw in doc.body_lines(h)
            )
        ]
        if len(silent) * 2 > len(items):
            out.ask(
                f"{len(silent)} of {len(items)} test scenarios record no status, yet the document reports "
                "them passed: their results are unproven until each scenario's outcome is recorded",
                silent[0].line,
            )
    blanks: list[tuple[int, str]] = []
    for n, raw in doc.text_lines():
        m = _WHO_WHEN.match(clean(raw))
        if m and _PLACEHOLDER.match(m.group("value").strip("* ")):
            blanks.append((n, m.group("value").strip("* ")))
    if blanks:
        shown = ", ".join(dict.fromkeys(v for _, v in blanks))
        out.ask(
            f"The tester/date fields are unfilled placeholders ({shown}): who ran the tests and when is "
            "not recorded",
            blanks[0][0],
        )


def extract_outcome(doc: Document, facts: QAFacts) -> None:
    """Fill ``facts.outcome_failures`` and ``facts.open_questions`` from the document's own statements."""
    out = _Outcome(doc, [], [], fixed_ids=frozenset(d.id for d in facts.defects if d.status == "fixed"))
    for run in facts.test_results:
        if run.failed:
            total = f" of {run.total}" if run.total else ""
            out.fail(f"{run.failed} failed tests{total}", run.evidence.line)
    headline = _headline_passes(facts)
    _tables(doc, out, headline_passes=headline)
    _status_lines(doc, out)
    _not_ready(doc, out)
    _failed_lists(doc, out)
    _service_lines(doc, out)
    _k6_thresholds(doc, out)
    if facts.verdict.value in ("NO-GO", "FAIL") and facts.verdict.evidence is not None:
        # last: a line that already says why (a failed status, "not production-ready") keeps its reason
        out.fail(f"QA verdict is {facts.verdict.value}", facts.verdict.evidence.line)
    facts.outcome_failures = out.failures
    _not_executed(doc, out)
    _unrecorded_items(doc, facts, out)
    _skipped_behind_full_pass(doc, facts, out)
    _error_rates(facts, out)
    executed = (
        facts.test_results
        or facts.performance
        or facts.defects
        or facts.verdict.value != "unknown"
        or facts.outcome_failures
        or out.executed_rows
    )
    if not executed:
        out.ask(
            "The document states no executed test results, measurements or verdict: "
            "the QA outcome is unproven",
            facts.title.evidence.line if facts.title else 0,
        )
    facts.open_questions = out.questions
