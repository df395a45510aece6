"""Direct quotes in a news body and who said them.

Indonesian newsrooms attribute a quote in a handful of ways: after it (“…,” kata Eko /
ujarnya / pungkas Sekretaris Jenderal KPU-RI Bpk. Arif Rahman Hakim), before it (Eko
mengatakan, “…” / Menurut Eko, “…”), or not at all when the same person goes on talking.
Speakers are then named by position, honorific, first name, surname or a lower-case
nickname ("kata eko"), so every speaker is resolved against the people the article has
already introduced with their full names.

Everything here works on plain strings; word lists come from ``digests/data``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter

from digests.model import Quote
from digests.text.furniture import is_furniture
from digests.text.lexicon import place_names, words
from digests.text.quotemarks import CLOSE, OPEN, QUOTE_MAX, pair_quote_marks

_TOKEN = re.compile(r"\([^()\n]{0,80}\)|[^\W\d_][\w'’\-/.]*|\d[\w.,/:-]*|[^\w\s]")
_NAMEISH = frozenset({"name", "role", "org", "hon"})  # kinds that start a run
_IN_RUN = _NAMEISH | {"paren", "degree"}
_AFTER_COMMA = _NAMEISH | {"degree"}
_KIND_OF = itemgetter(3)
_START_OF = itemgetter(1)
_MENURUT = re.compile(r"\b(menurut|kata)\b")
# What no token starts with (spaces and "_"), then a token.
_GAP_TOKEN = re.compile(rf"([\s_]*)({_TOKEN.pattern})")
_NAME_MAX_WORDS = 5
_ROLE_RUN_MAX = 12  # words of a role in apposition: "Anggota Komisi Informasi Provinsi Banten"
_AFTER_LAST_QUOTE = 300
_NAME_TRIM_WORDS = 3
_KIND_CACHE_MAX = 200_000  # distinct token texts remembered; cleared when full
_WORDS = re.compile(r"\w+")
_OPEN_ENDED_MIN_WORDS = 5
# "ujarnya" looks back this far (characters) for the person speaking.
_LOOK_BACK = 1500
_EPITHET_MAX = 14
_NYA_WORD = 8
# Indonesian abstract nouns (pe-…-an, per-…-an, ke-…-an, and "-asi" loans) name units and
# subjects, never people: "Divisi Perencanaan, Keuangan", "Bidang Kependudukan".
_ABSTRACT_NOUN = re.compile(r"(?:pe[mnr]?\w{4,}an|ke\w{5,}an|\w{5,}asi)")
_MIN_NAME_CHARS = 2
_NICKNAME_MIN = 3
_OFFICE_MIN_WORDS = 3
_OPENER_MAX_WORDS = 4
# "…, ucap Ari." / "…, ujarnya." ending a paragraph whose quote never closed: a verb and at
# most four capitalised words (or none after a "-nya" verb), then the paragraph's end.
_INNER_TAIL = 80
_INNER_ATTRIBUTION = re.compile(
    r",\s*(?P<verb>[a-z]+)(?P<name>(?:\s+[A-Z][\w'’.-]*){0,4})\s*[.!]?\s*$"
)


@dataclass(frozen=True, slots=True)
class FoundQuote:
    """A quote with where it sits in the body (``position`` counts characters in the body
    joined with blank lines) and the paragraph it came from."""

    text: str
    speaker: str | None
    position: int
    paragraph: int


@dataclass(slots=True)
class _Person:
    name: list[str]
    start: int
    end: int
    role: frozenset[str] = field(default_factory=frozenset)
    strong: bool = True
    # Named as someone speaking: before a speech verb, after "menurut", or as a quote's
    # speaker. A later "ujarnya" points back to such a person, not to whoever was named last.
    speaking: bool = False
    # An office standing for its holder ("Ketua KPU Kabupaten Mesuji"): a speaker, never
    # the fuller form of someone's name.
    office: bool = False
    # Where an office named without a speech verb stops standing for the speaker: the end
    # of its paragraph ("Ketua KPU Mesuji hadir … “…,” ujarnya" in the same paragraph).
    until: int = 1 << 62
    # A strong person opening a sentence is its subject up to the end of the paragraph: a
    # later "ujarnya" there is more likely theirs than an earlier speaker's.
    subject_until: int = -1


try:
    # The C descriptor behind named tuples' fields: read about twice as fast as a property,
    # and tokens' fields are read thousands of times per article.
    from _collections import _tuplegetter
except ImportError:  # another Python than CPython
    _tuplegetter = None


def _field(index: int) -> object:
    """The descriptor reading item `index` of a `_Token`."""
    if _tuplegetter is None:
        return property(itemgetter(index))
    return _tuplegetter(index, None)


class _Token(tuple):
    """One token: (text, start, end, kind, ends_sentence, word, lowered). A tuple, because an
    article has hundreds of tokens and building a tuple costs a fraction of an __init__.

    kind is one of name, role, org, hon, lrole, lower, degree, comma, paren, break; word is
    the text without trailing periods ("Bpk." → "Bpk"), lowered that word in lower case."""

    __slots__ = ()
    text = _field(0)
    start = _field(1)
    end = _field(2)
    kind = _field(3)
    ends_sentence = _field(4)
    word = _field(5)
    lowered = _field(6)


def find_quotes(paragraphs: list[str]) -> list[Quote]:
    """All direct quotes of the body, in order, each with its resolved speaker."""
    return [Quote(found.text, found.speaker) for found in locate_quotes(paragraphs)]


def locate_quotes(paragraphs: list[str]) -> list[FoundQuote]:
    """Like :func:`find_quotes`, keeping positions for ranking against the lead."""
    paragraphs = [_normalise_marks(p) for p in paragraphs]
    body = "\n\n".join(paragraphs)
    spans: list[tuple[int, int, int, bool]] = []
    offset = 0
    for index, paragraph in enumerate(paragraphs):
        spans += [(offset + a, offset + b, index, o) for a, b, o in _spans(paragraph)]
        offset += len(paragraph) + 2
    if not spans:
        return []
    narrative = _blank_furniture(paragraphs, _blank_spans(body, spans))
    # Nothing after the last attribution can name a speaker: leave it untokenised.
    tokens = _tokenise(narrative[: spans[-1][1] + _AFTER_LAST_QUOTE])
    people = _people(tokens, narrative)
    found: list[FoundQuote] = []
    pending: list[int] = []  # open-ended quotes waiting for the paragraph that closes them
    for start, end, index, open_ended in spans:
        text = _clean_quote(body[start + 1 : end])
        if not text:
            continue
        speaker_name = _speaker(narrative, tokens, people, start, end, open_ended)
        if speaker_name:
            speaker_name = _without_leading_title(_fullest(speaker_name, people))
            if not _can_speak(speaker_name):
                speaker_name = None
        continues = pending and found[pending[-1]].paragraph == index - 1
        if continues and body[start - 1 : start] == "\n" and speaker_name:
            # A quote running over several paragraphs: each paragraph reopens it and the
            # last one closes it and names the speaker, which outranks a guess made earlier.
            for k in pending:
                quote = found[k]
                found[k] = FoundQuote(quote.text, speaker_name, quote.position, quote.paragraph)
        elif not continues:
            pending = []
        if speaker_name:
            # A speaker of one quote is the person a later "ujarnya" points back to.
            people.append(_Person(speaker_name.split(), end, end + 1, speaking=True))
        found.append(FoundQuote(text, speaker_name, start, index))
        pending = [*pending, len(found) - 1] if open_ended else []
    return found


def quote_spans(paragraph: str) -> list[tuple[int, int]]:
    """(open, close) indexes of the quotation marks of each direct quote in a paragraph.

    Curly and straight marks are paired left to right, since writers mix “…" freely, and a
    closing mark that stands where a quote opens ("”Kami siap …” ujar X") opens one. A quote
    that never closes runs to the end of its paragraph (close = the paragraph's length),
    never into the next paragraph.
    """
    return [(a, b) for a, b, _open in _spans(_normalise_marks(paragraph))]


def _spans(paragraph: str) -> list[tuple[int, int, bool]]:
    pairs, open_at = pair_quote_marks(paragraph, closing_mark_opens=_opens_here)
    spans = [(a, b, False) for a, b in pairs]
    if (
        open_at >= 0
        and len(paragraph) - open_at <= QUOTE_MAX
        and len(_WORDS.findall(paragraph[open_at:])) >= _OPEN_ENDED_MIN_WORDS
    ):
        inner = _inner_attribution(paragraph, open_at)
        if inner > 0:
            spans.append((open_at, inner, False))  # the comma stands for the closing mark
        else:
            spans.append((open_at, len(paragraph), True))
    return spans


def _opens_here(paragraph: str, i: int) -> bool:
    """A closing mark used as an opening one: at the start or after a space, before a word;
    or glued to the end of the sentence before it, before a capital ("staf.”Sebuah …")."""
    before = paragraph[i - 1] if i > 0 else " "
    after = paragraph[i + 1] if i + 1 < len(paragraph) else " "
    if before in ".!?" and i > 1 and paragraph[i - 2].isalnum():
        return after.isupper()
    return before in " (\t:" and after.isalnum()


def _inner_attribution(paragraph: str, open_at: int) -> int:
    """A quote that never closes but ends its paragraph with its attribution ("“Saya …
    datang, ucap Ari."): where the quote ends (the comma's index), or -1."""
    tail = _INNER_ATTRIBUTION.search(paragraph, max(open_at, len(paragraph) - _INNER_TAIL))
    if tail is None or not _is_after_verb(tail.group("verb").lower()):
        return -1
    if tail.group("verb").lower().endswith("nya") and tail.group("name"):
        return -1  # "katanya Eko": no such form
    return tail.start()


def _normalise_marks(paragraph: str) -> str:
    """Two single marks written as one double mark (‘’Ke depan …,’’ kata X) become one."""
    if "‘" not in paragraph and "’’" not in paragraph:
        return paragraph
    return paragraph.replace("‘‘", OPEN).replace("‘’", OPEN).replace("’’", CLOSE)


def _clean_quote(inner: str) -> str:
    return inner.strip().rstrip(",").strip()


def _blank_spans(body: str, spans: list[tuple[int, int, int, bool]]) -> str:
    """The body with quoted words replaced by spaces: people named inside a quote are
    not the speaker, and offsets stay those of the body."""
    pieces = []
    done = 0
    for start, end, _index, open_ended in spans:  # in order, never overlapping
        pieces += (body[done:start], "\x00", " " * (end - start - 1))
        # An open-ended quote ends at its paragraph's end: the separator stays a line break.
        pieces.append("\n" if open_ended and end < len(body) else "\x00" if end < len(body) else "")
        done = end + 1
    pieces.append(body[done:])
    return "".join(pieces)


def _blank_furniture(paragraphs: list[str], narrative: str) -> str:
    """Blank the first sentence of a paragraph that opens with "Baca juga:" and the like:
    a linked headline's capitalised words are not people."""
    offset = 0
    for paragraph in paragraphs:
        if is_furniture(paragraph):
            stop = narrative.find(". ", offset, offset + len(paragraph))
            stop = offset + len(paragraph) if stop < 0 else stop + 1
            narrative = narrative[:offset] + " " * (stop - offset) + narrative[stop:]
        offset += len(paragraph) + 2
    return narrative


def _tokenise(text: str) -> list[_Token]:
    kinds = _token_kinds()
    if len(kinds) > _KIND_CACHE_MAX:
        kinds.clear()
    tokens: list[_Token] = []
    append = tokens.append
    end = 0
    # Every character is either a gap character or starts a token, so the (gap, token) pairs
    # tile the text and positions follow from lengths, without a match object per token.
    for gap, raw in _GAP_TOKEN.findall(text):
        if gap == " ":  # as between most words
            start = end + 1
        else:
            if "\n" in gap and tokens:
                # A paragraph break ends a run: a subheading ("Persaingan") is not a first name.
                last = tokens[-1]
                tokens[-1] = _Token((*last[:4], True, *last[5:]))
            start = end + len(gap)
        info = kinds.get(raw)
        if info is None:
            info = kinds[raw] = (*_token_kind(raw), len(raw))
        kind, ends_sentence, word, lowered, length = info
        end = start + length
        append(_Token((raw, start, end, kind, ends_sentence, word, lowered)))
    return tokens


@cache
def _token_kinds() -> dict[str, tuple[str, bool, str, str, int]]:
    """Token text → (kind, ends_sentence, word, lowered, length): a token's kind depends on its
    text alone, and news repeats its words, so each distinct text is classified once per
    process."""
    return {}


def _token_kind(raw: str) -> tuple[str, bool, str, str]:
    first = raw[0]
    word = raw.rstrip(".")
    if not first.isalpha():
        kind = "paren" if first == "(" else "comma" if first == "," else "break"
        return kind, False, word, word.lower()
    capitalised, lower_case, honorifics = _kind_tables()
    word = word or raw
    lowered = word.lower()
    dotted = raw[-1] == "."
    # "Bpk." or "Ibu" is an honorific; "BP" (an acronym) is not.
    if lowered in honorifics and (dotted or (first.isupper() and not word.isupper())):
        return "hon", False, word, lowered
    if first.isupper():
        kind = capitalised.get(lowered)
        if kind is None and len(lowered) >= _NYA_WORD and lowered.endswith("nya"):
            kind = "lower"  # "Dalam Laporannya Dedy": a word with "-nya" is not a name
        if kind is None and _ABSTRACT_NOUN.fullmatch(lowered):
            kind = "org"  # "Pendayagunaan", "Kesejahteraan", "Organisasi": units, not names
        if kind is None:
            # "KPU", "KPU-RI", "DPRD": acronyms name bodies, not people.
            kind = "org" if len(word) > 1 and word[1].isupper() else "name"
    else:
        kind = lower_case.get(lowered, "lower")
    titled = lowered in words("abbreviations", "title")  # "Muh. Abdi": not a sentence end
    return kind, dotted and len(word) > 1 and not titled, word, lowered


@cache
def _kind_tables() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """Word → token kind, for capitalised and for lower-case words, built once."""
    roles = words("text_people", "role")
    orgs = words("text_people", "organisation") | words("text_people", "place")
    not_names = words("text_people", "not_name")
    capitalised: dict[str, str] = {}
    lower_case: dict[str, str] = {}
    for word in orgs:
        capitalised[word] = "org"
    for word in ("dan", "serta"):
        lower_case[word] = "org"
    for word in roles:
        capitalised[word] = "role"
        lower_case[word] = "lrole"
    # "Seru Sawati", "Jelas Sutrisno Selaku Kasubag": in title-cased text a speech verb or a
    # stop word is capitalised too, and is still not part of a name.
    for word in (
        words("attribution_verbs", "after")
        | words("attribution_verbs", "before")
        | words("text_people", "stop")
    ):
        capitalised.setdefault(word, "lower")
    for word in not_names:
        capitalised[word] = "break"
        lower_case[word] = "break"
    for word in words("abbreviations", "degree"):
        capitalised[word] = "degree"  # "Anis Suhartini, M.Si." : the name ends before it
    return capitalised, lower_case, words("text_people", "honorific")


def _runs(tokens: list[_Token], start: int = 0, stop: int | None = None):
    """Yield (first, last) token indexes of runs of name-ish tokens, commas inside."""
    stop = len(tokens) if stop is None else stop
    kinds = list(map(_KIND_OF, tokens[start:stop]))  # kinds[i] is tokens[start + i].kind
    resume = start
    for i in [start + k for k, kind in enumerate(kinds) if kind in _NAMEISH]:
        if i < resume:
            continue  # inside the previous run
        last = _run_end(tokens, i, stop)
        yield i, last
        resume = last + 1


def _run_end(tokens: list[_Token], first: int, stop: int) -> int:
    """The last token of the run of name-ish tokens that starts at `first` (before `stop`)."""
    j = first
    while j + 1 < stop and not tokens[j].ends_sentence:
        nxt = tokens[j + 1].kind
        # A comma stays inside when a name-ish word or a degree follows it.
        if nxt in _IN_RUN or (
            nxt == "comma" and j + 2 < stop and tokens[j + 2].kind in _AFTER_COMMA
        ):
            j += 1
        else:
            break
    return j


def _segments(tokens: list[_Token], first: int, last: int) -> list[tuple[list[_Token], int]]:
    """Split a run at each role that follows a name: "Ketua KPU Jatim, Eko Sasmito, Divisi
    …, Gogot Cahyo Baskoro" holds two people. Returns (tokens, index of first token)."""
    if first == last:
        return [([tokens[first]], first)]  # one word (two runs in five): nothing to split
    segments: list[tuple[list[_Token], int]] = []
    current: list[_Token] = []
    current_start = first
    seen_name = False
    for k in range(first, last + 1):
        token = tokens[k]
        kind = token.kind
        if kind == "comma" and current and all(t.kind == "name" for t in current):
            # "Simon, Pertamina …": without a role, a comma separates two things.
            segments.append((current, current_start))
            current, current_start, seen_name = [], k + 1, False
            continue
        if token.lowered in ("dan", "serta") and seen_name and current[-1].kind == "name":
            nxt = tokens[k + 1] if k + 1 <= last else None
            if nxt is not None and nxt.kind in ("name", "hon"):
                # "Gogot Cahyo Baskoro dan Muh. Abdi Goncing": two people.
                segments.append((current, current_start))
                current, current_start, seen_name = [], k + 1, False
                continue
        if kind in ("role", "hon") and seen_name and current:
            previous = current[-1]
            kinds = {t.kind for t in current}
            # "Ketua KPU Kota Batu, Dr. Marlina": the honorific opens the holder's name,
            # while "Bpk. Eko, Bpk. Gogot" lists two people.
            holder = kind == "hon" and "role" in kinds and "hon" not in kinds
            if not holder and (previous.kind in ("comma", "paren") or kind == "role"):
                segments.append((current, current_start))
                current, current_start, seen_name = [], k, False
        current.append(token)
        seen_name = seen_name or kind == "name"
    if current:
        segments.append((current, current_start))
    return segments


def _name_of(segment: list[_Token]) -> tuple[list[_Token], frozenset[str], bool]:
    """The person's name in one segment (its last run of name words), the role words
    before it, and whether a role or honorific marks it as a person."""
    end = len(segment)
    while end and segment[end - 1].kind != "name":
        end -= 1
    if not end:
        role_words = frozenset(t.lowered for t in segment if t.kind in ("role", "org"))
        return [], role_words, False
    begin = end - 1
    while begin and segment[begin - 1].kind == "name":
        begin -= 1
    last_name = segment[begin:end]
    if not begin:  # the name alone, the most common case ("Eko Sasmito", "Kegiatan")
        return last_name[-_NAME_MAX_WORDS:], frozenset(), False
    head = segment[:begin]
    marked = any(t.kind in ("role", "hon") for t in head)
    before = head[-1] if head else None
    if before is not None and before.lowered in words("text_people", "region_word"):
        # "KPU Kabupaten Tanah Datar Budi": the words after "Kabupaten" are the place.
        last_name = last_name[max(1, _place_prefix(last_name)) :]
        if not last_name:
            return [], frozenset(t.lowered for t in head if t.kind in ("role", "org")), False
    elif before is not None and before.kind == "org":
        # "anggota KPU Jepara Muhammadun": a regency, then the name; "DPRD Kabupaten
        # Kepulauan Selayar Andi Mahmud": a place that began with the word before the run.
        skip = _place_prefix(last_name, keep=1) or _place_from(before, last_name)
        last_name = last_name[skip:]
    if before is not None and before.kind in ("role", "org") and len(last_name) > 3:
        last_name = last_name[-_NAME_TRIM_WORDS:]
    last_name = last_name[-_NAME_MAX_WORDS:]
    role_words = frozenset(t.lowered for t in head if t.kind in ("role", "org"))
    return last_name, role_words, marked


def _place_prefix(name: list[_Token], keep: int = 0) -> int:
    """How many leading words of `name` are a place (a province, regency or city of
    data/regions.toml, or a dateline place), leaving at least `keep` words."""
    if not name or name[0].lowered not in _place_first_words():
        return 0  # most names start with no place word: skip building the tuples
    places = place_names()
    for n in (3, 2, 1):
        if len(name) - n < keep:
            continue
        words_ = tuple(t.lowered for t in name[:n])
        if words_ in places or (n == 1 and words_[0] in words("dateline_places")):
            return n
    return 0


def _place_from(before: _Token, name: list[_Token]) -> int:
    """How many leading words of `name` end a place that `before` begins ("Kepulauan" +
    "Selayar"), leaving at least one word."""
    places = place_names()
    for n in (2, 1):
        if len(name) - n >= 1 and (before.lowered, *(t.lowered for t in name[:n])) in places:
            return n
    return 0


@cache
def _place_first_words() -> frozenset[str]:
    return frozenset(place[0] for place in place_names()) | words("dateline_places")


def _people(tokens: list[_Token], text: str) -> list[_Person]:
    """People the narrative names: a name after a role or honorific, a name right before
    a speech verb ("Maqdir menjelaskan"), after "menurut", or after a lower-case role
    ("tim hukum Hasto, Maqdir Ismail"). Other capitalised pairs are kept as weak
    candidates, used only to complete a partial name."""
    before_verbs = words("attribution_verbs", "before")
    speech_lead = words("attribution_verbs", "lead_in")
    lead_words = _lead_words()
    people: list[_Person] = []
    for first, last in _runs(tokens):
        if "name" not in map(_KIND_OF, tokens[first : last + 1]):
            # A run of roles and bodies names no one, unless it is an office as a
            # sentence's subject: "Ketua KPU Jatim membuka rapat. … ,” ujarnya." Most such
            # runs are a body alone ("KPU"), and an office opens with its role.
            if tokens[first].kind == "role":
                office = _office(tokens[first : last + 1], tokens, first)
                if office is not None:
                    speaks = _starts_with_verb(tokens, last + 1, before_verbs)
                    people.append(_office_person(office, speaks, text))
            continue
        verb_after = _starts_with_verb(tokens, last + 1, before_verbs)
        role_after = False
        if not verb_after and last + 1 < len(tokens) and tokens[last + 1].lowered == "selaku":
            # "Heri Wahidin selaku Anggota Komisi Informasi menyampaikan": a person with
            # their role in apposition, speaking when the role is followed by the verb.
            role_after, verb_after = _role_then_verb(tokens, last + 2, before_verbs)
        prev = tokens[first - 1] if first > 0 else None
        lead_in = prev is not None and prev.lowered in lead_words and not prev.ends_sentence
        says = prev is not None and prev.lowered in speech_lead and not prev.ends_sentence
        segments = _segments(tokens, first, last)
        # "Rudinan, Anggota KPU Kabupaten Bombana Divisi …, menyampaikan": a name, then only
        # its roles in apposition, then the verb: the name speaks.
        held = verb_after and _name_then_its_roles(segments)
        for index, (segment, start) in enumerate(segments):
            if held and index == 0:
                words_ = [_shown(t) for t in segment]
                people.append(_Person(words_, segment[0].start, segment[-1].end, speaking=True))
                break
            name, role, marked = _name_of(segment)
            if not name or (segment[0].kind == "role" and _names_a_body(name)):
                office = _office(segment, tokens, start)
                if office is not None:
                    speaks = segment[-1] is tokens[last] and verb_after
                    people.append(_office_person(office, speaks, text))
                continue
            is_last = segment[-1] is tokens[last]
            strong = marked or (index == 0 and lead_in) or (is_last and (verb_after or role_after))
            if not strong and len(name) < 2:
                continue
            speaking = (index == 0 and says) or (is_last and verb_after)
            person = _Person(
                [_shown(t) for t in name], name[0].start, name[-1].end, role, strong, speaking
            )
            if index == 0 and _opens_sentence(tokens, first):
                paragraph_end = text.find("\n\n", person.end)
                person.subject_until = len(text) if paragraph_end < 0 else paragraph_end
            people.append(person)
    return people


def _name_then_its_roles(segments: list[tuple[list[_Token], int]]) -> bool:
    """A bare name, then segments that are roles and bodies only (no other person)."""
    if len(segments) < 2 or not all(t.kind == "name" for t in segments[0][0]):
        return False
    if segments[1][0][0].kind != "role":
        return False
    return all(not _name_of(segment)[0] for segment, _start in segments[1:])


def _role_then_verb(tokens: list[_Token], k: int, verbs: frozenset[str]) -> tuple[bool, bool]:
    """Whether tokens[k:] open a role run ("Anggota Komisi Informasi Provinsi Banten"), and
    whether a speech verb follows that run."""
    if k >= len(tokens) or tokens[k].kind not in ("role", "lrole"):
        return False, False
    for j in range(k + 1, min(len(tokens), k + _ROLE_RUN_MAX)):
        if tokens[j - 1].ends_sentence:
            return True, False
        if tokens[j].kind not in ("role", "lrole", "org", "name"):
            return True, _starts_with_verb(tokens, j, verbs)
    return True, False


def _opens_sentence(tokens: list[_Token], first: int) -> bool:
    """A run at a sentence's start, or after a short opener ("Sementara itu, Ketua …")."""
    k = first - 1
    if k < 0 or tokens[k].ends_sentence:
        return True
    if tokens[k].kind != "comma":
        return False
    k -= 1
    for _ in range(_OPENER_MAX_WORDS):
        if k < 0 or tokens[k].ends_sentence:
            return True
        if tokens[k].kind not in ("lower", "break"):
            return False
        k -= 1
    return k < 0 or tokens[k].ends_sentence


def _office(segment: list[_Token], tokens: list[_Token], start: int) -> list[_Token] | None:
    """ "Ketua KPU Kabupaten Mesuji", "Pimpinan Pondok Pesantren Tahfidz Qudsiyyah": a role
    of a named body, with no person's name, opening a sentence. The office stands for the
    person holding it."""
    words_ = _office_words(segment)
    if words_ is None:
        return None
    prev = tokens[start - 1] if start > 0 else None
    # "… bersama Ketua KPU Jatim": the subject is someone else; but after a short opener
    # ("Dalam sambutannya, Ketua KPU Kabupaten Wonosobo menyampaikan …") the office is it.
    if (
        prev is not None
        and not prev.ends_sentence
        and prev.kind != "break"
        and not (prev.kind == "comma" and _opens_sentence(tokens, start))
    ):
        return None
    if prev is not None and prev.kind == "break" and prev.text not in ".!?":
        return None
    return words_


def _office_words(segment: list[_Token]) -> list[_Token] | None:
    """A role, then a body and its place: the words of an office, or None."""
    words_ = [t for t in segment if t.kind not in ("comma", "paren")]
    if len(words_) < _OFFICE_MIN_WORDS or words_[0].kind != "role":
        return None
    if not any(t.kind == "org" for t in words_[1:]) and not _names_a_body(words_[1:]):
        return None
    return words_


def _office_person(office: list[_Token], speaking: bool, text: str) -> _Person:
    end = office[-1].end
    paragraph_end = text.find("\n\n", end)
    return _Person(
        [t.word for t in office],
        office[0].start,
        end,
        frozenset(t.lowered for t in office if t.kind in ("role", "org")),
        strong=True,
        speaking=speaking,
        office=True,
        until=(1 << 62) if speaking or paragraph_end < 0 else paragraph_end,
    )


def _names_a_body(name: list[_Token]) -> bool:
    """ "Pondok Pesantren Tahfidz Qudsiyyah": a name with an institution's word in it."""
    never = words("non_speakers", "word")
    return any(t.lowered in never for t in name)


@cache
def _lead_words() -> frozenset[str]:
    """Words after which a capitalised run is a person: speech lead-ins and roles."""
    return words("attribution_verbs", "lead_in") | words("text_people", "role")


def _shown(token: _Token) -> str:
    """A name word as the article writes it: "Muh." keeps its period, "Gogot," loses the comma."""
    if token.text.endswith(".") and token.lowered in words("abbreviations", "title"):
        return token.text
    return token.word


def _starts_with_verb(tokens: list[_Token], k: int, verbs: frozenset[str]) -> bool:
    """ "Eko mengatakan", "Eko juga mengatakan", "Priyo dalam materinya menyampaikan"."""
    step = 0
    while step < 4 and k + step < len(tokens):
        lowered = tokens[k + step].lowered
        if lowered in verbs:
            return True
        if (
            lowered == "dalam"
            and k + step + 1 < len(tokens)
            and tokens[k + step + 1].lowered.endswith("nya")
        ):
            step += 2
            continue
        if lowered not in ("juga", "pun", "kembali", "lalu", "kemudian", "sempat", ","):
            return False
        step += 1
    return False


def _speaker(
    narrative: str,
    tokens: list[_Token],
    people: list[_Person],
    start: int,
    end: int,
    open_ended: bool = False,
) -> str | None:
    if not open_ended:
        after = _after_attribution(narrative, tokens, people, start, end)
        if after is not None:
            return after or None
    before = _before_attribution(narrative, people, start)
    if before:
        return before
    if not _opens_speech(narrative, start):
        return None  # 'program bertajuk "KPU Mengajar"': a name in quotes, not speech
    return _last_person(people, start)


def _opens_speech(narrative: str, start: int) -> bool:
    """An unattributed quote is the last speaker going on only where speech can start: at a
    paragraph's or sentence's start, or after a colon or comma."""
    before = narrative[max(0, start - 3) : start].rstrip(" \t")
    return not before or before[-1] in '.!?:;,\n\x00”"'


def _after_attribution(
    narrative: str, tokens: list[_Token], people: list[_Person], start: int, end: int
) -> str | None:
    """Speaker named right after the closing mark. Returns "" when a verb is there but
    names nobody we can resolve, None when there is no attribution after the quote."""
    after_verbs = words("attribution_verbs", "after")
    pronouns = words("attribution_verbs", "pronoun")
    k = _first_token_at(tokens, end + 1)
    if k is None or tokens[k].start - end > 4:
        return None
    if tokens[k].kind == "comma":
        k += 1
    # "…”. Ungkap Divisi SDM, Hadi Pranatha", "…”. tegas Arief": a verb after the period.
    if k + 1 < len(tokens) and tokens[k].text == "." and _is_after_verb(tokens[k + 1].lowered):
        k += 1
    if k >= len(tokens):
        return None
    if tokens[k].lowered in words("attribution_verbs", "demikian"):
        return _demikian(tokens, k, people, start)
    verb = tokens[k].lowered
    glued = "." in verb and _is_after_verb(verb.split(".", 1)[0])
    if glued:  # "ujarnya.Wima menyampaikan …": the period has lost its space
        verb = verb.split(".", 1)[0]
    stem = verb[:-3] if verb.endswith("nya") else verb
    if verb not in after_verbs and stem not in after_verbs:
        return None
    if verb.endswith("nya") and stem in after_verbs:
        return _last_person(people, start) or ""
    nxt = tokens[k + 1] if k + 1 < len(tokens) else None
    if nxt is None or nxt.lowered in pronouns or tokens[k].ends_sentence or glued:
        return _last_person(people, start) or ""
    epithet = _epithet(tokens, k + 1, people, start)
    if epithet is not None:
        return epithet
    return _name_after(tokens, k + 1, people, start, narrative) or ""


def _is_after_verb(lowered: str) -> bool:
    after_verbs = words("attribution_verbs", "after")
    return lowered in after_verbs or (lowered.endswith("nya") and lowered[:-3] in after_verbs)


def _demikian(tokens: list[_Token], k: int, people: list[_Person], before: int) -> str:
    """ "“…” Demikian pernyataan Ketua KPU X." / "Demikian disampaikan X" / "demikian kata X"."""
    k += 1
    while k < len(tokens) and tokens[k].lowered in words("attribution_verbs", "demikian_verb"):
        k += 1
    if k >= len(tokens) or tokens[k].kind in ("break", "comma"):
        return ""
    if tokens[k].lowered.endswith("nya") or tokens[k].lowered in words(
        "attribution_verbs", "pronoun"
    ):
        return _last_person(people, before) or ""
    return _name_after(tokens, k, people, before, "") or ""


def _epithet(tokens: list[_Token], k: int, people: list[_Person], before: int) -> str | None:
    """ "terang pria yang biasa dipanggil Mas Kholid ini", "tambah ketua divisi … KPU Kota
    Makassar ini": a description of the speaker closed by "ini"/"tersebut". Returns the name
    the description gives, the person speaking before the quote, or None when the words after
    the verb are no epithet."""
    if tokens[k].kind not in ("lower", "lrole"):
        return None
    closers = words("attribution_verbs", "epithet_end")
    stop = min(len(tokens), k + _EPITHET_MAX)
    called = words("attribution_verbs", "epithet_name")
    naming = False
    for j in range(k, stop):
        token = tokens[j]
        naming = naming or token.lowered in called
        if token.kind == "name" and not naming:
            return None  # "kata ketua tim, Eko": a name, not a description
        if token.ends_sentence and token.lowered not in closers:
            return None
        if token.lowered in closers:
            nxt = tokens[j + 1] if j + 1 < len(tokens) else None
            if not (token.ends_sentence or nxt is None or nxt.kind in ("comma", "break")):
                return None
            for m in range(k, j):
                if tokens[m].lowered in called:
                    names = [t for t in tokens[m + 1 : j] if t.kind == "name"]
                    if names:
                        return _resolve([t.word for t in names], people, before)
            return _last_person(people, before) or ""
    return None


def _name_after(
    tokens: list[_Token], k: int, people: list[_Person], before: int, narrative: str
) -> str:
    """Resolve the words after a speech verb: "Sekretaris Jenderal KPU-RI Bpk. Arif
    Rahman Hakim", "eko", "Menteri Hukum" (a role named earlier with its holder)."""
    stops = words("text_people", "stop")
    organisation = words("text_people", "organisation")
    head = tokens[k]
    if _is_initials(head, tokens, k):
        return _spelled_out(head.word, narrative) or head.word
    if head.kind == "lower" and head.lowered not in stops | organisation:
        full = _resolve([head.word], people, before)
        return full if _known(head.word, people) else ""
    end = k
    # "kata tim hukum Hasto, Ronny Talapessy", "ujar jaksa": lower-case roles lead in.
    while end < len(tokens) and (
        tokens[end].kind == "lrole"
        or (tokens[end].kind == "lower" and tokens[end].lowered in organisation)
    ):
        end += 1
    if end >= len(tokens) or tokens[end].kind not in _NAMEISH:
        return ""  # no run of name words starts right there
    first, last = end, _run_end(tokens, end, min(len(tokens), end + 40))
    segments = [segment for segment, _start in _segments(tokens, first, last)]
    segment = segments[0]
    if end > k and len(segments) > 1 and all(t.kind == "name" for t in segment):
        segment = segments[1]  # "tim hukum Hasto, Ronny Talapessy": the lawyer is Ronny
    name, role, _marked = _name_of(segment)
    if name:
        return _resolve([t.word for t in name], people, before)
    lowered_roles = frozenset(tokens[i].lowered for i in range(k, end)) | role
    holder = _holder_of(lowered_roles, people, before)
    if holder or end > k:
        return holder
    # "ujar Ketua KPU Jatim" where no one holding it is named: the office speaks.
    office = _office_words(segment)
    return " ".join(t.word for t in office) if office else ""


def _is_initials(head: _Token, tokens: list[_Token], k: int) -> bool:
    """ "kata JK": two or three capitals that are no body's acronym, then the sentence ends."""
    if not (head.kind == "org" and 2 <= len(head.word) <= 3 and head.word.isupper()):
        return False
    if head.lowered in words("text_people", "organisation") | words("non_speakers", "whole"):
        return False
    if head.lowered in words("non_speakers", "organisation") | words("non_speakers", "word"):
        return False
    nxt = tokens[k + 1] if k + 1 < len(tokens) else None
    return head.ends_sentence or nxt is None or nxt.kind in ("comma", "break", "paren", "lower")


def _spelled_out(initials: str, narrative: str) -> str | None:
    """ "Jusuf Kalla (JK)": the name the article gives for the initials, if it does."""
    match = re.search(
        rf"((?:[A-Z][\w'’.-]+\s+){{1,3}}[A-Z][\w'’.-]+)\s*\(\s*{re.escape(initials)}\s*\)",
        narrative,
    )
    if not match:
        return None
    # "Wakil Presiden Jusuf Kalla (JK)": the name, without the office before it.
    titles = (
        words("text_people", "role")
        | words("text_people", "organisation")
        | words("text_people", "place")
        | words("text_people", "honorific")
    )
    name = match.group(1).split()
    while len(name) > 1 and name[0].lower().rstrip(".") in titles:
        name.pop(0)
    return " ".join(name)


def _before_attribution(narrative: str, people: list[_Person], start: int) -> str | None:
    """“…” introduced by "Eko mengatakan," or "Menurut Eko," in the same sentence."""
    window = narrative[max(0, start - 200) : start]
    cut = max(window.rfind(". "), window.rfind("\n"), window.rfind("\x00"))
    clause = window[cut + 1 :]
    if not clause.strip():
        return None
    lowered = clause.lower()
    verbs = words("attribution_verbs", "before")
    has_verb = _any_word(verbs).search(lowered) is not None
    if not (has_verb or _MENURUT.search(lowered)):
        return None
    clause_start = start - len(clause)
    inside = [p for p in people if clause_start <= p.start < start and p.strong]
    if not inside:
        return None
    # "Eko mengatakan kepada Bupati Yusuf, “…”": the one before the verb speaks.
    speaking = [p for p in inside if p.speaking]
    if not speaking:
        # "… oleh Ketua KPU Gianyar, I Wayan Mura, dalam sambutannya beliau menyampaikan “…”":
        # a pronoun before the verb is the person the clause names with their office. A bare
        # capitalised word ("… menteri Komunikasi dan Informatika, beliau mengatakan") is no
        # such person, and who speaks is a guess: leave it empty.
        if not _pronoun_verb().search(lowered):
            return None
        speaking = [p for p in inside if p.role and len(p.name) >= 2 and not p.office]
        if not speaking:
            return None
    chosen = max(speaking, key=lambda p: p.start)
    return _resolve(chosen.name, people, start)


@cache
def _pronoun_verb() -> re.Pattern[str]:
    """ "beliau menyampaikan", "ia mengatakan": a pronoun as the subject of a speech verb."""
    pronouns = words("attribution_verbs", "pronoun") - {"nya", "mereka"}
    verbs = words("attribution_verbs", "before")
    return re.compile(
        rf"\b(?:{'|'.join(sorted(pronouns))})\s+(?:{'|'.join(map(re.escape, sorted(verbs)))})\b"
    )


@cache
def _any_word(choices: frozenset[str]) -> re.Pattern[str]:
    """One pattern finding any of `choices` as a whole word (none when there are none)."""
    if not choices:
        return re.compile(r"(?!x)x")
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, sorted(choices)))})\b")


