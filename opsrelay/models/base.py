"""The provider seam: one request/response shape for every model backend.

Agents build a :class:`ChatRequest`, a backend turns it into a :class:`ChatResponse`. The offline
engine never calls a backend; ``openai:``, ``replay:`` and the recorder all implement
:class:`ChatBackend`. Keeping the shape this small is what makes cassettes exact and stable:
the cassette key is a hash of the request, the cassette value is the response.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from opsrelay.models.context import ContextWindow


class ChatMessage(BaseModel):
    """One chat message. Content is plain text; opsrelay sends no images or tool calls."""

    model_config = ConfigDict(frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


class ChatRequest(BaseModel):
    """Everything that determines a model's answer, and nothing else (no keys, no URLs)."""

    model_config = ConfigDict(frozen=True)

    model: str = Field(description="Provider model name, e.g. 'gpt-4.1-mini' (no 'openai:' prefix).")
    messages: tuple[ChatMessage, ...]
    schema_name: str | None = Field(default=None, description="Name of the structured-output schema.")
    json_schema: dict[str, Any] | None = Field(
        default=None, description="JSON schema the answer must follow; None for free Markdown."
    )
    max_tokens: int | None = None
    temperature: float = 0.0
    purpose: str = Field(
        default="",
        description="Human label for logs and cassettes, e.g. 'draft:cicd_pipeline'. Not in the match key.",
    )


class Usage(BaseModel):
    """Token accounting for one call, as the provider reported it."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0


class ChatResponse(BaseModel):
    """A model's answer."""

    content: str
    finish_reason: str | None = Field(default="stop", description="'stop', 'length', 'content_filter'…")
    refusal: str | None = None
    usage: Usage = Field(default_factory=Usage)


@runtime_checkable
class ChatBackend(Protocol):
    """A model backend. Implementations must be safe to call from several threads at once."""

    @property
    def spec(self) -> str:
        """The model spec as the user wrote it, minus secrets (e.g. 'openai:gpt-4.1-mini')."""
        ...

    def complete(self, request: ChatRequest) -> ChatResponse:
        """Answer one request. Raises :class:`opsrelay.errors.ProviderError` on final failure."""
        ...

    def context_window(self) -> ContextWindow:
        """The context window (prompt + answer, in tokens) every request must fit, and its source.

        Never raises: a backend that cannot learn it returns its best conservative guess
        (:func:`opsrelay.models.context.resolve_window`). Replay returns what was recorded.
        """
        ...

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """How many prompt tokens ``messages`` take for this model (exact, or over-counted; never under).

        Never raises. Replay returns what was recorded for the same messages.
        """
        ...


def layers(backend: object, depth: int = 8) -> Iterator[object]:
    """``backend`` and the backends it wraps, outermost first: each wrapper's ``inner`` in turn.

    The recording, retrying and limiting wrappers keep what they wrap in ``inner``; a backend
    without one ends the chain. At most ``depth`` layers (a guard against a cycle).
    """
    current: object | None = backend
    for _ in range(depth):
        if current is None:
            return
        yield current
        current = getattr(current, "inner", None)


def model_name_of(backend: object) -> str:
    """The provider model name requests must carry (what a cassette was recorded with, for replay).

    The first ``model_name`` or ``model`` of its :func:`layers`; else the part of the spec after
    ``:`` (empty when the backend names none).
    """
    for layer in layers(backend):
        name = getattr(layer, "model_name", None) or getattr(layer, "model", None)
        if isinstance(name, str) and name:
            return name
    return str(getattr(backend, "spec", "")).partition(":")[2]
