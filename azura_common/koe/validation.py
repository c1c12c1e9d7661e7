"""The bounds of every value that crosses a Koe boundary, and the checks that enforce them.

One table of limits for both sides: the child's servicer checks each request against it before anything
changes, and the parent's commands use the same numbers. A violation raises the ``KoeError`` the rest of
Koe already uses for that kind of mistake (``InvalidArgument``, or ``QueueIndexError`` for a position),
with a message a person can act on. Pure: no grpc, no discord, no I/O.

The bounds:

- ids (guild, channel, user, role) are Discord snowflakes: 1 to 2⁶³−1 (signed 64-bit, as discord.py,
  SQLite and Lavalink's JVM hold them); 0 only where a field says "none";
- a request id is 1 to 128 printable characters (callers send a 32-character UUID);
- queue positions are 1 to 100,000 (one more to insert after the last track); a skip or back moves at
  most 100,000 tracks; a page starts at 0 to 100,000 and holds 1 to 100 tracks;
- seeking moves at most 7 days in either direction; the volume is 0–1000, a relative change at most
  ±10,000 (it then clamps to 0–1000);
- one Enqueue carries at most 10,000 tracks and a session's queue holds at most 100,000;
- a track's ``encoded`` is Lavalink's base64 track (either alphabet), at most 32,768 characters, which
  decodes to a lavaplayer track message (a 4-byte header whose size matches) or, from test doubles such
  as the sandbox's fake Lavalink, to a JSON object; its times fit Lavalink's 64-bit millisecond fields;
- display text (titles ≤ 1,000 characters, authors ≤ 500, a close detail ≤ 200) loses its control
  characters; machine text (URLs and identifiers ≤ 4,096, source names ≤ 64) may hold none;
- a search query is at most 6,000 characters (Discord's own limit for a string option).
"""

from __future__ import annotations

import binascii
import dataclasses
import re
from collections.abc import Iterable, Sequence

from .errors import InvalidArgument, QueueIndexError
from .queue import MAX_PAGE, validate_track
from .records import SessionRecord
from .session import Track

__all__ = [
    "MAX_AUTHOR_CHARS",
    "MAX_DETAIL_CHARS",
    "MAX_ENCODED_CHARS",
    "MAX_MACHINE_TEXT_CHARS",
    "MAX_MS",
    "MAX_PRESENT_IDS",
    "MAX_QUERY_CHARS",
    "MAX_QUEUE_TRACKS",
    "MAX_REQUEST_ID_CHARS",
    "MAX_SEEK_MS",
    "MAX_SNOWFLAKE",
    "MAX_SOURCE_CHARS",
    "MAX_STEPS",
    "MAX_TITLE_CHARS",
    "MAX_TRACKS_PER_ENQUEUE",
    "MAX_VOLUME",
    "MAX_VOLUME_CHANGE",
    "check_detail",
    "check_encoded",
    "check_enqueue",
    "check_ids",
    "check_page",
    "check_position",
    "check_present_ids",
    "check_query",
    "check_queue_room",
    "check_record",
    "check_request_id",
    "check_seek",
    "check_snowflake",
    "check_steps",
    "check_track",
    "check_volume",
    "clean_display_text",
]

MAX_SNOWFLAKE = 2**63 - 1
MAX_REQUEST_ID_CHARS = 128
MAX_QUEUE_TRACKS = 100_000
MAX_TRACKS_PER_ENQUEUE = 10_000
MAX_STEPS = MAX_QUEUE_TRACKS  # a skip or back further than any queue reaches is a typo
MAX_SEEK_MS = 7 * 24 * 3_600_000
MAX_VOLUME = 1000
MAX_VOLUME_CHANGE = 10_000
MAX_MS = 2**63 - 1  # Lavalink's times are Java longs; a live stream's length is exactly this
MAX_ENCODED_CHARS = 32_768
MIN_ENCODED_BYTES = 16  # the smallest lavaplayer track message is about twice this
MAX_TITLE_CHARS = 1_000
MAX_AUTHOR_CHARS = 500
MAX_DETAIL_CHARS = 200
MAX_MACHINE_TEXT_CHARS = 4_096
MAX_SOURCE_CHARS = 64
MAX_QUERY_CHARS = 6_000
MAX_PRESENT_IDS = 10_000  # a stage channel's audience limit

