"""Who may do what, how often, and in what order: the admin check, the per-user politeness
limit, the NUL-character check at the edge, concurrent updates that keep each chat's order; and
the one way the bot rides out a database outage."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, BaseUpdateProcessor, ContextTypes

from bot.context import deps
from digests import texts
from digests.store.db import Database
from digests.store.outage import is_unavailable

log = logging.getLogger(__name__)

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]


class OutageGuard:
    """Around one step of a job, a loop or a handler: a database outage is noted once in the
    database's shared outage log and swallowed (`happened` says so, for the caller's fallback);
    any other error is raised as before; a success notes that the database is back.

        with outage_guard(d.db, "digest job") as outage:
            queued = await scheduled.enqueue_due_digests(d.db, d.settings)
        if outage.happened:
            return  # the next run finds everything still due

    An outage a handler does not guard reaches `on_error`, which tells the user
    `texts.DATABASE_UNAVAILABLE`.
    """

    def __init__(self, db: Database, where: str) -> None:
        self.db = db
        self.where = where
        self.happened = False

    def __enter__(self) -> OutageGuard:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if exc is None:
            self.db.outage.recovered()
            return False
        if isinstance(exc, Exception) and is_unavailable(exc):
            self.db.outage.failed(exc, self.where)
            self.happened = True
            return True
        return False


def outage_guard(db: Database, where: str) -> OutageGuard:
    """See `OutageGuard`; `where` names the step in the outage's log line."""
    return OutageGuard(db, where)


async def refuse(update: Update, text: str) -> None:
    """Answer a button with a toast, a message with a reply."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


def admin_only(handler: Handler) -> Handler:
    """Run `handler` only for ADMIN_IDS; anyone else gets a short refusal and nothing happens."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
        user = update.effective_user
        if not deps(context).settings.is_admin(user.id if user else None):
            log.warning(
                "refused admin action %s for user %s", handler.__name__, user.id if user else None
            )
            await refuse(update, texts.NOT_ADMIN)
            return None
        return await handler(update, context)

    return guarded


class PolitenessLimit:
    """Slow down one user who sends too much, leaving everyone else untouched.

    Registered as a TypeHandler in group -1: it sees every update first and raises
    ApplicationHandlerStop to drop an update from a user over the limit. The user is told once
    per burst, not once per dropped update.
    """

    def __init__(
        self,
        max_updates: int = 20,
        per_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_updates = max_updates
        self.per_seconds = per_seconds
        self.clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._told: set[int] = set()

    def allow(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, tell the user now) for one more update from `user_id`."""
        now = self.clock()
        window = self._seen.setdefault(user_id, deque())
        while window and now - window[0] > self.per_seconds:
            window.popleft()
        if len(window) < self.max_updates:
            window.append(now)
            self._told.discard(user_id)
            self._forget_idle(now)
            return True, False
        tell = user_id not in self._told
        self._told.add(user_id)
        return False, tell

    def _forget_idle(self, now: float) -> None:
        if len(self._seen) < 1024:
            return
        for uid in [u for u, w in self._seen.items() if not w or now - w[-1] > self.per_seconds]:
            self._seen.pop(uid, None)
            self._told.discard(uid)

    async def __call__(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update) or update.effective_user is None:
            return
        allowed, tell = self.allow(update.effective_user.id)
        if allowed:
            return
        if tell:
            log.info("slowing down user %s", update.effective_user.id)
            await refuse(update, texts.SLOW_DOWN)
        elif update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop


NUL = "\x00"


def _texts_of(message: Message | None) -> list[str]:
    """What a handler may store from a message: its text or caption, and the replied-to one's."""
    found: list[str] = []
    for part in (message, message.reply_to_message if message else None):
        if part is not None:
            found += [t for t in (part.text, part.caption) if t]
    return found


async def refuse_nul(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A NUL character cannot be stored in PostgreSQL: refuse the message here, in the user's
    language, before any handler tries (instead of a traceback and a lost command)."""
    if not isinstance(update, Update):
        return
    if any(NUL in text for text in _texts_of(update.effective_message)):
        log.info("refused a message holding a NUL character")
        if update.effective_message is not None:
            await update.effective_message.reply_text(texts.NUL_REFUSED)
        raise ApplicationHandlerStop


def without_nul(value: str | None) -> str | None:
    """A name or username as stored: NUL characters dropped (Telegram allows them in names)."""
    return value.replace(NUL, "") if value else value


class PerChatOrder(BaseUpdateProcessor):
    """Handle up to `max_concurrent_updates` updates at once, but one at a time per chat.

    One slow command (a stuck database statement, a slow page for /ringkas) then holds up only
    its own chat, while a chat's messages and button presses still run in the order sent.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:
                del self._users[chat.id]
                self._locks.pop(chat.id, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
