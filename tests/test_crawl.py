"""The crawler against fixture news sites over real HTTP on 127.0.0.1 and a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from digests.collect.crawl import Crawler
from digests.collect.fetch import FetchLimits
from digests.collect.sources import parse_sources, sync_sources
from digests.collect.urls import canonical_url
from digests.config import Settings
from digests.sample.loopback import LoopbackServer
from digests.store.db import Database
from digests.store.models import Article, HttpCacheEntry, Source
from tests.fixture_site import NewsSite, generate_paragraphs

pytestmark = pytest.mark.db

FAST = FetchLimits(
    connect_timeout=2, read_timeout=1.0, total_timeout=3.0, per_host_delay=0.0, robots_ttl=3600
)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as loopback:
        yield loopback


def make_crawler(database: Database, **kwargs: object) -> Crawler:
    settings = Settings(_env_file=None, database_url=database.url)  # type: ignore[call-arg]
    kwargs.setdefault("limits", FAST)
    return Crawler(database, settings, **kwargs)  # type: ignore[arg-type]


async def seed(database: Database, toml: str) -> None:
    specs, errors = parse_sources(toml)
    assert errors == []
    await sync_sources(database, specs)


async def all_articles(database: Database) -> list[Article]:
    async with database.session() as session:
        return list((await session.exec(select(Article).order_by(Article.id))).all())


async def source_named(database: Database, name: str) -> Source:
    async with database.session() as session:
        return (await session.exec(select(Source).where(Source.name == name))).one()


@pytest.fixture
def three_sites(server: LoopbackServer) -> list[NewsSite]:
    sites = [
        NewsSite("regional", name="KPU Provinsi Fixture", count=8, per_page=5, seed=1),
        NewsSite("ri", name="KPU RI Fixture", count=7, per_page=4, seed=2, first_id=9000),
        NewsSite("wordpress", name="KPU Lama Fixture", count=6, seed=3),
    ]
    for site in sites:
        site.serve(server)
    return sites


async def test_first_crawl_stores_every_article_of_every_shape_once(
    database: Database, three_sites: list[NewsSite]
) -> None:
    await seed(database, "\n".join(site.source_toml() for site in three_sites))
    async with make_crawler(database) as crawler:
        report = await crawler.crawl_all()

    assert report.failed == 0, [r.error for r in report.sources]
    stored = await all_articles(database)
    expected = {canonical_url(site.url_of(a)) for site in three_sites for a in site.articles}
    assert sorted(a.url for a in stored) == sorted(expected)
    assert report.new == len(expected) == 21
    by_url = {a.url: a for a in stored}
    for site in three_sites:
        for fixture in site.articles:
            article = by_url[canonical_url(site.url_of(fixture))]
            assert article.title == fixture.title
            assert fixture.paragraphs[1][:60] in article.text
            assert article.source_name == site.name
            assert article.is_news
    assert len({a.story_id for a in stored}) == len(stored)  # distinct articles, distinct stories
    assert sorted(report.new_article_ids) == [a.id for a in stored]
    # every article page was fetched exactly once, tracking-parameter links included
    for site in three_sites:
        for fixture in site.articles:
            assert site.site.count(path=site.path_of(fixture).split("?")[0]) == 1


async def test_second_crawl_of_unchanged_sites_costs_one_304_per_source(
    database: Database, three_sites: list[NewsSite]
) -> None:
    await seed(database, "\n".join(site.source_toml() for site in three_sites))
    async with make_crawler(database) as crawler:
        await crawler.crawl_all()
        for site in three_sites:
            site.site.reset_counts()
        report = await crawler.crawl_all()

    assert report.new == report.updated == 0
    assert report.requests == 3
    assert report.not_modified == 3
    for site in three_sites:
        assert site.site.hits == {(site.listing_path.split("?")[0], 304): 1}


async def test_new_article_is_fetched_alone_and_known_ones_are_not_refetched(
    database: Database, three_sites: list[NewsSite]
) -> None:
    regional, ri, wordpress = three_sites
    await seed(database, "\n".join(site.source_toml() for site in three_sites))
    async with make_crawler(database) as crawler:
        await crawler.crawl_all()
        for site in three_sites:
            site.site.reset_counts()
        fresh_regional = regional.add_article()
        fresh_feed = wordpress.add_article()
        report = await crawler.crawl_all()

    assert report.new == 2
    assert regional.site.hits == {
        (regional.listing_path, 200): 1,
        (regional.path_of(fresh_regional), 200): 1,
    }
    assert wordpress.site.hits == {("/feed/", 200): 1, (wordpress.path_of(fresh_feed), 200): 1}
    assert ri.site.hits == {(ri.listing_path, 304): 1}
    urls = {a.url for a in await all_articles(database)}
    assert canonical_url(regional.url_of(fresh_regional)) in urls
    assert canonical_url(wordpress.url_of(fresh_feed)) in urls


async def test_listing_pages_are_followed_until_a_known_article(
    database: Database, server: LoopbackServer
) -> None:
    site = NewsSite("regional", name="KPU Paging", count=5, per_page=5, seed=7)
    site.serve(server)
    await seed(database, site.source_toml())
    async with make_crawler(database) as crawler:
        await crawler.crawl_all()
        for _ in range(7):  # more than a page of news since the last visit
            site.add_article()
        site.site.reset_counts()
        report = await crawler.crawl_all()

    assert report.new == 7
    assert len(await all_articles(database)) == 12
    listing_pages = {path for (path, _s) in site.site.hits if "/blog/category/" in path}
    assert listing_pages == {site.listing_path, f"{site.listing_path}/5"}  # page 3 not needed


async def test_edited_article_is_updated_in_place(
    database: Database, three_sites: list[NewsSite]
) -> None:
    regional = three_sites[0]
    await seed(database, regional.source_toml())
    async with make_crawler(database, revalidate_after=timedelta(0)) as crawler:
        await crawler.crawl_all()
        target = regional.articles[2]
        new_text = generate_paragraphs(regional.rng, regional.label)
        regional.edit_article(target, new_text)
        regional.site.reset_counts()
        report = await crawler.crawl_all()

    assert report.updated == 1 and report.new == 0
    stored = await all_articles(database)
    assert len(stored) == 8
    edited = next(a for a in stored if a.url == canonical_url(regional.url_of(target)))
    assert new_text[1][:60] in edited.text
    assert edited.updated_at is not None
    assert regional.site.count(status=200, path=regional.path_of(target)) == 1
    # the 7 unedited articles are revalidated for the price of a 304 each
    unedited = [regional.path_of(a) for a in regional.articles if a is not target]
    assert all(regional.site.hits[(path, 304)] == 1 for path in unedited)


async def test_republished_press_release_is_one_story_with_every_site(
    database: Database, server: LoopbackServer
) -> None:
    ri = NewsSite("ri", name="KPU RI Fixture", count=3, seed=11)
    jatim = NewsSite("regional", name="KPU Jatim Fixture", count=3, seed=12)
    jabar = NewsSite("regional", name="KPU Jabar Fixture", count=3, seed=13, first_id=500)
    for site in (ri, jatim, jabar):
        site.serve(server)
    release = ri.add_article(title="KPU Tetapkan Jadwal Tahapan Pilkada Serentak")
    jatim.add_article(
        title="KPU Tetapkan Jadwal Tahapan Pilkada", paragraphs=list(release.paragraphs)
    )
    # another site adds its own dateline and a closing sentence
    jabar_text = ["Bandung, kpujabar.go.id – " + release.paragraphs[0].split(" – ", 1)[1]]
    jabar_text += [*release.paragraphs[1:], "Rilis ini diteruskan oleh Humas KPU Jawa Barat."]
    jabar.add_article(title="Jadwal Tahapan Pilkada Ditetapkan", paragraphs=jabar_text)
    await seed(database, "\n".join(site.source_toml() for site in (ri, jatim, jabar)))

    async with make_crawler(database) as crawler:
        report = await crawler.crawl_all()

    stored = await all_articles(database)
    assert len(stored) == 12
    copies = [a for a in stored if "Jadwal Tahapan" in a.title]
    assert len(copies) == 3
    assert len({a.story_id for a in copies}) == 1
    assert {a.source_name for a in copies} == {ri.name, jatim.name, jabar.name}
    assert len({a.story_id for a in stored}) == 10  # 9 unrelated stories + the release
    assert sum(1 for a in copies if a.id in report.new_article_ids) == 1


async def test_articles_older_than_the_horizon_are_stored_but_not_news(
    database: Database, server: LoopbackServer
) -> None:
    old = NewsSite("regional", name="KPU Arsip", count=4, seed=21, age=timedelta(days=30))
    old.serve(server)
    await seed(database, old.source_toml())
    async with make_crawler(database) as crawler:
        report = await crawler.crawl_all()
        fresh = old.add_article()
        second = await crawler.crawl_all()

    stored = await all_articles(database)
    assert report.new == 4 and report.new_article_ids == []
    assert [a.is_news for a in stored[:4]] == [False] * 4
    newest = next(a for a in stored if a.url == canonical_url(old.url_of(fresh)))
    assert newest.is_news and second.new_article_ids == [newest.id]


async def test_robots_txt_disallowed_articles_are_never_fetched(
    database: Database, server: LoopbackServer
) -> None:
    from digests.sample.loopback import Response

    site = NewsSite("regional", name="KPU Robots", count=4, seed=31)
    site.serve(server)
    hidden = site.articles[1]
    site.site.set(
        "/robots.txt",
        Response(
            f"User-agent: *\nDisallow: {site.path_of(hidden)}\n".encode(),
            content_type="text/plain",
        ),
    )
    await seed(database, site.source_toml())
    async with make_crawler(database) as crawler:
        report = await crawler.crawl_all()

    assert report.new == 3
    assert site.site.count(path=site.path_of(hidden)) == 0
    assert any("KPUDigestBot" in agent for agent in site.site.user_agents)


async def test_no_host_sees_more_than_two_requests_at_once(
    database: Database, server: LoopbackServer
) -> None:
    site = NewsSite("regional", name="KPU Sibuk", count=12, per_page=12, seed=41)
    site.serve(server)
    server.latency = 0.05
    await seed(database, site.source_toml())
    async with make_crawler(database) as crawler:
        report = await crawler.crawl_all()

    assert report.new == 12
    assert site.site.max_active <= 2
    assert site.site.max_active == 2  # and it does use both slots


async def test_article_fetch_failure_is_retried_on_the_next_crawl(
    database: Database, server: LoopbackServer
) -> None:
    from digests.sample.loopback import Response

    site = NewsSite("regional", name="KPU Goyah", count=4, seed=51)
    site.serve(server)
    flaky = site.articles[0]
    good = site.site.routes[site.path_of(flaky)]
    site.site.set(site.path_of(flaky), Response(b"busy", status=503, conditional=False))
    await seed(database, site.source_toml())
    async with make_crawler(database) as crawler:
        first = await crawler.crawl_all()
        site.site.set(site.path_of(flaky), good)
        second = await crawler.crawl_all()

    assert (first.new, first.sources[0].failed, first.failed) == (3, 1, 0)
    assert second.new == 1
    assert len(await all_articles(database)) == 4
    async with database.session() as session:
        cached = (await session.exec(select(HttpCacheEntry.url))).all()
    assert canonical_url(site.source_url) in cached


async def test_bundled_sample_site_crawls_cleanly_and_then_costs_only_304s(
    database: Database,
) -> None:
    from digests.sample.loopback import sample_sources_toml, serve_sample_site

    with serve_sample_site() as base_url:
        await seed(database, sample_sources_toml(base_url))
        async with make_crawler(database) as crawler:
            first = await crawler.crawl_all()
            second = await crawler.crawl_all()

    assert len(first.sources) == 3
    assert all(r.ok and r.new > 0 for r in first.sources), [
        (r.name, r.error) for r in first.sources
    ]
    assert second.new == 0 and second.not_modified == second.requests == 3
    stored = await all_articles(database)
    assert all(a.title and a.text and a.published_at for a in stored)
