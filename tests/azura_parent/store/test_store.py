"""The parent database and Store on both engines (a real SQLite file, a real PostgreSQL server): migrations,
settings, playlists, atomicity, concurrent writers. Every test taking ``location``, ``db`` or ``store`` runs twice."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azura_common.koe.errors import InvalidArgument, KoeError, PermissionDenied, QueueIndexError
from azura_common.koe.session import EnqueueMode, Track
from azura_parent.db import Database, DatabaseError, Migration, load_migrations, split_statements
from azura_parent.store import (
    MAX_PLAYLIST_ENTRIES,
    GuildSettings,
    Playlist,
    PlaylistNotFound,
    Store,
    UserSettings,
)
from azura_parent.store.sqlite import SqliteDatabase

pytestmark = pytest.mark.slow  # real databases: migrations, WAL, concurrent writers, a PostgreSQL server

Snapshot = Callable[[Database], Awaitable[dict[str, list[tuple[object, ...]]]]]

ALICE, BOB, CAROL = 1001, 1002, 1003
GUILD = 5000


def track(n: int, **kw: object) -> Track:
    fields: dict[str, object] = {
        "encoded": f"enc{n}",
        "title": f"Song {n}",
        "author": f"Artist {n}",
        "uri": f"https://example.com/{n}",
        "length_ms": 180_000,
        "identifier": f"id{n}",
        "source": "youtube",
        "artwork_url": f"https://example.com/{n}.jpg",
    }
    fields.update(kw)
    return Track(**fields)  # type: ignore[arg-type]


async def versions_of(db: Database) -> list[int]:
    async with db.read() as conn:
        return [int(row[0]) for row in await conn.fetch_all("SELECT version FROM schema_version ORDER BY version")]


@pytest.fixture
async def db(location: str) -> AsyncIterator[Database]:
    database = await Database.open(location)
    yield database
    await database.close()


@pytest.fixture
def store(db: Database) -> Store:
    return Store(db)


@pytest.fixture
async def two(location: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two databases open on one location at once: two parent processes sharing their data."""
    db_a, db_b = await Database.open(location), await Database.open(location)
    yield db_a, db_b
    await db_a.close()
    await db_b.close()


# -- database -----------------------------------------------------------------------------------------------


async def test_sqlite_file_creates_dirs_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "nested" / "dir" / "azura.sqlite3")
    try:
        assert isinstance(db, SqliteDatabase) and db.dialect == "sqlite"
        assert db.path.exists()
        assert await db.journal_mode() == "wal"
        async with db.read() as conn:
            row = await conn.fetch_one("PRAGMA foreign_keys")
        assert row is not None and row[0] == 1
    finally:
        await db.close()


async def test_the_location_picks_the_engine(location: str) -> None:
    db = await Database.open(location)
    try:
        assert db.dialect == ("postgresql" if location.startswith("postgresql://") else "sqlite")
        assert await db.table_names() == [
            "dashboard_logins",
            "guild_settings",
            "playlist_entries",
            "playlists",
            "schema_version",
            "session_records",
            "user_settings",
        ]
    finally:
        await db.close()


async def test_migrations_applied_once_and_idempotent_on_reopen(location: str, snapshot: Snapshot) -> None:
    latest = max(m.version for m in load_migrations())
    db = await Database.open(location)
    assert await db.schema_version() == latest
    await Store(db).create_playlist(ALICE, "keep me")
    before = await snapshot(db)
    await db.close()

    for _ in range(2):
        db = await Database.open(location)
        assert await db.schema_version() == latest
        assert [p.name for p in await Store(db).list_playlists(ALICE)] == ["keep me"]
        assert await snapshot(db) == before
        assert await versions_of(db) == [m.version for m in load_migrations()]
        await db.close()


