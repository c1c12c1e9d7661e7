"""A clean stop logs nothing alarming: a parent and its children, after some music and a child's crash and
restart (the parent's Link reconnects to it), all stopped with SIGTERM, log no ERROR, no traceback and none of
asyncio's complaints about tasks or generators left behind."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from e2e_cluster import start_cluster

from azura_sandbox.testing import AzuraProcess
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="function"), pytest.mark.slow]

# What asyncio and grpc print when a task or a generator is left behind, and what any failure prints.
ALARMS = (
    " ERROR ",
    " CRITICAL ",
    "Traceback",
    "Task was destroyed",
    "was never awaited",
    "asynchronous generator is already running",
    "Exception ignored",
    "Unclosed",
    "still running after the stop",  # a task nobody owned (azura_common.process names them at exit)
)


def alarms(process: AzuraProcess) -> list[str]:
    return [line for line in process.log_text().splitlines() if any(alarm in line for alarm in ALARMS)]


async def test_sigterm_after_music_and_link_reconnects_logs_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURA_SANDBOX_LOGS", str(tmp_path / "logs"))  # these processes' logs only
    c = await start_cluster(tmp_path)
    try:
        lounge, gaming = await c.room("lounge"), await c.room("gaming")
        await c.join("alice", lounge)
        await c.ok("alice", "play", {"query": "clean shutdown one"})  # the parent plays the first channel
        await c.join("bob", gaming)
        await c.ok("bob", "play", {"query": "clean shutdown two"})  # a child plays the second
        assert await c.wait_bot_in(gaming) in c.kid_bot_ids
        frozen, crashed = c.kids  # kid-1, kid-2
        # A child that stops answering: the parent cuts its Link on missed heartbeats and opens a new one.
        assert frozen.process is not None
        frozen.process.send_signal(signal.SIGSTOP)
        try:
            await eventually(lambda: "missed its heartbeats" in c.parent.log_text(), timeout=10, what="the cut")
        finally:
            frozen.process.send_signal(signal.SIGCONT)
        # A child that crashes (no chance to clean up): the Link reconnects to a dead child for a while, then to
        # the same child started again on its port.
        crashed.kill()
        await eventually(lambda: crashed.process is not None and crashed.process.poll() is not None, timeout=5,
                         what="the child gone")
        await eventually(lambda: "Connection refused" in c.parent.log_text(), timeout=10, what="a failed reconnect")
        again = await c.sb.spawn_child("kid-2", port=crashed.port)  # the same bot again
        await eventually(lambda: c.parent.log_text().count("is gone") + c.parent.log_text().count("reattached")
                         + c.parent.log_text().count("Connection refused") > 1, timeout=10, what="the reconnects")
        await asyncio.sleep(2.0)  # linked up again (its first retries back off up to 1.6 s)
        assert await c.wait_bot_in(gaming) in c.kid_bot_ids  # the music plays on
        # A clean stop: a child while the parent listens (it hands its session over); then, as honcho or a
        # platform does, the parent and the last child at once, while the parent's Link to the stopped child
        # keeps failing to reconnect.
        assert await frozen.stop() == 0
        await eventually(lambda: "Connection refused" in c.parent.log_text().split("is stopping")[-1], timeout=10,
                         what="the parent reconnecting to the stopped child")
        assert await asyncio.gather(c.parent.stop(), again.stop()) == [0, 0]
        for process in (frozen, c.parent, again):
            assert process.log_text().strip(), "a process that logged nothing proves nothing"
            assert alarms(process) == [], f"{process.module}: {process.log_path}"
    finally:
        await c.stop()
