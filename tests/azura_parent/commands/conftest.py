"""Fixtures for the command handler tests: a World (the bot's services, people, channels) per test."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from azura_parent.db import Database
from azura_parent.store import Store


def _load_fakes() -> None:
    """--import-mode=importlib puts no test folder on sys.path: load the shared fakes by file, once."""
    if "command_fakes" not in sys.modules:
        spec = importlib.util.spec_from_file_location("command_fakes", Path(__file__).with_name("command_fakes.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["command_fakes"] = module
        spec.loader.exec_module(module)


_load_fakes()

from command_fakes import World  # noqa: E402


@pytest_asyncio.fixture
async def world() -> AsyncIterator[World]:
    """A fresh server: the real Store on an in-memory SQLite database, a real Koe over fake sessions."""
    db = await Database.open(":memory:")
    try:
        yield World(Store(db))
    finally:
        await db.close()
