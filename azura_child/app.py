"""One child process: a command-less Discord client, its LocalSessions, and the KoeSession gRPC server."""

from __future__ import annotations

import asyncio
import logging

import discord
import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from azura_common.koe import validation
from azura_common.koe.koe import Koe
from azura_common.koe.link import LinkHub
from azura_common.koe.local import Lavalink, LocalSession
from azura_common.koe.session import Ending, Session
from azura_common.nowplaying import NowPlayingBoard
from azura_common.supervised import wait_set
from azura_common.tls import LinkTls, warn_plaintext
from azura_common.voicebot import VoiceBot

from .auth import AuthInterceptor
from .config import ChildConfig
from .decoding import DecodingInterceptor
from .servicer import KoeSessionService

__all__ = ["SERVICE_NAME", "ChildApp", "TokenRefused"]

log = logging.getLogger(__name__)

SERVICE_NAME = "azura.koe.v1.KoeSession"
READY_TIMEOUT_S = 60.0
SHUTDOWN_GRACE_S = 5.0
DRAIN_S = 20.0  # within Heroku's 30 s between SIGTERM and SIGKILL, with time left to leave voice
# The largest request accepted: a full Enqueue of ordinary tracks (a few hundred bytes each, 2 KiB allowed),
# so an oversized one reaches the servicer's checks and gets their message instead of gRPC's size error.
MAX_REQUEST_BYTES = validation.MAX_TRACKS_PER_ENQUEUE * 2048


class TokenRefused(Exception):
    """Another child of the parent holds the token index this child was assigned."""


