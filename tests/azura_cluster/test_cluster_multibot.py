"""``python -m azura_cluster`` with several child bots to a process (AZURA_CLUSTER_BOTS_PER_CHILD): four child
bots in two processes, each bot its own child on the Link; a kill -9 of one process moves its sessions to the
other's bots, and the supervisor starts it again with the same bots."""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest
import pytest_asyncio

from azura_sandbox.testing import Sandbox
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="function"), pytest.mark.slow]

USERS = ("alice", "bob", "carol")


def _load(name: str, path: Path) -> ModuleType:
    """A helper module beside the tests (--import-mode=importlib puts no test folder on sys.path)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


mode = _load("cluster_mode_tests", Path(__file__).with_name("test_cluster_mode.py"))


@pytest_asyncio.fixture(loop_scope="function")
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = await Sandbox.start(user_names=USERS, voice_channels=1, speed=1.0)
    try:
        yield sb
    finally:
        await sb.stop()


async def test_four_child_bots_in_two_processes_play_and_a_killed_process_s_sessions_move(
    sandbox: Sandbox, tmp_path: Path, run_dir: Path
) -> None:
    sb = sandbox
    env = {**mode.cluster_env(sb, tmp_path, run_dir, children=4), "AZURA_CLUSTER_BOTS_PER_CHILD": "2"}
    cluster = mode.ClusterProcess(env)
    sb.children.append(cluster)
    started = time.monotonic()
    cluster.start()
    await cluster.wait_until(lambda: mode.said(cluster, "parent ready: 4/4 children linked"), 60,
                             "the parent to link the 4 bots of its 2 child processes")
    print(f"e2e cluster multibot: parent + 4 child bots in 2 processes linked in {time.monotonic() - started:.1f} s")
    assert len(cluster.pids("child.1")) == 1 and len(cluster.pids("child.2")) == 1 and not cluster.pids("child.3")
    c = mode._load_e2e_cluster()(sb, [], cluster)
    process_of = {c.bot_id(f"kid-{i}"): f"child.{(i + 1) // 2}" for i in (1, 2, 3, 4)}  # kid-1, kid-2 in child.1
    assert set(sb.discord.connected_bots()) == {c.parent_bot_id, *process_of}

    rooms = [await c.room(f"room-{i}") for i in range(3)]
    for i, (user, room) in enumerate(zip(USERS, rooms, strict=True)):
        await c.join(user, room)
        await c.ok(user, "play", {"query": f"https://www.youtube.com/playlist?list=PLmultibot{i}"})
    bots = [await c.wait_bot_in(room) for room in rooms]
    assert bots[0] == c.parent_bot_id and len(set(bots)) == 3 and set(bots[1:]) <= set(process_of)

    victim = process_of[bots[1]]
    (pid,) = cluster.pids(victim)
    lost = [room for room, bot in zip(rooms[1:], bots[1:], strict=True) if process_of[bot] == victim]
    killed = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    for room in lost:  # every session of the killed process plays on a bot of the other one
        await eventually(lambda r=room: (b := mode.player_in(sb, r.id)) is not None and process_of[b] != victim,
                         timeout=15, what=f"{room.name} playing on the other process", poll_s=0.02)
    moved_s = time.monotonic() - killed
    await eventually(lambda: len(cluster.pids(victim)) == 2, timeout=15, what=f"{victim} started again")
    await eventually(lambda: set(sb.discord.connected_bots()) == {c.parent_bot_id, *process_of}, timeout=30,
                     what="the restarted process logged in as the same two bots")
    print(f"e2e cluster multibot: kill -9 {victim} ({len(lost)} session(s)): moved after {moved_s:.2f} s; "
          "restarted with its two bots")
    assert mode.player_in(sb, rooms[0].id) == c.parent_bot_id
    code = await cluster.stop(timeout=mode.HEROKU_STOP_S)
    assert code == 0, cluster.log_tail()
    assert "Traceback" not in cluster.log_text(), cluster.log_tail(80)


run_dir = mode.run_dir  # the fixture: a short directory for the Unix sockets
