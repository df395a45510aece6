"""Build the Telegram Application: every handler, job and start-up step on one screen.

`build_application(settings)` is what `python -m bot` runs and what the end-to-end tests start.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.context import DEPS_KEY, BotDeps, deps
from bot.guards import PerChatOrder, PolitenessLimit, outage_guard, refuse_nul
from bot.handlers import ack, admin, more, picker, region, staff, summary
from bot.handlers import settings as settings_menu
from bot.jobs import deliver_due_digests
from bot.sending.flood import RetryReplies
from bot.sending.request import ShardedHTTPXRequest
from bot.sending.sender import OutboxSender
from digests import metrics, texts
from digests.collect.crawl import Crawler
from digests.collect.sources import load_sources_file, sync_sources
from digests.config import Settings
from digests.store.db import Database
from digests.store.outage import is_unavailable

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
DIGEST_JOB, CRAWL_JOB = "deliver_due_digests", "crawl_sources"
METRICS_JOB, METRICS_REFRESH_SECONDS = "refresh_metrics", 5.0
SENDER_TASK = "sender_task"
SENDER_LEASE = "sender_lease_seconds"
API_OUTAGE = "bot_api_outage"
DEFAULT_SENDER_LEASE = 60.0


def build_application(
    settings: Settings,
    db: Database | None = None,
    *,
    politeness: PolitenessLimit | None = None,
    crawler: Crawler | None = None,
    digest_job_first: float = 5.0,
    crawl_job_first: float = 60.0,
    sender_lease_seconds: float = DEFAULT_SENDER_LEASE,
) -> Application:
    """The whole bot. `db` given means the caller owns (and disposes) it, as the tests do;
    `crawler` lets a test shrink the crawler's timeouts and pacing. `sender_lease_seconds` is
    how long the outbox rows this process claims stay its own without a renewal: after a crash,
    how long until another sender (or this one, restarted) sends them."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    own_db = db is None
    bot_deps = BotDeps(settings=settings, db=db or Database(settings.database_url), crawler=crawler)
    bot_deps.state["own_db"] = own_db
    bot_deps.state[SENDER_LEASE] = sender_lease_seconds

    application = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        # trust_env=False: proxy variables must never reroute Bot API traffic (or loopback);
        # only OUTBOUND_PROXY does. The outbox sender keeps many sends in flight: 256
        # connections as in PTB's default pool, split into small pools whose bookkeeping stays
        # cheap (see bot/sending/request.py).
        .request(
            ShardedHTTPXRequest(
                proxy=settings.outbound_proxy or None, httpx_kwargs={"trust_env": False}
            )
        )
        .get_updates_request(
            HTTPXRequest(proxy=settings.outbound_proxy or None, httpx_kwargs={"trust_env": False})
        )
        # A reply that meets a flood wait (a broadcast is using the budget) waits and retries.
        .rate_limiter(RetryReplies())
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=settings.tz,
            )
        )
        # Updates run concurrently (one slow command no longer holds up everyone), one at a
        # time per chat so a chat's messages and presses keep their order.
        .concurrent_updates(PerChatOrder())
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data[DEPS_KEY] = bot_deps
    bot_deps.state[API_OUTAGE] = ApiOutageLog()

    # Groups below 0 run first, lowest first; each may stop the update right there.
    # An update arriving means the Bot API answers again, if it was away.
    application.add_handler(TypeHandler(Update, note_api_reachable), group=-3)
    # A NUL character cannot be stored: refused with a reply before any handler sees it.
    application.add_handler(TypeHandler(Update, refuse_nul), group=-2)
    # A user over the limit is stopped here.
    application.add_handler(TypeHandler(Update, politeness or PolitenessLimit()), group=-1)

    # Staff commands (Indonesian aliases are real command names).
    # `/start data` (a t.me/<bot>?start=data link) subscribes to that division.
    application.add_handler(CommandHandler("start", staff.start))
    application.add_handler(CommandHandler(["help", "bantuan"], staff.help_command))
    application.add_handler(CommandHandler(["divisions", "divisi"], staff.divisions))
    application.add_handler(CommandHandler(["subscribe", "langganan"], staff.subscribe))
    # Without divisions named: a pause that keeps every choice (bot/handlers/settings.py).
    application.add_handler(CommandHandler(["unsubscribe", "berhenti"], staff.unsubscribe))
    application.add_handler(CommandHandler(["time", "waktu"], staff.set_time))
    application.add_handler(CommandHandler(["region", "wilayah"], region.region_command))
    application.add_handler(CommandHandler(["settings", "pengaturan"], settings_menu.show_settings))
    application.add_handler(CommandHandler("hapusdata", staff.delete_data))
    application.add_handler(CommandHandler(["digest", "ringkasan"], staff.digest))
    application.add_handler(CommandHandler(["latest", "terbaru"], staff.latest))
    application.add_handler(CommandHandler(["search", "cari"], staff.search))
    # Fetching a page takes a while: don't hold up everyone else's updates meanwhile.
    application.add_handler(CommandHandler(["summary", "ringkas"], summary.summary, block=False))

    # Admin commands (each handler refuses non-admins itself).
    application.add_handler(CommandHandler(["broadcast", "siaran"], admin.broadcast))
    application.add_handler(CommandHandler(["report", "laporan"], admin.report))
    application.add_handler(CommandHandler(["stats", "statistik"], admin.stats))
    application.add_handler(CommandHandler(["sources", "sumber"], admin.sources))
    application.add_handler(CommandHandler(["crawl", "perbarui"], admin.crawl, block=False))
    application.add_handler(CommandHandler(["addsource", "tambahsumber"], admin.add_source_command))
    application.add_handler(
        CommandHandler(["removesource", "hapussumber"], admin.remove_source_command)
    )

    # Buttons, by callback-data prefix; anything else is stale or forged.
    application.add_handler(CallbackQueryHandler(picker.on_press, pattern=picker.PATTERN))
    application.add_handler(CallbackQueryHandler(region.on_press, pattern=region.PATTERN))
    application.add_handler(CallbackQueryHandler(more.on_press, pattern=more.PATTERN))
    application.add_handler(
        CallbackQueryHandler(settings_menu.on_press, pattern=settings_menu.PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(staff.on_subscribe_press, pattern=staff.SUBSCRIBE_PATTERN)
    )
    # Summarising fetches a page: don't hold up everyone else's updates meanwhile.
    application.add_handler(
        CallbackQueryHandler(staff.on_link_press, pattern=staff.LINK_PATTERN, block=False)
    )
    application.add_handler(
        CallbackQueryHandler(staff.on_delete_press, pattern=staff.DELETE_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(admin.on_broadcast_press, pattern=admin.BROADCAST_PATTERN)
    )
    application.add_handler(CallbackQueryHandler(ack.on_press, pattern=ack.PATTERN))
    application.add_handler(CallbackQueryHandler(stale_button))

    # Last, private chats only (in a group, other bots' commands are not ours to answer):
    # a command none of the above knows; plain text, which may be a KPU link to summarise;
    # stickers, photos, voice notes and other media, which the bot cannot read.
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.COMMAND, staff.unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT, staff.plain_text))
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, staff.media)
    )

    application.add_error_handler(on_error)

    jobs = application.job_queue
    assert jobs is not None, "python-telegram-bot[job-queue] is required"
    jobs.run_repeating(deliver_due_digests, interval=60, first=digest_job_first, name=DIGEST_JOB)
    jobs.run_repeating(
        crawl_job,
        interval=settings.crawl_interval_minutes * 60,
        first=crawl_job_first,
        name=CRAWL_JOB,
    )
    return application


