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
from digests.text.dates import MONTH_PATTERN, MONTHS
from digests.text.lexicon import place_names, words

# A capitalised word; a hyphen only inside it ("Lamongan- KPU": the hyphen is the separator).
_WORD = r"[A-Z](?:[\w'’.&-]*[\w'’.&])?"
_PLACE = rf"{_WORD}(?:\s+(?:{_WORD}|dan|di))*?"
# A web address, with a path where a site lives under another's ("jdih.kpu.go.id/bengkulu").
_DOMAIN = r"[\w-]+(?:\.[\w-]+)+(?:/[\w-]+)*"
_NUM_DATE = r"\d{1,2}/\d{1,2}(?:/\d{2,4})?"
# (?a:…): month names match case-insensitively in ASCII only, so "MEİ" or "Deſ" (which
# Unicode case folding would let through) never reach the month table as unknown keys.
_WORD_DATE = rf"\d{{1,2}}\s+(?a:{MONTH_PATTERN})\.?\s+\d{{4}}"
_DAYS = r"senin|selasa|rabu|kamis|jumat|jum'at|jum’at|sabtu|minggu|ahad"
_SEGMENT = rf"(?:{_DOMAIN}\.?|{_PLACE}|{_WORD_DATE}|{_NUM_DATE}|(?:{_DAYS}),?\s+{_WORD_DATE})"
_PAREN = r"(?:\(\s*[^()\n]{1,60}?\s*\)|\[\s*[^\[\]\n]{1,60}?\s*\])"
_HEAD = rf"(?P<head>{_SEGMENT}(?:\s*[,|]\s*{_SEGMENT}){{0,2}}(?:\s*,?\s*{_PAREN})?|{_PAREN})"
# A dash, spaced or glued to the head ("SURABAYA- E-Voting", "go.id– Komisi", "Jakarta,- KPU"),
# never a hyphen inside a word: a glued hyphen needs a space after it. An underscore between
# an upper-case head and the news is one too: "KOTA MUNGKID_Anggota KPU …", and so is a hyphen
# glued to both sides after an upper-case head ("PADANG-Dalam rangka …") or before a word a
# lead opens with ("KPU Pegunungan-Berdasarkan …"): `_plausible` checks which.
_DASH = (
    r"(?:\s*,?\s*[–—―]{1,2}|\s*,?\s+-{1,2}|\s*,?-{1,2}(?=\s)|(?<=[A-Z])_(?=[A-Z])"
    r"|(?<=[^\W\d_])-(?=(?-i:[A-Z])[^\W\d_]))\s*"
)
# No separator at all, only after a web address or a bracketed date, before a capitalised
# word: "Bandung, kab-bandung.kpu.go.id Dalam …", "Batam, (08/10/2022) Anggota …".
_AFTER_ADDRESS = r"(?:(?<=\.(?-i:id))|(?<=\.(?-i:com))|(?<=\d\))|(?<=\d{4}))"
# "Magelang, kota-magelang.kpu.go.id. KPU …": a period closes the address.
_BARE = (
    rf"{_AFTER_ADDRESS}\s*,?\s+(?=(?-i:[A-Z]))|(?<=\.(?-i:id))\s+(?=(?-i:[a-z]))"
    r"|(?<=\.(?-i:id))\.\s+(?=(?-i:[A-Z]))"
)
# "Gresik, 12/03/2024. KPU …": a period after a date closes the dateline.
_AFTER_DATE = r"(?<=\d{4})\.\s+(?=(?-i:[A-Z]))"
_SEP = rf"(?P<sep>{_DASH}|\s*[:;]\s+|(?<=\))\s*,\s*|{_BARE}|{_AFTER_DATE})"
_DATELINE = re.compile(rf"^\s*{_HEAD}{_SEP}(?=\S)", re.IGNORECASE)
# Debris before a dateline: "#Temanpemilih, " hashtags, a leaked "width=" attribute.
# A blog's byline fused before it: "20 May 2016 | By kpukabpati Pati, …", "08 May 2020 |
# 0 Comments | By kpukabpati Komisi …".
_DEBRIS = re.compile(
    r"^\s*(?:(?:(?:(?i:hai|halo|hallo|salam|saleum)\s+)?#\w+|\w+=|\d{1,2}\s+[A-Za-z]+\s+\d{4}\s*\|\s*"
    r"(?:\d+\s+(?i:comments?|komentar)\s*\|\s*)?"
    r"(?i:by|oleh)\s+[\w.-]+\s+(?=[A-Z]))\s*,?\s*)+"
)
# "(kpu-kotabaru.go.id) Kotabaru – KPU …": a bracketed address standing before the head with no
# separator of its own (one followed by a dash is a head: "(kota-kediri.kpu.go.id) — KPU …").
_PAREN_ADDRESS = re.compile(rf"^\s*\(\s*{_DOMAIN}\.?\s*\)\s+(?=[A-Z])")
# "Hupmas KPU Bantul, KPU Kabupaten Bantul …": a desk and its office, closed by a comma.
_DESK_COMMA = re.compile(
    r"^\s*(?:Hupmas|Humas)(?:\s+[A-Z][\w.'’-]*){1,4}\s*,\s+(?=[A-Z])"
    # not an appositive: "Humas KPU Bantul, Budi Santoso, menjelaskan …" names the speaker
    r"(?![A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*,)"
)
# "Jakarta, KPU …": a known place alone, closed by a comma, then a capitalised word (the
# space after the comma is sometimes lost: "Pontianak,Tahapan persiapan …").
_CITY_COMMA = re.compile(r"^\s*(?P<city>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2})\s*,\s*(?=[A-Z])")
_DAY_DATE = re.compile(
    rf"^\s*(?P<day>{_DAYS})\s*,?\s*(?:\((?P<num>{_NUM_DATE})\)|(?P<word>{_WORD_DATE}))\s*,\s*",
    re.IGNORECASE,
)
_NUM_IN = re.compile(r"\((\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\)")
_WORD_DATE_IN = re.compile(rf"(\d{{1,2}})\s+((?a:{MONTH_PATTERN}))\.?\s+(\d{{4}})", re.IGNORECASE)
_MAX_HEAD = 80
_MAX_HEAD_WORDS = 8
# Where a separator can begin: " -", a long dash, a colon, or the comma after a ")".
_SEP_HINT = re.compile(
    r"[A-Z]_[A-Z]|[^\W\d_]-[A-Z]|\s-|[\w,.]-+\s|[–—―:;]|\)\s*,|\.[a-z]{2,}[,.]?\s+\w|\d\)\s+[A-Z]|\d{4}[,.]?\s+[A-Z]"
)
_SPACES = re.compile(r"\s*")
_DASH_AFTER = re.compile(r"\s*[-–—―:]")
_DOMAIN_RE = re.compile(_DOMAIN)
_HEAD_PARTS = re.compile(r"[,|()\[\]]")
_HEAD_WORDS = re.compile(r"[,\s]+")
_HANDLE = re.compile(r"kpu[a-z-]+")
_RAW_PARTS = re.compile(r"[,()–—―:;]|\s-+\s|\s-+$|-+$")
_DIGIT = re.compile(r"\d")
_DAY_NAMES = frozenset(_DAYS.split("|"))
_BARE_HEAD_WORDS = 4  # "Belopa, 03 Oktober 2025 KPU …": place and date, no separator
_LOOSE_DATE = re.compile(rf"\d{{1,2}}\s*(?a:{MONTH_PATTERN})\.?\s*\d{{4}}", re.IGNORECASE)
_DAY_RE = re.compile(_DAYS)
# The words that name a place as one: "Kecamatan Rasau Jaya", "Desa Wajok Hulu".
_REGION_WORD = r"(?:Kecamatan|Kec\.|Kelurahan|Kel\.|Desa|Kabupaten|Kab\.|Kota|Provinsi|Distrik)"
_ADDRESS_ENDS = (".go.id", ".com", ".co.id", ".id", ".co", ".net", ".org")


