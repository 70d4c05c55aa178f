"""Indirect evidence of a technology stack: file names, build and test tools, clients, variables.

A QA document rarely writes "the backend is Java". It writes ``AuditLogService.java:78``,
``SPRING_PROFILES_ACTIVE=local``, ``V16__create_audit_log.sql`` and ``psql``. Each :class:`Signal`
here is one such rule of how software is built: a regular expression over a raw line (inline code
and code blocks included, since that is where paths and commands live), the canonical product it
points to, and a weight saying how strongly it points there.

Weights, on the scale used by :mod:`opsrelay.facts.stack` (a direct mention of a product weighs 3,
an item is kept from 2 up):

- 3: conclusive on its own: a tool that exists for one ecosystem only (``cargo build``,
  ``./target/release``, ``go test``, ``php artisan``, ``bundle exec``, ``flutter test``,
  ``SPRING_PROFILES_ACTIVE``, ``psql``, a ``postgres://`` URL, a Flyway ``V16__x.sql`` script);
- 2: a source file of the language (``Foo.java``), a language-only test or coverage tool (JaCoCo,
  PHPUnit), a framework convention (``application.yml`` for Spring, ``manage.py``);
- 1 or less: a hint that only counts together with others (``npm run``, ``*Controller.java`` for
  Spring, a ``.h`` header).

``role="mask"`` marks names that look like source files but are tool configuration
(``next.config.mjs``, ``jest.config.ts``): masked, they count for no language.
``role="load"`` marks load-test and benchmark tooling (``k6 run load/k6-test.js``,
``npm run smoke``): a load generator is a separate program, so its language says nothing about the
application's runtime. Such evidence is kept apart and only ever yields a *test-only* item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from opsrelay.facts.model import StackKind

Role = Literal["app", "load", "mask"]

JVM = "JVM"
"""Pseudo-language of JVM build and test tools (Gradle, Maven, JaCoCo): the stack resolves it to the
JVM language the document shows (Kotlin for an Android app built with Gradle), else to Java."""
JVM_LANGUAGES = ("Java", "Kotlin", "Scala")
JVM_CONFIG = "JVM config"
"""Pseudo-framework of ``application.yml``/``.properties``: the JVM framework the document names, else
Spring Boot (whose convention it is first)."""
JVM_FRAMEWORKS = ("Spring Boot", "Quarkus", "Micronaut")


@dataclass(frozen=True)
class Signal:
    """One rule of indirect evidence: where it matches, ``name`` (a ``kind``) gains ``weight``.

    With ``versioned``, named groups ``v``, ``v2``… hold a version ("Rust: 1.90.0", "OpenJDK 21").
    """

    name: str
    kind: StackKind
    pattern: re.Pattern[str]
    weight: float
    role: Role = "app"
    versioned: bool = False
    needles: frozenset[str] | None = None
    """Lower-case substrings of which every match contains one (``None``: no cheap pre-check)."""

    def may_match(self, lowered: str) -> bool:
        """Cheap pre-check on the lower-cased line before the regular expression runs."""
        return self.needles is None or any(n in lowered for n in self.needles)


def needles_of(pattern: str) -> frozenset[str] | None:
    r"""Literal runs that any match of ``pattern`` must contain: one per top-level alternative.

    A small reading of the pattern source: for each top-level ``|`` alternative, the longest run of
    plain characters outside groups and classes (an escaped ``\.`` is a plain dot; a quantified
    character is not required). ``None`` when some alternative has no run of two characters or more.
    """
    alternatives: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            close = pattern.find("]", i + 2)
            i = close + 1 if close > 0 else len(pattern)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            alternatives.append(pattern[start:i])
            start = i + 1
        i += 1
    alternatives.append(pattern[start:])
    found: set[str] = set()
    for alt in alternatives:
        best = max(_runs(alt), key=len, default="")
        if len(best) >= 2:
            found.add(best.lower())
            continue
        group = _required_group(alt)
        if group is None:
            return None
        found.update(group)
    return frozenset(found)


def _groups(alt: str) -> list[str]:
    """Contents of the non-capturing groups at depth 0 of an alternative that every match passes.

    Optional or repeated-from-zero groups (followed by ``?``, ``*`` or ``{``) and look-arounds are
    left out: a match need not contain what they hold.
    """
    found: list[str] = []
    depth, start, i = 0, -1, 0
    while i < len(alt):
        c = alt[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            close = alt.find("]", i + 2)
            i = close + 1 if close > 0 else len(alt)
            continue
        if c == "(":
            if depth == 0:
                start = i
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0 and start >= 0:
                inner = alt[start + 1 : i]
                optional = alt[i + 1 : i + 2] in ("?", "*", "{")
                if inner.startswith(("?:", "?i:")) and not optional:
                    found.append(inner.split(":", 1)[1])
                elif inner.startswith("?P<") and not optional:
                    found.append(inner.split(">", 1)[1])
        i += 1
    return found


def _required_group(alt: str) -> set[str] | None:
    """Needles of the first group every match passes through (its own alternatives, recursively)."""
    for inner in _groups(alt):
        found = needles_of(inner)
        if found is not None:
            return set(found)
    return None


def _runs(alt: str) -> list[str]:
    """Plain-character runs of one alternative at group depth 0."""
    runs: list[str] = []
    run = ""
    depth, i = 0, 0
    while i < len(alt):
        c = alt[i]
        nxt = alt[i + 1] if i + 1 < len(alt) else ""
        if c == "\\":
            lit = nxt if nxt in ".+-/@:()[]{}|*?^$\\" else None
            i += 2
            if depth == 0 and lit is not None and alt[i : i + 1] not in ("?", "*", "{"):
                run += lit
            else:
                runs.append(run)
                run = ""
            continue
        if c in "[{":
            # A character class or a {m,n} quantifier: not literal text.
            close = alt.find("]" if c == "[" else "}", i + 1)
            i = close + 1 if close > 0 else len(alt)
            runs.append(run)
            run = ""
            continue
        if c in "()":
            depth += 1 if c == "(" else -1
            runs.append(run)
            run = ""
        elif depth == 0 and (c.isalnum() or c in " _-/.:=@~`'\"<>,;&%!#"):
            if nxt in ("?", "*", "{"):
                runs.append(run)
                run = ""
            else:
                run += c
        else:
            runs.append(run)
            run = ""
        i += 1
    runs.append(run)
    return [r for r in runs if r]


def _s(
    name: str,
    kind: StackKind,
    pattern: str,
    weight: float,
    *,
    ci: bool = False,
    role: Role = "app",
    version: bool = False,
    needles: tuple[str, ...] | None = None,
) -> Signal:
    flags = re.IGNORECASE if ci else 0
    found = frozenset(needles) if needles is not None else needles_of(pattern)
    return Signal(name, kind, re.compile(pattern, flags), weight, role, version, found)


class NeedleIndex:
    """Which of many patterns may match a line, from one scan for all their needles.

    Built from each pattern's needles (see :func:`needles_of`; ``None``: always a candidate). A
    line is scanned once for every needle, overlapping and longest first; a needle found also
    stands for the shorter needles it contains.
    """

    def __init__(self, needles: Sequence[frozenset[str] | None]) -> None:
        every = sorted({n for ns in needles if ns for n in ns}, key=len, reverse=True)
        self._scan = re.compile("(?=(" + "|".join(re.escape(n) for n in every) + "))") if every else None
        self._covers = {m: tuple(n for n in every if n in m) for m in every}
        self._of: dict[str, set[int]] = {}
        for i, ns in enumerate(needles):
            for n in ns or ():
                self._of.setdefault(n, set()).add(i)
        self._always = {i for i, ns in enumerate(needles) if ns is None}

    def candidates(self, lowered: str) -> list[int]:
        """Indices of the patterns that may match a lower-cased line, in order."""
        indices = set(self._always)
        if self._scan is not None:
            for m in set(self._scan.findall(lowered)):
                for needle in self._covers[m]:
                    indices.update(self._of.get(needle, ()))
        return sorted(indices)


# A file name: a path-like token ending in the extension. Product names written like file names
# (Node.js, Next.js, Vue.js, Express.js…) are not files.
_NOT_FILES = (
    r"(?<![\w/.-])(?!(?i:node|next|nuxt|vue|react|express|nest|angular|ember|backbone|three|chart|d3|socket"
    r"|p5|moment|alpine|solid|deno|bun|knockout|ext|meteor|preact|svelte|lit|htmx|discord)\.js\b)"
)


def _file(ext: str) -> str:
    # Not after "@" or ":": "ops@example.cc" is an e-mail address, not a C++ source file, and a
    # host name is not a file either ("https://docs.example.cc/guide", "www.gov.py").
    return _NOT_FILES + rf"(?<![@:])(?!www\.)[\w~./\\-]*[\w-]\.(?:{ext})(?![\w/-])(?!\.\w)"


def _exts(ext: str) -> tuple[str, ...]:
    """Pre-check needles of an extension alternation: '.java' for 'java'; 'js' for 'm?js' ('.mjs', '.js')."""
    return tuple(e.rsplit("?", 1)[1] if "?" in e else "." + e for e in ext.split("|"))


# Load-test and benchmark script names and npm scripts: their language is the tooling's, not the app's.
_LOAD_WORDS = (
    r"(?:k6|locust|jmeter|gatling|artillery|load|stress|soak|spike|smoke|ramp|stability|bench\w*|perf\w*)"
)


def _load_file(ext: str) -> str:
    return _NOT_FILES + rf"[\w./-]*{_LOAD_WORDS}[\w./-]*\.(?:{ext})(?![\w-])"


def _source(name: str, ext: str, weight: float = 2) -> Signal:
    """A source file of a language: ``Foo.java``, ``src/main.rs`` (``ext``: an alternation, "kt|kts")."""
    return _s(name, "language", _file(ext), weight, needles=_exts(ext))


def _load_source(name: str, ext: str, also: str = "") -> Signal:
    """A load-test or benchmark script of a language (``k6-test.js``); ``also``: more names of one."""
    return _s(name, "language", also + _load_file(ext), 2, ci=True, role="load", needles=_exts(ext))


SIGNALS: tuple[Signal, ...] = (
    # --- load-test tooling first: a line matched here is tooling, not application code ----------
    _load_source("Node.js", "m?js"),
    _load_source("TypeScript", "ts"),
    _load_source("Python", "py", also=r"\blocustfile\.py\b|"),
    _s(
        "Node.js",
        "language",
        rf"\b(?:npm|yarn|pnpm)\s+(?:run\s+)?{_LOAD_WORDS}\b",
        2,
        ci=True,
        role="load",
        needles=("npm", "yarn", "pnpm"),
    ),
    # Tool configuration files are written in JavaScript whatever the application's language.
    _s(
        "config",
        "tool",
        r"[\w.-]*\.config\.(?:m?js|cjs|ts|mts)\b|\.eslintrc\.c?js\b|\bGruntfile\.js\b|\bgulpfile\.js\b",
        0,
        ci=True,
        role="mask",
        needles=(".config.", ".eslintrc", "gruntfile", "gulpfile"),
    ),
    # --- source files ----------------------------------------------------------------------------
    _source("Java", "java"),
    _source("Kotlin", "kt|kts"),
    _source("Scala", "scala|sbt"),
    _source("Rust", "rs"),
    _source("Go", "go"),
    _source("C++", "cpp|cc|cxx|hpp|hh|hxx"),
    _source("C++", "h", 0.5),
    _source("Dart", "dart"),
    _source("Ruby", "rb|rake|gemspec"),
    _source("PHP", "php"),
    _source("C#/.NET", "cs|csproj|sln|razor|cshtml"),
    _source("Python", "py"),
    _source("TypeScript", "ts|tsx|mts|cts"),
    _source("JavaScript", "js|jsx|mjs|cjs", 1),
    _source("Swift", "swift"),
    _source("Elixir", "ex|exs"),
    # --- Rust --------------------------------------------------------------------------------------
    _s(
        "Rust",
        "language",
        r"\bcargo\s+(?:build|test|run|install|bench|clippy|fmt|add|publish|check|fix|nextest|tarpaulin|llvm-cov)\b",
        3,
    ),
    _s("Rust", "language", r"\bCargo\.(?:toml|lock)\b|(?:^|[\s`(])\.?/?target/(?:release|debug)/[\w-]+", 3),
    _s("Rust", "language", r"\b(?:Rust|rustc|Cargo)\s*[:|]\s*v?(?P<v>\d+\.\d+(?:\.\d+)?)", 3, version=True),
    _s(
        "Rust",
        "language",
        r"\bcrates\.io\b|\bclippy\b|\bRUST_(?:LOG|BACKTRACE)\b|\bRUSTFLAGS\b|\brustup\b",
        2,
    ),
    _s("Rust", "language", r"```rust\b", 1.5),
    # --- Go ----------------------------------------------------------------------------------------
    _s("Go", "language", r"\bgo\s+(?:test|build|run|mod|get|vet|install|generate)\b", 3),
    _s(
        "Go",
        "language",
        r"\bgo\.(?:mod|sum)\b|\bCGO_ENABLED\b|\bgolangci-lint\b|\bGO(?:PATH|OS|ARCH|FLAGS)\b",
        3,
    ),
    _s(
        "Go",
        "language",
        r"\bGo\s*(?:version)?\s*[:|]\s*v?(?P<v>1\.\d+(?:\.\d+)?)|\bgo(?P<v2>1\.\d+)\b",
        3,
        version=True,
    ),
    _s("Go", "language", r"```go\b", 1.5),
    # --- JVM ---------------------------------------------------------------------------------------
    _s("Gradle", "tool", r"\bgradlew\b|\bgradle\s+\w|\bbuild\.gradle(?:\.kts)?\b|\bGradle\b", 3),
    _s(JVM, "language", r"\bgradlew\b|\bgradle\s+(?:build|test|check)\b|\bbuild\.gradle\b", 2),
    _s("Kotlin", "language", r"\bbuild\.gradle\.kts\b|```kotlin\b", 1.5),
    _s("Maven", "tool", r"\bmvnw?\s+[-\w]|\bpom\.xml\b|\bMaven\b", 3),
    _s(JVM, "language", r"\bmvnw?\s+[-\w]|\bpom\.xml\b|\bMaven\b", 2),
    _s(
        JVM,
        "language",
        r"\b(?:JaCoCo|Surefire|Failsafe|Checkstyle|SpotBugs|PMD|Mockito|AssertJ|JVM|JDK|JRE)\b",
        2,
    ),
    _s("Java", "language", r"\bLombok\b", 2),
    _s(
        "Java",
        "language",
        r"\b(?:Open)?JDK\s*(?P<v>\d{1,2})\b|\bJava\s*(?:version)?\s*[:|]\s*(?:OpenJDK\s*)?v?(?P<v2>\d{1,2}(?:\.\d+)*)|\bCorretto\s*(?P<v3>\d{1,2})\b|\bTemurin\b",
        3,
        version=True,
    ),
    _s("Java", "language", r"```java\b|\bJAVA_(?:OPTS|HOME|TOOL_OPTIONS)\b", 1.5),
    # --- Spring ------------------------------------------------------------------------------------
    _s(
        "Spring Boot",
        "framework",
        r"\bSPRING_[A-Z_]+\b|\bspring\.[a-z]+\.[a-z.-]+|@SpringBoot\w+|\bspring-boot-\w+",
        3,
    ),
    _s(
        "Spring Boot",
        "framework",
        r"\bSpring\s+(?:MVC|Data|Cloud|Security|WebFlux|Batch)\b|\bSpring\s+Boot\b",
        3,
        ci=True,
    ),
    _s(
        "Spring Boot",
        "framework",
        r"\b[Aa]ctuator\b|@RestController(?:Advice)?\b|@ControllerAdvice\b|\bMockMvc\b",
        1.5,
    ),
    _s("Spring Boot", "framework", r"@(?:Autowired|Transactional|Repository)\b", 1),
    # application.yml / application.properties: Spring Boot's convention, and Quarkus' and Micronaut's.
    _s(JVM_CONFIG, "framework", r"\bapplication(?:-[\w]+)?\.(?:ya?ml|properties)\b", 1),
    _s("Spring Boot", "framework", r"\w(?:Controller|Repository)\.java\b", 0.5),
    _s(
        "Java",
        "language",
        r"@(?:RestController|SpringBootTest|SpringBootApplication|Entity|Autowired)\b|\bMockMvc\b",
        1.5,
    ),
    # Spring Cloud's parts (service discovery, gateway, clients, circuit breakers) run on Spring Boot.
    _s(
        "Spring Boot",
        "framework",
        r"\bEureka\b|\bOpenFeign\b|@FeignClient\b|\bZuul\b|\bHystrix\b|\bSpring\s+Cloud\s+\w+|\bspring-cloud-\w+",
        2,
    ),
    _s("Jersey", "framework", r"\bJersey\b|\bJAX-RS\b", 3),
    _s("Quarkus", "framework", r"\bQuarkus\b", 3),
    _s("Micronaut", "framework", r"\bMicronaut\b", 3),
    # --- .NET --------------------------------------------------------------------------------------
    _s(
        "C#/.NET",
        "language",
        r"\bdotnet\s+(?:test|build|run|publish|restore|ef)\b|\bxUnit\b|\bNUnit\b|\bMSTest\b|\bNuGet\b",
        3,
    ),
    _s("ASP.NET Core", "framework", r"\bASPNETCORE_\w+|\bappsettings(?:\.\w+)?\.json\b", 3),
    _s("C#/.NET", "language", r"\b(?:MassTransit|Polly|Entity\s?Framework|EF\s?Core)\b", 2),
    # --- PHP ---------------------------------------------------------------------------------------
    _s(
        "PHP",
        "language",
        r"\bcomposer\s+(?:install|require|update|dump-autoload)\b|\bcomposer\.(?:json|lock)\b",
        3,
    ),
    _s("PHP", "language", r"\b(?:PHPUnit|PHPStan|Psalm|Pest)\b|\bvendor/bin/\w", 2, ci=True),
    _s(
        "Laravel",
        "framework",
        r"\bphp\s+artisan\b|\bartisan\s+(?:test|migrate|serve)\b|\.blade\.php\b|\bEloquent\b|\bapp/Http/Controllers\b",
        3,
        ci=True,
    ),
    _s("Symfony", "framework", r"\bSymfony\b|\bbin/console\b", 3),
    # --- Ruby --------------------------------------------------------------------------------------
    _s(
        "Ruby",
        "language",
        r"\bbundle\s+(?:exec|install)\b|\bGemfile(?:\.lock)?\b|\bgem\s+install\b|\brbenv\b|\bRubocop\b",
        3,
        ci=True,
    ),
    _s("Ruby", "language", r"\brspec\b|\bRSpec\b|\brake\s+\w", 2),
    _s(
        "Rails",
        "framework",
        r"\bbin/rails\b|\brails\s+(?:s|c|server|console|db:\w+|test|generate|g)\b|\bRAILS_ENV\b|\bdb/migrate/\d+_\w+\.rb\b|\bActiveRecord\b|\bapp/(?:models|controllers)/\w+\.rb\b",
        3,
    ),
    # --- Python ------------------------------------------------------------------------------------
    _s(
        "Python",
        "language",
        r"\bpip3?\s+install\b|\brequirements(?:[-_.]\w+)?\.txt\b|\bpyproject\.toml\b|\bpoetry\s+(?:run|install|add)\b|\buv\s+(?:run|sync|pip)\b|\bpython3?\s+(?:-m\s+)?[\w./-]+|\bPYTHONPATH\b|\bvirtualenv\b|\b\.venv/|\bmypy\b|\bruff\b|\btox\b",
        2,
    ),
    _s("Python", "language", r"\bPython\s*(?:version)?\s*[:|]\s*v?(?P<v>3\.\d+(?:\.\d+)?)", 3, version=True),
    _s("Python", "language", r"\bpytest\b|\buvicorn\b|\bgunicorn\b|```python\b", 1.5),
    _s(
        "Django",
        "framework",
        r"\bmanage\.py\s+(?:test|migrate|makemigrations|runserver|shell)\b|\bDJANGO_SETTINGS_MODULE\b|\b\w+/migrations/\d{4}_\w+\.py\b",
        3,
    ),
    _s("Flask", "framework", r"\bFLASK_(?:APP|ENV|DEBUG)\b|\bflask\s+run\b", 3),
    _s("FastAPI", "framework", r"\buvicorn\s+[\w.]+:app\b", 2),
    _s("Alembic", "tool", r"\balembic\b", 3, ci=True),
    _s("Python", "language", r"\balembic\b", 1, ci=True),
    # --- JavaScript runtimes -----------------------------------------------------------------------
    _s(
        "Node.js",
        "language",
        r"\bnpm\s+(?:run|test|install|ci|start|i)\b|\bnpx\s+\w|\byarn\s+(?:run|test|install|add|build|start)\b|\bpnpm\s+\w|\bpackage(?:-lock)?\.json\b|\bnode_modules\b|\bNODE_ENV\b",
        1.5,
    ),
    _s(
        "Node.js",
        "language",
        r"\bnode\s+[\w./-]+\.m?js\b|\bNode\s*(?:version)?\s*[:|]\s*v?(?P<v>\d{1,2}(?:\.\d+)*)",
        3,
        version=True,
    ),
    _s(
        "Bun",
        "language",
        r"\bbun\s+(?:test|run|install|build|x|add)\b|\bbunx\s|\bbun\.lockb?\b|\bBun\s+v?(?P<v>\d+\.\d+(?:\.\d+)?)",
        3,
        version=True,
    ),
    _s("Deno", "language", r"\bdeno\s+(?:test|run|task|compile)\b|\bDeno\b", 3),
    _s("TypeScript", "language", r"\btsconfig(?:\.\w+)?\.json\b|\btsc\b|```(?:typescript|ts|tsx)\b", 2),
    _s("Next.js", "framework", r"\bnext\s+(?:build|dev|start)\b", 3),
    # A config file named in passing is a hint, not proof: it counts only beside other evidence.
    _s("Next.js", "framework", r"\bnext\.config\.(?:js|mjs|ts)\b", 1.5),
    _s("NestJS", "framework", r"@nestjs/\w+|\bnest\s+(?:start|build)\b", 3),
    _s("Express", "framework", r"\bexpress\(\)|\bapp\.(?:get|post|put|delete|use)\(\s*['\"/]", 2),
    _s("Prisma", "framework", r"\bprisma\s+(?:migrate|generate|db|studio)\b|\bschema\.prisma\b", 3),
    _s(
        "React Native/Expo",
        "framework",
        r"\bexpo\s+(?:start|build|publish|prebuild|run)\b|\beas\s+(?:build|submit|update)\b|\bexpo-[a-z-]+\b|\bReact\s+Native\b",
        3,
    ),
    _s("React", "framework", r"\buse(?:Effect|State|Memo|Callback|Reducer|Context)\b", 1),
    _s("Electron", "framework", r"\bElectron\b", 3),
    _s("Tauri", "framework", r"\bTauri\b", 3),
    # --- Elixir, Go / Rust web frameworks by import path --------------------------------------------
    _s("Elixir", "language", r"\bmix\s+(?:test|compile|deps\.get|phx\.\w+|ecto\.\w+)\b|\bmix\.exs\b", 3),
    _s("Phoenix", "framework", r"\bmix\s+phx\.\w+|\bPhoenix\.\w+", 3),
    _s("Gin", "framework", r"\bgithub\.com/gin-gonic/gin\b", 3),
    _s("Echo", "framework", r"\bgithub\.com/labstack/echo\b", 3),
    _s("Fiber", "framework", r"\bgithub\.com/gofiber/fiber\b", 3),
    _s("Rust", "language", r"\btokio\b|\bactix-web\b|\baxum::", 2),
    _s("Ruby", "language", r"\bCapybara\b|\bFactoryBot\b|\bSidekiq\b|\bPuma\b", 2),
    # Capybara and FactoryBot are how Rails applications are acceptance-tested.
    _s("Rails", "framework", r"\bCapybara\b|\bFactoryBot\b", 2),
    _s("Kotlin", "language", r"\bKtor\b|\bkotlinx\.\w+|\bJetpack\s+Compose\b", 2),
    _s("Swift", "language", r"\bXCTest\b|\bXCUITest\b|\bXcode\b", 2),
    # --- Flutter / Dart, Swift, C++ / Qt -------------------------------------------------------------
    _s(
        "Flutter",
        "framework",
        r"\bflutter\s+(?:test|build|run|pub|analyze|drive|doctor)\b|\bpubspec\.yaml\b|\bRender(?:Flex|Box)\b|\bFlutter\w*",
        3,
    ),
    _s(
        "Dart",
        "language",
        r"\bdart\s+(?:test|run|analyze|pub|format)\b|\bDart\s+v?(?P<v>\d+\.\d+(?:\.\d+)?)",
        3,
        version=True,
    ),
    _s(
        "Swift",
        "language",
        r"\bswift\s+(?:build|test|package)\b|\bPackage\.swift\b|\bxcodebuild\b|\.xcodeproj\b|\bSwiftUI\b",
        3,
    ),
    _s("CMake", "tool", r"\bCMakeLists\.txt\b|\bcmake\s|\bctest\b|\bcmake\b", 3, ci=True),
    # CMake builds C as well, but C++ far more often: a CMake build is C++ unless C is named.
    _s("C++", "language", r"\bCMakeLists\.txt\b|\bctest\b|\bcmake\s+(?:--build|-S|-B|\.\.)", 2),
    _s(
        "C++",
        "language",
        r"\bg\+\+|\bclang\+\+|\bC\+\+\s?(?:\d\d)?(?![\w+])|```(?:cpp|c\+\+)\b|-DCMAKE_CXX|\bCMAKE_CXX_\w+|\bstd::\w+|\bvalgrind\b",
        2,
    ),
    _s(
        "Qt",
        "framework",
        r"\bQt\s?[56](?:\.\d+)*\+?|\bQt[56]::\w+|find_package\(Qt|\bQ_OBJECT\b|\bqmake\b|\bQ(?:Widget|Object|MainWindow|Timer|Url|String)\b|\bQt\b",
        3,
    ),
    # --- migration tools -------------------------------------------------------------------------------
    _s("Flyway", "tool", r"\bFlyway\b|\bV\d+(?:[._]\d+)*__\w+\.sql\b", 3, ci=True),
    _s("Liquibase", "tool", r"\bLiquibase\b", 3, ci=True),
    _s("Sequelize", "tool", r"\bSequelize\b|\bsequelize-cli\b", 3),
    _s("TypeORM", "tool", r"\bTypeORM\b", 3),
    _s("EF Core", "tool", r"\bdotnet\s+ef\b|\bEntity\s?Framework(?:\s+Core)?\b|\bEF\s?Core\b", 3),
    _s("golang-migrate", "tool", r"\bgolang-migrate\b|\bmigrate\s+-path\b", 3),
    _s("Diesel", "tool", r"\bdiesel\s+(?:migration|setup)\b", 3),
    # --- datastore clients, URLs, images ---------------------------------------------------------------
    _s(
        "PostgreSQL",
        "datastore",
        r"\bpsql\b|\bpg_(?:dump|restore|trgm|trigger_depth|stat_\w+|isready|basebackup|ctl|hba|cron|partman)\b|\bpostgres(?:ql)?(?:\+\w+)?://|\bjdbc:postgresql\b|\bpostgres:\d|\bJSONB\b|\bpgvector\b|\bPostGIS\b",
        3,
        ci=True,
    ),
    _s(
        "MySQL",
        "datastore",
        r"\bmysql\s+-\w|\bmysqldump\b|\bmysql(?:\+\w+)?://|\bjdbc:mysql\b|\bmysql:\d",
        3,
        ci=True,
    ),
    _s("MariaDB", "datastore", r"\bmariadb:\d|\bjdbc:mariadb\b", 3, ci=True),
    _s("Redis", "cache", r"\bredis-cli\b|\brediss?://|\bredis:\d|\bREDIS_URL\b|\bioredis\b", 3, ci=True),
    _s(
        "MongoDB",
        "datastore",
        r"\bmongosh\b|\bmongo(?:dump|restore)\b|\bmongodb(?:\+srv)?://|\bmongo:\d|\brs\.initiate\b|\bMONGO(?:DB)?_URI\b|\bMongoose\b",
        3,
        ci=True,
    ),
    _s(
        "SQLite",
        "datastore",
        r"\bsqlite3?\s+\S|\bgo-sqlite3\b|\bsqlite-vec\b|\.sqlite3?\b|\bsqlite:///",
        3,
        ci=True,
    ),
    _s(
        "H2",
        "datastore",
        r"\bjdbc:h2\b|\bspring\.h2\.|\bH2\s+(?:database|console|in-memory|db)\b|\bH2-compatible\b|\bcom\.h2database\b",
        3,
        ci=True,
    ),
    _s("SQL Server", "datastore", r"\bsqlcmd\b|\bjdbc:sqlserver\b|\bmssql://", 3, ci=True),
    _s("Cassandra", "datastore", r"\bcqlsh\b", 3),
    _s("Elasticsearch", "datastore", r"\belasticsearch:\d|\b_cluster/health\b", 2, ci=True),
    _s(
        "Kafka",
        "queue",
        r"\bkafka-(?:topics|console-\w+|consumer-groups)(?:\.sh)?\b|\bKAFKA_\w+|\bbootstrap\.servers\b",
        3,
        ci=True,
    ),
    _s("RabbitMQ", "queue", r"\brabbitmqctl\b|\bamqps?://", 3, ci=True),
    _s("InfluxDB", "observability", r"\bInfluxDB\b", 3, ci=True),
    # --- platforms and cloud -----------------------------------------------------------------------------
    _s(
        "Kubernetes",
        "platform",
        r"\bkubectl\b|\bk8s/|\bHPA\b|\bConfigMaps?\b|\bStatefulSet\b|\breadiness\s+probes?\b",
        2,
    ),
    _s("AWS", "cloud", r"\.amazonaws\.com\b|\bs3://", 3),
    _s("GCP", "cloud", r"\bgs://|\.run\.app\b|\bgcloud\s+\w", 3),
    _s("Azure", "cloud", r"\.azurewebsites\.net\b|\baz\s+(?:login|webapp|aks|group)\b", 3),
    _s("Podman", "platform", r"\bPodman\b", 3, ci=True),
)

# Frameworks and tools imply their language when nothing else names it.
IMPLIED_LANGUAGE: dict[str, str] = {
    "Spring Boot": "Java",
    "Jersey": "Java",
    "Quarkus": "Java",
    "Micronaut": "Java",
    "ASP.NET Core": "C#/.NET",
    "EF Core": "C#/.NET",
    "Django": "Python",
    "Flask": "Python",
    "FastAPI": "Python",
    "PyTorch": "Python",
    "Alembic": "Python",
    "Rails": "Ruby",
    "Laravel": "PHP",
    "Symfony": "PHP",
    "Express": "Node.js",
    "NestJS": "Node.js",
    "Next.js": "Node.js",
    "Flutter": "Dart",
    "Qt": "C++",
    "Diesel": "Rust",
    "golang-migrate": "Go",
    "Gin": "Go",
    "Echo": "Go",
    "Fiber": "Go",
    "Actix": "Rust",
    "Axum": "Rust",
    "Ktor": "Kotlin",
    "Phoenix": "Elixir",
    "Sinatra": "Ruby",
    "Fastify": "Node.js",
    "Koa": "Node.js",
    "Hono": "Node.js",
}
