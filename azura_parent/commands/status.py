"""``/status`` (Manage Server): the cluster at a glance, for the admin's eyes only: bots up or offline and their
sessions, Link round trips, the Lavalink nodes and their load, the parent's uptime (``cluster_status``)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

import discord
from discord import app_commands
from discord.ext import commands

from azura_common.i18n import text
from azura_common.koe.errors import PermissionDenied
from azura_common.koe.koe import Koe
from azura_common.metrics import NodeHealth, NodePool, sessions_by_bot
from azura_common.replies import private_locale, reply_privately

from ..cluster_status import BotStatus, ClusterStatus, NodeStatus, render_status

__all__ = ["ADMINS_ONLY", "ClusterView", "StatusCommands", "gather_status"]

ADMINS_ONLY_KEY = "replies.admins_only"
ADMINS_ONLY = text(ADMINS_ONLY_KEY)  # English; the catalogue has it in every language


class LinkView(Protocol):
    """What /status reads of one child's Link (``ChildLink``)."""

    bot_user_id: int
    rtt_ms: float | None
    draining_until: float | None

    @property
    def address(self) -> str: ...

    @property
    def up(self) -> bool: ...


class ChildrenView(Protocol):
    @property
    def links(self) -> Sequence[LinkView]: ...


class ClusterView(Protocol):
    """What /status reads of the parent (``ParentBot``)."""

    @property
    def koe(self) -> Koe: ...

    @property
    def children(self) -> ChildrenView: ...

    @property
    def lavalink(self) -> NodePool: ...

    @property
    def user(self) -> discord.ClientUser | None: ...


def gather_status(cluster: ClusterView, started: float, now: float) -> ClusterStatus:
    """The parent's view of the cluster now (``started``, ``now``: monotonic seconds)."""
    own_id = cluster.user.id if cluster.user is not None else 0
    counts = sessions_by_bot(cluster.koe, own_id)
    parent = BotStatus("parent", own_id, up=True, sessions=counts.get(str(own_id), 0))
    children = tuple(
        BotStatus(link.address, link.bot_user_id, up=link.up,
                  sessions=counts.get(str(link.bot_user_id), 0) if link.bot_user_id else 0,
                  rtt_ms=link.rtt_ms, stopping=link.draining_until is not None)
        for link in cluster.children.links
    )
    nodes = tuple(_node_status(node) for node in cluster.lavalink.nodes)
    return ClusterStatus((parent, *children), nodes, parked=counts.get("parked", 0), uptime_s=now - started)


def _node_status(node: NodeHealth) -> NodeStatus:
    load = node.load
    if load is None:  # no stats report yet
        return NodeStatus(node.uri, node.serving, None, None, None)
    return NodeStatus(node.uri, node.serving, load.players, load.playing_players, load.lavalink_load)


class StatusCommands(commands.Cog):
    def __init__(self, cluster: ClusterView) -> None:
        self.cluster = cluster
        self.started = time.monotonic()  # installed as the parent starts: its uptime

    @app_commands.command(name="status", description="Azura's bots, sessions, links and Lavalink (Manage Server).")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def status(self, interaction: discord.Interaction) -> None:
        member = interaction.user
        if not isinstance(member, discord.Member) or not member.guild_permissions.manage_guild:
            raise PermissionDenied(key=ADMINS_ONLY_KEY)  # Discord hides it from others by default; a server may not
        summary = gather_status(self.cluster, self.started, time.monotonic())
        await reply_privately(interaction, render_status(summary, private_locale(interaction)))
