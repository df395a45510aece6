"""The audit log: every admin act (broadcast, source change, crawl) with who did it."""

from __future__ import annotations

from typing import Any

from digests.store.db import Database
from digests.store.models import AuditEntry


async def record_audit(db: Database, actor_id: int, action: str, **detail: Any) -> None:
    """Write one entry (its own transaction: the act happened whatever follows)."""
    async with db.session() as session:
        session.add(AuditEntry(actor_id=actor_id, action=action, detail=detail))
        await session.commit()
