"""A card's tracks: who asked (autoplay's own tracks say so, not a user's name) and live streams (no length);
one card, shared by every browser of a server, names its effects in each viewer's language."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace
from typing import Any, cast

from azura_common.koe.autoplay import AUTOPLAY_REQUESTER_ID
from azura_common.koe.effects import Effects
from azura_common.koe.session import Track
from azura_parent.web.app import Dashboard
from azura_parent.web.cards import Card, CardTrack
from azura_parent.web.config import WebConfig
from azura_parent.web.logins import Login

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


def test_one_card_shows_its_effects_in_each_viewers_language() -> None:
    card = Card(guild_id=1, channel_id=10, channel_name="room", bot_id=9, bot_name="azura",
                current=CardTrack.of(1, SONG, NAMES), position_ms=0, read_at_ms=0, paused=False, volume=100,
                repeat="none", upcoming=(), more=0, total=1,
                effects=Effects(equalizer="rock", speed=1.25, pitch=0.8), autoplay=False)
    dashboard = Dashboard(cast(Any, None), WebConfig(port=1))  # renders templates only: no bot is asked

    def effects_line(locale: str) -> str:
        login = Login("s", 7, "bob", frozenset({1}), "csrf", 0.0, locale)
        page = dashboard.render("card.html", card=card, login=login, is_dj=True,
                                viewer=SimpleNamespace(voice_channel_id=10, login=login))
        found = re.search(r'class="effects-fact">([^<]*)<', page)
        assert found is not None
        return html.unescape(found.group(1))

    assert effects_line("en-US") == "Effects: EQ rock · speed 1.25× · pitch 0.8×"
    assert effects_line("fr") == "Effets : égaliseur rock · vitesse 1.25× · hauteur 0.8×"
    assert effects_line("de") == "Effekte: Equalizer rock · Tempo 1.25× · Tonhöhe 0.8×"
