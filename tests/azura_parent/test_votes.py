"""Vote-skip counts a majority of the people actually listening."""

from __future__ import annotations

from azura_parent.votes import SkipVotes


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
