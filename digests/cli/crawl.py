"""`kpu-digest crawl [--once]` and `kpu-digest sources`: the crawler from the command line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING

from digests import service, texts
from digests.collect.crawl import Crawler, CrawlReport
from digests.collect.sources import seed_from_file, source_health
from digests.config import Settings
from digests.store.db import Database

if TYPE_CHECKING:
    from bot.sending.beside import OutboxSenderBeside

__all__ = ["format_report", "print_sources", "run_crawl", "seed_sources"]

NAME_WIDTH = 34
# Seconds `--once` waits for its pushes to go out (the outbox keeps the rest), and for the Bot
# API to answer at start (without it the crawl goes on and the pushes stay queued).
ONCE_SEND_TIMEOUT = 120.0
BOT_API_START_TIMEOUT = 30.0
log = logging.getLogger(__name__)


async def seed_sources(db: Database, settings: Settings) -> None:
    """Sync the sources file into the database, reporting bad entries on stderr."""
    _result, errors = await seed_from_file(db, settings.sources_file)
    for error in errors:
        print(f"sources: {error}", file=sys.stderr)


def format_report(report: CrawlReport) -> str:
    """One line per source, then the total."""
    lines = [
        f"{'source':<{NAME_WIDTH}} {'new':>4} {'upd':>4} {'same':>5} {'fail':>4} "
        f"{'req':>4} {'304':>4} {'time':>7}"
    ]
    for r in sorted(report.sources, key=lambda r: r.name.casefold()):
        line = (
            f"{_cut(r.name):<{NAME_WIDTH}} {r.new:>4} {r.updated:>4} {r.unchanged:>5} "
            f"{r.failed:>4} {r.requests:>4} {r.not_modified:>4} {r.seconds:>6.1f}s"
        )
        if r.error:
            line += f"  {texts.CONSOLE_FAILED}: {r.error}"
        lines.append(line)
    lines.append(
        f"total: {len(report.sources)} sources, {report.new} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.failed} sources failed, "
        f"{report.requests} requests ({report.not_modified} × 304), {report.seconds:.1f}s"
    )
    return "\n".join(lines)


def _cut(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"


async def run_crawl(settings: Settings, *, once: bool = False) -> int:
    """Crawl once, or forever every CRAWL_INTERVAL_MINUTES (re-reading the sources file).

    With a bot token configured this process also sends: new articles' instant pushes are
    queued by `digests.service.crawl_and_push`, as in the bot, and sent by an outbox sender
    running here (`--once` sends what it queued before exiting). SIGTERM or SIGINT stops it
    within seconds: the crawl in progress is cancelled, and what it stored stays stored with
    its pushes due, so the next run resumes. Exit code 1 when every source failed (`--once`).
    """
    _log_warnings()
    db = Database(settings.database_url)
    main = asyncio.current_task()
    loop = asyncio.get_running_loop()
    stopped = False

    def on_signal() -> None:
        nonlocal stopped
        stopped = True
        if main is not None:
            main.cancel()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal)
    sender = None
    try:
        await db.upgrade()
        sender = _outbox_sender(settings, db)
        async with (
            sender or contextlib.nullcontext(),
            Crawler(db, settings, extract_workers=os.cpu_count() or 1) as crawler,
        ):
            while True:
                started = time.monotonic()
                await seed_sources(db, settings)
                report = await service.crawl_and_push(
                    crawler, db, settings, wake=sender.wake if sender else None
                )
                print(format_report(report), flush=True)
                if once:
                    if sender is not None and not await sender.drain(ONCE_SEND_TIMEOUT):
                        log.warning("crawl: pushes not all sent yet; the outbox keeps them")
                    return 1 if service.all_sources_failed(report) else 0
                wait = settings.crawl_interval_minutes * 60 - (time.monotonic() - started)
                await asyncio.sleep(max(wait, 0))
    except asyncio.CancelledError:
        if not stopped:
            raise
        print("crawl: stopped; the next run resumes where this one ended", flush=True)
        return 0
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        await db.dispose()


def _log_warnings() -> None:
    """Warnings (a failed crawl, refused links) on stderr with their level, unless the caller
    configured logging already; INFO would print every request URL."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


def _outbox_sender(settings: Settings, db: Database) -> OutboxSenderBeside | None:
    """With a token, the bot's own outbox sender; without one, this process only crawls.

    Imported here, at the command line's edge, so the core itself never needs Telegram.
    """
    if settings.telegram_bot_token is None:
        return None
    from bot.sending.beside import sender_beside

    return sender_beside(settings, db, start_timeout=BOT_API_START_TIMEOUT)


async def print_sources(settings: Settings) -> int:
    """The health table: status, articles, last success, failures, last error."""
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        rows = await source_health(db, include_disabled=True)
    finally:
        await db.dispose()
    if not rows:
        print("no sources yet: run `kpu-digest crawl --once` to load the sources file")
        return 0
    zone = settings.tz
    print(
        f"{'id':>4} {'source':<{NAME_WIDTH}} {'status':<8} {'art':>5} {'last success':<16} "
        f"{'fail':>4}  last error"
    )
    for row in rows:
        status = texts.source_status_word(row.status)
        print(
            f"{row.id:>4} {_cut(row.name):<{NAME_WIDTH}} {status:<8} {row.articles:>5} "
            f"{_when(row.last_success_at, zone):<16} {row.consecutive_failures:>4}  "
            f"{(row.last_error or '')[:80]}"
        )
    return 0


def _when(moment: datetime | None, zone) -> str:  # type: ignore[no-untyped-def]
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "-"
