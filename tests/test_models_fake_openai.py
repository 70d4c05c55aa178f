"""The fake OpenAI server itself: scripting, usage simulation, redaction, lifecycle."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from opsrelay.models.scrub import redact_url, scrub_secrets
from opsrelay.testing.fake_openai import FakeOpenAI, Latency, Reply, estimate_tokens

FAKE_KEY = "sk-test-not-a-real-key-0123456789"


def post(server: FakeOpenAI, body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(
        server.base_url + "/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {FAKE_KEY}", **headers},
        timeout=5,
    )


def chat(content: str, model: str = "gpt-4.1-mini", system: str = "") -> dict[str, Any]:
    messages = [{"role": "system", "content": system}] if system else []
    return {"model": model, "messages": [*messages, {"role": "user", "content": content}]}


def test_queue_then_responder_then_default() -> None:
    seen: list[str] = []

    def responder(body: dict[str, Any]) -> Any:
        seen.append(body["messages"][-1]["content"])
        return (
            {"echo": body["messages"][-1]["content"]} if body["messages"][-1]["content"] == "json" else None
        )

    with FakeOpenAI(responder, replies=["queued"], default="fallback") as server:
        first = post(server, chat("a")).json()
        second = post(server, chat("json")).json()
        third = post(server, chat("b")).json()
    assert first["choices"][0]["message"]["content"] == "queued"
    assert json.loads(second["choices"][0]["message"]["content"]) == {"echo": "json"}
    assert third["choices"][0]["message"]["content"] == "fallback"
    assert seen == ["json", "b"]  # the queued reply did not consult the responder


def test_responder_bug_is_a_visible_400() -> None:
    def broken(body: dict[str, Any]) -> str:
        raise KeyError("oops")

    with FakeOpenAI(broken) as server:
        r = post(server, chat("x"))
    assert r.status_code == 400
    assert "responder raised KeyError" in r.json()["error"]["message"]


def test_error_replies_have_openai_shape_and_retry_after() -> None:
    with FakeOpenAI(
        replies=[Reply.rate_limited(retry_after=1.5), Reply.unauthorized(), Reply.server_error(502)]
    ) as s:
        limited, unauth, bad_gw = post(s, chat("a")), post(s, chat("b")), post(s, chat("c"))
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1.5"
    assert limited.json()["error"]["code"] == "rate_limit_exceeded"
    assert unauth.status_code == 401 and unauth.json()["error"]["code"] == "invalid_api_key"
    assert bad_gw.status_code == 502 and bad_gw.json()["error"]["type"] == "server_error"


def test_usage_and_prefix_cache_simulation() -> None:
    system = "S" * 4096 * 2  # 8,192 chars ≈ 2,048 tokens of shared prefix
    with FakeOpenAI(default="ok") as server:
        cold = post(server, chat("question one", system=system)).json()["usage"]
        warm = post(server, chat("question two", system=system)).json()["usage"]
        other_model = post(server, chat("question two", model="other", system=system)).json()["usage"]
        short = post(server, chat("tiny")).json()["usage"]
        short_again = post(server, chat("tiny")).json()["usage"]
        server.reset()
        after_reset = post(server, chat("question two", system=system)).json()["usage"]
    assert cold["prompt_tokens_details"]["cached_tokens"] == 0
    cached = warm["prompt_tokens_details"]["cached_tokens"]
    assert cached % 128 == 0 and 1024 <= cached <= warm["prompt_tokens"]
    assert cached >= 2048 - 128  # the whole shared system prompt, to the block
    assert other_model["prompt_tokens_details"]["cached_tokens"] == 0  # caches are per model
    assert short_again["prompt_tokens_details"]["cached_tokens"] == 0  # below 1,024 tokens: never cached
    assert after_reset["prompt_tokens_details"]["cached_tokens"] == 0
    assert warm["completion_tokens"] == estimate_tokens("ok") == 1
    assert warm["total_tokens"] == warm["prompt_tokens"] + warm["completion_tokens"]
    assert short["prompt_tokens"] >= 1


def test_usage_override_and_explicit_delay() -> None:
    with FakeOpenAI(
        replies=[Reply.text("x").with_usage(prompt_tokens=7, completion_tokens=1, total_tokens=8)]
    ) as s:
        assert post(s, chat("a")).json()["usage"] == {
            "prompt_tokens": 7,
            "completion_tokens": 1,
            "total_tokens": 8,
        }
    assert Latency(ttft_s=0.5, tokens_per_s=100).seconds(50) == pytest.approx(1.0)


def test_requests_are_recorded_with_credentials_redacted() -> None:
    with FakeOpenAI(default="ok") as server:
        post(server, chat("a"), **{"api-key": "azure-secret-value", "X-Trace": "t1"})
        rec = server.requests[0]
    assert rec.method == "POST" and rec.path == "/v1/chat/completions"
    assert rec.body == chat("a")
    assert rec.headers["authorization"] == "Bearer [REDACTED]"
    assert rec.headers["api-key"] == "[REDACTED]"
    assert rec.headers["x-trace"] == "t1"
    assert FAKE_KEY not in repr(server.requests)


def test_bad_requests_and_unknown_routes() -> None:
    with FakeOpenAI(default="ok") as server:
        no_messages = httpx.post(server.base_url + "/chat/completions", json={"model": "m"}, timeout=5)
        not_json = httpx.post(server.base_url + "/chat/completions", content=b"{", timeout=5)
        unknown = httpx.post(server.base_url + "/embeddings", json={}, timeout=5)
    assert no_messages.status_code == 400 and not_json.status_code == 400 and unknown.status_code == 404


def test_lifecycle_frees_the_port_and_wakes_hanging_handlers() -> None:
    import time

    server = FakeOpenAI(replies=[Reply.hang(30)], max_hang_s=30)
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.base_url
    server.start()
    url = server.base_url
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(url + "/chat/completions", json=chat("a"), timeout=0.2)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + "/chat/completions", json=chat("a"), timeout=1)


def test_scrub_secrets_and_urls() -> None:
    text = f"key {FAKE_KEY}; Authorization: Bearer abc.def-ghi_123456; token ghp_{'x' * 36}; "
    text += "AKIAABCDEFGHIJKLMNOP"
    out = scrub_secrets(text, "custom-secret-99")
    assert "sk-" not in out and "abc.def" not in out and "ghp_" not in out and "AKIA" not in out
    assert "Bearer [REDACTED]" in out
    assert scrub_secrets("my custom-secret-99 here", "custom-secret-99") == "my [REDACTED] here"
    assert scrub_secrets("sk-learn and task-runner stay") == "sk-learn and task-runner stay"
    assert scrub_secrets(out) == out  # idempotent
    assert redact_url("https://u:p@host:8443/v1?key=1") == "https://[REDACTED]@host:8443/v1"


def test_stop_cuts_off_keep_alive_clients() -> None:
    with httpx.Client(timeout=2) as client:
        server = FakeOpenAI(default="ok").start()
        url = server.base_url + "/chat/completions"
        assert client.post(url, json=chat("a")).status_code == 200
        server.stop()
        with pytest.raises(httpx.TransportError):
            client.post(url, json=chat("b"))


def test_enforce_max_tokens_truncates_like_a_real_server() -> None:
    with FakeOpenAI(default="y" * 400, enforce_max_tokens=True) as server:
        capped = post(server, {**chat("a"), "max_completion_tokens": 10}).json()
        free = post(server, chat("a")).json()
    assert capped["choices"][0]["finish_reason"] == "length"
    assert capped["choices"][0]["message"]["content"] == "y" * 40
    assert capped["usage"]["completion_tokens"] == 10
    assert free["choices"][0]["finish_reason"] == "stop"
