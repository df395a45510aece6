"""The "Lainnya" button: a busy division's next stories, page by page, from the stored digest.

End to end against the stand-in Bot API (the on-demand /ringkasan and the scheduled digest
through the outbox sender), and the pieces underneath: callback data, where the buttons go, the
catalog's division order and fallback, snapshot pruning.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select, update

from digests import texts
from digests.config import Settings
from digests.delivery import pages, ranking, scheduled
from digests.delivery.entries import DigestEntry
from digests.delivery.ranking import group_by_division
from digests.delivery.render import render_entries_digest
from digests.store.db import Database
from digests.store.models import Article, DigestSnapshot, Subscriber
from digests.store.tables import SUBSCRIBERS
from digests.summary.divisions import load_divisions
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.botapi.records import SentMessage
from tests.e2e_helpers import (
    OTHER_ID,
    STAFF_ID,
    BotHarness,
    forge_callback,
    labels,
    staff_bot,  # noqa: F401  (the `bot` fixture)
)

JAKARTA = ZoneInfo("Asia/Jakarta")
SNAPSHOTS = DigestSnapshot.__table__  # type: ignore[attr-defined]
TITLE = re.compile(r"Berita data nomor (\d+)\b")


def data_story(n: int, now: datetime) -> Article:
    """Story n of a busy day in "data": the lower n, the newer, so the digest ranks 1 first."""
    return Article(
        url=f"https://kpu.go.id/berita/baca/{n}/data",
        source_name="KPU RI",
        title=f"Berita data nomor {n}",
        text=f"Isi berita data nomor {n}.",
        lead=[f"Pemutakhiran data pemilih tahap {n} berjalan."],
        quotes=[{"text": f"Data tahap {n} sudah kami periksa", "speaker": "Ketua KPU"}],
        divisions=["data"],
        region="nasional",
        content_hash=f"data-{n}",
        published_at=now - timedelta(minutes=n),
        first_seen_at=now - timedelta(minutes=n),
    )


async def store(db: Database, *rows: object) -> None:
    async with db.session() as session:
        session.add_all(rows)
        await session.commit()


def numbers(messages: list[SentMessage]) -> list[int]:
    """The story numbers the reader sees, in order."""
    return [int(n) for m in messages for n in TITLE.findall(m.plain_text)]


def more_button(message: SentMessage | dict) -> str | None:
    return next((label for label in labels(message) if "Lainnya" in label), None)


async def snapshot_count(db: Database) -> int:
    async with db.session() as session:
        connection = await session.connection()
        return int(await connection.scalar(select(func.count()).select_from(SNAPSHOTS)))


async def press_more(bot: BotHarness, user: int, message: SentMessage) -> list[SentMessage]:
    """Press the "Lainnya" button under `message`; the page the bot sent back."""
    before = len(bot.api.sent_to(user))
    answer = await bot.press(user, "Lainnya", message_id=message.message_id, timeout=10)
    assert answer.text is None  # a page came, no toast needed
    return bot.api.sent_to(user)[before:]


# --- end to end ---------------------------------------------------------------------------------


async def test_lainnya_pages_a_busy_division_to_the_end(bot: BotHarness) -> None:
    now = datetime.now(UTC)
    await store(bot.db, *[data_story(n, now) for n in range(1, 28)])  # 27 stories, cap 10
    await bot.say(STAFF_ID, "/langganan data")

    digest = await bot.send(STAFF_ID, "/ringkasan")
    assert "Data dan Informasi: 27" in digest[0].plain_text  # the count on top
    assert numbers(digest) == list(range(1, 11))  # the ten best
    last = digest[-1]
    assert "dan 17 berita lain di divisi ini" in last.plain_text
    assert more_button(last) == "➕ Lainnya (17) · Data & Informasi"
    assert all(more_button(m) is None for m in digest[:-1])

    second = await press_more(bot, STAFF_ID, last)
    assert "Berita 11–20 dari 27" in second[0].plain_text
    assert "Data dan Informasi (lanjutan)" in second[0].plain_text
    assert numbers(second) == list(range(11, 21))
    assert "Data tahap 11 sudah kami periksa" in second[0].plain_text  # the best item in full
    assert more_button(second[-1]) == "➕ Lainnya (7) · Data & Informasi"
    # The spent button is gone from the digest, so a second tap cannot send the page twice.
    assert more_button(bot.shown(STAFF_ID, last.message_id)) is None

    third = await press_more(bot, STAFF_ID, second[-1])
    assert "Berita 21–27 dari 27" in third[0].plain_text
    assert numbers(third) == list(range(21, 28))
    assert all(not labels(m) for m in third)  # the last page has no button
    assert numbers(digest + second + third) == list(range(1, 28))  # each story once


async def test_a_stale_or_forged_lainnya_press_is_answered_politely(bot: BotHarness) -> None:
    now = datetime.now(UTC)
    await store(bot.db, *[data_story(n, now) for n in range(1, 16)])
    await bot.say(STAFF_ID, "/langganan data")
    digest = await bot.send(STAFF_ID, "/ringkasan")
    data = next(b["callback_data"] for b in digest[-1].buttons if "Lainnya" in b["text"])
    snapshot_id = int(data.split(":")[1])
    sent_before = len(bot.api.sent_to(STAFF_ID))

    forged = [
        f"more:{snapshot_id}:bukan-divisi:10",  # a slug the catalog does not know
        f"more:{snapshot_id}:hukum:10",  # a division this digest did not cut
        f"more:{snapshot_id}:data:15",  # past the end
        f"more:{snapshot_id}:data:0",
        f"more:{snapshot_id}:data:-1",
        f"more:{snapshot_id}:data:1e3",
        "more:99999999:data:10",  # no such digest
        "more:" + "9" * 60,
    ]
    for fake in forged:
        answer = await forge_callback(bot, STAFF_ID, digest[-1].message_id, fake)
        assert answer.text == texts.PAGE_GONE and answer.show_alert, fake

    # The digest ages past the news horizon and its snapshot is pruned.
    async with bot.db.session() as session:
        connection = await session.connection()
        await connection.execute(
            update(SNAPSHOTS).values(created_at=now - timedelta(days=30)),
        )
        await session.commit()
    assert await pages.prune(bot.db, bot.settings, now=now) == 1
    answer = await bot.press(STAFF_ID, "Lainnya", message_id=digest[-1].message_id)
    assert answer.text == texts.PAGE_GONE
    assert len(bot.api.sent_to(STAFF_ID)) == sent_before  # nothing was sent
    reply = await bot.say(STAFF_ID, "/bantuan")  # and the bot carries on
    assert "/ringkasan" in reply.plain_text


async def _make_due(db: Database, *chat_ids: int) -> None:
    async with db.session() as session:
        connection = await session.connection()
        await connection.execute(
            update(SUBSCRIBERS)
            .where(SUBSCRIBERS.c.chat_id.in_(chat_ids))
            .values(next_digest_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        await session.commit()


async def test_two_readers_of_one_scheduled_digest_page_independently(bot: BotHarness) -> None:
    now = datetime.now(UTC)
    await store(bot.db, *[data_story(n, now) for n in range(1, 28)])
    for reader in (STAFF_ID, OTHER_ID):
        await bot.say(reader, "/langganan data")
    await _make_due(bot.db, STAFF_ID, OTHER_ID)

    await bot.run_job("deliver_due_digests")
    mine = (await bot.api.wait_for_sent(STAFF_ID, 2, timeout=10))[-1]
    theirs = (await bot.api.wait_for_sent(OTHER_ID, 2, timeout=10))[-1]
    assert not mine.disable_notification  # the daily digest notifies
    assert more_button(mine) == more_button(theirs) == "➕ Lainnya (17) · Data & Informasi"
    assert mine.buttons == theirs.buttons  # one stored digest, shared by its readers
    assert await snapshot_count(bot.db) == 1

    # I read to the end; the other reader has not pressed anything yet.
    second = await press_more(bot, STAFF_ID, mine)
    third = await press_more(bot, STAFF_ID, second[-1])
    assert numbers(second) == list(range(11, 21)) and numbers(third) == list(range(21, 28))
    assert more_button(bot.shown(OTHER_ID, theirs.message_id)) is not None  # theirs untouched
    assert len(bot.api.sent_to(OTHER_ID)) == 2

    # New stories arrive meanwhile: the other reader's pages still come from their digest.
    await store(bot.db, *[data_story(n, now + timedelta(hours=1)) for n in range(101, 106)])
    their_second = await press_more(bot, OTHER_ID, theirs)
    assert numbers(their_second) == list(range(11, 21))
    assert more_button(their_second[-1]) == "➕ Lainnya (7) · Data & Informasi"
    assert more_button(bot.shown(STAFF_ID, second[-1].message_id)) is None  # mine stay spent


# --- on the database ----------------------------------------------------------------------------

SETTINGS = Settings(_env_file=None, timezone="Asia/Jakarta")


async def test_snapshots_older_than_the_news_horizon_are_pruned_by_the_digest_job(
    database: Database,
) -> None:
    await database.upgrade()
    now = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
    async with database.session() as session:
        connection = await session.connection()
        await connection.execute(
            insert(SNAPSHOTS),
            [
                {"entries": {"data": [1, 2]}, "created_at": now - timedelta(days=8)},
                {"entries": {"data": [3, 4]}, "created_at": now - timedelta(days=1)},
            ],
        )
        await session.commit()
    await scheduled.enqueue_due_digests(database, SETTINGS, now=now)
    async with database.session() as session:
        connection = await session.connection()
        kept = (await connection.execute(select(SNAPSHOTS.c.entries))).scalars().all()
    assert kept == [{"data": [3, 4]}]


async def test_on_demand_digest_without_a_busy_division_stores_no_snapshot(
    database: Database,
) -> None:
    await database.upgrade()
    now = datetime.now(UTC)
    await store(database, *[data_story(n, now) for n in range(1, 4)])
    subscriber = Subscriber(chat_id=77, divisions=["data"])
    messages = await pages.digest_messages_for(database, subscriber, SETTINGS, now=now)
    assert len(messages) == 1 and messages[0][1] is None
    assert await snapshot_count(database) == 0


# --- pure: callback data, button placement, catalog ---------------------------------------------


def test_callback_data_is_checked_before_anything_is_looked_up() -> None:
    assert pages.parse_callback("more:12:data:10") == pages.MorePress(12, "data", 10)
    assert pages.callback_data(12, "sekretariat", 990) == "more:12:sekretariat:990"
    for bad in (
        None,
        "",
        "more:",
        "more:12:data",
        "more:12:data:10:x",
        "more:012:data:10",
        "more:12:data:010",
        "more:0:data:10",
        "more:12:DATA:10",
        "more:12:tidakada:10",
        "more:12:data:１０",  # full-width digits are digits to str.isdigit, not to us
        "more:12:data:10\n",
        "more:1234567890123:data:10",
        "more:999999999999:data:10",  # past a PostgreSQL INTEGER id: refused before the lookup
        "more:12:data:" + "9" * 70,
    ):
        assert pages.parse_callback(bad) is None, bad
    with pytest.raises(ValueError):
        pages.callback_data(1, "no slug", 10)
    longest = pages.callback_data(10**9 - 1, max(load_divisions().slugs, key=len), 999_999)
    assert len(longest.encode()) <= 64


def _entries(slug: str, count: int, start: int = 0) -> list[DigestEntry]:
    base = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
    return [
        DigestEntry(
            title=f"{slug} cerita {i} " + "panjang " * 40,
            url=f"https://kpu.go.id/{slug}/{i}",
            site_names=("KPU RI",),
            published=base - timedelta(minutes=i),
            lead=("Kalimat pembuka yang cukup panjang untuk mengisi pesan. " * 6,),
            divisions=(slug,),
            regions=("nasional",),
            article_id=start + i,
        )
        for i in range(count)
    ]


def test_each_cut_division_gets_its_button_under_the_part_that_ends_it() -> None:
    entries = _entries("teknis", 14) + _entries("data", 3, 100) + _entries("hukum", 12, 200)
    digest = render_entries_digest(
        entries,
        selected=["teknis", "data", "hukum"],
        tz=JAKARTA,
        when=datetime(2026, 11, 22, tzinfo=UTC),
        max_per_division=10,
    )
    assert len(digest.parts) > 1
    markups = pages.digest_markups(digest, snapshot_id=5)
    placed = {}
    for index, markup in enumerate(markups):
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                placed[button["callback_data"]] = index
    assert set(placed) == {"more:5:teknis:10", "more:5:hukum:10"}
    for slug, rest in (("teknis", 4), ("hukum", 2)):
        part = digest.parts[placed[f"more:5:{slug}:10"]]
        assert f"dan {rest} berita lain di divisi ini" in part
        assert f"{slug} cerita 9 " in part  # the division's last shown item is there too
    assert dict(digest.pages) == {
        "teknis": tuple(range(14)),
        "hukum": tuple(range(200, 212)),
    }
    assert pages.digest_markups(digest, snapshot_id=None) == [None] * len(digest.parts)


def test_division_order_and_the_untagged_fallback_come_from_the_catalog(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = tmp_path / "divisions.toml"
    catalog.write_text(
        '[settings]\nfallback = "lainnya"\n'
        '[[divisions]]\nslug = "hukum"\nname = "Hukum"\n'
        '[[divisions]]\nslug = "lainnya"\nname = "Lain-lain"\n'
        '[[divisions]]\nslug = "teknis"\nname = "Teknis"\n',
        encoding="utf-8",
    )
    custom = load_divisions(catalog)
    monkeypatch.setattr(ranking, "load_divisions", lambda: custom)
    entries = [
        DigestEntry(title="t", url="https://a/1", divisions=("teknis",), article_id=1),
        DigestEntry(title="u", url="https://a/2", divisions=(), article_id=2),
        DigestEntry(title="h", url="https://a/3", divisions=("hukum",), article_id=3),
    ]
    groups = group_by_division(entries)
    assert list(groups) == ["hukum", "lainnya", "teknis"]
    assert [e.article_id for e in groups["lainnya"]] == [2]
    assert ranking.division_name("lainnya") == "Lain-lain"
    assert ranking.division_name("hapus") == "hapus"  # a retired slug shows as itself


def test_every_lainnya_button_names_its_division_in_full_short_form() -> None:
    """Short names fit the button: no label is cut on a phone."""
    from digests.delivery.ranking import division_short_name

    for slug in load_divisions().slugs:
        label = texts.more_button(27, division_short_name(slug))
        assert "…" not in label and "," not in label, label
