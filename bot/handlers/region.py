"""The region scope (PRODUCT.md "Regions"): `/region` `/wilayah` and its paged picker.

A scope is stored as `["semua"]` (everything), `["nasional"]` (KPU RI only) or `["nasional",
<province>…]`: a province always comes with KPU RI. The picker follows the division picker
(bot/handlers/picker.py): ✅ toggles edited in place, a bottom row of whole choices, answers last.
Callback data is `reg:t:<slug>:<page>` (toggle), `reg:p:<page>` (turn the page),
`reg:all:<page>`, `reg:nas:<page>` and `reg:done` (`reg:fin` in /start's step 2, which ends
with when the first digest comes); anything else under `reg:` is stale or forged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.catalog import division_short_names
from bot.context import deps
from bot.handlers.common import first_delivery_phrase, register
from digests import texts
from digests.scope import NASIONAL, SCOPE_ALL, scope_everywhere, scope_provinces
from digests.store import subscribers
from digests.summary.regions import normalise_region, province, provinces

log = logging.getLogger(__name__)

PREFIX = "reg:"
PATTERN = r"^reg:"
PER_PAGE = 10  # 38 provinces: four pages, each a thumb's reach
# Two provinces share a row only when both names fit half a phone's width ("Jawa Timur");
# "Kepulauan Bangka Belitung" or "Nusa Tenggara Timur" get a row of their own, uncut.
HALF_ROW_CHARS = 14
TOGGLE, PAGE, ALL, NATIONAL, DONE, FINISH = "t", "p", "all", "nas", "done", "fin"
_ALL_WORDS = frozenset({SCOPE_ALL, "all"})
_MAX_NAME_WORDS = 4  # "kepulauan bangka belitung" typed with spaces


def page_count() -> int:
    return -(-len(provinces()) // PER_PAGE)


def canonical(regions: Sequence[str]) -> list[str]:
    """The stored form of a scope: `semua` alone, or `nasional` then provinces in code order."""
    if scope_everywhere(regions):
        return [SCOPE_ALL]
    chosen = scope_provinces(regions)
    return [NASIONAL, *(p.slug for p in provinces() if p.slug in chosen)]


def describe(regions: Sequence[str] | None) -> str:
    """ "Semua", "KPU RI saja" or "KPU RI + Jawa Timur, DI Yogyakarta" for a stored scope."""
    if scope_everywhere(regions):
        return texts.scope_label(None)
    names = [p.name for slug in canonical(regions or ()) if (p := province(slug)) is not None]
    return texts.scope_label(names)


def parse_scope(args: Sequence[str]) -> tuple[list[str] | None, list[str]]:
    """(scope, unknown words) from `/wilayah` arguments: `jatim, jawa tengah`, `nasional`, `semua`.

    Words separated by spaces may form one name ("jawa timur"): the longest run that names a
    province wins. The scope is None when nothing was recognised.
    """
    text = " ".join(args)
    found: list[str] = []
    unknown: list[tuple[int, int]] = []  # spans of `text`: echoed back exactly as typed
    run_open = False  # the last word looked at was unknown: the next unknown one extends it
    for piece in re.finditer(r"[^,;]+", text):
        spans = [
            (piece.start() + w.start(), piece.start() + w.end(), word)
            for w in re.finditer(r"\S+", piece.group(0))
            if (word := w.group(0).strip("#").lower())
        ]
        i = 0
        while i < len(spans):
            for n in range(min(_MAX_NAME_WORDS, len(spans) - i), 0, -1):
                phrase = " ".join(word for _, _, word in spans[i : i + n])
                slug = SCOPE_ALL if phrase in _ALL_WORDS else normalise_region(phrase)
                if slug is not None:
                    found.append(slug)
                    run_open = False
                    i += n
                    break
            else:
                start, end, _ = spans[i]
                if run_open:
                    start = unknown.pop()[0]
                unknown.append((start, end))
                run_open = True
                i += 1
    return (canonical(found) if found else None), [text[a:b] for a, b in unknown]


def keyboard(
    regions: Sequence[str], page: int, *, onboarding: bool = False
) -> InlineKeyboardMarkup:
    """One page of provinces (✅ on those in scope), the page turner, and the whole choices;
    `onboarding`: /start's step 2, whose Selesai ends the onboarding."""
    page = max(0, min(page, page_count() - 1))
    chosen = scope_provinces(regions) if not scope_everywhere(regions) else frozenset()
    shown = provinces()[page * PER_PAGE : (page + 1) * PER_PAGE]
    buttons = [
        InlineKeyboardButton(
            ("✅ " if p.slug in chosen else "▫️ ") + p.name,
            callback_data=f"{PREFIX}{TOGGLE}:{p.slug}:{page}",
        )
        for p in shown
    ]
    rows: list[list[InlineKeyboardButton]] = []
    open_row = False  # the last row holds one short name and has room for another
    for p, button in zip(shown, buttons, strict=True):
        short = len(p.name) <= HALF_ROW_CHARS
        if short and open_row:
            rows[-1].append(button)
            open_row = False
        else:
            rows.append([button])
            open_row = short
    last = page_count() - 1
    rows.append(
        [
            InlineKeyboardButton(
                texts.REGION_PREV_BUTTON, callback_data=f"{PREFIX}{PAGE}:{max(page - 1, 0)}"
            ),
            InlineKeyboardButton(
                texts.region_page(page, page_count()), callback_data=f"{PREFIX}{PAGE}:{page}"
            ),
            InlineKeyboardButton(
                texts.REGION_NEXT_BUTTON, callback_data=f"{PREFIX}{PAGE}:{min(page + 1, last)}"
            ),
        ]
    )
    everywhere = scope_everywhere(regions)
    national_only = not everywhere and not chosen
    rows.append(
        [
            InlineKeyboardButton(
                ("✅ " if everywhere else "") + texts.PICKER_ALL_BUTTON,
                callback_data=f"{PREFIX}{ALL}:{page}",
            ),
            InlineKeyboardButton(
                ("✅ " if national_only else "") + texts.REGION_NATIONAL_BUTTON,
                callback_data=f"{PREFIX}{NATIONAL}:{page}",
            ),
        ]
    )
    done = PREFIX + (FINISH if onboarding else DONE)
    rows.append([InlineKeyboardButton(texts.PICKER_DONE_BUTTON, callback_data=done)])
    return InlineKeyboardMarkup(rows)


