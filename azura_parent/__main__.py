"""``python -m azura_parent``: the parent bot (configuration from the environment, see .env.example)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from azura_common.voicebot import point_discord_at

from .bot import ParentBot
from .config import ConfigError, ParentConfig

log = logging.getLogger("azura_parent")


async def run(config: ParentConfig) -> int:
    if config.discord_api:
        point_discord_at(config.discord_api)
    bot = ParentBot(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner = asyncio.ensure_future(bot.start(config.token))
    stopper = asyncio.ensure_future(stop.wait())
    await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
    code = 0
    if runner.done() and runner.exception() is not None:
        log.error("the parent stopped: %s", runner.exception())
        code = 1
    stopper.cancel()
    try:
        await asyncio.wait_for(bot.close(), 9.0)
    except TimeoutError:
        log.warning("shutdown took too long; exiting anyway")
    await asyncio.gather(runner, return_exceptions=True)
    return code


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("AZURA_LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = ParentConfig.from_env()
    except ConfigError as exc:
        sys.stderr.write(f"azura_parent: {exc}\n")
        return 2
    return asyncio.run(run(config))


if __name__ == "__main__":
    raise SystemExit(main())
