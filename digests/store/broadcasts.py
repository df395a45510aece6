"""Every SQL statement of an announcement's lifecycle: preview, decision, queueing, closing,
read receipts.

The rules (who is a recipient, what the report says) live in `digests.delivery.broadcasts`;
these functions only read and write rows, inside the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.store.models import BroadcastAck
from digests.store.outbox import run, scalar
from digests.store.tables import BROADCASTS, OUTBOX, SUBSCRIBERS
from digests.store.types import BroadcastStatus

ACKS = BroadcastAck.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class StoredBroadcast:
    id: int
    admin_id: int
    admin_chat_id: int
    text: str
    divisions: tuple[str, ...]
    status: BroadcastStatus
    recipients: int
    created_at: datetime
    confirmed_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class Reader:
    """An active subscriber as a broadcast sees them."""

    subscriber_id: int
    chat_id: int
    divisions: tuple[str, ...]


def _stored(row: object) -> StoredBroadcast:
    return StoredBroadcast(
        id=row.id,  # type: ignore[attr-defined]
        admin_id=row.admin_id,  # type: ignore[attr-defined]
        admin_chat_id=row.admin_chat_id,  # type: ignore[attr-defined]
        text=row.text,  # type: ignore[attr-defined]
        divisions=tuple(row.divisions or ()),  # type: ignore[attr-defined]
        status=BroadcastStatus(row.status),  # type: ignore[attr-defined]
        recipients=row.recipients,  # type: ignore[attr-defined]
        created_at=row.created_at,  # type: ignore[attr-defined]
        confirmed_at=row.confirmed_at,  # type: ignore[attr-defined]
        finished_at=row.finished_at,  # type: ignore[attr-defined]
    )


# --- the broadcast row ------------------------------------------------------------------------


async def create_preview(
    session: AsyncSession,
    *,
    admin_id: int,
    admin_chat_id: int,
    text: str,
    divisions: Sequence[str],
    recipients: int,
    now: datetime,
) -> int:
    """A new broadcast waiting for its admin's Kirim or Batal; its id."""
    result = await run(
        session,
        insert(BROADCASTS)
        .values(
            admin_id=admin_id,
            admin_chat_id=admin_chat_id,
            text=text,
            divisions=list(divisions),
            status=BroadcastStatus.PREVIEW.value,
            recipients=recipients,
            created_at=now,
            report_sent=False,
        )
        .returning(BROADCASTS.c.id),
    )
    return int(result.scalar_one())


async def get(session: AsyncSession, broadcast_id: int) -> StoredBroadcast | None:
    row = (
        await run(session, select(BROADCASTS).where(BROADCASTS.c.id == broadcast_id))
    ).one_or_none()
    return _stored(row) if row is not None else None


async def latest_confirmed(session: AsyncSession) -> StoredBroadcast | None:
    """The newest broadcast that went out (or is going out)."""
    row = (
        await run(
            session,
            select(BROADCASTS)
            .where(BROADCASTS.c.status.in_(_values(BroadcastStatus.SENDING, BroadcastStatus.DONE)))
            .order_by(BROADCASTS.c.id.desc())
            .limit(1),
        )
    ).one_or_none()
    return _stored(row) if row is not None else None


def _values(*statuses: BroadcastStatus) -> list[str]:
    return [status.value for status in statuses]


async def decide(
    session: AsyncSession, broadcast_id: int, status: BroadcastStatus, *, now: datetime
) -> bool:
    """Preview → `status` (sending or cancelled) in one atomic step; False if no longer a
    preview (a second press, or a second admin, changes nothing)."""
    result = await run(
        session,
        update(BROADCASTS)
        .where(BROADCASTS.c.id == broadcast_id)
        .where(BROADCASTS.c.status == BroadcastStatus.PREVIEW.value)
        .values(status=status.value, confirmed_at=now),
    )
    return result.rowcount == 1


async def claim_for_queueing(
    session: AsyncSession, broadcast_id: int, *, now: datetime
) -> StoredBroadcast | None:
    """Mark the broadcast as sending (taking SQLite's write lock first) and read it back under
    that lock; None unless it is sending (a cancelled broadcast queues nothing)."""
    await run(
        session,
        update(BROADCASTS)
        .where(BROADCASTS.c.id == broadcast_id)
        .where(BROADCASTS.c.status.in_(_values(BroadcastStatus.PREVIEW, BroadcastStatus.SENDING)))
        .values(
            status=BroadcastStatus.SENDING.value,
            confirmed_at=func.coalesce(BROADCASTS.c.confirmed_at, now),
        ),
    )
    stored = await get(session, broadcast_id)
    if stored is None or stored.status is not BroadcastStatus.SENDING:
        return None
    return stored


async def set_recipients(session: AsyncSession, broadcast_id: int, recipients: int) -> None:
    await run(
        session,
        update(BROADCASTS).where(BROADCASTS.c.id == broadcast_id).values(recipients=recipients),
    )


