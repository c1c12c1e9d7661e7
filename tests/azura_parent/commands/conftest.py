"""Fixtures for the command handler tests: a World (the bot's services, people, channels) per test.
(``command_fakes`` is loaded by the parent folder's conftest.)"""

from __future__ import annotations

from command_fakes import world

__all__ = ["world"]
