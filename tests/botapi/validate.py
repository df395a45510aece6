"""Parameter checks that Telegram performs before it accepts a message.

Each check raises ApiError with the status and description Telegram answers with, so the bot's
error handling is exercised with real-looking failures.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import tdlib
from .html_parse import EntityParseError, parse_html, utf16_len

MAX_TEXT_UTF16 = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100
_TRIM = " \t\r\n\v\f\u00a0"
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_URL_RE = re.compile(r"^(https?|tg)://[^\s]+$", re.IGNORECASE)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status == error_code, plus optional ``parameters``."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str, parameters: dict | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {description}", parameters)


def json_param(params: dict[str, Any], name: str, what: str) -> Any:
    """A parameter that is JSON-serialised in form posts and a plain value in JSON posts."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise bad_request(f"can't parse {what} JSON object") from None
    return value


def int_param(params: dict[str, Any], name: str, default: int | None = None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        pass
    try:
        return int(float(value))  # "1.0" from a client that sends seconds as floats
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def bool_param(params: dict[str, Any], name: str) -> bool:
    value = params.get(name)
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "on"}
    return bool(value)


def str_param(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def format_text(
    text: str | None, parse_mode: str | None, entities: Any, *, strict_html: bool
) -> tuple[str, list[dict]]:
    """Parse ``text`` as Telegram would; return the visible text and its entities."""
    if text is None or text == "":
        raise bad_request("message text is empty")
    mode = (parse_mode or "").strip().lower()
    if mode == "html":
        plain, found = _parse_html(text, strict_html)
    elif mode == "":
        plain, found = text, _explicit_entities(entities)
    elif mode in {"markdown", "markdownv2"}:
        raise bad_request(
            "the stand-in Bot API parses only parse_mode HTML (and plain text); "
            f"{parse_mode} is not checked here"
        )
    else:
        raise bad_request("unsupported parse_mode")
    plain, found = _trim(plain, found)
    if not plain or tdlib.is_blank(plain):
        raise bad_request("message text is empty")
    if utf16_len(plain) > MAX_TEXT_UTF16:
        raise bad_request("message is too long")
    return plain, found


def _parse_html(text: str, strict: bool) -> tuple[str, list[dict]]:
    """TDLib decides, where its wheel is installed; the hand-written copy only without it.

    `strict` keeps the documentation's stricter rule on top (a stray `&` or `>` is refused,
    where TDLib keeps it): the copy's strict refusals that its lenient mode would accept.
    """
    if not tdlib.available():
        try:
            return parse_html(text, strict=strict)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    try:
        plain, found = tdlib.parse_html(text)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    if strict:
        try:
            parse_html(text, strict=True)
        except EntityParseError as exc:
            try:
                parse_html(text, strict=False)
            except EntityParseError:
                pass  # the copy differs from TDLib here, and TDLib accepted it
            else:
                raise bad_request(f"can't parse entities: {exc}") from None
    return plain, found


def _explicit_entities(entities: Any) -> list[dict]:
    if entities is None or entities == "":
        return []
    if isinstance(entities, str):
        try:
            entities = json.loads(entities)
        except json.JSONDecodeError:
            raise bad_request("can't parse entities JSON object") from None
    if not isinstance(entities, list) or not all(
        isinstance(e, dict) and {"type", "offset", "length"} <= e.keys() for e in entities
    ):
        raise bad_request("can't parse entities: entities must be an array of MessageEntity")
    return entities


def _trim(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Telegram strips leading and trailing blanks; entities shift and shrink with the text."""
    stripped_head = text[: len(text) - len(text.lstrip(_TRIM))]
    trimmed = text.strip(_TRIM)
    if trimmed == text:
        return text, entities
    shift = utf16_len(stripped_head)
    total = utf16_len(trimmed)
    out = []
    for entity in entities:
        start = max(0, entity["offset"] - shift)
        end = min(total, entity["offset"] + entity["length"] - shift)
        if end > start:
            out.append({**entity, "offset": start, "length": end - start})
    return trimmed, out


def reply_markup(params: dict[str, Any]) -> dict | None:
    """Validate ``reply_markup`` the way Telegram does and return it as an object."""
    markup = json_param(params, "reply_markup", "reply keyboard markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if markup == {}:
        return None  # PTB's InlineKeyboardMarkup([]): the usual way to remove a keyboard
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "keyboard" must be an Array of Arrays')
        for row in rows:
            for button in row:
                label = button.get("text") if isinstance(button, dict) else button
                if not isinstance(label, str) or not label:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
    elif markup.get("remove_keyboard") is not True and markup.get("force_reply") is not True:
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    if sum(len(r) for r in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise bad_request("can't parse inline keyboard button: Object expected")
            label = button.get("text")
            if not isinstance(label, str):
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not label.strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            actions = [a for a in _BUTTON_ACTIONS if a in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            data = button.get("callback_data")
            if "callback_data" in button and (
                not isinstance(data, str)
                or not data
                or len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES
            ):
                raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if "url" in button and (not isinstance(url, str) or not _URL_RE.match(url)):
                raise bad_request("BUTTON_URL_INVALID")


def commands(params: dict[str, Any]) -> list[dict]:
    """Validate setMyCommands' list: lower-case names, 1–256 character descriptions."""
    value = json_param(params, "commands", "commands")
    if not isinstance(value, list):
        raise bad_request("can't parse commands JSON object")
    if len(value) > 100:
        raise bad_request("too many commands")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: Object expected")
        name, description = item.get("command"), item.get("description")
        if not isinstance(name, str) or not _COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("command description must be non-empty")
        out.append({"command": name, "description": description})
    return out


def command_scope(params: dict[str, Any]) -> dict:
    scope = json_param(params, "scope", "BotCommandScope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
        raise bad_request("can't parse BotCommandScope: unsupported type")
    if scope["type"] in {"chat", "chat_administrators", "chat_member"} and "chat_id" not in scope:
        raise bad_request("can't parse BotCommandScope: chat_id is required")
    return scope


def scope_key(scope: dict, language_code: str | None) -> str:
    """A stable key for one (scope, language) slot of the command menu."""
    parts = [scope.get("type", "default")]
    for field_name in ("chat_id", "user_id"):
        if field_name in scope:
            parts.append(f"{field_name}={scope[field_name]}")
    return "|".join(parts) + f"|lang={language_code or ''}"
