"""The outbox sender: claims queued messages and sends them at Telegram's pace.

One sender per process; several processes may share one PostgreSQL outbox (claims use
`FOR UPDATE SKIP LOCKED`, so each message is taken by one sender at a time). The rate cap is
per process: with N sender processes, set SEND_RATE_PER_SECOND to the bot's limit / N.

How a message travels:
- The claim loop leases a batch of due rows (`digests.store.outbox.claim`) and files them in
  per-chat queues in memory, oldest first.
- The dispatch loop picks the chat whose next send is allowed soonest (about 1 message/s per
  chat after a short burst), takes a global slot from a token bucket (`SEND_RATE_PER_SECOND`)
  and sends. A controller keeps as few requests in flight as keep up with the rate (at most
  `concurrency`): httpcore's pool work grows with every open connection, so more is not
  better. A chat has one message in flight
  at a time, so the parts of a digest arrive in order.
- Outcomes are written back in batches by the flush loop; a lease keeper extends the leases of
  rows still held in memory. If the process dies, the leases run out and another sender (or
  this one after a restart) takes the rows again: nothing is lost, and a message that was in
  flight at the crash may be sent twice.

Failures: 429 → that chat waits `retry_after` and retries, every other chat keeps going;
403 → the subscriber is marked inactive and its other queued messages skipped; ChatMigrated →
the stored chat id follows the group and the message is resent there; other 400s → failed with
Telegram's reason; network errors and 5xx → exponential backoff, failed after `max_attempts`.

When the last message of a broadcast is settled the broadcast is closed exactly once and the
admin gets a report: through `on_broadcast_done(broadcast_id)` when set, otherwise (or if the
hook fails) as a message queued in the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import inspect
import itertools
import json
import logging
import math
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from telegram import Bot, LinkPreviewOptions
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TimedOut

from bot.guards import outage_guard
from bot.sending.flood import outbox_send, retry_after_seconds
from bot.sending.pacing import ChatPacer, Clock, ConcurrencyController, TokenBucket, backoff_delay
from digests import metrics
from digests.config import Settings
from digests.delivery import broadcasts
from digests.store import outbox
from digests.store.db import Database
from digests.store.outage import Backoff, is_unavailable
from digests.store.outbox import Body, ClaimedItem
from digests.store.types import utcnow

log = logging.getLogger(__name__)

NO_PREVIEW_JSON = json.dumps(LinkPreviewOptions(is_disabled=True).to_dict())
BroadcastHook = Callable[[int], Awaitable[None] | None]
# After /hapusdata, rows of that chat that a claim returns this soon are dropped, not sent: the
# claim committed just before the deletion did.
FORGET_WINDOW = 10.0
# Retries of one message while the Bot API answers nobody, before it counts as failing.
MAX_OUTAGE_RETRIES = 60


@dataclass(slots=True)
class _Job:
    item: ClaimedItem
    chat_id: int
    attempts: int
    not_before: float = 0.0
    outage_retries: int = 0  # failed while the Bot API was unreachable for every chat
    successes_seen: int = -1  # the sender's success count at this job's previous failure


@dataclass(slots=True)
class _Outcome:
    kind: str  # sent | failed | deactivate | migrate
    item_id: int | None = None
    broadcast_id: int | None = None
    message_id: int | None = None
    reason: str | None = None
    chat_id: int | None = None
    new_chat_id: int | None = None


@dataclass
class SenderStats:
    """What this sender did since it started (for logs, /stats and benchmarks)."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    migrated: int = 0
    rate_limited: int = 0
    network_errors: int = 0
    claimed: int = 0
    by_error: Counter[str] = field(default_factory=Counter)


