"""Seek times, trim times and volume changes as users type them."""

from __future__ import annotations

import pytest

from azura_common.koe.errors import InvalidArgument, QueueIndexError
from azura_common.koe.session import EnqueueMode, RemoveRange
from azura_common.koe.validation import MAX_SEEK_MS
from azura_common.render import format_duration
from azura_common.rules.limits import MAX_VOLUME
from azura_common.rules.parse import parse_choice, parse_positions, parse_seek, parse_time, parse_volume


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1:23", (83_000, False)),
        ("0:05", (5_000, False)),
        ("1:02:03", (3_723_000, False)),
        ("90", (90_000, False)),
        ("+15", (15_000, True)),
        ("-10", (-10_000, True)),
        ("+1:00", (60_000, True)),
        ("1m30s", (90_000, False)),
        ("-2m", (-120_000, True)),
        (" 2:00 ", (120_000, False)),
    ],
)
def test_parse_seek(text: str, expected: tuple[int, bool]) -> None:
    assert parse_seek(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1:75", "+", "1::2", "1:2:3:4", "--5", "5x"])
def test_parse_seek_rejects_malformed_times(text: str) -> None:
    with pytest.raises(InvalidArgument, match="is not a time"):
        parse_seek(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80", (80, False)),
        ("+", (7, True)),
        ("-", (-7, True)),
        ("+20", (20, True)),
        ("-5", (-5, True)),
        ("50%", (50, False)),
    ],
)
def test_parse_volume(text: str, expected: tuple[int, bool]) -> None:
    assert parse_volume(text, step=7) == expected


@pytest.mark.parametrize("text", ["", "loud", "1.5", "+-3", "99999"])
def test_parse_volume_rejects_malformed_values(text: str) -> None:
    with pytest.raises(InvalidArgument, match="is not a volume"):
        parse_volume(text, step=10)


def test_format_duration() -> None:
    assert format_duration(83_000) == "1:23"
    assert format_duration(3_723_000) == "1:02:03"
    assert format_duration(-5) == "0:00"


def test_the_volume_error_names_the_real_limit() -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_volume("99999", step=10)
    assert str(caught.value) == f"'99999' is not a volume. Use a number from 0 to {MAX_VOLUME}, or + / - to step it."
    assert caught.value.argument == "volume"


@pytest.mark.parametrize(("text", "expected"), [("0:30", 30_000), ("2:10", 130_000), ("90", 90_000), ("1m", 60_000)])
def test_parse_time_reads_a_point_in_a_track(text: str, expected: int) -> None:
    assert parse_time(text, "start") == expected


def test_parse_time_refuses_a_relative_time_naming_the_option() -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_time("+15", "end")
    assert str(caught.value) == "Give the end as a time like 1:23, not '+15'."
    assert caught.value.argument == "end"
    with pytest.raises(InvalidArgument, match="is not a time"):
        parse_time("soon", "start")


# -- only ASCII digits, and bounded magnitudes -------------------------------------------------------------
@pytest.mark.parametrize("text", ["٣", "３", "+٣", "1:٣٠", "५m", "²", "+" + "9" * 22, "9" * 22, "99999999:00",
                                  "169:00:00", "-" + "9" * 5_000])
def test_times_take_ascii_digits_and_at_most_seven_days(text: str) -> None:
    with pytest.raises(InvalidArgument, match="is not a time"):
        parse_seek(text)


def test_seven_days_is_the_longest_seek() -> None:
    assert parse_seek("168:00:00") == (MAX_SEEK_MS, False)
    assert parse_seek(f"-{MAX_SEEK_MS // 1000}") == (-MAX_SEEK_MS, True)


@pytest.mark.parametrize("text", ["٣", "３", "８０", "+٣", "-५", "²", "50%%", "9" * 22, "+" + "9" * 5_000])
def test_volumes_take_ascii_digits_only(text: str) -> None:
    with pytest.raises(InvalidArgument, match="is not a volume"):
        parse_volume(text, step=10)


def test_what_an_error_repeats_of_a_long_input_is_short() -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_seek("x" * 100_000)
    assert str(caught.value) == (
        f"'{'x' * 39}…' is not a time. Use 1:23 to jump there, +15 to go forward or -10 to go back.")


@pytest.mark.parametrize("text", ["٣", "３", "2-٣", "9" * 7, "1-" + "9" * 5_000, "5" * 41, "3,4"])
def test_positions_take_ascii_digits_only(text: str) -> None:
    with pytest.raises(InvalidArgument, match="is not a position or a range"):
        parse_positions(text)


@pytest.mark.parametrize(("text", "message"), [
    ("0", "Position 0 is out of range: positions start at 1."),
    ("100001", "Position 100,001 is out of range: a queue holds at most 100,000 tracks."),
])
def test_positions_are_bounded(text: str, message: str) -> None:
    with pytest.raises(QueueIndexError) as caught:
        parse_positions(text)
    assert str(caught.value) == message


def test_positions_within_bounds() -> None:
    assert parse_positions(" 3 - 7 ") == RemoveRange(3, 7)
    assert parse_positions("100000") == RemoveRange(100_000)


def test_a_choice_outside_the_offered_ones_is_refused_by_name() -> None:
    assert parse_choice("lifo", EnqueueMode, "Enqueue mode") is EnqueueMode.LIFO
    with pytest.raises(InvalidArgument) as caught:
        parse_choice("sideways", EnqueueMode, "Enqueue mode")
    assert str(caught.value) == "Enqueue mode must be one of fifo, lifo, random, interlace, not 'sideways'."
