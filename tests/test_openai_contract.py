"""OpenAI's request contract: every schema and request opsrelay sends passes it; planted breaks do not.

The contract (``opsrelay.testing.openai_contract``) is what ``FakeOpenAI`` enforces by default, so
these tests pin both sides: the rules refuse what OpenAI refuses, with OpenAI's words, and accept
the look-alikes OpenAI accepts; and opsrelay's own requests, built by the real backend, pass.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pytest
from paths import EXAMPLE
from pydantic import BaseModel, ConfigDict, Field

from opsrelay.agents.devops import llm
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.llm import CriticReport, ModelDecisions
from opsrelay.agents.devops.validate import FactProposals
from opsrelay.cli import cli
from opsrelay.models.base import ChatMessage, ChatRequest
from opsrelay.models.openai_backend import OpenAIBackend, StructuredMode
from opsrelay.models.schema import SCHEMA_NAME_PATTERN, schema_name, strict_schema
from opsrelay.testing.devops_model import devops_responder
from opsrelay.testing.fake_openai import FakeOpenAI, Reply
from opsrelay.testing.openai_contract import check_chat_request, first_violation, strict_schema_violation

KEY = "sk-test-not-a-real-key-0123456789"
# Every schema opsrelay's LLM drafter sends (llm.py: decide → ModelDecisions, critique → CriticReport).
SENT_SCHEMAS: list[type[BaseModel]] = [ModelDecisions, CriticReport, FactProposals]


def schema_body(schema: Any, name: str = "Decisions", **extra: Any) -> dict[str, Any]:
    return {
        "model": "gpt-4.1-mini",
        "messages": [
            {"role": "system", "content": "You are a DevOps engineer."},
            {"role": "user", "content": "x"},
        ],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": schema, "strict": True},
        },
        **extra,
    }


def obj(**props: Any) -> dict[str, Any]:
    """A closed object schema with every property required (valid strict shape)."""
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


STR = {"type": "string"}


# -- opsrelay's own schemas and requests -------------------------------------------------------


def test_the_drafter_uses_the_library_conversion() -> None:
    assert vars(llm)["strict_schema"] is strict_schema  # the name llm.py calls


@pytest.mark.parametrize("model", SENT_SCHEMAS, ids=lambda m: m.__name__)
def test_every_schema_opsrelay_sends_is_accepted(model: type[BaseModel]) -> None:
    schema = strict_schema(model)
    assert SCHEMA_NAME_PATTERN.match(schema_name(model))
    assert check_chat_request(schema_body(schema, name=schema_name(model))) is None
    # the schema still describes the model: a valid instance's keys are exactly the root properties
    assert set(schema["properties"]) == set(model.model_fields)


def test_the_pre_fix_conversion_is_refused_with_openais_message() -> None:
    """What llm.strict_schema sent before issue 8: pydantic's schema closed by a visitor."""
    schema = ModelDecisions.model_json_schema()

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node["required"] = list(node["properties"])
                node["additionalProperties"] = False
            node.pop("default", None)
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    refusal = check_chat_request(schema_body(schema))
    assert refusal == {
        "error": {
            "message": "Invalid schema for response_format 'Decisions': "
            "context=('properties', 'deployment'), $ref cannot have keywords {'description'}.",
            "type": "invalid_request_error",
            "param": "response_format",
            "code": None,
        }
    }


@pytest.mark.parametrize("mode", ["json_schema", "json_object", "tools"])
def test_backend_requests_for_each_schema_pass_the_fake(mode: StructuredMode) -> None:
    """Built by OpenAIBackend (ChatOpenAI → openai SDK) in each structured-output mode: no 400."""

    def responder(body: dict[str, Any]) -> Reply:
        if mode == "tools":
            return Reply.tool_call(body["tools"][0]["function"]["name"], {})
        return Reply.json({})

    with FakeOpenAI(responder) as server:
        backend = OpenAIBackend(
            "gpt-4.1-mini", base_url=server.base_url, api_key=KEY, timeout_s=5, structured_output=mode
        )
        for model in SENT_SCHEMAS:
            response = backend.complete(
                ChatRequest(
                    model="gpt-4.1-mini",
                    messages=(ChatMessage(role="system", content="s"), ChatMessage(role="user", content="u")),
                    schema_name=schema_name(model),
                    json_schema=strict_schema(model),
                    max_tokens=100,
                )
            )
            assert json.loads(response.content) == {}
        bodies = server.chat_requests
    assert len(bodies) == len(SENT_SCHEMAS)  # nothing refused, nothing retried
    assert [check_chat_request(b) for b in bodies] == [None] * len(bodies)
    if mode == "json_schema":
        assert [b["response_format"]["json_schema"]["name"] for b in bodies] == [
            schema_name(m) for m in SENT_SCHEMAS
        ]
        assert all(b["response_format"]["json_schema"]["strict"] is True for b in bodies)
    if mode == "tools":
        assert all(b["tools"][0]["function"]["strict"] is True for b in bodies)


