"""Extractive summary of one article: the lead that carries the news, plus the quotes
that say the most.

A news body is written as an inverted pyramid, so its first sentences already answer
who, what, where and when; the job is to find where the news starts (after the
dateline, past page furniture and bare quotes) and to stop at a length that reads on a
phone. Quotes add the voice of the people involved: the most informative ones win,
and none that only repeats the lead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from digests.model import Dateline, Quote, Summary
from digests.summary.quotes import FoundQuote, locate_quotes
from digests.text.dateline import strip_dateline, strip_fused_dateline
from digests.text.furniture import is_furniture
from digests.text.sentences import iter_sentences

_ELLIPSIS = "…"
_WORD = re.compile(r"\w+")
# A whole word with a digit in it. (?<!\w) keeps the search from retrying inside words
# without digits, which made a plain \w*\d\w* cost more than the rest of the ranking.
_FIGURE = re.compile(r"(?<!\w)[^\W\d]*\d\w*")
_DIGIT = re.compile(r"\d")
_MIN_LEAD_WORDS = 5
# At least that many words; possessive, so a word is never split to make up the count.
_LEAD_WORDS = re.compile(rf"(?:\W*+\w++){{{_MIN_LEAD_WORDS}}}")
_MAX_LEAD_SENTENCES = 3
# One sentence usually carries who/what/where/when; a second is added only when the
# first is short (under a quarter of the budget). Measured on the eval set in
# tests/eval/summaries: longer leads lose ROUGE against human summaries.
_LEAD_ENOUGH = 0.25
_MIN_QUOTE_WORDS = 5
_QUOTE_WORD_CAP = 45
_LEAD_OVERLAP = 0.6
_DUPLICATE_OVERLAP = 0.7
_DATELINE_SEARCH = 3
# A paragraph above the dateline this long is news, not a caption or a date line.
_PROSE_WORDS = 30
_CAPTION = re.compile(r"\b(?:foto|dok|dokumentasi|ilustrasi|sumber)\b", re.IGNORECASE)
_MAX_SUMMARY_SENTENCES = 3
# After a repeated headline: its closing punctuation and hashtags ("… 2025 #Temanpemilih, ").
_AFTER_TITLE = re.compile(r"^[^\w#]*(?:#\w+[^\w#]*)*")
_OPENING_JUNK = " \t\"“”'‘’([-–—:"
_SHORTEST_SENTENCE = 40  # a news sentence shorter than this is rare: do not look for one
_SUMMARY_SCAN = 4  # sentences read past the lead's start to fill the summary
# /summary's length: measured on tests/eval/summaries, two to three sentences of about
# 150 characters each stay under the mean length of the first three sentences.
SUMMARY_BUDGET = 420
# Words outside the quote marks that a quote-led sentence needs to tell an event:
# "kata X" has two, "kata Ketua KPU X saat membuka rapat pleno penetapan DPT" has ten.
_EVENT_WORDS = 10
_QUOTED = re.compile(r"[“\"][^“”\"]*[”\"]")


def summarise(
    title: str | None,
    paragraphs: list[str],
    *,
    lead_budget: int = 400,
    max_quotes: int = 2,
    summary_budget: int = SUMMARY_BUDGET,
    dateline: Dateline | None = None,
    first_searched: bool = False,
) -> Summary:
    """Summarise an article body given as clean paragraphs (no page furniture).

    `dateline` is the one extraction already found at the start of the first paragraph, if
    any: it is cut off as found instead of being searched for again. `first_searched` says
    that extraction looked there (`strip_dateline(paragraphs[0])`), so when it found none the
    first paragraph is not searched again; the next ones still are."""
    body = [p.strip() for p in paragraphs if p and p.strip()]
    none_first = first_searched and dateline is None and bool(body) and body[0] == paragraphs[0]
    body = _without_title(_from_dateline(body, dateline, skip_first=none_first), title)
    title_key = _key(title or "")
    sentences = _Sentences(body)
    start = _lead_start(sentences, title_key)
    lead = _lead(sentences, start, lead_budget)
    lead_words = _word_set(" ".join(lead))  # what quotes and the summary must not repeat
    quotes = _pick_quotes(locate_quotes(body), lead_words, max_quotes)
    summary = _summary(sentences, start, lead, summary_budget, title_key, lead_words)
    return Summary(lead=lead, quotes=quotes, summary=summary)


def _from_dateline(
    body: list[str], known: Dateline | None = None, *, skip_first: bool = False
) -> list[str]:
    """Drop the dateline and anything before it (a date line, a repeated title).

    `skip_first`: the first paragraph is known to open with no dateline."""
    if known is not None and body and body[0].startswith(known.raw):
        rest = body[0][len(known.raw) :].lstrip()
        if rest[:1].islower():
            rest = rest[0].upper() + rest[1:]
        return ([rest] if rest else []) + body[1:]
    for index, paragraph in enumerate(body[:_DATELINE_SEARCH]):
        if index == 0 and skip_first:
            continue
        dateline, rest = strip_dateline(paragraph)
        if dateline is not None:
            # What stands before it is a date line, a title or a caption, unless it is
            # news in its own right: a long sentence with no photo credit.
            kept = [p for p in body[:index] if _is_prose_paragraph(p)]
            return kept + ([rest] if rest else []) + body[index + 1 :]
    if body:  # a photo caption fused before the dateline never leads
        dateline, rest = strip_fused_dateline(body[0])
        if dateline is not None:
            return ([rest] if rest else []) + body[1:]
    return body


def _is_prose_paragraph(paragraph: str) -> bool:
    """ "Dengan semangat tertib administrasi …, KPU Kabupaten Klaten mulai melaksanakan …":
    a paragraph that opens the news above the one holding the dateline."""
    return (
        len(_WORD.findall(paragraph)) >= _PROSE_WORDS
        and paragraph.rstrip()[-1:] in ".!?"
        and _CAPTION.search(paragraph) is None
    )


class _Sentences:
    """The body's sentences, split only as far as a caller reads: lead and summary need the
    opening of a long body, never its end."""

    def __init__(self, body: list[str]) -> None:
        self._source = (_tidy(s) for paragraph in body for s in iter_sentences(paragraph))
        self._done: list[str] = []

    def get(self, index: int) -> str | None:
        while len(self._done) <= index:
            sentence = next(self._source, None)
            if sentence is None:
                return None
            self._done.append(sentence)
        return self._done[index]

    def from_(self, index: int) -> Iterator[str]:
        while (sentence := self.get(index)) is not None:
            yield sentence
            index += 1


def _without_title(body: list[str], title: str | None) -> list[str]:
    """ "Belopa, 03 Oktober 2025 KPU Luwu Tetapkan … Tahun 2025 #Temanpemilih, Komisi …":
    a body that opens with its own headline (and hashtags) starts the news after them."""
    if not body or not title:
        return body
    title_words = _WORD.findall(title.lower())
    if len(title_words) < _MIN_LEAD_WORDS:
        return body
    first = body[0]
    first_word = _WORD.search(first)
    if first_word is None or first_word.group().lower() != title_words[0]:
        return body  # most bodies: the first word already differs
    # Compare words, not a pattern built from the title: no regex to compile per article.
    opening = list(islice(_WORD.finditer(first), len(title_words)))
    if len(opening) < len(title_words) or first[: opening[0].start()].strip(_OPENING_JUNK):
        return body
    if [m.group().lower() for m in opening] != title_words:
        return body
    rest = _AFTER_TITLE.sub("", first[opening[-1].end() :], count=1)
    if len(_WORD.findall(rest)) < _MIN_LEAD_WORDS:
        return body
    after = first[opening[-1].end() :]
    if (rest[:1].islower() and after[:1] == " ") or after.lstrip(" ")[:1] == ",":
        # "KPU Lampung adakan Rakor … 2019 antara KPU Provinsi dengan …, Rabu (23/1)" and
        # "KPU Gianyar Menyelenggarakan Rapat … 2025, Jumat (20/06/2025).": the headline is the
        # opening of the first sentence, which goes on after it.
        return body
    return [rest[0].upper() + rest[1:], *body[1:]]


def _lead_start(sentences: _Sentences, title_key: str) -> int | None:
    """Index of the sentence where the news starts: the first prose sentence."""
    for index, sentence in enumerate(sentences.from_(0)):
        if _is_news(sentence, title_key):
            return index
    return None


def _lead(sentences: _Sentences, start: int | None, budget: int) -> list[str]:
    if start is None:
        first = sentences.get(0)
        return [_trim(first, budget)] if first else []
    lead = [_trim(sentences.get(start) or "", budget)]
    used = len(lead[0])
    for sentence in sentences.from_(start + 1):
        if (
            len(lead) >= _MAX_LEAD_SENTENCES
            or used >= budget * _LEAD_ENOUGH
            or used + 1 + len(sentence) > budget
            or _is_quote(sentence)
        ):
            break
        lead.append(sentence)
        used += len(sentence) + 1
    return lead


def _summary(
    sentences: _Sentences,
    start: int | None,
    lead: list[str],
    budget: int,
    title_key: str,
    lead_words: set[str],
) -> list[str]:
    """The lead, then the prose sentences that follow it, up to three in all and `budget`
    characters: the inverted pyramid puts what matters next right after the lead. Bare
    quotes and furniture are skipped (the quotes are shown apart)."""
    summary = list(lead)
    if start is None or not summary:
        return summary
    used = sum(len(s) for s in summary) + len(summary) - 1
    if used + _SHORTEST_SENTENCE > budget or len(summary) >= _MAX_SUMMARY_SENTENCES:
        return summary  # nothing more fits: the rest of the body is never split
    seen = set(lead_words)
    for read, sentence in enumerate(sentences.from_(start + len(lead))):
        if len(summary) >= _MAX_SUMMARY_SENTENCES or read >= _SUMMARY_SCAN:
            break
        if not _is_news(sentence, title_key, allow_quote=False):
            continue
        if used + 1 + len(sentence) > budget:
            break
        words = _word_set(sentence)
        if words and len(words & seen) / len(words) >= _DUPLICATE_OVERLAP:
            continue
        summary.append(sentence)
        seen |= words
        used += len(sentence) + 1
    return summary


def _is_news(sentence: str, title_key: str, *, allow_quote: bool = True) -> bool:
    """A lead sentence is prose: not a bare quote, a caption stub, a "Baca juga" link, a
    date line or the title again. A sentence that opens with a quote counts when its own
    words around the quote tell the event ("“…,” kata Ketua KPU X saat membuka rapat pleno
    penetapan DPT di Surabaya")."""
    if _LEAD_WORDS.match(sentence) is None:
        return False
    if _is_quote(sentence) and not (allow_quote and _carries_event(sentence)):
        return False
    if is_furniture(sentence):
        return False
    # Only a sentence about as long as the title can repeat it: spare the others the key.
    if not title_key or abs(len(sentence) - len(title_key)) > len(title_key) // 4 + 8:
        return True
    return _key(sentence) != title_key


def _carries_event(sentence: str) -> bool:
    """True when the narrative outside the quote marks is long enough to tell what happened."""
    outside = _QUOTED.sub(" ", sentence)
    if outside == sentence:  # a quote that never closes is all quote
        return False
    return len(_WORD.findall(outside)) >= _EVENT_WORDS


def _is_quote(sentence: str) -> bool:
    return sentence[:1] in "“\"'‘"


def _trim(sentence: str, budget: int) -> str:
    """Cut an over-long first sentence at a word boundary, marking the cut with …"""
    if len(sentence) <= budget:
        return sentence
    cut = sentence[: budget - 1]
    space = cut.rfind(" ")
    if space > budget // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + _ELLIPSIS


def _pick_quotes(found: list[FoundQuote], lead_words: set[str], limit: int) -> list[Quote]:
    """Rank quotes by how much they say, skip what the lead (its words: `lead_words`) already
    says, prefer a new voice over a second quote from the same person, and keep the article's
    order."""
    if limit <= 0:
        return []
    candidates: list[tuple[float, FoundQuote, set[str]]] = []  # with the quote's words
    for quote in found:
        found_words = _WORD.findall(quote.text.lower())
        count = len(found_words)
        if count < _MIN_QUOTE_WORDS:
            continue
        quote_words = set(found_words)
        if quote_words and len(quote_words & lead_words) / len(quote_words) >= _LEAD_OVERLAP:
            continue
        score = min(count, _QUOTE_WORD_CAP) + 4 * len(quote_words & _figures(quote.text))
        if quote.speaker:
            score += 10
        candidates.append((score, quote, quote_words))
    chosen: list[FoundQuote] = []
    chosen_words: list[set[str]] = []
    speakers: set[str | None] = set()
    while candidates and len(chosen) < limit:
        best = max(
            candidates,
            key=lambda item: item[0] * (0.5 if item[1].speaker in speakers else 1.0),
        )
        candidates.remove(best)
        _score, quote, quote_words = best
        if any(_overlap(quote_words, other) >= _DUPLICATE_OVERLAP for other in chosen_words):
            continue
        chosen.append(quote)
        chosen_words.append(quote_words)
        speakers.add(quote.speaker)
    chosen.sort(key=lambda q: q.position)
    return [Quote(_tidy(q.text), q.speaker) for q in chosen]


def _tidy(text: str) -> str:
    """One plain space between words: pages carry no-break spaces and doubled spaces."""
    return " ".join(text.split())


def _figures(text: str) -> set[str]:
    """The words with a digit in them. Most quotes have none, and looking for a digit first is
    far cheaper than looking for such a word."""
    if _DIGIT.search(text) is None:
        return set()
    return {w.lower() for w in _FIGURE.findall(text)}


def _word_set(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _overlap(wa: set[str], wb: set[str]) -> float:
    """How much two texts, given as their word sets, share: the shorter one's share."""
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def _key(text: str) -> str:
    return " ".join(map(str.lower, _WORD.findall(text)))
