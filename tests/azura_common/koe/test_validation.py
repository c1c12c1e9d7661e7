"""The shared bounds: what passes, what is refused and with which error, and that the module stays pure."""

from __future__ import annotations

import ast
import base64
import dataclasses
import json
from pathlib import Path

import pytest

from azura_common.koe import validation as v
from azura_common.koe.errors import InvalidArgument, KoeError, QueueIndexError
from azura_common.koe.session import Track
from azura_sandbox.fake_lavalink.catalogue import load_tracks

# A real Lavalink/lavaplayer encoded track (a YouTube video, track info version 2), as published with the
# lavaplayer-track-info decoder's documentation: the layout real Lavalink hands out.
REAL_LAVALINK = (
    "QAAAkwIANFNrcmlsbGV4ICYgSGFic3RyYWt0IC0gQ2hpY2tlbiBTb3VwIFtPZmZpY2lhbCBBdWRpb10ABU9XU0xBAAAAAAADLIAACzIy"
    "TVdyV1BWX1FNAAEAK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9MjJNV3JXUFZfUU0AB3lvdXR1YmUAAAAAAAAAAA=="
)


def lavaplayer_track(title: str, identifier: str, length_ms: int = 200_000) -> str:
    """Encode a track as lavaplayer's MessageOutput does (track info version 3, YouTube source)."""

    def text(value: str) -> bytes:  # java.io.DataOutput.writeUTF (plain ASCII here)
        raw = value.encode()
        return len(raw).to_bytes(2, "big") + raw

    body = (
        b"\x03" + text(title) + text("Author") + length_ms.to_bytes(8, "big") + text(identifier) + b"\x00"
        + b"\x01" + text(f"https://www.youtube.com/watch?v={identifier}") + b"\x00" + b"\x00"
        + text("youtube") + (0).to_bytes(8, "big")
    )
    header = (1 << 30 | len(body)).to_bytes(4, "big")  # flags: TRACK_INFO_VERSIONED; then the size
    return base64.b64encode(header + body).decode()


FAKE = load_tracks("ytsearch:validation")["data"][0]["encoded"]


def refused(call: object, *args: object, error: type[KoeError] = InvalidArgument) -> str:
    with pytest.raises(error) as info:
        call(*args)  # type: ignore[operator]
    assert info.value.message.strip()
    return info.value.message


# -- encoded tracks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        REAL_LAVALINK,
        REAL_LAVALINK.rstrip("="),  # unpadded
        REAL_LAVALINK.replace("+", "-").replace("/", "_"),  # URL-safe alphabet (Lavalink's decoder takes both)
        lavaplayer_track("Song", "abcdefghijk"),
        FAKE,  # the sandbox's fake Lavalink: base64 of a JSON object
        FAKE.rstrip("="),
    ],
    ids=["real", "real-unpadded", "real-urlsafe", "lavaplayer-v3", "fake", "fake-unpadded"],
)
def test_tracks_from_real_and_fake_lavalink_pass(encoded: str) -> None:
    v.check_encoded(encoded)


@pytest.mark.parametrize(
    ("encoded", "why"),
    [
        ("", "no playable data"),
        ("not a track", "not a Lavalink track"),
        ("QUJD", "not a Lavalink track"),  # "ABC": too small to be any track
        ("A" * 200, "not a Lavalink track"),  # zeros: a header announcing an empty message
        (REAL_LAVALINK[:-12], "not a Lavalink track"),  # cut short: the header's size no longer matches
        (REAL_LAVALINK[:40] + "+_" + REAL_LAVALINK[42:], "not a Lavalink track"),  # two alphabets at once
        (REAL_LAVALINK + "=", "not a Lavalink track"),  # too much padding
        (base64.b64encode(json.dumps(["a", "list", "of", "words"]).encode()).decode(), "not a Lavalink track"),
        (base64.b64encode(b"{" + b"\xff" * 30 + b"}").decode(), "not a Lavalink track"),  # not UTF-8
        ("QUJD" * 9_000, "at most 32,768 characters"),
    ],
)
def test_garbage_is_refused_before_it_reaches_a_queue(encoded: str, why: str) -> None:
    assert why in refused(v.check_encoded, encoded)


# -- whole tracks -------------------------------------------------------------------------------------

GOOD = Track(encoded=REAL_LAVALINK, title="Chicken Soup", author="OWSLA", uri="https://youtu.be/x", length_ms=208_000,
             identifier="22MWrWPV_QM", source="youtube", requester_id=101)


def test_display_text_loses_its_control_characters_and_nothing_else() -> None:
    messy = dataclasses.replace(GOOD, title="Line one\nline two\t\x00(live)\u202e", author="Zoë 🎵 \x1b[31m")
    clean = v.check_track(messy)
    assert clean.title == "Line one line two (live)"
    assert clean.author == "Zoë 🎵 [31m"
    assert v.check_track(GOOD) is GOOD  # clean tracks pass untouched


