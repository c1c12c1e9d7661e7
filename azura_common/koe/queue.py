"""The pure queue model: a list of tracks plus a pointer to the current one.

Positions are 1-based and absolute, history included: position 1 is the first track ever queued (until it
is removed), so "skip to 3" and "back 2" mean the same thing whoever asks. The pointer may sit one past
the last entry: the queue has *ended* and nothing is current; enqueueing then makes the first new track
current. No I/O, no Discord, no gRPC; randomness comes from an injected ``random.Random`` so tests are
deterministic. Every method validates first and mutates after, so a raised ``KoeError`` leaves the queue
exactly as it was.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .errors import InvalidArgument, NothingPlaying, QueueIndexError
from .session import (
    EnqueueMode,
    QueueItem,
    QueuePage,
    RemoveAbsent,
    RemoveRange,
    RemoveRequester,
    RemoveTarget,
    RepeatMode,
    Track,
)

_Predicate = Callable[[Track], bool]

__all__ = ["MAX_PAGE", "Queue", "parse_positions", "validate_track"]

MAX_PAGE = 100  # entries per page: a 100k-track queue never travels in one reply

_RANGE = re.compile(r"^\s*(\d+)\s*(?:(?:-|\.\.|–|to)\s*(\d+)\s*)?$")


def parse_positions(text: str) -> RemoveRange:
    """``"5"`` → position 5; ``"3-7"`` (or ``3..7``, ``3 to 7``) → positions 3 to 7 inclusive."""
    match = _RANGE.match(text)
    if match is None:
        raise InvalidArgument(argument="positions", key="koe.not_positions", params={"value": repr(text.strip())})
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) is not None else None
    if end is not None and end < start:
        raise _backwards(start, end)
    return RemoveRange(start, end)


def _backwards(start: int, end: int) -> InvalidArgument:
    return InvalidArgument(argument="positions", key="koe.range_backwards", params={"start": start, "end": end})


def validate_track(track: Track) -> None:
    """Reject trims a player could not honour, before the track enters any queue."""
    if track.start_ms < 0:
        raise InvalidArgument(argument="start_ms", key="koe.start_before_zero")
    if track.end_ms is not None and track.end_ms <= track.start_ms:
        raise InvalidArgument(argument="end_ms", key="koe.end_before_start")
    if not track.is_stream and track.length_ms and track.start_ms >= track.length_ms:
        raise InvalidArgument(argument="start_ms", key="koe.shorter_than_trim", params={"title": repr(track.title)})
    if not track.encoded:
        raise InvalidArgument(argument="encoded", key="koe.no_playable_data", params={"title": repr(track.title)})


class Queue:
    """One session's queue. Not thread-safe: its owner serialises calls (LocalSession holds a lock)."""

    __slots__ = ("_index", "_items", "_rng", "repeat")

    def __init__(
        self,
        tracks: Iterable[Track] = (),
        *,
        current_position: int | None = None,
        repeat: RepeatMode = RepeatMode.NONE,
        rng: random.Random | None = None,
    ) -> None:
        self._items: list[Track] = list(tracks)
        self._rng = rng if rng is not None else random.Random()
        self.repeat = repeat
        if current_position is None:
            self._index = 0
        elif 1 <= current_position <= len(self._items) + 1:
            self._index = current_position - 1
        else:
            raise QueueIndexError(current_position, len(self._items))

    # -- views ---------------------------------------------------------------------------------------

    @property
    def total(self) -> int:
        """Entries in the queue, history included."""
        return len(self._items)

    @property
    def current(self) -> Track | None:
        return self._items[self._index] if self._index < len(self._items) else None

    @property
    def current_position(self) -> int:
        """1-based position of the current track; 0 when nothing is current."""
        return self._index + 1 if self._index < len(self._items) else 0

    @property
    def ended(self) -> bool:
        return self._index >= len(self._items)

    @property
    def upcoming_count(self) -> int:
        return len(self._items) - self._upcoming_start

    @property
    def history_count(self) -> int:
        return min(self._index, len(self._items))

    @property
    def tracks(self) -> tuple[Track, ...]:
        return tuple(self._items)

    def at(self, position: int) -> Track:
        self._check_position(position)
        return self._items[position - 1]

    def history(self, limit: int = 10) -> tuple[QueueItem, ...]:
        """The ``limit`` most recent tracks before the current one, oldest first."""
        end = self.history_count
        start = max(0, end - max(0, limit))
        return tuple(QueueItem(i + 1, self._items[i]) for i in range(start, end))

    def upcoming(self, limit: int = 10) -> tuple[QueueItem, ...]:
        start = self._upcoming_start
        end = min(len(self._items), start + max(0, limit))
        return tuple(QueueItem(i + 1, self._items[i]) for i in range(start, end))

    def page(self, offset: int = 0, limit: int = 25) -> QueuePage:
        """A slice of the whole queue (history, current and upcoming), ``offset`` 0-based."""
        if offset < 0:
            raise InvalidArgument(argument="offset", key="koe.page_before_first")
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidArgument(argument="limit", key="koe.page_size", params={"max": MAX_PAGE})
        end = min(len(self._items), offset + limit)
        items = tuple(QueueItem(i + 1, self._items[i]) for i in range(offset, end))
        return QueuePage(items=items, total=len(self._items), current_position=self.current_position,
                         offset=offset)

    def checkpoint(self) -> tuple[tuple[Track, ...], int]:
        """The whole queue, for undoing an enqueue whose first track failed to start (O(n): use sparingly)."""
        return tuple(self._items), self._index

    def rollback(self, checkpoint: tuple[tuple[Track, ...], int]) -> None:
        self._items = list(checkpoint[0])
        self._index = checkpoint[1]

    def snapshot(self) -> int:
        """A token for ``restore``: the pointer, for undoing a skip whose track failed to start."""
        return self._index

    def restore(self, token: int) -> None:
        self._index = min(max(0, token), len(self._items))

    # -- adding --------------------------------------------------------------------------------------

    def enqueue(
        self,
        tracks: Sequence[Track],
        mode: EnqueueMode = EnqueueMode.FIFO,
        position: int | None = None,
    ) -> tuple[int, ...]:
        """Add ``tracks``; returns their new 1-based positions in the order given.

        ``position`` (an upcoming slot, or one past the end) overrides ``mode``. If the queue had ended,
        the first track now at the pointer becomes current.
        """
        if not tracks:
            raise InvalidArgument(argument="tracks", key="koe.nothing_to_add")
        for track in tracks:
            validate_track(track)
        start = self._upcoming_start
        if position is not None:
            if position > len(self._items) + 1 or position < 1:
                raise QueueIndexError(position, len(self._items))
            if position - 1 < start:
                raise InvalidArgument(argument="position", key="koe.insert_already_played",
                                      params={"position": position, "first": start + 1, "last": len(self._items) + 1})
            return self._insert_block(position - 1, tracks)
        if mode is EnqueueMode.FIFO:
            return self._insert_block(len(self._items), tracks)
        if mode is EnqueueMode.LIFO:
            return self._insert_block(start, tracks)
        if mode is EnqueueMode.RANDOM:
            return self._insert_random(tracks)
        if mode is EnqueueMode.INTERLACE:
            return self._insert_interlaced(tracks)
        # pragma: no cover - enum is closed
        raise InvalidArgument(argument="mode", key="koe.unknown_mode", params={"mode": repr(mode)})

    def _insert_block(self, at: int, tracks: Sequence[Track]) -> tuple[int, ...]:
        self._items[at:at] = tracks
        return tuple(range(at + 1, at + 1 + len(tracks)))

    def _insert_random(self, tracks: Sequence[Track]) -> tuple[int, ...]:
        start = self._upcoming_start
        old = self._items[start:]
        size = len(old) + len(tracks)
        slots = self._rng.sample(range(size), len(tracks))  # slot of tracks[i] in the new upcoming part
        merged: list[Track | None] = [None] * size
        for slot, track in zip(slots, tracks, strict=True):
            merged[slot] = track
        rest = iter(old)
        self._items[start:] = [t if t is not None else next(rest) for t in merged]
        return tuple(start + slot + 1 for slot in slots)

    def _insert_interlaced(self, tracks: Sequence[Track]) -> tuple[int, ...]:
        start = self._upcoming_start
        upcoming = self._items[start:]
        tags = [-1] * len(upcoming)  # tags[i]: index in ``tracks`` of a new entry, -1 for an old one
        by_requester: dict[int, list[int]] = {}
        for i, track in enumerate(tracks):
            by_requester.setdefault(track.requester_id, []).append(i)
        for requester, indexes in by_requester.items():
            upcoming, tags = _interlace(upcoming, tags, requester, [(tracks[i], i) for i in indexes])
        self._items[start:] = upcoming
        positions = [0] * len(tracks)
        for i, tag in enumerate(tags):
            if tag >= 0:
                positions[tag] = start + i + 1
        return tuple(positions)

    # -- moving the pointer --------------------------------------------------------------------------

    def advance(self) -> Track | None:
        """The current track ended by itself: move on as the repeat mode says; returns the new current."""
        if self.ended:
            return None
        if self.repeat is RepeatMode.ONE:
            return self.current
        self._index += 1
        if self._index >= len(self._items) and self.repeat is RepeatMode.ALL:
            self._index = 0
        return self.current

    def skip(self, by: int = 1) -> Track | None:
        """Skip ``by`` tracks (negative goes back). Landing one past the end stops the queue; with repeat
        all the queue wraps around. Repeat one does not hold a skip back."""
        if by == 0:
            raise InvalidArgument(argument="by", key="koe.skip_by_zero")
        if not self._items:
            raise NothingPlaying(key="koe.queue_empty")
        if self.ended and by > 0:
            raise NothingPlaying(key="koe.queue_ended")
        target = self._index + by
        if self.repeat is RepeatMode.ALL and not self.ended:
            target %= len(self._items)
        elif target < 0:
            raise QueueIndexError(target + 1, len(self._items), **_too_far_back(self._index))
        elif target > len(self._items):
            raise QueueIndexError(target + 1, len(self._items))
        self._index = target
        return self.current

    def skip_to(self, position: int) -> Track:
        """Jump to ``position`` (history included)."""
        self._check_position(position)
        self._index = position - 1
        return self._items[self._index]

    def back(self, by: int = 1) -> Track | None:
        if by < 1:
            raise InvalidArgument(argument="by", key="koe.back_by_one_or_more")
        return self.skip(-by)

    # -- editing -------------------------------------------------------------------------------------

    def move(self, from_position: int, to_position: int) -> Track:
        """Move one upcoming entry to another upcoming position; returns the moved track."""
        for position in (from_position, to_position):
            self._check_position(position)
            if position - 1 < self._upcoming_start:
                raise InvalidArgument(argument="position", key="koe.move_already_played", params={
                    "position": position, "first": self._upcoming_start + 1, "last": len(self._items)})
        track = self._items.pop(from_position - 1)
        self._items.insert(to_position - 1, track)
        return track

    def remove(self, target: RemoveTarget) -> tuple[Track, ...]:
        """Remove entries; returns them in queue order."""
        if isinstance(target, RemoveRange):
            return self._remove_range(target)
        if isinstance(target, RemoveRequester):
            return self._remove_upcoming_where(lambda t: t.requester_id == target.user_id)
        if isinstance(target, RemoveAbsent):
            present = target.present_ids
            return self._remove_upcoming_where(lambda t: t.requester_id != 0 and t.requester_id not in present)
        raise InvalidArgument(argument="target", key="koe.unknown_removal", params={"target": repr(target)})

    def _remove_range(self, target: RemoveRange) -> tuple[Track, ...]:
        start = target.start
        end = target.start if target.end is None else target.end
        if end < start:
            raise _backwards(start, end)
        self._check_position(start)
        self._check_position(end)
        if not self.ended and start - 1 <= self._index <= end - 1:
            raise InvalidArgument(argument="positions", key="koe.remove_playing", params={"position": self._index + 1})
        removed = tuple(self._items[start - 1 : end])
        del self._items[start - 1 : end]
        if end - 1 < self._index:  # history shrank: the pointer follows its track
            self._index -= len(removed)
        return removed

    def _remove_upcoming_where(self, doomed: _Predicate) -> tuple[Track, ...]:
        start = self._upcoming_start
        removed: list[Track] = []
        kept: list[Track] = []
        for track in self._items[start:]:
            (removed if doomed(track) else kept).append(track)
        if removed:
            self._items[start:] = kept
        return tuple(removed)

    def shuffle(self) -> None:
        """Shuffle what is upcoming; history and the current track stay put."""
        start = self._upcoming_start
        upcoming = self._items[start:]
        self._rng.shuffle(upcoming)
        self._items[start:] = upcoming

    def clear(self) -> tuple[Track, ...]:
        """Remove every upcoming entry; the current track stays."""
        start = self._upcoming_start
        removed = tuple(self._items[start:])
        del self._items[start:]
        return removed

    def stop(self) -> tuple[Track, ...]:
        """Clear what is upcoming and end the queue; the track that was playing joins the history."""
        removed = self.clear()
        self._index = len(self._items)
        return removed

    # -- helpers -------------------------------------------------------------------------------------

    @property
    def _upcoming_start(self) -> int:
        return min(self._index + 1, len(self._items))

    def _check_position(self, position: int) -> None:
        if not 1 <= position <= len(self._items):
            raise QueueIndexError(position, len(self._items))


