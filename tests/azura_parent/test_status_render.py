"""What /status reads like, from a summary of the cluster (pure)."""

from __future__ import annotations

import pytest

from azura_common.rules.limits import MESSAGE_CHARS
from azura_parent.cluster_status import BotStatus, ClusterStatus, NodeStatus, format_uptime, render_status


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (59.9, "59s"), (249, "4m 09s"), (7500, "2h 05m"), (3 * 86_400 + 4 * 3600 + 59, "3d 4h"), (-3, "0s"),
])
def test_uptime_shows_its_two_largest_units(seconds: float, text: str) -> None:
    assert format_uptime(seconds) == text


def test_every_bot_its_sessions_and_round_trip_the_waiting_sessions_and_every_node() -> None:
    status = ClusterStatus(
        bots=(BotStatus("parent", 900, up=True, sessions=1),
              BotStatus("127.0.0.1:5001", 901, up=True, sessions=2, rtt_ms=0.43),
              BotStatus("127.0.0.1:5002", 902, up=False, sessions=0),
              BotStatus("127.0.0.1:5003", 903, up=True, sessions=1, rtt_ms=1.0, stopping=True)),
        nodes=(NodeStatus("http://lava:2333", up=True, players=5, playing=4, cpu=0.123),
               NodeStatus("http://lava-eu:2333", up=False)),
        parked=1, uptime_s=7500,
    )
    assert render_status(status).splitlines() == [
        "📊 **Azura status** · up 2h 05m · 5 sessions",
        "**Bots** (3/4 up)",
        "🟢 parent <@900> · 1 session",
        "🟢 child `127.0.0.1:5001` <@901> · 2 sessions · link 0.4 ms",
        "🔴 child `127.0.0.1:5002` <@902> · offline",
        "🟢 child `127.0.0.1:5003` <@903> · 1 session · link 1.0 ms · stopping",
        "⏸ 1 session waiting for a free bot",
        "**Lavalink**",
        "🟢 `http://lava:2333` · 5 players (4 playing) · CPU 12%",
        "🔴 `http://lava-eu:2333` · down",
    ]


def test_a_child_never_heard_from_and_a_node_without_stats_say_so() -> None:
    status = ClusterStatus((BotStatus("parent", 900, True, 0), BotStatus("kid:1", 0, False, 0)),
                           (NodeStatus("http://lava:2333", up=True),), parked=0, uptime_s=12)
    text = render_status(status)
    assert "🔴 child `kid:1` (not logged in) · offline" in text
    assert "🟢 `http://lava:2333` · no stats yet" in text
    assert "waiting for a free bot" not in text and "0 sessions" in text


def test_a_huge_cluster_still_fits_one_message() -> None:
    bots = tuple(BotStatus(f"child-{i}.azura.internal:5001", 10**17 + i, True, i, 0.5) for i in range(400))
    text = render_status(ClusterStatus(bots, (), parked=0, uptime_s=1))
    assert len(text) <= MESSAGE_CHARS and text.startswith("📊 **Azura status**")
