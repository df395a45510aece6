"""Reading one input of `kpu-digest summarize`: a file or a URL, checked before it is processed.

Each problem becomes an `InputError` with a one-line reason, so a batch reports it and goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_INPUT_BYTES = 10 * 1024 * 1024
HTML_SUFFIXES = (".html", ".htm")


class InputError(Exception):
    """An input that cannot be summarised; the message is the one line the user sees."""


@dataclass(frozen=True, slots=True)
class Document:
    """Raw content of one input and how to read it."""

    name: str
    content: bytes
    is_html: bool
    content_type: str | None = None


def read_path(path: Path) -> Document:
    """Read a local file, refusing what is missing, empty, too large or binary."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("no such file") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if path.is_dir():
        raise InputError("is a directory, not a file")
    if size == 0:
        raise InputError("empty file")
    if size > MAX_INPUT_BYTES:
        raise InputError(
            f"too large ({size / 1_048_576:.0f} MB; the limit is {MAX_INPUT_BYTES // 1_048_576} MB)"
        )
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    is_html = path.suffix.lower() in HTML_SUFFIXES
    check_not_binary(content)
    return Document(name=str(path), content=content, is_html=is_html)


def check_not_binary(content: bytes) -> None:
    """Text and HTML never hold NUL bytes; images, PDFs and archives nearly always do."""
    head = content[:8192]
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"PK\x03\x04", b"\xff\xd8\xff")):
        raise InputError("binary file, not text or HTML")


def decode_text(content: bytes) -> tuple[str, bool]:
    """Decode UTF-8, replacing invalid bytes; the flag says whether any were replaced."""
    try:
        return content.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return content.decode("utf-8", errors="replace"), True
