"""Commands every staff member uses: registration, divisions, schedule, reading and searching."""

from __future__ import annotations

import logging
from datetime import tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.catalog import division_description, division_names, division_slugs
from bot.context import deps
from bot.handlers import picker, region
from bot.handlers.common import (
    delivery_phrase,
    register,
    reply_blocks,
    reply_parts,
    reschedule,
)
from digests import texts
from digests.delivery import selection
from digests.delivery.compose import (
    entries_from_articles,
    entry_from_article,
    group_by_division,
    render_article,
    render_digest,
)
from digests.delivery.schedule import parse_delivery_times
from digests.store import queries, subscribers
from digests.store.models import Article

log = logging.getLogger(__name__)

ALL_WORDS = frozenset({"semua", "all"})
LATEST_DEFAULT, LATEST_MAX = 5, 20
SEARCH_LIMIT, SEARCH_MAX_CHARS = 10, 100

DELETE_YES, DELETE_NO = "del:yes", "del:no"
DELETE_PATTERN = r"^del:"


def _message(update: Update) -> Message:
    assert update.effective_message is not None
    return update.effective_message


def _parse_slugs(args: list[str]) -> tuple[list[str], list[str], bool]:
    """(known slugs, unknown words, "semua" given) from command arguments like `#data, teknis`."""
    words = [w.strip("#,;").lower() for arg in args for w in arg.split(",")]
    words = [w for w in words if w]
    everything = any(w in ALL_WORDS for w in words)
    valid = set(division_slugs())
    known = [w for w in dict.fromkeys(words) if w in valid]
    unknown = [w for w in dict.fromkeys(words) if w not in valid and w not in ALL_WORDS]
    return known, unknown, everything


