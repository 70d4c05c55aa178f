"""Test commands and test-run results.

Results come from tables (a Total/Passed/Failed/Skipped table's total row, or Metric/Target/Actual
rows) and from summary lines ("Total Tests: 719 (698 passed, 21 skipped)", "36 tests, 0 failures",
"Tests run: 36, Failures: 0"). Candidates that agree with each other describe the same run and are
merged, so one run mentioned five times is counted once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from opsrelay.facts import vocab
from opsrelay.facts.document import Document, Table
from opsrelay.facts.model import QAFacts, TestCommand, TestResults
from opsrelay.facts.text import RECOMMENDATION_HEADING, cell_is_empty, clean, code_spans, to_int

# --- test commands --------------------------------------------------------------------------------

_ENV_PREFIX = r"(?:[A-Z_][A-Z0-9_]*=\S*\s+)*"
_RUNNER_PREFIX = (
    r"(?:(?:sudo|npx|pnpx|bunx|uv\s+run|poetry\s+run|pipenv\s+run|hatch\s+run|pdm\s+run|"
    r"python3?\s+-m|py\s+-m|bundle\s+exec)\s+)?"
)
_TEST_TOOL = (
    r"(?:pytest|py\.test|tox|nox|"
    r"(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test(?:[:\w.-]*)|npm\s+t|npm\s+run\s+(?:e2e|cy:run)[\w:.-]*|"
    r"jest|vitest|mocha|ava|"
    r"(?:\./)?mvnw?\s+(?:[-\w.=]+\s+)*(?:test|verify|integration-test)|"
    r"(?:\./)?gradlew?\s+(?:[-\w.:=]+\s+)*(?:test|check|\w*[Tt]est)|"
    r"go\s+test|cargo\s+(?:test|nextest)|dotnet\s+test|"
    r"(?:\./)?tools/test-[\w-]+|"
    r"cypress\s+run|playwright\s+test|k6\s+run|locust|artillery\s+run|jmeter\s+-n|gatling|"
    r"rspec|rake\s+(?:test|spec)|rails\s+test|python3?\s+manage\.py\s+test|unittest|"
    r"make\s+(?:test|check|e2e)[\w-]*|maestro\s+test|(?:\./vendor/bin/)?phpunit|"
    r"deno\s+test|swift\s+test|xcodebuild\s+.*\btest\b|flutter\s+test|mix\s+test|ctest)"
)
TEST_COMMAND = re.compile(rf"^{_ENV_PREFIX}{_RUNNER_PREFIX}{_TEST_TOOL}(?=\s|$)")
_SHELL_INFO = {
    "",
    "bash",
    "sh",
    "shell",
    "console",
    "zsh",
    "powershell",
    "ps1",
    "ps",
    "cmd",
    "bat",
    "terminal",
    "text",
}
_YAML_INFO = {"yaml", "yml"}
_PROMPT = re.compile(r"^\s*(?:\$|>|PS>|PS [^>]*>|#\s*\$)\s+")
_COMMENT = re.compile(r"\s+#(?:\s.*)?$")


def _command(candidate: str) -> str | None:
    text = _PROMPT.sub("", candidate).strip()
    text = _COMMENT.sub("", text).strip()
    if not text or len(text) > 300 or "\n" in text:
        return None
    if re.search(r"(?:^|\s)(?:--help|-h)(?:\s|$)", text):
        return None
    return text if TEST_COMMAND.match(text) else None


def extract_test_commands(doc: Document, facts: QAFacts) -> None:
    """Commands in code fences and inline code that run tests (exact text, comments dropped)."""
    found: dict[str, TestCommand] = {}

    def add(text: str | None, line: int) -> None:
        if text and text not in found:
            found[text] = TestCommand(command=text, evidence=doc.evidence(line))

    events: list[tuple[int, str]] = []
    for block in doc.code_blocks:
        if block.info.split()[0:1] and block.info.split()[0] in _YAML_INFO:
            for n, line in block.lines:
                m = re.match(r"^\s*-?\s*run:\s*[|>]?\s*(.*)$", line)
                if m and m.group(1).strip():
                    events.append((n, m.group(1).strip().strip("'\"")))
        elif (block.info.split()[0] if block.info else "") in _SHELL_INFO:
            for n, line in block.lines:
                events.append((n, line))
    for n, raw in doc.text_lines():
        for span in code_spans(raw):
            events.append((n, span))
    for n, text in sorted(events, key=lambda e: e[0]):
        add(_command(text), n)
    facts.test_commands = list(found.values())


# --- test results ----------------------------------------------------------------------------------------


@dataclass
class _Run:
    total: int | None = None
    passed: int | None = None
    failed: int | None = None
    skipped: int | None = None
    line: int = 0
    failing: list[str] = field(default_factory=list)

    def fields(self) -> dict[str, int]:
        return {
            k: v
            for k, v in (
                ("total", self.total),
                ("passed", self.passed),
                ("failed", self.failed),
                ("skipped", self.skipped),
            )
            if v is not None
        }

    def normalise(self) -> None:
        parts = [v for v in (self.passed, self.failed, self.skipped) if v is not None]
        if self.total is not None and parts and sum(parts) > self.total:
            self.total = sum(parts)
        if self.passed is None and self.total is not None and self.failed is not None:
            rest = self.total - self.failed - (self.skipped or 0)
            if rest >= 0:
                self.passed = rest

    def compatible(self, other: _Run) -> bool:
        mine, theirs = self.fields(), other.fields()
        if any(mine[k] != theirs[k] for k in mine.keys() & theirs.keys()):
            return False
        shared = bool(mine.keys() & theirs.keys())
        return shared or len(theirs) == 1 or len(mine) == 1

    def merge(self, other: _Run) -> None:
        for key, value in other.fields().items():
            if getattr(self, key) is None:
                setattr(self, key, value)
        self.failing.extend(f for f in other.failing if f not in self.failing)


def _full(*categories: str) -> re.Pattern[str]:
    """A pattern that matches a whole cell naming one term of the categories (any language)."""
    return re.compile("^" + vocab.alternation(t for c in categories for t in vocab.terms(c)) + "$", re.I)


_TOTAL_ROW = re.compile(r"^" + vocab.alternation(vocab.terms("count_total_row")), re.I)
_COL_ROLES = (
    ("total", _full("col_total")),
    ("passed", _full("col_passed")),
    ("failed", _full("col_failed")),
    ("skipped", _full("col_skipped")),
)
_ROW_ROLES = (
    (
        "total",
        re.compile(
            r"^(?:total\s+)?(?:number\s+of\s+)?(?:tests?|test\s+cases?)(?:\s+(?:run|executed|total))?$|^executed$",
            re.I,
        ),
    ),
    ("passed", re.compile(r"^(?:tests?\s+)?(?:passed|passing)(?:\s+tests?)?$", re.I)),
    ("failed", re.compile(r"^(?:tests?\s+)?(?:failed|failing|failures)(?:\s+tests?)?$", re.I)),
    ("skipped", re.compile(r"^(?:tests?\s+)?skipped(?:\s+tests?)?$", re.I)),
)
# In a table about tests, a row labelled with a bare outcome word of any language ("PASS", "失败",
# "Başarısız") counts that outcome; elsewhere "Error | 5" may count log lines, so only English phrases.
_BARE_ROW_ROLES = tuple((role, pattern) for role, pattern in _COL_ROLES if role != "total")


def _row_roles(testish: bool) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return _ROW_ROLES + _BARE_ROW_ROLES if testish else _ROW_ROLES


_VALUE_COLUMN = re.compile(r"^" + vocab.alternation(vocab.terms("col_value")), re.I)
_TARGET_COLUMN = vocab.pattern("col_target")


def value_column(table: Table) -> int | None:
    """Return the column holding measured values in a Metric/Value table (never a Target/Threshold column)."""
    header = [clean(h) for h in table.header]
    for i, h in enumerate(header[1:], start=1):
        if _VALUE_COLUMN.match(h):
            return i
    if len(header) == 2 and not _TARGET_COLUMN.search(header[1]):
        return 1
    return None


_STATUS_COLUMN = _full("col_status")
_PASS_CELL = re.compile(
    r"^\W*" + vocab.alternation(vocab.terms("pass") + vocab.terms("col_passed")) + r"\W*$", re.I
)
_FAIL_CELL = re.compile(
    r"^\W*" + vocab.alternation(vocab.terms("fail") + vocab.terms("col_failed")) + r"\W*$", re.I
)


def _case_rows(table: Table) -> _Run | None:
    """A run from a table listing one test case per row with its result ('| 1.1 | … | OK |').

    Rows with an empty result were not run. At least three rows must state a result, and most of
    them must, or the table is not a record of executed cases.
    """
    header = [clean(h) for h in table.header]
    col = next((i for i, h in enumerate(header) if _STATUS_COLUMN.match(h)), None)
    if col is None or len(table.rows) < 3:
        return None
    passed = failed = empty = 0
    for row in table.rows:
        cell = clean(row.cells[col]) if col < len(row.cells) else ""
        if _FAIL_CELL.match(cell):
            failed += 1
        elif _PASS_CELL.match(cell):
            passed += 1
        elif cell_is_empty(cell):
            empty += 1
        else:
            return None  # a status this reader does not know: leave the table to the outcome reader
    if passed + failed < 3 or (passed + failed) * 2 < len(table.rows):
        return None
    return _Run(total=len(table.rows), passed=passed, failed=failed, skipped=empty or None, line=table.line)


def _table_runs(doc: Document) -> tuple[list[_Run], list[_Run]]:
    """Runs stated by tables, and runs added up from per-suite tables (used when nothing states a run)."""
    runs: list[_Run] = []
    summed_runs: list[_Run] = []
    for table in doc.tables:
        header = [clean(h).lower() for h in table.header]
        roles: dict[str, int] = {}
        for i, h in enumerate(header):
            for role, pattern in _COL_ROLES:
                if role not in roles and pattern.match(h):
                    roles[role] = i
        context = " ".join(header) + " " + " ".join(h.text for h in doc.heading_path(table.line)[-2:])
        testish = bool(_TESTISH.search(context) or re.search(r"\bexecut|\bsuites?\b", context, re.I))
        if (
            testish
            and ("passed" in roles or "failed" in roles)
            and len(roles) >= 2
            and roles.get("total") != 0
        ):
            rows = [r for r in table.rows if r.cells and _TOTAL_ROW.match(clean(r.cells[0]))]
            if not rows and len(table.rows) == 1:
                rows = list(table.rows)
            if not rows:
                summed = _sum_rows(table, roles)
                if summed is not None:
                    summed_runs.append(summed)
            for row in rows[:1]:
                run = _Run(line=row.line)
                for role, i in roles.items():
                    value = to_int(row.cells[i]) if i < len(row.cells) else None
                    if value is not None:
                        setattr(run, role, value)
                if run.passed is not None or run.failed is not None:
                    runs.append(run)
            continue
        if testish and not roles:
            listed = _case_rows(table)
            if listed is not None:
                summed_runs.append(listed)  # one row per test case: used when nothing states the run
                continue
        col = value_column(table)
        if col is None:
            continue
        for row in table.rows:
            if len(row.cells) <= col:
                continue
            label = clean(row.cells[0])
            for role, pattern in _row_roles(testish):
                if pattern.match(label):
                    value = to_int(row.cells[col])
                    if value is not None:
                        run = _Run(line=row.line)
                        setattr(run, role, value)
                        runs.append(run)
                    break
    return runs, summed_runs


def _sum_rows(table: Table, roles: dict[str, int]) -> _Run | None:
    """One run from a per-suite table without a total row ('Service | Tests | Failures', one row each)."""
    if len(table.rows) < 2 or 0 in roles.values():
        return None
    run = _Run(line=table.line)
    for role, i in roles.items():
        values = [to_int(r.cells[i]) if i < len(r.cells) else None for r in table.rows]
        if any(v is None for v in values):
            return None  # a row without a count: not a table of runs to add up
        setattr(run, role, sum(v for v in values if v is not None))
    return run if run.passed is not None or run.failed is not None else None


_N = r"(\d{1,3}(?:,\d{3})+|\d+)"
_COUNT_PASSED = vocab.pattern("count_passed")
_COUNT_FAILED = vocab.pattern("count_failed")
_COUNT_SKIPPED = vocab.pattern("count_skipped")


def outcome_role(word: str) -> str:
    """'passed', 'failed' or 'skipped' for an outcome word of any language ('' when none)."""
    for role, pattern in (("failed", _COUNT_FAILED), ("skipped", _COUNT_SKIPPED), ("passed", _COUNT_PASSED)):
        if pattern.fullmatch(word.strip()):
            return role
    return ""


_OUTCOME_WORD = vocab.alternation(
    vocab.terms("count_passed") + vocab.terms("count_failed") + vocab.terms("count_skipped")
)
# "3 failed", "2 个失败", "失败 2", "失败: 2", "Failed: 2" — a count next to an outcome word.
_COUNT_OUTCOME = re.compile(rf"(?<![%\d.,]){_N}\s*(?:个|件|項|개|건)?\s*({_OUTCOME_WORD})", re.I)
# "Failed: 2", "失败: 2"; scripts without spaces also write "失败 2" / "실패 2" without a colon.
_LABEL_OUTCOME = re.compile(rf"({_OUTCOME_WORD})\s*(?P<colon>[:=：]\s*)?{_N}(?![\d%]|\.\d)", re.I)
# Scripts whose reports put the count after the word without a colon: 失败 2, 실패 2, وفشل 4
_UNSPACED_WORD = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af\u0600-\u06ff]")
# "52 اختبارًا", "40 pruebas", "12 тестов": a count of tests in any language
_N_TESTS = re.compile(rf"(?<![\d.%/]){_N}\s+" + vocab.alternation(vocab.terms("test_words")), re.I)
_COUNT_TOTAL = re.compile(
    r"(?:^|(?<=\W))" + vocab.alternation(vocab.terms("count_total")) + rf"\s*[:=：]?\s*{_N}(?![\d%]|\.\d)",
    re.I,
)
_COUNT_TESTS_OUTCOME = re.compile(
    rf"{_N}\s+(?:[\w/+-]+\s+){{0,3}}?tests?\s+(?:(?:were|are|have|had|all|documented\s+as|marked\s+as)\s+)?"
    r"(passed|passing|pass|failed|failing|skipped)\b",
    re.I,
)
# "Pass rate: 100% (8/8)", "通过率: 100% (8/8)": the ratio in parentheses is passed/total
_RATE_RATIO = re.compile(
    vocab.alternation(vocab.terms("pass_rate")) + rf"\W{{0,6}}[\d.]+\s*%\s*\(\s*{_N}\s*/\s*{_N}\s*\)", re.I
)
# "Status: ✅ PASS (13/13 tests)"
_PASS_RATIO = re.compile(rf"\bpass(?:ed|ing)?\b\W{{0,4}}{_N}\s*/\s*{_N}\s+(?:tests?|specs?|cases?)\b", re.I)
_RATIO = re.compile(
    rf"{_N}\s*/\s*{_N}\s+(?:[\w/-]+\s+){{0,2}}?tests?\s+(?:are\s+)?(?:pass(?:ing|ed)?)\b", re.I
)
_OUT_OF = re.compile(
    rf"{_N}\s+(?:tests?\s+)?out\s+of\s+{_N}(?:\s+(?:[\w/-]+\s+){{0,2}}?tests?)?(?:\s+total)?\s*(passed|pass|passing|failed|failing|skipped)?",
    re.I,
)
_TOTAL = (
    re.compile(rf"\btests?\s+run\s*[:=]\s*{_N}", re.I),
    re.compile(rf"\btotal\s+(?:number\s+of\s+)?tests?(?:\s+cases?)?\s*[:=]?\s*{_N}", re.I),
    re.compile(rf"{_N}\s+total\b", re.I),
    re.compile(
        rf"(?<![\d.%/]){_N}\s+(?:[\w/-]+\s+){{0,2}}?tests?\b(?!\s*(?:suites?|files?|cases?\s+added|classes))",
        re.I,
    ),
)
_ALL_PASS = re.compile(
    r"\ball\s+(?:(?:the|of\s+the|[\w-]+)\s+){0,3}?(?:tests?|test\s+cases|test\s+scenarios|specs?|scenarios)\s+"
    r"(?:(?:are|were|have|either)\s+)?(?:pass(?:ed|ing)?|green)\b|\b(?:zero|no)\s+(?:test\s+)?failures\b",
    re.I,
)
_PYTEST_SUMMARY = re.compile(r"^\s*=+\s.*\b(?:passed|failed|errors?)\b.*\bin\s+[\d.]+m?s\b.*=+\s*$")
_BREAKDOWN = re.compile(r"^\s*[-*+]\s+(?:`[^`]+`|[A-Z][\w.]*[a-z][A-Z]\w*|[\w.]+\.\w+)\s*:")
_TESTISH = vocab.pattern("test_words")
_NOT_RESULTS = re.compile(
    r"\bsuites?\b|target|threshold|\bgoal\b|coverage\s+threshold|\bshould\b|\bif\b", re.I
)


def line_run(text: str) -> _Run | None:
    """Return a test-run summary stated on one line, or ``None``."""
    pytest_summary = bool(_PYTEST_SUMMARY.match(text))
    if not (pytest_summary or _TESTISH.search(text)) or _NOT_RESULTS.search(text) or _BREAKDOWN.match(text):
        return None
    run = _Run()
    counts: dict[str, int] = {}

    def bump(role: str, value: int, *, add: bool = False) -> None:
        if add and role in counts:
            counts[role] += value
        else:
            counts.setdefault(role, value)

    m = _RATIO.search(text) or _PASS_RATIO.search(text) or _RATE_RATIO.search(text)
    if m:
        bump("passed", int(m.group(1).replace(",", "")))
        bump("total", int(m.group(2).replace(",", "")))
    for m in _OUT_OF.finditer(text):
        role = outcome_role(m.group(3) or "")
        if role:
            bump(role, int(m.group(1).replace(",", "")))
            bump("total", int(m.group(2).replace(",", "")))
        elif re.search(r"\b(passed|skipped|failed)\b", text[max(0, m.start() - 30) : m.start()], re.I):
            bump("total", int(m.group(2).replace(",", "")))
    seen_failed = False
    for m in _COUNT_OUTCOME.finditer(text):
        if _UNSPACED_WORD.search(m.group(2)) and re.match(r"\s*[:=：]?\s*\d", text[m.end() :]):
            continue  # "نجح 48 وفشل 4": in these scripts the word labels the number after it
        role = outcome_role(m.group(2))
        value = int(m.group(1).replace(",", ""))
        if role == "failed" and 400 <= value < 600 and re.match(r"errors?$", m.group(2), re.I):
            continue  # "the 404 errors", "500 errors": HTTP status codes, not a count of failed tests
        if role == "failed":
            counts["failed"] = (counts["failed"] + value) if seen_failed else value
            seen_failed = True
        else:
            bump(role, value)
    for m in _LABEL_OUTCOME.finditer(text):
        if not m.group("colon") and not _UNSPACED_WORD.search(m.group(1)):
            continue  # "failed 2 times" is prose; only "失败 2" / "실패 2" go without a colon
        role = outcome_role(m.group(1))
        if role:
            value = int(m.group(3).replace(",", ""))
            if role == "failed" and seen_failed:
                counts["failed"] += value
            else:
                bump(role, value)
                seen_failed = seen_failed or role == "failed"
    for m in _COUNT_TESTS_OUTCOME.finditer(text):
        bump(outcome_role(m.group(2)), int(m.group(1).replace(",", "")))
    if not counts and _ALL_PASS.search(text):
        counts["failed"] = 0
    if not counts:
        return None
    if "total" not in counts:
        for pattern in (_COUNT_TOTAL, *_TOTAL, _N_TESTS):
            t = pattern.search(text)
            if t:
                value = int(t.group(1).replace(",", ""))
                if value not in counts.values() or len(counts) > 1:
                    counts["total"] = value
                break
    for key, value in counts.items():
        setattr(run, key, value)
    return run


# "- **Passed:** 9 (33%)", "- **Başarısız:** 3 ❌", "Total Tests: 27": one labelled count per line.
# The label starts at a non-space and the runs of spaces around it are possessive (``\s*+``): with
# five interchangeable ``\s*`` a line of 200 spaces took 40 s to fail (catastrophic backtracking).
_LABEL_COUNT = re.compile(
    rf"^\s*+(?:[-*+]\s++)?\**\s*+(?P<label>[^:：|*\d\s][^:：|*\d]{{0,47}}?)\s*+\**\s*+[:：]\s*+\**\s*+{_N}"
    r"(?![\d.,]|\s*(?:ms|s|%|/))",
    re.I,
)
_TOTAL_WORD = vocab.pattern("count_total")


def _label_role(label: str) -> str:
    """'passed'/'failed'/'skipped'/'total' for a count's label ('' when it labels something else)."""
    role = outcome_role(label)
    if role:
        return role
    if _TOTAL_WORD.search(label) and (_TOTAL_WORD.fullmatch(label.strip()) or _TESTISH.search(label)):
        return "total"
    return ""


