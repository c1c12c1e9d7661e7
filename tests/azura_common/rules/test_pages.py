"""Which page of a queue or a playlist holds what."""

from __future__ import annotations

import pytest

from azura_common.koe.errors import InvalidArgument
from azura_common.rules.limits import PAGE
from azura_common.rules.pages import check_playlist_page, history_window, page_count, page_of, queue_offset


def test_page_count_and_page_of() -> None:
    assert PAGE == 10
    assert [page_count(n) for n in (0, 1, 10, 11, 25)] == [1, 1, 1, 2, 3]
    assert [page_of(o) for o in (0, 9, 10, 20)] == [1, 1, 2, 3]


def test_the_default_queue_page_holds_the_current_track() -> None:
    assert queue_offset(None, current_position=0, total=0) == 0
    assert queue_offset(None, current_position=1, total=30) == 0
    assert queue_offset(None, current_position=10, total=30) == 0
    assert queue_offset(None, current_position=11, total=30) == 10
    assert queue_offset(3, current_position=1, total=30) == 20
    assert queue_offset(1, current_position=0, total=0) == 0  # an empty queue still has its page 1


def test_a_queue_page_past_the_end_says_how_many_there_are() -> None:
    with pytest.raises(InvalidArgument) as caught:
        queue_offset(4, current_position=1, total=30)
    assert (str(caught.value), caught.value.argument) == ("The queue has only 3 pages.", "page")


def test_history_is_the_last_page_before_the_current_track() -> None:
    assert history_window(current_position=1, total=5) is None  # nothing played yet
    assert history_window(current_position=0, total=0) is None
    assert history_window(current_position=4, total=5) == (0, 3)
    assert history_window(current_position=25, total=30) == (14, 10)
    assert history_window(current_position=0, total=12) == (2, 10)  # the queue ended: all of it is history


def test_a_playlist_page_past_the_end() -> None:
    check_playlist_page(2, total=11, name="Mix")
    with pytest.raises(InvalidArgument) as one:
        check_playlist_page(2, total=10, name="Mix")
    assert str(one.value) == "**Mix** has only 1 page."
    with pytest.raises(InvalidArgument) as two:
        check_playlist_page(3, total=11, name="Mix")
    assert str(two.value) == "**Mix** has only 2 pages."
