"""Writing the artifacts: each file lands whole or not at all, and a failed run replaces nothing."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from opsrelay.errors import InputError
from opsrelay.handoff import Handoff

ARTIFACT_FILE = "OPERATIONS.md"
HANDOFF_FILE = "handoff.json"


def check_output_dir(out_dir: Path) -> None:
    """Fail early (before any model call) when the output folder cannot be created or written."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: exists and is not a folder")
    probe_parent = (
        out_dir if out_dir.exists() else next((p for p in out_dir.parents if p.exists()), Path("."))
    )
    if not os.access(probe_parent, os.W_OK):
        raise InputError(f"--out {out_dir}: not writable")


def _read_umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# Read once at import: os.umask can only be read by setting it, which races with other threads.
_UMASK = _read_umask()


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and an atomic rename.

    The file gets the permissions a plain ``open()`` would give it (0666 less the umask), not
    the private 0600 of a temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_artifacts(out_dir: Path, markdown: str, handoff: Handoff) -> Handoff:
    """Write OPERATIONS.md then handoff.json into ``out_dir``; return the handoff with the path set."""
    artifact_path = out_dir / ARTIFACT_FILE
    final = handoff.model_copy(
        update={"artifact": handoff.artifact.model_copy(update={"path": str(artifact_path)})}
    )
    atomic_write_text(artifact_path, markdown)
    atomic_write_text(out_dir / HANDOFF_FILE, final.to_json())
    return final
