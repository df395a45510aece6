"""Score division tagging on hand-labelled real KPU articles and on the older set.

    .venv/bin/python bench/eval_divisions.py [--half tune|held|old|all] [--verbose]

For the tuning half and the held-back half of tests/eval/kpu (bench/evalset.py's fixed split;
texts in $KPU_EVAL_TEXTS) and the older tests/eval/divisions set, prints micro
precision/recall/F1, the per-division table and the most frequent confusion pairs
(gold → predicted). `--verbose` lists the mistakes with their scores, on the tuning half and the
older set only: the held-back half is for measuring, never for reading while tuning.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import evalset  # noqa: E402
from digests.summary.classify import classify, score  # noqa: E402
from digests.summary.divisions import DivisionCatalog, load_divisions  # noqa: E402

EVAL_DIR = ROOT / "tests" / "eval" / "divisions"
NONE = "—"  # a side of a confusion pair with no division: a miss or an extra tag


@dataclass(slots=True)
class LabelledText:
    """One article of an eval set: header fields, hand labels and body paragraphs."""

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


def load_kpu_half(half: str) -> list[LabelledText]:
    """The real KPU articles of one half ("tune" or "held"); a text file is title, blank, body."""
    items = []
    for article in evalset.load(half):
        first, _, body = article.text.partition("\n\n")
        title = article.title or first.strip()
        paragraphs = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
        items.append(
            LabelledText(article.id, title, list(article.divisions), article.url, paragraphs)
        )
    return items


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int


def evaluate(
    items: Iterable[LabelledText], catalog: DivisionCatalog | None = None
) -> tuple[dict[str, Scores], Scores]:
    """Per-slug and micro-averaged precision/recall/F1 of classify() on `items`."""
    catalog = catalog or load_divisions()
    pairs = [(set(item.labels), set(classify(item.title, item.text, catalog))) for item in items]
    return tally(pairs, catalog.slugs)


def tally(pairs: list[tuple[set[str], set[str]]], slugs: list[str]) -> tuple[dict, Scores]:
    """Scores from (gold, predicted) label sets."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for gold, predicted in pairs:
        for slug in predicted & gold:
            tp[slug] += 1
        for slug in predicted - gold:
            fp[slug] += 1
        for slug in gold - predicted:
            fn[slug] += 1
    per_slug = {slug: _scores(tp[slug], fp[slug], fn[slug], tp[slug] + fn[slug]) for slug in slugs}
    micro = _scores(
        sum(tp.values()), sum(fp.values()), sum(fn.values()), sum(tp.values()) + sum(fn.values())
    )
    return per_slug, micro


def confusions(items: list[LabelledText], catalog: DivisionCatalog) -> Counter[tuple[str, str]]:
    """(gold, predicted) pairs of the mistakes: each missed label against each wrong tag."""
    pairs: Counter[tuple[str, str]] = Counter()
    for item in items:
        gold, predicted = set(item.labels), set(classify(item.title, item.text, catalog))
        missed, extra = sorted(gold - predicted) or [NONE], sorted(predicted - gold) or [NONE]
        if gold == predicted:
            continue
        for g in missed:
            for p in extra:
                pairs[(g, p)] += 1
    return pairs


def _scores(tp: int, fp: int, fn: int, support: int) -> Scores:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, support)


def report(name: str, items: list[LabelledText], catalog: DivisionCatalog, top: int = 8) -> str:
    """The table for one set, as printed and as pasted into the README."""
    if not items:
        return f"## {name}: no texts found"
    per_slug, m = evaluate(items, catalog)
    lines = [
        f"## {name}: {len(items)} articles",
        "",
        "| division | P | R | F1 | n |",
        "|---|---|---|---|---|",
    ]
    for slug, s in per_slug.items():
        if s.support or s.precision:
            lines.append(
                f"| {slug} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} | {s.support} |"
            )
        else:
            lines.append(f"| {slug} | – | – | – | {s.support} |")
    lines.append(
        f"| **micro** | **{m.precision:.2f}** | **{m.recall:.2f}** | **{m.f1:.2f}** | {m.support} |"
    )
    pairs = confusions(items, catalog).most_common(top)
    if pairs:
        shown = ", ".join(f"{g} → {p} ({n})" for (g, p), n in pairs)
        lines += ["", f"Confusions (gold → predicted; {NONE} = none): {shown}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["tune", "held", "old", "all"], default="all")
    parser.add_argument("--dir", type=Path, default=EVAL_DIR, help="the older labelled set")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    catalog = load_divisions()
    sets: list[tuple[str, list[LabelledText]]] = []
    if args.half in ("tune", "all"):
        sets.append(("tuning half (tests/eval/kpu)", load_kpu_half("tune")))
    if args.half in ("held", "all"):
        sets.append(("held-back half (tests/eval/kpu)", load_kpu_half("held")))
    if args.half in ("old", "all"):
        sets.append(("older set (tests/eval/divisions, for reference)", load_eval_set(args.dir)))
    for name, items in sets:
        print(report(name, items, catalog))
        print()

    everything = [item for _, items in sets for item in items]
    if everything:
        started = time.perf_counter()
        rounds = 20
        for _ in range(rounds):
            for item in everything:
                classify(item.title, item.text, catalog)
        per_article_ms = (time.perf_counter() - started) * 1000 / (rounds * len(everything))
        print(f"classify: {per_article_ms:.3f} ms per article")

    if args.verbose:
        for name, items in sets:
            if name.startswith("held"):
                continue
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
