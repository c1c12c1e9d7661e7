"""What ``python -m azura_cluster`` reads from the environment, checked before any process starts."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from azura_common.config import ConfigError, env_seconds

__all__ = ["ClusterConfig", "ConfigError"]

DEFAULT_CHILDREN = 2
MAX_SOCKET_PATH = 107  # a Unix socket's path is at most this long (sockaddr_un)
# Settings that would give every child the same token or address: the cluster sets each child's own instead.
CHILD_ONLY = ("HONCHO_PROCESS_NAME", "DYNO", "AZURA_CHILD_ORDINAL", "AZURA_CHILD_TOKEN", "AZURA_CHILD_INDEX",
              "AZURA_BIND_HOST", "AZURA_CHILDREN")


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    children: int
    run_dir: Path | None  # where the children's sockets go; None: a fresh temporary directory
    stop_grace_s: float  # SIGTERM to SIGKILL for every process (Heroku gives 30 s in all)
    stable_s: float  # a process up this long restarts from the shortest backoff again

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ClusterConfig:
        count_text = env.get("AZURA_CHILD_COUNT", str(DEFAULT_CHILDREN))
        if not count_text.isdigit():
            raise ConfigError(f"AZURA_CHILD_COUNT must be a number of children, not {count_text!r}")
        count = int(count_text)
        tokens = [t for t in env.get("AZURA_CHILD_TOKENS", "").split(",") if t.strip()]
        if len(tokens) < count:
            raise ConfigError(
                f"AZURA_CHILD_TOKENS has {len(tokens)} token(s) for AZURA_CHILD_COUNT={count} children: "
                "give one comma-separated token per child"
            )
        if not env.get("AZURA_PARENT_TOKEN"):
            raise ConfigError("AZURA_PARENT_TOKEN is required (the parent bot's token)")
        if count and not env.get("AZURA_CLUSTER_SECRET"):
            raise ConfigError("AZURA_CLUSTER_SECRET is required when there are children (any long random string)")
        run_dir = Path(env["AZURA_CLUSTER_RUN_DIR"]) if env.get("AZURA_CLUSTER_RUN_DIR") else None
        longest = len(str(run_dir or tempfile.gettempdir())) + len(f"/azura-cluster-xxxxxxxx/child-{count}.sock")
        if longest > MAX_SOCKET_PATH:
            raise ConfigError(f"AZURA_CLUSTER_RUN_DIR is too long for a Unix socket path ({longest} > "
                              f"{MAX_SOCKET_PATH} characters): choose a shorter directory")
        return cls(
            children=count,
            run_dir=run_dir,
            stop_grace_s=env_seconds(env, "AZURA_CLUSTER_STOP_GRACE_S", 25.0),
            stable_s=env_seconds(env, "AZURA_CLUSTER_STABLE_S", 30.0),
        )

    def socket(self, run_dir: Path, index: int) -> str:
        return f"unix:{run_dir / f'child-{index}.sock'}"

    def child_env(self, env: Mapping[str, str], run_dir: Path, index: int) -> dict[str, str]:
        """Child ``index`` (1-based): the shared environment, its fixed token index and its own socket."""
        own = {key: value for key, value in env.items() if key not in CHILD_ONLY}
        return {**own, "AZURA_CHILD_INDEX": str(index), "AZURA_BIND_HOST": self.socket(run_dir, index),
                "PYTHONUNBUFFERED": "1"}

    def parent_env(self, env: Mapping[str, str], run_dir: Path) -> dict[str, str]:
        sockets = ",".join(self.socket(run_dir, i) for i in range(1, self.children + 1))
        return {**env, "AZURA_CHILDREN": sockets, "PYTHONUNBUFFERED": "1"}
