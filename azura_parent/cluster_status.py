"""What ``/status`` shows an admin, as plain data and text: every bot (up or offline, its sessions, its Link's
round trip), the sessions waiting for a free bot, the Lavalink nodes and their load, the parent's uptime.

Pure: ``commands/status.py`` gathers a ``ClusterStatus`` from the running parent and sends ``render_status``.
"""

from __future__ import annotations

from dataclasses import dataclass

from azura_common.i18n import text
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


def _sessions(count: int, locale: str | None) -> str:
    return text("status.session" if count == 1 else "status.sessions", locale, count=count)


def _bot_line(bot: BotStatus, locale: str | None) -> str:
    who = f"<@{bot.bot_id}>" if bot.bot_id else text("status.not_logged_in", locale)
    label = text("status.parent", locale) if bot.name == "parent" else text("status.child", locale,
                                                                             name=f"`{bot.name}`")
    if not bot.up:
        return f"🔴 {label} {who} · {text('status.offline', locale)}"
    parts = [f"🟢 {label} {who}", _sessions(bot.sessions, locale)]
    if bot.rtt_ms is not None:
        parts.append(text("status.link", locale, ms=f"{bot.rtt_ms:.1f}"))
    if bot.stopping:
        parts.append(text("status.stopping", locale))
    return " · ".join(parts)


def _node_line(node: NodeStatus, locale: str | None) -> str:
    if not node.up:
        return f"🔴 `{node.name}` · {text('status.down', locale)}"
    parts = [f"🟢 `{node.name}`"]
    if node.players is None:
        parts.append(text("status.no_stats", locale))
    else:
        parts.append(text("status.players", locale, players=node.players, playing=node.playing or 0))
        if node.cpu is not None:
            parts.append(text("status.cpu", locale, percent=f"{node.cpu * 100:.0f}"))
    return " · ".join(parts)


def render_status(status: ClusterStatus, locale: str | None = None) -> str:
    """The message: a headline, one line per bot, the waiting sessions if any, one line per Lavalink node; in
    the language of ``locale``."""
    up = sum(1 for bot in status.bots if bot.up)
    sessions = sum(bot.sessions for bot in status.bots) + status.parked
    lines = [
        text("status.headline", locale, uptime=format_uptime(status.uptime_s), sessions=_sessions(sessions, locale)),
        text("status.bots", locale, up=up, total=len(status.bots)),
        *(_bot_line(bot, locale) for bot in status.bots),
    ]
    if status.parked:
        lines.append(text("status.waiting", locale, sessions=_sessions(status.parked, locale)))
    lines.append("**Lavalink**")
    lines.extend(_node_line(node, locale) for node in status.nodes)
    if not status.nodes:
        lines.append(text("status.no_node", locale))
    return shorten("\n".join(lines), MESSAGE_CHARS)
