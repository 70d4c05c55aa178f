"""Counting the tokens of a chat request before it is sent, with a known error margin.

Three methods, best first:

* ``server``: the serving engine's own tokenizer, where it exposes one. llama.cpp's server
  renders the chat template (``POST /apply-template``) and tokenizes the result
  (``POST /tokenize``), which is exact for that model and template.
* ``tiktoken``: OpenAI's tokenizer for OpenAI model names (``tiktoken`` ships with
  langchain-openai), plus the per-message overhead OpenAI documents for chat models
  (3 tokens per message, 3 to prime the reply; the openai-cookbook "How to count tokens with
  tiktoken"). Exact for OpenAI models up to that documented overhead.
* ``estimate``: when no tokenizer is at hand. It must never under-count realistic text, so it
  follows how BPE tokenizers pre-split text rather than dividing characters by a constant:
  one token per 5 letters of a word, per 3 digits, per ASCII punctuation or symbol character, per
  line break and per run of 2+ spaces, and one (two for 3-4-byte UTF-8 such as emoji) per
  non-ASCII character; plus 8 tokens per message and 8 for the reply. Measured against
  tiktoken on the 21 files of ``shared/corpus/qa`` (four languages, tables, emoji):
  estimate / o200k_base is 1.16-2.06 (median 1.38), estimate / cl100k_base 1.16-1.75; with the
  repository's fixtures, prompts and examples (30 distinct texts) the minimum is 1.14. It never
  under-counted. ``ceil(chars / 3)``, the obvious rule, under-counted six of them (down to 0.89 of
  o200k and 0.77 of cl100k: dense tables and emoji).

**tiktoken and the network.** ``tiktoken`` does not ship its BPE files: the first
``get_encoding("o200k_base")`` downloads ``o200k_base.tiktoken`` (3.6 MB) with ``requests.get`` and
no timeout, and caches it in ``$TIKTOKEN_CACHE_DIR`` (else ``$DATA_GYM_CACHE_DIR``, else
``<tmp>/data-gym-cache``). Offline, that call fails, or hangs for as long as the network
black-holes the connection. So opsrelay loads an encoding from the cache directly when the file
is there, and otherwise tries tiktoken's own loader once per process in a daemon thread bounded by
``TIKTOKEN_LOAD_TIMEOUT_S``; when that does not succeed in time, counting falls back to the
estimate (logged once) and never tries again in this process.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import structlog

from opsrelay.models.base import ChatMessage
from opsrelay.models.context import http_json

if TYPE_CHECKING:
    import tiktoken

__all__ = [
    "ESTIMATE_DIGITS_PER_TOKEN",
    "ESTIMATE_LETTERS_PER_TOKEN",
    "ESTIMATE_TOKENS_PER_MESSAGE",
    "TIKTOKEN_LOAD_TIMEOUT_S",
    "TRUNCATION_RATIO",
    "CountMethod",
    "TokenCount",
    "count_tokens",
    "estimate_text_tokens",
    "estimate_tokens",
    "tiktoken_encoding_name",
]

CountMethod = Literal["tiktoken", "server", "estimate"]

ESTIMATE_LETTERS_PER_TOKEN = 5
"""Letters of an ASCII word per estimated token (o200k averages 5-7 for English words)."""
ESTIMATE_DIGITS_PER_TOKEN = 3
"""Digits per estimated token: o200k and cl100k split numbers into groups of at most 3 digits."""
ESTIMATE_TOKENS_PER_MESSAGE = 8
"""Chat-template tokens per message in the estimate (OpenAI uses 3; Llama 3 and Gemma about 4-6)."""
OPENAI_TOKENS_PER_MESSAGE = 3
OPENAI_TOKENS_PER_REPLY = 3
TIKTOKEN_LOAD_TIMEOUT_S = 5.0
"""How long one attempt to load (download) a tiktoken BPE file may take before the estimate is used."""

TRUNCATION_RATIO: dict[CountMethod, float] = {
    "server": 0.9,
    "tiktoken": 0.7,
    "estimate": 0.4,
}
"""A server's reported ``prompt_tokens`` below ``ratio × counted`` means it dropped part of the prompt.

