"""The metrics as Prometheus reads them: the /metrics server (its port per process, its stop), the hooks'
labels, and the parent's gRPC health server as the healthcheck asks it."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp
import pytest
from prometheus_client import REGISTRY

from azura_cluster.__main__ import programs
from azura_cluster.config import ClusterConfig
from azura_common import metrics
from azura_common.config import ConfigError
from azura_common.health_server import HealthServer, health_port
from azura_common.healthcheck import HealthResult, check_grpc
from azura_common.metrics_http import MetricsServer, child_metrics_env, metrics_host, metrics_port
from azura_common.process import Observability


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# -- which port each process serves -------------------------------------------------------------------------
def test_no_port_no_server_and_the_parent_takes_the_port_as_given() -> None:
    assert metrics_port({}) is None
    assert metrics_port({"AZURA_METRICS_PORT": "9100"}) == 9100
    assert metrics_port({"AZURA_METRICS_PORT": "9100", "HONCHO_PROCESS_NAME": "parent.1"}) == 9100


def test_child_n_of_honcho_or_heroku_serves_the_port_plus_n() -> None:
    assert metrics_port({"AZURA_METRICS_PORT": "9100", "HONCHO_PROCESS_NAME": "child.3"}) == 9103
    assert metrics_port({"AZURA_METRICS_PORT": "9100", "DYNO": "child.2"}) == 9102


def test_azura_cluster_gives_child_process_n_the_port_plus_n() -> None:
    env = {"AZURA_METRICS_PORT": "9100", "OTHER": "x"}
    assert child_metrics_env(env, 4) == {"AZURA_METRICS_PORT": "9104", "OTHER": "x"}
    assert env["AZURA_METRICS_PORT"] == "9100"  # the parent's stays
    assert child_metrics_env({"OTHER": "x"}, 4) == {"OTHER": "x"}


def test_each_process_of_azura_cluster_serves_its_own_port(tmp_path: Path) -> None:
    env = {"AZURA_PARENT_TOKEN": "p", "AZURA_CHILD_TOKENS": "a,b,c", "AZURA_CLUSTER_SECRET": "s",
           "AZURA_CHILD_COUNT": "3", "AZURA_METRICS_PORT": "9100", "HONCHO_PROCESS_NAME": "worker.1",
           "AZURA_CLUSTER_BOTS_PER_CHILD": "1"}
    parent, *kids = programs(ClusterConfig.from_env(env), env, tmp_path)
    assert metrics_port(parent.env) == 9100
    assert [metrics_port(kid.env) for kid in kids] == [9101, 9102, 9103]
    # Three bots in one child process (the default 4 per process): one process, one port.
    together = {key: value for key, value in env.items() if key != "AZURA_CLUSTER_BOTS_PER_CHILD"}
    parent, *kids = programs(ClusterConfig.from_env(together), together, tmp_path)
    assert [metrics_port(kid.env) for kid in kids] == [9101]


@pytest.mark.parametrize("bad", ["http", "0", "70000", "-5"])
def test_a_bad_port_is_a_clear_configuration_problem(bad: str) -> None:
    with pytest.raises(ConfigError, match="AZURA_METRICS_PORT must be a TCP port number"):
        metrics_port({"AZURA_METRICS_PORT": bad})
    with pytest.raises(ConfigError, match="AZURA_HEALTH_PORT must be a TCP port number"):
        health_port({"AZURA_HEALTH_PORT": bad})


def test_every_observability_problem_is_named_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        Observability.from_env({"AZURA_LOG_FORMAT": "xml", "AZURA_METRICS_PORT": "x", "AZURA_HEALTH_PORT": "y"})
    assert len(caught.value.problems) == 3
    assert "AZURA_LOG_FORMAT must be text or json, not 'xml'" in caught.value.problems
    ok = Observability.from_env({"AZURA_LOG_FORMAT": "JSON", "AZURA_HEALTH_PORT": "9200"})
    assert (ok.log_format, ok.metrics_port, ok.health_port) == ("json", None, 9200)


def test_metrics_listen_where_the_process_binds() -> None:
    assert metrics_host({}) == "127.0.0.1"
    assert metrics_host({"AZURA_BIND_HOST": "unix:/tmp/x.sock"}) == "127.0.0.1"
    assert metrics_host({"AZURA_BIND_HOST": "::"}) == "::"


# -- the server ----------------------------------------------------------------------------------------------
async def scrape(port: int) -> str:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        async with http.get(f"http://127.0.0.1:{port}/metrics") as reply:
            assert reply.status == 200
            assert reply.headers["Content-Type"].startswith("text/plain; version=")
            return await reply.text()


async def test_the_server_shows_a_counted_command_and_frees_its_port_when_closed() -> None:
    port = free_port()
    server = MetricsServer(port)
    await server.start()
    try:
        metrics.observe_command("test-metrics-cmd", metrics.Outcome.REFUSED, 0.003)
        text = await scrape(port)
        assert 'azura_commands_total{command="test-metrics-cmd",outcome="refused"} 1.0' in text
        assert 'azura_command_duration_seconds_bucket{command="test-metrics-cmd",le="0.005"} 1.0' in text
        assert "# HELP azura_sessions " in text and "process_resident_memory_bytes" in text
    finally:
        await server.close()
    with pytest.raises(aiohttp.ClientConnectionError):
        await scrape(port)
    again = MetricsServer(port)  # the port is free again at once
    await again.start()
    await again.close()


async def test_a_taken_port_fails_to_start() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = MetricsServer(int(taken.getsockname()[1]))
        with pytest.raises(OSError):
            await server.start()
        await server.close()


# -- the hooks' labels ---------------------------------------------------------------------------------------
def test_failovers_are_counted_by_a_bounded_reason() -> None:
    before = {r: sample("azura_failovers_total", reason=r) for r in ("bot_lost", "bot_stopping", "other")}
    metrics.count_failover("dropped out", 2)
    metrics.count_failover("is restarting")
    metrics.count_failover("a sentence nobody expected")
    assert sample("azura_failovers_total", reason="bot_lost") == before["bot_lost"] + 2
    assert sample("azura_failovers_total", reason="bot_stopping") == before["bot_stopping"] + 1
    assert sample("azura_failovers_total", reason="other") == before["other"] + 1


class _Multicallable:
    _method = b"/azura.koe.v1.KoeSession/TestSkip"


def test_a_remote_call_is_timed_under_its_method_name_even_when_it_fails() -> None:
    count = sample("azura_remote_call_duration_seconds_count", method="TestSkip")
    with pytest.raises(RuntimeError), metrics.timed_remote_call(_Multicallable()):
        raise RuntimeError("the child said no")
    assert sample("azura_remote_call_duration_seconds_count", method="TestSkip") == count + 1


def test_link_state_and_round_trip_by_child() -> None:
    metrics.LINK_STATE.labels("10.0.0.9:5001").state("up")
    metrics.observe_link_rtt("10.0.0.9:5001", 0.8)
    assert sample("azura_link_state", child="10.0.0.9:5001", azura_link_state="up") == 1
    assert sample("azura_link_state", child="10.0.0.9:5001", azura_link_state="down") == 0
    assert sample("azura_link_last_rtt_seconds", child="10.0.0.9:5001") == pytest.approx(0.0008)


# -- the parent's gRPC health --------------------------------------------------------------------------------
async def test_the_health_server_says_not_serving_then_serving_and_is_gone_after_close() -> None:
    port = free_port()
    server = HealthServer(port)
    await server.start()
    address = f"127.0.0.1:{port}"
    try:
        first = await _check(address)
        assert not first.healthy and first.line.startswith("NOT_SERVING"), first.line
        await server.serving(True)
        assert (await _check(address)).line.startswith("SERVING")
        await server.serving(False)
        assert (await _check(address)).line.startswith("NOT_SERVING")
    finally:
        await server.close()
    gone = await _check(address)
    assert not gone.healthy and gone.line.startswith("UNREACHABLE"), gone.line


async def _check(address: str) -> HealthResult:
    return await asyncio.to_thread(check_grpc, address, timeout_s=2.0, env={})
