"""A child with no token index of its own, linked to a parent (Koe and Children in this process, the child a real
``python -m azura_child``): it waits for an index, logs in with that token, and its Link then presents the real bot
id, so a free-bot handshake hands out a session with the right bot."""

from __future__ import annotations

import grpc
import pytest

from azura_common.koe.koe import Koe
from azura_common.koe.link import ChildLink, Children
from azura_common.koe.remote import ChildConnection
from azura_sandbox.testing import ChildProcess, Sandbox, free_port
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]


async def serving_grpc(child: ChildProcess) -> bool:
    try:
        return await child.health() in ("NOT_SERVING", "SERVING")
    except grpc.aio.AioRpcError:
        return False


async def test_a_child_waits_for_its_index_then_its_link_presents_the_bot_it_logged_in_as() -> None:
    sb = await Sandbox.start(voice_channels=1)
    children: Children | None = None
    try:
        tokens = ",".join(sb.discord.create_bot(name) for name in ("kid-1", "kid-2"))
        env = {**sb.child_env("unused", free_port()), "AZURA_CHILD_TOKEN": "", "AZURA_CHILD_TOKENS": tokens}
        child = ChildProcess(env)
        sb.children.append(child)
        child.start()
        await child.wait_until(lambda: serving_grpc(child), 30, "the child's gRPC server")
        assert await child.health() == "NOT_SERVING" and sb.discord.connected_bots() == []  # no index: no login

        koe = Koe(local_factory=None)
        link = ChildLink(ChildConnection(child.address, sb.secret), koe)
        children = Children([link])
        koe.use_children(children)
        children.start()
        kid_1 = sb.discord.world.bots["kid-1"].user_id
        await eventually(lambda: link.up and link.bot_user_id == kid_1, timeout=30, what="the link up as kid-1")
        assert link.token_index == 1 and children.tokens.holders() == {1: child.address}
        assert sb.discord.connected_bots() == [kid_1]
        await child.wait_serving()
        session = await children.acquire(sb.guild.id, sb.voices[0].id)
        assert session is not None and session.bot_id == kid_1
    finally:
        if children is not None:
            await children.close()
        await sb.stop()



async def test_a_child_still_waiting_for_its_index_stops_cleanly_on_sigterm() -> None:
    sb = await Sandbox.start(voice_channels=1)
    try:
        env = {**sb.child_env("unused", free_port()), "AZURA_CHILD_TOKEN": "",
               "AZURA_CHILD_TOKENS": sb.discord.create_bot("kid-1")}
        child = ChildProcess(env)
        sb.children.append(child)
        child.start()
        await child.wait_until(lambda: serving_grpc(child), 30, "the child's gRPC server")
        assert await child.stop(timeout=10) == 0, child.log_tail()
        text = child.log_text()
        assert "waiting for the parent to assign one of the 1 in AZURA_CHILD_TOKENS" in text
        assert "Traceback" not in text and "still running after the stop" not in text, child.log_tail()
    finally:
        await sb.stop()
