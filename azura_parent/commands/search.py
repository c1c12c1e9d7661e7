"""/search: the top results of a search in a select menu; the tracks the user picks are queued the way /play
queues (``open_and_enqueue``: the user's enqueue mode, a failed enqueue changes nothing).

Only the user who searched can pick; the menu expires after ``AZURA_SEARCH_MENU_TIMEOUT_S`` (its message
then says so and loses the menu), and a pick ends it.
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands
from discord.ext import commands

from azura_common.i18n import text
from azura_common.koe.errors import InvalidArgument, KoeError
from azura_common.koe.session import EnqueueMode, Track
from azura_common.koe.validation import check_query
from azura_common.render import mention, queued_text
from azura_common.rules.picker import PICKER_RESULTS, chosen_tracks, picker_options
from azura_common.rules.text import shorten

from .base import BotServices, open_and_enqueue
from .board_notice import board_notice
from .tree import report_error
from .voice import voice_of

__all__ = ["MENU_TIMEOUT_S", "SearchCommands", "SearchPicker"]

log = logging.getLogger(__name__)

MENU_TIMEOUT_S = 120.0
SHOWN_QUERY_CHARS = 80
QUIET = discord.AllowedMentions.none()


def board_locale(interaction: discord.Interaction) -> str | None:
    """The language of public messages: the server's (the user's for private replies)."""
    return str(interaction.guild_locale) if interaction.guild_locale is not None else None


class SearchPicker(discord.ui.View):
    """The menu of one /search: its results, who may pick, and the message it sits on."""

    def __init__(self, bot: BotServices, owner_id: int, query: str, tracks: tuple[Track, ...],
                 locale: str | None, timeout_s: float) -> None:
        super().__init__(timeout=timeout_s)
        self.bot, self.owner_id, self.query, self.tracks, self.locale = bot, owner_id, query, tracks, locale
        self.message: discord.WebhookMessage | None = None  # set once sent; the timeout edits it
        self._picking = False  # a pick is being queued (or was): later selections are answered, not queued
        options = picker_options(tracks, locale)
        self.menu: discord.ui.Select[SearchPicker] = discord.ui.Select(
            custom_id=f"azura:search:{secrets.token_hex(8)}",  # unique: many menus may be open at once
            placeholder=text("search.placeholder", locale),
            min_values=1,
            max_values=len(options),
            options=[discord.SelectOption(label=o.label, value=o.value, description=o.description) for o in options],
        )
        self.menu.callback = self.pick  # type: ignore[method-assign]
        self.add_item(self.menu)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            text("search.not_yours", str(interaction.locale), user=mention(self.owner_id)),
            ephemeral=True, allowed_mentions=QUIET)
        return False

    async def pick(self, interaction: discord.Interaction) -> None:
        """Queue the chosen results; an error leaves the menu as it was (the user may pick again). One pick at a
        time: a second selection made before the first is queued is answered, not queued (set before any await)."""
        if self._picking:
            await interaction.response.send_message(text("search.picking", str(interaction.locale)), ephemeral=True)
            return
        self._picking = True
        await interaction.response.defer()  # joining a channel on a child may take longer than Discord waits
        try:
            voice = voice_of(interaction)
            chosen = chosen_tracks(self.tracks, self.menu.values)
            settings = await self.bot.store.get_user_settings(voice.member.id)
            result = await open_and_enqueue(self.bot, voice, interaction, chosen,
                                            EnqueueMode(settings.enqueue_mode), None)
        except KoeError as exc:
            self._picking = False
            await report_error(interaction, exc)
            return
        except BaseException:
            self._picking = False
            raise
        self.stop()
        picked = text("search.picked", self.locale, user=mention(voice.member.id), count=len(chosen),
                      query=self.query)
        queued = queued_text(chosen, result.positions, result.started, locale=self.locale)
        body = await board_notice(self.bot, voice, f"{picked}\n{queued}")
        try:
            await interaction.edit_original_response(content=shorten(body, 2000), view=None, allowed_mentions=QUIET)
        except discord.HTTPException as exc:  # queued all the same; only the menu's message stays
            log.warning("could not close the /search menu after a pick: %s", exc)

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        try:
            await self.message.edit(content=text("search.expired", self.locale, query=self.query), view=None)
        except discord.HTTPException as exc:  # deleted meanwhile, or the token expired: nothing left to close
            log.info("could not mark a /search menu expired: %s", exc)


class SearchCommands(commands.Cog):
    def __init__(self, bot: BotServices, menu_timeout_s: float = MENU_TIMEOUT_S) -> None:
        self.bot = bot
        self.menu_timeout_s = menu_timeout_s

    @app_commands.command(name="search", description="Search and pick which of the top 10 results to queue.")
    @app_commands.describe(query="Search words (or spsearch:/scsearch:… to pick a source)")
    async def search(self, interaction: discord.Interaction, query: str) -> None:
        if not query.strip():
            raise InvalidArgument(argument="query", key="search.empty_query")
        query = check_query(query)
        voice = voice_of(interaction)
        await interaction.response.defer(thinking=True)
        found = await self.bot.lavalink.search(query, requester_id=voice.member.id)
        tracks = found.tracks[:PICKER_RESULTS]
        locale = board_locale(interaction)
        shown = discord.utils.escape_markdown(shorten(query, SHOWN_QUERY_CHARS))
        picker = SearchPicker(self.bot, voice.member.id, shown, tracks, locale, self.menu_timeout_s)
        prompt = text("search.prompt", locale, count=len(tracks), query=shown, seconds=round(self.menu_timeout_s))
        picker.message = await interaction.followup.send(prompt, view=picker, wait=True, allowed_mentions=QUIET)
