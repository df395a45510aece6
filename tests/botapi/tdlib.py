"""TDLib's own HTML parser as the stand-in's oracle: what Telegram's Bot API server would do.

The Bot API server parses `parse_mode=HTML` with TDLib (`parseTextEntities` with
`textParseModeHTML`). PyPI's `tdjson` wheel ships TDLib, and `td_execute` runs that parser
offline, without a login or a network. Where the wheel is installed (the dev dependencies)
the stand-in asks it; elsewhere it falls back on the hand-written copy in `html_parse.py`.

After parsing, the Bot API server strips the blank characters TDLib's `strip_empty_characters`
knows and refuses a text left empty: a message of only zero-width spaces or Braille blanks is
"message text is empty", however it was written.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from .html_parse import EntityParseError

# TDLib's blank characters (td/telegram/misc.cpp, strip_empty_characters), with ASCII blanks
# and control characters, and the zero-width characters a client shows as nothing.
_BLANKS = frozenset(
    [chr(c) for c in range(0x21)]
    + ["\u1680", "\u180e", "\u202e", "\u202f", "\u205f", "\u2800", "\u3000", "\ufffc"]
    + [chr(c) for c in range(0x2000, 0x200B)]
    + [chr(c) for c in range(0x200B, 0x2010)]
)

_ENTITY_TYPES = {
    "textEntityTypeBold": "bold",
    "textEntityTypeItalic": "italic",
    "textEntityTypeUnderline": "underline",
    "textEntityTypeStrikethrough": "strikethrough",
    "textEntityTypeSpoiler": "spoiler",
    "textEntityTypeCode": "code",
    "textEntityTypePre": "pre",
    "textEntityTypePreCode": "pre",
    "textEntityTypeTextUrl": "text_link",
    "textEntityTypeBlockQuote": "blockquote",
    "textEntityTypeExpandableBlockQuote": "expandable_blockquote",
    "textEntityTypeCustomEmoji": "custom_emoji",
    "textEntityTypeMentionName": "text_mention",
}


@cache
def _td() -> Any | None:
    try:
        import tdjson
    except ImportError:
        return None
    quiet = {"@type": "setLogVerbosityLevel", "new_verbosity_level": 0}
    tdjson.td_execute(json.dumps(quiet).encode())
    return tdjson


def available() -> bool:
    """Whether TDLib's parser can be asked here."""
    return _td() is not None


def is_blank(text: str) -> bool:
    """Empty once TDLib's blank characters are stripped: Telegram refuses such a text."""
    return all(ch in _BLANKS for ch in text)


def parse_html(text: str) -> tuple[str, list[dict]]:
    """(visible text, Bot API entities) as TDLib parses `text`; EntityParseError with TDLib's
    reason (without its "Can't parse entities: " prefix) when it refuses."""
    td = _td()
    if td is None:
        raise RuntimeError("tdjson is not installed")
    request = {
        "@type": "parseTextEntities",
        "text": text,
        "parse_mode": {"@type": "textParseModeHTML"},
    }
    answer = json.loads(td.td_execute(json.dumps(request).encode()) or b"{}")
    if answer.get("@type") == "error":
        message = str(answer.get("message", "unknown error"))
        raise EntityParseError(message.removeprefix("Can't parse entities: "))
    entities = []
    for entity in answer.get("entities", []):
        kind = entity["type"]
        found: dict[str, Any] = {
            "type": _ENTITY_TYPES.get(kind["@type"], kind["@type"]),
            "offset": entity["offset"],
            "length": entity["length"],
        }
        if "url" in kind:
            found["url"] = kind["url"]
        if kind.get("language"):
            found["language"] = kind["language"]
        if kind.get("custom_emoji_id"):
            found["custom_emoji_id"] = str(kind["custom_emoji_id"])
        entities.append(found)
    return answer.get("text", ""), entities
