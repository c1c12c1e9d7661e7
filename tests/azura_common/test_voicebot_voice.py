"""What Azura does when Discord closes, moves or takes away its voice connection, on the real bot.

An Azura ``VoiceBot`` (real discord.py and wavelink) plays a ``LocalSession`` against the fakes: the fake
Lavalink reports Discord's voice close codes (WebSocketClosedEvent) as Lavalink does, the fake Discord
kicks, drags and moves voice servers as Discord does. 4006/4009 and a voice server move must leave the
music playing with Lavalink on the new voice connection; a 4014 that was a kick or a move ends the session
saying which. Each test prints how long the reaction took.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from azura_common.koe.local import LocalSession
from azura_common.koe.session import CloseReason, Ending, Track
from azura_common.voicebot import MAX_REJOINS, VoiceBot
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import Sandbox, voice_bot
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

REACTION_GOAL_S = 3.0


def long_track(query: str) -> Track:
    t = max(load_tracks(f"ytsearch:{query}")["data"], key=lambda t: t["info"]["length"])
    return Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"])


class Voice:
    def __init__(self, sandbox: Sandbox, bot: VoiceBot) -> None:
        self.sandbox = sandbox
        self.bot = bot
        self.endings: list[Ending] = []

    @property
    def bot_id(self) -> int:
        assert self.bot.user is not None
        return self.bot.user.id

    async def play(self, voice: int = 0) -> tuple[LocalSession, Track]:
        sb = self.sandbox
        session = LocalSession(sb.guild.id, sb.voices[voice].id, self.bot_id, self.bot.connect_player,
                               on_end=self._ended)
        await session.connect()
        track = long_track(f"voice {time.monotonic_ns()}")
        await session.enqueue([track])
        await eventually(lambda: self.player(track.title), timeout=5, what="the track playing with voice")
        return session, track

    async def _ended(self, session: LocalSession, ending: Ending) -> None:
        self.endings.append(ending)

    def player(self, title: str | None = None) -> dict[str, Any] | None:
        """This bot's Lavalink player, when it has voice (and plays ``title``, when given)."""
        found = [p for p in self.sandbox.lavalink.players_truth() if p["user_id"] == str(self.bot_id)]
        if len(found) != 1 or not found[0]["connected"]:
            return None
        return found[0] if title is None or found[0]["track_title"] == title else None

    def close_voice(self, code: int) -> None:
        assert self.sandbox.lavalink.websocket_closed(self.sandbox.guild.id, code, user_id=self.bot_id) == 1

    async def ended(self, session: LocalSession, since: int) -> tuple[Ending, float]:
        started = time.monotonic()
        await eventually(lambda: self.endings[since:], timeout=5, what="the session ending", poll_s=0.01)
        assert session.ended and len(self.endings) == since + 1
        return self.endings[since], time.monotonic() - started


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def voice() -> AsyncIterator[Voice]:
    sandbox = await Sandbox.start(speed=1, voice_channels=2)
    async with voice_bot(sandbox, "voice-codes-bot") as bot:
        yield Voice(sandbox, bot)
    await sandbox.stop()


@pytest.mark.parametrize("code", [4006, 4009])
async def test_a_voice_session_discord_invalidated_is_rejoined_and_plays_on(voice: Voice, code: int) -> None:
    session, track = await voice.play()
    try:
        old = voice.player(track.title)
        assert old is not None
        closed = time.monotonic()
        voice.close_voice(code)
        # Rejoined: Discord issued a new voice session, and Lavalink has it, playing the same track.
        rejoined = await eventually(lambda: (p := voice.player(track.title)) and p["voice_token"] != old["voice_token"]
                                    and p, timeout=REACTION_GOAL_S, what="the rejoin reaching Lavalink", poll_s=0.01)
        took = time.monotonic() - closed
        print(f"voice close {code}: rejoined and Lavalink on the new voice session after {took:.2f} s")
        assert not session.ended and rejoined["position_ms"] >= old["position_ms"]
        server = voice.sandbox.discord.voice_server(voice.sandbox.guild, voice.bot_id)
        assert server is not None and rejoined["voice_token"] == server.token
        assert (await session.get_state()).current == track
    finally:
        await session.disconnect()


