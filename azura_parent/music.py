"""The music commands: every one goes to the session of the invoking user's voice channel through Koe.

Cheap checks (voice channel, argument syntax, permissions) run before the interaction is deferred, so
their errors are plain ephemeral replies; the RPC or search runs after ``defer`` ("thinking…").
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from azura_common.koe.errors import InvalidArgument, KoeError, NoSession, NothingPlaying, PermissionDenied
from azura_common.koe.queue import MAX_PAGE, parse_positions
from azura_common.koe.session import (
    CloseReason,
    Ending,
    EnqueueMode,
    EnqueueResult,
    QueuePage,
    RemoveAbsent,
    RemoveRange,
    RemoveRequester,
    RemoveTarget,
    RepeatMode,
    Session,
    SessionState,
    Track,
)
from azura_common.nowplaying import mention
from azura_common.permissions import DJ_ONLY
from azura_common.render import format_duration, now_playing_lines, queue_lines, track_line

from .errors import tell_error
from .parse import parse_seek, parse_volume

if TYPE_CHECKING:
    from .bot import ParentBot, Voice

__all__ = ["open_and_enqueue", "queue_message", "register", "send_done"]

PAGE = 10
MODE_CHOICES = [app_commands.Choice(name=m.value, value=m.value) for m in EnqueueMode]
REPEAT_CHOICES = [app_commands.Choice(name=m.value, value=m.value) for m in RepeatMode]


async def send_done(interaction: discord.Interaction, text: str, *, view: discord.ui.View | None = None) -> None:
    """The public answer to a command (after a defer, the followup replaces "thinking…")."""
    allowed = discord.AllowedMentions.none()
    if interaction.response.is_done():
        if view is None:
            await interaction.followup.send(text, allowed_mentions=allowed)
        else:
            await interaction.followup.send(text, view=view, allowed_mentions=allowed)
    else:
        if view is None:
            await interaction.response.send_message(text, allowed_mentions=allowed)
        else:
            await interaction.response.send_message(text, view=view, allowed_mentions=allowed)


def _where(voice: Voice) -> str:
    return voice.channel.mention


def queued_text(tracks: tuple[Track, ...] | list[Track], positions: tuple[int, ...], started: bool,
                source: str | None = None) -> str:
    if len(tracks) == 1:
        head = f"🎶 Queued {track_line(tracks[0])} at **#{positions[0]}**"
    else:
        total = sum(t.play_length_ms for t in tracks)
        origin = f" from **{source}**" if source else ""
        span = f"#{min(positions)}–#{max(positions)}"
        head = f"🎶 Queued **{len(tracks)} tracks**{origin} ({format_duration(total)}) at **{span}**"
    return head + (" — playing now." if started else ".")


def queue_message(page: QueuePage, title: str) -> str:
    pages = page_count(page.total)
    number = page.offset // PAGE + 1
    return "\n".join([f"📜 **{title}** — {page.total} tracks, page {number}/{pages}", *queue_lines(page, mention)])


class QueuePager(discord.ui.View):
    """◀ / ▶ through the queue of a voice channel; each press reads that channel's session afresh."""

    def __init__(self, bot: ParentBot, channel_id: int, title: str, offset: int, total: int) -> None:
        super().__init__(timeout=600)
        self.bot, self.channel_id, self.title, self.offset = bot, channel_id, title, offset
        self.previous.disabled = offset <= 0
        self.next.disabled = offset + PAGE >= total

    async def _show(self, interaction: discord.Interaction, offset: int) -> None:
        try:
            session = self.bot.koe.get(self.channel_id)
            if session is None:
                raise NoSession("That session has ended; its queue is gone.")
            page = await session.get_queue(max(0, offset), PAGE)
        except KoeError as error:
            await tell_error(interaction, str(error))
            return
        view = QueuePager(self.bot, self.channel_id, self.title, page.offset, page.total)
        await interaction.response.edit_message(content=queue_message(page, self.title), view=view)

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary, custom_id="azura:queue:prev")
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[QueuePager]) -> None:
        await self._show(interaction, self.offset - PAGE)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary, custom_id="azura:queue:next")
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[QueuePager]) -> None:
        await self._show(interaction, self.offset + PAGE)


