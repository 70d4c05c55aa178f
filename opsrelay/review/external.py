"""Configs checked by the ecosystem's own linters, when they are installed.

The rules in :mod:`opsrelay.review.rules` read the Markdown; this module hands the configuration
it contains to the tools that the people running it would use:

- every GitHub Actions workflow block goes through ``actionlint`` (with ``shellcheck`` for the
  ``run:`` scripts when that is installed too), ``zizmor`` (offline, medium severity and up) and
  ``check-jsonschema`` against GitHub's workflow schema (the copy vendored in check-jsonschema,
  so no download);
- every GitLab CI block (``.gitlab-ci.yml``) goes through ``check-jsonschema`` against GitLab's
  schema (vendored likewise);
- every Prometheus rules block (``groups:`` with ``alert:``/``record:`` rules, also inside a
  ``PrometheusRule`` resource) goes through ``promtool check rules``.

Each problem becomes a :class:`~opsrelay.review.model.Finding` (``external.actionlint``,
``external.zizmor``, ``external.workflow-schema``, ``external.gitlab-ci-schema``,
``external.promtool``) at the document line the
tool pointed to. A tool that is not installed is reported as missing, never as a failure: the
deterministic rules still run. The blocks are written to a temporary folder that is removed
afterwards; each tool runs with a timeout, and none of them touches the network.

Tools are looked up only when a review asks for them (``shutil.which`` is cheap, but nothing here
runs at import), on ``PATH``, then beside the running Python (a virtual environment's ``bin``,
where ``pip install -e '.[test]'`` puts the PyPI ones even when the venv is not activated), then
in the folder ``.ci/tools.sh`` fills (``$OPSRELAY_TOOLS_DIR``, by default
``~/.cache/opsrelay/tools``, its ``bin``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from opsrelay.models.scrub import one_line
from opsrelay.review.markdown import CodeBlock, Document
from opsrelay.review.model import Finding, FindingSeverity
from opsrelay.review.rules.base import finding, template_heading
from opsrelay.review.rules.cicd import load_yaml_block

ACTIONLINT = "actionlint"
ZIZMOR = "zizmor"
CHECK_JSONSCHEMA = "check-jsonschema"
PROMTOOL = "promtool"
SHELLCHECK = "shellcheck"
TOOLS: tuple[str, ...] = (ACTIONLINT, ZIZMOR, CHECK_JSONSCHEMA, PROMTOOL)
"""The linters a review can run, in the order their status is reported."""

DEFAULT_TIMEOUT_S = 60.0
"""Seconds one linter may take over all the blocks of one run before it is given up."""

_MESSAGE_LIMIT = 240
_WORKFLOW_DIR = Path(".github") / "workflows"  # zizmor and actionlint recognise workflows by path
# Top-level keys that mark another CI system's file that also has a ``jobs`` mapping.
_OTHER_CI_KEYS = frozenset({"version", "workflows", "stages", "trigger", "pool", "pipelines"})
# Tokens zizmor would use for online audits; removed from its environment on top of --offline.
_TOKEN_VARS = ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")


@dataclass
class ExternalResult:
    """What the external linters said about one document.

    ``tools`` maps each linter to its status: ``ran`` (``ran with shellcheck`` for actionlint;
    ``ran; could not read N of M blocks (<reason>)`` when the tool refused some of them),
    ``missing``, ``not needed`` (the document has nothing for it to check), ``timed out after N s``
    or ``failed: <reason>``.
    """

    findings: list[Finding] = field(default_factory=list)
    tools: dict[str, str] = field(default_factory=dict)


# -- where the tools are ------------------------------------------------------------------------


def tools_dir() -> Path:
    """The folder ``.ci/tools.sh`` installs into (its ``bin`` holds the binaries)."""
    explicit = os.environ.get("OPSRELAY_TOOLS_DIR")
    if explicit:
        return Path(explicit)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "opsrelay" / "tools"


def find_tool(name: str) -> str | None:
    """Absolute path of an installed linter, or None: ``PATH``, the running venv's bin, the tools dir."""
    found = shutil.which(name)
    if found:
        return found
    for folder in (Path(sys.executable).parent, tools_dir() / "bin"):
        candidate = shutil.which(name, path=str(folder))
        if candidate:
            return candidate
    return None


# -- which blocks are what ----------------------------------------------------------------------


