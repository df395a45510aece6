"""Flood control shaped like Telegram's: a global cap per second plus a per-chat pace.

Telegram documents neither exactly; the Bot FAQ says about 30 messages/s in bulk and about one
per second in a chat after a short burst. Both limits are off (None) by default so functional
tests are never throttled; benchmarks switch them on.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class RateLimits:
    """``global_per_second``: sends in any sliding 1 s window; ``per_chat_*``: a token bucket
    for each chat; ``per_group_per_minute``: a sliding 60 s window for each group (id < 0)."""

    global_per_second: int | None = None
    per_chat_per_second: float | None = None
    per_chat_burst: int = 3
    per_group_per_minute: int | None = None


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class FloodControl:
    """Decides whether one more send may pass now; returns seconds to wait when it may not."""

    limits: RateLimits = field(default_factory=RateLimits)
    clock: Callable[[], float] = time.monotonic
    _window: deque = field(default_factory=deque)
    _buckets: dict[int, _Bucket] = field(default_factory=dict)
    _group_windows: dict[int, deque] = field(default_factory=dict)

    def configure(self, limits: RateLimits) -> None:
        self.limits = limits
        self._window.clear()
        self._buckets.clear()
        self._group_windows.clear()

    def try_acquire(self, chat_id: int) -> int | None:
        """Take one send slot for ``chat_id``; None if granted, else ``retry_after`` seconds."""
        now = self.clock()
        limits = self.limits
        if limits.global_per_second is not None:
            window = self._window
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limits.global_per_second:
                return max(1, math.ceil(window[0] + 1.0 - now))
        group_window = None
        if limits.per_group_per_minute is not None and chat_id < 0:
            group_window = self._group_windows.setdefault(chat_id, deque())
            while group_window and group_window[0] <= now - 60.0:
                group_window.popleft()
            if len(group_window) >= limits.per_group_per_minute:
                return max(1, math.ceil(group_window[0] + 60.0 - now))
        if limits.per_chat_per_second is not None:
            rate = limits.per_chat_per_second
            bucket = self._buckets.get(chat_id)
            if bucket is None:
                bucket = self._buckets[chat_id] = _Bucket(float(limits.per_chat_burst), now)
            bucket.tokens = min(
                float(limits.per_chat_burst), bucket.tokens + (now - bucket.updated) * rate
            )
            bucket.updated = now
            if bucket.tokens < 1.0:
                return max(1, math.ceil((1.0 - bucket.tokens) / rate))
            bucket.tokens -= 1.0
        if limits.global_per_second is not None:
            self._window.append(now)
        if group_window is not None:
            group_window.append(now)
        return None
