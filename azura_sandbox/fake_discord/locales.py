"""Discord's locales and the rules for localised command names, as ``PUT …/commands`` enforces them.

``LOCALES`` is the spec's ``AvailableLocalesEnum``. A command, option or choice may carry
``name_localizations`` / ``description_localizations`` keyed by those locales only; every name (localised or
not) of a chat-input command or option follows Discord's rule: 1 to 32 characters matching
``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$``, in lowercase where the letter has a lowercase form. A choice's
name is free text of 1 to 100 characters; a description 1 to 100. Anything else: 400 Invalid Form Body, like
Discord. ``LocaleDriver`` sets a user's client language and a server's preferred locale, which interactions carry
as ``locale`` and ``guild_locale``.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Final

from .core import FakeDiscordCore, Ref, SandboxError
from .replies import ApiError, field_error

__all__ = ["LOCALES", "LocaleDriver", "check_command", "command_name_ok"]

LOCALES: Final = frozenset({
    "ar", "bg", "cs", "da", "de", "el", "en-GB", "en-US", "es-419", "es-ES", "fi", "fr", "he", "hi", "hr", "hu",
    "id", "it", "ja", "ko", "lt", "nl", "no", "pl", "pt-BR", "ro", "ru", "sv-SE", "th", "tr", "uk", "vi", "zh-CN",
    "zh-TW",
})
NAME_CHARS: Final = 32
DESCRIPTION_CHARS: Final = 100
CHOICE_NAME_CHARS: Final = 100
CHAT_INPUT: Final = 1
_SUBCOMMANDS: Final = (1, 2)  # SUB_COMMAND, SUB_COMMAND_GROUP


def _name_char_ok(char: str) -> bool:
    if char in "-_'":
        return True
    if unicodedata.category(char)[0] in "LN":
        return char.lower() == char  # a letter with a lowercase form must be written in it
    name = unicodedata.name(char, "")
    return name.startswith(("DEVANAGARI", "THAI"))  # their combining signs are allowed too


def command_name_ok(name: str) -> bool:
    """Whether ``name`` may name a chat-input command or option (in any locale)."""
    return 1 <= len(name) <= NAME_CHARS and all(_name_char_ok(c) for c in name)


class _Problems:
    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def add(self, where: str, code: str, message: str) -> None:
        if where not in self.errors:
            self.errors.update(field_error(where, code, message))


def _check_localized(node: dict[str, Any], where: str, problems: _Problems, *, names: str, limit: int) -> None:
    for key in ("name_localizations", "description_localizations"):
        values = node.get(key)
        if values is None:
            continue
        if not isinstance(values, dict):
            problems.add(f"{where}.{key}", "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        for locale, value in values.items():
            at = f"{where}.{key}.{locale}"
            if locale not in LOCALES:
                problems.add(at, "LOCALE_INVALID", f"Invalid locale {locale!r}")
            elif not isinstance(value, str) or not value:
                problems.add(at, "BASE_TYPE_REQUIRED", "This field is required")
            elif key == "description_localizations" and len(value) > DESCRIPTION_CHARS:
                problems.add(at, "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {DESCRIPTION_CHARS} in length.")
            elif key == "name_localizations" and names == "command" and not command_name_ok(value):
                problems.add(at, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            elif key == "name_localizations" and len(value) > limit:
                problems.add(at, "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {limit} in length.")


def _check_option(option: dict[str, Any], where: str, problems: _Problems) -> None:
    name = option.get("name")
    if not isinstance(name, str) or not command_name_ok(name):
        problems.add(f"{where}.name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    _check_localized(option, where, problems, names="command", limit=NAME_CHARS)
    for i, choice in enumerate(option.get("choices") or []):
        if isinstance(choice, dict):
            _check_localized(choice, f"{where}.choices.{i}", problems, names="choice", limit=CHOICE_NAME_CHARS)
    for i, sub in enumerate(option.get("options") or []):
        if isinstance(sub, dict):
            _check_option(sub, f"{where}.options.{i}", problems)


def check_command(body: dict[str, Any], where: str = "") -> None:
    """Raise 400 Invalid Form Body when a command's names or localisations break Discord's rules (``where``: the
    command's index in a bulk overwrite)."""
    problems = _Problems()
    prefix = f"{where}." if where else ""
    chat_input = int(body.get("type") or CHAT_INPUT) == CHAT_INPUT
    name = body.get("name")
    if chat_input and isinstance(name, str) and not command_name_ok(name):
        problems.add(f"{prefix}name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    _check_localized(body, where or "command", problems, names="command" if chat_input else "other",
                     limit=NAME_CHARS)
    for i, option in enumerate(body.get("options") or []):
        if isinstance(option, dict):
            _check_option(option, f"{prefix}options.{i}", problems)
    if problems.errors:
        raise ApiError(400, "Invalid Form Body", 50035, problems.errors)


class LocaleDriver(FakeDiscordCore):
    """Languages in the world, mixed into ``FakeDiscord``."""

    def set_user_locale(self, user: Ref, locale: str) -> None:
        """The language ``user``'s Discord client is set to (their interactions' ``locale``)."""
        self._user_of(user).locale = _known(locale)

    async def set_guild_locale(self, guild: Ref, locale: str) -> None:
        """A server's preferred locale (its interactions' ``guild_locale``), announced as GUILD_UPDATE."""
        found = self._guild_of(guild)
        found.preferred_locale = _known(locale)
        await self.dispatch_guild(found.id, "GUILD_UPDATE", self.world.guild_json(found, full=False))


def _known(locale: str) -> str:
    if locale not in LOCALES:
        raise SandboxError(f"{locale!r} is not a Discord locale; known: {sorted(LOCALES)}")
    return locale
