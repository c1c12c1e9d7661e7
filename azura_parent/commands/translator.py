"""Slash commands in the user's language: discord.py's ``Translator`` reading the message catalogue.

Set on the parent's command tree before it syncs, it fills every command's, option's and choice's
``name_localizations`` / ``description_localizations`` from ``azura_common/i18n/messages/commands.py`` for the
Discord locales of Azura's languages (German, both Spanish ones, French, Portuguese (Brazil), Japanese). English
stays the default; a command, option or choice with no entry (yet) is simply not localised: Discord shows its
English. ``missing_keys`` lists what a tree lacks, for the test that keeps the catalogue complete.
"""

from __future__ import annotations

from collections.abc import Iterator

import discord
from discord import app_commands

from azura_common.i18n import LANGUAGES, catalogue, language_of

__all__ = ["LOCALISED", "CatalogueTranslator", "catalogue_key", "missing_keys"]

LOCALISED: tuple[discord.Locale, ...] = tuple(
    locale for locale in discord.Locale if language_of(str(locale)) != LANGUAGES[0]
)
"""The Discord locales the commands are translated for (every one whose language Azura speaks, English aside)."""

_Location = app_commands.TranslationContextLocation
Localisable = app_commands.Command | app_commands.Group | app_commands.ContextMenu  # type: ignore[type-arg]


def _command_key(command: Localisable) -> str:
    return "commands." + command.qualified_name.replace(" ", ".")


def catalogue_key(context: app_commands.TranslationContextTypes) -> str | None:
    """The catalogue key of what discord.py asks to translate, or None (nothing of ours)."""
    location, data = context.location, context.data
    part = "name" if location in (_Location.command_name, _Location.group_name, _Location.parameter_name) \
        else "description"
    if isinstance(data, app_commands.Parameter):
        return f"{_command_key(data.command)}.option.{data.display_name}.{part}"
    if isinstance(data, app_commands.Choice):
        return f"commands.choice.{data.value}"
    if isinstance(data, app_commands.Command | app_commands.Group | app_commands.ContextMenu):
        return f"{_command_key(data)}.{part}"
    return None


class CatalogueTranslator(app_commands.Translator):
    """Command names, descriptions, options and choices from the catalogue; English (None) when it has none."""

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        language = language_of(str(locale))
        if language == LANGUAGES[0]:
            return None
        key = catalogue_key(context)
        entry = catalogue().get(key) if key is not None else None
        return entry.get(language) if entry is not None else None


def _keys(command: Localisable) -> Iterator[str]:
    base = _command_key(command)
    yield f"{base}.name"
    if not isinstance(command, app_commands.ContextMenu):
        yield f"{base}.description"
    if isinstance(command, app_commands.Group):
        for sub in command.commands:
            yield from _keys(sub)
    elif isinstance(command, app_commands.Command):
        for parameter in command.parameters:
            yield f"{base}.option.{parameter.display_name}.name"
            yield f"{base}.option.{parameter.display_name}.description"
            yield from (f"commands.choice.{choice.value}" for choice in parameter.choices)


def missing_keys(tree: app_commands.CommandTree[discord.Client]) -> list[str]:
    """Every catalogue key the commands of ``tree`` need and the catalogue lacks (sorted, each once)."""
    found = catalogue()
    return sorted({key for command in tree.get_commands() for key in _keys(command) if key not in found})
