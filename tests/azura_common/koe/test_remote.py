"""RemoteSession's transport on a real in-process gRPC server: gRPC's own retries, deadlines, a dead address."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import grpc
import pytest

from azura_common.koe import convert
from azura_common.koe.errors import ChildUnavailable, KoeTimeout
from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb
from azura_common.koe.pb.azura.koe.v1 import koe_pb2_grpc as pb_grpc
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_common.koe.session import SessionState
from azura_sandbox.testing import free_port

pytestmark = pytest.mark.slow  # a real gRPC server and client, waiting out real deadlines and backoffs

PAUSED = SessionState(guild_id=1, channel_id=2, bot_id=3, connected=True, paused=True)


class _FlakyChild(pb_grpc.KoeSessionServicer):
    """Pause answers UNAVAILABLE (a child restarting) to its first ``failures`` attempts; GetState hangs."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts: list[str] = []  # the request id of every attempt that reached the child

    async def Pause(self, request: pb.PauseRequest, context: grpc.aio.ServicerContext) -> pb.PauseReply:  # type: ignore[override]
        self.attempts.append(request.request_id)
        if len(self.attempts) <= self.failures:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "restarting")
        return pb.PauseReply(state=convert.state_to_pb(PAUSED))

    async def GetState(self, request: pb.GetStateRequest, context: grpc.aio.ServicerContext) -> pb.GetStateReply:  # type: ignore[override]
        await asyncio.sleep(30)
        raise AssertionError("the caller's deadline ends the call first")


async def serve(child: _FlakyChild) -> AsyncIterator[ChildConnection]:
    server = grpc.aio.server()
    pb_grpc.add_KoeSessionServicer_to_server(child, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    connection = ChildConnection(f"127.0.0.1:{port}", "secret")
    yield connection
    await connection.close()
    await server.stop(None)


@pytest.fixture
async def twice_unavailable() -> AsyncIterator[tuple[_FlakyChild, ChildConnection]]:
    child = _FlakyChild(failures=2)
    async for connection in serve(child):
        yield child, connection


@pytest.fixture
async def always_unavailable() -> AsyncIterator[tuple[_FlakyChild, ChildConnection]]:
    child = _FlakyChild(failures=100)
    async for connection in serve(child):
        yield child, connection


async def test_unavailable_is_retried_by_the_channel_with_the_same_request_id(
    twice_unavailable: tuple[_FlakyChild, ChildConnection],
) -> None:
    child, connection = twice_unavailable
    assert await RemoteSession(connection, 1, 2).pause() == PAUSED
    assert len(child.attempts) == 3 and len(set(child.attempts)) == 1 and child.attempts[0]  # the child dedupes


async def test_retries_are_bounded_then_the_child_is_unavailable(
    always_unavailable: tuple[_FlakyChild, ChildConnection],
) -> None:
    child, connection = always_unavailable
    with pytest.raises(ChildUnavailable):
        await RemoteSession(connection, 1, 2).pause()
    assert len(child.attempts) == 3


async def test_a_call_past_its_deadline_is_a_koe_timeout(
    twice_unavailable: tuple[_FlakyChild, ChildConnection],
) -> None:
    _, connection = twice_unavailable
    start = time.monotonic()
    with pytest.raises(KoeTimeout):
        await connection.call(connection.stub.GetState, pb.GetStateRequest(guild_id=1, channel_id=2), timeout=0.3)
    assert time.monotonic() - start < 5


async def test_an_unreachable_child_is_unavailable_quickly() -> None:
    connection = ChildConnection(f"127.0.0.1:{free_port()}", "secret")
    try:
        start = time.monotonic()
        with pytest.raises(ChildUnavailable):
            await RemoteSession(connection, 1, 2).get_state()
        assert time.monotonic() - start < 5  # retried a few times, not until the 10 s deadline
    finally:
        await connection.close()
    with pytest.raises(ChildUnavailable):  # a closed connection is no connection
        await RemoteSession(connection, 1, 2).get_state()
