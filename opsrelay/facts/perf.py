"""Measured performance figures (latency percentiles, throughput, error rate, concurrency), load-test tool.

Only measured values count. Target/threshold/SLO columns and sections are skipped, comparison tables
with several value columns are skipped (which column is the measurement is ambiguous), and rows
marked "Not Tested" are ignored. An actual written as an upper bound ("<100ms") is kept as 100 with
the context noting the bound. Seconds are converted to milliseconds.
"""

from __future__ import annotations

import re

from opsrelay.facts.document import Document, Table
from opsrelay.facts.model import NamedFact, PerfMetric, PerfMetricName, QAFacts
from opsrelay.facts.testing import value_column
from opsrelay.facts.text import NON_FACT_HEADING, RECOMMENDATION_HEADING, clean, is_hedged, strip_line_markers

_PERCENTILE = re.compile(
    r"\bp\s?(50|90|95|99)\b|\b(50|90|95|99)(?:th|-й)?\s*(?:%|percentile|перцентил)", re.I
)
_LATENCY_WORDS = re.compile(r"latenc|response|duration|time|задержк|время|отклик", re.I)
_METRIC_LABEL: tuple[tuple[re.Pattern[str], PerfMetricName], ...] = (
    (re.compile(r"^(?:median)\b", re.I), "p50"),
    (re.compile(r"^(?:max|maximum|peak)\s+(?:latency|response)", re.I), "max"),
    (re.compile(r"^(?:avg|average|mean|среднее)\b", re.I), "avg"),
    (
        re.compile(
            r"^(?:throughput|rps|requests?\s*/\s*s(?:ec)?|req/s|requests?\s+per\s+second|peak\s+rps|rps\s+handled)"
            r"(?:\s*\(rps\))?",
            re.I,
        ),
        "throughput",
    ),
    (re.compile(r"^(?:error\s+rate|errors?\s*%|failure\s+rate|http\s+errors?\s+rate)", re.I), "error_rate"),
    (
        re.compile(r"^(?:concurrent\s+users|users|virtual\s+users|vus|concurrency|peak\s+users)$", re.I),
        "concurrency",
    ),
)
_NOT_PERF = re.compile(
    r"cache|cpu|memory|disk|network|hit|speedup|success\s+rate|total\s+requests|target|threshold|\btests?\b|"
    r"execution|build|suite|startup|boot",
    re.I,
)
_TARGET_SECTION = re.compile(r"target|threshold|slo\b|sla\b|alert|requirement|budget|goal|цел", re.I)
_NOT_RUN = re.compile(r"not\s+tested|not\s+run|not\s+performed|pending|skipped|⏳", re.I)
_VALUE = re.compile(
    r"^(?P<cmp><=|>=|[<>≤≥~≈])?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>ms|msec|milliseconds?|s|sec|secs|seconds?|rps|req/s|requests?/s(?:ec)?|rpm|%|users?|vus)?(?!\w)",
    re.I,
)


def metric_of(label: str) -> PerfMetricName | None:
    """Which metric a row/column label names ('p95 Latency', '95th %', 'Requests/sec (RPS)', 'Error Rate')."""
    text = clean(label)
    if not text or _NOT_PERF.search(text):
        return None
    m = _PERCENTILE.search(text)
    if m and (
        _LATENCY_WORDS.search(text) or re.fullmatch(r"\W*(?:p\s?\d\d|\d\dth\s*%?)\W*(?:\(.*\))?", text, re.I)
    ):
        return f"p{m.group(1) or m.group(2)}"  # type: ignore[return-value]
    for pattern, name in _METRIC_LABEL:
        if pattern.search(text):
            if name in ("avg", "p50", "max") and not _LATENCY_WORDS.search(text):
                continue
            return name
    return None


