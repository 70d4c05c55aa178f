"""Registry login, cloud authentication (OIDC) and cluster/server connection steps."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions


def image_ref(d: Decisions, name: str) -> tuple[str, list[str], list[str]]:
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


def cloud_auth(d: Decisions) -> list[str]:
    """Cloud authentication steps of a deploy job (OIDC, no long-lived keys)."""
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


def kube_connect(d: Decisions) -> list[str]:
    """Steps that point kubectl/helm at the production or staging cluster."""
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


def ssh_setup() -> list[str]:
    """SSH deploy key and pinned host key for server deployments."""
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
