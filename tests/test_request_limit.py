"""One cap on model requests in flight for the whole process (``--concurrency``), shared by handoffs.

Measured where a user would notice it: the peak of requests in flight at the local fake
OpenAI-compatible server. No timings are asserted; waits below only guard against a hang.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from paths import EXAMPLE

from opsrelay.batch import DEFAULT_JOBS, run_batch
from opsrelay.cli import cli
from opsrelay.models.base import ChatMessage, ChatRequest, ChatResponse
from opsrelay.models.context import ContextWindow
from opsrelay.models.errors import TransientProviderError
from opsrelay.models.factory import make_backend, parse_model_spec
from opsrelay.models.limit import DEFAULT_CONCURRENCY, LimitedBackend, RequestLimiter, limited
from opsrelay.models.retry import RetryingBackend
from opsrelay.settings import RunSettings
from opsrelay.template import DRAFTED_SECTIONS
from opsrelay.testing.devops_model import devops_responder
from opsrelay.testing.fake_openai import FakeOpenAI, Latency

MODEL = "openai:gpt-4.1-mini"
KEY = "sk-test-not-a-real-key-0123456789"
DATE = "2026-11-21"
# Slow enough to first token that requests started together overlap at the server.
SLOW = Latency(ttft_s=0.4)


def req(text: str = "hello") -> ChatRequest:
    return ChatRequest(model="gpt-4.1-mini", messages=(ChatMessage(role="user", content=text),), purpose="t")


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll until ``condition`` holds; fail (rather than hang) if it never does."""
    deadline = time.monotonic() + 10.0
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        time.sleep(0.005)


