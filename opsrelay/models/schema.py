"""Structured-output schemas in the shape OpenAI's strict mode accepts, made by the openai library.

opsrelay used to make pydantic schemas strict with its own visitor, which kept pydantic's
``{"$ref": "#/$defs/Hosting", "description": "…"}`` (a field description beside a nested model's
reference). OpenAI refuses that with ``400 Invalid schema for response_format 'Decisions':
context=('properties', 'hosting'), $ref cannot have keywords {'description'}`` (issue 8).

The conversion is now the openai library's own, the one ``client.chat.completions.parse()`` and
``ChatOpenAI.with_structured_output(Model, strict=True)`` use (langchain-openai hands pydantic
classes to the SDK, which calls ``openai.lib._pydantic.to_strict_json_schema``). We reach it
through the SDK's public ``openai.pydantic_function_tool``. That conversion closes every object
(``additionalProperties: false``), lists every property in ``required``, inlines a ``$ref`` that
has sibling keywords, and drops ``default: null``. Two steps are added here, each for a reason
the library does not cover:

* every remaining ``default`` is dropped: the library keeps non-null defaults, which Azure OpenAI
  refuses (``'default' is not permitted``, openai/openai-agents-python#4390) and OpenAI refused in
  2024 (567-labs/instructor#1074); with every property required a default can never apply;
* ``$defs`` entries that nothing references any more after the inlining are removed, so the
  request does not carry each nested model twice;
* every array without a ``maxItems`` gets :data:`MAX_ARRAY_ITEMS`: servers that enforce the schema
  with a grammar (llama.cpp, Ollama, vLLM) let a weak model repeat list items until the token cap
  (seen with Gemma 3 270M under llama.cpp: ``"fixes": ["judgement", "judgement", …`` for 400
  tokens, then ``finish_reason=length``). ``maxItems`` is among the array keywords OpenAI's strict
  mode supports; a model that means to say more items than that is told to be brief anyway.
"""

from __future__ import annotations

import copy
import re
from typing import Any, cast

import openai
from pydantic import BaseModel

__all__ = [
    "GRAMMAR_MAX_STRING",
    "MAX_ARRAY_ITEMS",
    "SCHEMA_NAME_PATTERN",
    "bounded_for_grammar",
    "schema_name",
    "strict_schema",
]

GRAMMAR_MAX_STRING = 300
"""``maxLength`` given to strings when the server enforces the schema with a grammar."""

MAX_ARRAY_ITEMS = 24
"""Upper bound given to every array of a structured-output schema that sets none itself."""

_DATA_KEYWORDS = frozenset({"enum", "const", "examples"})
_CONSTRAINED_STRING = frozenset({"enum", "format", "pattern"})  # already bounded: no maxLength

SCHEMA_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
"""What OpenAI accepts as ``response_format.json_schema.name`` (and as a function name)."""


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """Return ``model``'s JSON schema as OpenAI strict structured output accepts it.

    Args:
        model: the pydantic model the answer must validate against.

    Returns:
        A fresh, JSON-serialisable schema dict (safe to mutate).

    """
    tool = openai.pydantic_function_tool(model)
    converted = cast(dict[str, Any], tool["function"].get("parameters") or {})
    # The library inlines a $ref by copying the referenced dict shallowly, so the same nested
    # objects can appear at two places; a deep copy keeps later edits local.
    schema = copy.deepcopy(converted)
    _drop_defaults(schema)
    _prune_unreferenced_defs(schema)
    _bound(schema, "array", "maxItems", MAX_ARRAY_ITEMS)
    return schema


def bounded_for_grammar(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` whose strings carry ``maxLength`` :data:`GRAMMAR_MAX_STRING`.

    Only for self-hosted servers that turn the schema into a grammar (llama.cpp, Ollama, vLLM),
    whose schema support includes ``maxLength``: there a weak model can fill one string with a
    repeated sentence until the token cap (seen with Gemma 3 270M under llama.cpp), and the bound
    ends it. OpenAI's strict mode does not document ``maxLength``, so OpenAI never gets it.
    """
    bounded = copy.deepcopy(schema)
    _bound(bounded, "string", "maxLength", GRAMMAR_MAX_STRING, unless=_CONSTRAINED_STRING)
    return bounded


def schema_name(model: type[BaseModel]) -> str:
    """The model's class name made valid for OpenAI: ``^[a-zA-Z0-9_-]{1,64}$``.

    Characters outside the allowed set become ``_`` and the name is cut to 64 characters, so
    that a generic or nested class name (``Page[Item]``) still gives a name OpenAI accepts.
    """
    name = re.sub(r"[^a-zA-Z0-9_-]", "_", model.__name__)[:64]
    return name or "response"


def _drop_defaults(node: Any) -> None:
    """Remove every ``default`` keyword (not a property that happens to be named "default")."""
    if isinstance(node, dict):
        node.pop("default", None)
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for prop in value.values():
                    _drop_defaults(prop)
            elif key in ("$defs", "definitions") and isinstance(value, dict):
                for sub in value.values():
                    _drop_defaults(sub)
            elif key not in _DATA_KEYWORDS:  # enum/const/examples hold values, not schemas
                _drop_defaults(value)
    elif isinstance(node, list):
        for item in node:
            _drop_defaults(item)


def _bound(node: Any, kind: str, keyword: str, limit: int, *, unless: frozenset[str] = frozenset()) -> None:
    """Give every schema of type ``kind`` (alone or in a type list) ``keyword: limit`` unless it has one.

    Schemas that carry one of the ``unless`` keywords are left as they are; values under
    enum/const/examples are data, not schemas, and are not visited.
    """
    if isinstance(node, dict):
        found = node.get("type")
        if (found == kind or (isinstance(found, list) and kind in found)) and not unless & node.keys():
            node.setdefault(keyword, limit)
        for key, value in node.items():
            if key not in _DATA_KEYWORDS:
                _bound(value, kind, keyword, limit, unless=unless)
    elif isinstance(node, list):
        for item in node:
            _bound(item, kind, keyword, limit, unless=unless)


def _prune_unreferenced_defs(schema: dict[str, Any]) -> None:
    """Delete ``$defs`` entries that no ``$ref`` reachable from the root points at."""
    defs = schema.get("$defs")
    if not isinstance(defs, dict):
        return
    reachable: set[str] = set()
    pending = _refs_in({k: v for k, v in schema.items() if k != "$defs"})
    while pending:
        name = pending.pop()
        if name in reachable or name not in defs:
            continue
        reachable.add(name)
        pending |= _refs_in(defs[name])
    for name in [n for n in defs if n not in reachable]:
        del defs[name]
    if not defs:
        del schema["$defs"]


def _refs_in(node: Any) -> set[str]:
    """Names of the ``#/$defs/<name>`` references anywhere inside ``node``."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            found.add(ref.removeprefix("#/$defs/").split("/", 1)[0])
        for value in node.values():
            found |= _refs_in(value)
    elif isinstance(node, list):
        for item in node:
            found |= _refs_in(item)
    return found
