"""An announcement as its readers and its admin see it: the message, its draft, its report.

Pure functions over plain values (no database, no Telegram); the words come from
`digests.texts`. The preview is the announcement itself with a draft banner above it and the
admin's notes below, so what the admin checks is exactly what staff will read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from digests import texts
from digests.delivery.ranking import division_name
from digests.delivery.telegram_html import (
    BLOCK_SEPARATOR,
    MESSAGE_LIMIT,
    escape,
    split_message,
    utf16_len,
)
from digests.store.types import BroadcastStatus

# Announcement parts leave this much of a message free, so that their preview (a banner above,
# the recipients below) and the edited preview after Kirim are the very same parts.
PREVIEW_ROOM = 600
ANNOUNCEMENT_LIMIT = MESSAGE_LIMIT - PREVIEW_ROOM
ACK_PREFIX = "ack:"
EXCERPT_WORDS = 12
EXCERPT_CHARS = 80

_WORD = re.compile(r"\S+")


def target_names(divisions: Sequence[str]) -> list[str]:
    """Full division names of a broadcast's target (empty: everyone)."""
    return [division_name(slug) for slug in divisions]


def render_announcement(
    text: str,
    *,
    when: datetime,
    tz: tzinfo,
    divisions: Sequence[str] = (),
    limit: int = ANNOUNCEMENT_LIMIT,
) -> list[str]:
    """The message parts staff receive: title, date and target, then the admin's text
    (escaped, split at line breaks when long)."""
    header = texts.announcement_header(texts.show_date(when, tz), target_names(divisions))
    body = escape(text.strip())
    room = limit - utf16_len(header) - len(BLOCK_SEPARATOR)
    if room < limit // 2:  # a tiny limit (tests): the header may stand alone
        return split_message([header, body], limit=limit, oversize="split")
    # The header opens the first part, never a part of its own.
    parts = split_message([body], limit=room, oversize="split") or [""]
    parts[0] = f"{header}{BLOCK_SEPARATOR}{parts[0]}".strip()
    return parts


def read_button(broadcast_id: int) -> dict[str, Any]:
    """The "Sudah dibaca" keyboard of an announcement's last part (Bot API JSON)."""
    return _keyboard(texts.ANNOUNCEMENT_READ_BUTTON, broadcast_id)


def read_done_button(broadcast_id: int) -> dict[str, Any]:
    """The keyboard once the reader pressed it: it shows the announcement was read."""
    return _keyboard(texts.ANNOUNCEMENT_READ_DONE_BUTTON, broadcast_id)


def _keyboard(label: str, broadcast_id: int) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": label, "callback_data": ack_data(broadcast_id)}]]}


def ack_data(broadcast_id: int) -> str:
    return f"{ACK_PREFIX}{broadcast_id}"


def announcement_markups(broadcast_id: int, parts: int) -> list[dict[str, Any] | None]:
    """One keyboard per part: the button sits on the last part only."""
    return [None] * (parts - 1) + [read_button(broadcast_id)] if parts else []


def render_preview(
    text: str,
    *,
    when: datetime,
    tz: tzinfo,
    divisions: Sequence[str],
    recipients: int,
    admin_included: bool,
) -> list[str]:
    """The admin's draft: every part marked "PRATINJAU — belum dikirim", the last one saying
    who will receive it (and whether the admin is among them)."""
    parts = render_announcement(text, when=when, tz=tz, divisions=divisions)
    marked = [f"{texts.PREVIEW_BANNER}\n\n{part}" for part in parts]
    marked[-1] += "\n\n" + texts.preview_footer(recipients, admin_included)
    return marked


def render_decided_preview(
    text: str,
    *,
    when: datetime,
    tz: tzinfo,
    divisions: Sequence[str],
    sent_to: int | None,
) -> list[str]:
    """The preview's parts once decided: each says it was sent (to how many, when) or
    cancelled, above the announcement as it went out."""
    parts = render_announcement(text, when=when, tz=tz, divisions=divisions)
    if sent_to is None:
        banner = texts.PREVIEW_CANCELLED_BANNER
    else:
        banner = texts.preview_sent_banner(sent_to, texts.show_date(when, tz, time=True))
    return [f"{banner}\n\n{part}" for part in parts]


def first_words(text: str, *, words: int = EXCERPT_WORDS, chars: int = EXCERPT_CHARS) -> str:
    """The opening of an announcement, for a report: a few words, "…" when cut."""
    found = _WORD.findall(text)
    excerpt = " ".join(found[:words])
    cut = len(found) > words
    if len(excerpt) > chars:
        head = excerpt[: chars - 1]
        # At a word boundary when there is one; one endless word is cut where it must be.
        excerpt = (head.rsplit(" ", 1)[0] if " " in head else head).rstrip()
        cut = True
    return excerpt + "…" if cut else excerpt


def read_percent(read: int, sent: int) -> int | None:
    """Read as a whole percentage of sent (None when nothing was sent)."""
    if sent <= 0:
        return None
    return min(100, round(100 * read / sent))


def render_report(
    *,
    broadcast_id: int,
    status: BroadcastStatus,
    text: str,
    divisions: Sequence[str],
    when: datetime,
    tz: tzinfo,
    sent: int,
    failed: int,
    blocked: int,
    pending: int,
    read: int,
) -> str:
    """What `/laporan` shows, and what the admin receives when a broadcast is done."""
    return texts.broadcast_report(
        broadcast_id,
        date=texts.show_date(when, tz),
        status=status,
        target=target_names(divisions),
        excerpt=first_words(text),
        sent=sent,
        failed=failed,
        blocked=blocked,
        pending=pending,
        read=read,
        percent=read_percent(read, sent),
    )
