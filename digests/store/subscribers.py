"""The subscriber repository: who reads, which divisions, and when.

Every change is a read-modify-write inside one session, so two quick button presses of the same
user never lose one another's toggle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from sqlalchemy import ColumnElement, delete, or_, update
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.scope import SCOPE_ALL
from digests.store import broadcasts as broadcast_store
from digests.store.db import Database
from digests.store.models import AuditEntry, Broadcast, OutboxItem, Subscriber
from digests.store.outbox import run
from digests.store.tables import SUBSCRIBERS

__all__ = [
    "PAUSED_UNTIL_RESUMED",
    "Reader",
    "advance_watermarks",
    "change_divisions",
    "claim_due_readers",
    "delete_all_data",
    "due_readers",
    "get",
    "get_or_create",
    "instant_readers",
    "is_blocked",
    "not_paused",
    "pause",
    "paused_until",
    "resume",
    "schedule_unscheduled",
    "set_delivery",
    "set_next_digest_at",
    "set_regions",
    "unscheduled_readers",
]


def is_blocked(inactive_reason: str | None) -> bool:
    """The sender records "blocked: …" / "deactivated: …" when Telegram answers 403."""
    return (inactive_reason or "").startswith(("blocked", "deactivated"))


# `/berhenti` pauses "until resumed": a date no pause of a day or a week ever reaches.
PAUSED_UNTIL_RESUMED = datetime(9999, 1, 1, tzinfo=UTC)


def not_paused(now: datetime) -> ColumnElement[bool]:
    """Subscribers who receive digests and instant pushes at `now` (announcements ignore it)."""
    return or_(SUBSCRIBERS.c.paused_until.is_(None), SUBSCRIBERS.c.paused_until <= now)


def paused_until(subscriber: Subscriber, now: datetime) -> datetime | None:
    """Until when `subscriber` is paused at `now` (PAUSED_UNTIL_RESUMED: until resumed)."""
    if subscriber.paused_until is None:
        return None
    until = subscriber.paused_until
    return until if until > now else None


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


async def get(db: Database, chat_id: int) -> Subscriber | None:
    async with db.session() as session:
        return (await session.exec(select(Subscriber).where(Subscriber.chat_id == chat_id))).first()


async def get_or_create(
    db: Database,
    *,
    chat_id: int,
    user_id: int | None,
    first_name: str | None,
    username: str | None,
    default_time: time,
) -> tuple[Subscriber, bool]:
    """The subscriber of a chat, created on first contact; a returning user is active again.

    Returns the subscriber and whether it was created now.
    """
    for _ in range(2):  # a concurrent first contact may insert between our read and write
        async with db.session() as session:
            stmt = select(Subscriber).where(Subscriber.chat_id == chat_id)
            subscriber = (await session.exec(stmt)).first()
            created = subscriber is None
            if subscriber is None:
                subscriber = Subscriber(
                    chat_id=chat_id, user_id=user_id, delivery_times=[_hhmm(default_time)]
                )
            elif not subscriber.active and is_blocked(subscriber.inactive_reason):
                # They wrote to us, so they unblocked the bot.
                subscriber.active = True
                subscriber.inactive_reason = None
            subscriber.user_id = user_id
            subscriber.first_name = first_name
            subscriber.username = username
            session.add(subscriber)
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                continue
            await session.refresh(subscriber)
            return subscriber, created
    raise RuntimeError(f"could not register chat {chat_id}")


async def _modify(
    db: Database, chat_id: int, change: Callable[[Subscriber], None]
) -> Subscriber | None:
    """Read, change and save one subscriber in one session; None if the chat is unknown."""
    async with db.session() as session:
        stmt = select(Subscriber).where(Subscriber.chat_id == chat_id)
        subscriber = (await session.exec(stmt)).first()
        if subscriber is None:
            return None
        change(subscriber)
        session.add(subscriber)
        await session.commit()
        await session.refresh(subscriber)
        return subscriber


async def change_divisions(
    db: Database, chat_id: int, change: Callable[[list[str]], Iterable[str]]
) -> Subscriber | None:
    """Apply `change` to the subscriber's divisions; having any makes them active again."""

    def apply(subscriber: Subscriber) -> None:
        subscriber.divisions = list(dict.fromkeys(change(list(subscriber.divisions))))
        if subscriber.divisions and not subscriber.active:
            subscriber.active = True
            subscriber.inactive_reason = None

    return await _modify(db, chat_id, apply)


