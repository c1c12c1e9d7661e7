"""What operators see of the parent beside its logs: its sessions in the metrics (``azura_sessions``: every bot's,
as the parent routes them) and, with AZURA_HEALTH_PORT, its own ``grpc.health.v1`` server: SERVING once it is
logged in to Discord and its database is open, NOT_SERVING again as soon as it begins to stop."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from azura_common import metrics
from azura_common.health_server import HealthServer
from azura_common.supervised import Supervised

from .bot import ParentBot

__all__ = ["ParentWatch"]

log = logging.getLogger(__name__)

class ParentWatch:
    """Owns the parent's health server (if any) and the readiness task that turns it SERVING."""

    def __init__(self, bot: ParentBot, health_port: int | None, host: str = "127.0.0.1") -> None:
        self.bot = bot
        self.health = HealthServer(health_port, host) if health_port is not None else None
        self._ready = Supervised("health-ready", self._serve_when_ready)
        metrics.watch_sessions(bot.koe, lambda: bot.user.id if bot.user is not None else 0)

    def serving_now(self) -> bool:
        """Logged in (the gateway said READY), not closing, and the database open."""
        return self.bot.ready_event.is_set() and not self.bot.is_closed() and self.bot.db is not None

    async def start(self) -> None:
        if self.health is None:
            return
        await self.health.start()
        self._ready.start()

    async def _serve_when_ready(self) -> None:
        await self.bot.ready_event.wait()  # set after setup_hook, which opened the database
        if not self.serving_now():
            log.warning("health: the parent logged in without its database or is closing; NOT_SERVING")
            return
        assert self.health is not None
        await self.health.serving(True)
        log.info("health: SERVING on %s", self.health.address)

    def stopping(self, stop: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        """``stop`` preceded by NOT_SERVING and followed by the health server's end."""

        async def stop_watched() -> None:
            await self._ready.close()
            if self.health is not None:
                await self.health.serving(False)
            try:
                await stop()
            finally:
                if self.health is not None:
                    await self.health.close()

        return stop_watched
