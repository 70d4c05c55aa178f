"""Where the tests find the example, the fixtures and the shared corpus."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "qa" / "QA_REPORT.md"
FIXTURES = ROOT / "tests" / "fixtures"
QA_FIXTURES = FIXTURES / "qa"
UNSEEN = FIXTURES / "qa_unseen"
CORPUS = ROOT.parent / "shared" / "corpus" / "qa"


def qa_documents(folder: Path) -> list[Path]:
    """The QA documents of a folder, sorted, without its SOURCES.md ([] when the folder is absent)."""
    return [p for p in sorted(folder.glob("*.md")) if p.name != "SOURCES.md"] if folder.is_dir() else []


def qa_fixture_paths() -> list[Path]:
    """Real QA documents: the copies under tests/fixtures/qa, plus the shared corpus when present."""
    paths = qa_documents(QA_FIXTURES)
    have = {p.name for p in paths}
    return paths + [p for p in qa_documents(CORPUS) if p.name not in have]
