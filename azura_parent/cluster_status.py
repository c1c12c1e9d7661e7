"""What ``/status`` shows an admin, as plain data and text: every bot (up or offline, its sessions, its Link's
round trip), the sessions waiting for a free bot, the Lavalink nodes and their load, the parent's uptime.

Pure: ``commands/status.py`` gathers a ``ClusterStatus`` from the running parent and sends ``render_status``.
"""

from __future__ import annotations

from dataclasses import dataclass

from azura_common.rules.limits import MESSAGE_CHARS
from azura_common.rules.text import shorten

__all__ = ["BotStatus", "ClusterStatus", "NodeStatus", "format_uptime", "render_status"]


@dataclass(frozen=True, slots=True)
class BotStatus:
    name: str  # "parent", or the child's address
    bot_id: int  # 0: not known yet (the child never said Hello)
    up: bool
    sessions: int
    rtt_ms: float | None = None  # the Link heartbeat's round trip (children only)
    stopping: bool = False  # the child said it is stopping: its sessions are moving


@dataclass(frozen=True, slots=True)
class NodeStatus:
    name: str
    up: bool
    players: int | None = None  # None: no stats from it yet
    playing: int | None = None
    cpu: float | None = None  # Lavalink's own CPU load, 0..1


@dataclass(frozen=True, slots=True)
class ClusterStatus:
    bots: tuple[BotStatus, ...]
    nodes: tuple[NodeStatus, ...]
    parked: int  # sessions whose bot went away, waiting for a free one
    uptime_s: float


def format_uptime(seconds: float) -> str:
    """``3d 4h``, ``2h 05m``, ``4m 09s``, ``12s``: the two largest units."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def _sessions(count: int) -> str:
    return f"{count} session" if count == 1 else f"{count} sessions"


def _bot_line(bot: BotStatus) -> str:
    who = f"<@{bot.bot_id}>" if bot.bot_id else "(not logged in)"
    label = "parent" if bot.name == "parent" else f"child `{bot.name}`"
    if not bot.up:
        return f"🔴 {label} {who} · offline"
    parts = [f"🟢 {label} {who}", _sessions(bot.sessions)]
    if bot.rtt_ms is not None:
        parts.append(f"link {bot.rtt_ms:.1f} ms")
    if bot.stopping:
        parts.append("stopping")
    return " · ".join(parts)


def _node_line(node: NodeStatus) -> str:
    if not node.up:
        return f"🔴 `{node.name}` · down"
    parts = [f"🟢 `{node.name}`"]
    if node.players is None:
        parts.append("no stats yet")
    else:
        parts.append(f"{node.players} players ({node.playing or 0} playing)")
        if node.cpu is not None:
            parts.append(f"CPU {node.cpu * 100:.0f}%")
    return " · ".join(parts)


def render_status(status: ClusterStatus) -> str:
    """The message: a headline, one line per bot, the waiting sessions if any, one line per Lavalink node."""
    up = sum(1 for bot in status.bots if bot.up)
    sessions = sum(bot.sessions for bot in status.bots) + status.parked
    lines = [
        f"📊 **Azura status** · up {format_uptime(status.uptime_s)} · {_sessions(sessions)}",
        f"**Bots** ({up}/{len(status.bots)} up)",
        *(_bot_line(bot) for bot in status.bots),
    ]
    if status.parked:
        lines.append(f"⏸ {_sessions(status.parked)} waiting for a free bot")
    lines.append("**Lavalink**")
    lines.extend(_node_line(node) for node in status.nodes)
    if not status.nodes:
        lines.append("no node configured")
    return shorten("\n".join(lines), MESSAGE_CHARS)
