"""Handlers of /queue (and its ◀ ▶ pager), /history, /move, /remove and /clear, with a fake interaction and
fake sessions: every permission and error branch, the exact text, who sees it, and nothing changed on errors."""

from __future__ import annotations

import pytest
from command_fakes import DJ_ONLY, NOT_IN_VOICE, FakeInteraction, FakeRole, World, invoke, track

from azura_parent.commands.queue import QueueCommands, QueuePager

DJ_REMOVE = "⚠️ You can remove your own tracks; removing other people's needs a DJ."
DJ = FakeRole(77)


@pytest.fixture
def queue(world: World) -> QueueCommands:
    return QueueCommands(world)


# -- /queue --------------------------------------------------------------------------------------------------
async def test_queue_shows_the_page_with_the_current_track(world: World, queue: QueueCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, *world.songs(25))
    await session.skip(to=12)
    await invoke(queue.queue, i := FakeInteraction(alice))
    lines = i.text.splitlines()
    assert not i.private
    assert lines[0] == "📜 **Queue in room** — 25 tracks, page 2/3"
    assert lines[1].startswith("`✓11.` [Song 11]") and lines[2].startswith("`▶12.` [Song 12]")
    assert len(lines) == 11
    pager = i.last.view
    assert isinstance(pager, QueuePager)
    assert not pager.previous.disabled and not pager.next.disabled


async def test_queue_page_and_the_pager(world: World, queue: QueueCommands) -> None:
    alice = world.member("alice", voice=world.room)
    await world.playing(world.room, *world.songs(15))
    await invoke(queue.queue, i := FakeInteraction(alice), page=2)
    assert i.text.splitlines()[0] == "📜 **Queue in room** — 15 tracks, page 2/2"
    pager = i.last.view
    assert isinstance(pager, QueuePager) and pager.next.disabled and not pager.previous.disabled
    press = FakeInteraction(alice, message_id=1)
    await pager.previous.callback(press)
    assert press.edited is not None and press.edited.content.splitlines()[0].endswith("page 1/2")
    assert isinstance(press.edited.view, QueuePager) and press.edited.view.previous.disabled


async def test_the_pager_of_an_ended_session_says_so_privately(world: World, queue: QueueCommands) -> None:
    alice = world.member("alice", voice=world.room)
    await world.playing(world.room, *world.songs(15))
    await invoke(queue.queue, i := FakeInteraction(alice))
    pager = i.last.view
    assert isinstance(pager, QueuePager)
    await world.koe.destroy(world.room.id)
    press = FakeInteraction(alice, message_id=1)
    try:
        await pager.next.callback(press)
    except Exception as error:  # discord.py hands it to the view's on_error
        await pager.on_error(press, error, pager.next)
    assert (press.text, press.private) == ("⚠️ That session has ended; its queue is gone.", True)
    assert press.edited is None


async def test_a_queue_page_past_the_end(world: World, queue: QueueCommands) -> None:
    await world.playing(world.room, *world.songs(15))
    i = FakeInteraction(world.member("alice", voice=world.room))
    await invoke(queue.queue, i, page=3)
    assert (i.text, i.private) == ("⚠️ The queue has only 2 pages.", True)


async def test_queue_needs_voice_and_a_session(world: World, queue: QueueCommands) -> None:
    await invoke(queue.queue, i := FakeInteraction(world.member("zed")))
    assert (i.text, i.private) == (NOT_IN_VOICE, True)
    other = world.voice_channel("other")
    await invoke(queue.queue, i := FakeInteraction(world.member("amy", voice=other)))
    assert (i.text, i.private) == (f"⚠️ Nothing is playing in <#{other.id}>. Start something with `/play`.", True)


# -- /history ------------------------------------------------------------------------------------------------
async def test_history(world: World, queue: QueueCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, track("First", requester_id=alice.id), *world.songs(3))
    await invoke(queue.history, i := FakeInteraction(alice))
    assert (i.text, i.private) == ("📜 Nothing has played yet.", False)
    await session.skip(to=3)
    await invoke(queue.history, i := FakeInteraction(alice))
    assert i.text.splitlines() == [
        "📜 **Recently played in room**",
        f"`1.` [First](<https://e.x/first>) — Artist (3:20) · <@{alice.id}>",
        "`2.` [Song 1](<https://e.x/song-1>) — Artist (3:20)",
    ]


async def test_history_needs_voice_and_a_session(world: World, queue: QueueCommands) -> None:
    await invoke(queue.history, i := FakeInteraction(world.member("zed")))
    assert (i.text, i.private) == (NOT_IN_VOICE, True)
    await invoke(queue.history, i := FakeInteraction(world.member("amy", voice=world.room)))
    assert i.private and i.text.startswith("⚠️ Nothing is playing in ")


# -- /move ---------------------------------------------------------------------------------------------------
async def test_move(world: World, queue: QueueCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, *world.songs(5))
    await invoke(queue.move, i := FakeInteraction(alice), from_position=5, to_position=2)
    assert (i.text, i.private) == ("↕ Moved **Song 5** from #5 to #2.", False)
    assert [t.title for t in session.queue.tracks][:3] == ["Song 1", "Song 5", "Song 2"]


async def test_move_the_queue_refuses_changes_nothing(world: World, queue: QueueCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, *world.songs(5))
    before = session.snapshot()
    await invoke(queue.move, i := FakeInteraction(alice), from_position=9, to_position=2)
    assert i.private and i.text.startswith("⚠️ ") and session.snapshot() == before
    await invoke(queue.move, i := FakeInteraction(world.member("zed")), from_position=3, to_position=2)
    assert (i.text, i.private) == (NOT_IN_VOICE, True) and session.snapshot() == before
    await invoke(queue.move, i := FakeInteraction(world.member("amy", voice=world.voice_channel("x"))),
                 from_position=3, to_position=2)
    assert i.private and i.text.startswith("⚠️ Nothing is playing in ") and session.snapshot() == before


