"""Admin commands (ADMIN_IDS): broadcast with preview, stats, sources, crawling now.

Every entry point here is wrapped in `admin_only`; every change is written to the audit log.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, ContextTypes

from bot.catalog import division_short_names, division_slugs
from bot.context import BotDeps, deps
from bot.guards import admin_only, outage_guard
from bot.jobs import until_stopping
from digests import service, texts
from digests.collect.crawl import Crawler, CrawlReport
from digests.collect.sources import SourceError, add_source, remove_source, source_health
from digests.delivery import broadcasts
from digests.delivery.telegram_html import is_blank, split_message
from digests.store import queries
from digests.store.audit import record_audit
from digests.store.types import utcnow

log = logging.getLogger(__name__)

BROADCAST_PATTERN = r"^bc:"
# Nine digits at most: a forged id past PostgreSQL's 32-bit integer would fail the query.
_BROADCAST_DATA = re.compile(r"^bc:(send|cancel):(\d{1,9})$")
_REPORT_ID = re.compile(r"#?(\d{1,9})")
_COMMAND_PREFIX = re.compile(r"^/\S+\s?")
EVERYONE = "semua"
CRAWL_LOCK = "crawl_lock"
PREVIEW_PARTS = "broadcast_preview_parts"


def _message(update: Update) -> Message:
    assert update.effective_message is not None
    return update.effective_message


def _actor(update: Update) -> int:
    return update.effective_user.id if update.effective_user else 0


async def audit(d: BotDeps, actor_id: int, action: str, **detail: Any) -> None:
    await record_audit(d.db, actor_id, action, **detail)


def _command_text(message: Message) -> str:
    """The message after the command word, line breaks kept (context.args would lose them)."""
    return _COMMAND_PREFIX.sub("", message.text or "", count=1)


# --- broadcast ------------------------------------------------------------------------------


def parse_broadcast(text: str) -> tuple[list[str], str]:
    """Leading `#slug` words pick divisions; the rest, line breaks kept, is the message."""
    divisions: list[str] = []
    rest = text.lstrip()
    while rest.startswith("#"):
        word, _, remainder = rest.partition(" ")
        if "\n" in word:
            word, _, tail = word.partition("\n")
            remainder = tail + (" " + remainder if remainder else "")
        divisions.append(word[1:].lower())
        rest = remainder.lstrip()
    return list(dict.fromkeys(d for d in divisions if d)), rest.strip()


@admin_only
async def broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = _message(update)
    divisions, text = parse_broadcast(_command_text(message))
    if EVERYONE in divisions:  # "#semua": every staff member, whatever else is named
        divisions = []
    unknown = [slug for slug in divisions if slug not in division_slugs()]
    if unknown:
        await message.reply_text(texts.unknown_divisions(unknown, division_slugs()))
        return
    if not text or is_blank(text):  # nothing a reader would see
        await message.reply_text(texts.BROADCAST_USAGE)
        return
    draft = await broadcasts.preview(
        d.db,
        admin_id=_actor(update),
        admin_chat_id=message.chat_id,
        text=text,
        divisions=divisions,
        tz=d.settings.tz,
    )
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.broadcast_send_button(draft.recipients),
                    callback_data=f"bc:send:{draft.broadcast_id}",
                ),
                InlineKeyboardButton(
                    texts.BROADCAST_CANCEL_BUTTON, callback_data=f"bc:cancel:{draft.broadcast_id}"
                ),
            ]
        ]
    )
    earlier = [await message.reply_text(part) for part in draft.parts[:-1]]
    await message.reply_text(draft.parts[-1], reply_markup=buttons)
    if earlier:  # so that Kirim or Batal can update every part, not only the one it is under
        _preview_parts(d)[draft.broadcast_id] = [m.message_id for m in earlier]


@admin_only
async def on_broadcast_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    match = _BROADCAST_DATA.match(query.data or "")
    if match is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    action, broadcast_id = match.group(1), int(match.group(2))
    d = deps(context)
    tz = d.settings.tz
    # One atomic preview → sending/cancelled step: a second press (or a second admin) finds
    # the broadcast no longer in preview and changes nothing.
    if action == "cancel":
        cancelled = await broadcasts.cancel(d.db, broadcast_id)
        if cancelled is None:
            await query.answer(texts.BROADCAST_ALREADY, show_alert=True)
            return
        await _edit_preview(
            d, query, broadcast_id, broadcasts.decided_preview(cancelled, sent_to=None, tz=tz)
        )
        await audit(d, _actor(update), "broadcast_cancelled", broadcast_id=broadcast_id)
        await _message(update).reply_text(texts.BROADCAST_CANCELLED)
        await query.answer()
        return
    confirmed = await broadcasts.confirm(d.db, broadcast_id)
    if confirmed is None:
        await query.answer(texts.BROADCAST_ALREADY, show_alert=True)
        return
    with outage_guard(d.db, "queueing a broadcast") as outage:
        enqueued = await broadcasts.enqueue_broadcast(d.db, broadcast_id, tz=tz)
    if outage.happened:
        # Confirmed but not queued: the sender's sweep queues it once the database is back.
        decided = broadcasts.decided_preview(confirmed, sent_to=confirmed.recipients, tz=tz)
        await _edit_preview(d, query, broadcast_id, decided)
        await _message(update).reply_text(texts.BROADCAST_QUEUED_LATER)
        await query.answer()
        return
    await _edit_preview(
        d, query, broadcast_id, broadcasts.decided_preview(confirmed, sent_to=enqueued, tz=tz)
    )
    await audit(d, _actor(update), "broadcast_sent", broadcast_id=broadcast_id, recipients=enqueued)
    d.wake_sender()
    await _message(update).reply_text(texts.broadcast_sending(enqueued, broadcast_id))
    await query.answer()


def _preview_parts(d: BotDeps) -> dict[int, list[int]]:
    """Message ids of a multi-part preview's earlier parts, by broadcast (this process only:
    after a restart just the part under the buttons is updated)."""
    return d.state.setdefault(PREVIEW_PARTS, {})


async def _edit_preview(
    d: BotDeps, query: CallbackQuery, broadcast_id: int, parts: list[str]
) -> None:
    """The preview now says what became of it, without its Kirim/Batal buttons. A failed edit
    (the message was deleted meanwhile) changes nothing about the broadcast itself."""
    earlier = _preview_parts(d).pop(broadcast_id, [])
    chat_id = query.message.chat.id if query.message is not None else None
    try:
        await query.edit_message_text(parts[-1], reply_markup=None)
        for message_id, text in zip(earlier, parts[:-1], strict=False):
            await query.get_bot().edit_message_text(text, chat_id=chat_id, message_id=message_id)
    except BadRequest as exc:
        log.warning("could not update a broadcast preview: %s", exc)


@admin_only
async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/laporan [id]`: the latest broadcast's figures, or that one's."""
    d = deps(context)
    message = _message(update)
    args = context.args or []
    wanted = _REPORT_ID.fullmatch(args[0]) if len(args) == 1 else None
    if args and wanted is None:
        await message.reply_text(texts.REPORT_USAGE)
        return
    broadcast_id = int(wanted.group(1)) if wanted else None
    text = await broadcasts.report(d.db, broadcast_id, tz=d.settings.tz)
    if text is None:
        await message.reply_text(
            texts.NO_BROADCASTS if broadcast_id is None else texts.report_not_found(broadcast_id)
        )
        return
    await message.reply_text(text)


