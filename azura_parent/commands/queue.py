"""Reading and editing the queue: /queue (with ◀ ▶ pages), /history, /move, /remove, /clear."""

from __future__ import annotations

import discord
from discord import app_commands

from azura_common.i18n import text
from azura_common.koe.autoplay import AUTOPLAY_REQUESTER_ID
from azura_common.koe.errors import NoSession, PermissionDenied
from azura_common.koe.koe import Koe
from azura_common.koe.session import RemoveAbsent, RemoveRange, Session
from azura_common.render import fit_message, mention, queue_message, shown_title, track_line, tracks_text
from azura_common.replies import public_locale
from azura_common.rules.limits import PAGE
from azura_common.rules.pages import history_window, queue_offset
from azura_common.rules.permissions import command_needs_dj
from azura_common.rules.remove import DJ_REMOVE_KEY, may_remove, remove_target

from .base import SessionCommands, is_dj, queue_tracks, send_done
from .tree import report_error
from .voice import Voice, voice_of

__all__ = ["QueueCommands", "QueuePager"]

PAGER_TIMEOUT_S = 600


class QueuePager(discord.ui.View):
    """◀ / ▶ through the queue of a voice channel; each press reads that channel's session afresh."""

    def __init__(self, koe: Koe, channel_id: int, title: str, offset: int, total: int, locale: str | None) -> None:
        super().__init__(timeout=PAGER_TIMEOUT_S)
        self.koe, self.channel_id, self.title, self.offset, self.locale = koe, channel_id, title, offset, locale
        self.previous.label = text("general.previous", locale)
        self.next.label = text("general.next", locale)
        self.previous.disabled = offset <= 0
        self.next.disabled = offset + PAGE >= total

    async def _show(self, interaction: discord.Interaction, offset: int) -> None:
        session = self.koe.get(self.channel_id)
        if session is None:
            raise NoSession(key="errors.session_gone")
        page = await session.get_queue(max(0, offset), PAGE)
        view = QueuePager(self.koe, self.channel_id, self.title, page.offset, page.total, self.locale)
        await interaction.response.edit_message(content=queue_message(page, self.title, self.locale), view=view)

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary, custom_id="azura:queue:prev")
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[QueuePager]) -> None:
        await self._show(interaction, self.offset - PAGE)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary, custom_id="azura:queue:next")
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[QueuePager]) -> None:
        await self._show(interaction, self.offset + PAGE)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[QueuePager]
    ) -> None:
        await report_error(interaction, error)


class QueueCommands(SessionCommands):
    # -- reading -------------------------------------------------------------------------------------
    @app_commands.command(name="queue", description="Show the queue: history, what's playing and what's next.")
    @app_commands.describe(page=f"Which page ({PAGE} tracks each); default: the page with the current track")
    async def queue(
        self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 100_000] | None = None
    ) -> None:
        voice = voice_of(interaction)
        session = self.session_in(voice)
        state = await session.get_state()
        offset = queue_offset(page, current_position=state.current_position, total=state.total)
        found = await session.get_queue(offset, PAGE)
        title = text("replies.queue_title", voice.public_locale, channel=voice.channel.name)
        pager = QueuePager(self.bot.koe, voice.channel.id, title, found.offset, found.total, voice.public_locale)
        await send_done(interaction, queue_message(found, title, voice.public_locale), view=pager)

    @app_commands.command(name="history", description="What played before the current track.")
    async def history(self, interaction: discord.Interaction) -> None:
        voice = voice_of(interaction)
        session = self.session_in(voice)
        state = await session.get_state()
        window = history_window(current_position=state.current_position, total=state.total)
        if window is None:
            await send_done(interaction, text("replies.nothing_played_yet", voice.public_locale))
            return
        page = await session.get_queue(*window)
        lines = [f"`{i.position}.` {track_line(i.track, mention, locale=voice.public_locale)}" for i in page.items]
        head = text("replies.recently_played", voice.public_locale, channel=voice.channel.name)
        await send_done(interaction, fit_message([head, *lines]))

    # -- editing -------------------------------------------------------------------------------------
    @app_commands.command(name="move", description="Move an upcoming track to another position.")
    @app_commands.describe(from_position="The track's position now", to_position="Its new position")
    @app_commands.rename(from_position="from", to_position="to")
    @app_commands.autocomplete(from_position=SessionCommands.upcoming_positions,
                               to_position=SessionCommands.upcoming_positions)
    async def move(
        self,
        interaction: discord.Interaction,
        from_position: app_commands.Range[int, 1, 1_000_000],
        to_position: app_commands.Range[int, 1, 1_000_000],
    ) -> None:
        async def work(voice: Voice, session: Session) -> str:
            await session.move(from_position, to_position)
            page = await session.get_queue(to_position - 1, 1)
            title = shown_title(page.items[0].track) if page.items else text("replies.the_track", voice.public_locale)
            return text("replies.moved", voice.public_locale, title=title, source=from_position, target=to_position)

        await self.run(interaction, work)

    @app_commands.command(name="remove",
                          description="Remove tracks: positions (5 or 3-7), a user's, or absent members'.")
    @app_commands.describe(
        positions="A position like 5 or a range like 3-7",
        user="Remove every upcoming track this user added",
        absent="Remove upcoming tracks of people no longer in the channel",
    )
    @app_commands.autocomplete(positions=SessionCommands.upcoming_ranges)
    async def remove(
        self,
        interaction: discord.Interaction,
        positions: str | None = None,
        user: discord.Member | None = None,
        absent: bool = False,
    ) -> None:
        target = remove_target(positions=positions, user_id=user.id if user else None, absent=absent)
        voice = voice_of(interaction)
        session = self.session_in(voice)
        if isinstance(target, RemoveAbsent):
            # who is still here is known only now; autoplay's tracks have no listener to leave
            target = RemoveAbsent(voice.listeners | {AUTOPLAY_REQUESTER_ID})
        requesters: set[int] = set()
        if isinstance(target, RemoveRange):
            requesters = {t.requester_id for t in await queue_tracks(session, target.start, target.end or target.start)}
        if not may_remove(target, dj=await is_dj(self.bot.store, voice), user_id=voice.member.id,
                          requesters=requesters):
            raise PermissionDenied(key=DJ_REMOVE_KEY)
        await interaction.response.defer(thinking=True)
        removed = await session.remove(target)
        self.bot.changed(session)
        locale = public_locale(interaction)
        said = (text("replies.removed", locale, tracks=tracks_text(removed, locale)) if removed
                else text("replies.nothing_matched", locale))
        await send_done(interaction, said)

    @app_commands.command(name="clear",
                          description="Remove every upcoming track (the current one keeps playing). DJ only.")
    async def clear(self, interaction: discord.Interaction) -> None:
        async def work(voice: Voice, session: Session) -> str:
            before = await session.get_state()
            await session.clear()
            return text("replies.cleared", voice.public_locale, count=before.upcoming)

        await self.run(interaction, work, dj=command_needs_dj("clear"))
