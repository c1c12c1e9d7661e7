"""The parent bot: owns every slash command, the database, the routing (Koe with children), idle policy.

This module wires the parts together: the command tree (``commands/``: every slash command, and the one
error handler), Koe with the child links, the now-playing board, votes and the idle policy. Commands go
through Koe to the session of the invoking user's voice channel, so they behave the same whether this bot
or a child plays there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import discord

from azura_common.koe.koe import Koe
from azura_common.koe.link import ChildLink, Children
from azura_common.koe.local import Lavalink, LocalSession
from azura_common.koe.local.autoplay import related_finder
from azura_common.koe.remote import ChildConnection
from azura_common.koe.session import Ending, Session
from azura_common.nowplaying import NowPlayingBoard
from azura_common.rules.votes import SkipVotes
from azura_common.voice_status import VoiceStatus
from azura_common.voicebot import VoiceBot

from .commands import AzuraTree, install
from .commands.translator import CatalogueTranslator
from .config import ParentConfig, Resolver, system_resolve
from .db import Database
from .discovery import Discovery, split_children
from .idle import IdleWatcher
from .recovery import Recovery
from .store import Store
from .web.app import Dashboard

__all__ = ["ParentBot"]

log = logging.getLogger(__name__)


class ParentBot(VoiceBot):
    def __init__(self, config: ParentConfig, *, resolve: Resolver = system_resolve, **options: Any) -> None:
        lavalink = Lavalink(config.lavalink_uri, config.lavalink_password, identifier="azura-parent",
                            more=config.lavalink_more, region=config.lavalink_region)
        super().__init__(lavalink, shards=config.shards, **options)
        self.lavalink.search_sources = config.search_sources  # only the parent searches
        self.config = config
        self.search_menu_timeout_s = config.search_menu_timeout_s  # /search's menu (commands/search.py)
        self.tree = AzuraTree(self)
        self.koe = Koe(local_factory=self._new_local, on_closed=self._closed)
        # the dashboard (web/): live cards fed by every change the parent sees (changed, track events, Link records)
        self.web = Dashboard(self, config.web) if config.web is not None else None
        fixed, names = split_children(config.children)
        self.children = Children([self._link(address) for address in fixed])
        self.discovery = Discovery(names, self.children, self._link, resolve=resolve,
                                   interval_s=config.discovery_interval_s) if names else None
        self.koe.use_children(self.children)
        self.recovery = Recovery(self)
        self.children.failover = self.recovery.failover  # links found later too
        self.board = NowPlayingBoard(self, self.koe, self._dj_role_of, refresh_s=config.nowplaying_refresh_s)
        self.session_listeners.append(self.board.poke)
        self.voice_status = VoiceStatus(self, self.koe)
        self.session_listeners.append(self.voice_status.poke)
        self.votes = SkipVotes()
        self.idle = IdleWatcher(self, default_timeout_s=config.idle_timeout_s)
        self.db: Database | None = None
        self._store: Store | None = None
        self._announce: asyncio.Task[None] | None = None
        install(self.tree, self)
        if self.web is not None:
            self.session_listeners.append(self.web.feed.poke)

    @property
    def store(self) -> Store:
        assert self._store is not None, "the database opens in setup_hook"
        return self._store

    # -- lifecycle -----------------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        await super().setup_hook()
        self.db = await Database.open(self.config.database_url or self.config.db_path)
        self._store = Store(self.db)
        self.children.start()
        if self.discovery is not None:
            self.discovery.start()
        self.recovery.start()
        self.board.start()
        self.voice_status.start()
        self.idle.start()
        if self.web is not None:
            await self.web.start()
        self._announce = asyncio.create_task(self._announce_ready(), name="announce-ready")
        await self.tree.set_translator(CatalogueTranslator())  # every command in Azura's languages
        if self.config.command_guilds:
            for guild_id in self.config.command_guilds:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    async def _announce_ready(self) -> None:
        await self.ready_event.wait()
        if self.discovery is not None:
            await self.discovery.wait_first_pass(10)
        linked = await self.children.wait_up(20) if self.children.links else 0
        log.info("parent ready: %d/%d children linked", linked, len(self.children.links))

    async def close(self) -> None:
        """Leave the channels this bot plays in; children keep playing and a restarted parent reattaches."""
        if self._announce is not None:
            self._announce.cancel()
            await asyncio.gather(self._announce, return_exceptions=True)
        if self.web is not None:
            await self.web.close()
        await self.idle.close()
        if self.discovery is not None:
            await self.discovery.close()
        # The Links first: a child stopping at the same moment (honcho and platforms stop every process at once)
        # would otherwise start a failover onto this bot, which is closing, after the failover was closed.
        await self.children.close()
        await self.recovery.close()  # the last records first: this bot's sessions come back when it restarts
        await self.koe.close(local_only=True)
        await self.board.close()
        await self.voice_status.close()
        with contextlib.suppress(TimeoutError, OSError):
            await asyncio.wait_for(self.lavalink.close(), 2.0)
        if self.db is not None:
            await self.db.close()
        await super().close()

    def _link(self, address: str, server_name: str | None = None) -> ChildLink:
        """A Link to the child at ``address``; ``server_name``: the name its certificate carries when found by
        name but dialled by IP (discovery), unless AZURA_TLS_SERVER_NAME says otherwise."""
        connection = ChildConnection(address, self.config.secret, self.config.tls, server_name)
        link = ChildLink(connection, self.koe)
        if self.web is not None:
            link.on_record = self.web.feed.poke
        return link

    def _new_local(self, guild_id: int, channel_id: int) -> Session:
        assert self.user is not None
        return LocalSession(guild_id, channel_id, self.user.id, self.connect_player, on_end=self._local_ended,
                            find_related=related_finder(self.lavalink), on_ending=self.voice_status.ending)

    async def _local_ended(self, session: LocalSession, ending: Ending) -> None:
        await self.koe.forget(session.channel_id, ending, session)

    async def _closed(self, session: Session, ending: Ending) -> None:
        self.votes.reset(session.channel_id)
        if self.web is not None:
            self.web.feed.poke(session.channel_id)
        await self.board.ended(session, ending)
        await self.voice_status.ended(session)

    # -- what the commands and the board need ---------------------------------------------------------
    def changed(self, session: Session) -> None:
        """A command changed a session: refresh this bot's now-playing message (children refresh theirs)."""
        if self.koe.local_channel(session.guild_id) == session.channel_id:
            self.board.poke(session.channel_id)
        if self.web is not None:
            self.web.feed.poke(session.channel_id)

    async def _dj_role_of(self, session: Session) -> int | None:
        """The DJ role the now-playing buttons of ``session`` follow: the server's, as /server dj-role set it."""
        return (await self.store.get_guild_settings(session.guild_id)).dj_role_id