def strip_dateline(first_paragraph: str, *, at_start: bool = True) -> tuple[Dateline | None, str]:
    """Split the dateline off a body's first paragraph: ``(Dateline | None, rest)``.

    `at_start` False: the text begins inside a paragraph (behind a caption), where a desk
    closed by a comma ("Humas Pemprov, Bawaslu …") is a phrase, not a dateline."""
    rest = first_paragraph
    raw_parts: list[str] = []
    debris = _DEBRIS.match(rest)
    if debris and debris.end() < len(rest):
        raw_parts.append(rest[: debris.end()])
        rest = rest[debris.end() :]
    bracketed = _PAREN_ADDRESS.match(rest)
    if bracketed:
        raw_parts.append(rest[: bracketed.end()])
        rest = rest[bracketed.end() :]
    heads = 0
    for _ in range(2):  # "jpnn.com - JAKARTA - …" stacks two heads
        if not _separator_near_start(rest):
            break
        match = _DATELINE.match(rest)
        if not match or not _plausible(match, rest):
            break
        if _DAY_DATE.match(rest):
            break  # "… — Kamis (28/02/2019), KPU …": the day and date are the news's own
        raw_parts.append(rest[: match.end()])
        rest = rest[match.end() :]
        heads += 1
    if heads:
        debris = _DEBRIS.match(rest)  # "KLATEN - #temanpemilih Kegiatan ini …"
        if debris and debris.end() < len(rest):
            raw_parts.append(rest[: debris.end()])
            rest = rest[debris.end() :]
    if not heads or (heads == 1 and _place("".join(raw_parts)) is None):
        # "Jakarta, KPU …", and after a head with no place: "kpu.go.id - Jakarta, KPU …"
        city = _CITY_COMMA.match(rest)
        if city and _is_known_place(city.group("city"), rest[city.end() :]):
            head = city
        else:  # "Hupmas KPU Bantul, KPU …", only where the paragraph starts
            head = _DESK_COMMA.match(rest) if at_start and not heads else None
        if head:
            raw_parts.append(rest[: head.end()])
            rest = rest[head.end() :]
            heads += 1
    if not raw_parts:
        return None, first_paragraph
    raw = "".join(raw_parts).strip()
    rest = rest.lstrip()
    if not rest:
        return None, first_paragraph
    if rest[:1].islower():
        rest = rest[0].upper() + rest[1:]
    # The day and date after a dateline belong to the news ("Kamis (28/02/2019), KPU …"):
    # they stay in the text, and only inform the dateline's own date.
    day_date = _DAY_DATE.match(rest)
    return _parse(raw, rest[: day_date.end()] if day_date else ""), rest


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
    if sep.strip() == "_" and not (
        head.isupper()
        and len(head) >= 4
        and head.lower() not in words("text_people", "organisation")
    ):
        return False  # "KPU_Jatim", "NAMA_FILE": an underscore in a name, not a separator
    if sep == "-" and not _glued_dash_ends(head, text[match.end() :]):
        return False  # "E-Voting", "Jawa-Timur": a hyphen inside a name
    if ":" in sep and not (
        _DOMAIN_RE.search(head) or "(" in head or tuple(head.lower().split()) in place_names()
    ):
        return False  # "Catatan: rapat ditunda" is a sentence; "SURABAYA : KPU …" a dateline
    if head.split()[0].lower().strip(",") in _DAY_NAMES:
        return False  # "Kamis (19/1) Ketua KPU …": the day and date are the news's own
    short = len(head.split("(")[0].split()) <= _BARE_HEAD_WORDS
    closed_paren = head.endswith((")", "]")) and sep.strip() == ","  # "Jakarta (22/9), …"
    if (
        sep.strip() in ("", ",")
        and not closed_paren
        and not (
            _ends_with_address(head)
            or (short and head.endswith(")") and _NUM_IN.search(head))
            or (short and _WORD_DATE_IN.search(head[-20:]))
        )
    ):
        return False  # no separator: only after an address or a bracketed date
    after = text[match.end() :]
    if after[:1].islower() and not _DOMAIN_RE.search(head):
        # "Manado, sulut.kpu.go.id - bertempat di …" is still a dateline, and so is
        # "Surabaya - kpujatim.go.id - Komisi …", whose second head is an address.
        address = _DOMAIN_RE.match(after)
        if (
            address is None
            or not _ends_with_address(address.group())
            or not _DASH_AFTER.match(after, address.end())
        ):
            return False
    parts = [p.strip() for p in _HEAD_PARTS.split(head) if p.strip()]
    return all(_is_dateline_part(p) for p in parts)


