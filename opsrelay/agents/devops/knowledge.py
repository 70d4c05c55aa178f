"""Rules-of-practice tables for the offline engine: toolchains, datastores, clouds, CI action pins.

Everything here is ordinary DevOps knowledge, looked up by the names the QA-facts extractor
produces (matching is case-insensitive and tolerant of aliases). Pure data plus small lookups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsrelay.agents.devops.decisions import CloudProvider, DatastoreRole, RuntimeLanguage


def norm(name: str) -> str:
    """Lower-case a product name and drop punctuation, so 'Node.js' and 'nodejs' compare equal."""
    return re.sub(r"[^a-z0-9#+]", "", name.lower())


# --- CI actions, pinned to full commit SHAs ------------------------------------------------------


@dataclass(frozen=True)
class ActionPin:
    """A GitHub Action pinned to a full commit SHA, with the release tag it corresponds to."""

    repo: str
    sha: str
    tag: str

    def uses(self) -> str:
        """Return the ``uses:`` value, e.g. ``actions/checkout@11bd…``."""
        return f"{self.repo}@{self.sha}"


CHECKOUT = ActionPin("actions/checkout", "11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2")
SETUP_NODE = ActionPin("actions/setup-node", "49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0")
SETUP_PYTHON = ActionPin("actions/setup-python", "a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0")
SETUP_JAVA = ActionPin("actions/setup-java", "c5195efecf7bdfc987ee8bae7a71cb8b11521c00", "v4.7.1")
SETUP_DOTNET = ActionPin("actions/setup-dotnet", "67a3573c9a986a3f9c594539f4ab511d57bb3ce9", "v4.3.1")
SETUP_GO = ActionPin("actions/setup-go", "d35c59abb061a4a6fb18e82ac0862c26744d6ab5", "v5.5.0")
# Setup actions for the toolchains added in issue 9; each SHA is the commit its tag points to.
# dtolnay/rust-toolchain publishes no release tags: the pin is a commit of its master branch.
RUST_TOOLCHAIN = ActionPin(
    "dtolnay/rust-toolchain", "3c5f7ea28cd621ae0bf5283f0e981fb97b8a7af9", "master 2026-03-27"
)
SETUP_RUBY = ActionPin("ruby/setup-ruby", "0dafeac902942906541bc140009cdbf32665b601", "v1.315.0")
SETUP_BUN = ActionPin("oven-sh/setup-bun", "0c5077e51419868618aeaa5fe8019c62421857d6", "v2.2.0")
FLUTTER_ACTION = ActionPin("subosito/flutter-action", "1a449444c387b1966244ae4d4f8c696479add0b2", "v2.23.0")
UPLOAD_ARTIFACT = ActionPin("actions/upload-artifact", "ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2")
DOWNLOAD_ARTIFACT = ActionPin(
    "actions/download-artifact", "d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"
)
COSIGN_INSTALLER = ActionPin(
    "sigstore/cosign-installer", "d7d6bc7722e3daa8354c50bcb52f4837da5e9b6a", "v3.8.1"
)
AWS_CREDENTIALS = ActionPin(
    "aws-actions/configure-aws-credentials", "e3dd6a429d7300a6a4c196c26e071d42e0343502", "v4.0.2"
)
GCP_AUTH = ActionPin("google-github-actions/auth", "6fc4af4b145ae7821d527454aa9bd537d1f2dc5f", "v2.1.7")
AZURE_LOGIN = ActionPin("azure/login", "a457da9ea143d694b1b9c7c869ebb04ebe844ef5", "v2.3.0")

TRIVY_IMAGE = "aquasec/trivy:0.56.2"


# --- language toolchains -------------------------------------------------------------------------


@dataclass(frozen=True)
class RuntimeProfile:
    """How CI sets up and checks one language toolchain."""

    language: RuntimeLanguage
    label: str
    default_version: str
    install: str
    lint: str
    audit: str
    default_test: str
    setup: ActionPin | None
    version_input: str
    container_image: str | None = None
    build: str = ""
    """Release build command (an empty string: the test run already builds everything)."""


RUNTIMES: dict[RuntimeLanguage, RuntimeProfile] = {
    "node": RuntimeProfile(
        "node",
        "Node.js",
        "22",
        "npm ci",
        "npm run lint --if-present",
        "npm audit --audit-level=high",
        "npm test",
        SETUP_NODE,
        "node-version",
        build="npm run build --if-present",
    ),
    "python": RuntimeProfile(
        "python",
        "Python",
        "3.12",
        "python -m pip install -r requirements.txt",
        "pipx run ruff check .",
        "pipx run pip-audit -r requirements.txt",
        "python -m pytest",
        SETUP_PYTHON,
        "python-version",
        build="pipx run build",
    ),
    "java": RuntimeProfile(
        "java",
        "Java",
        "21",
        "./mvnw -B -ntp dependency:go-offline",
        "./mvnw -B -ntp checkstyle:check",
        "./mvnw -B -ntp org.owasp:dependency-check-maven:check -DfailBuildOnCVSS=7",
        "./mvnw -B -ntp verify",
        SETUP_JAVA,
        "java-version",
        build="./mvnw -B -ntp package -DskipTests",
    ),
    "kotlin": RuntimeProfile(
        "kotlin",
        "Kotlin",
        "21",
        "./gradlew --no-daemon dependencies",
        "./gradlew --no-daemon check -x test",
        "./gradlew --no-daemon dependencyCheckAnalyze",
        "./gradlew --no-daemon test",
        SETUP_JAVA,
        "java-version",
        build="./gradlew --no-daemon assemble",
    ),
    "dotnet": RuntimeProfile(
        "dotnet",
        ".NET",
        "8.0.x",
        "dotnet restore",
        "dotnet format --verify-no-changes --no-restore",
        "dotnet list package --vulnerable --include-transitive",
        "dotnet test --no-restore",
        SETUP_DOTNET,
        "dotnet-version",
        build="dotnet publish --configuration Release --no-restore --output out",
    ),
    "go": RuntimeProfile(
        "go",
        "Go",
        "1.24",
        "go mod download",
        "go vet ./...",
        "go run golang.org/x/vuln/cmd/govulncheck@v1.1.4 ./...",
        "go test ./...",
        SETUP_GO,
        "go-version",
        build="go build ./...",
    ),
    "ruby": RuntimeProfile(
        "ruby",
        "Ruby",
        "3.3",
        "bundle install --jobs 4",
        "bundle exec rubocop",
        "gem install bundler-audit --no-document && bundle-audit check --update",
        "bundle exec rspec",
        SETUP_RUBY,
        "ruby-version",
        "ruby:3.3",
    ),
    "php": RuntimeProfile(
        "php",
        "PHP",
        "8.3",
        "composer install --no-interaction --prefer-dist",
        "vendor/bin/phpcs",
        "composer audit",
        "vendor/bin/phpunit",
        None,
        "",
        "composer:2",
    ),
    "rust": RuntimeProfile(
        "rust",
        "Rust",
        "stable",
        "cargo fetch --locked",
        "cargo clippy --all-targets --locked -- -D warnings",
        "cargo install cargo-audit --locked && cargo audit",
        "cargo test --locked",
        RUST_TOOLCHAIN,
        "toolchain",
        "rust:1",
        build="cargo build --release --locked",
    ),
    "cpp": RuntimeProfile(
        "cpp",
        "C++",
        "17",
        "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release",
        "cmake --build build --parallel",
        "",
        "ctest --test-dir build --output-on-failure",
        None,
        "",
        "gcc:14",
        build="cmake --build build --parallel --config Release",
    ),
    "dart": RuntimeProfile(
        "dart",
        "Flutter",
        "3.x",
        "flutter pub get",
        "flutter analyze",
        "",
        "flutter test",
        FLUTTER_ACTION,
        "flutter-version",
        "ghcr.io/cirruslabs/flutter:stable",
        build="flutter build appbundle --release",
    ),
    "bun": RuntimeProfile(
        "bun",
        "Bun",
        "1.2",
        "bun install --frozen-lockfile",
        "bun run lint",
        "bun audit",
        "bun test",
        SETUP_BUN,
        "bun-version",
        "oven/bun:1",
        build="bun run build",
    ),
    "other": RuntimeProfile(
        "other",
        "application",
        "latest",
        "make deps",
        "make lint",
        "make audit",
        "make test",
        None,
        "",
        None,
    ),
}

GRADLE_OVERRIDES = {
    "install": "./gradlew --no-daemon dependencies",
    "lint": "./gradlew --no-daemon check -x test",
    "audit": "./gradlew --no-daemon dependencyCheckAnalyze",
    "test": "./gradlew --no-daemon test",
}

_LANGUAGE_ALIASES: dict[str, RuntimeLanguage] = {
    "python": "python",
    "node": "node",
    "nodejs": "node",
    "javascript": "node",
    "typescript": "node",
    "java": "java",
    "kotlin": "kotlin",
    "rust": "rust",
    "c++": "cpp",
    "cpp": "cpp",
    "cplusplus": "cpp",
    "dart": "dart",
    "bun": "bun",
    "c#": "dotnet",
    "c#net": "dotnet",
    "csharp": "dotnet",
    "net": "dotnet",
    "dotnet": "dotnet",
    "netcore": "dotnet",
    "go": "go",
    "golang": "go",
    "ruby": "ruby",
    "php": "php",
}

# Framework or tool name → the language it implies, and whether it is a server-side framework.
_FRAMEWORKS: dict[str, tuple[RuntimeLanguage, bool]] = {
    "django": ("python", True),
    "fastapi": ("python", True),
    "flask": ("python", True),
    "pytorch": ("python", True),
    "celery": ("python", True),
    "sqlalchemy": ("python", True),
    "pytest": ("python", False),
    "express": ("node", True),
    "nestjs": ("node", True),
    "nextjs": ("node", False),
    "next": ("node", False),
    "react": ("node", False),
    "reactnative": ("node", False),
    "reactnativeexpo": ("node", False),
    "expo": ("node", False),
    "vue": ("node", False),
    "vuejs": ("node", False),
    "angular": ("node", False),
    "svelte": ("node", False),
    "prisma": ("node", True),
    "jest": ("node", False),
    "vitest": ("node", False),
    "cypress": ("node", False),
    "playwright": ("node", False),
    "springboot": ("java", True),
    "spring": ("java", True),
    "hibernate": ("java", True),
    "quarkus": ("java", True),
    "flyway": ("java", True),
    "junit": ("java", False),
    "aspnetcore": ("dotnet", True),
    "aspnet": ("dotnet", True),
    "entityframework": ("dotnet", True),
    "efcore": ("dotnet", True),
    "masstransit": ("dotnet", True),
    "gin": ("go", True),
    "rails": ("ruby", True),
    "rubyonrails": ("ruby", True),
    "laravel": ("php", True),
    "symfony": ("php", True),
    "flutter": ("dart", True),
    "qt": ("cpp", True),
    "qt5": ("cpp", True),
    "qt6": ("cpp", True),
    "cmake": ("cpp", False),
    "ktor": ("kotlin", True),
    "actix": ("rust", True),
    "actixweb": ("rust", True),
    "axum": ("rust", True),
    "tokio": ("rust", True),
    "rocket": ("rust", True),
    "sqlx": ("rust", True),
    "diesel": ("rust", True),
    "cargo": ("rust", False),
    "echo": ("go", True),
    "fiber": ("go", True),
    "chi": ("go", True),
    "gorm": ("go", True),
    "sinatra": ("ruby", True),
    "rspec": ("ruby", False),
    "elysia": ("bun", True),
    "hono": ("node", True),
    "fastify": ("node", True),
    "electron": ("node", True),
}


def language_of(name: str) -> RuntimeLanguage | None:
    """Return the language a stack item's name denotes (``Python``, ``Node.js``, ``.NET``…)."""
    key = norm(name)
    if key in _LANGUAGE_ALIASES:
        return _LANGUAGE_ALIASES[key]
    for alias, lang in _LANGUAGE_ALIASES.items():
        if len(alias) > 2 and key.startswith(alias) and key[len(alias) :].isdigit():
            return lang
    return None


