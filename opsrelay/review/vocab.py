"""Names of clouds and datastores the reviewer recognises, with the spellings each answers to.

Used to decide whether the document covers a datastore from the QA facts (``PostgreSQL`` is covered
by a mention of ``Postgres``) and whether it names components that the QA facts do not.
"""

from __future__ import annotations

import re
from functools import cache

# canonical name → regex (case-insensitive, matched on word boundaries)
DATABASES: dict[str, str] = {
    "PostgreSQL": r"postgres(?:ql)?|\bpg(?:bouncer)?\b",
    "MySQL": r"mysql",
    "MariaDB": r"mariadb",
    "MongoDB": r"mongo(?:db)?",
    "SQLite": r"sqlite3?",
    "SQL Server": r"sql server|mssql",
    "Oracle Database": r"oracle (?:db|database)",
    "DynamoDB": r"dynamo(?:db)?",
    "Cassandra": r"cassandra",
    "CockroachDB": r"cockroach(?:db)?",
    "ClickHouse": r"clickhouse",
    "Elasticsearch": r"elastic ?search",
    "OpenSearch": r"open ?search",
    "Firestore": r"firestore",
    "Supabase": r"supabase",
    "Neo4j": r"neo4j",
    "InfluxDB": r"influx(?:db)?",
    "TimescaleDB": r"timescale(?:db)?",
    "Aurora": r"aurora",
}
CACHES_AND_QUEUES: dict[str, str] = {
    "Redis": r"redis|valkey|elasticache",
    "Memcached": r"memcached?",
    "Kafka": r"kafka",
    "RabbitMQ": r"rabbit ?mq",
    "NATS": r"\bnats\b",
    "SQS": r"\bsqs\b",
    "Pub/Sub": r"pub/?sub",
}
CLOUDS: dict[str, str] = {
    "AWS": r"\baws\b|amazon web services",
    "Google Cloud": r"google cloud|\bgcp\b|\bgke\b|cloud run",
    "Azure": r"azure|\baks\b",
    "DigitalOcean": r"digital ?ocean",
    "Heroku": r"heroku",
    "Fly.io": r"fly\.io",
    "Vercel": r"vercel",
    "Netlify": r"netlify",
    "Render": r"render\.com",
    "Railway": r"railway",
    "Cloudflare": r"cloudflare",
    "Hetzner": r"hetzner",
    "Linode": r"linode|akamai cloud",
    "Oracle Cloud": r"oracle cloud|\boci\b",
}
DATASTORES: dict[str, str] = {**DATABASES, **CACHES_AND_QUEUES}
# Managed platforms whose data lives in another engine: covering the engine covers them.
ENGINE_OF: dict[str, tuple[str, ...]] = {
    "Supabase": ("PostgreSQL",),
    "Aurora": ("PostgreSQL", "MySQL"),
    "TimescaleDB": ("PostgreSQL",),
    "MariaDB": ("MySQL",),
}
# Managed services that come with a cloud: declaring the cloud covers them.
CLOUD_OF: dict[str, str] = {
    "DynamoDB": "AWS",
    "Aurora": "AWS",
    "SQS": "AWS",
    "Firestore": "Google Cloud",
    "Pub/Sub": "Google Cloud",
}
KNOWN_COMPONENTS: dict[str, str] = {**DATASTORES, **CLOUDS}


@cache
def _pattern(name: str) -> re.Pattern[str]:
    """Compiled matcher for a canonical name (or, for unknown names, the name itself as a word)."""
    body = KNOWN_COMPONENTS.get(name) or next(
        (rx for canon, rx in KNOWN_COMPONENTS.items() if re.fullmatch(rx, name, re.IGNORECASE)),
        re.escape(name),
    )
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def mentioned(text: str, name: str) -> bool:
    """Whether ``text`` names the component ``name`` (by any of its spellings)."""
    return _pattern(name).search(text) is not None


def find_mention(text: str, name: str) -> re.Match[str] | None:
    """Return the first mention of ``name`` in ``text``."""
    return _pattern(name).search(text)


@cache
def canonical(name: str) -> str | None:
    """Return the known component that ``name`` spells, if any ('Postgres' → 'PostgreSQL')."""
    for canon, rx in KNOWN_COMPONENTS.items():
        if canon.lower() == name.lower() or re.fullmatch(rx, name, re.IGNORECASE):
            return canon
    return None
