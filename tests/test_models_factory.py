"""Model spec parsing and the backend factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from opsrelay.errors import InputError, ProviderError
from opsrelay.models.base import ChatBackend, ChatMessage, ChatRequest
from opsrelay.models.cassette import RecordingBackend, ReplayBackend, load_cassette
from opsrelay.models.factory import ModelSpec, close_backend, make_backend, parse_model_spec
from opsrelay.models.limit import LimitedBackend
from opsrelay.models.openai_backend import OpenAIBackend
from opsrelay.models.retry import RetryingBackend
from opsrelay.testing.fake_openai import FakeOpenAI, Reply

FAKE_KEY = "sk-test-not-a-real-key-0123456789"


def req(text: str = "hello") -> ChatRequest:
    return ChatRequest(model="gpt-4.1-mini", messages=(ChatMessage(role="user", content=text),), purpose="t")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("offline", ModelSpec("offline")),
        ("  OFFLINE ", ModelSpec("offline")),
        ("openai:gpt-4.1-mini", ModelSpec("openai", name="gpt-4.1-mini")),
        ("OpenAI:gpt-4.1-mini", ModelSpec("openai", name="gpt-4.1-mini")),
        ("openai:llama3.1:8b", ModelSpec("openai", name="llama3.1:8b")),  # Ollama tags keep their colon
        ("replay:tests/cassettes/run.json", ModelSpec("replay", path=Path("tests/cassettes/run.json"))),
        ("replay:C:\\runs\\a.json", ModelSpec("replay", path=Path("C:\\runs\\a.json"))),
    ],
)
def test_parse_valid_specs(text: str, expected: ModelSpec) -> None:
    assert parse_model_spec(text) == expected


def test_spec_round_trips_to_string() -> None:
    for text in ["offline", "openai:gpt-4.1-mini", "replay:run.json"]:
        assert str(parse_model_spec(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "gpt-4o",
        "openai",
        "openai:",
        "openai: ",
        "openai:gpt 4",
        "replay:",
        "anthropic:claude",
        "offline:x",
    ],
)
def test_malformed_specs_are_input_errors(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_model_spec(text)
    msg = str(info.value)
    assert info.value.exit_code == 2
    assert "\n" not in msg
    assert "'offline', 'openai:<model>'" in msg and "'replay:<cassette.json>'" in msg


def test_offline_makes_no_backend() -> None:
    spec = parse_model_spec("offline")
    assert (
        make_backend(spec, base_url=None, api_key=None, record_path=None, timeout_s=30, strict_replay=False)
        is None
    )


def test_openai_needs_a_key() -> None:
    with pytest.raises(ProviderError) as info:
        make_backend(
            parse_model_spec("openai:gpt-4.1-mini"),
            base_url="http://127.0.0.1:9/v1",
            api_key="  ",
            record_path=None,
            timeout_s=30,
            strict_replay=False,
        )
    assert info.value.exit_code == 3
    assert str(info.value).startswith("OPENAI_API_KEY is not set")
    assert "any non-empty value" in str(info.value)


def test_openai_stack_is_retrying_around_openai() -> None:
    b = make_backend(
        parse_model_spec("openai:gpt-4.1-mini"),
        base_url="http://127.0.0.1:9/v1",
        api_key=FAKE_KEY,
        record_path=None,
        timeout_s=12,
        strict_replay=False,
    )
    # The request cap sits under the retry layer: a back-off sleep holds no slot.
    assert isinstance(b, RetryingBackend) and isinstance(b.inner, LimitedBackend)
    assert isinstance(b.inner.inner, OpenAIBackend) and b.inner.cap == 16
    assert isinstance(b, ChatBackend)
    assert b.inner.inner.timeout_s == 12
    assert b.spec == "openai:gpt-4.1-mini"
    assert FAKE_KEY not in repr(b.inner.inner)


def test_record_wraps_the_retrying_backend_and_keeps_only_successes(tmp_path: Path) -> None:
    cassette = tmp_path / "rec.json"
    with FakeOpenAI(replies=[Reply.unavailable(retry_after=0), Reply.text("hi there")]) as server:
        b = make_backend(
            parse_model_spec("openai:gpt-4.1-mini"),
            base_url=server.base_url,
            api_key=FAKE_KEY,
            record_path=cassette,
            timeout_s=5,
            strict_replay=False,
        )
        assert isinstance(b, RecordingBackend) and isinstance(b.inner, RetryingBackend)
        assert b.complete(req()).content == "hi there"
        close_backend(b)
        assert len(server.chat_requests) == 2
    assert [i.response.content for i in load_cassette(cassette)] == ["hi there"]
    assert FAKE_KEY not in cassette.read_text()

    replay = make_backend(
        parse_model_spec(f"replay:{cassette}"),
        base_url=None,
        api_key=None,
        record_path=None,
        timeout_s=5,
        strict_replay=True,
    )
    assert isinstance(replay, LimitedBackend) and isinstance(replay.inner, ReplayBackend)
    assert replay.inner.strict
    assert replay.complete(req()).content == "hi there"
    close_backend(replay)
    close_backend(None)


@pytest.mark.parametrize("spec", ["offline", "replay:x.json"])
def test_record_needs_a_live_model(tmp_path: Path, spec: str) -> None:
    with pytest.raises(InputError, match="--record needs a live model"):
        make_backend(
            parse_model_spec(spec),
            base_url=None,
            api_key=FAKE_KEY,
            record_path=tmp_path / "r.json",
            timeout_s=5,
            strict_replay=False,
        )


def test_replay_of_missing_cassette_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cassette not found"):
        make_backend(
            parse_model_spec(f"replay:{tmp_path / 'missing.json'}"),
            base_url=None,
            api_key=None,
            record_path=None,
            timeout_s=5,
            strict_replay=False,
        )


def test_structured_output_and_context_window_reach_the_openai_backend() -> None:
    b = make_backend(
        parse_model_spec("openai:gpt-4.1-mini"),
        base_url="http://127.0.0.1:9/v1",
        api_key=FAKE_KEY,
        record_path=None,
        timeout_s=12,
        strict_replay=False,
        structured_output="tools",
        context_window=4096,
    )
    assert isinstance(b, RetryingBackend) and isinstance(b.inner, LimitedBackend)
    openai = b.inner.inner
    assert isinstance(openai, OpenAIBackend)
    assert openai.structured_output == "tools" and openai.structured_mode == "tools"
    assert b.inner.structured_mode == "tools"  # seen through the limiting layer
    window = b.context_window()  # configured: the (unreachable) server is not asked
    assert (window.tokens, window.source) == (4096, "configured")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"structured_output": "xml"}, "invalid structured-output mode 'xml'"),
        ({"context_window": 0}, "context window must be a positive number of tokens"),
    ],
)
def test_bad_structured_output_or_window_is_an_input_error(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        make_backend(
            parse_model_spec("openai:gpt-4.1-mini"),
            base_url=None,
            api_key=FAKE_KEY,
            record_path=None,
            timeout_s=5,
            strict_replay=False,
            **kwargs,
        )


def test_run_settings_carry_the_context_window_and_mode() -> None:
    from pydantic import ValidationError

    from opsrelay.settings import RunSettings

    settings = RunSettings(context_window=8192, structured_output="json_object")
    assert (settings.context_window, settings.structured_output) == (8192, "json_object")
    assert (RunSettings().context_window, RunSettings().structured_output) == (None, "auto")
    with pytest.raises(ValidationError):
        RunSettings(context_window=0)
    with pytest.raises(ValidationError):
        RunSettings(structured_output="xml")
