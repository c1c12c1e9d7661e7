"""``python -m azura_child``: one child bot (configuration from the environment, see .env.example)."""

from __future__ import annotations

from azura_common import fastio  # noqa: F401  (before grpc: picks gRPC's faster I/O path)
from azura_common.process import bot_main, run_until_signalled

from .app import ChildApp
from .config import ChildConfig


async def run(config: ChildConfig) -> int:
    app = ChildApp(config)
    await app.start()
    return await run_until_signalled(app.wait(), app.stop)


def main() -> int:
    return bot_main("azura_child", ChildConfig.from_env, run)


if __name__ == "__main__":
    raise SystemExit(main())
