"""``python -m azura_parent``: the parent bot (configuration from the environment, see .env.example)."""

from __future__ import annotations

import os

from azura_common.fastio import FAST_GRPC_IO

os.environ.setdefault("GRPC_EXPERIMENTS", FAST_GRPC_IO)  # process set-up, before anything imports grpc

import functools
import logging

from azura_common.envhelp import PARENT_VARIABLES, env_help
from azura_common.process import EXIT_CONFIG, Observability, bot_main, run_until_signalled
from azura_common.tls import warn_plaintext
from azura_common.voicebot import point_discord_at

from .bot import ParentBot
from .config import ParentConfig, Resolver, system_resolve
from .observe import ParentWatch

log = logging.getLogger(__name__)


async def run(config: ParentConfig, resolve: Resolver = system_resolve) -> int:
    if config.plaintext_beyond_loopback:  # only with AZURA_INSECURE_LINKS=1 (the configuration checked it)
        warn_plaintext(f"dialling the children at {', '.join(config.plaintext_beyond_loopback)}")
    if config.discord_api:
        point_discord_at(config.discord_api)  # process set-up: this process's discord.py talks to that Discord
    bot = ParentBot(config, resolve=resolve)
    observability = Observability.from_env(os.environ)  # checked by bot_main already
    watch = ParentWatch(bot, observability.health_port, observability.metrics_host)
    try:
        await watch.start()
    except RuntimeError as exc:  # grpc cannot bind the port
        log.error("cannot serve gRPC health on port %s: %s", observability.health_port, exc)
        return EXIT_CONFIG
    return await run_until_signalled(bot.start(config.token), watch.stopping(bot.close))


def main(resolve: Resolver = system_resolve) -> int:
    """``resolve``: how ``all:name:port`` entries are looked up (a test gives its own DNS answers)."""
    return bot_main("azura_parent", ParentConfig.from_env, functools.partial(run, resolve=resolve),
                    environment=env_help(PARENT_VARIABLES),
                    description="The parent bot: slash commands, playlists, settings, and the routing to children.")


if __name__ == "__main__":
    raise SystemExit(main())
