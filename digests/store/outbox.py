"""The outbox table as a work queue: enqueue idempotently, claim with a lease, record outcomes.

Every statement here touches many rows at once (one INSERT for a batch of recipients, one UPDATE
for a batch of outcomes) so a 10,000-recipient broadcast costs tens of round trips, not tens of
thousands. Claims are atomic on both backends: PostgreSQL picks rows with `FOR UPDATE SKIP
LOCKED` so several senders share one outbox; SQLite runs the single `UPDATE … RETURNING` under
its database write lock. A claimed row carries a lease: if its sender dies, the row becomes
claimable again when the lease runs out (at-least-once delivery: nothing is lost, a message in
flight at the crash may go out twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.store.tables import BODIES as _bodies
from digests.store.tables import OUTBOX as _outbox
from digests.store.tables import SUBSCRIBERS as _subscribers

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"
OPEN_STATUSES = (PENDING, SENDING)

INSERT_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class ClaimedItem:
    """One claimed message with everything needed to send it."""

    id: int
    chat_id: int
    body_id: int
    kind: str
    broadcast_id: int | None
    attempts: int
    dedupe_key: str


@dataclass(frozen=True, slots=True)
class Body:
    """A stored message text and how to send it."""

    id: int
    text: str
    parse_mode: str | None
    disable_notification: bool
    reply_markup: dict[str, Any] | None = None


async def run(session: AsyncSession, statement: Any, params: Any = None) -> Any:
    """Execute a Core statement inside the session's transaction.

    Core (table-level) statements keep bulk work free of ORM bookkeeping; going through the
    session's connection also avoids SQLModel's `session.execute` deprecation warning.
    """
    connection = await session.connection()
    if params is None:
        return await connection.execute(statement)
    return await connection.execute(statement, params)


async def scalar(session: AsyncSession, statement: Any) -> Any:
    connection = await session.connection()
    return await connection.scalar(statement)


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _chunks(rows: Sequence[Any], size: int = INSERT_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# --- enqueueing -------------------------------------------------------------------------------

# Part n of a multi-part message becomes due n seconds after part 0: Telegram's per-chat pace
# anyway, and since the sender claims oldest-due first, a batch holds the first parts of many
# chats instead of every part of a few (whose pace would then cap the whole send).
PART_SPACING = timedelta(seconds=1)


def message_rows(
    chat_id: int,
    body_ids: Sequence[int],
    *,
    kind: str,
    key: str,
    due: datetime,
    broadcast_id: int | None = None,
) -> list[dict[str, Any]]:
    """The outbox rows of one message (its parts, in order) to one chat, for `enqueue`.

    `key` names the message (`digest:<subscriber>:<slot>`); part n gets `<key>:<n>`, so queueing
    the same message twice queues it once.
    """
    return [
        {
            "chat_id": chat_id,
            "body_id": body_id,
            "kind": kind,
            "broadcast_id": broadcast_id,
            "dedupe_key": f"{key}:{index}",
            "next_attempt_at": due + PART_SPACING * index,
        }
        for index, body_id in enumerate(body_ids)
    ]


async def insert_bodies(
    session: AsyncSession,
    texts: Sequence[str],
    *,
    disable_notification: bool,
    now: datetime,
    reply_markups: Sequence[dict[str, Any] | None] | None = None,
) -> list[int]:
    """Store message texts (one row each) and return their ids in the same order.

    `reply_markups`, when given, holds one inline keyboard (or None) per text.
    """
    if not texts:
        return []
    markups = list(reply_markups) if reply_markups is not None else [None] * len(texts)
    rows = [
        {
            "text": text,
            "parse_mode": "HTML",
            "disable_notification": disable_notification,
            "reply_markup": markup,
            "created_at": now,
        }
        for text, markup in zip(texts, markups, strict=True)
    ]
    ids: list[int] = []
    for chunk in _chunks(rows):
        result = await run(
            session,
            insert(_bodies).returning(_bodies.c.id, sort_by_parameter_order=True),
            list(chunk),
        )
        ids.extend(result.scalars().all())
    return ids


async def enqueue(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert outbox rows, ignoring any whose `dedupe_key` is already queued; count new rows.

    Each row needs chat_id, body_id, dedupe_key; kind, broadcast_id, next_attempt_at optional.
    """
    if not rows:
        return 0
    dialect = _dialect(session)
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = 0
    for chunk in _chunks(rows):
        values = [_outbox_row(row) for row in chunk]
        stmt = (
            make_insert(_outbox)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(_outbox.c.id)
        )
        result = await run(session, stmt, values)
        inserted += len(result.scalars().all())
    return inserted


