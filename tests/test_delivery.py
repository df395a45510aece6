"""Scheduled digests, instant pushes and broadcasts as queued outbox rows, on a real database."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from digests.config import Settings
from digests.delivery import broadcasts, instant, scheduled, selection
from digests.store.db import Database
from digests.store.models import Article, Broadcast, MessageBody, OutboxItem, Story, Subscriber
from tests.botapi.html_parse import parse_html

pytestmark = pytest.mark.db

SETTINGS = Settings(_env_file=None, timezone="Asia/Jakarta")
# 07:00 WIB on 22 November 2026
SEVEN_WIB = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)


def article(n: int, seen: datetime, divisions: list[str], **extra: object) -> Article:
    values: dict = {
        "url": f"https://jatim.kpu.go.id/blog/read/{n}_berita",
        "source_name": "KPU Provinsi Jawa Timur",
        "title": f"Berita nomor {n}",
        "published_at": seen - timedelta(hours=1),
        "content_hash": f"h{n}",
        "lead": [f"Isi berita nomor {n} & rinciannya."],
        "quotes": [{"text": f"Kutipan {n}", "speaker": "Ketua KPU"}],
        "divisions": divisions,
        "first_seen_at": seen,
    }
    values.update(extra)
    return Article(**values)


def subscriber(chat_id: int, divisions: list[str], **extra: object) -> Subscriber:
    values: dict = {
        "chat_id": chat_id,
        "divisions": divisions,
        "delivery_times": ["07:00"],
        "next_digest_at": SEVEN_WIB,
        "digest_watermark": SEVEN_WIB - timedelta(days=1),
    }
    values.update(extra)
    return Subscriber(**values)


async def add(db: Database, *rows: object) -> None:
    async with db.session() as session:
        session.add_all(rows)
        await session.commit()


async def queued(db: Database, chat_id: int | None = None) -> list[tuple[OutboxItem, MessageBody]]:
    async with db.session() as session:
        stmt = select(OutboxItem, MessageBody).join(MessageBody).order_by(OutboxItem.id)
        if chat_id is not None:
            stmt = stmt.where(OutboxItem.chat_id == chat_id)
        return list((await session.exec(stmt)).all())


async def reload(db: Database, chat_id: int) -> Subscriber:
    async with db.session() as session:
        return (await session.exec(select(Subscriber).where(Subscriber.chat_id == chat_id))).one()


def links(html: str) -> list[str]:
    return [e["url"] for e in parse_html(html)[1] if "url" in e]


async def test_due_digest_holds_new_articles_of_my_divisions_and_notifies(
    database: Database,
) -> None:
    yesterday = SEVEN_WIB - timedelta(hours=10)
    await add(
        database,
        article(1, yesterday, ["teknis"]),
        article(2, yesterday, ["hukum"]),
        article(3, SEVEN_WIB - timedelta(days=2), ["teknis"]),  # before my watermark
        article(4, yesterday, ["teknis"], is_news=False),  # old, found on a first crawl
        subscriber(100, ["teknis"]),
    )
    count = await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB)
    assert count == 1
    [(item, body)] = await queued(database, 100)
    assert item.kind == "digest" and item.status == "pending"
    # the daily digest is what the reader asked for at that hour: it notifies
    assert body.disable_notification is False
    assert links(body.text) == ["https://jatim.kpu.go.id/blog/read/1_berita"]
    plain = parse_html(body.text)[0]
    assert "Teknis" in plain or "teknis" in plain
    assert "Kutipan 1" in plain and "Ketua KPU" in plain

    again = await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB)
    assert again == 0
    me = await reload(database, 100)
    assert me.next_digest_at == SEVEN_WIB + timedelta(days=1)
    assert me.digest_watermark == SEVEN_WIB


async def test_nothing_new_sends_nothing_but_moves_the_schedule(database: Database) -> None:
    await add(database, subscriber(100, ["teknis"]))
    assert await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB) == 0
    assert await queued(database) == []
    assert (await reload(database, 100)).next_digest_at == SEVEN_WIB + timedelta(days=1)


async def test_bot_down_at_seven_sends_that_digest_once_when_back(database: Database) -> None:
    await add(
        database,
        article(1, SEVEN_WIB - timedelta(hours=3), ["data"]),
        subscriber(100, ["data"], delivery_times=["07:00", "08:00"]),
    )
    back = SEVEN_WIB + timedelta(hours=2, minutes=15)  # 09:15 WIB: missed 07:00 and 08:00
    assert await scheduled.enqueue_due_digests(database, SETTINGS, now=back) == 1
    assert (
        await scheduled.enqueue_due_digests(database, SETTINGS, now=back + timedelta(minutes=1))
        == 0
    )
    assert (await reload(database, 100)).next_digest_at == SEVEN_WIB + timedelta(days=1)


async def test_unsubscribed_from_every_division_receives_no_digest(database: Database) -> None:
    await add(database, article(1, SEVEN_WIB - timedelta(hours=1), ["data"]), subscriber(100, []))
    assert await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB) == 0


async def test_inactive_and_instant_subscribers_get_no_scheduled_digest(database: Database) -> None:
    await add(
        database,
        article(1, SEVEN_WIB - timedelta(hours=1), ["data"]),
        subscriber(100, ["data"], active=False),
        subscriber(101, ["data"], instant=True),
    )
    assert await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB) == 0


async def test_same_selection_shares_one_stored_body(database: Database) -> None:
    seen = SEVEN_WIB - timedelta(hours=2)
    await add(
        database,
        article(1, seen, ["teknis"]),
        article(2, seen, ["hukum"]),
        *[subscriber(1000 + i, ["teknis"] if i % 2 else ["hukum", "teknis"]) for i in range(40)],
    )
    assert await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB) == 40
    rows = await queued(database)
    assert len({body.id for _, body in rows}) == 2
    async with database.session() as session:
        assert len((await session.exec(select(MessageBody))).all()) == 2


async def test_republished_story_appears_once_and_not_again_next_day(database: Database) -> None:
    async with database.session() as session:
        story = Story()
        session.add(story)
        await session.commit()
        await session.refresh(story)
    seen = SEVEN_WIB - timedelta(hours=5)
    await add(
        database,
        article(1, seen, ["teknis"], story_id=story.id),
        article(
            2, seen + timedelta(minutes=30), ["teknis"], story_id=story.id, source_name="KPU RI"
        ),
        subscriber(100, ["teknis"]),
    )
    await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB)
    [(_, body)] = await queued(database, 100)
    assert "KPU Provinsi Jawa Timur" in body.text and "KPU RI" in body.text
    assert body.text.count("Berita nomor") == 1
    # a third site republishes it after the digest: not news any more
    await add(database, article(3, SEVEN_WIB + timedelta(hours=3), ["teknis"], story_id=story.id))
    tomorrow = SEVEN_WIB + timedelta(days=1)
    assert await scheduled.enqueue_due_digests(database, SETTINGS, now=tomorrow) == 0


async def test_long_digest_is_queued_in_ordered_parts_within_the_limit(database: Database) -> None:
    seen = SEVEN_WIB - timedelta(hours=3)
    long_lead = ["Kalimat panjang tentang tahapan pemilu. " * 15]
    await add(
        database,
        *[article(i, seen + timedelta(seconds=i), ["teknis"], lead=long_lead) for i in range(40)],
        subscriber(100, ["teknis"]),
    )
    uncapped = SETTINGS.model_copy(update={"digest_items_per_division": 40})
    count = await scheduled.enqueue_due_digests(database, uncapped, now=SEVEN_WIB)
    rows = await queued(database, 100)
    assert count == len(rows) > 1
    assert [item.dedupe_key.rsplit(":", 1)[1] for item, _ in rows] == [
        str(i) for i in range(len(rows))
    ]
    # later parts fall due a second apart, so a sender's batch covers many chats' first parts
    assert [item.next_attempt_at - rows[0][0].next_attempt_at for item, _ in rows] == [
        timedelta(seconds=i) for i in range(len(rows))
    ]
    all_links = [url for _, body in rows for url in links(body.text)]
    assert len(all_links) == len(set(all_links)) == 40
    for _, body in rows:
        assert len(body.text.encode("utf-16-le")) // 2 <= 4096


async def test_a_busy_division_shows_its_newest_items_and_counts_the_rest(
    database: Database,
) -> None:
    seen = SEVEN_WIB - timedelta(hours=3)
    await add(
        database,
        *[article(i, seen + timedelta(seconds=i), ["teknis"]) for i in range(25)],
        subscriber(101, ["teknis"]),
    )
    await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB)
    text = "\n".join(body.text for _, body in await queued(database, 101))
    assert len(links(text)) == SETTINGS.digest_items_per_division == 10
    assert "dan 15 berita lain di divisi ini" in text


async def test_two_processes_claiming_at_once_queue_each_digest_once(db_url: str) -> None:
    first, second = Database(db_url), Database(db_url)
    try:
        await add(
            first,
            article(1, SEVEN_WIB - timedelta(hours=1), ["teknis"]),
            *[subscriber(2000 + i, ["teknis"]) for i in range(300)],
        )
        counts = await asyncio.gather(
            scheduled.enqueue_due_digests(first, SETTINGS, now=SEVEN_WIB),
            scheduled.enqueue_due_digests(second, SETTINGS, now=SEVEN_WIB),
        )
        assert sum(counts) == 300
        rows = await queued(first)
        assert len(rows) == len({item.chat_id for item, _ in rows}) == 300
    finally:
        await first.dispose()
        await second.dispose()


async def test_on_demand_digest_does_not_move_the_watermark(database: Database) -> None:
    await add(
        database,
        article(1, SEVEN_WIB - timedelta(hours=1), ["teknis"]),
        subscriber(100, ["teknis"], next_digest_at=SEVEN_WIB + timedelta(hours=10)),
    )
    me = await reload(database, 100)
    parts = (await selection.render_digest_for(database, me, SETTINGS, now=SEVEN_WIB)).parts
    assert len(parts) == 1 and links(parts[0]) == ["https://jatim.kpu.go.id/blog/read/1_berita"]
    assert (await reload(database, 100)).digest_watermark == me.digest_watermark
    assert await queued(database) == []
    nothing = await selection.render_digest_for(database, me, SETTINGS, since=SEVEN_WIB)
    assert nothing.parts == []


async def test_new_subscriber_is_scheduled_at_the_default_time(database: Database) -> None:
    await add(database, Subscriber(chat_id=100, divisions=["data"]))
    me = await reload(database, 100)
    due = await scheduled.reschedule(database, me, SETTINGS, now=SEVEN_WIB + timedelta(minutes=1))
    assert due == SEVEN_WIB + timedelta(days=1)
    assert (await reload(database, 100)).next_digest_at == due
    me.instant = True
    assert await scheduled.reschedule(database, me, SETTINGS) is None


async def test_subscriber_without_due_time_is_scheduled_not_flooded(database: Database) -> None:
    await add(
        database,
        article(1, SEVEN_WIB - timedelta(hours=1), ["data"]),
        subscriber(100, ["data"], next_digest_at=None),
    )
    assert await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB) == 0
    assert (await reload(database, 100)).next_digest_at == SEVEN_WIB + timedelta(days=1)


async def test_instant_subscribers_get_each_new_story_once(database: Database) -> None:
    async with database.session() as session:
        story = Story()
        session.add(story)
        await session.commit()
        await session.refresh(story)
    now = SEVEN_WIB
    a1 = article(1, now, ["hukum"], story_id=story.id)
    a2 = article(2, now, ["teknis"])
    await add(
        database,
        a1,
        a2,
        subscriber(100, ["hukum"], instant=True),
        subscriber(101, ["teknis", "hukum"], instant=True),
        subscriber(102, ["hukum"]),  # daily digest only
        subscriber(103, [], instant=True),
    )
    count = await instant.enqueue_instant(database, SETTINGS, [a1.id, a2.id], now=now)
    assert count == 2  # one message per subscriber for the whole crawl
    assert [links(b.text) for _, b in await queued(database, 100)] == [
        ["https://jatim.kpu.go.id/blog/read/1_berita"]
    ]
    [(_, both)] = await queued(database, 101)
    assert sorted(links(both.text)) == [
        "https://jatim.kpu.go.id/blog/read/1_berita",
        "https://jatim.kpu.go.id/blog/read/2_berita",
    ]
    assert await queued(database, 102) == []
    assert all(b.disable_notification for _, b in await queued(database))  # silent
    assert await instant.enqueue_instant(database, SETTINGS, [a1.id, a2.id], now=now) == 0
    a3 = article(3, now + timedelta(hours=1), ["hukum"], story_id=story.id)
    await add(database, a3)
    assert await instant.enqueue_instant(database, SETTINGS, [a3.id]) == 0


async def make_broadcast(
    db: Database, divisions: list[str], text: str = "Rapat <besok> & lusa"
) -> int:
    async with db.session() as session:
        row = Broadcast(admin_id=1, admin_chat_id=9, text=text, divisions=divisions)
        session.add(row)
        await session.commit()
        await session.refresh(row)
        return row.id


async def test_broadcast_reaches_followers_of_its_divisions_once(database: Database) -> None:
    await add(
        database,
        subscriber(100, ["hukum"]),
        subscriber(101, ["teknis"]),
        subscriber(102, ["hukum", "data"]),
        subscriber(103, ["hukum"], active=False),
    )

    async def recipients(divisions: list[str]) -> int:
        draft = await broadcasts.preview(
            database, admin_id=1, admin_chat_id=9, text="Rapat", divisions=divisions
        )
        return draft.recipients

    assert await recipients(["hukum"]) == 2
    assert await recipients([]) == 3
    bid = await make_broadcast(database, ["hukum"])
    assert await broadcasts.enqueue_broadcast(database, bid) == 2
    assert await broadcasts.enqueue_broadcast(database, bid) == 2  # a double press is harmless
    rows = await queued(database)
    assert sorted(item.chat_id for item, _ in rows) == [100, 102]
    assert all(item.broadcast_id == bid and item.kind == "announcement" for item, _ in rows)
    assert "Rapat &lt;besok&gt; &amp; lusa" in rows[0][1].text
    report = await broadcasts.broadcast_report(database, bid)
    assert report == broadcasts.BroadcastReport(sent=0, failed=0, blocked=0, pending=2)


async def test_cancelled_broadcast_queues_nothing(database: Database) -> None:
    await add(database, subscriber(100, ["hukum"]))
    bid = await make_broadcast(database, [])
    async with database.session() as session:
        row = await session.get(Broadcast, bid)
        row.status = "cancelled"
        await session.commit()
    assert await broadcasts.enqueue_broadcast(database, bid) == 0
    assert await queued(database) == []


async def test_broadcast_to_nobody_is_reported_at_once(database: Database) -> None:
    bid = await make_broadcast(database, ["sdm"])
    assert await broadcasts.enqueue_broadcast(database, bid) == 0
    [(item, body)] = await queued(database)
    assert item.chat_id == 9 and item.kind == "report"
    assert "Terkirim: 0" in body.text
    async with database.session() as session:
        row = await session.get(Broadcast, bid)
        assert row.status == "done" and row.report_sent


async def test_composing_for_many_subscribers_renders_each_distinct_digest_once(
    database: Database,
) -> None:
    selections = [["teknis"], ["hukum"], ["data", "teknis"], ["sdm", "hukum", "umum"]]
    seen = SEVEN_WIB - timedelta(hours=6)
    await add(
        database,
        *[
            article(
                i, seen + timedelta(seconds=i), [["teknis", "hukum", "data", "sdm", "umum"][i % 5]]
            )
            for i in range(200)
        ],
    )
    async with database.session() as session:
        session.add_all(subscriber(10_000 + i, selections[i % 4]) for i in range(4000))
        await session.commit()
    started = time.perf_counter()
    count = await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB)
    elapsed = time.perf_counter() - started
    async with database.session() as session:
        bodies = (await session.exec(select(MessageBody))).all()
    parts_per_selection = len(bodies) / 4
    assert count == 4000 * parts_per_selection or count > 4000
    assert len(bodies) < 60  # proportional to 4 selections, not to 4,000 subscribers
    assert elapsed < 15, elapsed


async def test_an_unreadable_stored_time_falls_back_to_the_default(database: Database) -> None:
    await add(
        database,
        article(1, SEVEN_WIB - timedelta(hours=1), ["data"]),
        subscriber(100, ["data"], delivery_times=["pagi"]),
        subscriber(101, ["data"]),
    )
    assert await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB) == 2
    assert (await reload(database, 100)).next_digest_at == SEVEN_WIB + timedelta(days=1)


# --- issue 12: region scope, one instant message per crawl, quiet hours ---------------------


async def test_a_reader_scoped_to_jawa_timur_gets_no_story_from_another_province(
    database: Database,
) -> None:
    seen = SEVEN_WIB - timedelta(hours=2)
    await add(
        database,
        article(1, seen, ["teknis"], region="jawa-timur"),
        article(2, seen, ["teknis"], region="jawa-barat", url="https://jabar.kpu.go.id/b/2"),
        article(3, seen, ["teknis"], region="nasional", url="https://www.kpu.go.id/b/3"),
        subscriber(100, ["teknis"], regions=["jawa-timur"]),
        subscriber(101, ["teknis"]),  # existing readers keep "semua"
    )
    await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB)
    mine = "\n".join(body.text for _, body in await queued(database, 100))
    # KPU RI first, then my province; nothing from Jawa Barat
    assert links(mine) == [
        "https://www.kpu.go.id/b/3",
        "https://jatim.kpu.go.id/blog/read/1_berita",
    ]
    everyone = "\n".join(body.text for _, body in await queued(database, 101))
    assert len(links(everyone)) == 3
    assert (await reload(database, 101)).regions == ["semua"]
    me = await reload(database, 100)
    since = seen - timedelta(1)
    parts = (await selection.render_digest_for(database, me, SETTINGS, since=since)).parts
    assert "jabar" not in "\n".join(parts)


async def pending_articles(db: Database) -> list[int]:
    async with db.session() as session:
        rows = await session.exec(select(Article.id).where(Article.push_pending == True))  # noqa: E712
        return list(rows.all())


async def test_one_crawl_of_thirty_stories_is_one_silent_message_per_reader(
    database: Database,
) -> None:
    noon = SEVEN_WIB + timedelta(hours=5)
    divisions = ["teknis", "data", "hukum"]
    await add(
        database,
        *[
            article(i, noon, [divisions[i % 3]], push_pending=True, region="jawa-timur")
            for i in range(30)
        ],
        article(99, noon, ["teknis"], push_pending=True, region="aceh", url="https://aceh/b"),
        subscriber(100, divisions, instant=True, regions=["jawa-timur"]),
        subscriber(101, ["hukum"], instant=True),
    )
    # one message each; reader 100's 30 stories pass 4096 units, so theirs comes in two parts
    assert await instant.enqueue_pending_instant(database, SETTINGS, now=noon) == 3
    mine = await queued(database, 100)
    assert [item.dedupe_key.rsplit(":", 1)[1] for item, _ in mine] == ["0", "1"]
    sizes = [len(body.text.encode("utf-16-le")) // 2 for _, body in mine]
    assert sum(sizes) > 4096 and all(size <= 4096 for size in sizes)
    assert all(body.disable_notification and item.kind == "instant" for item, body in mine)
    shown = [url for _, body in mine for url in links(body.text)]
    assert len(shown) == len(set(shown)) == 30 and "https://aceh/b" not in shown
    assert parse_html(mine[1][1].text)[0].startswith("📂 Hukum dan Pengawasan (lanjutan)")
    [(_, hukum)] = await queued(database, 101)
    assert len(links(hukum.text)) == 10
    assert await pending_articles(database) == []
    # the same crawl's news queued again (a rerun after a crash) is not sent twice
    assert await instant.enqueue_instant(database, SETTINGS, range(1, 32), now=noon) == 0


async def test_instant_news_at_night_is_held_and_sent_at_six_as_one_message(
    database: Database,
) -> None:
    settings = SETTINGS.model_copy(update={"instant_quiet_hours": True})
    ten_pm = datetime(2026, 11, 22, 22, 0, tzinfo=SETTINGS.tz).astimezone(UTC)
    two_am = ten_pm + timedelta(hours=4)
    six_am = ten_pm + timedelta(hours=8)
    await add(
        database,
        article(1, ten_pm, ["hukum"], push_pending=True),
        subscriber(100, ["hukum"], instant=True, next_digest_at=None),
    )
    assert await instant.enqueue_pending_instant(database, settings, now=ten_pm) == 0
    await add(database, article(2, two_am, ["hukum"], push_pending=True))
    assert await instant.enqueue_pending_instant(database, settings, now=two_am) == 0
    assert await queued(database, 100) == []
    assert len(await pending_articles(database)) == 2  # held, not lost
    # at 06.00 the every-minute job sends the night's news, one message, silently
    assert await scheduled.enqueue_due_digests(database, settings, now=six_am) == 1
    [(item, body)] = await queued(database, 100)
    assert item.next_attempt_at == six_am and body.disable_notification is True
    assert sorted(links(body.text)) == [
        "https://jatim.kpu.go.id/blog/read/1_berita",
        "https://jatim.kpu.go.id/blog/read/2_berita",
    ]
    assert await pending_articles(database) == []
    # a direct push asked for at night falls due at 06.00 too
    await add(database, article(3, ten_pm + timedelta(days=1), ["hukum"]))
    three = (await pending_ids_of(database, 3))[0]
    await instant.enqueue_instant(database, settings, [three], now=ten_pm + timedelta(days=1))
    last = (await queued(database, 100))[-1][0]
    assert last.next_attempt_at == six_am + timedelta(days=1)


async def pending_ids_of(db: Database, n: int) -> list[int]:
    async with db.session() as session:
        url = f"https://jatim.kpu.go.id/blog/read/{n}_berita"
        return list((await session.exec(select(Article.id).where(Article.url == url))).all())


async def test_thirty_new_stories_in_three_divisions_come_in_three_messages_counts_first(
    database: Database,
) -> None:
    seen = SEVEN_WIB - timedelta(hours=3)
    lead = [
        "Komisi Pemilihan Umum Kabupaten Kediri menggelar rapat koordinasi bersama panitia "
        "pemilihan kecamatan untuk membahas pemutakhiran data pemilih berkelanjutan."
    ]
    followed = ["teknis", "data", "hukum"]
    await add(
        database,
        *[
            article(i, seen + timedelta(seconds=i), [followed[i % 3]], lead=lead, region="nasional")
            for i in range(30)
        ],
        subscriber(100, followed, regions=["jawa-timur"]),
    )
    await scheduled.enqueue_due_digests(database, SETTINGS, now=SEVEN_WIB)
    rows = await queued(database, 100)
    assert 1 <= len(rows) <= 3
    first = parse_html(rows[0][1].text)[0]
    for name in ("Teknis Penyelenggaraan", "Data dan Informasi", "Hukum dan Pengawasan"):
        assert f"📂 {name}: 10" in first
    shown = [url for _, body in rows for url in links(body.text)]
    assert len(shown) == len(set(shown)) == 30
    assert all(not body.disable_notification for _, body in rows)
