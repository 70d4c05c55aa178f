"""The context window a request must fit: configured, reported by the server, known, or a default.

Resolution order (:func:`resolve_window`):

1. **configured**: ``--context-window N`` / ``OPSRELAY_CONTEXT_WINDOW``;
2. **server**: what an OpenAI-compatible server says about itself (:func:`probe_server`), asked
   once per backend with short timeouts, every failure ignored, never api.openai.com:

   * llama.cpp ``GET {root}/props``: ``default_generation_settings.n_ctx`` is the context of
     *one slot* (``-c`` divided by ``-np``), which is what one request gets;
   * Ollama ``GET {root}/api/ps`` (``context_length`` of the loaded runner) and
     ``POST {root}/api/show`` (``num_ctx`` in ``parameters``; ``<arch>.context_length`` in
     ``model_info`` is the model's maximum, not what the server runs). Ollama's OpenAI endpoint
     cannot set ``num_ctx`` per request, so the *effective* window is the loaded runner's, else
     the model's ``num_ctx``, else the server default (4,096 since Ollama 0.6; 2,048 before;
     ``OLLAMA_CONTEXT_LENGTH`` changes it), never more than the model's maximum;
   * vLLM ``GET {base}/models``: ``max_model_len`` of the served model (gateways such as
     OpenRouter list ``context_length`` there);

   ``root`` is the base URL without a trailing ``/v1``;
3. **known-model**: :data:`KNOWN_WINDOWS`, OpenAI's published windows;
4. **default**: :data:`DEFAULT_WINDOW` tokens, a window every current chat model has.
"""

from __future__ import annotations

import functools
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import structlog

__all__ = [
    "DEFAULT_WINDOW",
    "KNOWN_WINDOWS",
    "OLLAMA_DEFAULT_NUM_CTX",
    "PROBE_TIMEOUT_S",
    "ContextWindow",
    "ServerInfo",
    "WindowSource",
    "http_json",
    "known_window",
    "probe_server",
    "resolve_window",
    "server_root",
]

WindowSource = Literal["configured", "server", "known-model", "default"]
ServerKind = Literal["llama.cpp", "ollama", "vllm"]

DEFAULT_WINDOW = 8_192
OLLAMA_DEFAULT_NUM_CTX = 4_096
PROBE_TIMEOUT_S = 2.0

_log = structlog.get_logger("opsrelay.models")

# OpenAI's published context windows (input + output), from each model's page on
# platform.openai.com/docs/models, as of 2025. Matched by longest prefix, so dated snapshots
# ("gpt-4o-2024-08-06") and suffixes ("-mini") resolve; a gateway's "openai/" prefix is dropped.
KNOWN_WINDOWS: dict[str, int] = {
    "gpt-5": 400_000,  # gpt-5, gpt-5-mini, gpt-5-nano, gpt-5.1…: 400k (272k input + 128k output)
    "gpt-5-chat": 128_000,  # gpt-5-chat-latest (ChatGPT's non-reasoning model)
    "gpt-4.1": 1_047_576,  # gpt-4.1, -mini, -nano
    "gpt-4.5": 128_000,  # gpt-4.5-preview
    "gpt-4o": 128_000,  # gpt-4o, gpt-4o-mini and dated snapshots
    "chatgpt-4o": 128_000,
    "gpt-4-turbo": 128_000,
    "gpt-4-1106": 128_000,
    "gpt-4-0125": 128_000,
    "gpt-4-32k": 32_768,
    "gpt-4": 8_192,
    "gpt-3.5-turbo": 16_385,
    "o1": 200_000,
    "o1-mini": 128_000,
    "o1-preview": 128_000,
    "o3": 200_000,  # o3, o3-mini, o3-pro
    "o4-mini": 200_000,
    "gpt-oss": 131_072,  # gpt-oss-20b / -120b (model card); self-hosted servers report their own
}


