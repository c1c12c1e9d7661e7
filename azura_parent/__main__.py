"""``python -m azura_parent``: the parent bot (configuration from the environment, see .env.example)."""

from __future__ import annotations

import sys

from azura_common import fastio  # noqa: F401  (before grpc: picks gRPC's faster I/O path)
from azura_common.process import configure_logging, run_main, run_until_signalled
from azura_common.voicebot import point_discord_at

from .bot import ParentBot
from .config import ConfigError, ParentConfig


async def run(config: ParentConfig) -> int:
    if config.discord_api:
        point_discord_at(config.discord_api)
    bot = ParentBot(config)
    return await run_until_signalled(bot.start(config.token), bot.close)


def main() -> int:
    configure_logging()
    try:
        config = ParentConfig.from_env()
    except ConfigError as exc:
        sys.stderr.write(f"azura_parent: {exc}\n")
        return 2
    return run_main(run(config))


if __name__ == "__main__":
    raise SystemExit(main())
