"""The hand-labelled real KPU articles (tests/eval/kpu): records, texts and the fixed split."""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS_DIR = ROOT / "tests" / "eval" / "kpu"
DEFAULT_TEXTS = ROOT.parent / "evaldata" / "kpu"


@dataclass(frozen=True)
class LabelledArticle:
    id: str
    url: str
    site: str
    region: str | None
    title: str
    divisions: tuple[str, ...]
    lead: str
    quotes: tuple[dict, ...]
    reasons: dict = field(default_factory=dict)
    text: str = ""

    @property
    def held_back(self) -> bool:
        return is_held_back(self.url)


def is_held_back(url: str) -> bool:
    """The split, fixed before tuning: odd first hex digit of sha1(url) → held back."""
    return int(hashlib.sha1(url.encode("utf-8")).hexdigest()[0], 16) % 2 == 1


def texts_dir() -> Path:
    return Path(os.environ.get("KPU_EVAL_TEXTS", DEFAULT_TEXTS))


def batches() -> str | None:
    """`KPU_EVAL_BATCHES=d` limits every script to labels-d.jsonl (letters; unset: all batches).

    Batch d was labelled after the rules and weights of batches a-c were tuned: on it the
    program is measured on articles it has never seen.
    """
    return os.environ.get("KPU_EVAL_BATCHES") or None


def load(half: str = "all") -> Iterator[LabelledArticle]:
    """Records with their texts; `half` is "tune", "held" or "all"; records without text skipped."""
    seen: set[str] = set()
    base = texts_dir()
    wanted = batches()
    for path in sorted(LABELS_DIR.glob("labels-*.jsonl")):
        if wanted and path.stem.removeprefix("labels-") not in wanted:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec["url"] in seen:
                continue
            seen.add(rec["url"])
            held = is_held_back(rec["url"])
            if (half == "tune" and held) or (half == "held" and not held):
                continue
            text_path = base / f"{rec['id']}.txt"
            if not text_path.exists():
                continue
            yield LabelledArticle(
                id=rec["id"],
                url=rec["url"],
                site=rec.get("site", ""),
                region=rec.get("region"),
                title=rec.get("title", ""),
                divisions=tuple(rec.get("divisions", [])),
                lead=rec.get("lead", ""),
                quotes=tuple(rec.get("quotes", [])),
                reasons=rec.get("reasons", {}),
                text=article_only(text_path.read_text(encoding="utf-8"), rec),
            )


# What ends the labelled article in a text copied from a listing page: the listing's read-more
# link, its "related news" box, or the next item's headline (a short capitalised line with no
# sentence end, followed by that item's paragraph).
_READ_MORE = re.compile(r"^(?:baca\s+)?selengkapnya\b|^read more\b|^berita terkait\b", re.I)
_SENTENCE_END = re.compile(r"[.!?:;\"”’)…]\s*$")
_NOT_HEADLINE = re.compile(r"^(?:baca juga|penulis|editor|foto|sumber)\b|:\s*\d", re.I)


def article_only(text: str, record: dict) -> str:
    """The text up to where the labelled article ends, as the crawler would read its page.

    Texts of listing pages run on into the next items (their headlines and first paragraphs):
    the labels are of the first article only, and a page of one article holds nothing after it.
    The text is kept whole when the cut would lose the labelled lead or a labelled quote.
    """
    title, _, body = text.partition("\n")
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    for index in range(1, len(paragraphs)):
        paragraph = paragraphs[index].strip()
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else ""
        if _READ_MORE.match(paragraph) or _is_next_headline(paragraph, following):
            kept = f"{title}\n\n" + "\n\n".join(paragraphs[:index]) + "\n"
            return kept if _keeps_labels(kept, record) else text
    return text


def _is_next_headline(paragraph: str, following: str) -> bool:
    words = paragraph.split()
    return (
        3 <= len(words) <= 25
        and paragraph[0].isupper()
        and not _SENTENCE_END.search(paragraph)
        and "=" not in paragraph
        and not _NOT_HEADLINE.search(paragraph)
        and len(following.split()) >= 20
    )


def _keeps_labels(text: str, record: dict) -> bool:
    have = _plain(text)
    wanted = [record.get("lead") or ""] + [q.get("opening") or "" for q in record.get("quotes", [])]
    return all(_plain(w)[:40] in have for w in wanted if w)


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[“”„‟″\"]", '"', text)
    text = re.sub(r"[‘’‚‛′'`]", "'", text)
    return re.sub(r"\s+", " ", text).strip().lower()
