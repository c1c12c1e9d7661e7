"""``python -m azura_cluster`` on real processes against the sandbox fakes: the whole cluster in one command,
as on one Heroku dyno. It plays in several channels on different bots, a child killed with -9 has its session
moved to a free bot and is itself restarted, SIGTERM stops every process cleanly, and a parent whose token
Discord rejects ends the cluster instead of restarting in a loop. With several child bots to a process
(AZURA_CLUSTER_BOTS_PER_CHILD), a killed process's sessions move to the other process's bots."""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import pytest
import pytest_asyncio

from azura_common.process import EXIT_TOKEN_REJECTED
from azura_sandbox.fake_discord.world import Channel
from azura_sandbox.testing import AzuraProcess, ChildProcess, Sandbox
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="function"), pytest.mark.slow]

USERS = ("alice", "bob", "carol", "dave")
HEROKU_STOP_S = 30.0  # SIGTERM to SIGKILL on Heroku


def _load_e2e_cluster() -> type:
    """The parent tests' Cluster helper (--import-mode=importlib puts no test folder on sys.path)."""
    if "e2e_cluster" not in sys.modules:
        path = Path(__file__).parents[1] / "azura_parent" / "e2e_cluster.py"
        spec = importlib.util.spec_from_file_location("e2e_cluster", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["e2e_cluster"] = module
        spec.loader.exec_module(module)
    return sys.modules["e2e_cluster"].Cluster  # type: ignore[no-any-return]


class ClusterProcess(AzuraProcess):
    module = "azura_cluster"

    def pids(self, name: str) -> list[int]:
        """Every pid the supervisor started ``name`` with ("parent", "child.2"), in order."""
        return [int(pid) for pid in re.findall(rf"{re.escape(name)} started \(pid (\d+)\)", self.log_text())]

    def all_pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"started \(pid (\d+)\)", self.log_text())]


def player_in(sb: Sandbox, channel_id: int) -> int | None:
    """The bot whose Lavalink player plays in that channel (None if none, or if two would be heard)."""
    found = [int(p["user_id"]) for p in sb.lavalink.players_truth() if p["channel_id"] == str(channel_id)
             and p["track_title"] and p["session_attached"] and not p["paused"]]
    return found[0] if len(found) == 1 else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest_asyncio.fixture(loop_scope="function")
async def run_dir() -> AsyncIterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="azc-"))  # short: a Unix socket path is at most 107 characters
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def cluster_env(sb: Sandbox, tmp: Path, run_dir: Path, children: int) -> dict[str, str]:
    tokens = ",".join(sb.discord.create_bot(f"kid-{i}") for i in range(1, children + 1))
    return {**sb.parent_env("parent-token", [], tmp / "db.sqlite3"), "AZURA_CHILD_TOKENS": tokens,
            "AZURA_CHILD_COUNT": str(children), "AZURA_CLUSTER_RUN_DIR": str(run_dir), "DYNO": "worker.1",
            "AZURA_CLUSTER_BOTS_PER_CHILD": "1"}  # one bot per process (test_cluster_multibot.py: several)


