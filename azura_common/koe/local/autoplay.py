"""Autoplay on this process's Lavalink: when a ``LocalSession``'s queue runs out, look related tracks up in the
background and hand them to the session. What to ask and what may play is ``koe.autoplay``'s (pure).

The lookup is one owned task per session (a new one replaces the old, ``cancel`` on the session's end), so a
slow Lavalink never holds the session's lock: commands keep working while it looks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from ..autoplay import AUTOPLAY_REQUESTER_ID, pick_related, related_queries
from ..errors import KoeError
from ..session import Track

__all__ = ["AUTOPLAY_LOOKUP_TIMEOUT_S", "AutoplayLookup", "RelatedFinder", "TrackLoader", "related_finder"]

log = logging.getLogger(__name__)

AUTOPLAY_LOOKUP_TIMEOUT_S = 12.0  # each query; above Lavalink's own call timeout (10 s) so that one speaks first

RelatedFinder = Callable[[Track, Sequence[Track]], Awaitable[tuple[Track, ...]]]
"""``(seed, history)`` → related tracks eligible to play next (none: autoplay has nothing to add)."""


class _Found(Protocol):
    @property
    def tracks(self) -> tuple[Track, ...]: ...


class TrackLoader(Protocol):
    """What autoplay needs of a Lavalink (``local.lavalink.Lavalink``)."""

    async def load(self, identifier: str, requester_id: int = 0) -> tuple[Track, ...]: ...

    async def search(self, query: str, requester_id: int = 0) -> _Found: ...


def related_finder(lavalink: TrackLoader) -> RelatedFinder:
    """Related tracks through ``lavalink``: each of ``related_queries`` in turn until one gives eligible tracks.
    A query that fails (no such source, Lavalink away, too slow) is passed over."""

    async def find(seed: Track, history: Sequence[Track]) -> tuple[Track, ...]:
        for query in related_queries(seed):
            try:
                if query.as_is:
                    tracks = await asyncio.wait_for(lavalink.load(query.text, AUTOPLAY_REQUESTER_ID),
                                                    AUTOPLAY_LOOKUP_TIMEOUT_S)
                else:
                    found = await asyncio.wait_for(lavalink.search(query.text, AUTOPLAY_REQUESTER_ID),
                                                   AUTOPLAY_LOOKUP_TIMEOUT_S)
                    tracks = found.tracks
            except (KoeError, TimeoutError) as exc:
                log.info("autoplay: %r gave nothing: %s", query.text, exc)
                continue
            picked = pick_related(tracks, history)
            if picked:
                return picked
        return ()

    return find


Deliver = Callable[[tuple[Track, ...]], Awaitable[None]]


class AutoplayLookup:
    """One session's background lookup of related tracks."""

    def __init__(self, find: RelatedFinder, name: str) -> None:
        self._find = find
        self._name = name
        self._task: asyncio.Task[None] | None = None

    def start(self, seed: Track, history: Sequence[Track], deliver: Deliver) -> None:
        """Look tracks related to ``seed`` up and ``deliver`` them (not when none are eligible). One at a time:
        a lookup still running is left to finish."""
        if self._task is not None and not self._task.done():
            return
        self._task = asyncio.create_task(self._run(seed, tuple(history), deliver), name=self._name)

    async def _run(self, seed: Track, history: Sequence[Track], deliver: Deliver) -> None:
        try:
            tracks = await self._find(seed, history)
            if tracks:
                await deliver(tracks)
            else:
                log.info("autoplay: nothing related to %r that did not play lately", seed.title)
        except KoeError as exc:
            log.warning("autoplay: related tracks of %r did not start: %s", seed.title, exc)
        except Exception:  # a bug or a surprise in the lookup must not end autoplay silently: log it, play on
            log.exception("autoplay: looking up tracks related to %r failed", seed.title)

    async def cancel(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