# -- /remove -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("options", [{}, {"positions": "2", "absent": True}, {"positions": "2", "user": "bob"}])
async def test_remove_needs_exactly_one_target(world: World, queue: QueueCommands, options: dict[str, object]) -> None:
    bob = world.member("bob", voice=world.room)
    session = await world.playing(world.room, *world.songs(4))
    before = session.snapshot()
    if options.get("user"):
        options = {**options, "user": bob}
    await invoke(queue.remove, i := FakeInteraction(bob), **options)
    assert (i.text, i.private) == ("⚠️ Choose exactly one of `positions`, `user` or `absent`.", True)
    assert session.snapshot() == before


async def test_remove_refuses_a_malformed_range_before_anything_else(world: World, queue: QueueCommands) -> None:
    await invoke(queue.remove, i := FakeInteraction(world.member("zed")), positions="7-3")
    assert (i.text, i.private) == ("⚠️ The range 7-3 runs backwards; write it as 3-7.", True)
    await invoke(queue.remove, i := FakeInteraction(world.member("zed")), positions="2")
    assert (i.text, i.private) == (NOT_IN_VOICE, True)


async def test_removing_other_peoples_tracks_needs_a_dj(world: World, queue: QueueCommands) -> None:
    await world.dj_role(DJ)
    alice = world.member("alice", roles=[DJ], voice=world.room)
    bob = world.member("bob", voice=world.room)
    session = await world.playing(world.room, *world.songs(4, requester=alice), track("Bob's", requester_id=bob.id))
    before = session.snapshot()
    for options in ({"positions": "3"}, {"positions": "4-5"}, {"user": alice}, {"absent": True}):
        await invoke(queue.remove, i := FakeInteraction(bob), **options)
        assert (i.text, i.private) == (DJ_REMOVE, True), options
    assert session.snapshot() == before and session.calls == []
    await invoke(queue.remove, i := FakeInteraction(bob), positions="5")
    assert (i.text, i.private) == ("🗑 Removed [Bob's](<https://e.x/bob's>) — Artist (3:20).", False)
    await invoke(queue.remove, i := FakeInteraction(alice), positions="3-4")
    assert i.text == "🗑 Removed 2 tracks." and session.queue.total == 2


async def test_remove_a_users_tracks_and_absent_members(world: World, queue: QueueCommands) -> None:
    alice = world.member("alice", voice=world.room)
    gone = world.member("gone")
    session = await world.playing(world.room, *world.songs(2, requester=alice),
                                  track("Left behind", requester_id=gone.id), track("Also", requester_id=gone.id))
    await invoke(queue.remove, i := FakeInteraction(alice), absent=True)
    assert i.text == "🗑 Removed 2 tracks." and session.queue.total == 2
    await invoke(queue.remove, i := FakeInteraction(alice), user=alice)
    assert i.text.startswith("🗑 Removed [Song 2]")  # the current track stays
    await invoke(queue.remove, i := FakeInteraction(alice), user=gone)
    assert (i.text, i.private) == ("Nothing matched; the queue is unchanged.", False)


async def test_remove_without_a_session(world: World, queue: QueueCommands) -> None:
    await invoke(queue.remove, i := FakeInteraction(world.member("amy", voice=world.room)), positions="2")
    assert i.private and i.text.startswith("⚠️ Nothing is playing in ")


# -- /clear --------------------------------------------------------------------------------------------------
async def test_clear_needs_a_dj(world: World, queue: QueueCommands) -> None:
    await world.dj_role(DJ)
    alice = world.member("alice", roles=[DJ], voice=world.room)
    bob = world.member("bob", voice=world.room)
    session = await world.playing(world.room, *world.songs(6))
    before = session.snapshot()
    await invoke(queue.clear, i := FakeInteraction(bob))
    assert (i.text, i.private) == (DJ_ONLY, True) and session.snapshot() == before
    await invoke(queue.clear, i := FakeInteraction(alice))
    assert (i.text, i.private) == ("🧹 Cleared 5 upcoming tracks.", False)
    assert session.queue.total == 1 and world.poked == [world.room.id]


async def test_clear_needs_voice_and_a_session(world: World, queue: QueueCommands) -> None:
    await invoke(queue.clear, i := FakeInteraction(world.member("zed")))
    assert (i.text, i.private) == (NOT_IN_VOICE, True)
    await invoke(queue.clear, i := FakeInteraction(world.member("amy", voice=world.room)))
    assert i.private and i.text.startswith("⚠️ Nothing is playing in ")


# -- suggestions for positions -------------------------------------------------------------------------------
async def test_position_suggestions(world: World, queue: QueueCommands) -> None:
    alice = world.member("alice", voice=world.room)
    assert await queue.upcoming_positions(FakeInteraction(alice), "") == []  # no session: nothing to suggest
    session = await world.playing(world.room, *world.songs(40))
    await session.skip(to=3)
    found = await queue.upcoming_positions(FakeInteraction(alice), "")
    assert [c.value for c in found][:2] == [4, 5] and len(found) == 25  # from the next track
    assert found[0].name == "#4 Song 4"
    typed = await queue.upcoming_positions(FakeInteraction(alice), "30")
    assert [c.value for c in typed] == list(range(30, 41))
    ranges = await queue.upcoming_ranges(FakeInteraction(alice), "30-3")
    assert [c.value for c in ranges][:2] == ["30", "31"]
