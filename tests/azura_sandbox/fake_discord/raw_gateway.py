"""A hand-written gateway client for tests that speak the fake Discord's websocket without discord.py."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

__all__ = ["RawGateway"]


class RawGateway:
    """A hand-written gateway client: tracks the sequence and answers the gateway's heartbeat requests."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.seq: int | None = None

    async def recv(self) -> dict[str, Any]:
        while True:
            msg = await asyncio.wait_for(self.ws.receive_json(), 5)
            assert isinstance(msg, dict)
            if msg.get("s") is not None:
                self.seq = msg["s"]
            if msg.get("op") == 1:  # Discord may ask for a heartbeat at any time: answer at once
                await self.ws.send_json({"op": 1, "d": self.seq})
                self.heartbeat_requests += 1
                continue
            return msg

    heartbeat_requests = 0

    async def until(self, event: str) -> dict[str, Any]:
        while True:
            msg = await self.recv()
            if msg.get("t") == event:
                return msg
