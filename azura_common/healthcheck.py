"""``python -m azura_common.healthcheck``: is this Azura process healthy? One line of output, exit 0 or 1.

Two kinds of check:
- a child: asks its ``grpc.health.v1`` service (no secret needed) and exits 0 only on SERVING. The child says
  NOT_SERVING until its Discord and Lavalink are ready, so a container turns healthy once it can play.
- a parent (or ``azura_cluster``) with AZURA_HEALTH_PORT set: asks the parent's own ``grpc.health.v1`` server on
  127.0.0.1:AZURA_HEALTH_PORT (plaintext), SERVING once it is logged in with its database open.
- a parent (or ``azura_cluster``) without it: the check is of the process: a ``python -m azura_parent`` that
  exists and is neither stopped (SIGSTOP, a frozen machine) nor a zombie.

Without ``--address``/``--process`` the check follows what the container runs (its PID 1, or PID 1's child under
an init such as tini): the image's one HEALTHCHECK then fits the parent, a child and the cluster alike. Elsewhere
(PID 1 is no Azura process) it asks the gRPC health at the default address.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2

from .config import ConfigError
from .envhelp import env_help, environment_epilog
from .tls import read_link_tls

__all__ = ["HealthResult", "check_grpc", "check_process", "container_role", "default_address", "main"]

DEFAULT_TIMEOUT_S = 3.0
HEALTH_CHECK_METHOD = "/grpc.health.v1.Health/Check"
PROCESS_ROLES = ("azura_parent", "azura_cluster")  # the processes that serve no gRPC health of their own

ENVIRONMENT = env_help(("PORT", "AZURA_BIND_HOST", "AZURA_TLS_CERT", "AZURA_TLS_KEY", "AZURA_TLS_CA",
                        "AZURA_TLS_SERVER_NAME", "AZURA_HEALTH_PORT"))


@dataclass(frozen=True, slots=True)
class HealthResult:
    healthy: bool
    line: str  # what the operator reads: the status first, then what was checked


def default_address(env: Mapping[str, str]) -> str:
    """Where a child in this environment serves: its Unix socket, else 127.0.0.1:$PORT (``::`` binds answer
    there too)."""
    bind = env.get("AZURA_BIND_HOST", "")
    if bind.startswith("unix:"):
        return bind
    return f"127.0.0.1:{env.get('PORT') or '50051'}"


def _channel(address: str, env: Mapping[str, str]) -> grpc.Channel:
    """A channel to the child: TLS when it serves TLS (AZURA_TLS_CERT set), else plaintext."""
    tls = read_link_tls(env)  # the bots' own reader: the same files, PEM texts and checks
    if not tls.serves_tls:
        return grpc.insecure_channel(address)
    if tls.ca is not None:  # the child requires client certificates (mTLS): present its own, signed by that CA
        credentials = grpc.ssl_channel_credentials(tls.ca, tls.key, tls.cert)
    else:  # trust the certificate itself (a self-signed one, or a chain ending in its CA)
        credentials = grpc.ssl_channel_credentials(tls.cert)
    options = [("grpc.ssl_target_name_override", tls.server_name)] if tls.server_name else []
    return grpc.secure_channel(address, credentials, options=options)


def check_grpc(
    address: str, *, service: str = "", timeout_s: float = DEFAULT_TIMEOUT_S, env: Mapping[str, str] = os.environ
) -> HealthResult:
    """Ask the gRPC health service at ``address`` about ``service`` ("" = the whole server)."""
    what = f"{address} (grpc.health.v1, service {service!r})"
    try:
        channel = _channel(address, env)
    except ConfigError as exc:
        return HealthResult(False, f"UNHEALTHY: the TLS settings for {what} are wrong: {exc}")
    try:
        check = channel.unary_unary(  # the stub's one method, typed (the generated stub is untyped)
            HEALTH_CHECK_METHOD,
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString,
        )
        reply: health_pb2.HealthCheckResponse = check(health_pb2.HealthCheckRequest(service=service),
                                                      timeout=timeout_s)
    except grpc.RpcError as exc:
        code = exc.code() if isinstance(exc, grpc.Call) else None
        details = exc.details() if isinstance(exc, grpc.Call) else str(exc)
        if code == grpc.StatusCode.NOT_FOUND:
            return HealthResult(False, f"UNHEALTHY: {what}: no such service")
        name = code.name if code is not None else "ERROR"
        first_line = (details or "").strip().splitlines()[:1]
        return HealthResult(False, f"UNREACHABLE: {what}: {name}: {''.join(first_line)}")
    finally:
        channel.close()
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    return HealthResult(reply.status == health_pb2.HealthCheckResponse.SERVING, f"{status}: {what}")


@dataclass(frozen=True, slots=True)
class _Process:
    pid: int
    ppid: int
    name: str  # the program's name (/proc/PID/comm)
    module: str  # the azura_* module it runs (python -m MODULE), "" for another program
    state: str  # /proc/PID/stat's state letter: R, S, D, T (stopped), Z (zombie) ...


INIT_PROCESSES = ("docker-init", "tini", "dumb-init")  # what `docker run --init` and friends put as PID 1


def _azura_module(cmdline: list[str]) -> str:
    for flag, value in itertools.pairwise(cmdline):
        if flag == "-m" and value.split(".")[0].startswith("azura_"):
            return value
    return ""


def _processes(proc: Path) -> list[_Process]:
    found: list[_Process] = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile, or not ours to read
        if ")" not in stat:
            continue
        name = stat[stat.find("(") + 1:stat.rfind(")")]
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        module = _azura_module([part.decode(errors="replace") for part in cmdline])
        found.append(_Process(int(entry.name), int(ppid), name, module, state))
    return sorted(found, key=lambda p: p.pid)


def check_process(module: str, *, pid: int | None = None, proc: Path = Path("/proc")) -> HealthResult:
    """A ``python -m <module>`` process (that one ``pid`` when given) exists and is running: not stopped, not a
    zombie."""
    matches = [p for p in _processes(proc) if p.module == module and pid in (None, p.pid)]
    if not matches:
        return HealthResult(False, f"UNHEALTHY: no 'python -m {module}' process is running")
    stuck = [p for p in matches if p.state in ("T", "t", "Z", "X")]
    if stuck:
        states = ", ".join(f"pid {p.pid} state {p.state}" for p in stuck)
        return HealthResult(False, f"UNHEALTHY: 'python -m {module}' is stopped or dead ({states})")
    pids = ", ".join(str(p.pid) for p in matches)
    return HealthResult(True, f"RUNNING: 'python -m {module}' (pid {pids}); it serves no gRPC health to ask")


def container_role(proc: Path = Path("/proc")) -> str:
    """The Azura module this container runs: PID 1's (or, under an init such as tini, its child's); '' when
    PID 1 is no Azura process (a host, not a container)."""
    processes = _processes(proc)
    first = next((p for p in processes if p.pid == 1), None)
    if first is None:
        return ""
    if not first.module and first.name in INIT_PROCESSES:
        first = next((p for p in processes if p.ppid == 1 and p.module), first)
    return first.module


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m azura_common.healthcheck",
        description="Check an Azura process: a child's gRPC health (exit 0 on SERVING), or that a parent runs.",
        epilog=environment_epilog(ENVIRONMENT),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--address", help="HOST:PORT, [IPv6]:PORT or unix:/path of a child (default: AZURA_BIND_HOST "
                        "when it is unix:/path, else 127.0.0.1:$PORT)")
    parser.add_argument("--service", default="", help="the health service name to ask about (default: '', the server)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds to wait (default 3)")
    parser.add_argument("--process", metavar="MODULE", choices=("azura_parent", "azura_cluster", "azura_child"),
                        help="check that 'python -m MODULE' runs instead of asking gRPC (the parent serves none)")
    return parser


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] = os.environ) -> int:
    args = _parser().parse_args(argv)
    if args.timeout <= 0:
        sys.stderr.write("healthcheck: --timeout must be more than 0 seconds\n")
        return 2
    module, address = args.process, args.address
    if module is None and address is None:
        role = container_role()
        module = role if role in PROCESS_ROLES else None
        parent_health = env.get("AZURA_HEALTH_PORT", "").strip()
        if module is not None and parent_health:  # the parent serves its own health (plaintext): ask it
            module, address, env = None, f"127.0.0.1:{parent_health}", {}
    if module is not None:
        result = check_process(module)
    else:
        result = check_grpc(address or default_address(env), service=args.service, timeout_s=args.timeout, env=env)
    sys.stdout.write(result.line + "\n")
    return 0 if result.healthy else 1


if __name__ == "__main__":
    raise SystemExit(main())