async def test_failing_migration_is_rolled_back_entirely(location: str, snapshot: Snapshot) -> None:
    first = Migration(1, "first", "CREATE TABLE a (x INTEGER);")
    broken = Migration(2, "broken", "CREATE TABLE b (x INTEGER);\nINSERT INTO a VALUES (1);\nTHIS IS NOT SQL;")
    db = await Database.open(location, [first])
    before = await snapshot(db)
    await db.close()

    with pytest.raises(DatabaseError, match=r"^Migration 0002_broken failed on (sqlite|postgresql): .*syntax"):
        await Database.open(location, [first, broken])
    db = await Database.open(location, [first])
    assert await snapshot(db) == before  # neither table b nor the row in a
    await db.close()

    fixed = Migration(2, "fixed", "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (1);")
    db = await Database.open(location, [first, fixed])
    assert await db.schema_version() == 2
    await db.close()


async def test_newer_schema_than_code_is_refused(location: str) -> None:
    a, b = Migration(1, "a", "CREATE TABLE a (x INTEGER);"), Migration(2, "b", "CREATE TABLE b (x INTEGER);")
    db = await Database.open(location, [a, b])
    await db.close()
    with pytest.raises(DatabaseError, match="newer"):
        await Database.open(location, [a])


async def test_concurrent_opens_migrate_once(location: str) -> None:
    dbs = await asyncio.gather(*(Database.open(location) for _ in range(4)))
    try:
        assert {await db.schema_version() for db in dbs} == {max(m.version for m in load_migrations())}
        assert await versions_of(dbs[0]) == [m.version for m in load_migrations()]
    finally:
        for db in dbs:
            await db.close()


async def test_cancelled_transaction_leaves_connection_usable(store: Store, db: Database, snapshot: Snapshot) -> None:
    await store.create_playlist(ALICE, "chill")
    before = await snapshot(db)
    entered = asyncio.Event()

    async def stuck() -> None:
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM playlists")
            entered.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(stuck())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await snapshot(db) == before
    assert (await store.get_playlist(ALICE, "chill")).name == "chill"
    await store.create_playlist(ALICE, "after")


def test_split_statements_respects_strings_and_comments() -> None:
    sql = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (x TEXT DEFAULT 'a;b');\n"
        "/* block; */\n"
        "INSERT INTO t VALUES ('c;d');\n"
    )
    statements = split_statements(sql)
    assert len(statements) == 2
    assert statements[1].endswith("INSERT INTO t VALUES ('c;d');")


def test_packaged_migrations_are_numbered_contiguously() -> None:
    versions = [m.version for m in load_migrations()]
    assert versions == list(range(1, len(versions) + 1))
    assert versions, "no migrations found"


def test_default_path() -> None:
    assert Database.default_path({"AZURA_DB_PATH": "/x/y.db", "AZURA_DATA_DIR": "/d"}) == Path("/x/y.db")
    assert Database.default_path({"AZURA_DATA_DIR": "/d"}) == Path("/d/azura.sqlite3")
    assert Database.default_path({}) == Path("data/azura.sqlite3")


async def test_close_is_idempotent_and_closed_db_refuses(location: str) -> None:
    db = await Database.open(location)
    await db.close()
    await db.close()
    with pytest.raises(DatabaseError):
        await Store(db).get_user_settings(ALICE)


# -- settings -----------------------------------------------------------------------------------------------


async def test_user_settings_defaults_and_updates(store: Store) -> None:
    assert await store.get_user_settings(ALICE) == UserSettings("fifo", 10, None)
    assert (await store.set_enqueue_mode(ALICE, "interlace")).enqueue_mode == "interlace"
    assert (await store.set_enqueue_mode(ALICE, EnqueueMode.LIFO)).enqueue_mode == "lifo"
    assert (await store.set_volume_step(ALICE, 25)).volume_step == 25
    assert (await store.set_last_volume(ALICE, 70)).last_volume == 70
    assert await store.get_user_settings(ALICE) == UserSettings("lifo", 25, 70)
    assert (await store.set_last_volume(ALICE, None)).last_volume is None
    assert await store.get_user_settings(BOB) == UserSettings()


@pytest.mark.parametrize("step", [1, 100])
async def test_volume_step_bounds_accepted(store: Store, step: int) -> None:
    assert (await store.set_volume_step(ALICE, step)).volume_step == step


