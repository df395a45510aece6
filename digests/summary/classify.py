"""Tag an article with the KPU divisions whose work it is about.

A weighted keyword vote, not a model at run time: KPU news is formulaic, the vocabulary of each
division is small and known, and an operator must be able to see and change why an article was
tagged. The weights are learned from hand-labelled real articles (bench/fit_divisions.py) and
written into data/divisions.toml, which stays the single source of truth. One regular expression
per catalog finds every keyword in one pass, so tagging costs a fraction of a millisecond.

What a tag means (PRODUCT.md): the divisions whose *work* the article is about. So the activity
words carry most of the weight; "Divisi X" after a person's name is only weak evidence (it names
the role of someone present), and an older combined name ("Divisi Perencanaan dan Data") points
only to the part of it that the rest of the article is about.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from digests.summary.divisions import DivisionCatalog, load_divisions

__all__ = ["Evidence", "Observations", "Tagging", "classify", "explain", "observe", "score"]

# Common Indonesian affixes around a single-word keyword: "disosialisasikan", "penganggaran".
_PREFIX_WORDS = "di ke se ber ter per me mem men meng menge meny pe pem pen peng penge peny"
# Each group ends with an empty alternative (no affix), tried after the others as a trailing `?`
# would try it, but without the regex engine's slower repeat machinery.
_PREFIXES = f"(?:{'|'.join(_PREFIX_WORDS.split())}|)"
_SUFFIXES = r"(?:kan|an|i|)(?:nya|lah|kah|)"
_SPACES = re.compile(r"\s+")
# Right after a word's first character: the character before it is no word character, i.e.
# the word starts where \b would have checked. A pattern that opens with a literal instead of
# \b lets the regex engine skip ahead to the next candidate letter in C.
_AFTER_WORD_START = r"(?<!\w[\s\S])"
# Characters that re.IGNORECASE matches for an ASCII letter besides its two cases.
_FOLD_EXTRA = {"i": "İı", "k": "\u212a", "s": "ſ"}
_NON_WORD = re.compile(r"[^\w]+")
_WORD_CHAR = re.compile(r"\w")
_WORD = re.compile(r"[^\W_]+")
_CONNECTORS = frozenset({"dan", "serta", "pemilu", "pemilihan", "bidang"})

KEYWORD, MENTION, OLD_NAME = "keyword", "mention", "old-name"


@dataclass(frozen=True, slots=True)
class _Matcher:
    keywords: re.Pattern[str]  # run on casefolded text
    acronyms: re.Pattern[str]  # run on the original text: "DPT" matches, "dpt" need not
    weights: dict[str, list[tuple[str, float]]]
    mention_trigger: re.Pattern[str]
    mention_terms: list[tuple[str, frozenset[str]]]  # (" term ", slugs), longest first
    mention_names: dict[str, str]  # " term " → the name as the catalog spells it
    mention_vocabulary: frozenset[str]
    mention_ignore: tuple[str, ...]  # " phrase " to blank before looking for terms


_MATCHERS: WeakKeyDictionary[DivisionCatalog, _Matcher] = WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class Observations:
    """What the text contains, before any weight: keyword hits and "Divisi …" mentions.

    `keywords` maps a casefolded keyword to its hits (in the title, in the lead paragraph, in
    the rest of the body); `mentions`
    maps the set of slugs a named division stands for (two or more for an older combined name)
    to how often it was named, with the name as written in the catalog.
    """

    keywords: dict[str, tuple[int, int, int]]
    mentions: dict[frozenset[str], tuple[int, str]]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason behind a division's score, as `kpu-digest explain` prints it."""

    division: str
    term: str
    kind: str  # KEYWORD, MENTION ("Divisi X") or OLD_NAME (a combined older name)
    weight: float
    title_hits: int
    body_hits: int  # the lead paragraph's included
    counted: float  # hits as counted: title and lead hits multiplied, capped
    lead_hits: int = 0

    @property
    def points(self) -> float:
        return self.weight * self.counted


@dataclass(frozen=True, slots=True)
class Tagging:
    """A decision and everything behind it."""

    divisions: list[str]
    scores: dict[str, float]  # every division above zero
    threshold: float
    floor: float  # the score a division needed: max(threshold, relative_cutoff × best)
    evidence: tuple[Evidence, ...] = field(default=())


def classify(title: str | None, text: str, catalog: DivisionCatalog | None = None) -> list[str]:
    """Division slugs for an article, in catalog order; [fallback] ("umum") when none fits."""
    return explain(title, text, catalog, with_evidence=False).divisions


