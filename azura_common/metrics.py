"""Every Prometheus metric Azura exports, in one place (docs/OPERATIONS.md lists them for operators).

Parts of the code record with one line where a thing happens (a command answered, a heartbeat echoed, a
failover started, a remote call returned); what is a count of things held (sessions, Lavalink nodes) is read
when Prometheus scrapes, by collectors over the objects that hold them. Labels are bounded: command names,
outcomes, child addresses, bot ids, node names, RPC method names, never user or guild ids.

Nothing here imports discord, wavelink or grpc; ``metrics_http`` serves the registry.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from prometheus_client import REGISTRY, Counter, Enum, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .koe.koe import Koe
from .koe.parked import ParkedSession

__all__ = [
    "COMMANDS",
    "COMMAND_SECONDS",
    "FAILOVERS",
    "LINK_RTT_SECONDS",
    "LINK_STATE",
    "LINK_STATES",
    "REMOTE_CALL_SECONDS",
    "NodeHealth",
    "NodePool",
    "Outcome",
    "count_failover",
    "observe_command",
    "observe_link_rtt",
    "sessions_by_bot",
    "timed_remote_call",
    "watch_lavalink",
    "watch_sessions",
]

# Buckets: commands are answered in milliseconds (a search: tens to hundreds); heartbeats and RPCs on a
# LAN take well under a millisecond to a few.
COMMAND_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RPC_BUCKETS = (0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0)


class Outcome:
    """A command's outcome label: answered, refused (the user's to fix), failed (ours, or another part's)."""

    OK = "ok"
    REFUSED = "refused"
    FAILED = "failed"


COMMANDS = Counter(
    "azura_commands", "Slash commands handled by the parent, by command and outcome (ok; refused: the user's "
    "to fix, such as a bad number or no permission; failed: ours, such as a timeout or a bug).",
    ["command", "outcome"],
)
COMMAND_SECONDS = Histogram(
    "azura_command_duration_seconds", "From the parent receiving a slash command to the command having answered "
    "(its reply sent, or its error reported), by command.",
    ["command"], buckets=COMMAND_BUCKETS,
)
LINK_STATES = ("closed", "connecting", "up", "waiting", "refused", "down")  # parent_end.LinkState's values
LINK_STATE = Enum(
    "azura_link_state", "The state of the parent's Link to each child (up: it may get sessions).",
    ["child"], states=list(LINK_STATES),
)
LINK_RTT_SECONDS = Histogram(
    "azura_link_rtt_seconds", "Round trip of the Link heartbeat, parent to child and back, by child.",
    ["child"], buckets=RPC_BUCKETS,
)
LINK_LAST_RTT_SECONDS = Gauge(
    "azura_link_last_rtt_seconds", "The latest Link heartbeat round trip, by child.", ["child"],
)
FAILOVERS = Counter(
    "azura_failovers", "Sessions moved off a bot, by reason (bot_lost: its process died or went silent; "
    "bot_stopping: it asked to stop; parent_restart: the parent's own sessions after a restart).",
    ["reason"],
)
REMOTE_CALL_SECONDS = Histogram(
    "azura_remote_call_duration_seconds", "Parent to child session RPCs (RemoteSession), by method, errors "
    "included.", ["method"], buckets=RPC_BUCKETS,
)

# What failover.py calls a bot's going (Failover.resume's ``why``) → the reason label.
FAILOVER_REASONS = {"dropped out": "bot_lost", "is restarting": "bot_stopping", "restarted": "parent_restart"}


# -- one-line hooks ---------------------------------------------------------------------------------------
def observe_command(command: str, outcome: str, seconds: float) -> None:
    COMMANDS.labels(command, outcome).inc()
    COMMAND_SECONDS.labels(command).observe(seconds)


def observe_link_rtt(child: str, rtt_ms: float) -> None:
    LINK_RTT_SECONDS.labels(child).observe(rtt_ms / 1000)
    LINK_LAST_RTT_SECONDS.labels(child).set(rtt_ms / 1000)


def count_failover(why: str, sessions: int = 1) -> None:
    FAILOVERS.labels(FAILOVER_REASONS.get(why, "other")).inc(sessions)


@contextmanager
def timed_remote_call(method: object) -> Iterator[None]:
    """Time one RPC of a generated stub (``method``: its multicallable; the method name is its path's end)."""
    path = getattr(method, "_method", b"")  # grpc's multicallables keep their full path here
    name = (path.decode() if isinstance(path, bytes) else str(path)).rsplit("/", 1)[-1] or "unknown"
    started = time.perf_counter()
    try:
        yield
    finally:
        REMOTE_CALL_SECONDS.labels(name).observe(time.perf_counter() - started)


# -- read at scrape time ---------------------------------------------------------------------------------
def sessions_by_bot(koe: Koe, own_bot_id: int) -> dict[str, int]:
    """How many sessions each bot plays, as this process's Koe routes them: its own (local) ones under
    ``own_bot_id``, the children's under theirs, and those waiting for a bot (failover) under ``parked``."""
    counts: dict[str, int] = {}
    for route in koe.routes():
        if isinstance(route.session, ParkedSession):
            bot = "parked"
        elif route.local:
            bot = str(own_bot_id)
        else:
            bot = str(getattr(route.session, "bot_id", 0) or "unknown")
        counts[bot] = counts.get(bot, 0) + 1
    return counts


class _SessionsCollector(Collector):
    def __init__(self) -> None:
        self.sources: list[tuple[Koe, Callable[[], int]]] = []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "azura_sessions", "Sessions by the bot that plays them, as this process routes them (the parent: the "
            "whole cluster; a child: its own). bot=parked: waiting for a free bot after a failover.", labels=["bot"],
        )
        totals: dict[str, int] = {}
        for koe, own_bot_id in self.sources:
            for bot, count in sessions_by_bot(koe, own_bot_id()).items():
                totals[bot] = totals.get(bot, 0) + count
        for bot, count in sorted(totals.items()):
            family.add_metric([bot], count)
        yield family


