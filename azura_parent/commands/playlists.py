"""``/playlist …``: saved playlists. Entries keep the encoded track, so playing one never searches."""

from __future__ import annotations

import dataclasses

import discord
from discord import app_commands

from azura_common.i18n import text
from azura_common.koe.errors import InvalidArgument, NothingPlaying, PermissionDenied
from azura_common.koe.session import EnqueueMode, Track
from azura_common.koe.validation import check_query
from azura_common.render import fit_message, format_duration, queued_text, track_line, tracks_text
from azura_common.replies import private_locale, reply_privately
from azura_common.rules.limits import AUTOCOMPLETE_CHOICES, PAGE
from azura_common.rules.pages import check_playlist_page, page_count
from azura_common.rules.parse import parse_choice, parse_positions, parse_time
from azura_common.rules.permissions import GLOBAL_NEEDS_MANAGE_KEY, may_set_visibility

from ..store import clean_name
from .base import MODE_CHOICES, BotServices, open_and_enqueue, queue_tracks, send_done, session_in
from .board_notice import board_notice
from .voice import voice_of

__all__ = ["PlaylistCommands"]

VISIBILITY_CHOICES = [
    app_commands.Choice(name="private (only you)", value="private"),
    app_commands.Choice(name="public (others can play it with owner:)", value="public"),
    app_commands.Choice(name="global (listed for everyone; Manage Server)", value="global"),
]
SOURCE_CHOICES = [
    app_commands.Choice(name="a search or link (query)", value="query"),
    app_commands.Choice(name="the current track", value="current"),
    app_commands.Choice(name="the whole queue", value="queue"),
]


