"""Who may do what, and how often: the admin check and the per-user politeness limit."""

from __future__ import annotations

import functools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import texts
from bot.context import deps

log = logging.getLogger(__name__)

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]


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
