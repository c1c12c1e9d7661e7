"""The queue model as a user meets it: positions, the current track, and errors that change nothing."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azura_common.koe.errors import InvalidArgument, KoeError, NothingPlaying, QueueIndexError
from azura_common.koe.queue import MAX_PAGE, Queue, parse_positions
from azura_common.koe.session import (
    EnqueueMode,
    RemoveAbsent,
    RemoveRange,
    RemoveRequester,
    RepeatMode,
    Track,
)


def track(name: str, requester: int = 1, **kw: object) -> Track:
    return Track(encoded=f"enc-{name}", title=name, length_ms=180_000, requester_id=requester, **kw)  # type: ignore[arg-type]


def tracks(*names: str, requester: int = 1) -> list[Track]:
    return [track(n, requester) for n in names]


def titles(q: Queue) -> list[str]:
    return [t.title for t in q.tracks]


def queue_of(*names: str, current: int = 1, repeat: RepeatMode = RepeatMode.NONE) -> Queue:
    return Queue(tracks(*names), current_position=current, repeat=repeat, rng=random.Random(7))


def unchanged(q: Queue) -> tuple[list[str], int, RepeatMode]:
    return titles(q), q.current_position, q.repeat


def assert_fails_unchanged(q: Queue, error: type[KoeError], call: object, *args: object) -> KoeError:
    before = unchanged(q)
    with pytest.raises(error) as info:
        call(*args)  # type: ignore[operator]
    assert unchanged(q) == before
    return info.value


# -- enqueue -----------------------------------------------------------------------------------------


def test_first_enqueue_makes_the_first_track_current() -> None:
    q = Queue()
    assert q.current is None and q.current_position == 0
    assert q.enqueue(tracks("a", "b")) == (1, 2)
    assert q.current is not None and q.current.title == "a"
    assert q.current_position == 1 and q.upcoming_count == 1


def test_fifo_appends_after_everything() -> None:
    q = queue_of("a", "b", "c")
    assert q.enqueue(tracks("d", "e")) == (4, 5)
    assert titles(q) == ["a", "b", "c", "d", "e"]


def test_lifo_plays_next_in_the_order_given() -> None:
    q = queue_of("a", "b", "c", current=2)
    assert q.enqueue(tracks("x", "y"), EnqueueMode.LIFO) == (3, 4)
    assert titles(q) == ["a", "b", "x", "y", "c"]
    assert q.current is not None and q.current.title == "b"


def test_explicit_position_overrides_mode() -> None:
    q = queue_of("a", "b", "c")
    assert q.enqueue(tracks("x"), EnqueueMode.LIFO, position=3) == (3,)
    assert titles(q) == ["a", "b", "x", "c"]
    assert q.enqueue(tracks("z"), position=5) == (5,)  # one past the end is allowed
    assert titles(q)[-1] == "z"


def test_explicit_position_errors_change_nothing() -> None:
    q = queue_of("a", "b", "c", current=2)
    err = assert_fails_unchanged(q, QueueIndexError, q.enqueue, tracks("x"), EnqueueMode.FIFO, 9)
    assert str(err) == "Position 9 is past the end of the queue (3 tracks)."
    err = assert_fails_unchanged(q, InvalidArgument, q.enqueue, tracks("x"), EnqueueMode.FIFO, 2)
    assert "already played or playing" in str(err) and "3 to 4" in str(err)
    assert_fails_unchanged(q, QueueIndexError, q.enqueue, tracks("x"), EnqueueMode.FIFO, 0)
    assert_fails_unchanged(q, InvalidArgument, q.enqueue, [])


def test_bad_trims_are_rejected() -> None:
    q = queue_of("a")
    bad = [
        track("neg", start_ms=-1),
        track("backwards", start_ms=5000, end_ms=4000),
        track("late", start_ms=200_000),
        Track(encoded="", title="empty"),
    ]
    for t in bad:
        assert_fails_unchanged(q, InvalidArgument, q.enqueue, [track("fine"), t])


def test_trims_are_carried_on_the_entry() -> None:
    q = Queue()
    q.enqueue([track("a", start_ms=10_000, end_ms=70_000)])
    assert q.current is not None
    assert (q.current.start_ms, q.current.end_ms, q.current.play_length_ms) == (10_000, 70_000, 60_000)


def test_random_keeps_history_and_current_in_place() -> None:
    q = queue_of("a", "b", "c", "d", current=2)
    positions = q.enqueue(tracks("x", "y", "z"), EnqueueMode.RANDOM)
    assert titles(q)[:2] == ["a", "b"]
    assert sorted(titles(q)[2:]) == ["c", "d", "x", "y", "z"]
    assert [titles(q)[p - 1] for p in positions] == ["x", "y", "z"]
    assert [t for t in titles(q) if t in "cd"] == ["c", "d"]  # old upcoming keep their order


def test_random_is_deterministic_with_an_injected_rng() -> None:
    a, b = queue_of("a", "b", "c"), queue_of("a", "b", "c")
    a.enqueue(tracks(*"uvwxyz"), EnqueueMode.RANDOM)
    b.enqueue(tracks(*"uvwxyz"), EnqueueMode.RANDOM)
    assert titles(a) == titles(b)


def test_interlace_spreads_a_newcomer_between_a_long_playlist() -> None:
    q = Queue(rng=random.Random(1))
    q.enqueue([track("now", 1)] + [track(f"A{i}", 1) for i in range(1, 51)])
    positions = q.enqueue([track(f"B{i}", 2) for i in range(1, 4)], EnqueueMode.INTERLACE)
    assert titles(q)[:8] == ["now", "A1", "B1", "A2", "B2", "A3", "B3", "A4"]
    assert positions == (3, 5, 7)
    assert q.total == 54


def test_interlace_between_three_requesters() -> None:
    q = Queue()
    q.enqueue([track("now", 9), track("A1", 1), track("A2", 1), track("A3", 1)])
    q.enqueue([track("B1", 2), track("B2", 2)], EnqueueMode.INTERLACE)
    q.enqueue([track("C1", 3), track("C2", 3), track("C3", 3)], EnqueueMode.INTERLACE)
    assert titles(q) == ["now", "A1", "B1", "C1", "A2", "B2", "C2", "A3", "C3"]


def test_interlace_counts_the_requesters_own_upcoming_tracks() -> None:
    q = Queue()
    q.enqueue([track("now", 9), track("A1", 1), track("B1", 2), track("A2", 1), track("A3", 1)])
    q.enqueue([track("B2", 2)], EnqueueMode.INTERLACE)  # B's 2nd goes after A's 2nd, not after A1
    assert titles(q) == ["now", "A1", "B1", "A2", "B2", "A3"]


def test_interlace_alone_is_fifo_and_into_an_ended_queue_starts_playing() -> None:
    q = queue_of("a", "b")
    q.enqueue(tracks("c"), EnqueueMode.INTERLACE)
    assert titles(q) == ["a", "b", "c"]
    q.stop()
    assert q.current is None
    q.enqueue([track("d", 5)], EnqueueMode.INTERLACE)
    assert q.current is not None and q.current.title == "d"


def test_interlace_with_the_same_track_twice_reports_both_positions() -> None:
    q = queue_of("a", "b")
    t = track("dup", 2)
    assert q.enqueue([t, t], EnqueueMode.INTERLACE) == (3, 4)


def test_enqueue_into_an_ended_queue_makes_the_new_track_current() -> None:
    for mode in EnqueueMode:
        q = queue_of("a", "b")
        q.skip(2)
        assert q.ended and q.current is None
        q.enqueue(tracks("c"), mode)
        assert q.current is not None and q.current.title == "c", mode
        assert q.current_position == 3 and q.history_count == 2


# -- advancing and skipping ---------------------------------------------------------------------------


def test_advance_honours_repeat_modes() -> None:
    q = queue_of("a", "b")
    assert q.advance() == q.at(2)
    assert q.advance() is None and q.ended
    assert q.advance() is None  # ended stays ended
    q = queue_of("a", "b", repeat=RepeatMode.ONE)
    assert q.advance() == q.at(1) and q.advance() == q.at(1)
    q = queue_of("a", "b", current=2, repeat=RepeatMode.ALL)
    assert q.advance() == q.at(1)


def test_skip_forward_back_and_to() -> None:
    q = queue_of("a", "b", "c", "d", "e")
    assert q.skip(2) == q.at(3)
    assert q.skip(-1) == q.at(2)
    assert q.back(1) == q.at(1)
    assert q.skip_to(5) == q.at(5)
    assert q.skip(1) is None and q.ended  # landing past the end stops
    assert q.back() == q.at(5)  # back after the end replays the last track


def test_skip_ignores_repeat_one_and_wraps_with_repeat_all() -> None:
    q = queue_of("a", "b", "c", repeat=RepeatMode.ONE)
    assert q.skip() == q.at(2)
    q = queue_of("a", "b", "c", current=3, repeat=RepeatMode.ALL)
    assert q.skip(2) == q.at(2)
    assert q.skip(-3) == q.at(2)


def test_skip_errors_change_nothing() -> None:
    q = queue_of("a", "b", "c", current=2)
    err = assert_fails_unchanged(q, QueueIndexError, q.skip, 5)
    assert str(err) == "Position 7 is past the end of the queue (3 tracks)."
    err = assert_fails_unchanged(q, QueueIndexError, q.skip, -2)
    assert str(err) == "You can go back at most 1 track from here."
    assert_fails_unchanged(q, InvalidArgument, q.skip, 0)
    assert_fails_unchanged(q, QueueIndexError, q.skip_to, 4)
    assert_fails_unchanged(q, QueueIndexError, q.skip_to, 0)
    assert_fails_unchanged(q, InvalidArgument, q.back, 0)
    assert_fails_unchanged(q, QueueIndexError, q.back, 2)
    empty = Queue()
    assert_fails_unchanged(empty, NothingPlaying, empty.skip, 1)
    q.stop()
    assert_fails_unchanged(q, NothingPlaying, q.skip, 1)


# -- editing ------------------------------------------------------------------------------------------


def test_move_within_upcoming() -> None:
    q = queue_of("a", "b", "c", "d", "e", current=2)
    assert q.move(5, 3) == q.at(3)
    assert titles(q) == ["a", "b", "e", "c", "d"]
    q.move(3, 5)
    assert titles(q) == ["a", "b", "c", "d", "e"]
    q.move(4, 4)
    assert titles(q) == ["a", "b", "c", "d", "e"]


def test_move_errors_change_nothing() -> None:
    q = queue_of("a", "b", "c", "d", current=2)
    assert_fails_unchanged(q, InvalidArgument, q.move, 2, 4)  # the current track
    assert_fails_unchanged(q, InvalidArgument, q.move, 4, 1)  # into history
    err = assert_fails_unchanged(q, QueueIndexError, q.move, 3, 40)
    assert str(err) == "Position 40 is past the end of the queue (4 tracks)."


def test_remove_by_position_and_range() -> None:
    q = queue_of(*"abcdefgh", current=3)
    assert [t.title for t in q.remove(RemoveRange(5))] == ["e"]
    assert [t.title for t in q.remove(parse_positions("5-6"))] == ["f", "g"]
    assert titles(q) == ["a", "b", "c", "d", "h"]
    assert q.current is not None and q.current.title == "c"


def test_removing_history_keeps_the_current_track_current() -> None:
    q = queue_of(*"abcde", current=4)
    q.remove(RemoveRange(1, 2))
    assert titles(q) == ["c", "d", "e"]
    assert q.current is not None and q.current.title == "d" and q.current_position == 2


def test_remove_errors_change_nothing() -> None:
    q = queue_of(*"abcde", current=3)
    err = assert_fails_unchanged(q, InvalidArgument, q.remove, RemoveRange(2, 4))
    assert "use skip" in str(err)
    assert_fails_unchanged(q, QueueIndexError, q.remove, RemoveRange(4, 9))
    assert_fails_unchanged(q, QueueIndexError, q.remove, RemoveRange(0))
    assert_fails_unchanged(q, InvalidArgument, q.remove, RemoveRange(5, 4))


def test_remove_by_requester_and_absent_members_touches_only_upcoming() -> None:
    q = Queue()
    q.enqueue([track("a1", 1), track("b1", 2), track("a2", 1), track("c1", 3), track("b2", 2), track("sys", 0)])
    q.skip_to(2)  # b1 is playing
    assert [t.title for t in q.remove(RemoveRequester(2))] == ["b2"]
    assert q.current is not None and q.current.title == "b1"
    assert q.remove(RemoveRequester(99)) == ()
    # Users 1 and 3 left the channel: their upcoming tracks go, the unowned one stays.
    assert [t.title for t in q.remove(RemoveAbsent(frozenset({2})))] == ["a2", "c1"]
    assert titles(q) == ["a1", "b1", "sys"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5", RemoveRange(5)), ("3-7", RemoveRange(3, 7)), (" 3 .. 7 ", RemoveRange(3, 7)), ("2 to 4", RemoveRange(2, 4))],
)
def test_parse_positions(text: str, expected: RemoveRange) -> None:
    assert parse_positions(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "3-", "-3", "7-3", "3-7-9", "1.5"])
def test_parse_positions_rejects_malformed_text(text: str) -> None:
    with pytest.raises(InvalidArgument):
        parse_positions(text)


def test_shuffle_only_touches_upcoming() -> None:
    q = queue_of(*"abcdefghij", current=3)
    q.shuffle()
    assert titles(q)[:3] == ["a", "b", "c"]
    assert sorted(titles(q)[3:]) == list("defghij")
    assert titles(q)[3:] != list("defghij")  # seed 7 does move them


def test_clear_keeps_current_and_stop_ends_with_history() -> None:
    q = queue_of(*"abcd", current=2)
    assert [t.title for t in q.clear()] == ["c", "d"]
    assert titles(q) == ["a", "b"] and q.current is not None and q.current.title == "b"
    q.enqueue(tracks("e"))
    assert [t.title for t in q.stop()] == ["e"]
    assert q.current is None and q.ended and q.history_count == 2


def test_history_upcoming_and_pages() -> None:
    q = queue_of(*"abcdefg", current=4)
    assert [(i.position, i.track.title) for i in q.history(2)] == [(2, "b"), (3, "c")]
    assert [(i.position, i.track.title) for i in q.upcoming(2)] == [(5, "e"), (6, "f")]
    page = q.page(offset=5, limit=5)
    assert [(i.position, i.track.title) for i in page.items] == [(6, "f"), (7, "g")]
    assert (page.total, page.current_position, page.offset) == (7, 4, 5)
    assert q.page(offset=50).items == ()
    for offset, limit in [(-1, 5), (0, 0), (0, MAX_PAGE + 1)]:
        assert_fails_unchanged(q, InvalidArgument, q.page, offset, limit)


def test_restore_undoes_a_skip() -> None:
    q = queue_of(*"abc")
    token = q.snapshot()
    q.skip(2)
    q.restore(token)
    assert q.current_position == 1


def test_constructor_rejects_a_pointer_outside_the_queue() -> None:
    with pytest.raises(QueueIndexError):
        Queue(tracks("a"), current_position=3)
    assert Queue(tracks("a"), current_position=2).ended


# -- properties ---------------------------------------------------------------------------------------

operations = st.one_of(
    st.tuples(st.just("enqueue"), st.integers(1, 4), st.sampled_from(list(EnqueueMode)), st.integers(1, 4)),
    st.tuples(st.just("enqueue_at"), st.integers(1, 3), st.integers(-1, 30)),
    st.tuples(st.just("advance")),
    st.tuples(st.just("skip"), st.integers(-5, 5)),
    st.tuples(st.just("skip_to"), st.integers(-1, 30)),
    st.tuples(st.just("move"), st.integers(-1, 30), st.integers(-1, 30)),
    st.tuples(st.just("remove_range"), st.integers(-1, 30), st.integers(-1, 30)),
    st.tuples(st.just("remove_requester"), st.integers(1, 4)),
    st.tuples(st.just("remove_absent"), st.frozensets(st.integers(1, 4))),
    st.tuples(st.just("shuffle")),
    st.tuples(st.just("clear")),
    st.tuples(st.just("stop")),
    st.tuples(st.just("repeat"), st.sampled_from(list(RepeatMode))),
)


class Model:
    """Counts every track by identity so losses and duplicates show."""

    def __init__(self) -> None:
        self.queue = Queue(rng=random.Random(3))
        self.expected: Counter[str] = Counter()
        self.serial = 0

    def new_tracks(self, n: int, requester: int) -> list[Track]:
        out = []
        for _ in range(n):
            self.serial += 1
            out.append(track(f"t{self.serial}", requester))
        return out

    def apply(self, op: tuple[object, ...]) -> None:
        q = self.queue
        name = op[0]
        before_current = q.current
        before_pos = q.current_position
        before_titles = titles(q)
        try:
            if name == "enqueue":
                new = self.new_tracks(op[1], op[3])  # type: ignore[arg-type]
                positions = q.enqueue(new, op[2])  # type: ignore[arg-type]
                self.expected.update(t.title for t in new)
                assert [q.at(p).title for p in positions] == [t.title for t in new]
                if before_current is not None:
                    assert q.current is before_current  # adding never changes what is playing
            elif name == "enqueue_at":
                new = self.new_tracks(op[1], 1)  # type: ignore[arg-type]
                positions = q.enqueue(new, position=op[2])  # type: ignore[arg-type]
                self.expected.update(t.title for t in new)
                assert positions == tuple(range(op[2], op[2] + len(new)))  # type: ignore[operator]
            elif name == "advance":
                q.advance()
                if q.repeat is RepeatMode.ONE:
                    assert q.current is before_current
            elif name == "skip":
                q.skip(op[1])  # type: ignore[arg-type]
            elif name == "skip_to":
                q.skip_to(op[1])  # type: ignore[arg-type]
                assert q.current_position == op[1]
            elif name == "move":
                moved = q.move(op[1], op[2])  # type: ignore[arg-type]
                assert q.at(op[2]) is moved  # type: ignore[arg-type]
                assert q.current is before_current
            elif name == "remove_range":
                removed = q.remove(RemoveRange(op[1], op[2]))  # type: ignore[arg-type]
                self.expected.subtract(t.title for t in removed)
                assert q.current is before_current
            elif name in ("remove_requester", "remove_absent"):
                target = RemoveRequester(op[1]) if name == "remove_requester" else RemoveAbsent(op[1])  # type: ignore[arg-type]
                removed = q.remove(target)
                self.expected.subtract(t.title for t in removed)
                assert q.current is before_current
                assert titles(q)[: q.history_count] == before_titles[: q.history_count]
            elif name == "shuffle":
                q.shuffle()
                assert q.current is before_current and q.current_position == before_pos
            elif name in ("clear", "stop"):
                removed = q.clear() if name == "clear" else q.stop()
                self.expected.subtract(t.title for t in removed)
                assert q.upcoming_count == 0
                if name == "stop":
                    assert q.current is None
            elif name == "repeat":
                q.repeat = op[1]  # type: ignore[assignment]
        except KoeError:
            assert titles(q) == before_titles and q.current_position == before_pos
        self.check()

    def check(self) -> None:
        q = self.queue
        assert Counter(titles(q)) == +self.expected
        assert len(set(titles(q))) == q.total  # no duplicates
        assert 0 <= q.current_position <= q.total
        assert q.history_count + (q.current is not None) + q.upcoming_count == q.total


@settings(max_examples=300, deadline=None)
@given(st.lists(operations, max_size=40))
def test_no_operation_loses_or_duplicates_a_track(ops: list[tuple[object, ...]]) -> None:
    model = Model()
    for op in ops:
        model.apply(op)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 6)), min_size=1, max_size=8))
def test_interlace_places_each_track_exactly_at_its_fair_turn(batches: list[tuple[int, int]]) -> None:
    """A requester's k-th upcoming track comes after every other requester's k-th (or last) track and
    before their (k+1)-th, unless the requester's own earlier tracks already sit later."""
    q = Queue()
    q.enqueue([track("now", 0)])
    for serial, (requester, count) in enumerate(batches):
        before = titles(q)
        start = q.current_position  # 0-based index of the first upcoming entry
        own_before = [i for i, t in enumerate(q.tracks[start:]) if t.requester_id == requester]
        new = [track(f"r{requester}-{serial}-{i}", requester) for i in range(count)]
        positions = q.enqueue(new, EnqueueMode.INTERLACE)
        assert list(positions) == sorted(positions)  # a requester's tracks keep their order
        assert [t for t in titles(q) if t in before] == before  # old tracks keep their order
        upcoming = [t.requester_id for t in q.tracks[start:]]
        totals = Counter(upcoming)
        last_own_old = own_before[-1] if own_before else -1
        floor = Counter(r for r in [t.requester_id for t in q.tracks[start:]][: last_own_old + 1])
        for p in positions:
            ahead = Counter(upcoming[: p - 1 - start])
            k = ahead[requester] + 1
            for other, total in totals.items():
                if other == requester:
                    continue
                assert ahead[other] >= min(k, total)  # never ahead of someone's k-th track
                assert ahead[other] <= max(k, floor[other] + 1)  # never behind more than a fair share
