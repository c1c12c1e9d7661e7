"""Harness for tests and the demo: the fakes in this process, real Azura processes beside them.

``Sandbox`` starts a fake Discord and a fake Lavalink on loopback and builds one server ("guild") with a
text channel, voice channels and a few human users. ``ChildProcess`` runs ``python -m azura_child`` as a
separate process (never forked: see FIELD_NOTES.md) pointed at the fakes, and waits for its gRPC health
to say SERVING.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2

from azura_common.healthcheck import HEALTH_CHECK_METHOD
from azura_common.koe.local import Lavalink
from azura_common.voicebot import VoiceBot, point_discord_at

from .fake_discord import FakeDiscord
from .fake_discord.world import Channel, Guild, User
from .fake_lavalink import FakeLavalink
from .waiting import eventually

__all__ = ["AzuraProcess", "ChildProcess", "ParentProcess", "Sandbox", "free_port", "voice_bot"]

log = logging.getLogger(__name__)

CLUSTER_SECRET = "sandbox-cluster-secret"
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port free right now on loopback (the OS may hand it out again later; fine for tests)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sandbox:
    """The fakes plus one ready-made server."""

    discord: FakeDiscord
    lavalink: FakeLavalink
    guild: Guild
    text: Channel
    voices: list[Channel]
    users: dict[str, User]
    secret: str = CLUSTER_SECRET
    children: list[AzuraProcess] = field(default_factory=list)  # every process started, to stop at the end

    @classmethod
    async def start(cls, *, speed: float = 50.0, voice_channels: int = 4, user_names: tuple[str, ...] = ()) -> Sandbox:
        discord = FakeDiscord()
        await discord.start()
        lavalink = FakeLavalink(speed=speed, player_update_interval=0.5)
        lavalink.lyrics_plugin = True  # the sandbox's node has LavaLyrics, for /lyrics
        await lavalink.start()
        guild = await discord.create_guild("Azura Lounge")
        text = await discord.create_text_channel(guild, "music")
        voices = [await discord.create_voice_channel(guild, f"voice-{i + 1}") for i in range(voice_channels)]
        users = {name: await discord.create_user(name) for name in user_names or ("alice", "bob", "carol")}
        return cls(discord, lavalink, guild, text, voices, users)

    @property
    def discord_api(self) -> str:
        return str(self.discord.base_url)

    @property
    def lavalink_uri(self) -> str:
        return f"http://127.0.0.1:{self.lavalink.port}"

    def child_env(self, token: str, port: int) -> dict[str, str]:
        # *token* names the bot: the fake Discord declares it and issues its Discord-format token
        return {
            "AZURA_CHILD_TOKEN": self.discord.create_bot(token),
            "AZURA_CLUSTER_SECRET": self.secret,
            "PORT": str(port),
            "LAVALINK_URI": self.lavalink_uri,
            "LAVALINK_PASSWORD": self.lavalink.password,
            "AZURA_DISCORD_API": self.discord_api,
        }

    async def spawn_child(
        self, token: str, *, port: int | None = None, wait: bool = True, env: Mapping[str, str] | None = None
    ) -> ChildProcess:
        child = ChildProcess({**self.child_env(token, port or free_port()), **(env or {})})
        self.children.append(child)
        child.start()
        if wait:
            await child.wait_serving()
        return child

    async def spawn_bots(
        self, names: list[str], *, bots: int | None = None, index: int = 1, port: int | None = None,
        wait: bool = True, env: Mapping[str, str] | None = None,
    ) -> ChildProcess:
        """One child process running ``bots`` bots (AZURA_CHILD_BOTS, default all of ``names``): ``names`` are
        the bots of AZURA_CHILD_TOKENS (one per name, declared in the fake Discord), and this process, number
        ``index``, takes the slice ``(index-1)*bots+1 … index*bots`` of them."""
        base = self.child_env(names[0], port or free_port())
        del base["AZURA_CHILD_TOKEN"]
        tokens = ",".join(self.discord.create_bot(name) for name in names)
        slice_ = {"AZURA_CHILD_TOKENS": tokens, "AZURA_CHILD_INDEX": str(index),
                  "AZURA_CHILD_BOTS": str(bots or len(names))}
        child = ChildProcess({**base, **slice_, **(env or {})})
        self.children.append(child)
        child.start()
        if wait:
            await child.wait_serving()
        return child

    def parent_env(
        self, token: str, children: list[ChildProcess], db_path: Path, idle_timeout_s: float = 300
    ) -> dict[str, str]:
        return {
            "AZURA_PARENT_TOKEN": self.discord.create_bot(token),  # *token* names the bot, as in child_env
            "AZURA_CLUSTER_SECRET": self.secret,
            "AZURA_CHILDREN": ",".join(c.address for c in children),
            "LAVALINK_URI": self.lavalink_uri,
            "LAVALINK_PASSWORD": self.lavalink.password,
            "AZURA_DISCORD_API": self.discord_api,
            "AZURA_DB_PATH": str(db_path),
            "AZURA_COMMAND_GUILDS": str(self.guild.id),
            "AZURA_IDLE_TIMEOUT_S": str(idle_timeout_s),
        }

    async def spawn_parent(
        self, token: str, children: list[ChildProcess], db_path: Path, *, idle_timeout_s: float = 300,
        env: Mapping[str, str] | None = None,
    ) -> ParentProcess:
        parent = ParentProcess({**self.parent_env(token, children, db_path, idle_timeout_s), **(env or {})})
        self.children.append(parent)
        parent.start()
        await parent.wait_ready()
        return parent

    async def stop(self) -> None:
        await asyncio.gather(*(child.stop() for child in self.children), return_exceptions=True)
        await self.lavalink.stop()
        await self.discord.stop()


class AzuraProcess:
    """``python -m <module>`` in its own process, its output in a log file."""

    module = "azura_child"

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)
        self.port = int(self.env.get("PORT", "0"))
        bind = self.env.get("AZURA_BIND_HOST", "")
        self.address = bind if bind.startswith("unix:") else f"127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None

    def start(self) -> None:
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        log_dir = Path(os.environ.get("AZURA_SANDBOX_LOGS", "/tmp/azura-sandbox-logs"))
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{self.module}-{self.port or os.getpid()}-{time.monotonic_ns()}.log"
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def log_text(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def raise_if_exited(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"{self.module} exited with {self.process.returncode}:\n{self.log_tail()}")

    async def wait_until(self, check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
        """``eventually(check)``, failing at once when the process exits, with its log's tail on a timeout."""

        async def alive_and_done() -> bool:
            self.raise_if_exited()
            return await check()

        try:
            await eventually(alive_and_done, timeout=timeout, what=what, poll_s=0.1)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}:\n{self.log_tail()}") from None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()

    async def stop(self, timeout: float = 12.0) -> int | None:
        """SIGTERM and wait; SIGKILL if it does not exit in time. Returns the exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, timeout)
            except subprocess.TimeoutExpired:
                pass
            if process.poll() is None:
                log.warning("%s ignored SIGTERM; killing it", self.module)
                process.kill()
                await asyncio.to_thread(process.wait, 5)
        return process.returncode


class ParentProcess(AzuraProcess):
    module = "azura_parent"

    async def wait_ready(self, timeout: float = 40.0) -> None:
        async def ready() -> bool:
            return "parent ready:" in self.log_text()

        await self.wait_until(ready, timeout, "the parent to say it is ready")


class ChildProcess(AzuraProcess):
    """``python -m azura_child``, with its gRPC health."""

    async def health(self, timeout: float = 1.0) -> str:
        async with grpc.aio.insecure_channel(self.address) as channel:
            check = channel.unary_unary(  # typed, where the generated health stub is not
                HEALTH_CHECK_METHOD,
                request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                response_deserializer=health_pb2.HealthCheckResponse.FromString,
            )
            reply: health_pb2.HealthCheckResponse = await check(health_pb2.HealthCheckRequest(service=""),
                                                                timeout=timeout)
            return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))

    async def wait_serving(self, timeout: float = 40.0) -> None:
        async def serving() -> bool:
            with contextlib.suppress(grpc.aio.AioRpcError):
                return await self.health() == "SERVING"
            return False

        await self.wait_until(serving, timeout, f"the child on {self.address} to be SERVING")


@contextlib.asynccontextmanager
async def voice_bot(sandbox: Sandbox, name: str, *, timeout: float = 30.0) -> AsyncIterator[VoiceBot]:
    """A bot in this process (the parent's side of a test), logged in to the sandbox's Discord as ``name``
    with its own Lavalink node, ready to play; closed on exit."""
    point_discord_at(sandbox.discord_api)  # as the entry points do: this process's discord.py talks to the fake
    bot = VoiceBot(Lavalink(sandbox.lavalink_uri, sandbox.lavalink.password, identifier=name))
    task = asyncio.create_task(bot.start(sandbox.discord.create_bot(name)), name=f"bot-{name}")
    try:
        await eventually(lambda: bot.is_serving or task.done(), timeout=timeout, what=f"{name} to be ready")
        if task.done():
            raise RuntimeError(f"{name} stopped before it was ready: {task.exception()!r}")
        yield bot
    finally:
        await bot.lavalink.close()
        await bot.close()
        await asyncio.gather(task, return_exceptions=True)
