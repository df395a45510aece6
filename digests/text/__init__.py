"""Text primitives for Indonesian news: sentences, datelines, dates (one month table), quote
marks, and telling text from binary data."""

from digests.text.dateline import strip_dateline
from digests.text.sentences import split_sentences

__all__ = ["split_sentences", "strip_dateline"]