async def test_guild_settings_defaults_and_updates(store: Store) -> None:
    assert await store.get_guild_settings(GUILD) == GuildSettings(None, False, None)  # None: the bot's default
    assert (await store.set_dj_role(GUILD, 42)).dj_role_id == 42
    assert (await store.set_always_on(GUILD, True)).always_on is True
    assert (await store.set_idle_timeout(GUILD, 30)).idle_timeout_s == 30
    assert (await store.set_idle_timeout(GUILD, 86_400)).idle_timeout_s == 86_400
    assert await store.get_guild_settings(GUILD) == GuildSettings(42, True, 86_400)
    assert (await store.set_dj_role(GUILD, None)).dj_role_id is None
    assert (await store.set_always_on(GUILD, False)).always_on is False
    assert await store.get_guild_settings(GUILD + 1) == GuildSettings()
    assert (await store.set_idle_timeout(GUILD + 2, 300)).idle_timeout_s == 300  # an explicit 300 stays 300


async def test_guild_autoplay_default_is_off_until_chosen_and_kept_apart(store: Store) -> None:
    await store.set_always_on(GUILD, True)  # a row that existed before the choice keeps its other settings
    assert (await store.get_guild_settings(GUILD)).autoplay is False
    assert await store.set_autoplay_default(GUILD, True) == GuildSettings(None, True, None, autoplay=True)
    assert (await store.get_guild_settings(GUILD + 1)).autoplay is False
    assert (await store.set_autoplay_default(GUILD + 1, True)).autoplay is True  # a new row
    assert (await store.set_autoplay_default(GUILD, False)).autoplay is False
    assert (await store.get_guild_settings(GUILD + 1)).autoplay is True


# -- playlists ----------------------------------------------------------------------------------------------


async def test_create_get_list_rename_delete(store: Store) -> None:
    chill = await store.create_playlist(ALICE, "  Chill   Vibes ")
    assert (chill.owner_id, chill.name, chill.visibility, chill.size) == (ALICE, "Chill Vibes", "private", 0)
    assert chill.created_at.tzinfo is not None
    assert await store.get_playlist(ALICE, "chill vibes") == chill
    assert await store.get_playlist_by_id(chill.id) == chill
    await store.create_playlist(ALICE, "abc")
    await store.create_playlist(BOB, "Chill Vibes")  # names are per owner
    assert [p.name for p in await store.list_playlists(ALICE)] == ["abc", "Chill Vibes"]

    renamed = await store.rename_playlist(ALICE, "CHILL VIBES", "Focus")
    assert (renamed.id, renamed.name) == (chill.id, "Focus")
    assert (await store.rename_playlist(ALICE, "focus", "FOCUS")).name == "FOCUS"  # case-only rename is fine
    with pytest.raises(PlaylistNotFound):
        await store.get_playlist(ALICE, "Chill Vibes")

    await store.add_entries(ALICE, "focus", [track(1), track(2)])
    deleted = await store.delete_playlist(ALICE, "Focus")
    assert deleted.size == 2
    assert [p.name for p in await store.list_playlists(ALICE)] == ["abc"]
    async with store._db.read() as conn:
        row = await conn.fetch_one("SELECT COUNT(*) FROM playlist_entries")
    assert row is not None and row[0] == 0  # entries cascaded away


async def test_names_unique_case_insensitively(store: Store) -> None:
    await store.create_playlist(ALICE, "Chill")
    with pytest.raises(InvalidArgument) as err:
        await store.create_playlist(ALICE, "cHILL")
    assert str(err.value) == "You already have a playlist called 'cHILL'."
    await store.create_playlist(ALICE, "Straße")
    with pytest.raises(InvalidArgument):
        await store.create_playlist(ALICE, "STRASSE")  # full case folding, not just ASCII