def _label_block_runs(doc: Document) -> list[_Run]:
    """Runs stated as a short list of labelled counts, one per line ('Passed: 9' / 'Failed: 18').

    Each line alone names no test, so :func:`line_run` skips it; together, two or more labelled
    outcome counts on neighbouring lines are one run. A later block whose every count fits inside an
    earlier block's is a per-suite breakdown of that run, not another run.
    """
    blocks: list[tuple[int, int, dict[str, int]]] = []  # (first line, last line, counts)
    for n, raw in doc.text_lines():
        if n in doc.table_lines:
            continue
        m = _LABEL_COUNT.match(clean(raw)) or _LABEL_COUNT.match(raw)
        role = _label_role(m.group("label")) if m else ""
        if m and not role and _TOTAL_WORD.search(m.group("label")):
            role = "other"  # "Total Services: 9": the counts beside it count services, not tests
        if not m or not role:
            continue
        value = int(m.group(2).replace(",", ""))
        if blocks and n - blocks[-1][1] <= 2 and role not in blocks[-1][2]:
            first, _, counts = blocks[-1]
            counts[role] = value
            blocks[-1] = (first, n, counts)
        else:
            blocks.append((n, n, {role: value}))
    runs: list[_Run] = []
    for first, _, counts in blocks:
        if "other" in counts or len(counts) < 2 or not counts.keys() & {"passed", "failed"}:
            continue
        if any(
            (
                all(v <= prev.fields().get(k, -1) for k, v in counts.items() if k != "total")
                and counts.get("total", 0) < (prev.total or 0)
            )
            or counts == prev.fields()
            for prev in runs
        ):
            continue  # a breakdown of (or the same as) a run already stated
        run = _Run(line=first)
        for key, value in counts.items():
            setattr(run, key, value)
        run.normalise()
        runs.append(run)
    return runs