def score(title: str | None, text: str, catalog: DivisionCatalog | None = None) -> dict[str, float]:
    """Each division's score (only those above zero), for explaining and tuning a decision."""
    return explain(title, text, catalog, with_evidence=False).scores


def explain(
    title: str | None,
    text: str,
    catalog: DivisionCatalog | None = None,
    *,
    with_evidence: bool = True,
) -> Tagging:
    """The divisions, their scores and the evidence behind each score.

    `with_evidence=False` (the crawler's hot path) gives the same divisions and scores without
    building the evidence list that only `kpu-digest explain` prints.
    """
    catalog = catalog or load_divisions()
    settings = catalog.settings
    matcher = _matcher(catalog)
    seen = _observe(matcher, title, text)

    evidence: list[Evidence] = []
    scores: dict[str, float] = defaultdict(float)
    for keyword, (in_title, in_lead, in_rest) in seen.keywords.items():
        counted = counted_hits(in_title, in_lead, in_rest, catalog)
        in_body = in_lead + in_rest
        for slug, weight in matcher.weights.get(keyword, ()):
            if with_evidence:
                evidence.append(
                    Evidence(slug, keyword, KEYWORD, weight, in_title, in_body, counted, in_lead)
                )
            scores[slug] += weight * counted
    # Mentions are added after every keyword: an old combined name picks its part by them alone.
    mention_points: list[tuple[str, float]] = []
    for slugs, (count, name) in seen.mentions.items():
        counted = float(min(count, settings.max_hits_per_keyword))
        if len(slugs) == 1:
            parts, kind, weight = tuple(slugs), MENTION, settings.explicit_weight
        else:
            parts, kind, weight = old_name_parts(slugs, scores), OLD_NAME, settings.old_name_weight
        for slug in parts:
            if with_evidence:
                evidence.append(Evidence(slug, name, kind, weight, 0, count, counted))
            mention_points.append((slug, weight * counted))
    for slug, points in mention_points:
        scores[slug] += points

    positive = {slug: value for slug, value in scores.items() if value > 0}
    best = max(positive.values(), default=0.0)
    floor = max(settings.threshold, settings.relative_cutoff * best)
    chosen = [slug for slug in catalog.slugs if positive.get(slug, 0.0) >= floor]
    if settings.max_divisions and len(chosen) > settings.max_divisions:
        ranked = sorted(chosen, key=lambda slug: -positive[slug])[: settings.max_divisions]
        chosen = [slug for slug in chosen if slug in ranked]
    if with_evidence:
        order = {slug: index for index, slug in enumerate(catalog.slugs)}
        evidence.sort(key=lambda item: (order[item.division], -item.points))
    return Tagging(
        divisions=chosen or [settings.fallback],
        scores=positive,
        threshold=settings.threshold,
        floor=floor,
        evidence=tuple(evidence),
    )


def observe(title: str | None, text: str, catalog: DivisionCatalog | None = None) -> Observations:
    """Keyword hits (title, lead, rest apart) and division mentions, weights not yet applied."""
    return _observe(_matcher(catalog or load_divisions()), title, text)


def _observe(matcher: _Matcher, title: str | None, text: str) -> Observations:
    in_title: dict[str, int] = defaultdict(int)
    in_lead: dict[str, int] = defaultdict(int)
    in_rest: dict[str, int] = defaultdict(int)
    title, text = title or "", text or ""
    separator = " . "
    named = title + separator + text  # where mentions are looked for
    # One search for the trigger words serves the mentions and the parts alike: a trigger is
    # a word, so it never spans the separators between title, lead and rest.
    triggers = [match.span() for match in matcher.mention_trigger.finditer(named)]
    lead, rest = _lead_and_rest(text)
    lead_at = len(title) + len(separator) + len(text) - len(text.lstrip())
    parts = (
        (title, 0, in_title),
        (lead, lead_at, in_lead),
        (rest, len(named) - len(rest), in_rest),
    )
    for part, at, hits in parts:
        ends = [end - at for start, end in triggers if at <= start and end <= at + len(part)]
        # A division's name after "Divisi" is a mention (weak evidence, counted below), not
        # keyword hits: "Divisi SDM dan Parmas, Budi, memaparkan …" adds no "SDM" or "parmas".
        _count(matcher, _without_mentions(matcher, part, ends), hits)
    keywords = {
        keyword: (in_title.get(keyword, 0), in_lead.get(keyword, 0), in_rest.get(keyword, 0))
        for keyword in in_title.keys() | in_lead.keys() | in_rest.keys()
        if keyword in matcher.weights  # ignore-phrases are matched only to be dropped
    }
    mentions: dict[frozenset[str], tuple[int, str]] = {}
    for slugs, name in _explicit_mentions(matcher, named, [end for _start, end in triggers]):
        count, first = mentions.get(slugs, (0, name))
        mentions[slugs] = (count + 1, first)
    return Observations(keywords=keywords, mentions=mentions)


