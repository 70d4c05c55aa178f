"""The GitLab CI pipeline."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.safety import slug
from opsrelay.agents.devops.writers.cicd.commands import ci_test_commands
from opsrelay.agents.devops.writers.cicd.deploy import deploy_commands
from opsrelay.agents.devops.writers.cicd.toolchains import toolchain_version
from opsrelay.agents.devops.writers.cicd.yamltext import safe_cmd, yq


def gitlab_ci_yaml(d: Decisions) -> str:
    """Render the GitLab CI pipeline for ``d`` as YAML text (parses with ``yaml.safe_load``)."""
    name = slug(d.service_name)
    commands = ci_test_commands(d)
    primary = d.runtimes[0] if d.runtimes else None
    images = {
        "node": "node:{v}",
        "python": "python:{v}",
        "java": "eclipse-temurin:{v}",
        "dotnet": "mcr.microsoft.com/dotnet/sdk:{v}",
        "go": "golang:{v}",
        "ruby": "ruby:{v}",
        "php": "composer:2",
        "kotlin": "eclipse-temurin:{v}",
        "rust": "rust:1",
        "cpp": "gcc:14",
        "dart": "ghcr.io/cirruslabs/flutter:stable",
        "bun": "oven/bun:{v}",
        "other": "debian:bookworm",
    }
    if primary is not None:
        version = toolchain_version(primary).replace(".x", "")
        image = images[primary.language].format(v=version)
    else:
        image = "debian:bookworm"
    lines = [
        f"# .gitlab-ci.yml for {name}",
        "stages: [test, build, deploy]",
        "workflow:",
        "  rules:",
        "    - if: $CI_PIPELINE_SOURCE == 'merge_request_event'",
        "    - if: $CI_COMMIT_BRANCH == 'main' || $CI_COMMIT_BRANCH == 'develop'",
        "test:",
        "  stage: test",
        f"  image: {yq(image)}",
        "  script:",
    ]
    for rt in d.runtimes:
        profile = kb.RUNTIMES[rt.language]
        lines.append(f"    - {yq(safe_cmd(rt.install_command, profile.install))}")
        lines.append(f"    - {yq(safe_cmd(rt.lint_command, profile.lint))}")
    for c in commands:
        cmd = c.command if c.working_directory is None else f"cd {c.working_directory} && {c.command}"
        lines.append(f"    - {yq(cmd)}")
    for rt in d.runtimes:
        profile = kb.RUNTIMES[rt.language]
        audit = safe_cmd(rt.audit_command, profile.audit)
        if audit.strip():
            lines.append(f"    - {yq(audit)}")
    lines += [
        "container-scan:",
        "  stage: test",
        f"  image: {{name: {yq(kb.TRIVY_IMAGE)}, entrypoint: ['']}}",
        "  script:",
        "    - trivy fs --exit-code 1 --severity HIGH,CRITICAL .",
        "build:",
        "  stage: build",
        "  image: docker:27",
        "  services: ['docker:27-dind']",
        "  rules:",
        "    - if: $CI_COMMIT_BRANCH == 'main' || $CI_COMMIT_BRANCH == 'develop'",
        "  script:",
        '    - echo "$CI_REGISTRY_PASSWORD" | docker login "$CI_REGISTRY" -u "$CI_REGISTRY_USER" '
        "--password-stdin",
        '    - docker build --pull -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .',
        '    - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"',
    ]
    for env, branch in (("staging", "develop"), ("production", "main")):
        lines += [
            f"deploy-{env}:",
            "  stage: deploy",
            "  image: alpine/helm:3.16.2" if d.platform.kind == "kubernetes" else "  image: debian:bookworm",
            f"  environment: {{name: {env}}}",
            "  rules:",
            f"    - if: $CI_COMMIT_BRANCH == '{branch}'",
        ]
        if env == "production":
            lines[-1] += "\n      when: manual"
        lines += [
            "  variables:",
            '    IMAGE_REPO: "$CI_REGISTRY_IMAGE"',
            '    GITHUB_SHA: "$CI_COMMIT_SHA"',
            "  script:",
        ]
        lines += [f"    - {yq(cmd)}" for cmd in deploy_commands(d, env, name)]
    return "\n".join(lines)
