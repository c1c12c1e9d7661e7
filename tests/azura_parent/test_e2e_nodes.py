"""End to end: two Lavalink nodes (``LAVALINK_NODES``), a real cluster (parent + two children as processes).

Every process connects to both nodes: A (region ``eu``) and B (``us-east``), fake Lavalinks reporting their
stats every 0.2 s. New sessions go to the least-loaded healthy node (a node made busy through the fake's
control API gets none), Discord's voice server region picks the node of that region when there is one, and a
node that dies hands its sessions to the other, which plays them on from where they were. A node that
comes back keeps none of the moved sessions, but takes new ones by load again. Each test prints what it
measured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from e2e_cluster import USERS, Cluster

from azura_sandbox.fake_discord.world import Channel
from azura_sandbox.fake_lavalink import FakeLavalink
from azura_sandbox.testing import ParentProcess, Sandbox
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="function"), pytest.mark.slow]

STATS_S = 0.2  # how often each fake node reports its load (a real Lavalink: every 60 s)
MOVE_GOAL_S = 5.0  # from the node's death to its sessions playing on the other one
POSITION_GOAL_MS = 2_000
DEFAULT_ENDPOINT = None  # the fake Discord's own voice server, which names no region


class Nodes:
    """The cluster and its two Lavalink nodes."""

    def __init__(self, c: Cluster, b: FakeLavalink) -> None:
        self.c, self.a, self.b = c, c.sb.lavalink, b

    def on(self, node: FakeLavalink, room: Channel) -> list[dict[str, Any]]:
        return [p for p in node.players_truth() if p["channel_id"] == str(room.id)]

    def where(self, room: Channel) -> str | None:
        """Which node plays ``room``: "A", "B", or None (none, or both: two players would be heard)."""
        found = [name for name, node in (("A", self.a), ("B", self.b)) if self.on(node, room)]
        return found[0] if len(found) == 1 and len(self.on(self.a, room) + self.on(self.b, room)) == 1 else None

    def playing(self, node: FakeLavalink, room: Channel, title: str | None = None) -> dict[str, Any] | None:
        found = [p for p in self.on(node, room) if p["track_title"] and p["session_attached"] and not p["paused"]
                 and (title is None or p["track_title"] == title)]
        return found[0] if len(found) == 1 else None

    def count(self, node: FakeLavalink) -> int:
        return len(node.players_truth())

    async def stats_seen(self) -> None:
        """Long enough for every process to have had two fresh reports from each node."""
        await asyncio.sleep(3 * STATS_S)

    async def play(self, who: str, room: Channel, *, endpoint: str | None = DEFAULT_ENDPOINT,
                   query: str = "lofi") -> str:
        """``who`` joins ``room`` and plays ``query``, Discord's voice server being ``endpoint``; which node
        took it, once it plays and both nodes have reported it."""
        self.c.sb.guild.voice_endpoint = endpoint
        await self.c.join(who, room)
        await self.c.ok(who, "play", {"query": query})
        where = await eventually(lambda: self.where(room), timeout=8, what=f"{room.name} on one node")
        await eventually(lambda: self.playing(self.a if where == "A" else self.b, room), timeout=8,
                         what=f"{room.name} playing")
        await self.stats_seen()
        return where

    async def everyone_leaves(self) -> None:
        await self.c.cleanup()
        await eventually(lambda: self.count(self.a) + self.count(self.b) == 0, timeout=8,
                         what="every player destroyed")
        await self.stats_seen()


async def start_nodes_cluster(tmp: Path) -> Nodes:
    sb = await Sandbox.start(user_names=USERS, voice_channels=1, speed=1.0)
    b = FakeLavalink(password="node-b", speed=1.0, player_update_interval=0.5, stats_interval=STATS_S)
    try:
        await b.start()
        sb.lavalink.set_load({"stats_interval": STATS_S})
        nodes = f"{sb.lavalink_uri}|{sb.lavalink.password}|eu,{b.uri}|{b.password}|us-east"
        env = {"LAVALINK_NODES": nodes}
        kids = list(await asyncio.gather(sb.spawn_child("kid-1", env=env), sb.spawn_child("kid-2", env=env)))
        parent = ParentProcess({**sb.parent_env("parent-token", kids, tmp / "db.sqlite3"), **env})
        sb.children.append(parent)
        parent.start()
        await parent.wait_ready()
    except BaseException:
        await sb.stop()
        await b.stop()
        raise
    return Nodes(Cluster(sb, kids, parent), b)


@pytest_asyncio.fixture(loop_scope="function")
async def nodes(tmp_path: Path) -> AsyncIterator[Nodes]:
    n = await start_nodes_cluster(tmp_path)
    try:
        yield n
    finally:
        await n.c.stop()
        await n.b.stop()


async def test_new_sessions_go_to_the_least_loaded_node_and_to_the_voice_region_s(nodes: Nodes) -> None:
    n, c = nodes, nodes.c
    # Both idle: the sessions spread over both nodes.
    spread = [await n.play(who, await c.room("spread")) for who in ("alice", "bob", "carol")]
    a, b = n.count(n.a), n.count(n.b)
    print(f"nodes, both idle: sessions went to {spread}; players A {a}, B {b}")
    assert a >= 1 and b >= 1 and abs(a - b) <= 1, spread

    # A looks busy (90 % CPU, as its stats say): every new session goes to B.
    await n.everyone_leaves()
    n.a.set_load({"system_load": 0.9})
    await n.stats_seen()
    busy = [await n.play(who, await c.room("busy")) for who in ("alice", "bob", "carol")]
    print(f"nodes, A at 90 % CPU: sessions went to {busy}")
    assert busy == ["B", "B", "B"] and n.count(n.a) == 0 and n.count(n.b) == 3

    # The voice region picks its node even when that node is the busier one; no node of the region: by load.
    await n.everyone_leaves()
    n.a.set_load({"system_load": 0.5})
    await n.stats_seen()
    eu = await n.play("alice", await c.room("eu"), endpoint="eu-west1234.discord.media:443")
    japan = await n.play("bob", await c.room("japan"), endpoint="japan42.discord.media:443")
    n.a.set_load({"system_load": 0.05})
    n.b.set_load({"system_load": 0.9})
    await n.stats_seen()
    us = await n.play("carol", await c.room("us"), endpoint="us-east77.discord.media:443")
    print(f"nodes, regions: eu-west (A busier) → {eu}, japan (no such node, A busier) → {japan}, "
          f"us-east (B busier) → {us}")
    assert (eu, japan, us) == ("A", "B", "B")


async def test_a_dead_node_s_sessions_play_on_the_other_and_stay_there_when_it_returns(nodes: Nodes) -> None:
    n, c = nodes, nodes.c
    rooms = [await c.room(name) for name in ("lounge", "gaming", "study")]
    await c.join("owner", rooms[1])  # the owner, a DJ, listens in gaming (which B plays)
    regions = ("eu-west1.discord.media:443", "us-east2.discord.media:443", "us-east3.discord.media:443")
    placed = []
    for who, room, endpoint in zip(("alice", "bob", "carol"), rooms, regions, strict=True):
        placed.append(await n.play(who, room, endpoint=endpoint, query=f"https://www.youtube.com/playlist?list=PL{who}"))
    assert placed == ["A", "B", "B"], placed
    titles = [await c.titles(who) for who in ("alice", "bob", "carol")]
    before = {room.id: n.playing(n.b, room) for room in rooms[1:]}
    assert all(before.values())
    untouched = n.playing(n.a, rooms[0])
    assert untouched is not None

    killed = time.monotonic()
    port = n.b.port
    await n.b.stop()  # node B is gone
    moved = await eventually(lambda: all(n.playing(n.a, room, p["track_title"]) for room, p in
                                         zip(rooms[1:], before.values(), strict=True) if p) or None,
                             timeout=15, what="B's sessions playing on A", poll_s=0.02)
    took = time.monotonic() - killed
    assert moved
    errors = []
    for room in rooms[1:]:
        now, then = n.playing(n.a, room), before[room.id]
        assert now is not None and then is not None
        errors.append(abs(now["position_ms"] - (then["position_ms"] + took * 1000)))
    lounge = n.playing(n.a, rooms[0], untouched["track_title"])
    assert lounge is not None and lounge["session_id"] == untouched["session_id"]  # A's own session never moved:
    assert lounge["voice_updates"] == untouched["voice_updates"]  # not even replayed
    print(f"nodes, node B gone: its 2 sessions playing on A {took:.2f} s later, position error ≤ {max(errors):.0f} ms")
    assert took <= MOVE_GOAL_S and max(errors) <= POSITION_GOAL_MS, (took, errors)
    assert [await c.titles(who) for who in ("alice", "bob", "carol")] == titles  # not one queue entry lost

    # B returns (a fresh node on its port): every process connects to it again, nothing moves back.
    n.b = FakeLavalink(password="node-b", speed=1.0, player_update_interval=0.5, stats_interval=STATS_S)
    await n.b.start(port=port)
    await eventually(lambda: len(n.b.sessions_truth()) == 3, timeout=10, what="the three bots back on B")
    await asyncio.sleep(1.0)
    assert n.count(n.b) == 0 and all(n.playing(n.a, room) for room in rooms)
    gaming = n.playing(n.a, rooms[1])
    assert gaming is not None
    await c.ok("owner", "skip", {"by": 1})  # commands work on a moved session... and it stays on A
    await eventually(lambda: (p := n.playing(n.a, rooms[1])) is not None and p["track_title"] != gaming["track_title"],
                     timeout=5, what="the next track in gaming, on A")
    # ...but B takes new sessions by load: the lounge leaves, and the next session goes to B.
    await c.join("owner", rooms[0])
    await c.ok("owner", "leave")
    await eventually(lambda: not n.on(n.a, rooms[0]), timeout=8, what="the lounge's player gone")
    await c.leave_voice("alice")
    await n.stats_seen()
    fresh = await n.play("dave", await c.room("fresh"))
    print(f"nodes, B back: moved sessions stayed on A ({n.count(n.a)} players), the next new one went to {fresh}")
    assert fresh == "B"
