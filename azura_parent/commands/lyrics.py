"""``/lyrics``: the lyrics of the track playing in the user's voice channel, from the parent's own Lavalink through a
lyrics plugin (the track travels as its encoded blob, so this works whichever bot plays it). Pages with ◀ ▶ and
🎯 (the page being sung); synced lyrics highlight the line sung at the session's position, read afresh on each
press."""

from __future__ import annotations

from typing import Protocol

import discord
from discord import app_commands
from discord.ext import commands

from azura_common.i18n import text
from azura_common.koe.errors import NoSession, NothingPlaying
from azura_common.koe.koe import Koe
from azura_common.koe.lyrics import Lyrics, LyricsNotFound, LyricsUnavailable
from azura_common.koe.session import Track
from azura_common.render import fit_message, shown_title

from .base import BotServices, send_done
from .tree import report_error
from .voice import voice_of

__all__ = ["LyricsCommands", "LyricsPager", "LyricsSource", "lyrics_message"]

PAGER_TIMEOUT_S = 600
HIGHLIGHT = "▶"


class LyricsSource(Protocol):
    """Where lyrics come from (the parent's ``Lavalink``)."""

    async def lyrics(self, encoded: str) -> Lyrics | None: ...


def _escape(line: str) -> str:
    return line.replace("*", "∗").replace("`", "'").replace("_", "\\_")


def lyrics_message(track: Track, lyrics: Lyrics, page: int, sung: int | None, locale: str | None) -> str:
    """One page of ``lyrics``; line ``sung`` (an index into all lines) bold and marked."""
    start, lines = lyrics.page_lines(page)
    shown = [
        f"**{HIGHLIGHT} {_escape(line.text)}**" if start + i == sung else _escape(line.text) or "​"
        for i, line in enumerate(lines)
    ]
    footer_key = "lyrics.footer_synced" if lyrics.synced else "lyrics.footer_plain"
    footer = text(footer_key, locale, page=min(max(1, page), lyrics.pages), pages=lyrics.pages,
                  provider=lyrics.provider or lyrics.source or "Lavalink")
    head = text("lyrics.title", locale, title=shown_title(track))
    return fit_message([head, *shown, f"`{footer}`"])


class LyricsPager(discord.ui.View):
    """◀ / 🎯 / ▶ through one track's lyrics; each press reads the session's position afresh."""

    def __init__(self, koe: Koe, channel_id: int, track: Track, lyrics: Lyrics, page: int,
                 locale: str | None) -> None:
        super().__init__(timeout=PAGER_TIMEOUT_S)
        self.koe, self.channel_id, self.track, self.lyrics = koe, channel_id, track, lyrics
        self.page, self.locale = page, locale
        self.previous.label = text("general.previous", locale)
        self.now.label = text("lyrics.now", locale)
        self.next.label = text("general.next", locale)
        self.previous.disabled = page <= 1
        self.next.disabled = page >= lyrics.pages
        self.now.disabled = not lyrics.synced

    async def sung_line(self) -> int | None:
        """The line sung now, when this track still plays in that channel."""
        session = self.koe.get(self.channel_id)
        if session is None:
            raise NoSession(key="lyrics.ended")
        state = await session.get_state()
        if state.current is None or state.current.encoded != self.track.encoded:
            return None
        return self.lyrics.current_index(state.position_ms)

    async def _show(self, interaction: discord.Interaction, page: int | None) -> None:
        sung = await self.sung_line()
        chosen = self.lyrics.page_of(sung) if page is None else min(max(1, page), self.lyrics.pages)
        view = LyricsPager(self.koe, self.channel_id, self.track, self.lyrics, chosen, self.locale)
        content = lyrics_message(self.track, self.lyrics, chosen, sung, self.locale)
        await interaction.response.edit_message(content=content, view=view)

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary, custom_id="azura:lyrics:prev")
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[LyricsPager]) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="🎯", style=discord.ButtonStyle.primary, custom_id="azura:lyrics:now")
    async def now(self, interaction: discord.Interaction, button: discord.ui.Button[LyricsPager]) -> None:
        await self._show(interaction, None)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary, custom_id="azura:lyrics:next")
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[LyricsPager]) -> None:
        await self._show(interaction, self.page + 1)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[LyricsPager]
    ) -> None:
        await report_error(interaction, error)


class LyricsCommands(commands.Cog):
    def __init__(self, bot: BotServices, source: LyricsSource) -> None:
        self.bot, self.source = bot, source

    @app_commands.command(name="lyrics", description="Lyrics of the current track (the sung line highlighted).")
    async def lyrics(self, interaction: discord.Interaction) -> None:
        voice = voice_of(interaction)
        locale = voice.public_locale  # a public message: the server's language
        session = self.bot.koe.get(voice.channel.id)
        state = await session.get_state() if session is not None else None
        if state is None or state.current is None:
            raise NothingPlaying(key="lyrics.nothing_playing")
        track = state.current
        await interaction.response.defer(thinking=True)
        try:
            found = await self.source.lyrics(track.encoded)
        except LyricsUnavailable as exc:
            raise LyricsUnavailable(key="lyrics.no_plugin") from exc
        if found is None:
            raise LyricsNotFound(key="lyrics.not_found", params={"title": shown_title(track)})
        sung = found.current_index(state.position_ms)
        page = found.page_of(sung)
        pager = LyricsPager(self.bot.koe, voice.channel.id, track, found, page, locale)
        await send_done(interaction, lyrics_message(track, found, page, sung, locale), view=pager)