def test_a_whole_llm_run_sends_nothing_openai_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every request of a real run (decide, 13 sections, critic) through the enforcing fake."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FakeOpenAI(devops_responder) as server:  # contract="openai" is the default
        args = ["run", str(EXAMPLE), "--out", str(tmp_path), "--model", "openai:gpt-4.1-mini"]
        code = cli([*args, "--base-url", server.base_url, "--date", "2026-11-21", "--timeout", "5", "--json"])
        bodies = server.chat_requests
    out, err = capsys.readouterr()
    assert code == 0, err
    refused = [check_chat_request(b) for b in bodies if check_chat_request(b) is not None]
    assert refused == []
    names = {b["response_format"]["json_schema"]["name"] for b in bodies if "response_format" in b}
    assert names == {schema_name(m) for m in SENT_SCHEMAS}
    assert json.loads(out)["llm_calls"] == len(bodies)


# -- strict_schema / schema_name ----------------------------------------------------------------


class Leaf(BaseModel):
    """A nested model."""

    name: str = Field(default="x", description="Has a non-null default.")
    kind: Literal["a", "b"] = "a"


class Tree(BaseModel):
    """Nested, optional, defaulted, recursive: what pydantic makes awkward for strict mode."""

    model_config = ConfigDict(title="Tree")

    leaf: Leaf = Field(description="A nested model with a description beside its $ref.")
    maybe: Leaf | None = None
    leaves: list[Leaf] = Field(default_factory=list)
    children: list[Tree] = Field(default_factory=list, description="Recursion.")
    count: int = Field(default=3, ge=0)


def test_strict_schema_handles_nesting_defaults_optionals_and_recursion() -> None:
    schema = strict_schema(Tree)
    assert strict_schema_violation(schema, name="Tree") is None
    text = json.dumps(schema)
    assert '"default"' not in text
    # inlined where a description sat beside the $ref; still referenced where it was a bare $ref
    assert "$ref" not in schema["properties"]["leaf"]
    assert set(schema.get("$defs", {})) <= {"Leaf", "Tree"}
    # the library's conversion, not a copy of it: the same as openai's parse() sends, minus defaults
    assert schema["properties"]["leaf"]["description"].startswith("A nested model with")
    assert schema["required"] == list(Tree.model_fields)


def test_strict_schema_returns_fresh_copies() -> None:
    first = strict_schema(Decisions)
    first["properties"].clear()
    assert strict_schema(Decisions)["properties"]


@pytest.mark.parametrize(
    ("cls_name", "expected"),
    [("Decisions", "Decisions"), ("Page[Item]", "Page_Item_"), ("x" * 80, "x" * 64), ("Ünïcode", "_n_code")],
)
def test_schema_name_respects_openais_pattern(cls_name: str, expected: str) -> None:
    model = type(cls_name, (BaseModel,), {"__annotations__": {"a": int}})
    assert schema_name(model) == expected
    assert SCHEMA_NAME_PATTERN.match(schema_name(model))


# -- planted violations: each refused with OpenAI's words ----------------------------------------

RF = "Invalid schema for response_format 'Decisions': "


def with_schema(schema: dict[str, Any]) -> dict[str, Any]:
    return schema_body(schema)


