"""End to end: what an operator sees of a real cluster (parent + two children, real processes) while it plays:
the Prometheus metrics of the parent and of a child moving with /play, /skip and a failing command, the
parent's gRPC health, JSON log lines naming the guild of a command, and /status."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from e2e_cluster import NOT_IN_VOICE, USERS, Cluster
from prometheus_client.parser import text_string_to_metric_families

from azura_common.healthcheck import check_grpc
from azura_sandbox.testing import ParentProcess, Sandbox, free_port
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


class Watched:
    """The cluster with each process's metrics port and the parent's health port."""

    def __init__(self, cluster: Cluster, parent_metrics: int, kid_metrics: list[int], health: int) -> None:
        self.c = cluster
        self.parent_metrics, self.kid_metrics, self.health = parent_metrics, kid_metrics, health


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def watched(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Watched]:
    sb = await Sandbox.start(user_names=USERS, voice_channels=1, speed=2.0)
    try:
        kid_metrics = [free_port(), free_port()]
        kids = list(await asyncio.gather(*(
            sb.spawn_child(name, env={"AZURA_METRICS_PORT": str(port), "AZURA_LOG_FORMAT": "json"})
            for name, port in zip(("kid-1", "kid-2"), kid_metrics, strict=True))))
        parent_metrics, health = free_port(), free_port()
        env = sb.parent_env("parent-token", kids, tmp_path_factory.mktemp("metrics") / "db.sqlite3")
        parent = ParentProcess({**env, "AZURA_METRICS_PORT": str(parent_metrics), "AZURA_HEALTH_PORT": str(health),
                                "AZURA_LOG_FORMAT": "json"})
        sb.children.append(parent)
        parent.start()
        await parent.wait_ready()
    except BaseException:
        await sb.stop()
        raise
    try:
        yield Watched(Cluster(sb, kids, parent), parent_metrics, kid_metrics, health)
    finally:
        await sb.stop()


async def scrape(port: int) -> Samples:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        async with http.get(f"http://127.0.0.1:{port}/metrics") as reply:
            assert reply.status == 200
            text = await reply.text()
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str | int) -> float:
    return samples.get((name, frozenset((k, str(v)) for k, v in labels.items())), 0.0)


def command_count(samples: Samples, command: str, outcome: str) -> float:
    return value(samples, "azura_commands_total", command=command, outcome=outcome)


def latency_count(samples: Samples, command: str) -> float:
    return value(samples, "azura_command_duration_seconds_count", command=command)


async def test_the_parent_answers_grpc_health_serving(watched: Watched) -> None:
    result = await asyncio.to_thread(check_grpc, f"127.0.0.1:{watched.health}", timeout_s=3.0, env={})
    assert result.healthy and result.line.startswith("SERVING"), result.line


async def test_commands_sessions_and_links_move_in_the_metrics(watched: Watched) -> None:
    c = watched.c
    kid_1 = c.bot_id("kid-1")
    before = await scrape(watched.parent_metrics)
    one, two = await c.room(), await c.room()
    await c.join("alice", one)
    await c.ok("alice", "play", {"query": "lofi beats"})  # the parent plays the server's first channel
    await c.join("bob", two)
    await c.ok("bob", "play", {"query": "calm piano"})  # a child plays the second
    await c.ok("bob", "play", {"query": "night drive"})
    assert (await c.fails("carol", "skip")) == NOT_IN_VOICE.removeprefix("⚠️ ")  # carol is in no channel
    child_bot = await c.wait_bot_in(two)
    assert child_bot in c.kid_bot_ids
    await c.ok("bob", "skip")

    after = await scrape(watched.parent_metrics)
    assert command_count(after, "play", "ok") == command_count(before, "play", "ok") + 3
    assert command_count(after, "skip", "ok") == command_count(before, "skip", "ok") + 1
    assert command_count(after, "skip", "refused") == command_count(before, "skip", "refused") + 1
    assert latency_count(after, "play") == latency_count(before, "play") + 3
    assert latency_count(after, "skip") == latency_count(before, "skip") + 2
    # the /skip on the child's session went over gRPC, and was timed
    assert value(after, "azura_remote_call_duration_seconds_count", method="Skip") >= 1
    # which bot plays what, as the parent routes it
    assert value(after, "azura_sessions", bot=c.parent_bot_id) == 1
    assert value(after, "azura_sessions", bot=child_bot) == 1
    # both Links up, their heartbeats' round trips measured
    for kid in c.kids:
        assert value(after, "azura_link_state", child=kid.address, azura_link_state="up") == 1
        assert value(after, "azura_link_rtt_seconds_count", child=kid.address) > 0
        assert 0 < value(after, "azura_link_last_rtt_seconds", child=kid.address) < 1
    # the parent's own Lavalink node is up
    assert value(after, "azura_lavalink_up", node="azura-parent") == 1

    # the child that plays counts its own session, under its own bot, on its own port
    port = watched.kid_metrics[0 if child_bot == kid_1 else 1]
    kid_samples = await scrape(port)
    assert value(kid_samples, "azura_sessions", bot=child_bot) == 1
    assert value(kid_samples, "azura_lavalink_up", node="azura-child") == 1


async def test_lavalink_load_arrives_with_its_stats(watched: Watched) -> None:
    async def players() -> float | None:
        samples = await scrape(watched.parent_metrics)
        key = ("azura_lavalink_players", frozenset({("node", "azura-parent")}))
        return samples[key] + 1 if key in samples else None  # +1: zero players is an answer too

    assert await eventually(players, timeout=12, what="the fake Lavalink's stats", poll_s=0.5) >= 1


async def test_json_log_lines_parse_and_name_the_guild_of_a_command(watched: Watched) -> None:
    c = watched.c
    for busy in c.rooms:  # the parent leaves wherever it plays: the next /play is its own (a local session)
        if c.bot_in(busy) == c.parent_bot_id:
            await c.join("owner", busy)
            assert (await c.run("owner", "leave")).text.startswith("👋")
            await c.wait_bot_in(busy, want=False)
    room = await c.room()
    await c.join("dave", room)
    await c.ok("dave", "play", {"query": "quiet storm"})
    assert await c.wait_bot_in(room) == c.parent_bot_id
    await c.ok("dave", "leave")  # the parent ends its session inside the command, and logs it there

    def about_the_guild() -> list[dict[str, object]]:
        lines = [json.loads(line) for line in c.parent.log_text().splitlines() if line.startswith("{")]
        return [line for line in lines if line["guild_id"] == c.sb.guild.id]

    found = await eventually(about_the_guild, timeout=5, what="a parent log line about the guild")
    ended = next(line for line in found if line["message"] == f"session in channel {room.id} ended: /leave by dave")
    assert set(ended) == {"time", "level", "logger", "message", "guild_id", "channel_id", "bot"}
    assert (ended["level"], ended["logger"], ended["channel_id"]) == ("INFO", "azura_common.koe.koe", room.id)
    for text in (c.parent.log_text(), c.kids[0].log_text()):  # every line of both is one JSON object
        for raw in text.splitlines():
            if raw.strip():
                assert isinstance(json.loads(raw), dict), raw


async def test_status_shows_both_children_and_their_sessions(watched: Watched) -> None:
    c = watched.c
    samples = await scrape(watched.parent_metrics)
    result = await c.run("owner", "status")
    assert result.private, result.text
    lines = result.text.splitlines()
    assert lines[0].startswith("📊 **Azura status** · up ")
    assert "**Bots** (3/3 up)" in lines
    for kid in c.kids:
        bot = c.bot_id("kid-1" if kid is c.kids[0] else "kid-2")
        sessions = int(value(samples, "azura_sessions", bot=bot))
        row = next(line for line in lines if f"child `{kid.address}`" in line)
        word = "session" if sessions == 1 else "sessions"
        assert row.startswith(f"🟢 child `{kid.address}` <@{bot}> · {sessions} {word} · link "), row
    assert f"🟢 parent <@{c.parent_bot_id}> · " in result.text
    assert "🟢 `http://127.0.0.1:" in result.text  # the parent's Lavalink node
    refused = await c.run("alice", "status")
    assert refused.private and "Manage Server" in refused.text
