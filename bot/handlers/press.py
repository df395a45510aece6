"""A press on a button of the chat's own settings (the division picker, /pengaturan): the checks
every such press passes before it changes anything."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.context import BotDeps, deps
from digests import texts
from digests.store import subscribers
from digests.store.models import Subscriber

log = logging.getLogger(__name__)


class SubscriberPress(NamedTuple):
    query: CallbackQuery
    action: str  # the callback data after the keyboard's prefix
    deps: BotDeps
    subscriber: Subscriber


async def subscriber_press(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    *,
    prefix: str,
    accepts: Callable[[str], bool],
    keyboard: str,
) -> SubscriberPress | None:
    """The press, its action and the chat's subscriber; None when there is nothing to act on.

    A button the keyboard never offers (`accepts` says no: stale or forged) and a press from a
    chat we no longer know are answered with the polite "stale button" toast.
    """
    query = update.callback_query
    if query is None or update.effective_chat is None:
        return None
    action = (query.data or "").removeprefix(prefix)
    if not accepts(action):
        log.info("stale or forged %s button %r", keyboard, query.data)
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return None
    d = deps(context)
    subscriber = await subscribers.get(d.db, update.effective_chat.id)
    if subscriber is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return None
    return SubscriberPress(query, action, d, subscriber)