def framework_language(name: str) -> tuple[RuntimeLanguage, bool] | None:
    """(language, is_server_side) implied by a framework or tool name, or ``None``."""
    key = norm(name)
    if key in _FRAMEWORKS:
        return _FRAMEWORKS[key]
    key = re.sub(r"\d+$", "", key)
    return _FRAMEWORKS.get(key)


MOBILE_MARKERS = ("expo", "reactnative", "testflight", "appstore", "googleplay", "flutter", "ios", "android")
KUBERNETES_MARKERS = ("kubernetes", "k8s", "openshift", "ocp", "eks", "gke", "aks", "helm", "k3s")
CANARY_MARKERS = ("argorollouts", "flagger", "istio", "linkerd", "canary")
CONTAINER_MARKERS = ("docker", "dockercompose", "podman", "containerd")
VM_MARKERS = ("pm2", "systemd", "supervisord")

# First word of a test command → where the pipeline runs it.
LOAD_TEST_TOOLS = ("k6", "artillery", "locust", "jmeter", "gatling")
MOBILE_E2E_TOOLS = ("maestro", "detox")


def has_marker(name: str, markers: tuple[str, ...]) -> bool:
    """Whether a normalised stack name equals or starts with one of the markers."""
    key = norm(name)
    return any(key == m or key.startswith(m) for m in markers)


