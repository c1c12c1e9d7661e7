"""The idle policy, for every session of the cluster (children's too: the parent sees every voice channel).

A session is idle while nobody (no human) listens in its channel, or while its queue has ended. After the
server's idle timeout it is torn down, everywhere, unless the server has 24/7 mode on.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from azura_common.koe.errors import KoeError
from azura_common.koe.session import CloseReason, Ending
from azura_common.supervised import Supervised
from azura_common.voicebot import humans_in

if TYPE_CHECKING:
    from .bot import ParentBot

__all__ = ["IdleWatcher"]

log = logging.getLogger(__name__)



class IdleWatcher:
    def __init__(self, bot: ParentBot, *, default_timeout_s: float = 300.0) -> None:
        self.bot = bot
        self.default_timeout_s = default_timeout_s
        self.idle_since: dict[int, float] = {}  # voice channel id → loop time it became idle
        self._task = Supervised("idle-watcher", self._run)

    def start(self) -> None:
        self._task.start()

    async def close(self) -> None:
        await self._task.close()

    def listeners(self, channel_id: int) -> int:
        return len(humans_in(self.bot.get_channel(channel_id)))

    async def _run(self) -> None:
        period = max(0.2, min(5.0, self.default_timeout_s / 5))
        while True:
            await asyncio.sleep(period)
            try:
                await self.sweep()
            except KoeError as exc:  # one unreachable child must not stop the policy for everyone
                log.warning("idle sweep: %s", exc)

    async def sweep(self) -> list[int]:
        """One pass; returns the channels it tore down."""
        now = asyncio.get_running_loop().time()
        left: list[int] = []
        for route in self.bot.koe.routes():
            settings = await self.bot.store.get_guild_settings(route.guild_id)
            try:
                state = await route.session.get_state()
            except KoeError:
                continue  # lost or ending: not the idle policy's business
            idle = self.listeners(route.channel_id) == 0 or state.current is None
            if not idle or settings.always_on:
                self.idle_since.pop(route.channel_id, None)
                continue
            since = self.idle_since.setdefault(route.channel_id, now)
            timeout = settings.idle_timeout_s or self.default_timeout_s
            if now - since >= timeout:
                self.idle_since.pop(route.channel_id, None)
                why = "idle: nobody listening" if self.listeners(route.channel_id) == 0 else "idle: the queue ended"
                log.info("leaving %s (%s)", route.channel_id, why)
                try:
                    await self.bot.koe.destroy(route.channel_id, Ending(CloseReason.IDLE, why))
                except KoeError as exc:
                    log.warning("idle leave of %s: %s", route.channel_id, exc)
                left.append(route.channel_id)
        for channel_id in set(self.idle_since) - {r.channel_id for r in self.bot.koe.routes()}:
            del self.idle_since[channel_id]
        return left
