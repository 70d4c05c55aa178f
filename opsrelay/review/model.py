"""The reviewer's output: findings with severities, a score and a verdict (pure pydantic)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, computed_field

FindingSeverity = Literal["blocker", "major", "minor"]

# Points taken off a perfect 100 per finding; a blocker must always outweigh any number of minors
# that a revision could plausibly introduce, so the no-improvement guard prefers fewer blockers.
SEVERITY_PENALTY: dict[str, int] = {"blocker": 25, "major": 8, "minor": 2}


class Finding(BaseModel):
    """One problem the reviewer found."""

    rule: str = Field(description="Stable rule id, e.g. 'dr.rto-numeric'.")
    severity: FindingSeverity
    section: str | None = Field(
        default=None,
        description="Top-level (##) heading the finding belongs to, exactly as in the template; "
        "None for document-wide findings.",
    )
    message: str
    fix: str = Field(description="A concrete hint for the revision.")
    line: int | None = Field(default=None, description="1-based line in the reviewed document, when known.")


class Review(BaseModel):
    """The reviewer's verdict over one document."""

    findings: list[Finding] = Field(default_factory=list)
    external_tools: dict[str, str] = Field(
        default_factory=dict,
        description="External linters the review asked for and what became of each ('ran', 'missing', "
        "'not needed', 'timed out after N s', 'failed: …'); empty when none were asked for.",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def score(self) -> int:
        """100 minus severity penalties, floored at 0."""
        return max(0, 100 - sum(SEVERITY_PENALTY[f.severity] for f in self.findings))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verdict(self) -> Literal["pass", "fail"]:
        """``pass`` iff there is no blocker and no major finding."""
        return "fail" if any(f.severity in ("blocker", "major") for f in self.findings) else "pass"

    def count(self, severity: FindingSeverity) -> int:
        """Count the findings of one severity."""
        return sum(1 for f in self.findings if f.severity == severity)

    def failing_sections(self) -> list[str]:
        """Top-level headings with at least one blocker or major finding, in first-seen order."""
        seen: list[str] = []
        for f in self.findings:
            if f.severity in ("blocker", "major") and f.section and f.section not in seen:
                seen.append(f.section)
        return seen
