"""Hypothesis strategies for hostile input, and the oracle that reads what a user would see.

The text mixes what real pages and real users produce with what attackers send: Indonesian
newsroom words and punctuation, emoji, Arabic and Hebrew, bidi controls (U+202E …), NUL and
other control characters, Telegram/HTML markup meant to be shown literally (`<b>`, `</a>`,
`<a href="javascript:…">`, `&amp;`, a lone `&`, `<tg-spoiler>`, unclosed tags), and, where a
Python str can hold them, lone surrogates. `long_text` repeats such a text up to 10 KB.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

from tests.botapi.html_parse import parse_html, utf16_len

TEN_KB = 10 * 1024

MARKUP = (
    "<b>",
    "</b>",
    "</a>",
    "<i",
    "<b><i>",
    "</i></b>",
    '<a href="javascript:alert(1)">klik</a>',
    '<a href="https://kpu.go.id/">',
    "&amp;",
    "&",
    "&lt;",
    "&gt;",
    "&quot;",
    "&#0;",
    "&#x1F600;",
    "&#xD800;",
    "&nbsp;",
    "&amp",
    "<tg-spoiler>rahasia</tg-spoiler>",
    "<tg-spoiler>",
    '<span class="tg-spoiler">',
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    "<pre><code class='language-python'>",
    "<blockquote expandable>",
    "<script>alert(1)</script>",
    "<!-- komentar -->",
    "<![CDATA[x]]>",
    "<>",
    "< b>",
    "</>",
    ">",
    "<",
    '"',
    "'",
)
NEWSROOM = (
    "KPU",
    "Ketua KPU Jatim, Eko Sasmito",
    " mengatakan, ",
    " kata Eko.",
    "ujarnya.",
    "Menurut Bpk. Arif Rahman Hakim, ",
    "Jakarta, kpu.go.id – ",
    "Banyuwangi (22/9), ",
    "Kamis, 17 Oktober 2024",
    "20 Okt",
    "1 Deſ 2024",
    "1 MEİ 2024",
    "O\u212aT",
    "Divisi Teknis Penyelenggaraan",
    "Divisi SDM dan Parmas",
    "coklit DPT",
    "Dr. ",
    "S.Sos., M.Si.",
    "M. Arbayanto",
    "Baca juga: ",
    "“",
    "”",
    "‘",
    "’",
    "…",
    ". ",
    "! ",
    "? ",
    ", ",
    "(",
    ")",
    " - ",
    "\n",
    "\n\n",
    "\t",
    "\u00a0",
    " ",
    "2024",
    "Rp 1.000.000",
)
RTL = ("مرحبا بالعالم", "الانتخابات", "שלום עולם", "בחירות", "\u0627\u0644", "\u05d0")
BIDI = tuple("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b")
EMOJI = ("😀", "🇮🇩", "👍🏽", "👨‍👩‍👧", "🗳️", "\ufe0f", "\u200d", "🏳️‍🌈")
CONTROL = ("\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\u0085", "\u2028", "\u2029")
SURROGATES = ("\ud800", "\udbff", "\udc00", "\udfff")


def _characters(surrogates: bool) -> st.SearchStrategy[str]:
    any_char = st.characters(exclude_categories=("Cs",))
    if surrogates:
        return st.one_of(any_char, st.sampled_from(SURROGATES))
    return any_char


def hostile_text(
    *, max_fragments: int = 30, surrogates: bool = False, control: bool = True
) -> st.SearchStrategy[str]:
    """Short hostile text: fragments of markup, newsroom prose, RTL, bidi, emoji, controls."""
    fragments = [
        st.sampled_from(MARKUP),
        st.sampled_from(NEWSROOM),
        st.sampled_from(RTL),
        st.sampled_from(BIDI),
        st.sampled_from(EMOJI),
        st.text(_characters(surrogates), max_size=12),
    ]
    if control:
        fragments.append(st.sampled_from(CONTROL))
    if surrogates:
        fragments.append(st.sampled_from(SURROGATES))
    return st.lists(st.one_of(fragments), max_size=max_fragments).map("".join)


def long_text(*, surrogates: bool = False, control: bool = True) -> st.SearchStrategy[str]:
    """Up to 10 KB: a hostile text repeated (with or without spaces to break at)."""
    return st.builds(
        lambda unit, size: (unit * (size // max(1, len(unit)) + 1))[:size] if unit else "",
        hostile_text(max_fragments=12, surrogates=surrogates, control=control),
        st.integers(min_value=1, max_value=TEN_KB),
    )


def any_hostile_text(*, surrogates: bool = False, control: bool = True) -> st.SearchStrategy[str]:
    return st.one_of(
        hostile_text(surrogates=surrogates, control=control),
        long_text(surrogates=surrogates, control=control),
    )


# --- what Telegram delivers -----------------------------------------------------------------------

_TELEGRAM_SPACES = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f]")
_TELEGRAM_DROPS = re.compile("[\r\u2028-\u202e]")


def as_telegram_delivers(text: str) -> str:
    """A user's text as Telegram's servers pass it on (tdlib's `clean_input_string`): control
    characters but the line break become spaces; carriage returns and U+2028-U+202E go."""
    return _TELEGRAM_DROPS.sub("", _TELEGRAM_SPACES.sub(" ", text))


# --- the oracle ---------------------------------------------------------------------------------

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def as_shown(text: str) -> str:
    """What a str looks like once it has been through UTF-8: lone surrogates become U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def visible(message: str, limit: int = 4096) -> str:
    """The plain text Telegram shows for `message` (HTML parse mode), checked strictly.

    Fails the test when the markup is not valid Telegram HTML or either the markup or what it
    shows exceeds `limit` UTF-16 units.
    """
    message.encode("utf-8")  # what goes over the wire: no lone surrogates
    assert utf16_len(message) <= limit, f"message of {utf16_len(message)} UTF-16 units"
    plain, _entities = parse_html(message, strict=True)
    assert utf16_len(plain) <= limit
    return plain


def squeeze(text: str) -> str:
    """Text without any whitespace: for comparing what was split at spaces and line breaks."""
    return "".join(text.split())
