"""The kind of software a QA document is about, from weighed evidence, each piece with its line.

The kind decides the whole release path downstream: a network service gets a platform and a load
balancer, a mobile app store tracks and crash-rate gates, a library or CLI signed releases in a
package registry, an embedded/TV app a device fleet. So it is read from what the document shows,
never assumed here: ``"unknown"`` when the evidence is thin (the DevOps stage then states its
default as an assumption).

Every :class:`KindSignal` is one rule of how each kind of software is tested and described:
HTTP endpoints, status codes and load tests belong to services; ``--help``, subcommands and
``cargo install`` to command-line tools; APKs, TestFlight and tablets to mobile apps; webOS, remote
controls and firmware to embedded/TV software; testnets, validators and consensus to distributed
nodes; ETL and batch jobs to data pipelines; package registries, public APIs and semver to
libraries. The stack adds its own weight (a web framework is a service, Flutter a mobile app), and a
document describing itself ("This is an internal data-processing platform") weighs most.

Scoring: each signal counts once per line, and at most :data:`_CAP` times its weight per document,
so fifty ``--help`` lines do not drown everything else. Hypothetical or negated mentions ("iOS
testing is out of scope", "no mobile client yet") do not count. The kind with the highest score
wins when it reaches :data:`MIN_SCORE`; its strongest lines are its evidence. Other kinds that reach
:data:`MIN_SCORE` and :data:`_ALSO_SHARE` of the winner's score are listed in ``KindFact.also`` (a
Flutter app with its Laravel API: ``service`` plus ``mobile``).

Values (``SoftwareKind``): service, library, cli, mobile, desktop, embedded (TV, kiosk and device
software too), data_pipeline, distributed_node, unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from opsrelay.facts.document import Document
from opsrelay.facts.model import Evidence, KindFact, QAFacts, SoftwareKind
from opsrelay.facts.stack import Sections
from opsrelay.facts.stack_signals import NeedleIndex, needles_of
from opsrelay.facts.text import clean, is_hedged

MIN_SCORE = 3.0
"""A kind needs at least this much evidence: one self-description, or two independent signals."""

_CAP = 3
_MAX_EVIDENCE = 5
_HEADING_FACTOR = 2.0
"""Headings summarise what follows ("GO for TestFlight", "CLI (happy path)"): their signals weigh double."""
_ALSO_SHARE = 0.6
"""A second kind is reported in ``also`` when it reaches :data:`MIN_SCORE` and this share of the winner."""


@dataclass(frozen=True)
class KindSignal:
    """Where ``pattern`` matches a line, ``kind`` gains ``weight`` (at most :data:`_CAP` times)."""

    kind: SoftwareKind
    pattern: re.Pattern[str]
    weight: float
    needles: frozenset[str] | None = None


def _k(kind: SoftwareKind, pattern: str, weight: float, *, ci: bool = True) -> KindSignal:
    return KindSignal(kind, re.compile(pattern, re.IGNORECASE if ci else 0), weight, needles_of(pattern))


SIGNALS: tuple[KindSignal, ...] = (
    # --- network services ---------------------------------------------------------------------------
    _k("service", r"\b(?:GET|POST|PUT|PATCH|DELETE)\s+`?/[\w{}:/.?=&*-]*", 2, ci=False),
    # An HTTP path, not a source folder ("backend/api/chat.py" is a file).
    _k("service", r"(?<![A-Za-z_-])/api(?:/v\d+)?/[\w-]+(?![\w.-])", 1.5),
    # Browser end-to-end tests, logins and staging users are how web applications are tested.
    _k(
        "service",
        r"\b(?:Cypress|Playwright|Selenium|Puppeteer)\b|\blogged\s+(?:in|out)\b|\bsign(?:ed)?\s+in\b",
        1.5,
    ),
    _k("service", r"\bstaging\s+(?:users?|url|environment|server)\b|https?://staging\.", 1),
    _k(
        "service",
        r"\bend-?points?\b|\bREST(?:ful)?\b|\bgRPC\b|\bGraphQL\b|\bweb\s?services?\b|\bHTTP\s+API\b",
        1,
    ),
    _k(
        "service",
        r"\bweb\s?app(?:lication)?s?\b|\bbackend\b(?!/)|\bmicro-?services?\b|\bAPI\s+(?:server|gateway)\b"
        r"|\b(?:application|app|web|HTTP)\s+servers?\b|\bload[\s-]balanc\w+|\belb\.amazonaws\.com\b|\bingress\b"
        r"|\breverse\s+proxy\b",
        1.5,
    ),
    _k(
        "service", r"\breq(?:uests)?/s(?:ec)?\b|\bRPS\b|\brequests\s+per\s+second\b|\bconcurrent\s+users\b", 1
    ),
    _k("service", r"\b(?:JMeter|k6|Locust|Gatling|Artillery|wrk|vegeta|ab\s+-n)\b", 1),
    _k(
        "service",
        r"\bHTTP\s*[1-5]\d\d\b|\b[45]\d\d\s+(?:errors?|responses?|Bad\s+Request|Unauthori[sz]ed|Forbidden|Not\s+Found"
        r"|Internal|Too\s+Many)\b|\b(?:status|returns?)\s+(?:code\s+)?[2-5]\d\d\b",
        1,
    ),
    # --- libraries and SDKs -------------------------------------------------------------------------
    _k(
        "library", r"\b(?:this|the|our)\s+(?:\w+\s+)?(?:library|SDK|crate|gem|npm\s+package|Go\s+module)\b", 3
    ),
    # "libraries" and "SDK" also appear in any application's report (its dependencies): a hint only.
    _k("library", r"\blibrar(?:y|ies)\b|\bSDKs?\b|\bclient\s+librar\w+", 0.5),
    _k(
        "library",
        r"\bpublic\s+API\b|\bAPI\s+surface\b|\bexported\s+(?:functions?|types?|symbols?|API)\b",
        1.5,
    ),
    _k(
        "library",
        r"\bsemver\b|\bsemantic\s+versioning\b|\bbreaking\s+changes?\b|\bbackwards?[\s-]compatib\w+",
        1,
    ),
    _k(
        "library",
        r"\bgo\s+get\s+\S|\bcargo\s+add\s+\S|\bcomposer\s+require\s+\S|\bdotnet\s+add\s+package\b"
        r"|\bpip\s+install\s+(?!-)[\w\[\]-]+|\bnpm\s+(?:install|i)\s+(?!-)@?[\w/-]+",
        1.5,
    ),
    _k(
        "library",
        r"\b(?:publish\w*|released?|upload\w*)\s+(?:\w+\s+){0,3}(?:to|on)\s+(?:crates\.io|npm|PyPI|Maven\s+Central"
        r"|pkg\.go\.dev|RubyGems|NuGet|Packagist|pub\.dev)\b",
        3,
    ),
    _k(
        "library",
        r"\bgo\.mod\b|\bimport\s+path\b|\bdownstream\s+(?:users|consumers|projects)\b|\bconsumers?\b",
        1,
    ),
    _k("library", r"(?<![\w/])pkg/\w+", 0.5),
    # --- command-line tools -------------------------------------------------------------------------
    # A vendor's CLI used to deploy or test ("AWS CLI", "kubectl") is a tool, not the product.
    _k(
        "cli",
        r"(?<!AWS\s)(?<!Azure\s)(?<!gcloud\s)(?<!GitHub\s)(?<!Heroku\s)(?<!Vercel\s)(?<!Firebase\s)"
        r"(?<!Supabase\s)(?<!Stripe\s)(?<!Angular\s)(?<!Expo\s)(?<!EAS\s)(?<!Nest\s)(?<!Docker\s)"
        r"(?<!Railway\s)(?<!Netlify\s)(?<!\bgh\s)(?<!\bFly\s)(?<!Google\sCloud\s)\bCLI\b|\bcommand[\s-]?line\b",
        2,
    ),
    _k("cli", r"(?<![\w-])--(?:help|version)\b", 1.5),
    _k("cli", r"\bsub-?commands?\b|\bexit\s+codes?\b|\bstdout\b|\bstderr\b|\bargv\b", 1),
    _k("cli", r"\b(?:binary|binaries|executable)\b", 1),
    _k(
        "cli",
        r"\b(?:brew\s+(?:install|upgrade)|cargo\s+install|go\s+install|pipx\s+install|npm\s+(?:install|i)\s+-g"
        r"|scoop\s+install|winget\s+install)\b",
        2,
    ),
    # --- mobile apps ----------------------------------------------------------------------------------
    _k(
        "mobile",
        r"\bAndroid\b|\biOS\b|\biPhone\b|\biPad\b|\bAPKs?\b|\bAABs?\b|\bPlay\s+Store\b|\bGoogle\s+Play\b"
        r"|\bApp\s+Store\b|\bTestFlight\b|\btablets?\b|\bsmartphones?\b|\bmobile\s+app(?:lication)?s?\b|\bemulator\b",
        2,
    ),
    # "mobile app" in other languages (aplicación móvil, aplikasi mobile, мобильное приложение, 移动应用…).
    _k(
        "mobile",
        r"\baplicaci[oó]n\s+m[oó]vil\b|\baplica[cç][aã]o\s+m[oó]vel\b|\bapplication\s+mobile\b|\baplikasi\s+"
        r"(?:mobile|seluler)\b|\bмобильн\w+\s+приложени\w*|移动应用|手机应用|モバイルアプリ|모바일\s?앱",
        2,
    ),
    _k(
        "mobile",
        r"\bconnectedAndroidTest\b|\bAndroidManifest\.xml\b|\b(?:assemble|bundle)Release\b|\badb\s+\w",
        2,
    ),
    _k("mobile", r"\bANRs?\b|\bApp\s+Not\s+Responding\b|\bpush\s+notifications?\b|\bcrash[\s-]free\b", 1),
    # --- desktop apps ---------------------------------------------------------------------------------
    _k(
        "desktop",
        r"\bdesktop\s+(?:app(?:lication)?|client|software)s?\b|\b(?:Windows|macOS|Linux)\s+app(?:lication)?s?\b",
        2,
    ),
    _k("desktop", r"\binstallers?\b|\.(?:exe|dmg|msi|AppImage)\b|\bFlatpak\b|\bnotari[sz]ation\b", 1.5),
    # --- embedded, TV and device software -------------------------------------------------------------------
    _k(
        "embedded",
        r"\bwebOS\w*|\bTizen\b|\bAndroid\s+TV\b|\bsmart\s?TVs?\b|\bTVs?\b|\bset[\s-]top\s+box\w*"
        r"|\bremote\s+control\w*|리모컨|遥控|リモコン",
        2.5,
    ),
    # Firmware, device fleets and over-the-air updates exist only for device software.
    _k("embedded", r"\bfirmware\b|\bdevice\s+fleets?\b|\bOTA\s+updates?\b|\bover[\s-]the[\s-]air\b", 3),
    _k(
        "embedded",
        r"\bembedded\s+(?:devices?|systems?|software|targets?|Linux|boards?|hardware)\b|\bmicrocontrollers?\b"
        r"|\bRTOS\b|\bYocto\b|\bRaspberry\s+Pi\b|\bESP32\b|\bArduino\b|\bkiosks?\b",
        2,
    ),
    _k("embedded", r"\bCHANNEL_(?:UP|DOWN)\b|\bchannel\s+(?:up|down|buttons?)\b|\bD-?pad\b", 1),
    # --- data pipelines -------------------------------------------------------------------------------
    _k(
        "data_pipeline",
        r"\bETL\b|\bELT\b|\bdata[\s-]pipelines?\b|\bdata[\s-]processing\b|\bAirflow\b|\bApache\s+Spark\b"
        r"|\bPySpark\b|\bFlink\b|\bApache\s+Beam\b|\bdbt\b|\bDagster\b|\bPrefect\b|\bdata\s+warehouse\b",
        3,
    ),
    _k(
        "data_pipeline",
        r"\bbatch\s+(?:jobs?|processing|pipeline)\b|\bstream\s+processing\b|\bingestion\b|\bconsumer\s+groups?\b",
        1.5,
    ),
    # --- distributed nodes ----------------------------------------------------------------------------
    _k(
        "distributed_node",
        r"\btestnet\b|\bmainnet\b|\bdevnet\b|\bvalidator\s+(?:nodes?|set|keys?)\b|\bstaking\b|\bblockchain\b|\bconsensus\b|\bRaft\b|\bPaxos\b|\bPBFT\b"
        r"|\bgossip\b|\bpeer[\s-]to[\s-]peer\b|\bp2p\b|\bquorum\b|\bleader\s+election\b|\b\d+[\s-]nodes?\s+cluster\b"
        r"|\bblock\s+height\b|\bfinality\b",
        2,
    ),
    _k("distributed_node", r"\breplicas?\b|\breplication\b|\bcluster\s+mode\b", 0.5),
)

# A document that says what it is: "This is an internal data-processing platform", "gognee is a
# Go library" (the project's name as the subject, when the document names its project).
_SELF = re.compile(
    r"\b(?:this|it)\s+is\s+an?\s+(?P<what>(?:[\w-]+\s+){0,4}?"
    r"(?:platform|service|api|library|sdk|package|crate|tool|cli|app|application|pipeline|node|firmware|browser))\b",
    re.I,
)
_SELF_KINDS: tuple[tuple[re.Pattern[str], SoftwareKind], ...] = (
    (re.compile(r"data[\s-]?(?:processing|pipeline)|etl|batch|streaming", re.I), "data_pipeline"),
    (re.compile(r"mobile|android|ios", re.I), "mobile"),
    (re.compile(r"command[\s-]?line|\bcli\b", re.I), "cli"),
    (re.compile(r"library|sdk|package|crate", re.I), "library"),
    (re.compile(r"desktop", re.I), "desktop"),
    (re.compile(r"embedded|firmware|\btv\b", re.I), "embedded"),
    (re.compile(r"\bnode\b|validator", re.I), "distributed_node"),
    (re.compile(r"service|api|web|platform|application|app", re.I), "service"),
)
_SELF_WEIGHT = 4.0

# What the stack says about the kind of software (canonical names from opsrelay.facts.stack).
_STACK_KINDS: dict[str, tuple[SoftwareKind, float]] = {
    **dict.fromkeys(
        (
            "Spring Boot",
            "Jersey",
            "Quarkus",
            "Micronaut",
            "ASP.NET Core",
            "Django",
            "Flask",
            "FastAPI",
            "Rails",
            "Laravel",
            "Symfony",
            "Express",
            "NestJS",
            "Next.js",
            "Gin",
            "Echo",
            "Fiber",
            "Actix",
            "Axum",
            "Ktor",
            "Phoenix",
            "Sinatra",
            "Fastify",
            "Koa",
            "Hono",
        ),
        ("service", 3.0),
    ),
    **dict.fromkeys(("Flutter", "React Native/Expo", "TestFlight/App Store"), ("mobile", 3.0)),
    **dict.fromkeys(("Electron", "Tauri"), ("desktop", 3.0)),
    "Qt": ("desktop", 1.5),
}

_INDEX = NeedleIndex([sig.needles for sig in SIGNALS])
_SELF_HINT = re.compile(r"\b(?:this|it)\s+is\s+an?\b", re.I)

_OUT_OF_SCOPE = re.compile(r"out[\s-]of[\s-]scope|not\s+in\s+scope|excluded", re.I)


@dataclass
class _Tally:
    score: float = 0.0
    hits: dict[int, int] | None = None
    lines: list[tuple[float, int]] | None = None

    def add(self, signal_id: int, weight: float, line: int) -> None:
        hits = self.hits if self.hits is not None else {}
        lines = self.lines if self.lines is not None else []
        self.hits, self.lines = hits, lines
        if hits.get(signal_id, 0) >= _CAP:
            return
        hits[signal_id] = hits.get(signal_id, 0) + 1
        self.score += weight
        lines.append((weight, line))


def _lines(doc: Document) -> Iterable[tuple[int, str, bool]]:
    """(line number, text, is code) for every line outside front matter and non-fact sections."""
    sections = Sections(doc)
    for n, raw in enumerate(doc.lines, start=1):
        if not raw.strip() or doc.in_front_matter(n):
            continue
        if sections.non_fact(n) or any(_OUT_OF_SCOPE.search(h) for h in sections.path(n)):
            continue
        yield n, raw, n in doc.code_lines


def _self_pattern(facts: QAFacts) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The self-description patterns, with the project's own name as a subject when it is known."""
    if facts.project is None or not facts.project.value.strip():
        return _SELF, _SELF_HINT
    name = re.escape(facts.project.value.strip())
    subject = rf"(?:this|it|{name})"
    return (
        re.compile(_SELF.pattern.replace(r"(?:this|it)", subject, 1), re.I),
        re.compile(_SELF_HINT.pattern.replace(r"(?:this|it)", subject, 1), re.I),
    )


