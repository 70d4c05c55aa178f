"""Natural-language vocabularies of QA documents: one data file per language, loaded once.

Each file in ``opsrelay/facts/lang/`` (``en.yaml``, ``es.yaml``, ``zh.yaml`` …) maps *categories*
(``pass``, ``count_failed``, ``sev_p0``, ``status_fixed``, ``h_summary``, ``not_ready`` …) to the
words and phrases people write for them in that language. Adding a language is adding a file; no
code changes. The extractors never ask "which language is this document": real reports mix
languages (a Russian report says "GO", an Indonesian one "FAIL"), so every pattern is the union of
all languages' terms for its category.

Term syntax (kept small so the files stay plain word lists):

- a space matches any run of whitespace (``"test plan"`` also matches ``"test  plan"``);
- ``*`` at the end of a word matches the rest of the word (``"критич*"`` → критический, критичная;
  ``"не готов* к релиз*"`` → "не готова к релизу");
- ``[word]`` makes one word optional (``"overall [qa] verdict"``);
- a hyphen also matches a space or nothing (``"no-go"`` → "NO GO", "NOGO").

Word boundaries are added where the script writes spaces between words (Latin, Cyrillic, Arabic,
Hangul at the start of a word); Chinese and Japanese terms match anywhere, since those scripts do
not separate words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_LANG_PACKAGE = "opsrelay.facts.lang"


@dataclass(frozen=True)
class Language:
    """One language's vocabulary: its code, its stop words, its month names and its categories."""

    code: str
    name: str
    stopwords: frozenset[str] = frozenset()
    months: tuple[tuple[str, ...], ...] = ()
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _as_terms(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value if str(v).strip())
    return ()


class _TextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe YAML loader that reads every plain scalar as text: "no", "on", "null" are words here."""


_TextLoader.yaml_implicit_resolvers = {}


def _load_file(code: str, text: str) -> Language:
    data = yaml.load(text, Loader=_TextLoader) or {}  # a SafeLoader subclass: no arbitrary objects
    if not isinstance(data, dict):
        raise ValueError(f"vocabulary {code}: expected a mapping")
    months_raw = data.get("months") or []
    months = tuple(tuple(str(m).lower() for m in _as_terms(entry)) for entry in months_raw)
    if months and len(months) != 12:
        raise ValueError(f"vocabulary {code}: 'months' must list 12 months, not {len(months)}")
    terms = {
        str(k): _as_terms(v) for k, v in data.items() if k not in ("code", "name", "stopwords", "months")
    }
    return Language(
        code=str(data.get("code", code)),
        name=str(data.get("name", code)),
        stopwords=frozenset(str(w).lower() for w in _as_terms(data.get("stopwords"))),
        months=months,
        terms=terms,
    )


@lru_cache(maxsize=1)
def languages() -> tuple[Language, ...]:
    """All vocabularies shipped in ``opsrelay/facts/lang/``, English first, then by code."""
    found: list[Language] = []
    for entry in resources.files(_LANG_PACKAGE).iterdir():
        name = entry.name
        if entry.is_file() and name.endswith((".yaml", ".yml")):
            found.append(_load_file(name.rsplit(".", 1)[0], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda lang: (lang.code != "en", lang.code))
    return tuple(found)


def language(code: str) -> Language | None:
    """The vocabulary of one language (``None`` when there is no file for it)."""
    return next((lang for lang in languages() if lang.code == code), None)


@lru_cache(maxsize=256)
def terms(category: str) -> tuple[str, ...]:
    """Every language's terms for a category, deduplicated, in file order (English first)."""
    out: list[str] = []
    seen: set[str] = set()
    for lang in languages():
        for term in lang.terms.get(category, ()):
            key = term.lower()
            if key not in seen:
                seen.add(key)
                out.append(term)
    return tuple(out)


# Scripts written without spaces between words: no word boundaries around their terms.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")


