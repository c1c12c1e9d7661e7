"""The pure effects value and its Lavalink v4 filters: what each preset sends, and bad input refused."""

from __future__ import annotations

import math

import pytest

from azura_common.koe.effects import (
    BANDS,
    EFFECT_PRESETS,
    EQUALIZER_PRESETS,
    NO_EFFECTS,
    Effects,
    check_effects,
    effect_preset,
    equalizer_preset,
    lavalink_filters,
)
from azura_common.koe.errors import InvalidArgument
from azura_common.koe.records import SessionRecord, record_from_json, record_to_json
from azura_sandbox.fake_lavalink.filters import check_filters


def test_no_effects_clears_every_filter() -> None:
    assert lavalink_filters(NO_EFFECTS) == {} and not NO_EFFECTS.active and NO_EFFECTS.names() == []


@pytest.mark.parametrize(("preset", "key"), [
    ("nightcore", "timescale"), ("vaporwave", "timescale"), ("8d", "rotation"), ("karaoke", "karaoke"),
    ("tremolo", "tremolo"), ("vibrato", "vibrato"), ("soft", "lowPass"), ("bassboost", "equalizer"),
])
def test_each_effect_preset_sets_its_lavalink_filter(preset: str, key: str) -> None:
    filters = lavalink_filters(Effects(preset=preset))
    assert list(filters) == [key]
    assert check_filters(filters) == filters  # what the fake Lavalink (as Lavalink) accepts


def test_nightcore_is_faster_and_higher_vaporwave_slower_and_lower() -> None:
    fast = lavalink_filters(Effects(preset="nightcore"))["timescale"]
    slow = lavalink_filters(Effects(preset="vaporwave"))["timescale"]
    assert fast["speed"] > 1 and fast["pitch"] > 1 and slow["speed"] < 1 and slow["pitch"] < 1


@pytest.mark.parametrize("name", [p for p in EQUALIZER_PRESETS if p != "flat"])
def test_equalizer_presets_send_fifteen_bands_within_lavalinks_gains(name: str) -> None:
    bands = lavalink_filters(Effects(equalizer=name))["equalizer"]
    assert [b["band"] for b in bands] == list(range(BANDS))
    assert all(-0.25 <= b["gain"] <= 1.0 for b in bands) and any(b["gain"] for b in bands)


def test_bass_boost_and_an_equalizer_add_up_and_stay_in_range() -> None:
    both = lavalink_filters(Effects(preset="bassboost", equalizer="electronic"))["equalizer"]
    alone = lavalink_filters(Effects(equalizer="electronic"))["equalizer"]
    assert both[0]["gain"] == pytest.approx(min(1.0, alone[0]["gain"] + 0.25))
    assert all(-0.25 <= b["gain"] <= 1.0 for b in both)


def test_custom_speed_and_pitch_multiply_a_presets_timescale() -> None:
    assert lavalink_filters(Effects(speed=1.5))["timescale"] == {"speed": 1.5, "pitch": 1.0, "rate": 1.0}
    combined = lavalink_filters(Effects(preset="nightcore", speed=2.0, pitch=0.5))["timescale"]
    assert combined == {"speed": 2.4, "pitch": 0.6, "rate": 1.0}
    assert Effects(preset="nightcore", equalizer="rock", speed=1.25).names() == ["nightcore", "EQ rock", "speed 1.25×"]


@pytest.mark.parametrize(("field", "value"), [("speed", 0.49), ("speed", 2.01), ("pitch", 0.0), ("pitch", math.nan)])
def test_out_of_range_rates_are_refused_with_a_friendly_message(field: str, value: float) -> None:
    with pytest.raises(InvalidArgument, match=f"The {field} must be between 0.5 and 2") as info:
        check_effects(Effects(**{field: value}))
    assert info.value.argument == field


def test_preset_names_are_read_kindly_and_unknown_ones_refused() -> None:
    assert effect_preset(" NightCore ") == "nightcore" and effect_preset("rotation") == "8d"
    assert effect_preset("off") == "" and equalizer_preset("flat") == "" and equalizer_preset("Rock") == "rock"
    with pytest.raises(InvalidArgument, match="Unknown effect 'chipmunk'; use one of: bassboost"):
        effect_preset("chipmunk")
    with pytest.raises(InvalidArgument, match="Unknown equalizer preset 'jazz'"):
        equalizer_preset("jazz")
    with pytest.raises(InvalidArgument, match="Unknown effect"):
        check_effects(Effects(preset="chipmunk"))
    assert set(EFFECT_PRESETS) >= {"bassboost", "nightcore", "vaporwave", "8d", "karaoke", "tremolo", "vibrato", "soft"}


def test_effects_travel_in_the_stored_record_and_old_records_read_as_none() -> None:
    record = SessionRecord(guild_id=1, channel_id=2, effects=Effects(preset="8d", equalizer="pop", pitch=1.5))
    assert record_from_json(record_to_json(record)) == record
    old = record_to_json(SessionRecord(guild_id=1, channel_id=2)).replace(',"effects":{"preset":"","equalizer":"",'
                                                                         '"speed":1.0,"pitch":1.0}', "")
    assert "effects" not in old and record_from_json(old).effects == NO_EFFECTS


def test_the_labels_read_in_the_boards_language_and_english_without_one() -> None:
    effects = Effects(preset="nightcore", equalizer="rock", speed=1.25, pitch=0.9)
    assert effects.names("de") == ["nightcore", "Equalizer rock", "Tempo 1.25×", "Tonhöhe 0.9×"]
    assert effects.names("ja") == ["nightcore", "イコライザー rock", "速度 1.25×", "ピッチ 0.9×"]
    assert effects.names() == effects.names("en-US") == ["nightcore", "EQ rock", "speed 1.25×", "pitch 0.9×"]
