"""CI/CD: pipeline YAML that parses and runs the QA tests, pinned actions, rollback, migrations."""

from __future__ import annotations

import functools
import re
import shlex
from typing import Any

import yaml

from opsrelay.facts.model import QAFacts
from opsrelay.review.markdown import CodeBlock, Document, Section
from opsrelay.review.model import Finding
from opsrelay.review.rules.base import find_section, finding, heading_of
from opsrelay.review.vocab import DATABASES, mentioned

_SECTION = heading_of("cicd_pipeline")
_PIPELINE_KEYS = frozenset({"jobs", "stages", "steps", "pipelines", "workflows", "script", "pipeline"})
_USES = re.compile(r"^\s*(?:-\s*)?uses:\s*['\"]?(?P<ref>[^\s'\"#]+)")
_SHA = re.compile(r"@[0-9a-f]{40}$")
_TAG = re.compile(r"@v?\d+(?:\.\d+){0,2}(?:[-+][\w.]+)?$")
_ROLLBACK = re.compile(
    r"`[^`]+`|\brollback\s+to\s+(?:the\s+)?(?:previous|last)|previous\s+(?:image|tag|release|version|revision|"
    r"deployment|task definition|build|artifact)|last[- ]known[- ]good|helm rollback|rollout undo|"
    r"blue[- /]green|switch(?:es|ing)?\s+(?:traffic\s+)?back|swap(?:s|ping)?\s+back|feature[- ]flags?|"
    r"kill[- ]switch|git revert|re-?deploy(?:s|ing)?\s+(?:the\s+)?(?:previous|last)|canary\s+abort|"
    r"[<>≤≥]\s*\d|\d+\s*(?:%|ms|s|seconds?|minutes?|min)\b",
    re.IGNORECASE,
)
_MIGRATION = re.compile(
    r"expand[- /]+(?:and[- ]+)?contract|parallel change|backwards?[- ]compatible|forward[- ]compatible|"
    r"flyway|liquibase|alembic|prisma migrate|manage\.py migrate|django migrations?|db:migrate|rails migrat|"
    r"knex|sequelize|typeorm|golang-migrate|\batlas\b|sqitch|dotnet ef|ef core|\bdiesel\b|\bgoose\b|dbmate|"
    r"ecto|doctrine|artisan migrate|down migrations?|rollback migrations?|migrations? rollback|reversible|"
    r"(?:roll|revert)\w*\s+(?:the\s+)?migration|migration\w*\s+(?:is|are)\s+(?:rolled|reverted)",
    re.IGNORECASE,
)
_NO_DATABASE = re.compile(r"\bno (?:relational )?database\b|\bstateless\b|\bN/?A\b", re.IGNORECASE)


def _yaml_blocks(sec: Section) -> list[CodeBlock]:
    """YAML code blocks of the Build Pipeline (or, failing that, of the whole CI/CD section)."""
    region = sec.block("Build Pipeline") or sec
    blocks = [b for b in region.code_blocks if b.lang in ("yaml", "yml")]
    return blocks or [b for b in sec.code_blocks if b.lang in ("yaml", "yml")]


# libyaml's loader when PyYAML was built with it (about 7x faster on CI blocks); same semantics.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=64)
def _parse(content: str) -> list[Any]:
    return [d for d in yaml.load_all(content, Loader=_SafeLoader) if d is not None]


def load_yaml_block(block: CodeBlock) -> tuple[list[Any], str | None, int | None]:
    """Parse a YAML block: (documents, error message, error line in the document).

    Cached by content: two rules read each block, and review runs twice per handoff. Callers
    must not mutate the returned documents.
    """
    try:
        return _parse(block.content), None, None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = block.content_line(mark.line) if mark is not None else block.line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [], str(problem), line


