"""The Discord side every Azura bot shares: a client that joins voice for Koe's LocalSessions.

Discord types live here (and in the bots' own modules), never in ``azura_common.koe``. This client
connects its Lavalink node once logged in, builds connected ``KoePlayer``s for LocalSession, routes
wavelink's events to the session that owns the player, and notices when Discord takes the bot out of
a channel (a kick, a deleted channel) so the session can end and tell everyone.

What happens to sessions when something under them breaks:

- **Lavalink lost** (``Lavalink`` keeps the node: noticed at once, reconnected within half a second of it
  being back): a Lavalink that kept our session (a dropped connection) played on, and only a voice server
  Discord moved meanwhile is sent again; one that lost it (a restart) gets every session replayed from its
  own state. Gone longer than ``lavalink_grace_s``, the sessions end (``LAVALINK_LOST``).
- **Discord closed the voice connection** (``on_wavelink_websocket_closed``): 4006 and 4009 mean "join
  again", so the bot rejoins its channel and the track plays on; 4014/4022 mean "disconnected": kicked or
  moved out (the session ends as ``KICKED`` with which it was), or, when the bot is still in its channel, a
  hiccup: rejoin. A rejoin that keeps failing ends the session rather than loop.
- **Moved by an admin** to another channel: the session ends as ``KICKED`` ("moved out of its channel");
  following the move would change the session's channel, which Koe's routing keys on.

Sharding: the client is discord.py's ``AutoShardedClient``, with the shard count Discord recommends or the one
configured (``ShardSettings``); a guild's events arrive on, and its voice state changes (``change_voice_state``,
which wavelink uses) leave through, the shard owning the guild. One shard is an unsharded bot. Shards identify
as fast as Discord's ``max_concurrency`` buckets allow (``IdentifyPacer``), not discord.py's 5 s per shard.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import discord

from .config import ShardSettings
from .identify_pacing import IdentifyPacer
from .koe.errors import InvalidArgument, KoeError, MusicServerDown, NotConnected
from .koe.local import KoePlayer, Lavalink, LocalSession, joining, note_player_update, session_of
from .koe.session import CloseReason, Ending
from .supervised import Supervised

__all__ = ["VoiceBot", "humans_in", "point_discord_at"]

log = logging.getLogger(__name__)

VOICE_CONNECT_TIMEOUT_S = 10.0
LAVALINK_GRACE_S = 60.0  # as long as the Lavalink session's resume timeout
REJOIN_CODES = frozenset({4006, 4009})  # session no longer valid, session timeout: Discord wants a new session
DISCONNECTED_CODES = frozenset({4014, 4022})  # disconnected, call terminated: kicked, moved, or a hiccup
VOICE_SETTLE_S = 1.0  # after a 4014, how long Discord's voice state has to say whether we were kicked or moved
MAX_REJOINS = 3  # per session within REJOIN_WINDOW_S; more means the voice connection keeps failing
REJOIN_WINDOW_S = 60.0
SHARD_QUEUE = "_AutoShardedClient__queue"  # discord.py's shard event queue (name-mangled), made at login


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


class VoiceBot(discord.AutoShardedClient):
    """A discord.py client (sharded as ``shards`` says) plus a Lavalink node, serving LocalSessions."""

    def __init__(
        self,
        lavalink: Lavalink,
        *,
        lavalink_grace_s: float = LAVALINK_GRACE_S,
        shards: ShardSettings | None = None,
        **options: Any,
    ) -> None:
        # Only what Azura reads: servers, channels and roles; members (DJ roles, who listens); voice states.
        # Message events are not asked for: every reply and now-playing edit in a server would reach every bot.
        intents = discord.Intents.none()
        intents.guilds = True
        intents.members = True
        intents.voice_states = True
        shards = shards or ShardSettings()  # Discord's recommended count, every shard
        if shards.ids is not None:  # discord.py's stubs take a list here, never None
            options["shard_ids"] = list(shards.ids)
        super().__init__(intents=intents, shard_count=shards.count, **options)
        self.identify_pacer = IdentifyPacer()
        self._identified: set[int] = set()  # shards that identified once: another IDENTIFY is a re-identify
        self.lavalink = lavalink
        self.ready_event = asyncio.Event()
        self.lavalink_grace_s = lavalink_grace_s
        self.session_listeners: list[Callable[[int], None]] = []  # told a voice channel id on track changes
        self._watchdog = Supervised("lavalink-watchdog", self._watch_lavalink)
        self._rejoins: weakref.WeakKeyDictionary[LocalSession, list[float]] = weakref.WeakKeyDictionary()
        lavalink.on_restored = self._lavalink_restored

    async def setup_hook(self) -> None:
        await self.lavalink.connect(self)
        self._watchdog.start()

    async def close(self) -> None:
        await self._watchdog.close()
        if not hasattr(self, SHARD_QUEUE):  # never logged in: discord.py's sharded close expects the queue login makes
            setattr(self, SHARD_QUEUE, asyncio.PriorityQueue())
        await super().close()

    # -- shards --------------------------------------------------------------------------------------
    async def launch_shards(self) -> None:
        if not self.is_closed():
            try:  # how many shards may identify at once (discord.py reads it but does not use it)
                limits = await self.fetch_session_start_limits()
                self.identify_pacer.max_concurrency = max(1, limits.max_concurrency)
            except discord.DiscordException as exc:
                log.warning("no session start limits from Discord (%s): shards identify one at a time", exc)
        await super().launch_shards()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        shard = shard_id or 0
        if shard in self._identified:  # a session lost and identified again: discord.py's own pause first
            await super().before_identify_hook(shard_id, initial=initial)
        self._identified.add(shard)
        waited = await self.identify_pacer.wait_turn(shard)
        if waited:
            log.debug("shard %s waited %.1f s for its identify bucket", shard, waited)

    def _live_sessions(self) -> list[tuple[KoePlayer, LocalSession]]:
        found = []
        for voice in list(self.voice_clients):
            session = session_of(voice)
            if isinstance(voice, KoePlayer) and session is not None and not session.ended:
                found.append((voice, session))
        return found

    async def _watch_lavalink(self) -> None:
        """End every local session when Lavalink stays away longer than the grace period (a restart is
        survived: the sessions are replayed when it is back)."""
        while True:
            await asyncio.sleep(min(1.0, self.lavalink_grace_s / 4))
            down_for = self.lavalink.down_for()
            if down_for is None or down_for < self.lavalink_grace_s:
                continue
            for _, session in self._live_sessions():
                log.warning("Lavalink gone for %.0fs; ending the session in %s", down_for, session.channel_id)
                await session.on_voice_lost(Ending(CloseReason.LAVALINK_LOST))

    async def _lavalink_restored(self, resumed: bool, players: Sequence[KoePlayer]) -> None:
        """``players`` are on a Lavalink session again. Resumed: it kept them, they played on; only a voice
        server that moved meanwhile is sent again. Not resumed (their node lost them, or they moved to another
        node): replay each session from its own state."""

        async def restore(player: KoePlayer, session: LocalSession) -> None:
            try:
                if resumed:
                    await player.resend_voice_if_moved()
                else:
                    await session.replay()
            except KoeError as exc:
                log.warning("restoring the session in %s on Lavalink failed: %s", session.channel_id, exc)
                return
            self._changed(session.channel_id)

        await asyncio.gather(*(restore(player, session) for player, session in self._live_sessions()
                               if player in players))

    async def on_ready(self) -> None:
        log.info("logged in as %s (%s) on %s shard(s)", self.user, self.user.id if self.user else "?",
                 self.shard_count)
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
            raise InvalidArgument(argument="channel_id", key="errors.no_such_channel", params={"channel": channel_id})
        if not self.lavalink.ready:
            raise MusicServerDown()
        existing = guild.voice_client if guild else None
        if isinstance(existing, KoePlayer):
            live = existing.connected and existing.session is not None and not existing.session.ended
            if existing.connected and existing.channel and existing.channel.id == channel_id:
                return existing
            if live:
                raise NotConnected(key="errors.bot_busy_elsewhere")
            await self._drop_voice(existing)  # a failed or orphaned join: clear it, then join afresh
        try:
            player = await joining(
                channel.connect(cls=self.lavalink.player_factory(), timeout=VOICE_CONNECT_TIMEOUT_S, self_deaf=True),
                channel_id,
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
        """Discord's voice server closed our voice connection (Lavalink tells us the close code)."""
        player, session = payload.player, session_of(payload.player)
        if not isinstance(player, KoePlayer) or session is None or session.ended:
            return
        code = int(getattr(payload.code, "value", payload.code))
        if code in DISCONNECTED_CODES:
            where = await self._voice_channel_after_close(session)
            if session.ended:  # Discord's voice state update said kicked or moved: ended with that reason
                return
            if where is None:
                await session.on_voice_lost(Ending(CloseReason.KICKED, "kicked from voice"))
                return
            if where != session.channel_id:
                await session.on_voice_lost(Ending(CloseReason.KICKED, "moved out of its channel"))
                return
        elif code not in REJOIN_CODES:
            log.info("voice connection in %s closed with %s; Lavalink handles it", session.channel_id, code)
            return
        await self._rejoin(player, session, code)

    async def _voice_channel_after_close(self, session: LocalSession) -> int | None:
        """Where Discord says the bot is, once its own voice state update had time to arrive (it races the
        close code). A kick or a move ends the session meanwhile (``KoePlayer.on_voice_state_update``)."""
        await session.wait_ended(VOICE_SETTLE_S)
        guild = self.get_guild(session.guild_id)
        me = guild.me if guild is not None else None
        channel = me.voice.channel if (me is not None and me.voice is not None) else None
        return channel.id if channel is not None else None

    async def _rejoin(self, player: KoePlayer, session: LocalSession, code: int) -> None:
        now = time.monotonic()
        recent = [t for t in self._rejoins.get(session, []) if now - t < REJOIN_WINDOW_S]
        self._rejoins[session] = [*recent, now]  # when this session last rejoined (monotonic)
        if len(recent) >= MAX_REJOINS:
            log.warning("voice in %s closed (%s) %d times in %.0f s; giving up", session.channel_id, code,
                        len(recent) + 1, REJOIN_WINDOW_S)
            await session.on_voice_lost(Ending(CloseReason.KICKED, "the voice connection keeps failing"))
            return
        log.info("voice connection in %s closed (%s); rejoining", session.channel_id, code)
        if not await player.rejoin() and not session.ended:
            await session.on_voice_lost(Ending(CloseReason.KICKED, "couldn't rejoin the voice channel"))

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        session = session_of(channel.guild.voice_client)
        if session is not None and session.channel_id == channel.id:
            await session.on_voice_lost(Ending(CloseReason.CHANNEL_DELETED))