_STANDARD_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_URLSAFE_B64 = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_FRAME_SIZE_MASK = 0x3FFFFFFF  # lavaplayer's message header: 2 flag bits, 30 size bits
# Controls that break a line or hide text when shown: C0, DEL, C1, the line and paragraph separators,
# and the bidi overrides and isolates.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_SPACES = re.compile(r"\s{2,}")


# -- ids ----------------------------------------------------------------------------------------------


def check_snowflake(value: int, argument: str) -> None:
    """``value`` must be a Discord id: 1 to 2⁶³−1."""
    if not 1 <= value <= MAX_SNOWFLAKE:
        raise InvalidArgument(argument=argument, key="koe.not_an_id",
                              params={"argument": argument, "max": MAX_SNOWFLAKE, "value": value})


def check_ids(guild_id: int, channel_id: int) -> None:
    """Every session request names its server and its voice channel."""
    check_snowflake(guild_id, "guild_id")
    check_snowflake(channel_id, "channel_id")


def check_request_id(request_id: str) -> None:
    """Empty (no retry protection) or 1 to 128 printable characters."""
    if len(request_id) > MAX_REQUEST_ID_CHARS:
        raise InvalidArgument(argument="request_id", key="koe.too_many_chars", params={
            "argument": "request_id", "max": MAX_REQUEST_ID_CHARS, "count": f"{len(request_id):,}"})
    if not request_id.isprintable():
        raise InvalidArgument(argument="request_id", key="koe.request_id_printable")


def check_present_ids(ids: Sequence[int]) -> None:
    if len(ids) > MAX_PRESENT_IDS:
        raise InvalidArgument(argument="present_ids", key="koe.too_many_listeners",
                              params={"max": f"{MAX_PRESENT_IDS:,}", "count": f"{len(ids):,}"})
    for user_id in ids:
        check_snowflake(user_id, "present_ids")


# -- numbers ------------------------------------------------------------------------------------------


def check_position(position: int, *, insert: bool = False) -> None:
    """A 1-based queue position no queue can exceed (``insert``: one past a full queue is a slot too).

    Out of bounds is the queue's own ``QueueIndexError`` (OUT_OF_RANGE); whether the position exists in
    this particular queue is the queue's to say."""
    limit = MAX_QUEUE_TRACKS + 1 if insert else MAX_QUEUE_TRACKS
    if position < 1:
        raise QueueIndexError(position, 0, key="errors.position_before_start", params={"position": position})
    if position > limit:
        raise QueueIndexError(position, 0, key="errors.position_too_big",
                              params={"position": f"{position:,}", "limit": f"{MAX_QUEUE_TRACKS:,}"})


def check_steps(by: int, argument: str = "by") -> None:
    """How far a skip or back moves: at most ``MAX_STEPS`` either way (0 and the direction are the queue's)."""
    if abs(by) > MAX_STEPS:
        raise InvalidArgument(argument=argument, key="koe.too_many_steps",
                              params={"max": f"{MAX_STEPS:,}", "by": f"{by:,}"})


def check_seek(position_ms: int) -> None:
    """Absolute or relative, a seek moves at most ``MAX_SEEK_MS`` (the track's own end is the player's)."""
    if abs(position_ms) > MAX_SEEK_MS:
        hours = MAX_SEEK_MS // 3_600_000
        raise InvalidArgument(argument="position_ms", key="koe.seek_too_far",
                              params={"hours": hours, "ms": f"{position_ms:,}"})


def check_volume(volume: int, relative: bool) -> None:
    if relative:
        if abs(volume) > MAX_VOLUME_CHANGE:
            raise InvalidArgument(argument="volume", key="koe.volume_change_range",
                                  params={"max": f"{MAX_VOLUME_CHANGE:,}", "value": f"{volume:,}"})
    elif not 0 <= volume <= MAX_VOLUME:
        raise InvalidArgument(argument="volume", key="koe.volume_range", params={"max": MAX_VOLUME, "value": volume})


