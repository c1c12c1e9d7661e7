"""The parent bot: owns every slash command, the database, the routing (Koe with children), idle policy.

Commands go through Koe to the session of the invoking user's voice channel, so they behave the same
whether this bot or a child plays there. One error handler turns every ``KoeError`` into an ephemeral
message; nothing else reaches users as an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import discord
from discord import app_commands

from azura_common.koe.errors import KoeError, NoSession
from azura_common.koe.koe import Koe
from azura_common.koe.link import ChildLink, Children
from azura_common.koe.local import Lavalink, LocalSession
from azura_common.koe.remote import ChildConnection
from azura_common.koe.session import Ending, Session
from azura_common.nowplaying import NowPlayingBoard
from azura_common.permissions import may_dj
from azura_common.voicebot import VoiceBot, humans_in

from .config import ParentConfig
from .db import Database
from .errors import NotInVoice, tell_error
from .idle import IdleWatcher
from .store import Store
from .votes import SkipVotes

__all__ = ["ParentBot", "Voice"]

log = logging.getLogger(__name__)


class Voice:
    """Where the invoking user is: their guild, member and voice channel."""

    def __init__(
        self, guild: discord.Guild, member: discord.Member, channel: discord.VoiceChannel | discord.StageChannel
    ) -> None:
        self.guild = guild
        self.member = member
        self.channel = channel

    @property
    def listeners(self) -> frozenset[int]:
        """Humans in the channel (bots do not vote and do not count as an audience)."""
        return humans_in(self.channel)


class ParentBot(VoiceBot):
    def __init__(self, config: ParentConfig, **options: Any) -> None:
        super().__init__(Lavalink(config.lavalink_uri, config.lavalink_password, identifier="azura-parent"), **options)
        self.config = config
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        self.koe = Koe(local_factory=self._new_local, on_closed=self._closed)
        self.children = Children(
            [ChildLink(ChildConnection(address, config.secret), self.koe) for address in config.children]
        )
        self.koe.use_children(self.children)
        self.board = NowPlayingBoard(self, self.koe, refresh_s=config.nowplaying_refresh_s)
        self.session_listeners.append(self.board.poke)
        self.votes = SkipVotes()
        self.idle = IdleWatcher(self, default_timeout_s=config.idle_timeout_s)
        self.db: Database | None = None
        self._store: Store | None = None
        self._announce: asyncio.Task[None] | None = None

    @property
    def store(self) -> Store:
        assert self._store is not None, "the database opens in setup_hook"
        return self._store

    # -- lifecycle -----------------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        await super().setup_hook()
        self.db = await Database.open(self.config.db_path)
        self._store = Store(self.db)
        from . import music, playlist_commands, settings_commands

        music.register(self)
        playlist_commands.register(self)
        settings_commands.register(self)
        self.children.start()
        self.board.start()
        self.idle.start()
        self._announce = asyncio.create_task(self._announce_ready(), name="announce-ready")
        if self.config.command_guilds:
            for guild_id in self.config.command_guilds:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    async def _announce_ready(self) -> None:
        await self.ready_event.wait()
        linked = await self.children.wait_up(20) if self.children.links else 0
        log.info("parent ready: %d/%d children linked", linked, len(self.children.links))

    async def close(self) -> None:
        """Leave the channels this bot plays in; children keep playing and a restarted parent reattaches."""
        if self._announce is not None:
            self._announce.cancel()
            await asyncio.gather(self._announce, return_exceptions=True)
        await self.idle.close()
        await self.koe.close(local_only=True)
        await self.board.close()
        await self.children.close()
        with contextlib.suppress(TimeoutError, OSError):
            await asyncio.wait_for(self.lavalink.close(), 2.0)
        if self.db is not None:
            await self.db.close()
        await super().close()

    def _new_local(self, guild_id: int, channel_id: int) -> Session:
        assert self.user is not None
        return LocalSession(guild_id, channel_id, self.user.id, self.connect_player, on_end=self._local_ended)

    async def _local_ended(self, session: LocalSession, ending: Ending) -> None:
        await self.koe.forget(session.channel_id, ending, session)

    async def _closed(self, session: Session, ending: Ending) -> None:
        self.votes.reset(session.channel_id)
        await self.board.ended(session, ending)

    # -- helpers for commands ------------------------------------------------------------------------
    def voice_of(self, interaction: discord.Interaction) -> Voice:
        member = interaction.user
        guild = interaction.guild
        if guild is None or not isinstance(member, discord.Member):
            raise NotInVoice("Music commands work in a server, not in DMs.")
        channel = member.voice.channel if member.voice else None
        if channel is None:
            raise NotInVoice()
        return Voice(guild, member, channel)

    def session_in(self, voice: Voice) -> Session:
        session = self.koe.get(voice.channel.id)
        if session is None:
            raise NoSession(f"Nothing is playing in {voice.channel.mention}. Start something with `/play`.")
        return session

    async def may_dj(self, voice: Voice) -> bool:
        """The DJ rule (azura_common.permissions) for the invoking user, with this server's DJ role."""
        settings = await self.store.get_guild_settings(voice.guild.id)
        return may_dj(
            manage_guild=voice.member.guild_permissions.manage_guild,
            role_ids=(role.id for role in voice.member.roles),
            dj_role_id=settings.dj_role_id,
            listeners=len(voice.listeners),
        )

    def changed(self, session: Session) -> None:
        """A command changed a session: refresh this bot's now-playing message (children refresh theirs)."""
        if isinstance(session, LocalSession):
            self.board.poke(session.channel_id)

    # -- the one error handler -----------------------------------------------------------------------
    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        if isinstance(original, KoeError):
            message = str(original)
        elif isinstance(original, app_commands.CheckFailure):
            message = str(original) or "You can't use that here."
        elif isinstance(original, app_commands.TransformerError):
            message = f"{original.value!r} is not a valid value for that option."
        else:
            log.error("command %s failed", interaction.command and interaction.command.name, exc_info=original)
            message = "Something went wrong on my side; nothing was changed. Try again in a moment."
        await tell_error(interaction, message)
