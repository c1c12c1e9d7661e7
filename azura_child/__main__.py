"""``python -m azura_child``: one child bot (configuration from the environment, see .env.example)."""

from __future__ import annotations

import os

from azura_common.fastio import FAST_GRPC_IO

os.environ.setdefault("GRPC_EXPERIMENTS", FAST_GRPC_IO)  # process set-up, before anything imports grpc

from azura_common import metrics
from azura_common.envhelp import CHILD_VARIABLES, env_help
from azura_common.process import bot_main, run_until_signalled
from azura_common.voicebot import point_discord_at

from .app import ChildApp
from .config import ChildConfig


async def run(config: ChildConfig) -> int:
    if config.discord_api:
        point_discord_at(config.discord_api)  # process set-up: this process's discord.py talks to that Discord
    app = ChildApp(config)
    metrics.watch_sessions(app.koe, lambda: app.bot.user.id if app.bot.user is not None else 0)
    await app.start()
    return await run_until_signalled(app.wait(), app.stop)


def main() -> int:
    return bot_main("azura_child", ChildConfig.from_env, run, environment=env_help(CHILD_VARIABLES),
                    description="A child bot: one voice connection, served to the parent over gRPC.")


if __name__ == "__main__":
    raise SystemExit(main())
