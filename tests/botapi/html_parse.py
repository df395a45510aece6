"""Telegram's HTML parse mode, parsed the way the Bot API server does it.

The walk mirrors tdlib's ``parse_html`` (the code behind the Bot API): the same allowed tags,
the same entity decoding and the same error wording, so a bot that passes here is rejected by
Telegram for no parse reason. ``strict=True`` (the default) goes one step further and follows
the Bot API documentation literally: a ``&`` that starts no known entity and a bare ``>`` are
refused, where tdlib would quietly keep them. Offsets in errors are UTF-8 byte offsets, as in
Telegram's messages; entity offsets and lengths are UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

from dataclasses import dataclass

ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\f\v"
_URL_SCHEMES = ("http://", "https://", "tg://", "ftp://", "mailto:")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(err)`` is Telegram's reason."""


@dataclass
class _Open:
    tag: str
    argument: str
    utf16_start: int


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (astral characters count twice)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at ``text[pos] == '&'``; None if it is not one."""
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        value = 0
        if end < n and text[end] == "x":
            end += 1
            start_digits = end
            while end < n and text[end] in "0123456789abcdefABCDEF":
                value = value * 16 + int(text[end], 16)
                end += 1
                if value >= 0x10FFFF:
                    return None
        else:
            start_digits = end
            while end < n and text[end].isascii() and text[end].isdigit():
                value = value * 10 + int(text[end])
                end += 1
                if value >= 0x10FFFF:
                    return None
        if end == start_digits or value == 0 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        char = _NAMED.get(text[pos + 1 : end])
        if char is None:
            return None
    if end < n and text[end] == ";":
        end += 1
    return char, end


def _valid_url(url: str) -> bool:
    lowered = url.strip().lower()
    return lowered.startswith(_URL_SCHEMES) and len(lowered) > lowered.find(":") + 3


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[dict]]:
    """Return ``(plain_text, entities)`` for Telegram HTML, or raise EntityParseError."""
    out: list[str] = []
    out_utf16 = 0
    entities: list[dict] = []
    stack: list[_Open] = []
    n = len(text)
    i = 0

    def emit(chunk: str) -> None:
        nonlocal out_utf16
        out.append(chunk)
        out_utf16 += utf16_len(chunk)

    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                emit(decoded[0])
                i = decoded[1]
                continue
            if strict:
                raise EntityParseError(
                    f'Unescaped "&" at byte offset {_byte_offset(text, i)}: '
                    "write &amp; (the Bot API documentation requires it)"
                )
        if ch == ">" and strict:
            raise EntityParseError(
                f'Unescaped ">" at byte offset {_byte_offset(text, i)}: write &gt; '
                "(the Bot API documentation requires it)"
            )
        if ch != "<":
            start = i
            i += 1
            while i < n and text[i] not in "&<>":
                i += 1
            emit(text[start:i])
            continue

        begin = i
        i += 1
        if i < n and text[i] == "/":
            i = _close_tag(text, i, begin, stack, entities, out_utf16)
            continue
        while i < n and text[i] not in _SPACES and text[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        tag = text[begin + 1 : i].lower()
        if tag not in ALLOWED_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        i, argument = _read_attributes(text, i, begin, tag)
        if tag == "span" and argument != "tg-spoiler":
            raise EntityParseError(
                'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        stack.append(_Open(tag, argument, out_utf16))
        i += 1  # the closing '>'

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _read_attributes(text: str, i: int, begin: int, tag: str) -> tuple[int, str]:
    """Read attributes up to the tag's '>'; return its index and the tag's argument."""
    n = len(text)
    argument = ""
    while i < n and text[i] != ">":
        while i < n and text[i] in _SPACES:
            i += 1
        if i < n and text[i] == ">":
            break
        name_start = i
        while i < n and text[i] not in _SPACES and text[i] not in "=>":
            i += 1
        name = text[name_start:i].lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        while i < n and text[i] in _SPACES:
            i += 1
        if i >= n:
            raise EntityParseError(
                f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        if text[i] != "=":
            if tag == "blockquote" and name == "expandable":
                argument = "expandable"
                continue
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        i += 1
        while i < n and text[i] in _SPACES:
            i += 1
        if i >= n:
            raise EntityParseError(
                f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        if text[i] not in "'\"":
            token_start = i
            while i < n and ((text[i].isascii() and text[i].isalnum()) or text[i] in ".-"):
                i += 1
            value = text[token_start:i].lower()
            if i >= n or (text[i] not in _SPACES and text[i] != ">"):
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(text, token_start)}"
                )
        else:
            quote = text[i]
            i += 1
            chars: list[str] = []
            while i < n and text[i] != quote:
                if text[i] == "&":
                    decoded = _decode_entity(text, i)
                    if decoded is not None:
                        chars.append(decoded[0])
                        i = decoded[1]
                        continue
                chars.append(text[i])
                i += 1
            if i < n:
                i += 1
            value = "".join(chars)
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if (
            (tag == "a" and name == "href")
            or (tag == "code" and name == "class" and value.startswith("language-"))
            or (tag == "span" and name == "class" and value.startswith("tg-"))
            or (tag == "tg-emoji" and name == "emoji-id")
        ):
            argument = value
        elif tag == "blockquote" and name == "expandable":
            argument = "expandable"
    return i, argument


def _close_tag(
    text: str, i: int, begin: int, stack: list[_Open], entities: list[dict], utf16_end: int
) -> int:
    """Handle ``</tag>`` at ``begin``; return the index after its '>'."""
    n = len(text)
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
    i += 1
    name_start = i
    while i < n and text[i] not in _SPACES and text[i] != ">":
        i += 1
    end_name = text[name_start:i]  # not lower-cased: tdlib compares it as written
    while i < n and text[i] in _SPACES:
        i += 1
    if i >= n or text[i] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
    opened = stack.pop()
    if end_name and end_name != opened.tag:
        raise EntityParseError(
            f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
            f'expected "</{opened.tag}>", found "</{end_name}>"'
        )
    length = utf16_end - opened.utf16_start
    if length > 0:
        entity = _make_entity(opened, length, stack, entities)
        if entity is not None:
            entities.append(entity)
    return i + 1


def _make_entity(
    opened: _Open, length: int, stack: list[_Open], entities: list[dict]
) -> dict | None:
    kind = _ENTITY_TYPE.get(opened.tag)
    entity: dict = {"offset": opened.utf16_start, "length": length}
    if opened.tag == "a":
        if not _valid_url(opened.argument):
            return None  # Telegram silently drops links it cannot use
        entity.update(type="text_link", url=opened.argument)
        return entity
    if opened.tag == "tg-emoji":
        if not opened.argument.isdigit():
            return None
        entity.update(type="custom_emoji", custom_emoji_id=opened.argument)
        return entity
    if opened.tag == "blockquote" and opened.argument == "expandable":
        kind = "expandable_blockquote"
    if opened.tag == "code" and stack and stack[-1].tag == "pre" and opened.argument:
        # <pre><code class="language-x"> sets the language of the enclosing pre block.
        stack[-1].argument = opened.argument.removeprefix("language-")
        return None
    if opened.tag == "pre":
        inner_code = [
            e
            for e in entities
            if e["type"] == "code" and e["offset"] == opened.utf16_start and e["length"] == length
        ]
        for e in inner_code:
            entities.remove(e)
        if opened.argument:
            entity["language"] = opened.argument
    entity["type"] = kind
    return entity
