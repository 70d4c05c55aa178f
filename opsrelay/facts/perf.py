"""Measured performance figures (latency percentiles, throughput, error rate, concurrency), load-test tool.

Only measured values count. Target/threshold/SLO columns and sections are skipped, comparison tables
with several value columns are skipped (which column is the measurement is ambiguous), and rows
marked "Not Tested" are ignored. An actual written as an upper bound ("<100ms") is kept as 100 with
the context noting the bound. Seconds are converted to milliseconds.
"""

from __future__ import annotations

import re

from opsrelay.facts import vocab
from opsrelay.facts.document import Document, Table
from opsrelay.facts.model import NamedFact, PerfMetric, PerfMetricName, PerfUnit, QAFacts
from opsrelay.facts.testing import value_column
from opsrelay.facts.text import NON_FACT_HEADING, RECOMMENDATION_HEADING, clean, is_hedged, strip_line_markers

_PCT = r"50|75|90|95|99\.9|99"
_PERCENTILE = re.compile(
    rf"\bp\s?({_PCT})(?![\d.])|\b({_PCT})(?:th|-й|e|\.)?\s*(?:%|percentile|perzentil|percentil|перцентил)",
    re.I,
)
_LATENCY_WORDS = re.compile(
    vocab.alternation(vocab.terms("latency_words")) + r"|latenc|response|duration|задержк|время|отклик", re.I
)
# anywhere in the label: "Peak TPS", "Sustained throughput", "Average message rate"
_THROUGHPUT = re.compile(vocab.alternation(vocab.terms("throughput_words")), re.I)
_ERRORS = re.compile(r"^" + vocab.alternation(vocab.terms("error_words")), re.I)
_USERS = re.compile(r"^" + vocab.alternation(vocab.terms("users_words")) + r"$", re.I)
_METRIC_LABEL: tuple[tuple[re.Pattern[str], PerfMetricName], ...] = (
    (re.compile(r"^(?:median|mediana|médiane|中位数)\b", re.I), "p50"),
    (re.compile(r"^(?:max|maximum|peak|máx\w*|maximale?)\b", re.I), "max"),
    (re.compile(r"^(?:min|minimum|mín\w*)\b", re.I), "min"),
    (
        re.compile(
            r"^(?:avg|average|mean|среднее|promedio|moyenne|durchschnitt\w*|média|rata-rata|平均)", re.I
        ),
        "avg",
    ),
    (_THROUGHPUT, "throughput"),
    (_ERRORS, "error_rate"),
    (_USERS, "concurrency"),
)
_NOT_PERF = re.compile(
    r"cache|cpu|memory|disk|network|hit|speedup|success\s+rate|total\s+requests|target|threshold|\btests?\b|"
    r"execution|build|suite|startup|boot|total\s+messages|data\s+transferred|samples|std\.?\s?dev|"
    r"standard\s+deviation|variance|sample\s+size",
    re.I,
)
_TARGET_SECTION = re.compile(
    vocab.alternation(vocab.terms("h_target")) + r"|requirement|budget|\bslo\b|\bsla\b", re.I
)
_PLAN_LABEL = vocab.pattern("plan_marker", "h_target", "criteria_words")
_NOT_RUN = re.compile(
    r"not\s+tested|not\s+run|not\s+performed|pending|skipped|⏳|non\s+mesur|no\s+medido", re.I
)
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_TIME_UNIT = r"ns|µs|μs|us|ms|msec|milliseconds?|s|sec|secs|seconds?|m|min|mins|minutes?|мкс|мс|сек|с|мин"
_RATE_UNIT = (
    r"rps|req/s|req/sec|requests?/s(?:ec)?|rpm|/sec|/s|msg/s|msgs/s|messages?/s|tx/s|tps|ops/s|op/s|"
    r"MB/s|MB/min|MiB/s"
)
_VALUE = re.compile(
    rf"^(?P<cmp><=|>=|[<>≤≥~≈])?\s*(?P<num>{_NUM})\s*(?P<unit>{_RATE_UNIT}|{_TIME_UNIT}|%|users?|vus)?(?![\w/])",
    re.I,
)
_LATENCY_METRICS = ("p50", "p75", "p90", "p95", "p99", "p99.9", "max", "min", "avg")