@pytest.mark.parametrize(
    ("change", "argument"),
    [
        ({"title": "t" * 1_001}, "title"),
        ({"author": "a" * 501}, "author"),
        ({"uri": "https://e.x/" + "u" * 4_090}, "uri"),
        ({"uri": "https://e.x/\r\nSet-Cookie: x"}, "uri"),
        ({"artwork_url": "https://e.x/\x00"}, "artwork_url"),
        ({"identifier": "i" * 4_097}, "identifier"),
        ({"source": "s" * 65}, "source"),
        ({"length_ms": 2**63}, "length_ms"),
        ({"start_ms": 2**64 - 1}, "start_ms"),
        ({"end_ms": 2**63}, "end_ms"),
        ({"requester_id": 2**63}, "requester_id"),
        ({"encoded": "%%%"}, "encoded"),
        ({"start_ms": 10_000, "end_ms": 5_000}, "end_ms"),  # the queue's own trim rule, applied here too
    ],
)
def test_a_track_out_of_bounds_is_refused(change: dict[str, object], argument: str) -> None:
    track = dataclasses.replace(GOOD, **change)
    with pytest.raises(InvalidArgument) as info:
        v.check_track(track)
    assert info.value.argument == argument and info.value.message


def test_a_live_stream_keeps_lavalinks_own_length() -> None:
    stream = dataclasses.replace(GOOD, is_stream=True, length_ms=2**63 - 1)
    assert v.check_track(stream) is stream


def test_one_enqueue_holds_at_most_ten_thousand_tracks_and_names_the_bad_one() -> None:
    assert len(v.check_enqueue([GOOD] * v.MAX_TRACKS_PER_ENQUEUE)) == 10_000
    assert "At most 10,000 tracks" in refused(v.check_enqueue, [GOOD] * 10_001)
    spoiled = dataclasses.replace(GOOD, encoded="garbage")
    assert refused(v.check_enqueue, [GOOD, GOOD, spoiled]).startswith("Track 3: ")
    assert not refused(v.check_enqueue, [spoiled]).startswith("Track")


def test_a_queue_holds_at_most_a_hundred_thousand() -> None:
    v.check_queue_room(99_990, 10)
    message = refused(v.check_queue_room, 99_990, 11)
    assert message == "A queue holds at most 100,000 tracks; this one has 99,990, so 10 more fit, not 11."


# -- ids and numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, 2**63, 2**64 - 1])
def test_ids_are_positive_signed_64_bit_snowflakes(value: int) -> None:
    assert "guild_id must be a Discord id" in refused(v.check_snowflake, value, "guild_id")


def test_the_largest_snowflake_passes() -> None:
    v.check_ids(1, v.MAX_SNOWFLAKE)


@pytest.mark.parametrize("request_id", ["x" * 129, "tab\there", "nul\x00", "é\u2028"])
def test_request_ids_are_short_and_printable(request_id: str) -> None:
    refused(v.check_request_id, request_id)


def test_positions_are_out_of_range_the_queues_way() -> None:
    assert refused(v.check_position, 0, error=QueueIndexError) == "Position 0 is out of range: positions start at 1."
    assert "at most 100,000 tracks" in refused(v.check_position, 100_001, error=QueueIndexError)
    v.check_position(100_000)
    v.check_position(100_001, insert=True)  # after the last entry of a full queue: still a slot


@pytest.mark.parametrize(
    ("call", "args", "fragment"),
    [
        (v.check_steps, (100_001,), "at most 100,000 tracks"),
        (v.check_steps, (-100_001,), "at most 100,000 tracks"),
        (v.check_seek, (7 * 86_400_000 + 1,), "at most 168 hours"),
        (v.check_seek, (-(2**62),), "at most 168 hours"),
        (v.check_volume, (1_001, False), "between 0 and 1000"),
        (v.check_volume, (-1, False), "between 0 and 1000"),
        (v.check_volume, (10_001, True), "between -10,000 and +10,000"),
        (v.check_volume, (-(2**31), True), "between -10,000 and +10,000"),
        (v.check_page, (-1, 10), "before the first track"),
        (v.check_page, (100_001, 10), "past position 100,000"),
        (v.check_page, (0, 101), "1 to 100"),
        (v.check_present_ids, (list(range(1, 10_002)),), "At most 10,000 listeners"),
        (v.check_present_ids, ([5, 0],), "must be a Discord id"),
        (v.check_detail, ("d" * 201,), "at most 200 characters"),
        (v.check_query, ("q" * 6_001,), "at most 6,000 characters"),
        (v.check_query, ("never\ngonna",), "control characters"),
    ],
)
def test_numbers_and_text_outside_their_bounds_are_refused(
    call: object, args: tuple[object, ...], fragment: str
) -> None:
    assert fragment in refused(call, *args)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (v.check_steps, (-100_000,)),
        (v.check_steps, (0,)),  # zero is the queue's to judge, with its own message
        (v.check_seek, (-1,)),  # before 0:00 is the player's to judge against the track
        (v.check_seek, (7 * 86_400_000,)),
        (v.check_volume, (0, False)),
        (v.check_volume, (1_000, False)),
        (v.check_volume, (5_000, True)),  # relative changes clamp to 0-1000 afterwards
        (v.check_page, (100_000, 100)),
        (v.check_request_id, ("",)),  # no id: no retry protection, still a request
    ],
)
def test_values_at_their_bounds_pass(call: object, args: tuple[object, ...]) -> None:
    call(*args)  # type: ignore[operator]


def test_queries_and_details_come_back_trimmed_and_clean() -> None:
    assert v.check_query("  lofi beats  ") == "lofi beats"
    assert v.check_detail("/leave by\nAlice") == "/leave by Alice"


def test_the_module_stays_pure() -> None:
    path = Path(v.__file__)
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"grpc", "discord", "wavelink", "asyncio", "aiohttp", "google"}, imported
