"""A card's tracks: who asked (autoplay's own tracks say so, not a user's name) and live streams (no length)."""

from __future__ import annotations

from azura_common.koe.autoplay import AUTOPLAY_REQUESTER_ID
from azura_common.koe.session import Track
from azura_parent.web.cards import CardTrack

NAMES = {7: "bob"}.__getitem__
SONG = Track(encoded="x", title="Gentle River", author="Yuki Amano", length_ms=205_000, requester_id=7)


def test_a_users_track_names_them_and_shows_its_length() -> None:
    shown = CardTrack.of(3, SONG, NAMES)
    assert (shown.requester, shown.by_autoplay, shown.length, shown.live) == ("bob", False, "3:25", False)


def test_autoplays_track_is_marked_autoplay_without_looking_up_a_user() -> None:
    shown = CardTrack.of(4, Track(encoded="y", title="Related", requester_id=AUTOPLAY_REQUESTER_ID), NAMES)
    assert shown.by_autoplay and shown.requester == ""  # NAMES has no user 1: not asked for


def test_a_stream_is_live_with_no_length() -> None:
    shown = CardTrack.of(1, Track(encoded="z", title="Radio", is_stream=True, requester_id=7), NAMES)
    assert shown.live and shown.length == "" and shown.requester == "bob"
