"""``python -m azura_child``: one child bot (configuration from the environment, see .env.example)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from .app import ChildApp
from .config import ChildConfig, ConfigError

log = logging.getLogger("azura_child")


async def run(config: ChildConfig) -> int:
    app = ChildApp(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await app.start()
    discord_task = asyncio.ensure_future(app.wait())
    stopper = asyncio.ensure_future(stop.wait())
    await asyncio.wait({discord_task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    code = 0
    if discord_task.done() and discord_task.exception() is not None:
        log.error("the Discord client stopped: %s", discord_task.exception())
        code = 1
    stopper.cancel()
    try:
        await asyncio.wait_for(app.stop(), 9.0)
    except TimeoutError:
        log.warning("shutdown took too long; exiting anyway")
    return code


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("AZURA_LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = ChildConfig.from_env()
    except ConfigError as exc:
        sys.stderr.write(f"azura_child: {exc}\n")
        return 2
    return asyncio.run(run(config))


if __name__ == "__main__":
    raise SystemExit(main())
