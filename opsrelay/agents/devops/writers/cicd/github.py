"""The GitHub Actions workflow."""

from __future__ import annotations

from opsrelay.agents.devops import kinds
from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.safety import slug
from opsrelay.agents.devops.writers.cicd.cloud import image_ref
from opsrelay.agents.devops.writers.cicd.commands import ci_test_commands
from opsrelay.agents.devops.writers.cicd.deploy import deploy_job, service_matrix
from opsrelay.agents.devops.writers.cicd.jobs import load_job, mobile_jobs
from opsrelay.agents.devops.writers.cicd.release import dispatch_inputs, mobile_release_jobs
from opsrelay.agents.devops.writers.cicd.services import db_services, service_env
from opsrelay.agents.devops.writers.cicd.toolchains import setup_steps
from opsrelay.agents.devops.writers.cicd.units import client_release_jobs, service_test_job, unit_job
from opsrelay.agents.devops.writers.cicd.yamltext import checkout_steps, run_step, safe_cmd


def github_actions_yaml(d: Decisions) -> str:
    """Render the GitHub Actions workflow for ``d`` as YAML text (parses with ``yaml.safe_load``)."""
    name = slug(d.service_name)
    commands = ci_test_commands(d)
    secret_env = sorted({v for c in commands for v in c.secret_env})
    kind = d.delivery.kind
    client = not kinds.is_server(kind)
    # A Flutter/native app beside the backend: store builds on a version tag, like a mobile app.
    app = next((rt for rt in d.runtimes if rt.language in ("dart", "kotlin")), None)
    native_app = bool(d.platform.mobile_release) and app is not None
    load = ci_test_commands(d, "load")
    dispatch = dispatch_inputs("mobile" if native_app else kind)
    lines = [
        f"# .github/workflows/ci-cd.yml for {name}",
        "# Actions are pinned to full commit SHAs; Dependabot keeps the pins current.",
        "name: Build and Deploy",
        "on:",
        "  push:",
        "    branches: [main, develop]",
        *(["    tags: ['v*']"] if client or native_app else []),
        "  pull_request:",
        "    branches: [main]",
        *(["  schedule:", "    - cron: '0 3 * * 1'"] if load else []),
        *(dispatch or (["  workflow_dispatch:"] if load else [])),
        "permissions:",
        "  contents: read",
        "concurrency:",
        "  group: ci-${{ github.ref }}",
        "  cancel-in-progress: true",
        "jobs:",
        "  test:",
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 30",
    ]
    services = db_services(d)
    if services:
        lines += ["    services:", *services]
    env_lines = service_env(d) + [f"      {v}: ${{{{ secrets.{v} }}}}" for v in secret_env]
    if env_lines:
        lines += ["    env:", *env_lines]
    lines += [
        "    steps:",
        *checkout_steps(),
    ]
    for rt in d.runtimes:
        lines += setup_steps(rt, cache=not (client or native_app))  # no caches where releases publish
    toolchains = [(rt, kb.RUNTIMES[rt.language]) for rt in d.runtimes]
    labels = [p.label if rt.language != "other" else "make" for rt, p in toolchains]
    for (rt, profile), label in zip(toolchains, labels, strict=True):
        lines += run_step(f"Install dependencies ({label})", safe_cmd(rt.install_command, profile.install))
    for (rt, profile), label in zip(toolchains, labels, strict=True):
        lines += run_step(f"Lint ({label})", safe_cmd(rt.lint_command, profile.lint))
    for c in commands:
        title = f"QA tests: {c.command}" if c.from_qa else f"Tests: {c.command}"
        lines += run_step(title[:100], c.command, workdir=c.working_directory)
    for (rt, profile), label in zip(toolchains, labels, strict=True):
        audit = safe_cmd(rt.audit_command, profile.audit)
        if audit.strip():  # C++ and Dart have no audit tool: the Trivy scan below reads their lockfiles
            lines += run_step(f"Dependency audit ({label})", audit)
    lines += run_step(
        "Filesystem vulnerability scan (Trivy, fails on HIGH/CRITICAL)",
        f'docker run --rm -v "${{{{ github.workspace }}}}:/src:ro" {kb.TRIVY_IMAGE} fs --exit-code 1 '
        "--severity HIGH,CRITICAL /src",
    )
    units = d.services if len(d.services) >= 2 else []
    for unit in units:
        lines += service_test_job(d, unit)
    if client:
        lines += client_release_jobs(d, name)
        lines += load_job(d)
        return "\n".join(lines)
    image, login, perms = image_ref(d, f"{name}-${{{{ matrix.service }}}}" if units else name)
    build_cmd = (
        'docker build --pull --tag "$IMAGE_REPO:$GITHUB_SHA" --file "$SERVICE/Dockerfile" "$SERVICE"'
        if units
        else 'docker build --pull --tag "$IMAGE_REPO:$GITHUB_SHA" .'
    )
    lines += [
        "  build:",
        "    needs: " + (f"[test, {', '.join(unit_job(u) for u in units)}]" if units else "test"),
        "    if: github.event_name == 'push'",
        *service_matrix(units),
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 30",
        "    permissions:",
        "      contents: read",
        *perms,
        "    env:",
        f"      REGISTRY: {image.rsplit('/', 1)[0]}",
        f"      IMAGE_REPO: {image}",
        *(["      SERVICE: ${{ matrix.service }}"] if units else []),
        "    steps:",
        *checkout_steps(),
        *login,
        "      - name: Build image",
        f"        run: {build_cmd}",
        "      - name: Scan image (Trivy, fails on HIGH/CRITICAL)",
        "        run: |",
        f"          docker run --rm -v /var/run/docker.sock:/var/run/docker.sock {kb.TRIVY_IMAGE} image"
        ' --exit-code 1 --severity HIGH,CRITICAL "$IMAGE_REPO:$GITHUB_SHA"',
        "      - name: Push image",
        '        run: docker push "$IMAGE_REPO:$GITHUB_SHA"',
    ]
    deploy_name = f"{name}-${{{{ matrix.service }}}}" if units else name
    lines += deploy_job(d, "staging", deploy_name, image, units=units)
    lines += deploy_job(d, "production", deploy_name, image, units=units)
    if native_app and app is not None:
        lines += mobile_release_jobs(d.model_copy(update={"runtimes": [app]}), True, app.language == "dart")
    elif d.platform.mobile_release:
        lines += mobile_jobs(d)
    lines += load_job(d)
    return "\n".join(lines)