async def test_find_playable(store: Store) -> None:
    await store.create_playlist(ALICE, "mine")
    await store.create_playlist(BOB, "secret")
    await store.create_playlist(BOB, "shared", "public")
    bob_global = await store.create_playlist(BOB, "Top Hits", "global")
    await store.create_playlist(CAROL, "top hits", "global")  # a later global with the same name

    assert (await store.find_playable(ALICE, "MINE")).owner_id == ALICE
    assert (await store.find_playable(ALICE, "mine", ALICE)).owner_id == ALICE
    assert (await store.find_playable(ALICE, "shared", BOB)).name == "shared"
    assert (await store.find_playable(ALICE, "top hits", BOB)).id == bob_global.id
    assert (await store.find_playable(ALICE, "top hits")).id == bob_global.id  # the oldest global wins
    with pytest.raises(PermissionDenied, match=r"^That playlist is private\.$"):
        await store.find_playable(ALICE, "secret", BOB)
    with pytest.raises(PlaylistNotFound, match="That user has no playlist called 'nope'"):
        await store.find_playable(ALICE, "nope", BOB)
    with pytest.raises(PlaylistNotFound, match=r"^You have no playlist called 'secret'\.$"):
        await store.find_playable(ALICE, "secret")  # private, not global: invisible
    with pytest.raises(PlaylistNotFound):
        await store.find_playable(ALICE, "shared")  # public but not global: needs the owner

    own = await store.create_playlist(ALICE, "TOP HITS")
    assert (await store.find_playable(ALICE, "top hits")).id == own.id  # own shadows global
    with pytest.raises(PlaylistNotFound):
        await store.find_playable(ALICE, "shared", ALICE)  # naming yourself as owner searches only your own


async def test_autocomplete(store: Store) -> None:
    for name in ["Rock", "rock classics", "Rap", "Jazz"]:
        await store.create_playlist(ALICE, name)
    assert await store.playlist_names(ALICE, "ro") == ["Rock", "rock classics"]
    assert await store.playlist_names(ALICE, "") == ["Jazz", "Rap", "Rock", "rock classics"]
    assert await store.playlist_names(ALICE, "", limit=2) == ["Jazz", "Rap"]
    assert await store.playlist_names(ALICE, "%") == []  # no LIKE wildcards
    assert await store.playlist_names(BOB, "r") == []

    await store.set_visibility(ALICE, "rock", "public")
    await store.create_playlist(BOB, "Rockabilly", "global")
    await store.create_playlist(BOB, "Rocky", "private")
    assert [p.name for p in await store.list_public("ROCK")] == ["Rockabilly", "Rock"]  # global first
    assert [p.name for p in await store.list_public("rock", owner_id=ALICE)] == ["Rock"]
    assert [p.name for p in await store.list_public("", limit=1)] == ["Rockabilly"]


async def test_visibility(store: Store) -> None:
    await store.create_playlist(ALICE, "p")
    for vis in ("public", "global", "private"):
        assert (await store.set_visibility(ALICE, "P", vis)).visibility == vis
        assert (await store.get_playlist(ALICE, "p")).visibility == vis


# -- entries ------------------------------------------------------------------------------------------------


async def test_add_entries_and_read_back(store: Store) -> None:
    playlist = await store.create_playlist(ALICE, "mix")
    assert await store.add_entries(ALICE, "mix", [track(1), track(2, is_stream=True, length_ms=0)]) == (1, 2)
    assert await store.add_entries(ALICE, "mix", [track(3, requester_id=77, start_ms=1000, end_ms=5000)]) == (3,)
    assert await store.add_entries(ALICE, "mix", []) == ()
    tracks = await store.tracks(playlist)
    assert tracks[0] == track(1)
    assert tracks[1] == track(2, is_stream=True, length_ms=0)
    assert tracks[2] == track(3, start_ms=1000, end_ms=5000)  # trims kept, requester dropped
    assert all(t.requester_id == 0 for t in tracks)
    assert await store.tracks(playlist.id) == tracks

    page = await store.entries(playlist, offset=1, limit=5)
    assert (page.total, page.offset, page.playlist.size) == (3, 1, 3)
    assert [(e.position, e.track.encoded) for e in page.items] == [(2, "enc2"), (3, "enc3")]
    assert (await store.entries(playlist.id, offset=10)).items == ()


