"""One bot of a child process (``ChildBot``): its Discord client and Lavalink node, its Koe, its Link hub, its
now-playing board and its KoeSession servicer. The process (``app.ChildApp``) runs one or several, each seen by
the parent as its own child on the Link, addressed by its slot (1-based, ``azura-bot`` metadata).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import discord

from azura_common.koe.koe import Koe
from azura_common.koe.link import LinkHub
from azura_common.koe.local import Lavalink, LocalSession
from azura_common.koe.local.autoplay import related_finder
from azura_common.koe.session import Ending, Session
from azura_common.nowplaying import NowPlayingBoard
from azura_common.supervised import wait_set
from azura_common.voice_status import VoiceStatus
from azura_common.voicebot import VoiceBot

from .config import ChildConfig
from .servicer import KoeSessionService

__all__ = ["ChildBot", "TokenRefused", "lavalink_identifier"]

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 5.0


class TokenRefused(Exception):
    """Another child of the parent holds the token index this child was assigned."""


def lavalink_identifier(slot: int) -> str:
    """The bot's node name in wavelink's one Pool per process: each bot of a process needs its own node (its
    players are created on it), so slots past the first are numbered; slot 1 keeps the single bot's name."""
    return "azura-child" if slot == 1 else f"azura-child-{slot}"


