"""The link keeper's rules, on an in-memory link (the real websocket is exercised in test_lavalink_loss.py):
when a loss counts, when sessions are replayed, and that commands wait for the replay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from azura_common.koe.local.keeper import LinkDown, LinkKeeper
from azura_common.supervised import wait_set
from azura_sandbox.waiting import eventually


class MemoryLink:
    """A link whose Lavalink is a few fields: up or not, and which session id it gives."""

    def __init__(self) -> None:
        self.lavalink_up = True
        self.next_session = "s1"
        self.session_id = ""
        self.is_open = False
        self.opens = 0
        self.dies_on_open = False  # Lavalink accepts, then drops us straight away
        self._closed = asyncio.Event()

    async def open(self, timeout_s: float) -> None:
        self.opens += 1
        if not self.lavalink_up:
            raise LinkDown("connection refused")
        self.session_id, self.is_open = self.next_session, not self.dies_on_open
        self._closed.clear()

    async def wait_closed(self, timeout_s: float) -> None:
        await wait_set(self._closed, timeout_s)

    def drop(self, *, lavalink_up: bool = True, new_session: str | None = None) -> None:
        self.is_open, self.lavalink_up = False, lavalink_up
        if new_session is not None:
            self.next_session = new_session
        self._closed.set()


Kept = tuple[LinkKeeper, MemoryLink, list[tuple[bool, bool]]]


async def up(keeper: LinkKeeper) -> None:
    await eventually(lambda: keeper.up, timeout=2, what="the keeper up", poll_s=0.005)


@pytest.fixture
async def kept() -> AsyncIterator[Kept]:
    """A running keeper, up on its first session; and what it restored, as (resumed, up while restoring)."""
    link = MemoryLink()
    restored: list[tuple[bool, bool]] = []
    keeper = LinkKeeper(link, check_s=0.02)

    async def on_restored(resumed: bool) -> None:
        restored.append((resumed, keeper.up))

    keeper.on_restored = on_restored
    task = asyncio.create_task(keeper.run())
    try:
        await up(keeper)
        yield keeper, link, restored
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_the_first_connection_restores_nothing_and_a_drop_is_noticed_at_once(kept: Kept) -> None:
    keeper, link, restored = kept
    assert restored == [] and keeper.down_for() is None
    link.drop(lavalink_up=False)
    await eventually(lambda: not keeper.up, timeout=0.5, what="the loss noticed", poll_s=0.005)
    await asyncio.sleep(0.1)
    assert link.opens >= 3 and not keeper.up and (keeper.down_for() or 0) >= 0.1  # retried every check_s
    link.lavalink_up = True
    await up(keeper)
    assert restored == [(True, False)]  # same session id: resumed; commands still refused meanwhile
    assert keeper.down_for() is None and keeper.outages[-1].resumed and keeper.outages[-1].lasted_s >= 0.1


async def test_a_new_session_means_replay_before_serving(kept: Kept) -> None:
    keeper, link, restored = kept
    link.drop(new_session="s2")
    await eventually(lambda: keeper.up and restored, timeout=2, what="the replay", poll_s=0.005)
    assert restored == [(False, False)] and not keeper.outages[-1].resumed


async def test_a_link_that_opens_and_dies_at_once_is_retried_at_the_check_pace(kept: Kept) -> None:
    keeper, link, _ = kept
    link.dies_on_open = True
    link.drop()
    opens_before = link.opens
    await asyncio.sleep(0.2)
    flaps = link.opens - opens_before
    assert not keeper.up and 5 <= flaps <= 0.2 / 0.02 + 2, flaps


async def test_a_restore_cut_short_by_another_loss_is_done_again(kept: Kept) -> None:
    keeper, link, restored = kept
    first = keeper.on_restored
    assert first is not None

    async def lost_while_restoring(resumed: bool) -> None:
        await first(resumed)
        if len(restored) == 1:
            link.drop()  # gone again before every session was put back; it then resumes this new session

    keeper.on_restored = lost_while_restoring
    link.drop(new_session="s2")
    await eventually(lambda: keeper.up and len(restored) == 2, timeout=2, what="the second restore", poll_s=0.005)
    assert restored == [(False, False), (False, False)]  # the resumed "s2" is still replayed in full
