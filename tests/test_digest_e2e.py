"""Digests as a reader receives them: the real bot, its outbox sender and the stand-in Bot API.

Readers subscribe and choose their scope in chat; articles are stored as the crawler stores them;
the every-minute digest job (or the instant push a crawl triggers) queues, and the sender delivers
to the stand-in, where these tests read what arrived: scope, ranking, one story once, the counts
on top, at most three messages for 30 stories, notification for the daily digest, one silent
message per crawl for instant readers, nothing at night until 06.00.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from digests.delivery import instant
from digests.store import subscribers
from digests.store.db import Database
from digests.store.models import Article, Story
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.botapi.records import SentMessage
from tests.e2e_helpers import BotHarness, staff_bot  # noqa: F401  (the `bot` fixture)

JAKARTA = ZoneInfo("Asia/Jakarta")
TITLE = re.compile(r"Kabar (\w+) (\d+)")
LEAD = (
    "Komisi Pemilihan Umum menggelar rapat koordinasi bersama panitia pemilihan kecamatan "
    "untuk membahas pemutakhiran data pemilih berkelanjutan dan kesiapan tahapan berikutnya."
)


def story_article(
    key: str,
    n: int,
    division: str,
    region: str,
    seen: datetime,
    *,
    source: str = "KPU Provinsi Jawa Timur",
    story_id: int | None = None,
) -> Article:
    return Article(
        url=f"https://{key}-{n}.kpu.go.id/blog/read/{n}_kabar?via={source.replace(' ', '-')}",
        source_name=source,
        title=f"Kabar {key} {n}",
        text=LEAD,
        lead=[LEAD],
        quotes=[{"text": f"Kami siap untuk tahap {n}", "speaker": "Ketua KPU"}],
        divisions=[division],
        division_scores={division: 5.0},
        region=region,
        content_hash=f"{key}-{n}-{source}",
        published_at=seen,
        first_seen_at=seen,
        story_id=story_id,
    )


async def store(db: Database, *rows: object) -> None:
    async with db.session() as session:
        session.add_all(rows)
        await session.commit()


async def new_story(db: Database) -> int:
    async with db.session() as session:
        story = Story()
        session.add(story)
        await session.commit()
        await session.refresh(story)
        assert story.id is not None
        return story.id


async def make_due(bot: BotHarness, chat_id: int) -> None:
    row = await subscribers.get(bot.db, chat_id)
    assert row is not None
    async with bot.db.session() as session:
        row.next_digest_at = datetime.now(UTC) - timedelta(minutes=1)
        row.digest_watermark = datetime.now(UTC) - timedelta(hours=6)
        session.add(row)
        await session.commit()


async def digest_of(bot: BotHarness, chat_id: int, before: int) -> list[SentMessage]:
    """Run the digest job; the messages that reached `chat_id` once the outbox is drained."""
    await bot.run_job("deliver_due_digests")
    await bot.api.wait_for(lambda: len(bot.api.sent_to(chat_id)) > before, 10)
    await asyncio.sleep(1.5)  # parts of one digest leave a second apart
    return bot.api.sent_to(chat_id)[before:]


def titles(messages: list[SentMessage]) -> list[str]:
    return [f"{k} {n}" for m in messages for k, n in TITLE.findall(m.plain_text)]


async def test_thirty_stories_reach_a_jatim_reader_in_three_messages_ranked_once_each(
    bot: BotHarness,
) -> None:
    reader = 7001
    await bot.say(reader, "/langganan teknis data hukum")
    await bot.say(reader, "/wilayah jatim")
    now = datetime.now(UTC) - timedelta(hours=2)
    twice = await new_story(bot.db)
    rows: list[Article] = []
    for i, division in enumerate(["teknis", "data", "hukum"] * 10):
        region = "nasional" if i % 2 else "jawa-timur"
        key = {"teknis": "teknis", "data": "data", "hukum": "hukum"}[division]
        if (division, i) == ("data", 1):  # one data story carried by two Jatim sites
            rows.append(story_article(key, i, division, region, now, story_id=twice))
            rows.append(
                story_article(
                    key,
                    i,
                    division,
                    region,
                    now + timedelta(minutes=5),
                    source="KPU Kota Surabaya",
                    story_id=twice,
                )
            )
            continue
        rows.append(story_article(key, i, division, region, now + timedelta(minutes=i)))
    # Another province's news never reaches a Jatim reader.
    rows += [
        story_article("jateng", n, "data", "jawa-tengah", now, source="KPU Provinsi Jawa Tengah")
        for n in range(3)
    ]
    await store(bot.db, *rows)
    await make_due(bot, reader)

    got = await digest_of(bot, reader, len(bot.api.sent_to(reader)))

    assert 1 <= len(got) <= 3, [m.plain_text[:80] for m in got]
    top = got[0].plain_text.split("\n\n")[0] + "\n" + got[0].plain_text[:400]
    for name in ("Teknis Penyelenggaraan", "Data dan Informasi", "Hukum dan Pengawasan"):
        assert re.search(rf"{re.escape(name)}\D{{1,6}}10\b", top), top
    shown = titles(got)
    assert not [t for t in shown if t.startswith("jateng")]
    assert len(shown) == len(set(shown)) == 30  # each story once, the two-site one too
    text = "\n".join(m.plain_text for m in got)
    assert "KPU Kota Surabaya" in text and "KPU Provinsi Jawa Timur" in text
    # The story two sites carried leads its division; the rest follow newest first.
    data_titles = [t for t in shown if t.startswith("data")]
    assert data_titles[0] == "data 1"
    assert data_titles[1:] == sorted(data_titles[1:], key=lambda t: -int(t.split()[1]))
    assert all(not m.disable_notification for m in got)  # the daily digest notifies


async def test_kpu_ri_and_the_readers_province_rank_above_other_provinces(
    bot: BotHarness,
) -> None:
    reader = 7002
    await bot.say(reader, "/langganan data")
    await bot.say(reader, "/wilayah jatim")
    await bot.say(reader, "/wilayah semua")  # everything, no preferred province
    now = datetime.now(UTC) - timedelta(hours=3)
    twice = await new_story(bot.db)
    await store(
        bot.db,
        story_article("bali", 1, "data", "bali", now + timedelta(minutes=50), source="KPU Bali"),
        story_article("ri", 2, "data", "nasional", now, source="KPU RI"),
        story_article("aceh", 3, "data", "aceh", now, source="KIP Aceh", story_id=twice),
        story_article("aceh", 3, "data", "aceh", now, source="KIP Banda Aceh", story_id=twice),
        story_article("ntb", 4, "data", "nusa-tenggara-barat", now + timedelta(minutes=20)),
    )
    await make_due(bot, reader)
    got = await digest_of(bot, reader, len(bot.api.sent_to(reader)))
    # KPU RI first, then the story two sites carried, then the newest.
    assert titles(got) == ["ri 2", "aceh 3", "bali 1", "ntb 4"]


async def test_an_instant_reader_gets_one_silent_message_per_crawl(bot: BotHarness) -> None:
    reader = 7003
    await bot.say(reader, "/langganan data")
    await bot.say(reader, "/waktu instan")
    before = len(bot.api.sent_to(reader))
    now = datetime.now(UTC)
    rows = [story_article("data", n, "data", "nasional", now) for n in range(12)]
    await store(bot.db, *rows)
    ids = [row.id for row in rows if row.id is not None]
    await instant.enqueue_instant(bot.db, bot.settings, ids)  # what a crawl that found them does
    bot.deps.wake_sender()
    await bot.api.wait_for(lambda: len(bot.api.sent_to(reader)) > before, 10)
    await asyncio.sleep(1.5)
    got = bot.api.sent_to(reader)[before:]
    assert len(got) == 1
    assert len(titles(got)) == 12
    assert got[0].disable_notification


async def test_instant_news_at_night_waits_for_six_and_comes_as_one_message(
    bot: BotHarness,
) -> None:
    reader = 7004
    await bot.say(reader, "/langganan hukum")
    await bot.say(reader, "/waktu instan")
    before = len(bot.api.sent_to(reader))
    quiet = bot.settings.model_copy(update={"instant_quiet_hours": True})
    # Tomorrow 22.00 and 23.30 WIB, two crawls; the clock is the functions' `now`.
    tomorrow = (datetime.now(JAKARTA) + timedelta(days=1)).date()
    night = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 22, 0, tzinfo=JAKARTA)
    for crawl, at in enumerate((night, night + timedelta(minutes=90))):
        rows = [
            story_article("hukum", 10 * crawl + n, "hukum", "nasional", at.astimezone(UTC))
            for n in range(3)
        ]
        for row in rows:
            row.push_pending = True
        await store(bot.db, *rows)
        assert await instant.enqueue_pending_instant(bot.db, quiet, now=at) == 0
    bot.deps.wake_sender()
    await asyncio.sleep(1.5)
    assert len(bot.api.sent_to(reader)) == before  # nothing at night

    six = (night + timedelta(days=1)).replace(hour=6, minute=0)
    assert await instant.release_held_instant(bot.db, quiet, now=six + timedelta(minutes=1)) == 1
    # Due at 06.00 of a day still to come here: the sender holds it; pull it to now.
    await _due_now(bot.db)
    bot.deps.wake_sender()
    await bot.api.wait_for(lambda: len(bot.api.sent_to(reader)) > before, 10)
    await asyncio.sleep(1.5)
    got = bot.api.sent_to(reader)[before:]
    assert len(got) == 1 and len(titles(got)) == 6
    assert got[0].disable_notification


async def _due_now(db: Database) -> None:
    from sqlalchemy import update

    from digests.store.tables import OUTBOX

    async with db.session() as session:
        connection = await session.connection()
        await connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.status == "pending")
            .values(next_attempt_at=datetime.now(UTC))
        )
        await session.commit()
