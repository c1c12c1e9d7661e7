"""Which Lavalink node a new session goes to: the least-loaded healthy one, of the voice region's when it has one.

Pure: the nodes come in as ``NodeView``s (what this process knows of each), the answer is one of them.

**Load** is Lavalink-Client's penalty (freyacodes/Lavalink-Client ``LavalinkLoadBalancer``, which lavaclient,
Lavakord and others adapted), from the node's last ``stats`` op:

- players: ``playingPlayers``, plus the players this process has started (minus those it moved away) since
  that report — Lavalink reports every 60 s, and several sessions may start in between;
- CPU: ``1.05 ** (100 * load) * 10 - 10`` with ``load = max(cpu.systemLoad, cpu.lavalinkLoad)`` (0 at idle,
  ~7 at 10 %, ~105 at 50 %, ~1,305 at 100 %: a busy machine outweighs any number of players);
- frames, when ``frameStats`` is present (per minute; a player sends 3,000): deficit
  ``1.03 ** (500 * deficit / 3000) * 600 - 600`` and nulled ``(1.03 ** (500 * nulled / 3000) * 300 - 300) * 2``
  (a node that fails to send audio in time is worse off than its CPU says).

A node without a report yet counts only what this process started there.

**Region**: Discord's voice server endpoint names its region (``us-east1234.discord.media:443`` → ``us-east``,
``voice_region``). When it is known, the healthy nodes of that region are preferred (a node's region matches
it exactly or as a prefix, ``us`` for ``us-east``); with none of them healthy, any healthy node will do.

**Ties** go to the node configured first, so the choice is the same in every process that sees the same figures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["NodeLoad", "NodeView", "choose_node", "cpu_penalty", "frame_penalty", "penalty", "region_matches",
           "voice_region"]


@dataclass(frozen=True, slots=True)
class NodeLoad:
    """A node's ``stats`` op, the parts that weigh."""

    players: int
    playing_players: int
    system_load: float  # 0..1, the whole machine
    lavalink_load: float  # 0..1, Lavalink's own process
    frames_deficit: int | None = None  # per minute; None when the report has no frameStats
    frames_nulled: int | None = None


@dataclass(frozen=True, slots=True)
class NodeView:
    """What this process knows of one configured node."""

    name: str
    healthy: bool  # connected, its sessions restored: it may take a session
    region: str = ""  # the configured region hint ("" for none)
    load: NodeLoad | None = None  # its last report, None before the first
    started_since_report: int = 0  # players this process put there since that report (negative: moved away)


def cpu_penalty(load: NodeLoad) -> float:
    return float(1.05 ** (100 * max(load.system_load, load.lavalink_load)) * 10 - 10)


def frame_penalty(load: NodeLoad) -> float:
    if load.frames_deficit is None or load.frames_nulled is None:
        return 0.0
    deficit = 1.03 ** (500 * load.frames_deficit / 3000) * 600 - 600
    nulled = (1.03 ** (500 * load.frames_nulled / 3000) * 300 - 300) * 2
    return float(deficit + nulled)


def penalty(node: NodeView) -> float:
    """How loaded ``node`` is (lower is better): players + CPU + frames, as the module says."""
    if node.load is None:
        return float(max(0, node.started_since_report))
    players = max(0, node.load.playing_players + node.started_since_report)
    return players + cpu_penalty(node.load) + frame_penalty(node.load)


def region_matches(node_region: str, voice: str) -> bool:
    """A node of ``us`` or ``us-east`` serves voice region ``us-east``; a node without a region serves none."""
    return bool(node_region) and (voice == node_region or voice.startswith(f"{node_region}-"))


_ENDPOINT = re.compile(r"^(?:[a-z]+://)?([a-z]+(?:-[a-z]+)*)\d*[.-]")


def voice_region(endpoint: str | None) -> str | None:
    """The region of a Discord voice server endpoint (``us-east1234.discord.media:443`` → ``us-east``), or None
    when it names none (no endpoint yet, an address)."""
    if not endpoint:
        return None
    found = _ENDPOINT.match(endpoint.strip().lower())
    return found.group(1) if found else None


def choose_node(nodes: Sequence[NodeView], region: str | None = None) -> NodeView | None:
    """The healthy node a new session goes to (None when no node is healthy): the least-loaded of ``region``'s
    nodes when it has a healthy one, else the least-loaded of all; ties to the first in ``nodes``."""
    healthy = [node for node in nodes if node.healthy]
    if region:
        healthy = [node for node in healthy if region_matches(node.region, region)] or healthy
    return min(healthy, key=penalty, default=None)  # min keeps the first of equals
