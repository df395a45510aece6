"""Score division tagging against the hand-labelled set in tests/eval/divisions.

    .venv/bin/python bench/eval_divisions.py [--verbose] [--dir PATH]

Prints per-slug and micro precision/recall/F1, and with --verbose every text whose tags differ
from its labels, with the scores that led there.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digests.classify import classify, score  # noqa: E402
from digests.divisions import load_divisions  # noqa: E402

EVAL_DIR = ROOT / "tests" / "eval" / "divisions"


@dataclass(slots=True)
class LabelledText:
    """One article of the eval set: header fields, hand labels and body paragraphs."""

    name: str
    title: str
    labels: list[str]
    source: str
    paragraphs: list[str]
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def read_labelled(path: Path) -> LabelledText:
    header, sep, body = path.read_text(encoding="utf-8").partition("\n---\n")
    if not sep:
        raise ValueError(f"{path}: no '---' line between header and body")
    fields = {}
    for line in header.splitlines():
        key, colon, value = line.partition(":")
        if colon:
            fields[key.strip()] = value.strip()
    labels = [s.strip() for s in fields.get("labels", "").split(",") if s.strip()]
    if not labels or "title" not in fields:
        raise ValueError(f"{path}: needs 'title:' and 'labels:'")
    paragraphs = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    return LabelledText(
        path.stem, fields["title"], labels, fields.get("source", ""), paragraphs, fields
    )


def load_eval_set(directory: Path = EVAL_DIR) -> list[LabelledText]:
    return [read_labelled(p) for p in sorted(directory.glob("*.txt"))]


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int


def evaluate(items: list[LabelledText]) -> tuple[dict[str, Scores], Scores]:
    """Per-slug and micro-averaged precision/recall/F1 of classify() on `items`."""
    catalog = load_divisions()
    tp, fp, fn = Counter(), Counter(), Counter()
    for item in items:
        predicted = set(classify(item.title, item.text, catalog))
        gold = set(item.labels)
        for slug in predicted & gold:
            tp[slug] += 1
        for slug in predicted - gold:
            fp[slug] += 1
        for slug in gold - predicted:
            fn[slug] += 1
    per_slug = {
        slug: _scores(tp[slug], fp[slug], fn[slug], tp[slug] + fn[slug]) for slug in catalog.slugs
    }
    micro = _scores(
        sum(tp.values()), sum(fp.values()), sum(fn.values()), sum(tp.values()) + sum(fn.values())
    )
    return per_slug, micro


def _scores(tp: int, fp: int, fn: int, support: int) -> Scores:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, support)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=EVAL_DIR)
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    items = load_eval_set(args.dir)
    catalog = load_divisions()
    kinds = Counter(item.source.split()[0] if item.source else "?" for item in items)
    print(f"{len(items)} labelled texts ({', '.join(f'{n} {k}' for k, n in kinds.items())})")

    per_slug, micro = evaluate(items)
    print(f"{'slug':<12} {'P':>5} {'R':>5} {'F1':>5} {'n':>3}")
    for slug, s in per_slug.items():
        print(f"{slug:<12} {s.precision:5.2f} {s.recall:5.2f} {s.f1:5.2f} {s.support:3d}")
    m = micro
    print(f"{'micro':<12} {m.precision:5.2f} {m.recall:5.2f} {m.f1:5.2f} {m.support:3d}")

    started = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for item in items:
            classify(item.title, item.text, catalog)
    per_article_ms = (time.perf_counter() - started) * 1000 / (rounds * len(items))
    print(f"classify: {per_article_ms:.3f} ms per article")

    if args.verbose:
        for item in items:
            predicted = classify(item.title, item.text, catalog)
            if set(predicted) != set(item.labels):
                ranked = sorted(
                    score(item.title, item.text, catalog).items(), key=lambda kv: -kv[1]
                )
                shown = ", ".join(f"{slug} {value:.1f}" for slug, value in ranked)
                print(f"- {item.name}: labels {item.labels} got {predicted} [{shown}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