def _load_single(block: CodeBlock) -> Any:
    """The block's single YAML document, or None when it does not parse or holds several.

    The rules' cached loader: the CI rules have parsed these blocks already in the same review.
    """
    if block.lang not in ("yaml", "yml"):
        return None
    docs, error, _ = load_yaml_block(block)  # cicd.yaml-invalid reports YAML that does not load
    return docs[0] if error is None and len(docs) == 1 else None


def is_workflow(data: Any) -> bool:
    """Whether parsed YAML is a GitHub Actions workflow (not GitLab, CircleCI or Azure Pipelines).

    YAML 1.1 reads a bare ``on:`` key as the boolean True, hence both spellings.
    """
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict):
        return False
    if any(k in _OTHER_CI_KEYS for k in data):
        return False
    if "on" in data or True in data:
        return True
    jobs = data["jobs"].values()
    return any(isinstance(j, dict) and ("runs-on" in j or "uses" in j) for j in jobs)


def is_gitlab_ci(data: Any) -> bool:
    """Whether parsed YAML is a ``.gitlab-ci.yml``: a list of stage names, or top-level jobs with ``script``.

    Azure Pipelines also has ``stages``, but as a list of mappings; CircleCI and GitHub keep their
    jobs under ``jobs``.
    """
    if not isinstance(data, dict) or "jobs" in data or any(k in ("trigger", "pool", "steps") for k in data):
        return False
    stages = data.get("stages")
    if stages is not None:
        return isinstance(stages, list) and all(isinstance(s, str) for s in stages)
    return any(isinstance(v, dict) and "script" in v for v in data.values())


def _rule_groups(data: Any) -> Any:
    """The ``groups`` list of a Prometheus rules file or a ``PrometheusRule`` resource, else None."""
    if isinstance(data, dict) and data.get("kind") == "PrometheusRule" and isinstance(data.get("spec"), dict):
        data = data["spec"]
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        return None
    for group in groups:
        rules = group.get("rules") if isinstance(group, dict) else None
        if isinstance(rules, list) and any(
            isinstance(r, dict) and ("alert" in r or "record" in r) for r in rules
        ):
            return groups
    return None


@dataclass(frozen=True)
class _Input:
    """One block written to a temporary file: the tools report file lines, findings need document lines."""

    doc: int  # index of the document in the run
    kind: Literal["github", "gitlab", "rules"]
    block: CodeBlock
    relpath: str
    text: str  # what is written: the block, or the rule groups of a PrometheusRule resource
    exact_lines: bool  # False when the file is a re-serialised part of the block (PrometheusRule)

    def doc_line(self, file_line: int | None) -> int:
        """Document line of a 1-based line of the written file (the block's fence when unknown)."""
        if file_line is None or not self.exact_lines or file_line < 1:
            return self.block.line
        return min(self.block.content_line(file_line - 1), self.block.end)


def _collect(doc: Document, index: int) -> list[_Input]:
    """The GitHub workflow, GitLab CI and Prometheus rules blocks of the ``index``-th document."""
    found: list[_Input] = []
    for block in doc.code_blocks:
        data = _load_single(block)
        if data is None:
            continue
        name = f"doc{index}-line{block.line}.yml"
        if is_workflow(data):
            found.append(_Input(index, "github", block, str(_WORKFLOW_DIR / name), block.content, True))
            continue
        if is_gitlab_ci(data):
            found.append(_Input(index, "gitlab", block, f"gitlab-ci-{name}", block.content, True))
            continue
        groups = _rule_groups(data)
        if groups is None:
            continue
        if isinstance(data, dict) and "groups" in data and data.get("kind") != "PrometheusRule":
            found.append(_Input(index, "rules", block, f"rules-{name}", block.content, True))
        else:  # promtool reads plain rule files: check the resource's spec on its own
            text = yaml.safe_dump({"groups": groups}, sort_keys=False)
            found.append(_Input(index, "rules", block, f"rules-{name}", text, False))
    return found


# Which blocks each linter reads: check-jsonschema holds both CI systems to their schemas.
_KINDS: dict[str, tuple[str, ...]] = {
    ACTIONLINT: ("github",),
    ZIZMOR: ("github",),
    CHECK_JSONSCHEMA: ("github", "gitlab"),
    PROMTOOL: ("rules",),
}


# -- running ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    returncode: int
    stdout: str
    stderr: str


class _ToolFailed(Exception):
    """The tool did not produce a usable answer (crash, usage error, unreadable output)."""