# --- clouds --------------------------------------------------------------------------------------


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


# --- datastores ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatastoreProfile:
    """Operations knowledge for one kind of stateful component."""

    key: str
    display: str
    role: DatastoreRole
    sql: bool
    managed: dict[CloudProvider, str]
    self_managed: str
    backup: str
    continuous: str | None
    restore: str
    metrics: tuple[str, ...]
    exporter: str
    replication: str
    scaling: str
    rebuildable: bool = False


DATASTORES: dict[str, DatastoreProfile] = {
    "postgresql": DatastoreProfile(
        "postgresql",
        "PostgreSQL",
        "primary_database",
        True,
        {
            "aws": "Amazon RDS for PostgreSQL, Multi-AZ",
            "gcp": "Cloud SQL for PostgreSQL with high availability",
            "azure": "Azure Database for PostgreSQL flexible server, zone-redundant HA",
            "other": "PostgreSQL primary with a streaming replica (Patroni)",
        },
        "PostgreSQL primary with a streaming replica managed by the CloudNativePG operator",
        "full base backup every 24 hours (pgBackRest, or the managed service's automated snapshot)",
        "continuous WAL archiving to object storage (pgBackRest archive-push, archive_timeout 60 s), "
        "giving point-in-time recovery (PITR)",
        "restore the latest base backup and replay archived WAL to the target time "
        "(pgBackRest restore --type=time, or the managed service's point-in-time restore)",
        (
            "connections: count(*) from pg_stat_activity vs max_connections (warn at 80 %)",
            "replication lag: pg_stat_replication.replay_lag on the primary (warn > 30 s)",
            "slow queries: pg_stat_statements mean_exec_time and calls, top 10 by total time",
            "locks and deadlocks: pg_stat_database.deadlocks rate, pg_locks waiting",
            "transaction ID age: age(datfrozenxid) (warn > 1.5 billion)",
            "storage: free disk and WAL directory size",
        ),
        "postgres_exporter",
        "synchronous standby in a second availability zone plus an asynchronous read replica",
        "PgBouncer connection pooling in transaction mode, read replicas for reporting queries, "
        "vertical scaling of the primary before sharding",
    ),
    "mysql": DatastoreProfile(
        "mysql",
        "MySQL",
        "primary_database",
        True,
        {
            "aws": "Amazon RDS for MySQL, Multi-AZ",
            "gcp": "Cloud SQL for MySQL with high availability",
            "azure": "Azure Database for MySQL flexible server, zone-redundant HA",
            "other": "MySQL primary with a semi-synchronous replica",
        },
        "MySQL primary with a replica managed by the MySQL Operator",
        "full backup every 24 hours (Percona XtraBackup, or the managed service's automated snapshot)",
        "continuous binary-log shipping to object storage, giving point-in-time recovery (PITR)",
        "restore the latest full backup and replay binary logs to the target time",
        (
            "connections: Threads_connected vs max_connections (warn at 80 %)",
            "replication lag: Seconds_Behind_Source on each replica (warn > 30 s)",
            "slow queries: slow_query_log with long_query_time = 1 s, performance_schema digests",
            "InnoDB: buffer pool hit ratio, row lock waits, deadlocks",
            "storage: free disk and binary-log volume",
        ),
        "mysqld_exporter",
        "semi-synchronous replica in a second availability zone",
        "ProxySQL connection pooling, read replicas for read-heavy endpoints, vertical scaling first",
    ),
    "sqlserver": DatastoreProfile(
        "sqlserver",
        "SQL Server",
        "primary_database",
        True,
        {
            "aws": "Amazon RDS for SQL Server, Multi-AZ",
            "gcp": "Cloud SQL for SQL Server with high availability",
            "azure": "Azure SQL Database, zone-redundant",
            "other": "SQL Server Always On availability group",
        },
        "SQL Server Always On availability group",
        "full backup every 24 hours plus differential backups every 6 hours",
        "transaction-log backups every 5 minutes, giving point-in-time recovery (PITR)",
        "restore full + differential backups, then log backups up to the target time",
        (
            "connections: user connections vs configured maximum (warn at 80 %)",
            "replication lag: availability-group log send and redo queue size",
            "slow queries: Query Store top queries by duration (> 1 s)",
            "blocking and deadlocks: sys.dm_os_waiting_tasks, deadlock events",
            "storage: data and log file free space",
        ),
        "sql_exporter",
        "synchronous secondary replica in a second availability zone",
        "connection pooling in the application, readable secondaries, vertical scaling first",
    ),
    "sqlite": DatastoreProfile(
        "sqlite",
        "SQLite",
        "primary_database",
        True,
        {
            "aws": "SQLite file on an encrypted Amazon EBS volume attached to a single instance",
            "gcp": "SQLite file on an encrypted persistent disk attached to a single instance",
            "azure": "SQLite file on an encrypted managed disk attached to a single instance",
            "other": "SQLite file on an encrypted local volume of a single instance",
        },
        "SQLite file on a persistent volume of a single instance",
        "consistent online copy every 24 hours with sqlite3 .backup to object storage",
        "continuous replication of the write-ahead log to object storage with Litestream (PITR)",
        "litestream restore -timestamp to the target time, then restart the service",
        (
            "database file size and free disk on the volume",
            "write latency and SQLITE_BUSY errors from the application",
            "Litestream replication lag (litestream_replica_validation and last sync time)",
        ),
        "Litestream Prometheus metrics",
        "single writer; Litestream replica in object storage",
        "single instance only: move to PostgreSQL before scaling out horizontally",
    ),
    "mongodb": DatastoreProfile(
        "mongodb",
        "MongoDB",
        "primary_database",
        False,
        {
            "aws": "MongoDB Atlas (dedicated cluster, 3-node replica set) in the same AWS region",
            "gcp": "MongoDB Atlas (dedicated cluster, 3-node replica set) in the same Google Cloud region",
            "azure": "MongoDB Atlas (dedicated cluster, 3-node replica set) in the same Azure region",
            "other": "3-node MongoDB replica set",
        },
        "3-node MongoDB replica set managed by the Percona Operator for MongoDB",
        "full snapshot every 24 hours (Atlas cloud backup, or Percona Backup for MongoDB / mongodump "
        "--oplog)",
        "continuous oplog capture (Atlas continuous cloud backup or PBM point-in-time recovery)",
        "restore the latest snapshot and replay the oplog to the target time (Atlas PITR restore, "
        "or pbm restore --time)",
        (
            "replication lag: member optimeDate difference from rs.status() (warn > 30 s)",
            "oplog window: hours of history in the oplog (warn < 24 h)",
            "connections: connections.current vs connections.available (warn at 80 %)",
            "slow operations: profiler/slow-query log entries > 100 ms",
            "WiredTiger cache: bytes in cache vs maximum, dirty bytes",
            "storage: free disk per member",
        ),
        "Percona mongodb_exporter",
        "3-member replica set across availability zones, majority write concern",
        "indexes for the top slow operations, read preference secondaryPreferred for analytics, "
        "sharding only after vertical scaling is exhausted",
    ),
    "redis": DatastoreProfile(
        "redis",
        "Redis",
        "cache",
        False,
        {
            "aws": "Amazon ElastiCache for Redis OSS, primary plus replica with Multi-AZ failover",
            "gcp": "Memorystore for Redis, Standard tier",
            "azure": "Azure Cache for Redis, Standard tier",
            "other": "Redis primary with a replica and Sentinel",
        },
        "Redis primary with a replica and Sentinel",
        "RDB snapshot every 24 hours (managed daily snapshot), kept 7 days",
        None,
        "start from the latest RDB snapshot or empty; the cache warms from the primary database",
        (
            "memory: used_memory vs maxmemory (warn at 80 %)",
            "evictions: evicted_keys rate (warn when sustained > 0 while hit rate falls)",
            "hit rate: keyspace_hits / (keyspace_hits + keyspace_misses)",
            "clients: connected_clients vs maxclients, blocked_clients",
            "replication: master_link_status and replication offset lag",
        ),
        "redis_exporter",
        "replica in a second availability zone with automatic failover",
        "scale memory vertically first; Redis Cluster sharding when a single node's memory is exceeded",
        rebuildable=True,
    ),
    "kafka": DatastoreProfile(
        "kafka",
        "Kafka",
        "queue",
        False,
        {
            "aws": "Amazon MSK, 3 brokers across 3 availability zones",
            "gcp": "Google Cloud Managed Service for Apache Kafka, 3 availability zones",
            "azure": "Azure Event Hubs with the Kafka endpoint, zone-redundant",
            "other": "3-broker Kafka cluster in KRaft mode",
        },
        "3-broker Kafka cluster in KRaft mode managed by the Strimzi operator",
        "replication factor 3 with min.insync.replicas=2 on every topic; topic and ACL definitions kept in "
        "Git",
        "MirrorMaker 2 replication of business topics to the DR region",
        "recreate topics from Git, then fail consumers over to the mirrored topics; consumers resume "
        "from translated offsets",
        (
            "consumer lag: per consumer group and partition (kafka_consumergroup_lag)",
            "under-replicated partitions (must be 0) and offline partitions",
            "ISR shrink/expand rate and active controller count (exactly 1)",
            "broker disk usage and request latency",
        ),
        "kafka_exporter",
        "replication factor 3 across availability zones",
        "add partitions for consumer parallelism, add brokers for throughput",
    ),
    "rabbitmq": DatastoreProfile(
        "rabbitmq",
        "RabbitMQ",
        "queue",
        False,
        {
            "aws": "Amazon MQ for RabbitMQ, cluster deployment",
            "gcp": "3-node RabbitMQ cluster on GKE (RabbitMQ Cluster Operator)",
            "azure": "3-node RabbitMQ cluster on AKS (RabbitMQ Cluster Operator)",
            "other": "3-node RabbitMQ cluster",
        },
        "3-node RabbitMQ cluster managed by the RabbitMQ Cluster Operator",
        "definitions export every 24 hours; quorum queues replicated across 3 nodes",
        None,
        "import definitions into a fresh cluster; producers retry until queues are back",
        (
            "queue depth and message age per queue",
            "unacknowledged messages and consumer count per queue",
            "memory and disk alarms",
            "connection and channel churn",
        ),
        "RabbitMQ built-in Prometheus plugin",
        "quorum queues across 3 nodes",
        "more consumers first, then more nodes",
    ),
    "elasticsearch": DatastoreProfile(
        "elasticsearch",
        "Elasticsearch",
        "search",
        False,
        {
            "aws": "Amazon OpenSearch Service, 3 availability zones",
            "gcp": "Elastic Cloud on Google Cloud",
            "azure": "Elastic Cloud on Azure",
            "other": "3-node Elasticsearch cluster",
        },
        "3-node Elasticsearch cluster managed by ECK",
        "snapshot every 24 hours to object storage (snapshot lifecycle management)",
        None,
        "restore the latest snapshot, then re-index from the primary database if newer data is needed",
        (
            "cluster health status (red/yellow/green)",
            "JVM heap usage (warn at 85 %)",
            "disk watermarks per node",
            "search and indexing latency",
        ),
        "elasticsearch_exporter",
        "one replica shard per primary shard across zones",
        "add data nodes, tune shard count",
        rebuildable=True,
    ),
    "hazelcast": DatastoreProfile(
        "hazelcast",
        "Hazelcast",
        "cache",
        False,
        {
            "aws": "Hazelcast cluster (3 members) on the container platform",
            "gcp": "Hazelcast cluster (3 members) on the container platform",
            "azure": "Hazelcast cluster (3 members) on the container platform",
            "other": "Hazelcast cluster (3 members)",
        },
        "Hazelcast cluster (3 members) with the Hazelcast Platform Operator",
        "no backup: in-memory cache with one synchronous backup copy per entry inside the cluster",
        None,
        "restart members; the cache warms from the primary database",
        (
            "cluster size (expected member count)",
            "heap usage per member (warn at 80 %)",
            "near-cache and map hit ratio",
            "partition migration events",
        ),
        "Hazelcast Prometheus metrics",
        "backup-count 1 across members",
        "add members; partitions rebalance automatically",
        rebuildable=True,
    ),
    "celery": DatastoreProfile(
        "celery",
        "Celery",
        "queue",
        False,
        {
            p: "Celery worker service on the same container platform, scaled on queue length"
            for p in ("aws", "gcp", "azure", "other")
        },
        "Celery worker deployment scaled on queue length",
        "none needed: workers are stateless and task messages live in the broker, which is backed up with it",
        None,
        "redeploy the workers; unacknowledged tasks are redelivered by the broker",
        (
            "queue length and oldest message age per queue",
            "task failure and retry rate per task name",
            "task runtime p95 and worker concurrency in use",
            "online workers (expected count)",
        ),
        "celery-exporter",
        "at least 2 worker replicas; tasks acknowledged late so a lost worker's tasks are redelivered",
        "add worker replicas on queue length; separate queues for slow tasks",
        rebuildable=True,
    ),
}

