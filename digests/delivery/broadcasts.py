"""An announcement's lifecycle, the one place that moves a broadcast from state to state.

    preview ──Kirim──▶ sending ──last message settled──▶ done
       └────Batal───▶ cancelled

`preview` stores the draft and renders what the admin checks; `confirm` / `cancel` decide it
(once, whoever presses first); `enqueue_broadcast` queues one message per recipient; `settle`
closes a broadcast whose messages are all sent or given up, and queues its report; `sweep`
finds broadcasts a crash or an outage left half-way; `report` and `acknowledge` serve
`/laporan` and the readers' "Sudah dibaca". SQL lives in `digests.store.broadcasts`, words in
`digests.texts`, rendering in `digests.delivery.announcement`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import Enum
from zoneinfo import ZoneInfo

from digests.config import Settings
from digests.delivery import announcement
from digests.store import broadcasts as store
from digests.store import outbox
from digests.store.broadcasts import Reader, StoredBroadcast
from digests.store.db import Database, Session
from digests.store.types import BroadcastStatus, utcnow

__all__ = [
    "Ack",
    "AckOutcome",
    "BroadcastReport",
    "BroadcastStatus",
    "Preview",
    "Sweep",
    "acknowledge",
    "cancel",
    "confirm",
    "decided_preview",
    "enqueue_broadcast",
    "preview",
    "queue_report_for",
    "recipients_among",
    "report",
    "settle",
    "sweep",
]

log = logging.getLogger(__name__)

DEFAULT_TZ = ZoneInfo(Settings.model_fields["timezone"].default)


@dataclass(frozen=True, slots=True)
class BroadcastReport:
    """How a broadcast went, counted per recipient (a multi-part message counts once)."""

    sent: int
    failed: int
    blocked: int
    pending: int
    read: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.blocked + self.pending


@dataclass(frozen=True, slots=True)
class Preview:
    """A stored draft and the messages that show it to its admin."""

    broadcast_id: int
    recipients: int
    admin_included: bool
    parts: list[str]


class AckOutcome(Enum):
    RECORDED = "recorded"
    ALREADY = "already"
    NOT_A_RECIPIENT = "not_a_recipient"


@dataclass(frozen=True, slots=True)
class Ack:
    outcome: AckOutcome
    read_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Sweep:
    """What a sweep found: broadcasts it queued (id → recipients), and the ones to settle."""

    queued: dict[int, int] = field(default_factory=dict)
    to_settle: list[int] = field(default_factory=list)


# --- who receives it --------------------------------------------------------------------------


def reaches(reader_divisions: Collection[str], wanted: Collection[str]) -> bool:
    """No divisions on the broadcast: every active subscriber; else those following any."""
    if not wanted:
        return True
    return bool(set(reader_divisions) & set(wanted))


def admin_follows(admin_divisions: Collection[str], wanted: Collection[str]) -> bool:
    """The admin who writes a broadcast receives it only if they subscribe to a division it
    is for (to everyone: any division); the preview already showed them every word."""
    if not wanted:
        return bool(admin_divisions)
    return bool(set(admin_divisions) & set(wanted))


def recipients_among(
    readers: Sequence[Reader], wanted: Collection[str], *, admin_chat_id: int | None
) -> list[Reader]:
    """The readers a broadcast to `wanted` (empty: everyone) reaches, in the given order."""
    return [
        reader
        for reader in readers
        if (
            admin_follows(reader.divisions, wanted)
            if reader.chat_id == admin_chat_id
            else reaches(reader.divisions, wanted)
        )
    ]


# --- preview and decision ---------------------------------------------------------------------


async def preview(
    db: Database,
    *,
    admin_id: int,
    admin_chat_id: int,
    text: str,
    divisions: Sequence[str],
    tz: tzinfo = DEFAULT_TZ,
    now: datetime | None = None,
) -> Preview:
    """Store a draft and render it for the admin, marked as a draft, with its recipients."""
    now = now or utcnow()
    async with db.session() as session:
        readers = await store.active_readers(session)
        recipients = recipients_among(readers, divisions, admin_chat_id=admin_chat_id)
        broadcast_id = await store.create_preview(
            session,
            admin_id=admin_id,
            admin_chat_id=admin_chat_id,
            text=text,
            divisions=divisions,
            recipients=len(recipients),
            now=now,
        )
        await session.commit()
    admin_included = any(reader.chat_id == admin_chat_id for reader in recipients)
    parts = announcement.render_preview(
        text,
        when=now,
        tz=tz,
        divisions=divisions,
        recipients=len(recipients),
        admin_included=admin_included,
    )
    return Preview(broadcast_id, len(recipients), admin_included, parts)


async def confirm(
    db: Database, broadcast_id: int, *, now: datetime | None = None
) -> StoredBroadcast | None:
    """Kirim: preview → sending, once (None if it was no longer a preview). Queue it next."""
    return await _decide(db, broadcast_id, BroadcastStatus.SENDING, now or utcnow())


async def cancel(
    db: Database, broadcast_id: int, *, now: datetime | None = None
) -> StoredBroadcast | None:
    """Batal: preview → cancelled, once (None if it was no longer a preview)."""
    return await _decide(db, broadcast_id, BroadcastStatus.CANCELLED, now or utcnow())


async def _decide(
    db: Database, broadcast_id: int, status: BroadcastStatus, now: datetime
) -> StoredBroadcast | None:
    async with db.session() as session:
        if not await store.decide(session, broadcast_id, status, now=now):
            await session.rollback()
            return None
        stored = await store.get(session, broadcast_id)
        await session.commit()
    return stored


def decided_preview(
    stored: StoredBroadcast, *, sent_to: int | None, tz: tzinfo = DEFAULT_TZ
) -> list[str]:
    """The preview's parts once decided: sent to `sent_to` recipients (dated as the
    announcement is), or cancelled (`sent_to` None)."""
    when = stored.created_at if sent_to is None else (stored.confirmed_at or stored.created_at)
    return announcement.render_decided_preview(
        stored.text, when=when, tz=tz, divisions=stored.divisions, sent_to=sent_to
    )


# --- queueing -----------------------------------------------------------------------------------


async def enqueue_broadcast(
    db: Database, broadcast_id: int, *, tz: tzinfo = DEFAULT_TZ, now: datetime | None = None
) -> int:
    """Queue a confirmed broadcast for every recipient; returns the number of recipients.

    One transaction: the sender sees all of the broadcast's rows or none, so it cannot mistake
    a half-queued broadcast for a finished one. Calling it again is harmless (dedupe keys), and
    a cancelled broadcast queues nothing. The announcement is dated the day of Kirim; its last
    part carries the "Sudah dibaca" button.
    """
    now = now or utcnow()
    async with db.session() as session:
        stored = await store.claim_for_queueing(session, broadcast_id, now=now)
        if stored is None:
            await session.rollback()
            return 0
        if stored.recipients and await store.has_messages(session, broadcast_id):
            await session.rollback()
            return stored.recipients
        readers = await store.active_readers(session)
        recipients = recipients_among(readers, stored.divisions, admin_chat_id=stored.admin_chat_id)
        parts = announcement.render_announcement(
            stored.text, when=stored.confirmed_at or now, tz=tz, divisions=stored.divisions
        )
        body_ids = await outbox.insert_bodies(
            session,
            parts,
            disable_notification=False,
            now=now,
            reply_markups=announcement.announcement_markups(broadcast_id, len(parts)),
        )
        items = [
            row
            for reader in recipients
            for row in outbox.message_rows(
                reader.chat_id,
                body_ids,
                kind="announcement",
                key=f"broadcast:{broadcast_id}:{reader.subscriber_id}",
                due=now,
                broadcast_id=broadcast_id,
            )
        ]
        await outbox.enqueue(session, items)
        await store.set_recipients(session, broadcast_id, len(recipients))
        await session.commit()
    if not recipients:
        await settle(db, broadcast_id, tz=tz, now=now, allow_empty=True)
    return len(recipients)


# --- settling and the report --------------------------------------------------------------------


async def broadcast_report(db: Database, broadcast_id: int) -> BroadcastReport:
    """Per recipient: blocked if any part was skipped (blocked/deactivated), else failed if any
    part failed, else pending while any part waits, else sent; and how many pressed
    "Sudah dibaca"."""
    async with db.session() as session:
        return await _report(session, broadcast_id)


async def _report(session: Session, broadcast_id: int) -> BroadcastReport:
    per_chat = await store.message_statuses(session, broadcast_id)
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
    read = await store.read_count(session, broadcast_id)
    return BroadcastReport(sent=sent, failed=failed, blocked=blocked, pending=pending, read=read)


def render_report(stored: StoredBroadcast, report: BroadcastReport, tz: tzinfo) -> str:
    """The one report text: `/laporan` and the message sent when a broadcast is done."""
    return announcement.render_report(
        broadcast_id=stored.id,
        status=stored.status,
        text=stored.text,
        divisions=stored.divisions,
        when=stored.confirmed_at or stored.created_at,
        tz=tz,
        sent=report.sent,
        failed=report.failed,
        blocked=report.blocked,
        pending=report.pending,
        read=report.read,
    )


async def report(
    db: Database, broadcast_id: int | None = None, *, tz: tzinfo = DEFAULT_TZ
) -> str | None:
    """`/laporan [id]`: that broadcast's report, or the latest one that went out; None when
    there is no such broadcast."""
    async with db.session() as session:
        if broadcast_id is None:
            stored = await store.latest_confirmed(session)
        else:
            stored = await store.get(session, broadcast_id)
        if stored is None:
            return None
        figures = await _report(session, stored.id)
    return render_report(stored, figures, tz)


async def settle(
    db: Database,
    broadcast_id: int,
    *,
    tz: tzinfo = DEFAULT_TZ,
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
        if not allow_empty and not await store.has_messages(session, broadcast_id):
            return None
        admin_chat = await store.close(session, broadcast_id, now=now)
        if admin_chat is None:
            await session.rollback()
            return None
        # Re-check under the lock: a row may have been requeued between the count and the claim.
        if await outbox.open_count(session, broadcast_id=broadcast_id):
            await session.rollback()
            return None
        figures = await _report(session, broadcast_id)
        if queue_report:
            await _queue_report(session, broadcast_id, admin_chat, figures, tz=tz, now=now)
        await session.commit()
    return figures


async def _queue_report(
    session: Session,
    broadcast_id: int,
    admin_chat_id: int,
    figures: BroadcastReport,
    *,
    tz: tzinfo,
    now: datetime,
) -> None:
    stored = await store.get(session, broadcast_id)
    assert stored is not None
    text = render_report(stored, figures, tz)
    (body_id,) = await outbox.insert_bodies(session, [text], disable_notification=False, now=now)
    await outbox.enqueue(
        session,
        outbox.message_rows(
            admin_chat_id, [body_id], kind="report", key=f"broadcast-report:{broadcast_id}", due=now
        ),
    )


async def queue_report_for(
    db: Database,
    broadcast_id: int,
    figures: BroadcastReport,
    *,
    tz: tzinfo = DEFAULT_TZ,
    now: datetime | None = None,
) -> None:
    """Queue the admin's report for a closed broadcast (when a report hook could not send it)."""
    now = now or utcnow()
    async with db.session() as session:
        admin_chat = await store.admin_chat(session, broadcast_id)
        if admin_chat is None:
            return
        await _queue_report(session, broadcast_id, admin_chat, figures, tz=tz, now=now)
        await session.commit()


