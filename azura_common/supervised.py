"""A background task that is owned (started once, cancelled and awaited on close) and survives its bugs.

An unexpected exception is logged with its traceback and the task starts again after a pause, so one bad
pass cannot silently end the now-playing updates, the idle policy or a Link's reconnection for good.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

__all__ = ["Supervised", "wait_set"]

log = logging.getLogger(__name__)


class Supervised:
    def __init__(self, name: str, run: Callable[[], Awaitable[None]], *, restart_delay_s: float = 1.0) -> None:
        self.name = name
        self._run = run
        self._restart_delay_s = restart_delay_s
        self._task: asyncio.Task[None] | None = None
        self.crashes = 0

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.create_task(self._supervise(), name=self.name)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _supervise(self) -> None:
        while True:
            try:
                await self._run()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                self.crashes += 1
                log.exception("%s failed; starting it again in %.1f s", self.name, self._restart_delay_s)
                await asyncio.sleep(self._restart_delay_s)


async def wait_set(event: asyncio.Event, timeout: float) -> bool:
    """Wait for ``event`` at most ``timeout`` seconds; whether it was set."""
    try:
        await asyncio.wait_for(event.wait(), timeout)
    except TimeoutError:
        return False
    return True