def check_page(offset: int, limit: int) -> None:
    if offset < 0:
        raise InvalidArgument(argument="offset", key="koe.page_before_first")
    if offset > MAX_QUEUE_TRACKS:
        raise InvalidArgument(argument="offset", key="koe.page_past_end", params={"max": f"{MAX_QUEUE_TRACKS:,}"})
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidArgument(argument="limit", key="koe.page_size", params={"max": MAX_PAGE})


# -- text ---------------------------------------------------------------------------------------------


def _too_long(text: str, cap: int, argument: str) -> InvalidArgument:
    return InvalidArgument(argument=argument, key="koe.too_many_chars",
                           params={"argument": argument, "max": f"{cap:,}", "count": f"{len(text):,}"})


def clean_display_text(text: str, cap: int, argument: str) -> str:
    """Text meant for people: at most ``cap`` characters, control characters turned into spaces."""
    if len(text) > cap:
        raise _too_long(text, cap, argument)
    if text.isprintable():
        return text
    return _SPACES.sub(" ", _CONTROLS.sub(" ", text)).strip()


def _check_machine_text(text: str, cap: int, argument: str) -> None:
    """Text meant for programs (URLs, identifiers): at most ``cap`` characters, no control characters."""
    if len(text) > cap:
        raise _too_long(text, cap, argument)
    if _CONTROLS.search(text) is not None:
        raise InvalidArgument(argument=argument, key="koe.control_characters", params={"argument": argument})


def check_detail(detail: str) -> str:
    """A close reason's words for people (shown on the now-playing message)."""
    return clean_display_text(detail, MAX_DETAIL_CHARS, "detail")


def check_query(query: str) -> str:
    """A search query or link: at most 6,000 characters; returns it stripped."""
    text = query.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidArgument(argument="query", key="koe.search_too_long",
                              params={"max": f"{MAX_QUERY_CHARS:,}", "count": f"{len(text):,}"})
    if _CONTROLS.search(text) is not None:
        raise InvalidArgument(argument="query", key="koe.search_control_characters")
    return text


# -- tracks -------------------------------------------------------------------------------------------


def check_encoded(encoded: str) -> None:
    """``encoded`` must be a track Lavalink could decode: base64 of a lavaplayer track message (or, from
    a test double, of a JSON object). Garbage is refused here rather than failing when it comes to play."""
    if not encoded:
        raise InvalidArgument(argument="encoded", key="koe.track_no_data")
    if len(encoded) > MAX_ENCODED_CHARS:
        raise InvalidArgument(argument="encoded", key="koe.track_data_too_long",
                              params={"max": f"{MAX_ENCODED_CHARS:,}", "count": f"{len(encoded):,}"})
    raw = _base64_bytes(encoded)
    if raw is None or not (_is_lavaplayer_message(raw) or _is_json_object(raw)):
        raise InvalidArgument(argument="encoded", key="koe.track_data_not_lavalink")


def _base64_bytes(text: str) -> bytes | None:
    """Standard or URL-safe base64, padded or not (Lavalink's decoder accepts both), else None."""
    if _STANDARD_B64.fullmatch(text) is None:
        if _URLSAFE_B64.fullmatch(text) is None:
            return None
        text = text.replace("-", "+").replace("_", "/")
    body = text.rstrip("=")
    if len(body) % 4 == 1 or (len(text) != len(body) and len(text) % 4 != 0):
        return None
    padded = body + "=" * (-len(body) % 4)
    try:
        raw = binascii.a2b_base64(padded, strict_mode=True)
    except binascii.Error:
        return None
    return raw if len(raw) >= MIN_ENCODED_BYTES else None


def _is_lavaplayer_message(raw: bytes) -> bool:
    # lavaplayer's MessageOutput: a big-endian int (flags << 30 | size) and then exactly ``size`` bytes.
    return int.from_bytes(raw[:4], "big") & _FRAME_SIZE_MASK == len(raw) - 4