def _env() -> dict[str, str]:
    """The tools' environment: this one without GitHub tokens, offline and colourless."""
    env = {k: v for k, v in os.environ.items() if k not in _TOKEN_VARS}
    env.update(ZIZMOR_OFFLINE="true", NO_COLOR="1")
    return env


def _one_line(text: str) -> str:
    """Collapse a tool message to one line of bounded length."""
    return one_line(text, _MESSAGE_LIMIT)


def _first_error_line(run: _Run) -> str:
    """The line of a failed run that says what went wrong ('failed to …', 'error:', else the last)."""
    lines = [ln.strip() for ln in (run.stderr + "\n" + run.stdout).splitlines() if ln.strip()]
    for pattern in (r"failed to ", r"^error\b", r"^fatal\b"):
        said = next((ln for ln in lines if re.search(pattern, ln, re.IGNORECASE)), None)
        if said:
            # zizmor prefixes its log lines with the level and module ('WARN zizmor::x::y: ').
            return _one_line(re.sub(r"^[A-Z]+ [\w:]+: ", "", said))
    return _one_line(lines[-1] if lines else f"exit code {run.returncode}")


def _by_name(inputs: Sequence[_Input], path: str) -> _Input | None:
    """The input a tool's reported file path names (tools print relative or absolute paths)."""
    name = Path(path).name
    return next((i for i in inputs if Path(i.relpath).name == name), None)


_Found = tuple[int, Finding]
"""A finding and the index of the document it belongs to."""


def _make(
    docs: Sequence[Document],
    rule: str,
    severity: FindingSeverity,
    *,
    inp: _Input | None,
    line: int | None,
    msg: str,
    fix: str,
) -> _Found:
    """A finding at the document line of ``line`` in ``inp``'s file, in the template section there.

    Output the tools do not tie to a file (none seen so far) goes to the first document, unplaced.
    """
    index = inp.doc if inp is not None else 0
    doc_line = inp.doc_line(line) if inp is not None else None
    section = template_heading(docs[index], doc_line)
    return index, finding(rule, severity, section, _one_line(msg), fix, line=doc_line)


def _actionlint_fix(kind: str, message: str) -> str:
    if "potentially untrusted" in message:
        return 'Pass the value through an env: variable and quote it in the script ("$TITLE").'
    if kind == "action":
        return "Use an input the action defines for that version, and an action version that still runs."
    if kind == "shellcheck":
        return "Fix the run: script as ShellCheck says (usually: quote the variable)."
    if kind == "expression":
        return "Reference only contexts and properties that exist where the expression is evaluated."
    return "Correct the workflow as actionlint says (runner labels, keys, needs:, expressions)."


def _parse_actionlint(docs: Sequence[Document], inputs: Sequence[_Input], run: _Run) -> list[_Found]:
    if run.returncode not in (0, 1):
        raise _ToolFailed(_first_error_line(run))
    try:
        errors = json.loads(run.stdout or "null") or []
    except json.JSONDecodeError as exc:
        raise _ToolFailed(f"unreadable output ({exc})") from exc
    if run.returncode == 1 and not errors:
        raise _ToolFailed(_first_error_line(run))
    out: list[_Found] = []
    for err in errors:
        kind, message = str(err.get("kind", "")), str(err.get("message", ""))
        out.append(
            _make(
                docs,
                "external.actionlint",
                "major",
                inp=_by_name(inputs, str(err.get("filepath", ""))),
                line=err.get("line"),
                msg=f"actionlint [{kind}]: {message}",
                fix=_actionlint_fix(kind, message),
            )
        )
    return out


_ZIZMOR_SEVERITY: dict[str, FindingSeverity] = {"high": "blocker", "medium": "major"}
# Audits graded by the reviewer's own rule too (cicd.action-*-pinned): a tag pin fails zizmor's
# hash-pin policy, so it fails the review, but it is no blocker like a script injection.
_ZIZMOR_CAP: dict[str, FindingSeverity] = {"unpinned-uses": "major"}


