"""``python -m azura_common.healthcheck`` against a real child process: what Docker, compose and an operator run."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from azura_common.healthcheck import check_grpc, check_process
from azura_sandbox.testing import ChildProcess, Sandbox, free_port

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]


class Children:
    def __init__(self, sandbox: Sandbox, tcp: ChildProcess, unix: ChildProcess, socket_path: str) -> None:
        self.sandbox, self.tcp, self.unix, self.socket_path = sandbox, tcp, unix, socket_path


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def children() -> AsyncIterator[Children]:
    sandbox = await Sandbox.start(speed=50)
    socket_path = os.path.join(tempfile.mkdtemp(prefix="azura-hc-"), "child.sock")
    try:
        # bound as the platform files bind it (every address, IPv6 literal); the probe dials 127.0.0.1
        tcp = await sandbox.spawn_child("hc-tcp", port=free_port(),
                                        env={"AZURA_BIND_HOST": "::", "AZURA_INSECURE_LINKS": "1"})
        unix = await sandbox.spawn_child("hc-unix", env={"AZURA_BIND_HOST": f"unix:{socket_path}"})
        yield Children(sandbox, tcp, unix, socket_path)
    finally:
        await sandbox.stop()


def healthcheck(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "azura_common.healthcheck", *args], capture_output=True, text=True,
                          timeout=30, env={**os.environ, **(env or {})})


async def test_a_serving_child_is_healthy_at_its_address_and_at_the_default_one(children: Children) -> None:
    port = str(children.tcp.port)
    explicit = await asyncio.to_thread(healthcheck, "--address", f"127.0.0.1:{port}")
    assert explicit.returncode == 0, explicit.stdout + explicit.stderr
    assert explicit.stdout == f"SERVING: 127.0.0.1:{port} (grpc.health.v1, service '')\n"
    by_port = await asyncio.to_thread(healthcheck, env={"PORT": port})  # the container's own PORT
    assert by_port.returncode == 0 and by_port.stdout.startswith("SERVING: 127.0.0.1:" + port)
    ipv6 = await asyncio.to_thread(healthcheck, "--address", f"[::1]:{port}")
    assert ipv6.returncode == 0, ipv6.stdout


async def test_a_child_on_a_unix_socket_is_found_from_its_bind_setting(children: Children) -> None:
    result = await asyncio.to_thread(healthcheck, env={"AZURA_BIND_HOST": f"unix:{children.socket_path}"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"SERVING: unix:{children.socket_path}")


async def test_nothing_listening_or_an_unknown_service_is_unhealthy_in_one_line(children: Children) -> None:
    closed = await asyncio.to_thread(healthcheck, "--address", f"127.0.0.1:{free_port()}", "--timeout", "2")
    assert closed.returncode == 1
    assert closed.stdout.startswith("UNREACHABLE: 127.0.0.1:") and closed.stdout.count("\n") == 1
    unknown = await asyncio.to_thread(healthcheck, "--address", f"127.0.0.1:{children.tcp.port}",
                                      "--service", "no.such.Service")
    assert unknown.returncode == 1 and "no such service" in unknown.stdout
    bad = await asyncio.to_thread(healthcheck, "--timeout", "0")
    assert bad.returncode == 2 and "--timeout" in bad.stderr


async def test_a_frozen_child_fails_both_checks_and_recovers(children: Children) -> None:
    process = children.tcp.process
    assert process is not None
    address = f"127.0.0.1:{children.tcp.port}"
    assert check_process("azura_child", pid=process.pid).healthy
    os.kill(process.pid, signal.SIGSTOP)
    try:
        await asyncio.sleep(0.2)
        stopped = check_process("azura_child", pid=process.pid)
        assert not stopped.healthy and "stopped" in stopped.line
        frozen = await asyncio.to_thread(check_grpc, address, timeout_s=1.0)
        assert not frozen.healthy and frozen.line.startswith("UNREACHABLE") and "DEADLINE_EXCEEDED" in frozen.line
    finally:
        os.kill(process.pid, signal.SIGCONT)
    assert (await asyncio.to_thread(check_grpc, address)).healthy
    assert check_process("azura_child", pid=process.pid).healthy


async def test_no_such_process_is_unhealthy() -> None:
    result = check_process("azura_cluster", pid=os.getpid())
    assert not result.healthy and result.line == "UNHEALTHY: no 'python -m azura_cluster' process is running"


async def test_a_tls_file_that_is_missing_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "child.pem"
    result = check_grpc("127.0.0.1:1", env={"AZURA_TLS_CERT": str(missing)})
    assert not result.healthy and str(missing) in result.line and "TLS" in result.line