The bound depends on how far the count may be off. ``server`` counts are the server's own
tokenizer (only the template may differ a little): 0.9. ``tiktoken`` is exact for OpenAI models,
but an OpenAI model name may be served by another engine with another tokenizer (Llama 3 and
Gemma use 10-25 % fewer tokens than o200k_base on Markdown; they never need 30 % fewer): 0.7.
The ``estimate`` over-counts by design, up to 2.06× on the corpus: 0.4. A silently
truncated prompt (Ollama's 2,048/4,096-token default against a 10,000-token request) reports
20-40 % of it, well below each bound.
"""

_log = structlog.get_logger("opsrelay.models")
_TIKTOKEN_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
# Encodings whose BPE file is another's (tiktoken_ext.openai_public: o200k_harmony reuses o200k_base).
_BPE_FILE = {"o200k_harmony": "o200k_base"}


@dataclass(frozen=True)
class TokenCount:
    """How many tokens a request's messages take, and how that was counted."""

    tokens: int
    method: CountMethod


_PIECES = re.compile(r"[A-Za-z]+|[0-9]+|[ \t]+|\n+|[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]|[^\x00-\x7f]")


def estimate_text_tokens(text: str) -> int:
    """The conservative estimate for one text (see the module docstring for the rule and its margin)."""
    total = 0
    for match in _PIECES.finditer(text):
        piece = match.group()
        first = piece[0]
        if first.isascii() and first.isalpha():
            total += math.ceil(len(piece) / ESTIMATE_LETTERS_PER_TOKEN)
        elif first.isdigit():
            total += math.ceil(len(piece) / ESTIMATE_DIGITS_PER_TOKEN)
        elif first in " \t":
            total += 1 if len(piece) > 1 else 0  # a single space merges into the next word's token
        elif first == "\n" or first.isascii():
            total += 1
        else:
            total += 1 if len(first.encode("utf-8")) <= 2 else 2
    # Control characters and anything the pattern skips: one token each, never zero.
    return total + sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n")


def estimate_tokens(messages: Sequence[ChatMessage]) -> int:
    """The conservative estimate for chat messages: each text, plus template overhead per message."""
    total = ESTIMATE_TOKENS_PER_MESSAGE  # priming the reply
    for message in messages:
        total += ESTIMATE_TOKENS_PER_MESSAGE + estimate_text_tokens(message.content)
    return total


def tiktoken_encoding_name(model: str) -> str | None:
    """The tiktoken encoding for an OpenAI model name, or ``None`` for other models.

    tiktoken's own table first (``encoding_for_model`` without loading anything); else
    ``o200k_base`` for names that look like current OpenAI models (``gpt-*``, ``chatgpt-*``,
    ``o1``/``o3``/``o4``… reasoning models), whose tokenizer tiktoken may not list yet.
    """
    name = model.strip().lower().rsplit("/", 1)[-1]  # "openai/gpt-4.1" as gateways spell it
    if not name:
        return None
    try:
        import tiktoken.model
    except ImportError:  # pragma: no cover - tiktoken is a dependency of langchain-openai
        return None
    try:
        return tiktoken.model.encoding_name_for_model(name)
    except KeyError:
        pass
    if name.startswith(("gpt-", "chatgpt-")) or (len(name) > 1 and name[0] == "o" and name[1].isdigit()):
        return "o200k_base"
    return None


def _tiktoken_cache_path(encoding: str) -> str | None:
    """Where tiktoken caches an encoding's BPE file (its ``read_file_cached`` rule), or None."""
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        cache_dir = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        cache_dir = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not cache_dir:
        return None  # caching disabled: every load downloads
    url = _TIKTOKEN_BLOB.format(name=_BPE_FILE.get(encoding, encoding))
    return os.path.join(cache_dir, hashlib.sha1(url.encode()).hexdigest())


class _Encodings:
    """Process-wide tiktoken encodings: loaded at most once each, never blocking for long."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[str, tiktoken.Encoding | None] = {}

    def get(self, name: str, timeout_s: float | None = None) -> tiktoken.Encoding | None:
        """The encoding, or ``None`` when it cannot be had (offline and not cached).

        ``timeout_s`` bounds a download (default: ``TIKTOKEN_LOAD_TIMEOUT_S``, read at call time).
        """
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            encoding = self._load(name, TIKTOKEN_LOAD_TIMEOUT_S if timeout_s is None else timeout_s)
            self._loaded[name] = encoding
            return encoding

    @staticmethod
    def _load(name: str, timeout_s: float) -> tiktoken.Encoding | None:
        import tiktoken

        path = _tiktoken_cache_path(name)
        cached = path is not None and os.path.exists(path)
        result: list[Any] = []

        def load() -> None:
            try:
                result.append(tiktoken.get_encoding(name))
            except Exception as exc:  # network errors, hash mismatch, unknown encoding
                result.append(exc)

        # Even a cached file is loaded in the worker: tiktoken checks its sha256 and downloads
        # again when it does not match, which may hang like a first download. Parsing a cached
        # file takes well under a second, so it gets a longer bound than a download.
        worker = threading.Thread(target=load, name=f"tiktoken-{name}", daemon=True)
        worker.start()
        worker.join(max(timeout_s, 15.0) if cached else timeout_s)  # a hung download stays behind
        value = result[0] if result else None
        if isinstance(value, tiktoken.Encoding):
            return value
        reason = f"{type(value).__name__}: {str(value)[:120]}" if value is not None else "timed out"
        _log.info(
            "tokens.tiktoken_unavailable",
            encoding=name,
            cache=path,
            reason=reason,
            fallback="estimate",
            hint="put the BPE file in TIKTOKEN_CACHE_DIR to count exactly offline",
        )
        return None

    def forget(self) -> None:
        """Drop loaded encodings and remembered failures (tests)."""
        with self._lock:
            self._loaded.clear()


ENCODINGS = _Encodings()


def count_with_tiktoken(messages: Sequence[ChatMessage], encoding: tiktoken.Encoding) -> int:
    """OpenAI's documented count for chat messages: content + role + 3 per message, + 3 for the reply."""
    total = OPENAI_TOKENS_PER_REPLY
    for message in messages:
        total += OPENAI_TOKENS_PER_MESSAGE
        # disallowed_special=(): a QA document may contain "<|endoftext|>"; count it as text.
        total += len(encoding.encode(message.content, disallowed_special=()))
        total += len(encoding.encode(message.role, disallowed_special=()))
    return total


def count_tokens(messages: Sequence[ChatMessage], model: str) -> TokenCount:
    """Count with tiktoken when ``model`` is an OpenAI model and its BPE file can be had, else estimate.

    Server-side counting (llama.cpp) needs a server: see
    :meth:`opsrelay.models.openai_backend.OpenAIBackend.count_tokens`. Never raises for want of
    a network, never blocks longer than ``TIKTOKEN_LOAD_TIMEOUT_S`` (once per process).
    """
    name = tiktoken_encoding_name(model)
    if name is not None:
        encoding = ENCODINGS.get(name)
        if encoding is not None:
            return TokenCount(count_with_tiktoken(messages, encoding), "tiktoken")
    return TokenCount(estimate_tokens(messages), "estimate")


def count_with_llamacpp(
    root: str, messages: Sequence[ChatMessage], *, api_key: str | None = None, timeout_s: float = 5.0
) -> int | None:
    """Count with a llama.cpp server's own template and tokenizer; ``None`` if it cannot.

    ``POST {root}/apply-template`` renders the messages exactly as the server will for a chat
    completion (the model's chat template), then ``POST {root}/tokenize`` with
    ``add_special`` counts what the model sees, BOS included. Servers older than
    ``/apply-template`` get each message tokenized plus :data:`ESTIMATE_TOKENS_PER_MESSAGE`.
    """
    payload = [{"role": m.role, "content": m.content} for m in messages]
    rendered = http_json(
        "POST", f"{root}/apply-template", body={"messages": payload}, api_key=api_key, timeout_s=timeout_s
    )
    prompt = rendered.get("prompt") if isinstance(rendered, dict) else None
    if isinstance(prompt, str):
        return _tokenize(root, prompt, add_special=True, api_key=api_key, timeout_s=timeout_s)
    total = ESTIMATE_TOKENS_PER_MESSAGE
    for message in messages:
        tokens = _tokenize(root, message.content, add_special=False, api_key=api_key, timeout_s=timeout_s)
        if tokens is None:
            return None
        total += tokens + ESTIMATE_TOKENS_PER_MESSAGE
    return total


def _tokenize(
    root: str, text: str, *, add_special: bool, api_key: str | None, timeout_s: float
) -> int | None:
    answer = http_json(
        "POST",
        f"{root}/tokenize",
        body={"content": text, "add_special": add_special},
        api_key=api_key,
        timeout_s=timeout_s,
    )
    tokens = answer.get("tokens") if isinstance(answer, dict) else None
    return len(tokens) if isinstance(tokens, list) else None
