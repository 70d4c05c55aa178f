"""Stack, kind of software and services: pinned on the 20 real documents, and one rule at a time.

The corpus table was read off each document by hand: what it shows about the runtime (source
paths, build and test tools, clients, variables), the datastores the application uses in
production (not the ones its tests use), what kind of software it is and which services it names.
The synthetic tests pin each rule of evidence and each rule of weighing on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import CORPUS, FIXTURES

from opsrelay.facts.document import parse_document
from opsrelay.facts.extract import extract_facts
from opsrelay.facts.kind import SIGNALS as KIND_SIGNALS
from opsrelay.facts.model import QAFacts
from opsrelay.facts.stack import stack_scores
from opsrelay.facts.stack_signals import SIGNALS, needles_of

pytestmark = pytest.mark.usefixtures("facts_strict")


def _path(name: str) -> Path | None:
    for folder in (FIXTURES / "qa", CORPUS):
        if (folder / name).is_file():
            return folder / name
    return None


@cache
def corpus_facts(name: str) -> QAFacts:
    path = _path(name)
    if path is None:
        pytest.skip(f"{name} is neither in tests/fixtures/qa nor in the shared corpus")
    return extract_facts(path.read_text(encoding="utf-8"), source_name=name, source_sha256="0")


def facts(text: str) -> QAFacts:
    return extract_facts(text, source_name="qa.md", source_sha256="0")


def names(f: QAFacts, *kinds: str) -> set[str]:
    return {s.name for s in f.stack if not kinds or s.kind in kinds}


# --- the corpus -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What one real document shows: runtime languages (first = best evidenced), frameworks, stores."""

    doc: str
    first_language: str | None
    languages: frozenset[str]
    frameworks: frozenset[str]
    datastores: frozenset[str]
    kind: str
    failing_services: frozenset[str] = frozenset()
    services: int = 0


def _e(
    doc: str,
    first: str | None,
    languages: str,
    frameworks: str,
    datastores: str,
    kind: str,
    *,
    services: int = 0,
    failing: str = "",
) -> Expected:
    def split(s: str) -> frozenset[str]:
        return frozenset(x.strip() for x in s.split(",") if x.strip())

    return Expected(
        doc, first, split(languages), split(frameworks), split(datastores), kind, split(failing), services
    )