async def test_remove_entries_renumbers(store: Store) -> None:
    await store.create_playlist(ALICE, "mix")
    await store.add_entries(ALICE, "mix", [track(n) for n in range(1, 8)])
    removed = await store.remove_entries(ALICE, "mix", 2, 4)
    assert [t.encoded for t in removed] == ["enc2", "enc3", "enc4"]
    assert [t.encoded for t in await store.remove_entries(ALICE, "MIX", 4)] == ["enc7"]
    page = await store.entries((await store.get_playlist(ALICE, "mix")), limit=50)
    assert [(e.position, e.track.encoded) for e in page.items] == [(1, "enc1"), (2, "enc5"), (3, "enc6")]
    assert await store.add_entries(ALICE, "mix", [track(9)]) == (4,)


async def test_trim_entry(store: Store) -> None:
    playlist = await store.create_playlist(ALICE, "mix")
    await store.add_entries(ALICE, "mix", [track(1), track(2)])
    trimmed = await store.trim_entry(ALICE, "mix", 2, 10_000, 20_000)
    assert trimmed == track(2, start_ms=10_000, end_ms=20_000)
    assert (await store.tracks(playlist))[1] == trimmed
    assert await store.trim_entry(ALICE, "mix", 2) == track(2)  # clearing trims


async def test_thousand_entries_add_and_read_fast(store: Store) -> None:
    playlist = await store.create_playlist(ALICE, "big")
    started = time.perf_counter()
    positions = await store.add_entries(ALICE, "big", [track(n) for n in range(1000)])
    tracks = await store.tracks(playlist)
    page = await store.entries(playlist, offset=990, limit=25)
    elapsed = time.perf_counter() - started
    assert positions == tuple(range(1, 1001))
    assert [t.encoded for t in tracks] == [f"enc{n}" for n in range(1000)]
    assert len(page.items) == 10 and page.total == 1000
    assert elapsed < 2.0, f"1,000-entry add + read took {elapsed:.2f}s"


async def test_playlist_capacity(store: Store) -> None:
    await store.create_playlist(ALICE, "full")
    await store.add_entries(ALICE, "full", [track(n) for n in range(MAX_PLAYLIST_ENTRIES - 1)])
    with pytest.raises(InvalidArgument, match="at most 5000 tracks: 'full' has room for 1 more, not 2 tracks"):
        await store.add_entries(ALICE, "full", [track(1), track(2)])
    assert (await store.get_playlist(ALICE, "full")).size == MAX_PLAYLIST_ENTRIES - 1
    assert await store.add_entries(ALICE, "full", [track(1)]) == (MAX_PLAYLIST_ENTRIES,)


# -- every failure leaves the database unchanged ---------------------------------------------------------------

Failing = Callable[[Store], Awaitable[object]]

