"""The GitLab CI pipeline."""

from __future__ import annotations

from opsrelay.agents.devops import kinds
from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions, RuntimeDecision, RuntimeLanguage, ServiceUnit
from opsrelay.agents.devops.kinds import is_server
from opsrelay.agents.devops.safety import slug
from opsrelay.agents.devops.writers.cicd.commands import ci_test_commands
from opsrelay.agents.devops.writers.cicd.deploy import deploy_commands
from opsrelay.agents.devops.writers.cicd.release import package_command, publish_command
from opsrelay.agents.devops.writers.cicd.toolchains import toolchain_version
from opsrelay.agents.devops.writers.cicd.units import unit_job, unit_runtime
from opsrelay.agents.devops.writers.cicd.yamltext import safe_cmd, yq

_IMAGES: dict[RuntimeLanguage, str] = {
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


def gitlab_ci_yaml(d: Decisions) -> str:
    """Render the GitLab CI pipeline for ``d`` as YAML text (parses with ``yaml.safe_load``)."""
    name = slug(d.service_name)
    commands = ci_test_commands(d)
    client = not is_server(d.delivery.kind)
    primary = d.runtimes[0] if d.runtimes else None
    images = _IMAGES
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
        *(["    - if: $CI_COMMIT_TAG =~ /^v/"] if client else []),
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
    ]
    for unit in d.services if len(d.services) >= 2 else []:
        lines += _unit_job(d, unit)
    if client:
        return "\n".join(lines + _client_release(d, name, image))
    lines += [
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


def _image_of(rt: RuntimeDecision) -> str:
    version = toolchain_version(rt).replace(".x", "")
    return _IMAGES[rt.language].format(v=version)


def _unit_job(d: Decisions, unit: ServiceUnit) -> list[str]:
    """One service's own lint/test/audit job, in its directory, on its runtime's image."""
    rt = unit_runtime(d, unit)
    p = kb.RUNTIMES[rt.language]
    audit = safe_cmd(rt.audit_command, p.audit)
    return [
        f"{unit_job(unit)}:",
        "  stage: test",
        f"  image: {yq(_image_of(rt))}",
        "  before_script:",
        f"    - cd {slug(unit.name)}",
        "  script:",
        f"    - {yq(safe_cmd(rt.install_command, p.install))}",
        f"    - {yq(safe_cmd(rt.lint_command, p.lint))}",
        f"    - {yq(p.default_test)}",
        *([f"    - {yq(audit)}"] if audit.strip() else []),
    ]


def _client_release(d: Decisions, name: str, image: str) -> list[str]:
    """Distributed software on GitLab: a manual, approved release job on a version tag."""
    rt = d.runtimes[0] if d.runtimes else None
    lang = rt.language if rt else "other"
    kind = d.delivery.kind
    script = [safe_cmd(rt.install_command, kb.RUNTIMES[lang].install)] if rt else []
    script.append("mkdir -p dist")
    env: list[str] = []
    if kind == "library" or (kind == "cli" and lang not in kinds.COMPILED):
        script.append(package_command(lang, name).replace("$GITHUB_REF_NAME", "$CI_COMMIT_TAG"))
    elif kind == "cli":
        env = ["    TARGET: x86_64-unknown-linux-gnu", f"    BIN: {name}"]
        script.append(kinds.BINARY_BUILD.get(lang, kb.RUNTIMES[lang].build or "make build"))
    elif kind == "mobile" and lang == "dart":
        script += ["flutter build appbundle --release", "cp build/app/outputs/bundle/release/*.aab dist/"]
    else:
        script.append(kb.RUNTIMES[lang].build or "make dist")
        script.append(f'tar -czf "dist/{name}-$CI_COMMIT_TAG.tar.gz" -C build .')
    script.append("cd dist && sha256sum -- * > SHA256SUMS && cd ..")
    publish = publish_command(lang) if kind in ("library", "cli") else None
    if publish:
        script.append(publish)
    secret = kinds.REGISTRIES[lang].secret if publish else None
    lines = [
        "release:",
        "  stage: deploy",
        f"  image: {yq(image)}",
        "  environment: {name: production}",
        "  rules:",
        "    - if: $CI_COMMIT_TAG =~ /^v/",
        "      when: manual",
    ]
    variables = env + ([f"    {secret}: ${secret}"] if secret else [])
    if variables:
        lines += ["  variables:", *variables]
    lines += ["  script:", *[f"    - {yq(s)}" for s in script]]
    lines += ["  artifacts:", "    paths: [dist/]", "    expire_in: 90 days"]
    return lines
