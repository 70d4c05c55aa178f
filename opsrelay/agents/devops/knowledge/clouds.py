"""Cloud providers: managed services per provider, provider aliases, regions and disaster-recovery pairs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsrelay.agents.devops.decisions import CloudProvider
from opsrelay.agents.devops.knowledge.names import norm


@dataclass(frozen=True)
class CloudProfile:
    """Managed services of one cloud provider used in the generated guide."""

    provider: CloudProvider
    name: str
    region: str
    dr_region: str
    kubernetes: str
    container_paas: str
    object_store: str
    cdn: str
    secrets: str
    waf: str
    registry: str
    budgets: str
    logs: str
    reserved: str
    spot: str


CLOUDS: dict[CloudProvider, CloudProfile] = {
    "aws": CloudProfile(
        "aws",
        "AWS",
        "us-east-1",
        "us-west-2",
        "Amazon EKS",
        "Amazon ECS on AWS Fargate behind an Application Load Balancer",
        "Amazon S3",
        "Amazon CloudFront",
        "AWS Secrets Manager",
        "AWS WAF",
        "Amazon ECR",
        "AWS Budgets",
        "Amazon CloudWatch Logs",
        "Compute Savings Plans",
        "Fargate Spot / EC2 Spot",
    ),
    "gcp": CloudProfile(
        "gcp",
        "Google Cloud",
        "us-central1",
        "us-east1",
        "Google Kubernetes Engine (GKE)",
        "Google Cloud Run",
        "Google Cloud Storage",
        "Cloud CDN",
        "Google Secret Manager",
        "Cloud Armor",
        "Artifact Registry",
        "Cloud Billing budgets",
        "Cloud Logging",
        "committed use discounts",
        "Spot VMs",
    ),
    "azure": CloudProfile(
        "azure",
        "Azure",
        "eastus",
        "westus2",
        "Azure Kubernetes Service (AKS)",
        "Azure Container Apps",
        "Azure Blob Storage",
        "Azure Front Door",
        "Azure Key Vault",
        "Azure Web Application Firewall",
        "Azure Container Registry",
        "Azure Cost Management budgets",
        "Azure Monitor Logs",
        "Azure Reservations / savings plans",
        "Azure Spot VMs",
    ),
    "other": CloudProfile(
        "other",
        "the existing hosting provider",
        "primary site",
        "secondary site",
        "Kubernetes",
        "a managed container platform",
        "S3-compatible object storage",
        "a CDN",
        "HashiCorp Vault",
        "a web application firewall",
        "a private container registry",
        "provider budget alerts",
        "centralised log storage",
        "committed-use discounts",
        "preemptible capacity",
    ),
}


_CLOUD_ALIASES: dict[str, CloudProvider] = {
    "aws": "aws",
    "amazonwebservices": "aws",
    "amazon": "aws",
    "gcp": "gcp",
    "googlecloud": "gcp",
    "googlecloudplatform": "gcp",
    "azure": "azure",
    "microsoftazure": "azure",
}


def cloud_of(name: str) -> CloudProvider | None:
    """Return the cloud provider a stack item's name denotes, or ``None``."""
    key = norm(name)
    if key in _CLOUD_ALIASES:
        return _CLOUD_ALIASES[key]
    for alias, provider in _CLOUD_ALIASES.items():
        if key.startswith(alias) and len(alias) > 3:
            return provider
    return None


_REGION_PATTERNS: dict[str, re.Pattern[str]] = {
    "aws": re.compile(
        r"\b(?:us|eu|ap|sa|ca|me|af|il|mx)-(?:north|south|east|west|central|northeast|northwest|"
        r"southeast|southwest)-\d\b"
    ),
    "gcp": re.compile(
        r"\b(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-(?:north|south|east|west|"
        r"central|northeast|northwest|southeast|southwest)\d\b"
    ),
    "azure": re.compile(
        r"\b(?:eastus2?|westus[23]?|centralus|northeurope|westeurope|uksouth|ukwest|"
        r"germanywestcentral|francecentral|swedencentral|southeastasia|eastasia|japaneast|"
        r"australiaeast|canadacentral|brazilsouth|centralindia)\b",
        re.IGNORECASE,
    ),
}


def region_in(text: str, provider: CloudProvider) -> str | None:
    """Find a region of ``provider`` named in ``text`` (e.g. 'eu-west-1'); ``None`` if there is none."""
    pattern = _REGION_PATTERNS.get(provider)
    m = pattern.search(text) if pattern else None
    return m.group(0).lower() if m else None


# Disaster-recovery region in the same geography (data residency) as the primary region.
_DR_PAIRS: dict[str, tuple[tuple[str, str, str], ...]] = {
    # (prefix of the primary region, preferred DR region, fallback when the primary is the preferred one)
    "aws": (
        ("eu-", "eu-central-1", "eu-west-1"),
        ("us-", "us-west-2", "us-east-1"),
        ("ca-", "ca-west-1", "ca-central-1"),
        ("ap-south", "ap-south-2", "ap-south-1"),
        ("ap-", "ap-southeast-1", "ap-northeast-1"),
        ("sa-", "us-east-1", "us-east-2"),
    ),
    "gcp": (
        ("europe-", "europe-west4", "europe-west1"),
        ("us-", "us-east1", "us-central1"),
        ("asia-", "asia-southeast1", "asia-northeast1"),
    ),
    "azure": (
        ("westeurope", "northeurope", "westeurope"),
        ("northeurope", "westeurope", "northeurope"),
        ("eastus", "westus2", "eastus"),
        ("westus", "eastus", "westus2"),
    ),
}


def dr_region_for(provider: CloudProvider, region: str) -> str:
    """Pick a disaster-recovery region in the same geography as ``region`` (never ``region`` itself)."""
    for prefix, preferred, fallback in _DR_PAIRS.get(provider, ()):
        if region.startswith(prefix):
            return preferred if preferred != region else fallback
    default = CLOUDS[provider]
    return default.dr_region if default.dr_region != region else default.region
