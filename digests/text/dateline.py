"""The opening dateline of a news body: "Banyuwangi, kpujatim.go.id – ", "Jakarta (22/9), ".

Datelines carry place and date but no news, so the lead must start after them. The
pattern is deliberately narrow: a short head of capitalised place words, web addresses,
newsroom names and a bracketed date, closed by a dash, a colon or (after a bracketed
date) a comma. An ordinary first sentence has no such separator within its first few
words and is left alone.
"""

from __future__ import annotations

import re

from digests.model import Dateline
from digests.text.lexicon import words

_WORD = r"[A-Z][\w'’.&-]*"
_PLACE = rf"{_WORD}(?:\s+(?:{_WORD}|dan|di))*?"
_DOMAIN = r"[\w-]+(?:\.[\w-]+)+"
_NUM_DATE = r"\d{1,2}/\d{1,2}(?:/\d{2,4})?"
_MONTHS = (
    "januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|"
    "nopember|november|desember|jan|feb|mar|apr|jun|jul|agu|agt|ags|sep|sept|okt|nov|des"
)
# (?a:…): month names match case-insensitively in ASCII only, so "MEİ" or "Deſ" (which
# Unicode case folding would let through) never reach the month table as unknown keys.
_WORD_DATE = rf"\d{{1,2}}\s+(?a:{_MONTHS})\.?\s+\d{{4}}"
_DAYS = r"senin|selasa|rabu|kamis|jumat|jum'at|jum’at|sabtu|minggu|ahad"
_SEGMENT = rf"(?:{_DOMAIN}|{_PLACE}|{_WORD_DATE}|(?:{_DAYS}),?\s+{_WORD_DATE})"
_PAREN = r"\(\s*[^()\n]{1,60}?\s*\)"
_HEAD = rf"(?P<head>{_SEGMENT}(?:\s*,\s*{_SEGMENT}){{0,2}}(?:\s*{_PAREN})?)"
_DASH = r"(?:\s+[–—―-]{1,2}|\s*[–—―]{1,2})\s*"
_SEP = rf"(?P<sep>{_DASH}|\s*:\s+|(?<=\))\s*,\s*)"
_DATELINE = re.compile(rf"^\s*{_HEAD}{_SEP}(?=\S)", re.IGNORECASE)
_DAY_DATE = re.compile(
    rf"^\s*(?P<day>{_DAYS})\s*,?\s*(?:\((?P<num>{_NUM_DATE})\)|(?P<word>{_WORD_DATE}))\s*,\s*",
    re.IGNORECASE,
)
_NUM_IN = re.compile(r"\((\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\)")
_WORD_DATE_IN = re.compile(rf"(\d{{1,2}})\s+((?a:{_MONTHS}))\.?\s+(\d{{4}})", re.IGNORECASE)
_MONTH_NUMBER = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "jan"),
            ("februari", "pebruari", "feb"),
            ("maret", "mar"),
            ("april", "apr"),
            ("mei",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("agustus", "agu", "agt", "ags"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nopember", "nov"),
            ("desember", "des"),
        ],
        start=1,
    )
    for name in names
}
_MAX_HEAD = 80
_MAX_HEAD_WORDS = 8
# Where a separator can begin: " -", a long dash, a colon, or the comma after a ")".
_SEP_HINT = re.compile(r"\s-|[–—―:]|\)\s*,")
_SPACES = re.compile(r"\s*")


def strip_dateline(first_paragraph: str) -> tuple[Dateline | None, str]:
    """Split the dateline off a body's first paragraph: ``(Dateline | None, rest)``."""
    rest = first_paragraph
    raw_parts: list[str] = []
    for _ in range(2):  # "jpnn.com - JAKARTA - …" stacks two heads
        if not _separator_near_start(rest):
            break
        match = _DATELINE.match(rest)
        if not match or not _plausible(match, rest):
            break
        raw_parts.append(rest[: match.end()])
        rest = rest[match.end() :]
    day_date = _DAY_DATE.match(rest)
    if raw_parts and day_date:
        raw_parts.append(rest[: day_date.end()])
        rest = rest[day_date.end() :]
    if not raw_parts:
        return None, first_paragraph
    raw = "".join(raw_parts).strip()
    rest = rest.lstrip()
    if rest[:1].islower():
        rest = rest[0].upper() + rest[1:]
    return _parse(raw), rest


def _separator_near_start(text: str) -> bool:
    """False when no head short enough to be plausible can be followed by a separator.

    A cheap test that spares most sentences the full pattern, which backtracks through every
    word of a long sentence before failing. It only rules out what `_plausible` would reject:
    a head is at most _MAX_HEAD characters, then only spaces come before its separator.
    """
    start = _SPACES.match(text).end()
    # The separator's own character (dash, colon, comma) comes at the latest right after the
    # spaces that follow the longest plausible head.
    stop = _SPACES.match(text, start + _MAX_HEAD).end() + 1
    return _SEP_HINT.search(text, start, stop) is not None


def _plausible(match: re.Match[str], text: str) -> bool:
    """Guard against eating a sentence: short heads, a colon only after an address, and
    news (not a lower-case continuation) right after the separator."""
    head, sep = match.group("head"), match.group("sep")
    if len(head) > _MAX_HEAD or len(head.split()) > _MAX_HEAD_WORDS:
        return False
    if ":" in sep and not (re.search(_DOMAIN, head) or "(" in head):
        return False
    if text[match.end() :][:1].islower():
        return False
    parts = [p.strip() for p in re.split(r",|\(|\)", head) if p.strip()]
    return all(_is_dateline_part(p) for p in parts)


def _is_dateline_part(part: str) -> bool:
    lowered = part.lower()
    if re.fullmatch(_DOMAIN, part) or lowered in words("text_dateline_sources"):
        return True
    if _NUM_IN.search(f"({part})") or _WORD_DATE_IN.search(part):
        return True
    tokens = part.split()
    # Place names are capitalised words; a sentence has lower-case words in it.
    return len(tokens) <= 4 and all(t[0].isupper() or t in ("dan", "di") for t in tokens)


def _parse(raw: str) -> Dateline:
    day = month = year = None
    num = _NUM_IN.search(raw)
    word_date = _WORD_DATE_IN.search(raw)
    if num:
        day, month = int(num.group(1)), int(num.group(2))
        year = _full_year(num.group(3))
    elif word_date:
        day = int(word_date.group(1))
        month = _MONTH_NUMBER[word_date.group(2).lower()]
        year = int(word_date.group(3))
    if not (day and month and 1 <= day <= 31 and 1 <= month <= 12):
        day = month = year = None
    return Dateline(raw=raw, place=_place(raw), day=day, month=month, year=year)


def _full_year(text: str | None) -> int | None:
    if not text:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year


def _place(raw: str) -> str | None:
    """The first head part that is neither a web address, a newsroom nor a date."""
    for chunk in re.split(r"[,()–—―:]|\s-+\s|\s-+$", raw):
        part = chunk.strip(" -")
        if not part or re.fullmatch(_DOMAIN, part):
            continue
        lowered = part.lower()
        if lowered in words("text_dateline_sources") or re.search(r"\d", part):
            continue
        first_word = lowered.split(maxsplit=1)[:1]
        if not first_word:  # only whitespace other than spaces, e.g. a tab
            continue
        if first_word[0] in _MONTH_NUMBER or re.fullmatch(_DAYS, lowered):
            continue
        return part.title() if part.isupper() else part
    return None
