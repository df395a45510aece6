"""The stand-in Telegram Bot API server and the control surface tests drive it with.

``BotApiServer`` serves ``/bot<token>/<method>`` over real HTTP on 127.0.0.1 so the real bot
(python-telegram-bot) is exercised end to end, and it lets a test play the users (push
messages and button presses), inject failures, and observe everything the bot sent.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from .control import handle_control
from .httpserver import HttpRequest, HttpResponse, HttpServer
from .ratelimit import RateLimits
from .records import DedupeKey, SentMessage, Stats, default_dedupe_key, duplicate_counts
from .state import (
    FAILURE_KINDS,
    BotApiState,
    CallbackQuery,
    Drop,
    FailureRule,
    detect_entities,
)
from .validate import ApiError, scope_key

T = TypeVar("T")
_API_PATH = re.compile(r"^/bot([^/]*)/([^/]*)$")
_NOT_FOUND = ApiError(404, "Not Found")


class BotApiServer(BotApiState):
    """A Bot API stand-in bound to the event loop that starts it.

    Controls (push_*, block, fail_next, …) may be called from any thread; they run on the
    server's loop. Observers (sent, edits, stats(), …) are plain reads.
    """

    shutdown_requested: asyncio.Event | None = None  # set by __main__ for POST /_control/shutdown

    def __init__(self, *args: Any, host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http = HttpServer(self._handle, host, port)
        self.host = host
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._waiters: list[asyncio.Future] = []
        self._version = 0
        self._cond = threading.Condition()
        self._webhook_task: asyncio.Task | None = None
        self._webhook_event: asyncio.Event | None = None

    # ----- lifecycle ------------------------------------------------------------------------

    async def start(self) -> BotApiServer:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self.port = await self._http.start()
        return self

    async def stop(self) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        await self._http.stop()
        if self._state_file is not None:
            self._state_file.close()

    async def __aenter__(self) -> BotApiServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What the bot takes as ``base_url`` (PTB appends the token)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def control_url(self) -> str:
        return f"http://{self.host}:{self.port}/_control"

    # ----- HTTP -----------------------------------------------------------------------------

    async def _handle(self, request: HttpRequest) -> HttpResponse | None:
        if request.path.startswith("/_control/"):
            return await handle_control(self, request)
        match = _API_PATH.match(request.path)
        if match is None:
            return _json_response(_NOT_FOUND.status, _NOT_FOUND.to_json())
        token, method = match.groups()
        error = self.token_error(token)
        if error is None and not method:
            error = _NOT_FOUND
        if error is None:
            try:
                params = decode_params(request)
            except ApiError as exc:
                error = exc
        if error is not None:
            return _json_response(error.status, error.to_json())
        try:
            result = await self.call(method, params, request.disconnected)
        except ApiError as exc:
            return _json_response(exc.status, exc.to_json())
        except Drop as drop:
            if drop.hold:
                await _hold(drop.hold, request)
            return None
        if method.lower() == "setwebhook":
            self._ensure_webhook_worker()
        return _json_response(200, {"ok": True, "result": result})

    # ----- waking waiters -------------------------------------------------------------------

    def _changed(self) -> None:
        self._version += 1
        waiters, self._waiters = self._waiters, []
        for future in waiters:
            if not future.done():
                future.set_result(None)
        with self._cond:
            self._cond.notify_all()

    def _updates_arrived(self) -> None:
        super()._updates_arrived()
        if self._webhook_event is not None:
            self._webhook_event.set()

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until ``predicate()`` is truthy, re-checking whenever the bot makes a request.

        Returns the predicate's value; raises TimeoutError naming the last requests seen.
        """
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            return await asyncio.to_thread(self.wait_for_sync, predicate, timeout)
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._timeout_report(timeout))
            future = loop.create_future()
            self._waiters.append(future)
            await asyncio.wait({future}, timeout=remaining)

    def wait_for_sync(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """``wait_for`` for a thread other than the server's (blocks that thread)."""
        if threading.get_ident() == self._loop_thread:
            raise RuntimeError("wait_for_sync would block the server's own loop; use wait_for")
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(self._timeout_report(timeout))
                self._cond.wait(remaining)

    async def wait_for_sent(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until ``chat_id`` has received at least ``count`` messages; return them all."""
        await self.wait_for(lambda: len(self.sent_to(chat_id)) >= count, timeout)
        return self.sent_to(chat_id)

    async def wait_for_request(self, method: str, count: int = 1, timeout: float = 5.0) -> list:
        """Wait until the bot has called ``method`` at least ``count`` times."""
        await self.wait_for(lambda: len(self.calls(method)) >= count, timeout)
        return self.calls(method)

    @property
    def polling(self) -> bool:
        """True while a getUpdates long poll is waiting for updates."""
        return self.in_flight["getupdates"] > 0

    async def wait_for_poll(self, timeout: float = 5.0) -> None:
        """Wait until the bot is blocked in a long poll (so it is ready for the next update)."""
        await self.wait_for(lambda: self.polling, timeout)

    def _timeout_report(self, timeout: float) -> str:
        recent = ", ".join(
            f"{r.method}->{r.status}" + (f" ({r.description})" if r.description else "")
            for r in self.requests[-8:]
        )
        return f"condition not met within {timeout}s; last bot requests: {recent or 'none'}"

    # ----- running code on the server's loop -------------------------------------------------

    def _in_loop(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` on the server's loop thread (state is only touched there)."""
        if self._loop is None or threading.get_ident() == self._loop_thread:
            return fn(*args, **kwargs)
        done: concurrent.futures.Future = concurrent.futures.Future()

        def run() -> None:
            try:
                done.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed back to the calling thread
                done.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return done.result(timeout=10)

    # ----- playing the users ----------------------------------------------------------------

    def push_message(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Pengguna",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
        reply_to: int | None = None,
        chat_id: int | None = None,
        entities: list[dict] | None = None,
    ) -> dict:
        """A user sends ``text`` (in their private chat unless ``chat_id``); returns the Update.

        Commands, links, mentions and hashtags get the entities a Telegram client adds.
        """
        return self._in_loop(
            self._push_message,
            user_id,
            text,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            reply_to=reply_to,
            chat_id=chat_id,
            entities=entities,
        )

    def _push_message(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
        reply_to: int | None,
        chat_id: int | None,
        entities: list[dict] | None,
    ) -> dict:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        chat = self.chat(user_id if chat_id is None else chat_id)
        if chat.type == "private":
            chat.first_name, chat.username = first_name, username
            chat.blocked = False  # writing to the bot again undoes a block, as on Telegram
        message: dict[str, Any] = {
            "message_id": chat.next_message_id,
            "from": user,
            "chat": chat.to_json(),
            "date": int(self.clock()),
            "text": text,
        }
        chat.next_message_id += 1
        found = detect_entities(text) if entities is None else entities
        if found:
            message["entities"] = found
        if reply_to is not None:
            if reply_to not in chat.messages:
                raise ValueError(f"message {reply_to} does not exist in chat {chat.id}")
            message["reply_to_message"] = chat.messages[reply_to]
        chat.messages[message["message_id"]] = message
        return self.add_update({"message": message})

    def push_callback(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None
    ) -> dict:
        """The user presses the button carrying ``data`` under the bot's message; the Update.

        Refuses data that no button of that message carries, since a real client cannot send it.
        """
        return self._in_loop(self._push_callback, user_id, message_id, data, chat_id)

    def _push_callback(self, user_id: int, message_id: int, data: str, chat_id: int | None) -> dict:
        chat = self.chats.get(user_id if chat_id is None else chat_id)
        message = chat.messages.get(message_id) if chat else None
        if chat is None or message is None or message_id not in chat.bot_message_ids:
            raise ValueError(f"the bot has no message {message_id} in chat {chat_id or user_id}")
        offered = [
            b.get("callback_data")
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])
            for b in row
        ]
        if data not in offered:
            raise ValueError(f"message {message_id} has no button with data {data!r}: {offered}")
        user = self.users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "Pengguna"}
        query_id = str(next(self._callback_ids))
        self._callbacks[query_id] = CallbackQuery(query_id, chat.id, message_id, data)
        return self.add_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": json.loads(json.dumps(message)),
                    "chat_instance": str(abs(chat.id) * 7919),
                    "data": data,
                }
            }
        )

    def press(
        self, user_id: int, label: str, *, message_id: int | None = None, chat_id: int | None = None
    ) -> dict:
        """Press the button whose label contains ``label`` (latest bot message that has one),
        in the user's private chat or in ``chat_id`` (a group)."""
        chat = self.chats.get(user_id if chat_id is None else chat_id)
        candidates = (
            [message_id]
            if message_id
            else sorted(chat.bot_message_ids if chat else (), reverse=True)
        )
        for mid in candidates:
            message = chat.messages.get(mid, {}) if chat else {}
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if label in button.get("text", "") and "callback_data" in button:
                        return self.push_callback(
                            user_id, mid, button["callback_data"], chat_id=chat_id
                        )
        raise ValueError(f"no button labelled {label!r} in chat {chat_id or user_id}")

    # ----- failures -------------------------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: sends to them get 403 "bot was blocked by the user"."""
        self._in_loop(lambda: setattr(self.chat(chat_id), "blocked", True))

    def unblock(self, chat_id: int) -> None:
        self._in_loop(lambda: setattr(self.chat(chat_id), "blocked", False))

    def deactivate(self, chat_id: int) -> None:
        """The account is deleted: 403 "user is deactivated" from now on."""
        self._in_loop(lambda: setattr(self.chat(chat_id), "deactivated", True))

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: 400 with ``parameters.migrate_to_chat_id``."""
        self._in_loop(lambda: setattr(self.chat(chat_id), "migrated_to", new_chat_id))

    def fail_next(
        self,
        chat_id: int | None,
        n: int = 1,
        kind: str | int = 429,
        *,
        method: str | None = None,
        retry_after: int = 1,
        description: str | None = None,
        hold: float = 0.0,
    ) -> None:
        """Fail the next ``n`` requests for ``chat_id`` (None: any request) of ``method``.

        ``kind``: 429 (with ``retry_after``), 400, 403, 500, 502, "drop" (connection closed
        without an answer) or "hang" (no answer for ``hold`` seconds, default until the client
        gives up, then dropped).
        """
        status = FAILURE_KINDS.get(str(kind).lower())
        if status is None:
            raise ValueError(f"unknown failure kind {kind!r}; one of {sorted(FAILURE_KINDS)}")
        if status == -1 and not hold:
            hold = 3600.0
        rule = FailureRule(chat_id, method, n, status, retry_after, description, hold)
        self._in_loop(self._failures.append, rule)

    @property
    def pending_failures(self) -> int:
        """Injected failures not yet used up (0 once every fail_next has struck)."""
        return sum(rule.remaining for rule in self._failures)

    def set_limits(
        self,
        global_per_second: int | None = None,
        per_chat_per_second: float | None = None,
        per_chat_burst: int = 3,
        per_group_per_minute: int | None = None,
    ) -> None:
        """Switch flood control on (numbers) or off (None); counters of 429s stay."""
        limits = RateLimits(
            global_per_second, per_chat_per_second, per_chat_burst, per_group_per_minute
        )
        self._in_loop(self.flood.configure, limits)

    def clear_records(self) -> None:
        """Forget what was sent and requested (e.g. between benchmark rounds); chats stay."""

        def clear() -> None:
            for log in (self.sent, self.edits, self.callback_answers, self.requests):
                log.clear()
            self.chat_actions.clear()
            self.rate_limited = self.injected_429 = 0
            self._status_counts.clear()
            self._method_counts.clear()

        self._in_loop(clear)

    # ----- observing ------------------------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == chat_id]

    def last_sent(self, chat_id: int) -> SentMessage | None:
        for message in reversed(self.sent):
            if message.chat_id == chat_id:
                return message
        return None

    def message(self, chat_id: int, message_id: int) -> dict | None:
        """The message as the user sees it now (after edits), in Bot API shape."""
        chat = self.chats.get(chat_id)
        return chat.messages.get(message_id) if chat else None

    def calls(self, method: str) -> list:
        """Requests to ``method`` (case-insensitive), whatever their outcome."""
        wanted = method.lower()
        return [r for r in self.requests if r.method.lower() == wanted]

    def commands(self, scope: dict | None = None, language_code: str = "") -> list[dict] | None:
        """The command menu set for exactly this scope and language (None if never set)."""
        return self.command_menus.get(scope_key(scope or {"type": "default"}, language_code))

    def visible_commands(self, chat_id: int, language_code: str = "") -> list[dict]:
        """The menu a private-chat user sees: chat scope, then all private chats, then default."""
        for scope in (
            {"type": "chat", "chat_id": chat_id},
            {"type": "all_private_chats"},
            {"type": "default"},
        ):
            for lang in dict.fromkeys((language_code, "")):
                menu = self.commands(scope, lang)
                if menu is not None:
                    return menu
        return []

    def duplicates(self, key: DedupeKey = default_dedupe_key) -> dict:
        """Deliveries that happened more than once, by ``key`` (default: same chat and text)."""
        return self._in_loop(duplicate_counts, self.sent, key)

    def stats(self, key: DedupeKey = default_dedupe_key) -> Stats:
        """Counts so far (computed on the server's loop, so safe from any thread)."""
        return self._in_loop(super().stats, key)

    # ----- webhook delivery -----------------------------------------------------------------

    def _ensure_webhook_worker(self) -> None:
        if self.webhook.get("url") and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_event = asyncio.Event()
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhooks())

    async def _deliver_webhooks(self) -> None:
        """POST pending updates to the webhook one at a time, retrying like Telegram does."""
        import httpx

        async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
            while self.webhook.get("url"):
                if not self._updates:
                    assert self._webhook_event is not None
                    self._webhook_event.clear()
                    await self._webhook_event.wait()
                    continue
                update = self._updates[0]
                headers = {}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
                try:
                    response = await client.post(self.webhook["url"], json=update, headers=headers)
                    status = response.status_code
                except httpx.HTTPError as exc:
                    status, error = 0, f"Connection failed: {exc.__class__.__name__}"
                else:
                    error = f"Wrong response from the webhook: {status}"
                self.webhook_deliveries.append((update["update_id"], status, self.clock()))
                if 200 <= status < 300:
                    if self._updates and self._updates[0] is update:
                        self._updates.pop(0)
                else:
                    self.webhook["last_error_date"] = int(self.clock())
                    self.webhook["last_error_message"] = error
                    await asyncio.sleep(0.2)
                self._changed()


