"""The child's configuration, read once from the environment by ``__main__``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from azura_common.config import (
    ConfigError,
    ConfigProblems,
    LavalinkServer,
    ShardSettings,
    env_seconds,
    lavalink_servers,
    shard_settings,
)
from azura_common.tls import LinkTls, insecure_links, is_local_address, read_link_tls

__all__ = ["MAX_BOTS", "ChildConfig", "ConfigError", "bots_per_process", "process_index"]

MAX_BOTS = 64  # bots in one process: beyond this one event loop serves too many gateways and voice links


def process_index(env: Mapping[str, str]) -> int | None:
    """The fixed 1-based token index of this child, if its environment gives one: honcho's HONCHO_PROCESS_NAME /
    Heroku's DYNO (``child.2``), else AZURA_CHILD_INDEX, else AZURA_CHILD_ORDINAL + 1 (a Kubernetes StatefulSet
    pod's 0-based ordinal). None: the child asks the parent for one over the Link (replicas sharing one
    environment each get a different token)."""
    for key in ("HONCHO_PROCESS_NAME", "DYNO"):
        name = env.get(key, "")
        if "." in name and name.rsplit(".", 1)[1].isdigit():
            return int(name.rsplit(".", 1)[1])
    raw = env.get("AZURA_CHILD_INDEX", "")
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise ConfigError(f"AZURA_CHILD_INDEX must be 1 or more, not {raw!r}")
        return int(raw)
    raw = env.get("AZURA_CHILD_ORDINAL", "")
    if raw:
        if not raw.isdigit():
            raise ConfigError(f"AZURA_CHILD_ORDINAL must be 0 or more (a StatefulSet pod's ordinal), not {raw!r}")
        return int(raw) + 1
    return None


def bots_per_process(env: Mapping[str, str]) -> int:
    """AZURA_CHILD_BOTS: how many bot accounts this child process runs (default 1)."""
    raw = env.get("AZURA_CHILD_BOTS", "").strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_BOTS:
        raise ConfigError(f"AZURA_CHILD_BOTS must be a whole number from 1 to {MAX_BOTS}, not {raw!r}")
    return int(raw)


def _token_setting(env: Mapping[str, str], bots: int = 1) -> tuple[str | None, tuple[str, ...], int]:
    """(the first bot's token when this child's environment fixes it, else None; AZURA_CHILD_TOKENS; the first
    bot's fixed index or 0). Process i of K bots each takes indices (i-1)*K+1 … i*K; when the list ends before
    i*K, the process runs the bots left (the last process of a cluster whose bot count K does not divide)."""
    tokens = tuple(t.strip() for t in env.get("AZURA_CHILD_TOKENS", "").split(",") if t.strip())
    own = env.get("AZURA_CHILD_TOKEN", "")
    if own:
        if bots > 1:
            raise ConfigError(
                f"AZURA_CHILD_TOKEN is one bot's token but AZURA_CHILD_BOTS={bots}: give the process its bots' "
                "tokens in AZURA_CHILD_TOKENS instead"
            )
        return own, tokens, 0
    index = process_index(env)
    if index is None:
        if not tokens:
            raise ConfigError(
                "a child needs a token: set AZURA_CHILD_TOKEN, or AZURA_CHILD_TOKENS (comma-separated; each child "
                "gets one by its index, or is assigned a free one by the parent)"
            )
        return None, tokens, 0
    if bots > 1:
        first = (index - 1) * bots + 1
        if len(tokens) < first:
            raise ConfigError(
                f"child process {index} runs {bots} bots (AZURA_CHILD_BOTS) from token {first}: "
                f"AZURA_CHILD_TOKENS needs at least {first} comma-separated tokens, it has {len(tokens)}"
            )
        return tokens[first - 1], tokens, first
    if len(tokens) < index:
        raise ConfigError(
            f"child {index} has no token: set AZURA_CHILD_TOKEN, or AZURA_CHILD_TOKENS with at least "
            f"{index} comma-separated tokens"
        )
    return tokens[index - 1], tokens, index


@dataclass(frozen=True, slots=True)
class ChildConfig:
    token: str | None  # None: log in with the token whose index the parent assigns over the Link
    secret: str
    port: int
    bind_host: str
    lavalink_uri: str
    lavalink_password: str
    discord_api: str | None  # another Discord (the sandbox's fake); None for the real one
    tls: LinkTls  # AZURA_TLS_CERT/KEY: serve TLS; with AZURA_TLS_CA too: require client certificates (mTLS)
    lavalink_grace_s: float = 60.0  # Lavalink gone this long ends every session here
    nowplaying_refresh_s: float = 10.0  # the now-playing timeline's pace (Discord: 5 edits / 5 s per channel)
    lavalink_more: tuple[LavalinkServer, ...] = ()  # further Lavalink nodes (LAVALINK_NODES), all connected
    lavalink_region: str = ""  # the first node's region hint (LAVALINK_NODES)
    tokens: tuple[str, ...] = ()  # AZURA_CHILD_TOKENS: an index assigned by the parent picks one
    token_index: int = 0  # the first bot's fixed 1-based index into ``tokens``; 0: its own token, or assigned
    bots: int = 1  # AZURA_CHILD_BOTS: bot accounts in this process, each its own child on the Link (slots 1..bots)
    insecure_links: bool = False  # AZURA_INSECURE_LINKS=1: plaintext allowed on a non-loopback bind address
    shards: ShardSettings = field(default_factory=ShardSettings)  # AZURA_SHARD_COUNT / AZURA_SHARD_IDS

    def bot_token(self, slot: int) -> tuple[str | None, int]:
        """(bot ``slot``'s token when the environment fixes it, else None; its 1-based index, 0 when none)."""
        if self.token is None:
            return None, 0
        if not self.token_index:  # its own AZURA_CHILD_TOKEN: one bot only (checked when read)
            return self.token, 0
        index = self.token_index + slot - 1
        return self.tokens[index - 1], index

    @property
    def serves_plaintext_beyond_loopback(self) -> bool:
        return not self.tls.serves_tls and not is_local_address(self.bind_host)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ChildConfig:
        problems = ConfigProblems()  # every problem at once (azura_common/config.py)
        no_setting: tuple[str | None, tuple[str, ...], int] = (None, (), 0)
        bots = problems.check(lambda: bots_per_process(env), 1)
        token, tokens, token_index = problems.check(lambda: _token_setting(env, bots), no_setting)
        if token_index and bots > 1:  # the last process of a cluster runs what is left of the list
            bots = min(bots, len(tokens) - token_index + 1)
        secret = env.get("AZURA_CLUSTER_SECRET", "")
        if not secret:
            problems.add("AZURA_CLUSTER_SECRET is required (the same value for the parent and every child)")
        port_text = env.get("PORT", "50051")
        if not port_text.isdigit() or not 0 <= int(port_text) < 65536:
            problems.add(f"PORT must be a TCP port number, not {port_text!r}")
            port_text = "0"
        lavalink: tuple[LavalinkServer, ...] = problems.check(lambda: lavalink_servers(env), (LavalinkServer("", ""),))
        lavalink_grace_s = problems.check(lambda: env_seconds(env, "AZURA_LAVALINK_GRACE_S", 60.0), 60.0)
        nowplaying_refresh_s = problems.check(lambda: env_seconds(env, "AZURA_NOWPLAYING_REFRESH_S", 10.0), 10.0)
        bind_host = env.get("AZURA_BIND_HOST", "127.0.0.1")
        tls = problems.check(lambda: _child_tls(env, bind_host), LinkTls())
        shards = problems.check(lambda: shard_settings(env), ShardSettings())
        problems.raise_if_any()
        return cls(
            lavalink_grace_s=lavalink_grace_s,
            nowplaying_refresh_s=nowplaying_refresh_s,
            token=token,
            tokens=tokens,
            token_index=token_index,
            bots=bots,
            secret=secret,
            port=int(port_text),
            bind_host=bind_host,
            lavalink_uri=lavalink[0][0],
            lavalink_password=lavalink[0][1],
            lavalink_region=lavalink[0].region,
            lavalink_more=lavalink[1:],
            discord_api=env.get("AZURA_DISCORD_API") or None,
            tls=tls,
            insecure_links=insecure_links(env),
            shards=shards,
        )


def _child_tls(env: Mapping[str, str], bind_host: str) -> LinkTls:
    """The child's TLS material; plaintext on a non-loopback bind address only when the operator allows it."""
    tls = read_link_tls(env)
    if tls.ca is not None and not tls.serves_tls:
        raise ConfigError(
            "AZURA_TLS_CA is set but AZURA_TLS_CERT/AZURA_TLS_KEY are not: a child needs its own certificate to "
            "serve TLS before it can require the parent's (mTLS)"
        )
    if not tls.serves_tls and not is_local_address(bind_host) and not insecure_links(env):
        raise ConfigError(
            f"AZURA_BIND_HOST={bind_host} would serve plaintext gRPC beyond this machine (the cluster secret in "
            "clear): set AZURA_TLS_CERT and AZURA_TLS_KEY (the child's certificate), or AZURA_INSECURE_LINKS=1 "
            "on a network you trust"
        )
    return tls
