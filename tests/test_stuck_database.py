"""One stuck database connection holds up only its own chat, and only for a bounded time; a
NUL character is refused at the edge with a reply, never a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from digests import texts
from digests.store import db as db_module
from digests.store import subscribers
from digests.store.db import Database, async_database_url, sqlite_file
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.botapi.server import BotApiServer
from tests.e2e_helpers import (
    ADMIN_ID,
    OTHER_ID,
    STAFF_ID,
    BotHarness,
    make_settings,
    running_bot,
    staff_bot,  # noqa: F401  (the `bot` fixture)
)

pytestmark = pytest.mark.db


@contextlib.contextmanager
def subscriber_table_locked(db_url: str) -> Iterator[None]:
    """Another connection holds the subscriber table against writes, as a frozen one would."""
    path = sqlite_file(db_url)
    if path is not None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        connection.execute("LOCK TABLE subscriber IN EXCLUSIVE MODE")
        yield
        connection.rollback()


async def test_a_chat_stuck_on_the_database_does_not_hold_up_another(bot: BotHarness) -> None:
    await bot.say(STAFF_ID, "/start")
    with subscriber_table_locked(bot.settings.database_url):
        bot.api.push_message(STAFF_ID, "/langganan data")  # waits on the lock
        await asyncio.sleep(0.5)
        reply = await bot.say(OTHER_ID, "/bantuan", timeout=3)
        assert "/ringkasan" in reply.plain_text
    reply = await bot.api.wait_for_sent(STAFF_ID, 2, timeout=40)
    assert reply  # the stuck chat is answered once the lock is gone


async def test_a_stuck_postgresql_statement_is_cut_off_and_the_user_told(
    botapi: BotApiServer,  # noqa: F811
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if sqlite_file(db_url) is not None:
        pytest.skip("statement_timeout is PostgreSQL's (SQLite waits its busy timeout)")
    monkeypatch.setattr(db_module, "STATEMENT_TIMEOUT_S", 1.5)
    database = Database(db_url)
    assert "1500" in str(db_module.postgres_timeouts(async_database_url(db_url)))
    try:
        settings = make_settings(botapi, db_url, tmp_path)
        async with running_bot(botapi, settings, database) as bot:
            await bot.say(STAFF_ID, "/start")
            with subscriber_table_locked(db_url):
                reply = await bot.say(STAFF_ID, "/langganan data", timeout=10)
            assert reply.plain_text == texts.DATABASE_UNAVAILABLE
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    ("user_id", "text"),
    [
        (STAFF_ID, "/cari pemilu\x00"),
        (STAFF_ID, "/langganan da\x00ta"),
        (ADMIN_ID, "/siaran #data Rapat pleno\x00 besok"),
    ],
    ids=["search", "subscribe", "announcement"],
)
async def test_nul_in_a_command_is_refused_with_a_reply(
    bot: BotHarness, user_id: int, text: str
) -> None:
    reply = await bot.say(user_id, text)
    assert reply.plain_text == texts.NUL_REFUSED
    reply = await bot.say(user_id, text.replace("\x00", ""))  # nothing else went wrong
    assert reply.plain_text not in (texts.NUL_REFUSED, texts.ERROR)


async def test_nul_in_a_name_is_dropped_and_the_user_registered(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/start", first_name="Si\x00ti", username="si\x00ti")
    assert "KPU Digest" in reply.plain_text
    subscriber = await subscribers.get(bot.db, STAFF_ID)
    assert subscriber is not None
    assert (subscriber.first_name, subscriber.username) == ("Siti", "siti")