def _last_person(people: list[_Person], before: int) -> str | None:
    """Who "ujarnya" or an unattributed quote points back to: the nearest person named as
    speaking (before a speech verb, after "menurut", or as an earlier quote's speaker);
    failing that, the one person named nearby. Two candidates and no one speaking: nobody,
    since the suspect named after the police officer who spoke is not the speaker."""
    earlier = [
        p
        for p in people
        if p.end <= before and p.strong and p.start >= before - _LOOK_BACK and before < p.until
    ]
    if not earlier:
        return None
    speaking = [p for p in earlier if p.speaking]
    if speaking:
        person = max(speaking, key=lambda p: p.start)
        # "Eko mengatakan …. Sementara itu, Ketua Bawaslu Aang hadir. “…,” ujarnya.": someone
        # else named since the last speaker. Their sentence's subject in the quote's own
        # paragraph speaks; anyone else makes the speaker unsure.
        later = [p for p in earlier if p.start > person.end and not _same_person(p, person)]
        if any(
            not p.strong
            and p.start > person.end
            and p.end <= before < p.subject_until
            and not _same_person(p, person)
            for p in people
        ):
            # "Sementara itu, Sri Paduka Pakualam X memberikan pesan …. “…,” ujar beliau": a
            # new subject of the quote's paragraph, named in no form we trust: unsure.
            return None
        if later:
            subjects = [p for p in later if before < p.subject_until]
            if not subjects:
                return None
            person = max(subjects, key=lambda p: p.start)
        return _resolve(person.name, people, before)
    # One person named in several forms ("Eko Sasmito", later "Eko") is still one person.
    forms = {tuple(w.lower() for w in p.name) for p in earlier}
    fullest = max(forms, key=len)
    if all(set(form) <= set(fullest) for form in forms):
        person = max(earlier, key=lambda p: len(p.name))
        return _resolve(person.name, people, before)
    return None