def mutate(fn: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    body = schema_body(obj(a=STR))
    fn(body)
    return body


REFUSED: list[tuple[str, dict[str, Any], str, str | None, str | None]] = [
    # (id, body, message, param, code)
    (
        "ref-with-description",
        with_schema(
            {**obj(h={"$ref": "#/$defs/H", "description": "d"}), "$defs": {"H": obj(x=STR)}},
        ),
        RF + "context=('properties', 'h'), $ref cannot have keywords {'description'}.",
        "response_format",
        None,
    ),
    (
        "open-root",
        with_schema({"type": "object", "properties": {"a": STR}, "required": ["a"]}),
        RF + "In context=(), 'additionalProperties' is required to be supplied and to be false.",
        "response_format",
        None,
    ),
    (
        "nested-open-object",
        with_schema(obj(inner={"type": "object", "properties": {"x": STR}, "required": ["x"]})),
        RF + "In context=('properties', 'inner'), 'additionalProperties' is required to be supplied and "
        "to be false.",
        "response_format",
        None,
    ),
    (
        "dict-map",
        with_schema(obj(m={"type": "object", "additionalProperties": STR})),
        RF + "In context=('properties', 'm'), 'additionalProperties' is required to be supplied and to "
        "be false.",
        "response_format",
        None,
    ),
    (
        "optional-field",
        with_schema({**obj(a=STR, b=STR), "required": ["a"]}),
        RF + "In context=(), 'required' is required to be supplied and to be an array including every "
        "key in properties. Missing 'b'.",
        "response_format",
        None,
    ),
    (
        "extra-required",
        with_schema({**obj(a=STR), "required": ["a", "z"]}),
        RF + "In context=(), 'required' is required to be supplied and to be an array including every "
        "key in properties. Extra required key 'z' supplied.",
        "response_format",
        None,
    ),
    (
        "array-items-open",
        with_schema(obj(xs={"type": "array", "items": {"type": "object", "properties": {}}})),
        RF + "In context=('properties', 'xs', 'items'), 'additionalProperties' is required to be "
        "supplied and to be false.",
        "response_format",
        None,
    ),
    *[
        (
            f"keyword-{kw}",
            with_schema(obj(a={"type": "string", kw: value})),
            RF + f"In context=('properties', 'a'), '{kw}' is not permitted.",
            "response_format",
            None,
        )
        for kw, value in [
            ("allOf", [STR]),
            ("oneOf", [STR]),
            ("not", {"type": "null"}),
            ("if", STR),
            ("then", STR),
            ("else", STR),
            ("dependentRequired", {}),
            ("dependentSchemas", {}),
            ("patternProperties", {}),
            ("unevaluatedProperties", False),
            ("contains", STR),
            ("default", "x"),
        ]
    ],
    (
        "root-oneOf",
        with_schema({"type": "object", "oneOf": [obj(a=STR), obj(b=STR)]}),
        RF + "In context=(), 'oneOf' is not permitted.",
        "response_format",
        None,
    ),
    (
        "root-anyOf",
        with_schema({"anyOf": [obj(a=STR), obj(b=STR)]}),
        RF + "schema must have type 'object' and not have 'oneOf'/'anyOf'/'allOf'/'enum'/'not' at the top "
        "level. Found 'anyOf'.",
        "response_format",
        None,
    ),
    (
        "root-array",
        with_schema({"type": "array", "items": STR}),
        RF + "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"array\"'.",
        "response_format",
        None,
    ),
    (
        "array-without-items",
        with_schema(obj(xs={"type": "array"})),
        RF + "In context=('properties', 'xs'), array schema missing items.",
        "response_format",
        None,
    ),
    (
        "dangling-ref",
        with_schema(obj(h={"$ref": "#/$defs/Missing"})),
        RF + "In context=('properties', 'h'), reference '#/$defs/Missing' could not be resolved.",
        "response_format",
        None,
    ),
    (
        "unsupported-format",
        with_schema(obj(u={"type": "string", "format": "uri"})),
        RF + "In context=('properties', 'u'), format 'uri' is not supported.",
        "response_format",
        None,
    ),
    (
        "bad-name",
        schema_body(obj(a=STR), name="Page[Item]"),
        "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string "
        "that matches the pattern '^[a-zA-Z0-9_-]+$'.",
        "response_format.json_schema.name",
        "invalid_value",
    ),
    (
        "long-name",
        schema_body(obj(a=STR), name="n" * 65),
        "Invalid 'response_format.json_schema.name': string too long. Expected a string with maximum "
        "length 64, but got a string with length 65 instead.",
        "response_format.json_schema.name",
        "string_above_max_length",
    ),
    (
        "no-model",
        mutate(lambda b: b.pop("model")),
        "you must provide a model parameter",
        None,
        None,
    ),
    (
        "no-messages",
        mutate(lambda b: b.pop("messages")),
        "Missing required parameter: 'messages'.",
        "messages",
        "missing_required_parameter",
    ),
    (
        "empty-messages",
        mutate(lambda b: b.update(messages=[])),
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array "
        "instead.",
        "messages",
        "empty_array",
    ),
    (
        "bad-role",
        mutate(lambda b: b["messages"].append({"role": "bot", "content": "x"})),
        "Invalid value: 'bot'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', "
        "and 'developer'.",
        "messages[2].role",
        "invalid_value",
    ),
    (
        "message-not-object",
        mutate(lambda b: b["messages"].append("hello")),
        "Invalid type for 'messages[2]': expected an object, but got a string instead.",
        "messages[2]",
        "invalid_type",
    ),
    (
        "no-role",
        mutate(lambda b: b["messages"].append({"content": "x"})),
        "Missing required parameter: 'messages[2].role'.",
        "messages[2].role",
        "missing_required_parameter",
    ),
    (
        "part-without-type",
        mutate(lambda b: b["messages"].append({"role": "user", "content": [{"text": "x"}]})),
        "Missing required parameter: 'messages[2].content[0].type'.",
        "messages[2].content[0].type",
        "missing_required_parameter",
    ),
    (
        "bad-tool-type",
        mutate(lambda b: b.update(tools=[{"type": "retrieval"}])),
        "Invalid value: 'retrieval'. Supported values are: 'function' and 'custom'.",
        "tools[0].type",
        "invalid_value",
    ),
    (
        "no-content",
        mutate(lambda b: b["messages"].append({"role": "user"})),
        "Missing required parameter: 'messages[2].content'.",
        "messages[2].content",
        "missing_required_parameter",
    ),
    (
        "content-number",
        mutate(lambda b: b["messages"].append({"role": "user", "content": 3})),
        "Invalid type for 'messages[2].content': expected one of a string or array of objects, but got an "
        "integer instead.",
        "messages[2].content",
        "invalid_type",
    ),
    (
        "image-in-system",
        mutate(lambda b: b["messages"].append({"role": "system", "content": [{"type": "image_url"}]})),
        "Invalid value: 'image_url'. Supported values are: 'text'.",
        "messages[2].content[0].type",
        "invalid_value",
    ),
    (
        "tool-message-without-id",
        mutate(lambda b: b["messages"].append({"role": "tool", "content": "x"})),
        "Missing required parameter: 'messages[2].tool_call_id'.",
        "messages[2].tool_call_id",
        "missing_required_parameter",
    ),
    (
        "both-token-limits",
        mutate(lambda b: b.update(max_tokens=10, max_completion_tokens=10)),
        "max_tokens and max_completion_tokens cannot both be set; use max_completion_tokens.",
        "max_tokens",
        "invalid_value",
    ),
    (
        "zero-max-tokens",
        mutate(lambda b: b.update(max_completion_tokens=0)),
        "Invalid 'max_completion_tokens': integer below minimum value. Expected a value >= 1, but got 0 "
        "instead.",
        "max_completion_tokens",
        "integer_below_min_value",
    ),
    (
        "string-max-tokens",
        mutate(lambda b: b.update(max_tokens="100")),
        "Invalid type for 'max_tokens': expected an integer, but got a string instead.",
        "max_tokens",
        "invalid_type",
    ),
    (
        "hot-temperature",
        mutate(lambda b: b.update(temperature=2.5)),
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 2.5 instead.",
        "temperature",
        "decimal_above_max_value",
    ),
    (
        "negative-temperature",
        mutate(lambda b: b.update(temperature=-1)),
        "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -1 instead.",
        "temperature",
        "decimal_below_min_value",
    ),
    (
        "unknown-response-format",
        mutate(lambda b: b.update(response_format={"type": "yaml"})),
        "Invalid value: 'yaml'. Supported values are: 'json_object', 'json_schema', and 'text'.",
        "response_format.type",
        "invalid_value",
    ),
    (
        "json-object-without-json",
        mutate(lambda b: b.update(response_format={"type": "json_object"})),
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type "
        "'json_object'.",
        "messages",
        None,
    ),
    (
        "tool-name-with-dot",
        mutate(lambda b: b.update(tools=[{"type": "function", "function": {"name": "ci.lint"}}])),
        "Invalid 'tools[0].function.name': string does not match pattern. Expected a string that matches "
        "the pattern '^[a-zA-Z0-9_-]+$'.",
        "tools[0].function.name",
        "invalid_value",
    ),
    (
        "strict-tool-with-default",
        mutate(
            lambda b: b.update(
                tools=[
                    {
                        "type": "function",
                        "function": {
                            "name": "lint",
                            "strict": True,
                            "parameters": obj(error={"type": "string", "default": "none"}),
                        },
                    }
                ]
            )
        ),
        "Invalid schema for function 'lint': In context=('properties', 'error'), 'default' is not permitted.",
        "tools[0].function.parameters",
        "invalid_function_parameters",
    ),
    (
        "stream-options-without-stream",
        mutate(lambda b: b.update(stream_options={"include_usage": True})),
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        "stream_options",
        None,
    ),
    (
        "tool-choice-without-tools",
        mutate(lambda b: b.update(tool_choice="required")),
        "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
        "tool_choice",
        None,
    ),
    (
        "parallel-tool-calls-without-tools",
        mutate(lambda b: b.update(parallel_tool_calls=False)),
        "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are "
        "specified.",
        "parallel_tool_calls",
        None,
    ),
    (
        "tool-choice-unknown-function",
        mutate(
            lambda b: b.update(
                tools=[{"type": "function", "function": {"name": "lint"}}],
                tool_choice={"type": "function", "function": {"name": "deploy"}},
            )
        ),
        "Tool choice 'deploy' not found in 'tools' parameter.",
        "tool_choice",
        None,
    ),
]


@pytest.mark.parametrize(("case", "body", "message", "param", "code"), REFUSED, ids=[r[0] for r in REFUSED])
def test_planted_violation_is_refused_with_openais_error(
    case: str, body: dict[str, Any], message: str, param: str | None, code: str | None
) -> None:
    assert check_chat_request(body) == {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    }


def nested(depth: int) -> dict[str, Any]:
    """A schema whose objects nest ``depth`` levels deep, the root counted as level 1."""
    node = obj(leaf=STR)
    for _ in range(depth - 1):
        node = obj(child=node)
    return node


def test_size_and_depth_limits() -> None:
    assert strict_schema_violation(nested(10), name="n") is None
    too_deep = strict_schema_violation(nested(11), name="n")
    assert too_deep is not None and "maximum nesting depth of 10 levels (found 11)" in too_deep
    # depth is measured through $refs, as the schema expands
    deep_by_ref = {**obj(a={"$ref": "#/$defs/D"}), "$defs": {"D": nested(10)}}
    assert "found 11" in (strict_schema_violation(deep_by_ref, name="n") or "")

    many = {f"p{i}": STR for i in range(5001)}
    assert "5001 object properties; at most 5000" in (strict_schema_violation(obj(**many), name="n") or "")
    assert strict_schema_violation(obj(**{f"p{i}": STR for i in range(5000)}), name="n") is None

    enums = {f"e{i}": {"type": "string", "enum": [f"v{j}" for j in range(101)]} for i in range(10)}
    assert "1010 enum values; at most 1000" in (strict_schema_violation(obj(**enums), name="n") or "")
    big_enum = {"type": "string", "enum": [f"{j:060d}" for j in range(251)]}
    assert "more than 250 values" in (strict_schema_violation(obj(e=big_enum), name="n") or "")
    assert (
        strict_schema_violation(
            obj(e={"type": "string", "enum": [f"{j:060d}" for j in range(250)]}), name="n"
        )
        is None
    )


# -- look-alikes: accepted ---------------------------------------------------------------------

ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    # keywords as property *names* are data, not keywords
    ("property-named-like-keywords", with_schema(obj(default=STR, allOf=STR, oneOf=STR, not_=STR))),
    ("description-mentions-ref", with_schema({**obj(a=STR), "description": "see $ref and allOf"})),
    ("enum-values-like-keywords", with_schema(obj(a={"type": "string", "enum": ["allOf", "default"]}))),
    ("nullable-union", with_schema(obj(a={"anyOf": [STR, {"type": "null"}], "description": "optional"}))),
    ("type-list-with-null", with_schema(obj(a={"type": ["string", "null"]}))),
    ("bare-ref-to-defs", with_schema({**obj(h={"$ref": "#/$defs/H"}), "$defs": {"H": obj(x=STR)}})),
    (
        "root-recursion",
        with_schema(obj(name=STR, children={"type": "array", "items": {"$ref": "#"}})),
    ),
    (
        "supported-constraints",
        with_schema(
            obj(
                when={"type": "string", "format": "date-time", "pattern": "^2"},
                n={"type": "integer", "minimum": 0, "maximum": 9, "multipleOf": 1},
                xs={"type": "array", "items": STR, "minItems": 1, "maxItems": 3},
                c={"type": "string", "const": "x"},
            )
        ),
    ),
    (
        "title-and-description",
        with_schema({**obj(a={**STR, "title": "A"}), "title": "T", "description": "d"}),
    ),
    ("name-64-chars", schema_body(obj(a=STR), name="n" * 64)),
    (
        "non-strict-schema-is-a-hint",
        mutate(
            lambda b: b["response_format"]["json_schema"].update(
                strict=False, schema={"type": "object", "oneOf": []}
            )
        ),
    ),
    (
        "json-object-with-JSON-in-a-part",
        mutate(
            lambda b: (
                b.update(response_format={"type": "json_object"}),
                b["messages"].append(
                    {"role": "user", "content": [{"type": "text", "text": "Answer in JSON."}]}
                ),
            )
        ),
    ),
    ("temperature-bounds", mutate(lambda b: b.update(temperature=2, top_p=1))),
    ("one-token", mutate(lambda b: b.update(max_completion_tokens=1))),
    ("stream-with-options", mutate(lambda b: b.update(stream=True, stream_options={"include_usage": True}))),
    (
        "assistant-tool-call-without-content",
        mutate(
            lambda b: b["messages"].extend(
                [
                    {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                        ],
                    },
                    {"role": "tool", "tool_call_id": "c1", "content": "ok"},
                ]
            )
        ),
    ),
    (
        "strict-tool",
        mutate(
            lambda b: b.update(
                tools=[
                    {
                        "type": "function",
                        "function": {"name": "run_tests-2", "strict": True, "parameters": obj(cmd=STR)},
                    }
                ],
                tool_choice={"type": "function", "function": {"name": "run_tests-2"}},
                parallel_tool_calls=False,
            )
        ),
    ),
]


