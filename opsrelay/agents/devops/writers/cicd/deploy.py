"""Deploy jobs: migrations as a one-off task, the rollout command per platform, the smoke test."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.cicd.cloud import cloud_auth, kube_connect, ssh_setup
from opsrelay.agents.devops.writers.cicd.yamltext import yq


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


def deploy_job(d: Decisions, env: str, name: str, image: str) -> list[str]:
    """The ``deploy-<env>`` job: authenticate, migrate, roll out, smoke-test."""
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
    lines += [
        "      - name: Smoke test",
        "        run: |",
        "          curl --fail --silent --show-error --retry 5 --retry-delay 10 --max-time 10 "
        '"$BASE_URL/health"',
    ]
    return lines