# --- lifecycle ------------------------------------------------------------------------------


async def _post_init(application: Application) -> None:
    """Schema, sources, command menus, then the outbox sender: ready before the first update.

    The sender closes finished broadcasts and queues each admin's report in the outbox itself,
    so a report survives a restart like any other message.
    """
    d: BotDeps = application.bot_data[DEPS_KEY]
    await d.db.upgrade()
    await sync_sources_file(d)
    await set_commands(application, d.settings)
    sender = OutboxSender(
        application.bot,
        d.db,
        d.settings,
        worker_id=f"{socket.gethostname()}-{os.getpid()}",
        lease_seconds=d.state.get(SENDER_LEASE, DEFAULT_SENDER_LEASE),
    )
    d.sender = sender
    d.state[SENDER_TASK] = asyncio.create_task(sender.run(), name="outbox-sender")
    if d.settings.metrics_port:
        await metrics.refresh(d.db)  # the first scrape already sees the outbox
        metrics.serve(d.settings.metrics_port)
        assert application.job_queue is not None
        application.job_queue.run_repeating(
            refresh_metrics, interval=METRICS_REFRESH_SECONDS, first=0, name=METRICS_JOB
        )
        log.info("metrics at http://0.0.0.0:%d/metrics", d.settings.metrics_port)
    log.info(
        "bot ready: %d admin(s), sources from %s",
        len(d.settings.admin_ids),
        d.settings.sources_file,
    )