CORPUS_TABLE = [
    # Spring Boot backend + Next.js frontend; the only database named is H2 of the dev profile.
    _e(
        "agent-teams-demo_test-report.md",
        "Java",
        "Java, TypeScript, Node.js",
        "Spring Boot, Next.js, React",
        "",
        "service",
    ),
    # A Spanish capacity-test plan: k6-style JS scripts are load tooling, the app's runtime is not shown.
    _e("anb-rising-stars-showcase_plan_de_pruebas5.md", None, "", "", "", "service"),
    # ./target/release/chronik-bench; a 3-node Raft cluster of a streaming broker.
    _e("chronik-stream_BASELINE_PERFORMANCE.md", "Rust", "Rust", "", "", "distributed_node"),
    # cargo, Cargo.toml, crates/*.rs; `clnrm <subcommand> --help`, "Main CLI binary", brew/cargo install.
    _e("clnrm_V1_RELEASE_CERTIFICATION.md", "Rust", "Rust", "", "", "cli"),
    # internal/config/config_test.go only; nothing says what kind of software it is.
    _e("cortex_go-no-go-decision-record.md", "Go", "Go", "", "", "unknown"),
    # FlutterPOS on an Android 15 tablet, APK and Play Store.
    _e("extropos_DETAILED_TEST_EXECUTION_REPORT_v1.0.27.md", "Dart", "Dart", "Flutter", "", "mobile"),
    # .cs files, ASP.NET Core, 9 microservices + React on Kubernetes; Kafka, MongoDB, Hazelcast.
    _e(
        "ez-data-processing-platform_nfr-assessment.md",
        "C#/.NET",
        "C#/.NET, TypeScript",
        "ASP.NET Core, React",
        "MongoDB, Elasticsearch, Hazelcast, Kafka",
        "service",
    ),
    # PHPStan and `php artisan test`.
    _e("freescout_TEST_RESULTS_SUMMARY.md", "PHP", "PHP", "Laravel", "", "service"),
    # `go test ./...`, go.mod, pkg/ paths; sqlite-vec store; released as gognee v1.2.0 for other apps.
    _e("gognee_018-vector-search-optimization-qa.md", "Go", "Go", "", "SQLite", "library"),
    # JaCoCo coverage; a table of 9 services, 2 of them failing.
    _e(
        "iwaproject-back_test-report.md",
        "Java",
        "Java",
        "",
        "",
        "service",
        services=9,
        failing="Announcement-Service, Application-Service",
    ),
    # Node 23 + Express + Prisma on PostgreSQL; in-memory SQLite only for tests.
    _e(
        "ku-connect_TEST_EXECUTION_REPORT.md",
        None,
        "Node.js, JavaScript",
        "Express, Prisma",
        "PostgreSQL",
        "service",
    ),
    _e(
        "production-ml-api_load-test-results.md",
        "Python",
        "Python",
        "PyTorch",
        "PostgreSQL, Redis",
        "service",
    ),
    # Jersey vs Spring MVC vs Spring Data REST on PostgreSQL 14 (InfluxDB only stores JMeter metrics).
    _e(
        "rest-benchmark_RAPPORT_BENCHMARK_COMPLET.md",
        "Java",
        "Java",
        "Spring Boot, Jersey",
        "PostgreSQL",
        "service",
    ),
    # Node.js + Express, MySQL (assumed); Redis is only recommended.
    _e("silapor-ppsi_LAPORAN_PERFORMANCE_TESTING.md", "Node.js", "Node.js", "Express", "MySQL", "service"),
    # .java evidence paths, SPRING_PROFILES_ACTIVE, Flyway V16__*.sql, psql; Vitest/Playwright frontend.
    _e("syncro-spring_nfr-assessment.md", "Java", "Java, TypeScript", "Spring Boot", "PostgreSQL", "service"),
    # "Laravel Backend API + Flutter Mobile App".
    _e("take-home-assessment_test-summary-report.md", None, "PHP, Dart", "Laravel, Flutter", "", "service"),
    # TestFlight readiness of an Expo app with a FastAPI backend on Supabase.
    _e(
        "urtruck-app_QA_REPORT.md",
        None,
        "Python, JavaScript",
        "React Native/Expo, FastAPI",
        "Supabase",
        "mobile",
    ),
    # A web form tested with Cypress on staging.va.gov.
    _e("va-gov_21p-0537_test-plan.md", "JavaScript", "JavaScript", "", "", "service"),
    # CMake + Qt 5 browser for webOS TVs (remote-control keys).
    _e("webosbrowser-native_PG-3_QA_TESTING_REPORT.md", "C++", "C++", "Qt", "", "embedded"),
    _e("zulip_testing.md", "Python", "Python, Node.js, JavaScript, TypeScript", "Django", "", "service"),
]


@pytest.mark.parametrize("exp", CORPUS_TABLE, ids=[e.doc.split("_")[0] for e in CORPUS_TABLE])
def test_corpus_stack_kind_and_services(exp: Expected) -> None:
    f = corpus_facts(exp.doc)
    languages = [s.name for s in f.stack if s.kind == "language"]
    assert set(languages) == exp.languages
    if exp.first_language is not None:
        assert languages[0] == exp.first_language
    assert names(f, "framework") == exp.frameworks
    assert names(f, "datastore", "cache", "queue") == exp.datastores
    assert f.software_kind.value == exp.kind
    assert len(f.services) == exp.services
    assert {s.name for s in f.services if s.status == "failing"} == exp.failing_services
    for item in f.stack:
        assert item.evidence.line > 0 and item.evidence.text


def test_corpus_evidence_lines_show_the_indirect_signals() -> None:
    f = corpus_facts("syncro-spring_nfr-assessment.md")
    by = {s.name: s for s in f.stack}
    assert ".java" in by["Java"].evidence.text
    assert "Flyway" in names(f, "tool") and "V16__" in by["Flyway"].evidence.text
    assert re.search(r"psql|pg_|SPRING_PROFILES", by["PostgreSQL"].evidence.text)
    rust = {s.name: s for s in corpus_facts("chronik-stream_BASELINE_PERFORMANCE.md").stack}["Rust"]
    assert "./target/release/" in rust.evidence.text
    clnrm = {s.name: s for s in corpus_facts("clnrm_V1_RELEASE_CERTIFICATION.md").stack}
    assert clnrm["Rust"].version == "1.90.0"
    assert "JUnit" not in clnrm  # "formats: JSON, JUnit, TAP" is a report format, not Java's JUnit
    # "OpenJDK 21" in the environment table, "Java 17" in later prose: the table's line comes first.
    bench = {s.name: s for s in corpus_facts("rest-benchmark_RAPPORT_BENCHMARK_COMPLET.md").stack}
    assert bench["Java"].version == "21"


