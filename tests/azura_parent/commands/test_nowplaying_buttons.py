"""The now-playing buttons, pressed with a fake interaction on fake sessions: the view's gate (the player
ended; the presser is not in its channel), the shared rules (the skip policy, the DJ rule) and what each
press does to the session and the message. Dispatched as discord.py does: ``interaction_check``, then the
button's callback, and whatever it raises to the view's ``on_error``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest
import pytest_asyncio
from command_fakes import FakeInteraction, FakeRole, FakeSession, World, track

from azura_common.koe.effects import NO_EFFECTS, Effects
from azura_common.koe.session import CloseReason, RepeatMode, Session
from azura_common.nowplaying import NowPlayingBoard, NowPlayingView, custom_id

DJ = FakeRole(77)
DJ_ONLY = "Only a DJ (the DJ role or Manage Server) can do that while others listen."
DJ_SKIP_BUTTON = "Only a DJ can skip with the button while others listen; use /skip to vote."


@pytest_asyncio.fixture
async def board(world: World) -> AsyncIterator[NowPlayingBoard]:
    async def dj_role_of(session: Session) -> int | None:
        return (await world.store.get_guild_settings(session.guild_id)).dj_role_id

    client = discord.Client(intents=discord.Intents.none())
    yield NowPlayingBoard(client, world.koe, dj_role_of)
    await client.close()


async def press(board: NowPlayingBoard, action: str, interaction: FakeInteraction) -> None:
    view = NowPlayingView(board)
    item = next(i for i in view.children if isinstance(i, discord.ui.Button) and i.custom_id == custom_id(action))
    if not await view.interaction_check(interaction):  # type: ignore[arg-type]
        return
    try:
        await item.callback(interaction)  # type: ignore[arg-type]
    except Exception as error:
        await view.on_error(interaction, error, item)  # type: ignore[arg-type]


def click(member: object) -> FakeInteraction:
    return FakeInteraction(member, message_id=42)  # type: ignore[arg-type]


async def listening(world: World) -> tuple[object, object, FakeSession]:
    """alice (DJ) and bob (not) in the room, a DJ role set, 5 of alice's tracks playing."""
    await world.dj_role(DJ)
    alice = world.member("alice", roles=[DJ], voice=world.room)
    bob = world.member("bob", voice=world.room)
    return alice, bob, await world.playing(world.room, *world.songs(5, requester=alice))  # type: ignore[arg-type]


async def test_a_press_on_an_ended_player(world: World, board: NowPlayingBoard) -> None:
    alice = world.member("alice", voice=world.room)
    await press(board, "skip", i := click(alice))
    assert (i.text, i.private) == ("This player has ended. Start a new one with `/play`.", True)


async def test_only_people_in_the_channel_may_press(world: World, board: NowPlayingBoard) -> None:
    session = await world.playing(world.room, *world.songs(3))
    before = session.snapshot()
    for carol in (world.member("carol"), world.member("dora", voice=world.voice_channel("elsewhere"))):
        await press(board, "skip", i := click(carol))
        assert (i.text, i.private) == (f"Join <#{world.room.id}> to use these buttons.", True)
    assert session.snapshot() == before and session.calls == []


async def test_the_skip_button_follows_the_skip_policy_without_a_vote(world: World, board: NowPlayingBoard) -> None:
    alice, bob, session = await listening(world)
    before = session.snapshot()
    await press(board, "skip", i := click(bob))
    assert (i.text, i.private) == (DJ_SKIP_BUTTON, True)
    assert session.snapshot() == before
    await press(board, "skip", i := click(alice))
    assert i.edited is not None and "#2 of 5" in i.edited.content and session.calls == ["skip"]
    await session.enqueue([track("Bob's", requester_id=bob.id)], position=3)  # type: ignore[attr-defined]
    await press(board, "skip", i := click(bob))  # not his track yet
    assert i.text == DJ_SKIP_BUTTON
    await press(board, "skip", i := click(alice))
    await press(board, "skip", i := click(bob))  # now it is: his own track skips without a DJ
    assert i.edited is not None and "#4 of 6" in i.edited.content


@pytest.mark.parametrize("action", ["stop", "leave", "back"])
async def test_dj_buttons_refuse_others_and_change_nothing(world: World, board: NowPlayingBoard, action: str) -> None:
    _, bob, session = await listening(world)
    await session.skip(1)
    before = session.snapshot()
    await press(board, action, i := click(bob))
    assert (i.text, i.private) == (DJ_ONLY, True)
    assert session.snapshot() == before and world.koe.get(world.room.id) is session


async def test_everyone_may_pause_repeat_and_change_the_volume(world: World, board: NowPlayingBoard) -> None:
    _, bob, session = await listening(world)
    await press(board, "toggle", i := click(bob))
    assert session.paused and i.edited is not None and i.edited.content.splitlines()[1].startswith("⏸ Paused ")
    labels = [c.label for c in i.edited.view.children]  # type: ignore[union-attr]
    assert "▶ Resume" in labels
    await press(board, "toggle", i := click(bob))
    assert not session.paused
    await press(board, "volume_up", i := click(bob))
    assert session.volume == 110 and i.edited is not None and i.edited.content.endswith("🔊 110%")
    await press(board, "volume_down", i := click(bob))
    assert session.volume == 100
    await press(board, "repeat", i := click(bob))
    assert session.queue.repeat is RepeatMode.ALL
    await press(board, "shuffle", i := click(bob))
    assert session.queue.current is not None and session.queue.current.title == "Song 1"
    assert i.response.type is discord.InteractionResponseType.deferred_message_update


async def test_leave_ends_the_session_and_says_who(world: World, board: NowPlayingBoard) -> None:
    alice, _, session = await listening(world)
    await press(board, "leave", i := click(alice))
    assert i.edited is not None and i.edited.view is None
    assert i.edited.content == f"⏏ Left <#{world.room.id}> (leave pressed by <@{alice.id}>)."  # type: ignore[attr-defined]
    assert world.koe.get(world.room.id) is None
    assert session.ended is not None and session.ended.reason is CloseReason.BUTTON
    assert session.ended.detail == "leave pressed by alice"


async def test_a_press_the_session_refuses_is_told_privately(world: World, board: NowPlayingBoard) -> None:
    alice, _, session = await listening(world)
    before = session.snapshot()
    await press(board, "back", i := click(alice))  # the first track has nothing before it
    assert (i.text, i.private) == ("This is the first track; there is nothing before it.", True)
    assert i.edited is None and session.snapshot() == before


# -- effects --
async def test_the_effects_button_is_a_djs_and_clears_every_effect(world: World, board: NowPlayingBoard) -> None:
    alice, bob, session = await listening(world)
    await session.set_effects(Effects(preset="nightcore", equalizer="rock"))
    shown = NowPlayingView(board, await session.get_state())
    assert custom_id("effects_off") in [getattr(i, "custom_id", None) for i in shown.children]
    await press(board, "effects_off", i := click(bob))
    assert (i.text, i.private) == (DJ_ONLY, True) and session.effects.active
    await press(board, "effects_off", j := click(alice))
    assert session.effects == NO_EFFECTS and j.edited is not None and "🎛️" not in j.edited.content
    after = NowPlayingView(board, await session.get_state())  # nothing to clear: no button
    assert custom_id("effects_off") not in [getattr(i, "custom_id", None) for i in after.children]
