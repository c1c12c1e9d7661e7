"""Voice as Discord and Lavalink play it out, on a real discord.py bot with a real wavelink player.

The fake Discord moves a bot, moves a guild's voice server, kicks; the fake Lavalink closes a bot's voice
connection with Discord's voice close codes (WebSocketClosedEvent), as Lavalink reports what Discord's voice
server did to it. Between them the test plays the part a music bot plays: rejoin, or let go.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import wavelink
from live_discord import Server

from azura_sandbox.fake_lavalink import FakeLavalink

_nodes = itertools.count()


class VoiceBot(discord.Client):
    """A discord.py client with its own wavelink node; records WebSocketClosedEvents."""

    def __init__(self, lavalink: FakeLavalink) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.1)
        self.lavalink = lavalink
        self.node = wavelink.Node(
            identifier=f"voice-test-{next(_nodes)}", uri=lavalink.uri, password=lavalink.password,
            inactive_player_timeout=None,
        )
        self.closed: asyncio.Queue[wavelink.WebsocketClosedEventPayload] = asyncio.Queue()

    async def setup_hook(self) -> None:
        await wavelink.Pool.connect(nodes=[self.node], client=self)

    async def on_wavelink_websocket_closed(self, payload: wavelink.WebsocketClosedEventPayload) -> None:
        await self.closed.put(payload)

    async def join(self, channel_id: int) -> wavelink.Player:
        channel = self.get_channel(channel_id)
        assert isinstance(channel, discord.VoiceChannel)
        player = await channel.connect(cls=functools.partial(wavelink.Player, nodes=[self.node]), timeout=5)
        assert isinstance(player, wavelink.Player)
        return player


@pytest.fixture
async def lavalink() -> AsyncIterator[FakeLavalink]:
    node = FakeLavalink(speed=20, player_update_interval=0.1)
    await node.start()
    try:
        yield node
    finally:
        await node.stop()


@pytest.fixture
async def bot(server: Server, lavalink: FakeLavalink) -> AsyncIterator[VoiceBot]:
    client = VoiceBot(lavalink)
    await server.start_bot("azura", client)
    try:
        yield client
    finally:
        await client.node.close(eject=True)
        await client.node._session.close()  # wavelink leaves its HTTP session open on close


def _new_server(fake: Any, guild_id: int, bot_id: int, old_token: str) -> Any:
    server = fake.voice_server(guild_id, bot_id)
    return server if server is not None and server.token != old_token else None


def lavalink_player(lavalink: FakeLavalink, server: Server) -> dict[str, Any]:
    [player] = [p for p in lavalink.players_truth() if p["guild_id"] == str(server.guild.id)]
    return player


async def test_close_codes_rejoin_and_voice_server_moves(server: Server, lavalink: FakeLavalink, bot: VoiceBot) -> None:
    fake, guild = server.fake, server.guild
    bot_id = fake.bot("azura").user_id
    player = await bot.join(server.voice.id)
    [track, *_] = await wavelink.Playable.search("rainy day", node=bot.node)  # type: ignore[misc]
    await player.play(track)
    voice = fake.voice_server(guild, bot_id)
    assert voice is not None
    truth = await fake.wait_for(lambda: (p := lavalink_player(lavalink, server))["connected"] and p, 5, "voice")
    assert (truth["voice_token"], truth["voice_endpoint"], truth["voice_updates"]) == (voice.token, voice.endpoint, 1)

    for code, reason in ((4006, "Session no longer valid"), (4009, "Session timeout")):
        assert lavalink.websocket_closed(guild.id, code, user_id=bot_id) == 1
        closed = await asyncio.wait_for(bot.closed.get(), 5)
        assert (closed.code.value, closed.reason, closed.by_remote) == (code, reason, True)
        assert not lavalink_player(lavalink, server)["connected"]
        # what a music bot does on 4006/4009: join again; Discord answers with a new voice server token
        seen = len(fake.voice_requests)
        await player.guild.change_voice_state(channel=player.channel, self_deaf=True)  # type: ignore[union-attr]
        rejoined = await fake.wait_for(functools.partial(_new_server, fake, guild.id, bot_id, voice.token), 5, "it")
        truth = await fake.wait_for(
            lambda: (p := lavalink_player(lavalink, server))["connected"] and p, 5, "the rejoin to reach Lavalink"
        )
        assert truth["voice_token"] == rejoined.token
        assert [r.accepted for r in fake.voice_requests[seen:]] == [True]
        voice = rejoined
    assert lavalink_player(lavalink, server)["track_title"] == track.title  # still playing

    # the guild's voice server moves: wavelink forwards the new one, Lavalink reconnects there
    moved = await fake.move_voice_server(guild, "azura")
    truth = await fake.wait_for(
        lambda: (p := lavalink_player(lavalink, server))["voice_endpoint"] == moved.endpoint and p, 5, "the move"
    )
    assert truth["voice_token"] == moved.token and truth["connected"] and truth["track_title"] == track.title
    assert moved.endpoint != voice.endpoint

    # an admin drags the bot to another channel: a new voice state and voice server for it
    updates = truth["voice_updates"]
    await fake.move_voice("azura", server.other_voice)
    truth = await fake.wait_for(
        lambda: (p := lavalink_player(lavalink, server))["voice_updates"] > updates and p, 5, "the drag"
    )
    assert truth["channel_id"] == str(server.other_voice.id) and truth["connected"]
    assert player.channel is not None and player.channel.id == server.other_voice.id
    state = fake.voice_state(guild, bot_id)
    assert state is not None and state.channel_id == server.other_voice.id

    # kicked: Discord closes the voice connection with 4014 and the bot's voice state goes
    lavalink.websocket_closed(guild.id, 4014, user_id=bot_id)
    closed = await asyncio.wait_for(bot.closed.get(), 5)
    assert (closed.code, closed.reason) == (wavelink.DiscordVoiceCloseType.DISCONNECTED, "Disconnected")
    await fake.kick_from_voice("azura", guild)
    assert fake.voice_state(guild, bot_id) is None
    await fake.wait_for(lambda: not lavalink.players_truth(), 5, "wavelink to destroy its Lavalink player")
