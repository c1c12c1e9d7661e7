"""Handlers of /playlist …, with a fake interaction, fake sessions and the real store (SQLite in memory):
every permission and error branch, the exact text, that only the user sees it (playing one is public), and
that nothing changes on errors."""

from __future__ import annotations

import pytest
from command_fakes import NOT_IN_VOICE, PLAYLIST, FakeInteraction, FakeMember, World, choice, invoke, track
from command_fakes import private_text as private_answer

from azura_parent.commands.playlists import PlaylistCommands


@pytest.fixture
def playlists(world: World) -> PlaylistCommands:
    return PlaylistCommands(world)


async def mix(world: World, owner: FakeMember, name: str = "Mix", n: int = 3, visibility: str = "private") -> None:
    await world.store.create_playlist(owner.id, name, visibility)
    if n:
        await world.store.add_entries(owner.id, name, world.songs(n))


# -- managing ------------------------------------------------------------------------------------------------
async def test_create_rename_delete(world: World, playlists: PlaylistCommands) -> None:
    alice = world.member("alice")
    assert await private_answer(playlists.create, FakeInteraction(alice), name="Road Trip") == (
        "📁 Created playlist **Road Trip**.")
    assert await private_answer(playlists.create, FakeInteraction(alice), name="road trip") == (
        "⚠️ You already have a playlist called 'road trip'.")
    assert await private_answer(playlists.rename, FakeInteraction(alice), name="Road Trip", new_name="Trip") == (
        "✏ Renamed to **Trip**.")
    await mix(world, alice, "Other", n=0)
    assert await private_answer(playlists.rename, FakeInteraction(alice), name="Other", new_name="trip") == (
        "⚠️ You already have a playlist called 'Trip'.")
    await world.store.delete_playlist(alice.id, "Other")
    assert await private_answer(playlists.delete, FakeInteraction(alice), name="Trip") == (
        "🗑 Deleted playlist **Trip** (0 tracks).")
    assert await private_answer(playlists.delete, FakeInteraction(alice), name="Trip") == (
        "⚠️ You have no playlist called 'Trip'.")
    assert await world.store.list_playlists(alice.id) == []


async def test_show_pages_and_other_peoples_playlists(world: World, playlists: PlaylistCommands) -> None:
    alice, bob = world.member("alice"), world.member("bob")
    await mix(world, alice, n=12)
    text = await private_answer(playlists.show, FakeInteraction(alice), name="Mix", page=2)
    assert text.splitlines() == [f"📁 **Mix** by <@{alice.id}> · private · 12 tracks, page 2/2",
                                 "`11.` [Song 11](<https://e.x/song-11>) — Artist (3:20)",
                                 "`12.` [Song 12](<https://e.x/song-12>) — Artist (3:20)"]
    assert await private_answer(playlists.show, FakeInteraction(alice), name="Mix", page=3) == (
        "⚠️ **Mix** has only 2 pages.")
    assert await private_answer(playlists.show, FakeInteraction(bob), name="Mix", owner=alice) == (
        "⚠️ That playlist is private.")
    await mix(world, bob, "Empty", n=0)
    assert (await private_answer(playlists.show, FakeInteraction(bob), name="Empty")).endswith("page 1/1\n(empty)")


async def test_visibility_global_needs_manage_server(world: World, playlists: PlaylistCommands) -> None:
    alice = world.member("alice")
    await mix(world, alice)
    assert await private_answer(playlists.visibility, FakeInteraction(alice), name="Mix",
                                visibility=choice("global")) == (
        "⚠️ Only someone with Manage Server can make a playlist global.")
    assert (await world.store.get_playlist(alice.id, "Mix")).visibility == "private"
    assert await private_answer(playlists.visibility, FakeInteraction(alice), name="Mix",
                                visibility=choice("public")) == "👁 **Mix** is now public."
    admin = world.member("admin", manage_guild=True)
    await mix(world, admin, "Hits")
    assert await private_answer(playlists.visibility, FakeInteraction(admin), name="Hits",
                                visibility=choice("global")) == "👁 **Hits** is now global."


async def test_remove_and_trim_entries(world: World, playlists: PlaylistCommands) -> None:
    alice = world.member("alice")
    await mix(world, alice, n=5)
    assert await private_answer(playlists.remove, FakeInteraction(alice), name="Mix", positions="five") == (
        "⚠️ 'five' is not a position or a range; use a number like 5 or a range like 3-7.")
    assert await private_answer(playlists.remove, FakeInteraction(alice), name="Mix", positions="2-3") == (
        "🗑 Removed 2 tracks from **Mix**.")
    assert await private_answer(playlists.remove, FakeInteraction(alice), name="Mix", positions="1") == (
        "🗑 Removed [Song 1](<https://e.x/song-1>) — Artist (3:20) from **Mix**.")
    assert await private_answer(playlists.trim, FakeInteraction(alice), name="Mix", position=1, start="+5") == (
        "⚠️ Give the start as a time like 1:23, not '+5'.")
    assert await private_answer(playlists.trim, FakeInteraction(alice), name="Mix", position=1, start="0:30",
                                end="2:10") == (
        "✂ #1 [Song 4](<https://e.x/song-4>) — Artist (1:40) now plays 0:30–2:10.")
    assert await private_answer(playlists.trim, FakeInteraction(alice), name="Mix", position=2, start="1:00") == (
        "✂ #2 [Song 5](<https://e.x/song-5>) — Artist (2:20) now plays 1:00–end.")
    assert (await private_answer(playlists.trim, FakeInteraction(alice), name="Mix", position=9, start="0:10")
            ).startswith("⚠️ ")
    assert await private_answer(playlists.remove, FakeInteraction(alice), name="Nope", positions="1") == (
        "⚠️ You have no playlist called 'Nope'.")
    tracks = await world.store.tracks(await world.store.get_playlist(alice.id, "Mix"))
    assert [(t.title, t.start_ms, t.end_ms) for t in tracks] == [("Song 4", 30_000, 130_000), ("Song 5", 60_000, None)]