def test_corpus_kind_evidence_and_secondary_kinds() -> None:
    take_home = corpus_facts("take-home-assessment_test-summary-report.md").software_kind
    assert take_home.also == ["mobile"]
    urtruck = corpus_facts("urtruck-app_QA_REPORT.md").software_kind
    assert urtruck.also == ["service"]
    assert any("TestFlight" in e.text for e in urtruck.evidence)
    webos = corpus_facts("webosbrowser-native_PG-3_QA_TESTING_REPORT.md").software_kind
    assert webos.evidence and len(webos.evidence) <= 5
    gognee = corpus_facts("gognee_018-vector-search-optimization-qa.md").software_kind
    assert all(e.line > 0 for e in gognee.evidence)


def test_corpus_services_carry_their_rows() -> None:
    f = corpus_facts("iwaproject-back_test-report.md")
    by = {s.name: s for s in f.services}
    assert by["Gateway-Service"].status == "ok"
    assert by["Application-Service"].evidence.text.startswith("| Application-Service")


# --- indirect evidence, one signal at a time -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- **Evidence:** `AuditLogService.java:78-102`", {"Java"}),
        ("Boot `SPRING_PROFILES_ACTIVE=local` and check the actuator", {"Spring Boot", "Java"}),
        ("Migration `V16__create_audit_log.sql` applied", {"Flyway"}),
        ("Ran `psql` against staging", {"PostgreSQL"}),
        ("`./gradlew test` — BUILD SUCCESSFUL", {"Gradle", "Java"}),
        ("`mvn -B verify` passed", {"Maven", "Java"}),
        ("`cargo test --workspace`: 212 passed", {"Rust"}),
        ("```\n./target/release/server --port 80\n```", {"Rust"}),
        ("`go test ./...` ok", {"Go"}),
        ("Changed `internal/store/db.go`", {"Go"}),
        ("`dotnet test` 120 passed", {"C#/.NET"}),
        ("`php artisan test`: 40 passed", {"Laravel", "PHP"}),
        ("`composer install` then PHPUnit", {"PHP"}),
        ("`bundle exec rspec`: 120 examples, 0 failures", {"Ruby"}),
        ("`bin/rails db:migrate` ran clean", {"Rails", "Ruby"}),
        ("`flutter test`: all 88 tests passed", {"Flutter", "Dart"}),
        ("`bun test` 34 pass", {"Bun"}),
        ("`cmake --build build && ctest`", {"CMake", "C++"}),
        ("`find_package(Qt5 REQUIRED COMPONENTS Widgets)`", {"Qt", "C++"}),
        ("`python manage.py test` OK", {"Django", "Python"}),
        ("`alembic upgrade head` applied", {"Alembic", "Python"}),
        ("`DATABASE_URL=postgres://app@db/app`", {"PostgreSQL"}),
        ("`mongosh --eval 'rs.status()'`", {"MongoDB"}),
        ("`redis-cli ping` → PONG", {"Redis"}),
        ("Testcontainers image `postgres:16-alpine`", {"PostgreSQL", "Testcontainers"}),
        ("`npx prisma migrate deploy`", {"Prisma"}),
        ("Covered by JaCoCo (82 %)", {"Java"}),
        ("`src/screens/Home.dart` updated", {"Dart"}),
        ("`app/Models/User.php` changed", {"PHP"}),
        ("`src/browser/BrowserWindow.cpp` compiled", {"C++"}),
    ],
)
def test_indirect_signal(text: str, expected: set[str]) -> None:
    found = names(facts(f"# QA\n\n{text}\n"))
    assert expected <= found, found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We run Node.js 20 and Next.js 14 in production.", {"Node.js", "Next.js"}),  # names like files
        ("See `README.md` and `docs/setup.md`.", set()),
        ("Config lives in `next.config.mjs`.", set()),  # one config file in passing is a hint, not proof
        ("The `.h` header of the C API is unchanged.", set()),
        ("Contact ops@example.cc; docs at https://docs.example.cc/guide and www.gov.py", set()),  # not files
    ],
)
def test_no_language_from_names_that_only_look_like_files(text: str, expected: set[str]) -> None:
    assert names(facts(f"# QA\n\n{text}\n"), "language", "framework") == expected


