"""Commands every staff member uses: registration, divisions, schedule, reading and searching.

Settings and pausing (/pengaturan, /berhenti) live in bot/handlers/settings.py.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import tzinfo

import httpx
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.catalog import (
    closest_division,
    division_description,
    division_names,
    division_short_names,
    division_slugs,
    find_division,
)
from bot.context import BotDeps, deps
from bot.handlers import more, picker, region, settings, summary
from bot.handlers.common import (
    delivery_phrase,
    register,
    reply_blocks,
    reply_parts,
    reschedule,
)
from digests import texts
from digests.collect.sources import list_sources
from digests.collect.urls import host_allowed, origin_of
from digests.delivery import pages
from digests.delivery.entries import entries_from_articles, entry_from_article
from digests.delivery.ranking import group_by_division
from digests.delivery.render import render_article, render_digest
from digests.delivery.schedule import DeliveryTimeError, parse_delivery_times
from digests.store import queries, subscribers
from digests.store.models import Article, Subscriber

log = logging.getLogger(__name__)

ALL_WORDS = frozenset({"semua", "all"})
LATEST_DEFAULT, LATEST_MAX = 5, 20
SEARCH_LIMIT, SEARCH_MAX_CHARS = 10, 100
_URL_LIKE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|www\.)\S+$", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+", re.IGNORECASE)

DELETE_YES, DELETE_NO = "del:yes", "del:no"
DELETE_PATTERN = r"^del:"
# "Maksud Anda …?": `sub:<slug>,<slug>…` subscribes to what the button names.
SUBSCRIBE_PATTERN = r"^sub:"
# The offer under a pasted link: the link itself is in the message the offer replies to.
LINK_PATTERN = r"^sum:link$"
# "SDM, Organisasi, Pendidikan dan Pelatihan, Penelitian dan Pengembangan": 9 words, 3 commas.
_MAX_NAME_TOKENS = 14


def _message(update: Update) -> Message:
    assert update.effective_message is not None
    return update.effective_message


@dataclass(frozen=True, slots=True)
class DivisionWords:
    """What a user named after /langganan or /berhenti."""

    known: list[str]  # slugs, in the order named
    unknown: list[str]  # what matched no division, as typed
    suggested: list[str]  # slugs the unknown words most likely meant (all of them, or none)
    everything: bool  # "semua"


def parse_divisions(args: list[str]) -> DivisionWords:
    """Divisions by slug, name, short name or older name, in any case: `data teknis`,
    `Teknis Penyelenggaraan`, `#data, hukum`; the longest run of words that names one wins
    (a run may span commas: the full names hold them)."""
    tokens = re.findall(r"[^\s,]+|,", " ".join(args))
    known: list[str] = []
    unknown: list[str] = []
    missed: list[str] = []  # the unknown words of the current stretch

    def close_stretch() -> None:
        if missed:
            unknown.append(" ".join(missed))
            missed.clear()

    everything = False
    i = 0
    while i < len(tokens):
        word = tokens[i].strip("#;")
        if word in (",", ""):
            close_stretch()
            i += 1
            continue
        if word.casefold() in ALL_WORDS:
            everything = True
            i += 1
            continue
        for n in range(min(_MAX_NAME_TOKENS, len(tokens) - i), 0, -1):
            division = find_division(" ".join(t.strip("#;") for t in tokens[i : i + n]))
            if division is not None:
                close_stretch()
                known.append(division.slug)
                i += n
                break
        else:
            missed.append(tokens[i])  # as typed: echoed back literally
            i += 1
    close_stretch()
    guesses = [closest_division(words) for words in unknown]
    if unknown and len(unknown) == 1 and guesses[0] is None:
        # "Teknis Penyelenggaran": the typo is in a name whose first word was a known slug.
        guesses = [closest_division(" ".join(t.strip("#;") for t in tokens))]
    suggested = [g.slug for g in guesses if g is not None]
    return DivisionWords(
        known=list(dict.fromkeys(known)),
        unknown=unknown,
        suggested=list(dict.fromkeys(suggested)) if len(suggested) == len(guesses) else [],
        everything=everything,
    )


async def reply_unknown_divisions(message: Message, words: DivisionWords) -> None:
    """ "Maksud Anda …?" with a button that subscribes, or the list of divisions."""
    if words.suggested:
        wanted = [s for s in division_slugs() if s in {*words.known, *words.suggested}]
        names = division_short_names(words.suggested)
        button = InlineKeyboardButton(
            texts.did_you_mean_button(names), callback_data="sub:" + ",".join(wanted)
        )
        await message.reply_text(
            texts.did_you_mean(words.unknown, names),
            reply_markup=InlineKeyboardMarkup([[button]]),
        )
        return
    valid = list(zip(division_slugs(), division_short_names(division_slugs()), strict=True))
    await message.reply_text(texts.unknown_division_names(words.unknown, valid))


# --- registration and help ------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Step 1 the divisions (picker), step 2 the region scope (region picker), then a summary
    of when the first digest comes. `/start data` (a link t.me/<bot>?start=data) subscribes
    to that division and goes straight to step 2."""
    d = deps(context)
    subscriber = await register(d, update)
    if subscriber.paused_until is not None:  # starting again ends a pause
        subscriber = await settings.resume(d, subscriber.chat_id) or subscriber
    user = update.effective_user
    first_name = user.first_name if user else None
    payload = " ".join(context.args or []).replace("_", " ").replace("-", " ")
    division = find_division(payload) if payload else None
    if division is None:
        await _message(update).reply_text(
            texts.start(first_name),
            reply_markup=picker.keyboard(subscriber.divisions, onboarding=True),
        )
        return
    updated = await _add_divisions(d, subscriber.chat_id, {division.slug})
    await _message(update).reply_text(
        texts.start_with_division(first_name, division.name),
        reply_markup=region.keyboard(updated.regions, 0, onboarding=True),
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
        (slug, name, short_name, division_description(slug))
        for slug, name, short_name in zip(
            slugs, division_names(slugs), division_short_names(slugs), strict=True
        )
    ]
    await _message(update).reply_text(texts.divisions_list(rows))


