"""Inline secrets: cloud keys, tokens, private keys, literal passwords, credentials in URLs.

A finding never repeats the secret: messages show only its kind, a known non-secret prefix
(``ghp_``, ``AKIA``) and its length. References to a secret store (``${{ secrets.X }}``,
``$DB_PASSWORD``, ``<from Vault>``, ``***``) are not secrets.
"""

from __future__ import annotations

import re

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import Document
from opsrelay.review.model import Finding
from opsrelay.review.rules.base import finding, template_heading

# (rule id, description, regex, how many leading characters are a public prefix safe to show)
_TOKENS: tuple[tuple[str, str, re.Pattern[str], int], ...] = (
    (
        "secrets.aws-access-key",
        "AWS access key ID",
        re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b(?<!EXAMPLE)"),
        4,
    ),
    (
        "secrets.aws-secret-key",
        "AWS secret access key",
        re.compile(
            r"(?i:aws_?secret_?(?:access_?)?key|secretAccessKey)[\"']?\s*[:=]\s*[\"']?"
            r"(?P<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
        ),
        0,
    ),
    (
        "secrets.private-key",
        "private key",
        re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
        0,
    ),
    (
        "secrets.gcp-service-account",
        "GCP service-account private key",
        re.compile(r"\"private_key\"\s*:\s*\"(?P<secret>[^\"$<{*]{20,})"),
        0,
    ),
    (
        "secrets.github-token",
        "GitHub token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,})"),
        4,
    ),
    (
        "secrets.slack-token",
        "Slack token",
        re.compile(r"\bxox[abprse]-[A-Za-z0-9-]{10,}|\bxapp-\d-[\w-]{10,}"),
        5,
    ),
    (
        "secrets.slack-webhook",
        "Slack incoming-webhook URL",
        re.compile(r"https://hooks\.slack\.com/(?:services|workflows)/T[\w]+/[\w/]{10,}"),
        23,
    ),
    ("secrets.stripe-key", "Stripe live key", re.compile(r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}"), 8),
    (
        "secrets.openai-key",
        "API key (sk-…)",
        re.compile(r"\bsk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{20,}"),
        3,
    ),
    (
        "secrets.jwt",
        "JSON Web Token",
        re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
        3,
    ),
)
_URL_CREDENTIALS = re.compile(
    r"\b[a-z][a-z0-9+.-]*://(?P<user>[^\s:/@'\"]+):(?P<secret>[^\s@/'\"]+)@(?P<host>[^\s/'\"]+)"
)
_ASSIGNMENT = re.compile(
    r"(?P<key>\b[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|(?:access|private|secret|auth|"
    r"client|signing|encryption|master)[_-]?key))[\"']?\s*(?P<op>=|:)[ \t]*"
    r"(?P<value>\"[^\"\n]*\"|'[^'\n]*'|[^\s,;#)\]}]+)",
    re.IGNORECASE,
)
_REFERENCE = re.compile(
    r"^(?:\$|%|\{\{|<|\*{3,}|\[?redacted\]?|x{3,}|\.{3}|…|secrets?\.|vault:|ref\+|arn:aws:(?:secretsmanager|ssm)|"
    r"!ref|env\(|os\.environ|process\.env|secretkeyref|valuefrom|null$|none$|~$|true$|false$|"
    r"changeme|change-me|<)",
    re.IGNORECASE,
)
# Values that are settings, not credentials ('id-token: write', 'password: required').
_SETTING_WORDS = frozenset(
    {"read", "write", "none", "required", "optional", "enabled", "disabled", "auto", "yes", "no", "inherit"}
)
# A name rather than a credential: 'orders-db-credentials', 'db_password_v2'.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*")


# The same shapes, for redacting text before it leaves the machine (opsrelay.agents.devops.redact).
TOKEN_PATTERNS: tuple[re.Pattern[str], ...] = tuple(pattern for _, _, pattern, _ in _TOKENS)
URL_CREDENTIALS = _URL_CREDENTIALS
ASSIGNMENT = _ASSIGNMENT