class ChildBot:
    """Everything one bot account of a child process owns, and its order of start and stop."""

    def __init__(self, config: ChildConfig, slot: int = 1, *, process_bots: Callable[[], int] = lambda: 1) -> None:
        self.config = config
        self.slot = slot
        self.token, token_index = config.bot_token(slot)
        self._session_ended = asyncio.Event()
        self.bot = VoiceBot(
            Lavalink(config.lavalink_uri, config.lavalink_password, identifier=lavalink_identifier(slot),
                     more=config.lavalink_more, region=config.lavalink_region),
            lavalink_grace_s=config.lavalink_grace_s,
            shards=config.shards,
        )
        self.koe = Koe(local_factory=self._new_local, on_closed=self._closed)
        self.hub = LinkHub(
            self.koe, bot_user_id=self._bot_id, ready=lambda: self.bot.is_serving,
            in_guild=lambda guild_id: self.bot.get_guild(guild_id) is not None,
            token_index=token_index, token_fixed=self.token is not None, token_count=len(config.tokens),
            bot_slot=slot, process_bots=process_bots,
        )
        self.token_refused = asyncio.Event()  # a non-fixed bot whose index another holds: the process stops
        self.hub.on_token_refused = lambda why: self.token_refused.set()
        self.board = NowPlayingBoard(self.bot, self.koe, self._dj_role_of, refresh_s=config.nowplaying_refresh_s)
        self.bot.session_listeners.append(self.board.poke)
        self.voice_status = VoiceStatus(self.bot, self.koe)
        self.bot.session_listeners.append(self.voice_status.poke)
        self.hub.on_stale_boards = self.board.show_moved
        self.servicer = KoeSessionService(self.koe, self.hub, on_change=self.board.poke)
        self.task: asyncio.Task[None] | None = None  # the Discord client: logging in, then connected
        self._ready_task: asyncio.Task[None] | None = None

    @property
    def ready(self) -> bool:
        return self.bot.is_serving

    def _bot_id(self) -> int:
        return self.bot.user.id if self.bot.user else 0

    async def _dj_role_of(self, session: Session) -> int | None:
        """The DJ role the parent connected the session with: what its now-playing buttons follow."""
        return session.dj_role_id if isinstance(session, LocalSession) else None

    def _new_local(self, guild_id: int, channel_id: int) -> Session:
        return LocalSession(
            guild_id, channel_id, self._bot_id(), self.bot.connect_player,
            on_end=self._local_ended, on_change=self._local_changed,
            find_related=related_finder(self.bot.lavalink), on_ending=self.voice_status.ending,
        )

    def _local_changed(self, session: LocalSession, queue_changed: bool) -> None:
        self.hub.session_changed(session, queue_changed)

    async def _local_ended(self, session: LocalSession, ending: Ending) -> None:
        self._session_ended.set()
        await self.koe.forget(session.channel_id, ending, session)

    async def _closed(self, session: Session, ending: Ending) -> None:
        await self.hub.session_closed(session, ending)
        await self.board.ended(session, ending)
        await self.voice_status.ended(session)

    def start(self, on_ready: Callable[[], None]) -> None:
        """Log in to Discord in the background (with the token whose index the parent assigns, when the
        environment fixes none); ``on_ready`` once Discord and Lavalink are up."""
        self.task = asyncio.create_task(self._log_in(), name=f"discord-client-{self.slot}")
        self.board.start()
        self.voice_status.start()
        self.hub.start()
        self._ready_task = asyncio.create_task(self._serve_when_ready(on_ready), name=f"ready-{self.slot}")

    async def _log_in(self) -> None:
        token = self.token
        if token is None:
            log.info("bot %d has no token index of its own: waiting for the parent to assign one of the %d in "
                     "AZURA_CHILD_TOKENS", self.slot, len(self.config.tokens))
            token = self.config.tokens[await self.hub.token_assigned() - 1]
            await self.hub.announce()  # the parent counts the index as held once this bot says so
        await self.bot.start(token)

    async def _serve_when_ready(self, on_ready: Callable[[], None]) -> None:
        while not self.bot.is_serving:
            if self.task is not None and self.task.done():
                return
            await asyncio.sleep(0.05)
        await self._leave_stale_voice()
        await self.hub.announce()  # a parent that linked up before the login learns the bot id now
        log.info("child %s ready: Discord and Lavalink are up", self._bot_id())
        on_ready()

    async def _leave_stale_voice(self) -> None:
        """A child that crashed may still be shown in a voice channel (Discord keeps a dead connection's voice
        state until its session times out), and its sessions have moved to other bots since: it holds
        nothing yet, so it leaves wherever it still seems to sit."""
        for guild in self.bot.guilds:
            if guild.me is not None and guild.me.voice is not None and self.koe.local_channel(guild.id) is None:
                log.info("leaving a stale voice state in %s left by an earlier run", guild.id)
                try:
                    await guild.change_voice_state(channel=None)
                except discord.HTTPException as exc:
                    log.warning("leaving stale voice in %s: %s", guild.id, exc)

    async def drain(self, drain_s: float) -> None:
        """A planned stop (a deploy): ask the parents to move this bot's sessions to other bots, and keep
        playing until they have (each stands down once it plays elsewhere), no parent listens, or the
        deadline passes; whatever is left then ends with a clear reason."""
        if not self.koe.routes() or not self.hub.links:
            return
        log.info("stopping: asking the parent to move %d session(s)", len(self.koe.routes()))
        self.hub.draining(drain_s)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + drain_s
        # A session is forgotten before its bot has left voice: wait for both, or the exit cuts the leave.
        while (self.koe.routes() or self.bot.voice_clients) and self.hub.links and loop.time() < deadline:
            self._session_ended.clear()  # set by _local_ended: wake as each session has left voice
            await wait_set(self._session_ended, min(0.5, deadline - loop.time()))
        if self.koe.routes():
            log.info("stopping with %d session(s) nobody could take over", len(self.koe.routes()))

    async def stop(self, drain_s: float) -> None:
        """Graceful: finish in-flight calls, hand over or leave voice (telling parents), close everything."""
        await self.servicer.wait_idle(SHUTDOWN_GRACE_S)
        await self.drain(drain_s)
        await self.koe.close()
        await self.servicer.dedupe.close()
        await self.board.close()
        await self.voice_status.close()
        await self.hub.close()

    async def close(self) -> None:
        """After the gRPC server stopped: the Discord client and the Lavalink node."""
        if self._ready_task is not None:
            self._ready_task.cancel()
            await asyncio.gather(self._ready_task, return_exceptions=True)
        try:
            await asyncio.wait_for(self.bot.lavalink.close(), 2.0)
        except (TimeoutError, OSError) as exc:
            log.debug("closing lavalink: %s", exc)
        try:
            await asyncio.wait_for(self.bot.close(), 3.0)
        except TimeoutError:
            log.warning("the Discord client of bot %d took too long to close", self.slot)
        if self.task is not None:
            self.task.cancel()  # still waiting for a token index (a logged-in client has ended by now)
            await asyncio.gather(self.task, return_exceptions=True)