# --- divisions ------------------------------------------------------------------------------


async def _add_divisions(d: BotDeps, chat_id: int, wanted: set[str]) -> Subscriber:
    def add(current: list[str]) -> list[str]:
        chosen = set(current) | wanted
        return [s for s in division_slugs() if s in chosen]

    updated = await subscribers.change_divisions(d.db, chat_id, add)
    assert updated is not None
    await reschedule(d, updated)
    return updated


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = _message(update)
    words = parse_divisions(context.args or [])
    if words.unknown:
        await reply_unknown_divisions(message, words)
        return
    subscriber = await register(d, update)
    if not words.known and not words.everything:
        await message.reply_text(
            texts.SUBSCRIBE_USAGE, reply_markup=picker.keyboard(subscriber.divisions)
        )
        return
    wanted = set(division_slugs()) if words.everything else set(words.known)
    updated = await _add_divisions(d, subscriber.chat_id, wanted)
    await message.reply_text(
        texts.subscribed(division_short_names(updated.divisions))
        + "\n"
        + texts.time_set(delivery_phrase(d.settings, updated))
    )


async def on_subscribe_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "Maksud Anda …?" button: subscribe to what it names."""
    query = update.callback_query
    if query is None or update.effective_chat is None:
        return
    wanted = (query.data or "").removeprefix("sub:").split(",")
    if not wanted or not set(wanted) <= set(division_slugs()):
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    d = deps(context)
    subscriber = await register(d, update)
    updated = await _add_divisions(d, subscriber.chat_id, set(wanted))
    await query.edit_message_text(
        texts.subscribed(division_short_names(updated.divisions))
        + "\n"
        + texts.time_set(delivery_phrase(d.settings, updated)),
        reply_markup=None,
    )
    await query.answer()


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/berhenti` pauses (choices kept, one tap to come back); `/berhenti hukum` stops
    following that division."""
    d = deps(context)
    message = _message(update)
    chat_id = update.effective_chat.id if update.effective_chat else 0
    words = parse_divisions(context.args or [])
    if words.unknown:
        await reply_unknown_divisions(message, words)
        return
    subscriber = await subscribers.get(d.db, chat_id)
    if subscriber is None:
        await message.reply_text(texts.NOT_REGISTERED)
        return
    if words.everything or not words.known:
        await settings.pause_and_reply(d, message, chat_id)
        return
    removed = [s for s in words.known if s in subscriber.divisions]
    if not removed:
        await message.reply_text(texts.not_subscribed_to(division_short_names(words.known)))
        return
    updated = await subscribers.change_divisions(
        d.db, chat_id, lambda current: [s for s in current if s not in removed]
    )
    remaining = updated.divisions if updated else []
    await message.reply_text(
        texts.unsubscribed(division_short_names(removed), division_short_names(remaining))
    )


# --- schedule, settings, data ---------------------------------------------------------------


async def set_time(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = _message(update)
    try:
        spec = parse_delivery_times(" ".join(context.args or []))
    except DeliveryTimeError as exc:
        await message.reply_text(texts.time_invalid(texts.delivery_time_problem(exc)))
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
    messages = await pages.digest_messages_for(d.db, subscriber, d.settings)
    if not messages:
        await message.reply_text(texts.DIGEST_EMPTY)
        return
    for text, markup in messages:  # a busy division's "Lainnya" button under its last part
        await message.reply_text(text, reply_markup=more.keyboard(markup))


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


async def _kpu_link(d: BotDeps, message: Message) -> str | None:
    """The link in a message, when it points to a KPU site or a configured source."""
    entities = message.parse_entities(["url", "text_link"])
    found = [entity.url or value for entity, value in entities.items()]
    origins: set[str] | None = None
    for url in found:
        full = url if "://" in url else "https://" + url
        try:
            host, origin = httpx.URL(full).host, origin_of(full)
        except (httpx.InvalidURL, ValueError):
            continue
        if host_allowed(host, d.settings.allowed_summary_hosts):
            return full
        if origins is None:
            origins = {origin_of(source.url) for source in await list_sources(d.db)}
        if origin in origins:
            return full
    return None


async def plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text without a command: a KPU link gets an offer to summarise it, anything else a hint."""
    message = _message(update)
    if await _kpu_link(deps(context), message) is None:
        await message.reply_text(texts.PLAIN_TEXT_HINT)
        return
    button = InlineKeyboardButton(texts.LINK_OFFER_BUTTON, callback_data="sum:link")
    # Quoting the user's message keeps the link with the button: the press reads it back.
    await message.reply_text(
        texts.LINK_OFFER, reply_markup=InlineKeyboardMarkup([[button]]), do_quote=True
    )


async def on_link_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The offer's button: summarise the quoted link exactly as /ringkas would."""
    query = update.callback_query
    if query is None:
        return
    offer = query.message if isinstance(query.message, Message) else None
    quoted = offer.reply_to_message if offer is not None else None
    d = deps(context)
    url = await _kpu_link(d, quoted) if quoted is not None else None
    if offer is None or url is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await summary.reply_summary(d, offer, url, None)


async def media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes and the like: the bot reads text only."""
    await _message(update).reply_text(texts.MEDIA_REPLY)