def term_regex(term: str) -> str:
    """Regex source for one vocabulary term (see the module docstring for the syntax)."""
    text = term.strip()
    prefix_wild = text.startswith("*")
    suffix_wild = text.endswith("*")
    text = text.strip("*")
    tokens = text.split()
    body = ""
    for i, token in enumerate(tokens):
        optional = token.startswith("[") and token.endswith("]") and len(token) > 2
        # A hyphen also matches a space or nothing: "no-go", "no go", "nogo"; "sign-off", "signoff".
        raw = token[1:-1] if optional else token
        stem = raw.endswith("*") and i < len(tokens) - 1  # "не готов* к релиз*": a stem inside a phrase
        word = re.escape(raw.rstrip("*") if stem else raw).replace(r"\-", r"[\s-]?")
        if stem:
            word += r"\w*"
        if i == 0:
            body = f"(?:{word}\\s+)?" if optional else word
        elif i == 1 and tokens[0].startswith("["):
            body += f"(?:{word})?" if optional else word  # the separator sits in the optional first word
        else:
            body += f"(?:\\s+{word})?" if optional else f"\\s+{word}"
    if prefix_wild:
        body = r"\w*" + body
    if suffix_wild:
        body += r"\w*"
    bare = text.replace("[", "").replace("]", "")
    first, last = bare[:1], bare[-1:]
    if first and not prefix_wild and re.match(r"\w", first) and not _UNSPACED.match(first):
        body = r"(?<!\w)" + body
    if (
        last
        and not suffix_wild
        and re.match(r"\w", last)
        and not _UNSPACED.match(last)
        and not _HANGUL.match(last)
    ):
        body += r"(?!\w)"
    return body


_START = r"(?<!\w)"
_END = r"(?!\w)"


def alternation(items: Iterable[str]) -> str:
    """One non-capturing alternation of terms, longest first (so 'no-go' wins over 'go').

    Terms are grouped by their word boundaries, and each group's boundary is written once around
    the group: a lookbehind in front of every one of hundreds of terms makes the regex engine try
    them all at every position (about seven times slower on real documents).
    """
    ordered = sorted({t for t in items if t.strip()}, key=lambda t: (-len(t), t))
    if not ordered:
        return "(?!)"
    groups: dict[tuple[bool, bool], list[str]] = {}
    for term in ordered:
        source = term_regex(term)
        start = source.startswith(_START)
        end = source.endswith(_END)
        core = source[len(_START) if start else 0 : -len(_END) if end else None]
        groups.setdefault((start, end), []).append(core)
    parts = []
    for (start, end), cores in sorted(groups.items(), key=lambda kv: (not kv[0][0], not kv[0][1])):
        parts.append((_START if start else "") + "(?:" + "|".join(cores) + ")" + (_END if end else ""))
    return "(?:" + "|".join(parts) + ")"


@lru_cache(maxsize=512)
def pattern(*categories: str) -> re.Pattern[str]:
    """A compiled, case-insensitive pattern matching any term of the given categories."""
    items: list[str] = []
    for category in categories:
        items.extend(terms(category))
    return re.compile(alternation(items), re.IGNORECASE)


@lru_cache(maxsize=64)
def label(*categories: str) -> re.Pattern[str]:
    """A compiled pattern for a labelled line, "<term>: value", the value in group ``value``.

    The label is any term of the given categories ("Status:", "Estado:", "状态："), matched from
    the start of the (cleaned) line; a full-width colon counts as a colon.
    """
    items = [t for category in categories for t in terms(category)]
    return re.compile(r"^" + alternation(items) + r"\s*[:：]\s*(?P<value>.+)$", re.IGNORECASE)


@lru_cache(maxsize=1)
def month_numbers() -> dict[str, int]:
    """Month name (any language, lower case) → month number 1–12."""
    out: dict[str, int] = {}
    for lang in languages():
        for number, names in enumerate(lang.months, start=1):
            for name in names:
                out.setdefault(name, number)
    return out


@lru_cache(maxsize=1)
def distinctive_words() -> dict[str, frozenset[str]]:
    """Per language: the words of its vocabulary that no other language uses ("veredicto", "gagal").

    Short reports are mostly headings and table headers, too few stop words to tell the language;
    their vocabulary words tell it.
    """
    words: dict[str, set[str]] = {}
    for lang in languages():
        own = set(lang.stopwords)
        for values in lang.terms.values():
            for term in values:
                for word in term.lower().split():
                    if "*" not in word and "[" not in word and not any(c.isdigit() for c in word):
                        own.add(word.strip(".,:;()'\""))
        words[lang.code] = {w for w in own if len(w) >= 3}
    out: dict[str, frozenset[str]] = {}
    for code, own in words.items():
        others = set().union(*(w for c, w in words.items() if c != code))
        out[code] = frozenset(own - others)
    return out