class OutboxSender:
    """Sends what the outbox holds; see the module docstring for the policy."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        settings: Settings,
        *,
        worker_id: str,
        concurrency: int | None = None,
        batch_size: int | None = None,
        lease_seconds: float = 60.0,
        poll_interval: float = 1.0,
        flush_interval: float = 0.2,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        per_chat_rate: float = 1.0,
        per_chat_burst: int = 3,
        stop_timeout: float = 5.0,
        rate_headroom: float = 0.97,
        clock: Clock = time.monotonic,
    ) -> None:
        rate = float(settings.send_rate_per_second)
        self.bot = bot
        self.db = db
        self.settings = settings
        self.worker_id = worker_id
        # The most requests ever in flight: within the connection pool PTB's Application gives
        # its bot (256), leaving room for command replies. Fewer are used when latency is low.
        self.concurrency = concurrency or max(4, min(128, math.ceil(rate * 0.5)))
        self._rate = rate
        # Never fewer in flight than a 20 ms round trip needs at the full rate: a spare slot
        # costs little (small pools, see bot/sending/request.py), one missing when the machine is
        # busy costs throughput the controller is slow to win back.
        floor = min(self.concurrency, max(4, math.ceil(rate * 0.02)))
        self.controller = ConcurrencyController(floor, minimum=floor, maximum=self.concurrency)
        self._window_started = clock()
        self._window_sent = 0
        self._window_busy = 0.0
        self.batch_size = batch_size or max(50, min(2000, math.ceil(rate * 2)))
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_interval = poll_interval
        self.flush_interval = flush_interval
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.stop_timeout = stop_timeout
        self.clock = clock
        # Pace a little under the cap: arrival jitter of even one request would otherwise put
        # rate + 1 sends into some one-second window and earn a 429. A 20 ms tolerance lets a
        # send that woke up late be caught up (timer overshoot would otherwise cost ~10 % at
        # 300/s) while a long stall still never turns into a burst.
        paced = rate * rate_headroom
        self.global_bucket = TokenBucket(paced, 1.0 + paced * 0.02, clock)
        self.chat_pacer = ChatPacer(per_chat_rate, per_chat_burst, clock)
        self.on_broadcast_done: BroadcastHook | None = None
        self.stats = SenderStats()

        self._chats: dict[int, deque[_Job]] = {}
        self._held_ids: set[int] = set()
        self._held_by_broadcast: Counter[int] = Counter()
        self._ready: list[tuple[float, int, int]] = []
        self._scheduled: set[int] = set()
        self._inflight: set[int] = set()
        self._send_tasks: set[asyncio.Task[None]] = set()
        self._cooldown: dict[int, float] = {}
        self._bodies: dict[int, Body] = {}
        self._forgotten: dict[int, float] = {}
        self._successes = 0
        self._api_down = False
        self._results: list[_Outcome] = []
        # Outcomes not yet written (sent during an outage, or waiting for the next flush): the
        # rows are ours even if their lease lapses, and a claim that returns one skips it.
        self._unrecorded: Counter[int] = Counter()
        self._finish_later: set[int] = set()
        self._db_backoff = Backoff(first=0.5, cap=2.0)
        self._seq = itertools.count()
        self._flushing = False
        self._closing = False
        self._running = False
        self._slot_free: asyncio.Event | None = None
        self._stopping: asyncio.Event | None = None
        self._stopped: asyncio.Event | None = None
        self._claim_event: asyncio.Event | None = None
        # The last claim found fewer due rows than it asked for: a send freeing room is then no
        # reason to claim again (that would be one empty write transaction per message sent);
        # `wake()` or the next poll is.
        self._queue_dry = False
        self._ready_event: asyncio.Event | None = None
        self._results_event: asyncio.Event | None = None

    # --- public surface ---------------------------------------------------------------------

    @property
    def held(self) -> int:
        """Messages claimed and not yet settled, in this process."""
        return len(self._held_ids)

    async def forget_chat(self, chat_id: int, timeout: float = 10.0) -> int:
        """Drop every message held for `chat_id` (its user asked for their data to be deleted,
        and the rows are gone) and wait for a send already on the wire to that chat to end, so
        nothing reaches the chat after the confirmation. Returns how many were dropped."""
        self._forgotten[chat_id] = self.clock()
        queue = self._chats.get(chat_id)
        dropped = 0
        for job in list(queue or ()):
            if chat_id in self._inflight and queue and job is queue[0]:
                continue  # on the wire: its own completion settles it
            queue.remove(job)  # type: ignore[union-attr]
            self._release_job(job)
            dropped += 1
        if queue is not None and not queue:
            self._chats.pop(chat_id, None)
        self._scheduled.discard(chat_id)
        self._cooldown.pop(chat_id, None)
        deadline = self.clock() + timeout
        while chat_id in self._inflight and self.clock() < deadline:
            await asyncio.sleep(0.02)
        self._chats.pop(chat_id, None)
        if dropped:
            log.info("dropped %d queued message(s) of a chat whose data was deleted", dropped)
        return dropped

    def wake(self) -> None:
        """New rows were queued: claim now instead of at the next poll."""
        if self._claim_event is not None:
            self._claim_event.set()

    async def run(self) -> None:
        """Send until `stop()`; returns once in-flight sends are settled and recorded."""
        if self._running:
            raise RuntimeError("this sender is already running")
        self._running = True
        self._slot_free = asyncio.Event()
        self._stopping = asyncio.Event()
        self._stopped = asyncio.Event()
        self._claim_event = asyncio.Event()
        self._ready_event = asyncio.Event()
        self._results_event = asyncio.Event()
        loops = [
            asyncio.create_task(self._guard(self._claim_loop), name="outbox-claim"),
            asyncio.create_task(self._guard(self._dispatch_loop), name="outbox-dispatch"),
            asyncio.create_task(self._guard(self._housekeeping_loop), name="outbox-lease"),
        ]
        flusher = asyncio.create_task(self._guard(self._flush_loop), name="outbox-flush")
        log.info(
            "outbox sender %s: %.0f msg/s, up to %d in flight, batches of %d",
            self.worker_id,
            self.settings.send_rate_per_second,
            self.concurrency,
            self.batch_size,
        )
        try:
            await self._stopping.wait()
        finally:
            for task in loops:
                task.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
            await self._settle_in_flight()
            await self._release_held()
            # Let the flusher write what is left; cancelling it mid-write would lose outcomes.
            self._closing = True
            self._results_event.set()
            try:
                await asyncio.wait_for(flusher, timeout=self.stop_timeout * 2)
            except TimeoutError:
                log.error("outbox sender: %d outcome(s) not recorded", len(self._results))
            self._closing = False
            log.info(
                "outbox sender %s stopped: %d sent, %d failed, %d blocked, %d claimed",
                self.worker_id,
                self.stats.sent,
                self.stats.failed,
                self.stats.blocked,
                self.stats.claimed,
            )
            self._running = False
            self._stopped.set()

    async def stop(self) -> None:
        """Stop claiming, let in-flight sends finish, hand unsent messages back to the queue."""
        if not self._running or self._stopping is None or self._stopped is None:
            return
        self._stopping.set()
        await self._stopped.wait()

    async def drain(self, timeout: float = 10.0) -> bool:
        """Send until the outbox holds nothing pending (True) or `timeout` passes (False).

        Starts the sender for the duration if it is not running. Meant for tests and scripts.
        """
        started_here = not self._running
        runner = asyncio.create_task(self.run()) if started_here else None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            await asyncio.sleep(0)
            while loop.time() < deadline:
                if runner is not None and runner.done():
                    runner.result()  # surface a crash instead of waiting out the timeout
                if not (self._held_ids or self._results or self._send_tasks or self._flushing):
                    async with self.db.session() as session:
                        if await outbox.open_count(session) == 0:
                            return True
                self.wake()
                await asyncio.sleep(0.05)
            return False
        finally:
            if runner is not None:
                await self.stop()
                await runner

    # --- loops ------------------------------------------------------------------------------

    async def _guard(self, loop_fn: Callable[[], Awaitable[None]]) -> None:
        """Keep a loop alive through database hiccups; log and retry after a pause."""
        while True:
            try:
                await loop_fn()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox sender: %s failed; retrying", loop_fn.__name__)
                await asyncio.sleep(1.0)

    async def _claim_loop(self) -> None:
        assert self._claim_event is not None
        while True:
            room = self.batch_size - self.held
            got = 0
            if room >= self.batch_size // 2:
                with outage_guard(self.db, "outbox sender") as outage:
                    got = await self._claim(room)
                if outage.happened:
                    # Held messages keep going out meanwhile; their outcomes wait in memory.
                    await asyncio.sleep(self._db_backoff.next())
                    continue
                self._db_recovered()
            if got and got >= room:
                await asyncio.sleep(0)
                continue
            self._claim_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._claim_event.wait(), self.poll_interval)

    async def _claim(self, limit: int) -> int:
        now = utcnow()
        async with self.db.session() as session:
            items = await outbox.claim(
                session,
                worker_id=self.worker_id,
                limit=limit,
                now=now,
                lease_until=now + self.lease,
            )
            missing = {item.body_id for item in items} - self._bodies.keys()
            bodies = await outbox.load_bodies(session, missing) if missing else {}
            await session.commit()
        if len(self._bodies) > 20_000:
            keep = {job.item.body_id for q in self._chats.values() for job in q}
            self._bodies = {k: v for k, v in self._bodies.items() if k in keep}
        self._bodies.update(bodies)
        fresh = 0
        for item in items:
            if item.id in self._held_ids or self._unrecorded[item.id]:
                # Our own lease lapsed (a long outage) and we took it again: it is queued
                # already, or sent with the outcome not yet written. Never send it twice.
                continue
            self._hold(_Job(item=item, chat_id=item.chat_id, attempts=item.attempts))
            fresh += 1
        self.stats.claimed += fresh
        self._queue_dry = len(items) < limit
        return len(items)

    def _hold(self, job: _Job) -> None:
        forgotten = self._forgotten.get(job.chat_id)
        if forgotten is not None:
            if self.clock() - forgotten < FORGET_WINDOW:
                return  # claimed just before its deletion committed: never send it
            del self._forgotten[job.chat_id]
        self._held_ids.add(job.item.id)
        if job.item.broadcast_id is not None:
            self._held_by_broadcast[job.item.broadcast_id] += 1
        self._chats.setdefault(job.chat_id, deque()).append(job)
        self._schedule(job.chat_id)

    def _release_job(self, job: _Job) -> None:
        self._held_ids.discard(job.item.id)
        if job.item.broadcast_id is not None:
            self._held_by_broadcast[job.item.broadcast_id] -= 1
            if self._held_by_broadcast[job.item.broadcast_id] <= 0:
                del self._held_by_broadcast[job.item.broadcast_id]
        if (
            not self._queue_dry
            and self.held <= self.batch_size // 2
            and self._claim_event is not None
        ):
            self._claim_event.set()

    def _schedule(self, chat_id: int) -> None:
        """Put a chat on the ready heap for when its next message may go."""
        queue = self._chats.get(chat_id)
        if not queue or chat_id in self._inflight or chat_id in self._scheduled:
            return
        ready_at = max(
            self.chat_pacer.ready_at(chat_id),
            queue[0].not_before,
            self._cooldown.get(chat_id, 0.0),
        )
        heapq.heappush(self._ready, (ready_at, next(self._seq), chat_id))
        self._scheduled.add(chat_id)
        if self._ready_event is not None:
            self._ready_event.set()

    def in_flight_target(self) -> int:
        """Requests to keep in flight now (see `ConcurrencyController`)."""
        return self.controller.limit

    def _tune(self) -> None:
        """Once a second: let the controller adjust the requests kept in flight."""
        now = self.clock()
        elapsed = now - self._window_started
        if elapsed < 1.0:
            return
        self.controller.update(
            achieved=self._window_sent / elapsed,
            wanted=self.global_bucket.rate,
            busy_fraction=self._window_busy / elapsed,
        )
        self._window_started, self._window_sent, self._window_busy = now, 0, 0.0

    async def _dispatch_loop(self) -> None:
        assert self._ready_event is not None and self._slot_free is not None
        while True:
            if not self._ready:
                self._ready_event.clear()
                await self._ready_event.wait()
                continue
            ready_at, _, chat_id = self._ready[0]
            delay = ready_at - self.clock()
            if delay > 0:
                # Short naps: a chat that becomes ready sooner is noticed within 50 ms.
                self._ready_event.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._ready_event.wait(), min(delay, 0.05))
                continue
            self._tune()
            if len(self._send_tasks) >= self.controller.limit:
                self._slot_free.clear()
                waited_from = self.clock()
                await self._slot_free.wait()
                self._window_busy += self.clock() - waited_from
                continue
            heapq.heappop(self._ready)
            self._scheduled.discard(chat_id)
            queue = self._chats.get(chat_id)
            if not queue:
                continue
            self._inflight.add(chat_id)
            self.chat_pacer.reserve(chat_id)
            # Wait for the global slot here, not in the send task: after a stall the bucket
            # hands out "now" rather than a backlog of past slots, so a stall never turns
            # into a burst.
            wait = self.global_bucket.reserve()
            if wait > 0.001:
                await asyncio.sleep(wait)
            task = asyncio.create_task(self._send(queue[0]))
            self._send_tasks.add(task)
            task.add_done_callback(self._send_done)

    def _send_done(self, task: asyncio.Task[None]) -> None:
        self._send_tasks.discard(task)
        if self._slot_free is not None:
            self._slot_free.set()

    async def _send(self, job: _Job) -> None:
        chat_id = job.chat_id
        try:
            body = self._bodies[job.item.body_id]
            try:
                message_id = await self._post_message(job.chat_id, body)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._on_error(job, exc)
            else:
                self._window_sent += 1
                self._on_sent(job, message_id)
        finally:
            self._inflight.discard(chat_id)
            self._schedule(job.chat_id)
            if job.chat_id != chat_id:
                self._schedule(chat_id)

    async def _post_message(self, chat_id: int, body: Body) -> int | None:
        """sendMessage, keeping only the message id of Telegram's answer.

        `Bot.send_message` builds a full `Message` (user, chat, entities…) from every answer, a
        tenth of the sender's CPU per message at hundreds of sends a second; `_post` still maps
        errors to PTB's exceptions (RetryAfter, Forbidden, ChatMigrated…) and applies defaults.
        """
        data: dict[str, Any] = {
            "chat_id": chat_id,
            "text": body.text,
            "link_preview_options": NO_PREVIEW_JSON,
        }
        if body.parse_mode:
            data["parse_mode"] = body.parse_mode
        if body.disable_notification:
            data["disable_notification"] = True
        if body.reply_markup:
            data["reply_markup"] = body.reply_markup
        if self.settings.allow_paid_broadcast:
            data["allow_paid_broadcast"] = True
        with outbox_send():  # a 429 comes back to `_on_error`, not retried by RetryReplies
            result = await self.bot._post("sendMessage", data)
        return result.get("message_id") if isinstance(result, dict) else None

    # --- outcomes ---------------------------------------------------------------------------

    def _record(self, outcome: _Outcome) -> None:
        self._results.append(outcome)
        if outcome.item_id is not None:
            self._unrecorded[outcome.item_id] += 1
        if self._results_event is not None:
            self._results_event.set()

    def _pop(self, job: _Job) -> None:
        queue = self._chats.get(job.chat_id)
        if queue and queue[0] is job:
            queue.popleft()
        elif queue and job in queue:
            queue.remove(job)
        if queue is not None and not queue:
            del self._chats[job.chat_id]
        self._release_job(job)

    def _is_outage(self, job: _Job, exc: Exception) -> bool:
        """A transport failure (no answer at all) with no send getting through since this
        job's previous failure, within a bound (about an hour at the 60 s backoff cap)."""
        transport = isinstance(exc, TimedOut) or isinstance(exc.__cause__, httpx.HTTPError)
        quiet = job.successes_seen == self._successes
        job.successes_seen = self._successes
        return transport and quiet and job.outage_retries < MAX_OUTAGE_RETRIES

    def _on_sent(self, job: _Job, message_id: int | None) -> None:
        self._successes += 1
        if self._api_down:
            self._api_down = False
            log.warning("outbox sender: Bot API reachable again")
        self.stats.sent += 1
        metrics.message_sent()
        self._pop(job)
        self._record(_Outcome("sent", job.item.id, job.item.broadcast_id, message_id=message_id))

    def _on_error(self, job: _Job, exc: Exception) -> None:
        now = self.clock()
        self.stats.by_error[type(exc).__name__] += 1
        if isinstance(exc, RetryAfter):
            self.stats.rate_limited += 1
            metrics.rate_limited()
            wait = retry_after_seconds(exc)
            job.not_before = now + wait
            self._cooldown[job.chat_id] = now + wait
            log.info("chat %s: flood wait %.0f s", job.chat_id, wait)
            return
        if isinstance(exc, Forbidden):
            self._deactivate(job, str(exc))
            return
        if isinstance(exc, ChatMigrated):
            self._migrate(job, int(exc.new_chat_id))
            return
        if isinstance(exc, BadRequest):
            self.stats.failed += 1
            metrics.message_failed()
            log.warning("message %s to %s refused: %s", job.item.id, job.chat_id, exc)
            self._pop(job)
            self._record(_Outcome("failed", job.item.id, job.item.broadcast_id, reason=str(exc)))
            return
        # Network trouble, 5xx, timeouts, anything unexpected: try again later, then give up.
        self.stats.network_errors += 1
        if self._is_outage(job, exc):
            # Nothing got through since this message last failed: Telegram (or the way to it)
            # is down, not this message. Wait it out instead of spending its attempts.
            job.outage_retries += 1
            if not self._api_down:
                self._api_down = True
                log.warning(
                    "outbox sender: Bot API unreachable (%s: %s); holding %d message(s) and "
                    "retrying",
                    type(exc).__name__,
                    exc,
                    self.held,
                )
            delay = backoff_delay(job.attempts + job.outage_retries, base=self.backoff_base)
            job.not_before = now + delay
            return
        job.successes_seen = self._successes
        job.attempts += 1
        if job.attempts >= self.max_attempts:
            self.stats.failed += 1
            metrics.message_failed()
            log.warning(
                "message %s to %s failed %d times: %s", job.item.id, job.chat_id, job.attempts, exc
            )
            self._pop(job)
            reason = f"gave up after {job.attempts} attempts: {type(exc).__name__}: {exc}"
            self._record(_Outcome("failed", job.item.id, job.item.broadcast_id, reason=reason))
            return
        job.not_before = now + backoff_delay(job.attempts, base=self.backoff_base)

    def _deactivate(self, job: _Job, reason: str) -> None:
        """Blocked or deleted: every message we hold for the chat is dropped with it."""
        self.stats.blocked += 1
        label = "deactivated" if "deactivated" in reason.lower() else "blocked"
        for other in list(self._chats.get(job.chat_id, ())):
            self._pop(other)
            self._record(
                _Outcome(
                    "deactivate",
                    other.item.id,
                    other.item.broadcast_id,
                    reason=f"{label}: {reason}",
                    chat_id=job.chat_id,
                )
            )

    def _migrate(self, job: _Job, new_chat_id: int) -> None:
        """A group became a supergroup: move the chat's queue to the new id and resend."""
        self.stats.migrated += 1
        old = job.chat_id
        queue = self._chats.pop(old, deque())
        self._scheduled.discard(old)
        for moved in queue:
            moved.chat_id = new_chat_id
        self._chats.setdefault(new_chat_id, deque()).extendleft(reversed(queue))
        self._record(_Outcome("migrate", job.item.id, chat_id=old, new_chat_id=new_chat_id))

    # --- writing outcomes back --------------------------------------------------------------

    async def _flush_loop(self) -> None:
        assert self._results_event is not None
        while True:
            await self._results_event.wait()
            if not self._closing:
                await asyncio.sleep(self.flush_interval)
            await self._flush()
            if self._closing and not self._results:
                return

    async def _flush(self) -> None:
        if not self._results and not self._finish_later:
            return
        batch, self._results = self._results, []
        if self._results_event is not None:
            self._results_event.clear()
        self._flushing = True
        try:
            if batch:
                try:
                    await self._write(batch)
                except Exception as exc:
                    self._results[:0] = batch  # kept in memory until the database takes them
                    await self._pause_after(exc, f"could not record {len(batch)} outcome(s)")
                    return
                for o in batch:
                    if o.item_id is not None:
                        self._unrecorded[o.item_id] -= 1
                        if self._unrecorded[o.item_id] <= 0:
                            del self._unrecorded[o.item_id]
                self._db_recovered()
                self._finish_later.update(o.broadcast_id for o in batch if o.broadcast_id)
            for broadcast_id in sorted(self._finish_later):
                if self._held_by_broadcast.get(broadcast_id):
                    self._finish_later.discard(broadcast_id)  # our last outcome brings it back
                    continue
                try:
                    await self._finish_broadcast(broadcast_id)
                except Exception as exc:
                    if not is_unavailable(exc):
                        self._finish_later.discard(broadcast_id)  # the sweep tries again
                    await self._pause_after(exc, f"could not close broadcast {broadcast_id}")
                    return
                self._finish_later.discard(broadcast_id)
        finally:
            self._flushing = False

    async def _pause_after(self, exc: Exception, what: str) -> None:
        """A write failed: log (an outage once, anything else in full), wait, try again."""
        if is_unavailable(exc):
            self.db.outage.failed(exc, "outbox sender")
            delay = self._db_backoff.next()
        else:
            log.exception("outbox sender: %s", what)
            delay = 1.0
        if self._results_event is not None:
            self._results_event.set()
        await asyncio.sleep(delay)

    def _db_recovered(self) -> None:
        self.db.outage.recovered()
        self._db_backoff.reset()

    async def _write(self, batch: list[_Outcome]) -> None:
        now = utcnow()
        async with self.db.session() as session:
            for o in batch:
                if o.kind == "migrate":
                    await outbox.migrate_chat(session, o.chat_id, o.new_chat_id)
            await outbox.mark_sent(
                session,
                [(o.item_id, o.message_id) for o in batch if o.kind == "sent"],
                now=now,
            )
            await outbox.mark_final(
                session,
                [(o.item_id, o.reason or "") for o in batch if o.kind == "failed"],
                status=outbox.FAILED,
            )
            blocked: dict[int, str] = {}
            for o in batch:
                if o.kind == "deactivate":
                    blocked.setdefault(o.chat_id, o.reason or "blocked")
            for chat_id, reason in blocked.items():
                await outbox.deactivate_chat(session, chat_id, reason)
            await session.commit()

    async def _finish_broadcast(self, broadcast_id: int) -> None:
        hook = self.on_broadcast_done
        report = await broadcasts.settle(
            self.db, broadcast_id, tz=self.settings.tz, queue_report=hook is None
        )
        if report is None:
            return
        log.info("broadcast %s finished: %s", broadcast_id, report)
        if hook is not None:
            try:
                result = hook(broadcast_id)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("broadcast %s: report hook failed; queueing the report", broadcast_id)
                await broadcasts.queue_report_for(
                    self.db, broadcast_id, report, tz=self.settings.tz
                )
        self.wake()

    # --- leases and shutdown ----------------------------------------------------------------

    async def _housekeeping_loop(self) -> None:
        interval = max(0.5, min(10.0, self.lease.total_seconds() / 3))
        last_sweep = float("-inf")
        while True:
            await asyncio.sleep(interval)
            self.chat_pacer.forget_idle()
            now = self.clock()
            self._cooldown = {c: t for c, t in self._cooldown.items() if t > now}
            with outage_guard(self.db, "outbox sender"):  # the next round tries again
                await self._extend_leases()
                if now - last_sweep >= 30:
                    await self._sweep_broadcasts()
                    last_sweep = now

    async def _extend_leases(self) -> None:
        """Rows we hold, and rows sent whose outcome is not written yet, stay ours; held rows
        that were deleted meanwhile (/hapusdata in another process) are dropped unsent."""
        ids = list(self._held_ids.union(self._unrecorded))
        if ids:
            held = list(self._held_ids)
            async with self.db.session() as session:
                await outbox.extend_lease(
                    session, ids, worker_id=self.worker_id, lease_until=utcnow() + self.lease
                )
                present = await outbox.present_ids(session, held)
                await session.commit()
            self._drop_vanished(set(held) - present)

    def _drop_vanished(self, ids: set[int]) -> None:
        if not ids:
            return
        for chat_id, queue in list(self._chats.items()):
            for job in list(queue):
                on_wire = chat_id in self._inflight and job is queue[0]
                if job.item.id in ids and not on_wire:
                    queue.remove(job)
                    self._release_job(job)
            if not queue:
                self._chats.pop(chat_id, None)
                self._scheduled.discard(chat_id)
        log.info("dropped %d held message(s) whose rows were deleted", len(ids))

    async def _sweep_broadcasts(self) -> None:
        """Close broadcasts whose last outcome was recorded by a sender that then died, and
        queue confirmed broadcasts whose queueing was cut short (a database outage or a crash
        between the admin's confirmation and the queueing)."""
        # The live count: a broadcast this sender starts holding meanwhile is left alone too.
        swept = await broadcasts.sweep(self.db, busy=self._held_by_broadcast, tz=self.settings.tz)
        for broadcast_id, recipients in swept.queued.items():
            log.warning(
                "broadcast %s was confirmed but not queued; queued it now for %d recipient(s)",
                broadcast_id,
                recipients,
            )
        if swept.queued:
            self.wake()
        for broadcast_id in swept.to_settle:
            await self._finish_broadcast(broadcast_id)

    async def _settle_in_flight(self) -> None:
        if not self._send_tasks:
            return
        _, pending = await asyncio.wait(set(self._send_tasks), timeout=self.stop_timeout)
        for task in pending:
            task.cancel()  # handed back below; it may have gone out already (at-least-once)
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
            for task in pending:
                self._send_tasks.discard(task)

    async def _release_held(self) -> None:
        """Hand rows we hold but did not send back to the queue, keeping any wait they owe."""
        now_clock, now = self.clock(), utcnow()
        retries = []
        for queue in self._chats.values():
            for job in queue:
                wait = max(0.0, job.not_before - now_clock)
                retries.append((job.item.id, now + timedelta(seconds=wait), None, False))
        if retries:
            try:
                async with self.db.session() as session:
                    await outbox.release(session, retries)
                    await session.commit()
            except Exception as exc:
                if not is_unavailable(exc):
                    log.exception("outbox sender: could not hand back %d message(s)", len(retries))
                else:  # their leases run out and the next sender (or this one restarted) takes them
                    log.warning(
                        "outbox sender: database unavailable; %d unsent message(s) wait for "
                        "their leases to run out",
                        len(retries),
                    )
        for queue in list(self._chats.values()):
            for job in list(queue):
                self._release_job(job)
        self._chats.clear()
        self._ready.clear()
        self._scheduled.clear()