async def set_delivery(
    db: Database, chat_id: int, *, times: list[str] | None, instant: bool
) -> Subscriber | None:
    """Store delivery times (`None` keeps the current ones) and whether to push instantly."""

    def apply(subscriber: Subscriber) -> None:
        if times is not None:
            subscriber.delivery_times = list(times)
        subscriber.instant = instant

    return await _modify(db, chat_id, apply)


async def set_regions(
    db: Database, chat_id: int, change: Callable[[list[str]], Iterable[str]]
) -> Subscriber | None:
    """Apply `change` to the region scope (`["semua"]`, `["nasional", "jawa-timur"]`…), in one
    read-modify-write so two quick presses in the picker never lose one another's toggle."""

    def apply(subscriber: Subscriber) -> None:
        subscriber.regions = list(dict.fromkeys(change(list(subscriber.regions or [SCOPE_ALL]))))

    return await _modify(db, chat_id, apply)


async def pause(db: Database, chat_id: int, until: datetime) -> Subscriber | None:
    """No digests and no instant pushes before `until`; divisions and times are kept."""

    def apply(subscriber: Subscriber) -> None:
        subscriber.paused_until = until

    return await _modify(db, chat_id, apply)


async def resume(db: Database, chat_id: int) -> Subscriber | None:
    def apply(subscriber: Subscriber) -> None:
        subscriber.paused_until = None

    return await _modify(db, chat_id, apply)


async def delete_all_data(db: Database, chat_id: int, user_id: int | None = None) -> bool:
    """Forget a chat: its subscriber row and every message queued or sent to it; and, when
    `user_id` asks, every other trace of that person (/hapusdata).

    Other chats' rows the person created (a group they subscribed) stay for the group but no
    longer name them; audit entries and broadcasts of their admin acts keep the act, with the
    actor anonymised (id 0). Returns whether anything was stored.
    """
    async with db.session() as session:
        outbox = await session.exec(delete(OutboxItem).where(OutboxItem.chat_id == chat_id))
        subs = await session.exec(delete(Subscriber).where(Subscriber.chat_id == chat_id))
        reads = await broadcast_store.forget_reader(session, chat_id)
        found = bool(outbox.rowcount or subs.rowcount or reads)
        if user_id is not None:
            named = await session.exec(
                update(Subscriber)
                .where(Subscriber.user_id == user_id)
                .values(user_id=None, first_name=None, username=None)
            )
            acts = await session.exec(
                update(AuditEntry).where(AuditEntry.actor_id == user_id).values(actor_id=0)
            )
            sent = await session.exec(
                update(Broadcast)
                .where(Broadcast.admin_id == user_id)
                .values(admin_id=0, admin_chat_id=0)
            )
            found = found or bool(named.rowcount or acts.rowcount or sent.rowcount)
        await session.commit()
        return found


# --- delivery: who is due, claimed with compare-and-set, and watermarks ----------------------


@dataclass(frozen=True, slots=True)
class Reader:
    """A subscriber as delivery sees them: where to send, what they follow, and when."""

    id: int
    chat_id: int
    divisions: list[str] = field(default_factory=list)
    regions: list[str] | None = None
    delivery_times: list[str] = field(default_factory=list)
    digest_watermark: datetime | None = None
    next_digest_at: datetime | None = None


_READER_COLUMNS = (
    SUBSCRIBERS.c.id,
    SUBSCRIBERS.c.chat_id,
    SUBSCRIBERS.c.divisions,
    SUBSCRIBERS.c.regions,
    SUBSCRIBERS.c.delivery_times,
    SUBSCRIBERS.c.digest_watermark,
    SUBSCRIBERS.c.next_digest_at,
)


