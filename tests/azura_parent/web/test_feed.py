"""The live feed: a burst of pokes is one read, shared by every watcher of that server; an ended session is None."""

from __future__ import annotations

import asyncio

from azura_common.koe.effects import Effects
from azura_parent.web.cards import Card
from azura_parent.web.feed import SessionFeed


def card(channel_id: int, volume: int) -> Card:
    return Card(guild_id=1, channel_id=channel_id, channel_name="room", bot_id=9, bot_name="azura", current=None,
                position_ms=0, read_at_ms=0, paused=False, volume=volume, repeat="none", upcoming=(), more=0,
                total=0, effects=Effects(), autoplay=False)


async def test_a_burst_of_pokes_is_read_once_for_every_watcher_of_the_server() -> None:
    volumes = {10: 50}
    reads: list[int] = []

    async def read(channel_id: int) -> Card | None:
        reads.append(channel_id)
        return card(channel_id, volumes[channel_id]) if channel_id in volumes else None

    feed = SessionFeed(read, lambda channel_id: 1 if channel_id in volumes else None)
    watchers = [feed.subscribe(1), feed.subscribe(1)]
    elsewhere = feed.subscribe(2)
    for _ in range(5):
        feed.poke(10)
    events = [await asyncio.wait_for(w.events.get(), 2) for w in watchers]
    assert reads == [10]
    assert all(e.card is not None and e.card.volume == 50 for e in events)
    assert elsewhere.events.empty()

    del volumes[10]  # the session ended: its watchers are told once more, with no card
    feed.poke(10)
    ended = await asyncio.wait_for(watchers[0].events.get(), 2)
    assert ended.channel_id == 10 and ended.card is None
    for w in (*watchers, elsewhere):
        w.close()
    feed.poke(10)  # nobody watches: nothing is read
    await asyncio.sleep(0.1)
    assert reads == [10, 10]
    await feed.close()
