r"""Record model exchanges to a cassette, and answer from it later: offline, keyless, exact.

Matching is by :func:`request_key`, a hash of what determines the answer (model, messages,
schema name, JSON schema, max tokens, temperature), never by order: parallel sections arrive in
any order. ``purpose`` is a label for people and for error messages, not part of the key.

The cassette is a JSON file meant to be read and reviewed in git::

    {
      "version": 1,
      "interactions": [
        {
          "key": "<sha256>",
          "purpose": "draft:cicd_pipeline",
          "request": {"model": "gpt-4.1-mini", "schema_name": null, "json_schema": null,
                      "max_tokens": 1500, "temperature": 0.0,
                      "messages": [{"role": "system", "content": ["line 1", "line 2", ""]}]},
          "response": {"content": "...", "finish_reason": "stop", "refusal": null,
                       "usage": {"input_tokens": 1850, "output_tokens": 400, "cached_input_tokens": 1536}}
        }
      ]
    }

A cassette recorded by a run that asked about the context also has a ``context`` object: the
window the live backend reported (``{"tokens": 16384, "source": "server", "detail": "..."}``),
the counting method, and every token count the run asked for, keyed by a hash of the (scrubbed)
messages counted. Replay returns exactly these, so a replayed run shrinks its prompts exactly as
the recorded one did; cassettes without it replay with the window of the known-model table (or
the default) and counts made offline.

Interactions are sorted by (purpose, key), indented by 2, so that re-recording after a prompt
change shows a small diff. **Multi-line text is stored as a list of lines** (``"\n".join`` gives
the exact string back, trailing newline included; single-line text stays a plain string): a
prompt of 300 lines stored as one JSON string is one 20 kB line, and any change to it shows in
``git diff`` as that whole line replaced; as a list, the diff shows the lines that changed.
Readers accept both forms.

Cassettes never contain credentials: requests carry no keys or URLs by construction, and
everything written (messages, responses, purposes) is passed through
:func:`~opsrelay.models.scrub.scrub_secrets` first. The key is computed on the scrubbed request
too, so a stored request always hashes to its stored key, and hand-edited requests still match.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from opsrelay.emit import atomic_write_text
from opsrelay.errors import InputError
from opsrelay.models.base import (
    ChatBackend,
    ChatMessage,
    ChatRequest,
    ChatResponse,
    Usage,
    layers,
    model_name_of,
)
from opsrelay.models.context import ContextWindow, resolve_window
from opsrelay.models.errors import CassetteMismatch
from opsrelay.models.scrub import scrub_secrets
from opsrelay.models.tokens import CountMethod, TokenCount, count_tokens

__all__ = [
    "CASSETTE_VERSION",
    "CassetteMismatch",
    "Interaction",
    "RecordedContext",
    "RecordingBackend",
    "ReplayBackend",
    "load_cassette",
    "messages_key",
    "request_key",
    "scrub_request",
    "token_count_of",
    "write_cassette",
]

CASSETTE_VERSION = 1
_log = structlog.get_logger("opsrelay.models")


# -- keys ------------------------------------------------------------------------------------


def scrub_request(request: ChatRequest) -> ChatRequest:
    """Return the request with credential-looking text removed from messages and purpose."""
    messages = tuple(ChatMessage(role=m.role, content=scrub_secrets(m.content)) for m in request.messages)
    return request.model_copy(update={"messages": messages, "purpose": scrub_secrets(request.purpose)})


def _key_fields(request: ChatRequest) -> dict[str, Any]:
    return {
        "model": request.model,
        "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        "schema_name": request.schema_name,
        "json_schema": request.json_schema,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def request_key(request: ChatRequest) -> str:
    """Hash a request for matching: sha256 hex of canonical JSON of the scrubbed request.

    The hashed fields are model, messages, schema name, JSON schema, max tokens and
    temperature; ``purpose`` is not part of it.
    """
    return hashlib.sha256(_canonical(_key_fields(scrub_request(request))).encode("utf-8")).hexdigest()


def messages_key(messages: Sequence[ChatMessage]) -> str:
    """Hash messages for recorded token counts: sha256 hex of canonical JSON of the scrubbed messages."""
    clean = [{"role": m.role, "content": scrub_secrets(m.content)} for m in messages]
    return hashlib.sha256(_canonical(clean).encode("utf-8")).hexdigest()


# -- file format -----------------------------------------------------------------------------


@dataclass
class RecordedContext:
    """What a recorded run learnt about the context: the window, the counting method, the counts."""

    window: ContextWindow | None = None
    count_method: CountMethod | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def is_empty(self) -> bool:
        """True when there is nothing to write."""
        return self.window is None and not self.counts

    def to_json(self) -> dict[str, Any]:
        """The cassette's ``context`` object (counts sorted by key for small diffs)."""
        return {
            "window": self.window.to_json() if self.window is not None else None,
            "count_method": self.count_method,
            "counts": {key: self.counts[key] for key in sorted(self.counts)},
        }

    @classmethod
    def from_json(cls, obj: Any) -> RecordedContext:
        """Parse a ``context`` object; malformed parts are dropped (it only refines replay)."""
        if not isinstance(obj, Mapping):
            return cls()
        method = obj.get("count_method")
        counts = obj.get("counts")
        return cls(
            window=ContextWindow.from_json(obj.get("window")),
            count_method=method if method in ("tiktoken", "server", "estimate") else None,
            counts={
                str(k): v
                for k, v in (counts.items() if isinstance(counts, Mapping) else ())
                if isinstance(v, int) and not isinstance(v, bool) and v >= 0
            },
        )


