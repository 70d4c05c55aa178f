"""Several services in one QA report: each deployable service with its runtime and its status.

A multi-service report names its services in a few recognisable ways, each a convention of how
such systems are built and described:

- a table with a *Service* (or *Component*, *Microservice*…) column, one row per service, often
  with a status column (``+ PASS`` / ``- FAIL``, ✅ / ❌, UP / DOWN);
- service names in prose, written the way deployable units are named: hyphenated and ending in
  ``-service``, ``-svc``, ``-api``, ``-gateway``, ``-worker`` … (``auth-service``,
  ``Gateway-Service``), or Kubernetes manifests (``k8s/payments-deployment.yaml``);
- the ``services:`` keys of a docker-compose file in a code block (datastores and monitoring
  containers are not application services: they are in the stack);
- "Failed services" / "Passed services" sections listing names.

Code modules are not services: ``authService.js`` and ``AuditLogService.java`` are classes, so
camel-case names and file names are ignored. A service is *failing* when its row, its line or its
section says it fails, is down, returns 5xx or does not build; *ok* when it passes; else unknown.
Its runtime is the language (or framework's language) named on its own row or line, in the
canonical names of :mod:`opsrelay.facts.stack`. Services are only reported when the document names
at least two: one service is simply the application.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from opsrelay.facts import vocab
from opsrelay.facts.document import Document
from opsrelay.facts.model import QAFacts, ServiceFact
from opsrelay.facts.stack import CATALOGUE, Sections
from opsrelay.facts.stack_signals import IMPLIED_LANGUAGE
from opsrelay.facts.text import clean, is_hedged

Status = Literal["ok", "failing", "unknown"]

MIN_SERVICES = 2

_SUFFIXES = r"service|svc|api|gateway|worker|server|consumer|producer|scheduler|proxy|bff"
# auth-service, Gateway-Service, payment_api: a deployable unit's name (not a file: no extension).
_HYPHENATED = re.compile(
    rf"(?<![\w/.@-])([A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*[-_](?:{_SUFFIXES}))(?![\w-]|\.\w)", re.I
)
_API_GATEWAY = re.compile(r"\bAPI\s+gateway\b", re.I)


def _words(*lines: str) -> frozenset[str]:
    """A set of words written as lines of space-separated words."""
    return frozenset(w for line in lines for w in line.split())


# "the auth service returns 500", "NLP service does not build": a one-word name before "service".
_SPACED = re.compile(r"(?<![\w-])([A-Z]{2,6}|[A-Za-z][a-z]{2,15})\s+(?:micro)?service\b(?![-\w])")
# "Securities Pricing Service", "API Gateway Service": a Title Case name of up to four words.
_TITLED = re.compile(
    r"(?<![\w-])((?:[A-Z][A-Za-z0-9]*(?:-[A-Z][A-Za-z0-9]*)*\s+){1,4})((?:[Mm]icro)?[Ss]ervice)\b(?![-\w])"
)
_NOT_NAMES = _words(
    "the a an this that these those each every any all one its our your their same other new main",
    "core web rest restful http https grpc cloud customer quality windows managed backend",
    "frontend external internal third party mock real target dependent downstream upstream single",
    "storage database message messaging background system platform application app hosted hosting",
    "public private shared whole entire given running deployed affected failing failed working",
    "healthy broken slow fast legacy remote local test testing production staging development dev",
    "prod per microservice service services of for and or with without to from in on at by as is",
    "are was were be been via no not every first second third last next previous both multiple true",
    "individual separate dedicated own specific particular respective some many few several another",
    "existing remaining underlying corresponding following upcoming missing pending incoming outgoing",
    "supporting resulting additional optional critical central general global manual technical legal",
    "primary secondary necessary auxiliary temporary dependent different independent consistent",
    "relevant important redundant resilient efficient transient persistent recent current frequent",
    "robust stable unstable core main key basic simple complex total overall actual original concurrent",
)
_MANIFEST = re.compile(r"\b([a-z][a-z0-9-]*?)-(?:deployment|statefulset|daemonset|svc|service)\.ya?ml\b")
_COMPOSE_SERVICES = re.compile(r"^(\s*)services:\s*$")
_YAML_KEY = re.compile(r"^(\s+)([A-Za-z0-9][\w.-]*):\s*(?:#.*)?$")
_IMAGE = re.compile(r"^\s+image:\s*['\"]?([\w./-]+)")

# Infrastructure containers, not application services (their products are in the stack).
_INFRA = re.compile(
    r"^(?:postgres\w*|pg\w*|mysql|mariadb|mongo\w*|redis\w*|memcached|kafka|zookeeper|rabbitmq|nats|elastic\w*"
    r"|opensearch|kibana|logstash|grafana|prometheus|jaeger|zipkin|loki|tempo|otel\w*|influxdb|minio|localstack"
    r"|nginx|traefik|envoy|haproxy|caddy|vault|consul|etcd|keycloak|mailhog|mailpit|adminer|pgadmin|db|cache"
    r"|broker|queue"
    # managed cloud services in cost or architecture tables
    r"|ec2|s3|rds|aurora|lambda|cloudfront|elb|alb|nlb|ecs|eks|fargate|sqs|sns|route\s?53|cloudwatch|iam"
    r"|dynamodb|elasticache|gke|cloud\s+(?:run|sql|storage|functions)|app\s+service|blob\s+storage|cdn|waf)"
    r"(?:[-_:].*)?$",
    re.I,
)
_PRODUCTS = {t.name.lower() for t in CATALOGUE}

_PASS = vocab.pattern("pass")
_FAIL = vocab.pattern("fail", "not_building", "down_words")
# The column of a services table, or a heading over services (lang/*.yaml: col_service).
_HEADER = vocab.pattern("col_service")
# Generic words that start like a service name but are not one: "service-to-service", "web-server".
_GENERIC_HEAD = _words(
    "service services server servers to per cross multi self inter micro non pre post sub end",
    "back front",
    # Kinds of server rather than names of one: "rest-api", "dev-server", "mock-server", "mcp-server".
    "rest web http https dev mock json test fake stub local remote graphql grpc language lsp mcp",
)
_FAIL_MARK = re.compile(r"❌|✗|✘|🔴|(?:^|\s)-\s*FAIL|\b5\d\d\b|\bHTTP\s*5\d\d\b|\berror\b", re.I)
_PASS_MARK = re.compile(r"✅|✔|✓|🟢|(?:^|\s)\+\s*PASS|\bUP\b|\bhealthy\b|\bOK\b")

# Language or framework names on a service's own line or row → canonical runtime.
_RUNTIME_NAMES: dict[str, str] = {
    "java": "Java",
    "kotlin": "Kotlin",
    "go": "Go",
    "golang": "Go",
    "rust": "Rust",
    "python": "Python",
    "node": "Node.js",
    "node.js": "Node.js",
    "nodejs": "Node.js",
    "typescript": "TypeScript",
    "javascript": "JavaScript",
    "c#": "C#/.NET",
    ".net": "C#/.NET",
    "dotnet": "C#/.NET",
    "ruby": "Ruby",
    "php": "PHP",
    "elixir": "Elixir",
    "scala": "Scala",
    "c++": "C++",
    "dart": "Dart",
    "bun": "Bun",
    **{fw.lower(): lang for fw, lang in IMPLIED_LANGUAGE.items()},
}
_RUNTIME = re.compile(
    r"(?<![\w.#+])("
    + "|".join(re.escape(k) for k in sorted(_RUNTIME_NAMES, key=len, reverse=True) if k != "go")
    + r"|Go(?=\s*[)\]|,/]|\s+\d)|Golang)(?![\w#+])",
    re.I,
)


# Coverage and code-structure lines speak of code modules ("User service: 91% lines"), not deployables.
_CODE_CONTEXT = re.compile(
    r"coverage|\blines?\b|\bbranch(?:es)?\b|\bstatements?\b|\blayer\b|\bclass(?:es)?\b", re.I
)
# Adjective endings ("available", "comprehensive", "robust" is listed): "-ing", "-al", "-ent" are
# left out, since billing, rental and payment services are real names; those adjectives are listed.
_ADJECTIVE = re.compile(r"(?:ble|ive|ful|ous|ic|ed|less)$", re.I)


def _name_word(word: str) -> bool:
    """Whether the word before "service" can be a service's name (not "the", "available", "web")."""
    return word.lower() not in _NOT_NAMES and (word.isupper() or not _ADJECTIVE.search(word))


