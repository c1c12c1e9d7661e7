"""The command set as Discord shows it: every command and every option described, names valid, each command a
method of its area (a Cog or an app_commands.Group), not a closure."""

from __future__ import annotations

import re
from pathlib import Path

from discord import app_commands

from azura_parent.bot import ParentBot
from azura_parent.config import ParentConfig

NAME = re.compile(r"^[-_a-z0-9]{1,32}$")


def walk(commands: list[app_commands.Command | app_commands.Group]) -> list[app_commands.Command]:  # type: ignore[type-arg]
    found = []
    for command in commands:
        if isinstance(command, app_commands.Group):
            assert command.description and command.description != "…", command.qualified_name
            found.extend(walk(command.commands))
        else:
            found.append(command)
    return found


async def test_every_command_and_option_is_described(tmp_path: Path) -> None:
    config = ParentConfig.from_env({"AZURA_PARENT_TOKEN": "t", "AZURA_DB_PATH": str(tmp_path / "db.sqlite3")})
    bot = ParentBot(config)
    try:
        commands = walk(bot.tree.get_commands())
        names = {c.qualified_name for c in commands}
        assert {"play", "skip", "back", "seek", "volume", "queue", "remove", "history", "playlist play",
                "playlist trim", "settings mode", "server dj-role", "server always-on"} <= names
        for command in commands:
            assert command.binding is not None, f"/{command.qualified_name} is not a method of a command area"
            assert NAME.match(command.name), command.qualified_name
            assert command.description and command.description != "…", command.qualified_name
            assert len(command.description) <= 100, command.qualified_name
            for parameter in command.parameters:
                where = f"/{command.qualified_name} {parameter.display_name}"
                assert parameter.description and parameter.description != "…", f"{where} has no description"
                assert len(parameter.description) <= 100, where
    finally:
        await bot.close()