def _parse_zizmor(docs: Sequence[Document], inputs: Sequence[_Input], run: _Run) -> list[_Found]:
    # zizmor exits 0 with no findings and 10 + the highest severity with some; anything else failed.
    if run.returncode not in (0, *range(10, 15)):
        raise _ToolFailed(_first_error_line(run))
    try:
        results = json.loads(run.stdout or "[]")
    except json.JSONDecodeError as exc:
        raise _ToolFailed(f"unreadable output ({exc})") from exc
    out: list[_Found] = []
    for res in results:
        severity = str(res.get("determinations", {}).get("severity", "")).lower()
        if severity not in _ZIZMOR_SEVERITY:
            continue  # below medium: the same cut as --min-severity, in case a version ignores it
        ident, desc = str(res.get("ident", "")), str(res.get("desc", ""))
        locations = res.get("locations") or [{}]
        primary = next(
            (loc for loc in locations if loc.get("symbolic", {}).get("kind") == "Primary"), locations[0]
        )
        key = primary.get("symbolic", {}).get("key", {}).get("Local", {})
        path = str(key.get("given_path") or key.get("verbatim_path") or "")
        row = primary.get("concrete", {}).get("location", {}).get("start_point", {}).get("row")
        annotation = str(primary.get("symbolic", {}).get("annotation", ""))
        url = str(res.get("url") or f"https://docs.zizmor.sh/audits/#{ident}")
        out.append(
            _make(
                docs,
                "external.zizmor",
                _ZIZMOR_CAP.get(ident, _ZIZMOR_SEVERITY[severity]),
                inp=_by_name(inputs, path),
                line=row + 1 if isinstance(row, int) else None,
                msg=f"zizmor {ident} ({severity}): {desc}" + (f" — {annotation}" if annotation else ""),
                fix=f"Remove the weakness zizmor describes at {url}.",
            )
        )
    return out


def _yaml_path_line(text: str, path: str) -> int | None:
    """1-based line of a JSON path such as ``$.jobs.test.steps[0]`` in YAML text (None if absent)."""
    try:
        node: Any = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    # check-jsonschema writes '.key', "['key-with-dash']" and '[0]'.
    for dotted, quoted, index in re.findall(r"\.([^.\[]+)|\['([^']*)'\]|\[(\d+)\]", path.removeprefix("$")):
        key = dotted or quoted
        if isinstance(node, yaml.MappingNode) and key:
            # Composed (not constructed) keys stay text, so 'on' is 'on' here, not YAML 1.1's True.
            pair = next(((k, v) for k, v in node.value if k.value == key), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]  # the key's line, not its value's
        elif isinstance(node, yaml.SequenceNode) and index and int(index) < len(node.value):
            node = node.value[int(index)]
            line = node.start_mark.line + 1
        else:
            break
    return line


# Per CI system: check-jsonschema's vendored schema, the rule id, the message label, the fix hint.
_SCHEMAS: dict[str, tuple[str, str, str, str]] = {
    "github": (
        "vendor.github-workflows",
        "external.workflow-schema",
        "GitHub workflow schema",
        "Use the keys and value types GitHub's workflow syntax defines (e.g. runs-on on every job, run: "
        "or uses: on every step).",
    ),
    "gitlab": (
        "vendor.gitlab-ci",
        "external.gitlab-ci-schema",
        "GitLab CI schema",
        "Use the keywords and value types of GitLab's .gitlab-ci.yml reference (stage, script, rules, "
        "needs, environment).",
    ),
}


def _parse_schema(docs: Sequence[Document], inputs: Sequence[_Input], run: _Run) -> list[_Found]:
    if run.returncode not in (0, 1):
        raise _ToolFailed(_first_error_line(run))
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError as exc:
        raise _ToolFailed(f"unreadable output ({exc})") from exc
    # One batch holds one CI system's files (one schema per run).
    rule, label, fix = _SCHEMAS[inputs[0].kind][1:] if inputs else _SCHEMAS["github"][1:]
    out: list[_Found] = []
    for err in report.get("errors", []):
        inp = _by_name(inputs, str(err.get("filename", "")))
        # The deepest best match names the offending key; the top error quotes the whole job.
        match = err.get("best_deep_match") or err.get("best_match") or err
        path, message = str(match.get("path", err.get("path", "$"))), str(match.get("message", ""))
        line = _yaml_path_line(inp.text, path) if inp is not None else None
        out.append(_make(docs, rule, "major", inp=inp, line=line, msg=f"{label}: {path}: {message}", fix=fix))
    for err in report.get("parse_errors", []):
        out.append(
            _make(
                docs,
                rule,
                "major",
                inp=_by_name(inputs, str(err.get("filename", ""))),
                line=None,
                msg=f"{label}: {err.get('message', 'the file does not parse')}",
                fix="Fix the YAML so that it loads.",
            )
        )
    return out


_PROM_POS = re.compile(r"^(?P<line>\d+):\d+:\s*(?P<msg>.*)")
_YAML_LINE = re.compile(r"\bline (?P<line>\d+)\b")


