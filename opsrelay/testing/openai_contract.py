"""OpenAI's documented request contract for chat completions, as a pure check.

:func:`check_chat_request` takes a ``POST /v1/chat/completions`` body and returns the first rule
it breaks as the 400 error body OpenAI sends (``{"error": {"message", "type", "param", "code"}}``),
or ``None`` when OpenAI would accept it. :class:`~opsrelay.testing.fake_openai.FakeOpenAI`
applies it to every request by default, so that no test passes on a request OpenAI refuses.

Sources, quoted beside each rule below:

* [SO] the Structured Outputs guide, "Supported schemas"
  (https://platform.openai.com/docs/guides/structured-outputs#supported-schemas);
* [API] the chat-completions API reference
  (https://platform.openai.com/docs/api-reference/chat/create);
* [ERR] error bodies OpenAI returned to other projects, quoted verbatim in their issues, tests
  and commit messages (each cited where used). Messages marked *(our wording)* enforce a
  documented rule whose exact error text we have not seen; they keep OpenAI's shape.

Where OpenAI's documentation and its behaviour differ, the stricter reading is enforced and the
comment says why: a false refusal in a test is visible and cheap, a request that passes here and
fails against the real service is the bug this module exists to prevent.

Only strict schemas (``strict: true``) are checked against the strict subset: without ``strict``
OpenAI accepts any JSON schema and treats it as a hint.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_ENUM_VALUES",
    "MAX_NESTING_DEPTH",
    "MAX_PROPERTIES",
    "MAX_SCHEMA_STRING_LENGTH",
    "NAME_PATTERN",
    "SUPPORTED_STRING_FORMATS",
    "UNSUPPORTED_KEYWORDS",
    "Violation",
    "check_chat_request",
    "first_violation",
    "strict_schema_violation",
]

# [API] response_format.json_schema.name and tools[].function.name: "Must be a-z, A-Z, 0-9, or
# contain underscores and dashes, with a maximum length of 64."
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]+$")
NAME_MAX_LENGTH = 64

# [SO] "A schema may have up to 5000 object properties total, with up to 10 levels of nesting."
MAX_PROPERTIES = 5000
MAX_NESTING_DEPTH = 10
# [SO] "total string length of all property names, definition names, enum values, and const
# values cannot exceed 120,000 characters."
MAX_SCHEMA_STRING_LENGTH = 120_000
# [SO] "A schema may have up to 1000 enum values across all enum properties." and "For a single
# enum property with string values, the total string length of all enum values cannot exceed
# 15,000 characters when there are more than 250 enum values."
MAX_ENUM_VALUES = 1000
LARGE_ENUM_COUNT = 250
LARGE_ENUM_MAX_CHARS = 15_000

# [SO] "Some type-specific keywords are not yet supported — Composition: allOf, not,
# dependentRequired, dependentSchemas, if, then, else". The rest are refused in practice though
# the guide's list does not name them:
# - oneOf: "Invalid schema for response_format 'rebel_plan': In context=(), 'oneOf' is not
#   permitted." (and the same under ('properties', …, 'items')) — several projects' error logs;
# - default: "In context=('properties', 'error'), 'default' is not permitted."
#   (567-labs/instructor#1074, gpt-4o-2024-08-06); Azure OpenAI still refuses it
#   (openai/openai-agents-python#4390); the guide does not list it as supported;
# - patternProperties, unevaluatedProperties, propertyNames, minProperties, maxProperties:
#   the guide lists patternProperties among keywords fine-tuned models lack and none of them
#   among supported ones; an object must be closed (additionalProperties: false) anyway;
# - contains / minContains / maxContains / prefixItems / unevaluatedItems / uniqueItems:
#   not among the supported array keywords ("minItems", "maxItems");
# - dependencies, $dynamicRef, $dynamicAnchor: draft-2019 composition the subset has no
#   equivalent for.
UNSUPPORTED_KEYWORDS = (
    "allOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "dependencies",
    "patternProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "contains",
    "minContains",
    "maxContains",
    "prefixItems",
    "uniqueItems",
    "default",
    "$dynamicRef",
    "$dynamicAnchor",
)

# [SO] "format — Predefined formats for strings. Currently supported: date-time, time, date,
# duration, email, hostname, ipv4, ipv6, uuid"
SUPPORTED_STRING_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)
# [SO] "Supported types: String, Number, Boolean, Integer, Object, Array, Enum, anyOf" (+ null
# for the documented "union type with null" that emulates optional fields).
SUPPORTED_TYPES = frozenset({"string", "number", "boolean", "integer", "object", "array", "null"})

# [API] message roles; the order is the one OpenAI's error lists them in:
# "Invalid value: 'tooool'. Supported values are: 'system', 'assistant', 'user', 'function',
# 'tool', and 'developer'." (param "messages[2].role", code "invalid_value").
ROLES = ("system", "assistant", "user", "function", "tool", "developer")
# [API] content part types per role.
_PART_TYPES: dict[str, tuple[str, ...]] = {
    "user": ("text", "image_url", "input_audio", "file"),
    "system": ("text",),
    "developer": ("text",),
    "assistant": ("text", "refusal"),
    "tool": ("text",),
}
RESPONSE_FORMAT_TYPES = ("json_object", "json_schema", "text")


@dataclass(frozen=True)
class Violation:
    """One broken rule, as OpenAI reports it."""

    message: str
    param: str | None = None
    code: str | None = None
    type: str = "invalid_request_error"

    def body(self) -> dict[str, Any]:
        """OpenAI's 400 error body for this violation."""
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def check_chat_request(body: Any) -> dict[str, Any] | None:
    """Return OpenAI's 400 error body for the first rule ``body`` breaks, or ``None``.

    Args:
        body: the parsed JSON of a ``POST /v1/chat/completions`` request.

    Returns:
        ``{"error": {"message": ..., "type": "invalid_request_error", "param": ..., "code": ...}}``
        or ``None`` when the request follows the contract.

    """
    violation = first_violation(body)
    return violation.body() if violation is not None else None


