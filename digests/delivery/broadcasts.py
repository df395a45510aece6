"""Announcements: their recipients, queueing, progress and the report to the admin."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.delivery.compose import (
    render_announcement,
    render_broadcast_report,
)
from digests.store import outbox
from digests.store.db import Database
from digests.store.outbox import run, scalar
from digests.store.tables import BROADCASTS, OUTBOX, SUBSCRIBERS
from digests.store.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BroadcastReport:
    """How a broadcast went, counted per recipient (a multi-part message counts once)."""

    sent: int
    failed: int
    blocked: int
    pending: int

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.blocked + self.pending


# --- broadcasts -------------------------------------------------------------------------------


def _broadcast_reaches(subscriber_divisions: Collection[str], wanted: Collection[str]) -> bool:
    """No divisions on the broadcast: every active subscriber; else those following any."""
    if not wanted:
        return True
    return bool(set(subscriber_divisions or ()) & set(wanted))


async def _broadcast_recipients(
    session: AsyncSession, divisions: Collection[str]
) -> list[tuple[int, int]]:
    """(subscriber id, chat id) of everyone a broadcast to `divisions` reaches."""
    rows = await run(
        session,
        select(SUBSCRIBERS.c.id, SUBSCRIBERS.c.chat_id, SUBSCRIBERS.c.divisions)
        .where(SUBSCRIBERS.c.active.is_(True))
        .order_by(SUBSCRIBERS.c.id),
    )
    return [(r.id, r.chat_id) for r in rows if _broadcast_reaches(r.divisions or (), divisions)]


async def count_broadcast_recipients(db: Database, divisions: Collection[str]) -> int:
    """How many active subscribers a broadcast to `divisions` (empty: everyone) would reach."""
    async with db.session() as session:
        return len(await _broadcast_recipients(session, divisions))


async def enqueue_broadcast(db: Database, broadcast_id: int, *, now: datetime | None = None) -> int:
    """Queue a confirmed broadcast for every recipient; returns the number of recipients.

    One transaction: the sender sees all of the broadcast's rows or none, so it cannot mistake
    a half-queued broadcast for a finished one. Calling it again is harmless (dedupe keys), and
    a cancelled broadcast queues nothing.
    """
    now = now or utcnow()
    async with db.session() as session:
        # Take the write lock first (SQLite) and re-read the row under it.
        await run(
            session,
            update(BROADCASTS)
            .where(BROADCASTS.c.id == broadcast_id)
            .where(BROADCASTS.c.status.in_(("preview", "sending")))
            .values(status="sending", confirmed_at=func.coalesce(BROADCASTS.c.confirmed_at, now)),
        )
        row = (
            await run(session, select(BROADCASTS).where(BROADCASTS.c.id == broadcast_id))
        ).one_or_none()
        if row is None or row.status != "sending":
            await session.rollback()
            return 0
        if row.recipients and await _has_items(session, broadcast_id):
            await session.rollback()
            return row.recipients
        recipients = await _broadcast_recipients(session, row.divisions or ())
        parts = render_announcement(row.text)
        body_ids = await outbox.insert_bodies(session, parts, disable_notification=False, now=now)
        items = [
            row
            for subscriber_id, chat_id in recipients
            for row in outbox.message_rows(
                chat_id,
                body_ids,
                kind="announcement",
                key=f"broadcast:{broadcast_id}:{subscriber_id}",
                due=now,
                broadcast_id=broadcast_id,
            )
        ]
        await outbox.enqueue(session, items)
        await run(
            session,
            update(BROADCASTS)
            .where(BROADCASTS.c.id == broadcast_id)
            .values(recipients=len(recipients)),
        )
        await session.commit()
    if not recipients:
        await finish_broadcast_if_done(db, broadcast_id, now=now, allow_empty=True)
    return len(recipients)


async def _has_items(session: AsyncSession, broadcast_id: int) -> bool:
    found = await scalar(
        session,
        select(OUTBOX.c.id).where(OUTBOX.c.broadcast_id == broadcast_id).limit(1),
    )
    return found is not None


async def broadcast_report(db: Database, broadcast_id: int) -> BroadcastReport:
    """Per recipient: blocked if any part was skipped (blocked/deactivated), else failed if any
    part failed, else pending while any part waits, else sent."""
    async with db.session() as session:
        return await _broadcast_report(session, broadcast_id)


async def _broadcast_report(session: AsyncSession, broadcast_id: int) -> BroadcastReport:
    rows = await run(
        session,
        select(OUTBOX.c.chat_id, OUTBOX.c.status, func.count())
        .where(OUTBOX.c.broadcast_id == broadcast_id)
        .group_by(OUTBOX.c.chat_id, OUTBOX.c.status),
    )
    per_chat: dict[int, set[str]] = defaultdict(set)
    for chat_id, status, _count in rows:
        per_chat[chat_id].add(status)
    sent = failed = blocked = pending = 0
    for statuses in per_chat.values():
        if outbox.SKIPPED in statuses:
            blocked += 1
        elif outbox.FAILED in statuses:
            failed += 1
        elif statuses & set(outbox.OPEN_STATUSES):
            pending += 1
        else:
            sent += 1
    return BroadcastReport(sent=sent, failed=failed, blocked=blocked, pending=pending)


async def finish_broadcast_if_done(
    db: Database,
    broadcast_id: int,
    *,
    now: datetime | None = None,
    queue_report: bool = True,
    allow_empty: bool = False,
) -> BroadcastReport | None:
    """Close a broadcast whose messages are all settled; exactly once across processes.

    Returns the report to whoever won the race (None otherwise). With `queue_report` the admin's
    report message goes into the outbox in the same transaction, so it is sent like any other
    message and survives a crash. A broadcast with no rows yet is being queued right now, not
    finished, unless `allow_empty` (it reached nobody).
    """
    now = now or utcnow()
    async with db.session() as session:
        if await outbox.open_count(session, broadcast_id=broadcast_id):
            return None
        if not allow_empty and not await _has_items(session, broadcast_id):
            return None
        result = await run(
            session,
            update(BROADCASTS)
            .where(BROADCASTS.c.id == broadcast_id)
            .where(BROADCASTS.c.report_sent.is_(False))
            .where(BROADCASTS.c.status == "sending")
            .values(report_sent=True, status="done", finished_at=now)
            .returning(BROADCASTS.c.admin_chat_id),
        )
        admin_chat = result.scalar_one_or_none()
        if admin_chat is None:
            await session.rollback()
            return None
        # Re-check under the lock: a row may have been requeued between the count and the claim.
        if await outbox.open_count(session, broadcast_id=broadcast_id):
            await session.rollback()
            return None
        report = await _broadcast_report(session, broadcast_id)
        if queue_report:
            await queue_broadcast_report(session, broadcast_id, admin_chat, report, now=now)
        await session.commit()
    return report


async def queue_broadcast_report(
    session: AsyncSession,
    broadcast_id: int,
    admin_chat_id: int,
    report: BroadcastReport,
    *,
    now: datetime,
) -> None:
    text = render_broadcast_report(
        broadcast_id,
        sent=report.sent,
        failed=report.failed,
        blocked=report.blocked,
        pending=report.pending,
    )
    (body_id,) = await outbox.insert_bodies(session, [text], disable_notification=False, now=now)
    await outbox.enqueue(
        session,
        outbox.message_rows(
            admin_chat_id, [body_id], kind="report", key=f"broadcast-report:{broadcast_id}", due=now
        ),
    )


async def queue_report_for(
    db: Database, broadcast_id: int, report: BroadcastReport, *, now: datetime | None = None
) -> None:
    """Queue the admin's report for a closed broadcast (when a report hook could not send it)."""
    now = now or utcnow()
    async with db.session() as session:
        admin_chat = await scalar(
            session,
            select(BROADCASTS.c.admin_chat_id).where(BROADCASTS.c.id == broadcast_id),
        )
        if admin_chat is None:
            return
        await queue_broadcast_report(session, broadcast_id, admin_chat, report, now=now)
        await session.commit()


async def unfinished_broadcasts(db: Database) -> list[int]:
    """Broadcasts still sending (for a sweep after a restart)."""
    async with db.session() as session:
        rows = await run(
            session,
            select(BROADCASTS.c.id)
            .where(BROADCASTS.c.status == "sending")
            .where(BROADCASTS.c.report_sent.is_(False)),
        )
        return list(rows.scalars().all())
