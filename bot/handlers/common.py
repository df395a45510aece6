"""Small pieces several handler modules share: registration, schedule wording, long replies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import Message, Update

from bot.context import BotDeps
from bot.guards import without_nul
from digests import texts
from digests.config import Settings
from digests.delivery import scheduled
from digests.delivery.schedule import DeliverySpec, parse_time
from digests.delivery.telegram_html import split_message
from digests.store import subscribers
from digests.store.models import Subscriber


async def register(d: BotDeps, update: Update) -> Subscriber:
    """The subscriber of this chat, created (and scheduled) on first contact."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    subscriber, created = await subscribers.get_or_create(
        d.db,
        chat_id=chat.id,
        user_id=user.id if user else None,
        first_name=without_nul(user.first_name) if user else None,
        username=without_nul(user.username) if user else None,
        default_time=d.settings.default_digest_time,
    )
    if created or subscriber.next_digest_at is None:
        await reschedule(d, subscriber)
    return subscriber


async def reschedule(d: BotDeps, subscriber: Subscriber) -> None:
    await scheduled.reschedule(d.db, subscriber, d.settings)


def tz_label(settings: Settings) -> str:
    return datetime.now(settings.tz).tzname() or settings.timezone


def delivery_phrase(settings: Settings, subscriber: Subscriber) -> str:
    """ "pukul 07.00 dan 17.30 WIB" or the instant wording, HTML-safe."""
    spec = DeliverySpec(
        times=tuple(parse_time(t) for t in subscriber.delivery_times), instant=subscriber.instant
    )
    if not spec.instant and not spec.times:
        return texts.NOT_SCHEDULED
    phrase = texts.schedule_phrase(spec)
    if not spec.instant:
        phrase += f" {tz_label(settings)}"
    return texts.esc(phrase)


def moment(settings: Settings, when: datetime) -> str:
    """A moment as every reply writes it: "2 Desember 2026 pukul 07.00 WIB", HTML-safe."""
    return texts.esc(texts.show_date(when, settings.tz, time=True))


def first_delivery_phrase(settings: Settings, subscriber: Subscriber) -> str:
    """When the next digest comes, for the end of /start and for a resumed pause."""
    when = subscriber.next_digest_at
    return texts.first_digest(
        moment(settings, when) if when is not None else None, subscriber.instant
    )


async def reply_parts(message: Message, parts: Sequence[str]) -> None:
    """Send rendered HTML messages in order (each already within Telegram's limit)."""
    for part in parts:
        await message.reply_text(part)


async def reply_blocks(message: Message, blocks: Sequence[str]) -> None:
    """Pack rendered items into as few messages as fit, breaking only between items."""
    await reply_parts(message, split_message(blocks))
