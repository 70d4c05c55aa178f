"""The fake OpenAI server itself: scripting, usage simulation, redaction, lifecycle."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import httpx
import openai
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


# -- the contract ------------------------------------------------------------------------------


def test_contract_refusals_are_openais_400_and_do_not_consume_the_queue() -> None:
    open_schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    bad = {
        **chat("a"),
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "X", "schema": open_schema, "strict": True},
        },
    }
    with FakeOpenAI(replies=["kept for the valid request"]) as server:
        refused = post(server, bad)
        hot = post(server, {**chat("a"), "temperature": 3})
        answered = post(server, chat("a"))
    assert refused.status_code == 400
    assert refused.json() == {
        "error": {
            "message": "Invalid schema for response_format 'X': In context=(), 'additionalProperties' is "
            "required to be supplied and to be false.",
            "type": "invalid_request_error",
            "param": "response_format",
            "code": None,
        }
    }
    assert hot.status_code == 400 and hot.json()["error"]["code"] == "decimal_above_max_value"
    assert answered.json()["choices"][0]["message"]["content"] == "kept for the valid request"
    assert len(server.requests) == 3  # refused requests are still recorded


def test_contract_none_accepts_what_openai_would_refuse() -> None:
    odd = {**chat("a"), "temperature": 3, "max_tokens": 5, "max_completion_tokens": 5}
    with FakeOpenAI(default="ok", contract=None) as server:
        assert post(server, odd).status_code == 200
    with FakeOpenAI(default="ok") as server:
        assert post(server, odd).status_code == 400


def test_openai_sdk_sees_a_bad_request_error() -> None:
    with FakeOpenAI(default="ok") as server:
        client = openai.OpenAI(base_url=server.base_url, api_key=FAKE_KEY, max_retries=0)
        with pytest.raises(openai.BadRequestError) as caught:
            client.chat.completions.create(model="gpt-4.1-mini", messages=[])
    assert caught.value.code == "empty_array" and caught.value.param == "messages"


# -- context windows ---------------------------------------------------------------------------


def sized(tokens: int) -> dict[str, Any]:
    """A one-message request of exactly ``tokens`` prompt tokens for the fake's tokenizer."""
    overhead = estimate_tokens("<|user|><|end|>")  # 15 chars → 4 tokens, 1 char to spare
    return chat("x" * ((tokens - overhead) * 4 + 1))


