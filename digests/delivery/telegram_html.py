"""Telegram's HTML parse mode: escaping, links, lengths, and cutting text into messages.

Only the tags Telegram knows, text escaped with `escape`, links with `escape_href`, and every
message at most 4096 UTF-16 code units. Lengths are measured on the HTML source, which is never
shorter than what Telegram counts after parsing entities, so a part that fits here always fits
there. Pure functions, no wording: every sentence lives in `digests/texts.py`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

MESSAGE_LIMIT = 4096
BLOCK_SEPARATOR = "\n\n"
ELLIPSIS = "…"

# --- escaping and measuring -------------------------------------------------------------------


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def escape(text: str) -> str:
    """Escape text for Telegram HTML (`<`, `>`, `&`; quotes are fine outside attributes).

    A lone surrogate (a str can hold one, e.g. from a page's JSON "\\ud800") cannot be sent as
    UTF-8 and would fail the whole message: it is shown as U+FFFD instead.
    """
    return html.escape(_LONE_SURROGATE.sub("\ufffd", text), quote=False)


# Control characters and blanks inside a URL: Telegram refuses a NUL in an href outright, and a
# link must stay one word; percent-encoded they reach the same page.
_HREF_UNSAFE = re.compile(r"[\x00-\x20\x7f]")
# What Telegram shows as nothing (TDLib's blank characters, zero-width ones, fillers): a link
# text or a message made only of these is invisible, or refused as empty.
_BLANK = re.compile(
    "^[\\s\x00-\x20\u115f\u1160\u1680\u180e\u2000-\u200f\u202e\u202f\u205f\u2060"
    "\u2800\u3000\u3164\ufeff\uffa0\ufffc]*$"
)


def escape_href(url: str) -> str:
    """Escape a URL for an `href="…"` attribute (control characters percent-encoded)."""
    safe = _HREF_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)
    return html.escape(_LONE_SURROGATE.sub("\ufffd", safe), quote=True)


def is_blank(text: str) -> bool:
    """Nothing a reader would see: empty, or only blank and zero-width characters."""
    return _BLANK.match(text) is not None


def link_text(text: str, url: str) -> str:
    """A link's visible words: `text`, or the URL's host when `text` would show nothing."""
    if not is_blank(text):
        return text
    host = urlsplit(url).hostname if "://" in url else None
    return host or url.strip() or "🔗"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


# --- splitting and trimming -------------------------------------------------------------------

_TOKEN = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")


def _tokens(markup: str) -> Iterable[tuple[str, str]]:
    """(kind, token) with kind in open/close/entity/text; entities and tags are atomic."""
    for match in _TOKEN.finditer(markup):
        token = match.group(0)
        if token.startswith("</"):
            yield "close", token
        elif token.startswith("<") and len(token) > 1:
            yield "open", token
        elif token.startswith("&") and len(token) > 1:
            yield "entity", token
        else:
            yield "text", token


def _tag_name(tag: str) -> str:
    match = _TAG_NAME.match(tag)
    return match.group(1).lower() if match else ""


def trim_html(markup: str, limit: int = MESSAGE_LIMIT, *, ellipsis: str = ELLIPSIS) -> str:
    """Cut `markup` to at most `limit` UTF-16 units, never inside a tag or an entity.

    Tags still open at the cut are closed, and the cut prefers a word boundary.
    """
    if utf16_len(markup) <= limit:
        return markup
    budget = limit - utf16_len(ellipsis)
    out: list[str] = []
    used = 0
    stack: list[str] = []

    def closing_cost(names: list[str]) -> int:
        return sum(len(name) + 3 for name in names)

    for kind, token in _tokens(markup):
        if kind == "close":
            name = _tag_name(token)
            if name in stack:
                while stack:
                    top = stack.pop()
                    out.append(f"</{top}>")
                    used += len(top) + 3
                    if top == name:
                        break
            continue
        if kind == "open":
            name = _tag_name(token)
            cost = utf16_len(token) + len(name) + 3
            if used + cost + closing_cost(stack) > budget:
                break
            out.append(token)
            used += utf16_len(token)
            stack.append(name)
            continue
        room = budget - used - closing_cost(stack)
        size = utf16_len(token)
        if size <= room:
            out.append(token)
            used += size
            continue
        if kind == "text" and room > 0:
            out.append(_cut_text(token, room))
        break
    while out and out[-1].startswith("<") and not out[-1].startswith("</"):
        # drop tags opened right before the cut: an empty link or bold adds nothing
        out.pop()
        stack.pop()
    text = "".join(out).rstrip()
    return text + ellipsis + "".join(f"</{name}>" for name in reversed(stack))


def _cut_text(text: str, room: int) -> str:
    """The longest prefix of `text` within `room` UTF-16 units, backed off to a space."""
    cut = text.encode("utf-16-le")[: room * 2].decode("utf-16-le", errors="ignore")
    space = cut.rfind(" ")
    if space > len(cut) * 0.6:
        cut = cut[:space]
    return cut


def _top_level_breaks(markup: str, separator: str) -> list[int]:
    """Offsets just after each `separator` that lies outside every tag pair."""
    positions: list[int] = []
    depth = 0
    offset = 0
    for kind, token in _tokens(markup):
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "text" and depth == 0:
            start = 0
            while (found := token.find(separator, start)) != -1:
                positions.append(offset + found + len(separator))
                start = found + len(separator)
        offset += len(token)
    return positions


def _split_block(block: str, limit: int) -> list[str]:
    """Split an over-long block at top-level line breaks, then spaces, then (plain text only)
    anywhere; trim markup that still won't fit."""
    for separator in ("\n", " "):
        cuts = [c for c in _top_level_breaks(block, separator) if c < len(block)]
        if not cuts:
            continue
        pieces, start = [], 0
        for cut in cuts:
            pieces.append(block[start:cut])
            start = cut
        pieces.append(block[start:])
        packed = _pack(pieces, limit, joiner="")
        out: list[str] = []
        for piece in packed:
            piece = piece.strip()
            if not piece:
                continue
            out.extend([piece] if utf16_len(piece) <= limit else _split_block(piece, limit))
        return out
    if "<" not in block:  # plain escaped text: a long word is split, not cut short
        return _hard_split(block, limit)
    return [trim_html(block, limit)]


def _hard_split(text: str, limit: int) -> list[str]:
    """Markup-free text with nowhere to break (one huge word, Thai, a run of emoji) in pieces
    of at most `limit` UTF-16 units, cut between characters and never inside an entity."""
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for kind, token in _tokens(text):
        for piece in [token] if kind == "entity" else token:
            size = utf16_len(piece)
            if current and used + size > limit:
                parts.append("".join(current))
                current, used = [], 0
            current.append(piece)
            used += size
    if current:
        parts.append("".join(current))
    return parts


def _pack(pieces: Sequence[str], limit: int, joiner: str) -> list[str]:
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = current + joiner + piece if current else piece
        if current and utf16_len(candidate.rstrip()) > limit:
            parts.append(current)
            current = piece
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def split_message(
    blocks: Sequence[str],
    limit: int = MESSAGE_LIMIT,
    *,
    separator: str = BLOCK_SEPARATOR,
    oversize: str = "trim",
) -> list[str]:
    """Pack blocks (items) into as few messages as fit, breaking only between blocks.

    A block longer than `limit` on its own is trimmed (`oversize="trim"`, for digest items) or
    split at its own top-level line breaks (`oversize="split"`, for long announcements).
    """
    if oversize not in ("trim", "split"):
        raise ValueError("oversize must be 'trim' or 'split'")
    fitted: list[str] = []
    for block in blocks:
        block = block.strip()
        if not block:
            continue
        if utf16_len(block) <= limit:
            fitted.append(block)
        elif oversize == "trim":
            fitted.append(trim_html(block, limit))
        else:
            fitted.extend(_split_block(block, limit))
    return _pack(fitted, limit, joiner=separator)
