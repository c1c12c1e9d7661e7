"""The link keeper's rules, on an in-memory link (the real websocket is exercised in test_lavalink_loss.py):
when a loss counts, when sessions are replayed, and that commands wait for the replay."""

from __future__ import annotations

import asyncio

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
        self._closed = asyncio.Event()

    async def open(self, timeout_s: float) -> None:
        self.opens += 1
        if not self.lavalink_up:
            raise LinkDown("connection refused")
        self.session_id, self.is_open = self.next_session, True
        self._closed.clear()

    async def wait_closed(self, timeout_s: float) -> None:
        await wait_set(self._closed, timeout_s)

    def drop(self, *, lavalink_up: bool = True, new_session: str | None = None) -> None:
        self.is_open, self.lavalink_up = False, lavalink_up
        if new_session is not None:
            self.next_session = new_session
        self._closed.set()


@pytest.fixture
async def keeper() -> tuple[LinkKeeper, MemoryLink, list[tuple[bool, bool]]]:
    link = MemoryLink()
    restored: list[tuple[bool, bool]] = []  # (resumed, whether the keeper said "up" while restoring)
    keeper = LinkKeeper(link, check_s=0.02)

    async def on_restored(resumed: bool) -> None:
        restored.append((resumed, keeper.up))

    keeper.on_restored = on_restored
    return keeper, link, restored


async def test_the_first_connection_restores_nothing_and_a_drop_is_noticed_at_once(
    keeper: tuple[LinkKeeper, MemoryLink, list[tuple[bool, bool]]],
) -> None:
    k, link, restored = keeper
    task = asyncio.create_task(k.run())
    try:
        await eventually(lambda: k.up, timeout=2, what="the keeper", poll_s=0.005)
        assert restored == [] and k.down_for() is None
        link.drop(lavalink_up=False)
        await eventually(lambda: not k.up, timeout=0.5, what="the keeper", poll_s=0.005)
        await asyncio.sleep(0.1)
        assert link.opens >= 3 and not k.up and (k.down_for() or 0) >= 0.1  # retried every check_s
        link.lavalink_up = True
        await eventually(lambda: k.up, timeout=2, what="the keeper", poll_s=0.005)
        assert restored == [(True, False)]  # same session id: resumed; commands still refused meanwhile
        assert k.down_for() is None and k.outages[-1].resumed and k.outages[-1].lasted_s >= 0.1
    finally:
        task.cancel()


async def test_a_new_session_means_replay_before_serving(
    keeper: tuple[LinkKeeper, MemoryLink, list[tuple[bool, bool]]],
) -> None:
    k, link, restored = keeper
    task = asyncio.create_task(k.run())
    try:
        await eventually(lambda: k.up, timeout=2, what="the keeper", poll_s=0.005)
        link.drop(new_session="s2")
        await eventually(lambda: k.up and restored, timeout=2, what="the keeper", poll_s=0.005)
        assert restored == [(False, False)] and not k.outages[-1].resumed
    finally:
        task.cancel()
