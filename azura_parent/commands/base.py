"""What every command area shares: the bot services they use, the session of the user's channel, and the
shape of a session command (check, defer, call the session, answer).

Cheap checks (voice channel, argument syntax, permissions) run before the interaction is deferred, so
their errors are plain ephemeral replies; the RPC or search runs after ``defer`` ("thinking…"). Errors are
raised, never answered here: the command tree's one error handler (``tree.py``) turns them into the
ephemeral message the user reads.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

import discord
from discord import app_commands
from discord.ext import commands

from azura_common.koe.errors import KoeError, NoSession, PermissionDenied
from azura_common.koe.koe import Koe
from azura_common.koe.local import SearchResult
from azura_common.koe.queue import MAX_PAGE
from azura_common.koe.session import CloseReason, Ending, EnqueueMode, EnqueueResult, Session, Track
from azura_common.rules.limits import AUTOCOMPLETE_CHOICES, CHOICE_LENGTH, MESSAGE_CHARS
from azura_common.rules.permissions import DJ_ONLY_KEY
from azura_common.rules.text import shorten
from azura_common.rules.votes import SkipVotes

from ..store import Store
from .voice import Voice, voice_of

__all__ = [
    "MODE_CHOICES",
    "BotServices",
    "Search",
    "SessionCommands",
    "is_dj",
    "open_and_enqueue",
    "open_in_channel",
    "queue_tracks",
    "send_done",
    "session_in",
]

MODE_CHOICES = [app_commands.Choice(name=m.value, value=m.value) for m in EnqueueMode]


class Search(Protocol):
    """Resolves what users type into tracks (the bot's Lavalink node)."""

    async def search(self, query: str, requester_id: int = 0) -> SearchResult: ...


class BotServices(Protocol):
    """What the commands need from the bot; ``ParentBot`` provides it, the handler tests a small stand-in."""

    @property
    def koe(self) -> Koe: ...

    @property
    def store(self) -> Store: ...

    @property
    def lavalink(self) -> Search: ...

    @property
    def votes(self) -> SkipVotes: ...

    def changed(self, session: Session) -> None:
        """A command changed ``session``: its now-playing message should show it."""
        ...


def session_in(koe: Koe, voice: Voice) -> Session:
    """The session of the user's voice channel, or ``NoSession`` saying how to start one."""
    session = koe.get(voice.channel.id)
    if session is None:
        raise NoSession(key="errors.no_session_in", params={"channel": voice.channel.mention})
    return session


async def is_dj(store: Store, voice: Voice) -> bool:
    """The DJ rule for the invoking member, with this server's DJ role."""
    settings = await store.get_guild_settings(voice.guild.id)
    return voice.may_dj(settings.dj_role_id)


async def send_done(interaction: discord.Interaction, text: str, *, view: discord.ui.View | None = None) -> None:
    """The public answer to a command (after a defer, the followup replaces "thinking…")."""
    allowed = discord.AllowedMentions.none()
    text = shorten(text, MESSAGE_CHARS)  # the last guard: Discord refuses a longer message outright
    if interaction.response.is_done():
        if view is None:
            await interaction.followup.send(text, allowed_mentions=allowed)
        else:
            await interaction.followup.send(text, view=view, allowed_mentions=allowed)
    elif view is None:
        await interaction.response.send_message(text, allowed_mentions=allowed)
    else:
        await interaction.response.send_message(text, view=view, allowed_mentions=allowed)


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
    bot: BotServices,
    voice: Voice,
    interaction: discord.Interaction,
    tracks: Sequence[Track],
    mode: EnqueueMode,
    position: int | None,
) -> EnqueueResult:
    """The session of the user's channel (a new one starts at their last volume) plus the tracks. A session
    opened just for tracks that then fail to enqueue is closed again: a failed /play changes nothing."""
    return await open_in_channel(bot, voice, interaction.channel_id, tracks, mode, position)


async def open_in_channel(
    bot: BotServices,
    voice: Voice,
    text_channel_id: int | None,
    tracks: Sequence[Track],
    mode: EnqueueMode,
    position: int | None = None,
) -> EnqueueResult:
    """``open_and_enqueue`` with the now-playing message's text channel given (the dashboard has no interaction)."""
    guild_settings = await bot.store.get_guild_settings(voice.guild.id)
    session, fresh = await bot.koe.open_tracked(
        voice.guild.id, voice.channel.id, text_channel_id, guild_settings.dj_role_id or 0
    )
    try:
        if fresh:
            settings = await bot.store.get_user_settings(voice.member.id)
            if settings.last_volume is not None and settings.last_volume != 100:
                await session.set_volume(settings.last_volume)
            if guild_settings.autoplay:  # the server's default for new sessions
                await session.set_autoplay(True)
        result = await session.enqueue(tracks, mode, position)
    except KoeError:
        if fresh:
            with contextlib.suppress(KoeError):
                await bot.koe.destroy(voice.channel.id, Ending(CloseReason.DISCONNECT, "nothing to play"))
        raise
    bot.changed(session)
    return result


Work = Callable[[Voice, Session], Awaitable[str]]


class SessionCommands(commands.Cog):
    """Base of the areas whose commands act on the session of the user's voice channel."""

    def __init__(self, bot: BotServices) -> None:
        self.bot = bot

    def session_in(self, voice: Voice) -> Session:
        return session_in(self.bot.koe, voice)

    async def run(self, interaction: discord.Interaction, work: Work, *, dj: bool = False) -> None:
        """The shape of most session commands: check, defer, call the session, answer."""
        voice = voice_of(interaction)
        session = self.session_in(voice)
        if dj and not await is_dj(self.bot.store, voice):
            raise PermissionDenied(key=DJ_ONLY_KEY)
        await interaction.response.defer(thinking=True)
        text = await work(voice, session)
        self.bot.changed(session)
        await send_done(interaction, text)

    # -- suggestions for the options that take queue positions -------------------------------------
    async def upcoming_positions(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        """Queue positions with their titles: from the one typed so far, else from the current track."""
        try:
            session = self.session_in(voice_of(interaction))
            state = await session.get_state()
            typed = current.strip()
            wanted = int(typed) if typed.isascii() and typed.isdigit() and len(typed) <= 7 else None
            offset = (wanted - 1) if wanted else max(0, state.current_position)
            page = await session.get_queue(max(0, min(offset, max(0, state.total - 1))), AUTOCOMPLETE_CHOICES)
        except (KoeError, ValueError):
            return []  # suggestions are best effort; the command itself reports what went wrong
        return [
            app_commands.Choice(name=shorten(f"#{i.position} {i.track.title}", CHOICE_LENGTH), value=i.position)
            for i in page.items
        ]

    async def upcoming_ranges(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """The same, for options that take a position or a range (suggested from the range's start)."""
        found = await self.upcoming_positions(interaction, current.split("-")[0])
        return [app_commands.Choice(name=c.name, value=str(c.value)) for c in found]
