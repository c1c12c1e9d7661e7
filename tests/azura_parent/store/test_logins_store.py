"""Dashboard logins in the database, on both engines: found by their hash until deleted or expired, then pruned."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from azura_parent.store import Database, LoginRow, LoginStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def db(location: str) -> AsyncIterator[Database]:
    database = await Database.open(location)
    yield database
    await database.close()


def row(session_hash: str, expires: float, guild_ids: frozenset[int] = frozenset({1, 2**62})) -> LoginRow:
    return LoginRow(session_hash, 2**60 + 7, "Zoé", "fr", guild_ids, "csrf-" + session_hash, expires)


async def test_a_login_comes_back_whole_from_another_opening_of_the_database(location: str, db: Database) -> None:
    clock = Clock()
    saved = row("a" * 64, clock.now + 60)
    await LoginStore(db, clock=clock).save_login(saved)
    again = await Database.open(location)  # what a restarted parent opens
    try:
        assert await LoginStore(again, clock=clock).find_login("a" * 64) == saved
        assert await LoginStore(again, clock=clock).find_login("b" * 64) is None
    finally:
        await again.close()


async def test_a_deleted_login_is_gone(db: Database) -> None:
    clock = Clock()
    store = LoginStore(db, clock=clock)
    await store.save_login(row("a", clock.now + 60, frozenset()))
    await store.save_login(row("b", clock.now + 60))
    await store.delete_login("a")
    assert await store.find_login("a") is None
    assert await store.find_login("b") is not None


async def test_an_expired_login_is_not_found_and_is_pruned(db: Database) -> None:
    clock = Clock()
    store = LoginStore(db, clock=clock)
    await store.save_login(row("old", clock.now + 10))
    await store.save_login(row("older", clock.now + 5))
    await store.save_login(row("new", clock.now + 100))
    clock.now += 20
    assert await store.find_login("old") is None
    assert await store.prune_logins() == 2
    async with db.read() as conn:
        left = [str(r[0]) for r in await conn.fetch_all("SELECT session_hash FROM dashboard_logins")]
    assert left == ["new"]
    assert await store.prune_logins() == 0


async def test_saving_a_login_prunes_the_expired_ones(db: Database) -> None:
    clock = Clock()
    store = LoginStore(db, clock=clock)
    await store.save_login(row("old", clock.now + 10))
    clock.now += 20
    await store.save_login(row("new", clock.now + 10))
    assert await store.prune_logins() == 0  # "old" went when "new" was saved