_DATASTORE_ALIASES: dict[str, str] = {
    "celery": "celery",
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "pg": "postgresql",
    "supabase": "postgresql",
    "timescaledb": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "aurora": "mysql",
    "sqlserver": "sqlserver",
    "mssql": "sqlserver",
    "microsoftsqlserver": "sqlserver",
    "azuresql": "sqlserver",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "mongodb": "mongodb",
    "mongo": "mongodb",
    "redis": "redis",
    "valkey": "redis",
    "elasticache": "redis",
    "kafka": "kafka",
    "apachekafka": "kafka",
    "rabbitmq": "rabbitmq",
    "elasticsearch": "elasticsearch",
    "opensearch": "elasticsearch",
    "hazelcast": "hazelcast",
}

TEST_ONLY_DATASTORES = ("h2", "hsqldb", "derby")


def datastore_profile(name: str) -> DatastoreProfile | None:
    """Operations profile for a datastore name (``'PostgreSQL 15'``, ``'redis'``…), or ``None``."""
    key = norm(name)
    if key in _DATASTORE_ALIASES:
        return DATASTORES[_DATASTORE_ALIASES[key]]
    stripped = re.sub(r"\d+$", "", key)
    if stripped in _DATASTORE_ALIASES:
        return DATASTORES[_DATASTORE_ALIASES[stripped]]
    for alias, target in _DATASTORE_ALIASES.items():
        if len(alias) > 3 and key.startswith(alias):
            return DATASTORES[target]
    return None


