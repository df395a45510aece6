"""What the stand-in saw the bot do, as plain records tests can assert on.

Accepted sends can also be appended to a JSON-lines state file, so a test that restarts the bot
process (or a benchmark script talking to a stand-in in another process) can count who received
what across restarts.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class SentMessage:
    """One message the bot delivered (sendMessage accepted)."""

    chat_id: int
    message_id: int
    text: str  # the text as the bot sent it (HTML source when parse_mode is HTML)
    plain_text: str  # what the user reads: entities parsed out, trimmed
    parse_mode: str | None
    entities: list[dict]
    reply_markup: dict | None
    disable_notification: bool
    link_preview_options: dict | None
    reply_to_message_id: int | None
    protect_content: bool
    time: float  # time.time() when accepted

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SentMessage:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})

    @property
    def buttons(self) -> list[dict]:
        """Inline keyboard buttons, row by row, flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


@dataclass
class Edit:
    """One accepted editMessageText / editMessageReplyMarkup."""

    method: str
    chat_id: int
    message_id: int
    text: str | None
    plain_text: str | None
    parse_mode: str | None
    reply_markup: dict | None
    link_preview_options: dict | None
    time: float


@dataclass
class CallbackAnswer:
    """One answerCallbackQuery."""

    callback_query_id: str
    chat_id: int | None  # the chat of the message whose button was pressed
    message_id: int | None
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    time: float


@dataclass
class RequestRecord:
    """Every request that reached the stand-in, with the status it got (0 = connection dropped)."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None
    time: float


@dataclass
class Stats:
    """Counts a benchmark reports; ``per_second`` is accepted sends in each second since start."""

    sends_accepted: int = 0
    unique_deliveries: int = 0
    duplicates: int = 0
    rate_limited: int = 0  # 429s from the flood control
    injected_429: int = 0  # 429s from fail_next
    requests: int = 0
    errors_by_status: dict[int, int] = field(default_factory=dict)
    methods: dict[str, int] = field(default_factory=dict)
    per_second: list[int] = field(default_factory=list)
    attempts_per_second: list[int] = field(default_factory=list)  # sendMessage calls, any outcome
    first_send: float | None = None
    last_send: float | None = None

    @property
    def too_many_requests(self) -> int:
        return self.rate_limited + self.injected_429

    @property
    def send_rate(self) -> float:
        """Accepted sends per second between the first and the last one."""
        if not self.first_send or not self.last_send or self.last_send <= self.first_send:
            return float(self.sends_accepted)
        return (self.sends_accepted - 1) / (self.last_send - self.first_send)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["too_many_requests"] = self.too_many_requests
        data["send_rate"] = round(self.send_rate, 2)
        data["errors_by_status"] = {str(k): v for k, v in self.errors_by_status.items()}
        return data


DedupeKey = Callable[[SentMessage], Hashable]


def default_dedupe_key(message: SentMessage) -> Hashable:
    """Same chat and same visible text counts as the same delivery."""
    return (message.chat_id, message.plain_text)


def duplicate_counts(
    messages: Iterable[SentMessage], key: DedupeKey = default_dedupe_key
) -> dict[Hashable, int]:
    """Keys delivered more than once, with how many times each was delivered."""
    counts = Counter(key(m) for m in messages)
    return {k: c for k, c in counts.items() if c > 1}


def per_second(records: Iterable[Any], start: float | None = None) -> list[int]:
    """Records (anything with ``.time``) in each whole second from ``start`` (default: first)."""
    times = sorted(r.time for r in records)
    if not times:
        return []
    origin = times[0] if start is None else start
    buckets = [0] * (int(times[-1] - origin) + 1)
    for t in times:
        buckets[max(0, int(t - origin))] += 1
    return buckets


class StateFile:
    """Append-only JSON lines of accepted sends, flushed per line so a crash loses nothing."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._handle = self.path.open("a", encoding="utf-8")

    def append(self, message: SentMessage) -> None:
        self._handle.write(json.dumps(message.to_json(), ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


def read_state_file(path: str | Path) -> list[SentMessage]:
    """Load the sends a stand-in (this process or another one) appended to ``path``."""
    p = Path(path)
    if not p.exists():
        return []
    messages = []
    for line in p.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                messages.append(SentMessage.from_json(json.loads(line)))
            except json.JSONDecodeError:
                continue  # a line cut by a killed writer
    return messages