# --- weighing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Unlike Node.js, we use Go.",
        "The API is written in Go, unlike the Node.js prototype.",
        "Compared to Node.js, the Go rewrite (`go test ./...` green) halves p99.",
    ],
)
def test_a_comparison_weighs_little(text: str) -> None:
    assert names(facts(f"# QA\n\n{text}\n"), "language") == {"Go"}


def test_comparison_against_many_mentions_keeps_the_real_stack() -> None:
    f = facts(
        "# Benchmark\n\nCompared to Express, our `cargo build --release` binary holds 40k req/s.\n\n"
        "- `crates/api/src/main.rs` handles routing\n"
    )
    assert "Rust" in names(f) and "Express" not in names(f)


def test_assumed_weighs_less_but_still_counts_alone() -> None:
    scores = stack_scores(parse_document("# QA\n\n- **Database**: MySQL (assumed)\n", "qa.md"))
    assert 2.0 <= scores["MySQL"] < 3.0


def test_recommendations_and_todos_do_not_make_the_stack() -> None:
    text = (
        "# QA\n\n## Findings\n\nNo caching.\n\n**P1 (Required for Production):**\n\n"
        "1. Redis caching layer\n\n- Implement caching layer (Memcached)\n- [ ] Add Kafka for events\n\n"
        "## Recommendations\n\n- Use MongoDB for documents\n"
    )
    assert not ({"Redis", "Memcached", "Kafka", "MongoDB"} & names(facts(text)))


def test_indirect_evidence_in_a_recommendation_counts_half() -> None:
    doc = "# QA\n\n## Recommended actions\n\n- Verify with `psql` that V16 applied\n"
    scores = stack_scores(parse_document(doc, "qa.md"))
    assert scores["PostgreSQL"] == 1.5
    assert "PostgreSQL" not in names(facts(doc))


def test_a_title_with_a_recommendation_word_is_not_a_recommendations_section() -> None:
    f = facts("# QA Report: Query Optimization\n\n## Environment\n\n- Database: PostgreSQL 16\n")
    assert "PostgreSQL" in names(f)


def test_test_only_datastores_are_not_the_application_stack() -> None:
    f = facts(
        "# QA\n\n**Database:** PostgreSQL\n\n- In-memory SQLite for tests (fast reset)\n"
        "- `spring.h2.console.enabled` only in the dev profile\n"
    )
    assert names(f, "datastore") == {"PostgreSQL"}


def test_load_test_scripts_do_not_name_the_runtime() -> None:
    f = facts(
        "# Capacity plan\n\n- Smoke: `node smoke_test.js`\n- Ramp: `MAX_USERS=100 npm run ramp:100`\n"
        "- Script: `load-test/k6-test.js`\n"
    )
    assert not names(f, "language")


def test_the_best_evidenced_language_comes_first() -> None:
    f = facts(
        "# QA\n\nFrontend checks in `ui/app.ts`.\n\n"
        "- `api/OrderService.java:10`\n- `api/OrderController.java:22`\n- `./mvnw verify` green\n"
    )
    assert [s.name for s in f.stack if s.kind == "language"][:2] == ["Java", "TypeScript"]


def test_a_framework_brings_its_language_with_its_evidence() -> None:
    f = facts("# QA\n\nRan `flutter test` on CI.\n")
    dart = next(s for s in f.stack if s.name == "Dart")
    assert "flutter test" in dart.evidence.text


# Every signal, each with generated matching lines: the cheap pre-check must let every match through.
@pytest.mark.parametrize("index", range(len(SIGNALS)), ids=lambda i: f"{SIGNALS[i].name}-{i}")
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_needle_pre_check_never_hides_a_match(index: int, data: st.DataObject) -> None:
    sig = SIGNALS[index]
    try:
        text = data.draw(st.from_regex(sig.pattern, fullmatch=False))
    except Exception:  # a look-behind hypothesis cannot generate for; the corpus covers those
        return
    if sig.pattern.search(text):
        assert sig.may_match(text.lower()), (sig.name, sig.pattern.pattern, text)


