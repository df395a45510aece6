"""The collector: every new KPU article across all sources, once.

One crawl visits every due source concurrently (the fetcher keeps each host to two requests
at a time). Per source: the listing or feed is fetched conditionally — a 304 ends the visit —
then the listing's pages are followed only until a known article shows up, unknown article
links are fetched and run through `digests.summary.pipeline.process_html`, and recent articles are
revalidated now and then so edits are picked up. A source's failure is recorded in its health
and never touches the others.

Identity: an article is its canonical URL. The same text under a second URL of the same site
is the same article; the same (or nearly the same) text on another site is a new article of the
same story, so a republished press release reaches staff once.

A listing page's validators are saved only when every article it links to was handled, so an
article whose fetch failed is retried on the next crawl instead of hiding behind a 304.

Every URL outside the configured sources' own origins — feed items on other hosts, redirects —
passes the trust rule (`digests.collect.fetch`): one that leads to a private or loopback address is
never contacted and is named in the source's health (`last_error`), while the rest of the
source is crawled as usual.

A new article and "its instant pushes are due" are one fact: the row is inserted with
`push_pending` set in the same transaction, and `digests.service.crawl_and_push` clears it only
when the pushes are queued, so a crash in between leaves them due for the next run.

A database outage in the middle of a crawl loses nothing: every database step waits it out
(`digests.store.outage`, logged once) with what was fetched and extracted kept in memory, for
up to `db_patience` seconds per step; a visit that still cannot store its articles saves no
validators, so the next crawl fetches them again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

import httpx

from digests import metrics, texts
from digests.collect import dedup
from digests.collect.dedup import SimhashIndex
from digests.collect.fetch import Fetcher, FetchError, FetchLimits, FetchResult, Tally, make_client
from digests.collect.listing import (
    FoundLink,
    LinkRules,
    ListingError,
    ListingProblem,
    default_rules,
    detect_kind,
    parse_feed,
    parse_html_listing,
)
from digests.collect.urls import canonical_url, same_site
from digests.config import Settings
from digests.store import articles as article_store
from digests.store import sources as source_store
from digests.store.db import Database, Session
from digests.store.models import Article, HttpCacheEntry, Source
from digests.store.outage import describe, is_unavailable, retry_unavailable
from digests.store.types import utcnow
from digests.summary.pipeline import NoArticleError, ProcessedArticle, process_html
from digests.summary.regions import article_region, region_from_host

__all__ = ["CrawlReport", "Crawler", "SourceResult"]

log = logging.getLogger(__name__)

DEDUP_WINDOW = timedelta(days=30)
T = TypeVar("T")


@dataclass(slots=True)
class SourceResult:
    """What one source's visit found and cost."""

    source_id: int
    name: str
    url: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0  # article pages that could not be fetched (retried next crawl)
    error: str | None = None  # the source itself failed (listing unreachable, broken, ...)
    seconds: float = 0.0
    requests: int = 0
    not_modified: int = 0
    skipped: bool = False  # backing off, not visited
    new_article_ids: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # links the trust rule would not follow

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class CrawlReport:
    """One crawl of all due sources; `new_article_ids` are new news articles, one per story."""

    sources: list[SourceResult]
    seconds: float
    started_at: datetime
    interrupted: bool = False  # stopped before it finished (the process is shutting down)
    # Filled in by digests.service.crawl_and_push: new news articles handed to instant readers,
    # and the messages that queued for them.
    pushed_articles: int = 0
    pushed_messages: int = 0

    @property
    def new(self) -> int:
        return sum(r.new for r in self.sources)

    @property
    def updated(self) -> int:
        return sum(r.updated for r in self.sources)

    @property
    def unchanged(self) -> int:
        return sum(r.unchanged for r in self.sources)

    @property
    def sources_unchanged(self) -> int:
        """Sources visited without an error that had nothing new or updated."""
        return sum(
            1
            for r in self.sources
            if r.error is None and not r.skipped and not r.new and not r.updated
        )

    @property
    def failed(self) -> int:
        """Sources that failed."""
        return sum(1 for r in self.sources if r.error is not None)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.sources)

    @property
    def not_modified(self) -> int:
        return sum(r.not_modified for r in self.sources)

    @property
    def new_article_ids(self) -> list[int]:
        return [i for r in self.sources for i in r.new_article_ids]


