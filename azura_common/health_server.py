"""A process's own ``grpc.health.v1`` server (the parent's, on AZURA_HEALTH_PORT): nothing but health, plaintext,
no secret (it tells whether the process serves, nothing else). The children answer health on their gRPC port.

NOT_SERVING until the owner says ``serving(True)`` (the parent: logged in and its database open), and again
from ``serving(False)`` (the stop begins) until ``close``. ``python -m azura_common.healthcheck --address
127.0.0.1:PORT`` asks it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from .metrics_http import tcp_port

__all__ = ["HealthServer", "health_port"]

log = logging.getLogger(__name__)

STOP_GRACE_S = 1.0


def health_port(env: Mapping[str, str]) -> int | None:
    """AZURA_HEALTH_PORT: the parent's gRPC health port; None when unset."""
    raw = env.get("AZURA_HEALTH_PORT", "").strip()
    if not raw:
        return None
    return tcp_port(raw, "AZURA_HEALTH_PORT")


class HealthServer:
    """``grpc.health.v1`` on ``host:port`` for the whole server (service "")."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self._health = health.aio.HealthServicer()
        self._server = grpc.aio.server()
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self._server)

    async def start(self) -> None:
        self._server.add_insecure_port(self.address)
        await self.serving(False)
        await self._server.start()
        log.info("serving grpc.health.v1 on %s", self.address)

    async def serving(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        await self._health.set("", status)

    async def close(self) -> None:
        await self._health.enter_graceful_shutdown()  # NOT_SERVING to the last watchers
        try:
            await asyncio.wait_for(self._server.stop(STOP_GRACE_S), STOP_GRACE_S + 2)
        except TimeoutError:
            log.warning("the health server did not stop in time")