def metric_of(label: str) -> PerfMetricName | None:
    """Which metric a row/column label names ('p95 Latency', '95th %', 'Requests/sec (RPS)', 'Error Rate')."""
    text = clean(label)
    if not text or _NOT_PERF.search(text):
        return None
    m = _PERCENTILE.search(text)
    if m and (
        m.group(2)  # "95th percentile", "95-й перцентиль": a percentile of latency unless it says otherwise
        or _LATENCY_WORDS.search(text)
        or re.fullmatch(rf"\W*(?:p\s?(?:{_PCT})|(?:{_PCT})th\s*%?)\W*(?:\(.*\))?\W*", text, re.I)
    ):
        return f"p{m.group(1) or m.group(2)}"  # type: ignore[return-value]
    for pattern, name in _METRIC_LABEL:
        if pattern.search(text):
            if name in ("avg", "p50", "max", "min") and not _LATENCY_WORDS.search(text):
                continue
            return name
    return None


def _unit_words(*categories: str) -> str:
    # Units follow their number directly ("18m 33s"): no boundary in front, only behind.
    words = sorted({t for c in categories for t in vocab.terms(c)}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w) for w in words) + r")(?![^\W\d_])"


_DURATION_PART = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)?)\s*(?P<unit>" + _unit_words("unit_hour", "unit_minute", "unit_second") + ")",
    re.I,
)
_HOUR = re.compile(r"^" + vocab.alternation(vocab.terms("unit_hour")) + r"$", re.I)
_MINUTE = re.compile(r"^" + vocab.alternation(vocab.terms("unit_minute")) + r"$", re.I)


def parse_duration(text: str) -> float | None:
    """Seconds in a written duration: '3 menit 13 detik' → 193, '18m 33s' → 1113, '~5 minutos' → 300."""
    total = 0.0
    found = False
    for m in _DURATION_PART.finditer(clean(text)):
        value = float(m.group("num").replace(",", "."))
        unit = m.group("unit")
        total += value * (3600 if _HOUR.match(unit) else 60 if _MINUTE.match(unit) else 1)
        found = True
    return total if found else None


def _latency_ms(value: float, unit: str) -> float | None:
    unit = {"мкс": "us", "мс": "ms", "сек": "s", "с": "s", "мин": "min"}.get(unit.lower(), unit.lower())
    if unit == "ns":
        return value / 1_000_000
    if unit in ("µs", "μs", "us"):
        return value / 1000
    if unit.startswith("ms") or unit.startswith("milli"):
        return value
    if unit in ("m", "min", "mins") or unit.startswith("minute"):
        return value * 60_000
    if unit.startswith("s"):
        return value * 1000
    return None


def _rate_unit(unit: str) -> tuple[float, PerfUnit] | None:
    u = unit.lower()
    if u in ("", "rps", "req/s", "req/sec", "/sec", "/s") or u.startswith("request"):
        return 1.0, "rps"
    if u == "rpm":
        return 1 / 60, "rps"
    if u.startswith("msg") or u.startswith("message"):
        return 1.0, "msg/s"
    if u in ("tx/s", "tps"):
        return 1.0, "tx/s"
    if u in ("ops/s", "op/s"):
        return 1.0, "ops/s"
    if u in ("mb/s", "mib/s"):
        return 1.0, "MB/s"
    if u == "mb/min":
        return 1.0, "MB/min"
    return None


def _hint_unit(hint: str) -> str:
    h = clean(hint).lower()
    # the label names the rate: "Peak TPS", "Messages/s", "Ops per second"
    if re.search(r"\btps\b|\btx/s\b|transactions?\s+per\s+second", h):
        return "tx/s"
    if re.search(r"\bmsgs?/s\b|messages?\s*(?:/s|per\s+second|rate)", h):
        return "msg/s"
    if re.search(r"\bops?/s\b|operations?\s+per\s+second|\bobj(?:ects?)?/s\b", h):
        return "ops/s"
    if re.search(r"\brequests?\s*(?:/|per\s+)s(?:ec(?:ond)?)?\b", h):
        return "req/s"
    m = re.search(r"\((ns|µs|μs|us|ms|s|sec|seconds?|msg/s|tx/s|ops/s|mb/s|mib/s|mb/min|rps|req/s)\)", h)
    if m:
        return m.group(1)
    if re.search(r"\bms\b", h):
        return "ms"
    if re.search(r"\bsec", h):
        return "s"
    return ""


