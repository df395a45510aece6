"""The "Sudah dibaca" button under an announcement: a read receipt, once per reader.

The first press is recorded and the button turns into "✅ Dibaca"; a later press is answered
with when it was recorded and counts nothing. Data that no announcement sent to this chat
carries (forged, or from another chat) records nothing.
"""

from __future__ import annotations

import logging
import re

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.context import deps
from digests import texts
from digests.delivery import announcement, broadcasts
from digests.delivery.broadcasts import AckOutcome

log = logging.getLogger(__name__)

PATTERN = rf"^{announcement.ACK_PREFIX}"
# Nine digits at most: a forged id past PostgreSQL's 32-bit integer would fail the query.
_ACK_DATA = re.compile(rf"^{announcement.ACK_PREFIX}(\d{{1,9}})$")


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    match = _ACK_DATA.match(query.data or "")
    if match is None or query.message is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    broadcast_id = int(match.group(1))
    d = deps(context)
    ack = await broadcasts.acknowledge(d.db, broadcast_id, query.message.chat.id)
    if ack.outcome is AckOutcome.NOT_A_RECIPIENT:
        await query.answer(texts.ACK_NOT_FOUND, show_alert=True)
        return
    await _show_read(query, broadcast_id)
    if ack.outcome is AckOutcome.RECORDED:
        await query.answer(texts.ACK_RECORDED)
    else:
        assert ack.read_at is not None
        await query.answer(
            texts.ack_already(texts.show_date(ack.read_at, d.settings.tz, time=True))
        )


async def _show_read(query: CallbackQuery, broadcast_id: int) -> None:
    """Turn the button into "✅ Dibaca" unless it says so already."""
    done = announcement.read_done_button(broadcast_id)
    shown = query.message.reply_markup if isinstance(query.message, Message) else None
    if shown is not None and shown.to_dict() == done:
        return
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup.de_json(done, query.get_bot()))
    except BadRequest as exc:  # deleted meanwhile, or already edited by a concurrent press
        log.info("announcement button not updated: %s", exc)
