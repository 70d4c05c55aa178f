"""The straightforward design most people would write first: draft → critique → rewrite, whole document.

It uses the same prompt content as opsrelay (the role/system prompt with the template and the
six standards, then the QA document and its extracted facts, built by the very same
:meth:`~opsrelay.agents.devops.llm.LLMDrafter.prefix`), the same critic prompt and schema, and
the same client path (:func:`opsrelay.models.factory.make_backend`: ``OpenAIBackend`` behind
the retry layer), so that both designs pay the same client overhead. What differs is the shape
of the work: three sequential calls, two of which write the whole document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bench.scripted import NAIVE_DRAFT_MARK, NAIVE_REWRITE_MARK
from opsrelay.agents.devops.llm import CRITIC_MAX_TOKENS, CriticReport, LLMDrafter
from opsrelay.ingest import load_qa
from opsrelay.models.base import ChatBackend, ChatMessage, ChatRequest, ChatResponse, layers
from opsrelay.models.factory import make_backend, model_name_of, parse_model_spec
from opsrelay.models.limit import DEFAULT_CONCURRENCY, LimitedBackend, RequestLimiter
from opsrelay.models.prices import estimate_cost
from opsrelay.models.schema import strict_schema
from opsrelay.prompts import render
from opsrelay.template import DOCUMENT_TITLE

__all__ = ["DOCUMENT_MAX_TOKENS", "NaiveResult", "bench_backend", "run_naive"]

DOCUMENT_MAX_TOKENS = 16_384
"""Output limit for a whole-document call (gpt-4.1-mini allows up to 32,768)."""

DRAFT_INSTRUCTION = f"""{NAIVE_DRAFT_MARK}, the whole document in one answer.

Start with the line `# {DOCUMENT_TITLE}`, then every section of the template in order, each with
exactly its sub-headings and bold field labels, each field filled with specific content, then a
section "Assumptions & Open Questions" that lists every assumption, and a dated "Changelog".

Answer with the Markdown of the document only: no preamble, no closing remarks, no code fence
around the whole answer.
"""

REWRITE_INSTRUCTION = f"""A reviewer judged your draft against the six quality standards:

<review>
{{review}}
</review>

{NAIVE_REWRITE_MARK} so that every problem in the review is fixed, and keep everything that
was already right. Same structure as before: every heading and bold field label of the template,
in order.

Answer with the Markdown of the whole document only: no preamble, no closing remarks, no code
fence around the whole answer.
"""


def bench_backend(
    model: str,
    *,
    base_url: str,
    api_key: str,
    timeout_s: float,
    limiter: RequestLimiter | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> ChatBackend:
    """The backend ``make_backend`` builds for ``model``, its request cap counted by ``limiter``.

    opsrelay caps model requests in flight over the whole process (``opsrelay.models.limit``).
    The benchmark runs many independent jobs in one process; each gets its own limiter, so that
    its requests wait only for its own (as if it ran alone in its process), never for another
    job's. ``limiter`` None: the process-wide one.
    """
    backend = make_backend(
        parse_model_spec(model),
        base_url=base_url,
        api_key=api_key,
        record_path=None,
        timeout_s=timeout_s,
        strict_replay=False,
        concurrency=concurrency,
    )
    assert backend is not None
    for layer in layers(backend) if limiter is not None else ():  # recording / retrying / limiting
        if isinstance(layer, LimitedBackend):
            layer.limiter = limiter
    return backend


@dataclass
class NaiveResult:
    """What one run of the straightforward design produced, with its client-reported usage."""

    document: str
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cached_tokens_in: int = 0
    cost_usd: float = 0.0
    finish_reasons: list[str | None] = field(default_factory=list)

    def add(self, model: str, response: ChatResponse) -> None:
        """Account for one response."""
        u = response.usage
        self.calls += 1
        self.tokens_in += u.input_tokens
        self.tokens_out += u.output_tokens
        self.cached_tokens_in += u.cached_input_tokens
        self.cost_usd += estimate_cost(model, u.input_tokens, u.output_tokens, u.cached_input_tokens)
        self.finish_reasons.append(response.finish_reason)


def run_naive(
    source: str | Path,
    *,
    model: str,
    base_url: str,
    api_key: str,
    timeout_s: float = 600.0,
    limiter: RequestLimiter | None = None,
) -> NaiveResult:
    """Run the straightforward design on one QA report: draft, critique, rewrite (three sequential calls).

    ``limiter``: the request limiter of this job (:func:`bench_backend`); None: the process-wide one.
    """
    qa = load_qa(source)
    backend = bench_backend(model, base_url=base_url, api_key=api_key, timeout_s=timeout_s, limiter=limiter)
    name = model_name_of(backend)
    prefix = LLMDrafter(backend, model_name=name).prefix(qa)  # system + QA document: same content as opsrelay
    result = NaiveResult(document="")

    ask_draft = ChatMessage(role="user", content=DRAFT_INSTRUCTION)
    draft = backend.complete(
        ChatRequest(
            model=name, messages=(*prefix, ask_draft), max_tokens=DOCUMENT_MAX_TOKENS, purpose="naive:draft"
        )
    )
    result.add(name, draft)

    critique = backend.complete(
        ChatRequest(
            model=name,
            messages=(*prefix, ChatMessage(role="user", content=render("critic", draft=draft.content))),
            schema_name=CriticReport.__name__,
            json_schema=strict_schema(CriticReport),
            max_tokens=CRITIC_MAX_TOKENS,
            purpose="naive:critique",
        )
    )
    result.add(name, critique)
    review = json.dumps(json.loads(critique.content), indent=1, ensure_ascii=False)

    rewrite = backend.complete(
        ChatRequest(
            model=name,
            messages=(
                *prefix,
                ask_draft,
                ChatMessage(role="assistant", content=draft.content),
                ChatMessage(role="user", content=REWRITE_INSTRUCTION.format(review=review)),
            ),
            max_tokens=DOCUMENT_MAX_TOKENS,
            purpose="naive:rewrite",
        )
    )
    result.add(name, rewrite)
    result.document = rewrite.content
    return result
