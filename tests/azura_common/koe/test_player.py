"""The wavelink adapter against the fake Lavalink: the player's position between Lavalink's reports, and
the wavelink internals the adapter relies on.

Lavalink reports a player's position only every few seconds (the sandbox: every 0.5 s), so ``KoePlayer``
keeps its own estimate: it restarts from what we just told Lavalink (a seek, a pause, a new track) and from
every report. If wavelink stops delivering reports or a Koe command stops restarting the estimate, these fail.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import wavelink
import wavelink.websocket

from azura_common.koe.local import LocalSession
from azura_common.koe.local.node import WAVELINK_INTERNALS, check_wavelink_internals
from azura_common.koe.session import Ending, Track
from azura_common.voicebot import VoiceBot
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import Sandbox, voice_bot
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

SPEED = 50.0  # the fake plays 50 s of music per second


def long_track() -> Track:
    found = load_tracks("ytsearch:long evening")["data"]
    t = max(found, key=lambda t: t["info"]["length"])
    return Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"])


class Player:
    def __init__(self, sandbox: Sandbox, bot: VoiceBot) -> None:
        self.sandbox = sandbox
        self.bot = bot

    def session(self, voice: int) -> LocalSession:
        assert self.bot.user is not None
        return LocalSession(self.sandbox.guild.id, self.sandbox.voices[voice].id, self.bot.user.id,
                            self.bot.connect_player, on_end=self._ended)

    async def _ended(self, session: LocalSession, ending: Ending) -> None:
        return None


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def player() -> AsyncIterator[Player]:
    sandbox = await Sandbox.start(speed=SPEED, voice_channels=2)
    async with voice_bot(sandbox, "player-test-bot") as bot:
        yield Player(sandbox, bot)
    await sandbox.stop()


async def test_quick_relative_seeks_add_up_before_lavalink_reports(player: Player) -> None:
    session = player.session(0)
    await session.connect()
    try:
        track = long_track()
        assert track.length_ms > 100_000
        await session.enqueue([track])
        await session.pause()  # a paused position stands still: every number below is exact
        assert (await session.seek(60_000)).position_ms == 60_000
        assert (await session.get_state()).position_ms == 60_000
        await session.seek(10_000, relative=True)
        assert (await session.seek(10_000, relative=True)).position_ms == 80_000
        assert (await session.get_state()).position_ms == 80_000
    finally:
        await session.disconnect()


async def test_lavalink_reports_move_the_position_faster_than_the_wall_clock(player: Player) -> None:
    session = player.session(1)
    await session.connect()
    try:
        track = long_track()
        await session.enqueue([track])
        await session.seek(10_000)
        # Between reports the estimate runs at wall-clock speed; the fake plays 50x faster, so only its
        # reports can carry the position 30 s on within a second or two.
        async def moved_on() -> bool:
            return (await session.get_state()).position_ms >= 40_000

        await eventually(moved_on, timeout=5, what="a report moving the position")
    finally:
        await session.disconnect()


async def test_the_wavelink_internals_the_adapter_uses_are_there(player: Player) -> None:
    # Reconnecting, replaying sessions and the voice close policy use a few of wavelink's private parts
    # (WAVELINK_INTERNALS). A wavelink upgrade that renames one must fail here, loudly, not in an outage.
    node = wavelink.Node(identifier="internals-probe", uri="http://127.0.0.1:1", password="x")
    try:
        probes = (node, wavelink.websocket.Websocket(node=node), wavelink.Player(nodes=[node]))
        check_wavelink_internals(*probes)
        for probe in probes:
            assert any(isinstance(probe, cls) for cls in WAVELINK_INTERNALS)
        del node._session_id
        with pytest.raises(RuntimeError, match=r"Node\._session_id"):
            check_wavelink_internals(node)
    finally:
        await node._session.close()
