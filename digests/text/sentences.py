"""Indonesian sentence splitting that survives real KPU and newsroom text.

The splitter only ever cuts the input: every sentence is a stripped slice of the text, so
joining the sentences gives the input back modulo whitespace. A cut is made after
``.``, ``!``, ``?`` or ``…`` (plus any closing quote or bracket) when the next word
starts a sentence, unless the period belongs to a title (``Bpk.``, ``Dr.``), a degree
followed by another degree (``S.Sos., M.Si.``), an initial (``M. Arbayanto``) or sits
inside a direct quote. A quote that ends with a comma or is followed by a lower-case
attribution ("“A. B. C,” kata X.") stays in one sentence with its attribution.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from digests.text.lexicon import words
from digests.text.quotemarks import pair_quote_marks

# A run of sentence-final punctuation, then anything that closes around it. Spelled [x][x]*
# rather than [x]+: a pattern opening with a character class lets the regex engine skip to the
# next mark in C, several times faster than trying the pattern at every character.
_END = re.compile(r"[.!?…][.!?…]*[\"”’')\]]*")
# The word right before a period, read backwards from it: letters, digits and inner periods
# ("S.Sos", "M.Si"), ending in a letter or digit.
_WORD_BEFORE_REVERSED = re.compile(r"\w[\w.\-/]*")
_NEXT_WORD = re.compile(r"[\w.]+")
_LINE_BREAK = re.compile(r"\s*\n\s*")
_OPENERS = "\"“‘'([«"
_CLOSERS = "\"”’')]"
_LIST_WORDS = frozenset({"dan", "atau", "serta", "hingga", "sampai", "yaitu", "yakni"})
# A quote in a digest item: at most this many sentences and about this many characters.
SHORT_SENTENCES = 2
SHORT_CHARS = 300
_ELLIPSIS = "…"


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences; each is a stripped slice of the input, in order."""
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[str]:
    """The sentences of :func:`split_sentences` one at a time, so a caller that needs only the
    first few (the lead) does not split the rest."""
    start = 0
    # Most paragraphs hold no line break: spare them the search, which tries every character.
    breaks = [m.start() for m in _LINE_BREAK.finditer(text)] if "\n" in text else []
    for block_end in [*breaks, len(text)]:
        yield from _split_block(text, start, block_end)
        start = block_end


def _split_block(text: str, start: int, end: int) -> Iterator[str]:
    """Split one line of text (no line breaks inside)."""
    inside = _quote_mask(text, start, end)
    cut = start
    for match in _END.finditer(text, start, end):
        pos = match.end()
        if pos >= end:
            break
        if inside(match.start()) and not _closes_quote(text, match):
            continue
        if _is_boundary(text, match, end):
            piece = text[cut:pos].strip()
            if piece:
                yield piece
            cut = pos
    piece = text[cut:end].strip()
    if piece:
        yield piece


def _quote_mask(text: str, start: int, end: int):
    """Return a predicate telling whether a position lies inside a direct quote.

    Curly and straight quotes are paired left to right (writers mix “…" freely); an
    unclosed quote or one longer than a few paragraphs is ignored rather than swallowing
    the rest of the text.
    """
    spans, _unclosed = pair_quote_marks(text, start, end)
    if not spans:
        return lambda _pos: False

    def inside(pos: int) -> bool:
        return any(a < pos < b for a, b in spans)

    return inside


def _closes_quote(text: str, match: re.Match[str]) -> bool:
    """True when the punctuation run itself carries the closing quote mark."""
    return any(ch in '”"' for ch in match.group())


def _is_boundary(text: str, match: re.Match[str], end: int) -> bool:
    pos = match.end()
    gap = pos
    while gap < end and text[gap].isspace():
        gap += 1
    if gap >= end:
        return False
    nxt = text[gap]
    if gap == pos:
        return _glued_boundary(text, match, end)
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS):
        return False
    core = match.group().rstrip(_CLOSERS)
    if core != "." or match.group() != core:
        return True
    return not _period_is_abbreviation(text, match.start(), gap, end)


def _glued_boundary(text: str, match: re.Match[str], end: int) -> bool:
    """A cut with no space after it, as in "(24/3).Pertemuan": only after a bracket or a
    closing quote, and only before a capitalised word, never inside "kpujatim.go.id"."""
    before = text[match.start() - 1] if match.start() > 0 else ""
    punct = match.group()
    if not (before in ')”"' or punct.endswith(("”", '"')) or punct.startswith(("?", "!"))):
        return False
    word = _NEXT_WORD.match(text, match.end(), end)
    return bool(word and word.group()[0].isupper() and word.group()[1:2].islower())


def _period_is_abbreviation(text: str, period: int, next_start: int, end: int) -> bool:
    """Decide whether the period at ``period`` closes an abbreviation, not a sentence."""
    found = _word_before(text, period)
    if not found:
        return False
    before, before_start = found
    token = before.lower()
    if token in words("abbreviations", "title"):
        return True
    if token in words("abbreviations", "degree"):
        next_word = _NEXT_WORD.match(text, next_start, end)
        following = next_word.group().rstrip(".").lower() if next_word else ""
        return following in words("abbreviations", "degree")
    if len(token) == 1 and token.isalpha() and before.isupper():
        return not _ends_a_list(text, before_start)
    return False


def _word_before(text: str, period: int) -> tuple[str, int] | None:
    """The word right before ``period`` and where it starts (at most 40 characters back).

    Matched on the reversed text from the period backwards, where a search for a word that
    ends at the period would retry from every character of the sentence before it. As such
    a search's ``$`` would, a line break right before the period is stepped over."""
    start = max(0, period - 40)
    stop = period - 1 if text[start:period].endswith("\n") else period
    found = _WORD_BEFORE_REVERSED.match(text[start:stop][::-1])
    if found is None:
        return None
    return text[stop - found.end() : stop], stop - found.end()


def _ends_a_list(text: str, token_start: int) -> bool:
    """ "kelas A, B, dan E. Berbagai …" ends a sentence; "oleh M. Arbayanto" does not."""
    before = text[max(0, token_start - 12) : token_start].rstrip()
    if before.endswith(","):
        return True
    last = before.split()[-1].lower() if before.split() else ""
    return last in _LIST_WORDS


def shorten(text: str, *, sentences: int = SHORT_SENTENCES, chars: int = SHORT_CHARS) -> str:
    """The opening of `text`: whole sentences, at most `sentences` of them and about `chars`
    characters, with "…" when something was cut. A first sentence longer than the limit is
    cut at a word (a quote of one endless sentence still fits a digest item)."""
    text = " ".join(text.split())
    if len(text) <= chars and len(split_sentences(text)) <= sentences:
        return text
    kept: list[str] = []
    used = 0
    for sentence in iter_sentences(text):
        if len(kept) >= sentences or (kept and used + 1 + len(sentence) > chars):
            break
        kept.append(sentence)
        used += len(sentence) + (1 if len(kept) > 1 else 0)
    short = " ".join(kept)
    if len(short) > chars + chars // 5:  # one over-long sentence: cut at a word
        cut = short[:chars]
        space = cut.rfind(" ")
        short = cut[:space] if space > chars // 2 else cut
    short = short.rstrip(" ,;:-–—")
    if short == text:
        return text
    # "… delapan." + "…" reads as "… delapan…": the ellipsis takes the period's place.
    return short.removesuffix(".").rstrip() + _ELLIPSIS
