"""Audio effects: /effects (a preset, a custom speed/pitch, or off) and /equalizer (a preset). Both act on the
session of the invoking user's voice channel, through Koe, and follow the DJ rule; the effects stay on the
session across tracks (``azura_common.koe.effects``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import discord
from discord import app_commands

from azura_common.i18n import text
from azura_common.koe.effects import (
    EFFECT_PRESETS,
    EQUALIZER_PRESETS,
    MAX_RATE,
    MIN_RATE,
    NO_EFFECTS,
    Effects,
    check_rate,
    effect_preset,
    equalizer_preset,
)
from azura_common.koe.errors import InvalidArgument
from azura_common.koe.session import Session
from azura_common.rules.limits import CHOICE_LENGTH
from azura_common.rules.permissions import command_needs_dj
from azura_common.rules.text import shorten

from .base import SessionCommands
from .voice import Voice

__all__ = ["EffectsChange", "EffectsCommands", "effects_change"]

OFF = "off"
EFFECT_NAMES = (*EFFECT_PRESETS, OFF)


def _rate(value: float | None, word: str) -> float | None:
    if value is not None:
        check_rate(value, word)
    return value


@dataclass(frozen=True, slots=True)
class EffectsChange:
    """What ``/effects`` asked for: ``preset`` None keeps the preset, "" (off) clears every effect, the
    equalizer too; a speed/pitch replaces that rate, None keeps it."""

    preset: str | None
    speed: float | None
    pitch: float | None

    def applied_to(self, current: Effects) -> Effects:
        if self.preset == "":
            return NO_EFFECTS
        return replace(current, preset=current.preset if self.preset is None else self.preset,
                       speed=current.speed if self.speed is None else self.speed,
                       pitch=current.pitch if self.pitch is None else self.pitch)


def effects_change(preset: str | None, speed: float | None, pitch: float | None) -> EffectsChange:
    """The options of ``/effects``, checked; bad ones raise the friendly InvalidArgument (keyed: it reads in the
    user's language) before anything is asked of the session."""
    if preset is None and speed is None and pitch is None:
        raise InvalidArgument(argument="preset", key="effects.nothing_chosen")
    name = None
    if preset is not None:
        try:
            name = effect_preset(preset)
        except InvalidArgument:
            raise InvalidArgument(argument="preset", key="effects.unknown_preset",
                                  params={"name": f"`{shorten(preset.strip(), 40)}`",
                                          "presets": ", ".join(EFFECT_PRESETS)}) from None
    return EffectsChange(name, _rate(speed, "speed"), _rate(pitch, "pitch"))


def equalizer_choice(preset: str) -> str:
    """The preset of ``/equalizer`` (and the dashboard's), checked: its name ("" for flat), or the friendly
    InvalidArgument naming the presets."""
    try:
        return equalizer_preset(preset)
    except InvalidArgument:
        raise InvalidArgument(argument="preset", key="effects.unknown_equalizer",
                              params={"name": f"`{shorten(preset.strip(), 40)}`",
                                      "presets": ", ".join(EQUALIZER_PRESETS)}) from None


def _suggest(names: tuple[str, ...], typed: str) -> list[app_commands.Choice[str]]:
    wanted = typed.strip().lower()
    return [app_commands.Choice(name=shorten(n, CHOICE_LENGTH), value=n) for n in names if wanted in n]


class EffectsCommands(SessionCommands):
    @app_commands.command(name="effects",
                          description="Add an audio effect (nightcore, bass boost, 8D…) or a custom speed/pitch; "
                                      "off resets.")
    @app_commands.describe(
        preset="bassboost, nightcore, vaporwave, 8d, karaoke, tremolo, vibrato, soft; off clears every effect",
        speed=f"Custom speed, {MIN_RATE:g} to {MAX_RATE:g} (1 is unchanged)",
        pitch=f"Custom pitch, {MIN_RATE:g} to {MAX_RATE:g} (1 is unchanged)",
    )
    async def effects(self, interaction: discord.Interaction, preset: str | None = None,
                      speed: float | None = None, pitch: float | None = None) -> None:
        change = effects_change(preset, speed, pitch)

        async def work(voice: Voice, session: Session) -> str:
            locale = voice.public_locale  # a public answer: the server's language
            current = (await session.get_state()).effects
            state = await session.set_effects(change.applied_to(current))
            if not state.effects.active:
                return text("effects.cleared", locale, channel=voice.channel.mention)
            return text("effects.applied", locale, channel=voice.channel.mention,
                        effects=" · ".join(state.effects.names(locale)))

        await self.run(interaction, work, dj=command_needs_dj("effects"))

    @effects.autocomplete("preset")
    async def effect_suggestions(self, interaction: discord.Interaction,
                                 current: str) -> list[app_commands.Choice[str]]:
        return _suggest(EFFECT_NAMES, current)

    @app_commands.command(name="equalizer", description="Shape the sound with an equalizer preset (flat is off).")
    @app_commands.describe(preset="flat, bass, pop, rock, electronic, classical, treble")
    async def equalizer(self, interaction: discord.Interaction, preset: str) -> None:
        name = equalizer_choice(preset)

        async def work(voice: Voice, session: Session) -> str:
            locale = voice.public_locale
            current = (await session.get_state()).effects
            await session.set_effects(replace(current, equalizer=name))
            if not name:
                return text("effects.equalizer_flat", locale, channel=voice.channel.mention)
            return text("effects.equalizer_set", locale, preset=name, channel=voice.channel.mention)

        await self.run(interaction, work, dj=command_needs_dj("equalizer"))

    @equalizer.autocomplete("preset")
    async def equalizer_suggestions(self, interaction: discord.Interaction,
                                    current: str) -> list[app_commands.Choice[str]]:
        return _suggest(EQUALIZER_PRESETS, current)