def _parse_promtool(docs: Sequence[Document], inputs: Sequence[_Input], run: _Run) -> list[_Found]:
    # 0 all good, 1 a file failed, 3 a lint problem (with --lint-fatal); anything else: promtool failed.
    if run.returncode not in (0, 1, 3):
        raise _ToolFailed(_first_error_line(run))
    # stdout and stderr are merged, so 'Checking FILE' tells whose lint output follows.
    current: _Input | None = None
    entries: list[tuple[_Input | None, str, bool]] = []  # (input, message, is lint)
    for raw in run.stdout.splitlines():
        text = raw.strip()
        if not text or text in ("FAILED:", "SUCCESS") or text.startswith("SUCCESS:"):
            continue
        if text.startswith("Checking "):
            current = _by_name(inputs, text.removeprefix("Checking "))
            continue
        named = next((i for i in inputs if text.startswith(i.relpath + ":")), None)
        if named is not None:
            current = named
            entries.append((named, text[len(named.relpath) + 1 :].strip(), False))
        elif text.startswith("lint error"):
            entries.append((current, text, True))
        elif entries and (raw[:1].isspace() or entries[-1][2]):  # a continuation line
            inp, msg, lint = entries[-1]
            entries[-1] = (inp, f"{msg} {text}", lint)
    if run.returncode != 0 and not entries:
        raise _ToolFailed(_first_error_line(run))
    out: list[_Found] = []
    seen: set[tuple[str, str]] = set()
    for inp, msg, lint in entries:
        key = (inp.relpath if inp else "", msg)
        if key in seen:
            continue  # promtool repeats a YAML error once per pass
        seen.add(key)
        pos = _PROM_POS.match(msg)
        line_m = None if pos else _YAML_LINE.search(msg)
        line = int(pos.group("line")) if pos else (int(line_m.group("line")) if line_m else None)
        out.append(
            _make(
                docs,
                "external.promtool",
                "minor" if lint else "major",
                inp=inp,
                line=line,
                msg=f"promtool check rules: {pos.group('msg') if pos else msg}",
                fix="Make each rule distinct (different name or labels)."
                if lint
                else "Fix the rule so promtool accepts it: valid PromQL, durations such as 5m, known keys.",
            )
        )
    return out


Parser = Callable[[Sequence[Document], Sequence[_Input], _Run], list[_Found]]


def _command(tool: str, exe: str, batch: Sequence[_Input], shellcheck: str | None) -> list[str]:
    files = [i.relpath for i in batch]
    if tool == ACTIONLINT:
        # shellcheck/pyflakes are named explicitly (or switched off) so results do not depend on
        # whatever else happens to be on PATH.
        return [
            exe,
            "-format",
            "{{json .}}",
            "-no-color",
            f"-shellcheck={shellcheck or ''}",
            "-pyflakes=",
            *files,
        ]
    if tool == ZIZMOR:
        return [
            exe,
            "--offline",
            "--no-config",
            "--no-ignores",  # an ignore comment inside a reviewed guide is not a reviewed exception
            "--min-severity",
            "medium",
            "--format",
            "json",
            "--no-progress",
            "--color",
            "never",
            "-q",
            *files,
        ]
    if tool == CHECK_JSONSCHEMA:
        schema = _SCHEMAS[batch[0].kind][0]  # the vendored copy: no download
        return [exe, "--builtin-schema", schema, "-o", "json", "--color", "never", *files]
    return [exe, "check", "rules", "--lint=duplicate-rules", "--lint-fatal", *files]


_PARSERS: dict[str, Parser] = {
    ACTIONLINT: _parse_actionlint,
    ZIZMOR: _parse_zizmor,
    CHECK_JSONSCHEMA: _parse_schema,
    PROMTOOL: _parse_promtool,
}


def run_external(
    doc: Document,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    tools: Iterable[str] = TOOLS,
    finder: Callable[[str], str | None] = find_tool,
) -> ExternalResult:
    """Run the installed linters over the document's workflow and Prometheus rules blocks.

    ``tools`` limits which linters run (default: all of :data:`TOOLS`); ``finder`` maps a tool
    name to its executable or None (default :func:`find_tool`). The linters run concurrently, each
    at most ``timeout_s`` seconds. Never raises for a tool's failure: it shows in the statuses.
    """
    return run_external_many([doc], timeout_s=timeout_s, tools=tools, finder=finder)[0]