def _redact(value: str, prefix: int) -> str:
    """Show only a public prefix and the length: 'ghp_… (40 chars)'."""
    shown = value[:prefix] if prefix else ""
    return f"{shown}… ({len(value)} chars, redacted)"


def is_literal_credential(value: str, in_code: bool, op: str) -> bool:
    """Whether an assigned value is a literal credential rather than a reference or prose."""
    raw = value.strip().strip("\"'`")
    if len(raw) < 4 or _REFERENCE.match(raw) or raw.lower() in _SETTING_WORDS:
        return False
    if not in_code and op == ":":
        # Prose such as "Token: rotated every 90 days" or "secret: `orders-db-credentials`" names
        # things; only a value that looks generated (letters and digits, 8+ chars) is a credential.
        looks_random = len(raw) >= 8 and re.search(r"\d", raw) and re.search(r"[A-Za-z]", raw)
        return bool(looks_random) and not _IDENTIFIER.fullmatch(raw)
    return not re.fullmatch(r"[\w-]*_(?:FILE|PATH|NAME|REF|ID)", raw)


def _code_spans(line: str) -> list[tuple[int, int]]:
    """Column ranges of inline code spans on a line."""
    return [(m.start(), m.end()) for m in re.finditer(r"(`+)(.+?)\1", line)]


def inline_secrets(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Flag secrets written into the document; messages carry only a redacted form."""
    out: list[Finding] = []
    for number, line in enumerate(doc.lines, 1):
        section = template_heading(doc, number)
        in_block = number in doc.code_lines
        found: list[tuple[str, str]] = []  # (rule, message)
        for rule, what, rx, prefix in _TOKENS:
            m = rx.search(line)
            if m is None:
                continue
            if rule == "secrets.private-key" and not _has_key_body(doc, number, line[m.end() :]):
                continue
            secret = m.groupdict().get("secret") or m.group(0)
            found.append((rule, f"{what} written inline: {_redact(secret, prefix)}."))
        for m in _URL_CREDENTIALS.finditer(line):
            if not _REFERENCE.match(m.group("secret")):
                redacted = f"{m.group(0).split('://')[0]}://{m.group('user')}:***@{m.group('host')}"
                found.append(("secrets.url-credentials", f"Credentials embedded in a URL: {redacted}."))
                break
        spans = _code_spans(line)
        for m in _ASSIGNMENT.finditer(line):
            in_code = in_block or any(a <= m.start() < b for a, b in spans)
            if not in_code and m.group("op") == "=" and " " in m.group(0).split("=")[0].strip():
                continue
            if any(r.startswith("secrets.") and r != "secrets.assignment" for r, _ in found):
                break  # already reported by a specific detector
            if is_literal_credential(m.group("value"), in_code, m.group("op")):
                key = m.group("key")
                value = m.group("value").strip("\"'")
                found.append(("secrets.assignment", f"Literal value for '{key}': {_redact(value, 0)}."))
                break
        for rule, message in found:
            out.append(
                finding(
                    rule,
                    "blocker",
                    section,
                    message,
                    "Remove the secret, rotate it, and reference it from the secret store instead "
                    "(e.g. `${{ secrets.NAME }}`, Vault, AWS Secrets Manager).",
                    line=number,
                )
            )
    return out


def _has_key_body(doc: Document, number: int, rest: str) -> bool:
    """Tell a BEGIN PRIVATE KEY marker with key material from the marker merely named in prose."""
    if re.search(r"\\n[A-Za-z0-9+/=]{16,}", rest):
        return True
    following = doc.line_text(number + 1).strip().strip("\"',")
    return bool(re.fullmatch(r"[A-Za-z0-9+/=]{16,}|Proc-Type:.*", following))


RULES = (inline_secrets,)
