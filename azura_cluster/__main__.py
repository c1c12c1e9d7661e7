"""``python -m azura_cluster``: the parent and AZURA_CHILD_COUNT children in one container or dyno."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from azura_common.metrics_http import child_metrics_env
from azura_common.process import EXIT_CONFIG, configure_logging

from .config import ClusterConfig, ConfigError
from .supervisor import Program, Supervisor

HELP = """\
Runs the Azura parent bot and AZURA_CHILD_COUNT child bots as supervised subprocesses of this one, linked
over Unix sockets: the whole cluster in one container, VM or Heroku dyno (Common Runtime dynos cannot reach
each other: `heroku ps:scale worker=1` with the Procfile's `worker` line). The child bots run
AZURA_CLUSTER_BOTS_PER_CHILD to a process (child.1 the first tokens of AZURA_CHILD_TOKENS, child.2 the next),
so a crash takes at most that many bots. A crashed process is restarted with exponential backoff; a process that exits
because a setting is wrong (2) or Discord rejected its token (3) is not; the cluster exits with the parent's
code when the parent cannot be kept running. SIGTERM/SIGINT stop every process cleanly.

Environment (besides what the parent and the children read, see .env.example):
  AZURA_CHILD_COUNT           how many child bots (default 2)
  AZURA_CLUSTER_BOTS_PER_CHILD  child bots per child process (default 4): ceil(COUNT / this) processes
  AZURA_CHILD_TOKENS          comma-separated child bot tokens, at least AZURA_CHILD_COUNT
  AZURA_PARENT_TOKEN          the parent bot's token
  AZURA_CLUSTER_SECRET        the secret between parent and children
  AZURA_CLUSTER_RUN_DIR       where the children's Unix sockets go (default: a new temporary directory)
  AZURA_CLUSTER_STOP_GRACE_S  SIGTERM to SIGKILL for each process when stopping (default 25)
  AZURA_CLUSTER_STABLE_S      a process up this long restarts from the shortest backoff again (default 30)
  AZURA_METRICS_PORT          the parent's /metrics port; child process N serves it + N
"""


def programs(config: ClusterConfig, env: Mapping[str, str], run_dir: Path) -> list[Program]:
    kids = [Program(f"child.{i}", "azura_child", child_metrics_env(config.child_env(env, run_dir, i), i))
            for i in range(1, config.processes + 1)]  # child process i: /metrics on AZURA_METRICS_PORT + i
    return [Program("parent", "azura_parent", config.parent_env(env, run_dir), essential=True), *kids]


async def run(config: ClusterConfig) -> int:
    made = config.run_dir is None
    run_dir = Path(tempfile.mkdtemp(prefix="azura-cluster-")) if config.run_dir is None else config.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        supervisor = Supervisor(programs(config, os.environ, run_dir), stop_grace_s=config.stop_grace_s,
                                stable_s=config.stable_s)
        return await supervisor.run()
    finally:
        if made:
            shutil.rmtree(run_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m azura_cluster", description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args(argv)
    configure_logging()
    try:
        config = ClusterConfig.from_env()
    except ConfigError as exc:
        sys.stderr.write(f"azura_cluster: {exc}\n")
        return EXIT_CONFIG
    return asyncio.run(run(config))


if __name__ == "__main__":
    raise SystemExit(main())
