"""`/summary` (`/ringkas`): a summary on the spot of a link or of pasted text.

Thin on purpose: find what to summarise in the message, ask the core
(`digests.service.summarise_url` / `summarise_text`), and word the outcome with `digests.texts`.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.catalog import division_short_names, fallback_division
from bot.context import BotDeps, deps
from bot.handlers.common import reply_blocks
from digests import service, texts
from digests.delivery.entries import DigestEntry, best_quote
from digests.delivery.render import render_article
from digests.summary.pipeline import ProcessedArticle

_URL_LIKE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|www\.)\S+$", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+", re.IGNORECASE)


def summary_input(message: Message, args: list[str]) -> tuple[str | None, str | None]:
    """(url, pasted text) from the command's arguments or the message it replies to."""
    if args:
        joined = " ".join(args).strip()
        if len(args) == 1 and _URL_LIKE.match(args[0]):
            return args[0], None
        # The text after the command as typed: its line breaks separate title and paragraphs.
        typed = (message.text or "").split(maxsplit=1)
        return None, (typed[1].strip() if len(typed) > 1 else "") or joined
    replied = message.reply_to_message
    if replied is None:
        return None, None
    content = (replied.text or replied.caption or "").strip()
    for entity, value in replied.parse_entities(["url", "text_link"]).items():
        return (entity.url or value), None
    found = _URL_IN_TEXT.search(content)
    if found and len(content.split()) <= 3:
        return found.group(0), None
    return None, content or None


async def summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = update.effective_message
    assert message is not None
    url, pasted = summary_input(message, context.args or [])
    if url is None and pasted is None:
        await message.reply_text(texts.SUMMARY_USAGE)
        return
    await reply_summary(d, message, url, pasted)


async def reply_summary(d: BotDeps, message: Message, url: str | None, pasted: str | None) -> None:
    """What /ringkas answers for a URL or pasted text (also the pasted link's button)."""
    if url is not None:
        done = await service.summarise_url(url, d.settings, db=d.db)
    else:
        done = await service.summarise_text(pasted or "")
    if done.failure is not None:
        await message.reply_text(texts.summary_fetch_failed(done.failure))
        return
    if done.article is None or not done.article.lead:
        await message.reply_text(texts.SUMMARY_FAILED)
        return
    await reply_blocks(message, [render_summary(done.article, url, d.settings.tz)])


def render_summary(article: ProcessedArticle, url: str | None, tz: tzinfo) -> str:
    """A summary made on request, with the divisions it would be filed under."""
    entry = DigestEntry(
        title=article.title or url or texts.SUMMARY_UNTITLED,
        url=article.url or url or "",
        published=article.published,
        lead=tuple(article.summary or article.lead),  # /summary shows the fuller summary
        quote=best_quote(article.quotes),
        divisions=tuple(article.divisions),
    )
    if entry.url:
        body = render_article(entry, tz)
    else:  # pasted text has nothing to link to
        lines = [f"<b>{texts.esc(entry.title)}</b>", texts.esc(" ".join(entry.lead))]
        if entry.quote is not None:
            speaker = f" — {entry.quote.speaker}" if entry.quote.speaker else ""
            lines.append(f"<i>{texts.esc(f'“{entry.quote.short_text}”{speaker}')}</i>")
        body = "\n".join(lines)
    divisions = article.divisions or [fallback_division()]
    return body + "\n" + texts.summary_divisions(division_short_names(divisions))
