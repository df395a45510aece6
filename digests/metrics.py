"""Prometheus metrics (METRICS_PORT): what an operator watches to know the bot is healthy.

The counters live here, in the core, so the sender, the crawl and the digest job each report
with one call; the bot process serves them at http://0.0.0.0:$METRICS_PORT/metrics. Counters
are per process (Prometheus adds processes up); the outbox gauge is read from the database,
so it is the same whichever process is scraped.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from digests.store import outbox
from digests.store.db import Database

REGISTRY = CollectorRegistry(auto_describe=True)
OUTBOX_KINDS = ("digest", "instant", "announcement")

OUTBOX_PENDING = Gauge(
    "kpu_digest_outbox_pending",
    "Messages waiting in the outbox (pending or being sent), by kind",
    ["kind"],
    registry=REGISTRY,
)
MESSAGES_SENT = Counter("kpu_digest_messages_sent", "Messages Telegram accepted", registry=REGISTRY)
MESSAGES_FAILED = Counter(
    "kpu_digest_messages_failed",
    "Messages given up on (refused by Telegram, or failed too often)",
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "kpu_digest_rate_limited", "Sends answered 429 Too Many Requests", registry=REGISTRY
)
SEND_RATE = Gauge(
    "kpu_digest_send_rate_per_second",
    "Messages accepted per second since the previous refresh",
    registry=REGISTRY,
)
CRAWL_DURATION = Histogram(
    "kpu_digest_crawl_duration_seconds",
    "How long one crawl of every due source took",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800),
    registry=REGISTRY,
)
SOURCES_FAILING = Gauge(
    "kpu_digest_sources_failing", "Sources whose last crawl failed", registry=REGISTRY
)
ARTICLES_STORED = Counter(
    "kpu_digest_articles_stored", "New articles stored by crawls", registry=REGISTRY
)
LAST_DIGEST_RUN = Gauge(
    "kpu_digest_last_digest_run_timestamp_seconds",
    "When the digest job last ran to completion (Unix time)",
    registry=REGISTRY,
)

for _kind in OUTBOX_KINDS:
    OUTBOX_PENDING.labels(kind=_kind).set(0)  # every series exists from the first scrape

_sent_total = 0
_last_rate_sample: tuple[float, int] | None = None


def message_sent() -> None:
    global _sent_total
    _sent_total += 1
    MESSAGES_SENT.inc()


def message_failed() -> None:
    MESSAGES_FAILED.inc()


def rate_limited() -> None:
    RATE_LIMITED.inc()


def crawl_done(seconds: float, failing: int, stored: int) -> None:
    """One crawl finished: its duration, how many sources failed, how many articles are new."""
    CRAWL_DURATION.observe(seconds)
    SOURCES_FAILING.set(failing)
    ARTICLES_STORED.inc(stored)


def digest_run_done(at: float | None = None) -> None:
    LAST_DIGEST_RUN.set(time.time() if at is None else at)


def set_outbox_pending(counts: Mapping[str, int]) -> None:
    for kind in sorted(set(OUTBOX_KINDS) | set(counts)):
        OUTBOX_PENDING.labels(kind=kind).set(counts.get(kind, 0))


def update_send_rate(now: float | None = None) -> float:
    """Messages sent per second since the last call (the first call starts the window)."""
    global _last_rate_sample
    now = time.monotonic() if now is None else now
    sent = _sent_total
    rate = 0.0
    if _last_rate_sample is not None and now > _last_rate_sample[0]:
        rate = (sent - _last_rate_sample[1]) / (now - _last_rate_sample[0])
    _last_rate_sample = (now, sent)
    SEND_RATE.set(rate)
    return rate


async def pending_by_kind(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return await outbox.open_counts_by_kind(session)


async def refresh(db: Database) -> None:
    """Update the gauges read from the database and the send rate (every few seconds)."""
    set_outbox_pending(await pending_by_kind(db))
    update_send_rate()


def serve(port: int, addr: str = "0.0.0.0") -> None:
    """Serve /metrics on `port` in a background thread of this process."""
    start_http_server(port, addr=addr, registry=REGISTRY)