# --- registration and help ------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    subscriber = await register(deps(context), update)
    user = update.effective_user
    await _message(update).reply_text(
        texts.start(user.first_name if user else None),
        reply_markup=picker.keyboard(subscriber.divisions),
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    text = texts.HELP
    if deps(context).settings.is_admin(user.id if user else None):
        text += texts.ADMIN_HELP
    await _message(update).reply_text(text)


async def divisions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    slugs = division_slugs()
    rows = [
        (slug, name, division_description(slug))
        for slug, name in zip(slugs, division_names(slugs), strict=True)
    ]
    await _message(update).reply_text(texts.divisions_list(rows))


# --- divisions ------------------------------------------------------------------------------


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = _message(update)
    known, unknown, everything = _parse_slugs(context.args or [])
    if unknown:
        await message.reply_text(texts.unknown_divisions(unknown, division_slugs()))
        return
    subscriber = await register(d, update)
    if not known and not everything:
        await message.reply_text(
            texts.SUBSCRIBE_USAGE, reply_markup=picker.keyboard(subscriber.divisions)
        )
        return
    wanted = set(division_slugs()) if everything else set(known)

    def add(current: list[str]) -> list[str]:
        chosen = set(current) | wanted
        return [s for s in division_slugs() if s in chosen]

    updated = await subscribers.change_divisions(d.db, subscriber.chat_id, add)
    assert updated is not None
    await reschedule(d, updated)
    await message.reply_text(
        texts.subscribed(division_names(updated.divisions))
        + "\n"
        + texts.time_set(delivery_phrase(d.settings, updated))
    )


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = _message(update)
    chat_id = update.effective_chat.id if update.effective_chat else 0
    known, unknown, everything = _parse_slugs(context.args or [])
    if unknown:
        await message.reply_text(texts.unknown_divisions(unknown, division_slugs()))
        return
    subscriber = await subscribers.get(d.db, chat_id)
    if subscriber is None:
        await message.reply_text(texts.NOT_REGISTERED)
        return
    if everything or not known:
        await subscribers.deactivate(d.db, chat_id, reason="unsubscribed")
        await message.reply_text(texts.UNSUBSCRIBED_ALL)
        return
    removed = [s for s in known if s in subscriber.divisions]
    if not removed:
        await message.reply_text(texts.not_subscribed_to(known))
        return
    updated = await subscribers.change_divisions(
        d.db, chat_id, lambda current: [s for s in current if s not in removed]
    )
    remaining = updated.divisions if updated else []
    await message.reply_text(texts.unsubscribed(division_names(removed), division_names(remaining)))


# --- schedule, settings, data ---------------------------------------------------------------


async def set_time(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = _message(update)
    try:
        spec = parse_delivery_times(" ".join(context.args or []))
    except ValueError as exc:
        await message.reply_text(texts.time_invalid(str(exc)))
        return
    subscriber = await register(d, update)
    updated = await subscribers.set_delivery(
        d.db,
        subscriber.chat_id,
        times=spec.labels if not spec.instant else None,
        instant=spec.instant,
    )
    assert updated is not None
    await reschedule(d, updated)
    await message.reply_text(texts.time_set(delivery_phrase(d.settings, updated)))


async def show_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    chat_id = update.effective_chat.id if update.effective_chat else 0
    subscriber = await subscribers.get(d.db, chat_id)
    if subscriber is None:
        await _message(update).reply_text(texts.NOT_REGISTERED)
        return
    next_at = None
    if subscriber.next_digest_at and not subscriber.instant:
        next_at = subscriber.next_digest_at.astimezone(d.settings.tz).strftime("%d-%m-%Y %H:%M")
    await _message(update).reply_text(
        texts.settings(
            active=subscriber.active,
            names=division_names(subscriber.divisions),
            when=delivery_phrase(d.settings, subscriber),
            next_at=next_at,
            scope=region.describe(subscriber.regions),
        )
    )


async def delete_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask before deleting; the buttons carry the asker's id, so in a group only they (or a
    group admin) can confirm."""
    asker = update.effective_user.id if update.effective_user else 0
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.DELETE_YES_BUTTON, callback_data=f"{DELETE_YES}:{asker}"
                ),
                InlineKeyboardButton(texts.DELETE_NO_BUTTON, callback_data=f"{DELETE_NO}:{asker}"),
            ]
        ]
    )
    await _message(update).reply_text(texts.DELETE_CONFIRM, reply_markup=buttons)


async def _may_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE, asker: int) -> bool:
    """The asker always; in a group also its administrators; nobody else."""
    chat, presser = update.effective_chat, update.effective_user
    if chat is None or presser is None:
        return False
    if presser.id == asker:
        return True
    if chat.type == "private":
        return False
    member = await context.bot.get_chat_member(chat.id, presser.id)
    return member.status in ("administrator", "creator")


async def on_delete_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or update.effective_chat is None:
        return
    action, _, asker_text = (query.data or "").rpartition(":")
    if action not in (DELETE_YES, DELETE_NO) or not asker_text.isdigit():
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    if not await _may_confirm(update, context, int(asker_text)):
        await query.answer(texts.DELETE_NOT_YOURS, show_alert=True)
        return
    if action == DELETE_NO:
        await query.edit_message_text(texts.DELETE_CANCELLED, reply_markup=None)
        await query.answer()
        return
    d, chat_id = deps(context), update.effective_chat.id
    private = update.effective_chat.type == "private"
    # The person's own traces go with their private chat; a group's deletion is the group's.
    person = update.effective_user.id if private and update.effective_user else None
    existed = await subscribers.delete_all_data(d.db, chat_id, person)
    if d.sender is not None:
        # Rows are gone; what this process's sender already holds must not go out either.
        await d.sender.forget_chat(chat_id)
    await query.edit_message_text(
        texts.DELETED if existed else texts.NOTHING_TO_DELETE, reply_markup=None
    )
    await query.answer()


# --- reading news ---------------------------------------------------------------------------


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = _message(update)
    chat_id = update.effective_chat.id if update.effective_chat else 0
    subscriber = await subscribers.get(d.db, chat_id)
    if subscriber is None:
        await message.reply_text(texts.NOT_REGISTERED)
        return
    if not subscriber.divisions:
        await message.reply_text(texts.NO_DIVISIONS)
        return
    parts = await selection.build_digest_for(d.db, subscriber, d.settings)
    if not parts:
        await message.reply_text(texts.DIGEST_EMPTY)
        return
    await reply_parts(message, parts)


def _render(article: Article, tz: tzinfo) -> str:
    return render_article(entry_from_article(article), tz)


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = _message(update)
    args = context.args or []
    count = LATEST_DEFAULT
    if args:
        number = args[0]
        if len(args) > 1 or not (number.isascii() and number.isdigit()):
            await message.reply_text(texts.LATEST_BAD_N.format(max=LATEST_MAX))
            return
        if not 1 <= int(number) <= LATEST_MAX:
            await message.reply_text(texts.LATEST_BAD_N.format(max=LATEST_MAX))
            return
        count = int(number)
    chat_id = update.effective_chat.id if update.effective_chat else 0
    subscriber = await subscribers.get(d.db, chat_id)
    wanted = subscriber.divisions if subscriber and subscriber.divisions else None
    scope = subscriber.regions if subscriber else None
    articles = await queries.latest_articles(d.db, count, wanted, regions=scope)
    if not articles:
        await message.reply_text(texts.NO_ARTICLES)
        return
    # Under division headings, as in a digest; republished copies of a story shown once.
    groups = group_by_division(entries_from_articles(articles), wanted)
    count = sum(len(entries) for entries in groups.values())
    parts = render_digest(groups, tz=d.settings.tz, header=texts.latest_header(count))
    await reply_parts(message, parts or [texts.NO_ARTICLES])


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = _message(update)
    query = " ".join(context.args or []).strip()
    if not query:
        await message.reply_text(texts.SEARCH_USAGE)
        return
    if len(query) > SEARCH_MAX_CHARS:
        await message.reply_text(texts.SEARCH_TOO_LONG.format(max=SEARCH_MAX_CHARS))
        return
    chat_id = update.effective_chat.id if update.effective_chat else 0
    subscriber = await subscribers.get(d.db, chat_id)
    scope = subscriber.regions if subscriber else None
    articles = await queries.search_articles(d.db, query, SEARCH_LIMIT, regions=scope)
    if not articles:
        await message.reply_text(texts.search_none(query))
        return
    blocks = [texts.search_header(query, len(articles))]
    blocks += [_render(article, d.settings.tz) for article in articles]
    await reply_blocks(message, blocks)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _message(update).reply_text(texts.UNKNOWN_COMMAND)


async def plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _message(update).reply_text(texts.PLAIN_TEXT_HINT)