def _glued_dash_ends(head: str, after: str) -> bool:
    """Whether a hyphen glued to both its sides ends a dateline: after an upper-case place
    ("PADANG-Dalam …") or before a word a lead opens with ("KPU Pegunungan-Berdasarkan …")."""
    opening = after.split(maxsplit=1)
    if opening and opening[0].lower() in words("dateline_places", "news_opener"):
        return True
    return (
        head.isupper()
        and len(head) >= 4
        and head.lower() not in words("text_people", "organisation")
    )


def _ends_with_address(head: str) -> bool:
    last = _HEAD_WORDS.split(head.strip())[-1].rstrip(".")
    return _DOMAIN_RE.fullmatch(last) is not None and last.lower().endswith(_ADDRESS_ENDS)


def _is_dateline_part(part: str) -> bool:
    part = part.rstrip(".")  # "(kpu-lombokutarakab.go.id.)"
    lowered = part.lower()
    if _DOMAIN_RE.fullmatch(part) or lowered in words("text_dateline_sources"):
        return True
    if _HANDLE.fullmatch(part):  # a site's handle: "kpugarut - Satu hari …"
        return True
    if _NUM_IN.search(f"({part})") or _WORD_DATE_IN.search(part):
        return True
    if _LOOSE_DATE.fullmatch(part):  # "(13 Juli2024)": a date typed without its space
        return True
    tokens = part.split()
    # Place names are capitalised words; a sentence has lower-case words in it.
    return len(tokens) <= 4 and all(t[0].isupper() or t in ("dan", "di") for t in tokens)


