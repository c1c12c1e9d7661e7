"""The parent's slash commands, one module per area; ``install`` puts every one of them on a command tree.

Areas: ``music`` (play and steer), ``queue`` (read and edit the queue), ``playlists``, ``settings`` (each
user's own), ``server`` (a server's, for admins), ``status`` (the cluster at a glance, for admins). Every rule a
command applies lives in ``azura_common.rules``, shared with the now-playing buttons; the one error handler is
``tree.AzuraTree``. ``search``: pick from the top results of a search.
"""

from __future__ import annotations

from typing import Protocol

from azura_common.metrics import NodePool

from .autoplay import AutoplayCommands
from .base import BotServices, Search
from .effects import EffectsCommands
from .lyrics import LyricsCommands, LyricsSource
from .music import MusicCommands
from .playlists import PlaylistCommands
from .queue import QueueCommands
from .search import SearchCommands
from .server import ServerCommands
from .settings import SettingsCommands
from .status import ClusterView, StatusCommands
from .tree import AzuraTree

__all__ = ["AzuraTree", "BotServices", "ParentServices", "install"]


class SearchingNode(NodePool, Search, LyricsSource, Protocol):
    """The parent's Lavalink: it searches (the commands), reports its health (/status) and finds lyrics."""


class ParentServices(BotServices, ClusterView, Protocol):
    """Everything the commands need of the parent (``ParentBot``)."""

    @property
    def lavalink(self) -> SearchingNode: ...

    search_menu_timeout_s: float  # how long a /search menu can be used


def install(tree: AzuraTree, bot: ParentServices) -> None:
    """Add every command of every area to ``tree``, bound to ``bot``."""
    for area in (
        MusicCommands(bot), QueueCommands(bot), StatusCommands(bot), EffectsCommands(bot),
        SearchCommands(bot, bot.search_menu_timeout_s), AutoplayCommands(bot), LyricsCommands(bot, bot.lavalink),
    ):
        for command in area.get_app_commands():
            tree.add_command(command)
    for group in (PlaylistCommands(bot), SettingsCommands(bot), ServerCommands(bot)):
        tree.add_command(group)