def _encode_text(text: str | None) -> str | list[str] | None:
    if text is None or "\n" not in text:
        return text
    return text.split("\n")


def _decode_text(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "\n".join(value)
    raise ValueError(f"{where}: expected a string or a list of strings")


@dataclass
class Interaction:
    """One recorded request with its answer."""

    key: str
    purpose: str
    request: ChatRequest
    response: ChatResponse

    def to_json(self) -> dict[str, Any]:
        """Return the cassette form (text as a string or a list of lines)."""
        req = self.request
        return {
            "key": self.key,
            "purpose": self.purpose,
            "request": {
                "model": req.model,
                "schema_name": req.schema_name,
                "json_schema": req.json_schema,
                "max_tokens": req.max_tokens,
                "temperature": req.temperature,
                "messages": [{"role": m.role, "content": _encode_text(m.content)} for m in req.messages],
            },
            "response": {
                "content": _encode_text(self.response.content),
                "finish_reason": self.response.finish_reason,
                "refusal": _encode_text(self.response.refusal),
                "usage": self.response.usage.model_dump(),
            },
        }

    @classmethod
    def from_json(cls, obj: Any, where: str) -> Interaction:
        """Parse one cassette entry; the key is recomputed from the stored request."""
        if not isinstance(obj, Mapping):
            raise ValueError(f"{where}: expected an object")
        req = obj.get("request")
        resp = obj.get("response")
        if not isinstance(req, Mapping) or not isinstance(resp, Mapping):
            raise ValueError(f"{where}: needs 'request' and 'response' objects")
        purpose = str(obj.get("purpose") or "")
        raw_messages = req.get("messages")
        if not isinstance(raw_messages, list):
            raise ValueError(f"{where}: request.messages must be a list")
        messages = tuple(
            ChatMessage(
                role=m.get("role"), content=_decode_text(m.get("content"), f"{where} message {i}") or ""
            )
            for i, m in enumerate(raw_messages)
            if isinstance(m, Mapping)
        )
        request = ChatRequest(
            model=req.get("model"),
            messages=messages,
            schema_name=req.get("schema_name"),
            json_schema=req.get("json_schema"),
            max_tokens=req.get("max_tokens"),
            temperature=req.get("temperature", 0.0),
            purpose=purpose,
        )
        response = ChatResponse(
            content=_decode_text(resp.get("content"), f"{where} response") or "",
            finish_reason=resp.get("finish_reason"),
            refusal=_decode_text(resp.get("refusal"), f"{where} refusal"),
            usage=Usage.model_validate(resp.get("usage") or {}),
        )
        key = request_key(request)
        stored = obj.get("key")
        if stored and stored != key:
            _log.debug("cassette.key_recomputed", where=where, stored=str(stored)[:12], key=key[:12])
        return cls(key=key, purpose=purpose, request=request, response=response)


def _load(path: str | os.PathLike[str]) -> tuple[list[Interaction], RecordedContext]:
    """Read a cassette: its interactions and its ``context`` (empty when it was recorded without one).

    Missing, unreadable or malformed files raise :class:`InputError`; a malformed ``context`` is
    dropped (it only refines replay).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"cassette not found: {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read cassette {p}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"cassette {p} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, Mapping) or data.get("version") != CASSETTE_VERSION:
        found = data.get("version") if isinstance(data, Mapping) else type(data).__name__
        raise InputError(f"cassette {p}: unsupported format (version {found!r}; expected {CASSETTE_VERSION})")
    entries = data.get("interactions")
    if not isinstance(entries, list):
        raise InputError(f"cassette {p}: 'interactions' must be a list")
    try:
        interactions = [Interaction.from_json(e, f"interaction {i}") for i, e in enumerate(entries)]
    except (ValueError, TypeError) as exc:  # pydantic ValidationError is a ValueError
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cassette {p}: malformed ({first})") from None
    return interactions, RecordedContext.from_json(data.get("context"))


def load_cassette(path: str | os.PathLike[str]) -> list[Interaction]:
    """Read a cassette. Missing, unreadable or malformed files raise :class:`InputError`."""
    return _load(path)[0]


def _sorted(interactions: Iterable[Interaction]) -> list[Interaction]:
    """Group by key (recording order within a key), groups ordered by (first purpose, key)."""
    groups: dict[str, list[Interaction]] = {}
    for it in interactions:
        groups.setdefault(it.key, []).append(it)
    ordered = sorted(groups.values(), key=lambda g: (g[0].purpose, g[0].key))
    return [it for group in ordered for it in group]


def write_cassette(
    path: str | os.PathLike[str], interactions: Iterable[Interaction], context: RecordedContext | None = None
) -> None:
    """Write atomically (temp file in the same folder, fsync, ``os.replace``).

    The ``context`` object is written only when there is one, so that runs that never asked
    about the context write the same cassettes as before it existed.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {"version": CASSETTE_VERSION}
    if context is not None and not context.is_empty():
        doc["context"] = context.to_json()
    doc["interactions"] = [it.to_json() for it in _sorted(interactions)]
    atomic_write_text(p, json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def _scrub_response(response: ChatResponse) -> ChatResponse:
    return response.model_copy(
        update={
            "content": scrub_secrets(response.content),
            "refusal": scrub_secrets(response.refusal) if response.refusal is not None else None,
        }
    )


def _same_answer(a: ChatResponse, b: ChatResponse) -> bool:
    """Equal for recording purposes: usage (cache hits vary) does not count."""
    return (a.content, a.finish_reason, a.refusal) == (b.content, b.finish_reason, b.refusal)


def token_count_of(backend: object, messages: Sequence[ChatMessage]) -> TokenCount:
    """A (wrapped) backend's count with its method; backends without a method count offline."""
    for layer in layers(backend):
        method = getattr(layer, "token_count", None)
        if callable(method):
            result = method(messages)
            if isinstance(result, TokenCount):
                return result
    counter = getattr(backend, "count_tokens", None)
    if callable(counter):
        return TokenCount(int(counter(messages)), "estimate")
    return count_tokens(messages, model_name_of(backend))


# -- recording -------------------------------------------------------------------------------


class RecordingBackend:
    """Pass every call through to ``inner`` and record what it answered.

    Thread-safe. The cassette is written atomically on :meth:`close` (or :meth:`flush`), so a run
    that fails leaves no half cassette and does not clobber a good one already at ``path``;
    ``autosave=True`` rewrites it after every call instead (keeps what a crashed run paid for).
    Failed calls are not recorded; wrap the retrying backend so that only the final successful
    answer is kept.
    A request repeated with the same answer is stored once; different answers for the same key
    are all kept, in order, and replayed in that order.

    Args:
        inner: the live backend.
        path: cassette file to write.
        append: keep the interactions already in ``path`` (default: start a fresh cassette).
        autosave: also write after every call (default: only on ``flush``/``close``).

    """

    def __init__(
        self,
        inner: ChatBackend,
        path: str | os.PathLike[str],
        *,
        append: bool = False,
        autosave: bool = False,
    ) -> None:
        self.inner = inner
        self.path = Path(path)
        self.autosave = autosave
        self._lock = threading.Lock()
        self._interactions: list[Interaction] = []
        self._context = RecordedContext()
        if append and self.path.exists():
            self._interactions, self._context = _load(self.path)
        self._dirty = False

    @property
    def spec(self) -> str:
        """The inner backend's spec: recording does not change what answers."""
        return self.inner.spec

    @property
    def interactions(self) -> list[Interaction]:
        """A copy of what has been recorded so far, in cassette order."""
        with self._lock:
            return _sorted(self._interactions)

    def complete(self, request: ChatRequest) -> ChatResponse:
        """Answer via ``inner`` and record the exchange."""
        response = self.inner.complete(request)
        self.record(request, response)
        return response

    def context_window(self) -> ContextWindow:
        """The inner backend's window, recorded for replay."""
        inner = getattr(self.inner, "context_window", None)
        window = inner() if callable(inner) else resolve_window(model_name_of(self.inner))
        with self._lock:
            if self._context.window != window:
                self._context.window = window
                self._dirty = True
        return window

    def token_count(self, messages: Sequence[ChatMessage]) -> TokenCount:
        """The inner backend's count and method, recorded for replay."""
        result = token_count_of(self.inner, messages)
        key = messages_key(messages)
        with self._lock:
            if self._context.counts.get(key) != result.tokens or self._context.count_method != result.method:
                self._context.counts[key] = result.tokens
                self._context.count_method = result.method
                self._dirty = True
        return result

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """The inner backend's count, recorded for replay."""
        return self.token_count(messages).tokens

    def record(self, request: ChatRequest, response: ChatResponse) -> None:
        """Add one exchange (scrubbed); write the cassette if ``autosave``."""
        clean = scrub_request(request)
        entry = Interaction(
            key=request_key(clean), purpose=clean.purpose, request=clean, response=_scrub_response(response)
        )
        with self._lock:
            if any(
                it.key == entry.key and _same_answer(it.response, entry.response) for it in self._interactions
            ):
                return
            self._interactions.append(entry)
            self._dirty = True
            if self.autosave:
                self._write_locked()

    def _write_locked(self) -> None:
        write_cassette(self.path, self._interactions, self._context)
        self._dirty = False

    def flush(self) -> None:
        """Write the cassette now (atomically)."""
        with self._lock:
            self._write_locked()

    def close(self) -> None:
        """Flush, then close the inner backend if it has a ``close()``."""
        with self._lock:
            if self._dirty or not self.path.exists():
                self._write_locked()
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()


# -- replay ----------------------------------------------------------------------------------


@dataclass
class _Slot:
    interactions: list[Interaction] = field(default_factory=list)
    served: int = 0


class ReplayBackend:
    """Answer from a cassette, by request key, in any order; no network, no key.

    A key recorded with several answers returns them in recorded order, then repeats the last.
    An unknown request raises :class:`CassetteMismatch` naming the closest recorded request and
    what differs. With ``strict=True``, :meth:`close` (or :meth:`assert_all_used`) also fails if
    some recorded answer was never used, which catches a cassette that no longer fits the code.
    Thread-safe.
    """

    def __init__(self, path: str | os.PathLike[str], *, strict: bool = False) -> None:
        self.path = Path(path)
        self.strict = strict
        self._lock = threading.Lock()
        self._slots: dict[str, _Slot] = {}
        self._all, self._context = _load(self.path)
        for it in self._all:
            self._slots.setdefault(it.key, _Slot()).interactions.append(it)

    @property
    def spec(self) -> str:
        """``replay:<path>``."""
        return f"replay:{self.path}"

    @property
    def model_name(self) -> str:
        """The provider model the cassette was recorded with (the most frequent one)."""
        counts = Counter(it.request.model for it in self._all)
        return counts.most_common(1)[0][0] if counts else ""

    def complete(self, request: ChatRequest) -> ChatResponse:
        """Return the recorded answer for this request.

        Raises:
            CassetteMismatch: nothing recorded under this request's key.

        """
        key = request_key(request)
        with self._lock:
            slot = self._slots.get(key)
            if slot is not None:
                index = min(slot.served, len(slot.interactions) - 1)
                slot.served += 1
                return slot.interactions[index].response.model_copy(deep=True)
        raise CassetteMismatch(self._mismatch_message(request, key))

    def context_window(self) -> ContextWindow:
        """The recorded window; for cassettes without one, the known-model table or the default."""
        if self._context.window is not None:
            return self._context.window
        return resolve_window(self.model_name)

    def token_count(self, messages: Sequence[ChatMessage]) -> TokenCount:
        """The recorded count for these messages, else an offline count (tiktoken or the estimate)."""
        recorded = self._context.counts.get(messages_key(messages))
        if recorded is not None:
            return TokenCount(recorded, self._context.count_method or "estimate")
        return count_tokens(messages, self.model_name)

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """The recorded count for these messages (see :meth:`token_count`)."""
        return self.token_count(messages).tokens

    def unused(self) -> list[Interaction]:
        """List the recorded answers that no request has used yet."""
        with self._lock:
            return [it for slot in self._slots.values() for it in slot.interactions[slot.served :]]

    def assert_all_used(self) -> None:
        """Raise :class:`CassetteMismatch` listing recorded answers that were never used."""
        unused = self.unused()
        if not unused:
            return
        shown = ", ".join(f"'{it.purpose or '?'}' (key {it.key[:12]})" for it in _sorted(unused)[:5])
        more = f" and {len(unused) - 5} more" if len(unused) > 5 else ""
        raise CassetteMismatch(
            f"{self.spec}: strict replay: {len(unused)} recorded answer{'s' if len(unused) != 1 else ''} "
            f"never used: {shown}{more} (the code no longer asks them; re-record with --record)"
        )

    def close(self) -> None:
        """In strict mode, check that every recorded answer was used."""
        if self.strict:
            self.assert_all_used()

    # -- diagnostics ------------------------------------------------------------------------

    def _mismatch_message(self, request: ChatRequest, key: str) -> str:
        asked = scrub_request(request)
        head = f"{self.spec}: no recorded answer for request '{asked.purpose or '?'}' (key {key[:12]})"
        if not self._all:
            return f"{head}; the cassette is empty (record one with --record)"
        closest = closest_interaction(asked, self._all)
        diff = describe_difference(closest.request, asked)
        return (
            f"{head}; closest recorded: '{closest.purpose or '?'}' (key {closest.key[:12]}): {diff} "
            "(re-record with --record if the change is intended)"
        )


def _common_prefix_len(a: str, b: str) -> int:
    """Length of the common prefix (binary search on slices: fast in C for long prompts)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _similarity(recorded: ChatRequest, asked: ChatRequest) -> tuple[int, int, int, int, int, int]:
    leading = 0
    for r, a in zip(recorded.messages, asked.messages, strict=False):
        if r != a:
            break
        leading += 1
    prefix = 0
    if leading < min(len(recorded.messages), len(asked.messages)):
        prefix = _common_prefix_len(recorded.messages[leading].content, asked.messages[leading].content)
    equal_anywhere = len(set(recorded.messages) & set(asked.messages))
    return (
        int(recorded.model == asked.model),
        int(recorded.schema_name == asked.schema_name),
        leading,
        prefix,
        equal_anywhere,
        -abs(len(recorded.messages) - len(asked.messages)),
    )


def closest_interaction(asked: ChatRequest, interactions: list[Interaction]) -> Interaction:
    """Pick the recorded interaction most like ``asked``: same purpose if any, then by similarity."""
    same_purpose = [it for it in interactions if asked.purpose and it.purpose == asked.purpose]
    pool = same_purpose or interactions
    return max(pool, key=lambda it: _similarity(it.request, asked))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _q(text: str, limit: int = 80) -> str:
    """Quote a snippet (JSON string syntax keeps it on one line)."""
    return json.dumps(_clip(text, limit), ensure_ascii=False)


def _clip_pair(r: str, a: str) -> tuple[str, str]:
    """Both lines, starting a little before their first differing character."""
    col = _common_prefix_len(r, a)
    start = max(0, col - 20)
    lead = "…" if start else ""
    return lead + r[start:], lead + a[start:]


def _first_line_diff(recorded: str, asked: str) -> str:
    """Describe the first changed, added or removed line (1-based line numbers)."""
    rec_lines, ask_lines = recorded.split("\n"), asked.split("\n")
    matcher = difflib.SequenceMatcher(None, rec_lines, ask_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace":
            r, a = _clip_pair(rec_lines[i1], ask_lines[j1])
            return f"line {i1 + 1}: recorded {_q(r)} vs now {_q(a)}"
        if tag == "insert":
            count = j2 - j1
            more = f" (+{count - 1} more)" if count > 1 else ""
            return f"line {j1 + 1} added: {_q(ask_lines[j1])}{more}"
        count = i2 - i1
        more = f" (+{count - 1} more)" if count > 1 else ""
        return f"line {i1 + 1} removed: {_q(rec_lines[i1])}{more}"
    return "whitespace differs"


def _first_json_diff(recorded: Any, asked: Any, path: str = "") -> str:
    """Describe the first differing path between two JSON values."""
    if isinstance(recorded, Mapping) and isinstance(asked, Mapping):
        for k in sorted(set(recorded) | set(asked), key=str):
            sub = f"{path}.{k}" if path else str(k)
            if k not in asked:
                return f"{sub} removed"
            if k not in recorded:
                return f"{sub} added"
            if _canonical(recorded[k]) != _canonical(asked[k]):
                return _first_json_diff(recorded[k], asked[k], sub)
        return path or "(root)"
    if isinstance(recorded, list) and isinstance(asked, list) and len(recorded) == len(asked):
        for i, (r, a) in enumerate(zip(recorded, asked, strict=True)):
            if _canonical(r) != _canonical(a):
                return _first_json_diff(r, a, f"{path}[{i}]")
    rec, now = _clip(_canonical(recorded), 60), _clip(_canonical(asked), 60)
    return f"{path or '(root)'}: recorded {rec} vs now {now}"


def describe_difference(recorded: ChatRequest, asked: ChatRequest) -> str:
    """Say in one line what differs between a recorded and a new request.

    Lists differing fields, then the first differing message (index, role) and its first
    differing line, with a short snippet of each side.
    """
    parts: list[str] = []
    if recorded.model != asked.model:
        parts.append(f"model {recorded.model!r} recorded vs {asked.model!r} now")
    if recorded.schema_name != asked.schema_name:
        parts.append(f"schema_name {recorded.schema_name!r} recorded vs {asked.schema_name!r} now")
    if _canonical(recorded.json_schema) != _canonical(asked.json_schema):
        parts.append(f"json_schema differs at {_first_json_diff(recorded.json_schema, asked.json_schema)}")
    if recorded.max_tokens != asked.max_tokens:
        parts.append(f"max_tokens {recorded.max_tokens} recorded vs {asked.max_tokens} now")
    if recorded.temperature != asked.temperature:
        parts.append(f"temperature {recorded.temperature} recorded vs {asked.temperature} now")
    if len(recorded.messages) != len(asked.messages):
        parts.append(f"{len(recorded.messages)} messages recorded vs {len(asked.messages)} now")
    for i, (r, a) in enumerate(zip(recorded.messages, asked.messages, strict=False)):
        if r == a:
            continue
        if r.role != a.role:
            parts.append(f"message {i}: role {r.role!r} recorded vs {a.role!r} now")
        else:
            parts.append(f"message {i} ({r.role}) differs at {_first_line_diff(r.content, a.content)}")
        break
    return "; ".join(parts) if parts else "only fields outside the key differ"