async def close(session: AsyncSession, broadcast_id: int, *, now: datetime) -> int | None:
    """Sending → done, exactly once across processes; the admin's chat id to whoever won."""
    result = await run(
        session,
        update(BROADCASTS)
        .where(BROADCASTS.c.id == broadcast_id)
        .where(BROADCASTS.c.report_sent.is_(False))
        .where(BROADCASTS.c.status == BroadcastStatus.SENDING.value)
        .values(report_sent=True, status=BroadcastStatus.DONE.value, finished_at=now)
        .returning(BROADCASTS.c.admin_chat_id),
    )
    return result.scalar_one_or_none()


async def admin_chat(session: AsyncSession, broadcast_id: int) -> int | None:
    return await scalar(
        session, select(BROADCASTS.c.admin_chat_id).where(BROADCASTS.c.id == broadcast_id)
    )


async def sending_ids(session: AsyncSession) -> list[int]:
    """Broadcasts confirmed and not yet closed (for the sender's sweep)."""
    rows = await run(
        session,
        select(BROADCASTS.c.id)
        .where(BROADCASTS.c.status == BroadcastStatus.SENDING.value)
        .where(BROADCASTS.c.report_sent.is_(False))
        .order_by(BROADCASTS.c.id),
    )
    return list(rows.scalars().all())


# --- recipients and their messages --------------------------------------------------------------


async def active_readers(session: AsyncSession) -> list[Reader]:
    """Every active subscriber, oldest first (paused ones included: announcements reach them)."""
    rows = await run(
        session,
        select(SUBSCRIBERS.c.id, SUBSCRIBERS.c.chat_id, SUBSCRIBERS.c.divisions)
        .where(SUBSCRIBERS.c.active.is_(True))
        .order_by(SUBSCRIBERS.c.id),
    )
    return [Reader(r.id, r.chat_id, tuple(r.divisions or ())) for r in rows]


async def reader(session: AsyncSession, chat_id: int) -> Reader | None:
    """The active subscriber of `chat_id`, if any."""
    row = (
        await run(
            session,
            select(SUBSCRIBERS.c.id, SUBSCRIBERS.c.chat_id, SUBSCRIBERS.c.divisions)
            .where(SUBSCRIBERS.c.chat_id == chat_id)
            .where(SUBSCRIBERS.c.active.is_(True)),
        )
    ).one_or_none()
    return Reader(row.id, row.chat_id, tuple(row.divisions or ())) if row is not None else None


async def has_messages(session: AsyncSession, broadcast_id: int) -> bool:
    """Whether any message of the broadcast is in the outbox (it has been queued)."""
    found = await scalar(
        session,
        select(OUTBOX.c.id).where(OUTBOX.c.broadcast_id == broadcast_id).limit(1),
    )
    return found is not None


async def message_statuses(session: AsyncSession, broadcast_id: int) -> dict[int, set[str]]:
    """Per recipient chat: the outbox statuses of the broadcast's parts sent to it."""
    rows = await run(
        session,
        select(OUTBOX.c.chat_id, OUTBOX.c.status)
        .where(OUTBOX.c.broadcast_id == broadcast_id)
        .group_by(OUTBOX.c.chat_id, OUTBOX.c.status),
    )
    per_chat: dict[int, set[str]] = defaultdict(set)
    for chat_id, status in rows:
        per_chat[chat_id].add(status)
    return dict(per_chat)


async def was_sent_to(session: AsyncSession, broadcast_id: int, chat_id: int) -> bool:
    """Whether the broadcast was queued for `chat_id` (a read receipt must come from one)."""
    found = await scalar(
        session,
        select(OUTBOX.c.id)
        .where(OUTBOX.c.broadcast_id == broadcast_id)
        .where(OUTBOX.c.chat_id == chat_id)
        .limit(1),
    )
    return found is not None


# --- read receipts ----------------------------------------------------------------------------


async def record_read(
    session: AsyncSession, broadcast_id: int, chat_id: int, *, now: datetime
) -> tuple[bool, datetime]:
    """Note that `chat_id` read the broadcast, once: (new, when it was first read)."""
    make_insert = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    result = await run(
        session,
        make_insert(ACKS)
        .values(broadcast_id=broadcast_id, chat_id=chat_id, read_at=now)
        .on_conflict_do_nothing(index_elements=["broadcast_id", "chat_id"])
        .returning(ACKS.c.read_at),
    )
    inserted = result.scalar_one_or_none()
    if inserted is not None:
        return True, inserted
    first = await scalar(
        session,
        select(ACKS.c.read_at)
        .where(ACKS.c.broadcast_id == broadcast_id)
        .where(ACKS.c.chat_id == chat_id),
    )
    return False, first


async def read_count(session: AsyncSession, broadcast_id: int) -> int:
    """How many readers pressed "Sudah dibaca"."""
    count = await scalar(
        session,
        select(func.count()).select_from(ACKS).where(ACKS.c.broadcast_id == broadcast_id),
    )
    return int(count or 0)


async def forget_reader(session: AsyncSession, chat_id: int) -> int:
    """Delete a chat's read receipts (/hapusdata)."""
    result = await run(session, delete(ACKS).where(ACKS.c.chat_id == chat_id))
    return result.rowcount or 0
