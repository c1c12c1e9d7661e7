"""A network-level fake of Discord (REST + gateway) that real discord.py bots connect to.

Usage::

    fake = FakeDiscord()
    port = await fake.start()
    token = fake.create_bot("azura")  # a Discord-format token; any other token is refused (401 / 4004)
    # in the bot process: discord.http.Route.BASE = fake.api_base
    #                     discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    guild = await fake.create_guild("g")
    result = await fake.invoke(user, guild, channel, "play", {"query": "x"})
"""

from .client import SandboxClient
from .core import SandboxError
from .invoking import InteractionResult, SentMessage
from .ratelimit import RateLimiter
from .server import FakeDiscord
from .world import World

__all__ = ["FakeDiscord", "InteractionResult", "RateLimiter", "SandboxClient", "SandboxError", "SentMessage", "World"]