def _same_person(a: _Person, b: _Person) -> bool:
    """ "Eko" and "Eko Sasmito": one name's words within the other's."""
    one = {w.lower().rstrip(".") for w in a.name}
    other = {w.lower().rstrip(".") for w in b.name}
    return one <= other or other <= one


def _known(word: str, people: list[_Person]) -> bool:
    lowered = word.lower()
    return any(lowered == part.lower() for p in people if not p.office for part in p.name)


def _resolve(name: list[str], people: list[_Person], before: int) -> str:
    """Complete a partial name from the people introduced earlier: "Anam" → "Choirul
    Anam", "eko" → "Eko Sasmito", "Rozak" → "Miftahur Rozaq" (one letter off). The nearest
    earlier mention wins, then a later one."""
    if len(name) != 1:
        return " ".join(name)
    word = name[0].lower()
    ordered = sorted(people, key=lambda p: _nearness(p, before))
    for match in ("exact", "prefix", "typo"):
        for person in ordered:
            if len(person.name) < 2 or person.office:
                continue
            for part in (part.lower().rstrip(".") for part in person.name):
                if match == "exact":
                    hit = part == word
                elif match == "prefix":
                    hit = len(word) >= 3 and part.startswith(word)
                else:
                    hit = len(word) >= 5 and word[:3] == part[:3] and _one_letter_off(word, part)
                if hit:
                    return " ".join(person.name)
    # "Ari" for "Moh. Afifudin Asari", "Wima" for "Eberta Kawima": a nickname is often a
    # name's last syllables. Only when exactly one person the article names fits.
    if len(word) >= _NICKNAME_MIN:
        fits = {
            " ".join(p.name)
            for p in people
            if len(p.name) >= 2
            and not p.office
            and any(part.lower().endswith(word) and len(part) > len(word) + 1 for part in p.name)
        }
        if len(fits) == 1 and _can_speak(nickname_of := fits.pop()):
            return nickname_of
    return name[0][0].upper() + name[0][1:] if name[0].islower() else name[0]