@dataclass(frozen=True)
class ContextWindow:
    """How many tokens (prompt + answer) one request may use, where that number came from, and why.

    ``tokens`` is ``None`` only when nothing at all is known (not produced by this module, which
    always falls back to :data:`DEFAULT_WINDOW`; a caller may build one to mean "unbounded").
    """

    tokens: int | None
    source: WindowSource
    detail: str

    def to_json(self) -> dict[str, Any]:
        """A plain dict (for cassettes and ``handoff.json``)."""
        return asdict(self)

    @classmethod
    def from_json(cls, obj: Any) -> ContextWindow | None:
        """Parse :meth:`to_json` output; ``None`` when malformed."""
        if not isinstance(obj, Mapping):
            return None
        tokens = obj.get("tokens")
        source = obj.get("source")
        if tokens is not None and (not isinstance(tokens, int) or isinstance(tokens, bool) or tokens <= 0):
            return None
        if source not in ("configured", "server", "known-model", "default"):
            return None
        return cls(tokens=tokens, source=source, detail=str(obj.get("detail") or ""))


@dataclass(frozen=True)
class ServerInfo:
    """What a probe learnt about the server: which engine it is (if recognised) and its window."""

    kind: ServerKind | None = None
    window: int | None = None
    detail: str = ""
    root: str = ""


def server_root(base_url: str) -> str:
    """The server root: the base URL without a trailing ``/v1`` (and without a trailing slash)."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def _is_openai_host(base_url: str) -> bool:
    host = (urllib.parse.urlsplit(base_url).hostname or "").lower()
    return host == "api.openai.com"


def known_window(model: str) -> ContextWindow | None:
    """The published window of an OpenAI model name (longest matching prefix), else ``None``."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    best = ""
    for prefix in KNOWN_WINDOWS:
        if name.startswith(prefix) and len(prefix) > len(best):
            # "o1" must not match "o10…" nor "gpt-4" match "gpt-40": the prefix ends the name or a part
            rest = name[len(prefix) :]
            if not rest or not rest[0].isalnum() or prefix.endswith(("-", ".")):
                best = prefix
    if not best:
        return None
    return ContextWindow(KNOWN_WINDOWS[best], "known-model", f"published window of OpenAI '{best}' models")


def resolve_window(
    model: str, *, configured: int | None = None, server: ServerInfo | None = None
) -> ContextWindow:
    """Pick the window by the order in the module docstring."""
    if configured is not None:
        if configured <= 0:
            raise ValueError("context window must be positive")
        return ContextWindow(configured, "configured", "--context-window / OPSRELAY_CONTEXT_WINDOW")
    if server is not None and server.window:
        return ContextWindow(server.window, "server", server.detail)
    known = known_window(model)
    if known is not None:
        return known
    return ContextWindow(
        DEFAULT_WINDOW,
        "default",
        f"model '{model}' unknown and the server reports no window: assuming {DEFAULT_WINDOW:,} tokens "
        "(set --context-window)",
    )


# -- probing ---------------------------------------------------------------------------------


