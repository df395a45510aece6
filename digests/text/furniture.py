"""Page furniture inside a body: "Baca juga: …" links, photo credits, bylines.

Extraction keeps some of these because they sit between real paragraphs. They are never
the news and their capitalised headline words must not pass for people's names.
"""

from __future__ import annotations

import re
from functools import cache

from digests.text.lexicon import words


def is_furniture(text: str) -> bool:
    """True when ``text`` (a sentence or paragraph) opens like page furniture."""
    return _opening().match(text) is not None


@cache
def _opening() -> re.Pattern[str]:
    markers = sorted(words("text_lead_skip"), key=len, reverse=True)
    return re.compile(r"\s*(?:" + "|".join(map(re.escape, markers)) + ")", re.IGNORECASE)
