"""What both bots' ``__main__`` do around their work: logging, SIGTERM/SIGINT, a bounded graceful stop."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from .config import ConfigError

T = TypeVar("T")

__all__ = ["bot_main", "configure_logging", "run_main", "run_until_signalled"]

log = logging.getLogger(__name__)


def run_main(main: Coroutine[Any, Any, int]) -> int:
    """Run a bot's main coroutine on uvloop when it is installed (and AZURA_UVLOOP is not 0)."""
    if os.environ.get("AZURA_UVLOOP", "1") != "0":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return int(uvloop.run(main))
    return asyncio.run(main)


def configure_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("AZURA_LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


async def run_until_signalled(
    work: Coroutine[Any, Any, Any], stop: Callable[[], Awaitable[None]], *, grace_s: float = 9.0
) -> int:
    """Run ``work`` until it ends or SIGTERM/SIGINT arrives, then ``stop()`` within ``grace_s``.

    Returns the exit code: 1 when ``work`` failed by itself, else 0."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    worker = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(stopping.wait())
    await asyncio.wait({worker, waiter}, return_when=asyncio.FIRST_COMPLETED)
    code = 0
    if worker.done() and not worker.cancelled() and worker.exception() is not None:
        log.error("stopped by an error: %s", worker.exception())
        code = 1
    waiter.cancel()
    try:
        await asyncio.wait_for(stop(), grace_s)
    except TimeoutError:
        log.warning("shutdown took longer than %.0f s; exiting anyway", grace_s)
    if not worker.done():
        worker.cancel()
    await asyncio.gather(worker, waiter, return_exceptions=True)
    return code


def bot_main(name: str, load_config: Callable[[], T], run: Callable[[T], Coroutine[Any, Any, int]]) -> int:
    """A bot's whole ``main()``: logging, configuration (a ``ConfigError`` exits 2 naming the variable), run."""
    configure_logging()
    try:
        config = load_config()
    except ConfigError as exc:
        sys.stderr.write(f"{name}: {exc}\n")
        return 2
    return run_main(run(config))
