"""The Core `Table` of each model, for the set-based statements that skip the ORM's unit of work."""

from __future__ import annotations

from digests.store.models import Article, Broadcast, MessageBody, OutboxItem, Subscriber

SUBSCRIBERS = Subscriber.__table__  # type: ignore[attr-defined]
ARTICLES = Article.__table__  # type: ignore[attr-defined]
BROADCASTS = Broadcast.__table__  # type: ignore[attr-defined]
OUTBOX = OutboxItem.__table__  # type: ignore[attr-defined]
BODIES = MessageBody.__table__  # type: ignore[attr-defined]

# What digests, instant pushes and /terbaru read of an article (never its body text).
ARTICLE_COLUMNS = (
    ARTICLES.c.id,
    ARTICLES.c.url,
    ARTICLES.c.source_name,
    ARTICLES.c.story_id,
    ARTICLES.c.title,
    ARTICLES.c.published_at,
    ARTICLES.c.lead,
    ARTICLES.c.quotes,
    ARTICLES.c.divisions,
    ARTICLES.c.first_seen_at,
    ARTICLES.c.region,
    ARTICLES.c.division_scores,
)
