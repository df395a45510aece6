"""`/settings` `/pengaturan` with buttons, and pausing (`/berhenti`, the pause buttons).

A pause keeps every choice (divisions, scope, times, mode): `subscriber.paused_until` holds
when it ends, `PAUSED_UNTIL_RESUMED` for "until resumed", and the queries that pick who gets a
digest or an instant push skip paused readers (announcements still reach them). Coming back is
one tap.

Callback data is `set:<action>`: `div`, `reg`, `time`, `t:<HHMM>`, `mode`, `p1d`, `p7d`,
`resume` (and `back`: resume from the /berhenti reply); anything else under `set:` is stale
or forged.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.catalog import division_short_names
from bot.context import BotDeps, deps
from bot.handlers import picker, region
from bot.handlers.common import delivery_phrase, moment, reschedule
from bot.handlers.press import subscriber_press
from digests import texts
from digests.delivery import scheduled
from digests.delivery.schedule import display_time, parse_time
from digests.store import subscribers
from digests.store.models import Subscriber
from digests.store.types import utcnow

PREFIX = "set:"
PATTERN = r"^set:"
DIVISIONS, REGION, TIME, MODE, DAY, WEEK, RESUME, BACK = (
    "div",
    "reg",
    "time",
    "mode",
    "p1d",
    "p7d",
    "resume",
    "back",
)
PAUSES = {DAY: timedelta(days=1), WEEK: timedelta(days=7)}
# The daily times offered as buttons; any other time is one /waktu away.
OFFERED_TIMES = ("06:00", "07:00", "12:00", "17:00")


def _button(label: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=PREFIX + action)


def keyboard(subscriber: Subscriber) -> InlineKeyboardMarkup:
    paused = subscribers.paused_until(subscriber, utcnow()) is not None
    mode = (
        _button(texts.SETTINGS_TO_SCHEDULED_BUTTON, MODE)
        if subscriber.instant
        else _button(texts.SETTINGS_TO_INSTANT_BUTTON, MODE)
    )
    rows = [
        [
            _button(texts.SETTINGS_DIVISIONS_BUTTON, DIVISIONS),
            _button(texts.SETTINGS_REGION_BUTTON, REGION),
        ],
        [_button(texts.SETTINGS_TIME_BUTTON, TIME), mode],
    ]
    if paused:
        rows.append([_button(texts.RESUME_BUTTON, RESUME)])
    else:
        rows.append([_button(texts.PAUSE_DAY_BUTTON, DAY), _button(texts.PAUSE_WEEK_BUTTON, WEEK)])
    return InlineKeyboardMarkup(rows)


def _times_keyboard() -> InlineKeyboardMarkup:
    buttons = [
        _button(display_time(label), "t:" + label.replace(":", "")) for label in OFFERED_TIMES
    ]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def describe(d: BotDeps, subscriber: Subscriber) -> str:
    until = subscribers.paused_until(subscriber, utcnow())
    paused = None
    if until is not None:
        paused = "" if until >= subscribers.PAUSED_UNTIL_RESUMED else moment(d.settings, until)
    next_at = None
    if subscriber.next_digest_at and not subscriber.instant:
        next_at = moment(d.settings, subscriber.next_digest_at)
    return texts.settings(
        active=subscriber.active,
        names=division_short_names(subscriber.divisions),
        when=delivery_phrase(d.settings, subscriber),
        next_at=next_at,
        scope=region.describe(subscriber.regions),
        paused=paused,
    )


def _message(update: Update) -> Message:
    assert update.effective_message is not None
    return update.effective_message


async def show_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    chat_id = update.effective_chat.id if update.effective_chat else 0
    subscriber = await subscribers.get(d.db, chat_id)
    if subscriber is None:
        await _message(update).reply_text(texts.NOT_REGISTERED)
        return
    await _message(update).reply_text(describe(d, subscriber), reply_markup=keyboard(subscriber))


async def pause(d: BotDeps, chat_id: int, length: timedelta | None) -> Subscriber | None:
    """Pause for `length` (None: until resumed). A timed pause's next digest is the first
    delivery time after it ends, not a catch-up the minute it ends."""
    until = subscribers.PAUSED_UNTIL_RESUMED if length is None else utcnow() + length
    updated = await subscribers.pause(d.db, chat_id, until)
    if updated is not None and length is not None:
        await scheduled.reschedule(d.db, updated, d.settings, now=until)
    return updated


def _resume_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.RESUME_BUTTON, BACK)]])


async def pause_and_reply(d: BotDeps, message: Message, chat_id: int) -> None:
    """`/berhenti` without divisions: pause until resumed, with the one-tap way back."""
    await pause(d, chat_id, None)
    await message.reply_text(texts.PAUSED_FOREVER, reply_markup=_resume_keyboard())


async def resume(d: BotDeps, chat_id: int) -> Subscriber | None:
    updated = await subscribers.resume(d.db, chat_id)
    if updated is not None:
        await reschedule(d, updated)
    return updated


async def _redraw(query: object, d: BotDeps, subscriber: Subscriber) -> None:
    try:
        await query.edit_message_text(  # type: ignore[attr-defined]
            describe(d, subscriber), reply_markup=keyboard(subscriber)
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    known = {DIVISIONS, REGION, TIME, MODE, DAY, WEEK, RESUME, BACK}
    known |= {"t:" + label.replace(":", "") for label in OFFERED_TIMES}
    press = await subscriber_press(
        update, context, prefix=PREFIX, accepts=known.__contains__, keyboard="settings"
    )
    if press is None:
        return
    query, action, d, subscriber = press
    chat_id = subscriber.chat_id
    chosen_time = action.removeprefix("t:") if action.startswith("t:") else None
    message = query.message if isinstance(query.message, Message) else None

    if action == DIVISIONS and message is not None:
        await message.reply_text(
            texts.PICKER_PROMPT, reply_markup=picker.keyboard(subscriber.divisions)
        )
    elif action == REGION and message is not None:
        await message.reply_text(
            texts.region_picker(region.describe(subscriber.regions)),
            reply_markup=region.keyboard(subscriber.regions, 0),
        )
    elif action == TIME and message is not None:
        await message.reply_text(texts.SETTINGS_TIME_PROMPT, reply_markup=_times_keyboard())
    elif chosen_time is not None:
        label = f"{chosen_time[:2]}:{chosen_time[2:]}"
        parse_time(label)  # offered above: always a valid time
        updated = await subscribers.set_delivery(d.db, chat_id, times=[label], instant=False)
        assert updated is not None
        await reschedule(d, updated)
        await query.edit_message_text(
            texts.time_set(delivery_phrase(d.settings, updated)), reply_markup=None
        )
    elif action == MODE:
        updated = await subscribers.set_delivery(
            d.db, chat_id, times=None, instant=not subscriber.instant
        )
        assert updated is not None
        await reschedule(d, updated)
        await _redraw(query, d, updated)
    elif action in PAUSES:
        updated = await pause(d, chat_id, PAUSES[action])
        assert updated is not None
        await _redraw(query, d, updated)
    elif action == RESUME:
        updated = await resume(d, chat_id)
        assert updated is not None
        await _redraw(query, d, updated)
    elif action == BACK:  # the /berhenti reply says, in place, that the pause is over
        updated = await resume(d, chat_id)
        assert updated is not None
        await query.edit_message_text(
            texts.resumed(delivery_phrase(d.settings, updated)), reply_markup=None
        )
    await query.answer()