_FAILED_LINE = re.compile(r"^\s*(?:FAILED|FAIL|ERROR|✕|✗|×)\s+(\S+?(?:::\S+|\.\w+)\S*)")
_FAILED_HEADING = vocab.pattern("h_failed")


_CONFIG_FILE = re.compile(r"\.(?:properties|ya?ml|json|toml|ini|env|xml|conf|cfg|lock)$", re.I)


def _failing_names(doc: Document) -> list[tuple[int, str]]:
    names: list[tuple[int, str]] = []
    for block in doc.code_blocks:
        for n, line in block.lines:
            m = _FAILED_LINE.match(line)
            if m:
                names.append((n, m.group(1).rstrip(":-")))
    for heading in doc.headings:
        if not _FAILED_HEADING.search(heading.text):
            continue
        for n, raw in doc.body_lines(heading):
            if n in doc.table_lines:
                continue
            m = re.match(r"^\s*[-*+]\s+(.*)$", raw)
            if not m:
                continue
            spans = code_spans(m.group(1))
            name = spans[0] if spans else re.split(r"\s+[—–-]\s+|:\s", clean(m.group(1)))[0].strip()
            if not name or cell_is_empty(name) or len(name) > 200 or re.search(r"\s", name):
                continue
            if "=" in name or _CONFIG_FILE.search(name):
                continue  # "quarkus.flyway.baseline-on-migrate=true", "application.properties": settings
            if re.search(r"::|\.|test|spec|[a-z][A-Z]", name):
                names.append((n, name))
    return names


