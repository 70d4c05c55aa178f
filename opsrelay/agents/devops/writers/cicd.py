"""CI/CD Pipeline: the build pipeline YAML and the deployment strategy.

The YAML is generated from :class:`Decisions`, never from QA prose: the only strings that come
from the QA document are test commands that pass :func:`vet_test_command` (re-checked here, since
an LLM may have filled the decisions). Actions are pinned to full commit SHAs; credentials come
from OIDC or ``secrets.*``; production deploys need a manual approval (``environment: production``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions, RuntimeDecision, TestCommandDecision, TestStage
from opsrelay.agents.devops.safety import slug, vet_test_command
from opsrelay.agents.devops.writers.common import (
    ASSUMED,
    code,
    esc,
    field,
    grounded,
    join_lines,
    num,
    sub,
)
from opsrelay.facts.model import QAFacts

_PLAIN = re.compile(r"^[A-Za-z_./][A-Za-z0-9 _./@=+,():-]*$")
_VERSION = re.compile(r"^\d+(\.\d+){0,2}(\.x)?$")


def _plain_ok(value: str) -> bool:
    return (
        bool(_PLAIN.match(value))
        and ": " not in value
        and not value.endswith(":")
        and value.lower() not in ("true", "false", "yes", "no", "on", "off", "null", "~")
    )


def yq(value: str) -> str:
    """Quote a YAML scalar: plain when unambiguous, else single-quoted."""
    if _plain_ok(value):
        return value
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class CICommand:
    """A vetted test command plus what the pipeline must provide to it."""

    command: str
    working_directory: str | None
    secret_env: tuple[str, ...]
    from_qa: bool
    stage: TestStage


def ci_test_commands(d: Decisions, stage: TestStage | None = "ci") -> list[CICommand]:
    """Return the decided test commands of ``stage`` (all stages for None), re-vetted.

    Decisions may come from a model, so every command is vetted again here. When no command of
    stage ``ci`` survives, the primary toolchain's default test command is used.
    """
    out: list[CICommand] = []
    for tc in d.test_commands:
        if stage is not None and tc.stage != stage:
            continue
        raw = tc.command if tc.working_directory is None else f"cd {tc.working_directory} && {tc.command}"
        vetted = vet_test_command(raw)
        if vetted is None:
            continue
        names = [n for n in (*vetted.secret_env, *tc.secret_env) if re.fullmatch(r"[A-Z][A-Z0-9_]{1,63}", n)]
        item = CICommand(
            vetted.command,
            vetted.working_directory,
            tuple(dict.fromkeys(names)),
            tc.basis == "qa_fact",
            tc.stage,
        )
        if item not in out:
            out.append(item)
    if stage == "ci" and not out:
        primary = d.runtimes[0].language if d.runtimes else "other"
        out.append(CICommand(kb.RUNTIMES[primary].default_test, None, (), False, "ci"))
    return out


def _version(rt: RuntimeDecision) -> str:
    version = rt.version.strip().lstrip("vV")
    return version if _VERSION.match(version) else kb.RUNTIMES[rt.language].default_version


def _safe_cmd(command: str, fallback: str) -> str:
    """Commands in decisions that are not ours are only used when they look harmless."""
    bad = ("`", "$(", "curl", "wget", "|", ";", ">", "<", "--insecure", "chmod", "rm ")
    return fallback if any(b in command for b in bad) or "\n" in command else command


def _db_services(d: Decisions) -> list[str]:
    """GitHub Actions service containers for the datastores tests are likely to need."""
    lines: list[str] = []
    for ds in d.datastores:
        profile = kb.datastore_profile(ds.name)
        if profile is None:
            continue
        major = (ds.version or "").lstrip("vV").split(".")[0]
        major = major if major.isdigit() else ""
        if profile.key == "postgresql":
            image = f"postgres:{major or '16'}"
            lines += [
                "      postgres:",
                f"        image: {image}",
                "        env:",
                "          POSTGRES_DB: app_test",
                "          # Throwaway CI-only database, reachable only from this job.",
                "          POSTGRES_HOST_AUTH_METHOD: trust",
                "        ports:",
                "          - 5432:5432",
                "        options: >-",
                '          --health-cmd "pg_isready -U postgres"',
                "          --health-interval 10s --health-timeout 5s --health-retries 5",
            ]
        elif profile.key == "redis":
            lines += [
                "      redis:",
                f"        image: redis:{major or '7'}",
                "        ports:",
                "          - 6379:6379",
                "        options: >-",
                '          --health-cmd "redis-cli ping"',
                "          --health-interval 10s --health-timeout 5s --health-retries 5",
            ]
        elif profile.key == "mysql":
            lines += [
                "      mysql:",
                f"        image: mysql:{major or '8'}",
                "        env:",
                "          MYSQL_DATABASE: app_test",
                "          # Throwaway CI-only database, reachable only from this job.",
                "          MYSQL_ALLOW_EMPTY_PASSWORD: 'yes'",
                "        ports:",
                "          - 3306:3306",
            ]
        elif profile.key == "mongodb":
            lines += [
                "      mongodb:",
                f"        image: mongo:{major or '7'}",
                "        ports:",
                "          - 27017:27017",
            ]
    return lines


def _service_env(d: Decisions) -> list[str]:
    env: list[str] = []
    keys = {p.key for ds in d.datastores if (p := kb.datastore_profile(ds.name)) is not None}
    if "postgresql" in keys:
        env.append("      DATABASE_URL: postgresql://postgres@localhost:5432/app_test")
    elif "mysql" in keys:
        env.append("      DATABASE_URL: mysql://root@localhost:3306/app_test")
    if "redis" in keys:
        env.append("      REDIS_URL: redis://localhost:6379/0")
    if "mongodb" in keys:
        env.append("      MONGODB_URI: mongodb://localhost:27017/app_test")
    return env


def _setup_steps(rt: RuntimeDecision) -> list[str]:
    profile = kb.RUNTIMES[rt.language]
    version = _version(rt)
    if profile.setup is None:
        return []
    lines = [
        f"      - name: Set up {profile.label} {version}",
        f"        uses: {profile.setup.uses()} # {profile.setup.tag}",
        "        with:",
        f"          {profile.version_input}: '{version}'",
    ]
    if rt.language == "java":
        lines.insert(3, "          distribution: temurin")
        lines.append(
            "          cache: gradle" if "gradlew" in rt.install_command else "          cache: maven"
        )
    elif rt.language == "node":
        if "pnpm" in rt.install_command:
            pass
        elif "yarn" in rt.install_command:
            lines.append("          cache: yarn")
        else:
            lines.append("          cache: npm")
    elif rt.language == "python":
        lines.append("          cache: pip")
    return lines


def _run(name: str, command: str, *, workdir: str | None = None, indent: int = 6) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}- name: {yq(name)}"]
    if _plain_ok(command) and " #" not in command:
        lines.append(f"{pad}  run: {command}")
    else:
        lines += [f"{pad}  run: |", f"{pad}    {command}"]
    if workdir:
        lines.append(f"{pad}  working-directory: {yq(workdir)}")
    return lines


def _image_ref(d: Decisions, name: str) -> tuple[str, list[str], list[str]]:
    """(image reference, registry login steps, job permissions) for the build job."""
    region = d.hosting.region
    provider = d.hosting.provider
    if provider == "aws":
        registry = f"${{{{ vars.AWS_ACCOUNT_ID }}}}.dkr.ecr.{region}.amazonaws.com"
        login = [
            "      - name: Authenticate to AWS (OIDC, no long-lived keys)",
            f"        uses: {kb.AWS_CREDENTIALS.uses()} # {kb.AWS_CREDENTIALS.tag}",
            "        with:",
            "          role-to-assume: ${{ vars.AWS_BUILD_ROLE_ARN }}",
            f"          aws-region: {region}",
            "      - name: Log in to Amazon ECR",
            "        run: |",
            f"          aws ecr get-login-password --region {region} | docker login --username AWS "
            '--password-stdin "$REGISTRY"',
        ]
        return f"{registry}/{name}", login, ["      id-token: write"]
    if provider == "gcp":
        registry = f"{region}-docker.pkg.dev/${{{{ vars.GCP_PROJECT_ID }}}}/{name}"
        login = [
            "      - name: Authenticate to Google Cloud (workload identity federation)",
            f"        uses: {kb.GCP_AUTH.uses()} # {kb.GCP_AUTH.tag}",
            "        with:",
            "          workload_identity_provider: ${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}",
            "          service_account: ${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}",
            "      - name: Log in to Artifact Registry",
            f"        run: gcloud auth configure-docker {region}-docker.pkg.dev --quiet",
        ]
        return f"{registry}/{name}", login, ["      id-token: write"]
    if provider == "azure":
        registry = "${{ vars.ACR_NAME }}.azurecr.io"
        login = [
            "      - name: Authenticate to Azure (OIDC federated credential)",
            f"        uses: {kb.AZURE_LOGIN.uses()} # {kb.AZURE_LOGIN.tag}",
            "        with:",
            "          client-id: ${{ vars.AZURE_CLIENT_ID }}",
            "          tenant-id: ${{ vars.AZURE_TENANT_ID }}",
            "          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}",
            "      - name: Log in to Azure Container Registry",
            '        run: az acr login --name "${{ vars.ACR_NAME }}"',
        ]
        return f"{registry}/{name}", login, ["      id-token: write"]
    login = [
        "      - name: Log in to GitHub Container Registry",
        "        env:",
        "          REGISTRY_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
        "        run: |",
        '          printf \'%s\' "$REGISTRY_TOKEN" | docker login ghcr.io --username "$GITHUB_ACTOR" '
        "--password-stdin",
    ]
    return f"ghcr.io/${{{{ github.repository }}}}/{name}", login, ["      packages: write"]


def _cloud_auth(d: Decisions) -> list[str]:
    provider = d.hosting.provider
    if provider == "aws":
        return [
            "      - name: Authenticate to AWS (OIDC deploy role scoped to this environment)",
            f"        uses: {kb.AWS_CREDENTIALS.uses()} # {kb.AWS_CREDENTIALS.tag}",
            "        with:",
            "          role-to-assume: ${{ vars.AWS_DEPLOY_ROLE_ARN }}",
            f"          aws-region: {d.hosting.region}",
        ]
    if provider == "gcp":
        return [
            "      - name: Authenticate to Google Cloud (workload identity federation)",
            f"        uses: {kb.GCP_AUTH.uses()} # {kb.GCP_AUTH.tag}",
            "        with:",
            "          workload_identity_provider: ${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}",
            "          service_account: ${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}",
        ]
    if provider == "azure":
        return [
            "      - name: Authenticate to Azure (OIDC federated credential)",
            f"        uses: {kb.AZURE_LOGIN.uses()} # {kb.AZURE_LOGIN.tag}",
            "        with:",
            "          client-id: ${{ vars.AZURE_CLIENT_ID }}",
            "          tenant-id: ${{ vars.AZURE_TENANT_ID }}",
            "          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}",
        ]
    return []


def _kube_connect(d: Decisions) -> list[str]:
    if "openshift" in d.platform.service.lower():
        return [
            "      - name: Connect to the OpenShift cluster",
            "        env:",
            "          OPENSHIFT_SERVER: ${{ vars.OPENSHIFT_SERVER }}",
            "          OPENSHIFT_TOKEN: ${{ secrets.OPENSHIFT_DEPLOY_TOKEN }}",
            "        run: |",
            '          oc login --server="$OPENSHIFT_SERVER" --token="$OPENSHIFT_TOKEN"',
        ]
    provider = d.hosting.provider
    region = d.hosting.region
    env = ["          CLUSTER_NAME: ${{ vars.CLUSTER_NAME }}"]
    if provider == "aws":
        cmd = f'aws eks update-kubeconfig --name "$CLUSTER_NAME" --region {region}'
    elif provider == "gcp":
        cmd = f'gcloud container clusters get-credentials "$CLUSTER_NAME" --region {region}'
    elif provider == "azure":
        cmd = 'az aks get-credentials --name "$CLUSTER_NAME" --resource-group "$RESOURCE_GROUP"'
        env.append("          RESOURCE_GROUP: ${{ vars.RESOURCE_GROUP }}")
    else:
        return [
            "      - name: Connect to the cluster",
            "        env:",
            "          KUBECONFIG_DATA: ${{ secrets.KUBECONFIG_DEPLOY }}",
            "        run: |",
            '          umask 077 && printf \'%s\' "$KUBECONFIG_DATA" > "$RUNNER_TEMP/kubeconfig"',
            '          echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"',
        ]
    return [
        "      - name: Connect to the cluster",
        "        env:",
        *env,
        "        run: |",
        f"          {cmd}",
    ]


def deploy_commands(d: Decisions, env: str, name: str) -> list[str]:
    """Shell lines that roll the new image out to ``env`` on the decided platform."""
    region = d.hosting.region
    if d.platform.kind == "kubernetes":
        return [
            f"helm upgrade --install {name} ./deploy/helm/{name} --namespace {env}"
            ' --set image.repository="$IMAGE_REPO" --set image.tag="$GITHUB_SHA" --atomic --wait --timeout '
            "15m",
            f"kubectl --namespace {env} rollout status deployment/{name} --timeout=5m",
        ]
    provider = d.hosting.provider
    if provider == "aws" and d.platform.kind in ("container_paas", "serverless"):
        return [
            f'aws ecs describe-task-definition --task-definition "{name}-{env}" --query taskDefinition > '
            "taskdef.json",
            'jq --arg IMAGE "$IMAGE_REPO:$GITHUB_SHA" \'.containerDefinitions[0].image = $IMAGE'
            " | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,"
            " .registeredAt, .registeredBy)' taskdef.json > taskdef.new.json",
            "NEW_TASK_DEF=$(aws ecs register-task-definition --cli-input-json file://taskdef.new.json"
            " --query 'taskDefinition.taskDefinitionArn' --output text)",
            f'aws ecs update-service --cluster "$ECS_CLUSTER" --service "{name}-{env}" --task-definition '
            '"$NEW_TASK_DEF"',
            f'aws ecs wait services-stable --cluster "$ECS_CLUSTER" --services "{name}-{env}"',
        ]
    if provider == "gcp" and d.platform.kind in ("container_paas", "serverless"):
        return [
            f'gcloud run deploy "{name}-{env}" --image "$IMAGE_REPO:$GITHUB_SHA" --region {region} --quiet',
        ]
    if provider == "azure" and d.platform.kind in ("container_paas", "serverless"):
        return [
            f'az containerapp update --name "{name}-{env}" --resource-group "$RESOURCE_GROUP"'
            ' --image "$IMAGE_REPO:$GITHUB_SHA"',
        ]
    if d.platform.kind == "compose_vm":
        return [
            f'ssh -o BatchMode=yes deploy@"$DEPLOY_HOST" "cd /opt/{name} && IMAGE_TAG=$GITHUB_SHA docker '
            "compose pull"
            f' && IMAGE_TAG=$GITHUB_SHA docker compose up --detach --wait"',
        ]
    return [
        f'ssh -o BatchMode=yes deploy@"$DEPLOY_HOST" /opt/{name}/bin/release --sha "$GITHUB_SHA" '
        "--blue-green",
    ]


def _migration_command(d: Decisions, env: str, name: str) -> list[str]:
    if not any(ds.role == "primary_database" for ds in d.datastores):
        return []
    if d.platform.kind == "kubernetes":
        return []  # runs as a Helm pre-upgrade hook Job inside the chart
    provider = d.hosting.provider
    if provider == "aws":
        return [
            f'TASK_ARN=$(aws ecs run-task --cluster "$ECS_CLUSTER" --task-definition "{name}-migrate-{env}"'
            ' --launch-type FARGATE --network-configuration "$ECS_NETWORK_CONFIGURATION"'
            " --query 'tasks[0].taskArn' --output text)",
            'aws ecs wait tasks-stopped --cluster "$ECS_CLUSTER" --tasks "$TASK_ARN"',
            'EXIT_CODE=$(aws ecs describe-tasks --cluster "$ECS_CLUSTER" --tasks "$TASK_ARN"'
            " --query 'tasks[0].containers[0].exitCode' --output text)",
            'test "$EXIT_CODE" = "0"',
        ]
    if provider == "gcp":
        return [f'gcloud run jobs execute "{name}-migrate-{env}" --region {d.hosting.region} --wait']
    if provider == "azure":
        return [f'az containerapp job start --name "{name}-migrate-{env}" --resource-group "$RESOURCE_GROUP"']
    return []


def _deploy_job(d: Decisions, env: str, name: str, image: str) -> list[str]:
    branch = "main" if env == "production" else "develop"
    url = next((e.url for e in d.environments if e.name == env and e.url), None)
    lines = [
        f"  deploy-{env}:",
        "    needs: build",
        f"    if: github.event_name == 'push' && github.ref == 'refs/heads/{branch}'",
        "    runs-on: ubuntu-latest",
    ]
    if env == "production":
        lines.append("    # Required reviewers on the 'production' environment give the manual approval.")
    lines += ["    environment:", f"      name: {env}"]
    if url:
        lines.append(f"      url: {yq(url)}")
    lines += [
        f"    concurrency: deploy-{env}",
        "    timeout-minutes: 30",
        "    permissions:",
        "      contents: read",
        "      id-token: write",
        "    env:",
        f"      IMAGE_REPO: {image}",
    ]
    if d.platform.kind in ("container_paas", "serverless"):
        if d.hosting.provider == "aws":
            lines += [
                "      ECS_CLUSTER: ${{ vars.ECS_CLUSTER }}",
                "      ECS_NETWORK_CONFIGURATION: ${{ vars.ECS_NETWORK_CONFIGURATION }}",
            ]
        elif d.hosting.provider == "azure":
            lines.append("      RESOURCE_GROUP: ${{ vars.RESOURCE_GROUP }}")
    if d.platform.kind in ("vm", "compose_vm") or (
        d.hosting.provider == "other" and d.platform.kind != "kubernetes"
    ):
        lines.append("      DEPLOY_HOST: ${{ vars.DEPLOY_HOST }}")
    lines.append("      BASE_URL: ${{ vars.BASE_URL }}")
    lines += [
        "    steps:",
        f"      - uses: {kb.CHECKOUT.uses()} # {kb.CHECKOUT.tag}",
        "        with:",
        "          persist-credentials: false",
    ]
    if "openshift" not in d.platform.service.lower():
        lines += _cloud_auth(d)
    if d.platform.kind == "kubernetes":
        lines += _kube_connect(d)
    if d.platform.kind in ("vm", "compose_vm"):
        lines += _ssh_setup()
    migrate = _migration_command(d, env, name)
    if migrate:
        lines += ["      - name: Run database migrations (expand phase) as a one-off task", "        run: |"]
        lines += [f"          {c}" for c in migrate]
    strategy = d.deployment.strategy
    lines += [f"      - name: Deploy to {env} ({strategy})", "        run: |"]
    lines += [f"          {c}" for c in deploy_commands(d, env, name)]
    lines += [
        "      - name: Smoke test",
        "        run: |",
        "          curl --fail --silent --show-error --retry 5 --retry-delay 10 --max-time 10 "
        '"$BASE_URL/health"',
    ]
    return lines


def _checkout() -> list[str]:
    return [
        f"      - uses: {kb.CHECKOUT.uses()} # {kb.CHECKOUT.tag}",
        "        with:",
        "          persist-credentials: false",
    ]


def _setup_node_default() -> list[str]:
    return [
        "      - name: Set up Node.js",
        f"        uses: {kb.SETUP_NODE.uses()} # {kb.SETUP_NODE.tag}",
        "        with:",
        "          node-version: '22'",
        "          cache: npm",
        "      - name: Install dependencies",
        "        run: npm ci",
    ]


def _mobile_jobs(d: Decisions) -> list[str]:
    e2e = ci_test_commands(d, "mobile_e2e")
    lines: list[str] = []
    if e2e:
        secret_env = sorted({v for c in e2e for v in c.secret_env})
        lines += [
            "  mobile-e2e:",
            "    needs: test",
            "    runs-on: macos-14",
            "    timeout-minutes: 60",
            "    env:",
            "      EXPO_TOKEN: ${{ secrets.EXPO_TOKEN }}",
            *[f"      {v}: ${{{{ secrets.{v} }}}}" for v in secret_env],
            "    steps:",
            *_checkout(),
            *_setup_node_default(),
            "      - name: Install Maestro (Homebrew tap of mobile.dev)",
            "        run: |",
            "          brew tap mobile-dev-inc/tap",
            "          brew install maestro",
            "      - name: Build the iOS simulator app (EAS local build, 'e2e' profile)",
            "        run: npx --yes eas-cli@16 build --platform ios --profile e2e --local --non-interactive"
            " --output build/app.tar.gz",
            "      - name: Boot a simulator and install the app",
            "        run: |",
            "          tar -xzf build/app.tar.gz -C build",
            '          xcrun simctl boot "iPhone 15"',
            "          xcrun simctl install booted build/*.app",
        ]
        for i, c in enumerate(e2e, 1):
            title = "Run QA mobile flows" + (f" {i}" if len(e2e) > 1 else "")
            lines += _run(title, c.command, workdir=c.working_directory)
    lines += [
        "  mobile-release:",
        "    needs: [test" + (", mobile-e2e]" if e2e else "]"),
        "    if: github.event_name == 'push' && github.ref == 'refs/heads/main'",
        "    runs-on: ubuntu-latest",
        "    environment:",
        "      name: production",
        "    timeout-minutes: 60",
        "    permissions:",
        "      contents: read",
        "    env:",
        "      EXPO_TOKEN: ${{ secrets.EXPO_TOKEN }}",
        "    steps:",
        *_checkout(),
        *_setup_node_default(),
        "      - name: Build and submit store binaries (EAS Build + Submit)",
        "        run: npx --yes eas-cli@16 build --platform all --profile production --non-interactive "
        "--auto-submit",
    ]
    return lines


def _load_steps(c: CICommand, installed: set[str]) -> list[str]:
    words = c.command.split()
    tool = words[0].rsplit("/", 1)[-1].lower()
    if tool in ("npx", "pnpx", "bunx"):
        return _run("Run QA load test", c.command, workdir=c.working_directory)
    if tool == "k6":
        args = " ".join(words[1:])
        return _run(
            "Run QA load test (k6 in its official container)",
            f'docker run --rm --network host -e BASE_URL -v "${{{{ github.workspace }}}}:/work" -w /work '
            f"grafana/k6:0.54.0 {args}",
            workdir=c.working_directory,
        )
    install = {
        "artillery": "npm install --global artillery@2",
        "locust": "pipx install locust",
    }.get(tool)
    lines: list[str] = []
    if install and tool not in installed:
        installed.add(tool)
        lines += _run(f"Install {tool}", install)
    return lines + _run("Run QA load test", c.command, workdir=c.working_directory)


def _load_job(d: Decisions) -> list[str]:
    load = ci_test_commands(d, "load")
    if not load:
        return []
    lines = [
        "  load-test:",
        "    if: github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'",
        "    runs-on: ubuntu-latest",
        "    environment:",
        "      name: staging",
        "    timeout-minutes: 60",
        "    env:",
        "      BASE_URL: ${{ vars.BASE_URL }}",
        "    steps:",
        *_checkout(),
    ]
    installed: set[str] = set()
    for c in load:
        lines += _load_steps(c, installed)
    return lines


def _ssh_setup() -> list[str]:
    return [
        "      - name: Configure SSH (deploy key and pinned host key)",
        "        env:",
        "          SSH_KEY: ${{ secrets.DEPLOY_SSH_KEY }}",
        "          KNOWN_HOSTS: ${{ vars.DEPLOY_KNOWN_HOSTS }}",
        "        run: |",
        "          install -m 700 -d ~/.ssh",
        "          printf '%s\\n' \"$SSH_KEY\" > ~/.ssh/id_ed25519",
        "          chmod 600 ~/.ssh/id_ed25519",
        "          printf '%s\\n' \"$KNOWN_HOSTS\" > ~/.ssh/known_hosts",
    ]


def github_actions_yaml(d: Decisions) -> str:
    """Render the GitHub Actions workflow for ``d`` as YAML text (parses with ``yaml.safe_load``)."""
    name = slug(d.service_name)
    commands = ci_test_commands(d)
    secret_env = sorted({v for c in commands for v in c.secret_env})
    lines = [
        f"# .github/workflows/ci-cd.yml for {name}",
        "# Actions are pinned to full commit SHAs; Dependabot keeps the pins current.",
        "name: Build and Deploy",
        "on:",
        "  push:",
        "    branches: [main, develop]",
        "  pull_request:",
        "    branches: [main]",
        *(
            ["  schedule:", "    - cron: '0 3 * * 1'", "  workflow_dispatch:"]
            if ci_test_commands(d, "load")
            else []
        ),
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
    services = _db_services(d)
    if services:
        lines += ["    services:", *services]
    env_lines = _service_env(d) + [f"      {v}: ${{{{ secrets.{v} }}}}" for v in secret_env]
    if env_lines:
        lines += ["    env:", *env_lines]
    lines += [
        "    steps:",
        f"      - uses: {kb.CHECKOUT.uses()} # {kb.CHECKOUT.tag}",
        "        with:",
        "          persist-credentials: false",
    ]
    for rt in d.runtimes:
        lines += _setup_steps(rt)
    if any(rt.language in ("ruby", "php", "other") for rt in d.runtimes):
        pass  # toolchains without a setup action run through make targets or the container image
    for rt in d.runtimes:
        profile = kb.RUNTIMES[rt.language]
        label = profile.label if rt.language != "other" else "make"
        lines += _run(f"Install dependencies ({label})", _safe_cmd(rt.install_command, profile.install))
    for rt in d.runtimes:
        profile = kb.RUNTIMES[rt.language]
        label = profile.label if rt.language != "other" else "make"
        lines += _run(f"Lint ({label})", _safe_cmd(rt.lint_command, profile.lint))
    for c in commands:
        title = f"QA tests: {c.command}" if c.from_qa else f"Tests: {c.command}"
        lines += _run(title[:100], c.command, workdir=c.working_directory)
    for rt in d.runtimes:
        profile = kb.RUNTIMES[rt.language]
        label = profile.label if rt.language != "other" else "make"
        lines += _run(f"Dependency audit ({label})", _safe_cmd(rt.audit_command, profile.audit))
    lines += _run(
        "Filesystem vulnerability scan (Trivy, fails on HIGH/CRITICAL)",
        f'docker run --rm -v "${{{{ github.workspace }}}}:/src:ro" {kb.TRIVY_IMAGE} fs --exit-code 1 '
        "--severity HIGH,CRITICAL /src",
    )
    image, login, perms = _image_ref(d, name)
    lines += [
        "  build:",
        "    needs: test",
        "    if: github.event_name == 'push'",
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 30",
        "    permissions:",
        "      contents: read",
        *perms,
        "    env:",
        f"      REGISTRY: {image.rsplit('/', 1)[0]}",
        f"      IMAGE_REPO: {image}",
        "    steps:",
        f"      - uses: {kb.CHECKOUT.uses()} # {kb.CHECKOUT.tag}",
        "        with:",
        "          persist-credentials: false",
        *login,
        "      - name: Build image",
        '        run: docker build --pull --tag "$IMAGE_REPO:$GITHUB_SHA" .',
        "      - name: Scan image (Trivy, fails on HIGH/CRITICAL)",
        "        run: |",
        f"          docker run --rm -v /var/run/docker.sock:/var/run/docker.sock {kb.TRIVY_IMAGE} image"
        ' --exit-code 1 --severity HIGH,CRITICAL "$IMAGE_REPO:$GITHUB_SHA"',
        "      - name: Push image",
        '        run: docker push "$IMAGE_REPO:$GITHUB_SHA"',
    ]
    lines += _deploy_job(d, "staging", name, image)
    lines += _deploy_job(d, "production", name, image)
    if d.platform.mobile_release:
        lines += _mobile_jobs(d)
    lines += _load_job(d)
    return "\n".join(lines)


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
        "other": "debian:bookworm",
    }
    if primary is not None:
        version = _version(primary).replace(".x", "")
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
        lines.append(f"    - {yq(_safe_cmd(rt.install_command, profile.install))}")
        lines.append(f"    - {yq(_safe_cmd(rt.lint_command, profile.lint))}")
    for c in commands:
        cmd = c.command if c.working_directory is None else f"cd {c.working_directory} && {c.command}"
        lines.append(f"    - {yq(cmd)}")
    for rt in d.runtimes:
        profile = kb.RUNTIMES[rt.language]
        lines.append(f"    - {yq(_safe_cmd(rt.audit_command, profile.audit))}")
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


def pipeline_yaml(d: Decisions) -> str:
    """Render the pipeline YAML in the decided CI system's syntax."""
    return gitlab_ci_yaml(d) if d.ci.system == "gitlab_ci" else github_actions_yaml(d)


