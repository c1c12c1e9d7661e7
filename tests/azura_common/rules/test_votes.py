"""Vote-skip counts a majority of the people actually listening."""

from __future__ import annotations

from azura_common.rules.votes import SkipVotes, track_key


def test_majority_of_listeners_skips() -> None:
    votes = SkipVotes()
    listeners = frozenset({1, 2, 3, 4})
    assert votes.vote(10, "t1", 1, listeners).votes == 1
    second = votes.vote(10, "t1", 2, listeners)
    assert (second.votes, second.needed, second.passed) == (2, 3, False)
    assert votes.vote(10, "t1", 2, listeners).votes == 2  # voting twice counts once
    assert votes.vote(10, "t1", 3, listeners).passed


def test_a_new_track_or_a_leaver_resets_what_counts() -> None:
    votes = SkipVotes()
    assert not votes.vote(10, "t1", 1, frozenset({1, 2, 3})).passed
    assert votes.vote(10, "t2", 2, frozenset({1, 2, 3})).votes == 1  # new track, new vote
    assert votes.vote(10, "t2", 3, frozenset({2, 3})).passed  # 2 of the 2 left
    assert votes.vote(11, "x", 5, frozenset({5})).passed  # alone: your vote is the majority
    assert votes.vote(12, "x", 9, frozenset({5, 6})).votes == 0  # not listening: no vote


def test_a_vote_is_about_one_entry_of_the_queue() -> None:
    assert track_key(3, "abc") == track_key(3, "abc")
    assert track_key(3, "abc") != track_key(4, "abc")  # the same song again later is a new vote
    assert track_key(3, "abc") != track_key(3, "abd")  # another song at that position (after a move) too
    assert track_key(1, "x" * 500) == track_key(1, "x" * 32 + "y")  # keys stay short: a prefix decides


def test_needed_is_a_strict_majority() -> None:
    assert [SkipVotes.needed(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]