# -- adding --------------------------------------------------------------------------------------------------
async def test_add_a_search(world: World, playlists: PlaylistCommands) -> None:
    alice = world.member("alice")
    await mix(world, alice, n=0)
    assert await private_answer(playlists.add, FakeInteraction(alice), name="Nope", what=choice("query"),
                                query="lofi beats") == "⚠️ You have no playlist called 'Nope'."
    assert await private_answer(playlists.add, FakeInteraction(alice), name="Mix", what=choice("query")) == (
        "⚠️ Give a `query` to add (search words or a link).")
    assert world.lavalink.queries == []
    assert await private_answer(playlists.add, FakeInteraction(alice), name="Mix", what=choice("query"),
                                query=PLAYLIST) == "📁 Added 12 tracks to **Mix** (#1–#12)."
    i = FakeInteraction(alice)
    assert await private_answer(playlists.add, i, name="Mix", what=choice("query"), query="nothing here") == (
        "⚠️ Nothing found for 'nothing here'. Try other words or a link.")
    assert (await world.store.get_playlist(alice.id, "Mix")).size == 12


async def test_add_the_current_track_or_the_queue(world: World, playlists: PlaylistCommands) -> None:
    alice = world.member("alice", voice=world.room)
    await mix(world, alice, n=0)
    zed = world.member("zed")
    await mix(world, zed, n=0)
    assert await private_answer(playlists.add, FakeInteraction(zed), name="Mix",
                                what=choice("current")) == NOT_IN_VOICE
    assert (await private_answer(playlists.add, FakeInteraction(alice), name="Mix", what=choice("queue"))
            ).startswith("⚠️ Nothing is playing in ")
    session = await world.playing(world.room)
    assert await private_answer(playlists.add, FakeInteraction(alice), name="Mix", what=choice("current")) == (
        "⚠️ Nothing is playing right now.")
    assert await private_answer(playlists.add, FakeInteraction(alice), name="Mix", what=choice("queue")) == (
        "⚠️ The queue is empty; there is nothing to save.")
    await session.enqueue([track("Now", requester_id=alice.id), *world.songs(2)])
    assert await private_answer(playlists.add, FakeInteraction(alice), name="Mix", what=choice("current")) == (
        "📁 Added [Now](<https://e.x/now>) — Artist (3:20) to **Mix** (#1–#1).")
    assert await private_answer(playlists.add, FakeInteraction(alice), name="Mix", what=choice("queue")) == (
        "📁 Added 3 tracks to **Mix** (#2–#4).")
    saved = await world.store.tracks(await world.store.get_playlist(alice.id, "Mix"))
    assert {t.requester_id for t in saved} == {0}  # a playlist remembers tracks, not who queued them


# -- playing -------------------------------------------------------------------------------------------------
async def test_play_a_playlist_publicly(world: World, playlists: PlaylistCommands) -> None:
    alice = world.member("alice", voice=world.room)
    await mix(world, alice, n=3)
    await invoke(playlists.play, i := FakeInteraction(alice), name="Mix")
    assert (i.text, i.private) == ("🎶 Queued **3 tracks** from **Mix** (10:00) at **#1–#3** — playing now.", False)
    session = world.sessions[world.room.id]
    assert {t.requester_id for t in session.queue.tracks} == {alice.id}
    await invoke(playlists.play, i := FakeInteraction(alice), name="Mix", mode=choice("lifo"))
    assert i.text.endswith("at **#2–#4**.")


async def test_play_refusals_leave_no_session(world: World, playlists: PlaylistCommands) -> None:
    alice, bob = world.member("alice", voice=world.room), world.member("bob", voice=world.room)
    await mix(world, alice, n=2)
    await mix(world, alice, "Empty", n=0)
    assert await private_answer(playlists.play, FakeInteraction(world.member("zed")), name="Mix") == NOT_IN_VOICE
    assert await private_answer(playlists.play, FakeInteraction(bob), name="Mix", owner=alice) == (
        "⚠️ That playlist is private.")
    i = FakeInteraction(alice)
    assert await private_answer(playlists.play, i, name="Empty") == "⚠️ **Empty** is empty."
    assert i.original_deleted
    assert world.koe.routes() == []


# -- suggestions ---------------------------------------------------------------------------------------------
async def test_name_suggestions(world: World, playlists: PlaylistCommands) -> None:
    alice, bob, admin = world.member("alice"), world.member("bob"), world.member("admin")
    await mix(world, alice, "Alpha")
    await mix(world, alice, "Also public", visibility="public")
    await mix(world, bob, "Bob's")
    await mix(world, admin, "All hits", visibility="global")
    assert [c.value for c in await playlists.names(FakeInteraction(alice), "al")] == ["Alpha", "Also public"]
    own_and_global = await playlists.playable_names(FakeInteraction(bob), "")
    assert [c.value for c in own_and_global] == ["Bob's", "All hits"]
    theirs = await playlists.playable_names(FakeInteraction(bob, namespace={"owner": alice}), "")
    assert [c.value for c in theirs] == ["Also public"]
