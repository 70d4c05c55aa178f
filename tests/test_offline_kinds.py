"""The kind of software decides the release path; several services each get their own units.

Synthetic QA handoffs (so the facts extractor's progress cannot hide a writer bug) for every kind:
the CI YAML is parsed and its jobs, ``run:`` steps and pinned actions checked; the template's
headings and labelled fields must all remain; the reviewer must find no blocker or major; and what
does not apply (a load balancer, a database backup for a CLI) is said, not invented. Plus the
release gate for plans and failed criteria, open questions, several services and the QA
performance set-up.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from opsrelay.agents.devops import decide_offline, render_offline, write_section_offline
from opsrelay.agents.devops.assumptions import derive_assumptions
from opsrelay.agents.devops.writers import missing_shape
from opsrelay.facts.model import (
    Defect,
    Evidence,
    KindFact,
    NamedFact,
    OpenQuestion,
    OutcomeFailure,
    PerfMetric,
    QAFacts,
    ServiceFact,
    SoftwareKind,
    StackItem,
)
from opsrelay.facts.model import TestCommand as QACommand
from opsrelay.facts.model import TestResults as QAResults
from opsrelay.review import review_document
from opsrelay.template import DRAFTED_SECTIONS

YAML_BLOCK = re.compile(r"```ya?ml\n(.*?)```", re.S)
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
DATE = "2026-01-01"


def _ev(line: int, text: str) -> Evidence:
    return Evidence(source="qa.md", line=line, text=text)


def _facts(
    kind: SoftwareKind,
    stack: list[tuple[str, str, str | None]],
    commands: list[str],
    **extra: Any,
) -> QAFacts:
    base: dict[str, Any] = {
        "source_name": "qa.md",
        "source_sha256": "0" * 64,
        "project": NamedFact(value=f"demo-{kind}", evidence=_ev(1, "# demo")),
        "stack": [
            StackItem(name=n, kind=k, version=v, evidence=_ev(3 + i, f"{n} {v or ''}"))  # type: ignore[arg-type]
            for i, (n, k, v) in enumerate(stack)
        ],
        "test_commands": [QACommand(command=c, evidence=_ev(10 + i, c)) for i, c in enumerate(commands)],
        "test_results": [QAResults(total=12, passed=12, failed=0, evidence=_ev(20, "12 passed, 0 failed"))],
        "software_kind": KindFact(value=kind, evidence=[] if kind == "unknown" else [_ev(2, f"a {kind}")]),
    }
    base.update(extra)
    return QAFacts(**base)


def _section(md: str, heading: str) -> str:
    start = md.index(f"\n## {heading}\n")
    end = md.find("\n## ", start + 1)
    return md[start : end if end > 0 else len(md)]


def _pipeline(md: str) -> dict[str, Any]:
    loaded = yaml.safe_load(YAML_BLOCK.findall(_section(md, "CI/CD Pipeline"))[0])
    assert isinstance(loaded, dict)
    return loaded


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(s["run"]) for s in job.get("steps", []) if "run" in s)


def _uses(pipeline: dict[str, Any]) -> list[str]:
    return [str(s["uses"]) for j in pipeline["jobs"].values() for s in j.get("steps", []) if "uses" in s]


def _field(md: str, label: str) -> str:
    return next(ln for ln in md.splitlines() if ln.startswith(f"- **{label}**: "))


KINDS: dict[str, tuple[list[tuple[str, str, str | None]], list[str]]] = {
    "library": ([("Go", "language", "1.23")], ["go test ./..."]),
    "cli": ([("Rust", "language", "1.85")], ["cargo test"]),
    "mobile": ([("Flutter", "framework", "3.24"), ("SQLite", "datastore", None)], ["flutter test"]),
    "desktop": ([("C++", "language", None), ("Qt", "framework", "6.5")], ["ctest --test-dir build"]),
    "embedded": ([("C++", "language", None)], ["ctest --test-dir build"]),
    "data_pipeline": ([("Python", "language", "3.12"), ("PostgreSQL", "datastore", "16")], ["pytest -q"]),
    "distributed_node": ([("Go", "language", "1.23")], ["go test ./..."]),
}


@pytest.fixture(scope="module", params=sorted(KINDS), ids=str)
def guide(request: pytest.FixtureRequest) -> tuple[str, QAFacts, str]:
    kind = request.param
    stack, commands = KINDS[kind]
    facts = _facts(kind, stack, commands)
    return kind, facts, render_offline(facts, date=DATE)


def test_every_kind_keeps_the_template_and_passes_review(guide: tuple[str, QAFacts, str]) -> None:
    kind, facts, md = guide
    for spec in DRAFTED_SECTIONS:
        assert missing_shape(_section(md, spec.heading).lstrip("\n"), spec) == [], (kind, spec.key)
    review = review_document(md, facts)
    assert [f"{f.rule}: {f.message}" for f in review.findings if f.severity in ("blocker", "major")] == []
    pipeline = _pipeline(md)
    for uses in _uses(pipeline):
        assert SHA_PIN.match(uses), uses
    assert "test" in pipeline["jobs"]
    assert any(c in _runs(pipeline["jobs"]["test"]) for c in KINDS[kind][1])
    assert decide_offline(facts).delivery.kind == kind


@pytest.mark.parametrize("kind", ["library", "cli", "mobile", "desktop", "embedded"])
def test_distributed_software_is_released_not_deployed(kind: str) -> None:
    stack, commands = KINDS[kind]
    facts = _facts(kind, stack, commands)  # type: ignore[arg-type]
    d = decide_offline(facts)
    md = render_offline(facts, date=DATE)
    pipeline = _pipeline(md)
    assert not any(
        j.startswith(("deploy-", "build")) and j != "build-binaries" and "image" in _runs(v)
        for j, v in pipeline["jobs"].items()
    )
    assert not any(j.startswith("deploy-") for j in pipeline["jobs"])
    assert "v*" in pipeline[True]["push"]["tags"]  # yaml reads the key 'on' as True
    text = md.lower()
    for server_only in ("load balancer", "ecs", "fargate", "autoscaling between", "pgbackrest", "waf", "5xx"):
        assert server_only not in text, server_only
    assert d.platform.kind == "distribution"
    assert _field(md, "Database Backups").startswith("- **Database Backups**: Not applicable")
    assert _field(md, "Server Metrics").startswith("- **Server Metrics**: Not applicable")
    # Nothing assumed about servers: no availability/latency/autoscaling assumptions for a client.
    topics = d.assumption_topics()
    for topic in ("Availability objective", "Autoscaling bounds", "Hosting", "RTO and RPO"):
        assert topic not in topics, topic


def test_library_publishes_to_its_registry_with_changelog_checksums_and_signature() -> None:
    for lang, stack, command, publish in (
        ("go", [("Go", "language", None)], "go test ./...", "proxy.golang.org"),
        ("rust", [("Rust", "language", None)], "cargo test", "cargo publish --locked"),
        ("python", [("Python", "language", "3.12")], "pytest", "twine upload"),
        ("node", [("TypeScript", "language", None)], "npm test", "npm publish --provenance"),
        ("ruby", [("Ruby", "language", "3.3")], "bundle exec rspec", "gem push"),
    ):
        md = render_offline(_facts("library", stack, [command]), date=DATE)
        release = _pipeline(md)["jobs"]["release"]
        runs = _runs(release)
        assert publish in runs, lang
        assert "SHA256SUMS" in runs and "cosign sign-blob" in runs and "CHANGELOG.md" in runs
        assert "gh release create" in runs
        assert release["environment"]["name"] == "production"
        assert release["if"] == "startsWith(github.ref, 'refs/tags/v')"
        assert "semantic versioning" in _section(md, "CI/CD Pipeline")


def test_cli_ships_signed_binaries_per_os_and_arch() -> None:
    md = render_offline(_facts("cli", [("Rust", "language", None)], ["cargo test"]), date=DATE)
    jobs = _pipeline(md)["jobs"]
    matrix = jobs["build-binaries"]["strategy"]["matrix"]["include"]
    targets = {m["target"] for m in matrix}
    assert {"x86_64-unknown-linux-gnu", "aarch64-apple-darwin", "x86_64-pc-windows-msvc"} <= targets
    runs = _runs(jobs["release"])
    assert "sbom" in runs.lower() and "SHA256SUMS" in runs and "--version" in runs
    assert "cargo publish" in runs
    assert "gh release edit" in _section(md, "CI/CD Pipeline")  # the rollback command


def test_mobile_app_moves_through_store_tracks_and_rolls_back_by_halting() -> None:
    facts = _facts(
        "mobile", [("Flutter", "framework", "3.24"), ("Android", "platform", None)], ["flutter test"]
    )
    md = render_offline(facts, date=DATE)
    pipeline = _pipeline(md)
    jobs = pipeline["jobs"]
    assert "flutter build appbundle" in _runs(jobs["build-android"])
    assert "--track internal" in _runs(jobs["play-internal"])
    promote = jobs["promote-production"]
    assert promote["environment"]["name"] == "production"
    assert '--rollout "$ROLLOUT"' in _runs(promote)
    assert "build-ios" not in jobs  # QA shows an Android app only
    cicd = _section(md, "CI/CD Pipeline")
    assert "1 % → 5 % → 20 % → 50 % → 100 %" in cicd
    assert "cannot roll a release back" in cicd and "--release_status halted" in cicd
    assert "ANR" in _section(md, "Monitoring & Observability")
    assert "SQLite" not in _field(md, "Database Backups") or "devices" in _field(md, "Database Backups")
    assert _field(md, "Database Backups").startswith("- **Database Backups**: Not applicable")


def test_on_device_database_has_no_server_backups() -> None:
    """The "Not applicable" backups above are only meaningful with an on-device database in the stack."""
    with_db = _facts(
        "mobile",
        [("Flutter", "framework", "3.24"), ("Android", "platform", None), ("SQLite", "datastore", None)],
        ["flutter test"],
    )
    backups = _field(render_offline(with_db, date=DATE), "Database Backups")
    assert backups.startswith("- **Database Backups**: Not applicable")
    assert "SQLite lives on users' devices" in backups and "server backups" in backups


def test_embedded_rolls_out_to_canary_devices_first() -> None:
    md = render_offline(_facts("embedded", [("C++", "language", None)], ["ctest"]), date=DATE)
    jobs = _pipeline(md)["jobs"]
    canary = _runs(jobs["release-canary"])
    # the tagged image is deployed to the canary device group, not merely mentioned
    assert '\\"group\\": \\"canary\\"' in canary
    assert '"$OTA_API/deployments"' in canary and "cosign sign-blob" in canary
    assert jobs["fleet-wave"]["environment"]["name"] == "production"
    assert "A/B" in _section(md, "CI/CD Pipeline")


def test_data_pipeline_deploys_a_scheduled_job_with_quality_checks() -> None:
    stack, commands = KINDS["data_pipeline"]
    md = render_offline(_facts("data_pipeline", stack, commands), date=DATE)
    jobs = _pipeline(md)["jobs"]
    staging = _runs(jobs["deploy-staging"])
    assert "register-task-definition" in staging and "run-task" in staging
    assert "update-service" not in staging  # a pipeline is a scheduled job, not a long-running service
    assert "data-quality" in _section(md, "CI/CD Pipeline")
    alerts = _section(md, "Alerting Configuration")
    assert "data-quality checks failed" in alerts and "Data freshness" in alerts
    assert "No scheduled run started" in alerts
    assert "scheduled runs succeed" in _section(md, "Monitoring & Observability")
    assert "EventBridge Scheduler" in _section(md, "Infrastructure Architecture")


def test_distributed_node_rolls_out_in_waves_keeping_quorum() -> None:
    stack, commands = KINDS["distributed_node"]
    md = render_offline(_facts("distributed_node", stack, commands), date=DATE)
    cicd = _section(md, "CI/CD Pipeline")
    assert "never more than a third" in cicd
    assert "ansible-playbook" in _runs(_pipeline(md)["jobs"]["deploy-production"])
    assert "quorum at risk" in _section(md, "Alerting Configuration")
    assert "peer count" in _section(md, "Monitoring & Observability")


def test_unknown_kind_is_a_service_recorded_as_an_assumption() -> None:
    facts = _facts("unknown", [("Python", "language", "3.12")], ["pytest"])
    d = decide_offline(facts)
    assert d.delivery.kind == "service" and d.delivery.basis == "assumption"
    assert "Kind of software" in d.assumption_topics()
    md = render_offline(facts, date=DATE)
    assert "deploy-production" in _pipeline(md)["jobs"]


def test_mobile_app_with_a_backend_deploys_the_backend_and_ships_the_app() -> None:
    facts = _facts(
        "mobile",
        [("Expo", "framework", None), ("Node.js", "language", "20"), ("PostgreSQL", "datastore", "16")],
        ["npm test"],
    )
    d = decide_offline(facts)
    assert d.delivery.kind == "service"
    assert d.platform.mobile_release
    assert "deploy-production" in _pipeline(render_offline(facts, date=DATE))["jobs"]


# --- the release gate -----------------------------------------------------------------------------


def test_a_plan_is_never_open() -> None:
    facts = _facts(
        "service",
        [("Java", "language", "21")],
        ["mvn test"],
        test_results=[],
        document_kind="plan",
        document_kind_evidence=_ev(1, "# Plan de pruebas"),
    )
    d = decide_offline(facts)
    assert d.release_gate.status == "not_executed"
    md = render_offline(facts, date=DATE)
    assert "**OPEN**" not in md
    assert "Release gate: **NOT EXECUTED**" in _section(md, "Quality Gates")
    assert "Tests planned, not executed" in _section(md, "Assumptions & Open Questions")
    assert "qa.md:1" in _section(md, "Quality Gates")
    review = review_document(md, facts)
    assert [f.rule for f in review.findings if f.severity in ("blocker", "major")] == []


def test_blocked_gate_names_every_reason() -> None:
    facts = _facts(
        "service",
        [("Go", "language", None)],
        ["go test ./..."],
        test_results=[
            QAResults(total=9, passed=7, failed=2, failing_tests=["TestAuth"], evidence=_ev(20, "7/9"))
        ],
        outcome_failures=[
            OutcomeFailure(reason="auth-service returns HTTP 500", evidence=_ev(30, "auth: 500")),
            OutcomeFailure(reason="p95 above the 500 ms criterion", evidence=_ev(31, "p95 812 ms FAIL")),
        ],
        defects=[Defect(id="BUG-1", title="Login lost", severity="P1", status="open", evidence=_ev(40, "x"))],
        verdict={"value": "NO-GO", "evidence": _ev(50, "Decision: NO-GO")},
    )
    d = decide_offline(facts)
    assert d.release_gate.status == "blocked"
    reasons = " | ".join(d.release_gate.reasons)
    for part in ("BUG-1", "2 failing", "TestAuth", "HTTP 500", "500 ms criterion", "NO-GO"):
        assert part in reasons, part
    md = render_offline(facts, date=DATE)
    gates = _section(md, "Quality Gates")
    assert "auth-service returns HTTP 500" in gates and "qa.md:30" in gates
    overview = _section(md, "Deployment Overview")
    assert "**Release gate: BLOCKED** — 5 blocking items" in overview


def test_outcome_failure_alone_blocks() -> None:
    facts = _facts(
        "service",
        [("PHP", "language", "8.3")],
        ["php artisan test"],
        outcome_failures=[OutcomeFailure(reason="response time criterion not met", evidence=_ev(9, "x"))],
    )
    assert decide_offline(facts).release_gate.status == "blocked"
    review = review_document(render_offline(facts, date=DATE), facts)
    assert [f.rule for f in review.findings if f.severity in ("blocker", "major")] == []


def test_every_open_question_becomes_an_assumption_entry() -> None:
    qs = [
        OpenQuestion(question="Compilation is 0 % while every check shows ✅", evidence=_ev(14, "0 %")),
        OpenQuestion(question="All performance tests were skipped", evidence=_ev(15, "skipped")),
    ]
    facts = _facts("service", [("Go", "language", None)], ["go test ./..."], open_questions=qs)
    listed = _section(render_offline(facts, date=DATE), "Assumptions & Open Questions")
    for q in qs:
        assert q.question in listed
    assert "qa.md:14" in listed and "qa.md:15" in listed


# --- several services -----------------------------------------------------------------------------


def test_each_service_gets_runtime_pipeline_job_and_deploy_unit() -> None:
    services = [
        ServiceFact(name="auth-service", runtime="Java", status="failing", evidence=_ev(5, "auth-service")),
        ServiceFact(name="nlp-service", runtime="Python", status="ok", evidence=_ev(6, "nlp-service")),
        ServiceFact(name="gateway", runtime="Go", status="ok", evidence=_ev(7, "gateway")),
    ]
    facts = _facts(
        "service",
        [("Java", "language", "21"), ("Spring Boot", "framework", None), ("Python", "language", "3.12")],
        ["mvn test"],
        services=services,
    )
    d = decide_offline(facts)
    assert [(u.name, u.language) for u in d.services] == [
        ("auth-service", "java"),
        ("nlp-service", "python"),
        ("gateway", "go"),
    ]
    md = render_offline(facts, date=DATE)
    jobs = _pipeline(md)["jobs"]
    for unit, setup in (
        ("auth-service", "setup-java"),
        ("nlp-service", "setup-python"),
        ("gateway", "setup-go"),
    ):
        job = jobs[f"svc-{unit}"]
        assert job["defaults"]["run"]["working-directory"] == unit
        assert any(setup in str(s.get("uses", "")) for s in job["steps"])
    assert jobs["build"]["strategy"]["matrix"]["service"] == ["auth-service", "nlp-service", "gateway"]
    assert jobs["deploy-production"]["strategy"]["max-parallel"] == 1
    assert set(jobs["build"]["needs"]) == {"test", "svc-auth-service", "svc-nlp-service", "svc-gateway"}
    for unit in ("auth-service", "nlp-service", "gateway"):
        assert unit in _section(md, "Infrastructure Architecture")
        assert unit in _section(md, "Monitoring & Observability")
        assert unit in _section(md, "Operational Runbooks")
    review = review_document(md, facts)
    assert [f.rule for f in review.findings if f.severity in ("blocker", "major")] == []


def test_one_service_is_one_deploy_unit() -> None:
    facts = _facts(
        "service",
        [("Go", "language", None)],
        ["go test ./..."],
        services=[ServiceFact(name="api", runtime="Go", evidence=_ev(3, "api"))],
    )
    assert decide_offline(facts).services == []


# --- performance set-up -----------------------------------------------------------------------------


def test_capacity_and_slo_cite_the_perf_setup_and_measured_numbers() -> None:
    facts = _facts(
        "service",
        [("Go", "language", None)],
        ["go test ./..."],
        performance=[
            PerfMetric(
                metric="p95", value=180, unit="ms", context="steady load", evidence=_ev(30, "p95 180")
            ),
            PerfMetric(metric="throughput", value=450, unit="rps", evidence=_ev(31, "450 req/s")),
        ],
        perf_setup=[NamedFact(value="3 x c5.xlarge, PostgreSQL db.r6g.large", evidence=_ev(28, "setup"))],
    )
    d = decide_offline(facts)
    assert any(e.line == 28 for e in d.capacity.evidence)
    assert any(e.line == 28 for e in d.slo.evidence)
    perf = _section(render_offline(facts, date=DATE), "Performance Optimization")
    assert "3 x c5.xlarge" in perf and "qa.md:28" in perf
    assert "p95 180 ms" in perf and "qa.md:30" in perf and "450 requests/s" in perf


def test_throughput_in_messages_per_second_is_sized_in_messages() -> None:
    facts = _facts(
        "service",
        [("Rust", "language", None)],
        ["cargo test"],
        performance=[
            PerfMetric(metric="throughput", value=190000, unit="msg/s", evidence=_ev(21, "190k msg/s")),
            PerfMetric(metric="p99", value=2.1, unit="ms", evidence=_ev(22, "p99 2.1 ms")),
        ],
    )
    d = decide_offline(facts)
    assert d.capacity.baseline_rps == 190000 and d.capacity.throughput_unit == "messages/s"
    md = render_offline(facts, date=DATE)
    assert "190000 messages/s" in md
    assert "190000 requests/s" not in md


@pytest.mark.parametrize("kind", ["library", "cli", "mobile", "embedded"])
def test_gitlab_releases_distributed_software_on_a_tag_with_approval(kind: str) -> None:
    stack, commands = KINDS[kind]
    facts = _facts(kind, [*stack, ("GitLab CI", "ci", None)], commands)  # type: ignore[arg-type]
    pipeline = _pipeline(render_offline(facts, date=DATE))
    assert "build" not in pipeline and not any(k.startswith("deploy-") for k in pipeline)
    release = pipeline["release"]
    assert release["rules"] == [{"if": "$CI_COMMIT_TAG =~ /^v/", "when": "manual"}]
    assert release["environment"] == {"name": "production"}
    script = "\n".join(release["script"])
    assert "SHA256SUMS" in script
    if kind == "cli":
        assert "cargo build --release" in script and "cargo publish" in script


def test_gitlab_gives_each_service_its_own_job() -> None:
    services = [
        ServiceFact(name="orders", runtime="Go", evidence=_ev(5, "orders")),
        ServiceFact(name="billing", runtime="Ruby", evidence=_ev(6, "billing")),
    ]
    facts = _facts(
        "service", [("Go", "language", None), ("GitLab CI", "ci", None)], ["go test ./..."], services=services
    )
    pipeline = _pipeline(render_offline(facts, date=DATE))
    assert pipeline["svc-orders"]["image"].startswith("golang:")
    assert pipeline["svc-billing"]["before_script"] == ["cd billing"]
    assert "bundle exec rspec" in pipeline["svc-billing"]["script"]


def test_model_path_assumptions_carry_the_plan_the_questions_and_the_kind() -> None:
    # The LLM path derives its assumptions from the decisions alone (llm.py): what the offline engine
    # records from the facts (a plan, open questions, an assumed kind) must survive that derivation.
    facts = _facts(
        "unknown",
        [("Go", "language", None)],
        [],
        test_results=[],
        document_kind="plan",
        open_questions=[OpenQuestion(question="Skipped tests behind a 100 % pass", evidence=_ev(7, "100 %"))],
    )
    topics = [a.topic for a in derive_assumptions(decide_offline(facts))]
    assert "Tests planned, not executed" in topics
    assert "Open question from QA" in topics
    assert "Kind of software" in topics


def test_backend_with_a_flutter_app_deploys_the_backend_and_builds_the_app_natively() -> None:
    facts = _facts(
        "mobile",
        [
            ("Dart", "language", None),
            ("Flutter", "framework", None),
            ("PHP", "language", "8.3"),
            ("Laravel", "framework", None),
            ("MySQL", "datastore", "8"),
        ],
        ["php artisan test", "flutter test"],
    )
    d = decide_offline(facts)
    assert d.delivery.kind == "service" and d.runtimes[0].language == "php"
    md = render_offline(facts, date=DATE)
    jobs = _pipeline(md)["jobs"]
    assert "deploy-production" in jobs
    assert "flutter build appbundle" in _runs(jobs["build-android"])
    assert "EAS" not in md


def test_services_on_kubernetes_each_get_a_helm_release() -> None:
    services = [
        ServiceFact(name="api", runtime="Python", evidence=_ev(5, "api")),
        ServiceFact(name="worker", runtime="Python", evidence=_ev(6, "worker")),
    ]
    facts = _facts(
        "service",
        [("Python", "language", "3.12"), ("Kubernetes", "platform", None)],
        ["pytest"],
        services=services,
    )
    jobs = _pipeline(render_offline(facts, date=DATE))["jobs"]
    deploy = jobs["deploy-production"]
    assert deploy["strategy"]["matrix"]["service"] == ["api", "worker"]
    assert "helm upgrade --install demo-service-${{ matrix.service }}" in _runs(deploy)
    assert deploy["concurrency"] == "deploy-production-${{ matrix.service }}"
    assert 'docker build --pull --tag "$IMAGE_REPO:$GITHUB_SHA" --file "$SERVICE/Dockerfile"' in _runs(
        jobs["build"]
    )


def test_flutter_app_runs_qa_mobile_flows_on_a_simulator() -> None:
    facts = _facts("mobile", [("Flutter", "framework", "3.24")], ["flutter test", "maestro test flows/"])
    md = render_offline(facts, date=DATE)
    e2e = _pipeline(md)["jobs"]["mobile-e2e"]
    assert e2e["runs-on"].startswith("macos")
    runs = _runs(e2e)
    assert "flutter build ios --simulator" in runs and "maestro test flows/" in runs
    review = review_document(md, facts)
    assert [f.rule for f in review.findings if f.severity in ("blocker", "major")] == []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_sparse_decisions_from_a_model_still_render_every_section(kind: str) -> None:
    # A model's decisions may omit environments or runtimes; the writers must still keep the template.
    stack, commands = KINDS[kind]
    facts = _facts(kind, stack, commands)  # type: ignore[arg-type]
    sparse = decide_offline(facts).model_copy(update={"environments": [], "runtimes": [], "services": []})
    for spec in DRAFTED_SECTIONS:
        md = write_section_offline(spec.key, facts, sparse)
        assert missing_shape(md, spec) == [], (kind, spec.key)


MATRIX_LANGS: dict[str, tuple[str, str]] = {
    "python": ("Python", "pytest"),
    "node": ("Node.js", "npm test"),
    "java": ("Java", "mvn test"),
    "kotlin": ("Kotlin", "./gradlew test"),
    "dotnet": ("C#", "dotnet test"),
    "go": ("Go", "go test ./..."),
    "ruby": ("Ruby", "bundle exec rspec"),
    "php": ("PHP", "vendor/bin/phpunit"),
    "rust": ("Rust", "cargo test"),
    "cpp": ("C++", "ctest --test-dir build"),
    "dart": ("Dart", "dart test"),
    "bun": ("Bun", "bun test"),
}


@pytest.mark.parametrize(
    ("lang", "ci"),
    [(lang, "GitHub Actions") for lang in sorted(MATRIX_LANGS)]
    + [(lang, "GitLab CI") for lang in ("dart", "python", "rust")],
)
def test_every_kind_with_every_toolchain_passes_review(lang: str, ci: str) -> None:
    name, command = MATRIX_LANGS[lang]
    for kind in (*sorted(KINDS), "service", "unknown"):
        facts = _facts(kind, [(name, "language", None), (ci, "ci", None)], [command])  # type: ignore[arg-type]
        md = render_offline(facts, date=DATE)
        for block in YAML_BLOCK.findall(md):
            yaml.safe_load(block)
        assert decide_offline(facts).runtimes[0].language == lang
        serious = [f.rule for f in review_document(md, facts).findings if f.severity in ("blocker", "major")]
        assert serious == [], (kind, serious)
