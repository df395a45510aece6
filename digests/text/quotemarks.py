"""Quotation marks paired into direct quotes: one rule for sentence splitting and quote finding.

Writers mix curly and straight marks freely (“…" or "…”), so marks are paired left to right:
an opening curly or a straight mark opens, a closing curly or a straight mark closes. A quote
longer than a few paragraphs is no quote (a stray mark would otherwise swallow the text).
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["CLOSE", "OPEN", "QUOTE_MAX", "pair_quote_marks"]

OPEN = "“"
CLOSE = "”"
QUOTE_MAX = 2500  # characters between the marks of one quote, at most
_MARK = re.compile(r'[“”"]')


def pair_quote_marks(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    closing_mark_opens: Callable[[str, int], bool] | None = None,
) -> tuple[list[tuple[int, int]], int]:
    """(open, close) indexes of each quote's marks in `text[start:end]`, and where a quote that
    never closes opens (-1: none).

    `closing_mark_opens(text, i)` lets a closing mark open a quote where one cannot close
    ("”Kami siap …” ujar X"); without it such a mark is ignored.
    """
    end = len(text) if end is None else end
    # Most paragraphs quote no one, and three plain searches find that sooner than the pattern.
    if (
        text.find('"', start, end) < 0
        and text.find(OPEN, start, end) < 0
        and text.find(CLOSE, start, end) < 0
    ):
        return [], -1
    spans: list[tuple[int, int]] = []
    open_at = -1
    for mark in _MARK.finditer(text, start, end):
        i, ch = mark.start(), mark.group()
        if open_at < 0:
            if ch != CLOSE or (closing_mark_opens is not None and closing_mark_opens(text, i)):
                open_at = i
        elif ch != OPEN:
            if i - open_at <= QUOTE_MAX:
                spans.append((open_at, i))
            open_at = -1
    return spans, open_at