def first_violation(body: Any) -> Violation | None:
    """The first :class:`Violation` in ``body`` (rules in the order OpenAI appears to apply them)."""
    return next(_request_violations(body), None)


def strict_schema_violation(schema: Any, *, name: str, function: bool = False) -> str | None:
    """The first strict-mode rule ``schema`` breaks, as OpenAI's message, or ``None``.

    Args:
        schema: the JSON schema sent with ``strict: true``.
        name: the schema's (or function's) name, quoted in the message.
        function: True for a tool's ``parameters`` ("Invalid schema for function 'x'"),
            False for ``response_format`` ("Invalid schema for response_format 'x'").

    """
    reason = next(_StrictSchemaCheck(schema).violations(), None)
    if reason is None:
        return None
    where = "function" if function else "response_format"
    return f"Invalid schema for {where} '{name}': {reason}"


# -- request shape -----------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    """How OpenAI names a JSON value's type in "expected …, but got X instead"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _invalid_type(param: str, expected: str, value: Any) -> Violation:
    # [ERR] "Invalid type for 'max_output_tokens': expected an integer, but got a string
    # instead." (code "invalid_type")
    return Violation(
        f"Invalid type for '{param}': expected {expected}, but got {_type_name(value)} instead.",
        param,
        "invalid_type",
    )