def test_context_window_openai_shape() -> None:
    with FakeOpenAI(default="ok", context_window=100) as server:
        assert server.prompt_tokens(sized(100)) == 100
        fits = post(server, {**sized(90), "max_completion_tokens": 10})
        long_prompt = post(server, sized(101))
        long_total = post(server, {**sized(90), "max_completion_tokens": 11})
    assert fits.status_code == 200 and fits.json()["usage"]["prompt_tokens"] == 90
    assert long_prompt.status_code == 400
    assert long_prompt.json() == {
        "error": {
            "message": "This model's maximum context length is 100 tokens. However, your messages resulted "
            "in 101 tokens. Please reduce the length of the messages.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    }
    assert long_total.json()["error"]["message"] == (
        "This model's maximum context length is 100 tokens. However, you requested 101 tokens (90 in the "
        "messages, 11 in the completion). Please reduce the length of the messages or completion."
    )


def test_context_window_llamacpp_shape_and_full_window_stop() -> None:
    with FakeOpenAI(default="y" * 400, context_window=100, error_style="llamacpp") as server:
        full = post(server, sized(100))
        cut = post(server, {**sized(90), "max_tokens": 50})  # llama.cpp does not refuse this
    assert full.status_code == 400
    assert full.json() == {
        "error": {
            "code": 400,
            "message": "request (100 tokens) exceeds the available context size (100 tokens), try "
            "increasing it",
            "type": "exceed_context_size_error",
            "n_prompt_tokens": 100,
            "n_ctx": 100,
        }
    }
    answer = cut.json()
    assert cut.status_code == 200
    assert answer["choices"][0]["finish_reason"] == "length"  # generation stopped at a full window
    assert answer["usage"]["completion_tokens"] == 9  # n_ctx - prompt - 1, as llama-server stops


def test_context_window_vllm_shape() -> None:
    with FakeOpenAI(default="ok", context_window=100, error_style="vllm") as server:
        ok = post(server, {**sized(90), "max_tokens": 10})
        refused = post(server, {**sized(90), "max_tokens": 11})
    assert ok.status_code == 200
    assert refused.status_code == 400
    assert refused.json() == {
        "error": {
            "message": "This model's maximum context length is 100 tokens. However, you requested 11 output "
            "tokens and your prompt contains at least 90 input tokens, for a total of at least 101 tokens. "
            "Please reduce the length of the input prompt or the number of requested output tokens. "
            "(parameter=input_tokens, value=90)",
            "type": "BadRequestError",
            "param": "input_tokens",
            "code": 400,
        }
    }


def test_silent_truncation_drops_the_front_like_ollama() -> None:
    seen: list[list[dict[str, Any]]] = []

    def responder(body: dict[str, Any]) -> str:
        seen.append(body["messages"])
        return "answered"

    qa = "QA report: " + "line\n" * 200
    body: dict[str, Any] = {
        "model": "gpt-4.1-mini",
        "messages": [
            {"role": "system", "content": "You are the DevOps Engineer. " * 20},
            {"role": "user", "content": qa},
            {"role": "user", "content": "Write the rollback section."},
        ],
    }
    with FakeOpenAI(responder, truncate_prompt_to=200) as server:
        assert server.prompt_tokens(body) > 200
        r = post(server, body).json()
        short = post(server, chat("short")).json()
    assert r["choices"][0]["message"]["content"] == "answered"  # no error, no warning
    assert r["usage"]["prompt_tokens"] == 200  # the only sign: fewer tokens than were sent
    kept = seen[0]
    assert [m["role"] for m in kept] == ["user", "user"]  # the system prompt vanished
    assert kept[-1]["content"] == "Write the rollback section."
    assert qa.endswith(kept[0]["content"]) and kept[0]["content"] != qa  # its front was cut
    assert short["usage"]["prompt_tokens"] == estimate_tokens("<|user|>short<|end|>")


# -- server info endpoints ---------------------------------------------------------------------


def root(server: FakeOpenAI) -> str:
    return f"http://127.0.0.1:{server.port}"


def test_llamacpp_props_slots_and_tokenize_agree_with_the_counts() -> None:
    with FakeOpenAI(default="ok", server_info="llamacpp", context_window=8192, slots=2) as server:
        props = httpx.get(root(server) + "/props", timeout=5).json()
        slots = httpx.get(root(server) + "/slots", timeout=5).json()
        text = "<|user|>How many tokens is this?<|end|>"
        rendered = httpx.post(
            root(server) + "/apply-template",
            json={"messages": [{"role": "user", "content": "How many tokens is this?"}]},
            timeout=5,
        ).json()["prompt"]
        tokens = httpx.post(root(server) + "/tokenize", json={"content": text}, timeout=5).json()["tokens"]
        pieces = httpx.post(
            root(server) + "/tokenize", json={"content": "abcdefg", "with_pieces": True}, timeout=5
        ).json()["tokens"]
        usage = post(server, chat("How many tokens is this?")).json()["usage"]
        models = httpx.get(server.base_url + "/models", timeout=5).json()["data"]
        not_at_v1 = httpx.get(server.base_url + "/props", timeout=5)
    assert props["default_generation_settings"]["n_ctx"] == 8192 and props["total_slots"] == 2
    assert [s["n_ctx"] for s in slots] == [8192, 8192]
    assert rendered == text  # the fake's chat template, as its prompt tokens count it
    assert len(tokens) == usage["prompt_tokens"] == estimate_tokens(text)
    assert all(isinstance(t, int) for t in tokens)
    assert [p["piece"] for p in pieces] == ["abcd", "efg"]
    assert models[0]["meta"]["n_ctx"] == 8192
    assert not_at_v1.status_code == 404  # llama.cpp serves these at the root, not under /v1
    assert len(server.chat_requests) == 1  # the probes are requests, not chat requests


def test_ollama_show_and_ps() -> None:
    with FakeOpenAI(default="ok", server_info="ollama", truncate_prompt_to=2048, models=["gemma3"]) as server:
        show = httpx.post(root(server) + "/api/show", json={"model": "gemma3"}, timeout=5).json()
        missing = httpx.post(root(server) + "/api/show", json={"model": "nope"}, timeout=5)
        ps = httpx.get(root(server) + "/api/ps", timeout=5).json()
    arch = show["model_info"]["general.architecture"]
    assert show["model_info"][f"{arch}.context_length"] == 32768  # what the model was trained for
    assert "num_ctx 2048" in show["parameters"].splitlines()  # what the server runs it with
    assert ps["models"][0]["context_length"] == 2048
    assert missing.status_code == 404 and missing.json() == {"error": "model 'nope' not found"}


def test_vllm_models_report_max_model_len_and_default_server_has_no_extras() -> None:
    with FakeOpenAI(default="ok", server_info="vllm", context_window=16384) as server:
        data = httpx.get(server.base_url + "/models", timeout=5).json()["data"]
        counted = httpx.post(root(server) + "/tokenize", json=chat("How long?"), timeout=5).json()
        plain = httpx.post(
            root(server) + "/tokenize", json={"model": "m", "prompt": "abcdefgh"}, timeout=5
        ).json()
        usage = post(server, chat("How long?")).json()["usage"]
    assert data[0]["max_model_len"] == 16384 and data[0]["owned_by"] == "vllm"
    assert counted["count"] == len(counted["tokens"]) == usage["prompt_tokens"]
    assert counted["max_model_len"] == 16384 and plain["count"] == 2
    with FakeOpenAI() as plain:
        assert httpx.get(root(plain) + "/props", timeout=5).status_code == 404
        assert (
            httpx.post(root(plain) + "/api/show", json={"model": "gpt-4.1-mini"}, timeout=5).status_code
            == 404
        )
        assert "max_model_len" not in httpx.get(plain.base_url + "/models", timeout=5).json()["data"][0]


def test_custom_tokenizer_is_used_everywhere() -> None:
    def words(text: str) -> list[int]:
        return [len(w) for w in text.split()]

    with FakeOpenAI(default="one two three", tokenizer=words, server_info="llamacpp") as server:
        usage = post(server, chat("a b c d")).json()["usage"]
        tokens = httpx.post(root(server) + "/tokenize", json={"content": "a bb ccc"}, timeout=5).json()
    assert usage["completion_tokens"] == 3
    assert usage["prompt_tokens"] == len(words("<|user|>a b c d<|end|>")) == 4
    assert tokens == {"tokens": [1, 2, 3]}


# -- streaming latency, stalls, structured-output support ---------------------------------------


def stream_times(server: FakeOpenAI, body: dict[str, Any]) -> tuple[list[tuple[float, str]], float]:
    """(arrival time after the request, content) for each content chunk, and the total time."""
    start = time.monotonic()
    arrivals: list[tuple[float, str]] = []
    with httpx.stream(
        "POST", server.base_url + "/chat/completions", json={**body, "stream": True}, timeout=10
    ) as r:
        for line in r.iter_lines():
            if line.startswith("data: {"):
                delta = json.loads(line[6:])["choices"]
                piece = delta[0]["delta"].get("content") if delta else None
                if piece:
                    arrivals.append((time.monotonic() - start, piece))
    return arrivals, time.monotonic() - start


def test_streamed_answer_arrives_at_the_simulated_rate() -> None:
    text = "z" * 400  # 100 tokens: first token after 0.3 s, then 200 tokens/s → done at ~0.8 s
    with FakeOpenAI(default=text, latency=Latency(ttft_s=0.3, tokens_per_s=200)) as server:
        arrivals, total = stream_times(server, chat("a"))
    assert "".join(p for _, p in arrivals) == text
    first, middle, last = arrivals[0][0], arrivals[len(arrivals) // 2][0], arrivals[-1][0]
    assert 0.3 <= first < 0.6
    assert 0.4 <= middle <= last - 0.1  # spread over the generation, not sent at the end
    assert 0.75 <= last < 2.0 and total < 2.5


def test_stall_mid_stream_and_in_a_plain_answer() -> None:
    reply = Reply.text("s" * 200).with_stall(0.8, after_tokens=20)
    with FakeOpenAI(replies=[reply, reply]) as server:
        arrivals, _ = stream_times(server, chat("a"))
        started = time.monotonic()
        plain = post(server, chat("b"))
        plain_s = time.monotonic() - started
    gaps = [
        (b[0] - a[0], sum(len(p) for _, p in arrivals[: i + 1]))
        for i, (a, b) in enumerate(itertools.pairwise(arrivals))
    ]
    longest, before = max(gaps)
    assert longest >= 0.75 and before == 80  # silent after 20 tokens (80 characters)
    assert plain.status_code == 200 and plain_s >= 0.75


def test_structured_output_support_refuses_json_schema_naming_response_format() -> None:
    schema = {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
    as_schema = {
        **chat("json please"),
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "X", "schema": schema, "strict": True},
        },
    }
    as_object = {**chat("json please"), "response_format": {"type": "json_object"}}
    with FakeOpenAI(default={"ok": True}, structured_output_support="json_object") as server:
        refused, allowed = post(server, as_schema), post(server, as_object)
    with FakeOpenAI(default={"ok": True}, structured_output_support="none") as server:
        neither = post(server, as_object)
    assert refused.status_code == 400 and allowed.status_code == 200
    error = refused.json()["error"]
    assert error["param"] == "response_format" and "'response_format'" in error["message"]
    assert "json_schema" in error["message"]
    assert neither.status_code == 400 and "json_object" in neither.json()["error"]["message"]


def test_tool_call_replies_plain_and_streamed() -> None:
    tool = {"type": "function", "function": {"name": "Verdict", "parameters": {"type": "object"}}}
    forced = {"type": "function", "function": {"name": "Verdict"}}
    call = Reply.tool_call("Verdict", {"verdict": "GO"})
    asks = {**chat("x"), "tools": [tool]}
    with FakeOpenAI(replies=[call, call, call]) as server:
        free = post(server, asks).json()["choices"][0]
        chosen = post(server, {**asks, "tool_choice": forced}).json()["choices"][0]
        with httpx.stream("POST", server.base_url + "/chat/completions", json={**asks, "stream": True}) as r:
            deltas = [
                json.loads(line[6:])["choices"][0]["delta"]
                for line in r.iter_lines()
                if line.startswith("data: {")
            ]
    assert free["finish_reason"] == "tool_calls" and free["message"]["content"] is None
    called = free["message"]["tool_calls"][0]
    assert called["type"] == "function" and called["function"]["name"] == "Verdict"
    assert json.loads(called["function"]["arguments"]) == {"verdict": "GO"}
    assert chosen["finish_reason"] == "stop"  # what OpenAI answers when tool_choice forces the call
    parts = [c for d in deltas for c in d.get("tool_calls") or []]
    assert parts[0]["id"].startswith("call_") and parts[0]["function"]["name"] == "Verdict"
    assert json.loads("".join(p["function"]["arguments"] for p in parts)) == {"verdict": "GO"}
