"""A fake Discord with one server and real discord.py clients in this process (see ``conftest.py``)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import discord
from fake_discord_bot import RecordingVoice

from azura_sandbox.fake_discord import FakeDiscord
from azura_sandbox.fake_discord.world import Channel, Guild, User

__all__ = ["RecordingVoice", "Server"]


@dataclass
class Server:
    """The fake Discord, one guild (#general, #locked, two voice channels, alice) and the bots started."""

    fake: FakeDiscord
    guild: Guild
    text: Channel
    other_text: Channel
    voice: Channel
    other_voice: Channel
    alice: User
    clients: list[tuple[discord.Client, asyncio.Task[None]]] = field(default_factory=list)

    async def start_bot(self, name: str, client: discord.Client | None = None) -> discord.Client:
        """A real discord.py client logged in as the declared bot *name*, ready (its guilds received)."""
        client = client or discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
        task = asyncio.create_task(client.start(self.fake.create_bot(name)))
        self.clients.append((client, task))
        ready = asyncio.create_task(client.wait_until_ready())
        await asyncio.wait({ready, task}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            raise AssertionError(f"bot {name} did not get ready: {task.exception() if task.done() else 'timeout'}")
        return client

    async def close(self) -> None:
        for client, task in self.clients:
            await client.close()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
