"""Use cases the entry points share: the bot's commands and the `kpu-digest` commands.

`crawl_and_push` is "crawl, then queue the instant pushes of what is new" in one place, so a
crawl started by the bot (its job, `/perbarui`) and one run as its own process (`kpu-digest
crawl`) behave the same. What is new is read from the database (`Article.push_pending`, set in
the commit that stored the article), not from the crawl's report in memory: pushes that a crash
or a SIGTERM kept from being queued are queued by the next run, whichever process runs it.

`summarise_url` is `/summary` (`/ringkas`) and `kpu-digest summarize URL`: the trust rule, one
client with the one User-Agent, extract, summarise, tag; a result or the reason there is none.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from digests.collect.crawl import Crawler, CrawlReport
from digests.collect.fetch import Fetcher, FetchError, FetchLimits, make_client
from digests.collect.guard import Resolver
from digests.collect.sources import trusted_origins
from digests.config import Settings
from digests.delivery import instant
from digests.store import digests as store_digests
from digests.store.db import Database
from digests.summary.pipeline import NoArticleError, ProcessedArticle, process_html, process_text

__all__ = [
    "PAUSE_BEFORE_PUSH_ENV",
    "SUMMARY_LIMITS",
    "Summarised",
    "all_sources_failed",
    "crawl_and_push",
    "summarise_text",
    "summarise_url",
]

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
        return await store_digests.news_awaiting_push_count(session)


def all_sources_failed(report: CrawlReport) -> bool:
    """Every visited source failed (PRODUCT.md: `kpu-digest crawl --once` then exits 1)."""
    return bool(report.sources) and report.failed == len(report.sources)


# --- a summary on request --------------------------------------------------------------------

# Someone is waiting for the answer: a shorter total than a crawl's.
SUMMARY_LIMITS = FetchLimits(total_timeout=15.0)


@dataclass(frozen=True, slots=True)
class Summarised:
    """What a summary on request gave: the article, or why there is none.

    `failure` says why the page could not be fetched (its `reason`); `no_article` that it was
    fetched (or the text was read) but holds no news text to summarise.
    """

    article: ProcessedArticle | None = None
    failure: FetchError | None = None
    no_article: NoArticleError | None = None


async def summarise_url(
    url: str,
    settings: Settings,
    *,
    db: Database | None = None,
    trust_the_url: bool = False,
    resolver: Resolver | None = None,
) -> Summarised:
    """Fetch `url` through the trust rule, then extract, summarise and tag it.

    For `/summary` (`db` given): the configured sources' origins are trusted, any other URL must
    match ALLOWED_SUMMARY_HOSTS on port 80 or 443 and resolve only to public addresses. For the
    operator's `kpu-digest summarize URL` (`trust_the_url`): the URL named is trusted as
    configuration is, and robots.txt is honoured, as the crawler honours it.
    """
    trusted: set[str] = await trusted_origins(db) if db is not None else set()
    if trust_the_url:
        trusted.add(url)
    async with make_client(
        settings.contact, SUMMARY_LIMITS, proxy=settings.outbound_proxy
    ) as client:
        fetcher = Fetcher(
            client,
            contact=settings.contact,
            limits=SUMMARY_LIMITS,
            trusted_origins=trusted,
            resolver=resolver,
            allowed_hosts=list(settings.allowed_summary_hosts),
            any_port=False,
        )
        try:
            page = await fetcher.fetch(url, check_robots=trust_the_url)
        except FetchError as exc:
            log.info("summary of %r not fetched: %s", url, exc)
            return Summarised(failure=exc)
    try:
        article = await asyncio.to_thread(process_html, page.body, page.url)
    except NoArticleError as exc:
        return Summarised(no_article=exc)
    return Summarised(article=article)


async def summarise_text(text: str) -> Summarised:
    """Summarise and tag text someone pasted (no fetch, so no trust rule)."""
    try:
        return Summarised(article=await asyncio.to_thread(process_text, text))
    except NoArticleError as exc:
        return Summarised(no_article=exc)
