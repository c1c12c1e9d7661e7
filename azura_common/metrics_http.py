"""``/metrics`` over HTTP for Prometheus: a small aiohttp server owned by the process (started before the bot,
stopped after it, within a timeout), serving ``prometheus_client``'s default registry (``metrics.py``).

One port per process: AZURA_METRICS_PORT for the parent and for a process started alone; a process
named ``child.N`` (honcho's HONCHO_PROCESS_NAME, Heroku's DYNO) serves AZURA_METRICS_PORT + N, and
``python -m azura_cluster`` gives its child process N the port AZURA_METRICS_PORT + N itself
(``child_metrics_env``), so the parent and its children never ask for the same port.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from .config import ConfigError

__all__ = ["MetricsServer", "child_metrics_env", "metrics_host", "metrics_port", "tcp_port"]

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 2.0
PROCESS_NAME_VARIABLES = ("HONCHO_PROCESS_NAME", "DYNO")


def tcp_port(text: str, name: str) -> int:
    """``text`` as a TCP port number, or a ConfigError naming the variable ``name``."""
    try:
        port = int(text)
    except ValueError:
        raise ConfigError(f"{name} must be a TCP port number (1-65535), not {text!r}") from None
    if not 0 < port < 65536:
        raise ConfigError(f"{name} must be a TCP port number (1-65535), not {text!r}")
    return port


def metrics_port(env: Mapping[str, str]) -> int | None:
    """The port this process serves /metrics on; None when AZURA_METRICS_PORT is not set."""
    raw = env.get("AZURA_METRICS_PORT", "").strip()
    if not raw:
        return None
    base = tcp_port(raw, "AZURA_METRICS_PORT")
    for key in PROCESS_NAME_VARIABLES:
        kind, _, number = env.get(key, "").partition(".")
        if kind == "child" and number.isdigit():
            return tcp_port(str(base + int(number)), f"AZURA_METRICS_PORT + {number} (for {key}={env[key]})")
    return base


def metrics_host(env: Mapping[str, str]) -> str:
    """Where /metrics listens: AZURA_BIND_HOST (as the child's gRPC does; ``0.0.0.0`` or ``::`` for a scraper on
    another machine), 127.0.0.1 when it is unset or a Unix socket."""
    bind = env.get("AZURA_BIND_HOST", "").strip()
    return "127.0.0.1" if not bind or bind.startswith("unix:") else bind


def child_metrics_env(env: Mapping[str, str], index: int) -> dict[str, str]:
    """``env`` for child process ``index`` (1-based) of ``azura_cluster``: AZURA_METRICS_PORT + index."""
    own = dict(env)
    raw = own.get("AZURA_METRICS_PORT", "").strip()
    if raw.isdigit():
        own["AZURA_METRICS_PORT"] = str(int(raw) + index)
    return own


async def _metrics(_: web.Request) -> web.Response:
    # On the loop, not in a thread: the collectors read Koe's routes, which only the loop changes.
    response = web.Response(body=generate_latest(REGISTRY))
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response


class MetricsServer:
    """Serves ``GET /metrics`` on ``host:port`` until ``close``."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        app = web.Application()
        app.router.add_get("/metrics", _metrics)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=STOP_TIMEOUT_S)

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        log.info("serving Prometheus metrics on http://%s:%d/metrics", self.host, self.port)

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self._runner.cleanup(), STOP_TIMEOUT_S + 1)
        except TimeoutError:
            log.warning("the metrics server did not stop within %.0f s", STOP_TIMEOUT_S + 1)
