"""Children are interchangeable: replicas started with one environment (no index of their own) each get a
different token index from the parent over the Link, so each logs in as a different bot; a restarted parent
learns who holds what from its children before handing out a free index. Real processes, the sandbox fakes.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import grpc
import pytest
from e2e_cluster import Cluster

from azura_sandbox.testing import ChildProcess, Sandbox, free_port
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

USERS = ("alice", "bob", "carol", "dave")


def replica(sb: Sandbox, tokens: str, **more: str) -> ChildProcess:
    """A child with the replicas' one environment: the token list, no index of its own."""
    env = {**sb.child_env("unused", free_port()), "AZURA_CHILD_TOKEN": "", "AZURA_CHILD_TOKENS": tokens, **more}
    child = ChildProcess(env)
    sb.children.append(child)
    child.start()
    return child


async def wait_waiting(child: ChildProcess) -> None:
    """Until the child serves gRPC and says NOT_SERVING: up, and waiting for a token index."""

    async def waiting() -> bool:
        try:
            return await child.health() == "NOT_SERVING"
        except grpc.aio.AioRpcError:
            return False

    await child.wait_until(waiting, 30, f"{child.address} serving gRPC, waiting for an index")


def bot_ids(c: Cluster, *names: str) -> set[int]:
    return {c.bot_id(name) for name in names}


async def test_three_replicas_with_one_environment_are_three_bots_and_a_restarted_parent_keeps_the_map(
    tmp_path: Path,
) -> None:
    sb = await Sandbox.start(user_names=USERS, voice_channels=1)
    try:
        tokens = ",".join(sb.discord.create_bot(f"kid-{i}") for i in (1, 2, 3, 4))
        kids = [replica(sb, tokens) for _ in range(3)]
        await asyncio.gather(*(wait_waiting(k) for k in kids))  # up, but no parent has given them an index yet
        await asyncio.sleep(0.5)
        assert sb.discord.connected_bots() == [], "a replica logged in before the parent gave it an index"
        parent = await sb.spawn_parent("parent-token", kids, tmp_path / "db.sqlite3")
        await asyncio.gather(*(k.wait_serving() for k in kids))
        c = Cluster(sb, kids, parent)
        assert set(sb.discord.connected_bots()) == bot_ids(c, "parent-token", "kid-1", "kid-2", "kid-3")

        # All three can play: four channels at once, the parent takes one, each replica one more.
        rooms = [await c.room(f"room-{i}") for i in range(4)]
        for user, room in zip(USERS, rooms, strict=True):
            await c.join(user, room)
            await c.ok(user, "play", {"query": f"lofi {room.name}"})
        playing = {room.id: await c.wait_bot_in(room) for room in rooms}
        assert set(playing.values()) == bot_ids(c, "parent-token", "kid-1", "kid-2", "kid-3")

        # The parent restarts while a fourth replica is already waiting for an index: the restarted parent
        # must learn that 1..3 are held before it hands one out, so the new one gets 4 and nobody changes bot.
        await parent.stop()
        kids.append(replica(sb, tokens))
        await wait_waiting(kids[3])
        assert c.bot_id("kid-4") not in sb.discord.connected_bots()
        c.parent = await sb.spawn_parent("parent-token", kids, tmp_path / "db.sqlite3")
        await kids[3].wait_serving()
        assert set(sb.discord.connected_bots()) == bot_ids(c, "parent-token", "kid-1", "kid-2", "kid-3", "kid-4")
        for room in rooms:  # the children's sessions were reattached on the same bots (the parent's came back)
            await sb.discord.wait_for(lambda room=room: c.bot_in(room) == playing[room.id], 10,
                                      f"{room.name} played by the same bot")
        for kid in kids:
            kid.raise_if_exited()
            text = kid.log_text()
            assert text.count("the parent assigned token index") == 1, kid.log_tail()  # never re-assigned
            assert "ERROR" not in text, kid.log_tail()
        assert "the parent assigned token index 4 of 4" in kids[3].log_text()
        print("e2e tokens: 3 replicas → kid-1..3, all playing; parent restarted: map kept, a new replica → kid-4")
    finally:
        await sb.stop()


async def test_a_duplicate_fixed_index_gets_no_sessions_and_an_extra_replica_waits_for_a_free_token(
    tmp_path: Path,
) -> None:
    sb = await Sandbox.start(user_names=USERS, voice_channels=1)
    try:
        tokens = ",".join(sb.discord.create_bot(f"kid-{i}") for i in (1, 2))
        twins = [replica(sb, tokens, AZURA_CHILD_INDEX="1") for _ in range(2)]  # a misconfiguration
        await asyncio.gather(*(twin.wait_serving() for twin in twins))
        spare, extra = replica(sb, tokens), replica(sb, tokens)  # two replicas, one free token
        parent = await sb.spawn_parent("parent-token", [*twins, spare, extra], tmp_path / "db.sqlite3")
        c = Cluster(sb, [], parent)

        async def said(process: ChildProcess, text: str) -> bool:
            return text in process.log_text()

        # Whichever twin said Hello first keeps index 1; the other is told, and both ends log an error.
        found = await eventually(
            lambda: re.search(r"child (\S+) gets no sessions: token index 1 \(fixed\) is held by (\S+)",
                              parent.log_text()), timeout=10, what="the parent's error about a twin")
        refused = next(t for t in twins if t.address == found.group(1))
        holder = next(t for t in twins if t.address == found.group(2))
        assert refused is not holder
        await refused.wait_until(lambda: said(refused, "ERROR"), 10, "the refused twin's error")
        assert "this child gets no sessions: token index 1 (fixed) is held by" in refused.log_text()
        assert "ERROR" not in holder.log_text()
        # One of the two replicas gets index 2; the other waits, and both ends say why.
        await eventually(lambda: "no free token: AZURA_CHILD_TOKENS has 2" in parent.log_text(), timeout=10,
                         what="the parent's warning about the extra replica")
        got, waits = (spare, extra) if "assigned token index 2" in spare.log_text() else (extra, spare)
        await got.wait_serving()
        await waits.wait_until(lambda: said(waits, "no free token: AZURA_CHILD_TOKENS has 2"), 10,
                               "the waiting replica's warning")
        assert "the parent assigned token index" not in waits.log_text()
        assert await waits.health() == "NOT_SERVING"

        # The holder stops (two processes logged in as one bot would fight over its voice connection): the refused
        # twin, now the only kid-1 process, still gets no session, nor does the waiting replica. The parent and
        # kid-2 play; a third channel finds every bot busy.
        await holder.stop()
        rooms = [await c.room(f"room-{i}") for i in range(3)]
        for user, room in zip(USERS[:2], rooms[:2], strict=True):
            await c.join(user, room)
            await c.ok(user, "play", {"query": f"lofi {room.name}"})
        assert {await c.wait_bot_in(room) for room in rooms[:2]} == bot_ids(c, "parent-token", "kid-2")
        await c.join("carol", rooms[2])
        busy = await c.run("carol", "play", {"query": "lofi"})
        assert busy.private and "busy" in busy.text.lower(), busy.text
        assert c.bot_in(rooms[2]) is None
    finally:
        await sb.stop()
