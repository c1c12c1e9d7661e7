"""The command tree with the one error handler: whatever a command (or one of its views) raises reaches the
user as one ephemeral message, in the user's language (``interaction.locale``), and nothing else reaches users
as an exception.

Every sentence a user reads is written by us. A ``KoeError`` that is the user's to fix (a bad number, a
position past the end, no permission, every bot busy) says so in its own words, which Koe writes. A failure
that is not theirs reads the sentence ``FAILURES`` gives its kind, whatever words it carried (a library's,
another process's); Lavalink's own refusal text is replaced by ours; anything else (a bug) is logged and
reads ``SOMETHING_WENT_WRONG``. Every message fits one Discord message.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Final

import discord
from discord import app_commands

from azura_common import logcontext, metrics
from azura_common.i18n import text
from azura_common.koe.errors import (
    ChildUnavailable,
    KoeError,
    KoeTimeout,
    MusicServerDown,
    SessionLost,
    TrackLoadFailed,
    Unauthenticated,
)
from azura_common.replies import reply_privately
from azura_common.rules.limits import MESSAGE_CHARS
from azura_common.rules.text import echo, shorten

__all__ = [
    "FAILURES",
    "LAVALINK_REFUSED",
    "MUSIC_SERVER_ERROR",
    "SOMETHING_WENT_WRONG",
    "AzuraTree",
    "error_message",
    "outcome_of",
    "report_error",
]

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG: Final = text("general.something_went_wrong", "en")
ERROR_MARK: Final = "⚠️ "

# Failures that are not the user's, by kind: the catalogue key of the one sentence each reads like. ``None``:
# the error's own words, which only Koe writes for that kind (they name the channel or say what happens next).
FAILURES: Final[dict[type[KoeError], str | None]] = {
    KoeError: "general.something_went_wrong",  # "internal": a bug or an unknown failure in another process
    MusicServerDown: None,  # "The music server is restarting; your queue is safe." and the like
    ChildUnavailable: None,  # "… can't be reached right now", "Couldn't join <#…> in time; try again."
    SessionLost: None,
    KoeTimeout: "errors.timeout",
    Unauthenticated: "tree.cluster_unauthenticated",
}
LAVALINK_REFUSED: Final = text("tree.lavalink_refused", "en")
MUSIC_SERVER_ERROR: Final = text("tree.music_server_error", "en")
# How Koe writes a Lavalink refusal: what was refused (a quoted query or a fixed phrase), then Lavalink's or
# wavelink's own words ("Failed to fulfill request to Lavalink: status=500, …"), which users never read.
_QUOTED = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""  # a Python repr() of a string
_LAVALINK_WORDS = re.compile(rf"^(Couldn't load ({_QUOTED})|The music server refused that): ", re.DOTALL)


def error_message(error: Exception, where: str = "?", locale: str | None = None) -> str:
    """What the user reads about ``error`` (without the ⚠️), in the language of ``locale``: always our sentence,
    never a library's."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, KoeError):
        said = _koe_message(original, where, locale)
    elif isinstance(original, app_commands.CheckFailure):
        said = str(original) or text("tree.check_failed", locale)
    elif isinstance(original, app_commands.TransformerError):
        said = text("tree.not_a_valid_value", locale, value=echo(str(original.value)))
    elif isinstance(original, TimeoutError):
        log.warning("%s timed out", where)
        said = text("errors.timeout", locale)
    else:
        log.error("%s failed", where, exc_info=original)
        said = text("general.something_went_wrong", locale)
    return shorten(said, MESSAGE_CHARS - len(ERROR_MARK))


def _koe_message(error: KoeError, where: str, locale: str | None) -> str:
    if type(error) in FAILURES:
        key = FAILURES[type(error)]
        if key is not None:
            log.warning("%s failed: %r", where, error)
            return text(key, locale)
        return error.text_in(locale)
    if isinstance(error, TrackLoadFailed):
        match = _LAVALINK_WORDS.match(error.message)
        if match is not None:
            log.warning("%s: Lavalink refused: %s", where, error.message)
            if match.group(2) is not None:
                return text("tree.couldnt_load_refused", locale, query=match.group(2))
            return text("tree.music_server_error", locale)
    return error.text_in(locale)


def outcome_of(error: Exception) -> str:
    """The metrics' outcome of a command that raised ``error``: refused when it is the user's to fix (the
    words are Koe's own or a check's), failed when it is ours or another part's."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, TrackLoadFailed) and _LAVALINK_WORDS.match(original.message):
        return metrics.Outcome.FAILED  # Lavalink refused: not the user's words that failed
    if isinstance(original, KoeError):
        return metrics.Outcome.FAILED if type(original) in FAILURES else metrics.Outcome.REFUSED
    if isinstance(original, (app_commands.CheckFailure, app_commands.TransformerError)):
        return metrics.Outcome.REFUSED
    return metrics.Outcome.FAILED


async def report_error(interaction: discord.Interaction, error: Exception) -> None:
    """Tell the invoking user what went wrong, privately, even after a public "thinking…"."""
    command = interaction.command
    where = f"command {command.qualified_name}" if command is not None else "interaction"
    await reply_privately(interaction, f"{ERROR_MARK}{error_message(error, where, str(interaction.locale))}")


OUTCOME = "azura_outcome"  # interaction.extras: what on_error decided, for the metrics


class AzuraTree(app_commands.CommandTree[discord.Client]):
    async def _call(self, interaction: discord.Interaction) -> None:
        """discord.py's dispatch of one command, timed and counted, its log lines about the guild and channel."""
        received = time.perf_counter()
        voice = getattr(interaction.user, "voice", None)  # the user's voice channel: the session's, as a child logs it
        channel_id = voice.channel.id if voice is not None and voice.channel is not None else None
        with logcontext.bound(guild_id=interaction.guild_id, channel_id=channel_id):
            try:
                await super()._call(interaction)
            finally:
                if interaction.type is discord.InteractionType.application_command and interaction.command:
                    # no verdict from on_error yet: ok, unless it failed on the way (it reaches on_error next)
                    unjudged = metrics.Outcome.FAILED if interaction.command_failed else metrics.Outcome.OK
                    outcome = interaction.extras.get(OUTCOME, unjudged)
                    metrics.observe_command(interaction.command.qualified_name, outcome,
                                            time.perf_counter() - received)

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        interaction.extras[OUTCOME] = outcome_of(error)
        await report_error(interaction, error)
