"""Reading one file given to `kpu-digest summarize`, checked before it is processed (URLs go
through `digests.service.summarise_url`).

Each problem becomes an `InputError` with a one-line reason, so a batch reports it and goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digests.text.sniff import binary_kind

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
    if kind := binary_kind(content):
        raise InputError(f"binary file ({kind}), not text or HTML")
    return Document(name=str(path), content=content, is_html=is_html)


def decode_text(content: bytes) -> tuple[str, bool]:
    """Decode UTF-8 (or UTF-16 with its byte-order mark), replacing invalid bytes; the flag says
    whether any were replaced."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = content.decode("utf-16", errors="replace")
        return text, "\ufffd" in text
    try:
        return content.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return content.decode("utf-8", errors="replace"), True
