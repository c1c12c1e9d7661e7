"""One child process: the KoeSession gRPC server and the bots it serves (``AZURA_CHILD_BOTS``, each a ``ChildBot``:
a command-less Discord client, its Lavalink node and its LocalSessions)."""

from __future__ import annotations

import asyncio
import logging

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from azura_common.koe import validation
from azura_common.koe.koe import Koe
from azura_common.koe.link import LinkHub
from azura_common.tls import LinkTls, warn_plaintext
from azura_common.voicebot import VoiceBot

from .auth import AuthInterceptor
from .bot import ChildBot, TokenRefused
from .config import ChildConfig
from .decoding import DecodingInterceptor
from .routing import BotRouter

__all__ = ["SERVICE_NAME", "ChildApp", "TokenRefused"]

log = logging.getLogger(__name__)

SERVICE_NAME = "azura.koe.v1.KoeSession"
READY_TIMEOUT_S = 60.0
DRAIN_S = 20.0  # within Heroku's 30 s between SIGTERM and SIGKILL, with time left to leave voice
# The largest request accepted: a full Enqueue of ordinary tracks (a few hundred bytes each, 2 KiB allowed),
# so an oversized one reaches the servicer's checks and gets their message instead of gRPC's size error.
MAX_REQUEST_BYTES = validation.MAX_TRACKS_PER_ENQUEUE * 2048


class ChildApp:
    """A child process: one gRPC server (health, reflection, the cluster secret, TLS) for its bots, each a
    ``ChildBot`` that the parent sees as its own child (``azura-bot`` metadata: its slot)."""

    def __init__(self, config: ChildConfig) -> None:
        self.config = config
        self.drain_s = DRAIN_S
        self.bots = [ChildBot(config, slot, process_bots=lambda: config.bots) for slot in range(1, config.bots + 1)]
        self.health = health.aio.HealthServicer()
        self.server = grpc.aio.server(
            # Outermost first: who may call, then whether the bytes are a request at all.
            interceptors=[AuthInterceptor(config.secret), DecodingInterceptor()],
            options=[("grpc.max_receive_message_length", MAX_REQUEST_BYTES)],
        )
        self.port = 0
        self._bot_ready = asyncio.Event()  # set as each bot is ready; health follows all of them
        self._health_task: asyncio.Task[None] | None = None

    # The first bot: all of a single-bot child (what tests and benchmarks of one child use).
    @property
    def bot(self) -> VoiceBot:
        return self.bots[0].bot

    @property
    def koe(self) -> Koe:
        return self.bots[0].koe

    @property
    def hub(self) -> LinkHub:
        return self.bots[0].hub

    async def start(self) -> int:
        """Serve gRPC at once (health says NOT_SERVING) and log every bot in to Discord in the background (with
        the token whose index the parent assigns, when the environment fixes none)."""
        self.server.add_generic_rpc_handlers(
            (BotRouter(SERVICE_NAME, {b.slot: b.servicer for b in self.bots}),)
        )
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
        for bot in self.bots:
            bot.start(on_ready=self._bot_ready.set)
        self._health_task = asyncio.create_task(self._serve_when_ready(), name="health-ready")
        log.info("child gRPC on %s (%s), %d bot(s)", address, _security(self.config.tls), len(self.bots))
        return self.port

    async def _serve_when_ready(self) -> None:
        """SERVING once every bot of the process is ready (one health status for the process)."""
        while not all(bot.ready for bot in self.bots):
            await self._bot_ready.wait()
            self._bot_ready.clear()
        await self._set_health(True)

    async def _set_health(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ("", SERVICE_NAME):
            await self.health.set(name, status)

    async def wait(self) -> None:
        """Until a Discord client stops (a fatal login error ends the process, and with it its bots), or another
        child turns out to hold a token index one of these bots was assigned (the process stops, so a fresh
        start asks for free ones)."""
        tasks = [bot.task for bot in self.bots if bot.task is not None]
        if not tasks:
            return
        refusals = [asyncio.create_task(bot.token_refused.wait(), name="token-refused") for bot in self.bots]
        try:
            await asyncio.wait({*tasks, *refusals}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for refusal in refusals:
                refusal.cancel()
            await asyncio.gather(*refusals, return_exceptions=True)
        ended = [task for task in tasks if task.done()]
        for client in ended:
            await client  # a login refused raises here
        if not ended:
            refused = next(bot for bot in self.bots if bot.token_refused.is_set())
            raise TokenRefused(refused.hub.token_refused)

    async def stop(self) -> None:
        """Graceful: NOT_SERVING, every bot finishes its calls and hands over or leaves voice (telling the
        parents), then the server and the clients close."""
        await self._set_health(False)
        await asyncio.gather(*(bot.stop(self.drain_s) for bot in self.bots))
        await self.server.stop(1.0)
        await _last_calls_finished(1.0)
        if self._health_task is not None:
            self._health_task.cancel()
            await asyncio.gather(self._health_task, return_exceptions=True)
        await asyncio.gather(*(bot.close() for bot in self.bots))


GRPC_CALL_TASKS = frozenset({"_handle_exceptions", "_schedule_rpc_coro"})  # grpc.aio's task per call


async def _last_calls_finished(timeout_s: float) -> None:
    """gRPC may accept one last call while it stops (a parent asking as this child hands its sessions over); the
    call's task ends on its own a moment after ``server.stop``. Wait for it: a task still there afterwards is a leak,
    and the process's stop names it."""
    calls = [task for task in asyncio.all_tasks()
             if getattr(task.get_coro(), "__qualname__", "") in GRPC_CALL_TASKS]
    if calls:
        await asyncio.wait(calls, timeout=timeout_s)


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
