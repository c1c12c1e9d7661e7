"""``--help`` for the entry points: what each one is and the environment variables it reads.

Every Azura process is configured by its environment only (12-factor; see .env.example), so an entry point's
help is mostly that list. ``process.bot_main`` answers ``--help`` with it; other entry points
(``azura_common.healthcheck``, the sandbox) put ``environment_epilog`` under their own argparse help.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "CHILD_VARIABLES",
    "CLUSTER_VARIABLES",
    "ENVIRONMENT",
    "PARENT_VARIABLES",
    "EnvHelp",
    "env_help",
    "environment_epilog",
    "parse_entry_point_args",
]


@dataclass(frozen=True, slots=True)
class EnvHelp:
    name: str
    meaning: str


# One line per variable, shared by every entry point that reads it (.env.example says more).
ENVIRONMENT: dict[str, str] = {
    "AZURA_PARENT_TOKEN": "the parent bot's Discord token (required)",
    "AZURA_CHILD_TOKEN": "this child's Discord token (else it is taken from AZURA_CHILD_TOKENS)",
    "AZURA_CHILD_TOKENS": "every child's token, comma-separated; child N takes the N-th",
    "AZURA_CHILD_INDEX": "this child's fixed 1-based token index (else HONCHO_PROCESS_NAME / DYNO child.N)",
    "AZURA_CHILD_BOTS": "bot accounts this child process runs (default 1); process i takes tokens (i-1)*K+1..i*K",
    "AZURA_CLUSTER_BOTS_PER_CHILD": "azura_cluster: child bots per child process (default 4)",
    "AZURA_CHILD_ORDINAL": "this child's fixed 0-based index (a Kubernetes StatefulSet pod index); token = ordinal+1",
    "HONCHO_PROCESS_NAME": "set by honcho (child.N): this child's token index",
    "DYNO": "set by Heroku (child.N): this child's token index",
    "AZURA_CHILD_COUNT": "how many children (honcho ports $PORT+100...; azura_cluster starts this many)",
    "AZURA_CHILD_BASE_PORT": "the first child's port when AZURA_CHILDREN is not set (default $PORT+100)",
    "AZURA_CHILD_HOST": "the children's host when AZURA_CHILDREN is not set (default 127.0.0.1)",
    "AZURA_CHILDREN": "the children: host:port, all:name:port (every address of a name) or unix:/path, comma-separated",
    "AZURA_DISCOVERY_INTERVAL_S": "how often names in AZURA_CHILDREN are resolved again (seconds, default 15)",
    "AZURA_CLUSTER_RUN_DIR": "azura_cluster: where the children's Unix sockets go (default: a new temporary directory)",
    "AZURA_CLUSTER_STOP_GRACE_S": "azura_cluster: seconds from SIGTERM to SIGKILL for each process (default 25)",
    "AZURA_CLUSTER_STABLE_S": "azura_cluster: a process up this long restarts from the shortest backoff (default 30)",
    "AZURA_CLUSTER_SECRET": "the shared secret between the parent and the children (required with children)",
    "AZURA_BIND_HOST": "where the child's gRPC server binds (default 127.0.0.1; :: on a private network; unix:/path)",
    "PORT": "the child's gRPC port (default 50051); for the parent, the base of the children's ports and the "
            "dashboard's port (unless AZURA_WEB_PORT)",
    "AZURA_TLS_CERT": "PEM certificate (path or text): the child's server cert / the parent's client cert",
    "AZURA_TLS_KEY": "PEM private key (path or text) of AZURA_TLS_CERT",
    "AZURA_TLS_CA": "PEM CA (path or text): the parent trusts it for children; a child requires clients signed by it",
    "AZURA_TLS_SERVER_NAME": "the name the parent checks in the children's certificates (default: the host dialled)",
    "AZURA_INSECURE_LINKS": "1 allows plaintext gRPC on a non-loopback address (logged as a warning)",
    "LAVALINK_URI": "the Lavalink v4 node (default http://127.0.0.1:2333)",
    "LAVALINK_PASSWORD": "its password (default youshallnotpass)",
    "LAVALINK_NODES": "several nodes, first choice first: uri|password,uri|password (replaces LAVALINK_URI)",
    "AZURA_LAVALINK_GRACE_S": "how long Lavalink may be unreachable before sessions end (seconds, default 60)",
    "DATABASE_URL": "postgres://... selects PostgreSQL; unset: SQLite at AZURA_DB_PATH",
    "AZURA_DB_PATH": "the SQLite file (default $AZURA_DATA_DIR/azura.sqlite3)",
    "AZURA_DATA_DIR": "the parent's data directory (default data)",
    "AZURA_COMMAND_GUILDS": "sync slash commands to these server ids at once (comma-separated); empty: globally",
    "AZURA_IDLE_TIMEOUT_S": "leave a channel idle this long (seconds, default 300)",
    "AZURA_SEARCH_SOURCES": "Lavalink search prefixes tried in turn for plain words (default ytsearch,scsearch)",
    "AZURA_NOWPLAYING_REFRESH_S": "how often a now-playing message refreshes (seconds, default 10)",
    "AZURA_SEARCH_MENU_TIMEOUT_S": "how long a /search menu can be used before it expires (seconds, default 120)",
    "AZURA_SHARD_COUNT": "gateway shards: a number, or auto (default: what Discord's /gateway/bot recommends)",
    "AZURA_SHARD_IDS": "only these shards in this process (comma-separated ids; needs a numeric AZURA_SHARD_COUNT)",
    "AZURA_DISCORD_API": "another Discord API to talk to (the sandbox's fake); unset: real Discord",
    "AZURA_LOG_LEVEL": "DEBUG, INFO (default), WARNING, ERROR",
    "AZURA_LOG_FORMAT": "text (default) or json: one JSON object per line, with guild_id/channel_id when known",
    "AZURA_METRICS_PORT": "serve Prometheus metrics on http://AZURA_BIND_HOST:PORT/metrics (a child.N process: + N)",
    "AZURA_HEALTH_PORT": "the parent's grpc.health.v1 port (plaintext, health only); unset: none",
    "AZURA_UVLOOP": "0 runs on asyncio's own event loop instead of uvloop",
    "GRPC_EXPERIMENTS": "gRPC's I/O switches (Azura sets a faster default; set your own to opt out)",
    "AZURA_WEB_PORT": "the web dashboard's port (else $PORT; neither: no dashboard)",
    "AZURA_WEB_HOST": "where the dashboard listens (default 0.0.0.0)",
    "AZURA_WEB_URL": "the dashboard's public address (default http://127.0.0.1:PORT); + /auth/callback: the redirect",
    "AZURA_OAUTH_CLIENT_SECRET": "the parent application's OAuth2 client secret: Log in with Discord (unset: none)",
    "AZURA_OAUTH_CLIENT_ID": "the OAuth2 client id, when not the parent bot's own application",
    "AZURA_WEB_SECRET": "signs the dashboard's session cookies (unset: random per start, restarts log everyone out)",
    "AZURA_OWNER_IDS": "user ids who see the dashboard's cluster page besides the application's owner",
}

PARENT_VARIABLES = (
    "AZURA_PARENT_TOKEN", "AZURA_CLUSTER_SECRET", "AZURA_CHILDREN", "AZURA_CHILD_COUNT", "AZURA_CHILD_BASE_PORT",
    "AZURA_CHILD_HOST", "PORT", "AZURA_DISCOVERY_INTERVAL_S", "AZURA_TLS_CERT", "AZURA_TLS_KEY", "AZURA_TLS_CA",
    "AZURA_TLS_SERVER_NAME", "AZURA_INSECURE_LINKS", "DATABASE_URL", "AZURA_DB_PATH", "AZURA_DATA_DIR",
    "LAVALINK_URI", "LAVALINK_PASSWORD", "LAVALINK_NODES", "AZURA_COMMAND_GUILDS",
    "AZURA_IDLE_TIMEOUT_S", "AZURA_SEARCH_SOURCES", "AZURA_SEARCH_MENU_TIMEOUT_S", "AZURA_NOWPLAYING_REFRESH_S",
    "AZURA_SHARD_COUNT",
    "AZURA_SHARD_IDS", "AZURA_DISCORD_API", "AZURA_LOG_LEVEL", "AZURA_UVLOOP", "GRPC_EXPERIMENTS",
    "AZURA_LOG_FORMAT", "AZURA_METRICS_PORT", "AZURA_HEALTH_PORT", "AZURA_BIND_HOST",
    "AZURA_WEB_PORT", "AZURA_WEB_HOST", "AZURA_WEB_URL", "AZURA_OAUTH_CLIENT_SECRET", "AZURA_OAUTH_CLIENT_ID",
    "AZURA_WEB_SECRET", "AZURA_OWNER_IDS",
)
CHILD_VARIABLES = (
    "AZURA_CHILD_TOKEN", "AZURA_CHILD_TOKENS", "AZURA_CHILD_INDEX", "AZURA_CHILD_ORDINAL", "AZURA_CHILD_BOTS",
    "HONCHO_PROCESS_NAME",
    "DYNO", "AZURA_CLUSTER_SECRET", "PORT", "AZURA_BIND_HOST", "AZURA_TLS_CERT", "AZURA_TLS_KEY", "AZURA_TLS_CA",
    "AZURA_TLS_SERVER_NAME",
    "AZURA_INSECURE_LINKS", "LAVALINK_URI", "LAVALINK_PASSWORD", "LAVALINK_NODES", "AZURA_LAVALINK_GRACE_S",
    "AZURA_NOWPLAYING_REFRESH_S", "AZURA_SHARD_COUNT", "AZURA_SHARD_IDS", "AZURA_DISCORD_API", "AZURA_LOG_LEVEL",
    "AZURA_UVLOOP", "GRPC_EXPERIMENTS", "AZURA_LOG_FORMAT", "AZURA_METRICS_PORT",
)


# python -m azura_cluster: its own settings, and everything it passes on to the parent and the children it starts
# (it sets each child's index and socket, and the parent's AZURA_CHILDREN, itself).
CLUSTER_VARIABLES = (
    "AZURA_CHILD_COUNT", "AZURA_CLUSTER_RUN_DIR", "AZURA_CLUSTER_STOP_GRACE_S", "AZURA_CLUSTER_STABLE_S",
    "AZURA_CLUSTER_BOTS_PER_CHILD",
    *(name for name in dict.fromkeys((*PARENT_VARIABLES, *CHILD_VARIABLES))
      if name not in ("AZURA_CHILD_COUNT", "AZURA_CHILDREN", "AZURA_CHILD_INDEX", "AZURA_CHILD_ORDINAL",
                      "AZURA_CHILD_BOTS", "AZURA_CHILD_TOKEN", "AZURA_BIND_HOST", "HONCHO_PROCESS_NAME", "DYNO",
                      "AZURA_CHILD_BASE_PORT", "AZURA_CHILD_HOST", "PORT", "AZURA_DISCOVERY_INTERVAL_S")),
)


def env_help(names: Iterable[str]) -> tuple[EnvHelp, ...]:
    """The help lines of these variables, from the shared list."""
    return tuple(EnvHelp(name, ENVIRONMENT[name]) for name in names)


def environment_epilog(variables: Iterable[EnvHelp]) -> str:
    listed = list(variables)
    if not listed:
        return "environment variables read: none (it sets those of the processes it starts itself)"
    lines = ["environment variables read (see .env.example and docs/DEPLOY.md):"]
    width = max((len(v.name) for v in listed), default=0)
    lines.extend(f"  {v.name.ljust(width)}  {v.meaning}" for v in listed)
    return "\n".join(lines)


def parse_entry_point_args(prog: str, description: str, variables: Iterable[EnvHelp],
                           argv: Sequence[str] | None = None) -> None:
    """An entry point that takes no arguments, only its environment: ``--help`` prints what it is and the
    variables it reads (exit 0); anything else is refused with a usage line (exit 2), by argparse."""
    parser = argparse.ArgumentParser(
        prog=prog, description=textwrap.fill(description, 100), epilog=environment_epilog(variables),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args(argv)