FAILURES: list[tuple[str, Failing, type[KoeError], str]] = [
    ("mode", lambda s: s.set_enqueue_mode(ALICE, "shuffle"), InvalidArgument,
     "Enqueue mode must be one of fifo, lifo, random, interlace, not 'shuffle'."),
    ("step-low", lambda s: s.set_volume_step(ALICE, 0), InvalidArgument,
     "The volume step must be between 1 and 100, not 0."),
    ("step-high", lambda s: s.set_volume_step(ALICE, 101), InvalidArgument,
     "The volume step must be between 1 and 100, not 101."),
    ("volume", lambda s: s.set_last_volume(ALICE, 1001), InvalidArgument,
     "Volume must be between 0 and 1000, not 1001."),
    ("idle-low", lambda s: s.set_idle_timeout(GUILD, 29), InvalidArgument,
     "The idle timeout must be between 30 seconds and 24 hours (86400 seconds), not 29."),
    ("idle-high", lambda s: s.set_idle_timeout(GUILD, 86_401), InvalidArgument,
     "The idle timeout must be between 30 seconds and 24 hours (86400 seconds), not 86401."),
    ("create-dup", lambda s: s.create_playlist(ALICE, "CHILL"), InvalidArgument,
     "You already have a playlist called 'CHILL'."),
    ("create-empty", lambda s: s.create_playlist(ALICE, "   "), InvalidArgument, "A playlist name can't be empty."),
    ("create-long", lambda s: s.create_playlist(ALICE, "x" * 51), InvalidArgument,
     "A playlist name can be at most 50 characters long."),
    ("create-control", lambda s: s.create_playlist(ALICE, "a\x00b"), InvalidArgument,
     "A playlist name can't contain control characters."),
    ("create-vis", lambda s: s.create_playlist(ALICE, "new", "secret"), InvalidArgument,
     "Visibility must be one of private, public, global, not 'secret'."),
    ("delete-missing", lambda s: s.delete_playlist(ALICE, "nope"), PlaylistNotFound,
     "You have no playlist called 'nope'."),
    ("delete-other", lambda s: s.delete_playlist(BOB, "chill"), PlaylistNotFound,
     "You have no playlist called 'chill'."),
    ("rename-missing", lambda s: s.rename_playlist(ALICE, "nope", "x"), PlaylistNotFound,
     "You have no playlist called 'nope'."),
    ("rename-clash", lambda s: s.rename_playlist(ALICE, "chill", "ROCK"), InvalidArgument,
     "You already have a playlist called 'Rock'."),
    ("rename-bad", lambda s: s.rename_playlist(ALICE, "chill", ""), InvalidArgument,
     "A playlist name can't be empty."),
    ("get-missing", lambda s: s.get_playlist(ALICE, "nope"), PlaylistNotFound, "You have no playlist called 'nope'."),
    ("get-id-missing", lambda s: s.get_playlist_by_id(999_999), PlaylistNotFound, "That playlist no longer exists."),
    ("find-private", lambda s: s.find_playable(BOB, "chill", ALICE), PermissionDenied, "That playlist is private."),
    ("find-missing", lambda s: s.find_playable(BOB, "chill"), PlaylistNotFound,
     "You have no playlist called 'chill'."),
    ("vis-bad", lambda s: s.set_visibility(ALICE, "chill", "friends"), InvalidArgument,
     "Visibility must be one of private, public, global, not 'friends'."),
    ("vis-missing", lambda s: s.set_visibility(ALICE, "nope", "public"), PlaylistNotFound,
     "You have no playlist called 'nope'."),
    ("add-missing", lambda s: s.add_entries(ALICE, "nope", [track(1)]), PlaylistNotFound,
     "You have no playlist called 'nope'."),
    ("add-bad-track", lambda s: s.add_entries(ALICE, "chill", [track(1), track(2, encoded="")]), InvalidArgument,
     "'Song 2' has no playable data."),
    ("add-bad-trim", lambda s: s.add_entries(ALICE, "chill", [track(1, start_ms=-1)]), InvalidArgument,
     "A track cannot start before 0:00."),
    ("add-too-many", lambda s: s.add_entries(ALICE, "chill", [track(n) for n in range(MAX_PLAYLIST_ENTRIES)]),
     InvalidArgument, "A playlist holds at most 5000 tracks: 'chill' has room for 4997 more, not 5000 tracks."),
    ("remove-zero", lambda s: s.remove_entries(ALICE, "chill", 0), QueueIndexError,
     "Position 0 is out of range: positions start at 1."),
    ("remove-past", lambda s: s.remove_entries(ALICE, "chill", 4), QueueIndexError,
     "Position 4 is past the end of the playlist 'chill' (3 tracks)."),
    ("remove-end-past", lambda s: s.remove_entries(ALICE, "chill", 2, 9), QueueIndexError,
     "Position 9 is past the end of the playlist 'chill' (3 tracks)."),
    ("remove-backwards", lambda s: s.remove_entries(ALICE, "chill", 3, 2), InvalidArgument,
     "The end of the range (2) comes before its start (3)."),
    ("remove-empty", lambda s: s.remove_entries(ALICE, "rock", 1), QueueIndexError,
     "Position 1 is out of range: the playlist 'Rock' is empty."),
    ("remove-missing", lambda s: s.remove_entries(ALICE, "nope", 1), PlaylistNotFound,
     "You have no playlist called 'nope'."),
    ("trim-past", lambda s: s.trim_entry(ALICE, "chill", 4, 0, None), QueueIndexError,
     "Position 4 is past the end of the playlist 'chill' (3 tracks)."),
    ("trim-backwards", lambda s: s.trim_entry(ALICE, "chill", 1, 5000, 4000), InvalidArgument,
     "A track's end must come after its start."),
    ("trim-negative", lambda s: s.trim_entry(ALICE, "chill", 1, -5, None), InvalidArgument,
     "A track cannot start before 0:00."),
    ("trim-too-late", lambda s: s.trim_entry(ALICE, "chill", 1, 180_000, None), InvalidArgument,
     "'Song 1' is shorter than its start trim."),
    ("entries-offset", lambda s: s.entries(1, offset=-1), InvalidArgument,
     "A page can't start before the first entry."),
    ("entries-missing", lambda s: s.entries(999_999), PlaylistNotFound, "That playlist no longer exists."),
    ("tracks-missing", lambda s: s.tracks(999_999), PlaylistNotFound, "That playlist no longer exists."),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "message"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
async def test_every_failure_leaves_db_unchanged(
    store: Store, db: Database, snapshot: Snapshot, call: Failing, error: type[KoeError], message: str
) -> None:
    await store.set_volume_step(ALICE, 20)
    await store.set_idle_timeout(GUILD, 600)
    chill = await store.create_playlist(ALICE, "chill")
    assert chill.id == 1
    await store.create_playlist(ALICE, "Rock")
    await store.add_entries(ALICE, "chill", [track(1), track(2), track(3)])
    before = await snapshot(db)

    with pytest.raises(error) as caught:
        await call(store)
    assert type(caught.value) is error
    assert str(caught.value) == message
    assert await snapshot(db) == before
    # and the store still works afterwards (no transaction left open)
    assert await store.add_entries(ALICE, "chill", [track(4)]) == (4,)


async def test_unexpected_failure_mid_transaction_rolls_back(store: Store, db: Database, snapshot: Snapshot) -> None:
    await store.create_playlist(ALICE, "chill")
    before = await snapshot(db)
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM playlists")
            raise RuntimeError("boom")
    assert await snapshot(db) == before


# -- concurrency ------------------------------------------------------------------------------------------------


async def test_concurrent_writers_on_one_database(two: tuple[Database, Database]) -> None:
    db_a, db_b = two
    a, b = Store(db_a), Store(db_b)
    await a.create_playlist(ALICE, "shared")

    async def writer(store: Store, base: int) -> None:
        for i in range(20):
            await store.add_entries(ALICE, "shared", [track(base + i * 2), track(base + i * 2 + 1)])
            if i % 5 == 4:
                await store.remove_entries(ALICE, "shared", 1)
            await store.set_volume_step(BOB, 1 + (base + i) % 100)

    await asyncio.gather(writer(a, 0), writer(b, 10_000), writer(a, 20_000), writer(b, 30_000))

    async with db_a.read() as conn:
        positions = [row[0] for row in await conn.fetch_all("SELECT position FROM playlist_entries ORDER BY 1")]
        encodeds = [row[0] for row in await conn.fetch_all("SELECT encoded FROM playlist_entries")]
    if isinstance(db_a, SqliteDatabase):
        with contextlib.closing(sqlite3.connect(db_a.path)) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert positions == list(range(1, 4 * 40 - 4 * 4 + 1))
    assert len(set(encodeds)) == len(encodeds)
    assert len(await b.tracks(1)) == len(positions)


async def test_concurrent_coroutines_on_one_store(store: Store) -> None:
    await store.create_playlist(ALICE, "mix")
    results = await asyncio.gather(*(store.add_entries(ALICE, "mix", [track(n)]) for n in range(50)))
    assert sorted(p for (p,) in results) == list(range(1, 51))


async def test_one_name_created_at_once_by_two_processes_exists_once(two: tuple[Database, Database]) -> None:
    """Two parents (two connections) racing to create one name: one wins, every other gets the user's error."""
    db_a, db_b = two
    stores = [Store(db_a), Store(db_b)]
    results = await asyncio.gather(
        *(stores[i % 2].create_playlist(ALICE, "Party" if i % 3 else "PARTY") for i in range(12)),
        return_exceptions=True,
    )
    created = [r for r in results if isinstance(r, Playlist)]
    refused = [r for r in results if not isinstance(r, Playlist)]
    assert len(created) == 1
    assert all(type(r) is InvalidArgument and str(r).startswith("You already have a playlist called") for r in refused)
    assert [p.name for p in await stores[1].list_playlists(ALICE)] == [created[0].name]


async def test_concurrent_settings_writes_lose_nothing(two: tuple[Database, Database]) -> None:
    """Different settings of one new user and one new server, written at once from two connections, all stick."""
    db_a, db_b = two
    a, b = Store(db_a), Store(db_b)
    await asyncio.gather(
        a.set_enqueue_mode(CAROL, "random"), b.set_volume_step(CAROL, 33), a.set_last_volume(CAROL, 55),
        b.set_dj_role(GUILD, 77), a.set_always_on(GUILD, True), b.set_idle_timeout(GUILD, 900),
    )  # fmt: skip
    assert await b.get_user_settings(CAROL) == UserSettings("random", 33, 55)
    assert await a.get_guild_settings(GUILD) == GuildSettings(77, True, 900)


# -- property: add/remove keep positions contiguous, nothing lost or duplicated --------------------------------

_ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(min_value=0, max_value=6)),
        st.tuples(st.just("remove"), st.floats(0, 1), st.floats(0, 1)),
        st.tuples(st.just("bad-remove"), st.integers(-3, 3)),
    ),
    max_size=25,
)