def _is_json_object(raw: bytes) -> bool:
    # The outline only: a full parse would cost more than the rest of a 10,000-track Enqueue.
    if not (raw.startswith(b"{") and raw.endswith(b"}")):
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check_track(track: Track) -> Track:
    """The track as it may enter a queue: every field within bounds, display text cleaned."""
    check_encoded(track.encoded)
    for value, argument in ((track.uri, "uri"), (track.identifier, "identifier"), (track.artwork_url, "artwork_url")):
        _check_machine_text(value, MAX_MACHINE_TEXT_CHARS, argument)
    _check_machine_text(track.source, MAX_SOURCE_CHARS, "source")
    for ms, argument in ((track.length_ms, "length_ms"), (track.start_ms, "start_ms"), (track.end_ms or 0, "end_ms")):
        if ms > MAX_MS:
            raise InvalidArgument(argument=argument, key="koe.ms_too_big",
                                  params={"argument": argument, "max": f"{MAX_MS:,}", "value": f"{ms:,}"})
    if track.requester_id:
        check_snowflake(track.requester_id, "requester_id")
    title = clean_display_text(track.title, MAX_TITLE_CHARS, "title")
    author = clean_display_text(track.author, MAX_AUTHOR_CHARS, "author")
    cleaned = track if (title, author) == (track.title, track.author) else dataclasses.replace(
        track, title=title, author=author
    )
    validate_track(cleaned)
    return cleaned


def _numbered(problem: InvalidArgument, number: int) -> InvalidArgument:
    """``problem`` of the ``number``-th track of a batch: "Track 3: …", in the reader's language when keyed."""
    if problem.key is None:
        return InvalidArgument(f"Track {number}: {problem.message}", problem.argument)
    return InvalidArgument(argument=problem.argument, key="errors.track_numbered",
                           params={**problem.params, "number": number, "problem_key": problem.key})


def check_enqueue(tracks: Iterable[Track]) -> tuple[Track, ...]:
    """Every track of one Enqueue checked (at most ``MAX_TRACKS_PER_ENQUEUE``), display text cleaned."""
    batch = tuple(tracks)
    if len(batch) > MAX_TRACKS_PER_ENQUEUE:
        raise InvalidArgument(argument="tracks", key="koe.too_many_tracks",
                              params={"max": f"{MAX_TRACKS_PER_ENQUEUE:,}", "count": f"{len(batch):,}"})
    checked: list[Track] = []
    for number, track in enumerate(batch, 1):
        try:
            checked.append(check_track(track))
        except InvalidArgument as exc:
            if len(batch) == 1:
                raise
            raise _numbered(exc, number) from None
    return tuple(checked)


def check_queue_room(total: int, adding: int) -> None:
    """A queue holding ``total`` entries can take ``adding`` more without passing ``MAX_QUEUE_TRACKS``."""
    if total + adding > MAX_QUEUE_TRACKS:
        room = max(0, MAX_QUEUE_TRACKS - total)
        raise InvalidArgument(argument="tracks", key="koe.queue_full", params={
            "max": f"{MAX_QUEUE_TRACKS:,}", "total": f"{total:,}", "room": f"{room:,}", "adding": f"{adding:,}"})


def check_record(record: SessionRecord) -> SessionRecord:
    """A session record to restore: the same checks as the queue and the settings it carries."""
    check_ids(record.guild_id, record.channel_id)
    check_queue_room(0, len(record.tracks))
    tracks: list[Track] = []
    for number, track in enumerate(record.tracks, 1):
        try:
            tracks.append(check_track(track))
        except InvalidArgument as exc:
            raise _numbered(exc, number) from None
    if not 0 <= record.current_position <= len(tracks):
        raise InvalidArgument(argument="current_position", key="errors.record_position",
                              params={"position": record.current_position})
    check_volume(record.volume, relative=False)
    return dataclasses.replace(record, tracks=tuple(tracks))
