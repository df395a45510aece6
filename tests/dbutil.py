"""Fresh, migrated databases for tests: a temp-file SQLite by default, PostgreSQL on request.

Set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test to run the database tests on
PostgreSQL: each test then gets its own throw-away database on that server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from digests.store.db import upgrade_schema


def test_server_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


@contextmanager
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """Yield the URL of a new, migrated, empty database and drop it afterwards."""
    server = test_server_url()
    if server is None:
        url = f"sqlite:///{tmp_path / 'kpu_digest_test.db'}"
        upgrade_schema(url)
        yield url
        return
    import psycopg

    admin = make_url(server.replace("postgres://", "postgresql://", 1))
    name = f"kpu_test_{uuid.uuid4().hex[:12]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_schema(url)
        yield url
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
