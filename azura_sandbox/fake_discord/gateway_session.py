"""One bot's gateway session: its sequence, replay buffer and websocket, surviving the socket for RESUME."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web

from .intents import ALL_INTENTS, receives
from .objects import JSON, Bot
from .sharding import Shard, shard_of

__all__ = ["OP_DISPATCH", "OP_HEARTBEAT", "REPLAY_BUFFER", "GatewaySession"]

log = logging.getLogger(__name__)

REPLAY_BUFFER = 1000
OP_DISPATCH = 0
OP_HEARTBEAT = 1


@dataclass
class GatewaySession:
    """One identified gateway session of one bot."""

    session_id: str
    bot: Bot
    ws: web.WebSocketResponse | None = None
    shard: Shard | None = None  # (id, count) from IDENTIFY; None: the one session of an unsharded bot
    intents: int = ALL_INTENTS  # from IDENTIFY: events of other intents are not sent (intents.py)
    seq: int = 0
    buffer: deque[JSON] = field(default_factory=lambda: deque(maxlen=REPLAY_BUFFER))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    disconnected_at: float | None = None
    caught_up_at: float = float("-inf")  # when the last answered caught_up() request was sent (monotonic)
    # heartbeats awaited by caught_up(): (sequence the bot must have read, future)
    _beat_waiters: list[tuple[int, asyncio.Future[None]]] = field(default_factory=list)

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed

    def owns(self, guild_id: int | None) -> bool:
        """Whether this session receives *guild_id*'s events (``None``: direct messages, shard 0's)."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else shard_of(guild_id, count))

    async def dispatch(self, event: str, data: JSON) -> None:
        if not receives(self.intents, event, data):
            return
        async with self.lock:
            self.seq += 1
            payload = {"op": OP_DISPATCH, "t": event, "s": self.seq, "d": data}
            self.buffer.append(payload)
            await self._send(payload)

    async def send_raw(self, payload: JSON) -> None:
        async with self.lock:
            await self._send(payload)

    async def replay_after(self, seq: int) -> None:
        """Send again every buffered dispatch after *seq* (RESUME); the caller holds ``lock``."""
        for payload in list(self.buffer):
            if payload["s"] > seq:
                await self._send(payload)

    async def _send(self, payload: JSON) -> None:
        ws = self.ws
        if ws is None or ws.closed:
            return
        try:
            await ws.send_str(json.dumps(payload))
        except (ConnectionError, RuntimeError) as exc:
            log.info("gateway send to %s failed: %s", self.session_id, exc)

    def heartbeat_received(self, sequence: object) -> None:
        """The bot sent op 1 with the last sequence it read: wake the waiters it satisfies."""
        seen = sequence if isinstance(sequence, int) else -1
        still: list[tuple[int, asyncio.Future[None]]] = []
        for wanted, future in self._beat_waiters:
            if seen >= wanted:
                if not future.done():
                    future.set_result(None)
            else:
                still.append((wanted, future))
        self._beat_waiters = still

    async def caught_up(self, since: float, timeout_s: float) -> bool:
        """Make sure the bot has read everything sent to it up to *since* (monotonic): unless an answered
        request already covers that, ask for a heartbeat now (op 1) and wait for the one that says it has read
        every dispatch so far. The bot's event loop answers after it handled what arrived before our request
        (its HTTP replies included), the observable point where "the bot has seen its replies". Requests are
        spent sparingly: discord.py counts its answers against its 120-per-minute gateway send budget.
        False when it did not answer in time.
        """
        if self.caught_up_at >= since:
            return True
        if not self.connected:
            return False
        asked_at = time.monotonic()
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._beat_waiters.append((self.seq, future))
        await self.send_raw({"op": OP_HEARTBEAT, "d": None})
        try:
            await asyncio.wait_for(future, timeout_s)
        except TimeoutError:
            self._beat_waiters = [(w, f) for w, f in self._beat_waiters if f is not future]
            return False
        self.caught_up_at = max(self.caught_up_at, asked_at)
        return True
