"""Pytest fixtures for the stand-in Bot API; import them from a conftest.

``botapi``: an async fixture that serves on a free 127.0.0.1 port in the test's own event loop.
``botapi_thread``: the same server on its own loop in a background thread, for tests whose bot
runs in a subprocess or that are synchronous (wait with ``api.wait_for_sync``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from .server import BotApiServer, BotApiThread


@pytest_asyncio.fixture
async def botapi(tmp_path) -> AsyncIterator[BotApiServer]:
    """A running stand-in: ``.base_url`` ("http://127.0.0.1:PORT/bot"), ``.token``, controls."""
    async with BotApiServer(state_file=str(tmp_path / "botapi-sent.jsonl")) as api:
        yield api


@pytest.fixture
def botapi_thread(tmp_path) -> Iterator[BotApiServer]:
    """A stand-in running in a background thread (its own event loop)."""
    with BotApiThread(state_file=str(tmp_path / "botapi-sent.jsonl")) as api:
        yield api
