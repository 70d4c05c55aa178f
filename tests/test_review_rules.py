"""Reviewer rules: a good document passes; each seeded defect is caught with the right severity."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import pytest
from review_helpers import ev, good_document, good_facts

from opsrelay.facts.model import Defect, QAFacts, StackItem
from opsrelay.facts.model import TestResults as QATestResults
from opsrelay.review import Review, review_document

Mutation = Callable[[str], str]

AWS_KEY = "AKIA2E0A8F3B244C9986"
AWS_SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYzq9d8s7T6u5v"
GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
SLACK_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
STRIPE_KEY = "sk_live_" + "51HxYzAbCdEfGhIjKlMnOpQr"
OPENAI_KEY = "sk-proj-" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
DB_PASSWORD = "S3cure-Pa55w0rd!"
URL_PASSWORD = "hunter2secret"
PRIVATE_KEY_BODY = "MIIEowIBAAKCAQEA7VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6d"
SLACK_WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"


# --- mutation helpers ---------------------------------------------------------------------------


def replace(old: str, new: str) -> Mutation:
    """Replace one exact snippet (which must exist) in the document."""

    def mutate(doc: str) -> str:
        assert old in doc, f"fixture drifted: {old!r} not found"
        return doc.replace(old, new, 1)

    return mutate


def chain(*mutations: Mutation) -> Mutation:
    """Apply several mutations in order."""

    def mutate(doc: str) -> str:
        for m in mutations:
            doc = m(doc)
        return doc

    return mutate


def drop_section(heading: str) -> Mutation:
    """Remove a whole '## heading' section."""

    def mutate(doc: str) -> str:
        pattern = rf"^## {re.escape(heading)}\n.*?(?=^## )"
        new, count = re.subn(pattern, "", doc, count=1, flags=re.MULTILINE | re.DOTALL)
        assert count == 1
        return new

    return mutate


def move_section_first(heading: str) -> Mutation:
    """Move a whole section to just after the title."""

    def mutate(doc: str) -> str:
        m = re.search(rf"^## {re.escape(heading)}\n.*?(?=^## )", doc, flags=re.MULTILINE | re.DOTALL)
        assert m
        rest = doc[: m.start()] + doc[m.end() :]
        first = rest.index("## ")
        return rest[:first] + m.group(0) + rest[first:]

    return mutate


def add_line_after(anchor: str, line: str) -> Mutation:
    """Insert a new line right after the line containing ``anchor``."""

    def mutate(doc: str) -> str:
        lines = doc.split("\n")
        index = next(i for i, text in enumerate(lines) if anchor in text)
        return "\n".join([*lines[: index + 1], line, *lines[index + 1 :]])

    return mutate


def in_dev_config(text: str) -> Mutation:
    """Add a prose line inside Development environment specs."""
    return add_line_after("- **Data**: Seeded from", text)


def in_yaml_run(command: str) -> Mutation:
    """Add a shell command to the lint step of the pipeline YAML."""
    return replace(
        "        run: ruff check .", f"        run: |\n          ruff check .\n          {command}"
    )


def in_yaml_env(line: str) -> Mutation:
    """Add an environment variable to the QA test step of the pipeline YAML."""
    return replace(
        "          REDIS_URL: redis://localhost:6379/0",
        f"          REDIS_URL: redis://localhost:6379/0\n          {line}",
    )


ALL_BACKUP_CONTINUITY = chain(
    replace(
        "daily RDS snapshots at 03:00 UTC plus continuous WAL archiving (point-in-time recovery, 5-minute "
        "granularity)",
        "daily RDS snapshots at 03:00 UTC",
    ),
    replace("5 minutes (WAL-based point-in-time recovery).", "15 minutes."),
    replace("restore the latest snapshot copy and WAL in", "restore the latest snapshot copy in"),
    replace("point-in-time restore to a new RDS instance", "snapshot restore to a new RDS instance"),
    replace(
        "Multi-AZ standby, one read replica, automated snapshots and WAL archiving for point-in-time "
        "recovery.",
        "Multi-AZ standby, automated snapshots.",
    ),
)


def facts_with_open_p0() -> QAFacts:
    facts = good_facts()
    defect = Defect(
        id="BUG-200", title="Payments double-charged", severity="P0", status="open", evidence=ev(33)
    )
    return facts.model_copy(update={"defects": [*facts.defects, defect]})


def facts_with_failing_tests() -> QAFacts:
    return good_facts(test_results=[QATestResults(total=412, passed=409, failed=3, evidence=ev(14))])


def facts_with_queue() -> QAFacts:
    facts = good_facts()
    queue = StackItem(name="RabbitMQ", kind="queue", evidence=ev(9))
    return facts.model_copy(update={"stack": [*facts.stack, queue]})


def facts_with_open_p2() -> QAFacts:
    facts = good_facts()
    defect = Defect(id="BUG-150", title="Slow CSV export", severity="P2", status="open", evidence=ev(34))
    return facts.model_copy(update={"defects": [*facts.defects, defect]})


# --- the table ------------------------------------------------------------------------------------

# (defect name, mutation, expected rule, expected severity, facts factory or None)
DEFECTS: list[tuple[str, Mutation, str, str, Callable[[], QAFacts] | None]] = [
    (
        "missing required section",
        drop_section("Cost Management"),
        "structure.missing-section",
        "blocker",
        None,
    ),
    ("sections out of order", move_section_first("Quality Gates"), "structure.section-order", "major", None),
    (
        "missing sub-heading",
        replace("### Security Monitoring\n", ""),
        "structure.missing-block",
        "major",
        None,
    ),
    (
        "missing RTO field",
        replace(
            "- **RTO (Recovery Time Objective)**: 1 hour for a full regional recovery; 15 minutes for a "
            "single-AZ failure.\n",
            "",
        ),
        "structure.missing-field",
        "major",
        None,
    ),
    (
        "empty field",
        replace(
            "- **Logging**: JSON logs shipped to Loki, 30 days hot retention, 1 year in S3 for audit.",
            "- **Logging**:",
        ),
        "structure.empty-field",
        "major",
        None,
    ),
    (
        "leftover bracket placeholder",
        replace(
            "- **Failover Strategy**: Multi-AZ",
            "- **Failover Strategy**: [Primary to secondary region failover] Multi-AZ",
        ),
        "placeholders.leftover",
        "blocker",
        None,
    ),
    (
        "leftover TBD",
        replace("- **Compliance**: GDPR", "- **Compliance**: TBD; GDPR"),
        "placeholders.leftover",
        "blocker",
        None,
    ),
    (
        "leftover TODO in YAML",
        in_yaml_run("# TODO: add integration tests"),
        "placeholders.leftover",
        "blocker",
        None,
    ),
    ("lorem ipsum", in_dev_config("Lorem ipsum dolor sit amet."), "placeholders.leftover", "blocker", None),
    (
        "changeme",
        in_dev_config("Admin login is `admin` / `changeme`."),
        "placeholders.leftover",
        "blocker",
        None,
    ),
    (
        "<your-...> placeholder",
        in_yaml_run("docker push <your-registry>/orders-api"),
        "placeholders.leftover",
        "blocker",
        None,
    ),
    (
        "RTO without number",
        replace(
            "1 hour for a full regional recovery; 15 minutes for a single-AZ failure.", "As fast as possible."
        ),
        "dr.rto-numeric",
        "blocker",
        None,
    ),
    (
        "RTO without unit",
        replace(
            "1 hour for a full regional recovery; 15 minutes for a single-AZ failure.", "4 (see DR runbook)."
        ),
        "dr.rto-numeric",
        "blocker",
        None,
    ),
    (
        "RPO without number",
        replace("5 minutes (WAL-based point-in-time recovery).", "Minimal data loss."),
        "dr.rpo-numeric",
        "blocker",
        None,
    ),
    ("RPO shorter than daily backups", ALL_BACKUP_CONTINUITY, "dr.rpo-backup-interval", "major", None),
    (
        "availability without %",
        replace("99.9% monthly uptime target (43 minutes error budget per month).", "High availability."),
        "slo.availability-numeric",
        "major",
        None,
    ),
    (
        "response time without unit",
        replace(
            "p95 < 300 ms for API requests (QA load-test baseline p95 240 ms, p99 480 ms at 180 requests/s).",
            "Fast responses for all users.",
        ),
        "slo.response-time-numeric",
        "major",
        None,
    ),
    (
        "error rate without %",
        replace("< 0.1% 5xx responses across all endpoints over 30 days.", "Low error rate."),
        "slo.error-rate-numeric",
        "major",
        None,
    ),
    (
        "alert with no threshold",
        replace("5xx rate > 1% for 5 minutes →", "elevated errors for 5 minutes →"),
        "alerts.threshold",
        "major",
        None,
    ),
    (
        "alert with no duration",
        replace("5xx rate > 1% for 5 minutes →", "5xx rate > 1% →"),
        "alerts.duration",
        "major",
        None,
    ),
    (
        "alert channel without route",
        replace(
            "- **Critical**: PagerDuty service `orders-api` (primary on-call, escalation to secondary "
            "after 15 minutes) plus Slack #orders-incidents.",
            "- **Critical**: The operations group.",
        ),
        "alerts.route",
        "major",
        None,
    ),
    (
        "CI YAML does not parse",
        replace(
            "    runs-on: ubuntu-latest\n    timeout-minutes: 20",
            "    runs-on: [ubuntu-latest\n    timeout-minutes: 20",
        ),
        "cicd.yaml-invalid",
        "blocker",
        None,
    ),
    (
        "missing CI YAML",
        lambda doc: re.sub(r"```yaml\n.*?```\n", "We use GitHub Actions.\n", doc, count=1, flags=re.DOTALL),
        "cicd.yaml-missing",
        "blocker",
        None,
    ),
    (
        "YAML that is not a pipeline",
        lambda doc: re.sub(
            r"```yaml\n.*?```\n",
            "```yaml\napiVersion: v1\nkind: ConfigMap\n```\n",
            doc,
            count=1,
            flags=re.DOTALL,
        ),
        "cicd.not-a-pipeline",
        "major",
        None,
    ),
    (
        "pipeline does not run the QA test command",
        replace("run: pytest -q --cov=orders", "run: python -m unittest"),
        "cicd.test-command",
        "major",
        good_facts,
    ),
    (
        "unpinned action",
        replace(
            "actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b # v5.3.0",
            "actions/setup-python@main",
        ),
        "cicd.action-unpinned",
        "major",
        None,
    ),
    (
        "vague rollback",
        lambda doc: re.sub(
            r"- \*\*Rollback Strategy\*\*: .*",
            "- **Rollback Strategy**: Roll back if something goes wrong.",
            doc,
            count=1,
        ),
        "cicd.rollback-vague",
        "major",
        None,
    ),
    (
        "no migration strategy",
        lambda doc: re.sub(
            r"- \*\*Database Migrations\*\*: .*",
            "- **Database Migrations**: Run them during the deploy.",
            doc,
            count=1,
        ),
        "cicd.migration-strategy",
        "major",
        None,
    ),
    (
        "deploy job that only echoes",
        replace(
            "          ./scripts/migrate.sh production\n          ./scripts/deploy_ecs.sh production "
            '"${{ needs.build.outputs.image }}"\n      - name: Smoke test\n'
            "        run: ./scripts/smoke_test.sh https://orders.example.com",
            '          echo "Deploying to production"',
        ),
        "cicd.noop-deploy",
        "major",
        None,
    ),
    (
        "curl | sh",
        in_dev_config("Install the CLI: `curl -fsSL https://get.example.com/cli.sh | sh`"),
        "safety.pipe-to-shell",
        "blocker",
        None,
    ),
    (
        "wget | bash",
        in_yaml_run("wget -qO- https://get.example.com/setup | sudo bash"),
        "safety.pipe-to-shell",
        "blocker",
        None,
    ),
    (
        "curl | sh with a negation only after it",
        in_dev_config("Run `curl -fsSL https://get.example.com/cli.sh | sh`, never skip it."),
        "safety.pipe-to-shell",
        "blocker",
        None,
    ),
    (
        'curl | sh after "don\'t forget"',
        in_dev_config("Don't forget to run `curl -fsSL https://get.example.com/cli.sh | bash` first."),
        "safety.pipe-to-shell",
        "blocker",
        None,
    ),
    ("rm -rf /", in_yaml_run("rm -rf /"), "safety.rm-rf-root", "blocker", None),
    (
        "rm -rf ~ in prose",
        in_dev_config("To start over run `rm -rf ~/` and re-clone."),
        "safety.rm-rf-root",
        "blocker",
        None,
    ),
    ("chmod 777", in_yaml_run("chmod -R 777 /app"), "safety.chmod-777", "blocker", None),
    (
        "--insecure",
        replace(
            "run: ./scripts/smoke_test.sh https://orders.example.com",
            "run: curl --insecure https://orders.example.com/healthz",
        ),
        "safety.tls-verify-off",
        "blocker",
        None,
    ),
    (
        "curl -k",
        in_dev_config("Check it with `curl -sk https://localhost:8443/healthz`."),
        "safety.tls-verify-off",
        "blocker",
        None,
    ),
    (
        "verify=False",
        in_dev_config("The smoke script calls `requests.get(url, verify=False)`."),
        "safety.tls-verify-off",
        "blocker",
        None,
    ),
    (
        "NODE_TLS_REJECT_UNAUTHORIZED=0",
        in_yaml_env("NODE_TLS_REJECT_UNAUTHORIZED: '0'"),
        "safety.tls-verify-off",
        "blocker",
        None,
    ),
    (
        "sslmode=disable",
        replace(
            "postgresql://postgres@localhost:5432/orders_test",
            "postgresql://postgres@db.internal:5432/orders?sslmode=disable",
        ),
        "safety.tls-verify-off",
        "blocker",
        None,
    ),
    (
        "unguarded DROP DATABASE",
        replace(
            "roll back the last deploy first if it correlates;",
            "run `psql -c 'DROP DATABASE orders'` and redeploy;",
        ),
        "safety.destructive-sql",
        "blocker",
        None,
    ),
    (
        "AWS access key",
        in_yaml_env(f"AWS_ACCESS_KEY_ID: {AWS_KEY}"),
        "secrets.aws-access-key",
        "blocker",
        None,
    ),
    (
        "AWS secret key",
        in_yaml_env(f"AWS_SECRET_ACCESS_KEY: {AWS_SECRET}"),
        "secrets.aws-secret-key",
        "blocker",
        None,
    ),
    (
        "private key block",
        add_line_after(
            "#### Development",
            f"```\n-----BEGIN RSA PRIVATE KEY-----\n{PRIVATE_KEY_BODY}\n-----END RSA PRIVATE KEY-----\n```",
        ),
        "secrets.private-key",
        "blocker",
        None,
    ),
    ("GitHub token", in_yaml_env(f"GH_TOKEN: {GITHUB_TOKEN}"), "secrets.github-token", "blocker", None),
    (
        "Slack token",
        in_dev_config(f"Bot token for alerts: `{SLACK_TOKEN}`."),
        "secrets.slack-token",
        "blocker",
        None,
    ),
    (
        "Slack webhook",
        in_dev_config(f"Alerts post to {SLACK_WEBHOOK}."),
        "secrets.slack-webhook",
        "blocker",
        None,
    ),
    ("Stripe live key", in_yaml_env(f"STRIPE_KEY: {STRIPE_KEY}"), "secrets.stripe-key", "blocker", None),
    ("OpenAI-style key", in_yaml_env(f"LLM_KEY: {OPENAI_KEY}"), "secrets.openai-key", "blocker", None),
    (
        "JWT",
        in_dev_config(f"Test with `curl -H 'Authorization: Bearer {JWT}'`."),
        "secrets.jwt",
        "blocker",
        None,
    ),
    (
        "password in a config line",
        in_yaml_env(f'DB_PASSWORD: "{DB_PASSWORD}"'),
        "secrets.assignment",
        "blocker",
        None,
    ),
    (
        "password in prose",
        in_dev_config("The shared admin password: Adm1nPassw0rd2024 (rotate after launch)."),
        "secrets.assignment",
        "blocker",
        None,
    ),
    (
        "credentials in a postgres URL",
        replace(
            "postgresql://postgres@localhost:5432/orders_test",
            f"postgresql://orders:{URL_PASSWORD}@localhost:5432/orders_test",
        ),
        "secrets.url-credentials",
        "blocker",
        None,
    ),
    (
        "open P0 not reflected in the gate",
        lambda doc: doc,
        "grounding.release-gate",
        "blocker",
        facts_with_open_p0,
    ),
    ("open P0 not named", lambda doc: doc, "grounding.blocker-not-named", "blocker", facts_with_open_p0),
    (
        "P0 named but release not blocked",
        add_line_after("## Quality Gates", "- [ ] BUG-200 fixed and verified"),
        "grounding.release-gate",
        "blocker",
        facts_with_open_p0,
    ),
    (
        "failing tests not reflected",
        lambda doc: doc,
        "grounding.release-gate",
        "blocker",
        facts_with_failing_tests,
    ),
    ("datastore without backups", lambda doc: doc, "grounding.datastore-backup", "major", facts_with_queue),
    ("open P2 defect not traced", lambda doc: doc, "grounding.traceability", "major", facts_with_open_p2),
    (
        "quality gates not a checklist",
        lambda doc: re.sub(r"^- \[[ x]\] ", "- ", doc.split("## Quality Gates")[1], flags=re.MULTILINE).join(
            [doc.split("## Quality Gates")[0] + "## Quality Gates", ""]
        ),
        "gates.checklist",
        "major",
        None,
    ),
    (
        "changelog without a date",
        replace("2025-03-15 - Initial operations guide", "Initial operations guide"),
        "changelog.dated-entry",
        "major",
        None,
    ),
]


@cache
def _review(doc: str, facts_key: str | None) -> Review:
    factories: dict[str, Callable[[], QAFacts]] = {f.__name__: f for *_, f in DEFECTS if f is not None}
    factories["good_facts"] = good_facts
    return review_document(doc, factories[facts_key]() if facts_key else None)


def _blocking(review: Review) -> list[str]:
    return [f"{f.severity} {f.rule} L{f.line}: {f.message}" for f in review.findings if f.severity != "minor"]


def test_good_document_passes_without_facts() -> None:
    review = review_document(good_document())
    assert review.verdict == "pass", _blocking(review)
    assert review.findings == []


def test_good_document_passes_with_facts() -> None:
    review = review_document(good_document(), good_facts())
    assert review.verdict == "pass", _blocking(review)
    assert review.findings == []


@pytest.mark.parametrize(
    ("name", "mutation", "rule", "severity", "facts"), DEFECTS, ids=[row[0] for row in DEFECTS]
)
def test_seeded_defect_is_caught(
    name: str, mutation: Mutation, rule: str, severity: str, facts: Callable[[], QAFacts] | None
) -> None:
    original = good_document()
    facts_key = facts.__name__ if facts else None
    for baseline in (_review(original, None), _review(original, "good_facts")):
        assert baseline.verdict == "pass", _blocking(baseline)
    mutated = mutation(original)
    assert mutated != original or facts is not None, "mutation changed nothing"
    review = _review(mutated, facts_key)
    hits = [f for f in review.findings if f.rule == rule]
    assert hits, f"{rule} did not fire; got {[(f.rule, f.severity) for f in review.findings]}"
    assert any(f.severity == severity for f in hits), [(f.rule, f.severity) for f in hits]
    assert review.verdict == "fail"


# --- negative cases: things that look risky but are not ------------------------------------------

NOT_FINDINGS: list[tuple[str, Mutation]] = [
    (
        "never run curl | sh",
        in_dev_config("Never run `curl -fsSL https://get.example.com/cli.sh | sh` on hosts."),
    ),
    (
        "don't chmod 777",
        in_dev_config("Do not use `chmod 777` to fix permission errors; fix the owner instead."),
    ),
    (
        "instead of --insecure",
        in_dev_config("Trust the internal CA with `--cacert ca.pem` instead of `--insecure`."),
    ),
    (
        "forbidden-commands list",
        in_dev_config("Never run any of the following in production:\n\n- `rm -rf /`\n- `curl … | bash`\n"),
    ),
    ("no --insecure", in_dev_config("TLS everywhere: no `--insecure`, no `verify=False`.")),
    ("unsafe list", in_dev_config("CI fails on unsafe commands (`curl … | sh`, `chmod 777`).")),
    ("secrets reference", in_yaml_env("DB_PASSWORD: ${{ secrets.DB_PASSWORD }}")),
    ("shell variable", in_yaml_env('PGPASSWORD: "$DB_PASSWORD"')),
    ("vault reference", in_dev_config("Set `DB_PASSWORD=<from Vault>` before running migrations locally.")),
    (
        "masked value",
        in_dev_config("The connection string is `postgres://orders:***@db.internal:5432/orders`."),
    ),
    (
        "URL with variable password",
        in_yaml_env("DATABASE_URL_RO: postgres://ro:${DB_RO_PASSWORD}@db:5432/orders"),
    ),
    ("prose about tokens", in_dev_config("Token: rotated every 90 days by the platform team.")),
    (
        "secret named in prose",
        in_dev_config("Kubernetes secret: `orders-db-credentials` (External Secrets)."),
    ),
    ("password policy in prose", in_dev_config("Password: minimum 12 characters, rotated yearly.")),
    (
        "private key named in prose",
        in_dev_config("Files containing `-----BEGIN PRIVATE KEY-----` are blocked by the pre-commit hook."),
    ),
    ("markdown link", in_dev_config("See the [Grafana dashboard](https://grafana.example.com/d/orders).")),
    ("reference link", in_dev_config("See the [DR runbook][dr].\n\n[dr]: https://wiki.example.com/dr")),
    ("GitHub alert", in_dev_config("> [!NOTE]\n> Staging is reset every Monday.")),
    ("array index", in_dev_config("The first replica is `replicas[0]`, the writer is hosts[0].")),
    (
        "guarded drop in local reset",
        in_dev_config("Local reset only: `dropdb orders_dev && createdb orders_dev`."),
    ),
    (
        "curl without -k",
        in_dev_config("Probe: `curl -fsS -H 'Accept: application/json' https://x.example.com/`."),
    ),
    ("rm -rf of a build dir", in_yaml_run('rm -rf -- "${BUILD_DIR:?}/dist" /tmp/build')),
    ("aws docs example key", in_dev_config("The AWS docs example key `AKIAIOSFODNN7EXAMPLE` is not real.")),
    ("id-token permission", lambda doc: doc),  # already in the fixture: `id-token: write`
]


@pytest.mark.parametrize(("name", "mutation"), NOT_FINDINGS, ids=[row[0] for row in NOT_FINDINGS])
def test_lookalikes_are_not_flagged(name: str, mutation: Mutation) -> None:
    review = review_document(mutation(good_document()), good_facts())
    assert review.findings == [], [(f.rule, f.line, f.message) for f in review.findings]


# --- secrets are never echoed ---------------------------------------------------------------------

SECRETS = {
    "AWS access key": AWS_KEY,
    "AWS secret key": AWS_SECRET,
    "private key block": PRIVATE_KEY_BODY,
    "GitHub token": GITHUB_TOKEN,
    "Slack token": SLACK_TOKEN,
    "Slack webhook": SLACK_WEBHOOK,
    "Stripe live key": STRIPE_KEY,
    "OpenAI-style key": OPENAI_KEY,
    "JWT": JWT,
    "password in a config line": DB_PASSWORD,
    "password in prose": "Adm1nPassw0rd2024",
    "credentials in a postgres URL": URL_PASSWORD,
}


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_secret_findings_do_not_echo_the_secret(name: str) -> None:
    mutation = next(row[1] for row in DEFECTS if row[0] == name)
    secret = SECRETS[name]
    review = review_document(mutation(good_document()))
    secret_findings = [f for f in review.findings if f.rule.startswith("secrets.")]
    assert secret_findings
    for f in review.findings:
        for text in (f.message, f.fix):
            assert secret not in text
            assert secret[4:24] not in text  # not even a long fragment


# --- other behaviour ------------------------------------------------------------------------------


def test_findings_are_sorted_by_section_then_line_then_rule() -> None:
    doc = chain(
        in_yaml_env(f"GH_TOKEN: {GITHUB_TOKEN}"),
        in_dev_config("Never mind: TODO"),
        replace("2025-03-15 - Initial operations guide", "Initial operations guide"),
        drop_section("Cost Management"),
    )(good_document())
    review = review_document(doc)
    order = [f.section for f in review.findings]
    from opsrelay.template import SECTIONS

    index = {s.heading: i for i, s in enumerate(SECTIONS)}
    keys = [(-1 if s is None else index[s]) for s in order]
    assert keys == sorted(keys)
    assert review_document(doc).findings == review.findings  # deterministic


def test_template_as_is_fails_with_placeholder_blockers() -> None:
    from pathlib import Path

    seed = Path(__file__).resolve().parents[2] / "shared" / "seed" / "devops-engineer-agent.md"
    if not seed.exists():
        pytest.skip("seed document not available")
    text = seed.read_text(encoding="utf-8")
    template = text[text.index("```markdown\n") + len("```markdown\n") : text.index("```\n\n## DevOps Tools")]
    review = review_document(template)
    rules = {f.rule for f in review.findings}
    assert review.verdict == "fail"
    assert {
        "placeholders.leftover",
        "dr.rto-numeric",
        "dr.rpo-numeric",
        "alerts.duration",
        "cicd.noop-deploy",
        "changelog.dated-entry",
    } <= rules


def test_hollow_document_makes_standards_major() -> None:
    hollow = (
        "# Operations & Deployment Guide\n\n## Deployment Overview\n- **Deployment Strategy**: Rolling.\n"
    )
    review = review_document(hollow)
    standards = [f for f in review.findings if f.rule.startswith("standards.")]
    assert len(standards) >= 4
    assert all(f.severity == "major" for f in standards)


def test_missing_assumptions_section_is_major_not_blocker() -> None:
    review = review_document(drop_section("Assumptions & Open Questions")(good_document()))
    hits = [f for f in review.findings if f.rule == "structure.missing-section"]
    assert [f.severity for f in hits] == ["major"]


def test_tag_pinned_action_is_minor_only() -> None:
    doc = replace(
        "actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b # v5.3.0", "actions/setup-python@v5"
    )(good_document())
    review = review_document(doc)
    assert [(f.rule, f.severity) for f in review.findings] == [("cicd.action-tag-pinned", "minor")]
    assert review.verdict == "pass"


def test_unlisted_cloud_must_be_an_assumption() -> None:
    doc = replace(
        "- Hosting on AWS eu-west-1 (ECS Fargate, RDS, ElastiCache) is an assumption: the QA report "
        "names no cloud provider. Confirm with the platform team.\n",
        "",
    )(good_document())
    doc = doc.replace("(assumption, see Assumptions & Open Questions)", "").replace(
        "(assumption: QA did not name a cloud)", ""
    )
    review = review_document(doc, good_facts())
    assert ("grounding.unlisted-component", "minor") in {(f.rule, f.severity) for f in review.findings}
    assert review_document(doc).findings == []  # silent without facts


def test_performance_baseline_unused_is_minor() -> None:
    doc = good_document().replace("240 ms", "a few hundred ms").replace("480 ms", "twice that")
    review = review_document(doc, good_facts())
    rules = {(f.rule, f.severity) for f in review.findings}
    assert ("grounding.performance-baseline", "minor") in rules


def test_checked_gate_without_evidence_is_minor_with_facts() -> None:
    doc = add_line_after("## Quality Gates", "- [x] Everything is fine")(good_document())
    review = review_document(doc, good_facts())
    assert [(f.rule, f.severity) for f in review.findings] == [("gates.unevidenced-check", "minor")]


def test_moving_one_section_blames_only_that_section() -> None:
    review = review_document(move_section_first("Quality Gates")(good_document()))
    assert [(f.rule, f.section) for f in review.findings] == [("structure.section-order", "Quality Gates")]


def test_gate_saying_not_blocked_does_not_count_as_blocked() -> None:
    doc = add_line_after("## Quality Gates", "- [ ] Release gate: not blocked (BUG-200 accepted)")(
        good_document()
    )
    review = review_document(doc, facts_with_open_p0())
    assert [f.rule for f in review.findings] == ["grounding.release-gate"]


def test_blocked_gate_naming_the_defect_passes() -> None:
    doc = add_line_after("## Quality Gates", "- [ ] Release gate: BLOCKED until BUG-200 is fixed")(
        good_document()
    )
    assert review_document(doc, facts_with_open_p0()).findings == []


def test_draft_banner_is_not_a_finding() -> None:
    doc = good_document().replace(
        "# Operations & Deployment Guide\n",
        "# Operations & Deployment Guide\n\n> **DRAFT — not approved.** Review blockers remain.\n",
        1,
    )
    assert review_document(doc).findings == []