def _prose_names(text: str) -> list[str]:
    """Service names written in prose: "Securities Pricing Service", "the auth service"."""
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for m in _TITLED.finditer(text):
        words = m.group(1).split()
        while words and words[0].lower() in _NOT_NAMES:
            words.pop(0)  # "The Pricing Service" → "Pricing Service"
        if words and _name_word(words[-1]):
            found.append(" ".join(words) + " " + m.group(2))
            taken.append((m.start(), m.end()))
    for m in _SPACED.finditer(text):
        if not any(a <= m.start() < b for a, b in taken) and _name_word(m.group(1)):
            found.append(f"{m.group(1)} service")
    return found


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _runtime_in(text: str) -> str | None:
    m = _RUNTIME.search(clean(text))
    if m is None:
        return None
    word = m.group(1)
    if word == "Go" or word.lower() == "golang":
        return "Go"
    return _RUNTIME_NAMES.get(word.lower())


def _status_of(text: str) -> Status:
    """Status (ok, failing or unknown) from a row or a line that names one service."""
    plain = clean(text)
    if _FAIL_MARK.search(text) or (
        (m := _FAIL.search(plain)) is not None and not is_hedged(plain, m.start(), m.end())
    ):
        return "failing"
    if _PASS_MARK.search(text) or _PASS.search(plain):
        return "ok"
    return "unknown"


def _plausible(name: str) -> bool:
    """A service name: short, not a bare product name, not a number or a placeholder."""
    bare = name.strip(" `*_")
    if not bare or len(bare) > 60 or not re.search(r"[A-Za-z]", bare):
        return False
    if bare.lower() in _PRODUCTS or _INFRA.match(bare):
        return False
    parts = re.split(r"[-_\s]+", bare.lower())
    if len(parts) > 1 and (parts[0] in _GENERIC_HEAD or "to" in parts):
        return False
    return not re.fullmatch(r"(?i)total|all|sum|overall|summary|n/?a|-+|—", bare)


