"""The Rollback Strategy field: what reverts on its own and the one command for the rest."""

from __future__ import annotations

from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.common import ASSUMED, code, esc, field, sub


def rollback_fields(d: Decisions, name: str) -> list[str]:
    """The Rollback Strategy field and its automatic/manual sub-bullets."""
    trigger = esc(d.deployment.rollback_trigger, 300)
    lines = [
        field(
            "Rollback Strategy",
            f"Roll back when {trigger}; what reverts on its own and the one command for the rest:",
        )
    ]
    if d.delivery.kind == "distributed_node" and d.platform.kind in ("vm", "compose_vm"):
        lines += [
            sub(
                "Automatic: the playbook upgrades one wave at a time and stops at the first wave whose nodes "
                "do not regain peers and catch up with the network; later waves stay on the previous version."
            ),
            sub(
                "Manual: "
                + code(
                    "ansible-playbook --inventory deploy/inventories/production deploy/upgrade-nodes.yml "
                    '--extra-vars "node_version=$PREVIOUS_VERSION"'
                )
                + " re-runs the same waves with the previous version; the node data directory is kept "
                "across versions."
            ),
        ]
    elif d.platform.kind == "kubernetes":
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
