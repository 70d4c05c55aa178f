"""Unsafe commands anywhere: pipe-to-shell, ``rm -rf /``, ``chmod 777``, TLS off, unguarded DROP.

A line that forbids the command ("never run `curl … | sh`") is not flagged: a negation word
before the match on the same line, or a lead-in line like "Never run any of these:" directly above
a list of them, marks it as a prohibition rather than an instruction.
"""

from __future__ import annotations

import re

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import Document
from opsrelay.review.model import Finding
from opsrelay.review.rules.base import finding, template_heading

_SHELLS = r"(?:sudo\s+(?:-\S+\s+)*)?(?:(?:ba|z|k|da|fi)?sh|python[23]?|perl|ruby|node)"
_CHECKS: tuple[tuple[str, str, str, str], ...] = (
    (
        "safety.pipe-to-shell",
        rf"\b(?:curl|wget|iwr|invoke-webrequest)\b[^|\n]*\|\s*{_SHELLS}\b"
        rf"|\b(?:ba|z)?sh\s+(?:-\S+\s+)*<\(\s*(?:curl|wget)\b|\b(?:ba|z)?sh\s+-c\s+[\"']?\$\(\s*(?:curl|wget)\b"
        r"|\biex\s*\(\s*(?:iwr|invoke-webrequest|new-object)",
        "downloads a script and pipes it straight into a shell",
        "Download to a file, verify its checksum or signature, review it, then run it; or use a package.",
    ),
    (
        "safety.rm-rf-root",
        r"\brm\s+(?:-{1,2}[\w-]+\s+)*(?:-[a-zA-Z]*[rR][a-zA-Z]*|--recursive)\s+(?:-{1,2}[\w-]+\s+)*"
        r"[\"']?(?:/|/\*|~|~/|~/\*|\$HOME/?|\$\{HOME\}/?|\$\{?\w+\}?/\*?)[\"']?(?=\s|$|[;|&)`])"
        r"|--no-preserve-root",
        "recursively deletes the root, home directory or an unchecked variable path",
        'Delete an explicit, validated path (e.g. `rm -rf -- "${BUILD_DIR:?}/dist"`).',
    ),
    (
        "safety.chmod-777",
        r"\bchmod\s+(?:-\S+\s+)*(?:0?777|a\+rwx|ugo\+rwx|o\+w)\b",
        "makes files world-writable",
        "Grant the least permission needed (e.g. 0750 for directories, 0640 for files) to a specific owner.",
    ),
    (
        "safety.tls-verify-off",
        r"(?<![\w-])--insecure\b|--insecure-skip-tls-verify|--no-check-certificate|--disable-ssl"
        r"|\bcurl\b[^\n|;&]*\s-[a-zA-Z]*k[a-zA-Z]*\b|\bverify\s*=\s*False\b"
        r"|NODE_TLS_REJECT_UNAUTHORIZED\s*[=:]\s*[\"']?0|\bsslmode\s*[=:]\s*[\"']?disable"
        r"|InsecureSkipVerify\s*:\s*true|insecure_skip_verify\s*[:=]\s*true|GIT_SSL_NO_VERIFY\s*[=:]\s*[\"']?(?:1|true)"
        r"|PYTHONHTTPSVERIFY\s*=\s*[\"']?0|rejectUnauthorized\s*:\s*false|\bssl_verify\s*[:=]\s*[\"']?false"
        r"|\bhttp\.sslVerify\s+false|strict-ssl\s+false|\bCURLOPT_SSL_VERIFYPEER\b\W+(?:false|0)",
        "turns off TLS certificate verification",
        "Keep verification on; trust the private CA explicitly (CA bundle, `--cacert`, `sslrootcert`).",
    ),
    (
        "safety.destructive-sql",
        r"(?i:\bdrop\s+(?:database|schema|table)\b)|\bTRUNCATE\b(?:\s+TABLE)?\s+[\w\"`.]+|\bdropdb\b",
        "runs destructive SQL without a guard",
        "Guard it: take and verify a backup first, require confirmation, and restrict it to "
        "non-production environments.",
    ),
)
_COMPILED = tuple((rule, re.compile(rx), what, fix) for rule, rx, what, fix in _CHECKS)


def unsafe_command(text: str) -> str | None:
    """What is unsafe in ``text`` (e.g. "downloads a script and pipes it straight into a shell"), or None.

    For short free text a model wrote (a reason, a trigger): any match counts, prohibition or not,
    because such a field has no business quoting an unsafe command at all.
    """
    for _, rx, what, _ in _COMPILED:
        if rx.search(text):
            return what
    return None

_NEGATION = re.compile(
    r"\b(?:never|don'?t|do not|must not|mustn'?t|should not|shouldn'?t|cannot|can'?t|avoid\w*|forbid\w*|"
    r"prohibit\w*|disallow\w*|not allowed|no longer|instead of|rather than|reject\w*|den(?:y|ies|ied)|"
    r"block\w*|ban\w*|flag\w*|detect\w*|lint\w*|refuse\w*|no|nor|without|unsafe|dangerous)\b|❌|🚫|⛔",
    re.IGNORECASE,
)
_NOT_A_NEGATION = re.compile(r"\b(?:don'?t|do not|never) (?:forget|skip|miss)\b|\bnot only\b", re.IGNORECASE)
_GUARD = re.compile(
    r"--confirm|confirmation|are you sure|read -p|--dry-run|dry run|snapshot|backup|pg_dump|mysqldump|"
    r"\b(?:dev|development|staging|test|local|ephemeral|sandbox|non-prod\w*|scratch)\b|_test\b|_dev\b|"
    r"\bif\s*\[|ENVIRONMENT\s*!?=|guard",
    re.IGNORECASE,
)


def _negated(doc: Document, number: int, start: int) -> bool:
    """Whether the match at ``start`` on line ``number`` is stated as a prohibition."""
    before = doc.line_text(number)[:start]
    if _NEGATION.search(_NOT_A_NEGATION.sub(" ", before)):
        return True
    # "Never run any of the following:" introducing a list of forbidden commands.
    line = doc.line_text(number)
    if number not in doc.code_lines and re.match(r"^\s*(?:[-*+]|\d+[.)])\s", line):
        for above in range(number - 1, max(0, number - 8), -1):
            text = doc.line_text(above)
            if not text.strip() or re.match(r"^\s*(?:[-*+]|\d+[.)])\s", text):
                continue
            return text.rstrip().endswith(":") and bool(_NEGATION.search(_NOT_A_NEGATION.sub(" ", text)))
    return False


def _guarded(doc: Document, number: int) -> bool:
    """Whether destructive SQL on ``number`` or the line above names a guard (backup, non-prod…)."""
    return any(_GUARD.search(doc.line_text(n)) for n in range(max(1, number - 1), number + 1))


def unsafe_commands(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Flag each unsafe command on each line (code blocks and prose alike)."""
    out: list[Finding] = []
    for number, text in enumerate(doc.lines, 1):
        for rule, rx, what, fix in _COMPILED:
            m = rx.search(text)
            if m is None or _negated(doc, number, m.start()):
                continue
            if rule == "safety.destructive-sql" and _guarded(doc, number):
                continue
            shown = m.group(0).strip()
            shown = shown if len(shown) <= 60 else shown[:57] + "…"
            out.append(
                finding(
                    rule,
                    "blocker",
                    template_heading(doc, number),
                    f"Unsafe command: `{shown}` {what}.",
                    fix,
                    line=number,
                )
            )
    return out


RULES = (unsafe_commands,)
