"""Score extraction on real Indonesian news pages: titles, first paragraphs, clean leads, body.

The pages are the 37 files of `../shared/realhtml/` (33 saved news pages and 4 KPU RI article
bodies), read from there at run time and never committed; their labels are
`tests/eval/realhtml/labels.toml` (titles and lead openings, checked by reading each page) and
the folder's `truth.json` (what each source project's scraper expects as the body).

    .venv/bin/python bench/eval_extraction.py [--dir PATH] [--show]

Prints, over every page:
- titles exact: the extracted title equals the label once whitespace is collapsed (a KPU RI
  fragment has no title in it: its label is "" and it is exact only when we find none);
- first paragraph found: the label's lead opening appears anywhere in the extracted body;
- leads clean: the extracted body's first paragraph starts with the lead opening, or with a
  dateline and then the opening (a short head, no sentence end and no clock time before it),
  so a date line, a photo caption or a menu in front of the news fails;
- body token recall / precision: lower-case word tokens of the extracted body against the
  truth body (multiset overlap), micro-averaged over the pages. The truth bodies are other
  scrapers' outputs (some keep datelines and captions, some run paragraphs together), so these
  two figures compare, they do not grade.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digests.model import ExtractedArticle
from digests.summary.extract import NoArticleError, extract_article

ROOT = Path(__file__).resolve().parent.parent
PAGES_DIR = ROOT.parent / "shared" / "realhtml"
LABELS_FILE = ROOT / "tests" / "eval" / "realhtml" / "labels.toml"

_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?][\"”’]?\s+[A-Z]")
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}\b|\bWI[BT]A?\b")
MAX_DATELINE = 70


@dataclass(frozen=True)
class PageLabel:
    name: str
    title: str
    lead: str
    truth_body: str


@dataclass(frozen=True)
class PageScore:
    name: str
    title: str | None
    first_paragraph: str | None
    title_exact: bool
    first_found: bool
    lead_clean: bool
    overlap: int
    extracted_tokens: int
    truth_tokens: int
    error: str | None = None


def normalise(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def load_labels(pages_dir: Path = PAGES_DIR) -> list[PageLabel]:
    """The labelled pages whose HTML is present in `pages_dir` (none when it is absent)."""
    truth_file = pages_dir / "truth.json"
    if not truth_file.is_file():
        return []
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    labels = tomllib.loads(LABELS_FILE.read_text(encoding="utf-8"))
    return [
        PageLabel(name, label["title"], label["lead"], truth.get(name, {}).get("body") or "")
        for name, label in sorted(labels.items())
        if (pages_dir / name).is_file()
    ]


def lead_is_clean(first_paragraph: str, lead: str) -> bool:
    """The paragraph opens with the lead, or with a short dateline and then the lead."""
    paragraph, lead = normalise(first_paragraph), normalise(lead)
    at = paragraph.find(lead)
    if at < 0 or at > MAX_DATELINE:
        return False
    head = paragraph[:at]
    return not _SENTENCE_END.search(head) and not _CLOCK.search(head)


def score_page(label: PageLabel, article: ExtractedArticle | None, error: str | None = None):
    """One page's figures; `article` None when extraction refused the page."""
    truth_tokens = Counter(_TOKEN.findall(label.truth_body.casefold()))
    if article is None:
        return PageScore(
            label.name, None, None, label.title == "", False, False, 0, 0,
            sum(truth_tokens.values()), error,
        )  # fmt: skip
    body = "\n".join(article.paragraphs)
    found = Counter(_TOKEN.findall(body.casefold()))
    first = article.paragraphs[0] if article.paragraphs else ""
    return PageScore(
        name=label.name,
        title=article.title,
        first_paragraph=first,
        title_exact=normalise(article.title) == normalise(label.title),
        first_found=normalise(label.lead) in normalise(body),
        lead_clean=lead_is_clean(first, label.lead),
        overlap=sum((found & truth_tokens).values()),
        extracted_tokens=sum(found.values()),
        truth_tokens=sum(truth_tokens.values()),
    )


def evaluate(pages_dir: Path = PAGES_DIR) -> list[PageScore]:
    scores = []
    for label in load_labels(pages_dir):
        try:
            article = extract_article((pages_dir / label.name).read_bytes())
        except NoArticleError as exc:
            scores.append(score_page(label, None, str(exc)))
            continue
        scores.append(score_page(label, article))
    return scores


def report(scores: list[PageScore], show: bool = False) -> str:
    n = len(scores)
    overlap = sum(s.overlap for s in scores)
    extracted = sum(s.extracted_tokens for s in scores)
    truth = sum(s.truth_tokens for s in scores)
    titled = [s for s in scores if not s.name.startswith("kpuri-fragment")]
    lines = [
        f"pages: {n} ({len(titled)} whole pages, {n - len(titled)} KPU RI body fragments)",
        f"titles exact:          {sum(s.title_exact for s in scores)}/{n}"
        f"  (whole pages {sum(s.title_exact for s in titled)}/{len(titled)})",
        f"first paragraph found: {sum(s.first_found for s in scores)}/{n}",
        f"leads clean:           {sum(s.lead_clean for s in scores)}/{n}",
        f"body token recall:     {overlap / truth:.3f}" if truth else "body token recall: -",
        f"body token precision:  {overlap / extracted:.3f}"
        if extracted
        else "body token precision: -",
    ]
    for s in scores:
        misses = [
            what
            for what, ok in (
                ("title", s.title_exact),
                ("first", s.first_found),
                ("lead", s.lead_clean),
            )
            if not ok
        ]
        if show or misses:
            lines.append(f"  {s.name}: {'ok' if not misses else 'MISS ' + ','.join(misses)}")
            if s.error:
                lines.append(f"      error: {s.error}")
            if "title" in misses or show:
                lines.append(f"      title: {s.title!r}")
            if "lead" in misses or show:
                lines.append(f"      first: {(s.first_paragraph or '')[:140]!r}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=PAGES_DIR, help="the real pages' folder")
    parser.add_argument("--show", action="store_true", help="every page, not only the misses")
    args = parser.parse_args()
    if not (args.dir / "truth.json").is_file():
        print(f"skipped: no real pages in {args.dir}")
        return 0
    started = time.perf_counter()
    scores = evaluate(args.dir)
    print(report(scores, args.show))
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
