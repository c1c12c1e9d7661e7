"""Several bots in one child process (AZURA_CHILD_BOTS), on real processes against the fakes.

One process of four bots plays in four channels (four bot users in Discord, one gRPC server); a kill -9 of that
process fails all four sessions over to the bots of another process, each on the same track at the same place.
A call naming a bot the process does not run is refused, saying which bots it runs.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio

from azura_common.koe.errors import InvalidArgument
from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb
from azura_common.koe.remote import ChildConnection
from azura_sandbox.fake_discord.world import Channel, User
from azura_sandbox.testing import Sandbox
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="function"), pytest.mark.slow]

FAILOVER_GOAL_S = 3.0  # as for a single-bot child (tests/azura_parent/test_e2e_faults.py)
POSITION_GOAL_MS = 2_000
ROOMS = 5  # the parent plays in the first; the four bots of one process in the others
FIRST = [f"mb-a{i}" for i in range(1, 5)]  # process 1's bots
SECOND = [f"mb-b{i}" for i in range(1, 5)]  # process 2's bots


@pytest_asyncio.fixture(loop_scope="function")
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = await Sandbox.start(speed=1.0, voice_channels=ROOMS, user_names=tuple(f"fan-{i}" for i in range(ROOMS)))
    try:
        yield sb
    finally:
        await sb.stop()


def playing(sb: Sandbox, room: Channel) -> dict[str, Any] | None:
    """The one player heard in ``room`` (None if none, or if two would be heard)."""
    found = [p for p in sb.lavalink.players_truth() if p["channel_id"] == str(room.id) and p["track_title"]
             and p["session_attached"] and not p["paused"]]
    return found[0] if len(found) == 1 else None


async def play(sb: Sandbox, user: User, room: Channel, query: str) -> None:
    await sb.discord.user_join_voice(user, room)
    result = await sb.discord.invoke(user, sb.guild, sb.text, "play", {"query": query}, timeout_s=15)
    assert not result.private and not result.text.startswith("⚠️"), result.text


async def test_four_bots_in_one_process_play_in_four_channels_and_all_fail_over_when_it_is_killed(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sb = sandbox
    names = FIRST + SECOND
    first = await sb.spawn_bots(names, bots=4, index=1)
    # The second process's bots are in no server yet: the four sessions can only go to the first process.
    for name in SECOND:
        await sb.discord.remove_bot_from_guild(sb.discord.bot(name), sb.guild)
    second = await sb.spawn_bots(names, bots=4, index=2)
    await sb.spawn_parent("mb-parent", [first, second], tmp_path / "azura.db")
    fans = list(sb.users.values())
    await play(sb, fans[0], sb.voices[0], "lofi")  # the parent takes the first channel itself
    for fan, room in zip(fans[1:], sb.voices[1:], strict=True):
        await play(sb, fan, room, f"song for {room.name}")
    rooms = sb.voices[1:]
    before: dict[int, dict[str, Any]] = {}
    for room in rooms:
        before[room.id] = await eventually(functools.partial(playing, sb, room), timeout=10,
                                           what=f"music in {room.name}")
    first_bots = {sb.discord.bot(name).user_id for name in FIRST}
    players = {int(p["user_id"]) for p in before.values()}
    assert players == first_bots, "four channels, four different bots, all of the one process"
    assert {bot for room in rooms for bot in sb.discord.voice_members(room) if bot in first_bots} == first_bots

    for name in SECOND:  # now the second process's bots can take over
        await sb.discord.add_bot_to_guild(sb.discord.bot(name), sb.guild)
    await asyncio.sleep(1.0)  # they see the server
    before = {room.id: playing(sb, room) or {} for room in rooms}
    killed = time.monotonic()
    first.kill()

    def moved(room: Channel) -> dict[str, Any] | None:
        now = playing(sb, room)
        gone = int(now["user_id"]) not in first_bots if now else False
        return now if now and gone and now["track_title"] == before[room.id].get("track_title") else None

    after: dict[int, dict[str, Any]] = {}
    took: dict[int, float] = {}
    while len(after) < len(rooms) and time.monotonic() - killed < 15:
        for room in rooms:
            if room.id not in after and (now := moved(room)) is not None:
                after[room.id], took[room.id] = now, time.monotonic() - killed
        await asyncio.sleep(0.02)
    assert len(after) == len(rooms), f"moved: {sorted(after)}; the second process:\n{second.log_tail()}"
    errors = {room.id: abs(after[room.id]["position_ms"] - (before[room.id]["position_ms"] + took[room.id] * 1000))
              for room in rooms}
    second_bots = {sb.discord.bot(name).user_id for name in SECOND}
    print(f"multibot kill -9 of a 4-bot process: 4 sessions on {len({int(p['user_id']) for p in after.values()})} "
          f"bots of the other process after {max(took.values()):.2f} s (first {min(took.values()):.2f} s), "
          f"position error ≤ {max(errors.values()):.0f} ms")
    assert {int(p["user_id"]) for p in after.values()} == second_bots
    assert max(took.values()) <= FAILOVER_GOAL_S * 2, took  # four at once on a loaded 2-core machine
    assert max(errors.values()) <= POSITION_GOAL_MS, errors
    assert playing(sb, sb.voices[0]) is not None  # the parent's own channel never noticed


async def test_a_call_for_a_bot_the_process_does_not_run_is_refused_saying_which_it_runs(sandbox: Sandbox) -> None:
    sb = sandbox
    child = await sb.spawn_bots(["mb-x1", "mb-x2"])
    connection = ChildConnection(child.address, sb.secret)
    try:
        # Both bots answer, each for itself.
        for slot in (1, 2):
            reply = await connection.for_bot(slot).call(connection.stub.ListSessions, pb.ListSessionsRequest())
            assert list(reply.sessions) == []
        stranger = connection.for_bot(7)
        with pytest.raises(InvalidArgument) as refused:
            await stranger.call(stranger.stub.ListSessions, pb.ListSessionsRequest())
        assert "runs bots 1-2; there is no bot 7" in refused.value.message
        # The Link stream too: refused before any bot sees it.
        call = stranger.stub.Link(iter(()), metadata=stranger.metadata)
        with pytest.raises(grpc.aio.AioRpcError) as link_refused:
            async for _ in call:
                pass
        assert link_refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert "there is no bot 7" in (link_refused.value.details() or "")
        # Not a number at all: refused the same way.
        garbled = (*connection.metadata, ("azura-bot", "two"))
        with pytest.raises(grpc.aio.AioRpcError) as bad:
            await connection.stub.ListSessions(pb.ListSessionsRequest(), metadata=garbled, timeout=5)
        assert bad.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert "must be a bot slot number" in (bad.value.details() or "")
    finally:
        await connection.close()
