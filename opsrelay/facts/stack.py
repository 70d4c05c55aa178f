"""Technology stack: languages, frameworks, datastores, caches, queues, platforms, cloud, CI and tools.

Evidence is *weighed*, not just found. Each candidate product collects a score from every line that
evidences it:

- a direct mention of its name (the :data:`CATALOGUE`) weighs 3; whole words, case-sensitive where
  the name is also an ordinary word (Go, Express, Rust, Swift, Helm…);
- indirect evidence (:mod:`opsrelay.facts.stack_signals`) weighs 0.5 to 3: file names and extensions
  (``AuditLogService.java``), build and test tools (``cargo build``, ``go test ./...``,
  ``php artisan``, ``bundle exec``, ``flutter test``, ``bun test``, CMake), framework conventions
  (``SPRING_PROFILES_ACTIVE``, ``application.yml``, ``@RestControllerAdvice``), migration tools
  (Flyway ``V16__x.sql``, Alembic, Prisma), datastore clients and URLs (``psql``, ``redis-cli``,
  ``mongodb://``), environment variables and container images (``postgres:16``);
- a mention in a comparison ("unlike Node.js", "vs. Jersey") weighs a sixth; one followed by
  "(assumed)" weighs less; a hypothetical, recommended or negated one ("should add Redis",
  "Implement Redis caching", "no k6 tests") and one in a to-do item counts nothing; indirect
  evidence inside a recommendations section counts half (a file it names still exists).

A product is kept when its score reaches :data:`KEEP_SCORE` (one direct mention, or e.g. one
``.java`` path); a framework adds its language when nothing names the language. Datastores named
only in a test context (in-memory SQLite for tests, the H2 console) and languages seen only in
load-test tooling (``k6 run load/k6-test.js``, ``npm run smoke``) are not the application's stack
and are left out. ``facts.stack`` is sorted by kind, then by score (strongest first), so the first
language is the best-evidenced one; each item's evidence is its strongest line.

Canonical names emitted (what :mod:`opsrelay.agents.devops` may rely on):

- languages / runtimes (kind ``language``): Python, Node.js, TypeScript, JavaScript, Java, Kotlin,
  Scala, Go, C#/.NET, Ruby, PHP, Rust, Swift, C++, Dart, Bun, Deno, Elixir. JVM build and test
  tools (Gradle, Maven, JaCoCo) count for the JVM language the document shows, else Java;
- frameworks: Spring Boot (also for Spring MVC / Data / Cloud / WebFlux, Eureka, Feign), Jersey,
  Quarkus, Micronaut, ASP.NET Core, Django, Flask, FastAPI, Rails, Laravel, Symfony, Express,
  NestJS, Next.js, Fastify, Koa, Hono, Gin, Echo, Fiber, Actix, Axum, Ktor, Phoenix, Sinatra,
  React, React Native/Expo, Vue, Angular, Svelte, Flutter, Qt, Electron, Tauri, Prisma, PyTorch;
  ``application.yml`` counts for the JVM framework the document names, else Spring Boot;
- build and migration tools (kind ``tool``): Gradle, Maven, CMake, Flyway, Liquibase, Alembic,
  Sequelize, TypeORM, EF Core, golang-migrate, Diesel, plus the test and load tools (Jest, pytest,
  JUnit, Testcontainers, k6, JMeter…);
- datastores: PostgreSQL, MySQL, MariaDB, MongoDB, SQLite, SQL Server, Elasticsearch, DynamoDB,
  Cassandra, Supabase, ClickHouse, CockroachDB, Neo4j, Oracle Database, Firestore, CouchDB,
  Couchbase, ScyllaDB, TimescaleDB, H2 (only outside a test context; the DevOps stage treats H2 as
  test-only anyway); caches: Redis, Memcached, Hazelcast; queues: Kafka, RabbitMQ, SQS, NATS,
  Celery, Sidekiq, BullMQ, ActiveMQ, Pulsar, Kinesis, Pub/Sub;
- platforms, cloud, observability and CI as listed in :data:`CATALOGUE` (plus Podman, InfluxDB).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsrelay.facts.document import Document
from opsrelay.facts.model import Evidence, QAFacts, StackItem, StackKind
from opsrelay.facts.stack_signals import (
    IMPLIED_LANGUAGE,
    JVM,
    JVM_CONFIG,
    JVM_FRAMEWORKS,
    JVM_LANGUAGES,
    SIGNALS,
    NeedleIndex,
    Signal,
)
from opsrelay.facts.text import NON_FACT_HEADING, RECOMMENDATION_HEADING, clean, is_hedged


@dataclass(frozen=True)
class Tech:
    """A product the extractor knows: canonical name, kind, and the pattern that finds it."""

    name: str
    kind: StackKind
    pattern: re.Pattern[str]
    triggers: frozenset[str]


_TOKEN = re.compile(r"[a-z0-9#+]+")

# Extra lower-case words that can start a mention (the first word of the name always can).
_TRIGGERS = {
    "Node.js": "nodejs",
    "Go": "golang",
    "C#/.NET": "net dotnet",
    "Next.js": "nextjs",
    "React Native/Expo": "expo",
    "NestJS": "nest",
    "Rails": "ruby",
    "ASP.NET Core": "asp",
    "Angular": "angularjs",
    "Svelte": "sveltekit",
    "PostgreSQL": "postgres postgre",
    "SQLite": "sqlite3",
    "SQL Server": "mssql",
    "Elasticsearch": "elastic opensearch",
    "Memcached": "memcache",
    "Docker": "dockerfile",
    "Kubernetes": "k8s eks gke aks",
    "Helm": "helm",
    "OpenShift": "ocp",
    "TestFlight/App Store": "app",
    "AWS": "amazon eks ecs ec2 s3",
    "GCP": "google gke",
    "Azure": "aks",
    "OpenTelemetry": "open otel",
    "ELK": "kibana logstash",
    "Fluent Bit": "fluentbit fluentd",
    "New Relic": "newrelic",
    "GitLab CI": "gitlabci",
    "Jenkins": "jenkinsfile",
    "CircleCI": "circle",
    "JUnit": "junit4 junit5",
}


def _t(name: str, kind: StackKind, pattern: str, *, ci: bool = True) -> Tech:
    words = {_TOKEN.findall(name.lower())[0], *_TRIGGERS.get(name, "").split()}
    return Tech(name, kind, re.compile(pattern, re.IGNORECASE if ci else 0), frozenset(words))


def _in_context(name: str) -> str:
    """Build a pattern for a language whose name is also an ordinary word: only in a clear context."""
    return (
        rf"\b{name}\s+v?\d+(?:\.\d+)*\b|\b(?:written\s+in|in|using|with)\s+{name}\b"
        rf"|\b{name}\s+(?:service|backend|code|crate|gem|package|app|toolchain|edition|version)s?\b"
        rf"|\b(?:Language|Languages|Runtime|Backend)\s*[:|]\s*(?:[^|\n]*?[,/+]\s*)?{name}\b"
    )


CATALOGUE: tuple[Tech, ...] = (
    # languages
    _t("Python", "language", r"\bPython\b", ci=False),
    _t("Node.js", "language", r"\bnode\.?js\b|\bNode(?=\s+(?:v?\d|[Vv]ersion\b))"),
    _t("TypeScript", "language", r"\btypescript\b"),
    _t("JavaScript", "language", r"\bjavascript\b"),
    _t("Java", "language", r"\bJava\b(?!\s*Script)", ci=False),
    _t("Kotlin", "language", r"\bKotlin\b"),
    _t(
        "Go",
        "language",
        r"\bGolang\b|\bGo\s+1\.\d+\b|\b(?:written\s+in|in|using|uses?|built\s+with)\s+Go\b(?!\s+for)|\bGo\s+(?:modules|toolchain)\b"
        r"|\b(?:Language|Languages|Runtime)\s*[:|]\s*(?:[^|\n]*?[,/]\s*)?Go\b",
        ci=False,
    ),
    _t(
        "C#/.NET",
        "language",
        r"(?<![\w.])C#(?!\w)|(?<![\w.])\.NET(?:\s+(?:Core\s+)?\d+(?:\.\d+)?)?\b|\bdotnet\b",
        ci=False,
    ),
    _t("Ruby", "language", _in_context("Ruby") + r"|\bRuby\s+on\s+Rails\b", ci=False),
    _t("PHP", "language", r"\bPHP\b", ci=False),
    _t("Rust", "language", _in_context("Rust"), ci=False),
    _t("Swift", "language", _in_context("Swift") + r"|\bSwiftUI\b", ci=False),
    _t("C++", "language", r"(?<![\w+])C\+\+(?:\s?\d\d)?(?![\w+])", ci=False),
    _t("Dart", "language", r"\bDart\b", ci=False),
    _t("Scala", "language", r"\bScala\b", ci=False),
    _t("Elixir", "language", r"\bElixir\b", ci=False),
    _t("Bun", "language", _in_context("Bun"), ci=False),
    # frameworks
    _t("Spring Boot", "framework", r"\bspring[\s-]?boot\b"),
    _t("Next.js", "framework", r"\bnext\.?js\b"),
    _t("React Native/Expo", "framework", r"\bReact\s+Native\b|\bExpo\b", ci=False),
    _t("React", "framework", r"\bReact(?:\.?js)?\b(?!\s+Native)", ci=False),
    _t("Express", "framework", r"\bExpress(?:\.js)?\b(?!\s+(?:delivery|checkout|shipping))", ci=False),
    _t("FastAPI", "framework", r"\bfastapi\b"),
    _t("Django", "framework", r"\bdjango\b"),
    _t("Flask", "framework", r"\bFlask\b", ci=False),
    _t("NestJS", "framework", r"\bnest\.?js\b"),
    _t("Rails", "framework", r"\bRuby\s+on\s+Rails\b|\bRails\b", ci=False),
    _t("ASP.NET Core", "framework", r"\bASP\.NET(?:\s+Core)?\b"),
    _t("Laravel", "framework", r"\bLaravel\b"),
    _t("Vue", "framework", r"\bVue(?:\.?js)?\b", ci=False),
    _t("Angular", "framework", r"\bAngular(?:JS)?\b", ci=False),
    _t("Svelte", "framework", r"\bSvelte(?:Kit)?\b", ci=False),
    _t("Prisma", "framework", r"\bPrisma\b", ci=False),
    _t("PyTorch", "framework", r"\bpytorch\b"),
    _t("Gin", "framework", r"\bGin\b(?=\s+(?:framework|router|server|handlers?|middleware)|\s*\()", ci=False),
    _t("Fastify", "framework", r"\bFastify\b"),
    _t("Koa", "framework", r"\bKoa(?:\.js)?\b", ci=False),
    _t("Hono", "framework", r"\bHono\b", ci=False),
    _t("Actix", "framework", r"\bActix(?:[\s-]web)?\b"),
    _t("Axum", "framework", r"\bAxum\b"),
    _t("Ktor", "framework", r"\bKtor\b"),
    _t(
        "Phoenix",
        "framework",
        r"\bPhoenix\b(?=\s+(?:framework|app|LiveView|1\.\d|\d))|\bLiveView\b",
        ci=False,
    ),
    _t("Sinatra", "framework", r"\bSinatra\b", ci=False),
    # datastores
    _t("PostgreSQL", "datastore", r"\bpostgre(?:s|sql)\b"),
    _t("MySQL", "datastore", r"\bmysql\b"),
    _t("MariaDB", "datastore", r"\bmariadb\b"),
    _t("MongoDB", "datastore", r"\bmongodb\b"),
    _t("SQLite", "datastore", r"\bsqlite3?\b"),
    _t("SQL Server", "datastore", r"\bSQL\s+Server\b|\bMSSQL\b"),
    _t("Elasticsearch", "datastore", r"\belastic\s?search\b|\bOpenSearch\b"),
    _t("DynamoDB", "datastore", r"\bdynamodb\b"),
    _t("Cassandra", "datastore", r"\bCassandra\b", ci=False),
    _t("Supabase", "datastore", r"\bSupabase\b"),
    _t("ClickHouse", "datastore", r"\bClickHouse\b"),
    _t("CockroachDB", "datastore", r"\bCockroachDB\b"),
    _t("Neo4j", "datastore", r"\bNeo4j\b"),
    _t("Oracle Database", "datastore", r"\bOracle\s+(?:DB|Database|\d{2}c)\b", ci=False),
    _t("Firestore", "datastore", r"\bFirestore\b"),
    _t("CouchDB", "datastore", r"\bCouchDB\b"),
    _t("Couchbase", "datastore", r"\bCouchbase\b"),
    _t("ScyllaDB", "datastore", r"\bScylla(?:DB)?\b"),
    _t("TimescaleDB", "datastore", r"\bTimescale(?:DB)?\b"),
    # caches
    _t("Redis", "cache", r"\bredis\b"),
    _t("Memcached", "cache", r"\bmemcached?\b"),
    _t("Hazelcast", "cache", r"\bhazelcast\b"),
    # queues
    _t("Kafka", "queue", r"\bkafka\b"),
    _t("RabbitMQ", "queue", r"\brabbitmq\b"),
    _t("SQS", "queue", r"\bSQS\b", ci=False),
    _t("NATS", "queue", r"\bNATS\b", ci=False),
    _t("Celery", "queue", r"\bCelery\b"),
    _t("Sidekiq", "queue", r"\bSidekiq\b"),
    _t("BullMQ", "queue", r"\bBullMQ\b"),
    _t("ActiveMQ", "queue", r"\bActiveMQ\b"),
    _t("Pulsar", "queue", r"\bApache\s+Pulsar\b|\bPulsar\s+(?:topics?|brokers?|cluster)\b", ci=False),
    _t("Kinesis", "queue", r"\bKinesis\b"),
    _t("Pub/Sub", "queue", r"\bPub/Sub\b|\bPubSub\b", ci=False),
    # platforms
    _t("Docker", "platform", r"\bdocker(?:file|[\s-]compose)?\b"),
    _t("Kubernetes", "platform", r"\bkubernetes\b|\bk8s\b|\bEKS\b|\bGKE\b|\bAKS\b"),
    _t("Helm", "platform", r"\bHelm\b|\bhelm\s+(?:chart|install|upgrade|template)\b", ci=False),
    _t("OpenShift", "platform", r"\bOpenShift\b|\bOCP\b", ci=False),
    _t("Vercel", "platform", r"\bvercel\b"),
    _t("Heroku", "platform", r"\bheroku\b"),
    _t("Netlify", "platform", r"\bnetlify\b"),
    _t("TestFlight/App Store", "platform", r"\bTestFlight\b|\bApp\s+Store\b", ci=False),
    _t("Vagrant", "platform", r"\bvagrant\b"),
    _t("PM2", "platform", r"\bPM2\b", ci=False),
    # cloud
    _t("AWS", "cloud", r"\bAWS\b|\bAmazon\s+Web\s+Services\b|\bEKS\b|\bECS\b|\bEC2\b|\bS3\b", ci=False),
    _t("GCP", "cloud", r"\bGCP\b|\bGoogle\s+Cloud\b|\bGKE\b", ci=False),
    _t("Azure", "cloud", r"\bAzure\b|\bAKS\b", ci=False),
    # observability
    _t("Prometheus", "observability", r"\bprometheus\b"),
    _t("Grafana", "observability", r"\bgrafana\b"),
    _t("OpenTelemetry", "observability", r"\bopen[\s-]?telemetry\b|\bOTEL\b|\bOTel\b"),
    _t("Datadog", "observability", r"\bdatadog\b"),
    _t("Sentry", "observability", r"\bSentry\b", ci=False),
    _t("Jaeger", "observability", r"\bjaeger\b"),
    _t("ELK", "observability", r"\bELK\b|\bKibana\b|\bLogstash\b", ci=False),
    _t("Loki", "observability", r"\bLoki\b", ci=False),
    _t("Fluent Bit", "observability", r"\bfluent[\s-]?bit\b|\bfluentd\b"),
    _t("New Relic", "observability", r"\bnew\s?relic\b"),
    _t("Splunk", "observability", r"\bsplunk\b"),
    # CI
    _t("GitHub Actions", "ci", r"\bgithub\s+actions?\b|\.github/workflows\b"),
    _t("GitLab CI", "ci", r"\bgitlab[\s-]?ci\b|\.gitlab-ci\.ya?ml\b"),
    _t("Jenkins", "ci", r"\bjenkins(?:file)?\b"),
    _t("CircleCI", "ci", r"\bcircle\s?ci\b"),
    _t("Travis CI", "ci", r"\btravis(?:[\s-]?ci)?\b"),
    # test and load tools
    _t("Jest", "tool", r"\bJest\b", ci=False),
    _t("Vitest", "tool", r"\bvitest\b"),
    _t("Mocha", "tool", r"\bMocha\b", ci=False),
    _t("Cypress", "tool", r"\bcypress\b"),
    _t("Playwright", "tool", r"\bplaywright\b"),
    _t("Puppeteer", "tool", r"\bpuppeteer\b"),
    _t("Selenium", "tool", r"\bselenium\b"),
    _t("pytest", "tool", r"\bpytest\b"),
    _t("JUnit", "tool", r"\bJUnit\s?\d*\b", ci=False),
    _t("Testcontainers", "tool", r"\btestcontainers\b"),
    _t("Supertest", "tool", r"\bSupertest\b", ci=False),
    _t("Maestro", "tool", r"\bMaestro\b", ci=False),
    _t("RSpec", "tool", r"\bRSpec\b"),
    _t("k6", "tool", r"\bk6\b"),
    _t("Locust", "tool", r"\bLocust\b", ci=False),
    _t("JMeter", "tool", r"\bjmeter\b"),
    _t("Gatling", "tool", r"\bGatling\b", ci=False),
    _t("Artillery", "tool", r"\bArtillery\b", ci=False),
)

# A name on such a line is something else: "JUnit XML" and "formats: JSON, JUnit, TAP" are a report
# format that test runners of every language write, not the Java test framework.
_NOT_ON_LINE: dict[str, re.Pattern[str]] = {"JUnit": re.compile(r"\bformats?\b|\bXML\b|\breports?\b", re.I)}

_BY_TRIGGER: dict[str, list[int]] = {}
for _i, _tech in enumerate(CATALOGUE):
    for _word in _tech.triggers:
        _BY_TRIGGER.setdefault(_word, []).append(_i)

_VERSION = re.compile(
    r"^\s*(?:\(\s*)?(?:[Vv]ersion\s*)?[:=]?\s*v?"
    r"(?P<v>\d+(?:\.(?:\d+|x))*\+?(?:\+[A-Za-z][\w.]*)?)(?![\w%/-]|\.\d)"
)
_VERSION_CELL = re.compile(
    r"^\s*\|\s*v?(?P<v>\d+(?:\.(?:\d+|x))*\+?(?:\+[A-Za-z][\w.]*)?)\s*(?:\([^)]*\))?\s*(?:\||$)"
)
_INNER_VERSION = re.compile(r"\s+v?(\d+(?:\.\d+)+|\d+)\b")
_TODO_LINE = re.compile(r"^\s*[-*+]\s+\[\s\]")
# A datastore on such a line is test tooling (in-memory SQLite for tests, the H2 console of the dev
# profile), not the production datastore.
_TEST_DATASTORE = re.compile(
    r"in[\s-]memory|\bfor\s+(?:unit\s+|integration\s+)?tests\b|\btest[\s-]only\b|\bh2[\s.]console\b"
    r"|\bdev(?:elopment)?\s+profile\b|\btest\s+(?:database|db)\b|\(\s*test\b",
    re.I,
)


def version_after(text: str, end: int) -> str | None:
    """Return a version written right after a name: 'PostgreSQL 15', 'Node Version: v23.6.0', '| v5.1.0'."""
    m = _VERSION_CELL.match(text[end : end + 60]) or _VERSION.match(text[end : end + 40])
    if not m:
        return None
    v = m.group("v")
    if re.fullmatch(r"\d{4}", v) or v in ("0",):
        return None
    return v


KEEP_SCORE = 2.0
"""Score from which a candidate is in the stack: one direct mention (3) or e.g. one ``.java`` path (2)."""

_DIRECT_WEIGHT = 3.0
_COMPARISON_FACTOR = 1 / 6
_ASSUMED_FACTOR = 0.7
_RECOMMENDATION_FACTOR = 0.5

# "unlike Node.js", "compared to Jersey", "Spring MVC vs. Jersey": the product is a point of comparison.
_COMPARISON = re.compile(
    r"\b(?:unlike|compared\s+(?:to|with)|in\s+comparison\s+(?:to|with)|versus|vs\.?|rather\s+than|"
    r"as\s+opposed\s+to|(?:ported|migrated|moved|switched)\s+(?:away\s+)?from|formerly|previously|"
    r"benchmark(?:ed|s)?\s+against)(?:\s+[\w-]+){0,2}?\s*$",
    re.I,
)
# "(assumed)", "(probably)", "(likely)" right after a mention: evidence, but weaker.
_ASSUMED_AFTER = re.compile(
    r"^\s*\(?\s*(?:assumed|assumption|probably|likely|presumably|guess(?:ed)?)\b", re.I
)
# An imperative at the start of a list item or line ("Implement Redis caching", "Setup Redis"):
# a recommendation for the future, not the current stack.
_IMPERATIVE = re.compile(
    r"^\s*(?:[-*+]|\d{1,3}[.)])?\s*(?:\W{0,3}\s*)?(?:[A-Z][A-Za-z ]{0,15}:\s*)?"
    r"(?:implement|introduce|set\s*up|setup|enable|adopt|consider|migrate\s+to|switch\s+to|move\s+to|"
    r"deploy|install|integrate|evaluate|try)\b",
    re.I,
)
_KIND_ORDER: dict[StackKind, int] = {
    "language": 0,
    "framework": 1,
    "datastore": 2,
    "cache": 3,
    "queue": 4,
    "platform": 5,
    "cloud": 6,
    "observability": 7,
    "ci": 8,
    "tool": 9,
}


@dataclass
class _Candidate:
    """Evidence collected for one product: scores by role, strongest line, version of the strongest.

    Ties go to the earlier line: a document's environment table usually comes before its prose.
    """

    name: str
    kind: StackKind
    score: float = 0.0
    test_score: float = 0.0
    best_weight: float = 0.0
    best_line: int = 0
    version: str | None = None
    version_weight: float = 0.0
    version_line: int = 0

    def add(self, weight: float, line: int, version: str | None, *, test: bool = False) -> None:
        if weight <= 0:
            return
        if test:
            self.test_score += weight
            return
        self.score += weight
        if weight > self.best_weight or (weight == self.best_weight and line < self.best_line):
            self.best_weight, self.best_line = weight, line
        if version and (
            weight > self.version_weight or (weight == self.version_weight and line < self.version_line)
        ):
            self.version, self.version_weight, self.version_line = version, weight, line


class _Evidence:
    """All candidates of one document, keyed by canonical name."""

    def __init__(self) -> None:
        self.candidates: dict[str, _Candidate] = {}

    def add(
        self, name: str, kind: StackKind, weight: float, line: int, version: str | None, *, test: bool = False
    ) -> None:
        cand = self.candidates.get(name)
        if cand is None:
            cand = self.candidates[name] = _Candidate(name, kind)
        cand.add(weight, line, version, test=test)


class Sections:
    """What kind of section each line of a document sits in, computed once per heading.

    The document's title is left out of every section path: it names the whole document ("Plan 018
    — Vector Search Optimization") and, read as a section heading, would turn every line into a
    recommendation. The title is the single heading of the document's top level
    (:attr:`Document.title`, left out by :meth:`Document.section_path`).
    """

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._paths: dict[int, tuple[str, ...]] = {}
        self._flags: dict[int, tuple[bool, bool]] = {}

    def path(self, n: int) -> tuple[str, ...]:
        """Texts of the headings line ``n`` sits under, outermost first, without the title."""
        index = self.doc.heading_index(n)
        cached = self._paths.get(index)
        if cached is None:
            cached = tuple(h.text for h in self.doc.section_path(n))
            self._paths[index] = cached
        return cached

    def _flags_of(self, n: int) -> tuple[bool, bool]:
        index = self.doc.heading_index(n)
        flags = self._flags.get(index)
        if flags is None:
            path = self.path(n)
            flags = (
                any(RECOMMENDATION_HEADING.search(h) for h in path),
                any(NON_FACT_HEADING.search(h) for h in path),
            )
            self._flags[index] = flags
        return flags

    def non_fact(self, n: int) -> bool:
        """Whether line ``n`` is in a recommendations, references or appendix section."""
        return self._flags_of(n)[1]

    def planned(self, n: int) -> bool:
        """Whether line ``n`` is a recommendation, a plan or a to-do rather than a statement of fact.

        True in a recommendations section, for an unchecked to-do item, and for a list item whose
        lead-in line ("P1 - HIGH (Required for Production):", "Recommendations:") is itself one.
        """
        doc = self.doc
        raw = doc.line(n)
        if _TODO_LINE.match(raw) or self._flags_of(n)[0]:
            return True
        if not _LIST_ITEM.match(raw):
            return False
        for k in range(n - 1, max(0, n - 40), -1):
            prev = doc.line(k)
            if not prev.strip() or _LIST_ITEM.match(prev) or prev.startswith((" ", "\t")):
                continue
            if doc.is_heading_line(k):
                return False
            lead = clean(prev)
            return lead.rstrip().endswith(":") and (
                bool(RECOMMENDATION_HEADING.search(lead)) or is_hedged(lead, len(lead), len(lead))
            )
        return False


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")


def _mention_weight(text: str, start: int, end: int) -> float:
    """Weight of a direct mention at [start, end) of ``text``: 0 when it is not a statement of fact."""
    if is_hedged(text, start, end):
        return 0.0
    weight = _DIRECT_WEIGHT
    if _COMPARISON.search(text[max(0, start - 40) : start]):
        weight *= _COMPARISON_FACTOR
    if _ASSUMED_AFTER.match(text[end : end + 20]):
        weight *= _ASSUMED_FACTOR
    return weight


def _direct_mentions(doc: Document, sections: Sections, found: _Evidence) -> None:
    """Names from :data:`CATALOGUE` in prose and tables (not code): 3 each, less when qualified."""
    for n, raw in doc.text_lines():
        hits = {i for w in set(_TOKEN.findall(raw.lower())) for i in _BY_TRIGGER.get(w, ())}
        if not hits:
            continue
        if sections.non_fact(n) or sections.planned(n):
            continue
        text = clean(raw, keep_code=False)
        if not text or _IMPERATIVE.match(text):
            continue
        test_line = bool(_TEST_DATASTORE.search(text))
        for tech in (CATALOGUE[i] for i in sorted(hits)):
            unless = _NOT_ON_LINE.get(tech.name)
            if unless is not None and unless.search(text):
                continue
            for m in tech.pattern.finditer(text):
                weight = _mention_weight(text, m.start(), m.end())
                if weight <= 0:
                    continue
                version = None
                if tech.kind != "cloud":
                    inner = _INNER_VERSION.search(m.group(0))
                    version = version_after(text, m.end()) or (inner.group(1) if inner else None)
                test = test_line and tech.kind in ("datastore", "cache")
                found.add(tech.name, tech.kind, weight, n, version, test=test)
                break


def _signal_version(m: re.Match[str]) -> str | None:
    return next((v for k, v in m.groupdict().items() if k.startswith("v") and v), None)


# Pre-check: only the signals whose needles occur in a line run their regular expression.
_INDEX = NeedleIndex([sig.needles for sig in SIGNALS])


def _signals_for(lowered: str) -> list[Signal]:
    """The signals that may match a lower-cased line, in :data:`SIGNALS` order (load tooling first)."""
    return [SIGNALS[i] for i in _INDEX.candidates(lowered)]


_INLINE_CODE = re.compile(r"(`+)(.+?)\1")


def _code_spans(line: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _INLINE_CODE.finditer(line)] if "`" in line else []


def _indirect_signals(doc: Document, sections: Sections, found: _Evidence) -> None:
    """Indirect evidence (:data:`SIGNALS`) on every line, inline code and code blocks included."""
    for n, raw in enumerate(doc.lines, start=1):
        if not raw.strip():
            continue
        signals = _signals_for(raw.lower())
        if not signals:
            continue
        in_code = n in doc.code_lines
        # A file, command or variable named in a recommendation or a to-do item still exists
        # (one plans to run psql against the database there is): it counts, but half.
        factor = _RECOMMENDATION_FACTOR if sections.planned(n) else 1.0
        test_line = bool(_TEST_DATASTORE.search(raw))
        line = raw
        for sig in signals:
            if sig.role != "app":
                # Load-test scripts are masked so that their extension does not count for the app.
                for lm in sig.pattern.finditer(line):
                    line = line[: lm.start()] + " " * (lm.end() - lm.start()) + line[lm.end() :]
                continue
            m = sig.pattern.search(line)
            if m is None:
                continue
            weight = sig.weight * factor
            # Inline code is literal (``find_package(Qt5 REQUIRED)``): only prose can be hedged.
            literal = in_code or any(a <= m.start() and m.end() <= b for a, b in _code_spans(line))
            if not literal and is_hedged(line, m.start(), m.end()):
                weight *= _RECOMMENDATION_FACTOR
            test = test_line and sig.kind in ("datastore", "cache")
            found.add(sig.name, sig.kind, weight, n, _signal_version(m), test=test)


def _item(doc: Document, cand: _Candidate, line: int | None = None) -> StackItem:
    evidence: Evidence = doc.evidence(line if line is not None else cand.best_line)
    return StackItem(name=cand.name, kind=cand.kind, version=cand.version, evidence=evidence)


_SHARED: tuple[tuple[str, StackKind, tuple[str, ...]], ...] = (
    (JVM, "language", JVM_LANGUAGES),
    (JVM_CONFIG, "framework", JVM_FRAMEWORKS),
)


def _resolve_jvm(found: _Evidence) -> None:
    """Give evidence shared by JVM ecosystems to the one the document shows.

    Gradle, Maven and JaCoCo go to the JVM language shown (Kotlin for an Android app), else Java;
    ``application.yml`` goes to the JVM framework named (Quarkus, Micronaut), else Spring Boot.
    """
    for pseudo, kind, choices in _SHARED:
        shared = found.candidates.pop(pseudo, None)
        if shared is None:
            continue
        shown = [c for n in choices if (c := found.candidates.get(n)) is not None and c.score > 0]
        target = max(shown, key=lambda c: c.score).name if shown else choices[0]
        found.add(target, kind, shared.score, shared.best_line, shared.version)


def extract_stack(doc: Document, facts: QAFacts) -> None:
    """Fill ``facts.stack`` with the products whose weighed evidence reaches :data:`KEEP_SCORE`.

    One item per canonical name, its evidence the strongest line, a version when any evidence has
    one. Sorted by kind (languages first), then by score, strongest first.
    """
    found = _Evidence()
    sections = Sections(doc)
    _direct_mentions(doc, sections, found)
    _indirect_signals(doc, sections, found)
    _resolve_jvm(found)
    kept = {name: c for name, c in found.candidates.items() if c.score >= KEEP_SCORE}
    languages = {name for name, c in kept.items() if c.kind == "language"}
    for framework, language in IMPLIED_LANGUAGE.items():
        fw = kept.get(framework)
        if fw is None or language in languages:
            continue
        cand = found.candidates.get(language) or _Candidate(language, "language")
        # The framework's evidence is the language's: Spring Boot is Java even if no line says so.
        kept[language] = _Candidate(
            language,
            "language",
            score=max(cand.score, fw.score),
            best_weight=fw.best_weight,
            best_line=fw.best_line,
            version=cand.version,
        )
        languages.add(language)
    ordered = sorted(
        kept.values(), key=lambda c: (_KIND_ORDER[c.kind], -c.score, c.best_line, _order(c.name))
    )
    facts.stack = [_item(doc, c) for c in ordered]


_ORDER = {t.name: i for i, t in enumerate(CATALOGUE)}


def _order(name: str) -> int:
    return _ORDER.get(name, len(_ORDER))


def stack_scores(doc: Document) -> dict[str, float]:
    """The weighed score of every candidate product of a document (for tests and diagnostics)."""
    found = _Evidence()
    sections = Sections(doc)
    _direct_mentions(doc, sections, found)
    _indirect_signals(doc, sections, found)
    _resolve_jvm(found)
    return {name: round(c.score, 2) for name, c in found.candidates.items()}
