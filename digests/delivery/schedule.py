"""When a subscriber's digests are due: parsing `/time` input and finding the next delivery.

Pure functions over plain values. Delivery times are wall-clock times in the configured zone
(`TIMEZONE`); everything returned is an aware UTC datetime, which is what the database stores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import StrEnum

INSTANT_WORDS = frozenset({"instan", "instant", "langsung", "segera"})
# Words people put around a time ("jam 7", "pukul 07.00 WIB", "07.00 dan 17.30"): skipped.
FILLER_WORDS = frozenset({"jam", "pukul", "pkl", "pkl.", "wib", "wita", "wit", "dan", "&"})
MAX_TIMES_PER_DAY = 6

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")
_SEPARATORS = re.compile(r"[,;\s]+")


class TimeProblem(StrEnum):
    """Why `/time` input was refused; `texts.delivery_time_problem` words it."""

    UNREADABLE = "unreadable"  # not a time at all ("pagi", "7:5")
    NO_SUCH_TIME = "no-such-time"  # "25:00", "07:60"
    EMPTY = "empty"  # nothing typed
    INSTANT_AND_TIMES = "instant-and-times"  # "07:00,instan"
    ONLY_FILLER = "only-filler"  # "jam" with no hour
    TOO_MANY = "too-many"  # more than MAX_TIMES_PER_DAY


class DeliveryTimeError(ValueError):
    """`/time` input that names no delivery time; `given` is the piece that was refused."""

    def __init__(self, problem: TimeProblem, given: str = "") -> None:
        super().__init__(f"{problem.value}: {given!r}" if given else problem.value)
        self.problem = problem
        self.given = given


@dataclass(frozen=True, slots=True)
class DeliverySpec:
    """What a subscriber asked for: fixed daily times, or every new article at once."""

    times: tuple[time, ...] = ()
    instant: bool = False

    @property
    def labels(self) -> list[str]:
        """The times as stored in `Subscriber.delivery_times` ("HH:MM")."""
        return [format_time(t) for t in self.times]


def format_time(t: time) -> str:
    """The stored form, "07:00"."""
    return f"{t.hour:02d}:{t.minute:02d}"


def display_time(t: time | str) -> str:
    """The Indonesian way of writing a time, "07.00", for everything a reader sees."""
    value = t if isinstance(t, time) else parse_time(t)
    return f"{value.hour:02d}.{value.minute:02d}"


def parse_time(text: str) -> time:
    """One time: "07.00", "07:00", "7.30" or a bare hour "7"; `DeliveryTimeError` otherwise."""
    match = _TIME.match(text.strip())
    if not match:
        raise DeliveryTimeError(TimeProblem.UNREADABLE, text.strip())
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise DeliveryTimeError(TimeProblem.NO_SUCH_TIME, text.strip())
    return time(hour, minute)


def parse_delivery_times(text: str) -> DeliverySpec:
    """Parse `/time` arguments: "07.00", "07:00,17:30", "jam 7 dan 17.30" or "instan".

    Duplicates are dropped and times sorted, so "17.30,07.00,07:00" means two deliveries a day.
    """
    words = [w for w in _SEPARATORS.split(text.strip().lower()) if w]
    if not words:
        raise DeliveryTimeError(TimeProblem.EMPTY)
    if any(w in INSTANT_WORDS for w in words):
        if len(words) > 1:
            raise DeliveryTimeError(TimeProblem.INSTANT_AND_TIMES)
        return DeliverySpec(times=(), instant=True)
    spoken = [w for w in words if w not in FILLER_WORDS]
    if not spoken:
        raise DeliveryTimeError(TimeProblem.ONLY_FILLER)
    times = sorted({parse_time(w) for w in spoken})
    if len(times) > MAX_TIMES_PER_DAY:
        raise DeliveryTimeError(TimeProblem.TOO_MANY)
    return DeliverySpec(times=tuple(times), instant=False)


def _as_times(times: Iterable[time | str]) -> list[time]:
    return sorted({t if isinstance(t, time) else parse_time(t) for t in times})


def next_delivery(now_utc: datetime, times: Iterable[time | str], tz: tzinfo) -> datetime:
    """The first delivery strictly after `now_utc`, as an aware UTC datetime.

    `times` are wall-clock times in `tz`; a day's time that does not exist (a DST gap) is taken
    as zoneinfo resolves it, and a time reached twice (a DST fold) fires once, at its first
    occurrence.
    """
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    wanted = _as_times(times)
    if not wanted:
        raise ValueError("no delivery times")
    local_today = now_utc.astimezone(tz).date()
    for day_offset in range(0, 3):
        day = local_today + timedelta(days=day_offset)
        for t in wanted:
            candidate = datetime.combine(day, t, tzinfo=tz).astimezone(UTC)
            if candidate > now_utc:
                return candidate
    raise AssertionError("a delivery time always exists within two days")  # pragma: no cover


# No instant pushes at night (wall-clock in TIMEZONE): what arrives from 21.00 is held and sent
# at 06.00 as one message.
QUIET_START = time(21, 0)
QUIET_END = time(6, 0)


def in_quiet_hours(now_utc: datetime, tz: tzinfo) -> bool:
    """Whether `now_utc` falls between 21.00 and 06.00 in `tz`."""
    local = now_utc.astimezone(tz).time()
    return local >= QUIET_START or local < QUIET_END


def quiet_hours_end(now_utc: datetime, tz: tzinfo) -> datetime:
    """When held instant pushes go out: the next 06.00 in `tz` (`now_utc` itself if awake)."""
    if not in_quiet_hours(now_utc, tz):
        return now_utc
    return next_delivery(now_utc, [QUIET_END], tz)