def parse_value(
    metric: PerfMetricName, text: str, header_hint: str = ""
) -> tuple[float, PerfUnit, str | None] | None:
    """Return (value, unit, bound note) from a cell such as '65ms', '<100ms' or '197,793 msg/s'.

    Latencies come back in ms whatever the cell wrote ('327 μs', '1.2 s', '3 menit 13 detik').
    """
    cell = clean(text)
    if not cell or _NOT_RUN.search(cell) or re.match(r"^[~≈]?\d+(?:\.\d+)?\s*[-–]\s*\d", cell):
        return None
    m = _VALUE.match(cell)
    if not m:
        return None
    value = float(m.group("num").replace(",", ""))
    unit = m.group("unit") or ""
    cmp = m.group("cmp") or ""
    note = "upper bound" if cmp in ("<", "<=", "≤") else "lower bound" if cmp in (">", ">=", "≥") else None
    if metric in _LATENCY_METRICS:
        parts = len(_DURATION_PART.findall(cell))
        duration = parse_duration(cell) if parts > 1 or (parts and not unit) else None
        if duration is not None:
            return duration * 1000, "ms", note
        ms = _latency_ms(value, unit or _hint_unit(header_hint))
        return (ms, "ms", note) if ms is not None else None
    if metric == "throughput":
        rate = _rate_unit(unit or _hint_unit(header_hint))
        return (value * rate[0], rate[1], note) if rate else None
    if metric == "error_rate":
        return (value, "%", note) if unit == "%" or "%" in clean(header_hint) else None
    if metric in ("concurrency", "saturation"):
        ok = unit.lower() in ("", "user", "users", "vus") and value == int(value)
        return (value, "users", note) if ok else None
    return None


class _Perf:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.items: list[PerfMetric] = []
        self.keys: set[tuple[str, float, str | None, str]] = set()

    def add(
        self,
        metric: PerfMetricName,
        parsed: tuple[float, PerfUnit, str | None],
        context: str | None,
        line: int,
        *,
        regression: bool | None = None,
    ) -> None:
        value, unit, note = parsed
        if note:
            context = f"{context} ({note})" if context else note
        kind = "delta" if regression is not None else "baseline"
        key = (metric, round(value, 6), context if metric != "concurrency" else None, kind)
        if key in self.keys:
            return
        self.keys.add(key)
        self.items.append(
            PerfMetric(
                metric=metric,
                value=value,
                unit=unit,
                context=context,
                evidence=self.doc.evidence(line),
                kind=kind,
                regression=regression,
            )
        )


def _context(doc: Document, line: int) -> str | None:
    section = doc.section(line)
    return clean(section.text) if section is not None else None


def _skip_section(doc: Document, line: int) -> bool:
    path = doc.section_path(line)
    return any(_TARGET_SECTION.search(h.text) or RECOMMENDATION_HEADING.search(h.text) for h in path[-2:])


def _qualifier(label: str) -> str | None:
    m = re.search(r"\(([^)]+)\)\s*$", clean(label))
    if m and not re.fullmatch(r"rps|ms|s|%|μs|µs|us", m.group(1).strip(), re.I):
        return m.group(1).strip()
    return None