def _outbox_row(row: dict[str, Any]) -> dict[str, Any]:
    now = row.get("created_at") or row.get("next_attempt_at")
    return {
        "chat_id": row["chat_id"],
        "body_id": row["body_id"],
        "kind": row.get("kind", "digest"),
        "broadcast_id": row.get("broadcast_id"),
        "dedupe_key": row["dedupe_key"],
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": row.get("next_attempt_at") or now,
        "created_at": now,
    }


# --- claiming ---------------------------------------------------------------------------------


def _claimable(now: datetime) -> Any:
    return or_(
        and_(_outbox.c.status == PENDING, _outbox.c.next_attempt_at <= now),
        and_(_outbox.c.status == SENDING, _outbox.c.lease_until < now),
    )


async def claim(
    session: AsyncSession,
    *,
    worker_id: str,
    limit: int,
    now: datetime,
    lease_until: datetime,
) -> list[ClaimedItem]:
    """Atomically take up to `limit` due items (and items whose lease ran out) for this worker.

    Oldest due first. A reclaimed item (its previous sender's lease expired) counts an attempt,
    so a message that keeps killing its sender ends up failed instead of looping forever.
    """
    picked = (
        select(_outbox.c.id)
        .where(_claimable(now))
        .order_by(_outbox.c.next_attempt_at, _outbox.c.id)
        .limit(limit)
    )
    values = {
        "status": SENDING,
        "claimed_by": worker_id,
        "lease_until": lease_until,
        "attempts": _outbox.c.attempts + case((_outbox.c.status == SENDING, 1), else_=0),
    }
    if _dialect(session) == "postgresql":
        # A CTE runs once. Inside `IN (…)` PostgreSQL may rescan a SKIP LOCKED subquery for
        # every row, skip the rows this very statement just locked, and claim past the limit.
        locked = picked.with_for_update(skip_locked=True).cte("picked")
        stmt = update(_outbox).where(_outbox.c.id == locked.c.id)
    else:
        # SQLite evaluates the uncorrelated subquery once, under the database write lock.
        stmt = update(_outbox).where(_outbox.c.id.in_(picked.scalar_subquery()))
    stmt = (
        stmt.where(_claimable(now))
        .values(**values)
        .returning(
            _outbox.c.id,
            _outbox.c.chat_id,
            _outbox.c.body_id,
            _outbox.c.kind,
            _outbox.c.broadcast_id,
            _outbox.c.attempts,
            _outbox.c.dedupe_key,
        )
    )
    rows = (await run(session, stmt)).all()
    items = [ClaimedItem(*row) for row in rows]
    items.sort(key=lambda item: item.id)
    return items


async def load_bodies(session: AsyncSession, body_ids: Iterable[int]) -> dict[int, Body]:
    ids = sorted(set(body_ids))
    bodies: dict[int, Body] = {}
    for chunk in _chunks(ids):
        rows = await run(
            session,
            select(
                _bodies.c.id,
                _bodies.c.text,
                _bodies.c.parse_mode,
                _bodies.c.disable_notification,
                _bodies.c.reply_markup,
            ).where(_bodies.c.id.in_(chunk)),
        )
        for row in rows:
            bodies[row.id] = Body(
                row.id, row.text, row.parse_mode, bool(row.disable_notification), row.reply_markup
            )
    return bodies


async def extend_lease(
    session: AsyncSession, ids: Sequence[int], *, worker_id: str, lease_until: datetime
) -> None:
    """Keep items this worker still holds from being reclaimed by another sender."""
    for chunk in _chunks(list(ids)):
        await run(
            session,
            update(_outbox)
            .where(_outbox.c.id.in_(chunk))
            .where(_outbox.c.status == SENDING)
            .where(_outbox.c.claimed_by == worker_id)
            .values(lease_until=lease_until),
        )


# --- outcomes ---------------------------------------------------------------------------------


async def mark_sent(
    session: AsyncSession, outcomes: Sequence[tuple[int, int | None]], *, now: datetime
) -> None:
    """(item id, Telegram message id) pairs that Telegram accepted."""
    if not outcomes:
        return
    stmt = (
        update(_outbox)
        .where(_outbox.c.id == bindparam("item_id"))
        .values(
            status=SENT,
            sent_at=now,
            telegram_message_id=bindparam("message_id"),
            claimed_by=None,
            lease_until=None,
            error=None,
        )
    )
    for chunk in _chunks(list(outcomes)):
        await run(session, stmt, [{"item_id": i, "message_id": m} for i, m in chunk])


