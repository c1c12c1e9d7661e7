"""Fixtures for the command handler tests: a World (the bot's services, people, channels) per test.
(``command_fakes`` is loaded by the parent folder's conftest.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from command_fakes import World

from azura_parent.db import Database
from azura_parent.store import Store


@pytest_asyncio.fixture
async def world() -> AsyncIterator[World]:
    """A fresh server: the real Store on an in-memory SQLite database, a real Koe over fake sessions."""
    db = await Database.open(":memory:")
    try:
        yield World(Store(db))
    finally:
        await db.close()