def decode_params(request: HttpRequest) -> dict[str, Any]:
    """Parameters from the query string and a form, JSON or multipart body, as Telegram takes."""
    params: dict[str, Any] = dict(request.query)
    body = request.body
    if not body:
        return params
    content_type = request.headers.get("content-type", "")
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
        if not isinstance(data, dict):
            raise ApiError(400, "Bad Request: JSON object expected")
        params.update(data)
    elif kind == "multipart/form-data":
        from tornado.httputil import parse_body_arguments

        arguments: dict[str, list[bytes]] = {}
        files: dict[str, list] = {}
        parse_body_arguments(content_type, body, arguments, files)
        params.update({k: v[-1].decode("utf-8") for k, v in arguments.items()})
        params.update({k: v[-1] for k, v in files.items()})
    else:
        try:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise ApiError(400, "Bad Request: strings must be encoded in UTF-8") from None
    return params


async def _hold(seconds: float, request: HttpRequest) -> None:
    """Keep a request unanswered for ``seconds`` or until its client gives up."""
    deadline = time.monotonic() + seconds
    while not request.disconnected() and time.monotonic() < deadline:
        await asyncio.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


def _json_response(status: int, body: dict) -> HttpResponse:
    return HttpResponse(status, json.dumps(body, ensure_ascii=False).encode("utf-8"))


class BotApiThread:
    """Runs a BotApiServer on its own loop in a background thread.

    For tests whose bot runs in a subprocess, or synchronous code: control methods called from
    this thread are forwarded to the server's loop; use ``api.wait_for_sync`` to wait.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.api: BotApiServer | None = None

    def start(self) -> BotApiServer:
        self._thread.start()

        async def make() -> BotApiServer:
            return await BotApiServer(**self._kwargs).start()

        self.api = asyncio.run_coroutine_threadsafe(make(), self._loop).result(timeout=10)
        return self.api

    def stop(self) -> None:
        if self.api is not None:
            asyncio.run_coroutine_threadsafe(self.api.stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> BotApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