async def _post_stop(application: Application) -> None:
    d: BotDeps = application.bot_data[DEPS_KEY]
    task = d.state.pop(SENDER_TASK, None)
    if d.sender is not None:
        await d.sender.stop()
    if task is not None:
        try:
            await asyncio.wait_for(task, timeout=10)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
        except Exception:
            log.exception("outbox sender ended with an error")


async def _post_shutdown(application: Application) -> None:
    d: BotDeps = application.bot_data[DEPS_KEY]
    if d.crawler is not None:
        await d.crawler.aclose()
        d.crawler = None
    if d.state.get("own_db"):
        await d.db.dispose()


async def sync_sources_file(d: BotDeps) -> None:
    specs, errors = load_sources_file(d.settings.sources_file)
    for error in errors:
        log.warning("sources file: %s", error)
    result = await sync_sources(d.db, specs)
    for error in result.errors or ():
        log.warning("sources sync: %s", error)
    log.info(
        "sources synced: %d added, %d updated, %d disabled",
        result.added,
        result.updated,
        result.disabled,
    )


async def set_commands(application: Application, settings: Settings) -> None:
    """Staff menu for everyone; each admin's own chat also lists the admin commands."""
    staff_menu = [BotCommand(name, text) for name, text in texts.STAFF_COMMANDS]
    admin_menu = staff_menu + [BotCommand(name, text) for name, text in texts.ADMIN_COMMANDS]
    await application.bot.set_my_commands(staff_menu, scope=BotCommandScopeDefault())
    for admin_id in settings.admin_ids:
        try:
            await application.bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(admin_id))
        except (BadRequest, Forbidden) as exc:
            # An admin who never opened the bot has no chat yet; their menu comes next start.
            log.warning("admin menu not set for %s: %s", admin_id, exc)


# --- jobs and hooks -------------------------------------------------------------------------


async def refresh_metrics(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The gauges read from the database; an outage just leaves them as they were."""
    d = deps(context)
    with outage_guard(d.db, "metrics"):
        await metrics.refresh(d.db)


async def crawl_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    if admin.crawl_lock(d).locked():
        log.info("scheduled crawl skipped: a crawl is already running")
        return
    with outage_guard(d.db, "scheduled crawl") as outage:
        report = await admin.crawl_and_push(d, application=context.application)
    if outage.happened:
        return  # the next crawl finds what this one missed
    log.info("scheduled crawl done: %d new article(s)", len(report.new_article_ids))


# --- buttons nobody handles, errors ---------------------------------------------------------


class ApiOutageLog:
    """One warning when the Bot API stops answering (polls and replies fail with network
    errors) and one when it answers again, instead of a traceback per poll and per update."""

    def __init__(self) -> None:
        self.since: float | None = None

    def failed(self, error: BaseException, where: str) -> None:
        if self.since is not None:
            return
        self.since = time.monotonic()
        log.warning("Bot API unreachable (%s: %s, seen by %s)", type(error).__name__, error, where)

    def recovered(self) -> None:
        if self.since is None:
            return
        log.warning("Bot API reachable again after %.0f s", time.monotonic() - self.since)
        self.since = None


async def note_api_reachable(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    outage = context.bot_data[DEPS_KEY].state.get(API_OUTAGE)
    if isinstance(outage, ApiOutageLog):
        outage.recovered()


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(texts.STALE_BUTTON, show_alert=True)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with the traceback; tell the user briefly, never the traceback itself.

    A database outage is not a bug: it is logged once (by the shared outage log, which also
    notes when the database is back), and the user is asked to try again shortly.
    """
    error = context.error
    d_any = context.bot_data.get(DEPS_KEY)
    outage = d_any.state.get(API_OUTAGE) if isinstance(d_any, BotDeps) else None
    if isinstance(error, NetworkError) and isinstance(outage, ApiOutageLog):
        # Telegram is away (or had a hiccup): one line per outage, not a traceback per update.
        outage.failed(error, "polling" if update is None else "a reply")
    elif error is not None and is_unavailable(error):
        if isinstance(d_any, BotDeps):
            d_any.db.outage.failed(error, "update handler")
        else:
            log.warning("database unavailable while handling an update: %s", error)
    else:
        log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    reply = (
        texts.DATABASE_UNAVAILABLE if error is not None and is_unavailable(error) else texts.ERROR
    )
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(reply, show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(reply)
    except TelegramError as exc:
        if isinstance(outage, ApiOutageLog) and outage.since is not None:
            return  # the outage is logged already
        log.warning("could not tell the user about the error: %s", exc)
    else:
        if isinstance(outage, ApiOutageLog):
            outage.recovered()
