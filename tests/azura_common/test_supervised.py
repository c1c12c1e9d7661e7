"""Owned background tasks: restarted after a bug, stopped for good on close."""

from __future__ import annotations

import asyncio

from azura_common.supervised import Supervised
from azura_sandbox.waiting import eventually


async def test_a_crash_is_logged_and_the_task_starts_again() -> None:
    runs: list[int] = []

    async def body() -> None:
        runs.append(len(runs))
        if len(runs) < 3:
            raise RuntimeError("a bug in one pass")
        await asyncio.sleep(3600)

    task = Supervised("flaky", body, restart_delay_s=0.01)
    task.start()
    await eventually(lambda: len(runs) == 3, timeout=1, what="two restarts")
    assert len(runs) == 3 and task.crashes == 2 and task.running
    await task.close()
    assert not task.running
    await asyncio.sleep(0.05)
    assert len(runs) == 3  # closed means closed
