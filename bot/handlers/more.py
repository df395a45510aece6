"""The "Lainnya" button under a digest: send the next page of that division.

Callback data is `more:<snapshot id>:<slug>:<offset>` (digests/delivery/pages.py checks it).
A press sends the page as new messages in the chat, takes the spent button off the pressed
message and answers last. A forged press, or one on a digest whose snapshot was pruned, gets a
polite toast and nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.context import deps
from digests import texts
from digests.delivery import pages

log = logging.getLogger(__name__)

PATTERN = pages.PATTERN


def keyboard(markup: Mapping[str, Any] | None) -> InlineKeyboardMarkup | None:
    """A stored inline keyboard (Bot API JSON of callback buttons) as PTB's object."""
    rows = (markup or {}).get("inline_keyboard") or []
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
            for row in rows
        ]
    )


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    chat = update.effective_chat
    press = pages.parse_callback(query.data)
    if press is None or chat is None:
        await query.answer(texts.PAGE_GONE, show_alert=True)
        return
    d = deps(context)
    messages = await pages.next_page(d.db, press, d.settings)
    if not messages:
        text = texts.PAGE_GONE if messages is None else texts.PAGE_EMPTY
        await query.answer(text, show_alert=True)
        return
    for text, markup in messages:
        await context.bot.send_message(chat.id, text, reply_markup=keyboard(markup))
    await _spend_button(query.message, query.data or "")
    await query.answer()


async def _spend_button(message: object, data: str) -> None:
    """Take the pressed button off its message, so a second tap does not send the page again.

    Best effort: an old or deleted message keeps its button (a later press resends the page).
    """
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    remaining = pages.without_button(message.reply_markup.to_dict(), data)
    try:
        await message.edit_reply_markup(reply_markup=keyboard(remaining))
    except BadRequest as exc:
        log.info("could not take a spent Lainnya button off message %s: %s", message.id, exc)
