"""When a subscriber's digests are due: parsing `/time` input and finding the next delivery.

Pure functions over plain values. Delivery times are wall-clock times in the configured zone
(`TIMEZONE`); everything returned is an aware UTC datetime, which is what the database stores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

INSTANT_WORDS = frozenset({"instan", "instant", "langsung", "segera"})
# Words people put around a time ("jam 7", "pukul 07.00 WIB", "07.00 dan 17.30"): skipped.
FILLER_WORDS = frozenset({"jam", "pukul", "pkl", "pkl.", "wib", "wita", "wit", "dan", "&"})
MAX_TIMES_PER_DAY = 6

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")
_SEPARATORS = re.compile(r"[,;\s]+")


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
    """One time: "07.00", "07:00", "7.30" or a bare hour "7"; ValueError in Bahasa Indonesia
    otherwise."""
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(
            f"Waktu “{text.strip()}” tidak dikenali. Tulis jam dan menit, misalnya 07.00 atau "
            "17.30."
        )
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"Waktu “{text.strip()}” tidak ada: jam 00–23 dan menit 00–59.")
    return time(hour, minute)


def parse_delivery_times(text: str) -> DeliverySpec:
    """Parse `/time` arguments: "07.00", "07:00,17:30", "jam 7 dan 17.30" or "instan".

    Duplicates are dropped and times sorted, so "17.30,07.00,07:00" means two deliveries a day.
    """
    words = [w for w in _SEPARATORS.split(text.strip().lower()) if w]
    if not words:
        raise ValueError(
            "Tulis waktu pengiriman, misalnya /waktu 07.00 atau /waktu 07.00,17.30, "
            "atau /waktu instan untuk menerima setiap berita begitu terbit."
        )
    if any(w in INSTANT_WORDS for w in words):
        if len(words) > 1:
            raise ValueError(
                "Pilih salah satu: jam tertentu (misalnya 07.00,17.30) atau “instan”, "
                "tidak keduanya."
            )
        return DeliverySpec(times=(), instant=True)
    spoken = [w for w in words if w not in FILLER_WORDS]
    if not spoken:
        raise ValueError("Jamnya belum ditulis, misalnya /waktu jam 7 atau /waktu 07.00.")
    times = sorted({parse_time(w) for w in spoken})
    if len(times) > MAX_TIMES_PER_DAY:
        raise ValueError(f"Paling banyak {MAX_TIMES_PER_DAY} waktu pengiriman sehari.")
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


def describe_spec(spec: DeliverySpec) -> str:
    """A short Indonesian phrase for replies and /settings: "pukul 07.00 dan 17.30"."""
    if spec.instant:
        return "instan (setiap berita baru langsung dikirim)"
    labels = [display_time(t) for t in spec.times]
    if len(labels) == 1:
        return f"pukul {labels[0]}"
    return "pukul " + ", ".join(labels[:-1]) + " dan " + labels[-1]


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