def _has_pipeline_keys(node: Any, depth: int = 0) -> bool:
    """Whether a parsed YAML node has CI-pipeline keys within three levels."""
    if depth > 3:
        return False
    if isinstance(node, dict):
        if any(isinstance(k, str) and k in _PIPELINE_KEYS for k in node):
            return True
        return any(_has_pipeline_keys(v, depth + 1) for v in node.values())
    if isinstance(node, list):
        return any(_has_pipeline_keys(v, depth + 1) for v in node)
    return False


def _command_keys(command: str) -> list[str]:
    """Forms of a QA test command that count as 'the pipeline runs it' (full, and its runner prefix)."""
    keys: list[str] = []
    for part in re.split(r"&&|\|\||;", command):
        try:
            words = shlex.split(part)
        except ValueError:
            words = part.split()
        words = [w for w in words if "=" not in w or w.startswith("-")]  # drop VAR=value prefixes
        if not words:
            continue
        if len(words) >= 3 and re.match(r"python\d?(?:\.\d+)?$", words[0]) and words[1] == "-m":
            words = words[2:]
        keys.append(" ".join(words))
        prefix = [words[0]]
        for word in words[1:3]:
            if word.startswith("-") or "/" in word or "." in word:
                break
            prefix.append(word)
        keys.append(" ".join(prefix))
    return [k for k in dict.fromkeys(keys) if k]


def runs_test_command(yaml_text: str, commands: list[str]) -> bool:
    """Whether any of the QA test commands (or its runner prefix) appears in the pipeline YAML."""
    text = " ".join(yaml_text.split())
    return any(key in text for cmd in commands for key in _command_keys(cmd))