class _Found:
    """Services in order of first mention, merged by normalised name."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.items: dict[str, ServiceFact] = {}

    def add(self, name: str, line: int, status: Status, runtime: str | None) -> None:
        name = name.strip(" `*_")
        if not _plausible(name):
            return
        key = _key(name)
        current = self.items.get(key)
        if current is None:
            self.items[key] = ServiceFact(
                name=name, runtime=runtime, status=status, evidence=self.doc.evidence(line)
            )
            return
        update: dict[str, object] = {}
        if current.runtime is None and runtime:
            update["runtime"] = runtime
        # Failing anywhere is failing: one passing mention does not clear a failure.
        if status == "failing" and current.status != "failing":
            update["status"] = "failing"
        elif status == "ok" and current.status == "unknown":
            update["status"] = "ok"
        if update:
            self.items[key] = current.model_copy(update=update)


def _from_tables(doc: Document, found: _Found) -> None:
    for table in doc.tables:
        col = next((i for i, h in enumerate(table.header) if _HEADER.fullmatch(clean(h).strip())), None)
        if col is None or len(table.rows) < MIN_SERVICES:
            continue
        for row in table.rows:
            if col >= len(row.cells):
                continue
            name = clean(row.cells[col])
            others = " | ".join(c for i, c in enumerate(row.cells) if i != col)
            found.add(name, row.line, _status_of(others), _runtime_in(others))


def _section_status(doc: Document, n: int) -> Status:
    """A "Failed services" / "Passed services" heading over a line gives its services' status."""
    for heading in reversed(doc.heading_path(n)):
        text = clean(heading.text)
        if _HEADER.search(text):
            if _FAIL.search(text):
                return "failing"
            if _PASS.search(text):
                return "ok"
    return "unknown"


def _compose_services(doc: Document) -> Iterator[tuple[str, int, str | None]]:
    """(name, line, image) of each service in docker-compose code blocks."""
    for block in doc.code_blocks:
        lines = list(block.lines)
        for i, (_, text) in enumerate(lines):
            m = _COMPOSE_SERVICES.match(text)
            if m is None:
                continue
            indent: int | None = None
            current: tuple[str, int] | None = None
            image: str | None = None
            for n, sub in lines[i + 1 :]:
                if not sub.strip():
                    continue
                depth = len(sub) - len(sub.lstrip())
                if depth <= len(m.group(1)):
                    break
                key = _YAML_KEY.match(sub)
                if key is not None and (indent is None or depth == indent):
                    if current is not None:
                        yield current[0], current[1], image
                    indent = depth
                    current, image = (key.group(2), n), None
                elif (im := _IMAGE.match(sub)) is not None:
                    image = im.group(1)
            if current is not None:
                yield current[0], current[1], image


def extract_services(doc: Document, facts: QAFacts) -> None:
    """Fill ``facts.services`` when the document names at least :data:`MIN_SERVICES` services."""
    found = _Found(doc)
    _from_tables(doc, found)
    for name, line, image in _compose_services(doc):
        if image is None or not _INFRA.match(image.rsplit("/", 1)[-1]):
            found.add(name, line, "unknown", None)
    sections = Sections(doc)
    for n, raw in enumerate(doc.lines, start=1):
        if not raw.strip() or doc.in_front_matter(n):
            continue
        names = [m.group(1) for m in _HYPHENATED.finditer(raw)]
        names += [m.group(1) for m in _MANIFEST.finditer(raw)]
        # "auth service" in prose is weaker evidence than "auth-service": only in statements of fact
        # about running code (not a recommendation, not a coverage figure of a code module).
        if not _CODE_CONTEXT.search(raw) and not sections.planned(n):
            names += _prose_names(clean(raw))
            if _API_GATEWAY.search(raw):
                names.append("api-gateway")
        if not names:
            continue
        section = _section_status(doc, n)
        # A line naming one service speaks about it; a line naming several does not give each a status.
        line_status = _status_of(raw) if len(set(map(_key, names))) == 1 else "unknown"
        status: Status = (
            "failing"
            if "failing" in (section, line_status)
            else ("ok" if "ok" in (section, line_status) else "unknown")
        )
        runtime = _runtime_in(raw) if len(names) == 1 else None
        for name in names:
            found.add(name, n, status, runtime)
    # Names listed under "Failed services" / "Passed services" headings (plain bullets).
    for n, raw in enumerate(doc.lines, start=1):
        m = re.match(r"^\s*[-*+]\s+`?([A-Za-z][\w.-]{1,60})`?\s*$", raw)
        if m is None:
            continue
        section = _section_status(doc, n)
        if section != "unknown" and _key(m.group(1)) in found.items:
            found.add(m.group(1), n, section, None)
    services = list(found.items.values())
    facts.services = services if len(services) >= MIN_SERVICES else []
