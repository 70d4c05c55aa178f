"""Reading text input safely: size limit, stdin, binary and encoding checks, one-line errors.

Shared by QA ingest and the linter (``opsrelay review``), which needs only this: keeping it apart
from :mod:`opsrelay.ingest` keeps the fact extractor off the linter's start-up path.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path
from typing import IO

from opsrelay.errors import InputError
from opsrelay.settings import DEFAULT_MAX_BYTES

STDIN = "-"
_BOM = b"\xef\xbb\xbf"


def display_name(source: str | Path) -> str:
    """How errors name a source: its path, or 'stdin'."""
    return "stdin" if str(source) == STDIN else str(source)


def too_big(name: str, size: int, max_bytes: int, *, at_least: bool = False) -> InputError:
    """The one-line error for input over the size limit, saying how to raise it."""
    amount = f"more than {max_bytes:,}" if at_least else f"{size:,}"
    return InputError(
        f"{name}: input is {amount} bytes, over the {max_bytes:,}-byte limit; raise it with --max-bytes "
        "(or max_bytes=…)"
    )


def read_bytes(
    source: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, stdin: IO[bytes] | None = None
) -> bytes:
    """Read a file (or stdin for ``-``) with the size limit, turning every OS problem into an InputError."""
    name = display_name(source)
    if str(source) == STDIN:
        stream = stdin
        if stream is None:
            if sys.stdin is None or sys.stdin.isatty():
                raise InputError(
                    "stdin: no input (stdin is a terminal); pipe a QA report in or pass a file name"
                )
            stream = sys.stdin.buffer
        data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise too_big(name, len(data), max_bytes, at_least=True)
        return data
    path = Path(source)
    try:
        if not path.exists():
            raise InputError(f"{name}: file not found")
        if path.is_dir():
            raise InputError(f"{name}: is a directory, not a file")
        size = path.stat().st_size
        if size > max_bytes:
            raise too_big(name, size, max_bytes)
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise InputError(f"{name}: cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise too_big(name, len(data), max_bytes, at_least=True)
    return data


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 bytes → text: reject binary and non-UTF-8 input, strip a BOM, normalise newlines to LF."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{name}: is UTF-16 encoded; save it as UTF-8")
    if b"\x00" in data:
        raise InputError(f"{name}: looks binary (contains NUL bytes), not a text document")
    skip = len(_BOM) if data.startswith(_BOM) else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        bad = data[offset : offset + 1]
        raise InputError(
            f"{name}: not valid UTF-8 (byte 0x{bad.hex()} at byte offset {offset}); save it as UTF-8"
        ) from None
    check_text(text, name)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_text(text: str, name: str) -> None:
    """Reject text that is empty or binary in all but name."""
    if "\x00" in text:
        raise InputError(f"{name}: looks binary (contains NUL characters), not a text document")
    sample = text[:65536]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v\x1b")
    if sample and controls / len(sample) > 0.1:
        raise InputError(f"{name}: looks binary (mostly control characters), not a text document")
    if not text.strip():
        raise InputError(f"{name}: is empty")


def read_text_file(
    source: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, stdin: IO[bytes] | None = None
) -> str:
    """Read any UTF-8 text document (e.g. an OPERATIONS.md to lint) with the same checks as QA input."""
    return decode_text(read_bytes(source, max_bytes=max_bytes, stdin=stdin), display_name(source))