def page_count(total: int, per_page: int = PAGE) -> int:
    return max(1, -(-total // per_page))


async def queue_tracks(session: Session, start: int = 1, end: int | None = None) -> list[Track]:
    """Entries ``start``..``end`` (1-based, inclusive; default: to the end), read page by page."""
    tracks: list[Track] = []
    offset = start - 1
    while end is None or offset < end:
        limit = MAX_PAGE if end is None else min(MAX_PAGE, end - offset)
        page = await session.get_queue(max(0, offset), limit)
        tracks.extend(item.track for item in page.items)
        offset += len(page.items)
        if not page.items or offset >= page.total:
            break
    return tracks


async def open_and_enqueue(
    bot: ParentBot,
    voice: Voice,
    interaction: discord.Interaction,
    tracks: Sequence[Track],
    mode: EnqueueMode,
    position: int | None,
) -> EnqueueResult:
    """The session of the user's channel (a new one starts at their last volume) plus the tracks. A session
    opened just for tracks that then fail to enqueue is closed again: a failed /play changes nothing."""
    guild_settings = await bot.store.get_guild_settings(voice.guild.id)
    session, fresh = await bot.koe.open_tracked(
        voice.guild.id, voice.channel.id, interaction.channel_id, guild_settings.dj_role_id or 0
    )
    try:
        if fresh:
            settings = await bot.store.get_user_settings(voice.member.id)
            if settings.last_volume is not None and settings.last_volume != 100:
                await session.set_volume(settings.last_volume)
        result = await session.enqueue(tracks, mode, position)
    except KoeError:
        if fresh:
            with contextlib.suppress(KoeError):
                await bot.koe.destroy(voice.channel.id, Ending(CloseReason.DISCONNECT, "nothing to play"))
        raise
    bot.changed(session)
    return result


def register(bot: ParentBot) -> None:
    tree = bot.tree

    async def run(
        interaction: discord.Interaction, work: Callable[[Voice, Session], Awaitable[str]], *, dj: bool = False
    ) -> None:
        """The shape of every session command: check, defer, call the session, answer."""
        voice = bot.voice_of(interaction)
        session = bot.session_in(voice)
        if dj and not await bot.may_dj(voice):
            raise PermissionDenied(DJ_ONLY)
        await interaction.response.defer(thinking=True)
        text = await work(voice, session)
        bot.changed(session)
        await send_done(interaction, text)

    # -- play ----------------------------------------------------------------------------------------
    @tree.command(name="play", description="Play a song, a link or a playlist in your voice channel.")
    @app_commands.describe(
        query="What to play: search words, a link, or a playlist link",
        mode="Where the tracks go: fifo (end), lifo (next), random, interlace (fair between listeners)",
        position="Insert at this queue position instead (1-based)",
    )
    @app_commands.choices(mode=MODE_CHOICES)
    async def play(
        interaction: discord.Interaction,
        query: str,
        mode: app_commands.Choice[str] | None = None,
        position: app_commands.Range[int, 1, 1_000_000] | None = None,
    ) -> None:
        voice = bot.voice_of(interaction)
        settings = await bot.store.get_user_settings(voice.member.id)
        chosen = EnqueueMode(mode.value) if mode else EnqueueMode(settings.enqueue_mode)
        await interaction.response.defer(thinking=True)
        found = await bot.lavalink.search(query, requester_id=voice.member.id)
        tracks = found.tracks if found.playlist else found.tracks[:1]
        result = await open_and_enqueue(bot, voice, interaction, tracks, chosen, position)
        await send_done(interaction, queued_text(tracks, result.positions, result.started, found.playlist))

    @play.autocomplete("query")
    async def play_suggestions(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if len(current.strip()) < 3 or current.startswith(("http://", "https://")):
            return []
        try:
            found = await bot.lavalink.search(current)
        except KoeError:  # suggestions are best effort; the command itself reports what went wrong
            return []
        return [
            app_commands.Choice(name=f"{t.title} — {t.author}"[:100], value=(t.uri or t.title)[:100])
            for t in found.tracks[:10]
        ]

    async def upcoming_positions(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
        """Queue positions with their titles, for the options that take one."""
        try:
            session = bot.session_in(bot.voice_of(interaction))
            state = await session.get_state()
            wanted = int(current) if current.strip().isdigit() else None
            offset = (wanted - 1) if wanted else max(0, state.current_position)
            page = await session.get_queue(max(0, min(offset, max(0, state.total - 1))), 25)
        except (KoeError, ValueError):
            return []
        return [
            app_commands.Choice(name=f"#{i.position} {i.track.title}"[:100], value=i.position) for i in page.items
        ]

    async def upcoming_ranges(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        found = await upcoming_positions(interaction, current.split("-")[0])
        return [app_commands.Choice(name=c.name, value=str(c.value)) for c in found]

    # -- transport -----------------------------------------------------------------------------------
    @tree.command(name="pause", description="Pause the music in your voice channel.")
    async def pause(interaction: discord.Interaction) -> None:
        async def work(voice: Voice, session: Session) -> str:
            await session.pause()
            return f"⏸ Paused in {_where(voice)}."

        await run(interaction, work)

    @tree.command(name="resume", description="Resume the music in your voice channel.")
    async def resume(interaction: discord.Interaction) -> None:
        async def work(voice: Voice, session: Session) -> str:
            await session.resume()
            return f"▶ Resumed in {_where(voice)}."

        await run(interaction, work)

    @tree.command(name="stop", description="Stop and clear what's up next (the bot stays). DJ only.")
    async def stop(interaction: discord.Interaction) -> None:
        async def work(voice: Voice, session: Session) -> str:
            await session.stop()
            return f"⏹ Stopped in {_where(voice)} and cleared the upcoming tracks."

        await run(interaction, work, dj=True)

    @tree.command(name="leave", description="Stop and make the bot leave your voice channel. DJ only.")
    async def leave(interaction: discord.Interaction) -> None:
        async def work(voice: Voice, session: Session) -> str:
            ending = Ending(CloseReason.DISCONNECT, f"/leave by {voice.member.display_name}")
            await bot.koe.destroy(voice.channel.id, ending)
            return f"👋 Left {_where(voice)}."

        await run(interaction, work, dj=True)

    @tree.command(name="skip", description="Skip the current track (a vote unless you're a DJ), or skip by/to.")
    @app_commands.describe(by="Skip this many tracks (negative goes back). DJ only if not 1.",
                           to="Jump to this queue position. DJ only.")
    @app_commands.autocomplete(to=upcoming_positions)
    async def skip(
        interaction: discord.Interaction,
        by: app_commands.Range[int, -100_000, 100_000] | None = None,
        to: app_commands.Range[int, 1, 1_000_000] | None = None,
    ) -> None:
        if by is not None and to is not None:
            raise InvalidArgument("Use either `by` or `to`, not both.", "to")
        if by == 0:
            raise InvalidArgument("Skipping by 0 tracks does nothing; use a positive or negative number.", "by")
        voice = bot.voice_of(interaction)
        session = bot.session_in(voice)
        state = await session.get_state()
        if state.current is None and (by is None or by > 0) and to is None:
            raise NothingPlaying()
        forced = to is not None or (by is not None and by != 1)
        own = state.current is not None and state.current.requester_id == voice.member.id
        dj = await bot.may_dj(voice)
        if forced and not dj:
            raise PermissionDenied("Only a DJ can skip by more than one or jump to a position while others listen.")
        if not forced and not dj and not own and state.current is not None:
            key = f"{state.current_position}:{state.current.encoded[:32]}"
            outcome = bot.votes.vote(voice.channel.id, key, voice.member.id, voice.listeners)
            if not outcome.passed:
                await send_done(interaction, f"🗳 {voice.member.mention} voted to skip **{state.current.title}** "
                                             f"({outcome.votes}/{outcome.needed} votes).")
                return
        await interaction.response.defer(thinking=True)
        new = await session.skip(by if by is not None else 1, to)
        bot.votes.reset(voice.channel.id)
        bot.changed(session)
        await send_done(interaction, _moved_text("⏭ Skipped", new))

    @tree.command(name="back", description="Go back in the history (DJ only for more than 1).")
    @app_commands.describe(by="How many tracks back (default 1)")
    async def back(interaction: discord.Interaction, by: app_commands.Range[int, 1, 100_000] = 1) -> None:
        async def work(voice: Voice, session: Session) -> str:
            return _moved_text("⏮ Back", await session.back(by))

        await run(interaction, work, dj=by > 1)

    @tree.command(name="seek", description="Jump inside the current track: 1:23, +15 or -10.")
    @app_commands.describe(time="1:23 to jump there, +15 to go forward 15 s, -10 to go back 10 s")
    async def seek(interaction: discord.Interaction, time: str) -> None:
        position, relative = parse_seek(time)

        async def work(voice: Voice, session: Session) -> str:
            state = await session.seek(position, relative)
            title = state.current.title if state.current else ""
            return f"⏩ Now at {format_duration(state.position_ms)} in **{title}**."

        await run(interaction, work)

    @tree.command(name="volume", description="Set the volume (0–1000), or + / - by your step, e.g. +20.")
    @app_commands.describe(level="A number like 80, or +, -, +20, -5")
    async def volume(interaction: discord.Interaction, level: str) -> None:
        voice = bot.voice_of(interaction)
        settings = await bot.store.get_user_settings(voice.member.id)
        value, relative = parse_volume(level, settings.volume_step)

        async def work(voice: Voice, session: Session) -> str:
            state = await session.set_volume(value, relative)
            await bot.store.set_last_volume(voice.member.id, state.volume)
            return f"🔊 Volume {state.volume}% in {_where(voice)}."

        await run(interaction, work)

    @tree.command(name="repeat", description="Repeat nothing, the current track, or the whole queue.")
    @app_commands.describe(mode="none, one (this track) or all (the queue)")
    @app_commands.choices(mode=REPEAT_CHOICES)
    async def repeat(interaction: discord.Interaction, mode: app_commands.Choice[str]) -> None:
        async def work(voice: Voice, session: Session) -> str:
            state = await session.set_repeat(RepeatMode(mode.value))
            return {"none": "➡ Repeat is off.", "one": "🔂 Repeating the current track.",
                    "all": "🔁 Repeating the whole queue."}[state.repeat.value]

        await run(interaction, work)

    @tree.command(name="shuffle", description="Shuffle the upcoming tracks.")
    async def shuffle(interaction: discord.Interaction) -> None:
        async def work(voice: Voice, session: Session) -> str:
            state = await session.shuffle()
            return f"🔀 Shuffled {state.upcoming} upcoming tracks."

        await run(interaction, work)

    # -- reading -------------------------------------------------------------------------------------
    @tree.command(name="queue", description="Show the queue: history, what's playing and what's next.")
    @app_commands.describe(page="Which page (10 tracks each); default: the page with the current track")
    async def queue(interaction: discord.Interaction, page: app_commands.Range[int, 1, 100_000] | None = None) -> None:
        voice = bot.voice_of(interaction)
        session = bot.session_in(voice)
        state = await session.get_state()
        if page is None:
            offset = max(0, state.current_position - 1) // PAGE * PAGE if state.current_position else 0
        else:
            offset = (page - 1) * PAGE
            if state.total and offset >= state.total:
                raise InvalidArgument(f"The queue has only {page_count(state.total)} pages.", "page")
        found = await session.get_queue(offset, PAGE)
        title = f"Queue in {voice.channel.name}"
        pager = QueuePager(bot, voice.channel.id, title, found.offset, found.total)
        await send_done(interaction, queue_message(found, title), view=pager)

    @tree.command(name="history", description="What played before the current track.")
    async def history(interaction: discord.Interaction) -> None:
        voice = bot.voice_of(interaction)
        session = bot.session_in(voice)
        state = await session.get_state()
        played = (state.current_position - 1) if state.current_position else state.total
        if played <= 0:
            await send_done(interaction, "📜 Nothing has played yet.")
            return
        page = await session.get_queue(max(0, played - PAGE), min(PAGE, played))
        lines = [f"`{i.position}.` {track_line(i.track, mention)}" for i in page.items]
        await send_done(interaction, "\n".join([f"📜 **Recently played in {voice.channel.name}**", *lines]))

    @tree.command(name="nowplaying", description="What's playing in your voice channel.")
    async def nowplaying(interaction: discord.Interaction) -> None:
        voice = bot.voice_of(interaction)
        state = await bot.session_in(voice).get_state()
        await send_done(interaction, "\n".join(now_playing_lines(state, mention)))

    # -- editing -------------------------------------------------------------------------------------
    @tree.command(name="move", description="Move an upcoming track to another position.")
    @app_commands.describe(from_position="The track's position now", to_position="Its new position")
    @app_commands.rename(from_position="from", to_position="to")
    @app_commands.autocomplete(from_position=upcoming_positions, to_position=upcoming_positions)
    async def move(
        interaction: discord.Interaction,
        from_position: app_commands.Range[int, 1, 1_000_000],
        to_position: app_commands.Range[int, 1, 1_000_000],
    ) -> None:
        async def work(voice: Voice, session: Session) -> str:
            await session.move(from_position, to_position)
            page = await session.get_queue(to_position - 1, 1)
            title = page.items[0].track.title if page.items else "the track"
            return f"↕ Moved **{title}** from #{from_position} to #{to_position}."

        await run(interaction, work)

    @tree.command(name="remove", description="Remove tracks: positions (5 or 3-7), a user's, or absent members'.")
    @app_commands.describe(
        positions="A position like 5 or a range like 3-7",
        user="Remove every upcoming track this user added",
        absent="Remove upcoming tracks of people no longer in the channel",
    )
    @app_commands.autocomplete(positions=upcoming_ranges)
    async def remove(
        interaction: discord.Interaction,
        positions: str | None = None,
        user: discord.Member | None = None,
        absent: bool = False,
    ) -> None:
        chosen = [positions is not None, user is not None, absent]
        if sum(chosen) != 1:
            raise InvalidArgument("Choose exactly one of `positions`, `user` or `absent`.", "target")
        target: RemoveTarget
        if positions is not None:
            target = parse_positions(positions)
        elif user is not None:
            target = RemoveRequester(user.id)
        else:
            target = RemoveAbsent(frozenset())  # filled in with who is listening below
        voice = bot.voice_of(interaction)
        session = bot.session_in(voice)
        if isinstance(target, RemoveAbsent):
            target = RemoveAbsent(voice.listeners)
        others = (
            isinstance(target, RemoveAbsent)
            or (isinstance(target, RemoveRequester) and target.user_id != voice.member.id)
            or (
                isinstance(target, RemoveRange)
                and {t.requester_id for t in await queue_tracks(session, target.start, target.end or target.start)}
                - {voice.member.id}
            )
        )
        if others and not await bot.may_dj(voice):
            raise PermissionDenied("You can remove your own tracks; removing other people's needs a DJ.")
        await interaction.response.defer(thinking=True)
        removed = await session.remove(target)
        bot.changed(session)
        if not removed:
            await send_done(interaction, "Nothing matched; the queue is unchanged.")
        elif len(removed) == 1:
            await send_done(interaction, f"🗑 Removed {track_line(removed[0])}.")
        else:
            await send_done(interaction, f"🗑 Removed {len(removed)} tracks.")

    @tree.command(name="clear", description="Remove every upcoming track (the current one keeps playing). DJ only.")
    async def clear(interaction: discord.Interaction) -> None:
        async def work(voice: Voice, session: Session) -> str:
            before = await session.get_state()
            await session.clear()
            return f"🧹 Cleared {before.upcoming} upcoming tracks."

        await run(interaction, work, dj=True)


def _moved_text(verb: str, state: SessionState) -> str:
    if state.current is None:
        return f"{verb}: that was the end of the queue."
    return f"{verb} to **#{state.current_position}** {track_line(state.current)}."
