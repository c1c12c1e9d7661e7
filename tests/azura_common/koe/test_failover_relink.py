"""A parked session goes to a restarted child as soon as that child links up, not at the next retry.

The parent's side runs in this process (its Koe, Link and Failover, as in test_failover.py); the child is a
real ``python -m azura_child``. The only child holds the session; killed, nothing else can take it, so it is
parked. The parked-retry period is set far beyond the test (60 s): the session can only come back because
the Link, once the restarted child says ``Hello``, tells the failover a bot is up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from azura_common.koe.failover import Failover
from azura_common.koe.koe import Koe
from azura_common.koe.link import ChildLink, Children
from azura_common.koe.parked import ParkedSession
from azura_common.koe.records import SessionRecord
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_common.koe.session import Track
from azura_common.voicebot import VoiceBot
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import Sandbox, voice_bot
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

BACK_AFTER_SERVING_S = 1.5  # linked (≤ 1 s reconnect delay, usually already during its start) and restored
DOWN_S = 3.0  # the child stays down this long: the Link's reconnect delays grow meanwhile


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world() -> AsyncIterator[tuple[Sandbox, VoiceBot]]:
    sandbox = await Sandbox.start(speed=1, voice_channels=1)
    async with voice_bot(sandbox, "relink-parent-bot") as bot:
        yield sandbox, bot
    await sandbox.stop()


async def test_a_parked_session_plays_on_the_restarted_child_as_soon_as_it_is_back(
    world: tuple[Sandbox, VoiceBot],
) -> None:
    sandbox, bot = world
    child = await sandbox.spawn_child("relink-child")
    koe = Koe(local_factory=None)  # the parent plays nothing itself here: the child is the only bot

    async def destroy(record: SessionRecord) -> None:
        await bot.lavalink.destroy_player(record.lavalink_session_id, record.guild_id)

    failover = Failover(koe, destroy_player=destroy, retry_s=60.0)
    link = ChildLink(ChildConnection(child.address, sandbox.secret), koe)
    link.failover = failover
    children = Children([link])
    koe.use_children(children)
    failover.start()
    children.start()
    try:
        assert await children.wait_up(30) == 1
        channel_id = sandbox.voices[0].id
        session = await koe.open(sandbox.guild.id, channel_id, sandbox.text.id)
        assert isinstance(session, RemoteSession)
        queue = [Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"], requester_id=7)
                 for t in load_tracks("ytsearch:relink")["data"][:3]]
        await session.enqueue(queue)
        await session.seek(30_000)
        await eventually(lambda: (r := link.records.get(channel_id)) is not None and r.position_ms >= 30_000,
                         timeout=3, what="the child's record of the session")
        child.kill()
        await eventually(lambda: isinstance(koe.get(channel_id), ParkedSession), timeout=3, what="the session parked")
        parked = koe.get(channel_id)
        assert isinstance(parked, ParkedSession)
        stopped_at = parked.record().position_ms
        await child.stop()
        await asyncio.sleep(DOWN_S)
        again = await sandbox.spawn_child("relink-child", port=child.port)  # where the Link looks for it
        serving = time.monotonic()
        await eventually(lambda: isinstance(koe.get(channel_id), RemoteSession), timeout=10,
                         what="the parked session restored on the restarted child", poll_s=0.02)
        took = time.monotonic() - serving
        restored = koe.get(channel_id)
        assert restored is not None
        state = await restored.get_state()
        print(f"parked session back on the restarted child {took:.2f} s after it was serving, "
              f"at {state.position_ms} ms (stopped at {stopped_at} ms)")
        assert took <= BACK_AFTER_SERVING_S, took
        assert state.current == queue[0] and 0 <= state.position_ms - stopped_at <= 1_500, (state, stopped_at)
        await again.stop()
    finally:
        await failover.close()
        await koe.close()
        await children.close()