def _onboarding(query: object) -> bool:
    """Whether the pressed picker is /start's step 2 (its Selesai finishes the onboarding)."""
    message = getattr(query, "message", None)
    markup = getattr(message, "reply_markup", None)
    rows = getattr(markup, "inline_keyboard", ()) or ()
    return any(button.callback_data == PREFIX + FINISH for row in rows for button in row)


def _message(update: Update) -> Message:
    assert update.effective_message is not None
    return update.effective_message


async def region_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/wilayah jatim` sets the scope; `/wilayah` alone shows the picker."""
    d = deps(context)
    message = _message(update)
    scope, unknown = parse_scope(context.args or [])
    if unknown:
        await message.reply_text(texts.unknown_regions(unknown))
        return
    subscriber = await register(d, update)
    if scope is None:
        await message.reply_text(
            texts.region_picker(describe(subscriber.regions)),
            reply_markup=keyboard(subscriber.regions, 0),
        )
        return
    updated = await subscribers.set_regions(d.db, subscriber.chat_id, lambda _: scope)
    assert updated is not None
    await message.reply_text(texts.region_set(describe(updated.regions)))


def _parse_press(data: str) -> tuple[str, str | None, int] | None:
    """(action, province slug, page) of a well-formed button; None for anything else."""
    parts = data.removeprefix(PREFIX).split(":") if data.startswith(PREFIX) else []
    if parts in ([DONE], [FINISH]):
        return parts[0], None, 0
    if len(parts) == 3 and parts[0] == TOGGLE and province(parts[1]) is not None:
        action, slug, page_text = parts
    elif len(parts) == 2 and parts[0] in (PAGE, ALL, NATIONAL):
        action, slug, page_text = parts[0], None, parts[1]
    else:
        return None
    if not (page_text.isascii() and page_text.isdigit()) or int(page_text) >= page_count():
        return None
    return action, slug, int(page_text)


def _change(action: str, slug: str | None, current: list[str]) -> list[str]:
    if action == ALL:
        return [SCOPE_ALL]
    if action == NATIONAL:
        return [NASIONAL]
    if action == TOGGLE and slug is not None:
        chosen = set() if scope_everywhere(current) else set(scope_provinces(current))
        chosen ^= {slug}
        return canonical([NASIONAL, *chosen])
    return current  # turning the page changes nothing


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or update.effective_chat is None:
        return
    parsed = _parse_press(query.data or "")
    if parsed is None:
        log.info("stale or forged region button %r", query.data)
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    action, slug, page = parsed
    d = deps(context)
    chat_id = update.effective_chat.id
    if action in (DONE, FINISH):
        subscriber = await subscribers.get(d.db, chat_id)
        if subscriber is None:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        if action == FINISH:
            text = texts.onboarding_done(
                division_short_names(subscriber.divisions),
                describe(subscriber.regions),
                first_delivery_phrase(d.settings, subscriber),
            )
        else:
            text = texts.region_set(describe(subscriber.regions))
        await query.edit_message_text(text, reply_markup=None)
        await query.answer()
        return
    updated = await subscribers.set_regions(
        d.db, chat_id, lambda current: _change(action, slug, current)
    )
    if updated is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    try:
        await query.edit_message_text(
            texts.REGION_STEP
            if _onboarding(query)
            else texts.region_picker(describe(updated.regions)),
            reply_markup=keyboard(updated.regions, page, onboarding=_onboarding(query)),
        )
    except BadRequest as exc:
        # The page indicator, or "Semua" when everything is chosen already: nothing to redraw.
        if "not modified" not in str(exc).lower():
            raise
    await query.answer()
