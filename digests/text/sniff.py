"""Is this text at all? One look at the first bytes, for pages and for files alike.

Text and HTML never hold NUL bytes near the top (UTF-16, which does, announces itself with a
byte-order mark); images, PDFs and archives nearly always do, and most start with a magic
number that names them.
"""

from __future__ import annotations

__all__ = ["binary_kind"]

_HEAD = 8192
_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"\x1f\x8b": "gzip-compressed data",
}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def binary_kind(data: bytes | str) -> str | None:
    """What binary data `data` is ("a PDF document", …, "binary data"); None: it may be text."""
    if isinstance(data, str):
        return "binary data" if "\x00" in data[:_HEAD] else None
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return what
    head = data[:_HEAD]
    if b"\x00" in head and not head.startswith(_UTF16_BOMS):
        return "binary data"
    return None