def _missing(param: str) -> Violation:
    # [ERR] "Missing required parameter: 'tools[0].function'." (code "missing_required_parameter")
    return Violation(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")


def _invalid_value(param: str, value: Any, supported: Sequence[str]) -> Violation:
    quoted = [f"'{s}'" for s in supported]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f", and {quoted[-1]}"
    if len(quoted) == 2:
        listed = f"{quoted[0]} and {quoted[1]}"
    return Violation(f"Invalid value: '{value}'. Supported values are: {listed}.", param, "invalid_value")


def _check_name(param: str, value: Any) -> Violation | None:
    if not isinstance(value, str):
        return _invalid_type(param, "a string", value)
    # [ERR] "Invalid 'tools[0].function.name': string does not match pattern. Expected a string
    # that matches the pattern '^[a-zA-Z0-9_-]+$'." (code "invalid_value")
    if not NAME_PATTERN.match(value):
        return Violation(
            f"Invalid '{param}': string does not match pattern. Expected a string that matches "
            f"the pattern '{NAME_PATTERN.pattern}'.",
            param,
            "invalid_value",
        )
    # [API] "with a maximum length of 64"; message in OpenAI's validator style (our wording,
    # after "Invalid 'x': integer below minimum value. Expected a value >= 16, but got 8 instead.")
    if len(value) > NAME_MAX_LENGTH:
        return Violation(
            f"Invalid '{param}': string too long. Expected a string with maximum length "
            f"{NAME_MAX_LENGTH}, but got a string with length {len(value)} instead.",
            param,
            "string_above_max_length",
        )
    return None


def _tagged_item(where: str, item: Any, key: str, allowed: Sequence[str]) -> Violation | None:
    """An array item that must be an object whose ``key`` (role, type) is one of ``allowed``.

    OpenAI reports, in this order: not an object (invalid_type), ``key`` absent
    (missing_required_parameter), ``key`` not allowed (invalid_value).
    """
    if not isinstance(item, Mapping):
        return _invalid_type(where, "an object", item)
    if item.get(key) is None:
        return _missing(f"{where}.{key}")
    if item[key] not in allowed:
        return _invalid_value(f"{where}.{key}", item[key], allowed)
    return None


def _check_int(param: str, value: Any, minimum: int) -> Violation | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return _invalid_type(param, "an integer", value)
    # [ERR] "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0
    # instead." (code "integer_below_min_value")
    if value < minimum:
        return Violation(
            f"Invalid '{param}': integer below minimum value. Expected a value >= {minimum}, "
            f"but got {value} instead.",
            param,
            "integer_below_min_value",
        )
    return None


def _fmt_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _check_decimal(param: str, value: Any, low: float, high: float) -> Violation | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return _invalid_type(param, "a decimal", value)
    # [ERR] "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got
    # 2.1 instead." (code "decimal_above_max_value"); "… decimal below minimum value. Expected a
    # value >= 0, but got -2.5 instead."
    if value > high:
        return Violation(
            f"Invalid '{param}': decimal above maximum value. Expected a value <= {_fmt_number(high)}, "
            f"but got {_fmt_number(value)} instead.",
            param,
            "decimal_above_max_value",
        )
    if value < low:
        return Violation(
            f"Invalid '{param}': decimal below minimum value. Expected a value >= {_fmt_number(low)}, "
            f"but got {_fmt_number(value)} instead.",
            param,
            "decimal_below_min_value",
        )
    return None


def _request_violations(body: Any) -> Iterator[Violation]:
    if not isinstance(body, Mapping):
        yield Violation("We could not parse the JSON body of your request.")
        return
    # [ERR] "you must provide a model parameter" (param and code null).
    if not body.get("model"):
        yield Violation("you must provide a model parameter")
        return
    yield from _message_violations(body.get("messages"), "messages" in body)
    yield from _token_violations(body)
    # [API] temperature: "between 0 and 2"; top_p: nucleus mass, 0..1.
    for param, low, high in (("temperature", 0.0, 2.0), ("top_p", 0.0, 1.0)):
        bad = _check_decimal(param, body.get(param), low, high)
        if bad:
            yield bad
    # [API] stream_options: "Only set this when you set stream: true."
    # [ERR] "The 'stream_options' parameter is only allowed when 'stream' is enabled." (quoted
    # from OpenAI and Azure by several gateways that now drop the field)
    if body.get("stream_options") is not None and not body.get("stream"):
        yield Violation(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options"
        )
    yield from _response_format_violations(body)
    yield from _tool_violations(body.get("tools"))
    yield from _tool_choice_violations(body)


def _message_violations(messages: Any, present: bool) -> Iterator[Violation]:
    if not present:
        yield _missing("messages")
        return
    if not isinstance(messages, list):
        yield _invalid_type("messages", "an array of objects", messages)
        return
    # [ERR] "Invalid 'messages': empty array. Expected an array with minimum length 1, but got
    # an empty array instead." (code "empty_array")
    if not messages:
        yield Violation(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an "
            "empty array instead.",
            "messages",
            "empty_array",
        )
        return
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        bad = _tagged_item(where, msg, "role", ROLES)
        if bad:
            yield bad
            return
        role = msg["role"]
        # [ERR] "Invalid 'messages[1].name': string does not match pattern. Expected a string
        # that matches the pattern '^[a-zA-Z0-9_-]+$'."
        if msg.get("name") is not None:
            bad = _check_name(f"{where}.name", msg["name"])
            if bad:
                yield bad
                return
        yield from _content_violations(msg, role, where)
        # [API] a tool message answers a tool call: "tool_call_id — required".
        if role == "tool" and not msg.get("tool_call_id"):
            yield _missing(f"{where}.tool_call_id")


def _content_violations(msg: Mapping[str, Any], role: str, where: str) -> Iterator[Violation]:
    content = msg.get("content")
    if content is None:
        # [API] assistant content is "Required unless tool_calls or function_call is specified";
        # it is required for the other roles.
        if role == "assistant" and (msg.get("tool_calls") or msg.get("function_call") or msg.get("refusal")):
            return
        yield _missing(f"{where}.content")
        return
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        yield _invalid_type(f"{where}.content", "one of a string or array of objects", content)
        return
    allowed = _PART_TYPES.get(role, ("text",))
    for j, part in enumerate(content):
        pwhere = f"{where}.content[{j}]"
        bad = _tagged_item(pwhere, part, "type", allowed)
        if bad:
            yield bad
            return
        kind = part["type"]
        if kind == "text" and "text" not in part:
            yield _missing(f"{pwhere}.text")
            return
        if kind == "text" and not isinstance(part["text"], str):
            yield _invalid_type(f"{pwhere}.text", "a string", part["text"])
            return


def _token_violations(body: Mapping[str, Any]) -> Iterator[Violation]:
    # [API] max_tokens is "deprecated in favor of max_completion_tokens"; sending both is
    # refused (our wording: one limit per request, as OpenAI-compatible gateways also enforce).
    if body.get("max_tokens") is not None and body.get("max_completion_tokens") is not None:
        yield Violation(
            "max_tokens and max_completion_tokens cannot both be set; use max_completion_tokens.",
            "max_tokens",
            "invalid_value",
        )
        return
    for param in ("max_tokens", "max_completion_tokens"):
        bad = _check_int(param, body.get(param), 1)
        if bad:
            yield bad


def _mentions_json(messages: Any) -> bool:
    for msg in messages if isinstance(messages, list) else []:
        content = msg.get("content") if isinstance(msg, Mapping) else None
        if isinstance(content, str) and "json" in content.lower():
            return True
        if isinstance(content, list):
            for part in content:
                text = part.get("text") if isinstance(part, Mapping) else None
                if isinstance(text, str) and "json" in text.lower():
                    return True
    return False


def _response_format_violations(body: Mapping[str, Any]) -> Iterator[Violation]:
    fmt = body.get("response_format")
    if fmt is None:
        return
    if not isinstance(fmt, Mapping):
        yield _invalid_type("response_format", "an object", fmt)
        return
    kind = fmt.get("type")
    if kind is None:
        yield _missing("response_format.type")
        return
    # [ERR] "Invalid value: 'bogus'. Supported values are: 'json_object', 'json_schema', and
    # 'text'." (param "response_format.type")
    if kind not in RESPONSE_FORMAT_TYPES:
        yield _invalid_value("response_format.type", kind, RESPONSE_FORMAT_TYPES)
        return
    if kind == "json_object":
        # [ERR] "'messages' must contain the word 'json' in some form, to use 'response_format'
        # of type 'json_object'." (param "messages"); the guide: "you must instruct the model to
        # produce JSON … the API will throw an error if the string "JSON" does not appear".
        if not _mentions_json(body.get("messages")):
            yield Violation(
                "'messages' must contain the word 'json' in some form, to use 'response_format' of "
                "type 'json_object'.",
                "messages",
            )
        return
    if kind != "json_schema":
        return
    spec = fmt.get("json_schema")
    if spec is None:
        yield _missing("response_format.json_schema")
        return
    if not isinstance(spec, Mapping):
        yield _invalid_type("response_format.json_schema", "an object", spec)
        return
    if "name" not in spec:
        yield _missing("response_format.json_schema.name")
        return
    bad = _check_name("response_format.json_schema.name", spec["name"])
    if bad:
        yield bad
        return
    schema = spec.get("schema")
    if schema is not None and not isinstance(schema, Mapping):
        yield _invalid_type("response_format.json_schema.schema", "an object", schema)
        return
    if spec.get("strict") is True and schema is not None:
        message = strict_schema_violation(schema, name=str(spec["name"]))
        if message:
            # [ERR] {'message': "Invalid schema for response_format 'calorie_analysis': In
            # context=(), 'additionalProperties' is required to be supplied and to be false.",
            # 'type': 'invalid_request_error', 'param': 'response_format', 'code': None}
            yield Violation(message, "response_format", None)


def _tool_violations(tools: Any) -> Iterator[Violation]:
    if tools is None:
        return
    if not isinstance(tools, list):
        yield _invalid_type("tools", "an array of objects", tools)
        return
    for i, tool in enumerate(tools):
        where = f"tools[{i}]"
        bad = _tagged_item(where, tool, "type", ("function", "custom"))
        if bad:
            yield bad
            return
        if tool["type"] == "custom":
            continue
        function = tool.get("function")
        if function is None:
            yield _missing(f"{where}.function")
            return
        if not isinstance(function, Mapping):
            yield _invalid_type(f"{where}.function", "an object", function)
            return
        if "name" not in function:
            yield _missing(f"{where}.function.name")
            return
        bad = _check_name(f"{where}.function.name", function["name"])
        if bad:
            yield bad
            return
        params = function.get("parameters")
        if params is not None and not isinstance(params, Mapping):
            yield _invalid_type(f"{where}.function.parameters", "an object", params)
            return
        if function.get("strict") is True and params is not None:
            message = strict_schema_violation(params, name=str(function["name"]), function=True)
            if message:
                # [ERR] {"message": "Invalid schema for function 'MaybeAvailabilityRequest': In
                # context=('properties', 'error'), 'default' is not permitted.", "type":
                # "invalid_request_error", "param": "tools[0].function.parameters", "code":
                # "invalid_function_parameters"} (567-labs/instructor#1074)
                yield Violation(message, f"{where}.function.parameters", "invalid_function_parameters")
                return


def _tool_choice_violations(body: Mapping[str, Any]) -> Iterator[Violation]:
    tools = body.get("tools")
    has_tools = isinstance(tools, list) and bool(tools)
    # [ERR] "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are
    # specified." and "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only
    # allowed when 'tools' are specified."
    for param in ("tool_choice", "parallel_tool_calls"):
        if body.get(param) is not None and not has_tools:
            yield Violation(
                f"Invalid value for '{param}': '{param}' is only allowed when 'tools' are specified.", param
            )
            return
    choice = body.get("tool_choice")
    if isinstance(choice, str) and choice not in ("none", "auto", "required"):
        yield _invalid_value("tool_choice", choice, ("none", "auto", "required"))
        return
    if isinstance(choice, Mapping) and choice.get("type") == "function":
        name = (
            (choice.get("function") or {}).get("name")
            if isinstance(choice.get("function"), Mapping)
            else None
        )
        declared = {
            (t.get("function") or {}).get("name")
            for t in (tools if isinstance(tools, list) else [])
            if isinstance(t, Mapping) and isinstance(t.get("function"), Mapping)
        }
        # [ERR] "Tool choice 'image_generation' not found in 'tools' parameter." (param "tool_choice")
        if name not in declared:
            yield Violation(f"Tool choice '{name}' not found in 'tools' parameter.", "tool_choice")


# -- strict schemas ----------------------------------------------------------------------------


def _context(path: tuple[str, ...]) -> str:
    """OpenAI names a place in the schema as a Python tuple of strings: ``('properties', 'x')``."""
    return repr(path)


class _StrictSchemaCheck:
    """Walks a strict schema and yields OpenAI's message for each rule it breaks, in order."""

    def __init__(self, schema: Any) -> None:
        self.root = schema
        self.properties = 0
        self.strings = 0
        self.enum_values = 0

    def violations(self) -> Iterator[str]:
        root = self.root
        if not isinstance(root, Mapping):
            yield "schema must be a JSON Schema object."
            return
        # [SO] "Root objects must not be anyOf and must be an object."
        # [ERR] "schema must have type 'object' and not have 'oneOf'/'anyOf'/'allOf'/'enum'/'not'
        # at the top level. Found 'oneOf'." and, for a root without a type, "schema must have a
        # 'type' key".
        if "anyOf" in root or "enum" in root:
            found = "anyOf" if "anyOf" in root else "enum"
            yield (
                "schema must have type 'object' and not have 'oneOf'/'anyOf'/'allOf'/'enum'/'not' at "
                f"the top level. Found '{found}'."
            )
            return
        if "type" not in root:
            yield "schema must have a 'type' key."
            return
        # [ERR] "Invalid schema for response_format 'AdSegmentPredictionList': schema must be a
        # JSON Schema of 'type: \"object\"', got 'type: \"array\"'."
        if root.get("type") != "object":
            yield f"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{root.get('type')}\"'."
            return
        yield from self._node(root, ())
        defs = root.get("$defs")
        if isinstance(defs, Mapping):
            for name, sub in defs.items():
                self.strings += len(str(name))
                yield from self._node(sub, ("$defs", str(name)))
        definitions = root.get("definitions")
        if isinstance(definitions, Mapping):
            for name, sub in definitions.items():
                self.strings += len(str(name))
                yield from self._node(sub, ("definitions", str(name)))
        yield from self._totals()
        yield from self._depth()

    # Depth is measured by following $refs (recursion stops at a definition already on the path),
    # so a flat schema that points at deeply nested definitions is measured as OpenAI expands it.
    def _depth(self) -> Iterator[str]:
        deepest, path = self._deepest(self.root, (), 1, frozenset())
        if deepest > MAX_NESTING_DEPTH:
            # [SO] "with up to 10 levels of nesting"; the root object is level 1 and every object
            # nested inside another (through properties, items or anyOf) adds one. The guide does
            # not say whether the root counts; counting it is the stricter reading. (our wording)
            yield (
                f"In context={_context(path)}, the schema exceeds the maximum nesting depth of "
                f"{MAX_NESTING_DEPTH} levels (found {deepest})."
            )

    def _deepest(
        self, node: Any, path: tuple[str, ...], depth: int, seen: frozenset[str]
    ) -> tuple[int, tuple[str, ...]]:
        if not isinstance(node, Mapping):
            return depth - 1, path
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in seen:
                return depth - 1, path
            target = self._resolve(ref)
            if target is None:
                return depth - 1, path
            return self._deepest(target, path, depth, seen | {ref})
        best: tuple[int, tuple[str, ...]] = (depth if node.get("type") == "object" else depth - 1, path)
        props = node.get("properties")
        if isinstance(props, Mapping):
            for key, sub in props.items():
                best = max(best, self._deepest(sub, (*path, "properties", str(key)), depth + 1, seen))
        items = node.get("items")
        if isinstance(items, Mapping):
            # An array does not add a level by itself; its item object does (through `depth`).
            inner = depth if node.get("type") != "object" else depth + 1
            best = max(best, self._deepest(items, (*path, "items"), inner, seen))
        any_of = node.get("anyOf")
        if isinstance(any_of, list):
            for i, sub in enumerate(any_of):
                best = max(best, self._deepest(sub, (*path, "anyOf", str(i)), depth, seen))
        return best

    def _resolve(self, ref: str) -> Any:
        """The schema a local ``$ref`` points at, or None when it does not resolve."""
        if ref == "#":
            return self.root
        if not ref.startswith("#/"):
            return None
        node: Any = self.root
        for raw in ref[2:].split("/"):
            key = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                return None
        return node

    def _node(self, node: Any, path: tuple[str, ...]) -> Iterator[str]:
        where = f"In context={_context(path)}, "
        if not isinstance(node, Mapping):
            yield f"{where}schema must be a JSON Schema object."
            return
        ref = node.get("$ref")
        if ref is not None:
            # [ERR] "Invalid schema for response_format 'RouterOutput': context=('properties',
            # 'fields'), $ref cannot have keywords {'description'}." (no "In" in this one)
            siblings = sorted(k for k in node if k != "$ref")
            if siblings:
                listed = ", ".join(repr(k) for k in siblings)
                yield f"context={_context(path)}, $ref cannot have keywords {{{listed}}}."
                return
            # [SO] "Definitions are supported" / "Recursive schemas are supported" via "#" or
            # "#/$defs/…"; a reference that does not resolve cannot be compiled. (our wording)
            if not isinstance(ref, str) or self._resolve(ref) is None:
                yield f"{where}reference '{ref}' could not be resolved."
            return
        # [SO] unsupported keywords, see UNSUPPORTED_KEYWORDS.
        # [ERR] "In context=('properties', 'findings', 'items'), 'allOf' is not permitted."
        for keyword in UNSUPPORTED_KEYWORDS:
            if keyword in node:
                yield f"{where}'{keyword}' is not permitted."
                return
        types = node.get("type")
        type_list = types if isinstance(types, list) else [types] if types is not None else []
        for t in type_list:
            if t not in SUPPORTED_TYPES:
                yield f"{where}type '{t}' is not supported."  # (our wording)
                return
        if types is None and not any(k in node for k in ("anyOf", "enum", "const")):
            # [SO] lists the supported types and nothing typeless; a schema "{}" (pydantic's Any)
            # is refused by the strict compiler ("schema must have a 'type' key", quoted for the
            # root by several projects; reported for nested nodes too). The stricter reading.
            yield f"{where}schema must have a 'type' key."
            return
        is_object = "object" in type_list or "properties" in node
        if is_object:
            yield from self._object(node, path, where)
        if "array" in type_list:
            # [ERR] "In context=('properties', 'objects'), array schema missing items."
            # (code "invalid_function_parameters")
            items = node.get("items")
            if items is None:
                yield f"{where}array schema missing items."
                return
            yield from self._node(items, (*path, "items"))
        fmt = node.get("format")
        if fmt is not None and fmt not in SUPPORTED_STRING_FORMATS:
            # [SO] the supported formats (SUPPORTED_STRING_FORMATS). (our wording)
            yield f"{where}format '{fmt}' is not supported."
            return
        enum = node.get("enum")
        if enum is not None:
            yield from self._enum(enum, where)
        if "const" in node:
            self.strings += len(str(node["const"]))
        any_of = node.get("anyOf")
        if any_of is not None:
            # [SO] "For anyOf, the nested schemas must each be a valid JSON Schema per this subset"
            if not isinstance(any_of, list) or not any_of:
                yield f"{where}'anyOf' must be a non-empty array."  # (our wording)
                return
            for i, sub in enumerate(any_of):
                yield from self._node(sub, (*path, "anyOf", str(i)))

    def _object(self, node: Mapping[str, Any], path: tuple[str, ...], where: str) -> Iterator[str]:
        # [SO] "additionalProperties: false must always be set in objects".
        # [ERR] "In context=(), 'additionalProperties' is required to be supplied and to be false."
        if node.get("additionalProperties") is not False:
            yield f"{where}'additionalProperties' is required to be supplied and to be false."
            return
        props = node.get("properties") or {}
        if not isinstance(props, Mapping):
            yield f"{where}'properties' must be an object."  # (our wording)
            return
        required = node.get("required")
        # [SO] "All fields must be required".
        # [ERR] "In context=(), 'required' is required to be supplied and to be an array
        # including every key in properties. Missing 'location'." and "… Extra required key
        # 'legal_status_per_match' supplied."
        message = (
            "'required' is required to be supplied and to be an array including every key in properties."
        )
        if props and not isinstance(required, list):
            yield f"{where}{message} Missing '{next(iter(props))}'."
            return
        required_list = required if isinstance(required, list) else []
        for key in props:
            if key not in required_list:
                yield f"{where}{message} Missing '{key}'."
                return
        for key in required_list:
            if key not in props:
                yield f"{where}{message} Extra required key '{key}' supplied."
                return
        self.properties += len(props)
        for key, sub in props.items():
            self.strings += len(str(key))
            yield from self._node(sub, (*path, "properties", str(key)))

    def _enum(self, enum: Any, where: str) -> Iterator[str]:
        if not isinstance(enum, list) or not enum:
            yield f"{where}'enum' must be a non-empty array."  # (our wording)
            return
        self.enum_values += len(enum)
        chars = sum(len(v) for v in enum if isinstance(v, str))
        self.strings += sum(len(str(v)) for v in enum)
        # [SO] the per-enum limit for large string enums. (our wording)
        if len(enum) > LARGE_ENUM_COUNT and chars > LARGE_ENUM_MAX_CHARS:
            yield (
                f"{where}an enum with more than {LARGE_ENUM_COUNT} values may have at most "
                f"{LARGE_ENUM_MAX_CHARS} characters in total, found {chars}."
            )

    def _totals(self) -> Iterator[str]:
        # [SO] size limits over the whole schema. (our wording)
        if self.properties > MAX_PROPERTIES:
            yield (
                f"In context=(), the schema has {self.properties} object properties; at most "
                f"{MAX_PROPERTIES} are supported."
            )
        elif self.enum_values > MAX_ENUM_VALUES:
            yield (
                f"In context=(), the schema has {self.enum_values} enum values; at most "
                f"{MAX_ENUM_VALUES} are supported."
            )
        elif self.strings > MAX_SCHEMA_STRING_LENGTH:
            yield (
                f"In context=(), the total string length of property names, definition names, "
                f"enum values and const values is {self.strings}; at most "
                f"{MAX_SCHEMA_STRING_LENGTH} is supported."
            )