async def mark_final(
    session: AsyncSession, outcomes: Sequence[tuple[int, str]], *, status: str
) -> None:
    """(item id, reason) pairs that will never be sent: `failed` or `skipped`."""
    if not outcomes:
        return
    stmt = (
        update(_outbox)
        .where(_outbox.c.id == bindparam("item_id"))
        .values(status=status, error=bindparam("reason"), claimed_by=None, lease_until=None)
    )
    for chunk in _chunks(list(outcomes)):
        await run(session, stmt, [{"item_id": i, "reason": r[:500]} for i, r in chunk])


async def release(
    session: AsyncSession,
    retries: Sequence[tuple[int, datetime, str | None, bool]],
) -> None:
    """Put items back in the queue: (item id, not before, reason, counts as an attempt)."""
    if not retries:
        return
    stmt = (
        update(_outbox)
        .where(_outbox.c.id == bindparam("item_id"))
        .values(
            status=PENDING,
            next_attempt_at=bindparam("at"),
            error=bindparam("reason"),
            attempts=_outbox.c.attempts + bindparam("inc"),
            claimed_by=None,
            lease_until=None,
        )
    )
    params = [
        {"item_id": i, "at": at, "reason": (r or "")[:500] or None, "inc": 1 if counted else 0}
        for i, at, r, counted in retries
    ]
    for chunk in _chunks(params):
        await run(session, stmt, list(chunk))


async def deactivate_chat(session: AsyncSession, chat_id: int, reason: str) -> int:
    """The chat blocked the bot or is gone: subscriber inactive, its queued messages skipped."""
    await run(
        session,
        update(_subscribers)
        .where(_subscribers.c.chat_id == chat_id)
        .values(active=False, inactive_reason=reason[:200]),
    )
    result = await run(
        session,
        update(_outbox)
        .where(_outbox.c.chat_id == chat_id)
        .where(_outbox.c.status.in_(OPEN_STATUSES))
        .values(status=SKIPPED, error=reason[:500], claimed_by=None, lease_until=None),
    )
    return result.rowcount or 0


async def migrate_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: follow it to its new id, queued messages included."""
    taken = await scalar(
        session,
        select(func.count()).select_from(_subscribers).where(_subscribers.c.chat_id == new_chat_id),
    )
    if taken:
        # the new chat is subscribed already; keep that row and retire the old one
        await run(
            session,
            update(_subscribers)
            .where(_subscribers.c.chat_id == old_chat_id)
            .values(active=False, inactive_reason=f"migrated to {new_chat_id}"),
        )
    else:
        await run(
            session,
            update(_subscribers)
            .where(_subscribers.c.chat_id == old_chat_id)
            .values(chat_id=new_chat_id),
        )
    await run(
        session,
        update(_outbox)
        .where(_outbox.c.chat_id == old_chat_id)
        .where(_outbox.c.status.in_(OPEN_STATUSES))
        .values(chat_id=new_chat_id),
    )


# --- inspection -------------------------------------------------------------------------------


async def status_counts(
    session: AsyncSession, *, broadcast_id: int | None = None
) -> dict[str, int]:
    stmt = select(_outbox.c.status, func.count()).group_by(_outbox.c.status)
    if broadcast_id is not None:
        stmt = stmt.where(_outbox.c.broadcast_id == broadcast_id)
    rows = await run(session, stmt)
    return {status: count for status, count in rows}


async def open_count(
    session: AsyncSession, *, broadcast_id: int | None = None, kind: str | None = None
) -> int:
    """Items not yet settled (pending or being sent), of one broadcast or kind when given."""
    stmt = select(func.count()).select_from(_outbox).where(_outbox.c.status.in_(OPEN_STATUSES))
    if broadcast_id is not None:
        stmt = stmt.where(_outbox.c.broadcast_id == broadcast_id)
    if kind is not None:
        stmt = stmt.where(_outbox.c.kind == kind)
    return int(await scalar(session, stmt) or 0)


async def open_counts_by_kind(session: AsyncSession) -> dict[str, int]:
    """Items not yet settled, per kind (digest, instant, broadcast…), for the metrics."""
    rows = await run(
        session,
        select(_outbox.c.kind, func.count())
        .where(_outbox.c.status.in_(OPEN_STATUSES))
        .group_by(_outbox.c.kind),
    )
    return {kind: int(count) for kind, count in rows}


async def present_ids(session: AsyncSession, ids: Sequence[int]) -> set[int]:
    """Which of these outbox rows still exist (/hapusdata may delete rows a sender holds)."""
    found: set[int] = set()
    for chunk in _chunks(ids, 500):
        rows = await run(session, select(_outbox.c.id).where(_outbox.c.id.in_(chunk)))
        found.update(rows.scalars().all())
    return found