def extract_test_results(doc: Document, facts: QAFacts) -> None:
    """One :class:`TestResults` per distinct run summary, failing test names attached when listed."""
    candidates, summed = _table_runs(doc)
    candidates.extend(_label_block_runs(doc))
    for n, raw in doc.text_lines():
        if n in doc.table_lines or any(RECOMMENDATION_HEADING.search(h.text) for h in doc.section_path(n)):
            continue
        run = line_run(clean(raw))
        if run is not None:
            run.line = n
            candidates.append(run)
    for block in doc.code_blocks:
        for n, line in block.lines:
            if re.search(r"time\s+elapsed|\s-\s+in\s+[\w.]+$", line, re.I):
                continue
            if re.match(r"^\s*(?:=+.*\b(?:passed|failed)\b.*=+|Tests?:\s|Tests\s+run:)", line, re.I):
                run = line_run(line)
                if run is not None:
                    run.line = n
                    candidates.append(run)
    if not any(r.total is not None or r.passed is not None for r in candidates):
        candidates.extend(summed)  # only per-suite rows state the run: their sum is the run
    candidates.sort(key=lambda r: r.line)
    runs: list[_Run] = []
    for cand in candidates:
        cand.normalise()
        target = next((r for r in runs if r.compatible(cand)), None)
        if target is None:
            runs.append(cand)
        else:
            target.merge(cand)
            target.normalise()
    failing = _failing_names(doc)
    if failing:
        holder = next((r for r in runs if r.failed), None)
        if holder is None:
            holder = _Run(failed=len(failing), line=failing[0][0])
            runs.append(holder)
        for _, name in failing:
            if name not in holder.failing:
                holder.failing.append(name)
    facts.test_results = [
        TestResults(
            total=r.total,
            passed=r.passed,
            failed=r.failed,
            skipped=r.skipped,
            failing_tests=r.failing,
            evidence=doc.evidence(r.line),
        )
        for r in runs
    ]