async def test_a_voice_server_move_reaches_lavalink_and_the_music_plays_on(voice: Voice) -> None:
    session, track = await voice.play()
    try:
        moved_at = time.monotonic()
        moved = await voice.sandbox.discord.move_voice_server(voice.sandbox.guild, voice.bot_id)
        player = await eventually(lambda: (p := voice.player(track.title)) and p["voice_endpoint"] == moved.endpoint
                                  and p, timeout=REACTION_GOAL_S, what="Lavalink on the new voice server")
        print(f"voice server move: Lavalink on the new server after {time.monotonic() - moved_at:.2f} s")
        assert player["voice_token"] == moved.token and not session.ended
    finally:
        await session.disconnect()


async def test_a_voice_server_move_while_lavalink_is_away_reaches_it_when_back(voice: Voice) -> None:
    session, track = await voice.play()
    lavalink = voice.sandbox.lavalink
    try:
        lavalink.refuse_for(1.0)
        await lavalink.drop_websockets()
        await eventually(lambda: not voice.bot.lavalink.ready, timeout=2, what="the bot noticing")
        moved = await voice.sandbox.discord.move_voice_server(voice.sandbox.guild, voice.bot_id)
        await eventually(lambda: not lavalink.refuse_connections, timeout=15, what="Lavalink back", poll_s=0.01)
        back = time.monotonic()
        # Lavalink kept the session (it resumes), so nothing is replayed: only the new voice server is sent.
        await eventually(lambda: (p := voice.player(track.title)) and p["voice_endpoint"] == moved.endpoint,
                         timeout=REACTION_GOAL_S, what="Lavalink on the new voice server")
        print(f"voice server move while Lavalink was away: Lavalink on the new server "
              f"{time.monotonic() - back:.2f} s after it was back")
        # The outage is recorded once the restore is done, a moment after Lavalink has the new voice server.
        await eventually(lambda: voice.bot.lavalink.outages, timeout=2, what="the outage recorded")
        assert voice.bot.lavalink.outages[-1].resumed and not session.ended
    finally:
        await session.disconnect()


async def test_a_4014_that_was_no_kick_rejoins(voice: Voice) -> None:
    session, track = await voice.play()
    try:
        old = voice.player(track.title)
        assert old is not None
        closed = time.monotonic()
        voice.close_voice(4014)  # Discord still has the bot in its channel: a hiccup, not a kick
        await eventually(lambda: (p := voice.player(track.title)) and p["voice_token"] != old["voice_token"],
                         timeout=REACTION_GOAL_S, what="the rejoin reaching Lavalink", poll_s=0.01)
        print(f"voice close 4014, still in the channel: rejoined after {time.monotonic() - closed:.2f} s")
        assert not session.ended
    finally:
        await session.disconnect()


async def test_4014_and_a_kick_end_the_session_as_kicked(voice: Voice) -> None:
    session, _ = await voice.play()
    since = len(voice.endings)
    voice.close_voice(4014)
    await voice.sandbox.discord.kick_from_voice(voice.bot_id, voice.sandbox.guild)
    ending, took = await voice.ended(session, since)
    print(f"voice close 4014 + kick: session ended ({ending}) after {took:.2f} s")
    assert ending == Ending(CloseReason.KICKED, "kicked from voice") and took <= REACTION_GOAL_S
    await eventually(lambda: voice.player() is None, timeout=3, what="the Lavalink player gone")


async def test_4014_and_a_drag_to_another_channel_end_the_session_as_moved(voice: Voice) -> None:
    session, _ = await voice.play()
    since = len(voice.endings)
    voice.close_voice(4014)
    await voice.sandbox.discord.move_voice(voice.bot_id, voice.sandbox.voices[1])
    ending, took = await voice.ended(session, since)
    print(f"voice close 4014 + moved by an admin: session ended ({ending}) after {took:.2f} s")
    assert ending == Ending(CloseReason.KICKED, "moved out of its channel") and took <= REACTION_GOAL_S
    await eventually(lambda: voice.sandbox.discord.voice_state(voice.sandbox.guild, voice.bot_id) is None,
                     timeout=5, what="the bot leaving the channel it was dragged to")


async def test_a_voice_connection_that_keeps_failing_ends_the_session(voice: Voice) -> None:
    session, track = await voice.play()
    since = len(voice.endings)
    for _ in range(MAX_REJOINS):
        old = voice.player(track.title)
        assert old is not None
        voice.close_voice(4006)
        await eventually(lambda old=old: (p := voice.player(track.title)) and p["voice_token"] != old["voice_token"],
                         timeout=REACTION_GOAL_S, what="a rejoin")
    voice.close_voice(4006)
    ending, _ = await voice.ended(session, since)
    assert ending == Ending(CloseReason.KICKED, "the voice connection keeps failing")
