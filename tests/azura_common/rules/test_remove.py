"""What a /remove names and who may remove what."""

from __future__ import annotations

import pytest

from azura_common.koe.errors import InvalidArgument
from azura_common.koe.session import RemoveAbsent, RemoveRange, RemoveRequester
from azura_common.rules.remove import may_remove, remove_target, touches_others

ME, YOU = 1, 2


def test_the_target_is_exactly_one_of_the_options() -> None:
    assert remove_target(positions="5", user_id=None, absent=False) == RemoveRange(5)
    assert remove_target(positions="3-7", user_id=None, absent=False) == RemoveRange(3, 7)
    assert remove_target(positions=None, user_id=YOU, absent=False) == RemoveRequester(YOU)
    assert remove_target(positions=None, user_id=None, absent=True) == RemoveAbsent()
    for options in [{"positions": None, "user_id": None, "absent": False},
                    {"positions": "5", "user_id": YOU, "absent": False},
                    {"positions": "5", "user_id": None, "absent": True}]:
        with pytest.raises(InvalidArgument) as caught:
            remove_target(**options)  # type: ignore[arg-type]
        assert str(caught.value) == "Choose exactly one of `positions`, `user` or `absent`."


def test_a_malformed_range_is_a_friendly_error() -> None:
    with pytest.raises(InvalidArgument, match="is not a position or a range"):
        remove_target(positions="five", user_id=None, absent=False)
    with pytest.raises(InvalidArgument, match="runs backwards"):
        remove_target(positions="7-3", user_id=None, absent=False)


def test_whose_tracks_a_target_touches() -> None:
    assert not touches_others(RemoveRequester(ME), user_id=ME)
    assert touches_others(RemoveRequester(YOU), user_id=ME)
    assert touches_others(RemoveAbsent(frozenset({ME})), user_id=ME)  # always other people's
    assert not touches_others(RemoveRange(3, 4), user_id=ME, requesters=[ME, ME])
    assert touches_others(RemoveRange(3, 4), user_id=ME, requesters=[ME, YOU])
    assert not touches_others(RemoveRange(30), user_id=ME, requesters=[])  # past the end: nobody's


def test_a_dj_removes_anything_others_only_their_own() -> None:
    assert may_remove(RemoveRequester(YOU), dj=True, user_id=ME)
    assert not may_remove(RemoveRequester(YOU), dj=False, user_id=ME)
    assert may_remove(RemoveRange(2), dj=False, user_id=ME, requesters=[ME])
    assert not may_remove(RemoveRange(2), dj=False, user_id=ME, requesters=[YOU])
    assert not may_remove(RemoveAbsent(), dj=False, user_id=ME)
