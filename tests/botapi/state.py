"""The stand-in's world: chats, messages, pending updates, and the Bot API methods over them.

Everything here runs on the server's event loop; the HTTP layer (server.py) only decodes
requests and encodes answers. Methods raise ApiError with Telegram's status and wording.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import validate
from .html_parse import utf16_len
from .ratelimit import FloodControl, RateLimits
from .records import (
    CallbackAnswer,
    DedupeKey,
    Edit,
    RequestRecord,
    SentMessage,
    StateFile,
    Stats,
    default_dedupe_key,
    duplicate_counts,
    per_second,
)
from .validate import ApiError, bad_request

DEFAULT_TOKEN = "123456789:AAE-stand-in-token-for-kpu-digest-01"
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_ENTITY_PATTERNS = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?!\w)")),
    ("url", re.compile(r"(?<!\w)(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]'»]")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w+")),
)
FAILURE_KINDS = {
    "429": 429,
    "retry_after": 429,
    "400": 400,
    "bad_request": 400,
    "403": 403,
    "forbidden": 403,
    "500": 500,
    "server_error": 500,
    "502": 502,
    "bad_gateway": 502,
    "drop": 0,
    "hang": -1,
}
_FAILURE_TEXT = {
    400: "Bad Request: injected failure",
    403: "Forbidden: bot was blocked by the user",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
BLOCKED = "Forbidden: bot was blocked by the user"
DEACTIVATED = "Forbidden: user is deactivated"
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


class Drop(Exception):
    """Raised by a method to make the server cut the connection without answering."""

    def __init__(self, hold: float = 0.0, reason: str = "connection dropped") -> None:
        super().__init__(reason)
        self.hold = hold
        self.reason = reason


@dataclass
class Chat:
    id: int
    type: str
    first_name: str | None = None
    username: str | None = None
    title: str | None = None
    blocked: bool = False
    deactivated: bool = False
    migrated_to: int | None = None
    next_message_id: int = 1
    messages: dict[int, dict] = field(default_factory=dict)
    bot_message_ids: set[int] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for name in ("title", "first_name", "username"):
            value = getattr(self, name)
            if value:
                data[name] = value
        return data


@dataclass
class FailureRule:
    """Answer the next ``remaining`` matching requests with a failure instead of serving them."""

    chat_id: int | None
    method: str | None
    remaining: int
    status: int  # HTTP status; 0 = drop the connection, -1 = hang then drop
    retry_after: int = 1
    description: str | None = None
    hold: float = 0.0

    def matches(self, method: str, chat_id: int | None) -> bool:
        return (self.chat_id is None or self.chat_id == chat_id) and (
            self.method is None or self.method.lower() == method.lower()
        )


@dataclass
class CallbackQuery:
    id: str
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


def chat_type_for(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id < -1_000_000_000_000 else "group"


def detect_entities(text: str) -> list[dict]:
    """Entities a Telegram client attaches to what a user typed (commands, links, …)."""
    found = []
    for kind, pattern in _ENTITY_PATTERNS:
        for match in pattern.finditer(text):
            offset = utf16_len(text[: match.start()])
            found.append({"type": kind, "offset": offset, "length": utf16_len(match.group())})
    return sorted(found, key=lambda e: e["offset"])


class BotApiState:
    """Chats, updates and records, plus one method per Bot API call the stand-in serves."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "kpu_digest_test_bot",
        bot_name: str = "KPU Digest",
        strict_html: bool = True,
        known_chats_only: bool = False,
        limits: RateLimits | None = None,
        limited_methods: frozenset[str] = frozenset({"sendmessage"}),
        state_file: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0]) if _TOKEN_SHAPE.match(token) else 1
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.strict_html = strict_html
        self.known_chats_only = known_chats_only
        self.flood = FloodControl(limits or RateLimits())
        self.limited_methods = limited_methods
        self.clock = clock
        self.started_at = clock()
        self._state_file = StateFile(state_file) if state_file else None
        self.state_file_path = state_file

        self.chats: dict[int, Chat] = {}
        self.users: dict[int, dict] = {}
        self.sent: list[SentMessage] = []
        self.edits: list[Edit] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.chat_actions: list[tuple[int, str, float]] = []
        self.group_admins: dict[int, set[int]] = {}
        self.requests: list[RequestRecord] = []
        self.command_menus: dict[str, list[dict]] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self.webhook_deliveries: list[tuple[int, int, float]] = []  # (update_id, status, time)
        self.closed = False
        self.logged_out = False

        self._failures: list[FailureRule] = []
        self._callbacks: dict[str, CallbackQuery] = {}
        self._callback_ids = itertools.count(7_000_000_000_000_000_001)
        self._updates: list[dict] = []
        self._next_update_id = 100_000_001
        self.allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._updates_event: asyncio.Event | None = None
        self.rate_limited = 0
        self.injected_429 = 0
        self._status_counts: Counter[int] = Counter()
        self._method_counts: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()  # lower-cased method -> requests being served
        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            name.lower(): getattr(self, "_m_" + name)
            for name in (
                "getMe",
                "logOut",
                "close",
                "deleteWebhook",
                "setWebhook",
                "getWebhookInfo",
                "sendMessage",
                "editMessageText",
                "editMessageReplyMarkup",
                "deleteMessage",
                "answerCallbackQuery",
                "setMyCommands",
                "getMyCommands",
                "deleteMyCommands",
                "sendChatAction",
                "getChat",
                "getChatMember",
            )
        }
        self._methods["getupdates"] = self._get_updates

    # ----- hooks the server overrides ------------------------------------------------------

    def _changed(self) -> None:
        """Called after every recorded request or pushed update; wakes waiters."""

    def _updates_arrived(self) -> None:
        if self._updates_event is not None:
            self._updates_event.set()

    # ----- entry point ----------------------------------------------------------------------

    def token_error(self, token: str) -> ApiError | None:
        if token == self.token:
            return None
        if not _TOKEN_SHAPE.match(token):
            return ApiError(404, "Not Found")
        return ApiError(401, "Unauthorized")

    async def call(
        self,
        method: str,
        params: dict[str, Any],
        disconnected: Callable[[], bool] | None = None,
    ) -> Any:
        """Serve one Bot API call; returns the ``result`` or raises ApiError / Drop.

        ``disconnected`` tells a long poll that its client went away, so an abandoned poll
        ends quietly instead of taking updates or a conflict meant for a live poller.
        """
        status, description = 200, None
        key = method.lower()
        self.in_flight[key] += 1
        self._changed()
        try:
            result = await self._call(method, params, disconnected)
        except ApiError as exc:
            status, description = exc.status, exc.description
            raise
        except Drop as drop:
            status, description = 0, drop.reason
            raise
        finally:
            self.in_flight[key] -= 1
            self._record(method, params, status, description)
        return result

    async def _call(
        self, method: str, params: dict[str, Any], disconnected: Callable[[], bool] | None
    ) -> Any:
        handler = self._methods.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found")
        self._inject_failure(method, params)
        if method.lower() == "getupdates":
            return await self._get_updates(params, disconnected)
        result = handler(params)
        if inspect.isawaitable(result):
            result = await result
        return result

    def _record(self, method: str, params: dict, status: int, description: str | None) -> None:
        self.requests.append(RequestRecord(method, params, status, description, self.clock()))
        self._status_counts[status] += 1
        self._method_counts[method] += 1
        self._changed()

    def _inject_failure(self, method: str, params: dict[str, Any]) -> None:
        if not self._failures:
            return
        try:
            chat_id = validate.int_param(params, "chat_id")
        except ApiError:
            chat_id = None
        for rule in self._failures:
            if rule.matches(method, chat_id):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._failures.remove(rule)
                if rule.status == 0:
                    raise Drop()
                if rule.status == -1:
                    raise Drop(hold=rule.hold)
                if rule.status == 429:
                    self.injected_429 += 1
                    raise ApiError(
                        429,
                        rule.description or f"Too Many Requests: retry after {rule.retry_after}",
                        {"retry_after": rule.retry_after},
                    )
                raise ApiError(rule.status, rule.description or _FAILURE_TEXT[rule.status])

    # ----- chats and users ------------------------------------------------------------------

    def chat(self, chat_id: int) -> Chat:
        """The chat with this id, created on first use (a user who has started the bot)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            user = self.users.get(chat_id, {})
            chat = Chat(
                id=chat_id,
                type=chat_type_for(chat_id),
                first_name=user.get("first_name") if chat_id > 0 else None,
                username=user.get("username") if chat_id > 0 else None,
                title=None if chat_id > 0 else f"Group {chat_id}",
            )
            self.chats[chat_id] = chat
        return chat

    def _target_chat(self, params: dict[str, Any]) -> Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        if self.known_chats_only and chat_id not in self.chats:
            raise bad_request("chat not found")
        chat = self.chat(chat_id)
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.deactivated:
            raise ApiError(403, DEACTIVATED)
        if chat.blocked:
            raise ApiError(403, BLOCKED)
        return chat

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    # ----- updates --------------------------------------------------------------------------

    def add_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (``payload`` is e.g. ``{"message": {...}}``) and wake the poller."""
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._updates_arrived()
        self._changed()
        return update

    @property
    def pending_updates(self) -> list[dict]:
        return list(self._updates)

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _deliverable(self, limit: int) -> list[dict]:
        allowed = self.allowed_updates
        if allowed:
            self._updates = [u for u in self._updates if _update_type(u) in allowed]
        return self._updates[:limit]

    async def _get_updates(
        self, params: dict[str, Any], disconnected: Callable[[], bool] | None = None
    ) -> list[dict]:
        if self.webhook.get("url"):
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = validate.int_param(params, "offset", 0) or 0
        limit = min(100, max(1, validate.int_param(params, "limit", 100) or 100))
        timeout = max(0, validate.int_param(params, "timeout", 0) or 0)
        allowed = validate.json_param(params, "allowed_updates", "allowed updates")
        if allowed is not None:
            self.allowed_updates = list(allowed)
        self._poll_generation += 1
        generation = self._poll_generation
        if self._updates_event is not None:
            self._updates_event.set()  # an older long poll sees the new generation and quits
        self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                return batch
            self._updates_event = event = asyncio.Event()
            # wake at least every quarter second to notice a client that hung up
            slice_ = remaining if disconnected is None else min(remaining, 0.25)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), slice_)
            if disconnected is not None and disconnected():
                raise Drop(reason="client disconnected during the long poll")
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_POLL)

    # ----- methods --------------------------------------------------------------------------

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_logOut(self, params: dict[str, Any]) -> bool:
        self.logged_out = True
        return True

    def _m_close(self, params: dict[str, Any]) -> bool:
        self.closed = True
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": ""}
        if validate.bool_param(params, "drop_pending_updates"):
            self._updates.clear()
        self._updates_arrived()
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = validate.str_param(params, "url") or ""
        if url and not re.match(r"^https?://", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = validate.str_param(params, "secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = validate.json_param(params, "allowed_updates", "allowed updates")
        if allowed is not None:
            self.allowed_updates = list(allowed)
        if validate.bool_param(params, "drop_pending_updates"):
            self._updates.clear()
        self.webhook = {"url": url, "secret_token": secret}
        self._poll_generation += 1  # a pending long poll ends with a conflict, as on Telegram
        self._updates_arrived()
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.allowed_updates:
            info["allowed_updates"] = self.allowed_updates
        if self.webhook.get("last_error_date"):
            info["last_error_date"] = self.webhook["last_error_date"]
            info["last_error_message"] = self.webhook["last_error_message"]
        return info

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params)
        text = validate.str_param(params, "text")
        parse_mode = validate.str_param(params, "parse_mode")
        plain, entities = validate.format_text(
            text, parse_mode, params.get("entities"), strict_html=self.strict_html
        )
        markup = validate.reply_markup(params)
        preview = self._link_preview(params)
        reply_to = self._reply_target(chat, params)
        self._flood_check("sendMessage", chat.id)

        message_id = chat.next_message_id
        chat.next_message_id += 1
        now = self.clock()
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": self.bot_user(),
            "chat": chat.to_json(),
            "date": int(now),
            "text": plain,
        }
        if entities:
            message["entities"] = entities
        keyboard = _shown_keyboard(markup)
        if keyboard:
            message["reply_markup"] = keyboard
        if preview:
            message["link_preview_options"] = preview
        if reply_to is not None:
            message["reply_to_message"] = chat.messages[reply_to]
        chat.messages[message_id] = message
        chat.bot_message_ids.add(message_id)
        record = SentMessage(
            chat_id=chat.id,
            message_id=message_id,
            text=text or "",
            plain_text=plain,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,
            disable_notification=validate.bool_param(params, "disable_notification"),
            link_preview_options=preview,
            reply_to_message_id=reply_to,
            protect_content=validate.bool_param(params, "protect_content"),
            time=now,
        )
        self.sent.append(record)
        if self._state_file is not None:
            self._state_file.append(record)
        return message

    def _flood_check(self, method: str, chat_id: int) -> None:
        if method.lower() not in self.limited_methods:
            return
        retry_after = self.flood.try_acquire(chat_id)
        if retry_after is not None:
            self.rate_limited += 1
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )

    def _link_preview(self, params: dict[str, Any]) -> dict | None:
        preview = validate.json_param(params, "link_preview_options", "link preview options")
        if preview is not None and not isinstance(preview, dict):
            raise bad_request("can't parse link preview options JSON object")
        if preview is None and validate.bool_param(params, "disable_web_page_preview"):
            preview = {"is_disabled": True}
        return preview

    def _reply_target(self, chat: Chat, params: dict[str, Any]) -> int | None:
        reply = validate.json_param(params, "reply_parameters", "reply parameters")
        if reply is None:
            legacy = validate.int_param(params, "reply_to_message_id")
            if legacy is None:
                return None
            reply = {
                "message_id": legacy,
                "allow_sending_without_reply": validate.bool_param(
                    params, "allow_sending_without_reply"
                ),
            }
        if not isinstance(reply, dict) or "message_id" not in reply:
            raise bad_request("can't parse reply parameters JSON object")
        message_id = int(reply["message_id"])
        if message_id in chat.messages:
            return message_id
        if reply.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")

    def _edit_target(self, params: dict[str, Any]) -> tuple[Chat, dict]:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._target_chat(params)
        message_id = validate.int_param(params, "message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if message_id not in chat.bot_message_ids:
            raise bad_request("message can't be edited")
        return chat, message

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._edit_target(params)
        text = validate.str_param(params, "text")
        parse_mode = validate.str_param(params, "parse_mode")
        plain, entities = validate.format_text(
            text, parse_mode, params.get("entities"), strict_html=self.strict_html
        )
        markup = _edit_markup(params)
        preview = self._link_preview(params)
        inline = _shown_keyboard(markup)
        if (
            plain == message.get("text")
            and entities == message.get("entities", [])
            and inline == message.get("reply_markup")
        ):
            raise bad_request(NOT_MODIFIED)
        message["text"] = plain
        _set_or_drop(message, "entities", entities)
        _set_or_drop(message, "reply_markup", inline)
        message["edit_date"] = int(self.clock())
        self.edits.append(
            Edit(
                "editMessageText",
                chat.id,
                message["message_id"],
                text,
                plain,
                parse_mode,
                markup,
                preview,
                self.clock(),
            )
        )
        return message

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._edit_target(params)
        markup = _edit_markup(params)
        keyboard = _shown_keyboard(markup)
        if keyboard == message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        _set_or_drop(message, "reply_markup", keyboard)
        message["edit_date"] = int(self.clock())
        self.edits.append(
            Edit(
                "editMessageReplyMarkup",
                chat.id,
                message["message_id"],
                None,
                None,
                None,
                markup,
                None,
                self.clock(),
            )
        )
        return message

    def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat = self._target_chat(params)
        message_id = validate.int_param(params, "message_id")
        if message_id is None or message_id not in chat.messages:
            raise bad_request("message to delete not found")
        del chat.messages[message_id]
        chat.bot_message_ids.discard(message_id)
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = validate.str_param(params, "callback_query_id") or ""
        query = self._callbacks.get(query_id)
        if query is None or query.answered:
            raise bad_request(QUERY_INVALID)
        text = validate.str_param(params, "text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                chat_id=query.chat_id,
                message_id=query.message_id,
                text=text,
                show_alert=validate.bool_param(params, "show_alert"),
                url=validate.str_param(params, "url"),
                cache_time=validate.int_param(params, "cache_time"),
                time=self.clock(),
            )
        )
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = validate.commands(params)
        scope = validate.command_scope(params)
        key = validate.scope_key(scope, validate.str_param(params, "language_code"))
        self.command_menus[key] = commands
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict]:
        scope = validate.command_scope(params)
        key = validate.scope_key(scope, validate.str_param(params, "language_code"))
        return list(self.command_menus.get(key, []))

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        scope = validate.command_scope(params)
        key = validate.scope_key(scope, validate.str_param(params, "language_code"))
        self.command_menus.pop(key, None)
        return True

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        chat = self._target_chat(params)
        action = validate.str_param(params, "action")
        if action not in validate.CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((chat.id, action, self.clock()))
        return True

    def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        """A group's members are whoever wrote there; `group_admins[chat]` holds its admins."""
        chat = self._target_chat(params)
        try:
            user_id = int(params.get("user_id") or "")
        except ValueError:
            raise bad_request("invalid user_id specified") from None
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("PARTICIPANT_ID_INVALID")
        if chat.type == "private":
            status = "member" if user_id == chat.id else "left"
        else:
            status = "administrator" if user_id in self.group_admins.get(chat.id, ()) else "member"
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            )
        return member

    def _m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params)
        return {**chat.to_json(), "accent_color_id": 0, "max_reaction_count": 11}

    # ----- statistics -----------------------------------------------------------------------

    def stats(self, key: DedupeKey = default_dedupe_key) -> Stats:
        """Counts over everything accepted so far; ``key`` decides what a duplicate is."""
        dupes = duplicate_counts(self.sent, key)
        extra = sum(count - 1 for count in dupes.values())
        return Stats(
            sends_accepted=len(self.sent),
            unique_deliveries=len(self.sent) - extra,
            duplicates=extra,
            rate_limited=self.rate_limited,
            injected_429=self.injected_429,
            requests=len(self.requests),
            errors_by_status={s: c for s, c in self._status_counts.items() if s != 200},
            methods=dict(self._method_counts),
            per_second=per_second(self.sent),
            attempts_per_second=per_second(
                r for r in self.requests if r.method.lower() == "sendmessage"
            ),
            first_send=self.sent[0].time if self.sent else None,
            last_send=self.sent[-1].time if self.sent else None,
        )


def _edit_markup(params: dict[str, Any]) -> dict | None:
    """Edits accept only an inline keyboard (or none)."""
    markup = validate.reply_markup(params)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


def _shown_keyboard(markup: dict | None) -> dict | None:
    """The inline keyboard a message carries; an empty one is no keyboard, as on Telegram."""
    if markup and any(markup.get("inline_keyboard") or ()):
        return markup
    return None


def _set_or_drop(message: dict, name: str, value: Any) -> None:
    if value:
        message[name] = value
    else:
        message.pop(name, None)


def _update_type(update: dict) -> str:
    return next(k for k in update if k != "update_id")
