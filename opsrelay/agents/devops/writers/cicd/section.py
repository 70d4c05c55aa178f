"""The ``## CI/CD Pipeline`` section: intro, Build Pipeline YAML and Deployment Strategy."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions, RuntimeLanguage
from opsrelay.agents.devops.kinds import is_server
from opsrelay.agents.devops.safety import slug
from opsrelay.agents.devops.writers.cicd.client import client_deployment_fields, client_intro
from opsrelay.agents.devops.writers.cicd.commands import ci_test_commands
from opsrelay.agents.devops.writers.cicd.github import github_actions_yaml
from opsrelay.agents.devops.writers.cicd.gitlab import gitlab_ci_yaml
from opsrelay.agents.devops.writers.cicd.migrations import migration_fields
from opsrelay.agents.devops.writers.cicd.rollback import rollback_fields
from opsrelay.agents.devops.writers.common import ASSUMED, code, esc, field, grounded, join_lines
from opsrelay.facts.model import QAFacts


def pipeline_yaml(d: Decisions) -> str:
    """Render the pipeline YAML in the decided CI system's syntax."""
    return gitlab_ci_yaml(d) if d.ci.system == "gitlab_ci" else github_actions_yaml(d)


def write_cicd(facts: QAFacts, d: Decisions) -> str:
    """Write the ``## CI/CD Pipeline`` section."""
    name = slug(d.service_name)
    commands = ci_test_commands(d)
    qa_cmds = [c for c in commands if c.from_qa]
    system = "GitHub Actions" if d.ci.system == "github_actions" else "GitLab CI"
    intro = (
        f"{system}{grounded(d.ci.basis, d.ci.evidence)} runs lint, the test "
        f"command{'s' if len(commands) > 1 else ''} "
        + ", ".join(code(c.command) for c in commands)
        + (" exactly as QA ran " + ("them" if len(qa_cmds) > 1 else "it") if qa_cmds else f" {ASSUMED}")
        + ", dependency and image vulnerability scans, then builds one image per commit that is promoted "
        "unchanged from staging to production."
    )
    e2e = ci_test_commands(d, "mobile_e2e")
    load = ci_test_commands(d, "load")
    if e2e:
        intro += (
            " QA's mobile flows ("
            + ", ".join(code(c.command) for c in e2e)
            + ") run in the `mobile-e2e` job on "
            f"an iOS simulator {ASSUMED}."
        )
    if load:
        intro += (
            " QA's load tests (" + ", ".join(code(c.command) for c in load) + ") run in the `load-test` job "
            f"against staging every Monday and on demand {ASSUMED}."
        )
    yaml_text = pipeline_yaml(d)
    staging_url = next((e.url for e in d.environments if e.name == "staging" and e.url), None)
    staging_env = next((e for e in d.environments if e.name == "staging"), None)
    staging_where = f" at {esc(staging_url, 200)}" if staging_url else ""
    staging_ground = grounded(staging_env.basis, staging_env.evidence) if staging_env else f" {ASSUMED}"
    gate = d.release_gate
    gate_text = {
        "blocked": "The release gate is currently **BLOCKED** (see Quality Gates): approvers must reject "
        "production deployments until every blocking item is closed.",
        "not_executed": "The release gate is **NOT EXECUTED** (no executed QA run): approvers must "
        "refuse production deployments until an executed QA run is green.",
    }.get(gate.status, "Approvers confirm the Quality Gates checklist before approving.")
    if not is_server(d.delivery.kind):
        client = [
            "## CI/CD Pipeline",
            client_intro(d, system, ", ".join(code(c.command) for c in commands), bool(qa_cmds)),
            "",
            "### Build Pipeline",
            "```yaml",
            yaml_text,
            "```",
            "",
            "Repository settings the pipeline relies on: protected `main` branch and `v*` tags, required "
            "reviewers on the `staging` and `production` environments, release credentials only as "
            f"environment secrets, and Dependabot for action and dependency updates {ASSUMED}.",
            "",
            *client_deployment_fields(d, gate_text),
        ]
        return join_lines(client)
    lines = [
        "## CI/CD Pipeline",
        intro,
        "",
        "### Build Pipeline",
        "```yaml",
        yaml_text,
        "```",
        "",
        "Repository settings the pipeline relies on: branch protection on `main` and `develop`, required "
        "reviewers on the `production` environment, OIDC trust between the repository and the cloud deploy "
        f"roles, and Dependabot for action and dependency updates {ASSUMED}.",
        "",
        _image_note(d),
        "",
        "### Deployment Strategy",
        field(
            "Staging Deployment",
            f"Automatic deployment on develop branch: the `deploy-staging` job rolls the new image out to "
            f"staging{staging_where}{staging_ground} and runs the smoke test; failures stop the pipeline.",
        ),
        field(
            "Production Deployment",
            "Manual approval required for main branch: `deploy-production` waits for a required reviewer on "
            f"the `production` environment, then performs a {d.deployment.strategy} deployment"
            f"{grounded(d.deployment.basis, d.deployment.evidence)}. {gate_text}",
        ),
    ]
    for i, s in enumerate(d.deployment.steps, 1):
        lines.append(f"  {i}. {esc(s, 300)}")
    lines += rollback_fields(d, name)
    lines += migration_fields(d, name)
    return join_lines(lines)


def _image_note(d: Decisions) -> str:
    """Which multi-stage Dockerfile the build job expects, per toolchain of the deployed units."""
    langs: list[RuntimeLanguage] = ["other"]
    if len(d.services) >= 2:
        langs = [u.language for u in d.services]
    elif d.runtimes:
        langs = [d.runtimes[0].language]
    parts = []
    for lang in dict.fromkeys(langs):
        build, run = kb.BASE_IMAGES[lang]
        parts.append(f"{kb.RUNTIMES[lang].label}: build stage {code(build)}, run stage {code(run)}")
    return (
        "Each image comes from a multi-stage Dockerfile in the repository ("
        + "; ".join(parts)
        + f"), running as a non-root user {ASSUMED}."
    )
