"""Use cases the entry points share: the bot's crawl job, `/perbarui` and `kpu-digest crawl`.

`crawl_and_push` is "crawl, then queue the instant pushes of what is new" in one place, so a
crawl started by the bot and one run as its own process behave the same. What is new is read
from the database (`Article.push_pending`, set in the commit that stored the article), not from
the crawl's report in memory: pushes that a crash or a SIGTERM kept from being queued are
queued by the next run, whichever process runs it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable

from sqlalchemy import func, select

from digests.collect.crawl import Crawler, CrawlReport
from digests.config import Settings
from digests.delivery import instant
from digests.store.db import Database
from digests.store.outbox import run
from digests.store.tables import ARTICLES

__all__ = ["PAUSE_BEFORE_PUSH_ENV", "all_sources_failed", "crawl_and_push"]

log = logging.getLogger(__name__)

# For the crash tests only: seconds to wait between storing a crawl's articles and queueing
# their pushes, so a test can kill the real process exactly there.
PAUSE_BEFORE_PUSH_ENV = "KPU_DIGEST_PAUSE_BEFORE_PUSH"


async def crawl_and_push(
    crawler: Crawler,
    db: Database,
    settings: Settings,
    *,
    only_due: bool = True,
    wake: Callable[[], None] | None = None,
) -> CrawlReport:
    """Queue pushes left over from an interrupted run, crawl, queue the new pushes, `wake()`.

    Logs one WARNING per crawl when sources failed, naming how many.
    """
    if await instant.enqueue_pending_instant(db, settings) and wake is not None:
        wake()
    report = await crawler.crawl_all(only_due=only_due)
    if report.failed:
        log.warning(
            "crawl: %d of %d source(s) failed (see `kpu-digest sources` or /sumber)",
            report.failed,
            len(report.sources),
        )
    pause = float(os.environ.get(PAUSE_BEFORE_PUSH_ENV) or 0)
    if pause > 0:
        log.warning("crawl stored its articles; pausing %.1f s before queueing pushes", pause)
        await asyncio.sleep(pause)
    pending = await _pending_news(db)
    queued = await instant.enqueue_pending_instant(db, settings)
    report.pushed_messages = queued
    report.pushed_articles = pending if queued else 0
    if queued:
        log.info("crawl: %d instant push(es) queued", queued)
        if wake is not None:
            wake()
    return report


async def _pending_news(db: Database) -> int:
    """News articles whose instant pushes are due: what the next push hands to instant readers."""
    async with db.session() as session:
        result = await run(
            session,
            select(func.count())
            .select_from(ARTICLES)
            .where(ARTICLES.c.push_pending.is_(True), ARTICLES.c.is_news.is_(True)),
        )
        return int(result.scalar_one())


def all_sources_failed(report: CrawlReport) -> bool:
    """Every visited source failed (PRODUCT.md: `kpu-digest crawl --once` then exits 1)."""
    return bool(report.sources) and report.failed == len(report.sources)
