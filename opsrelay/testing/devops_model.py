"""A scripted stand-in for a DevOps-capable model, for the fake server.

It reads opsrelay's own requests (the QA facts in the prompt prefix, the decisions, the section
asked for) and answers what the offline engine would write, in the shape a real model answers:
JSON for structured calls, Markdown for sections. That makes end-to-end LLM-path runs, cassettes
and benchmarks realistic in size and content without any real provider.
"""

from __future__ import annotations

import json
import re
from typing import Any

from opsrelay.agents.devops.decide import decide_offline
from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers import write_section_offline
from opsrelay.facts.model import QAFacts
from opsrelay.template import SECTION_BY_HEADING
from opsrelay.testing.fake_openai import Reply

_TAG = r"<{0}>\n(.*?)\n</{0}>"


def between(text: str, tag: str) -> str | None:
    """The text inside ``<tag>…</tag>`` in an opsrelay prompt, or None."""
    m = re.search(_TAG.format(tag), text, re.S)
    return m.group(1) if m else None


def facts_from_messages(messages: list[dict[str, Any]]) -> QAFacts:
    """The QA facts opsrelay put in a request's prefix (``<qa_facts>``)."""
    for m in messages:
        raw = between(str(m.get("content") or ""), "qa_facts")
        if raw is not None:
            data = json.loads(raw)
            data.setdefault("source_sha256", "")
            return QAFacts.model_validate(data)
    raise ValueError("no <qa_facts> in the request")


def _decisions(messages: list[dict[str, Any]], facts: QAFacts) -> Decisions:
    for m in messages:
        raw = between(str(m.get("content") or ""), "decisions")
        if raw is not None:
            return Decisions.model_validate_json(raw)
    return decide_offline(facts)


def devops_responder(body: dict[str, Any]) -> Reply:
    """Answer one chat-completions request body the way a competent model would."""
    messages = body.get("messages") or []
    facts = facts_from_messages(messages)
    fmt = body.get("response_format") or {}
    schema_name = ((fmt.get("json_schema") or {}).get("name")) if isinstance(fmt, dict) else None
    if schema_name == "Decisions":
        # Answer exactly the fields the request's schema asks for.
        wanted = fmt["json_schema"]["schema"].get("properties", {})
        decided = decide_offline(facts).model_dump(mode="json")
        return Reply.json({k: v for k, v in decided.items() if k in wanted})
    if schema_name == "CriticReport":
        return Reply.json(
            {
                "judgements": [
                    {
                        "standard": s,
                        "reasons": "Covered with concrete values.",
                        "met": True,
                        "section": None,
                        "fixes": [],
                    }
                    for s in (
                        "pipeline",
                        "monitoring",
                        "incident response",
                        "security",
                        "scalability",
                        "runbooks",
                    )
                ]
            }
        )
    # The section asked for is named in the last instruction (a re-ask repeats it earlier on).
    asked = [re.search(r'section "([^"]+)"', str(m.get("content") or "")) for m in reversed(messages)]
    heading = next((m for m in asked if m), None)
    spec = SECTION_BY_HEADING.get(heading.group(1)) if heading else None
    if spec is None:
        return Reply.bad_request("scripted DevOps model: unrecognised request")
    markdown = write_section_offline(spec.key, facts, _decisions(messages, facts), ())
    return Reply.text(markdown)