def parse_value(
    metric: PerfMetricName, text: str, header_hint: str = ""
) -> tuple[float, str, str | None] | None:
    """Return (value, unit, bound note) from a cell such as '65ms', '~25ms', '<100ms' or '0.5% (limits)'."""
    cell = clean(text)
    if not cell or _NOT_RUN.search(cell) or re.match(r"^\d+(?:\.\d+)?\s*[-–]\s*\d", cell):
        return None
    m = _VALUE.match(cell)
    if not m:
        return None
    value = float(m.group("num").replace(",", ""))
    unit = (m.group("unit") or "").lower()
    hint = clean(header_hint).lower()
    cmp = m.group("cmp") or ""
    note = "upper bound" if cmp in ("<", "<=", "≤") else "lower bound" if cmp in (">", ">=", "≥") else None
    if metric in ("p50", "p90", "p95", "p99", "max", "avg"):
        if not unit:
            unit = "ms" if "(ms)" in hint or " ms" in hint else "s" if "(s)" in hint or "sec" in hint else ""
        if unit.startswith("m"):
            return value, "ms", note
        if unit.startswith("s"):
            return value * 1000, "ms", note
        return None
    if metric == "throughput":
        if unit == "rpm":
            return value / 60, "rps", note
        if unit in ("", "rps", "req/s") or unit.startswith("request"):
            return value, "rps", note
        return None
    if metric == "error_rate":
        return (value, "%", note) if unit == "%" else None
    if metric == "concurrency":
        return (
            (value, "users", note) if unit in ("", "user", "users", "vus") and value == int(value) else None
        )
    return None


class _Perf:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.items: list[PerfMetric] = []
        self.keys: set[tuple[str, float, str | None]] = set()

    def add(
        self, metric: PerfMetricName, parsed: tuple[float, str, str | None], context: str | None, line: int
    ) -> None:
        value, unit, note = parsed
        if note:
            context = f"{context} ({note})" if context else note
        key = (metric, round(value, 6), context if metric != "concurrency" else None)
        if key in self.keys:
            return
        self.keys.add(key)
        self.items.append(
            PerfMetric(
                metric=metric, value=value, unit=unit, context=context, evidence=self.doc.evidence(line)
            )
        )


def _context(doc: Document, line: int) -> str | None:
    section = doc.section(line)
    return clean(section.text) if section is not None else None


def _skip_section(doc: Document, line: int) -> bool:
    path = doc.heading_path(line)
    return any(_TARGET_SECTION.search(h.text) or RECOMMENDATION_HEADING.search(h.text) for h in path[-2:])


def _qualifier(label: str) -> str | None:
    m = re.search(r"\(([^)]+)\)\s*$", clean(label))
    if m and not re.fullmatch(r"rps|ms|s|%", m.group(1).strip(), re.I):
        return m.group(1).strip()
    return None


