"""Handlers of /play, /pause, /resume, /stop, /leave, /skip, /back, /seek, /volume, /repeat, /shuffle and
/nowplaying, with a fake interaction and fake sessions: every permission and error branch, the exact text
the user reads, whether only they see it, and that a refused command changes nothing."""

from __future__ import annotations

import pytest
from command_fakes import (
    DJ_ONLY,
    NOT_IN_VOICE,
    PLAYLIST,
    FakeInteraction,
    FakeRole,
    World,
    choice,
    invoke,
    private_text,
    track,
)

from azura_common.koe.session import CloseReason, RepeatMode
from azura_parent.commands.music import MusicCommands

NOTHING_PLAYING = "⚠️ Nothing is playing right now."
DJ_SKIP = "⚠️ Only a DJ can skip by more than one or jump to a position while others listen."
DJ = FakeRole(77)


@pytest.fixture
def music(world: World) -> MusicCommands:
    return MusicCommands(world)


def no_session(world: World) -> str:
    return f"⚠️ Nothing is playing in <#{world.room.id}>. Start something with `/play`."


async def refused(command: object, interaction: FakeInteraction, expected: str, **options: object) -> None:
    assert await private_text(command, interaction, **options) == expected  # type: ignore[arg-type]


async def with_dj_role(world: World) -> tuple[object, object, object]:
    """alice (DJ) and bob (not) listen in the room; a DJ role is set."""
    await world.dj_role(DJ)
    alice = world.member("alice", roles=[DJ], voice=world.room)
    bob = world.member("bob", voice=world.room)
    return alice, bob, DJ


# -- /play -----------------------------------------------------------------------------------------------
async def test_play_outside_voice_is_a_private_error_and_searches_nothing(world: World, music: MusicCommands) -> None:
    alice = world.member("alice")
    await refused(music.play, FakeInteraction(alice), NOT_IN_VOICE, query="lofi beats")
    assert world.lavalink.queries == [] and world.koe.routes() == []


async def test_play_in_dms_says_servers_only(world: World, music: MusicCommands) -> None:
    interaction = FakeInteraction(world.member("alice", voice=world.room), guild=None)
    interaction.guild = None  # type: ignore[assignment]
    await refused(music.play, interaction, "⚠️ Music commands work in a server, not in DMs.", query="x")


