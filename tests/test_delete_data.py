"""/hapusdata: after "Semua data Anda sudah dihapus" nothing more reaches the chat, nothing in
the database names the person, and in a group only the asker or a group admin can confirm."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import time
from pathlib import Path

import pytest
from sqlmodel import select

from digests import texts
from digests.store import subscribers
from digests.store.db import Database
from digests.store.models import AuditEntry, MessageBody, OutboxItem, Subscriber
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.botapi.server import BotApiServer
from tests.e2e_helpers import (
    OTHER_ID,
    STAFF_ID,
    BotHarness,
    staff_bot,  # noqa: F401  (the `bot` fixture)
    write_sources,
)
from tests.processes import ROOT, clean_env

pytestmark = pytest.mark.db

GROUP_ID = -4200
GROUP_ADMIN_ID = 4444
QUEUED = 30


async def _queue_pushes(db: Database, chat_id: int, count: int) -> None:
    async with db.session() as session:
        body = MessageBody(text="<b>Berita baru</b> untuk Anda", disable_notification=True)
        session.add(body)
        await session.commit()
        for n in range(count):
            session.add(
                OutboxItem(chat_id=chat_id, body_id=body.id, kind="instant", dedupe_key=f"i{n}")
            )
        await session.commit()


async def test_nothing_reaches_the_chat_after_deletion_in_the_real_bot_process(
    botapi: BotApiServer,  # noqa: F811
    database: Database,
    db_url: str,
    tmp_path: Path,
) -> None:
    await subscribers.get_or_create(
        database,
        chat_id=STAFF_ID,
        user_id=STAFF_ID,
        first_name="Staf",
        username="staf_kpu",
        default_time=time(7, 0),
    )
    await _queue_pushes(database, STAFF_ID, QUEUED)  # paced at ~1/s per chat: held in memory
    env = clean_env(
        TELEGRAM_BOT_TOKEN=botapi.token,
        TELEGRAM_API_BASE_URL=botapi.base_url,
        DATABASE_URL=db_url,
        SOURCES_FILE=str(write_sources(tmp_path / "sources.toml")),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--poll-timeout",
        "1",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await botapi.wait_for(lambda: len(botapi.sent_to(STAFF_ID)) >= 3, timeout=30)
        before = len(botapi.sent_to(STAFF_ID))
        botapi.push_message(STAFF_ID, "/hapusdata")
        await botapi.wait_for(lambda: len(botapi.sent_to(STAFF_ID)) > before, timeout=10)
        await botapi.wait_for(
            lambda: any(m.buttons for m in botapi.sent_to(STAFF_ID)[before:]), timeout=10
        )
        botapi.press(STAFF_ID, "Ya, hapus")
        await botapi.wait_for(
            lambda: any(e.text == texts.DELETED for e in botapi.edits), timeout=15
        )
        at_confirmation = len(botapi.sent_to(STAFF_ID))
        await asyncio.sleep(5)  # the paced pushes would have kept coming
        assert len(botapi.sent_to(STAFF_ID)) == at_confirmation
        assert at_confirmation < QUEUED  # the test did catch pushes still waiting
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)
    async with database.session() as session:
        assert (await session.exec(select(OutboxItem))).all() == []
        assert (await session.exec(select(Subscriber))).all() == []


async def _in_group(bot: BotHarness, user_id: int, text: str) -> None:
    before = len(bot.api.sent_to(GROUP_ID))
    bot.api.push_message(user_id, text, chat_id=GROUP_ID)
    await bot.api.wait_for(lambda: len(bot.api.sent_to(GROUP_ID)) > before, timeout=5)


async def _press_in_group(bot: BotHarness, user_id: int, label: str) -> str | None:
    before = len(bot.api.callback_answers)
    bot.api.press(user_id, label, chat_id=GROUP_ID)
    await bot.api.wait_for(lambda: len(bot.api.callback_answers) > before, timeout=5)
    return bot.api.callback_answers[-1].text


async def test_in_a_group_only_the_asker_or_a_group_admin_can_confirm(bot: BotHarness) -> None:
    await _in_group(bot, STAFF_ID, "/langganan data")
    bot.api.push_message(OTHER_ID, "halo", chat_id=GROUP_ID)  # a member who wrote there
    bot.api.push_message(GROUP_ADMIN_ID, "halo", chat_id=GROUP_ID)
    bot.api.group_admins[GROUP_ID] = {GROUP_ADMIN_ID}

    await _in_group(bot, STAFF_ID, "/hapusdata")
    answer = await _press_in_group(bot, OTHER_ID, "Ya, hapus")
    assert answer == texts.DELETE_NOT_YOURS
    assert await subscribers.get(bot.db, GROUP_ID) is not None

    answer = await _press_in_group(bot, GROUP_ADMIN_ID, "Ya, hapus")
    assert answer != texts.DELETE_NOT_YOURS
    assert await subscribers.get(bot.db, GROUP_ID) is None


async def test_deleting_my_data_leaves_nothing_that_names_me(bot: BotHarness) -> None:
    await _in_group(bot, STAFF_ID, "/langganan data")  # the group's row, created by me
    await bot.say(STAFF_ID, "/langganan hukum")
    async with bot.db.session() as session:
        session.add(AuditEntry(actor_id=STAFF_ID, action="crawl", detail={}))
        await session.commit()

    await bot.say(STAFF_ID, "/hapusdata")
    await bot.press(STAFF_ID, "Ya, hapus")

    async with bot.db.session() as session:
        rows = (await session.exec(select(Subscriber))).all()
        audit = (await session.exec(select(AuditEntry))).all()
    assert [r.chat_id for r in rows] == [GROUP_ID]  # the group keeps its subscription
    assert rows[0].user_id is None and rows[0].first_name is None
    assert all(entry.actor_id != STAFF_ID for entry in audit)


async def test_a_sender_only_process_drops_what_it_holds_once_the_rows_are_deleted(
    botapi: BotApiServer,  # noqa: F811
    database: Database,
    db_url: str,
    tmp_path: Path,
) -> None:
    await _queue_pushes(database, STAFF_ID, QUEUED)
    env = clean_env(
        TELEGRAM_BOT_TOKEN=botapi.token,
        TELEGRAM_API_BASE_URL=botapi.base_url,
        DATABASE_URL=db_url,
    )
    # A 3 s lease: this sender looks at what it holds every second.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--sender-only",
        "--sender-lease",
        "3",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await botapi.wait_for(lambda: len(botapi.sent_to(STAFF_ID)) >= 3, timeout=30)
        # /hapusdata, answered by the bot process: the rows go, this process still holds them.
        await subscribers.delete_all_data(database, STAFF_ID, STAFF_ID)
        await asyncio.sleep(2.5)
        settled = len(botapi.sent_to(STAFF_ID))
        await asyncio.sleep(4)
        assert len(botapi.sent_to(STAFF_ID)) == settled < QUEUED
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)