def generic_datastore(name: str, role: DatastoreRole) -> DatastoreProfile:
    """Build a conservative profile for a stateful component opsrelay has no specific knowledge of."""
    return DatastoreProfile(
        norm(name) or "datastore",
        name,
        role,
        False,
        {p: f"managed {name} service of the provider" for p in ("aws", "gcp", "azure", "other")},
        f"{name} with a replica",
        f"vendor-native full backup of {name} every 24 hours to object storage",
        None,
        f"restore the latest {name} backup into a fresh instance and repoint the application",
        (
            "connections in use vs configured limit (warn at 80 %)",
            "request latency and error count",
            "storage used vs provisioned (warn at 80 %)",
            "replication or synchronisation lag where the product replicates",
        ),
        "the vendor's Prometheus exporter",
        "vendor-native replication across availability zones",
        "vertical scaling first, then the vendor's clustering",
    )


# --- observability -------------------------------------------------------------------------------

METRICS_TOOLS = ("prometheus", "grafana", "datadog", "newrelic", "cloudwatch", "victoriametrics")
LOG_TOOLS = (
    "elasticsearch",
    "elk",
    "loki",
    "fluentbit",
    "fluentd",
    "serilog",
    "splunk",
    "cloudwatch",
    "logstash",
)
TRACE_TOOLS = ("opentelemetry", "otel", "jaeger", "tempo", "zipkin", "xray")
APM_TOOLS = ("datadog", "newrelic", "sentry", "dynatrace", "appdynamics", "elasticapm")
PAGING_TOOLS = ("pagerduty", "opsgenie", "victorops")


# --- compliance ----------------------------------------------------------------------------------

COMPLIANCE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bGDPR\b", "GDPR"),
    (r"\bSOC\s?2\b", "SOC 2"),
    (r"\bHIPAA\b", "HIPAA"),
    (r"\bPCI[\s-]?DSS\b|\bPCI\b", "PCI DSS"),
    (r"\bISO\s?27001\b", "ISO 27001"),
    (r"\bFedRAMP\b", "FedRAMP"),
    (r"\bSection\s?508\b|\bWCAG\b", "Section 508 / WCAG accessibility"),
)


def compliance_mentions(texts: list[str]) -> list[str]:
    """Compliance regimes named in the given texts, in a stable order."""
    found: list[str] = []
    for pattern, label in COMPLIANCE_PATTERNS:
        if any(re.search(pattern, t, re.IGNORECASE) for t in texts) and label not in found:
            found.append(label)
    return found


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