@pytest.mark.parametrize("index", range(len(KIND_SIGNALS)), ids=lambda i: f"{KIND_SIGNALS[i].kind}-{i}")
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_kind_pre_check_never_hides_a_match(index: int, data: st.DataObject) -> None:
    sig = KIND_SIGNALS[index]
    try:
        text = data.draw(st.from_regex(sig.pattern, fullmatch=False))
    except Exception:
        return
    if sig.pattern.search(text) and sig.needles is not None:
        assert any(n in text.lower() for n in sig.needles), (sig.kind, sig.pattern.pattern, text)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\bcargo\s+(?:build|test)\b", {"cargo"}),
        (r"\bmvnw?\s+\w|\bpom\.xml\b", {"mvn", "pom.xml"}),
        (r"\b(?:JaCoCo|Surefire)\b", {"jacoco", "surefire"}),
        # Every match passes through the (to|on) group: one of them is in every match.
        (r"\b(?:\w+\s+){0,3}(?:to|on)\s+(?:crates\.io|npm)\b", {"to", "on"}),
        (r"\bQ(?:Widget|Object)\b|\bQt\b", {"widget", "object", "qt"}),
        (r"[a-z]+\d", None),
    ],
)
def test_needles_of(pattern: str, expected: set[str] | None) -> None:
    found = needles_of(pattern)
    assert (set(found) if found is not None else None) == expected


@pytest.mark.parametrize(
    ("text", "stack", "kind"),
    [
        (
            "| Service | Status |\n|---|---|\n| eureka-server | UP |\n| order-service | DOWN |\n\n"
            "Services register with Eureka; @FeignClient calls time out.",
            ["Java", "Spring Boot"],
            "service",
        ),
        (
            "`bundle exec rspec`: 812 examples, 3 failures. Capybara feature specs pass.",
            ["Ruby", "Rails"],
            "service",
        ),
        (
            "`go test ./...` ok. Handlers use github.com/gin-gonic/gin; `GET /healthz` returns 200.",
            ["Go", "Gin"],
            "service",
        ),
        (
            "`./gradlew connectedAndroidTest` on Pixel 6 (Android 14): 54 passed.\n\n"
            "Changed `app/src/main/java/com/x/MainActivity.kt`",
            ["Kotlin", "Gradle"],
            "mobile",
        ),
        ("`./gradlew test`: 120 passed, JaCoCo 81 %", ["Java", "Gradle"], "unknown"),
        (
            "`xcodebuild test -scheme App`: XCUITest 30 passed on an iPhone simulator; TestFlight 42.",
            ["Swift", "TestFlight/App Store"],
            "mobile",
        ),
        (
            "`mix test`: 400 tests, 0 failures. Phoenix LiveView pages load in 80 ms.",
            ["Elixir", "Phoenix"],
            "service",
        ),
    ],
)
def test_whole_stacks_from_indirect_evidence(text: str, stack: list[str], kind: str) -> None:
    f = facts(f"# QA\n\n{text}\n")
    assert [s.name for s in f.stack] == stack
    assert f.software_kind.value == kind


# --- the kind of software ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "# Load test\n\n| Endpoint | p95 |\n|---|---|\n| `GET /api/orders` | 120 ms |\n"
            "| `POST /api/orders` | 180 ms |\n\nError rate 0.1 % at 300 req/s; 5 HTTP 503 responses.\n",
            "service",
        ),
        (
            "# Release QA\n\nThe library exposes a stable public API; no breaking changes.\n\n"
            "Install: `go get example.com/lib@v1.4.0`\n",
            "library",
        ),
        (
            "# CLI QA\n\n- `tool init --help` ✅\n- `tool run --verbose` ✅\n\nAll subcommands exit code 0. "
            "Install with `brew install tool`.\n",
            "cli",
        ),
        ("# QA\n\nTested the APK on a Pixel 7 (Android 14) and on iPhone 15 via TestFlight.\n", "mobile"),
        ("# QA\n\nThe desktop app installer (.msi) and the macOS .dmg were verified.\n", "desktop"),
        ("# QA\n\nFirmware 2.1 flashed to the device fleet; OTA update verified on 40 kiosks.\n", "embedded"),
        ("# QA\n\nThe nightly ETL batch jobs loaded 4 M rows into the data warehouse.\n", "data_pipeline"),
        (
            "# Testnet QA\n\n200 validator nodes on the testnet reached consensus; block height 10,000, "
            "finality under 2 s.\n",
            "distributed_node",
        ),
        ("# QA\n\nThis is an internal data-processing platform.\n", "data_pipeline"),
    ],
)
def test_kind(text: str, kind: str) -> None:
    f = facts(text)
    assert f.software_kind.value == kind
    assert f.software_kind.evidence and f.software_kind.evidence[0].line > 0


def test_kind_is_unknown_without_real_evidence() -> None:
    f = facts("# QA\n\n12 tests passed, 0 failed.\n")
    assert f.software_kind.value == "unknown" and f.software_kind.evidence == []


