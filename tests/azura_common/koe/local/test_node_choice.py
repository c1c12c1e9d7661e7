"""Which Lavalink node a new session goes to (``node_choice``): load, region, health, ties."""

from __future__ import annotations

import pytest

from azura_common.koe.local.node_choice import (
    NodeLoad,
    NodeView,
    choose_node,
    cpu_penalty,
    frame_penalty,
    penalty,
    region_matches,
    voice_region,
)


def load(playing: int = 0, system: float = 0.0, lavalink: float = 0.0, deficit: int | None = None,
         nulled: int | None = None) -> NodeLoad:
    return NodeLoad(players=playing, playing_players=playing, system_load=system, lavalink_load=lavalink,
                    frames_deficit=deficit, frames_nulled=nulled)


def node(name: str, *, healthy: bool = True, region: str = "", reported: NodeLoad | None = None,
         started: int = 0) -> NodeView:
    return NodeView(name, healthy, region, reported if reported is not None else load(), started)


def chosen(nodes: list[NodeView], region: str | None = None) -> str | None:
    found = choose_node(nodes, region)
    return found.name if found is not None else None


# -- the penalty ------------------------------------------------------------------------------------------


def test_the_cpu_penalty_is_lavalink_client_s_curve() -> None:
    assert cpu_penalty(load(system=0.0)) == 0
    assert cpu_penalty(load(system=0.5)) == pytest.approx(1.05 ** 50 * 10 - 10)  # ~104.7
    assert cpu_penalty(load(system=1.0)) == pytest.approx(1.05 ** 100 * 10 - 10)  # ~1,305
    assert cpu_penalty(load(system=0.1, lavalink=0.3)) == cpu_penalty(load(system=0.3))  # the larger of the two


def test_frames_weigh_only_when_reported_and_nulled_frames_weigh_more() -> None:
    assert frame_penalty(load(deficit=None, nulled=None)) == 0
    assert frame_penalty(load(deficit=0, nulled=0)) == 0
    deficit_only, nulled_only = frame_penalty(load(deficit=300, nulled=0)), frame_penalty(load(deficit=0, nulled=300))
    assert deficit_only == pytest.approx(1.03 ** 50 * 600 - 600)
    assert nulled_only == pytest.approx((1.03 ** 50 * 300 - 300) * 2)
    assert 0 < deficit_only == pytest.approx(nulled_only)  # 300 × 2 per frame lost either way


def test_players_started_since_the_report_count_until_the_next() -> None:
    assert penalty(node("a", reported=load(playing=3), started=2)) == 5
    assert penalty(node("a", reported=load(playing=1), started=-3)) == 0  # moved away: never below nothing
    assert penalty(NodeView("fresh", True, started_since_report=2)) == 2  # no report yet


# -- the choice -------------------------------------------------------------------------------------------


def test_the_least_loaded_healthy_node_takes_the_session() -> None:
    assert chosen([node("a", reported=load(playing=4)), node("b", reported=load(playing=1))]) == "b"
    assert chosen([node("a", reported=load(playing=4)), node("b", reported=load(playing=1), started=4)]) == "a"


def test_a_busy_cpu_outweighs_players() -> None:
    busy = node("a", reported=load(playing=0, system=0.9))
    assert chosen([busy, node("b", reported=load(playing=30, system=0.1))]) == "b"


def test_dropped_frames_outweigh_a_few_players() -> None:
    choking = node("a", reported=load(playing=1, deficit=600, nulled=300))
    assert chosen([choking, node("b", reported=load(playing=10))]) == "b"


def test_unhealthy_nodes_never_take_a_session() -> None:
    idle_but_down = node("a", healthy=False)
    assert chosen([idle_but_down, node("b", reported=load(playing=50, system=0.8))]) == "b"
    assert chosen([idle_but_down, node("b", healthy=False)]) is None
    assert chosen([]) is None


def test_ties_go_to_the_node_configured_first() -> None:
    assert chosen([node("a"), node("b"), node("c")]) == "a"
    assert chosen([node("b"), node("a")]) == "b"
    assert chosen([node("a", reported=load(playing=2)), node("b", reported=load(playing=1), started=1),
                   node("c", reported=load(playing=2))]) == "a"


def test_the_voice_region_s_nodes_are_preferred_even_when_busier() -> None:
    nodes = [node("eu", region="eu"), node("us", region="us-east", reported=load(playing=20, system=0.4))]
    assert chosen(nodes, "us-east") == "us"
    assert chosen(nodes, "eu-west") == "eu"  # a node of "eu" serves eu-west
    assert chosen(nodes, None) == "eu"  # region unknown: by load alone


def test_among_the_region_s_nodes_the_least_loaded_wins() -> None:
    nodes = [node("us1", region="us-east", reported=load(playing=5)), node("eu", region="eu"),
             node("us2", region="us-east", reported=load(playing=2))]
    assert chosen(nodes, "us-east") == "us2"


def test_no_healthy_node_of_the_region_falls_back_to_any_healthy_node() -> None:
    nodes = [node("us", region="us-east", healthy=False), node("eu", region="eu", reported=load(playing=3)),
             node("any", reported=load(playing=1))]
    assert chosen(nodes, "us-east") == "any"
    assert chosen(nodes, "japan") == "any"


def test_a_region_matches_itself_or_a_prefix_of_whole_parts() -> None:
    assert region_matches("us-east", "us-east") and region_matches("us", "us-east")
    assert not region_matches("us-e", "us-east") and not region_matches("us-east", "us")
    assert not region_matches("", "us-east")


@pytest.mark.parametrize(("endpoint", "region"), [
    ("us-east1234.discord.media:443", "us-east"),
    ("us-east1234.discord.media", "us-east"),
    ("rotterdam42.discord.media:443", "rotterdam"),
    ("JAPAN7.discord.media:443", "japan"),
    ("wss://eu-central5.discord.media:443", "eu-central"),
    ("127.0.0.1:443", None),
    ("", None),
    (None, None),
])
def test_the_voice_region_comes_from_discord_s_voice_server_endpoint(endpoint: str | None,
                                                                    region: str | None) -> None:
    assert voice_region(endpoint) == region