def score_kinds(doc: Document, facts: QAFacts) -> dict[SoftwareKind, tuple[float, list[int]]]:
    """Score of every kind with evidence, and its evidence lines (strongest first)."""
    tallies: dict[SoftwareKind, _Tally] = {}
    self_pattern, self_hint = _self_pattern(facts)

    def tally(kind: SoftwareKind) -> _Tally:
        return tallies.setdefault(kind, _Tally())

    for n, raw, in_code in _lines(doc):
        text = raw if in_code else clean(raw)
        factor = _HEADING_FACTOR if not in_code and doc.is_heading_line(n) else 1.0
        for i in _INDEX.candidates(text.lower()):
            sig = SIGNALS[i]
            m = sig.pattern.search(text)
            if m is None or (not in_code and is_hedged(text, m.start(), m.end())):
                continue
            tally(sig.kind).add(i, sig.weight * factor, n)
        if not in_code and self_hint.search(text):
            for m in self_pattern.finditer(text):
                what = m.group("what")
                kind = next((k for p, k in _SELF_KINDS if p.search(what)), None)
                if kind is not None:
                    tally(kind).add(-1, _SELF_WEIGHT, n)
                    break
    for index, item in enumerate(facts.stack):
        found = _STACK_KINDS.get(item.name)
        if found is not None:
            tally(found[0]).add(-1000 - index, found[1], item.evidence.line)
    if len(facts.services) >= 2:
        tally("service").add(-100, 3.0, facts.services[0].evidence.line)
    result: dict[SoftwareKind, tuple[float, list[int]]] = {}
    for kind, t in tallies.items():
        ordered = sorted(t.lines or [], key=lambda wl: (-wl[0], wl[1]))
        lines = list(dict.fromkeys(line for _, line in ordered if line > 0))
        result[kind] = (round(t.score, 2), lines)
    return result


def extract_software_kind(doc: Document, facts: QAFacts) -> None:
    """Fill ``facts.software_kind``: the best-evidenced kind, or ``unknown`` below :data:`MIN_SCORE`.

    Reads ``facts.stack`` and ``facts.services``, so it runs after the stack and services steps.
    """
    scores = score_kinds(doc, facts)
    if not scores:
        facts.software_kind = KindFact()
        return
    kind, (score, lines) = max(scores.items(), key=lambda kv: kv[1][0])
    if score < MIN_SCORE:
        facts.software_kind = KindFact()
        return
    evidence: list[Evidence] = [doc.evidence(n) for n in lines[:_MAX_EVIDENCE]]
    also = [
        k
        for k, (s, _) in sorted(scores.items(), key=lambda kv: -kv[1][0])
        if k != kind and s >= MIN_SCORE and s >= _ALSO_SHARE * score
    ]
    facts.software_kind = KindFact(value=kind, evidence=evidence, also=also)
