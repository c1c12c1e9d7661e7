"""Playing and steering the music: /play, /pause, /resume, /stop, /leave, /skip, /back, /seek, /volume,
/repeat, /shuffle, /nowplaying. Each acts on the session of the invoking user's voice channel, through Koe."""

from __future__ import annotations

import discord
from discord import app_commands

from azura_common.i18n import text
from azura_common.koe.errors import KoeError
from azura_common.koe.session import CloseReason, Ending, EnqueueMode, RepeatMode, Session
from azura_common.koe.validation import check_query
from azura_common.render import (
    fit_message,
    format_duration,
    mention,
    moved_text,
    now_playing_lines,
    queued_text,
    shown_title,
)
from azura_common.rules.limits import CHOICE_LENGTH, MAX_VOLUME
from azura_common.rules.parse import parse_choice, parse_seek, parse_volume
from azura_common.rules.permissions import command_needs_dj
from azura_common.rules.skip import check_skip_options
from azura_common.rules.text import shorten

from .base import MODE_CHOICES, SessionCommands, open_and_enqueue, send_done
from .board_notice import board_notice
from .skipping import vote_or_skip
from .voice import Voice, voice_of

__all__ = ["MusicCommands"]

REPEAT_CHOICES = [app_commands.Choice(name=m.value, value=m.value) for m in RepeatMode]
REPEAT_TEXT = {mode: f"music.repeat_{mode.value}" for mode in RepeatMode}  # catalogue keys
SUGGESTIONS = 10  # /play's query suggestions
SUGGEST_FROM = 3  # characters typed before /play suggests anything


