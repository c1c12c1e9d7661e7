"""The one skip policy: /skip and the skip button ask it who skips now, who votes, what only a DJ does."""

from __future__ import annotations

import pytest

from azura_common.koe.errors import InvalidArgument
from azura_common.rules.skip import Skip, check_skip_options, is_forced_skip, skip_needs_a_track, skip_verdict


@pytest.mark.parametrize(
    ("by", "to", "forced"),
    [(None, None, False), (1, None, False), (2, None, True), (-1, None, True), (None, 5, True), (None, 1, True)],
)
def test_what_counts_as_a_forced_skip(by: int | None, to: int | None, forced: bool) -> None:
    assert is_forced_skip(by=by, to=to) is forced


@pytest.mark.parametrize(
    ("dj", "own", "forced", "verdict"),
    [
        (True, False, False, Skip.NOW),
        (True, False, True, Skip.NOW),  # a DJ may skip any way
        (False, True, False, Skip.NOW),  # your own track: no vote needed
        (False, True, True, Skip.DJ_ONLY),  # ...but jumping is still a DJ's call
        (False, False, False, Skip.VOTE),
        (False, False, True, Skip.DJ_ONLY),
    ],
)
def test_skip_verdict(dj: bool, own: bool, forced: bool, verdict: Skip) -> None:
    assert skip_verdict(dj=dj, own_track=own, forced=forced) is verdict


def test_going_back_or_jumping_needs_no_current_track() -> None:
    assert skip_needs_a_track(by=None, to=None) and skip_needs_a_track(by=3, to=None)
    assert not skip_needs_a_track(by=-1, to=None)
    assert not skip_needs_a_track(by=None, to=4)


def test_nonsense_options_are_refused_with_the_option_named() -> None:
    check_skip_options(None, None)
    check_skip_options(-2, None)
    with pytest.raises(InvalidArgument) as both:
        check_skip_options(2, 3)
    assert (str(both.value), both.value.argument) == ("Use either `by` or `to`, not both.", "to")
    with pytest.raises(InvalidArgument) as zero:
        check_skip_options(0, None)
    assert str(zero.value) == "Skipping by 0 tracks does nothing; use a positive or negative number."
    assert zero.value.argument == "by"
