"""A second Lavalink node (``LAVALINK_NODES``): when the first is gone, both bots' sessions move to it.

The parent's bot runs in this process, the child is a real ``python -m azura_child`` given both nodes in
``LAVALINK_NODES``; both fake Lavalinks play at real speed. The first one stops for good mid-song: each bot
leaves it after ``switch_after_s`` and replays its session on the second, same track, same position by now,
the whole queue kept. The test prints how long the music was gone.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from azura_common.config import lavalink_servers
from azura_common.koe.koe import Koe
from azura_common.koe.link import ChildLink, Children
from azura_common.koe.local import Lavalink, LocalSession
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_common.koe.session import Ending, Session, Track
from azura_common.voicebot import VoiceBot, point_discord_at
from azura_sandbox.fake_lavalink import FakeLavalink
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import Sandbox
from azura_sandbox.waiting import eventually

MOVE_GOAL_S = 5.0  # from the first node gone to both sessions playing on the second
POSITION_GOAL_MS = 2_000


def tracks(query: str) -> list[Track]:
    found = sorted(load_tracks(f"ytsearch:{query}")["data"], key=lambda t: -t["info"]["length"])[:3]
    return [Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"], requester_id=7)
            for t in found]


def playing_on(node: FakeLavalink, channel_id: int, title: str) -> dict[str, Any] | None:
    found = [p for p in node.players_truth() if p["channel_id"] == str(channel_id)]
    ok = len(found) == 1 and found[0]["track_title"] == title and found[0]["session_attached"] \
        and found[0]["connected"] and not found[0]["paused"]
    return found[0] if ok else None


def test_lavalink_nodes_setting_lists_every_node_in_turn() -> None:
    env = {"LAVALINK_NODES": "http://a:2333|one, http://b:2333", "LAVALINK_PASSWORD": "shared"}
    assert lavalink_servers(env) == (("http://a:2333", "one", ""), ("http://b:2333", "shared", ""))
    assert lavalink_servers({"LAVALINK_URI": "http://c:1"}) == (("http://c:1", "youshallnotpass", ""),)
    with pytest.raises(ValueError, match="LAVALINK_NODES"):
        lavalink_servers({"LAVALINK_NODES": "lavalink-2:2333|pw"})


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="function")
async def test_sessions_move_to_the_second_lavalink_when_the_first_is_gone() -> None:
    sb = await Sandbox.start(speed=1, voice_channels=2)
    second = FakeLavalink(password="second-node", speed=1, player_update_interval=0.5)
    await second.start()
    second.set_load({"system_load": 0.9})  # a busy standby: new sessions go to the first node, as before
    nodes = [(sb.lavalink_uri, sb.lavalink.password), (f"http://127.0.0.1:{second.port}", second.password)]
    point_discord_at(sb.discord_api)
    bot = VoiceBot(Lavalink(*nodes[0], identifier="lavalink-nodes-parent", more=nodes[1:]))
    bot_task = asyncio.create_task(bot.start(sb.discord.create_bot("lavalink-nodes-parent-bot")))
    endings: list[Ending] = []

    async def ended(session: LocalSession, ending: Ending) -> None:
        endings.append(ending)
        await koe.forget(session.channel_id, ending, session)

    def local(guild_id: int, channel_id: int) -> Session:
        assert bot.user is not None
        return LocalSession(guild_id, channel_id, bot.user.id, bot.connect_player, on_end=ended)

    koe = Koe(local_factory=local)
    children: Children | None = None
    try:
        await eventually(lambda: bot.is_serving or bot_task.done(), timeout=30, what="the parent bot ready")
        child = await sb.spawn_child("lavalink-nodes-child",
                                     env={"LAVALINK_NODES": ",".join(f"{uri}|{pw}" for uri, pw in nodes)})
        children = Children([ChildLink(ChildConnection(child.address, sb.secret), koe)])
        koe.use_children(children)
        children.start()
        assert await children.wait_up(30) == 1
        queues, sessions = [], []
        for i, kind in enumerate((LocalSession, RemoteSession)):
            session = await koe.open(sb.guild.id, sb.voices[i].id, sb.text.id)
            assert isinstance(session, kind)
            queue = tracks(f"two nodes {i}")
            await session.enqueue(queue)
            await session.skip()
            await session.seek(30_000)
            await eventually(lambda s=session, q=queue: playing_on(sb.lavalink, s.channel_id, q[1].title) is not None,
                             timeout=5, what="the track playing on the first node")
            queues.append(queue)
            sessions.append(session)
        before = [int(p["position_ms"]) for s, q in zip(sessions, queues, strict=True)
                  if (p := playing_on(sb.lavalink, s.channel_id, q[1].title)) is not None]
        gone = time.monotonic()
        await sb.lavalink.stop()  # the first node is gone for good
        await eventually(lambda: all(playing_on(second, s.channel_id, q[1].title)
                                     for s, q in zip(sessions, queues, strict=True)),
                         timeout=15, what="both sessions playing on the second node", poll_s=0.02)
        took = time.monotonic() - gone
        errors = []
        for session, queue, position in zip(sessions, queues, before, strict=True):
            player = playing_on(second, session.channel_id, queue[1].title)
            assert player is not None
            errors.append(abs(int(player["position_ms"]) - (position + int(took * 1000))))
            page = await session.get_queue(0, 20)
            assert [item.track for item in page.items] == queue  # not one queue entry lost
        print(f"second Lavalink node: both sessions playing on it {took:.2f} s after the first was gone "
              f"(switch after {bot.lavalink.switch_after_s:.1f} s); position error ≤ {max(errors)} ms")
        assert took <= MOVE_GOAL_S and max(errors) <= POSITION_GOAL_MS, (took, errors)
        assert not endings
        await sessions[1].skip()  # commands work on the new node
        await eventually(lambda: playing_on(second, sessions[1].channel_id, queues[1][2].title) is not None,
                         timeout=5, what="the next track on the second node")
    finally:
        await koe.close()
        if children is not None:
            await children.close()
        await bot.lavalink.close()
        await bot.close()
        await asyncio.gather(bot_task, return_exceptions=True)
        await second.stop()
        await sb.stop()
