"""What ``python -m azura_cluster`` reads from the environment, checked before any process starts."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from azura_child.config import MAX_BOTS
from azura_common.config import ConfigError, env_seconds

__all__ = ["ClusterConfig", "ConfigError"]

DEFAULT_CHILDREN = 2
DEFAULT_BOTS_PER_CHILD = 4  # a crash takes at most this many bots; each extra bot in a process costs far less memory
MAX_SOCKET_PATH = 107  # a Unix socket's path is at most this long (sockaddr_un)
# Settings that would give every child the same token or address: the cluster sets each child's own instead.
CHILD_ONLY = ("HONCHO_PROCESS_NAME", "DYNO", "AZURA_CHILD_ORDINAL", "AZURA_CHILD_TOKEN", "AZURA_CHILD_INDEX",
              "AZURA_BIND_HOST", "AZURA_CHILDREN", "AZURA_CHILD_BOTS")


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    children: int  # child bots (AZURA_CHILD_COUNT)
    run_dir: Path | None  # where the children's sockets go; None: a fresh temporary directory
    stop_grace_s: float  # SIGTERM to SIGKILL for every process (Heroku gives 30 s in all)
    stable_s: float  # a process up this long restarts from the shortest backoff again
    bots_per_child: int = 1  # bots per child process (AZURA_CLUSTER_BOTS_PER_CHILD)
    tokens: tuple[str, ...] = ()  # the children's tokens: the first AZURA_CHILD_COUNT of AZURA_CHILD_TOKENS

    @property
    def processes(self) -> int:
        """Child processes: ceil(children / bots_per_child); the last one runs the bots left."""
        return -(-self.children // self.bots_per_child)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ClusterConfig:
        count_text = env.get("AZURA_CHILD_COUNT", str(DEFAULT_CHILDREN))
        if not count_text.isdigit():
            raise ConfigError(f"AZURA_CHILD_COUNT must be a number of children, not {count_text!r}")
        count = int(count_text)
        per_text = env.get("AZURA_CLUSTER_BOTS_PER_CHILD", str(DEFAULT_BOTS_PER_CHILD)).strip()
        if not per_text.isdigit() or not 1 <= int(per_text) <= MAX_BOTS:
            raise ConfigError(f"AZURA_CLUSTER_BOTS_PER_CHILD must be a whole number from 1 to {MAX_BOTS} (bots per "
                              f"child process), not {per_text!r}")
        per = int(per_text)
        tokens = [t.strip() for t in env.get("AZURA_CHILD_TOKENS", "").split(",") if t.strip()]
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
        # (count ≥ the number of processes: the longest socket name is checked either way)
        if longest > MAX_SOCKET_PATH:
            raise ConfigError(f"AZURA_CLUSTER_RUN_DIR is too long for a Unix socket path ({longest} > "
                              f"{MAX_SOCKET_PATH} characters): choose a shorter directory")
        return cls(
            children=count,
            run_dir=run_dir,
            stop_grace_s=env_seconds(env, "AZURA_CLUSTER_STOP_GRACE_S", 25.0),
            stable_s=env_seconds(env, "AZURA_CLUSTER_STABLE_S", 30.0),
            bots_per_child=per,
            tokens=tuple(tokens[:count]),
        )

    def socket(self, run_dir: Path, index: int) -> str:
        return f"unix:{run_dir / f'child-{index}.sock'}"

    def child_env(self, env: Mapping[str, str], run_dir: Path, index: int) -> dict[str, str]:
        """Child process ``index`` (1-based): the shared environment, its fixed process index, its bots (tokens
        (index-1)*K+1 … index*K of the first AZURA_CHILD_COUNT tokens) and its own socket."""
        own = {key: value for key, value in env.items() if key not in CHILD_ONLY}
        return {**own, "AZURA_CHILD_INDEX": str(index), "AZURA_BIND_HOST": self.socket(run_dir, index),
                "AZURA_CHILD_BOTS": str(self.bots_per_child), "AZURA_CHILD_TOKENS": ",".join(self.tokens),
                "PYTHONUNBUFFERED": "1"}

    def parent_env(self, env: Mapping[str, str], run_dir: Path) -> dict[str, str]:
        sockets = ",".join(self.socket(run_dir, i) for i in range(1, self.processes + 1))
        return {**env, "AZURA_CHILDREN": sockets, "PYTHONUNBUFFERED": "1"}
