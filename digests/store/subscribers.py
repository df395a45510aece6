"""The subscriber repository: who reads, which divisions, and when.

Every change is a read-modify-write inside one session, so two quick button presses of the same
user never lose one another's toggle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import time

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from digests.store import broadcasts as broadcast_store
from digests.store.db import Database
from digests.store.models import AuditEntry, Broadcast, OutboxItem, Subscriber

__all__ = [
    "change_divisions",
    "deactivate",
    "delete_all_data",
    "get",
    "get_or_create",
    "is_blocked",
    "set_delivery",
    "set_regions",
]


def is_blocked(inactive_reason: str | None) -> bool:
    """The sender records "blocked: …" / "deactivated: …" when Telegram answers 403."""
    return (inactive_reason or "").startswith(("blocked", "deactivated"))


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
        subscriber.regions = list(dict.fromkeys(change(list(subscriber.regions or ["semua"]))))

    return await _modify(db, chat_id, apply)


async def deactivate(db: Database, chat_id: int, reason: str) -> Subscriber | None:
    """Stop everything for this chat (the row stays, so settings survive a later return)."""

    def apply(subscriber: Subscriber) -> None:
        subscriber.active = False
        subscriber.inactive_reason = reason
        subscriber.divisions = []
        subscriber.next_digest_at = None

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
