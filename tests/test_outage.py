"""Which errors count as "the database is unavailable", from real databases and real sockets."""

from __future__ import annotations

import logging
import socket
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from digests.store.db import Database, sqlite_busy_timeout_ms
from digests.store.outage import Backoff, OutageLog, is_unavailable, retry_unavailable


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _execute(db: Database, sql: str) -> None:
    async with db.session() as session:
        await (await session.connection()).execute(text(sql))
        await session.commit()


async def test_a_server_that_refuses_connections_is_unavailable() -> None:
    db = Database(f"postgresql://postgres@127.0.0.1:{_closed_port()}/test")
    try:
        with pytest.raises(Exception) as caught:
            await _execute(db, "SELECT 1")
    finally:
        await db.dispose()
    assert is_unavailable(caught.value)


async def test_a_locked_sqlite_file_is_unavailable_but_a_missing_table_is_a_bug(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locked.db"
    db = Database(f"sqlite:///{path}?timeout=0.2")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        await _execute(db, "CREATE TABLE t (x INTEGER UNIQUE)")
        await _execute(db, "INSERT INTO t VALUES (1)")
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(OperationalError) as locked:
            await _execute(db, "INSERT INTO t VALUES (2)")
        holder.execute("ROLLBACK")
        with pytest.raises(OperationalError) as missing:
            await _execute(db, "SELECT * FROM no_such_table")
        with pytest.raises(IntegrityError) as duplicate:
            await _execute(db, "INSERT INTO t VALUES (1)")
    finally:
        holder.close()
        await db.dispose()
    assert is_unavailable(locked.value)
    assert not is_unavailable(missing.value)
    assert not is_unavailable(duplicate.value)
    assert not is_unavailable(ValueError("a bug"))


def test_busy_timeout_comes_from_the_url_or_defaults_to_30_seconds() -> None:
    assert sqlite_busy_timeout_ms("sqlite:///kpu.db") == 30_000
    assert sqlite_busy_timeout_ms("sqlite:///kpu.db?timeout=2.5") == 2_500


async def test_an_outage_is_logged_once_and_its_end_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outage = OutageLog()
    attempts = 0

    async def step() -> str:
        nonlocal attempts
        attempts += 1
        if attempts < 4:
            raise ConnectionRefusedError(111, "Connect call failed")
        return "stored"

    with caplog.at_level(logging.WARNING):
        result = await retry_unavailable(outage, "test", step, backoff=Backoff(0.01, 0.02))
    assert result == "stored" and attempts == 4
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "database unavailable" in messages[0] and "ConnectionRefusedError" in messages[0]
    assert "available again" in messages[1]
    assert not outage.down


async def test_retrying_gives_up_after_its_patience_and_never_retries_a_bug() -> None:
    calls = 0

    async def refused() -> None:
        nonlocal calls
        calls += 1
        raise ConnectionRefusedError(111, "refused")

    with pytest.raises(ConnectionRefusedError):
        await retry_unavailable(OutageLog(), "t", refused, patience=0.05, backoff=Backoff(0.01))
    assert calls >= 2

    async def bug() -> None:
        nonlocal calls
        calls += 1
        raise KeyError("bug")

    calls = 0
    with pytest.raises(KeyError):
        await retry_unavailable(OutageLog(), "t", bug)
    assert calls == 1


async def test_a_network_error_from_telegram_or_a_news_site_is_not_a_database_outage() -> None:
    import httpx
    from telegram.error import NetworkError

    async with httpx.AsyncClient(trust_env=False) as client:
        with pytest.raises(httpx.ConnectError) as refused:
            await client.get(f"http://127.0.0.1:{_closed_port()}/")
    try:
        raise NetworkError("httpx.ConnectError: All connection attempts failed") from refused.value
    except NetworkError as exc:
        telegram_error = exc
    assert not is_unavailable(refused.value)
    assert not is_unavailable(telegram_error)
