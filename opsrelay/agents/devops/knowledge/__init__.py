"""Rules-of-practice tables for the offline engine: toolchains, datastores, clouds, CI action pins.

Everything here is ordinary DevOps knowledge, looked up by the names the QA-facts extractor
produces (matching is case-insensitive and tolerant of aliases). One concern per module; this
package re-exports them so callers keep writing ``kb.RUNTIMES``, ``kb.datastore_profile(...)``.
Pure data plus small lookups.
"""

from opsrelay.agents.devops.knowledge.clouds import CLOUDS, cloud_of, dr_region_for, region_in
from opsrelay.agents.devops.knowledge.datastores import (
    DATASTORES,
    TEST_ONLY_DATASTORES,
    DatastoreProfile,
    datastore_profile,
    generic_datastore,
)
from opsrelay.agents.devops.knowledge.markers import (
    CANARY_MARKERS,
    CONTAINER_MARKERS,
    KUBERNETES_MARKERS,
    LOAD_TEST_TOOLS,
    MOBILE_E2E_TOOLS,
    MOBILE_MARKERS,
    VM_MARKERS,
    has_marker,
)
from opsrelay.agents.devops.knowledge.names import norm
from opsrelay.agents.devops.knowledge.observability import (
    APM_TOOLS,
    LOG_TOOLS,
    METRICS_TOOLS,
    PAGING_TOOLS,
    TRACE_TOOLS,
    compliance_mentions,
)
from opsrelay.agents.devops.knowledge.pins import (
    AWS_CREDENTIALS,
    AZURE_LOGIN,
    CHECKOUT,
    COSIGN_INSTALLER,
    DOWNLOAD_ARTIFACT,
    GCP_AUTH,
    SETUP_JAVA,
    SETUP_NODE,
    SETUP_RUBY,
    TRIVY_IMAGE,
    UPLOAD_ARTIFACT,
)
from opsrelay.agents.devops.knowledge.toolchains import (
    BASE_IMAGES,
    GRADLE_OVERRIDES,
    RUNTIMES,
    UPDATE_COMMANDS,
    framework_language,
    language_of,
)

__all__ = [
    "APM_TOOLS",
    "AWS_CREDENTIALS",
    "AZURE_LOGIN",
    "BASE_IMAGES",
    "CANARY_MARKERS",
    "CHECKOUT",
    "CLOUDS",
    "CONTAINER_MARKERS",
    "COSIGN_INSTALLER",
    "DATASTORES",
    "DOWNLOAD_ARTIFACT",
    "GCP_AUTH",
    "GRADLE_OVERRIDES",
    "KUBERNETES_MARKERS",
    "LOAD_TEST_TOOLS",
    "LOG_TOOLS",
    "METRICS_TOOLS",
    "MOBILE_E2E_TOOLS",
    "MOBILE_MARKERS",
    "PAGING_TOOLS",
    "RUNTIMES",
    "SETUP_JAVA",
    "SETUP_NODE",
    "SETUP_RUBY",
    "TEST_ONLY_DATASTORES",
    "TRACE_TOOLS",
    "TRIVY_IMAGE",
    "UPDATE_COMMANDS",
    "UPLOAD_ARTIFACT",
    "VM_MARKERS",
    "DatastoreProfile",
    "cloud_of",
    "compliance_mentions",
    "datastore_profile",
    "dr_region_for",
    "framework_language",
    "generic_datastore",
    "has_marker",
    "language_of",
    "norm",
    "region_in",
]