def _join(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return " — ".join(kept) if kept else None


_VERSION = re.compile(
    r"^(?:v|version\s*)?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?$|^(?:before|after|baseline|previous|current|old|new)\b",
    re.I,
)
_CHANGE_HEADER = re.compile(
    r"^(?:change|delta|diff(?:erence)?|Δ|regression|variation|cambio|écart|änderung|变化|変化|변화)\b", re.I
)


def _latency_column(table: Table) -> int | None:
    """In a 'Percentile | Latency (μs) | Latency (ms)' table: the column to read (ms preferred)."""
    hints = [(i, _hint_unit(h)) for i, h in enumerate(table.header) if i > 0]
    for unit in ("ms", "µs", "μs", "us", "s", "ns"):
        for i, h in hints:
            if h == unit:
                return i
    return None


def _tables(doc: Document, perf: _Perf) -> None:
    for table in doc.tables:
        if _skip_section(doc, table.line):
            continue
        header = list(table.header)
        if _version_table(doc, table, perf):
            continue
        metric_cols = [(i, metric_of(h)) for i, h in enumerate(header) if i > 0]
        metric_cols = [(i, m) for i, m in metric_cols if m is not None]
        if metric_cols:
            _column_table(doc, table, metric_cols, perf)
            continue
        col = value_column(table)
        if col is None:
            col = _latency_column(table)
        if col is None:
            continue
        context = _context(doc, table.line)
        for row in table.rows:
            if len(row.cells) <= col:
                continue
            metric = metric_of(row.cells[0])
            if metric is None and _LATENCY_WORDS.search(clean(table.header[col])):
                metric = _label_metric(row.cells[0])  # "max" in a "Percentile | Latency (μs)" table
            if metric is None:
                continue
            parsed = parse_value(metric, row.cells[col], row.cells[0] + " " + table.header[col])
            if parsed is not None:
                perf.add(metric, parsed, _join(context, _qualifier(row.cells[0])), row.line)


def _version_table(doc: Document, table: Table, perf: _Perf) -> bool:
    """'Metric | v1.2 | v1.3 | Change' (or Before/After): the newest run a baseline, the change a delta."""
    header = [clean(h) for h in table.header]
    versions = [i for i, h in enumerate(header) if i > 0 and _VERSION.match(h)]
    if len(versions) < 2:
        return False
    change = next((i for i, h in enumerate(header) if _CHANGE_HEADER.match(h)), None)
    newest, previous = versions[-1], versions[-2]
    context = _context(doc, table.line)
    for row in table.rows:
        if not row.cells or max(newest, previous) >= len(row.cells):
            continue
        metric = metric_of(row.cells[0])
        if metric is None:
            continue
        hint = row.cells[0]
        new = parse_value(metric, row.cells[newest], hint)
        old = parse_value(metric, row.cells[previous], hint)
        if new is None:
            continue
        label = _join(context, f"{header[newest]}")
        perf.add(metric, new, label, row.line)
        delta: float | None = None
        if change is not None and change < len(row.cells):
            m = re.search(r"([+-−]?\s*\d+(?:\.\d+)?)\s*%", clean(row.cells[change]))
            if m:
                delta = float(m.group(1).replace("−", "-").replace(" ", ""))
        if delta is None and old is not None and old[0]:
            delta = round((new[0] - old[0]) / old[0] * 100, 2)
        if delta is not None:
            worse = delta < 0 if metric in ("throughput", "saturation") else delta > 0
            what = _join(f"{metric} {header[previous]} → {header[newest]}", context)
            perf.add(metric, (delta, "%", None), what, row.line, regression=worse and delta != 0)
    return True


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


# "p95 latency: 120 ms", "Throughput sostenible: 3.33 MB/s", "Average Response Time: 20,076 ms"
_BARE_STAT = re.compile(rf"p\s?(?:{_PCT})|median|max|min|avg|average|mean|peak", re.I)
_MEAN_OR_PEAK = re.compile(r"avg|average|mean|peak", re.I)
_RATE_HEADING = re.compile(
    r"throughput|requests?\s*(?:/|per)\s*s(?:ec(?:ond)?)?\b|\brps\b|req/s|\btps\b|ops?/s", re.I
)
_LABELLED = re.compile(r"^(?P<label>[^:：=]{1,40}?)\s*[:：=]\s*(?P<value>.+)$")
_CONCURRENT = re.compile(
    r"(?<![\d.])(\d{1,6})\s+(?:concurrent|virtual|simultaneous|parallel)\s+users\b|\busers\s*:\s*(\d{1,6})\s+concurrent\b"
    r"|\b(\d{1,6})\s+VUs\b|(?<![\d.])(\d{1,6})\s+usuarios\s+concurrentes\b",
    re.I,
)
_SATURATION = re.compile(
    r"(?P<label>" + vocab.alternation(vocab.terms("saturation_words")) + r")\W{0,6}(?:[^\d\n]{0,30}?)"
    r"(?P<cmp>[~≈]\s*)?(?P<low>\d{1,6})(?:\s*[-–]\s*(?P<high>\d{1,6}))?\s*(?:concurrent\s+)?"
    r"(?:users?|usuarios|utilisateurs|pengguna|vus|пользовател\w*)",
    re.I,
)
# "**Expected metrics:**" / "**Criterios de Éxito**:" announce the list under them
_BOLD_LABEL = re.compile(r"^\s*(?:[-*+]\s+)?\*\*(?P<label>[^*]{2,80}?)(?::\*\*|\*\*\s*:)\s*$")
_TARGETISH = re.compile(
    r"target|threshold|goal|slo\b|alert|should|must|" + vocab.alternation(vocab.terms("col_target")), re.I
)


def _label_metric(label: str) -> PerfMetricName | None:
    label = clean(label)
    if len(label.split()) > 5:
        return None
    metric = metric_of(label)
    if metric is None and re.fullmatch(rf"p\s?(?:{_PCT})|median|max|min|avg|mean", label, re.I):
        metric = metric_of(label + " latency")
    return metric


def _prose(doc: Document, perf: _Perf) -> None:
    context_label = ""
    for n, raw in doc.prose_lines():
        if doc.is_heading_line(n):
            context_label = ""
            continue
        bold = _BOLD_LABEL.match(raw)
        if bold:
            context_label = bold.group("label")
            continue
        if not raw.strip():
            continue
        if not any(c.isdigit() for c in raw) or _skip_section(doc, n):
            continue
        if context_label and _PLAN_LABEL.search(context_label):
            continue  # "**Expected metrics:**", "**Success criteria:**": targets, not measurements
        text = clean(strip_line_markers(raw))
        if not text or _TARGETISH.search(text):
            continue
        for s in _SATURATION.finditer(text):
            low, high = s.group("low"), s.group("high")
            span = f"{low}-{high}" if high else low
            perf.add(
                "saturation",
                (float(low), "users", None),
                _join(_context(doc, n), f"{clean(s.group('label'))} {span} users"),
                n,
            )
        m = _LABELLED.match(text)
        if m:
            metric, hint = _label_metric(m.group("label").replace("_", " ")), m.group("label")
            path = doc.heading_path(n)
            if path and _BARE_STAT.fullmatch(clean(m.group("label"))):
                # "### Throughput (requests/second)" / "- mean: 4.39": the heading names what and in what unit
                heading = clean(path[-1].text)
                if _RATE_HEADING.search(heading):
                    metric = "throughput" if _MEAN_OR_PEAK.fullmatch(clean(m.group("label"))) else None
                    hint = heading
                elif metric is not None:
                    hint = f"{m.group('label')} {heading}"
            if metric is not None:
                parsed = parse_value(metric, m.group("value"), hint)
                if parsed is not None:
                    perf.add(metric, parsed, _join(_context(doc, n), context_label or None), n)
        for c in _CONCURRENT.finditer(text):
            if is_hedged(text, c.start(), c.end()):
                continue
            value = next(g for g in c.groups() if g)
            perf.add("concurrency", (float(value), "users", None), _context(doc, n), n)


_CODE_LABELLED = re.compile(
    rf"^\s*(?P<label>p\s?(?:{_PCT})|max|min|avg|mean|median)\s*[:=]\s*(?P<value>\S+(?:\s*\S+)?)\s*$", re.I
)
_GO_BENCH = re.compile(r"^\s*Benchmark(?P<name>\w+?)(?:-\d+)?\s+\d+\s+(?P<ns>[\d.]+)\s+ns/op\b")


def _code_blocks(doc: Document, perf: _Perf) -> None:
    """Latency breakdowns ('p99:  2.15ms') and Go benchmark lines ('BenchmarkX-4  5  111346 ns/op')."""
    for block in doc.code_blocks:
        if _skip_section(doc, block.start):
            continue
        context = _context(doc, block.start)
        for n, line in block.lines:
            m = _CODE_LABELLED.match(line)
            if m:
                metric = _label_metric(m.group("label"))
                parsed = parse_value(metric, m.group("value")) if metric else None
                if metric and parsed is not None:
                    perf.add(metric, parsed, context, n)
                continue
            g = _GO_BENCH.match(line)
            if g:
                ms = float(g.group("ns")) / 1_000_000
                perf.add("avg", (ms, "ms", None), _join(context, f"Benchmark{g.group('name')} per op"), n)


# k6's end-of-test summary, fenced or pasted as is:
#   http_req_duration......: avg=38.81ms min=503µs med=20.19ms max=204ms p(90)=126ms p(95)=148.92ms
#   http_reqs..............: 1327   6.169386/s
#   http_req_failed........: 9.87%  131 out of 1327
#   vus_max................: 20     min=20 max=20
_K6_LINE = re.compile(
    r"^\s*(?P<name>http_req_duration|http_reqs|http_req_failed|vus_max)\.{2,}:\s*(?P<rest>.+)$"
)
_K6_STAT = re.compile(
    r"\b(?P<stat>avg|min|med|max|p\((?P<pct>[\d.]+)\))=(?P<value>[\d.]+\s?(?:µs|μs|us|ms|s|m)?)"
)
_K6_STATS: dict[str, PerfMetricName] = {"avg": "avg", "med": "p50", "max": "max"}
_K6_CHECKS_ALL_PASSED = re.compile(r"^\s*checks_failed\.{2,}:\s*0(?:\.0+)?\s*%")
_K6_CUSTOM_ERRORS = re.compile(r"^\s*(?:errors|error_rate|failed_requests)\.{2,}:\s*([\d.]+)\s*%")


def _k6_summary(doc: Document, perf: _Perf) -> None:
    """Latency, throughput, error rate and VUs from k6 summary lines (in or out of code blocks)."""
    lines = doc.all_lines
    # Every check of a run passed ("checks_failed: 0.00%"): its failed HTTP requests were the expected
    # 4xx the script asks for, so http_req_failed is no error rate; a custom "errors" rate is.
    checks_ok = {_context(doc, n) for n, line in lines if _K6_CHECKS_ALL_PASSED.match(line)}
    for n, line in lines:
        custom = _K6_CUSTOM_ERRORS.match(line)
        if custom and not _skip_section(doc, n):
            perf.add("error_rate", (float(custom.group(1)), "%", None), _join(_context(doc, n), "k6"), n)
            continue
        m = _K6_LINE.match(line)
        if not m or _skip_section(doc, n):
            continue
        context = _join(_context(doc, n), "k6")
        name, rest = m.group("name"), m.group("rest")
        if name == "http_req_duration":
            for st in _K6_STAT.finditer(rest):
                pct = st.group("pct")
                metric = f"p{pct}" if pct else _K6_STATS.get(st.group("stat"))
                if metric not in _LATENCY_METRICS:
                    continue
                parsed = parse_value(metric, st.group("value"))  # type: ignore[arg-type]
                if parsed is not None:
                    perf.add(metric, parsed, context, n)  # type: ignore[arg-type]
        elif name == "http_reqs":
            r = re.search(r"([\d.]+)\s*/s\b", rest)
            if r:
                perf.add("throughput", (float(r.group(1)), "rps", None), context, n)
        elif name == "http_req_failed":
            r = re.match(r"([\d.]+)\s*%", rest.strip())
            if r and _context(doc, n) not in checks_ok:
                perf.add("error_rate", (float(r.group(1)), "%", None), context, n)
        else:
            r = re.match(r"(\d+)\b", rest.strip())
            if r:
                perf.add("concurrency", (float(r.group(1)), "users", None), context, n)


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
    _code_blocks(doc, perf)
    _k6_summary(doc, perf)
    facts.performance = perf.items
    extract_load_test_tool(doc, facts)
