"""The parent's configuration, read once from the environment by ``__main__``."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from azura_common.config import (
    ConfigError,
    ConfigProblems,
    LavalinkServer,
    ShardSettings,
    env_seconds,
    lavalink_servers,
    shard_settings,
)
from azura_common.koe.local.search_sources import DEFAULT_SEARCH_SOURCES, parse_search_sources
from azura_common.tls import LinkTls, insecure_links, is_local_address, read_link_tls

from .store.url import parse_database_url
from .web.config import WebConfig

__all__ = [
    "ConfigError",
    "ParentConfig",
    "Resolver",
    "child_addresses",
    "expand_children",
    "plaintext_beyond_loopback",
    "system_resolve",
]


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
    port_text = env.get("PORT", "5000")
    if not env.get("AZURA_CHILD_BASE_PORT") and not port_text.isdigit():
        raise ConfigError(f"PORT must be a port number, not {port_text!r}")
    base_text = env.get("AZURA_CHILD_BASE_PORT") or str(int(port_text) + 100)
    if not base_text.isdigit():
        raise ConfigError(f"AZURA_CHILD_BASE_PORT must be a port number, not {base_text!r}")
    host = env.get("AZURA_CHILD_HOST", "127.0.0.1")
    return [f"{host}:{int(base_text) + i}" for i in range(int(count_text))]


def plaintext_beyond_loopback(entries: list[str]) -> list[str]:
    """The ``AZURA_CHILDREN`` entries that plaintext would reach beyond this machine: anything but a Unix socket,
    ``localhost`` or a loopback IP (a DNS name may resolve anywhere, so it counts as beyond)."""
    return [entry for entry in entries if not is_local_address(entry.removeprefix("all:"))]


def _check_links(entries: list[str], tls: LinkTls, insecure: bool) -> None:
    if tls.dials_tls or insecure:
        return
    beyond = plaintext_beyond_loopback(entries)
    if beyond:
        raise ConfigError(
            f"AZURA_CHILDREN: {', '.join(beyond)} would be dialled in plaintext beyond this machine (the cluster "
            "secret in clear): set AZURA_TLS_CA to the CA of the children's certificates (they set AZURA_TLS_CERT "
            "and AZURA_TLS_KEY), or AZURA_INSECURE_LINKS=1 on a network you trust"
        )


Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Host name and port → the IP addresses it resolves to (the system's DNS, or a test's own answers)."""


async def system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def expand_children(entries: list[str], resolve: Resolver = system_resolve) -> list[str]:
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
    search_menu_timeout_s: float = 120.0  # AZURA_SEARCH_MENU_TIMEOUT_S: how long a /search menu can be used
    lavalink_more: tuple[LavalinkServer, ...] = ()  # further Lavalink nodes (LAVALINK_NODES), all connected
    lavalink_region: str = ""  # the first node's region hint (LAVALINK_NODES)
    tls: LinkTls = field(default_factory=LinkTls)  # AZURA_TLS_CA (+ CERT/KEY for mTLS): dial the children in TLS
    insecure_links: bool = False  # AZURA_INSECURE_LINKS=1: plaintext allowed to children beyond loopback
    discovery_interval_s: float = 15.0  # AZURA_DISCOVERY_INTERVAL_S: how often all:name:port entries re-resolve
    shards: ShardSettings = field(default_factory=ShardSettings)  # AZURA_SHARD_COUNT / AZURA_SHARD_IDS
    web: WebConfig | None = None  # the dashboard (AZURA_WEB_PORT / PORT); None: off

    @property
    def plaintext_beyond_loopback(self) -> list[str]:
        """The children the parent dials in plaintext over the network (only with AZURA_INSECURE_LINKS=1)."""
        return [] if self.tls.dials_tls else plaintext_beyond_loopback(self.children)
    database_url: str | None = field(default=None, repr=False)  # DATABASE_URL (PostgreSQL); repr hides its password

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ParentConfig:
        problems = ConfigProblems()  # every problem at once (azura_common/config.py)
        token = env.get("AZURA_PARENT_TOKEN", "")
        if not token:
            problems.add("AZURA_PARENT_TOKEN is required (the parent bot's token)")
        children: list[str] = problems.check(lambda: child_addresses(env), [])
        secret = env.get("AZURA_CLUSTER_SECRET", "")
        if children and not secret:
            problems.add("AZURA_CLUSTER_SECRET is required when there are children")
        guilds_text = env.get("AZURA_COMMAND_GUILDS", "")
        guilds: list[int] = []
        try:
            guilds = [int(g) for g in guilds_text.split(",") if g.strip()]
        except ValueError:
            problems.add(f"AZURA_COMMAND_GUILDS must be comma-separated ids, not {guilds_text!r}")
        if env.get("AZURA_DB_PATH"):
            db_path = Path(env["AZURA_DB_PATH"])
        else:
            db_path = Path(env.get("AZURA_DATA_DIR", "data")) / "azura.sqlite3"
        idle = problems.check(lambda: env_seconds(env, "AZURA_IDLE_TIMEOUT_S", 300.0), 300.0)
        search_sources: tuple[str, ...] = DEFAULT_SEARCH_SOURCES
        try:
            search_sources = parse_search_sources(env.get("AZURA_SEARCH_SOURCES") or ",".join(DEFAULT_SEARCH_SOURCES))
        except ValueError as exc:
            problems.add(f"AZURA_SEARCH_SOURCES: {exc}")
        lavalink: tuple[LavalinkServer, ...] = problems.check(lambda: lavalink_servers(env), (LavalinkServer("", ""),))
        menu_timeout_s = problems.check(lambda: env_seconds(env, "AZURA_SEARCH_MENU_TIMEOUT_S", 120.0), 120.0)
        nowplaying_refresh_s = problems.check(lambda: env_seconds(env, "AZURA_NOWPLAYING_REFRESH_S", 10.0), 10.0)
        tls = problems.check(lambda: read_link_tls(env), LinkTls())
        insecure = insecure_links(env)
        problems.check(lambda: _check_links(children, tls, insecure), None)
        interval = problems.check(lambda: env_seconds(env, "AZURA_DISCOVERY_INTERVAL_S", 15.0), 15.0)
        if interval <= 0:
            problems.add(f"AZURA_DISCOVERY_INTERVAL_S must be more than 0 seconds, not {interval:g}")
            interval = 15.0
        database_url = problems.check(lambda: _database_url(env), None)
        shards = problems.check(lambda: shard_settings(env), ShardSettings())
        web = problems.check(lambda: WebConfig.from_env(env), None)
        problems.raise_if_any()
        return cls(
            token=token,
            secret=secret,
            children=children,
            lavalink_uri=lavalink[0][0],
            lavalink_password=lavalink[0][1],
            lavalink_region=lavalink[0].region,
            lavalink_more=lavalink[1:],
            db_path=db_path,
            discord_api=env.get("AZURA_DISCORD_API") or None,
            command_guilds=guilds,
            idle_timeout_s=idle,
            nowplaying_refresh_s=nowplaying_refresh_s,
            search_sources=search_sources,
            search_menu_timeout_s=menu_timeout_s,
            tls=tls,
            insecure_links=insecure,
            discovery_interval_s=interval,
            database_url=database_url,
            shards=shards,
            web=web,
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