def reports(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(n):
        path = folder / f"service-{i}.md"
        shutil.copyfile(EXAMPLE, path)
        paths.append(path)
    return paths


# -- what a user sees: the peak at the server ------------------------------------------------


def test_default_is_every_drafted_section_in_flight_at_once(tmp_path: Path) -> None:
    from opsrelay.agents.devops.llm import DERIVED_SECTIONS
    from opsrelay.api import run_handoff

    assert RunSettings().concurrency == DEFAULT_CONCURRENCY >= len(DRAFTED_SECTIONS) == 13
    asked = [s for s in DRAFTED_SECTIONS if s.key not in DERIVED_SECTIONS]  # the assumptions are rendered
    with FakeOpenAI(devops_responder, latency=SLOW) as fake:
        run_handoff(EXAMPLE, model=MODEL, base_url=fake.base_url, api_key=KEY, out_dir=None, date=DATE)
        assert fake.peak_in_flight == len(asked) == 12


def test_batch_shares_one_cap_across_its_handoffs(tmp_path: Path) -> None:
    paths = reports(tmp_path / "qa", 3)
    with FakeOpenAI(devops_responder, latency=SLOW) as fake:
        items = run_batch(
            paths,
            out_dir=tmp_path / "out",
            jobs=3,
            concurrency=4,
            model=MODEL,
            base_url=fake.base_url,
            api_key=KEY,
            date=DATE,
        )
        assert [i.ok for i in items] == [True, True, True], [i.error for i in items]
        # Three handoffs of 13 sections each, and never more than 4 requests at the server.
        assert fake.peak_in_flight == 4
        assert len(fake.chat_requests) >= 3 * len(DRAFTED_SECTIONS)


def test_a_hand_built_backend_is_capped_too(tmp_path: Path) -> None:
    from opsrelay.api import run_handoff
    from opsrelay.models.openai_backend import OpenAIBackend

    with FakeOpenAI(devops_responder, latency=SLOW) as fake:
        backend = OpenAIBackend("gpt-4.1-mini", base_url=fake.base_url, api_key=KEY, timeout_s=10)
        run_handoff(EXAMPLE, backend=backend, concurrency=3, out_dir=None, date=DATE)
        assert fake.peak_in_flight == 3


def help_text(command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """``opsrelay COMMAND --help`` on one wide line (rich wraps and boxes it otherwise)."""
    monkeypatch.setenv("COLUMNS", "200")
    assert cli([command, "--help"]) == 0
    return " ".join(capsys.readouterr().out.split())


def test_cli_batch_help_shows_jobs_and_concurrency(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = help_text("batch", capsys, monkeypatch)
    assert "--jobs" in text and "-j" in text and "Handoffs run at once" in text
    assert "--concurrency" in text and "shared by every handoff in this process" in text
    # "-j" alone is a substring of "--json": check that it is --jobs' short form, and the defaults.
    assert "--jobs -j " in text and f"Handoffs run at once. [default: {DEFAULT_JOBS}]" in text
    assert f"(the whole batch). [default: {DEFAULT_CONCURRENCY}]" in text


def test_cli_run_help_says_the_cap_is_shared(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = help_text("run", capsys, monkeypatch)
    assert "Model requests in flight at most, shared by every handoff in this process" in text


def test_cli_batch_concurrency_caps_requests_and_jobs_runs_handoffs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    reports(tmp_path / "qa", 3)
    out = tmp_path / "out"
    with FakeOpenAI(devops_responder, latency=SLOW) as fake:
        code = cli(
            [
                "batch",
                str(tmp_path / "qa"),
                "--out",
                str(out),
                "--model",
                MODEL,
                "--base-url",
                fake.base_url,
                "--date",
                DATE,
                "--concurrency",
                "2",
                "-j",
                "3",
            ]
        )
        _, err = capsys.readouterr()
        assert code in (0, 4), err
        assert fake.peak_in_flight == 2
    for i in range(3):
        assert (out / f"service-{i}" / "OPERATIONS.md").is_file()


# -- the limiter and its wrapper ----------------------------------------------------------------


class _Flaky:
    """A backend whose first ``failures`` calls fail transiently; records slots taken per call."""

    spec = "openai:flaky"

    def __init__(self, limiter: RequestLimiter, failures: int) -> None:
        self.limiter = limiter
        self.failures = failures
        self.calls = 0
        self.in_flight_seen: list[int] = []

    def complete(self, request: ChatRequest) -> ChatResponse:
        self.calls += 1
        self.in_flight_seen.append(self.limiter.in_flight)
        if self.calls <= self.failures:
            raise TransientProviderError("503 busy", kind="server", status=503, retry_after=1.0)
        return ChatResponse(content=f"answer to {request.messages[-1].content}")

    def context_window(self) -> ContextWindow:
        return ContextWindow(8192, "default", "test")

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return 1


def test_a_retry_back_off_holds_no_slot() -> None:
    limiter = RequestLimiter()
    flaky = _Flaky(limiter, failures=2)
    other = LimitedBackend(_Flaky(limiter, failures=0), 1, limiter=limiter)
    during_sleep: list[tuple[int, str]] = []

    def sleep(seconds: float) -> None:
        # While the first request waits to retry, a second request with the same cap of 1 runs.
        during_sleep.append((limiter.in_flight, other.complete(req("other")).content))

    # Stacked as make_backend stacks it: the cap under the retry layer.
    backend = RetryingBackend(LimitedBackend(flaky, 1, limiter=limiter), sleep=sleep, rng=lambda: 0.0)
    assert backend.complete(req("first")).content == "answer to first"
    assert flaky.calls == 3 and flaky.in_flight_seen == [1, 1, 1]  # each attempt holds one slot
    assert during_sleep == [(0, "answer to other"), (0, "answer to other")]
    assert limiter.in_flight == 0 and limiter.peak == 1


def test_different_caps_in_one_process_first_come_first_served() -> None:
    limiter = RequestLimiter()
    limiter.acquire(16)
    limiter.acquire(16)  # two requests of a run with a large cap are in flight
    got: list[str] = []

    def request(name: str, cap: int) -> None:
        with limiter.slot(cap):
            got.append(name)

    small = threading.Thread(target=request, args=("cap 2", 2))
    small.start()
    wait_until(lambda: limiter.waiting == 1, "the cap-2 request waits: 2 are in flight")
    large = threading.Thread(target=request, args=("cap 16", 16))
    large.start()
    wait_until(lambda: limiter.waiting == 2, "the cap-16 request queues behind it")
    assert got == [] and limiter.in_flight == 2

    limiter.release()  # one in flight: the cap-2 request fits, then the cap-16 one behind it
    small.join(10)
    large.join(10)
    assert got == ["cap 2", "cap 16"]
    limiter.release()
    assert limiter.in_flight == 0 and limiter.waiting == 0


def test_limiter_never_exceeds_a_cap_under_load() -> None:
    limiter = RequestLimiter()
    gate = threading.Event()
    seen: list[int] = []
    lock = threading.Lock()

    def request() -> None:
        with limiter.slot(3):
            with lock:
                seen.append(limiter.in_flight)
            gate.wait(10)

    threads = [threading.Thread(target=request) for _ in range(12)]
    for t in threads:
        t.start()
    wait_until(lambda: limiter.in_flight == 3 and limiter.waiting == 9, "3 in flight, 9 waiting")
    gate.set()
    for t in threads:
        t.join(10)
    assert len(seen) == 12 and max(seen) == limiter.peak == 3


def test_limited_wraps_a_hand_built_backend_once() -> None:
    stack = make_backend(
        parse_model_spec(MODEL),
        base_url="http://127.0.0.1:9/v1",
        api_key=KEY,
        record_path=None,
        timeout_s=5,
        strict_replay=False,
        concurrency=5,
    )
    assert stack is not None
    assert limited(stack, 3) is stack  # limited below its retry layer already, with cap 5
    bare = _Flaky(RequestLimiter(), failures=0)
    wrapped = limited(bare, 3)
    assert isinstance(wrapped, LimitedBackend) and wrapped.inner is bare and wrapped.cap == 3
    assert limited(wrapped, 7) is wrapped


def test_caps_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RequestLimiter().acquire(0)
    with pytest.raises(ValueError, match="at least 1"):
        LimitedBackend(_Flaky(RequestLimiter(), failures=0), 0)
