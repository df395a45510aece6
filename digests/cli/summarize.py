"""`kpu-digest summarize PATH_OR_URL… [--json]`: many inputs, one process, a line per failure."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TextIO

from digests import texts
from digests.collect.documents import InputError, decode_text, read_path
from digests.summary.extract import NoArticleError
from digests.summary.pipeline import ProcessedArticle, process_html, process_text
from digests.summary.regions import region_for_input


def summarize_inputs(inputs: list[str], *, as_json: bool, out: TextIO, err: TextIO) -> int:
    """Summarise every input; return 0 when all succeeded, 1 when any failed."""
    failures = 0
    for name in inputs:
        try:
            article = read_article(name, err)
        except (InputError, NoArticleError) as exc:
            failures += 1
            print(f"{name}: {exc}", file=err)
            continue
        if as_json:
            out.write(json.dumps(_as_json(name, article), ensure_ascii=False) + "\n")
        else:
            out.write(_as_text(name, article) + "\n")
        out.flush()
    return 1 if failures else 0


def read_article(name: str, err: TextIO) -> ProcessedArticle:
    """One input summarised and tagged: a URL through `service.summarise_url`, else a file
    (`.html`/`.htm` extracted, anything else plain text). Raises `InputError`, `NoArticleError`."""
    if name.startswith(("http://", "https://")):
        return asyncio.run(_summarise_url(name))
    document = read_path(Path(name))
    if document.is_html:
        return process_html(document.content, url=document.name)
    text, replaced = decode_text(document.content)
    if replaced:
        print(f"{document.name}: warning: invalid UTF-8 bytes were replaced", file=err)
    return process_text(text)


async def _summarise_url(url: str) -> ProcessedArticle:
    from digests import service
    from digests.config import Settings

    # The operator named this URL: its origin is trusted as configuration is.
    done = await service.summarise_url(url, Settings(), trust_the_url=True)
    if done.failure is not None:
        raise InputError(texts.fetch_problem(done.failure))
    if done.no_article is not None:
        raise done.no_article
    assert done.article is not None
    return done.article


def _as_json(name: str, article: ProcessedArticle) -> dict[str, object]:
    return {
        "input": name,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "lead": article.lead,
        "summary": article.summary,
        "quotes": [{"text": q.text, "speaker": q.speaker} for q in article.quotes],
        "divisions": article.divisions,
        "region": region_for_input(name, article.title, article.text),
    }


def _as_text(name: str, article: ProcessedArticle) -> str:
    lines = [f"== {name}", article.title]
    if article.published:
        lines.append(article.published.date().isoformat())
    lines.append(f"{texts.CONSOLE_DIVISIONS}: " + ", ".join(article.divisions))
    lines.append("")
    lines.extend(article.summary or article.lead)
    for quote in article.quotes:
        speaker = f" — {quote.speaker}" if quote.speaker else ""
        lines.append(f"“{quote.text}”{speaker}")
    return "\n".join(lines)


def main(inputs: list[str], as_json: bool) -> int:
    return summarize_inputs(inputs, as_json=as_json, out=sys.stdout, err=sys.stderr)