def _rollback(d: Decisions, name: str) -> list[str]:
    trigger = esc(d.deployment.rollback_trigger, 300)
    lines = [
        field(
            "Rollback Strategy",
            f"Roll back when {trigger}; what reverts on its own and the one command for the rest:",
        )
    ]
    if d.platform.kind == "kubernetes":
        lines += [
            sub(
                "Automatic: `helm upgrade --atomic` reverts the release when new pods never become ready; "
                "the previous ReplicaSet keeps serving because maxUnavailable is 0."
            ),
            sub(
                f"Manual: {code(f'helm rollback {name} 0 --namespace production --wait')} returns to the "
                "previous release (revision 0 means the one before the current)."
            ),
        ]
    elif d.platform.kind in ("vm", "compose_vm"):
        lines += [
            sub(
                "Automatic: the release script switches nginx only after the new colour passes its health "
                "check; a failed check leaves the previous colour serving."
            ),
            sub(
                "Manual: "
                + code(f'ssh deploy@"$DEPLOY_HOST" /opt/{name}/bin/release --switch-back')
                + " switches traffic back to the previous colour, which keeps running for 30 minutes."
            ),
        ]
    elif d.hosting.provider == "aws":
        lines += [
            sub(
                "Automatic: the ECS deployment circuit breaker and the CloudWatch alarms on p95 latency and "
                "5xx rate roll the service back to the last completed deployment."
            ),
            sub(
                "Manual: "
                + code(
                    f'aws ecs update-service --cluster "$ECS_CLUSTER" --service {name}-production '
                    '--task-definition "$PREVIOUS_TASK_DEFINITION_ARN"'
                )
                + " followed by "
                + code(f'aws ecs wait services-stable --cluster "$ECS_CLUSTER" --services {name}-production')
            ),
        ]
    elif d.hosting.provider == "gcp":
        lines.append(
            sub(
                "Manual: "
                + code(
                    f"gcloud run services update-traffic {name}-production --to-revisions "
                    f"PREVIOUS_REVISION=100 --region {d.hosting.region}"
                )
                + " (the previous revision stays deployed, so this is instant)."
            )
        )
    elif d.hosting.provider == "azure":
        lines.append(
            sub(
                "Manual: "
                + code(
                    f"az containerapp ingress traffic set --name {name}-production --resource-group "
                    '"$RESOURCE_GROUP" '
                    "--revision-weight PREVIOUS_REVISION=100"
                )
                + " (previous revisions stay provisioned)."
            )
        )
    else:
        lines.append(sub(f"Manual: redeploy the previous image tag with the deploy job's command {ASSUMED}."))
    lines.append(
        sub(
            "Database changes are backward compatible (expand/contract), so an application rollback never "
            "needs a schema rollback."
        )
    )
    if d.platform.mobile_release:
        lines.append(
            sub(
                "Mobile: store binaries cannot be rolled back; pause the App Store phased release / halt the "
                "Google Play staged rollout, then ship a fixed build. Server-side feature flags disable a "
                "broken feature without a new binary."
            )
        )
    return lines


