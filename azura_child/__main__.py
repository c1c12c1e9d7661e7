"""``python -m azura_child``: one child bot (configuration from the environment, see .env.example)."""

from __future__ import annotations

import sys

from azura_common import fastio  # noqa: F401  (before grpc: picks gRPC's faster I/O path)
from azura_common.process import configure_logging, run_main, run_until_signalled

from .app import ChildApp
from .config import ChildConfig, ConfigError


async def run(config: ChildConfig) -> int:
    app = ChildApp(config)
    await app.start()
    return await run_until_signalled(app.wait(), app.stop)


def main() -> int:
    configure_logging()
    try:
        config = ChildConfig.from_env()
    except ConfigError as exc:
        sys.stderr.write(f"azura_child: {exc}\n")
        return 2
    return run_main(run(config))


if __name__ == "__main__":
    raise SystemExit(main())