class NodeLoad(Protocol):
    """A node's latest ``stats`` as the gauges read it (``koe.local.node_choice.NodeLoad``)."""

    @property
    def players(self) -> int: ...

    @property
    def playing_players(self) -> int: ...

    @property
    def lavalink_load(self) -> float: ...


class NodeHealth(Protocol):
    """What the Lavalink gauges and /status read of one node (``koe.local.node.KeptNode``)."""

    @property
    def identifier(self) -> str: ...

    @property
    def uri(self) -> str: ...

    @property
    def serving(self) -> bool: ...

    @property
    def load(self) -> NodeLoad | None: ...


class NodePool(Protocol):
    """Every Lavalink node of one bot (``koe.local.Lavalink``)."""

    @property
    def identifier(self) -> str: ...

    @property
    def nodes(self) -> Sequence[NodeHealth]: ...


class _LavalinkCollector(Collector):
    def __init__(self) -> None:
        self.pools: dict[str, NodePool] = {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("azura_lavalink_up", "1 while this process's connection to the Lavalink node is up "
                               "and its sessions restored, by node.", labels=["node"])
        players = GaugeMetricFamily("azura_lavalink_players", "Players on the Lavalink node (its stats, all "
                                    "clients), by node.", labels=["node"])
        playing = GaugeMetricFamily("azura_lavalink_playing_players", "Players playing on the Lavalink node (its "
                                    "stats), by node.", labels=["node"])
        cpu = GaugeMetricFamily("azura_lavalink_cpu_load", "Lavalink's own CPU load, 0..1 (its stats), by node.",
                                labels=["node"])
        nodes = {node.identifier: node for pool in self.pools.values() for node in pool.nodes}
        for name, node in sorted(nodes.items()):
            up.add_metric([name], 1 if node.serving else 0)
            load = node.load
            if load is not None:
                players.add_metric([name], load.players)
                playing.add_metric([name], load.playing_players)
                cpu.add_metric([name], load.lavalink_load)
        yield from (up, players, playing, cpu)


_SESSIONS = _SessionsCollector()
_LAVALINK = _LavalinkCollector()
REGISTRY.register(_SESSIONS)
REGISTRY.register(_LAVALINK)


def watch_sessions(koe: Koe, own_bot_id: Callable[[], int]) -> None:
    """Report ``koe``'s sessions in ``azura_sessions`` (``own_bot_id``: the bot of its local sessions)."""
    _SESSIONS.sources.append((koe, own_bot_id))


def watch_lavalink(pool: NodePool, *, watching: bool = True) -> None:
    """Report ``pool``'s nodes in the ``azura_lavalink_*`` gauges (``watching=False``: no more, it closed)."""
    if watching:
        _LAVALINK.pools[pool.identifier] = pool
    elif _LAVALINK.pools.get(pool.identifier) is pool:
        del _LAVALINK.pools[pool.identifier]
