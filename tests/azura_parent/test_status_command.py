"""``/status`` as an admin sees it: the handler on the real Koe of the command tests' world, with the children's
Links and the Lavalink node as small stand-ins (their states are what is shown)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from command_fakes import FakeInteraction, World, invoke, world

from azura_common.koe.local.node_choice import NodeLoad
from azura_parent.commands.status import ADMINS_ONLY, StatusCommands

__all__ = ["world"]


@dataclass
class Link:
    address: str
    bot_user_id: int
    up: bool = True
    rtt_ms: float | None = None
    draining_until: float | None = None


@dataclass
class Children:
    links: Sequence[Link] = field(default_factory=list)


@dataclass
class Node:
    identifier: str = "azura-parent"
    uri: str = "http://127.0.0.1:2333"
    serving: bool = True
    load: NodeLoad | None = None


@dataclass
class Nodes:
    nodes: Sequence[Node]
    identifier: str = "azura-parent"


@dataclass
class User:
    id: int


class Cluster:
    """The parent as /status reads it: the world's Koe, its children's links, its node."""

    def __init__(self, world: World, links: Sequence[Link], node: Node) -> None:
        self.koe = world.koe
        self.children = Children(links)
        self.lavalink = Nodes([node])
        self.user: Any = User(9000)


async def run_status(cluster: Cluster, interaction: FakeInteraction) -> str:
    command = StatusCommands(cluster).get_app_commands()[0]
    await invoke(command, interaction)  # type: ignore[arg-type]
    assert interaction.private, f"public: {interaction.text!r}"
    return interaction.text


async def test_an_admin_sees_each_bot_with_the_sessions_it_plays(world: World) -> None:
    kid = Link("127.0.0.1:5001", 9001, rtt_ms=0.42)
    cluster = Cluster(world, [kid, Link("127.0.0.1:5002", 9002, up=False)],
                      Node(load=NodeLoad(players=3, playing_players=2, system_load=0.1, lavalink_load=0.05)))
    await world.playing(world.room)  # the parent's own channel
    for room in (world.voice_channel("two"), world.voice_channel("three")):
        session = await world.playing(room)
        session.bot_id = 9001  # type: ignore[attr-defined]  # FakeChildren's sessions play on a child
    admin = world.member("ada", manage_guild=True)
    text = await run_status(cluster, FakeInteraction(admin))
    lines = text.splitlines()
    assert lines[0].startswith("📊 **Azura status** · up ") and lines[0].endswith(" · 3 sessions")
    assert lines[1:] == [
        "**Bots** (2/3 up)",
        "🟢 parent <@9000> · 1 session",
        "🟢 child `127.0.0.1:5001` <@9001> · 2 sessions · link 0.4 ms",
        "🔴 child `127.0.0.1:5002` <@9002> · offline",
        "**Lavalink**",
        "🟢 `http://127.0.0.1:2333` · 3 players (2 playing) · CPU 5%",
    ]


async def test_a_member_without_manage_server_is_refused_and_sees_nothing(world: World) -> None:
    cluster = Cluster(world, [Link("127.0.0.1:5001", 9001)], Node())
    member = world.member("bob")
    text = await run_status(cluster, FakeInteraction(member))
    assert text == f"⚠️ {ADMINS_ONLY}"
