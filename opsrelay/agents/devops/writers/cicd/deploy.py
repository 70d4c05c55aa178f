"""Deploy jobs: migrations as a one-off task, the rollout command per platform, the smoke test."""

from __future__ import annotations

from collections.abc import Sequence

from opsrelay.agents.devops.decisions import Decisions, ServiceUnit
from opsrelay.agents.devops.safety import slug
from opsrelay.agents.devops.writers.cicd.cloud import cloud_auth, kube_connect, ssh_setup
from opsrelay.agents.devops.writers.cicd.yamltext import checkout_steps, yq


def deploy_commands(d: Decisions, env: str, name: str) -> list[str]:
    """Shell lines that roll the new image out to ``env`` on the decided platform."""
    region = d.hosting.region
    kind = d.delivery.kind
    if kind == "distributed_node" and d.platform.kind in ("vm", "compose_vm"):
        # Waves (serial: 1 canary node, then 10 %, 33 %, 100 %) and the health gate between them live
        # in the playbook; a failed wave stops the play and leaves the other nodes on the old version.
        return [
            'pipx install "ansible-core==2.17.*"',
            f"ansible-playbook --inventory deploy/inventories/{env} deploy/upgrade-nodes.yml"
            ' --extra-vars "node_version=$GITHUB_SHA image=$IMAGE_REPO"',
        ]
    if kind == "data_pipeline" and d.platform.kind != "kubernetes":
        return _pipeline_commands(d, env, name)
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


def _pipeline_commands(d: Decisions, env: str, name: str) -> list[str]:
    """A data pipeline's release: a new job definition the schedule picks up; staging runs it once."""
    provider = d.hosting.provider
    if provider == "aws":
        lines = [
            f'aws ecs describe-task-definition --task-definition "{name}-{env}" --query taskDefinition > '
            "taskdef.json",
            'jq --arg IMAGE "$IMAGE_REPO:$GITHUB_SHA" \'.containerDefinitions[0].image = $IMAGE'
            " | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,"
            " .registeredAt, .registeredBy)' taskdef.json > taskdef.new.json",
            "aws ecs register-task-definition --cli-input-json file://taskdef.new.json",
        ]
        if env == "staging":
            lines += [
                f'TASK_ARN=$(aws ecs run-task --cluster "$ECS_CLUSTER" --task-definition "{name}-{env}"'
                ' --launch-type FARGATE --network-configuration "$ECS_NETWORK_CONFIGURATION"'
                " --query 'tasks[0].taskArn' --output text)",
                'aws ecs wait tasks-stopped --cluster "$ECS_CLUSTER" --tasks "$TASK_ARN"',
                'EXIT_CODE=$(aws ecs describe-tasks --cluster "$ECS_CLUSTER" --tasks "$TASK_ARN"'
                " --query 'tasks[0].containers[0].exitCode' --output text)",
                'test "$EXIT_CODE" = "0"',
            ]
        return lines
    if provider == "gcp":
        lines = [
            f'gcloud run jobs deploy "{name}-{env}" --image "$IMAGE_REPO:$GITHUB_SHA" '
            f"--region {d.hosting.region} --quiet"
        ]
        if env == "staging":
            lines.append(f'gcloud run jobs execute "{name}-{env}" --region {d.hosting.region} --wait')
        return lines
    if provider == "azure":
        lines = [
            f'az containerapp job update --name "{name}-{env}" --resource-group "$RESOURCE_GROUP"'
            ' --image "$IMAGE_REPO:$GITHUB_SHA"'
        ]
        if env == "staging":
            lines.append(
                f'az containerapp job start --name "{name}-{env}" --resource-group "$RESOURCE_GROUP"'
            )
        return lines
    return [
        f'ssh -o BatchMode=yes deploy@"$DEPLOY_HOST" /opt/{name}/bin/release --sha "$GITHUB_SHA" '
        f"--scheduled-job",
    ]


def migration_command(d: Decisions, env: str, name: str) -> list[str]:
    """Shell lines that run the migrations as a one-off task before the rollout (none on Kubernetes)."""
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


def deploy_job(
    d: Decisions, env: str, name: str, image: str, *, units: Sequence[ServiceUnit] = ()
) -> list[str]:
    """The ``deploy-<env>`` job: authenticate, migrate, roll out, smoke-test.

    With several services (``units``) the job runs once per service through a matrix, one service at
    a time (``max-parallel: 1``), so a failing service stops the rollout of the ones after it.
    """
    branch = "main" if env == "production" else "develop"
    url = next((e.url for e in d.environments if e.name == env and e.url), None)
    lines = [
        f"  deploy-{env}:",
        "    needs: build",
        f"    if: github.event_name == 'push' && github.ref == 'refs/heads/{branch}'",
        *service_matrix(units, serial=True),
        "    runs-on: ubuntu-latest",
    ]
    if env == "production":
        lines.append("    # Required reviewers on the 'production' environment give the manual approval.")
    lines += ["    environment:", f"      name: {env}"]
    if url:
        lines.append(f"      url: {yq(url)}")
    lines += [
        f"    concurrency: deploy-{env}" + ("-${{ matrix.service }}" if units else ""),
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
        *checkout_steps(),
    ]
    if "openshift" not in d.platform.service.lower():
        lines += cloud_auth(d)
    if d.platform.kind == "kubernetes":
        lines += kube_connect(d)
    if d.platform.kind in ("vm", "compose_vm"):
        lines += ssh_setup()
    migrate = migration_command(d, env, name)
    if migrate:
        lines += ["      - name: Run database migrations (expand phase) as a one-off task", "        run: |"]
        lines += [f"          {c}" for c in migrate]
    strategy = d.deployment.strategy
    lines += [f"      - name: Deploy to {env} ({strategy})", "        run: |"]
    lines += [f"          {c}" for c in deploy_commands(d, env, name)]
    if d.delivery.kind == "data_pipeline":
        return lines  # the staging run above is the smoke test; a job exposes no health endpoint
    health = "$BASE_URL/${{ matrix.service }}/health" if units else "$BASE_URL/health"
    lines += [
        "      - name: Smoke test",
        "        run: |",
        f'          curl --fail --silent --show-error --retry 5 --retry-delay 10 --max-time 10 "{health}"',
    ]
    return lines


def service_matrix(units: Sequence[ServiceUnit], *, serial: bool = False) -> list[str]:
    """A ``strategy.matrix.service`` over the services (nothing for a single deploy unit)."""
    if not units:
        return []
    names = ", ".join(slug(u.name) for u in units)
    return [
        "    strategy:",
        "      fail-fast: true",
        *(["      max-parallel: 1"] if serial else []),
        "      matrix:",
        f"        service: [{names}]",
    ]
