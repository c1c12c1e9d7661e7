"""Discovery follows scaling, on real processes: the parent's ``all:children.test:PORT`` entry is resolved by
a DNS answer the test rewrites while the cluster runs.

Children on one machine differ by address here, not by port (an ``all:`` entry has one port): they bind
127.0.0.2, 127.0.0.3 … (all loopback on Linux). The answer also carries this machine's own non-loopback
address, as Fly's ``<app>.internal`` carries the parent's: it must never become a child.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from azura_parent.config import ParentConfig
from azura_parent.discovery import NameEntry, is_own_address, split_children
from azura_sandbox.addresses import non_loopback_ipv4
from azura_sandbox.fake_discord.world import Channel
from azura_sandbox.testing import ChildProcess, ParentProcess, Sandbox, free_port

NAME = "children.test"
INTERVAL_S = 1.0
SLACK_S = 4.0  # a loaded 2-core machine: linking takes a Hello round trip after the lookup


class DiscoveringParent(ParentProcess):
    module = "tests.azura_parent.discovery_parent"


class Dns:
    """The answers the parent's resolver reads."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def answer(self, answers: dict[str, list[str]]) -> float:
        """Write ``answers`` (atomically: the parent may read at any moment); when it was written."""
        scratch = self.path.with_suffix(".tmp")
        scratch.write_text(json.dumps(answers))
        scratch.replace(self.path)
        return time.monotonic()


async def spawn_child(sb: Sandbox, name: str, host: str, port: int) -> ChildProcess:
    child = ChildProcess({**sb.child_env(name, port), "AZURA_BIND_HOST": host})
    child.address = f"{host}:{port}"
    sb.children.append(child)
    child.start()
    await child.wait_serving()
    return child


async def wait_logged(parent: ParentProcess, text: str, timeout: float, since: float) -> float:
    """Seconds from ``since`` until ``text`` appears in the parent's log."""

    async def logged() -> bool:
        return text in parent.log_text()

    await parent.wait_until(logged, timeout, repr(text))
    return time.monotonic() - since


async def play(sb: Sandbox, user: str, channel: Channel, query: str) -> None:
    await sb.discord.user_join_voice(sb.users[user], channel)
    result = await sb.discord.invoke(sb.users[user], sb.guild, sb.text, "play", {"query": query}, timeout_s=10)
    assert not result.text.startswith("⚠️"), result.text


def bot_in(sb: Sandbox, channel: Channel) -> int | None:
    bots = {bot.user_id for bot in sb.discord.world.bots.values()}
    return next((uid for uid in sb.discord.voice_members(channel) if uid in bots), None)


def playing_title(sb: Sandbox, channel: Channel) -> str | None:
    found = [p for p in sb.lavalink.players_truth()
             if p["channel_id"] == str(channel.id) and p["track_title"] and p["session_attached"]]
    return str(found[0]["track_title"]) if len(found) == 1 else None


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="function")
async def test_children_are_linked_and_dropped_as_the_dns_answer_changes(tmp_path: Path) -> None:
    here = non_loopback_ipv4()
    assert is_own_address(here) and not is_own_address("127.0.0.2")
    sb = await Sandbox.start(speed=2.0, voice_channels=2)
    try:
        port = free_port()
        dns = Dns(tmp_path / "dns.json")
        dns.answer({})  # the name does not resolve yet: not fatal
        first = await spawn_child(sb, "kid-a", "127.0.0.2", port)
        second = await spawn_child(sb, "kid-b", "127.0.0.3", port)
        env = {
            **sb.parent_env("parent-token", [], tmp_path / "db.sqlite3"),
            "AZURA_CHILDREN": f"all:{NAME}:{port}",
            "AZURA_INSECURE_LINKS": "1",  # a DNS name counts as beyond loopback
            "AZURA_DISCOVERY_INTERVAL_S": str(INTERVAL_S),
            "AZURA_TEST_DNS_FILE": str(dns.path),
        }
        parent = DiscoveringParent(env)
        sb.children.append(parent)
        parent.start()
        await parent.wait_ready()
        assert f"{NAME} does not resolve" in parent.log_text() and "trying again every 1 s" in parent.log_text()

        # The name appears, with the parent's own address in the answer.
        since = dns.answer({NAME: ["127.0.0.2", here]})
        took = await wait_logged(parent, f"child at {first.address} linked", INTERVAL_S + SLACK_S, since)
        print(f"\nfirst child linked {took:.2f} s after the name resolved (interval {INTERVAL_S:g} s)")
        assert f"{NAME} answers {here}:{port}, an address of this machine" in parent.log_text()
        assert f"child found at {here}" not in parent.log_text()

        # A child added: linked within the re-resolution period.
        since = dns.answer({NAME: ["127.0.0.2", "127.0.0.3", here]})
        took = await wait_logged(parent, f"child at {second.address} linked", INTERVAL_S + SLACK_S, since)
        print(f"added child linked {took:.2f} s after it appeared in the answer (interval {INTERVAL_S:g} s)")
        assert took <= INTERVAL_S + SLACK_S

        # The parent plays in the first channel itself, a child in the second.
        await play(sb, "alice", sb.voices[0], "lofi beats")
        await play(sb, "bob", sb.voices[1], "long drive")
        kids = {sb.discord.world.bots[name].user_id: child for name, child in (("kid-a", first), ("kid-b", second))}
        await sb.discord.wait_for(lambda: bot_in(sb, sb.voices[1]) in kids, 10, "a child in voice-2")
        holder_bot = bot_in(sb, sb.voices[1])
        assert holder_bot is not None
        holder = kids[holder_bot]
        other_bot = next(bot for bot in kids if bot != holder_bot)
        await sb.discord.wait_for(lambda: playing_title(sb, sb.voices[1]), 10, "music in voice-2")
        title = playing_title(sb, sb.voices[1])

        # The child holding that session vanishes from the answer: its session moves to the other child first,
        # then it is dropped. Its process still runs: it stood down, it did not die.
        since = dns.answer({NAME: [a for a in ("127.0.0.2", "127.0.0.3") if a != holder.address.split(":")[0]]})
        await sb.discord.wait_for(lambda: bot_in(sb, sb.voices[1]) == other_bot, INTERVAL_S + 15, "the move")
        moved_s = time.monotonic() - since
        dropped_s = await wait_logged(parent, f"child at {holder.address} dropped", 20, since)
        print(f"removed child: its session moved after {moved_s:.2f} s, the child was dropped after {dropped_s:.2f} s")
        await sb.discord.wait_for(lambda: playing_title(sb, sb.voices[1]) == title, 10, "the same track playing on")
        holder.raise_if_exited()
        log = parent.log_text()
        assert log.index(f"child at {holder.address} is gone from {NAME}'s answer") < log.index(
            f"child at {holder.address} dropped")
        assert "Traceback" not in log, parent.log_tail(80)
    finally:
        await sb.stop()


def test_entries_by_name_and_fixed_ones_are_told_apart() -> None:
    config = ParentConfig.from_env({
        "AZURA_PARENT_TOKEN": "t", "AZURA_CLUSTER_SECRET": "s", "AZURA_INSECURE_LINKS": "1",
        "AZURA_CHILDREN": "child-1:5100, all:child.process.app.internal:5100, unix:/run/c.sock",
    })
    assert config.discovery_interval_s == 15.0
    fixed, names = split_children(config.children)
    assert fixed == ["child-1:5100", "unix:/run/c.sock"]  # a fixed name is dialled as it is: gRPC resolves it
    assert names == [NameEntry("child.process.app.internal", 5100)]
