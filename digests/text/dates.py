"""Indonesian dates as KPU pages print them: "Kamis, 17 Oktober 2024", "20 Okt", "17/10/2024".

Regional KPU templates often carry no machine-readable date at all, only a line like
"Kamis, 17 Oktober 2024" under the title or a "20 Okt" badge, so extraction falls back to this.
"""

from __future__ import annotations

import re
from datetime import date

# Every spelling of a month KPU pages use (full, short, old spellings) → its number: the one
# month table of the core.
MONTHS: dict[str, int] = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "maret": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "agust": 8,
    "ags": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "nopember": 11,
    "nop": 11,
    "desember": 12,
    "des": 12,
}

# A regex alternation of MONTHS' keys, longest first; use it inside (?a:…) with IGNORECASE so
# only ASCII case folding applies ("MEİ" or "Deſ" never reach the table as unknown keys).
MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
_NAMED = re.compile(
    rf"\b(?P<day>[0-3]?\d)\s+(?P<month>(?a:{MONTH_PATTERN}))\.?(?:\s+(?P<year>(?:19|20)\d\d))?\b",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"\b(?P<day>[0-3]?\d)[/.-](?P<month>[01]?\d)[/.-](?P<year>(?:19|20)\d\d)\b")


def parse_indonesian_date(text: str, today: date | None = None) -> date | None:
    """Return the first date written the Indonesian way in `text`, or None.

    A date without a year ("20 Okt") is placed in the most recent year that does not put it in
    the future, because such badges only ever show recent news.
    """
    found = find_indonesian_date(text, today)
    return found[0] if found else None


def find_indonesian_date(text: str, today: date | None = None) -> tuple[date, bool] | None:
    """Like parse_indonesian_date, also telling whether the year was written (True) or guessed."""
    today = today or date.today()
    best: tuple[int, date, bool] | None = None
    for match in _NAMED.finditer(text):
        year = match["year"]
        month = MONTHS[match["month"].casefold()]
        found = _build(int(year) if year else None, month, int(match["day"]), today)
        if found:
            best = (match.start(), found, year is not None)
            break
    for numeric in _NUMERIC.finditer(text):
        if best is not None and numeric.start() > best[0]:
            break
        found = _build(int(numeric["year"]), int(numeric["month"]), int(numeric["day"]), today)
        if found:
            return found, True
    return (best[1], best[2]) if best else None


def year_written_for(day: date, text: str) -> int | None:
    """The year of the first full date in `text` on the same day and month as `day`.

    A "20 Okt" badge says nothing of the year, but the body often does: "kata Eko (20/10/2016)".
    """
    for pattern in (_NUMERIC, _NAMED):
        for match in pattern.finditer(text):
            if not match["year"]:
                continue
            month = match["month"]
            number = int(month) if month.isdigit() else MONTHS[month.casefold()]
            if number == day.month and int(match["day"]) == day.day:
                return int(match["year"])
    return None


def settle_year(day: date, year_written: bool, text: str) -> date:
    """`day` as found; when its year was only guessed (a "20 Okt" badge), the year of a full
    date of the same day and month in `text` instead, if it has one (29 February stays put)."""
    if year_written:
        return day
    year = year_written_for(day, text)
    if year is None:
        return day
    try:
        return day.replace(year=year)
    except ValueError:
        return day


def _build(year: int | None, month: int, day: int, today: date) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate <= today else date(today.year - 1, month, day)
    except ValueError:
        return None