def _join(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return " — ".join(kept) if kept else None


def _tables(doc: Document, perf: _Perf) -> None:
    for table in doc.tables:
        if _skip_section(doc, table.line):
            continue
        header = list(table.header)
        metric_cols = [(i, metric_of(h)) for i, h in enumerate(header) if i > 0]
        metric_cols = [(i, m) for i, m in metric_cols if m is not None]
        if metric_cols:
            _column_table(doc, table, metric_cols, perf)
            continue
        col = value_column(table)
        if col is None:
            continue
        context = _context(doc, table.line)
        for row in table.rows:
            if len(row.cells) <= col:
                continue
            metric = metric_of(row.cells[0])
            if metric is None:
                continue
            parsed = parse_value(metric, row.cells[col], row.cells[0])
            if parsed is not None:
                perf.add(metric, parsed, _join(context, _qualifier(row.cells[0])), row.line)


def _column_table(
    doc: Document, table: Table, metric_cols: list[tuple[int, PerfMetricName | None]], perf: _Perf
) -> None:
    header = [clean(h) for h in table.header]
    first_metric = min(i for i, _ in metric_cols)
    label_cols = [
        i
        for i, h in enumerate(header[:first_metric])
        if not _TARGET_SECTION.search(h)
        and not re.search(r"status|result|duration|success|errors?$|notes?|%", h, re.I)
    ]
    section = _context(doc, table.line)
    for row in table.rows:
        if any(_NOT_RUN.search(clean(c)) for c in row.cells):
            continue
        label = " ".join(
            clean(row.cells[i]) for i in label_cols if i < len(row.cells) and clean(row.cells[i])
        )
        label = _normalise_endpoint(label)
        for i, metric in metric_cols:
            if metric is None or i >= len(row.cells):
                continue
            parsed = parse_value(metric, row.cells[i], table.header[i])
            if parsed is not None:
                perf.add(metric, parsed, _join(section, label or None), row.line)


def _normalise_endpoint(label: str) -> str:
    m = re.match(r"^(\S+)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$", label)
    return f"{m.group(2)} {m.group(1)}" if m else label


_LABELLED = re.compile(
    r"^(?P<label>(?:p\s?(?:50|90|95|99)|median|average|avg|mean|max(?:imum)?)(?:\s+(?:latency|response\s+time))?"
    r"|throughput|requests?\s*/\s*s(?:ec)?|rps|error\s+rate)\s*[:=]\s*(?P<value>.+)$",
    re.I,
)
_CONCURRENT = re.compile(
    r"(?<![\d.])(\d{1,6})\s+(?:concurrent|virtual|simultaneous|parallel)\s+users\b|\busers\s*:\s*(\d{1,6})\s+concurrent\b"
    r"|\b(\d{1,6})\s+VUs\b",
    re.I,
)


def _prose(doc: Document, perf: _Perf) -> None:
    for n, raw in doc.prose_lines():
        if not any(c.isdigit() for c in raw) or doc.is_heading_line(n) or _skip_section(doc, n):
            continue
        text = clean(strip_line_markers(raw))
        if not text or re.search(r"target|threshold|goal|slo\b|alert|should|must", text, re.I):
            continue
        m = _LABELLED.match(text)
        if m:
            metric = metric_of(
                m.group("label")
                + (" latency" if not re.search(r"rate|throughput|rps|/s", m.group("label"), re.I) else "")
            )
            if metric is not None:
                parsed = parse_value(metric, m.group("value"))
                if parsed is not None:
                    perf.add(metric, parsed, _context(doc, n), n)
        for c in _CONCURRENT.finditer(text):
            if is_hedged(text, c.start(), c.end()):
                continue
            value = next(g for g in c.groups() if g)
            perf.add("concurrency", (float(value), "users", None), _context(doc, n), n)


_TOOLS = (
    ("Locust", re.compile(r"\bLocust\b|\blocust\s+-f\b")),
    ("k6", re.compile(r"\bk6\b", re.I)),
    ("JMeter", re.compile(r"\bjmeter\b", re.I)),
    ("Gatling", re.compile(r"\bGatling\b")),
    ("Artillery", re.compile(r"\bartillery\b", re.I)),
    ("wrk", re.compile(r"\bwrk2?\b")),
    ("ab", re.compile(r"\bab\s+-[nc]\b|\bApacheBench\b")),
    ("Vegeta", re.compile(r"\bvegeta\b", re.I)),
    ("hey", re.compile(r"\bhey\s+-[nzc]\b")),
)
_TOOL_COMMAND = re.compile(
    r"^\s*(?:\$\s+)?(?:k6\s+run|locust\b|artillery\s+run|jmeter\s+-n|gatling|wrk2?\s|ab\s+-[nc]|vegeta\s+attack|hey\s+-)",
    re.I,
)


_TOOL_HINT = re.compile(r"locust|k6|jmeter|gatling|artillery|wrk|\bab\s|apachebench|vegeta|\bhey\s", re.I)


def extract_load_test_tool(doc: Document, facts: QAFacts) -> None:
    """Return the load-test tool: from a command that runs it, else from a non-hedged mention."""
    for block in doc.code_blocks:
        for n, line in block.lines:
            if _TOOL_COMMAND.match(line):
                for name, pattern in _TOOLS:
                    if pattern.search(line):
                        facts.load_test_tool = NamedFact(value=name, evidence=doc.evidence(n))
                        return
    for n, raw in doc.text_lines():
        if not _TOOL_HINT.search(raw) or any(NON_FACT_HEADING.search(h.text) for h in doc.heading_path(n)):
            continue
        text = clean(raw, keep_code=False)
        for name, pattern in _TOOLS:
            for m in pattern.finditer(text):
                if not is_hedged(text, m.start(), m.end()):
                    facts.load_test_tool = NamedFact(value=name, evidence=doc.evidence(n))
                    return


def extract_performance(doc: Document, facts: QAFacts) -> None:
    """Fill ``facts.performance`` (tables, labelled lines, concurrent-user counts) and the load-test tool."""
    perf = _Perf(doc)
    _tables(doc, perf)
    _prose(doc, perf)
    facts.performance = perf.items
    extract_load_test_tool(doc, facts)