def run_external_many(
    docs: Sequence[Document],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    tools: Iterable[str] = TOOLS,
    finder: Callable[[str], str | None] = find_tool,
) -> list[ExternalResult]:
    """:func:`run_external` over many documents at once: one result per document, in order.

    Each linter starts once for all the documents' blocks (zizmor once per workflow), instead of
    once per document: for a batch of guides, the tools' start-up is paid once.
    """
    import subprocess
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    wanted = [t for t in TOOLS if t in set(tools)]
    collected = [i for k, doc in enumerate(docs) for i in _collect(doc, k)]
    inputs_of = {t: [i for i in collected if i.kind in _KINDS[t]] for t in wanted}
    needed = {t: {i.doc for i in inputs_of[t]} for t in wanted}  # documents with blocks for the tool
    exes = {t: finder(t) for t in wanted if needed[t]}
    results = [ExternalResult() for _ in docs]
    for t in wanted:
        for k, result in enumerate(results):
            result.tools[t] = ("missing" if not exes[t] else "ran") if k in needed[t] else "not needed"
    runnable = [t for t in wanted if exes.get(t)]
    if not runnable:
        return results
    shellcheck = finder(SHELLCHECK) if ACTIONLINT in runnable else None

    with tempfile.TemporaryDirectory(prefix="opsrelay-lint-") as tmp:
        root = Path(tmp)
        (root / _WORKFLOW_DIR).mkdir(parents=True)
        for inp in {i.relpath: i for t in runnable for i in inputs_of[t]}.values():
            (root / inp.relpath).write_text(inp.text, encoding="utf-8")
        env = _env()

        def one(tool: str) -> tuple[str, list[_Found], dict[int, str]]:
            """Run one linter over its files: its findings, and its status for each document."""
            inputs = inputs_of[tool]
            exe = exes[tool]
            assert exe is not None  # runnable tools were found
            # zizmor gives up on every file when one of them does not load as a workflow (it is no
            # schema checker): one file per run, so a broken block does not hide the others.
            if tool == ZIZMOR:
                batches = [[i] for i in inputs]
            else:  # one run per kind: check-jsonschema takes one schema at a time
                batches = [b for b in ([i for i in inputs if i.kind == k] for k in _KINDS[tool]) if b]
            found: list[_Found] = []
            failed: dict[int, list[str]] = {}  # document -> why its blocks could not be read
            deadline = time.monotonic() + timeout_s
            for batch in batches:
                cmd = _command(tool, exe, batch, shellcheck)
                try:
                    proc = subprocess.run(
                        cmd,
                        cwd=root,
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        # promtool's lint lines carry no file name: merged, they follow their 'Checking'.
                        stderr=subprocess.STDOUT if tool == PROMTOOL else subprocess.PIPE,
                        text=True,
                        timeout=max(0.0, deadline - time.monotonic()),
                        check=False,
                    )
                except subprocess.TimeoutExpired:
                    return tool, [], dict.fromkeys(needed[tool], f"timed out after {timeout_s:g} s")
                except OSError as exc:
                    return tool, [], dict.fromkeys(needed[tool], f"failed: {_one_line(str(exc))}")
                run = _Run(proc.returncode, proc.stdout or "", proc.stderr or "")
                try:
                    found += _PARSERS[tool](docs, batch, run)
                except _ToolFailed as exc:
                    for inp in batch:
                        failed.setdefault(inp.doc, []).append(str(exc))
            statuses: dict[int, str] = {}
            for k in needed[tool]:
                total = sum(1 for i in inputs if i.doc == k)
                why = failed.get(k, [])
                status = "ran with shellcheck" if tool == ACTIONLINT and shellcheck else "ran"
                if len(why) == total:
                    status = f"failed: {why[-1]}"
                elif why:
                    status += f"; could not read {len(why)} of {total} blocks ({why[-1]})"
                statuses[k] = status
            return tool, found, statuses

        with ThreadPoolExecutor(max_workers=len(runnable)) as pool:
            for tool, found, statuses in pool.map(one, runnable):
                for k, status in statuses.items():
                    results[k].tools[tool] = status
                for k, f in found:
                    results[k].findings.append(f)
    return results


__all__ = [
    "ACTIONLINT",
    "CHECK_JSONSCHEMA",
    "DEFAULT_TIMEOUT_S",
    "PROMTOOL",
    "TOOLS",
    "ZIZMOR",
    "ExternalResult",
    "find_tool",
    "is_gitlab_ci",
    "is_workflow",
    "run_external",
    "run_external_many",
    "tools_dir",
]
