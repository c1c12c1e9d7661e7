"""The parent's configuration, read once from the environment by ``__main__``."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from azura_common.config import ConfigError, LavalinkServer, env_seconds, lavalink_servers
from azura_common.koe.local.search_sources import DEFAULT_SEARCH_SOURCES, parse_search_sources

from .store.url import parse_database_url

__all__ = ["ConfigError", "ParentConfig", "child_addresses", "expand_children"]


def child_addresses(env: Mapping[str, str]) -> list[str]:
    """``AZURA_CHILDREN=host:port,...``; else ``AZURA_CHILD_COUNT`` children on consecutive ports from
    ``AZURA_CHILD_BASE_PORT`` (default: the parent's ``$PORT`` + 100, which is where honcho puts the
    Procfile's second line)."""
    listed = [a.strip() for a in env.get("AZURA_CHILDREN", "").split(",") if a.strip()]
    for address in listed:
        if address.startswith("unix:"):  # a child on this machine behind a Unix socket
            continue
        host, _, port = address.removeprefix("all:").rpartition(":")
        if not host or not port.isdigit():
            raise ConfigError(
                f"AZURA_CHILDREN entries look like host:port, all:host:port or unix:/path, not {address!r}"
            )
    if listed:
        return listed
    count_text = env.get("AZURA_CHILD_COUNT", "0")
    if not count_text.isdigit():
        raise ConfigError(f"AZURA_CHILD_COUNT must be a number, not {count_text!r}")
    base_text = env.get("AZURA_CHILD_BASE_PORT") or str(int(env.get("PORT", "5000")) + 100)
    if not base_text.isdigit():
        raise ConfigError(f"AZURA_CHILD_BASE_PORT must be a port number, not {base_text!r}")
    host = env.get("AZURA_CHILD_HOST", "127.0.0.1")
    return [f"{host}:{int(base_text) + i}" for i in range(int(count_text))]


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def _getaddrinfo(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def expand_children(entries: list[str], resolve: Resolver = _getaddrinfo) -> list[str]:
    """``all:host:port`` becomes one child per address the name resolves to (Fly.io's ``app.internal``,
    Kubernetes headless services); other entries stay as they are."""
    expanded: list[str] = []
    for entry in entries:
        if not entry.startswith("all:"):
            expanded.append(entry)
            continue
        host, _, port = entry.removeprefix("all:").rpartition(":")
        try:
            addresses = sorted(set(await asyncio.wait_for(resolve(host, int(port)), 10.0)))
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"AZURA_CHILDREN: {host} does not resolve ({exc})") from exc
        if not addresses:
            raise ConfigError(f"AZURA_CHILDREN: {host} resolves to no address")
        expanded.extend(f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}" for ip in addresses)
    return expanded


@dataclass(frozen=True, slots=True)
class ParentConfig:
    token: str
    secret: str
    children: list[str]
    lavalink_uri: str
    lavalink_password: str
    db_path: Path
    discord_api: str | None
    command_guilds: list[int]  # sync commands to these guilds at once (else globally)
    idle_timeout_s: float
    nowplaying_refresh_s: float = 10.0
    search_sources: tuple[str, ...] = DEFAULT_SEARCH_SOURCES  # Lavalink prefixes tried in turn for plain words
    lavalink_more: tuple[LavalinkServer, ...] = ()  # further Lavalink nodes (LAVALINK_NODES), taken in turn
    database_url: str | None = field(default=None, repr=False)  # DATABASE_URL (PostgreSQL); repr hides its password

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ParentConfig:
        token = env.get("AZURA_PARENT_TOKEN", "")
        if not token:
            raise ConfigError("AZURA_PARENT_TOKEN is required (the parent bot's token)")
        children = child_addresses(env)
        secret = env.get("AZURA_CLUSTER_SECRET", "")
        if children and not secret:
            raise ConfigError("AZURA_CLUSTER_SECRET is required when there are children")
        guilds_text = env.get("AZURA_COMMAND_GUILDS", "")
        try:
            guilds = [int(g) for g in guilds_text.split(",") if g.strip()]
        except ValueError:
            raise ConfigError(f"AZURA_COMMAND_GUILDS must be comma-separated ids, not {guilds_text!r}") from None
        if env.get("AZURA_DB_PATH"):
            db_path = Path(env["AZURA_DB_PATH"])
        else:
            db_path = Path(env.get("AZURA_DATA_DIR", "data")) / "azura.sqlite3"
        idle = env_seconds(env, "AZURA_IDLE_TIMEOUT_S", 300.0)
        try:
            search_sources = parse_search_sources(env.get("AZURA_SEARCH_SOURCES") or ",".join(DEFAULT_SEARCH_SOURCES))
        except ValueError as exc:
            raise ConfigError(f"AZURA_SEARCH_SOURCES: {exc}") from None
        lavalink = lavalink_servers(env)
        return cls(
            token=token,
            secret=secret,
            children=children,
            lavalink_uri=lavalink[0][0],
            lavalink_password=lavalink[0][1],
            lavalink_more=lavalink[1:],
            db_path=db_path,
            discord_api=env.get("AZURA_DISCORD_API") or None,
            command_guilds=guilds,
            idle_timeout_s=idle,
            nowplaying_refresh_s=env_seconds(env, "AZURA_NOWPLAYING_REFRESH_S", 10.0),
            search_sources=search_sources,
            database_url=_database_url(env),
        )


def _database_url(env: Mapping[str, str]) -> str | None:
    """``DATABASE_URL`` (a ``postgres://`` URL), checked now so a typo stops the start with a clear message."""
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        return None
    try:
        parse_database_url(url)
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL {exc}") from None
    return url