def _migrations(d: Decisions, name: str) -> list[str]:
    tool = next((rt.migration_tool for rt in d.runtimes if rt.migration_tool), None)
    dbs = [ds for ds in d.datastores if ds.role == "primary_database"]
    if not dbs:
        return [
            field(
                "Database Migrations",
                "No database appears in the QA evidence, so there are no schema "
                f"migrations; any database added later follows expand/contract {ASSUMED}.",
            )
        ]
    db_names = ", ".join(esc(ds.name) for ds in dbs)
    tool_text = esc(tool, 200) if tool else "the stack's versioned migration tool"
    owner = next((rt for rt in d.runtimes if rt.migration_tool), None)
    tool_ground = grounded(owner.migration_basis, owner.migration_evidence, 1) if owner else f" {ASSUMED}"
    sql = any((p := kb.datastore_profile(ds.name)) is not None and p.sql for ds in dbs)
    if sql:
        expand = (
            "Expand/contract: a release only adds (new columns nullable or defaulted, new tables, new "
            "indexes created concurrently); removals and renames ship in a later release once no running "
            "version uses the old shape."
        )
    else:
        expand = (
            "Expand/contract for documents: new fields are optional and defaulted in code, readers accept "
            "both the old and the new shape, backfills run as idempotent batched scripts, and old fields are "
            "removed only once no running version reads them."
        )
    if d.platform.kind == "kubernetes":
        when = "as a Helm pre-upgrade hook Job that must succeed before any pod is replaced"
    elif d.platform.kind in ("vm", "compose_vm"):
        when = "by the release script on the server, before traffic switches to the new version"
    else:
        when = "as a one-off task in the deploy job, before the new version receives traffic"
    lines = [
        field(
            "Database Migrations",
            f"{db_names} schema changes are applied with {tool_text}{tool_ground}, {when}.",
        ),
        sub(expand),
        sub(
            "Before production migrations, a fresh snapshot is taken and PITR coverage is confirmed; "
            "migrations run first in staging against a refreshed copy of the schema."
        ),
        sub(
            "Rollback plan: roll the application back (it is compatible with the expanded schema); a failed "
            "contract step is reverted with a forward migration, and point-in-time recovery is the last "
            "resort."
        ),
    ]
    return lines


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
    gate_text = (
        "The release gate is currently **BLOCKED** (see Quality Gates): approvers must reject production "
        "deployments until every blocking item is closed."
        if gate.status == "blocked"
        else "Approvers confirm the Quality Gates checklist before approving."
    )
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
    lines += _rollback(d, name)
    lines += _migrations(d, name)
    return join_lines(lines)


def describe_runtimes(runtimes: Sequence[RuntimeDecision]) -> str:
    """E.g. ``Python 3.11 (FastAPI) (QA: …)``."""
    parts = [f"{esc(rt.display, 120)}{grounded(rt.basis, rt.evidence, 1)}" for rt in runtimes]
    return ", ".join(parts)


def describe_tests(commands: Sequence[TestCommandDecision]) -> str:
    """Inline list of test commands with their grounding."""
    return ", ".join(f"{code(c.command)}{grounded(c.basis, c.evidence, 1)}" for c in commands)


__all__ = [
    "ci_test_commands",
    "deploy_commands",
    "describe_runtimes",
    "describe_tests",
    "github_actions_yaml",
    "gitlab_ci_yaml",
    "num",
    "pipeline_yaml",
    "write_cicd",
]