def http_json(
    method: str,
    url: str,
    *,
    body: Any = None,
    api_key: str | None = None,
    timeout_s: float = PROBE_TIMEOUT_S,
) -> Any:
    """One JSON request with a short timeout; the parsed body, or ``None`` on any failure."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            if response.status != 200:
                return None
            return json.loads(response.read(4_000_000))
    except (OSError, ValueError, urllib.error.URLError):  # refused, 404, timeout, not JSON
        return None


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    return None


def _probe_llamacpp(root: str, api_key: str | None, timeout_s: float) -> ServerInfo | None:
    props = http_json("GET", f"{root}/props", api_key=api_key, timeout_s=timeout_s)
    if not isinstance(props, Mapping):
        return None
    settings = props.get("default_generation_settings")
    n_ctx = _positive_int(settings.get("n_ctx")) if isinstance(settings, Mapping) else None
    n_ctx = n_ctx or _positive_int(props.get("n_ctx"))
    if n_ctx is None:
        return None
    slots = _positive_int(props.get("total_slots"))
    per = f" per slot ({slots} slots)" if slots else ""
    return ServerInfo("llama.cpp", n_ctx, f"llama.cpp /props n_ctx = {n_ctx:,}{per}", root)


_NUM_CTX = re.compile(r"^\s*num_ctx\s+(\d+)\s*$", re.MULTILINE)


def _ollama_names(model: str) -> set[str]:
    return {model, f"{model}:latest"} if ":" not in model else {model}


def _probe_ollama(root: str, model: str, api_key: str | None, timeout_s: float) -> ServerInfo | None:
    show = http_json("POST", f"{root}/api/show", body={"model": model}, api_key=api_key, timeout_s=timeout_s)
    if not isinstance(show, Mapping) or not ("model_info" in show or "parameters" in show):
        return None
    maximum: int | None = None
    info = show.get("model_info")
    if isinstance(info, Mapping):
        for key, value in info.items():
            if str(key).endswith(".context_length"):
                maximum = _positive_int(value)
                break
    params = show.get("parameters")
    match = _NUM_CTX.search(params) if isinstance(params, str) else None
    num_ctx = int(match.group(1)) if match else None
    loaded: int | None = None
    ps = http_json("GET", f"{root}/api/ps", api_key=api_key, timeout_s=timeout_s)
    running = ps.get("models") if isinstance(ps, Mapping) else None
    if isinstance(running, list):
        names = _ollama_names(model)
        for entry in running:
            if isinstance(entry, Mapping) and (entry.get("name") in names or entry.get("model") in names):
                loaded = _positive_int(entry.get("context_length"))
    if loaded is not None:
        window, why = loaded, "context_length of the loaded model (/api/ps)"
    elif num_ctx is not None:
        window, why = num_ctx, "num_ctx of the model (/api/show parameters)"
    else:
        window, why = OLLAMA_DEFAULT_NUM_CTX, "Ollama's default num_ctx (model not loaded, no num_ctx set)"
    if maximum is not None and window > maximum:
        window = maximum
    top = f"; the model allows {maximum:,}" if maximum else ""
    detail = (
        f"Ollama: {window:,} tokens, {why}{top}; Ollama's OpenAI endpoint silently drops the front "
        "of longer prompts: raise OLLAMA_CONTEXT_LENGTH or the model's num_ctx"
    )
    return ServerInfo("ollama", window, detail, root)


def _probe_vllm(base_url: str, model: str, api_key: str | None, timeout_s: float) -> ServerInfo | None:
    listing = http_json("GET", f"{base_url.rstrip('/')}/models", api_key=api_key, timeout_s=timeout_s)
    data = listing.get("data") if isinstance(listing, Mapping) else None
    if not isinstance(data, list):
        return None
    for entry in data:
        if isinstance(entry, Mapping) and entry.get("id") == model:
            length = _positive_int(entry.get("max_model_len"))
            if length is not None:
                return ServerInfo("vllm", length, f"vLLM /v1/models max_model_len = {length:,}", "")
            # OpenRouter-style gateways list the model's window as "context_length".
            length = _positive_int(entry.get("context_length"))
            if length is not None:
                return ServerInfo(None, length, f"/models context_length = {length:,}", "")
    return None


def probe_server(
    base_url: str, model: str, *, api_key: str | None = None, timeout_s: float = PROBE_TIMEOUT_S
) -> ServerInfo:
    """Ask an OpenAI-compatible server what it is and how large its context is.

    Tries llama.cpp, Ollama, then vLLM endpoints (a server answers only its own; the others get a
    quick 404). Every failure is ignored: an empty :class:`ServerInfo` means "not reported".
    Never contacts api.openai.com (its models are in :data:`KNOWN_WINDOWS`).
    """
    if _is_openai_host(base_url):
        return ServerInfo()
    root = server_root(base_url)
    probes: tuple[Callable[[], ServerInfo | None], ...] = (
        functools.partial(_probe_llamacpp, root, api_key, timeout_s),
        functools.partial(_probe_ollama, root, model, api_key, timeout_s),
        functools.partial(_probe_vllm, base_url, model, api_key, timeout_s),
    )
    for probe in probes:
        try:
            info = probe()
        except Exception as exc:  # a probe must never break a run
            _log.debug("context.probe_failed", error=type(exc).__name__)
            info = None
        if info is not None:
            found = info if info.root else ServerInfo(info.kind, info.window, info.detail, root)
            _log.info("context.server_window", server=found.kind, tokens=found.window, detail=found.detail)
            return found
    return ServerInfo(root=root)
