"""Small Markdown builders shared by the section writers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Basis, DatastoreDecision, Decisions, EvidenceRef
from opsrelay.agents.devops.safety import md_text
from opsrelay.facts.model import Evidence, QAFacts

ASSUMED = "(assumption)"


def field(label: str, value: str) -> str:
    """``- **Label**: value``."""
    return f"- **{label}**: {value}"


def step(number: int, label: str, value: str) -> str:
    """``1. **Label**: value``."""
    return f"{number}. **{label}**: {value}"


def sub(text: str, indent: int = 2) -> str:
    """Format a nested bullet under a field."""
    return f"{' ' * indent}- {text}"


def check(done: bool, text: str) -> str:
    """Format a checklist line."""
    return f"- [{'x' if done else ' '}] {text}"


def cite(refs: Sequence[EvidenceRef], limit: int = 2) -> str:
    """``QA: `file.md:12`, `file.md:40``` for the first ``limit`` references (empty when none)."""
    if not refs:
        return ""
    parts = [f"`{_code_safe(r.cite())}`" for r in refs[:limit]]
    return "QA: " + ", ".join(parts)


def cite_paren(refs: Sequence[EvidenceRef], limit: int = 2) -> str:
    """`` (QA: `file.md:12`)`` or empty."""
    text = cite(refs, limit)
    return f" ({text})" if text else ""


def grounded(basis: Basis, refs: Sequence[EvidenceRef], limit: int = 2) -> str:
    """Suffix for a value: a QA citation when grounded, ``(assumption)`` otherwise."""
    if basis == "assumption":
        return f" {ASSUMED}"
    return cite_paren(refs, limit)


def _code_safe(text: str) -> str:
    return re.sub(r"[`\r\n]", "'", text)


def code(text: str) -> str:
    """Inline code span for text opsrelay generated (never raw QA prose)."""
    return f"`{_code_safe(text)}`"


def num(value: float) -> str:
    """Format a number without a trailing ``.0``."""
    return f"{value:g}"


def esc(text: str, limit: int = 160) -> str:
    """Escape untrusted QA text for inline Markdown."""
    return md_text(text, limit=limit)


def join_lines(lines: Iterable[str]) -> str:
    """Join lines, collapsing runs of blank lines and trimming the ends."""
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line.rstrip())
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def service(d: Decisions) -> str:
    """Escaped service name."""
    return esc(d.service_name, 80)


def baseline_phrase(d: Decisions) -> str:
    """E.g. ``QA baseline p95 120 ms (Baseline Test)``, or empty when QA measured no latency."""
    slo = d.slo
    if slo.baseline_p95_ms is None:
        return ""
    context = f" ({esc(slo.baseline_context, 80)})" if slo.baseline_context else ""
    return f"QA baseline p95 {num(slo.baseline_p95_ms)} ms{context}"


def tools_ground(text: str, facts: QAFacts, limit: int = 1) -> str:
    """Citation for the QA stack items named in ``text``, or ``(assumption)`` when none is."""
    key = re.sub(r"[^a-z0-9]", "", text.lower())
    named = [
        s
        for s in facts.stack
        if len(re.sub(r"[^a-z0-9]", "", s.name.lower())) > 2
        and re.sub(r"[^a-z0-9]", "", s.name.lower()) in key
    ]
    if not named:
        return f" {ASSUMED}"
    return cite_paren([EvidenceRef.of(s.evidence) for s in named], limit)


def profile_of(ds: DatastoreDecision) -> kb.DatastoreProfile:
    """Operations profile of a decided datastore (a generic one for unknown products)."""
    return kb.datastore_profile(ds.name) or kb.generic_datastore(ds.name, ds.role)


def ref(evidence: Evidence) -> list[EvidenceRef]:
    """One QA evidence as a citation list."""
    return [EvidenceRef.of(evidence)]


def route_name(route: str) -> str:
    """Short, escaped name of an alert route: 'PagerDuty (on-call rotation: …)' → 'PagerDuty'."""
    return esc(route.split(" (", maxsplit=1)[0], 80)


_REGION = re.compile(r"^[a-z]{2,12}(?:-[a-z]{2,16}){0,2}-?\d{0,2}$")
_URL = re.compile(r"^https://[A-Za-z0-9.-]+(?::\d{2,5})?(?:/[A-Za-z0-9._~%/+-]*)?$")


def sanitised(d: Decisions) -> Decisions:
    """Copy of ``d`` whose values that reach commands or YAML are well-formed.

    Decisions may come from a model that read an untrusted QA document. Regions must look like
    region identifiers and environment URLs like plain ``https://`` URLs; anything else falls back
    to the provider's default region or no URL. (Test commands are re-vetted where they are used.)
    """
    cloud = kb.CLOUDS[d.hosting.provider]
    region = d.hosting.region if _REGION.match(d.hosting.region) else cloud.region
    dr = d.hosting.dr_region if _REGION.match(d.hosting.dr_region) else cloud.dr_region
    envs = [
        e
        if e.url is None or (len(e.url) <= 200 and _URL.match(e.url))
        else e.model_copy(update={"url": None})
        for e in d.environments
    ]
    if region == d.hosting.region and dr == d.hosting.dr_region and envs == d.environments:
        return d
    hosting = d.hosting.model_copy(update={"region": region, "dr_region": dr})
    return d.model_copy(update={"hosting": hosting, "environments": envs})


def region_grounded(d: Decisions) -> bool:
    """Whether the QA evidence behind the hosting decision names the chosen region."""
    return d.hosting.basis == "qa_fact" and any(d.hosting.region in e.text for e in d.hosting.evidence)


def hosting_phrase(d: Decisions) -> str:
    """``AWS eu-west-1 (QA: …)``, ``AWS (QA: …), region us-east-1 (assumption)`` or all assumed."""
    h = d.hosting
    if h.basis == "assumption":
        return f"{esc(h.provider_name)} {esc(h.region)} {ASSUMED}"
    if region_grounded(d):
        return f"{esc(h.provider_name)} {esc(h.region)}{cite_paren(h.evidence, 1)}"
    return f"{esc(h.provider_name)}{cite_paren(h.evidence, 1)}, region {esc(h.region)} {ASSUMED}"


def gate_summary(d: Decisions) -> str:
    """One bold line stating the release gate and every reason behind it."""
    gate = d.release_gate
    if gate.status == "blocked":
        shown = [esc(r.removeprefix("QA outcome: "), 200) for r in gate.reasons[:6]]
        n = len(gate.reasons)
        if n > len(shown):
            shown.append(f"and {n - len(shown)} more")
        reasons = "; ".join(shown) or "blocking items in the QA evidence"
        items = f"{n} blocking item{'s' if n != 1 else ''}"
        return f"**Release gate: BLOCKED** — {items} from QA: {reasons}. See Quality Gates."
    if gate.status == "not_executed":
        why = gate.reasons[-1] if gate.reasons else "QA reports no executed run"
        return (
            f"**Release gate: NOT EXECUTED** — {md_text(why[:1].lower() + why[1:], limit=200)}, so nothing "
            "is proven yet; production waits for an executed, green QA run. See Quality Gates."
        )
    return (
        "**Release gate: OPEN** — no open P0/P1 defect, failing test, failed QA criterion or NO-GO verdict "
        "in the QA evidence; see Quality Gates."
    )


def perf_setup_note(facts: QAFacts) -> str:
    """`` Measured on: 3× c5.xlarge (QA: …); …`` — QA's load-test set-up, cited; empty when unknown.

    Figures from a load test only mean something next to the machine and data they came from, so
    every sizing or objective derived from them is printed with this note.
    """
    if not facts.perf_setup:
        return ""
    parts = [f"{esc(s.value, 80)}{cite_paren(ref(s.evidence), 1)}" for s in facts.perf_setup[:4]]
    return " QA measured on: " + "; ".join(parts) + "."


def unit_lines(d: Decisions, what: str) -> list[str]:
    """One nested bullet per service of a multi-service system (none for a single deploy unit).

    ``what`` picks the sentence: ``compute`` (deploy unit and runtime), ``metrics`` (per-service
    dashboards and alerts) or ``runbook`` (daily health check per service).
    """
    if len(d.services) < 2:
        return []
    out: list[str] = []
    for u in d.services:
        name = esc(u.name, 60)
        qa = {"failing": " — failing in QA, blocks release", "ok": " — green in QA"}.get(u.status, "")
        where = grounded(u.basis, u.evidence, 1)
        if what == "compute":
            text = f"{name}: {esc(u.runtime, 80)}{where}, its own image and deploy unit{qa}"
        elif what == "metrics":
            text = f"{name}: its own RED dashboard and alerts (label service={name}){qa}"
        else:
            text = f"{name}: health endpoint, error rate and latency against the SLO{qa}"
        out.append(sub(text + "."))
    return out