def _reader(row: object) -> Reader:
    return Reader(
        id=row.id,  # type: ignore[attr-defined]
        chat_id=row.chat_id,  # type: ignore[attr-defined]
        divisions=list(row.divisions or ()),  # type: ignore[attr-defined]
        regions=row.regions,  # type: ignore[attr-defined]
        delivery_times=list(row.delivery_times or ()),  # type: ignore[attr-defined]
        digest_watermark=row.digest_watermark,  # type: ignore[attr-defined]
        next_digest_at=row.next_digest_at,  # type: ignore[attr-defined]
    )


async def set_next_digest_at(db: Database, subscriber_id: int, due: datetime | None) -> None:
    async with db.session() as session:
        await run(
            session,
            update(SUBSCRIBERS).where(SUBSCRIBERS.c.id == subscriber_id).values(next_digest_at=due),
        )
        await session.commit()


async def unscheduled_readers(session: AsyncSession, limit: int) -> list[Reader]:
    """Active fixed-time subscribers without a due time (created by an older handler)."""
    rows = await run(
        session,
        select_columns(*_READER_COLUMNS)
        .where(SUBSCRIBERS.c.active.is_(True))
        .where(SUBSCRIBERS.c.instant.is_(False))
        .where(SUBSCRIBERS.c.next_digest_at.is_(None))
        .limit(limit),
    )
    return [_reader(row) for row in rows.all()]


async def schedule_unscheduled(session: AsyncSession, ids: Sequence[int], due: datetime) -> None:
    """Give these subscribers their first due time, unless one was set meanwhile."""
    await run(
        session,
        update(SUBSCRIBERS)
        .where(SUBSCRIBERS.c.id.in_(ids))
        .where(SUBSCRIBERS.c.next_digest_at.is_(None))
        .values(next_digest_at=due),
    )


async def due_readers(
    session: AsyncSession, now: datetime, *, after_id: int, limit: int
) -> list[Reader]:
    """Active fixed-time subscribers whose digest is due at `now`, by id after `after_id`."""
    return await _active_readers_after(
        session,
        after_id,
        limit,
        SUBSCRIBERS.c.instant.is_(False),
        SUBSCRIBERS.c.next_digest_at <= now,
        not_paused(now),  # a paused reader's digest waits for the pause
    )


async def claim_due_readers(
    session: AsyncSession, ids: Sequence[int], now: datetime, next_due: datetime
) -> set[int]:
    """Compare-and-set: of `ids`, those still due at `now` move on to `next_due` and get the
    watermark `now`; returns their ids (two processes never both claim one)."""
    result = await run(
        session,
        update(SUBSCRIBERS)
        .where(SUBSCRIBERS.c.id.in_(ids))
        .where(SUBSCRIBERS.c.next_digest_at <= now)
        .where(SUBSCRIBERS.c.active.is_(True))
        .where(SUBSCRIBERS.c.instant.is_(False))
        .values(next_digest_at=next_due, digest_watermark=now)
        .returning(SUBSCRIBERS.c.id),
    )
    return set(result.scalars().all())


async def instant_readers(
    session: AsyncSession, now: datetime, *, after_id: int, limit: int
) -> list[Reader]:
    """Active instant-mode subscribers, by id after `after_id`."""
    return await _active_readers_after(
        session, after_id, limit, SUBSCRIBERS.c.instant.is_(True), not_paused(now)
    )


async def _active_readers_after(
    session: AsyncSession, after_id: int, limit: int, *where: ColumnElement[bool]
) -> list[Reader]:
    """One page of a walk by id over the active subscribers that match `where`."""
    rows = await run(
        session,
        select_columns(*_READER_COLUMNS)
        .where(SUBSCRIBERS.c.active.is_(True), *where)
        .where(SUBSCRIBERS.c.id > after_id)
        .order_by(SUBSCRIBERS.c.id)
        .limit(limit),
    )
    return [_reader(row) for row in rows.all()]


async def advance_watermarks(session: AsyncSession, ids: Sequence[int], when: datetime) -> None:
    """News up to `when` counts as delivered to these subscribers."""
    await run(
        session,
        update(SUBSCRIBERS).where(SUBSCRIBERS.c.id.in_(ids)).values(digest_watermark=when),
    )