async def test_one_command_plays_in_several_channels_survives_a_kill_9_and_stops_cleanly(
    tmp_path: Path, run_dir: Path
) -> None:
    sb = await Sandbox.start(user_names=USERS, voice_channels=1, speed=1.0)
    cluster = ClusterProcess(cluster_env(sb, tmp_path, run_dir, children=3))
    sb.children.append(cluster)
    try:
        started = time.monotonic()
        cluster.start()
        await cluster.wait_until(lambda: said(cluster, "parent ready: 3/3 children linked"), 60,
                                 "the parent to link its 3 children")
        print(f"e2e cluster mode: parent + 3 children up and linked in {time.monotonic() - started:.1f} s")
        c = _load_e2e_cluster()(sb, [], cluster)
        kid_bots = {c.bot_id(f"kid-{i}"): i for i in (1, 2, 3)}
        assert set(sb.discord.connected_bots()) == {c.parent_bot_id, *kid_bots}  # DYNO did not make them one bot

        # Three channels at once: the parent takes the first, two different children the others.
        rooms = [await c.room(f"room-{i}") for i in range(3)]
        for i, (user, room) in enumerate(zip(USERS[:3], rooms, strict=True)):
            await c.join(user, room)
            await c.ok(user, "play", {"query": f"https://www.youtube.com/playlist?list=PLcluster{i}"})
        bots = [await c.wait_bot_in(room) for room in rooms]
        assert bots[0] == c.parent_bot_id and len(set(bots)) == 3 and set(bots[1:]) <= set(kid_bots)

        # kill -9 the child playing in the second room: the third child (free) takes its session over,
        # and the supervisor starts the killed one again.
        victim = kid_bots[bots[1]]
        name = f"child.{victim}"
        (pid,) = cluster.pids(name)
        killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        again = ChildProcess({"AZURA_BIND_HOST": f"unix:{run_dir}/child-{victim}.sock"})

        async def took(step: Awaitable[object]) -> float:
            await step
            return time.monotonic() - killed

        moved_s, restarted_s, serving_s = await asyncio.gather(
            took(eventually(lambda: player_in(sb, rooms[1].id) not in (None, bots[1]), timeout=15,
                            what="the second room playing on another bot", poll_s=0.02)),
            took(eventually(lambda: len(cluster.pids(name)) == 2, timeout=15, what=f"{name} started again",
                            poll_s=0.05)),
            took(again.wait_serving(30)),
        )
        new_bot = player_in(sb, rooms[1].id)
        print(f"e2e cluster mode: kill -9 {name}: its session plays on kid-{kid_bots.get(new_bot or 0)} after "
              f"{moved_s:.2f} s; restarted after {restarted_s:.2f} s, SERVING again after {serving_s:.2f} s")
        assert new_bot in kid_bots and player_in(sb, rooms[2].id) == bots[2]  # the third room played on
        assert f"{name} exited with -9" in cluster.log_text() and "restarting it in 1.0 s" in cluster.log_text()
        assert alive(cluster.pids(name)[1])
        await eventually(lambda: set(sb.discord.connected_bots()) == {c.parent_bot_id, *kid_bots}, timeout=15,
                         what="the restarted child logged in as the same bot")

        # kill -9 the parent: the supervisor starts it again; it reattaches the children's sessions.
        (parent_pid,) = cluster.pids("parent")
        killed = time.monotonic()
        os.kill(parent_pid, signal.SIGKILL)
        await cluster.wait_until(lambda: count(cluster, "parent ready: 3/3 children linked", 2), 60,
                                 "the parent started again and linked its children")
        print(f"e2e cluster mode: kill -9 parent: restarted and linked again after {time.monotonic() - killed:.2f} s")
        assert len(cluster.pids("parent")) == 2 and "parent exited with -9" in cluster.log_text()
        assert player_in(sb, rooms[1].id) == new_bot and player_in(sb, rooms[2].id) == bots[2]

        # SIGTERM (a deploy, a daily restart): every process stops cleanly within Heroku's 30 s.
        pids = [p for p in cluster.all_pids() if alive(p)]
        assert len(pids) == 4
        stopping = time.monotonic()
        code = await cluster.stop(timeout=HEROKU_STOP_S)
        stop_s = time.monotonic() - stopping
        print(f"e2e cluster mode: SIGTERM → exit {code} after {stop_s:.1f} s, {len(pids)} processes stopped")
        assert code == 0, cluster.log_tail()
        assert stop_s < HEROKU_STOP_S and not [p for p in pids if alive(p)]
        assert "killing it" not in cluster.log_text() and "every process stopped" in cluster.log_text()
        assert "Traceback" not in cluster.log_text(), cluster.log_tail(80)
    finally:
        await sb.stop()


