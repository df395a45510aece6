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

from digests.model import Quote, Summary
from digests.quotes import FoundQuote, locate_quotes
from digests.text.dateline import strip_dateline
from digests.text.furniture import is_furniture
from digests.text.sentences import iter_sentences, split_sentences

_ELLIPSIS = "…"
_WORD = re.compile(r"\w+")
# A whole word with a digit in it. (?<!\w) keeps the search from retrying inside words
# without digits, which made a plain \w*\d\w* cost more than the rest of the ranking.
_FIGURE = re.compile(r"(?<!\w)[^\W\d]*\d\w*")
_MIN_LEAD_WORDS = 5
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


def summarise(
    title: str | None,
    paragraphs: list[str],
    *,
    lead_budget: int = 400,
    max_quotes: int = 2,
) -> Summary:
    """Summarise an article body given as clean paragraphs (no page furniture)."""
    body = [p.strip() for p in paragraphs if p and p.strip()]
    body = _from_dateline(body)
    lead = _lead(title, body, lead_budget)
    quotes = _pick_quotes(locate_quotes(body), lead, max_quotes)
    return Summary(lead=lead, quotes=quotes)


def _from_dateline(body: list[str]) -> list[str]:
    """Drop the dateline and anything before it (a date line, a repeated title)."""
    for index, paragraph in enumerate(body[:_DATELINE_SEARCH]):
        dateline, rest = strip_dateline(paragraph)
        if dateline is not None:
            return ([rest] if rest else []) + body[index + 1 :]
    return body


def _lead(title: str | None, body: list[str], budget: int) -> list[str]:
    lead: list[str] = []
    used = 0
    title_key = _key(title or "")
    for paragraph in body:
        for sentence in map(_tidy, iter_sentences(paragraph)):
            if not lead and not _is_news(sentence, title_key):
                continue
            if lead and (
                used >= budget * _LEAD_ENOUGH
                or used + 1 + len(sentence) > budget
                or _is_quote(sentence)
            ):
                return lead
            lead.append(_trim(sentence, budget) if not lead else sentence)
            used += len(lead[-1]) + (1 if len(lead) > 1 else 0)
            if len(lead) >= _MAX_LEAD_SENTENCES:
                return lead
    if not lead:
        sentences = [s for p in body for s in split_sentences(p)]
        if sentences:
            lead.append(_trim(_tidy(sentences[0]), budget))
    return lead


def _is_news(sentence: str, title_key: str) -> bool:
    """A lead sentence is prose: not a bare quote, a caption stub, a "Baca juga" link, a
    date line or the title again."""
    if len(_WORD.findall(sentence)) < _MIN_LEAD_WORDS or _is_quote(sentence):
        return False
    if is_furniture(sentence):
        return False
    return not (title_key and _key(sentence) == title_key)


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


def _pick_quotes(found: list[FoundQuote], lead: list[str], limit: int) -> list[Quote]:
    """Rank quotes by how much they say, skip what the lead already says, prefer a new
    voice over a second quote from the same person, and keep the article's order."""
    if limit <= 0:
        return []
    lead_words = _word_set(" ".join(lead))
    candidates: list[tuple[float, FoundQuote]] = []
    for quote in found:
        found_words = _WORD.findall(quote.text)
        count = len(found_words)
        if count < _MIN_QUOTE_WORDS:
            continue
        quote_words = {w.lower() for w in found_words}
        if quote_words and len(quote_words & lead_words) / len(quote_words) >= _LEAD_OVERLAP:
            continue
        score = min(count, _QUOTE_WORD_CAP) + 4 * len(quote_words & _figures(quote.text))
        if quote.speaker:
            score += 10
        candidates.append((score, quote))
    chosen: list[FoundQuote] = []
    speakers: set[str | None] = set()
    while candidates and len(chosen) < limit:
        best = max(
            candidates,
            key=lambda item: item[0] * (0.5 if item[1].speaker in speakers else 1.0),
        )
        candidates.remove(best)
        quote = best[1]
        if any(_overlap(quote.text, other.text) >= _DUPLICATE_OVERLAP for other in chosen):
            continue
        chosen.append(quote)
        speakers.add(quote.speaker)
    chosen.sort(key=lambda q: q.position)
    return [Quote(_tidy(q.text), q.speaker) for q in chosen]


def _tidy(text: str) -> str:
    """One plain space between words: pages carry no-break spaces and doubled spaces."""
    return " ".join(text.split())


def _figures(text: str) -> set[str]:
    return {w.lower() for w in _FIGURE.findall(text)}


def _word_set(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _overlap(a: str, b: str) -> float:
    wa, wb = _word_set(a), _word_set(b)
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def _key(text: str) -> str:
    return " ".join(w.lower() for w in _WORD.findall(text))