def build_pipeline(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Require a Build Pipeline YAML block that parses, is a pipeline and runs the QA tests."""
    sec = find_section(doc, "cicd_pipeline")
    if sec is None:
        return []
    blocks = _yaml_blocks(sec)
    if not blocks:
        return [
            finding(
                "cicd.yaml-missing",
                "blocker",
                _SECTION,
                "The Build Pipeline has no ```yaml pipeline definition.",
                "Add a complete CI workflow (e.g. GitHub Actions) as a ```yaml fenced block.",
                line=(sec.block("Build Pipeline") or sec).line,
            )
        ]
    out: list[Finding] = []
    parsed: list[Any] = []
    for block in blocks:
        docs, error, line = load_yaml_block(block)
        if error:
            out.append(
                finding(
                    "cicd.yaml-invalid",
                    "blocker",
                    _SECTION,
                    f"The pipeline YAML does not parse: {error}.",
                    "Fix the YAML (indentation, quoting, unbalanced brackets) so that it loads.",
                    line=line,
                )
            )
        parsed += docs
    if out:
        return out
    if not any(_has_pipeline_keys(d) for d in parsed):
        out.append(
            finding(
                "cicd.not-a-pipeline",
                "major",
                _SECTION,
                "The YAML in Build Pipeline does not define jobs, stages or steps.",
                "Give a real CI definition with jobs/stages and steps.",
                line=blocks[0].line,
            )
        )
    commands = [c.command for c in facts.test_commands] if facts else []
    if commands and not runs_test_command("\n".join(b.content for b in blocks), commands):
        out.append(
            finding(
                "cicd.test-command",
                "major",
                _SECTION,
                "The pipeline does not run the QA test command ("
                + ", ".join(f"`{c}`" for c in commands[:3])
                + ").",
                "Add a step running the test command QA used, so the pipeline re-checks QA's evidence.",
                line=blocks[0].line,
            )
        )
    return out


def pinned_actions(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Require ``uses:`` actions pinned to a commit SHA (major on a branch/unpinned, minor on a tag)."""
    sec = find_section(doc, "cicd_pipeline")
    if sec is None:
        return []
    out: list[Finding] = []
    for block in (b for b in sec.code_blocks if b.lang in ("yaml", "yml")):
        for i, text in enumerate(block.content.split("\n")):
            m = _USES.match(text)
            if not m:
                continue
            ref = m.group("ref")
            if ref.startswith(("./", "docker://")) or _SHA.search(ref):
                continue
            line = block.content_line(i)
            if _TAG.search(ref):
                out.append(
                    finding(
                        "cicd.action-tag-pinned",
                        "minor",
                        _SECTION,
                        f"Action '{ref}' is pinned to a tag, which its owner can move.",
                        "Pin to the full 40-character commit SHA and keep the tag in a comment.",
                        line=line,
                    )
                )
            else:
                out.append(
                    finding(
                        "cicd.action-unpinned",
                        "major",
                        _SECTION,
                        f"Action '{ref}' is not pinned to a version (branch or no ref).",
                        "Pin to the full 40-character commit SHA (or at least a release tag such as @v4).",
                        line=line,
                    )
                )
    return out


def rollback_concrete(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Require a Rollback Strategy that names a mechanism, a command or a numeric trigger."""
    sec = find_section(doc, "cicd_pipeline")
    fld = ((sec.block("Deployment Strategy") or sec).field("Rollback Strategy") if sec else None) or (
        sec.field("Rollback Strategy") if sec else None
    )
    if fld is None or not fld.value.strip() or _ROLLBACK.search(fld.value):
        return []
    return [
        finding(
            "cicd.rollback-vague",
            "major",
            _SECTION,
            f"Rollback Strategy is not concrete: '{fld.value[:80]}'.",
            "Name the trigger (e.g. error rate > 2% for 5 min) and the mechanism or command "
            "(previous image tag, `helm rollback`, blue-green switch back).",
            line=fld.line,
        )
    ]


def migration_strategy(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """When a database exists, Database Migrations states how schema changes ship and roll back."""
    has_db = bool(facts and facts.stack_of("datastore")) or any(mentioned(doc.source, n) for n in DATABASES)
    sec = find_section(doc, "cicd_pipeline")
    if not has_db or sec is None:
        return []
    label = "Database Migrations"
    fld = (sec.block("Deployment Strategy") or sec).field(label) or sec.field(label)
    text = fld.value if fld else sec.text
    if _MIGRATION.search(text) or (fld is not None and _NO_DATABASE.search(text)):
        return []
    return [
        finding(
            "cicd.migration-strategy",
            "major",
            _SECTION,
            "A database is in use but Database Migrations gives no migration and rollback strategy.",
            "State the tool and approach, e.g. 'Alembic, expand/contract, backward-compatible; down "
            "migration tested in staging'.",
            line=fld.line if fld else sec.line,
        )
    ]


def noop_deploy(doc: Document, facts: QAFacts | None) -> list[Finding]:
    """Flag a deploy job whose every step only echoes: a placeholder, not automation."""
    sec = find_section(doc, "cicd_pipeline")
    if sec is None:
        return []
    out: list[Finding] = []
    for block in _yaml_blocks(sec):
        docs, error, _ = load_yaml_block(block)
        for d in docs if not error else []:
            jobs = d.get("jobs") if isinstance(d, dict) else None
            for name, job in (jobs or {}).items() if isinstance(jobs, dict) else []:
                if "deploy" not in str(name).lower() or not isinstance(job, dict):
                    continue
                steps = [s for s in job.get("steps") or [] if isinstance(s, dict)]
                runs = [str(s["run"]) for s in steps if "run" in s]
                uses = [s for s in steps if "uses" in s and "checkout" not in str(s["uses"])]
                lines = [ln.strip() for r in runs for ln in r.splitlines() if ln.strip()]
                if not uses and all(ln.startswith(("echo", "#")) for ln in lines):
                    out.append(
                        finding(
                            "cicd.noop-deploy",
                            "major",
                            _SECTION,
                            f"Job '{name}' only echoes: it does not deploy anything.",
                            "Replace the echo with the real deploy command (and a post-deploy smoke test).",
                            line=block.line,
                        )
                    )
    return out


RULES = (build_pipeline, pinned_actions, rollback_concrete, migration_strategy, noop_deploy)