async def test_a_parent_whose_token_is_rejected_ends_the_cluster_without_a_restart_loop(
    tmp_path: Path, run_dir: Path
) -> None:
    sb = await Sandbox.start(voice_channels=1)
    env = {**cluster_env(sb, tmp_path, run_dir, children=2), "AZURA_PARENT_TOKEN": "MTIz.not-a.real-token"}
    cluster = ClusterProcess(env)
    sb.children.append(cluster)
    try:
        cluster.start()
        assert cluster.process is not None
        try:
            code = await asyncio.to_thread(cluster.process.wait, 60)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the cluster runs on with a rejected parent token:\n{cluster.log_tail()}") from None
        text = cluster.log_text()
        assert code == EXIT_TOKEN_REJECTED, cluster.log_tail()
        assert "parent exited with 3 (Discord rejected its token): not restarting it" in text, cluster.log_tail()
        assert len(cluster.pids("parent")) == 1  # started once, not in a loop
        assert not [p for p in cluster.all_pids() if alive(p)]  # the children were stopped too
    finally:
        await sb.stop()


async def test_four_child_bots_in_two_processes_play_and_a_killed_process_s_sessions_move(
    tmp_path: Path, run_dir: Path
) -> None:
    sb = await Sandbox.start(user_names=USERS[:3], voice_channels=1, speed=1.0)
    try:
        await _four_bots_in_two_processes(sb, tmp_path, run_dir)
    finally:
        await sb.stop()


async def _four_bots_in_two_processes(sb: Sandbox, tmp_path: Path, run_dir: Path) -> None:
    env = {**cluster_env(sb, tmp_path, run_dir, children=4), "AZURA_CLUSTER_BOTS_PER_CHILD": "2"}
    cluster = ClusterProcess(env)
    sb.children.append(cluster)
    started = time.monotonic()
    cluster.start()
    await cluster.wait_until(lambda: said(cluster, "parent ready: 4/4 children linked"), 60,
                             "the parent to link the 4 bots of its 2 child processes")
    print(f"e2e cluster multibot: parent + 4 child bots in 2 processes linked in {time.monotonic() - started:.1f} s")
    assert len(cluster.pids("child.1")) == 1 and len(cluster.pids("child.2")) == 1 and not cluster.pids("child.3")
    c = _load_e2e_cluster()(sb, [], cluster)
    process_of = {c.bot_id(f"kid-{i}"): f"child.{(i + 1) // 2}" for i in (1, 2, 3, 4)}  # kid-1, kid-2 in child.1
    assert set(sb.discord.connected_bots()) == {c.parent_bot_id, *process_of}

    rooms = [await c.room(f"room-{i}") for i in range(3)]
    for i, (user, room) in enumerate(zip(USERS[:3], rooms, strict=True)):
        await c.join(user, room)
        await c.ok(user, "play", {"query": f"https://www.youtube.com/playlist?list=PLmultibot{i}"})
    bots = [await c.wait_bot_in(room) for room in rooms]
    assert bots[0] == c.parent_bot_id and len(set(bots)) == 3 and set(bots[1:]) <= set(process_of)

    victim = process_of[bots[1]]
    (pid,) = cluster.pids(victim)
    lost = [room for room, bot in zip(rooms[1:], bots[1:], strict=True) if process_of[bot] == victim]
    killed = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    def moved(room: Channel) -> bool:
        bot = player_in(sb, room.id)
        return bot is not None and process_of[bot] != victim

    for room in lost:  # every session of the killed process plays on a bot of the other one
        await eventually(functools.partial(moved, room), timeout=15, what=f"{room.name} playing on the other process",
                         poll_s=0.02)
    moved_s = time.monotonic() - killed
    await eventually(lambda: len(cluster.pids(victim)) == 2, timeout=15, what=f"{victim} started again")
    await eventually(lambda: set(sb.discord.connected_bots()) == {c.parent_bot_id, *process_of}, timeout=30,
                     what="the restarted process logged in as the same two bots")
    print(f"e2e cluster multibot: kill -9 {victim} ({len(lost)} session(s)): moved after {moved_s:.2f} s; "
          "restarted with its two bots")
    assert player_in(sb, rooms[0].id) == c.parent_bot_id
    code = await cluster.stop(timeout=HEROKU_STOP_S)
    assert code == 0, cluster.log_tail()
    assert "Traceback" not in cluster.log_text(), cluster.log_tail(80)



async def count(process: AzuraProcess, text: str, times: int) -> bool:
    return process.log_text().count(text) >= times


async def said(process: AzuraProcess, text: str) -> bool:
    return text in process.log_text()
