"""The Discord side every Azura bot shares: a client that joins voice for Koe's LocalSessions.

Discord types live here (and in the bots' own modules), never in ``azura_common.koe``. This client
connects its Lavalink node once logged in, builds connected ``KoePlayer``s for LocalSession, routes
wavelink's events to the session that owns the player, and notices when Discord takes the bot out of
a channel (a kick, a deleted channel) so the session can end and tell everyone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import discord

from .koe.errors import InvalidArgument, NotConnected
from .koe.local import KoePlayer, Lavalink, joining, note_player_update, session_of
from .koe.session import CloseReason, Ending
from .supervised import Supervised

__all__ = ["VoiceBot", "humans_in", "point_discord_at"]

log = logging.getLogger(__name__)

VOICE_CONNECT_TIMEOUT_S = 10.0
LAVALINK_GRACE_S = 60.0  # as long as the Lavalink session's resume timeout


def humans_in(channel: object) -> frozenset[int]:
    """Ids of the people (not bots) in a voice channel: the audience that idles, votes and counts."""
    members = getattr(channel, "members", None) or []
    return frozenset(m.id for m in members if not m.bot)


def point_discord_at(api_base: str) -> None:
    """Send this process's discord.py to another Discord (the sandbox's fake), e.g. http://127.0.0.1:P."""
    import yarl

    base = api_base.rstrip("/")
    discord.http.Route.BASE = f"{base}/api/v10"
    ws = base.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"{ws}/gateway")


class VoiceBot(discord.Client):
    """A discord.Client plus a Lavalink node, serving LocalSessions."""

    def __init__(self, lavalink: Lavalink, *, lavalink_grace_s: float = LAVALINK_GRACE_S, **options: Any) -> None:
        intents = discord.Intents.default()
        intents.voice_states = True
        intents.guilds = True
        intents.members = True
        super().__init__(intents=intents, **options)
        self.lavalink = lavalink
        self.ready_event = asyncio.Event()
        self.lavalink_grace_s = lavalink_grace_s
        self.session_listeners: list[Callable[[int], None]] = []  # told a voice channel id on track changes
        self._watchdog = Supervised("lavalink-watchdog", self._watch_lavalink)

    async def setup_hook(self) -> None:
        await self.lavalink.connect(self)
        self._watchdog.start()

    async def close(self) -> None:
        await self._watchdog.close()
        await super().close()

    async def _watch_lavalink(self) -> None:
        """End every local session when Lavalink is gone for longer than the grace period: the players are
        lost with it (a short outage is survived by wavelink's session resuming)."""
        down_since: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(min(1.0, self.lavalink_grace_s / 4))
            if self.lavalink.ready or not self.ready_event.is_set():
                down_since = None
                continue
            down_since = down_since or loop.time()
            if loop.time() - down_since < self.lavalink_grace_s:
                continue
            for voice in list(self.voice_clients):
                session = session_of(voice)
                if session is not None:
                    log.warning("Lavalink gone for %.0fs; ending the session in %s", self.lavalink_grace_s,
                                session.channel_id)
                    await session.on_voice_lost(Ending(CloseReason.LAVALINK_LOST))

    async def on_wavelink_stats_update(self, payload: Any) -> None:
        self.lavalink.note_alive()

    async def on_ready(self) -> None:
        log.info("logged in as %s (%s)", self.user, self.user.id if self.user else "?")
        self.ready_event.set()

    @property
    def is_serving(self) -> bool:
        """Discord READY and the Lavalink node connected: what health reports as SERVING."""
        return self.ready_event.is_set() and not self.is_closed() and self.lavalink.ready

    async def connect_player(self, guild_id: int, channel_id: int) -> KoePlayer:
        """The PlayerConnector for LocalSession: join ``channel_id`` and return the connected player."""
        guild = self.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild else None
        if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            raise InvalidArgument(f"Voice channel {channel_id} does not exist here.", "channel_id")
        existing = guild.voice_client if guild else None
        if isinstance(existing, KoePlayer):
            live = existing.connected and existing.session is not None and not existing.session.ended
            if existing.connected and existing.channel and existing.channel.id == channel_id:
                return existing
            if live:
                raise NotConnected("This bot is already playing in another channel of this server.")
            await self._drop_voice(existing)  # a failed or orphaned join: clear it, then join afresh
        try:
            player = await joining(
                channel.connect(cls=KoePlayer, timeout=VOICE_CONNECT_TIMEOUT_S, self_deaf=True), channel_id
            )
        except BaseException:
            # discord.py cleans up only after its own TimeoutError; wavelink raises its own: do it here.
            if guild is not None and guild.voice_client is not None:
                await self._drop_voice(guild.voice_client)
            raise
        assert isinstance(player, KoePlayer)
        return player

    @staticmethod
    async def _drop_voice(voice: discord.VoiceProtocol) -> None:
        try:
            await asyncio.wait_for(voice.disconnect(force=True), 5.0)
        except Exception as exc:  # best effort on a connection that is already broken
            log.debug("dropping a stale voice connection: %r", exc)
        voice.cleanup()

    # -- wavelink events → the session owning the player -------------------------------------------
    def _changed(self, channel_id: int) -> None:
        for listener in self.session_listeners:
            listener(channel_id)

    async def on_wavelink_player_update(self, payload: Any) -> None:
        note_player_update(payload)

    async def on_wavelink_track_start(self, payload: Any) -> None:
        session = session_of(payload.player)
        if session is not None:
            self._changed(session.channel_id)

    async def on_wavelink_track_end(self, payload: Any) -> None:
        session = session_of(payload.player)
        if session is not None:
            await session.on_track_end(str(payload.reason))
            self._changed(session.channel_id)

    async def on_wavelink_track_exception(self, payload: Any) -> None:
        log.warning("track exception in guild %s: %s", getattr(payload.player, "guild", None), payload.exception)

    async def on_wavelink_track_stuck(self, payload: Any) -> None:
        session = session_of(payload.player)
        if session is not None:
            log.warning("track stuck in %s; skipping", session.channel_id)
            await session.on_track_end("loadFailed")

    async def on_wavelink_websocket_closed(self, payload: Any) -> None:
        # 4014: disconnected (kicked or channel deleted); 4006: session no longer valid.
        session = session_of(payload.player)
        code = int(getattr(payload.code, "value", payload.code))
        if session is not None and code in (4014, 4006, 4022):
            await session.on_voice_lost(Ending(CloseReason.KICKED, "voice connection closed"))

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        session = session_of(channel.guild.voice_client)
        if session is not None and session.channel_id == channel.id:
            await session.on_voice_lost(Ending(CloseReason.CHANNEL_DELETED))
