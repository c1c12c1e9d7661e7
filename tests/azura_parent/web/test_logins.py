"""Dashboard logins: signed cookies, single-use OAuth2 states, CSRF tokens, where a login may lead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from azura_parent.store import Database, Store
from azura_parent.web.auth import safe_next
from azura_parent.web.logins import LoginBook, Signer, StateBook, session_hash


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    db = await Database.open(tmp_path / "azura.sqlite3")
    yield Store(db)
    await db.close()


def test_a_signed_value_comes_back_and_an_altered_or_foreign_one_does_not() -> None:
    signer = Signer(b"secret")
    signed = signer.sign("session-1")
    assert signer.unsign(signed) == "session-1"
    assert signer.unsign(signed.replace("session-1", "session-2")) is None
    assert signer.unsign(signed[:-1] + ("0" if signed[-1] != "0" else "1")) is None
    assert Signer(b"another secret").unsign(signed) is None
    assert signer.unsign("no-signature") is None


async def test_a_login_is_found_by_its_cookie_until_it_is_closed(store: Store) -> None:
    book = LoginBook(Signer(b"secret"), store)
    login, cookie = await book.open(7, "alice", frozenset({1, 2}))
    assert await book.find(cookie) == login
    assert await book.find(login.session_id) is None  # the bare id, unsigned, is no session
    assert login.csrf_ok(login.csrf) and not login.csrf_ok("forged") and not login.csrf_ok("")
    await book.close(login)
    assert await book.find(cookie) is None
    assert not book.is_open(login)


async def test_a_login_survives_a_restart_with_the_same_secret_only(store: Store) -> None:
    login, cookie = await LoginBook(Signer(b"secret"), store).open(7, "alice", frozenset({1, 2}), "de")
    restarted = LoginBook(Signer(b"secret"), store)  # a new process: nothing in memory
    found = await restarted.find(cookie)
    assert found == login and restarted.is_open(found)
    assert await LoginBook(Signer(b"another secret"), store).find(cookie) is None
    await restarted.close(found)  # logging out in the restarted process ends it everywhere
    assert await LoginBook(Signer(b"secret"), store).find(cookie) is None


async def test_the_database_holds_no_session_id_only_its_hash(store: Store) -> None:
    login, _ = await LoginBook(Signer(b"secret"), store).open(7, "alice", frozenset())
    assert await store.find_login(login.session_id) is None
    assert await store.find_login(session_hash(login.session_id)) is not None


async def test_an_expired_login_is_gone(store: Store) -> None:
    book = LoginBook(Signer(b"secret"), store, ttl_s=-1)
    _, cookie = await book.open(7, "alice", frozenset())
    assert await book.find(cookie) is None
    assert await LoginBook(Signer(b"secret"), store).find(cookie) is None


def test_a_state_is_redeemed_once_and_only_by_the_browser_that_asked() -> None:
    states = StateBook()
    state = states.issue("/servers/1")
    assert states.redeem(state, "another browser's") is None
    assert states.redeem(state, None) is None
    assert states.redeem(state, state) == "/servers/1"
    assert states.redeem(state, state) is None  # replayed
    assert states.redeem("made-up", "made-up") is None


def test_an_expired_state_is_refused() -> None:
    states = StateBook(ttl_s=-1)
    state = states.issue("/")
    assert states.redeem(state, state) is None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x",
                                    "", None, "/ok\r\nSet-Cookie: x=1", "evil.example/path"])
def test_after_logging_in_only_paths_of_this_site(target: str | None) -> None:
    assert safe_next(target) == "/"


def test_a_path_of_this_site_is_kept() -> None:
    assert safe_next("/servers/123?x=1#card-4") == "/servers/123?x=1#card-4"
