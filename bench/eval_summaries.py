"""Score leads, speakers and summaries on real, hand-labelled text.

Three sets, each reported on its own:
- the labelled real KPU articles (`bench/evalset.py`), tuning half and held-back half apart;
- `tests/eval/summaries/articles.json` (real Indonesian news with human reference summaries).

For each set: quotes' speakers right / wrong / empty, leads that start with a dateline remnant,
and leads equal to the labelled lead; for the reference set also ROUGE-1/2/L F1 of `summary`
beside Lead-1/2/3 (the first N sentences of the body as given) with their mean length.

    .venv/bin/python bench/eval_summaries.py [--set tune|held|news|all] [--show]

Matching rules (written down so the figures can be checked by hand):
- A labelled quote is matched to a found quote by its opening words: both are reduced to
  lower-case word tokens, and the found quote must start with the label's tokens (the first
  found quote that does); failing that, the found quote that contains them. A labelled quote
  with no match counts as "not found" (and not as right).
- A found speaker is *right* when, reduced to lower-case words, it equals the label's speaker,
  or its words are a contiguous run of the label's words that the article itself writes
  ("Gogot" for "Gogot Cahyo Baskoro" when the body says "Gogot"). "right, full form" counts
  only exact equality. A label of null (no one can be named) is right only when we give none.
- *wrong*: we name someone who is not right (including naming anyone for a null label).
  *empty*: we name no one where the label names someone.
- A lead has a *dateline remnant* when its first sentence still holds what precedes the
  labelled lead (a prefix of up to 80 characters before the labelled lead's opening words),
  or opens with a dateline shape: a web address, a newsroom/desk word (Hupmas, Humas) or a
  short capitalised head closed by a dash or semicolon.
- A lead is *exact* when its first sentence equals the labelled lead up to whitespace.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import evalset
from digests.summary.extract import NoArticleError
from digests.summary.pipeline import ProcessedArticle, process_text
from digests.summary.quotes import locate_quotes
from digests.summary.summarise import summarise
from digests.text.sentences import split_sentences

EVAL_FILE = Path(__file__).resolve().parent.parent / "tests/eval/summaries/articles.json"
_TOKEN = re.compile(r"\w+")
_REMNANT = re.compile(
    r"^\W*(?:"
    r"[\w-]+(?:\.[\w-]+)+\b"  # a web address: kpu.go.id, Merdeka.com
    r"|(?i:hupmas|humas)\b"  # a desk
    r"|(?:[A-Z][\w.'’-]*,?\s+){0,4}[A-Z][\w.'’-]*(?:\s*\([^)]{1,40}\))?\s*(?:[-–—]+|;)\s"
    r")"
)


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


# --- ROUGE ---------------------------------------------------------------------------------


def _f1(overlap: int, produced: int, wanted: int) -> float:
    if not overlap or not produced or not wanted:
        return 0.0
    precision, recall = overlap / produced, overlap / wanted
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: list[str], reference: list[str], n: int) -> float:
    def grams(words: list[str]) -> dict[tuple[str, ...], int]:
        counts: dict[tuple[str, ...], int] = {}
        for i in range(len(words) - n + 1):
            gram = tuple(words[i : i + n])
            counts[gram] = counts.get(gram, 0) + 1
        return counts

    cand, ref = grams(candidate), grams(reference)
    overlap = sum(min(count, ref.get(gram, 0)) for gram, count in cand.items())
    return _f1(overlap, sum(cand.values()), sum(ref.values()))


def rouge_l(candidate: list[str], reference: list[str]) -> float:
    previous = [0] * (len(reference) + 1)
    for word in candidate:
        current = [0]
        for j, ref_word in enumerate(reference):
            current.append(
                previous[j] + 1 if word == ref_word else max(previous[j + 1], current[j])
            )
        previous = current
    return _f1(previous[-1], len(candidate), len(reference))


def scores(candidate: str, reference: str) -> tuple[float, float, float]:
    cand, ref = tokens(candidate), tokens(reference)
    return rouge_n(cand, ref, 1), rouge_n(cand, ref, 2), rouge_l(cand, ref)


def first_sentences(paragraphs: list[str], n: int) -> str:
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    return " ".join(sentences[:n])


def cut_to(text: str, length: int) -> str:
    """`text` cut at the last word boundary within `length` characters."""
    if len(text) <= length:
        return text
    cut = text[:length]
    return cut[: cut.rfind(" ")] if " " in cut else cut


# --- speakers and leads -------------------------------------------------------------------


@dataclass
class Tally:
    quotes: int = 0
    not_found: int = 0
    right: int = 0
    right_full: int = 0
    wrong: int = 0
    empty: int = 0
    null_right: int = 0
    articles: int = 0
    remnants: int = 0
    exact: int = 0
    leads: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def attributed(self) -> int:
        return self.right - self.null_right + self.wrong


def match_quote(opening: str, found: list) -> object | None:
    want = tokens(opening)
    if not want:
        return None
    for quote in found:
        if tokens(quote.text)[: len(want)] == want:
            return quote
    for quote in found:
        have = tokens(quote.text)
        if any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1)):
            return quote
    return None


def speaker_verdict(ours: str | None, label: str | None, article_text: str) -> str:
    """'right-full', 'right', 'wrong' or 'empty' by the rules in the module docstring."""
    if label is None:
        return "right-full" if ours is None else "wrong"
    if ours is None:
        return "empty"
    mine, theirs = tokens(ours), tokens(label)
    if mine == theirs:
        return "right-full"
    body = tokens(article_text)
    runs = [theirs[i : i + len(mine)] for i in range(len(theirs) - len(mine) + 1)]
    in_body = any(body[i : i + len(mine)] == mine for i in range(len(body) - len(mine) + 1))
    return "right" if mine in runs and in_body else "wrong"


def has_remnant(lead: str, labelled: str) -> bool:
    if not lead:
        return False
    lead = " ".join(lead.split())
    if labelled:
        opening = " ".join(labelled.split()[:6])
        at = lead.find(opening)
        if at == 0:
            return False
        if 0 < at <= 80:
            return True
    return _REMNANT.match(lead) is not None


def score_quotes(tally: Tally, ident: str, text: str, found: list, labels) -> None:
    for label in labels:
        tally.quotes += 1
        opening = label.get("opening") or label.get("starts") or ""
        accepted = label.get("speakers", [label.get("speaker")])  # the news set lists several
        accepted = [name for name in accepted if name is not None] or [None]
        match = match_quote(opening, found)
        wanted = accepted[0]
        if match is not None and match.speaker is not None:
            for name in accepted:
                if speaker_verdict(match.speaker, name, text).startswith("right"):
                    wanted = name
        if match is None:
            tally.not_found += 1
            tally.empty += wanted is not None
            tally.notes.append(f"  {ident}: quote {opening[:40]!r} not found")
            continue
        verdict = speaker_verdict(match.speaker, wanted, text)
        if verdict.startswith("right"):
            tally.right += 1
            tally.right_full += verdict == "right-full"
            tally.null_right += wanted is None
        else:
            setattr(tally, verdict, getattr(tally, verdict) + 1)
        if verdict != "right-full":
            tally.notes.append(
                f"  {ident}: {opening[:40]!r} -> {match.speaker!r}, label {wanted!r} ({verdict})"
            )


def score_lead(tally: Tally, ident: str, lead: list[str], labelled: str) -> None:
    tally.leads += 1
    first = lead[0] if lead else ""
    if has_remnant(first, labelled):
        tally.remnants += 1
        tally.notes.append(f"  {ident}: lead remnant: {first[:90]!r}")
    if " ".join(first.split()) == " ".join(labelled.split()):
        tally.exact += 1
    elif labelled:
        tally.notes.append(f"  {ident}: lead {first[:70]!r} vs label {labelled[:70]!r}")


def process_record(record: evalset.LabelledArticle) -> ProcessedArticle | None:
    """The labelled text as `summarize` reads a text file: title line, then paragraphs."""
    title, _, body = record.text.partition("\n")
    try:
        return process_text(body, title=title.strip() or None)
    except NoArticleError:
        return None


def report(name: str, tally: Tally, show: bool) -> None:
    attributed = max(1, tally.attributed)
    print(f"\n== {name}: {tally.articles} articles, {tally.quotes} labelled quotes")
    print(
        f"speakers right {tally.right} ({100 * tally.right / max(1, tally.quotes):.1f}% of quotes;"
        f" full form {tally.right_full}), wrong {tally.wrong}"
        f" ({100 * tally.wrong / attributed:.1f}% of {tally.attributed} attributed),"
        f" empty {tally.empty}; quotes not found {tally.not_found}"
    )
    print(
        f"leads with a dateline remnant {tally.remnants}/{tally.leads};"
        f" lead exact {tally.exact}/{tally.leads}"
    )
    if show:
        for line in tally.notes:
            print(line)


def evaluate_kpu(half: str, show: bool) -> None:
    tally = Tally()
    for record in evalset.load(half):
        processed = process_record(record)
        tally.articles += 1
        if processed is None:
            tally.notes.append(f"  {record.id}: no article")
            score_lead(tally, record.id, [], record.lead)
            continue
        found = locate_quotes(processed.text.split("\n\n"))
        score_quotes(tally, record.id, processed.text, found, record.quotes)
        score_lead(tally, record.id, processed.lead, record.lead)
    label = {"tune": "tuning half", "held": "HELD-BACK half"}.get(half, half)
    report(f"KPU labelled set, {label}", tally, show)


def evaluate_news(show: bool) -> None:
    articles = json.loads(EVAL_FILE.read_text(encoding="utf-8"))
    tally = Tally(articles=len(articles))
    for article in articles:
        text = "\n\n".join(article["paragraphs"])
        labels = [{"opening": q["starts"], "speakers": q["speakers"]} for q in article["quotes"]]
        score_quotes(tally, article["id"], text, locate_quotes(article["paragraphs"]), labels)
        if article.get("lead_starts"):
            lead = summarise(article["title"], article["paragraphs"]).lead
            ok = bool(lead) and lead[0].startswith(article["lead_starts"])
            tally.leads += 1
            tally.exact += ok
            if not ok:
                tally.remnants += has_remnant(lead[0] if lead else "", article["lead_starts"])
    report("tests/eval/summaries (news + KPU seeds; leads: starts where labelled)", tally, show)

    rated = [a for a in articles if a["reference"]]
    systems = {
        "summary (ours)": lambda a: " ".join(summarise(a["title"], a["paragraphs"]).summary),
        "lead (ours, digest)": lambda a: " ".join(summarise(a["title"], a["paragraphs"]).lead),
        "Lead-1": lambda a: first_sentences(a["paragraphs"], 1),
        "Lead-2": lambda a: first_sentences(a["paragraphs"], 2),
        "Lead-3": lambda a: first_sentences(a["paragraphs"], 3),
        # The body's opening cut to exactly our summary's length, article by article.
        "Lead, summary's length": lambda a: cut_to(
            first_sentences(a["paragraphs"], 10),
            len(" ".join(summarise(a["title"], a["paragraphs"]).summary)),
        ),
    }
    print(f"\nROUGE F1 x100 over {len(rated)} articles with a human reference summary")
    print(f"{'system':22} {'R-1':>6} {'R-2':>6} {'R-L':>6} {'mean chars':>11}")
    for name, system in systems.items():
        totals = [0.0, 0.0, 0.0]
        length = 0
        for article in rated:
            produced = system(article)
            length += len(produced)
            for i, value in enumerate(scores(produced, article["reference"])):
                totals[i] += value
        r1, r2, rl = (100 * t / len(rated) for t in totals)
        print(f"{name:22} {r1:6.1f} {r2:6.1f} {rl:6.1f} {length / len(rated):11.0f}")

    # Best of several rounds: the machine is shared, the minimum is the code's own cost.
    per_round = []
    for _ in range(5):
        started = time.perf_counter()
        for article in articles:
            summarise(article["title"], article["paragraphs"])
        per_round.append((time.perf_counter() - started) / len(articles))
    print(f"\nsummarise: {min(per_round) * 1000:.3f} ms per article")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["tune", "held", "news", "all"], default="all")
    parser.add_argument("--show", action="store_true", help="list every miss")
    args = parser.parse_args()
    if args.set in ("tune", "all"):
        evaluate_kpu("tune", args.show)
    if args.set in ("held", "all"):
        evaluate_kpu("held", show=False)  # never shown: the held-back texts are not for tuning
    if args.set in ("news", "all"):
        evaluate_news(args.show)


if __name__ == "__main__":
    main()
