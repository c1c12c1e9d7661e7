"""Reading settings from the environment, shared by both bots' configurations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

__all__ = [
    "ConfigError",
    "ConfigProblems",
    "LavalinkServer",
    "ShardSettings",
    "env_seconds",
    "lavalink_servers",
    "shard_settings",
]

T = TypeVar("T")



class LavalinkServer(NamedTuple):
    """A configured Lavalink node: its URI, password, and the voice region it is near ("" for none)."""

    uri: str
    password: str
    region: str = ""


class ConfigError(ValueError):
    """One or more missing or malformed settings; each problem says which variable to set."""

    def __init__(self, *problems: str) -> None:
        self.problems: tuple[str, ...] = problems
        super().__init__("; ".join(problems))


class ConfigProblems:
    """Every problem of one configuration, so a start-up names them all at once rather than one per attempt.

    ``add`` a problem found inline, ``check`` a reader that may raise ``ConfigError`` (its problems are kept
    and ``default`` stands in meanwhile), then ``raise_if_any`` once everything was read."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, problem: str) -> None:
        self.found.append(problem)

    def check(self, read: Callable[[], T], default: T) -> T:
        try:
            return read()
        except ConfigError as exc:
            self.found.extend(exc.problems)
            return default

    def raise_if_any(self) -> None:
        if self.found:
            raise ConfigError(*self.found)


def env_seconds(env: Mapping[str, str], key: str, default: float) -> float:
    """A number of seconds from the environment, with a message naming the variable when malformed."""
    text = env.get(key, "")
    if not text:
        return default
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"{key} must be a number of seconds, not {text!r}") from None


def lavalink_servers(env: Mapping[str, str]) -> tuple[LavalinkServer, ...]:
    """The Lavalink nodes: ``LAVALINK_NODES=uri|password|region,uri|password,uri||region`` (a node without a
    password uses ``LAVALINK_PASSWORD``; the region, e.g. ``us-east`` or ``eu``, is optional), else the one
    ``LAVALINK_URI`` with ``LAVALINK_PASSWORD``. Every bot connects to all of them."""
    password = env.get("LAVALINK_PASSWORD", "youshallnotpass")
    text = env.get("LAVALINK_NODES", "").strip()
    if not text:
        return (LavalinkServer(env.get("LAVALINK_URI", "http://127.0.0.1:2333"), password),)
    servers: list[LavalinkServer] = []
    for item in (part.strip() for part in text.split(",")):
        uri, own_password, region, *extra = (*(field.strip() for field in item.split("|")), "", "")
        if not uri.startswith(("http://", "https://")) or any(extra):
            raise ConfigError(f"LAVALINK_NODES: {item!r} is not uri|password|region with an http(s):// uri "
                              f"(for example http://lavalink-2:2333|youshallnotpass|eu)")
        if region and not all(part.isalnum() for part in region.split("-")):
            raise ConfigError(f"LAVALINK_NODES: the region of {item!r} must be letters, digits and dashes "
                              f"(for example us-east), not {region!r}")
        servers.append(LavalinkServer(uri, own_password or password, region.lower()))
    if len({server.uri.removesuffix("/") for server in servers}) < len(servers):
        raise ConfigError(f"LAVALINK_NODES lists a node twice: {text!r}")
    return tuple(servers)


@dataclass(frozen=True, slots=True)
class ShardSettings:
    """Which gateway shards a bot process runs: ``count`` None is what Discord's ``/gateway/bot`` recommends;
    ``ids`` None is every shard of the count (a process may run a slice when a bot spans processes)."""

    count: int | None = None
    ids: tuple[int, ...] | None = None


def shard_settings(env: Mapping[str, str]) -> ShardSettings:
    """``AZURA_SHARD_COUNT`` (unset or ``auto``: Discord's recommendation; else a number ≥ 1) and
    ``AZURA_SHARD_IDS`` (a comma list of shard ids below that number; unset: all of them)."""
    problems = ConfigProblems()
    count_text = env.get("AZURA_SHARD_COUNT", "").strip().lower()
    count: int | None = None
    if count_text not in ("", "auto"):
        if count_text.isdigit() and int(count_text) >= 1:
            count = int(count_text)
        else:
            problems.add(f"AZURA_SHARD_COUNT must be a number of shards (1 or more) or auto, not {count_text!r}")
    ids_text = env.get("AZURA_SHARD_IDS", "").strip()
    ids: tuple[int, ...] | None = None
    if ids_text:
        parts = [part.strip() for part in ids_text.split(",")]
        if not all(part.isdigit() for part in parts):
            problems.add(f"AZURA_SHARD_IDS must be comma-separated shard numbers (0, 1, …), not {ids_text!r}")
        elif len(set(parts)) != len(parts):
            problems.add(f"AZURA_SHARD_IDS lists a shard twice: {ids_text!r}")
        else:
            ids = tuple(int(part) for part in parts)
            beyond = [shard for shard in ids if count is not None and shard >= count]
            if count is None:
                if not problems.found:  # a malformed count was named already
                    problems.add("AZURA_SHARD_IDS needs AZURA_SHARD_COUNT set to a number: the ids are shards of it")
            elif beyond:
                problems.add(f"AZURA_SHARD_IDS: shard {beyond[0]} does not exist with AZURA_SHARD_COUNT={count} "
                             f"(shards are 0 to {count - 1})")
    problems.raise_if_any()
    return ShardSettings(count, ids)
