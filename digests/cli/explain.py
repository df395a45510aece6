"""`kpu-digest explain PATH_OR_URL`: why an article got its divisions.

Prints each division's score and the words behind it (weight, hits in the title and the body,
"Divisi X" mentions and older combined names), the threshold and the result, so an operator can
see a wrong tag's cause and fix digests/data/divisions.toml. Inputs are read exactly as
`kpu-digest summarize` reads them (same file rules, same URL trust rule).
"""

from __future__ import annotations

import sys
from typing import TextIO

# The same loading and extraction as `summarize`, so both commands see the same article.
from digests.cli.summarize import read_article
from digests.collect.documents import InputError
from digests.summary.classify import KEYWORD, MENTION, Evidence, Tagging, explain
from digests.summary.divisions import DivisionCatalog, load_divisions
from digests.summary.extract import NoArticleError
from digests.summary.pipeline import ProcessedArticle


def explain_input(name: str, *, out: TextIO, err: TextIO) -> int:
    """Print the breakdown for one input; 0 on success, 1 when it cannot be read."""
    try:
        article = read_article(name, err)
    except (InputError, NoArticleError) as exc:
        print(f"{name}: {exc}", file=err)
        return 1
    catalog = load_divisions()
    out.write(render(name, article, explain(article.title, article.text, catalog), catalog))
    return 0


def render(name: str, article: ProcessedArticle, tagging: Tagging, catalog: DivisionCatalog) -> str:
    s = catalog.settings
    best = max(tagging.scores.values(), default=0.0)
    limit = f", at most {s.max_divisions}" if s.max_divisions else ""
    lines = [
        f"== {name}",
        f"title: {article.title}",
        f"result: {', '.join(tagging.divisions)}",
        f"threshold {s.threshold:g}; needed {tagging.floor:.2f} = max(threshold, "
        f"relative_cutoff {s.relative_cutoff:g} × best {best:.2f}){limit}",
        "",
    ]
    by_division: dict[str, list[Evidence]] = {}
    for item in tagging.evidence:
        by_division.setdefault(item.division, []).append(item)
    silent = []
    ranked = sorted(catalog.slugs, key=lambda slug: -tagging.scores.get(slug, 0.0))
    for slug in ranked:
        reasons = by_division.get(slug, [])
        if not reasons:
            if slug != s.fallback:
                silent.append(slug)
            continue
        value = tagging.scores.get(slug, 0.0)
        mark = "TAGGED" if slug in tagging.divisions else "below"
        lines.append(f"{slug} — {catalog.name(slug)}: {value:.2f} {mark}")
        spelled = {k.casefold(): k for k in catalog.get(slug).keywords}  # type: ignore[union-attr]
        for item in sorted(reasons, key=lambda e: -e.points):
            lines.append("  " + _reason(item, spelled.get(item.term, item.term)))
    if silent:
        lines.append(f"no evidence: {', '.join(silent)}")
    if tagging.divisions == [s.fallback]:
        lines.append(f"nothing reached the threshold: {s.fallback}")
    return "\n".join(lines) + "\n"


def _reason(item: Evidence, term: str) -> str:
    if item.kind == KEYWORD:
        where = ", ".join(
            part
            for part in (
                f"title ×{item.title_hits}" if item.title_hits else "",
                f"body ×{item.body_hits}" if item.body_hits else "",
                f"of them lead ×{item.lead_hits}" if item.lead_hits else "",
            )
            if part
        )
        what = f'"{term}" ({where})'
    elif item.kind == MENTION:
        what = f'mention "Divisi {item.term}" ×{item.body_hits}'
    else:
        what = f'old name "Divisi {item.term}" ×{item.body_hits} (the part this article is about)'
    return f"{item.points:+7.2f}  {what}: weight {item.weight:g} × {item.counted:g}"


def main(name: str) -> int:
    return explain_input(name, out=sys.stdout, err=sys.stderr)
