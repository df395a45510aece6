"""A bot process killed in the middle of a broadcast loses nothing when it starts again.

The real `python -m bot` sends a 5,000-recipient announcement (confirmed through /siaran and the
Kirim button) through the stand-in Bot API, which runs as its own process and records every
accepted send in a state file. At about 40 % the bot is SIGKILLed — no shutdown code runs —
and started again. Every recipient must get the announcement; only messages the dead process
had claimed and not yet recorded as sent (in flight, or sent in the last flush interval) may
arrive twice, and the admin gets one report.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sqlalchemy import select

from bot.sending.sender import OutboxSender
from digests.config import Settings
from digests.store import outbox
from digests.store.db import Database
from digests.store.models import Broadcast, OutboxItem
from tests.e2e_helpers import ADMIN_ID
from tests.processes import (
    BotProcess,
    StandIn,
    add_subscribers,
    bot_env,
    deliveries,
    start_broadcast,
)

RECIPIENTS = 5000
RATE = 500  # the stand-in's global cap; the bot paces just under it
LEASE = "6"  # seconds: how long the dead process's claims block the restarted one
ANNOUNCEMENT = "Rapat koordinasi kesiapan logistik pukul 14.00 WIB di aula kantor."


async def _held_at_kill(db_url: str) -> tuple[set[int], int]:
    """Chats whose broadcast row the dead process had claimed, and the rows still pending."""
    db = Database(db_url)
    try:
        async with db.session() as session:
            connection = await session.connection()
            rows = (
                await connection.execute(
                    select(OutboxItem.chat_id, OutboxItem.status).where(  # type: ignore[call-overload]
                        OutboxItem.broadcast_id.is_not(None)  # type: ignore[union-attr]
                    )
                )
            ).all()
    finally:
        await db.dispose()
    held = {chat for chat, status in rows if status == outbox.SENDING}
    pending = sum(1 for _, status in rows if status == outbox.PENDING)
    return held, pending


async def test_killed_bot_resumes_a_broadcast_and_everyone_gets_it_once(
    tmp_path: Path, db_url: str
) -> None:
    started = time.monotonic()
    chats = list(range(20_000_001, 20_000_001 + RECIPIENTS))
    await add_subscribers(db_url, chats)
    api = await StandIn.start(tmp_path / "accepted.jsonl", "--rate", str(RATE))
    env = bot_env(api, db_url, tmp_path, rate=RATE)
    args = ["--poll-timeout", "1", "--sender-lease", LEASE]
    first = await BotProcess.start(env, tmp_path / "bot-1.log", *args)
    second: BotProcess | None = None
    try:
        await _wait_ready(api)
        await start_broadcast(api, ANNOUNCEMENT)
        await api.control("wait", sent=int(RECIPIENTS * 0.4), timeout=30)
        first.kill()
        await first.process.wait()
        killed_at = len(api.accepted())
        held, pending = await _held_at_kill(db_url)
        assert 0 < killed_at < RECIPIENTS and pending > 0, "the kill came too late to test much"

        second = await BotProcess.start(env, tmp_path / "bot-2.log", *args)
        report = await api.wait_for_text(ADMIN_ID, "Laporan siaran", timeout=30)
        await asyncio.sleep(0.5)  # a second report, if any, would come right after the first
        admin_texts = [m["plain_text"] for m in await api.sent_to(ADMIN_ID)]
    finally:
        first.kill()
        if second is not None:
            await second.stop()
        await api.stop()

    counts = deliveries(api.accepted(), "Rapat koordinasi kesiapan logistik")
    counts.pop(ADMIN_ID, None)  # the admin saw the preview
    twice = {chat for chat, n in counts.items() if n == 2}
    settings = Settings(_env_file=None, send_rate_per_second=RATE)  # type: ignore[call-arg]
    batch = OutboxSender(None, None, settings, worker_id="x").batch_size  # type: ignore[arg-type]
    print(
        f"\nkilled after {killed_at} accepted sends; {len(held)} rows held by the dead process; "
        f"{len(twice)} duplicate(s); {time.monotonic() - started:.1f} s in all"
    )
    assert set(counts) == set(chats), "somebody never got the announcement"
    assert max(counts.values()) <= 2
    # Only what the dead process held unrecorded went out twice: never a pending row.
    assert twice <= held
    assert len(twice) <= batch
    assert sum("Laporan siaran" in text for text in admin_texts) == 1
    assert f"Terkirim: {RECIPIENTS:,}".replace(",", ".") in report["plain_text"]

    db = Database(db_url)
    try:
        async with db.session() as session:
            statuses = await outbox.status_counts(session)
            broadcast = (await session.exec(select(Broadcast))).one()[0]  # type: ignore[call-overload]
    finally:
        await db.dispose()
    assert statuses == {outbox.SENT: RECIPIENTS + 1}  # and the report
    assert broadcast.status == "done" and broadcast.report_sent
    assert "Traceback" not in second.log


async def _wait_ready(api: StandIn, timeout: float = 30) -> None:
    """The bot polls for updates: it has started and will see the admin's command."""
    deadline = time.monotonic() + timeout
    while not await api.control("requests", method="getUpdates"):
        if time.monotonic() > deadline:
            raise TimeoutError("the bot never started polling")
        await asyncio.sleep(0.1)