def test_out_of_scope_and_negated_mentions_are_not_the_kind() -> None:
    text = (
        "# QA\n\n## Out of scope\n\n- iOS testing\n- Android testing\n\n## Results\n\n"
        "There is no mobile app yet. `GET /health` returns 200; `POST /orders` returns 201.\n"
    )
    assert facts(text).software_kind.value == "service"


def test_web_frameworks_in_the_stack_make_a_service() -> None:
    assert facts("# QA\n\nBackend: Spring Boot 3.2 — 120 tests passed.\n").software_kind.value == "service"


# --- services ---------------------------------------------------------------------------------------


def test_services_from_a_table_with_status_and_runtime() -> None:
    text = (
        "# Test run\n\n| Service | Runtime | Status |\n|---|---|---|\n| auth-service | Go 1.22 | ❌ FAIL |\n"
        "| orders-service | Java 21 | ✅ PASS |\n| notifier | Node.js 20 | ✅ PASS |\n"
    )
    by = {s.name: s for s in facts(text).services}
    assert (by["auth-service"].status, by["auth-service"].runtime) == ("failing", "Go")
    assert (by["orders-service"].status, by["orders-service"].runtime) == ("ok", "Java")
    assert by["notifier"].runtime == "Node.js" and by["notifier"].evidence.line == 7


def test_services_from_prose() -> None:
    text = (
        "# QA run\n\n## Results\n\n- The auth service returns 500 on login.\n"
        "- The NLP service does not build (missing model files).\n- The user service passed all 42 tests.\n"
    )
    by = {s.name: s.status for s in facts(text).services}
    assert by == {"auth service": "failing", "NLP service": "failing", "user service": "ok"}


def test_a_negation_in_the_previous_sentence_does_not_hedge_a_failure() -> None:
    # The sentence bound lived in the stack reader only; services read the "No" of the sentence
    # before and lost the failure. It is now part of is_hedged, shared by every reader.
    text = (
        "# QA run\n\n## Results\n\n- No regressions were found in the UI. The billing service fails on "
        "every login.\n- The user service passed all 42 tests.\n"
    )
    by = {s.name: s.status for s in facts(text).services}
    assert by == {"billing service": "failing", "user service": "ok"}


def test_title_case_service_names_merge_with_their_hyphenated_form() -> None:
    text = (
        "# QA\n\n## Services to test\n\n1. Securities Pricing Service (port 8081)\n"
        "2. Payment Service (port 8082)\n3. The billing service (port 8083)\n\n"
        "## Results\n\n- `securities-pricing-service` healthy\n"
        "- `payment-service` crashed on start\n"
    )
    by = {s.name: s.status for s in facts(text).services}
    assert by == {
        "Securities Pricing Service": "ok",
        "Payment Service": "failing",
        "billing service": "unknown",
    }


def test_services_from_docker_compose_skip_infrastructure() -> None:
    text = (
        "# QA\n\n```yaml\nservices:\n  api:\n    build: ./api\n  worker:\n    build: ./worker\n"
        "  db:\n    image: postgres:16\n  cache:\n    image: redis:7\n```\n"
    )
    assert [s.name for s in facts(text).services] == ["api", "worker"]


def test_failed_and_passed_services_sections() -> None:
    text = (
        "# Report\n\nRan gateway-service, billing-service and search-service.\n\n"
        "### Failed Services\n- billing-service\n\n### Passed Services\n- gateway-service\n- search-service\n"
    )
    by = {s.name: s.status for s in facts(text).services}
    assert by == {"gateway-service": "ok", "billing-service": "failing", "search-service": "ok"}


def test_managed_cloud_services_in_a_cost_table_are_not_application_services() -> None:
    text = "# Cost\n\n| Service | Monthly |\n|---|---|\n| EC2 | $120 |\n| RDS | $80 |\n| S3 | $5 |\n"
    assert facts(text).services == []


def test_kinds_of_server_are_not_service_names() -> None:
    text = "# QA\n\nStarted the dev-server and the mock-server; the rest-api answered; so did json-server.\n"
    assert facts(text).services == []


def test_code_modules_and_a_single_service_are_not_services() -> None:
    text = (
        "# QA\n\n- `authService.js` 98 % lines\n- `AuditLogService.java:78`\n- User service: 91 % coverage\n"
        "- Admin service: 100 % coverage\n- The payment-service handled 300 req/s.\n"
    )
    assert facts(text).services == []