class ChildApp:
    """Owns every piece of a child and their order of start and stop."""

    def __init__(self, config: ChildConfig) -> None:
        self.config = config
        self.drain_s = DRAIN_S
        self._session_ended = asyncio.Event()
        self.bot = VoiceBot(
            Lavalink(config.lavalink_uri, config.lavalink_password, identifier="azura-child",
                     more=config.lavalink_more),
            lavalink_grace_s=config.lavalink_grace_s,
            shards=config.shards,
        )
        self.koe = Koe(local_factory=self._new_local, on_closed=self._closed)
        self.hub = LinkHub(
            self.koe, bot_user_id=self._bot_id, ready=lambda: self.bot.is_serving,
            in_guild=lambda guild_id: self.bot.get_guild(guild_id) is not None,
            token_index=config.token_index, token_fixed=config.token is not None, token_count=len(config.tokens),
        )
        self._token_refused = asyncio.Event()  # a non-fixed child whose index another holds: it stops
        self.hub.on_token_refused = lambda why: self._token_refused.set()
        self.board = NowPlayingBoard(self.bot, self.koe, self._dj_role_of, refresh_s=config.nowplaying_refresh_s)
        self.bot.session_listeners.append(self.board.poke)
        self.hub.on_stale_boards = self.board.show_moved
        self.servicer = KoeSessionService(self.koe, self.hub, on_change=self.board.poke)
        self.health = health.aio.HealthServicer()
        self.server = grpc.aio.server(
            # Outermost first: who may call, then whether the bytes are a request at all.
            interceptors=[AuthInterceptor(config.secret), DecodingInterceptor()],
            options=[("grpc.max_receive_message_length", MAX_REQUEST_BYTES)],
        )
        self.port = 0
        self._bot_task: asyncio.Task[None] | None = None
        self._ready_task: asyncio.Task[None] | None = None

    def _bot_id(self) -> int:
        return self.bot.user.id if self.bot.user else 0

    async def _dj_role_of(self, session: Session) -> int | None:
        """The DJ role the parent connected the session with: what its now-playing buttons follow."""
        return session.dj_role_id if isinstance(session, LocalSession) else None

    def _new_local(self, guild_id: int, channel_id: int) -> Session:
        return LocalSession(
            guild_id, channel_id, self._bot_id(), self.bot.connect_player,
            on_end=self._local_ended, on_change=self._local_changed,
        )

    def _local_changed(self, session: LocalSession, queue_changed: bool) -> None:
        self.hub.session_changed(session, queue_changed)

    async def _local_ended(self, session: LocalSession, ending: Ending) -> None:
        self._session_ended.set()
        await self.koe.forget(session.channel_id, ending, session)

    async def _closed(self, session: Session, ending: Ending) -> None:
        await self.hub.session_closed(session, ending)
        await self.board.ended(session, ending)

    async def start(self) -> int:
        """Serve gRPC at once (health says NOT_SERVING) and log in to Discord in the background (with the token
        whose index the parent assigns, when the environment fixes none)."""
        self.servicer.add_to_server(self.server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
            self.server,
        )
        host = self.config.bind_host
        if ":" in host and not host.startswith(("unix:", "[")):
            host = f"[{host}]"  # an IPv6 literal such as :: (Fly.io's 6PN): gRPC wants [::]:PORT, not :::PORT
        address = host if host.startswith("unix:") else f"{host}:{self.config.port}"
        credentials = _tls_credentials(self.config.tls)
        if credentials is not None:
            self.port = self.server.add_secure_port(address, credentials)
        else:
            if self.config.serves_plaintext_beyond_loopback:  # allowed by AZURA_INSECURE_LINKS=1 (config checked)
                warn_plaintext(f"serving gRPC on {address}")
            self.port = self.server.add_insecure_port(address)
        await self._set_health(False)
        await self.server.start()
        self._bot_task = asyncio.create_task(self._log_in(), name="discord-client")
        self.board.start()
        self.hub.start()
        self._ready_task = asyncio.create_task(self._serve_when_ready(), name="health-ready")
        log.info("child gRPC on %s (%s)", address, _security(self.config.tls))
        return self.port

    async def _log_in(self) -> None:
        token = self.config.token
        if token is None:
            log.info("no token index of its own: waiting for the parent to assign one of the %d in "
                     "AZURA_CHILD_TOKENS", len(self.config.tokens))
            token = self.config.tokens[await self.hub.token_assigned() - 1]
            await self.hub.announce()  # the parent counts the index as held once this child says so
        await self.bot.start(token)

    async def _serve_when_ready(self) -> None:
        while not self.bot.is_serving:
            if self._bot_task is not None and self._bot_task.done():
                return
            await asyncio.sleep(0.05)
        await self._leave_stale_voice()
        await self.hub.announce()  # a parent that linked up before the login learns the bot id now
        await self._set_health(True)
        log.info("child %s ready: Discord and Lavalink are up", self._bot_id())

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

    async def _set_health(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ("", SERVICE_NAME):
            await self.health.set(name, status)

    async def wait(self) -> None:
        """Until the Discord client stops (a fatal login error ends the child), or another child turns out to
        hold the token index this one was assigned (it stops, so a fresh start asks for a free one)."""
        if self._bot_task is None:
            return
        refused = asyncio.create_task(self._token_refused.wait(), name="token-refused")
        try:
            await asyncio.wait({self._bot_task, refused}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            refused.cancel()
            await asyncio.gather(refused, return_exceptions=True)
        if self._bot_task.done():
            await self._bot_task
        else:
            raise TokenRefused(self.hub.token_refused)

    async def _drain(self) -> None:
        """A planned stop (a deploy): ask the parents to move this child's sessions to other bots, and keep
        playing until they have (each stands down once it plays elsewhere), no parent listens, or the
        deadline passes; whatever is left then ends with a clear reason."""
        if not self.koe.routes() or not self.hub.links:
            return
        log.info("stopping: asking the parent to move %d session(s)", len(self.koe.routes()))
        self.hub.draining(self.drain_s)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.drain_s
        # A session is forgotten before its bot has left voice: wait for both, or the exit cuts the leave.
        while (self.koe.routes() or self.bot.voice_clients) and self.hub.links and loop.time() < deadline:
            self._session_ended.clear()  # set by _local_ended: wake as each session has left voice
            await wait_set(self._session_ended, min(0.5, deadline - loop.time()))
        if self.koe.routes():
            log.info("stopping with %d session(s) nobody could take over", len(self.koe.routes()))

    async def stop(self) -> None:
        """Graceful: NOT_SERVING, finish in-flight calls, leave voice (telling parents), close everything."""
        await self._set_health(False)
        await self.servicer.wait_idle(SHUTDOWN_GRACE_S)
        await self._drain()
        await self.koe.close()
        await self.servicer.dedupe.close()
        await self.board.close()
        await self.hub.close()
        await self.server.stop(1.0)
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
            log.warning("the Discord client took too long to close")
        if self._bot_task is not None:
            self._bot_task.cancel()  # still waiting for a token index (a logged-in client has ended by now)
            await asyncio.gather(self._bot_task, return_exceptions=True)


def _tls_credentials(tls: LinkTls) -> grpc.ServerCredentials | None:
    """TLS with the child's certificate; with ``AZURA_TLS_CA`` every caller must present a certificate it signed."""
    if tls.cert is None or tls.key is None:
        return None
    return grpc.ssl_server_credentials(
        [(tls.key, tls.cert)], root_certificates=tls.ca, require_client_auth=tls.requires_client_cert
    )


def _security(tls: LinkTls) -> str:
    if tls.requires_client_cert:
        return "mTLS: client certificates required"
    return "TLS" if tls.serves_tls else "plaintext"
