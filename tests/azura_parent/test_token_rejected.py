"""A bot token Discord refuses: the parent and a child exit at once with a clear "token rejected" message."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from azura_common.process import EXIT_TOKEN_REJECTED
from azura_sandbox.testing import AzuraProcess, ParentProcess, Sandbox

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]


async def exit_code(process: AzuraProcess, timeout_s: float = 30.0) -> int:
    assert process.process is not None
    try:
        return await asyncio.to_thread(process.process.wait, timeout_s)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{process.module} still runs with a rejected token:\n{process.log_tail()}") from None


async def test_a_rejected_token_stops_the_parent_and_the_child_with_a_clear_message(tmp_path: Path) -> None:
    sb = await Sandbox.start(voice_channels=1)
    try:
        # The child's token was reset in the developer portal (the old one is refused); the parent's never existed.
        stale = sb.discord.create_bot("reset-child")
        sb.discord.reset_bot_token("reset-child")
        child = await sb.spawn_child("reset-child", wait=False, env={"AZURA_CHILD_TOKEN": stale})
        parent_env = sb.parent_env("parent-token", [], tmp_path / "db.sqlite3")
        parent = ParentProcess({**parent_env, "AZURA_PARENT_TOKEN": "MTIz.not-a.real-token"})
        sb.children.append(parent)
        parent.start()
        codes = await asyncio.gather(exit_code(child), exit_code(parent))
        for process, code in zip((child, parent), codes, strict=True):
            text = process.log_text()
            assert code == EXIT_TOKEN_REJECTED, (process.module, code, process.log_tail())
            assert "token rejected: Discord refused this bot's token" in text, process.log_tail()
            assert "Traceback" not in text, process.log_tail()
        assert "azura_child: token rejected by Discord: set AZURA_CHILD_TOKEN" in child.log_text()
        assert "azura_parent: token rejected by Discord: set AZURA_PARENT_TOKEN" in parent.log_text()
        assert sb.discord.connected_bots() == []  # neither got past the login
    finally:
        await sb.stop()