@dataclass(slots=True)
class _Visit:
    source: Source
    result: SourceResult
    tally: Tally
    rules: LinkRules
    first_crawl: bool
    incomplete: bool = False
    handled: set[str] = field(default_factory=set)
    # preloaded for the whole crawl, so an unchanged source costs no database round trip
    listing_validators: HttpCacheEntry | None = None
    stale: list[tuple[str, str | None, str | None, str | None]] = field(default_factory=list)


class Crawler:
    """Crawls the sources in the database; one instance can crawl many times.

    Keep one instance for the life of the process: robots.txt and per-host pacing live in it.
    """

    def __init__(
        self,
        db: Database,
        settings: Settings,
        client: httpx.AsyncClient | None = None,
        *,
        limits: FetchLimits | None = None,
        max_pages: int = 5,
        first_crawl_pages: int = 2,
        max_links_per_page: int = 300,
        max_new_per_source: int = 60,
        revalidate_after: timedelta = timedelta(hours=3),
        max_revalidations: int = 25,
        source_concurrency: int = 64,
        source_timeout: float = 300.0,
        extract_workers: int = 0,
        db_patience: float = 300.0,
    ) -> None:
        self.db = db
        self.db_patience = db_patience
        self.settings = settings
        self.limits = limits or FetchLimits()
        self._own_client = client is None
        self.client = client or make_client(
            settings.contact, self.limits, proxy=settings.outbound_proxy
        )
        self.fetcher = Fetcher(self.client, contact=settings.contact, limits=self.limits)
        self.max_pages = max_pages
        self.first_crawl_pages = first_crawl_pages
        self.max_links_per_page = max_links_per_page
        self.max_new_per_source = max_new_per_source
        self.revalidate_after = revalidate_after
        self.max_revalidations = max_revalidations
        self.source_concurrency = source_concurrency
        self.source_timeout = source_timeout
        self._write_lock = asyncio.Lock()
        self._crawl_lock = asyncio.Lock()  # a scheduled crawl and an admin's /crawl take turns
        self._index: SimhashIndex | None = None
        # Extraction is CPU-bound: worker processes use every core (0 = threads, one core).
        self.extract_workers = extract_workers
        self._pool: ProcessPoolExecutor | None = None

    async def aclose(self) -> None:
        if self._own_client:
            await self.client.aclose()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def _db(self, step: Callable[[], Awaitable[T]]) -> T:
        """One database step (a whole transaction), waiting out an outage."""
        return await retry_unavailable(self.db.outage, "crawler", step, patience=self.db_patience)

    async def __aenter__(self) -> Crawler:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- entry points ------------------------------------------------------------------------

    async def crawl_all(self, *, only_due: bool = True) -> CrawlReport:
        """Visit every enabled source (skipping those backing off unless `only_due=False`)."""
        async with self._crawl_lock:
            return await self._crawl_all(only_due)

    async def _crawl_all(self, only_due: bool) -> CrawlReport:
        started_at, start = utcnow(), time.monotonic()

        async def load_sources() -> list[Source]:
            async with self.db.session() as session:
                await self._trust_sources(session)
                return await (
                    source_store.due_sources(session, started_at)
                    if only_due
                    else source_store.active_sources(session)
                )

        sources = await self._db(load_sources)
        await self._load_index()
        plans = await self._plan(sources)
        gate = asyncio.Semaphore(self.source_concurrency)

        async def bounded(source: Source) -> SourceResult:
            async with gate:
                return await self._visit(source, *plans(source))

        results = list(await asyncio.gather(*(bounded(s) for s in sources)))
        await self._record_health(results)
        report = CrawlReport(list(results), time.monotonic() - start, started_at)
        metrics.crawl_done(report.seconds, report.failed, len(report.new_article_ids))
        return report

    async def crawl_source(self, source_id: int) -> SourceResult:
        """Visit one source now, even if it is backing off (an admin asked)."""

        async def load_source() -> Source | None:
            async with self.db.session() as session:
                await self._trust_sources(session)
                return await source_store.get_source(session, source_id)

        source = await self._db(load_source)
        if source is None:
            raise LookupError(f"no source with id {source_id}")
        async with self._crawl_lock:
            await self._load_index()
            plans = await self._plan([source])
            result = await self._visit(source, *plans(source))
            await self._record_health([result])
            return result

    async def _trust_sources(self, session: Session) -> None:
        """The configured sources' origins are the ones trusted as configured (PRODUCT.md)."""
        active = await source_store.active_sources(session)
        self.fetcher.trusted_origins = {source.url for source in active}

    async def _plan(self, sources: list[Source]):  # type: ignore[no-untyped-def]
        """Listing validators and articles due for revalidation, for all sources in 2 queries."""
        now = utcnow()

        async def load():  # type: ignore[no-untyped-def]
            async with self.db.session() as session:
                validators = await article_store.validators_for(
                    session, [canonical_url(s.url) for s in sources]
                )
                stale = await article_store.stale_articles_by_source(
                    session,
                    seen_since=now - timedelta(days=self.settings.news_horizon_days),
                    checked_before=now - self.revalidate_after,
                    per_source=self.max_revalidations,
                )
            return validators, stale

        validators, stale = await self._db(load)

        def plan(source: Source):  # type: ignore[no-untyped-def]
            return validators.get(canonical_url(source.url)), stale.get(source.id or 0, [])

        return plan

    # --- one source --------------------------------------------------------------------------

    async def _visit(
        self,
        source: Source,
        listing_validators: HttpCacheEntry | None = None,
        stale: list[tuple[str, str | None, str | None, str | None]] | None = None,
    ) -> SourceResult:
        assert source.id is not None
        result = SourceResult(source.id, source.name, source.url)
        visit = _Visit(
            source=source,
            result=result,
            tally=Tally(),
            rules=default_rules().with_pattern(source.article_pattern),
            first_crawl=not source.first_crawl_done,
            listing_validators=listing_validators,
            stale=stale or [],
        )
        start = time.monotonic()
        try:
            async with asyncio.timeout(self.source_timeout):
                await self._crawl(visit)
        except TimeoutError:
            result.error = texts.source_visit_too_slow(self.source_timeout)
        except FetchError as exc:
            result.error = texts.fetch_problem(exc)
        except ListingError as exc:
            result.error = texts.listing_problem(exc)
        except Exception as exc:  # one broken source must never stop the crawl
            if is_unavailable(exc):  # logged once by the outage log; retried next crawl
                result.error = texts.source_database_unavailable(describe(exc))
            else:
                log.exception("crawling %s failed", source.url)
                result.error = f"{type(exc).__name__}: {exc}"
        result.seconds = time.monotonic() - start
        result.requests = visit.tally.requests
        result.not_modified = visit.tally.not_modified
        return result

    async def _record_health(self, results: list[SourceResult]) -> None:
        """Every visited source's health, in one transaction (550 commits would cost seconds)."""
        now = utcnow()
        interval = timedelta(minutes=self.settings.crawl_interval_minutes)

        async def record() -> None:
            async with self._write_lock, self.db.session() as session:
                rows = {row.id: row for row in await source_store.all_sources(session)}
                for result in results:
                    row = rows.get(result.source_id)
                    if row is None:
                        continue
                    if result.error is None:
                        source_store.record_success(session, row, now)
                        if result.refused:  # crawled fine, but say what was not followed
                            row.last_error = texts.links_not_followed(result.refused)
                    else:
                        source_store.record_failure(session, row, result.error, now, interval)
                await session.commit()

        await self._db(record)

    async def _crawl(self, visit: _Visit) -> None:
        links, pages = await self._read_listing(visit)
        fresh = links[: self.max_new_per_source]
        if len(links) > len(fresh):
            visit.incomplete = True  # the rest next time: the listing stays un-cached
        await asyncio.gather(*(self._take_article(visit, link) for link in fresh))
        if not visit.incomplete:

            async def save() -> None:
                async with self._write_lock, self.db.session() as session:
                    for url, page in pages:
                        await article_store.save_validators(
                            session,
                            url,
                            etag=page.etag,
                            last_modified=page.last_modified,
                            content_hash=_body_hash(page.body),
                            checked_at=utcnow(),
                        )
                    await session.commit()

            await self._db(save)
        await self._revalidate(visit)

    async def _read_listing(
        self, visit: _Visit
    ) -> tuple[list[FoundLink], list[tuple[str, FetchResult]]]:
        """Unknown article links, following pages until a known article appears."""
        source = visit.source
        page_cap = self.first_crawl_pages if visit.first_crawl else self.max_pages
        url: str | None = source.url
        kind = source.kind
        new_links: list[FoundLink] = []
        pages: list[tuple[str, FetchResult]] = []
        visited: set[str] = set()
        for page_number in range(1, page_cap + 1):
            if url is None or canonical_url(url) in visited:
                break
            visited.add(canonical_url(url))
            try:
                preloaded = visit.listing_validators if page_number == 1 else None
                page = await self._fetch_cached(url, visit.tally, preloaded)
            except FetchError as exc:
                if page_number == 1:
                    raise
                if exc.refused:
                    visit.result.refused.append(texts.fetch_problem(exc))
                log.info("%s: page %d unavailable (%s)", source.name, page_number, exc)
                break  # older pages unreachable: what the first pages gave still counts
            if page.not_modified:
                break
            kind = kind or detect_kind(page.body, page.content_type)
            listing = await asyncio.to_thread(self._parse_listing, page, kind, visit, page_number)
            if page_number == 1 and not listing.links and kind == "html":
                raise ListingError(ListingProblem.NO_ARTICLE_LINKS)
            pages.append((canonical_url(url), page))

            async def load_known(links: list[FoundLink] = listing.links) -> set[str]:
                async with self.db.session() as session:
                    return await article_store.known_urls(session, [x.canonical for x in links])

            known = await self._db(load_known)
            unseen = [
                link
                for link in listing.links
                if link.canonical not in known and link.canonical not in visit.handled
            ]
            visit.result.unchanged += len(listing.links) - len(unseen)
            visit.handled.update(link.canonical for link in unseen)
            new_links.extend(unseen)
            if len(unseen) < len(listing.links):
                break  # reached articles we already have
            url = listing.next_url
        return new_links, pages

    def _parse_listing(self, page: FetchResult, kind: str, visit: _Visit, page_number: int):  # type: ignore[no-untyped-def]
        if kind == "feed":
            return parse_feed(page.body, page.url, max_links=self.max_links_per_page)
        return parse_html_listing(
            page.body,
            page.url,
            source_url=visit.source.url,
            rules=visit.rules,
            max_links=self.max_links_per_page,
            page_number=page_number,
        )

    async def _fetch_cached(
        self, url: str, tally: Tally, cached: HttpCacheEntry | None = None
    ) -> FetchResult:
        """Conditional GET with the URL's stored validators (looked up unless preloaded)."""
        if cached is None:

            async def load() -> HttpCacheEntry | None:
                async with self.db.session() as session:
                    return await article_store.get_validators(session, canonical_url(url))

            cached = await self._db(load)
        page = await self.fetcher.fetch(
            url,
            etag=cached.etag if cached else None,
            last_modified=cached.last_modified if cached else None,
            tally=tally,
        )
        return page

    # --- one article -------------------------------------------------------------------------

    async def _take_article(self, visit: _Visit, link: FoundLink) -> None:
        try:
            page = await self.fetcher.fetch(link.url, tally=visit.tally)
        except FetchError as exc:
            if exc.refused:
                # Never contacted. The listing stays un-cached, so every crawl checks again and
                # the source's health keeps naming the refusal until the link is gone.
                log.warning("%s: %s", visit.source.name, exc)
                visit.result.refused.append(texts.fetch_problem(exc))
                visit.incomplete = True
                return
            if exc.final:
                await self._remember(link.canonical, None)  # gone or forbidden: do not retry
                return
            log.info("article %s: %s", link.url, exc)
            visit.result.failed += 1
            visit.incomplete = True
            return
        processed = await self._process(page, link.url, visit)
        if processed is None:
            await self._remember(link.canonical, page)
            return
        if processed.published is None and link.published is not None:
            processed.published = link.published
        await self._store(visit, link.canonical, page, processed)

    async def _process(self, page: FetchResult, url: str, visit: _Visit) -> ProcessedArticle | None:
        try:
            return await self._extract(page.body, page.url or url)
        except NoArticleError:
            return None
        except Exception:  # a page that crashes extraction is skipped, not retried forever
            log.exception("extracting %s failed", url)
            visit.result.failed += 1
            return None

    async def _extract(self, body: bytes, url: str) -> ProcessedArticle:
        if self.extract_workers <= 0:
            return await asyncio.to_thread(process_html, body, url)
        if self._pool is None:
            context = multiprocessing.get_context("spawn")  # never fork a threaded process
            self._pool = ProcessPoolExecutor(self.extract_workers, mp_context=context)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, process_html, body, url)
        except BrokenProcessPool:
            self._pool = None  # a worker died (on this page, or another): start afresh
            raise

    async def _remember(self, canonical: str, page: FetchResult | None) -> None:
        async def save() -> None:
            async with self._write_lock, self.db.session() as session:
                await article_store.save_validators(
                    session,
                    canonical,
                    etag=page.etag if page else None,
                    last_modified=page.last_modified if page else None,
                    content_hash=_body_hash(page.body) if page else None,
                    checked_at=utcnow(),
                )
                await session.commit()

        await self._db(save)

    async def _store(
        self, visit: _Visit, canonical: str, page: FetchResult, processed: ProcessedArticle
    ) -> None:
        text_hash = dedup.content_hash(processed.text)
        simhash = await asyncio.to_thread(dedup.simhash, processed.text)
        now = utcnow()
        result = visit.result
        # What an attempt inserted, in case its commit went through but the answer was lost.
        written: dict[str, int | bool | None] = {}

        async def attempt() -> tuple[str, Article | None, int | None, bool]:
            async with self._write_lock, self.db.session() as session:
                await article_store.save_validators(
                    session,
                    canonical,
                    etag=page.etag,
                    last_modified=page.last_modified,
                    content_hash=_body_hash(page.body),
                    checked_at=now,
                )
                existing = await article_store.article_by_url(session, canonical)
                if existing is not None:
                    if (
                        written
                        and existing.content_hash == text_hash
                        and existing.first_seen_at == now
                    ):
                        first = bool(written["first"])
                        return "new", existing, written["story_id"], first  # type: ignore[return-value]
                    outcome = "unchanged"
                    if existing.content_hash != text_hash:
                        _apply(existing, processed, text_hash, simhash)
                        existing.updated_at = now
                        article_store.save_article(session, existing)
                        outcome = "updated"
                    await session.commit()
                    return outcome, None, None, False
                same_text = await article_store.articles_with_hash(session, text_hash)
                if any(same_site(other.url, canonical) for other in same_text):
                    await session.commit()  # the same article under a second URL of its site
                    return "unchanged", None, None, False
                story_id = same_text[0].story_id if same_text else None
                if story_id is None:
                    story_id = await self._similar_story(session, processed.text, simhash)
                first_of_story = story_id is None
                if story_id is None:
                    story_id = await article_store.new_story(session)
                is_news = self._is_news(processed.published, now)
                article = Article(
                    url=canonical,
                    source_id=visit.source.id,
                    source_name=visit.source.name,
                    story_id=story_id,
                    content_hash=text_hash,
                    is_news=is_news,
                    # its pushes are due, in the same commit as the article itself
                    push_pending=is_news and first_of_story,
                    first_seen_at=now,
                    region=article_region(
                        visit.source.region or region_from_host(visit.source.url),
                        processed.title,
                        processed.text,
                    ),
                )
                _apply(article, processed, text_hash, simhash)
                article_store.save_article(session, article)
                written.update(story_id=story_id, first=first_of_story)
                await session.commit()
                return "new", article, story_id, first_of_story

        outcome, article, story_id, first_of_story = await self._db(attempt)
        if outcome == "updated":
            result.updated += 1
            return
        if outcome == "unchanged" or article is None:
            result.unchanged += 1
            return
        assert article.id is not None and story_id is not None
        if self._index is not None:
            self._index.add(article.id, story_id, simhash)
        result.new += 1
        if article.is_news and first_of_story:
            result.new_article_ids.append(article.id)

    def _is_news(self, published: datetime | None, now: datetime) -> bool:
        """Old articles (beyond the horizon) are stored for search but never pushed as news.

        An undated article counts as news: we cannot prove it old, and missing news is worse.
        """
        if published is None:
            return True
        return published >= now - timedelta(days=self.settings.news_horizon_days)

    async def _similar_story(self, session, text: str, simhash: int) -> int | None:  # type: ignore[no-untyped-def]
        if self._index is None:
            return None
        candidates = self._index.candidates(simhash)
        if not candidates:
            return None
        mine = dedup.shingles(text)
        for candidate in candidates[:5]:
            other = await article_store.article_text(session, candidate.article_id)
            if dedup.containment(mine, dedup.shingles(other)) >= dedup.MIN_CONTAINMENT:
                return candidate.story_id
        return None

    async def _load_index(self) -> None:
        async def load():  # type: ignore[no-untyped-def]
            async with self.db.session() as session:
                return await article_store.recent_simhashes(session, utcnow() - DEDUP_WINDOW)

        rows = await self._db(load)
        index = SimhashIndex()
        for article_id, story_id, simhash in rows:
            index.add(article_id, story_id, simhash)
        self._index = index

    # --- edits -------------------------------------------------------------------------------

    async def _revalidate(self, visit: _Visit) -> None:
        """Conditionally re-fetch recent articles not checked lately; store real edits."""
        stale = [row for row in visit.stale if row[0] not in visit.handled]
        await asyncio.gather(*(self._recheck(visit, *row) for row in stale))

    async def _recheck(
        self,
        visit: _Visit,
        url: str,
        etag: str | None,
        last_modified: str | None,
        body_hash: str | None,
    ) -> None:
        try:
            page = await self.fetcher.fetch(
                url, etag=etag, last_modified=last_modified, tally=visit.tally
            )
        except FetchError as exc:
            log.info("revalidating %s: %s", url, exc)
            if exc.refused:
                visit.result.refused.append(texts.fetch_problem(exc))
            return
        if page.not_modified or _body_hash(page.body) == body_hash:

            async def touch() -> None:
                async with self._write_lock, self.db.session() as session:
                    await article_store.touch_validators(session, url, utcnow())
                    await session.commit()

            await self._db(touch)
            visit.result.unchanged += 1
            return
        processed = await self._process(page, url, visit)
        if processed is None:
            await self._remember(url, page)
            return
        await self._store(visit, url, page, processed)


def _apply(article: Article, processed: ProcessedArticle, text_hash: str, simhash: int) -> None:
    article.title = processed.title
    article.published_at = processed.published
    article.place = processed.place
    article.text = processed.text
    article.content_hash = text_hash
    article.simhash = dedup.to_signed(simhash)
    article.lead = list(processed.lead)
    article.summary = list(processed.summary)
    article.quotes = [{"text": q.text, "speaker": q.speaker} for q in processed.quotes]
    article.divisions = list(processed.divisions)
    article.division_scores = dict(processed.division_scores)


def _body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
