"""The division picker: an inline keyboard of divisions, each toggled with a ✅, edited in place.

Callback data is `div:<slug>` for a toggle and `div:!all`, `div:!none`, `div:!done` for the
bottom row; /start's picker has `div:!next` instead of `div:!done`, which goes on to the region
step. Buttons show the divisions' short names (the full ones are cut on a phone). Anything
else under the `div:` prefix, or a press from a chat we no longer know, is a stale or forged
button and gets a polite toast.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.catalog import division_short_names, division_slugs
from bot.handlers import region
from bot.handlers.common import delivery_phrase, reschedule
from bot.handlers.press import subscriber_press
from digests import texts
from digests.store import subscribers

PREFIX = "div:"
PATTERN = r"^div:"
ALL, NONE, DONE, NEXT = "!all", "!none", "!done", "!next"


def keyboard(selected: Sequence[str], *, onboarding: bool = False) -> InlineKeyboardMarkup:
    """The picker; `onboarding` (from /start) ends with Lanjut, to the region step."""
    chosen = set(selected)
    slugs = division_slugs()
    rows = [
        [
            InlineKeyboardButton(
                ("✅ " if slug in chosen else "▫️ ") + name, callback_data=PREFIX + slug
            )
        ]
        for slug, name in zip(slugs, division_short_names(slugs), strict=True)
    ]
    last = (
        InlineKeyboardButton(texts.PICKER_NEXT_BUTTON, callback_data=PREFIX + NEXT)
        if onboarding
        else InlineKeyboardButton(texts.PICKER_DONE_BUTTON, callback_data=PREFIX + DONE)
    )
    rows.append(
        [
            InlineKeyboardButton(texts.PICKER_ALL_BUTTON, callback_data=PREFIX + ALL),
            InlineKeyboardButton(texts.PICKER_NONE_BUTTON, callback_data=PREFIX + NONE),
            last,
        ]
    )
    return InlineKeyboardMarkup(rows)


def _onboarding(query: object) -> bool:
    """Whether the pressed picker is /start's (its last button is Lanjut)."""
    message = getattr(query, "message", None)
    markup = getattr(message, "reply_markup", None)
    rows = getattr(markup, "inline_keyboard", ()) or ()
    return any(button.callback_data == PREFIX + NEXT for row in rows for button in row)


def _in_catalog_order(slugs: Sequence[str]) -> list[str]:
    wanted = set(slugs)
    return [slug for slug in division_slugs() if slug in wanted]


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    valid = {*division_slugs(), ALL, NONE, DONE, NEXT}
    press = await subscriber_press(
        update, context, prefix=PREFIX, accepts=valid.__contains__, keyboard="picker"
    )
    if press is None:
        return
    query, action, d, subscriber = press
    chat_id = subscriber.chat_id

    # Answer last: the spinner on the button stops once the message shows the change.
    if action == DONE:
        names = division_short_names(subscriber.divisions)
        await query.edit_message_text(
            texts.picker_done(names, delivery_phrase(d.settings, subscriber)), reply_markup=None
        )
        await query.answer()
        return
    if action == NEXT:
        if not subscriber.divisions:
            await query.answer(texts.PICKER_CHOOSE_FIRST, show_alert=True)
            return
        names = division_short_names(subscriber.divisions)
        await query.edit_message_text(texts.picker_next(names), reply_markup=None)
        if query.message is not None:
            await query.message.reply_text(  # type: ignore[union-attr]
                texts.REGION_STEP,
                reply_markup=region.keyboard(subscriber.regions, 0, onboarding=True),
            )
        await query.answer()
        return

    def change(current: list[str]) -> list[str]:
        if action == ALL:
            return list(division_slugs())
        if action == NONE:
            return []
        if action in current:
            return [s for s in current if s != action]
        return _in_catalog_order([*current, action])

    updated = await subscribers.change_divisions(d.db, chat_id, change)
    if updated is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    await reschedule(d, updated)
    try:
        await query.edit_message_reply_markup(
            reply_markup=keyboard(updated.divisions, onboarding=_onboarding(query))
        )
    except BadRequest as exc:
        # "Semua" pressed when all are already chosen: nothing to redraw.
        if "not modified" not in str(exc).lower():
            raise
    await query.answer()