def _is_known_place(city: str, after: str = "") -> bool:
    """A city-only dateline must name a place we know, a place the paragraph itself calls one
    ("Rasau Jaya, Ketua KPU … Kecamatan Rasau Jaya …"), or be one upper-case word that is not
    a body's acronym ("SURABAYA, Ketua …" yes; "KPU, Bawaslu …" no)."""
    lowered = city.lower()
    if after and re.search(rf"\b{_REGION_WORD}\s+{re.escape(city)}\b", after):
        return True
    places = (
        words("text_people", "place") | words("dateline_places") | words("dateline_places", "desk")
    )
    if lowered in places or tuple(lowered.split()) in place_names():
        return True
    return (
        city.isupper()
        and " " not in city
        and len(city) >= 4
        and lowered not in words("text_people", "organisation")
        and lowered not in words("non_speakers", "organisation")
    )


def _parse(raw: str, day_date: str = "") -> Dateline:
    day = month = year = None
    num = _NUM_IN.search(raw) or _NUM_IN.search(day_date)
    word_date = _WORD_DATE_IN.search(raw) or _WORD_DATE_IN.search(day_date)
    if num:
        day, month = int(num.group(1)), int(num.group(2))
        year = _full_year(num.group(3))
    elif word_date:
        day = int(word_date.group(1))
        month = MONTHS[word_date.group(2).lower()]
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
    for chunk in _RAW_PARTS.split(raw.replace("[", "(").replace("]", ")").replace("|", ",")):
        part = chunk.strip(" -.")
        if (
            not part
            or _DOMAIN_RE.fullmatch(part)
            or "=" in part
            or part[0] == "#"
            or _HANDLE.fullmatch(part)
        ):
            continue
        sources = words("text_dateline_sources")
        head_words = part.split()
        while len(head_words) > 1 and (
            head_words[0].lower() in sources or _DOMAIN_RE.fullmatch(head_words[0])
        ):  # "KPU SURABAYA", "kab-lamongan.kpu.go.id Lamongan"
            head_words.pop(0)
        if len(head_words) > 2 and head_words[0].lower() in ("by", "oleh"):
            head_words = head_words[2:]  # a byline: "By kpukabpati Pati"
        part = " ".join(head_words).rstrip("_")
        lowered = part.lower()
        if lowered in words("text_dateline_sources") or _DIGIT.search(part):
            continue
        first_word = lowered.split(maxsplit=1)[:1]
        if not first_word:  # only whitespace other than spaces, e.g. a tab
            continue
        if first_word[0] in MONTHS or _DAY_RE.fullmatch(lowered):
            continue
        return part.title() if part.isupper() else part
    return None


# A dateline's strongest marks: a web address or a desk before a dash, an upper-case place
# before a dash. Only these are looked for past the start of a paragraph.
_FUSED_HINT = re.compile(
    r"(?:[\w-]+\.)+(?:id|com|co)\s*[-–—]|\b(?:Hupmas|Humas)\b|\b[A-Z]{3,}\s*[-–—]+\s"
)
_FUSED_SEARCH = 300
_STRONG_HEAD = re.compile(r"(?:[\w-]+\.)+(?:id|com|co)\b|\b(?:Hupmas|Humas)\b")
_CAPTION = re.compile(r"\b(?:foto|dok|dokumentasi|ilustrasi)\b", re.IGNORECASE)
_WORD_START = re.compile(r"(?:(?<=\s)|(?<=\)))[A-Z(]")


def strip_fused_dateline(paragraph: str) -> tuple[Dateline | None, str]:
    """A dateline behind a photo caption fused to it ("Ketua KPU Jatim membuka rapat pleno.
    (Foto: Humas) Surabaya, jatim.kpu.go.id – KPU …"): the dateline, and the news after it.
    The caption never leads. Only strong datelines count here (an address, a desk, an
    upper-case place and a dash), so a sentence with a dash inside is left alone."""
    tried: set[int] = set()
    for hint in _FUSED_HINT.finditer(paragraph, 0, _FUSED_SEARCH):
        window = _WORD_START.finditer(paragraph, max(1, hint.start() - 60), hint.start() + 1)
        for start in (m.start() for m in window):
            if start in tried:
                continue
            tried.add(start)
            dateline, rest = strip_dateline(paragraph[start:], at_start=False)
            if dateline is None or not _FUSED_HINT.search(dateline.raw + " "):
                continue
            # An upper-case place and a dash alone ("SURABAYA –") count only behind a caption.
            if _STRONG_HEAD.search(dateline.raw) or _CAPTION.search(paragraph, 0, start):
                return dateline, rest
    return None, paragraph