@pytest.mark.parametrize(("case", "body"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_look_alike_is_accepted(case: str, body: dict[str, Any]) -> None:
    assert first_violation(body) is None


def test_first_violation_wins_and_the_input_is_not_changed() -> None:
    body = with_schema({"type": "object", "properties": {"a": {"type": "string", "allOf": []}}})
    before = copy.deepcopy(body)
    refusal = check_chat_request(body)
    assert refusal is not None
    # the root's missing additionalProperties is reported before anything nested
    assert "In context=(), 'additionalProperties'" in refusal["error"]["message"]
    assert body == before


def _arrays(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "array":
            found.append(node)
        for key, value in node.items():
            if key not in ("enum", "const"):
                found += _arrays(value)
    elif isinstance(node, list):
        for item in node:
            found += _arrays(item)
    return found


@pytest.mark.parametrize("model", SENT_SCHEMAS, ids=lambda m: m.__name__)
def test_every_array_is_bounded_so_a_grammar_cannot_loop(model: type[BaseModel]) -> None:
    # A weak model under a llama.cpp grammar repeats list items until the token cap when an array
    # is unbounded; maxItems is one of the array keywords OpenAI's strict mode supports.
    arrays = _arrays(strict_schema(model))
    assert arrays and all(isinstance(a.get("maxItems"), int) and a["maxItems"] >= 1 for a in arrays)
    assert {a["maxItems"] for a in _arrays(strict_schema(CriticReport))} == {6}  # six verdicts
    assert {a["maxItems"] for a in _arrays(strict_schema(ModelDecisions))} == {3}  # cited lines per choice