async def sweep(
    db: Database,
    *,
    busy: Collection[int] = (),
    tz: tzinfo = DEFAULT_TZ,
    now: datetime | None = None,
) -> Sweep:
    """Broadcasts still sending (a restart, another sender's death, an outage): queue those
    whose queueing was cut short (confirmed, nothing in the outbox), and name the others for
    `settle`. `busy` broadcasts (this sender holds some of their messages) are left alone."""
    async with db.session() as session:
        sending = await store.sending_ids(session)
    found = Sweep()
    for broadcast_id in sending:
        if broadcast_id in busy:
            continue
        async with db.session() as session:
            queued = await store.has_messages(session, broadcast_id)
        if queued:
            found.to_settle.append(broadcast_id)
            continue
        # Idempotent, and serialised with a handler queueing it right now.
        found.queued[broadcast_id] = await enqueue_broadcast(db, broadcast_id, tz=tz, now=now)
    return found


# --- read receipts ----------------------------------------------------------------------------


async def acknowledge(
    db: Database, broadcast_id: int, chat_id: int, *, now: datetime | None = None
) -> Ack:
    """A reader pressed "Sudah dibaca": recorded once per reader; a press from a chat the
    broadcast never went to records nothing."""
    async with db.session() as session:
        if not await store.was_sent_to(session, broadcast_id, chat_id):
            return Ack(AckOutcome.NOT_A_RECIPIENT)
        recorded, read_at = await store.record_read(
            session, broadcast_id, chat_id, now=now or utcnow()
        )
        await session.commit()
    return Ack(AckOutcome.RECORDED if recorded else AckOutcome.ALREADY, read_at)
