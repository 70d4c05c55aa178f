"""Where the tests find the example, the fixtures and the shared corpus."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "qa" / "QA_REPORT.md"
FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus" / "qa"


def qa_fixture_paths() -> list[Path]:
    """Real QA documents: the copies under tests/fixtures/qa, plus the shared corpus when present."""
    paths = sorted((FIXTURES / "qa").glob("*.md"))
    paths = [p for p in paths if p.name != "SOURCES.md"]
    if CORPUS.is_dir():
        have = {p.name for p in paths}
        paths += [p for p in sorted(CORPUS.glob("*.md")) if p.name != "SOURCES.md" and p.name not in have]
    return paths
