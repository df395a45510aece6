"""Text primitives for Indonesian news: sentence splitting and datelines."""

from digests.text.dateline import strip_dateline
from digests.text.sentences import split_sentences

__all__ = ["split_sentences", "strip_dateline"]
