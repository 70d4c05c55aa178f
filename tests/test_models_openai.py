"""OpenAIBackend + RetryingBackend through real HTTP to the local fake server."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import structlog

from opsrelay.errors import ProviderError
from opsrelay.models.base import ChatMessage, ChatRequest
from opsrelay.models.errors import PermanentProviderError, TransientProviderError
from opsrelay.models.openai_backend import OpenAIBackend, parse_retry_after
from opsrelay.models.retry import RetryingBackend
from opsrelay.testing.fake_openai import FakeOpenAI, Latency, Reply

# langchain-openai warns (with advice meant for with_structured_output) on a 400 "Invalid schema".
pytestmark = pytest.mark.filterwarnings("ignore:Invalid schema for OpenAI:UserWarning")

FAKE_KEY = "sk-test-not-a-real-key-0123456789"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"verdict": {"type": "string"}},
    "required": ["verdict"],
    "additionalProperties": False,
}


def req(text: str = "Write the rollback plan.", *, purpose: str = "draft:test", **kw: Any) -> ChatRequest:
    return ChatRequest(
        model="gpt-4.1-mini",
        messages=(
            ChatMessage(role="system", content="You are a DevOps engineer."),
            ChatMessage(role="user", content=text),
        ),
        purpose=purpose,
        **kw,
    )


class FakeSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(max_hang_s=3.0) as s:
        yield s


def backend(server: FakeOpenAI, timeout_s: float = 5.0) -> OpenAIBackend:
    return OpenAIBackend("gpt-4.1-mini", base_url=server.base_url, api_key=FAKE_KEY, timeout_s=timeout_s)


def retrying(inner: OpenAIBackend, sleep: FakeSleep, **kw: Any) -> RetryingBackend:
    kw.setdefault("rng", lambda: 0.0)
    return RetryingBackend(inner, sleep=sleep, **kw)


# -- success ---------------------------------------------------------------------------------


def test_success_with_usage_request_shape_and_cached_tokens(server: FakeOpenAI) -> None:
    prefix = "QA report line with facts.\n" * 400  # ~10,800 chars ≈ 2,700 tokens shared prefix
    server.enqueue(Reply.json({"verdict": "GO"}), Reply.text("## Deployment Overview\n- **Hosting**: k8s"))
    b = backend(server)
    first = b.complete(req(prefix + "decide", schema_name="Decisions", json_schema=SCHEMA, max_tokens=300))
    second = b.complete(req(prefix + "draft the overview", temperature=0.2))

    assert first.content == '{"verdict": "GO"}'
    assert first.finish_reason == "stop"
    assert first.refusal is None
    assert first.usage.input_tokens > 2500
    assert first.usage.output_tokens > 0
    assert first.usage.cached_input_tokens == 0  # nothing seen before
    assert second.content.startswith("## Deployment Overview")
    assert second.usage.cached_input_tokens >= 1024
    assert second.usage.cached_input_tokens % 128 == 0
    assert second.usage.cached_input_tokens <= second.usage.input_tokens

    body = server.chat_requests[0]
    assert body["model"] == "gpt-4.1-mini"
    assert body["stream"] is True  # streamed, so that the timeout bounds gaps, not the answer
    assert body["stream_options"] == {"include_usage": True}
    assert body["temperature"] == 0.0
    assert body["max_completion_tokens"] == 300
    assert body["messages"][0] == {"role": "system", "content": "You are a DevOps engineer."}
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Decisions", "schema": SCHEMA, "strict": True},
    }
    assert server.chat_requests[1]["temperature"] == 0.2
    assert "response_format" not in server.chat_requests[1]
    headers = server.requests[0].headers
    assert headers["authorization"] == "Bearer [REDACTED]"
    assert headers["x-stainless-retry-count"] == "0"  # the SDK's own retries are off
    assert all(FAKE_KEY not in str(r) for r in server.requests)


def test_refusal_and_content_filter_are_surfaced(server: FakeOpenAI) -> None:
    server.enqueue(Reply.refusal("I can't help with that."), Reply.content_filter("partial"))
    b = backend(server)
    refused = b.complete(req(schema_name="X", json_schema=SCHEMA))
    filtered = b.complete(req(schema_name="X", json_schema=SCHEMA))
    assert refused.refusal == "I can't help with that."
    assert refused.content == ""
    assert filtered.finish_reason == "content_filter"
    assert filtered.content == "partial"


@pytest.mark.parametrize("structured", [False, True])
def test_finish_reason_length_is_surfaced(server: FakeOpenAI, structured: bool) -> None:
    # With a json_schema, ChatOpenAI's parse() path raises LengthFinishReasonError; we map it back.
    server.enqueue(Reply.truncated('{"verdict": "G'))
    kw: dict[str, Any] = {"schema_name": "X", "json_schema": SCHEMA} if structured else {}
    out = backend(server).complete(req(max_tokens=5, **kw))
    assert out.finish_reason == "length"
    assert out.content == '{"verdict": "G'
    assert out.usage.output_tokens > 0
    assert len(server.requests) == 1


def test_invalid_json_content_is_returned_not_raised(server: FakeOpenAI) -> None:
    server.enqueue(Reply.invalid_json("{not json"))
    out = backend(server).complete(req(schema_name="X", json_schema=SCHEMA))
    assert out.content == "{not json"  # validating is the caller's job (re-ask with the error)
    assert out.finish_reason == "stop"


# -- transient failures: retried ---------------------------------------------------------------


def test_429_retry_after_is_honoured(server: FakeOpenAI) -> None:
    server.enqueue(Reply.rate_limited(retry_after=2), Reply.rate_limited(retry_after=3.5), Reply.text("ok"))
    sleep = FakeSleep()
    with structlog.testing.capture_logs() as logs:
        out = retrying(backend(server), sleep).complete(req())
    assert out.content == "ok"
    assert sleep.waits == [2.0, 3.5]
    assert len(server.requests) == 3
    retries = [e for e in logs if e["event"] == "model.retry"]
    assert [(e["attempt"], e["wait"], e["status"], e["kind"]) for e in retries] == [
        (1, 2.0, 429, "rate_limit"),
        (2, 3.5, 429, "rate_limit"),
    ]
    assert FAKE_KEY not in repr(logs)


def test_retry_after_is_capped_and_attempts_are_bounded(server: FakeOpenAI) -> None:
    server.enqueue(*[Reply.rate_limited(retry_after=100)] * 5)
    sleep = FakeSleep()
    b = retrying(backend(server), sleep, max_attempts=3, max_delay_s=4.0, max_wait_s=60.0)
    with pytest.raises(TransientProviderError) as info:
        b.complete(req())
    assert sleep.waits == [4.0, 4.0]
    assert len(server.requests) == 3
    err = info.value
    assert err.status == 429 and err.attempts == 3 and err.exit_code == 3
    assert "429 Too Many Requests" in str(err)
    assert "gave up after 3 attempts" in str(err)
    assert "\n" not in str(err)


def test_total_wait_budget_stops_before_sleeping_past_it(server: FakeOpenAI) -> None:
    server.enqueue(*[Reply.rate_limited(retry_after=3)] * 5)
    sleep = FakeSleep()
    b = retrying(backend(server), sleep, max_attempts=10, max_wait_s=5.0)
    with pytest.raises(TransientProviderError) as info:
        b.complete(req())
    assert sleep.waits == [3.0]  # a second 3 s wait would overrun the 5 s budget
    assert info.value.attempts == 2
    assert len(server.requests) == 2


def test_elapsed_deadline_counts_attempt_time(server: FakeOpenAI) -> None:
    """max_elapsed_s includes the attempts themselves (here: each attempt "takes" 4 s)."""
    server.enqueue(*[Reply.unavailable(retry_after=1)] * 5)
    sleep = FakeSleep()
    ticks = iter(range(0, 1000, 4))  # each clock() call advances 4 s: start/end of each attempt
    b = retrying(
        backend(server), sleep, max_attempts=10, max_wait_s=60, max_elapsed_s=10, clock=lambda: next(ticks)
    )
    with pytest.raises(TransientProviderError) as info:
        b.complete(req())
    # attempt 1: 4 s, +1 s wait = 5 s; attempt 2: 9 s, +1 s wait = 10 s; attempt 3: 14 s: over, no wait
    assert sleep.waits == [1.0, 1.0]
    assert info.value.attempts == 3


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retried_with_exponential_backoff_then_succeeds(server: FakeOpenAI, status: int) -> None:
    server.enqueue(
        Reply.server_error(status), Reply.server_error(status), Reply.unavailable(), Reply.text("ok")
    )
    sleep = FakeSleep()
    out = retrying(backend(server), sleep, base_delay_s=0.5).complete(req())
    assert out.content == "ok"
    assert sleep.waits == [0.25, 0.5, 1.0]  # base * 2**n, "equal jitter" at its low end (rng=0)
    assert len(server.requests) == 4


def test_jitter_stays_within_bounds(server: FakeOpenAI) -> None:
    b = RetryingBackend(backend(server), base_delay_s=1.0, max_delay_s=20.0, rng=lambda: 0.999)
    no_hint = TransientProviderError("x", kind="server", status=500)
    hinted = TransientProviderError("x", kind="rate_limit", status=429, retry_after=2.0)
    assert 3.9 < b.next_wait(3, no_hint) <= 4.0
    assert 2.0 <= b.next_wait(1, hinted) <= 2.2
    assert b.next_wait(20, no_hint) <= 20.0


def test_hang_times_out_is_retried_and_bounded(server: FakeOpenAI) -> None:
    server.enqueue(Reply.hang(10), Reply.hang(10), Reply.hang(10))
    sleep = FakeSleep()
    b = retrying(backend(server, timeout_s=0.3), sleep, max_attempts=2)
    started = time.monotonic()
    with pytest.raises(TransientProviderError) as info:
        b.complete(req())
    elapsed = time.monotonic() - started
    assert elapsed < 2.5
    assert info.value.kind == "timeout"
    assert info.value.status is None
    message = str(info.value)
    assert message.startswith("openai:gpt-4.1-mini at http://127.0.0.1:")
    assert "no response within 0.3 s (timeout)" in message
    assert "gave up after 2 attempts" in message
    assert len(sleep.waits) == 1
    assert len([r for r in server.requests if r.method == "POST"]) == 2


def test_hang_then_answer_recovers(server: FakeOpenAI) -> None:
    server.enqueue(Reply.hang(10), Reply.text("recovered"))
    out = retrying(backend(server, timeout_s=0.3), FakeSleep()).complete(req())
    assert out.content == "recovered"


def test_connection_refused_and_dropped_connections_are_transient(server: FakeOpenAI) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = OpenAIBackend("m", base_url=f"http://127.0.0.1:{port}/v1", api_key=FAKE_KEY, timeout_s=1)
    with pytest.raises(TransientProviderError) as info:
        dead.complete(req())
    assert info.value.kind == "connection"
    assert "cannot reach the server" in str(info.value)

    server.enqueue(Reply.disconnect(), Reply.text("ok"))
    assert retrying(backend(server), FakeSleep()).complete(req()).content == "ok"


# -- permanent failures: never retried ---------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            Reply.unauthorized(f"Incorrect API key provided: {FAKE_KEY}"),
            "401 Unauthorized (check OPENAI_API_KEY)",
        ),
        (Reply.bad_request("Invalid schema for response_format 'X'"), "400 Bad Request: Invalid schema"),
        (Reply.not_found(), "404 Not Found (check the model name and the base URL"),
        (Reply.error(403, "Project does not have access"), "403 Forbidden"),
        (Reply.error(422, "unprocessable"), "422 Unprocessable Entity"),
        (Reply.quota_exceeded(), "429 Too Many Requests: insufficient quota (check the plan and billing"),
    ],
)
def test_client_errors_are_not_retried(server: FakeOpenAI, reply: Reply, expected: str) -> None:
    server.enqueue(reply, Reply.text("should never be reached"))
    sleep = FakeSleep()
    with pytest.raises(PermanentProviderError) as info:
        retrying(backend(server), sleep).complete(req())
    message = str(info.value)
    assert expected in message
    assert message.startswith(f"openai:gpt-4.1-mini at {server.base_url}: ")
    assert FAKE_KEY not in message and "sk-" not in message
    assert "\n" not in message
    assert isinstance(info.value, ProviderError) and info.value.exit_code == 3
    assert sleep.waits == []
    assert len(server.requests) == 1  # exactly one request reached the server
    assert server.pending == 1


def test_non_completion_body_is_a_permanent_error(server: FakeOpenAI) -> None:
    server.enqueue(Reply.raw(200, "<html>gateway login</html>", "text/html"))
    with pytest.raises(PermanentProviderError) as info:
        retrying(backend(server), FakeSleep()).complete(req())
    assert "not an OpenAI chat completion" in str(info.value)
    assert len(server.requests) == 1


def test_server_url_credentials_never_appear_in_messages() -> None:
    b = OpenAIBackend("m", base_url="https://user:hunter2@gw.example/v1?token=abc", api_key=FAKE_KEY)
    assert "hunter2" not in repr(b) and "token=abc" not in repr(b)


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after({"Retry-After": "7"}) == 7.0
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, now=1445412480.0) == 10.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


# -- concurrency and streaming -----------------------------------------------------------------


def test_peak_in_flight_with_concurrent_calls() -> None:
    with FakeOpenAI(default=Reply.text("section"), latency=Latency(ttft_s=0.3)) as server:
        b = retrying(backend(server), FakeSleep())
        with ThreadPoolExecutor(max_workers=6) as pool:
            outs = list(pool.map(lambda i: b.complete(req(f"section {i}")), range(12)))
        assert [o.content for o in outs] == ["section"] * 12
        assert server.peak_in_flight == 6
        assert server.in_flight == 0
        assert len(server.chat_requests) == 12


def test_latency_model_time_to_first_token_plus_tokens_per_second() -> None:
    with FakeOpenAI(default=Reply.text("x" * 400), latency=Latency(ttft_s=0.1, tokens_per_s=1000)) as server:
        started = time.monotonic()
        backend(server).complete(req())
        elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 1.5  # 0.1 s + 100 tokens / 1000 tok/s


def test_backend_streams_the_same_way_under_langgraph_message_streaming(server: FakeOpenAI) -> None:
    """LangGraph's messages handler sees the tokens; the request and the answer are unchanged."""
    from langgraph.graph import END, START, StateGraph
    from typing_extensions import TypedDict

    class State(TypedDict):
        out: str

    b = backend(server)
    server.enqueue(Reply.text("from the node"))

    def node(state: State) -> State:
        return {"out": b.complete(req()).content}

    graph = StateGraph(State).add_node("n", node).add_edge(START, "n").add_edge("n", END).compile()
    events = list(graph.stream({"out": ""}, stream_mode=["messages", "values"]))
    assert server.chat_requests[0]["stream"] is True
    assert events[-1] == ("values", {"out": "from the node"})
    streamed = "".join(str(getattr(data[0], "content", "")) for mode, data in events if mode == "messages")
    assert streamed == "from the node"


def test_fake_server_streams_for_clients_that_stream(server: FakeOpenAI) -> None:
    from langchain_openai import ChatOpenAI

    server.enqueue(Reply.text("streamed answer, in several chunks of text"))
    llm = ChatOpenAI(
        model="gpt-4.1-mini", base_url=server.base_url, api_key=FAKE_KEY, max_retries=0, timeout=5
    )
    chunks = list(llm.stream("hi", stream_usage=True))
    text = "".join(str(c.content) for c in chunks)
    assert text == "streamed answer, in several chunks of text"
    assert len(chunks) > 3
    usage = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert usage and usage[-1]["output_tokens"] > 0
    assert server.chat_requests[0]["stream"] is True


def test_models_endpoint_and_unscripted_request(server: FakeOpenAI) -> None:
    import httpx

    r = httpx.get(server.base_url + "/models", timeout=5)
    assert r.json()["data"][0]["id"] == "gpt-4.1-mini"
    with pytest.raises(PermanentProviderError, match="no scripted reply left"):
        backend(server).complete(req())