def _too_far_back(earlier: int) -> dict[str, Any]:
    """The sentence (as ``key`` and ``params``) of a skip back past the first track."""
    if earlier == 0:
        return {"key": "koe.first_track"}
    if earlier == 1:
        return {"key": "koe.back_at_most_one"}
    return {"key": "koe.back_at_most", "params": {"earlier": earlier}}


def _interlace(
    upcoming: list[Track], tags: list[int], requester: int, new: list[tuple[Track, int]]
) -> tuple[list[Track], list[int]]:
    """Fair insert of one requester's tracks, in one pass: their k-th upcoming track goes right after
    the point where every other requester has had k upcoming tracks (or all of theirs)."""
    seen: dict[int, int] = {}
    reach: list[int] = []  # reach[k-1]: last index where another requester has its k-th track
    own = 0
    last_own = -1
    for i, track in enumerate(upcoming):
        if track.requester_id == requester:
            own += 1
            last_own = i
            continue
        k = seen.get(track.requester_id, 0) + 1
        seen[track.requester_id] = k
        if k > len(reach):
            reach.append(i)
        elif i > reach[k - 1]:
            reach[k - 1] = i
    for k in range(1, len(reach)):  # whoever has fewer than k tracks has had all of theirs by then
        reach[k] = max(reach[k], reach[k - 1])
    after: list[int] = []  # index in ``upcoming`` after which each new track goes (-1: before all)
    floor = last_own
    for j in range(len(new)):
        k = own + j + 1
        floor = max(floor, reach[k - 1] if k <= len(reach) else len(upcoming) - 1)
        after.append(floor)
    merged: list[Track] = []
    merged_tags: list[int] = []
    j = 0
    for i in range(-1, len(upcoming)):
        if i >= 0:
            merged.append(upcoming[i])
            merged_tags.append(tags[i])
        while j < len(new) and after[j] == i:
            merged.append(new[j][0])
            merged_tags.append(new[j][1])
            j += 1
    return merged, merged_tags