# --- stats and sources ----------------------------------------------------------------------


@admin_only
async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    snapshot = await queries.stats(d.db)
    per_division = [
        (name, snapshot.per_division.get(slug, 0))
        for slug, name in zip(division_slugs(), division_short_names(division_slugs()), strict=True)
    ]
    last_crawl = (
        texts.show_date(snapshot.last_crawl, d.settings.tz, time=True)
        if snapshot.last_crawl
        else None
    )
    await _message(update).reply_text(texts.stats(snapshot, per_division, last_crawl))


@admin_only
async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    rows = await source_health(d.db)
    if not rows:
        await _message(update).reply_text(texts.NO_SOURCES)
        return
    lines = [texts.sources_header(len(rows))]
    for row in rows:
        last_ok = (
            texts.show_date(row.last_success_at, d.settings.tz, time=True)
            if row.last_success_at
            else None
        )
        lines.append(texts.source_line(row, last_ok))

    for part in split_message(lines, separator="\n"):
        await _message(update).reply_text(part)


@admin_only
async def add_source_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    args = context.args or []
    if not args:
        await _message(update).reply_text(texts.ADDSOURCE_USAGE)
        return
    url, name = args[0], " ".join(args[1:]).strip() or None
    try:
        source = await add_source(d.db, url, name)
    except SourceError as exc:
        await _message(update).reply_text(texts.source_not_added(texts.source_problem(exc)))
        return
    await audit(d, _actor(update), "source_added", source_id=source.id, url=source.url)
    await _message(update).reply_text(texts.source_added(source.name, source.url))


@admin_only
async def remove_source_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    key = " ".join(context.args or []).strip()
    if not key:
        await _message(update).reply_text(texts.REMOVESOURCE_USAGE)
        return
    source = await remove_source(d.db, key)
    if source is None:
        await _message(update).reply_text(texts.source_not_found(key))
        return
    await audit(d, _actor(update), "source_removed", source_id=source.id, url=source.url)
    await _message(update).reply_text(texts.source_removed(source.name))


# --- crawling now ---------------------------------------------------------------------------


def crawl_lock(d: BotDeps) -> asyncio.Lock:
    """One crawl at a time, whether started by the schedule or by an admin."""
    return d.state.setdefault(CRAWL_LOCK, asyncio.Lock())


async def crawl_and_push(
    d: BotDeps,
    *,
    only_due: bool = True,
    application: Application[Any, Any, Any, Any, Any, Any] | None = None,
) -> CrawlReport:
    """The core's crawl-then-push (`digests.service`), one at a time, waking this sender.

    Given the `application`, the crawl is cancelled when the bot begins to stop (SIGTERM); the
    report then says `interrupted` and the next crawl resumes.
    """

    async def crawl_now() -> CrawlReport:
        async with crawl_lock(d):
            if d.crawler is None:
                d.crawler = Crawler(d.db, d.settings)  # one for the process: robots.txt, pacing
            return await service.crawl_and_push(
                d.crawler, d.db, d.settings, only_due=only_due, wake=d.wake_sender
            )

    if application is None:
        return await crawl_now()
    started_at = utcnow()
    report = await until_stopping(application, crawl_now())
    if report is None:
        log.info("crawl stopped: the bot is stopping; the next crawl resumes")
        return CrawlReport([], 0.0, started_at, interrupted=True)
    return report


@admin_only
async def crawl(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = _message(update)
    if crawl_lock(d).locked():
        await message.reply_text(texts.CRAWL_BUSY)
        return
    await message.reply_text(texts.CRAWL_STARTED)
    # an admin asked: backing off or not
    report = await crawl_and_push(d, only_due=False, application=context.application)
    if report.interrupted:
        return  # the bot is stopping
    await audit(d, _actor(update), "crawl", new_articles=len(report.new_article_ids))
    await message.reply_text(texts.crawl_report(report))
