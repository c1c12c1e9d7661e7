"""The one error handler (the tree's ``on_error``) and the one private-reply helper every command, view and
button uses: what the user reads for each kind of failure, and that it stays private after any answer."""

from __future__ import annotations

import logging
from pathlib import Path

import discord
import pytest
from command_fakes import FakeInteraction, World
from discord import app_commands

from azura_common.koe.errors import PermissionDenied
from azura_common.replies import reply_privately
from azura_parent.bot import ParentBot
from azura_parent.commands.tree import SOMETHING_WENT_WRONG, AzuraTree, error_message
from azura_parent.config import ParentConfig


def test_what_users_read_for_each_kind_of_error(caplog: pytest.LogCaptureFixture) -> None:
    command = app_commands.Command(name="x", description="x", callback=_noop)
    assert error_message(app_commands.CommandInvokeError(command, PermissionDenied("No."))) == "No."
    assert error_message(app_commands.CheckFailure()) == "You can't use that here."
    assert error_message(app_commands.NoPrivateMessage("Not in DMs.")) == "Not in DMs."
    transformer = app_commands.transformers.IdentityTransformer(discord.AppCommandOptionType.integer)
    bad = app_commands.TransformerError("abc", discord.AppCommandOptionType.integer, transformer)
    assert error_message(bad) == "'abc' is not a valid value for that option."
    with caplog.at_level(logging.ERROR):
        assert error_message(app_commands.CommandInvokeError(command, ZeroDivisionError()), "command x") == (
            SOMETHING_WENT_WRONG)
    assert "command x failed" in caplog.text and "ZeroDivisionError" in caplog.text  # a bug is logged, not shown


async def _noop(interaction: discord.Interaction) -> None:  # pragma: no cover - never run
    pass


async def test_the_tree_reports_through_its_own_hook(tmp_path: Path, world: World) -> None:
    bot = ParentBot(ParentConfig.from_env({"AZURA_PARENT_TOKEN": "t", "AZURA_DB_PATH": str(tmp_path / "d.db")}))
    try:
        assert isinstance(bot.tree, AzuraTree) and "on_error" not in vars(bot.tree)  # a subclass, not a patch
        i = FakeInteraction(world.member("alice"))
        await bot.tree.on_error(i, app_commands.CheckFailure("Not here."))  # type: ignore[arg-type]
        assert (i.text, i.private) == ("⚠️ Not here.", True)
    finally:
        await bot.close()


async def test_a_private_reply_before_any_answer(world: World) -> None:
    i = FakeInteraction(world.member("alice"))
    await reply_privately(i, "only you")  # type: ignore[arg-type]
    assert (i.text, i.private, i.original_deleted) == ("only you", True, False)


async def test_a_private_reply_after_a_public_thinking(world: World) -> None:
    i = FakeInteraction(world.member("alice"))
    await i.response.defer(thinking=True)
    await reply_privately(i, "only you")  # type: ignore[arg-type]
    assert i.original_deleted  # else the reply would take the public placeholder's place
    assert (i.text, i.private) == ("only you", True)


async def test_a_private_reply_after_a_button_press_keeps_the_message(world: World) -> None:
    i = FakeInteraction(world.member("alice"), message_id=42)
    await i.response.defer()
    await reply_privately(i, "only you")  # type: ignore[arg-type]
    assert not i.original_deleted  # the now-playing message itself stays
    assert (i.text, i.private) == ("only you", True)