_examples = itertools.count()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(ops=_ops)
def test_add_remove_keep_positions_contiguous(location: str, ops: list[tuple[object, ...]]) -> None:
    # Every example has a playlist of its own in the test's one database.
    async def run() -> None:
        db = await Database.open(location)
        try:
            store = Store(db)
            name = f"prop {next(_examples)}"
            playlist: Playlist = await store.create_playlist(ALICE, name)
            model: list[str] = []
            counter = 0
            for op in ops:
                if op[0] == "add":
                    n = int(op[1])  # type: ignore[call-overload]
                    new = [track(counter + i) for i in range(n)]
                    counter += n
                    positions = await store.add_entries(ALICE, name, new)
                    assert positions == tuple(range(len(model) + 1, len(model) + n + 1))
                    model.extend(t.encoded for t in new)
                elif op[0] == "remove" and model:
                    lo = 1 + int(float(op[1]) * (len(model) - 1))  # type: ignore[arg-type]
                    hi = lo + int(float(op[2]) * (len(model) - lo))  # type: ignore[arg-type]
                    removed = await store.remove_entries(ALICE, name, lo, hi)
                    assert [t.encoded for t in removed] == model[lo - 1 : hi]
                    del model[lo - 1 : hi]
                else:
                    offset = int(op[1]) if op[0] == "bad-remove" else 0  # type: ignore[call-overload]
                    bad = len(model) + 1 + offset if offset >= 0 else offset + 1
                    with pytest.raises(QueueIndexError):
                        await store.remove_entries(ALICE, name, bad)
                page = await store.entries(playlist, limit=10_000)
                assert [e.position for e in page.items] == list(range(1, len(model) + 1))
                assert [e.track.encoded for e in page.items] == model
                assert page.total == len(model)
        finally:
            await db.close()

    asyncio.run(run())


async def test_migration_2_lets_servers_fall_back_to_the_bot_default(location: str) -> None:
    first = [m for m in load_migrations() if m.version == 1]
    old = await Database.open(location, first)
    async with old.transaction() as conn:
        await conn.execute("INSERT INTO guild_settings (guild_id, idle_timeout_s) VALUES (1, 300), (2, 120)")
    await old.close()
    db = await Database.open(location)
    try:
        assert await db.schema_version() == max(m.version for m in load_migrations())
        store = Store(db)
        assert (await store.get_guild_settings(1)).idle_timeout_s is None  # the old default: now "not chosen"
        assert (await store.get_guild_settings(2)).idle_timeout_s == 120
    finally:
        await db.close()
