"""Environments the QA document names (production, staging, test, development, local), with URLs."""

from __future__ import annotations

import re

from opsrelay.facts import vocab
from opsrelay.facts.document import Document
from opsrelay.facts.model import Environment, QAFacts
from opsrelay.facts.text import clean, strip_line_markers

# Environment names in any language (lang/*.yaml: env_production, env_staging, …).
_ENV_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (vocab.pattern(f"env_{name}"), name) for name in ("production", "staging", "development", "test", "local")
)
_ENV_LABEL = re.compile(
    r"^(?P<label>(?:(?:test|testing|target|deployment|qa|execution)\s+)?environments?|"
    + vocab.alternation(vocab.terms("label_environment"))
    + r")"
    r"\s*[:：]\s*(?P<value>.+)$",
    re.I,
)
_ENV_PHRASE = re.compile(
    r"\b(?P<name>production|staging|test|testing|development|dev|local|qa|uat|pre-?production)\s+environment\b",
    re.I,
)
_URL = re.compile(r"https?://[^\s)<>\]\"'`|]+")
_URL_HOST_ENV = re.compile(
    r"^https?://(?:[\w-]+\.)*?(?P<env>staging|stage|stg|dev|test|qa|uat|preprod)[.-]", re.I
)
_ENV_URL_LABEL = re.compile(
    r"\b(?P<name>production|prod|staging|stage|dev|development|test|qa|uat)\s+(?:url|site|host|endpoint|server)\s*[:：]",
    re.I,
)
_ENV_ASSIGN = re.compile(
    r"\b[A-Z][A-Z0-9_]*(?:ENV|ENVIRONMENT|PROFILE|PROFILES_ACTIVE)\s*=\s*(?P<name>production|prod|staging|development|dev|test|local)\b"
)


def env_names(text: str) -> list[str]:
    """Environment names mentioned in a short value such as 'Test/Staging' or 'Staging (https://…)'."""
    found: list[tuple[int, str]] = []
    for pattern, name in _ENV_WORDS:
        for m in pattern.finditer(text):
            found.append((m.start(), name))
    out: list[str] = []
    for _, name in sorted(found):
        if name not in out:
            out.append(name)
    return out


class _Envs:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.items: dict[str, Environment] = {}

    def add(self, name: str, url: str | None, line: int) -> None:
        if name not in ("production", "staging", "test", "development", "local"):
            name = "other"
        url = url.rstrip(".,;:") if url else None
        current = self.items.get(name)
        if current is None:
            self.items[name] = Environment(name=name, url=url, evidence=self.doc.evidence(line))
        elif current.url is None and url:
            self.items[name] = current.model_copy(update={"url": url})


def extract_environments(doc: Document, facts: QAFacts) -> None:
    """Environments named in labels, headings, URLs and ``*_ENV=`` settings, one per name."""
    envs = _Envs(doc)
    for n, raw in doc.text_lines():
        text = clean(strip_line_markers(raw))
        urls = _URL.findall(raw)
        m = _ENV_LABEL.match(text)
        labelled = bool(m)
        if m:
            names = env_names(m.group("value"))
            if not names and "test" in m.group("label").lower():
                names = ["test"]
            for name in names:
                envs.add(name, urls[0] if urls and len(names) == 1 else None, n)
        heading = doc.is_heading_line(n)
        for pm in () if labelled else _ENV_PHRASE.finditer(text):
            names = env_names(pm.group("name"))
            if not names:
                continue
            url = _section_url(doc, n) if heading else (urls[0] if urls else None)
            envs.add(names[0], url, n)
        lm = _ENV_URL_LABEL.search(text)
        if lm and urls:
            names = env_names(lm.group("name"))
            if names:
                envs.add(names[0], urls[0], n)
        for url in urls:
            hm = _URL_HOST_ENV.match(url)
            if hm:
                names = env_names(hm.group("env"))
                if names:
                    envs.add(names[0], url, n)
        for am in _ENV_ASSIGN.finditer(raw):
            names = env_names(am.group("name"))
            if names:
                envs.add(names[0], None, n)
    facts.environments = list(envs.items.values())


def _section_url(doc: Document, heading_line: int) -> str | None:
    for k in range(heading_line + 1, min(heading_line + 12, len(doc.lines) + 1)):
        if doc.is_heading_line(k):
            return None
        urls = _URL.findall(doc.line(k))
        if urls:
            return str(urls[0])
    return None
