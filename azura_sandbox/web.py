"""Starting an aiohttp app on a TCP port (0: any free one), shared by the fakes."""

from __future__ import annotations

from aiohttp import web

__all__ = ["serve_app"]


async def serve_app(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve ``app``; returns its runner (for ``cleanup()``) and the port actually bound."""
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    return runner, int(sockets[0].getsockname()[1]) if sockets else port