def counted_hits(in_title: int, in_lead: int, in_rest: int, catalog: DivisionCatalog) -> float:
    """How often a keyword counts: title and lead hits weigh their multipliers, all capped.

    News states its activity in the headline and the first paragraph; the rest of the body is
    where the people present and the background are named.
    """
    s = catalog.settings
    counted = in_rest + s.lead_multiplier * in_lead + s.title_multiplier * in_title
    return min(counted, s.max_hits_per_keyword)


def _lead_and_rest(text: str) -> tuple[str, str]:
    """The first paragraph and the rest (paragraphs are separated by blank lines or lines)."""
    stripped = text.lstrip()
    for separator in ("\n\n", "\n"):
        lead, found, rest = stripped.partition(separator)
        if found:
            return lead, rest
    return stripped, ""


def old_name_parts(slugs: frozenset[str], keyword_scores: dict[str, float]) -> list[str]:
    """The parts of a combined older name the article is about: the best-scoring by keywords.

    "Divisi Perencanaan dan Data" on a voter-list article points to `data`, not `perencanaan`;
    when no part has any keyword evidence the name points nowhere.
    """
    best = max((keyword_scores.get(slug, 0.0) for slug in slugs), default=0.0)
    if best <= 0:
        return []
    return sorted(slug for slug in slugs if keyword_scores.get(slug, 0.0) == best)


def _count(matcher: _Matcher, text: str, hits: dict[str, int]) -> None:
    # A phrase's words are matched across any whitespace (the patterns say \s+ between them)
    # and counted under the catalog's spelling, with single spaces. The space before the text
    # gives a word at its very start the non-word character the keyword pattern opens with.
    for match in matcher.keywords.finditer(" " + text.casefold()):
        phrase = match.group("p")
        hits[" ".join(phrase.split()) if phrase else match.group("a")] += 1
    for match in matcher.acronyms.finditer(text):
        hits[" ".join(match.group(0).casefold().split())] += 1


def _without_mentions(matcher: _Matcher, text: str, trigger_ends: list[int]) -> str:
    """`text` with each "Divisi <division words>" run blanked (the trigger, which ends at one
    of `trigger_ends`, stays)."""
    cut = []
    for trigger_end in trigger_ends:
        end = trigger_end
        for word in _WORD.finditer(text, trigger_end, trigger_end + 160):
            if word.group(0).casefold() not in matcher.mention_vocabulary:
                break
            end = word.end()
        if end > trigger_end:
            cut.append((trigger_end, end))
    if not cut:
        return text
    parts, start = [], 0
    for begin, end in cut:
        parts += [text[start:begin], " " * (end - begin)]
        start = end
    return "".join(parts) + text[start:]


def _explicit_mentions(
    matcher: _Matcher, text: str, trigger_ends: list[int]
) -> list[tuple[frozenset[str], str]]:
    """Division sets named right after a trigger word ("Divisi SDM dan Parmas" → sdm, sosdiklih),
    the triggers ending at `trigger_ends`.

    The name is the run of words after the trigger that all belong to some division name, so
    "Divisi Teknis Penyelenggaraan, Insan Qoriawan mengatakan" stops before the person's name.
    """
    found = []
    for trigger_end in trigger_ends:
        words = []
        for word in _NON_WORD.split(text[trigger_end : trigger_end + 160].casefold()):
            if not word:
                continue
            if word not in matcher.mention_vocabulary:
                break
            words.append(word)
        if not words:
            continue
        span = f" {' '.join(words)} "
        for needle in matcher.mention_ignore:
            span = span.replace(needle, " | ")
        for needle, slugs in matcher.mention_terms:  # longest first, each word used once
            if needle in span:
                found.append((slugs, matcher.mention_names[needle]))
                span = span.replace(needle, " | ")
    return found


def _matcher(catalog: DivisionCatalog) -> _Matcher:
    matcher = _MATCHERS.get(catalog)
    if matcher is None:
        matcher = _MATCHERS[catalog] = _compile(catalog)
    return matcher


