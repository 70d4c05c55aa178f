"""Document-level facts: title, project name, report date and natural language."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from opsrelay.facts import vocab
from opsrelay.facts.document import Document
from opsrelay.facts.model import Evidence, NamedFact, QAFacts
from opsrelay.facts.text import clean, strip_line_markers

# --- title and project ----------------------------------------------------------------------------

_REPORT_WORDS = frozenset(t.lower() for t in vocab.terms("report_words"))
_SEPARATOR = re.compile(r"\s+[—–-]\s+|\s*[:|]\s+|\s+[—–]\s*")
_VERSION_TAIL = re.compile(r"\s+\(?v?\d+(?:\.\d+)+(?:[-+][\w.]+)?\)?$|\s+\((?:build|v)\s*[\w.]+\)$", re.I)
_PROJECT_LABEL = vocab.label("label_project")
_PROJECT_KEYS = (
    "project",
    "service",
    "project_name",
    "service_name",
    "application",
    "app",
    "product",
    "name",
)


def _is_report_words(part: str) -> bool:
    words = [w for w in re.split(r"[\s_]+", part.lower()) if w.strip(".,()[]")]
    return bool(words) and all(w.strip(".,()[]:") in _REPORT_WORDS for w in words)


def _strip_report_words(part: str) -> str:
    words = part.split()
    while words and words[0].lower().strip(".,():") in _REPORT_WORDS:
        words.pop(0)
    while words and words[-1].lower().strip(".,():") in _REPORT_WORDS:
        words.pop()
    return " ".join(words)


def _looks_like_name(value: str) -> bool:
    first = value.lstrip("\"'«(")[:1]
    # Capitalised, a digit, or a letter of a script without case (支付服务, 결제 서비스, خدمة الدفع)
    caseless = first.isalpha() and first.lower() == first.upper()
    return (
        bool(first)
        and (first.isupper() or first.isdigit() or caseless)
        and bool(re.search(r"[^\W\d_]", value))
    )


# A date or timestamp ("2025-10-05 00:21:29", "10/03/2025") is when, never what.
_TIMESTAMP = re.compile(
    r"\(?\s*(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:UTC|Z|[+-]\d{2}:?\d{2}))?)?\s*\)?"
)
# A work-item reference ("Story 1.4", "Plan 018", "PG-3", "Escenario 1"): what follows it names a
# feature of the project, not the project.
_WORK_ITEM = re.compile(
    r"^(?:(?:story|epic|task|ticket|issue|plan|phase|sprint|milestone|feature|scenario|escenario|"
    r"cenário|scénario|szenario|iteration|milestone|us)\s*[-#]?\s*[\w.-]*\d[\w.-]*|[A-Z]{1,6}-\d+(?:\.\d+)*)",
    re.I,
)
_REPORT_PARENS = re.compile(r"\(([^()]*)\)")


def _title_parts(title: str) -> tuple[list[str], bool]:
    """Title parts without report words, dates and work items; and whether a work item was dropped."""
    text = _REPORT_PARENS.sub(lambda m: "" if _is_report_words(m.group(1)) else m.group(0), title)
    text = _TIMESTAMP.sub(" ", text)
    parts = [p.strip() for p in _SEPARATOR.split(text) if p and p.strip(" -—:|")]
    kept: list[str] = []
    work_item = False
    for part in parts:
        m = _WORK_ITEM.match(part)
        if m:
            work_item = True
        rest = part[m.end() :].strip(" -—:|") if m else part
        if rest and not _is_report_words(rest):
            kept.append(rest)
    return kept, work_item


def _name_from_title(title: str) -> tuple[str | None, bool]:
    """The name inside a report title ('Load Test Results - Production ML API'), and work-item flag.

    The flag says whether a work item ("Story 4.2", "PG-3") was dropped from the title.
    """
    parts = [p.strip() for p in _SEPARATOR.split(title) if p and p.strip()]
    keep, work_item = _title_parts(title)
    if not keep:
        return None, work_item
    if len(keep) == 1:
        # "Cleanroom v1.0 Release Certification": one part, report words around the name
        value = _strip_report_words(keep[0]) if len(parts) == 1 else keep[0]
    else:
        value = title if len(keep) == len(parts) and not work_item else " — ".join(keep)
    value = _VERSION_TAIL.sub("", value).strip(" -—:|")
    if not value or not _looks_like_name(value) or len(value) > 120 or _is_report_words(value):
        return None, work_item
    if _INFRA_ONLY.fullmatch(value):
        return None, work_item  # "Docker Services Test Report": what it ran on, not what it is
    if not re.search(r"[^\W\d_]{2,}", _VERSIONS_ONLY.sub(" ", value)):
        return None, work_item  # "1.4.0 vs 1.5.0" compares versions; it names nothing
    return value, work_item


_INFRA_ONLY = re.compile(
    r"(?:docker(?:\s+compose)?|kubernetes|k8s|helm|containers?|microservices?|services?|infrastructure|"
    r"integration|system|end[\s-]to[\s-]end|api|backend|frontend)(?:\s+(?:services?|containers?|stack))?",
    re.I,
)
_VERSIONS_ONLY = re.compile(r"\bv?\d+(?:\.\d+)+\b|\b(?:vs|versus|against|and|to)\b\.?|→", re.I)


# Folder names that say where, not what: never a project name.
_GENERIC_DIRS = frozenset(
    {
        "backend",
        "frontend",
        "src",
        "app",
        "apps",
        "build",
        "tests",
        "test",
        "docs",
        "server",
        "client",
        "api",
        "web",
        "project",
        "projects",
        "repo",
        "repos",
        "workspace",
        "workspaces",
        "home",
        "tmp",
        "code",
        "dev",
        "bin",
        "lib",
        "path",
        "to",
        "build_test",
        "source",
        "sources",
        "git",
        "github",
        "users",
        "user",
        "root",
        "opt",
        "var",
        "usr",
        "local",
    }
)
_REPO_PATTERNS = (
    re.compile(r"github\.com[/:][\w.-]+/(?P<name>[\w.-]+?)(?:\.git)?(?=[/\s)#`'\"]|$)"),
    re.compile(r"\bcd\s+(?:~|\.{0,2}/)[\w./~-]*?/(?P<name>[\w.-]+)/?(?=\s*(?:&&|;|\\|$))"),
    re.compile(r"(?:^|[\s`(])\.?/?target/(?:release|debug)/(?P<name>[\w-]+)"),
    re.compile(r"^\s*\"name\"\s*:\s*\"(?P<name>[@\w./-]+)\""),
    re.compile(r"^\s*name\s*=\s*\"(?P<name>[\w.-]+)\""),
    re.compile(r"^\s*module\s+[\w.-]+/[\w.-]+/(?P<name>[\w.-]+)\s*$"),
)
# A binary named after its job ("chronik-bench", "foo-cli") belongs to the project "chronik", "foo".
_TOOL_SUFFIX = re.compile(r"[-_](?:bench|benchmarks?|cli|server|bin|tests?|e2e|perf|load)$", re.I)


def repository_name(doc: Document) -> tuple[str, int] | None:
    """A repository or package name the document shows (clone URL, ``cd …/repo``, a package manifest)."""
    counts: dict[str, list[int]] = {}
    for n, raw in enumerate(doc.lines, start=1):
        if doc.in_front_matter(n) or ("/" not in raw and "name" not in raw and "module" not in raw):
            continue
        for pattern in _REPO_PATTERNS:
            for m in pattern.finditer(raw):
                name = _TOOL_SUFFIX.sub("", m.group("name").strip(".-"))
                if name and name.lower() not in _GENERIC_DIRS and re.search(r"[^\W\d_]", name):
                    counts.setdefault(name, []).append(n)
    if not counts:
        return None
    name, lines = max(counts.items(), key=lambda kv: (len(kv[1]), -kv[1][0]))
    return name, lines[0]


def _label_value(value: str) -> str:
    """'SILAPOR (Sistem Pelaporan Online)' → 'SILAPOR': a name followed by its expansion."""
    value = re.split(r"\s+[·|]\s+|\s{2,}", value)[0].strip()
    m = re.match(r"^(?P<name>\S+)\s+\((?P<expansion>[^()]{3,})\)$", value)
    return m.group("name") if m else value


def extract_title_and_project(doc: Document, facts: QAFacts) -> None:
    """Set ``facts.title`` (first H1) and ``facts.project``.

    The project name comes from, in order: front matter; a "Project:" label line; the title
    without report words, dates and work items; a repository or package name the document shows;
    a feature title that followed a work item ("Story 1.4 - EPUB Parser"); the heading after the title.
    """
    # Without an H1, the first heading is the title only when it is the document's lone top heading:
    # "## OOP Results" followed by "## DOD Results" opens one of two parallel sections, no title.
    h1 = next((h for h in doc.headings if h.level == 1), None) or (
        doc.title if doc.headings and doc.title is doc.headings[0] else None
    )
    if h1 is not None:
        title = clean(h1.text)
        if title:
            facts.title = NamedFact(value=title, evidence=doc.evidence(h1.line))
    for key in _PROJECT_KEYS:
        value = doc.front_matter.get(key)
        if isinstance(value, str | int) and str(value).strip() and len(str(value)) <= 120:
            line = doc.front_matter_line(key)
            facts.project = NamedFact(
                value=str(value).strip(),
                evidence=doc.evidence(line) if line else fm_evidence(doc, key, value),
            )
            return
    for n, raw in doc.text_lines():
        if doc.is_heading_line(n):
            continue
        text = clean(strip_line_markers(raw))
        m = _PROJECT_LABEL.match(text)
        if m:
            value = _label_value(m.group("value"))
            if value and len(value) <= 120:
                facts.project = NamedFact(value=value, evidence=doc.evidence(n))
                return
    name, work_item = _name_from_title(clean(h1.text)) if h1 is not None else (None, False)
    if name and not work_item and h1 is not None:
        facts.project = NamedFact(value=name, evidence=doc.evidence(h1.line))
        return
    repo = repository_name(doc)
    if repo is not None:
        facts.project = NamedFact(value=repo[0], evidence=doc.evidence(repo[1]))
        return
    if name and h1 is not None:
        facts.project = NamedFact(value=name, evidence=doc.evidence(h1.line))
        return
    if h1 is None:
        return
    nxt = next((h for h in doc.headings if h.line > h1.line), None)
    if nxt is not None and nxt.level == h1.level + 1 and nxt.line <= h1.line + 2:
        text = clean(nxt.text)
        if not _TIMESTAMP.search(text) and not re.match(r"^[^:]{1,30}:", text):
            fallback, _ = _name_from_title(text)
            if fallback:
                facts.project = NamedFact(value=fallback, evidence=doc.evidence(nxt.line))


def fm_evidence(doc: Document, key: str, value: Any) -> Evidence:
    """Evidence for a front matter value whose line could not be found (line 0)."""
    return Evidence(source=doc.source, line=0, text=f"{key}: {value}"[:240])


# --- dates ----------------------------------------------------------------------------------------

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_MDY_NAME = re.compile(r"\b([^\W\d_]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
# "24 Desember 2025", "3 de noviembre de 2025", "1er février 2025", "11 июня 2026"
_DMY_NAME = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?([^\W\d_]{3,10})\.?,?\s+(?:de\s+)?(\d{4})\b"
)
# `date` output: "Sun Nov  9 00:44:47 UTC 2025"
_UNIX_DATE = re.compile(
    r"\b[A-Z][a-z]{2}\s+([A-Z][a-z]{2})\s+(\d{1,2})\s+\d{1,2}:\d{2}:\d{2}\s+(?:[A-Z]{2,5}\s+)?(\d{4})\b"
)
# "2025年11月3日", "2025년 11월 3일"
_CJK_DATE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
_SLASH = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d.])")
_DATE_LABEL = vocab.label("label_date")
_LATE_DATE_LABEL = re.compile(
    r"^(?:(?:report\s+)?generated(?:\s+on)?|timestamp|last\s+updated|updated)\s*[:：]\s*(?P<value>.+)$", re.I
)
_DATE_KEYS = ("date", "report_date", "lastSaved", "last_saved", "updated", "lastUpdated", "created")


def _safe_date(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


# Each unambiguous date form and the order of its year, month and day groups (a month may be a name).
_DATE_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_ISO, "ymd"),
    (_MDY_NAME, "mdy"),
    (_DMY_NAME, "dmy"),
    (_UNIX_DATE, "mdy"),
    (_CJK_DATE, "ymd"),
    (_DOTTED, "dmy"),
)


def _month(text: str) -> int | None:
    return int(text) if text.isdigit() else vocab.month_numbers().get(text.lower())


def parse_date(text: str) -> str | None:
    """Normalise the first date in a text to YYYY-MM-DD (ISO, 'November 17, 2025', 10/03/2025, 17.11.2025)."""
    candidates: list[tuple[int, str]] = []
    for pattern, order in _DATE_FORMS:
        for m in pattern.finditer(text):
            year, month, day = (m.group(order.index(part) + 1) for part in "ymd")
            number = _month(month)
            iso = _safe_date(int(year), number, int(day)) if number else None
            if iso:
                candidates.append((m.start(), iso))
    for m in _SLASH.finditer(text):
        # 10/03/2025 is read month first unless the first number cannot be a month
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        iso = _safe_date(y, a, b) if a <= 12 else _safe_date(y, b, a)
        if iso:
            candidates.append((m.start(), iso))
    return min(candidates)[1] if candidates else None


def extract_date(doc: Document, facts: QAFacts) -> None:
    """Set ``facts.report_date`` from a 'Date:' label, front matter, or a 'Generated:' label."""
    late: tuple[int, str] | None = None
    for n, raw in doc.text_lines():
        if n > 80 and late is not None:
            break
        text = clean(strip_line_markers(raw))
        m = _DATE_LABEL.match(text)
        if m:
            iso = parse_date(m.group("value"))
            if iso:
                facts.report_date = NamedFact(value=iso, evidence=doc.evidence(n))
                return
        m = _LATE_DATE_LABEL.match(text)
        if m and late is None:
            iso = parse_date(m.group("value"))
            if iso:
                late = (n, iso)
    for key in _DATE_KEYS:
        value = doc.front_matter.get(key)
        if isinstance(value, dt.datetime):
            value = value.date()
        iso = value.isoformat() if isinstance(value, dt.date) else parse_date(str(value)) if value else None
        if iso:
            line = doc.front_matter_line(key)
            ev = doc.evidence(line) if line else fm_evidence(doc, key, value)
            facts.report_date = NamedFact(value=iso, evidence=ev)
            return
    if late is not None:
        facts.report_date = NamedFact(value=late[1], evidence=doc.evidence(late[0]))
        return
    title = facts.title
    iso = parse_date(title.value) if title is not None else None
    if iso and title is not None:
        # "Test Report - 2025-10-05 00:21:29": the title is the only place the date is stated
        facts.report_date = NamedFact(value=iso, evidence=title.evidence)


# --- language -------------------------------------------------------------------------------------

_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("CYRILLIC", re.compile(r"[\u0400-\u04ff]")),
    ("CJK", re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")),
    ("KANA", re.compile(r"[\u3040-\u30ff]")),
    ("HANGUL", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("HEBREW", re.compile(r"[\u0590-\u05ff]")),
    ("ARABIC", re.compile(r"[\u0600-\u06ff]")),
    ("GREEK", re.compile(r"[\u0370-\u03ff]")),
    ("THAI", re.compile(r"[\u0e00-\u0e7f]")),
)
_LETTER = re.compile(r"[^\W\d_]")


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of the main natural language: by script, then common words; 'en' default."""
    sample = text[:200_000]
    letters = len(_LETTER.findall(sample))
    if letters:
        counts = {name: len(p.findall(sample)) for name, p in _SCRIPTS}
        script, count = max(counts.items(), key=lambda kv: kv[1])
        if count / letters >= 0.3:
            if script == "CYRILLIC":
                ukr = sum(sample.count(c) for c in "іїєґІЇЄҐ")
                return "uk" if ukr > count * 0.02 else "ru"
            if script == "KANA":
                return "ja"
            if script == "CJK":
                return "ja" if counts["KANA"] > count * 0.1 else "zh"
            codes = {"HANGUL": "ko", "HEBREW": "he", "ARABIC": "ar", "GREEK": "el", "THAI": "th"}
            return codes.get(script, "en")
    words = re.findall(r"[^\W\d_]+", text[:200_000].lower())
    distinctive = vocab.distinctive_words()
    # Stop words carry long prose; words only one language's vocabulary has carry headings and tables.
    # English QA words ("test", "throughput", "error rate") are borrowed by every language: for English
    # only its stop words count.
    scores = {
        lang.code: sum(
            1
            for w in words
            if w in lang.stopwords or (lang.code != "en" and w in distinctive.get(lang.code, ()))
        )
        for lang in vocab.languages()
        if lang.code not in _SCRIPT_LANGUAGES
    }
    best = max(scores.items(), key=lambda kv: kv[1])
    if best[0] != "en" and best[1] > 1.5 * scores.get("en", 0) and best[1] >= 6:
        return best[0]
    return "en"


# Languages told by their script, not by their words.
_SCRIPT_LANGUAGES = frozenset({"ru", "uk", "zh", "ja", "ko", "ar", "he", "el", "th"})
