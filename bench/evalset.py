"""The hand-labelled real KPU articles (tests/eval/kpu): records, texts and the fixed split."""

from __future__ import annotations

import hashlib
import json
import os
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
                text=text_path.read_text(encoding="utf-8"),
            )