def _compile(catalog: DivisionCatalog) -> _Matcher:
    weights: dict[str, list[tuple[str, float]]] = defaultdict(list)
    phrases, affixable, acronyms = set(), set(), set()
    for division in catalog:
        for keyword, weight in division.keywords.items():
            keyword = _SPACES.sub(" ", keyword.strip())
            weights[keyword.casefold()].append((division.slug, weight))
            if keyword.isupper():
                acronyms.add(keyword)
            elif keyword.isalpha() and keyword.islower() and len(keyword) >= 4:
                affixable.add(keyword)
            else:
                phrases.add(keyword.casefold())

    phrases |= {_SPACES.sub(" ", p.strip()).casefold() for p in catalog.settings.ignore}
    # When every keyword starts with a word character, a match starts at a word start, so one
    # non-word character before it stands for \b (_count puts a space before the text).
    # Opening with a character class lets the regex engine skip in C to the next non-word
    # character instead of trying the whole pattern inside every word: a fifth of the time.
    opening = r"\W" if all(_WORD_CHAR.match(phrase) for phrase in phrases) else r"\b"
    # Every match opens with one of these letters: checking it first spares the three tries
    # at a non-word character that no word follows (", ", " 2024").
    first = {word[0] for word in (*phrases, *affixable, *_PREFIX_WORDS.split()) if word}
    opening += f"(?=[{''.join(sorted(map(re.escape, first)))}])"
    keywords = re.compile(
        rf"{opening}(?:(?P<p>{_trie(phrases)})|{_PREFIXES}(?P<a>{_trie(affixable)}){_SUFFIXES})\b"
    )

    terms: dict[str, set[str]] = defaultdict(set)
    spelled: dict[str, str] = {}
    for division in catalog:
        if division.slug == catalog.settings.fallback:
            continue
        for term in (division.name, *division.old_names, *division.mentions):
            normalised = " ".join(_NON_WORD.split(term.casefold())).strip()
            if normalised:
                terms[normalised].add(division.slug)
                spelled.setdefault(f" {normalised} ", term)
    vocabulary = {word for term in terms for word in term.split()} | _CONNECTORS
    triggers = "|".join(re.escape(t) for t in catalog.settings.mention_triggers)
    return _Matcher(
        keywords=keywords,
        acronyms=re.compile(rf"{_trie(acronyms, word_start=True)}\b"),
        weights=dict(weights),
        mention_trigger=_any_case(catalog.settings.mention_triggers)
        or re.compile(rf"\b(?:{triggers})\b", re.IGNORECASE),
        mention_terms=sorted(
            ((f" {t} ", frozenset(s)) for t, s in terms.items()), key=lambda item: -len(item[0])
        ),
        mention_names=spelled,
        mention_vocabulary=frozenset(vocabulary),
        mention_ignore=tuple(
            f" {' '.join(_NON_WORD.split(p.casefold())).strip()} " for p in catalog.settings.ignore
        ),
    )


def _trie(words: set[str], *, word_start: bool = False) -> str:
    """A regex matching any of `words`, longest first, factored by common prefixes.

    Python's `re` tries a flat alternation one branch at a time at every position; sharing
    prefixes makes the catalog's few hundred keywords cost about as much as a handful. With
    `word_start`, a match must start a word (as after \\b).
    """
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        branches = [
            (r"\s+" if char == " " else re.escape(char)) + render(child)
            for char, child in sorted(node.items())
            if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    if not root:
        return r"(?!x)x"
    if not word_start:
        return render(root)
    if "" in root or not all(_WORD_CHAR.match(char) for char in root):
        return rf"\b{render(root)}"
    branches = [
        re.escape(c) + _AFTER_WORD_START + render(child) for c, child in sorted(root.items())
    ]
    return f"(?:{'|'.join(branches)})"


def _any_case(triggers: tuple[str, ...]) -> re.Pattern[str] | None:
    """`\\b(?:trigger|…)\\b` under re.IGNORECASE, spelled out case by case so the pattern opens
    with literal letters (much faster to search); None when a trigger is not plain ASCII."""
    branches = []
    for trigger in triggers:
        if not trigger or not trigger.isascii() or not _WORD_CHAR.match(trigger[0]):
            return None
        rest = "".join(_cases(char) for char in trigger[1:])
        for first in _variants(trigger[0]):
            branches.append(re.escape(first) + _AFTER_WORD_START + rest)
    if not branches:
        return None
    return re.compile(f"(?:{'|'.join(branches)})\\b")


def _variants(char: str) -> list[str]:
    lowered = char.lower()
    if not lowered.isalpha():
        return [char]
    return [lowered, lowered.upper(), *_FOLD_EXTRA.get(lowered, "")]


def _cases(char: str) -> str:
    variants = _variants(char)
    return re.escape(char) if len(variants) == 1 else f"[{''.join(variants)}]"
