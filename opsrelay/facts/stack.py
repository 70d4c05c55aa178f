"""Technology stack: languages, frameworks, datastores, caches, queues, platforms, cloud, CI and tools.

Matching is deliberately conservative: whole words, case-sensitive where the name is also an
ordinary word (Go, Express, Rust, Swift, Helm…), and mentions inside recommendations, hypotheticals
or negations ("no k6 load tests", "should use Redis") do not count. Inline code and link targets are
ignored, so file names such as ``next.config.mjs`` do not turn into products.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsrelay.facts.document import Document
from opsrelay.facts.model import QAFacts, StackItem, StackKind
from opsrelay.facts.text import NON_FACT_HEADING, clean, is_hedged


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
        r"\bGolang\b|\bGo\s+1\.\d+\b|\b(?:written\s+in|in|using)\s+Go\b(?!\s+for)|\bGo\s+(?:modules|toolchain)\b"
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

_BY_TRIGGER: dict[str, list[int]] = {}
for _i, _tech in enumerate(CATALOGUE):
    for _word in _tech.triggers:
        _BY_TRIGGER.setdefault(_word, []).append(_i)

# A framework implies its language when the document never names the language itself.
IMPLIED_LANGUAGE = {
    "Spring Boot": "Java",
    "ASP.NET Core": "C#/.NET",
    "Django": "Python",
    "Flask": "Python",
    "FastAPI": "Python",
    "PyTorch": "Python",
    "Rails": "Ruby",
    "Laravel": "PHP",
    "Express": "Node.js",
    "NestJS": "Node.js",
    "Next.js": "Node.js",
}

_VERSION = re.compile(
    r"^\s*(?:\(\s*)?(?:[Vv]ersion\s*)?[:=]?\s*v?"
    r"(?P<v>\d+(?:\.(?:\d+|x))*\+?(?:\+[A-Za-z][\w.]*)?)(?![\w%/-]|\.\d)"
)
_VERSION_CELL = re.compile(
    r"^\s*\|\s*v?(?P<v>\d+(?:\.(?:\d+|x))*\+?(?:\+[A-Za-z][\w.]*)?)\s*(?:\([^)]*\))?\s*(?:\||$)"
)
_INNER_VERSION = re.compile(r"\s+v?(\d+(?:\.\d+)+|\d+)\b")
_TODO_LINE = re.compile(r"^\s*[-*+]\s+\[\s\]")
_TEST_DATASTORE = re.compile(r"in[\s-]memory|for\s+tests|test[\s-]only|h2\s+console", re.I)


def version_after(text: str, end: int) -> str | None:
    """Return a version written right after a name: 'PostgreSQL 15', 'Node Version: v23.6.0', '| v5.1.0'."""
    m = _VERSION_CELL.match(text[end : end + 60]) or _VERSION.match(text[end : end + 40])
    if not m:
        return None
    v = m.group("v")
    if re.fullmatch(r"\d{4}", v) or v in ("0",):
        return None
    return v


def extract_stack(doc: Document, facts: QAFacts) -> None:
    """Fill ``facts.stack``: one item per canonical name, first evidence, a version if any mention has one."""
    items: dict[str, StackItem] = {}
    for n, raw in doc.text_lines():
        path = doc.heading_path(n)
        if any(NON_FACT_HEADING.search(h.text) for h in path) or _TODO_LINE.match(raw):
            continue
        hits = {i for w in set(_TOKEN.findall(raw.lower())) for i in _BY_TRIGGER.get(w, ())}
        if not hits:
            continue
        candidates = [CATALOGUE[i] for i in sorted(hits)]
        text = clean(raw, keep_code=False)
        if not text:
            continue
        for tech in candidates:
            for m in tech.pattern.finditer(text):
                if is_hedged(text, m.start(), m.end()):
                    continue
                if tech.kind == "datastore" and _TEST_DATASTORE.search(text):
                    continue
                version = None
                if tech.kind != "cloud":
                    inner = _INNER_VERSION.search(m.group(0))
                    version = version_after(text, m.end()) or (inner.group(1) if inner else None)
                current = items.get(tech.name)
                if current is None:
                    items[tech.name] = StackItem(
                        name=tech.name, kind=tech.kind, version=version, evidence=doc.evidence(n)
                    )
                elif current.version is None and version:
                    items[tech.name] = current.model_copy(update={"version": version})
                break
    languages = {i.name for i in items.values() if i.kind == "language"}
    for framework, language in IMPLIED_LANGUAGE.items():
        item = items.get(framework)
        if item is not None and language not in languages:
            items[language] = StackItem(name=language, kind="language", evidence=item.evidence)
            languages.add(language)
    facts.stack = sorted(items.values(), key=lambda s: (s.evidence.line, _order(s.name)))


_ORDER = {t.name: i for i, t in enumerate(CATALOGUE)}


def _order(name: str) -> int:
    return _ORDER.get(name, len(_ORDER))