class PlaylistCommands(app_commands.Group, name="playlist", description="Your saved playlists"):
    def __init__(self, bot: BotServices) -> None:
        super().__init__()
        self.bot = bot

    # -- suggestions ---------------------------------------------------------------------------------
    async def names(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """The invoking user's own playlists."""
        found = await self.bot.store.playlist_names(interaction.user.id, current)
        return [app_commands.Choice(name=n, value=n) for n in found]

    async def playable_names(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """With ``owner:`` someone's public playlists; else the user's own and the global ones."""
        owner = getattr(interaction.namespace, "owner", None)
        if owner is not None and owner.id != interaction.user.id:
            found = await self.bot.store.list_public(current, owner_id=owner.id)
            return [app_commands.Choice(name=p.name, value=p.name) for p in found]
        own = await self.bot.store.playlist_names(interaction.user.id, current)
        public = [p.name for p in await self.bot.store.list_public(current) if p.visibility == "global"]
        names = dict.fromkeys([*own, *public])
        return [app_commands.Choice(name=n, value=n) for n in names][:AUTOCOMPLETE_CHOICES]

    # -- managing ------------------------------------------------------------------------------------
    @app_commands.command(name="create", description="Create an empty playlist.")
    @app_commands.describe(name="Its name (up to 50 characters)")
    async def create(self, interaction: discord.Interaction, name: str) -> None:
        playlist = await self.bot.store.create_playlist(interaction.user.id, name)
        await reply_privately(interaction, text("replies.playlist_created", private_locale(interaction),
                                                name=playlist.name))

    @app_commands.command(name="delete", description="Delete one of your playlists.")
    @app_commands.describe(name="The playlist")
    @app_commands.autocomplete(name=names)
    async def delete(self, interaction: discord.Interaction, name: str) -> None:
        name = clean_name(name)  # a name no playlist can have is refused by its rule, not echoed whole
        playlist = await self.bot.store.delete_playlist(interaction.user.id, name)
        await reply_privately(interaction, text("replies.playlist_deleted", private_locale(interaction),
                                                name=playlist.name, size=playlist.size))

    @app_commands.command(name="rename", description="Rename one of your playlists.")
    @app_commands.describe(name="The playlist", new_name="Its new name")
    @app_commands.autocomplete(name=names)
    async def rename(self, interaction: discord.Interaction, name: str, new_name: str) -> None:
        name = clean_name(name)
        playlist = await self.bot.store.rename_playlist(interaction.user.id, name, new_name)
        await reply_privately(interaction, text("replies.playlist_renamed", private_locale(interaction),
                                                name=playlist.name))

    @app_commands.command(name="show", description="Show a playlist's tracks, a page at a time.")
    @app_commands.describe(name="The playlist", page=f"Which page ({PAGE} tracks each)",
                           owner="Another user's public one")
    @app_commands.autocomplete(name=playable_names)
    async def show(
        self,
        interaction: discord.Interaction,
        name: str,
        page: app_commands.Range[int, 1, 10_000] = 1,
        owner: discord.User | None = None,
    ) -> None:
        name = clean_name(name)
        playlist = await self.bot.store.find_playable(interaction.user.id, name, owner.id if owner else None)
        found = await self.bot.store.entries(playlist, (page - 1) * PAGE, PAGE)
        check_playlist_page(page, total=found.total, name=playlist.name)
        locale = private_locale(interaction)
        lines = [f"`{e.position}.` {track_line(e.track, locale=locale)}" for e in found.items] or [
            text("replies.playlist_empty_page", locale)]
        head = text("replies.playlist_head", locale, name=playlist.name, owner=f"<@{playlist.owner_id}>",
                    visibility=playlist.visibility, total=found.total, page=page, pages=page_count(found.total))
        await reply_privately(interaction, fit_message([head, *lines]))

    @app_commands.command(name="add", description="Add a search or link, the current track, or the whole queue.")
    @app_commands.describe(name="Your playlist", what="What to add", query="Search words or a link (for query)")
    @app_commands.autocomplete(name=names)
    @app_commands.choices(what=SOURCE_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction,
        name: str,
        what: app_commands.Choice[str],
        query: str | None = None,
    ) -> None:
        name = clean_name(name)
        playlist = await self.bot.store.get_playlist(interaction.user.id, name)  # fails fast on a wrong name
        tracks: list[Track]
        if what.value == "query":
            if not query or not query.strip():
                raise InvalidArgument(argument="query", key="replies.playlist_needs_query")
            query = check_query(query)
            await interaction.response.defer(thinking=True, ephemeral=True)
            found = await self.bot.lavalink.search(query)
            tracks = list(found.tracks if found.playlist else found.tracks[:1])
        else:
            session = session_in(self.bot.koe, voice_of(interaction))
            await interaction.response.defer(thinking=True, ephemeral=True)
            if what.value == "current":
                state = await session.get_state()
                if state.current is None:
                    raise NothingPlaying()
                tracks = [state.current]
            else:
                tracks = await queue_tracks(session)
                if not tracks:
                    raise NothingPlaying(key="errors.queue_empty_nothing_to_save")
        tracks = [dataclasses.replace(t, requester_id=0) for t in tracks]
        positions = await self.bot.store.add_entries(interaction.user.id, playlist.name, tracks)
        locale = private_locale(interaction)
        await reply_privately(interaction, text(
            "replies.playlist_added", locale, tracks=tracks_text(tracks, locale), name=playlist.name,
            first=positions[0], last=positions[-1],
        ))

    @app_commands.command(name="remove", description="Remove entries from your playlist: 5 or 3-7.")
    @app_commands.describe(name="Your playlist", positions="A position like 5 or a range like 3-7")
    @app_commands.autocomplete(name=names)
    async def remove(self, interaction: discord.Interaction, name: str, positions: str) -> None:
        name = clean_name(name)
        target = parse_positions(positions)
        removed = await self.bot.store.remove_entries(interaction.user.id, name, target.start, target.end)
        locale = private_locale(interaction)
        await reply_privately(interaction, text("replies.playlist_removed", locale,
                                                tracks=tracks_text(removed, locale), name=name))

    @app_commands.command(name="trim",
                          description="Play only part of an entry: start and/or end like 0:30 and 2:10.")
    @app_commands.describe(name="Your playlist", position="The entry", start="Start at (e.g. 0:30)",
                           end="Stop at (e.g. 2:10)")
    @app_commands.autocomplete(name=names)
    async def trim(
        self,
        interaction: discord.Interaction,
        name: str,
        position: app_commands.Range[int, 1, 100_000],
        start: str | None = None,
        end: str | None = None,
    ) -> None:
        name = clean_name(name)
        start_ms = parse_time(start, "start") if start else 0
        end_ms = parse_time(end, "end") if end else None
        track = await self.bot.store.trim_entry(interaction.user.id, name, position, start_ms, end_ms)
        locale = private_locale(interaction)
        until = format_duration(end_ms) if end_ms is not None else text("replies.trim_end", locale)
        span = f"{format_duration(start_ms)}–{until}"
        await reply_privately(interaction, text("replies.playlist_trimmed", locale, position=position,
                                                track=track_line(track, locale=locale), span=span))

    @app_commands.command(name="visibility", description="Make a playlist private, public or global.")
    @app_commands.describe(name="Your playlist", visibility="Who can play it")
    @app_commands.autocomplete(name=names)
    @app_commands.choices(visibility=VISIBILITY_CHOICES)
    async def visibility(
        self, interaction: discord.Interaction, name: str, visibility: app_commands.Choice[str]
    ) -> None:
        name = clean_name(name)
        member = interaction.user
        manage_guild = isinstance(member, discord.Member) and member.guild_permissions.manage_guild
        if not may_set_visibility(visibility.value, manage_guild=manage_guild):
            raise PermissionDenied(key=GLOBAL_NEEDS_MANAGE_KEY)
        playlist = await self.bot.store.set_visibility(interaction.user.id, name, visibility.value)
        await reply_privately(interaction, text("replies.playlist_visibility", private_locale(interaction),
                                                name=playlist.name, visibility=playlist.visibility))

    # -- playing -------------------------------------------------------------------------------------
    @app_commands.command(name="play",
                          description="Play a saved playlist (yours, a global one, or someone's public one).")
    @app_commands.describe(name="The playlist", owner="Play this user's public playlist", mode="Where the tracks go",
                           position="Insert at this queue position")
    @app_commands.autocomplete(name=playable_names)
    @app_commands.choices(mode=MODE_CHOICES)
    async def play(
        self,
        interaction: discord.Interaction,
        name: str,
        owner: discord.User | None = None,
        mode: app_commands.Choice[str] | None = None,
        position: app_commands.Range[int, 1, 1_000_000] | None = None,
    ) -> None:
        name = clean_name(name)
        voice = voice_of(interaction)
        playlist = await self.bot.store.find_playable(voice.member.id, name, owner.id if owner else None)
        settings = await self.bot.store.get_user_settings(voice.member.id)
        chosen = parse_choice(mode.value, EnqueueMode, "Enqueue mode") if mode else EnqueueMode(settings.enqueue_mode)
        await interaction.response.defer(thinking=True)
        tracks = [dataclasses.replace(t, requester_id=voice.member.id) for t in await self.bot.store.tracks(playlist)]
        if not tracks:
            raise InvalidArgument(argument="name", key="replies.playlist_is_empty", params={"name": playlist.name})
        result = await open_and_enqueue(self.bot, voice, interaction, tracks, chosen, position)
        said = queued_text(tracks, result.positions, result.started, playlist.name, voice.public_locale)
        await send_done(interaction, await board_notice(self.bot, voice, said))
