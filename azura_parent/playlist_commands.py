"""``/playlist …``: saved playlists in SQLite. Entries keep the encoded track, so playing one never searches."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from azura_common.koe.errors import InvalidArgument, NothingPlaying, PermissionDenied
from azura_common.koe.queue import parse_positions
from azura_common.koe.session import EnqueueMode, Track
from azura_common.render import format_duration, track_line

from .music import MODE_CHOICES, open_and_enqueue, page_count, queue_tracks, queued_text, send_done
from .parse import parse_seek

if TYPE_CHECKING:
    from .bot import ParentBot

__all__ = ["register"]

PAGE = 10
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


def register(bot: ParentBot) -> None:
    group = app_commands.Group(name="playlist", description="Your saved playlists")

    async def names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        found = await bot.store.playlist_names(interaction.user.id, current)
        return [app_commands.Choice(name=n, value=n) for n in found]

    async def playable_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        owner = getattr(interaction.namespace, "owner", None)
        if owner is not None and owner.id != interaction.user.id:
            found = await bot.store.list_public(current, owner_id=owner.id)
            return [app_commands.Choice(name=p.name, value=p.name) for p in found]
        own = await bot.store.playlist_names(interaction.user.id, current)
        public = [p.name for p in await bot.store.list_public(current) if p.visibility == "global"]
        return [app_commands.Choice(name=n, value=n) for n in dict.fromkeys([*own, *public])][:25]

    @group.command(name="create", description="Create an empty playlist.")
    @app_commands.describe(name="Its name (up to 50 characters)")
    async def create(interaction: discord.Interaction, name: str) -> None:
        playlist = await bot.store.create_playlist(interaction.user.id, name)
        await interaction.response.send_message(f"📁 Created playlist **{playlist.name}**.", ephemeral=True)

    @group.command(name="delete", description="Delete one of your playlists.")
    @app_commands.describe(name="The playlist")
    @app_commands.autocomplete(name=names)
    async def delete(interaction: discord.Interaction, name: str) -> None:
        playlist = await bot.store.delete_playlist(interaction.user.id, name)
        await interaction.response.send_message(
            f"🗑 Deleted playlist **{playlist.name}** ({playlist.size} tracks).", ephemeral=True
        )

    @group.command(name="rename", description="Rename one of your playlists.")
    @app_commands.describe(name="The playlist", new_name="Its new name")
    @app_commands.autocomplete(name=names)
    async def rename(interaction: discord.Interaction, name: str, new_name: str) -> None:
        playlist = await bot.store.rename_playlist(interaction.user.id, name, new_name)
        await interaction.response.send_message(f"✏ Renamed to **{playlist.name}**.", ephemeral=True)

    @group.command(name="show", description="Show a playlist's tracks, a page at a time.")
    @app_commands.describe(name="The playlist", page="Which page (10 tracks each)", owner="Another user's public one")
    @app_commands.autocomplete(name=playable_names)
    async def show(
        interaction: discord.Interaction,
        name: str,
        page: app_commands.Range[int, 1, 10_000] = 1,
        owner: discord.User | None = None,
    ) -> None:
        playlist = await bot.store.find_playable(interaction.user.id, name, owner.id if owner else None)
        found = await bot.store.entries(playlist, (page - 1) * PAGE, PAGE)
        pages = page_count(found.total, PAGE)
        if page > pages:
            raise InvalidArgument(f"**{playlist.name}** has only {pages} page{'s' if pages > 1 else ''}.", "page")
        lines = [f"`{e.position}.` {track_line(e.track)}" for e in found.items] or ["(empty)"]
        head = f"📁 **{playlist.name}** by <@{playlist.owner_id}> · {playlist.visibility} · {found.total} tracks, " \
               f"page {page}/{pages}"
        await interaction.response.send_message("\n".join([head, *lines]), ephemeral=True,
                                                allowed_mentions=discord.AllowedMentions.none())

    @group.command(name="add", description="Add a search or link, the current track, or the whole queue.")
    @app_commands.describe(name="Your playlist", what="What to add", query="Search words or a link (for query)")
    @app_commands.autocomplete(name=names)
    @app_commands.choices(what=SOURCE_CHOICES)
    async def add(
        interaction: discord.Interaction,
        name: str,
        what: app_commands.Choice[str],
        query: str | None = None,
    ) -> None:
        playlist = await bot.store.get_playlist(interaction.user.id, name)  # fails fast on a wrong name
        tracks: list[Track]
        if what.value == "query":
            if not query:
                raise InvalidArgument("Give a `query` to add (search words or a link).", "query")
            await interaction.response.defer(thinking=True, ephemeral=True)
            found = await bot.lavalink.search(query)
            tracks = list(found.tracks if found.playlist else found.tracks[:1])
        else:
            voice = bot.voice_of(interaction)
            session = bot.session_in(voice)
            await interaction.response.defer(thinking=True, ephemeral=True)
            if what.value == "current":
                state = await session.get_state()
                if state.current is None:
                    raise NothingPlaying()
                tracks = [state.current]
            else:
                tracks = await queue_tracks(session)
                if not tracks:
                    raise NothingPlaying("The queue is empty; there is nothing to save.")
        tracks = [dataclasses.replace(t, requester_id=0) for t in tracks]
        positions = await bot.store.add_entries(interaction.user.id, playlist.name, tracks)
        what_text = track_line(tracks[0]) if len(tracks) == 1 else f"{len(tracks)} tracks"
        await interaction.followup.send(
            f"📁 Added {what_text} to **{playlist.name}** (#{positions[0]}–#{positions[-1]}).", ephemeral=True
        )

    @group.command(name="remove", description="Remove entries from your playlist: 5 or 3-7.")
    @app_commands.describe(name="Your playlist", positions="A position like 5 or a range like 3-7")
    @app_commands.autocomplete(name=names)
    async def remove(interaction: discord.Interaction, name: str, positions: str) -> None:
        target = parse_positions(positions)
        removed = await bot.store.remove_entries(interaction.user.id, name, target.start, target.end)
        what = track_line(removed[0]) if len(removed) == 1 else f"{len(removed)} tracks"
        await interaction.response.send_message(f"🗑 Removed {what} from **{name}**.", ephemeral=True)

    @group.command(name="trim", description="Play only part of an entry: start and/or end like 0:30 and 2:10.")
    @app_commands.describe(name="Your playlist", position="The entry", start="Start at (e.g. 0:30)",
                           end="Stop at (e.g. 2:10)")
    @app_commands.autocomplete(name=names)
    async def trim(
        interaction: discord.Interaction,
        name: str,
        position: app_commands.Range[int, 1, 100_000],
        start: str | None = None,
        end: str | None = None,
    ) -> None:
        start_ms = _absolute(start, "start") if start else 0
        end_ms = _absolute(end, "end") if end else None
        track = await bot.store.trim_entry(interaction.user.id, name, position, start_ms, end_ms)
        span = f"{format_duration(start_ms)}–{format_duration(end_ms) if end_ms is not None else 'end'}"
        await interaction.response.send_message(f"✂ #{position} {track_line(track)} now plays {span}.",
                                                ephemeral=True)

    @group.command(name="visibility", description="Make a playlist private, public or global.")
    @app_commands.describe(name="Your playlist", visibility="Who can play it")
    @app_commands.autocomplete(name=names)
    @app_commands.choices(visibility=VISIBILITY_CHOICES)
    async def visibility(interaction: discord.Interaction, name: str, visibility: app_commands.Choice[str]) -> None:
        member = interaction.user
        if visibility.value == "global" and not (
            isinstance(member, discord.Member) and member.guild_permissions.manage_guild
        ):
            raise PermissionDenied("Only someone with Manage Server can make a playlist global.")
        playlist = await bot.store.set_visibility(interaction.user.id, name, visibility.value)
        await interaction.response.send_message(f"👁 **{playlist.name}** is now {playlist.visibility}.", ephemeral=True)

    @group.command(name="play", description="Play a saved playlist (yours, a global one, or someone's public one).")
    @app_commands.describe(name="The playlist", owner="Play this user's public playlist", mode="Where the tracks go",
                           position="Insert at this queue position")
    @app_commands.autocomplete(name=playable_names)
    @app_commands.choices(mode=MODE_CHOICES)
    async def play(
        interaction: discord.Interaction,
        name: str,
        owner: discord.User | None = None,
        mode: app_commands.Choice[str] | None = None,
        position: app_commands.Range[int, 1, 1_000_000] | None = None,
    ) -> None:
        voice = bot.voice_of(interaction)
        playlist = await bot.store.find_playable(voice.member.id, name, owner.id if owner else None)
        settings = await bot.store.get_user_settings(voice.member.id)
        chosen = EnqueueMode(mode.value) if mode else EnqueueMode(settings.enqueue_mode)
        await interaction.response.defer(thinking=True)
        tracks = [dataclasses.replace(t, requester_id=voice.member.id) for t in await bot.store.tracks(playlist)]
        if not tracks:
            raise InvalidArgument(f"**{playlist.name}** is empty.", "name")
        result = await open_and_enqueue(bot, voice, interaction, tracks, chosen, position)
        await send_done(interaction, queued_text(tracks, result.positions, result.started, playlist.name))

    bot.tree.add_command(group)


def _absolute(text: str, what: str) -> int:
    ms, relative = parse_seek(text)
    if relative:
        raise InvalidArgument(f"Give the {what} as a time like 1:23, not {text!r}.", what)
    return ms