async def test_play_one_track_starts_a_session_publicly(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    i = FakeInteraction(alice)
    await invoke(music.play, i, query="lofi beats")
    assert not i.private
    assert i.text == "🎶 Queued [Lofi Beats](<https://e.x/lofi-beats>) — Chill Girl (3:00) at **#1** — playing now."
    session = world.sessions[world.room.id]
    assert session.queue.current is not None and session.queue.current.requester_id == alice.id
    assert session.text_channel_id == i.channel_id and world.poked == [world.room.id]


async def test_play_a_playlist_queues_all_of_it(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    i = FakeInteraction(alice)
    await invoke(music.play, i, query=PLAYLIST)
    assert i.text == "🎶 Queued **12 tracks** from **Test Mix** (40:00) at **#1–#12** — playing now."
    await invoke(music.play, j := FakeInteraction(alice), query="calm piano", mode=choice("lifo"))
    assert j.text == "🎶 Queued [Calm Piano](<https://e.x/calm-piano>) — Keys (4:00) at **#2**."
    await invoke(music.play, k := FakeInteraction(alice), query="lofi beats", position=5)
    assert k.text.endswith("at **#5**.")


async def test_play_uses_the_users_mode_and_last_volume(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    await world.store.set_enqueue_mode(alice.id, "lifo")
    await world.store.set_last_volume(alice.id, 40)
    await invoke(music.play, FakeInteraction(alice), query=PLAYLIST)
    assert world.sessions[world.room.id].volume == 40
    await invoke(music.play, i := FakeInteraction(alice), query="calm piano")
    assert i.text.endswith("at **#2**.")


async def test_play_that_finds_nothing_leaves_no_session_behind(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    i = FakeInteraction(alice)
    await invoke(music.play, i, query="nothing at all")
    assert (i.text, i.private) == ("⚠️ Nothing found for 'nothing at all'. Try other words or a link.", True)
    assert i.original_deleted  # the public "thinking…" went away: the error is for alice only
    assert world.koe.routes() == []


async def test_play_that_cannot_enqueue_closes_the_session_it_opened(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    i = FakeInteraction(alice)
    await invoke(music.play, i, query="lofi beats", position=7)  # an empty queue has no position 7
    assert i.private and i.text.startswith("⚠️ ")
    assert world.koe.routes() == []
    session = world.sessions[world.room.id]
    assert session.ended is not None and session.ended.reason is CloseReason.DISCONNECT


async def test_play_suggestions(world: World, music: MusicCommands) -> None:
    i = FakeInteraction(world.member("alice"))
    assert await music.play_suggestions(i, "lo") == []  # too short to guess
    assert await music.play_suggestions(i, "https://x") == []  # a link is what it is
    assert await music.play_suggestions(i, "nothing here") == []  # a failed search suggests nothing
    found = await music.play_suggestions(i, "lofi beats")
    assert [(c.name, c.value) for c in found] == [("Lofi Beats — Chill Girl", "https://e.x/lofi-beats")]


# -- sessions that must exist ------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "options"), [("pause", {}), ("resume", {}), ("stop", {}), ("leave", {}),
                                               ("skip", {}), ("back", {}), ("shuffle", {}), ("nowplaying", {}),
                                               ("repeat", {"mode": choice("one")}), ("volume", {"level": "80"}),
                                               ("seek", {"time": "1:00"})])
async def test_without_a_session_every_command_says_so(world: World, music: MusicCommands, name: str,
                                                       options: dict[str, object]) -> None:
    alice = world.member("alice", voice=world.room)
    await refused(getattr(music, name), FakeInteraction(alice), no_session(world), **options)
    assert world.koe.routes() == []
    assert (await world.store.get_user_settings(alice.id)).last_volume is None


@pytest.mark.parametrize(("name", "options"), [("pause", {}), ("resume", {}), ("stop", {}), ("leave", {}),
                                               ("skip", {}), ("back", {}), ("shuffle", {}), ("nowplaying", {}),
                                               ("repeat", {"mode": choice("one")}), ("volume", {"level": "80"}),
                                               ("seek", {"time": "1:00"})])
async def test_outside_voice_every_command_says_join_one(world: World, music: MusicCommands, name: str,
                                                        options: dict[str, object]) -> None:
    session = await world.playing(world.room, *world.songs(3))
    before = session.snapshot()
    await refused(getattr(music, name), FakeInteraction(world.member("zed")), NOT_IN_VOICE, **options)
    assert session.snapshot() == before and session.calls == []


# -- pause / resume ----------------------------------------------------------------------------------------
async def test_pause_and_resume(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, *world.songs(2))
    await invoke(music.pause, i := FakeInteraction(alice))
    assert (i.text, i.private, session.paused) == (f"⏸ Paused in <#{world.room.id}>.", False, True)
    await invoke(music.resume, j := FakeInteraction(alice))
    assert (j.text, j.private, session.paused) == (f"▶ Resumed in <#{world.room.id}>.", False, False)
    assert world.poked == [world.room.id, world.room.id]


@pytest.mark.parametrize("name", ["pause", "resume"])
async def test_pause_or_resume_with_nothing_playing(world: World, music: MusicCommands, name: str) -> None:
    await world.playing(world.room)
    i = FakeInteraction(world.member("alice", voice=world.room))
    await refused(getattr(music, name), i, NOTHING_PLAYING)
    assert i.original_deleted  # refused after "thinking…": that placeholder is gone


# -- the DJ's commands: stop, leave ------------------------------------------------------------------------
async def test_stop_needs_a_dj_while_others_listen(world: World, music: MusicCommands) -> None:
    alice, bob, _ = await with_dj_role(world)
    session = await world.playing(world.room, *world.songs(4))
    before = session.snapshot()
    await refused(music.stop, FakeInteraction(bob), DJ_ONLY)
    assert session.snapshot() == before and session.calls == []
    await invoke(music.stop, i := FakeInteraction(alice))
    assert i.text == f"⏹ Stopped in <#{world.room.id}> and cleared the upcoming tracks." and not i.private
    assert session.queue.current is None and session.calls == ["stop"]


async def test_manage_server_or_being_alone_counts_as_dj(world: World, music: MusicCommands) -> None:
    await world.dj_role(DJ)
    mod = world.member("mod", manage_guild=True, voice=world.room)
    world.member("bob", voice=world.room)
    session = await world.playing(world.room, *world.songs(4))
    await invoke(music.stop, i := FakeInteraction(mod))
    assert i.text.startswith("⏹ Stopped") and session.calls == ["stop"]
    lonely = world.voice_channel("lonely")
    carol = world.member("carol", voice=lonely)
    other = await world.playing(lonely, *world.songs(2))
    await invoke(music.stop, j := FakeInteraction(carol))
    assert j.text.startswith("⏹ Stopped") and other.calls == ["stop"]


async def test_leave_needs_a_dj_and_ends_the_session_saying_who(world: World, music: MusicCommands) -> None:
    alice, bob, _ = await with_dj_role(world)
    session = await world.playing(world.room, *world.songs(2))
    await refused(music.leave, FakeInteraction(bob), DJ_ONLY)
    assert session.ended is None and world.koe.get(world.room.id) is session
    await invoke(music.leave, i := FakeInteraction(alice))
    assert (i.text, i.private) == (f"👋 Left <#{world.room.id}>.", False)
    assert world.koe.get(world.room.id) is None
    assert session.ended is not None
    assert (session.ended.reason, session.ended.detail) == (CloseReason.DISCONNECT, "/leave by alice")


# -- /skip: the skip policy ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "expected"),
    [({"by": 2, "to": 3}, "⚠️ Use either `by` or `to`, not both."),
     ({"by": 0}, "⚠️ Skipping by 0 tracks does nothing; use a positive or negative number.")],
)
async def test_skip_options_that_make_no_sense(world: World, music: MusicCommands, options: dict[str, int],
                                               expected: str) -> None:
    session = await world.playing(world.room, *world.songs(4))
    before = session.snapshot()
    await refused(music.skip, FakeInteraction(world.member("alice")), expected, **options)  # checked before voice
    assert session.snapshot() == before


async def test_skip_with_nothing_playing(world: World, music: MusicCommands) -> None:
    await world.playing(world.room)
    await refused(music.skip, FakeInteraction(world.member("alice", voice=world.room)), NOTHING_PLAYING)


@pytest.mark.parametrize("options", [{"by": 2}, {"by": -1}, {"to": 3}])
async def test_forced_skips_need_a_dj(world: World, music: MusicCommands, options: dict[str, int]) -> None:
    alice, bob, _ = await with_dj_role(world)
    session = await world.playing(world.room, *world.songs(5, requester=bob))  # even bob's own tracks
    await session.skip(1)
    session.calls.clear()
    before = session.snapshot()
    await refused(music.skip, FakeInteraction(bob), DJ_SKIP, **options)
    assert session.snapshot() == before and session.calls == []
    await invoke(music.skip, i := FakeInteraction(alice), **options)
    assert i.text.startswith("⏭ Skipped to **#") and session.calls == ["skip"]


async def test_a_plain_skip_is_a_vote_of_the_listeners(world: World, music: MusicCommands) -> None:
    await world.dj_role(DJ)
    bob, carol, dave = (world.member(n, voice=world.room) for n in ("bob", "carol", "dave"))
    world.member("erin", voice=world.room)
    session = await world.playing(world.room, *world.songs(3))
    await invoke(music.skip, i := FakeInteraction(bob))
    assert (i.text, i.private) == (f"🗳 <@{bob.id}> voted to skip **Song 1** (1/3 votes).", False)
    await invoke(music.skip, i := FakeInteraction(bob))  # voting twice counts once
    assert i.text == f"🗳 <@{bob.id}> voted to skip **Song 1** (1/3 votes)."
    await invoke(music.skip, i := FakeInteraction(carol))
    assert i.text == f"🗳 <@{carol.id}> voted to skip **Song 1** (2/3 votes)."
    assert session.calls == [] and session.queue.current_position == 1
    await invoke(music.skip, i := FakeInteraction(dave))
    assert i.text == "⏭ Skipped to **#2** [Song 2](<https://e.x/song-2>) — Artist (3:20)."
    assert session.calls == ["skip"]
    await invoke(music.skip, i := FakeInteraction(bob))  # a new track, a new vote
    assert i.text.endswith("(1/3 votes).")


async def test_a_vote_passes_when_voters_are_a_majority_of_who_is_left(world: World, music: MusicCommands) -> None:
    await world.dj_role(DJ)
    bob, carol, dave = (world.member(n, voice=world.room) for n in ("bob", "carol", "dave"))
    session = await world.playing(world.room, *world.songs(3))
    await invoke(music.skip, FakeInteraction(bob))
    world.leave(dave)
    await invoke(music.skip, i := FakeInteraction(carol))
    assert i.text.startswith("⏭ Skipped to **#2** ") and session.queue.current_position == 2


async def test_your_own_track_skips_without_a_vote(world: World, music: MusicCommands) -> None:
    _, bob, _ = await with_dj_role(world)
    session = await world.playing(world.room, *world.songs(3, requester=bob))
    await invoke(music.skip, i := FakeInteraction(bob))
    assert i.text.startswith("⏭ Skipped to **#2** ") and session.calls == ["skip"]


async def test_skipping_past_the_end(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    await world.playing(world.room, *world.songs(1))
    await invoke(music.skip, i := FakeInteraction(alice))
    assert i.text == "⏭ Skipped: that was the end of the queue."


async def test_a_skip_the_queue_refuses_changes_nothing(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, *world.songs(3))
    before = session.snapshot()
    await invoke(music.skip, i := FakeInteraction(alice), to=9)
    assert i.private and i.text.startswith("⚠️ ") and "9" in i.text
    assert session.snapshot() == before


# -- /back ---------------------------------------------------------------------------------------------------
async def test_back_by_one_is_anyones_further_a_djs(world: World, music: MusicCommands) -> None:
    alice, bob, _ = await with_dj_role(world)
    session = await world.playing(world.room, *world.songs(5))
    await session.skip(to=4)
    session.calls.clear()
    await refused(music.back, FakeInteraction(bob), DJ_ONLY, by=2)
    assert session.queue.current_position == 4 and session.calls == []
    await invoke(music.back, i := FakeInteraction(bob), by=1)
    assert i.text == "⏮ Back to **#3** [Song 3](<https://e.x/song-3>) — Artist (3:20)."
    await invoke(music.back, i := FakeInteraction(alice), by=2)
    assert i.text.startswith("⏮ Back to **#1** ")


async def test_back_further_than_the_history(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, *world.songs(3))
    await session.skip(1)
    before = session.snapshot()
    await invoke(music.back, i := FakeInteraction(alice), by=5)
    assert (i.text, i.private) == ("⚠️ You can go back at most 1 track from here.", True)
    assert session.snapshot() == before


# -- /seek, /volume ------------------------------------------------------------------------------------------
async def test_seek(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, *world.songs(2))
    await invoke(music.seek, i := FakeInteraction(alice), time="1:23")
    assert (i.text, i.private) == ("⏩ Now at 1:23 in **Song 1**.", False)
    await invoke(music.seek, i := FakeInteraction(alice), time="-20")
    assert i.text == "⏩ Now at 1:03 in **Song 1**." and session.position_ms == 63_000


async def test_seek_refuses_what_is_not_a_time_before_anything_else(world: World, music: MusicCommands) -> None:
    session = await world.playing(world.room, *world.songs(2))
    await refused(music.seek, FakeInteraction(world.member("zed")),
                  "⚠️ 'soon' is not a time. Use 1:23 to jump there, +15 to go forward or -10 to go back.", time="soon")
    assert session.calls == []


async def test_seek_outside_the_track_changes_nothing(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, *world.songs(1))
    before = session.snapshot()
    await invoke(music.seek, i := FakeInteraction(alice), time="9:00")
    assert i.private and i.text.startswith("⚠️ ") and session.snapshot() == before


async def test_volume_absolute_and_by_the_users_step(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, *world.songs(1))
    await invoke(music.volume, i := FakeInteraction(alice), level="80")
    assert (i.text, i.private) == (f"🔊 Volume 80% in <#{world.room.id}>.", False)
    assert (await world.store.get_user_settings(alice.id)).last_volume == 80
    await world.store.set_volume_step(alice.id, 15)
    await invoke(music.volume, i := FakeInteraction(alice), level="+")
    assert i.text.startswith("🔊 Volume 95% ") and session.volume == 95


async def test_volume_errors_change_nothing(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, *world.songs(1))
    await refused(music.volume, FakeInteraction(alice),
                  "⚠️ 'loud' is not a volume. Use a number from 0 to 1000, or + / - to step it.", level="loud")
    await refused(music.volume, FakeInteraction(alice), "⚠️ Volume must be between 0 and 1000, not 1001.",
                  level="1001")
    assert session.volume == 100 and (await world.store.get_user_settings(alice.id)).last_volume is None


# -- /repeat, /shuffle, /nowplaying ---------------------------------------------------------------------------
@pytest.mark.parametrize(("mode", "text"), [("none", "➡ Repeat is off."), ("one", "🔂 Repeating the current track."),
                                            ("all", "🔁 Repeating the whole queue.")])
async def test_repeat(world: World, music: MusicCommands, mode: str, text: str) -> None:
    session = await world.playing(world.room, *world.songs(2))
    await invoke(music.repeat, i := FakeInteraction(world.member("alice", voice=world.room)), mode=choice(mode))
    assert (i.text, i.private, session.queue.repeat) == (text, False, RepeatMode(mode))


async def test_shuffle_counts_what_it_shuffled(world: World, music: MusicCommands) -> None:
    session = await world.playing(world.room, *world.songs(6))
    await invoke(music.shuffle, i := FakeInteraction(world.member("alice", voice=world.room)))
    assert (i.text, i.private) == ("🔀 Shuffled 5 upcoming tracks.", False)
    assert session.queue.current is not None and session.queue.current.title == "Song 1"


async def test_nowplaying(world: World, music: MusicCommands) -> None:
    alice = world.member("alice", voice=world.room)
    await world.playing(world.room, track("Tune", requester_id=alice.id), track("Next"))
    await invoke(music.nowplaying, i := FakeInteraction(alice))
    assert not i.private
    assert i.text.splitlines()[0] == f"▶ Playing [Tune](<https://e.x/tune>) — Artist (3:20) · <@{alice.id}>"
    assert i.text.splitlines()[2] == "#1 of 2 · 1 up next · 🔊 100%"
