"""Where the invoking user is: the one place a command reads the member, their server and voice channel."""

from __future__ import annotations

from collections.abc import Mapping

import discord

from azura_common.koe.errors import FieldValue, KoeError
from azura_common.replies import private_locale, public_locale
from azura_common.rules.permissions import may_dj
from azura_common.voicebot import humans_in

__all__ = ["NotInVoice", "Voice", "voice_of"]


class NotInVoice(KoeError):
    kind = "not_in_voice"
    status = "FAILED_PRECONDITION"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "errors.not_in_voice", {}


class Voice:
    """The invoking member, their server and their voice channel; the languages to answer them in."""

    def __init__(
        self, guild: discord.Guild, member: discord.Member, channel: discord.VoiceChannel | discord.StageChannel,
        *, locale: str | None = None, public_locale: str | None = None,
    ) -> None:
        self.guild = guild
        self.member = member
        self.channel = channel
        self.locale = locale  # the member's language: private replies
        self.public_locale = public_locale or locale  # the server's: public messages

    @property
    def listeners(self) -> frozenset[int]:
        """Humans in the channel (bots do not vote and do not count as an audience)."""
        return humans_in(self.channel)

    def may_dj(self, dj_role_id: int | None) -> bool:
        """The DJ rule for this member here, given the server's DJ role."""
        return may_dj(
            manage_guild=self.member.guild_permissions.manage_guild,
            role_ids=(role.id for role in self.member.roles),
            dj_role_id=dj_role_id,
            listeners=len(self.listeners),
        )


def voice_of(interaction: discord.Interaction) -> Voice:
    """The invoking user's voice channel, or ``NotInVoice`` (in DMs too)."""
    member = interaction.user
    guild = interaction.guild
    if guild is None or not isinstance(member, discord.Member):
        raise NotInVoice(key="errors.not_in_a_server")
    channel = member.voice.channel if member.voice else None
    if channel is None:
        raise NotInVoice()
    return Voice(guild, member, channel, locale=private_locale(interaction), public_locale=public_locale(interaction))
