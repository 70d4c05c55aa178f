"""Phrases shared by the sections of distributed software: kind, channels, field signals, QA figures."""

from __future__ import annotations

from opsrelay.agents.devops.decisions import Decisions
from opsrelay.agents.devops.writers.common import cite_paren, esc, grounded, num, ref
from opsrelay.facts.model import PerfMetric, QAFacts

DEVICE_KINDS = ("mobile", "desktop", "embedded")


def is_device(d: Decisions) -> bool:
    """Whether the software runs on users' devices (mobile, desktop, embedded)."""
    return d.delivery.kind in DEVICE_KINDS


def kind_label(d: Decisions) -> str:
    """The kind's label, escaped, e.g. 'library / SDK' or 'mobile app'."""
    return esc(d.delivery.label, 60)


def a_kind(d: Decisions) -> str:
    """The kind with its indefinite article: 'a library / SDK', 'an embedded / device software'."""
    label = kind_label(d)
    return f"{'an' if label[:1].lower() in 'aeiou' else 'a'} {label}"


def kind_ground(d: Decisions) -> str:
    """Citation of the QA lines showing the kind, or '(assumption)'."""
    return grounded(d.delivery.basis, d.delivery.evidence, 1)


def channels_text(d: Decisions) -> str:
    """The release channels, escaped and joined."""
    return "; ".join(esc(c, 200) for c in d.delivery.channels)


def env_purpose(d: Decisions, name: str) -> str:
    """What an environment is for (decisions from a model may omit one: then say what it means here)."""
    env = next((e for e in d.environments if e.name == name), None)
    if env is not None:
        return esc(env.purpose, 200)
    return {
        "production": "What users install or receive.",
        "staging": "Pre-releases and testing channels used by the team and testers.",
        "development": "Local and CI builds; nothing is published.",
    }[name]


def latency_figures(facts: QAFacts) -> list[PerfMetric]:
    """QA's latency figures (p50, p95, p99, average), which become the performance-regression budget."""
    return [
        m for m in facts.performance if m.unit in ("ms", "s") and m.metric in ("p50", "p95", "p99", "avg")
    ]


def figure(m: PerfMetric) -> str:
    """One QA figure with its scenario and citation, e.g. 'p95 180 ms (steady) (QA: `qa.md:30`)'."""
    ctx = f" ({esc(m.context, 60)})" if m.context else ""
    return f"{m.metric} {num(m.value)} {m.unit}{ctx}{cite_paren(ref(m.evidence), 1)}"
