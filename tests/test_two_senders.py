"""Two sender processes share one PostgreSQL outbox: each message goes out once, both work.

The bot process (which receives updates and sends) and a `python -m bot --sender-only` process
run against one database and the stand-in Bot API (its own process, counting every accepted
send). The admin broadcasts to 2,000 subscribers; claims with `FOR UPDATE SKIP LOCKED` must
split the work without ever handing one row to both.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from digests.store import outbox
from digests.store.db import Database
from tests import dbutil
from tests.e2e_helpers import ADMIN_ID
from tests.processes import (
    BotProcess,
    StandIn,
    add_subscribers,
    bot_env,
    deliveries,
    start_broadcast,
)

pytestmark = pytest.mark.skipif(
    not (dbutil.test_server_url() or "").startswith("postgres"),
    reason="several sender processes need PostgreSQL (TEST_DATABASE_URL)",
)

RECIPIENTS = 2000
RATE = 400  # the stand-in's global cap, shared by the two processes
ANNOUNCEMENT = "Pengumuman: batas unggah laporan dana kampanye diperpanjang hingga Jumat."
STOPPED = re.compile(r"outbox sender (\S+) stopped: (\d+) sent")


async def _wait_for_log(process: BotProcess, fragment: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while fragment not in process.log:
        if process.process.returncode is not None or time.monotonic() > deadline:
            raise AssertionError(f"{fragment!r} never logged:\n{process.log}")
        await asyncio.sleep(0.1)


async def test_two_sender_processes_send_each_message_exactly_once(
    tmp_path: Path, db_url: str
) -> None:
    chats = list(range(30_000_001, 30_000_001 + RECIPIENTS))
    await add_subscribers(db_url, chats)
    api = await StandIn.start(tmp_path / "accepted.jsonl", "--rate", str(RATE))
    env = bot_env(api, db_url, tmp_path, rate=RATE / 2)  # the limit divided among senders
    main = await BotProcess.start(env, tmp_path / "bot.log", "--poll-timeout", "1")
    helper = await BotProcess.start(env, tmp_path / "sender.log", "--sender-only")
    try:
        await _wait_for_log(main, "bot ready")
        await _wait_for_log(helper, "sender-only process ready")
        await start_broadcast(api, ANNOUNCEMENT)
        report = await api.wait_for_text(ADMIN_ID, "Laporan siaran", timeout=40)
    finally:
        codes = await asyncio.gather(main.stop(), helper.stop())
        await api.stop()
    assert codes == [0, 0], main.log + helper.log

    counts = deliveries(api.accepted(), "batas unggah laporan dana kampanye")
    counts.pop(ADMIN_ID, None)  # the admin saw the preview
    assert set(counts) == set(chats)
    assert set(counts.values()) == {1}, "a message went out twice"
    assert "Terkirim: 2.000" in report["plain_text"]

    shares = {}
    for process in (main, helper):
        (match,) = STOPPED.findall(process.log)
        shares[match[0]] = int(match[1])
    assert len(shares) == 2 and all(sent > 0 for sent in shares.values()), shares
    assert sum(shares.values()) == RECIPIENTS + 1  # and the admin's report
    print(f"\nsent per process: {shares}")

    db = Database(db_url)
    try:
        async with db.session() as session:
            assert await outbox.status_counts(session) == {outbox.SENT: RECIPIENTS + 1}
    finally:
        await db.dispose()