def _one_letter_off(a: str, b: str) -> bool:
    """Same length and one letter different ("Rozak"/"Rozaq"), a common misspelling."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _fullest(name: str, people: list[_Person]) -> str:
    """The fullest form of a name the article gives: "Abdi Goncing" → "Muh. Abdi Goncing".
    Only when every longer form agrees (one contains the others); else the name as found."""
    mine = [w.lower().rstrip(".") for w in name.split()]
    longer: list[list[str]] = []
    for person in people:
        if len(person.name) <= len(mine) or person.office:
            continue
        theirs = [w.lower().rstrip(".") for w in person.name]
        if not _contains(theirs, mine) or not _can_speak(" ".join(person.name)):
            continue
        if len(mine) >= 2 and not _extends_at_end(person.name, mine):
            # "Heri Wahidin" (as the article writes it after "terang") is not completed to
            # "Kerjasama Heri Wahidin" of "Bidang Kelembagaan dan Kerjasama Heri Wahidin":
            # a two-word name grows in front only by an abbreviation ("Muh. Abdi Goncing").
            continue
        longer.append(person.name)
    if not longer:
        return name
    longest = max(longer, key=len)
    low = [w.lower().rstrip(".") for w in longest]
    if all(_contains(low, [w.lower().rstrip(".") for w in other]) for other in longer):
        return " ".join(longest)
    return name


def _extends_at_end(longer: list[str], mine: list[str]) -> bool:
    """Whether `longer` is `mine` with words added after it, or before it only as
    abbreviations written with a period ("Muh.", "H.")."""
    lowered = [w.lower().rstrip(".") for w in longer]
    for i in range(len(lowered) - len(mine) + 1):
        if lowered[i : i + len(mine)] == mine and all(w.endswith(".") for w in longer[:i]):
            return True
    return False


def _without_leading_title(name: str) -> str:
    """ "H Sofrayani" → "Sofrayani": an honorific written without its period is no name."""
    parts = name.split()
    honorifics = words("text_people", "honorific")
    while len(parts) > 1 and parts[0].lower().rstrip(".") in honorifics:
        parts.pop(0)
    return " ".join(parts)


def _contains(whole: list[str], part: list[str]) -> bool:
    n = len(part)
    return any(whole[i : i + n] == part for i in range(len(whole) - n + 1))


def _can_speak(name: str) -> bool:
    """A speaker is a person or an office standing for one: never a place, a body, a
    religion, an ordinal, a pronoun, a bare title, nor a relative named after the speaker
    (digests/data/non_speakers.txt)."""
    parts = [w.lower().rstrip(".,") for w in name.split()]
    if not parts or len(name.replace(" ", "")) < _MIN_NAME_CHARS:
        return False  # "R" of "R&D"; initials like "JK" have two letters
    if " ".join(parts) in words("non_speakers", "whole"):
        return False
    if parts[0] in words("non_speakers", "relative"):
        return False
    if len(parts) >= _OFFICE_MIN_WORDS and parts[0] in words("text_people", "role"):
        # "Ketua KPU Kabupaten Mesuji": an office of a body, standing for its holder.
        return not all(part in words("text_people", "role") for part in parts)
    never = words("non_speakers", "word")
    if any(part in never for part in parts):
        return False
    not_names = _not_name_words()
    return not all(part in not_names for part in parts)


@cache
def _not_name_words() -> frozenset[str]:
    """Words that alone never make a name: bodies, places, roles, honorifics, openers."""
    return (
        words("text_people", "organisation")
        | words("text_people", "place")
        | words("text_people", "role")
        | words("text_people", "not_name")
        | words("text_people", "honorific")
    )


def _nearness(person: _Person, before: int) -> tuple[bool, bool, int]:
    """Sort key: strong mentions first, then the nearest earlier one, then later ones."""
    later = person.start >= before
    return (not person.strong, later, person.start if later else -person.start)


def _holder_of(role: frozenset[str], people: list[_Person], before: int) -> str:
    """Who holds a role named without a name ("ujar Menteri Hukum")."""
    wanted = role & words("text_people", "role")
    if not wanted:
        return ""
    matches = [p for p in people if p.role and role <= p.role and p.strong]
    if not matches:
        return ""
    earlier = [p for p in matches if p.start < before]
    person = earlier[-1] if earlier else matches[0]
    return " ".join(person.name)


def _first_token_at(tokens: list[_Token], position: int) -> int | None:
    """Index of the first token starting at or after `position` (tokens are in text order)."""
    index = bisect_left(tokens, position, key=_START_OF)
    return index if index < len(tokens) else None