class MusicCommands(SessionCommands):
    # -- play ----------------------------------------------------------------------------------------
    @app_commands.command(name="play", description="Play a song, a link or a playlist in your voice channel.")
    @app_commands.describe(
        query="What to play: search words, a link, or a playlist link",
        mode="Where the tracks go: fifo (end), lifo (next), random, interlace (fair between listeners)",
        position="Insert at this queue position instead (1-based)",
    )
    @app_commands.choices(mode=MODE_CHOICES)
    async def play(
        self,
        interaction: discord.Interaction,
        query: str,
        mode: app_commands.Choice[str] | None = None,
        position: app_commands.Range[int, 1, 1_000_000] | None = None,
    ) -> None:
        query = check_query(query)
        voice = voice_of(interaction)
        settings = await self.bot.store.get_user_settings(voice.member.id)
        chosen = parse_choice(mode.value, EnqueueMode, "Enqueue mode") if mode else EnqueueMode(settings.enqueue_mode)
        await interaction.response.defer(thinking=True)
        found = await self.bot.lavalink.search(query, requester_id=voice.member.id)
        tracks = found.tracks if found.playlist else found.tracks[:1]
        result = await open_and_enqueue(self.bot, voice, interaction, tracks, chosen, position)
        said = queued_text(tracks, result.positions, result.started, found.playlist, voice.public_locale)
        await send_done(interaction, await board_notice(self.bot, voice, said))

    @play.autocomplete("query")
    async def play_suggestions(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if len(current.strip()) < SUGGEST_FROM or current.startswith(("http://", "https://")):
            return []
        try:
            found = await self.bot.lavalink.search(check_query(current))
        except KoeError:  # suggestions are best effort; the command itself reports what went wrong
            return []
        return [
            app_commands.Choice(name=shorten(f"{t.title} — {t.author}", CHOICE_LENGTH),
                                # a cut link would lead nowhere: then the title, searched again
                                value=t.uri if t.uri and len(t.uri) <= CHOICE_LENGTH
                                else shorten(t.title, CHOICE_LENGTH) or current[:CHOICE_LENGTH])
            for t in found.tracks[:SUGGESTIONS]
        ]

    # -- transport -----------------------------------------------------------------------------------
    @app_commands.command(name="pause", description="Pause the music in your voice channel.")
    async def pause(self, interaction: discord.Interaction) -> None:
        async def work(voice: Voice, session: Session) -> str:
            await session.pause()
            return text("music.paused", voice.public_locale, channel=voice.channel.mention)

        await self.run(interaction, work)

    @app_commands.command(name="resume", description="Resume the music in your voice channel.")
    async def resume(self, interaction: discord.Interaction) -> None:
        async def work(voice: Voice, session: Session) -> str:
            await session.resume()
            return text("music.resumed", voice.public_locale, channel=voice.channel.mention)

        await self.run(interaction, work)

    @app_commands.command(name="stop", description="Stop and clear what's up next (the bot stays). DJ only.")
    async def stop(self, interaction: discord.Interaction) -> None:
        async def work(voice: Voice, session: Session) -> str:
            await session.stop()
            return text("music.stopped", voice.public_locale, channel=voice.channel.mention)

        await self.run(interaction, work, dj=command_needs_dj("stop"))

    @app_commands.command(name="leave", description="Stop and make the bot leave your voice channel. DJ only.")
    async def leave(self, interaction: discord.Interaction) -> None:
        async def work(voice: Voice, session: Session) -> str:
            ending = Ending(CloseReason.DISCONNECT, f"/leave by {voice.member.display_name}")
            await self.bot.koe.destroy(voice.channel.id, ending)
            return text("music.left", voice.public_locale, channel=voice.channel.mention)

        await self.run(interaction, work, dj=command_needs_dj("leave"))

    @app_commands.command(name="skip", description="Skip the current track (a vote unless you're a DJ), or skip by/to.")
    @app_commands.describe(by="Skip this many tracks (negative goes back). DJ only if not 1.",
                           to="Jump to this queue position. DJ only.")
    @app_commands.autocomplete(to=SessionCommands.upcoming_positions)
    async def skip(
        self,
        interaction: discord.Interaction,
        by: app_commands.Range[int, -100_000, 100_000] | None = None,
        to: app_commands.Range[int, 1, 1_000_000] | None = None,
    ) -> None:
        check_skip_options(by, to)
        voice = voice_of(interaction)
        session = self.session_in(voice)
        state, pending = await vote_or_skip(self.bot, voice, session, by, to)
        if pending is not None and state.current is not None:
            await send_done(interaction, text("music.voted_to_skip", voice.public_locale, member=voice.member.mention,
                                              title=shown_title(state.current), votes=pending.votes,
                                              needed=pending.needed))
            return
        await interaction.response.defer(thinking=True)
        new = await session.skip(by if by is not None else 1, to)
        self.bot.votes.reset(voice.channel.id)
        self.bot.changed(session)
        locale = voice.public_locale
        await send_done(interaction, moved_text(text("music.skipped", locale), new, locale))

    @app_commands.command(name="back", description="Go back in the history (DJ only for more than 1).")
    @app_commands.describe(by="How many tracks back (default 1)")
    async def back(self, interaction: discord.Interaction, by: app_commands.Range[int, 1, 100_000] = 1) -> None:
        async def work(voice: Voice, session: Session) -> str:
            return moved_text(text("music.back", voice.public_locale), await session.back(by), voice.public_locale)

        await self.run(interaction, work, dj=command_needs_dj("back", by=by))

    @app_commands.command(name="seek", description="Jump inside the current track: 1:23, +15 or -10.")
    @app_commands.describe(time="1:23 to jump there, +15 to go forward 15 s, -10 to go back 10 s")
    async def seek(self, interaction: discord.Interaction, time: str) -> None:
        position, relative = parse_seek(time)

        async def work(voice: Voice, session: Session) -> str:
            state = await session.seek(position, relative)
            title = shown_title(state.current) if state.current else ""
            return text("music.seeked", voice.public_locale, time=format_duration(state.position_ms), title=title)

        await self.run(interaction, work)

    @app_commands.command(name="volume",
                          description=f"Set the volume (0–{MAX_VOLUME}), or + / - by your step, e.g. +20.")
    @app_commands.describe(level="A number like 80, or +, -, +20, -5")
    async def volume(self, interaction: discord.Interaction, level: str) -> None:
        voice = voice_of(interaction)
        settings = await self.bot.store.get_user_settings(voice.member.id)
        value, relative = parse_volume(level, settings.volume_step)

        async def work(voice: Voice, session: Session) -> str:
            state = await session.set_volume(value, relative)
            await self.bot.store.set_last_volume(voice.member.id, state.volume)
            return text("music.volume_set", voice.public_locale, volume=state.volume, channel=voice.channel.mention)

        await self.run(interaction, work)

    @app_commands.command(name="repeat", description="Repeat nothing, the current track, or the whole queue.")
    @app_commands.describe(mode="none, one (this track) or all (the queue)")
    @app_commands.choices(mode=REPEAT_CHOICES)
    async def repeat(self, interaction: discord.Interaction, mode: app_commands.Choice[str]) -> None:
        chosen = parse_choice(mode.value, RepeatMode, "Repeat")

        async def work(voice: Voice, session: Session) -> str:
            state = await session.set_repeat(chosen)
            return text(REPEAT_TEXT[state.repeat], voice.public_locale)

        await self.run(interaction, work)

    @app_commands.command(name="shuffle", description="Shuffle the upcoming tracks.")
    async def shuffle(self, interaction: discord.Interaction) -> None:
        async def work(voice: Voice, session: Session) -> str:
            state = await session.shuffle()
            return text("music.shuffled", voice.public_locale, count=state.upcoming)

        await self.run(interaction, work)

    @app_commands.command(name="nowplaying", description="What's playing in your voice channel.")
    async def nowplaying(self, interaction: discord.Interaction) -> None:
        voice = voice_of(interaction)
        state = await self.session_in(voice).get_state()
        await send_done(interaction, fit_message(now_playing_lines(state, mention, locale=voice.public_locale)))
