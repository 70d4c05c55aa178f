"""Optional jobs: mobile end-to-end and store release, and the scheduled load test."""

from __future__ import annotations

from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.cicd.commands import CICommand, ci_test_commands
from opsrelay.agents.devops.writers.cicd.toolchains import setup_node_default
from opsrelay.agents.devops.writers.cicd.yamltext import checkout_steps, run_step


def mobile_jobs(d: Decisions) -> list[str]:
    """The mobile end-to-end job (when QA has mobile flows) and the store release job."""
    e2e = ci_test_commands(d, "mobile_e2e")
    lines: list[str] = []
    if e2e:
        secret_env = sorted({v for c in e2e for v in c.secret_env})
        lines += [
            "  mobile-e2e:",
            "    needs: test",
            "    runs-on: macos-14",
            "    timeout-minutes: 60",
            "    env:",
            "      EXPO_TOKEN: ${{ secrets.EXPO_TOKEN }}",
            *[f"      {v}: ${{{{ secrets.{v} }}}}" for v in secret_env],
            "    steps:",
            *checkout_steps(),
            *setup_node_default(),
            "      - name: Install Maestro (Homebrew tap of mobile.dev)",
            "        run: |",
            "          brew tap mobile-dev-inc/tap",
            "          brew install maestro",
            "      - name: Build the iOS simulator app (EAS local build, 'e2e' profile)",
            "        run: npx --yes eas-cli@16 build --platform ios --profile e2e --local --non-interactive"
            " --output build/app.tar.gz",
            "      - name: Boot a simulator and install the app",
            "        run: |",
            "          tar -xzf build/app.tar.gz -C build",
            '          xcrun simctl boot "iPhone 15"',
            "          xcrun simctl install booted build/*.app",
        ]
        for i, c in enumerate(e2e, 1):
            title = "Run QA mobile flows" + (f" {i}" if len(e2e) > 1 else "")
            lines += run_step(title, c.command, workdir=c.working_directory)
    lines += [
        "  mobile-release:",
        "    needs: [test" + (", mobile-e2e]" if e2e else "]"),
        "    if: github.event_name == 'push' && github.ref == 'refs/heads/main'",
        "    runs-on: ubuntu-latest",
        "    environment:",
        "      name: production",
        "    timeout-minutes: 60",
        "    permissions:",
        "      contents: read",
        "    env:",
        "      EXPO_TOKEN: ${{ secrets.EXPO_TOKEN }}",
        "    steps:",
        *checkout_steps(),
        *setup_node_default(),
        "      - name: Build and submit store binaries (EAS Build + Submit)",
        "        run: npx --yes eas-cli@16 build --platform all --profile production --non-interactive "
        "--auto-submit",
    ]
    return lines


def _load_steps(c: CICommand, installed: set[str]) -> list[str]:
    words = c.command.split()
    tool = words[0].rsplit("/", 1)[-1].lower()
    if tool in ("npx", "pnpx", "bunx"):
        return run_step("Run QA load test", c.command, workdir=c.working_directory)
    if tool == "k6":
        args = " ".join(words[1:])
        return run_step(
            "Run QA load test (k6 in its official container)",
            f'docker run --rm --network host -e BASE_URL -v "${{{{ github.workspace }}}}:/work" -w /work '
            f"grafana/k6:0.54.0 {args}",
            workdir=c.working_directory,
        )
    install = {
        "artillery": "npm install --global artillery@2",
        "locust": "pipx install locust",
    }.get(tool)
    lines: list[str] = []
    if install and tool not in installed:
        installed.add(tool)
        lines += run_step(f"Install {tool}", install)
    return lines + run_step("Run QA load test", c.command, workdir=c.working_directory)


def load_job(d: Decisions) -> list[str]:
    """The scheduled load-test job against staging (none when QA ran no load test)."""
    load = ci_test_commands(d, "load")
    if not load:
        return []
    lines = [
        "  load-test:",
        "    if: github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'",
        "    runs-on: ubuntu-latest",
        "    environment:",
        "      name: staging",
        "    timeout-minutes: 60",
        "    env:",
        "      BASE_URL: ${{ vars.BASE_URL }}",
        "    steps:",
        *checkout_steps(),
    ]
    installed: set[str] = set()
    for c in load:
        lines += _load_steps(c, installed)
    return lines
