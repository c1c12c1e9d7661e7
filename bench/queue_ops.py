"""Queue operations on a 100k-track queue, side by side with naive versions of the same operations.

    .venv/bin/python bench/queue_ops.py

Prints the median time of each operation and the ratio naive / Koe's queue, measured in one run (this
machine is shared: compare ratios, not absolute times). Goals: skip/move/remove ≤ 1 ms, enqueue of 10k
tracks (FIFO and INTERLACE) ≤ 50 ms, shuffle of 100k ≤ 100 ms.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from azura_common.koe.queue import Queue
from azura_common.koe.session import EnqueueMode, RemoveRange, RemoveRequester, Track

SIZE = 100_000
BATCH = 10_000


def make_tracks(n: int, requesters: int, tag: str) -> list[Track]:
    return [Track(encoded=f"{tag}{i}", title=f"{tag}{i}", length_ms=200_000, requester_id=1 + i % requesters)
            for i in range(n)]


def fresh() -> Queue:
    q = Queue(make_tracks(SIZE, 5, "t"), current_position=SIZE // 2, rng=random.Random(1))
    return q


def naive_interlace(items: list[Track], start: int, new: list[Track]) -> None:
    """The obvious version: for each new track, rescan from the start for its slot and list.insert it."""
    requester = new[0].requester_id
    for k, track in enumerate(new, start=1):
        seen: dict[int, int] = {}
        slot = len(items)
        for i in range(start, len(items)):
            r = items[i].requester_id
            if r == requester:
                continue
            seen[r] = seen.get(r, 0) + 1
            if seen[r] > k and all(v >= k for v in seen.values()):
                slot = i
                break
        items.insert(slot, track)


def timed(setup: Callable[[], object], op: Callable[[object], object], reps: int) -> float:
    samples = []
    for _ in range(reps):
        state = setup()
        t0 = time.perf_counter()
        op(state)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


def main() -> None:
    batch = make_tracks(BATCH, 1, "n")
    small = make_tracks(300, 1, "s")  # the naive interlace is quadratic: measure it on 300 tracks
    rows: list[tuple[str, float, float | None, float]] = []

    def add(name: str, ours: float, naive: float | None, goal: float) -> None:
        rows.append((name, ours, naive, goal))

    add("skip +1", timed(fresh, lambda q: q.skip(1), 15),  # type: ignore[attr-defined]
        timed(fresh, lambda q: list(q.tracks), 15), 1)  # naive: a copy of the queue per skip  # type: ignore[attr-defined]
    add("move", timed(fresh, lambda q: q.move(SIZE - 1, SIZE // 2 + 2), 15), None, 1)  # type: ignore[attr-defined]
    add("remove position", timed(fresh, lambda q: q.remove(RemoveRange(SIZE - 10)), 15), None, 1)  # type: ignore[attr-defined]
    add("remove requester (upcoming 50k)", timed(fresh, lambda q: q.remove(RemoveRequester(3)), 7), None, 50)  # type: ignore[attr-defined]
    add("enqueue 10k FIFO", timed(fresh, lambda q: q.enqueue(batch), 7),  # type: ignore[attr-defined]
        timed(lambda: list(fresh().tracks), lambda items: [items.append(t) for t in batch], 7), 50)  # type: ignore[attr-defined]
    add("enqueue 10k INTERLACE", timed(fresh, lambda q: q.enqueue(batch, EnqueueMode.INTERLACE), 7), None, 50)  # type: ignore[attr-defined]
    ours_small = timed(fresh, lambda q: q.enqueue(small, EnqueueMode.INTERLACE), 5)  # type: ignore[attr-defined]
    naive_small = timed(lambda: list(fresh().tracks), lambda items: naive_interlace(items, SIZE // 2, small), 3)  # type: ignore[arg-type]
    add("enqueue 300 INTERLACE", ours_small, naive_small, 50)
    add("shuffle 50k upcoming", timed(fresh, lambda q: q.shuffle(), 7), None, 100)  # type: ignore[attr-defined]
    add("shuffle 100k upcoming", timed(lambda: Queue(make_tracks(SIZE + 1, 5, "t"), rng=random.Random(1)),
                                       lambda q: q.shuffle(), 5), None, 100)  # type: ignore[attr-defined]
    add("page of 25", timed(fresh, lambda q: q.page(SIZE - 30, 25), 15),  # type: ignore[attr-defined]
        timed(fresh, lambda q: list(q.tracks)[SIZE - 30 : SIZE - 5], 15), 1)  # type: ignore[attr-defined]

    print(f"queue of {SIZE:,} tracks, current at {SIZE // 2:,}")
    print(f"{'operation':34} {'ours ms':>9} {'naive ms':>9} {'naive/ours':>10} {'goal ms':>8}  ok")
    failed = False
    for name, ours, naive, goal in rows:
        ratio = f"{naive / ours:10.1f}" if naive else f"{'-':>10}"
        naive_text = f"{naive:9.3f}" if naive else f"{'-':>9}"
        ok = ours <= goal
        failed |= not ok
        print(f"{name:34} {ours:9.3f} {naive_text} {ratio} {goal:8}  {'yes' if ok else 'NO'}")
    if failed:
        print("some goals missed (on a loaded machine, re-run before concluding)")


if __name__ == "__main__":
    main()
