"""The tables. One class per stored thing; behaviour lives in the repository modules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from digests.scope import SCOPE_ALL
from digests.store.types import BroadcastStatus, UTCDateTime, utcnow


def _when(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Source(SQLModel, table=True):
    """A news site (a feed or a listing page) and its crawl health."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    url: str = Field(unique=True)
    kind: str | None = None  # "feed" | "html" | None (detect)
    article_pattern: str | None = None
    enabled: bool = True
    origin: str = "file"  # "file" (seeded from SOURCES_FILE) | "admin" (added in chat)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    first_crawl_done: bool = False
    last_crawled_at: datetime | None = _when()
    last_success_at: datetime | None = _when()
    consecutive_failures: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = _when()
    removed_at: datetime | None = _when()  # an admin removed it: file sync never re-enables it
    region: str | None = None  # "nasional" or a province slug (PRODUCT.md "Regions")


class HttpCacheEntry(SQLModel, table=True):
    """Validators of the last good response of a URL, for conditional GET."""

    __tablename__ = "http_cache"

    url: str = Field(primary_key=True)
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    checked_at: datetime | None = _when()


class Story(SQLModel, table=True):
    """One news story; several sites republishing a press release share one story."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Article(SQLModel, table=True):
    """An article as extracted and summarised, stored once per canonical URL."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    source_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("source.id", ondelete="SET NULL"), nullable=True),
    )
    source_name: str = ""
    story_id: int | None = Field(default=None, foreign_key="story.id", index=True)
    title: str = ""
    published_at: datetime | None = _when(index=True)
    place: str | None = None
    text: str = Field(default="", sa_type=Text)
    content_hash: str = Field(index=True)
    simhash: int = Field(default=0, sa_type=BigInteger)
    lead: list[str] = Field(default_factory=list, sa_type=JSON)
    quotes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    divisions: list[str] = Field(default_factory=list, sa_type=JSON)
    division_scores: dict[str, float] = Field(default_factory=dict, sa_type=JSON)
    summary: list[str] = Field(default_factory=list, sa_type=JSON)  # 1-3 sentences, lead first
    region: str | None = Field(default=None, index=True)
    is_news: bool = True  # False: found old on a source's first crawl, stored but not pushed
    # Set in the commit that stores a new story's first article; cleared when its instant pushes
    # are queued. A crash in between leaves them due instead of lost (digests.service).
    push_pending: bool = Field(default=False, index=True)
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime | None = _when()


class Subscriber(SQLModel, table=True):
    """A staff member's private chat, their divisions and when they want digests."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, unique=True)
    user_id: int | None = Field(default=None, sa_type=BigInteger)
    first_name: str | None = None
    username: str | None = None
    active: bool = True
    inactive_reason: str | None = None
    divisions: list[str] = Field(default_factory=list, sa_type=JSON)
    # Region scope (PRODUCT.md "Regions"): ["semua"], ["nasional"] or provinces (with nasional).
    regions: list[str] = Field(default_factory=lambda: [SCOPE_ALL], sa_type=JSON)
    delivery_times: list[str] = Field(default_factory=lambda: ["07:00"], sa_type=JSON)
    instant: bool = False
    # /berhenti and the settings' pause buttons: nothing is sent before this (choices are kept).
    paused_until: datetime | None = _when()
    digest_watermark: datetime | None = _when()
    next_digest_at: datetime | None = _when(index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MessageBody(SQLModel, table=True):
    """A rendered message, stored once however many recipients it has."""

    __tablename__ = "message_body"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_type=Text)
    parse_mode: str | None = "HTML"
    disable_notification: bool = False
    # Bot API `reply_markup` (an inline keyboard: "Lainnya", "Sudah dibaca"), same for every reader.
    reply_markup: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OutboxItem(SQLModel, table=True):
    """One message to one chat: a restart resumes from here; enqueueing twice is harmless."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, index=True)
    body_id: int = Field(foreign_key="message_body.id")
    kind: str = "digest"  # digest | instant | announcement
    broadcast_id: int | None = Field(default=None, foreign_key="broadcast.id", index=True)
    dedupe_key: str
    status: str = "pending"  # pending | sending | sent | failed | skipped
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_by: str | None = None
    lease_until: datetime | None = _when()
    sent_at: datetime | None = _when()
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Broadcast(SQLModel, table=True):
    """An admin announcement from preview to report."""

    id: int | None = Field(default=None, primary_key=True)
    admin_id: int = Field(sa_type=BigInteger)
    admin_chat_id: int = Field(sa_type=BigInteger)
    text: str = Field(sa_type=Text)
    divisions: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = BroadcastStatus.PREVIEW.value
    recipients: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = _when()
    finished_at: datetime | None = _when()
    report_sent: bool = False


class DigestSnapshot(SQLModel, table=True):
    """The ranked stories of one rendered digest, so "Lainnya" pages never shift under a reader.

    One row per distinct digest render (shared by every reader of that selection); `entries`
    maps each division slug to its article ids in digest order.
    """

    __tablename__ = "digest_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    entries: dict[str, list[int]] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class BroadcastAck(SQLModel, table=True):
    """A reader pressed "Sudah dibaca" on an announcement: once per reader and broadcast."""

    __tablename__ = "broadcast_ack"

    broadcast_id: int = Field(foreign_key="broadcast.id", primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, primary_key=True)
    read_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    """Who did what with admin powers, and when."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: int = Field(sa_type=BigInteger)
    action: str
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
