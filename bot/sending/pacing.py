"""Send pacing: a global rate cap and a per-chat pace, as pure clock arithmetic.

Both are GCRA-style token buckets ("virtual scheduling"): instead of counting tokens, each
bucket remembers when its next send may happen. `reserve()` hands out that moment and moves it
on by one interval, so concurrent senders each get their own slot without a lock or a loop, and
a stall never turns into a burst larger than the bucket's capacity.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]


class TokenBucket:
    """At most `rate` sends per second on average, and at most `capacity` back to back."""

    def __init__(self, rate: float, capacity: float = 1.0, clock: Clock = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, capacity)
        self.clock = clock
        self._interval = 1.0 / rate
        self._next = float("-inf")

    def reserve(self) -> float:
        """Take the next slot; returns how many seconds from now it starts (0: go now)."""
        now = self.clock()
        earliest = now - (self.capacity - 1.0) * self._interval
        start = max(self._next, earliest)
        self._next = start + self._interval
        return max(0.0, start - now)

    def ready_at(self) -> float:
        """When a send could start without waiting (clock time), without taking the slot."""
        now = self.clock()
        earliest = now - (self.capacity - 1.0) * self._interval
        return max(now, max(self._next, earliest))

    def idle(self) -> bool:
        """True once the bucket is full again, i.e. forgetting it changes nothing."""
        return self._next + (self.capacity - 1.0) * self._interval <= self.clock()


@dataclass
class ChatPacer:
    """One bucket per chat (about 1 message/s after a short burst), forgotten when idle."""

    rate: float = 1.0
    burst: int = 3
    clock: Clock = time.monotonic
    _buckets: dict[int, TokenBucket] = field(default_factory=dict)

    def _bucket(self, chat_id: int) -> TokenBucket:
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = TokenBucket(self.rate, self.burst, self.clock)
        return bucket

    def ready_at(self, chat_id: int) -> float:
        return self._bucket(chat_id).ready_at()

    def reserve(self, chat_id: int) -> float:
        return self._bucket(chat_id).reserve()

    def forget_idle(self) -> None:
        for chat_id in [c for c, b in self._buckets.items() if b.idle()]:
            del self._buckets[chat_id]

    def __len__(self) -> int:
        return len(self._buckets)


def backoff_delay(attempt: int, *, base: float = 1.0, cap: float = 60.0) -> float:
    """Exponential backoff for the `attempt`-th failure (1, 2, 4 … seconds, capped)."""
    return min(cap, base * (2 ** max(0, attempt - 1)))


class ConcurrencyController:
    """How many sends to keep in flight: as few as keep up with the rate.

    Called once per window with what happened in it. Behind schedule with every slot busy →
    grow; if growing did not raise throughput, the bottleneck is elsewhere (CPU, server), so
    step back and hold. Keeping up with slots to spare → shrink by one. More requests in flight
    than needed is not free: each open connection adds work to every request in httpcore's pool.
    """

    def __init__(self, initial: int, *, minimum: int = 2, maximum: int = 128) -> None:
        self.minimum = minimum
        self.maximum = max(minimum, maximum)
        self.limit = max(minimum, min(self.maximum, initial))
        self._grew_from: tuple[int, float] | None = None
        self._hold = 0

    def update(self, achieved: float, wanted: float, busy_fraction: float) -> int:
        """`achieved`/`wanted`: sends per second; `busy_fraction`: share of the window the
        dispatcher waited for a free slot while a send was due."""
        behind = achieved < 0.97 * wanted
        if self._grew_from is not None:
            before_limit, before_rate = self._grew_from
            self._grew_from = None
            # Helped: 10 % more, or half the way to the target when that is closer (a sender
            # 5 % short can never gain 10 %, and must not be held back for it).
            needed = min(before_rate * 0.1, (wanted - before_rate) * 0.5)
            if behind and achieved < before_rate + needed:
                self.limit = before_limit
                self._hold = 10
                return self.limit
        if self._hold:
            self._hold -= 1
            return self.limit
        if behind and busy_fraction > 0.2 and self.limit < self.maximum:
            self._grew_from = (self.limit, achieved)
            self.limit = min(self.maximum, self.limit + max(1, self.limit // 4))
        elif busy_fraction < 0.05 and self.limit > self.minimum:
            self.limit -= 1
        return self.limit
