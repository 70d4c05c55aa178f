"""Operations knowledge per datastore: managed hosting, backups, continuous archiving, metrics, scaling."""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsrelay.agents.devops.decisions import CloudProvider, DatastoreRole
from opsrelay.agents.devops.knowledge.names import norm


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
