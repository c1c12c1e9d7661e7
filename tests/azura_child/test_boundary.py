"""Bad calls against a real child process: each is refused with its status and a message, and changes nothing.

A caller with the cluster secret is trusted to speak the protocol, not to be right: every request is
checked at the child's gRPC boundary. The table sends one bad request per row and then compares the
session's GetState and GetQueue with what they were before.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
import pytest_asyncio
from google.protobuf import text_format
from google.protobuf.message import Message

from azura_common.koe import validation
from azura_common.koe.link.by_hand import reserve
from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb
from azura_common.koe.pb.azura.koe.v1 import koe_pb2_grpc as pb_grpc
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import ChildProcess, Sandbox

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

SERVICE = "/azura.koe.v1.KoeSession/"
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND
OUT_OF_RANGE = grpc.StatusCode.OUT_OF_RANGE
UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED
TOO_BIG_ID = 2**63  # one past the largest snowflake; still a valid uint64 on the wire
MAX_UINT64 = 2**64 - 1
MAX_SINT32 = 2**31 - 1
ALICE = 101


def catalogue_track(query: str, index: int = 0, **fields: Any) -> pb.Track:
    """A resolved track from the fake Lavalink's catalogue, as a parent would send it."""
    found = load_tracks(f"ytsearch:{query}")["data"][index]
    info = found["info"]
    track = pb.Track(
        encoded=found["encoded"], title=info["title"], author=info["author"], uri=info["uri"] or "",
        length_ms=info["length"], identifier=info["identifier"], source=info["sourceName"], requester_id=ALICE,
    )
    for name, value in fields.items():
        setattr(track, name, value)
    return track


GOOD = catalogue_track("boundary")


def bad(**fields: Any) -> pb.Track:
    """A good track with some fields spoiled."""
    return catalogue_track("boundary", **fields)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@dataclass(frozen=True)
class Ids:
    guild: int  # the session's guild
    channel: int  # the session's voice channel
    other_guild: int  # another guild this child also plays in
    other_channel: int  # the voice channel it plays in there
    stranger_guild: int  # a guild nobody has heard of
    text: int


class Stage:
    def __init__(self, sandbox: Sandbox, child: ChildProcess, channel: grpc.aio.Channel, ids: Ids) -> None:
        self.sandbox = sandbox
        self.child = child
        self.channel = channel
        self.stub = pb_grpc.KoeSessionStub(channel)
        self.auth = (("authorization", f"Bearer {sandbox.secret}"),)
        self.ids = ids

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return self.auth

    async def call(self, method: str, request: Message) -> Any:
        return await getattr(self.stub, method)(request, metadata=self.auth, timeout=20)

    async def refused(self, method: str, request: Message) -> grpc.aio.AioRpcError:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await self.call(method, request)
        return info.value

    async def snapshot(self, guild_id: int | None = None, channel_id: int | None = None) -> tuple[Message, Message]:
        """What a user sees of a session: its state and its whole queue (up to 100 entries)."""
        where = {"guild_id": guild_id or self.ids.guild, "channel_id": channel_id or self.ids.channel}
        state = await self.call("GetState", pb.GetStateRequest(**where))
        queue = await self.call("GetQueue", pb.GetQueueRequest(**where, offset=0, limit=100))
        return state, queue


async def settled(stage: Stage, **where: int) -> tuple[Message, Message]:
    """The snapshot once a paused player's last position report has arrived (Lavalink sends one every 0.5 s)."""
    previous = await stage.snapshot(**where)
    deadline = time.monotonic() + 10
    while True:
        await asyncio.sleep(0.7)
        current = await stage.snapshot(**where)
        if current == previous:
            return current
        assert time.monotonic() < deadline, "the paused session's state never settled"
        previous = current


async def open_paused(stage: Stage, guild: int, channel: int, tracks: list[pb.Track]) -> None:
    ids = {"guild_id": guild, "channel_id": channel}
    await reserve(stage, guild, channel)  # the parent's handshake: a child opens sessions only where reserved
    await stage.call("Connect", pb.ConnectRequest(**ids, request_id=uuid.uuid4().hex, text_channel_id=stage.ids.text))
    await stage.call("Enqueue", pb.EnqueueRequest(**ids, request_id=uuid.uuid4().hex, tracks=tracks))
    await stage.call("Skip", pb.SkipRequest(**ids, request_id=uuid.uuid4().hex, by=1))  # some history too
    await stage.call("Pause", pb.PauseRequest(**ids, request_id=uuid.uuid4().hex))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stage(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stage]:
    sandbox = await Sandbox.start(speed=50)
    with pytest.MonkeyPatch.context() as env:  # a log folder of its own: these tests read the child's log
        env.setenv("AZURA_SANDBOX_LOGS", str(tmp_path_factory.mktemp("boundary-logs")))
        child = await sandbox.spawn_child("boundary-child")
    other = await sandbox.discord.create_guild("Elsewhere")
    other_voice = await sandbox.discord.create_voice_channel(other, "elsewhere-voice")
    channel = grpc.aio.insecure_channel(child.address, options=[("grpc.max_send_message_length", -1)])
    stranger = 987_654_321_987_654_321
    ids = Ids(sandbox.guild.id, sandbox.voices[0].id, other.id, other_voice.id, stranger, sandbox.text.id)
    stage = Stage(sandbox, child, channel, ids)
    await open_paused(stage, ids.guild, ids.channel, [catalogue_track(f"boundary {i}") for i in range(6)])
    await open_paused(stage, ids.other_guild, ids.other_channel, [catalogue_track(f"elsewhere {i}") for i in range(3)])
    await settled(stage)
    yield stage
    await channel.close()
    await sandbox.stop()


# -- the table ------------------------------------------------------------------------------------------

Build = Callable[[Ids], Message]


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    build: Build
    code: grpc.StatusCode


def where(i: Ids, **over: Any) -> dict[str, Any]:
    return {"guild_id": i.guild, "channel_id": i.channel, **over}


def change(i: Ids, **over: Any) -> dict[str, Any]:
    return {**where(i), "request_id": uuid.uuid4().hex, **over}


# A request of each mutating RPC that would change the session (or at least succeed) if it were accepted.
MUTATIONS: dict[str, Callable[[dict[str, Any], Ids], Message]] = {
    "Connect": lambda a, i: pb.ConnectRequest(**a, text_channel_id=i.text),
    "Disconnect": lambda a, i: pb.DisconnectRequest(**a),
    "Enqueue": lambda a, i: pb.EnqueueRequest(**a, tracks=[GOOD]),
    "Skip": lambda a, i: pb.SkipRequest(**a, by=1),
    "Back": lambda a, i: pb.BackRequest(**a, by=1),
    "Pause": lambda a, i: pb.PauseRequest(**a),
    "Resume": lambda a, i: pb.ResumeRequest(**a),
    "Stop": lambda a, i: pb.StopRequest(**a),
    "Seek": lambda a, i: pb.SeekRequest(**a, position_ms=1_000),
    "SetVolume": lambda a, i: pb.SetVolumeRequest(**a, volume=50),
    "SetRepeat": lambda a, i: pb.SetRepeatRequest(**a, mode=pb.REPEAT_MODE_ALL),
    "Shuffle": lambda a, i: pb.ShuffleRequest(**a),
    "Move": lambda a, i: pb.MoveRequest(**a, from_position=3, to_position=5),
    "Remove": lambda a, i: pb.RemoveRequest(**a, range=pb.RemoveRange(start=5)),
    "Clear": lambda a, i: pb.ClearRequest(**a),
}

READS: dict[str, Callable[[dict[str, Any]], Message]] = {
    "GetState": lambda a: pb.GetStateRequest(**a),
    "GetQueue": lambda a: pb.GetQueueRequest(**a, limit=10),
}

Spoil = Callable[[Ids], dict[str, Any]]
# Addressing mistakes every session RPC must refuse: (name, the spoiled fields, the expected code).
ADDRESSING: list[tuple[str, Spoil, grpc.StatusCode]] = [
    ("other-guild", lambda i: {"guild_id": i.other_guild}, NOT_FOUND),
    ("stranger-guild", lambda i: {"guild_id": i.stranger_guild}, NOT_FOUND),
    ("guild-0", lambda i: {"guild_id": 0}, INVALID),
    ("channel-0", lambda i: {"channel_id": 0}, INVALID),
    ("guild-2^63", lambda i: {"guild_id": TOO_BIG_ID}, INVALID),
    ("channel-max-uint64", lambda i: {"channel_id": MAX_UINT64}, INVALID),
]
REQUEST_IDS: list[tuple[str, Spoil, grpc.StatusCode]] = [
    ("request-id-129-chars", lambda i: {"request_id": "r" * 129}, INVALID),
    ("request-id-newline", lambda i: {"request_id": "abc\ndef"}, INVALID),
]


def _mutation_case(method: str, name: str, spoil: Spoil, code: grpc.StatusCode) -> Case:
    make = MUTATIONS[method]
    return Case(f"{method}-{name}", method, lambda i: make(change(i, **spoil(i)), i), code)


def _read_case(method: str, name: str, spoil: Spoil, code: grpc.StatusCode) -> Case:
    make = READS[method]
    return Case(f"{method}-{name}", method, lambda i: make(where(i, **spoil(i))), code)


def enqueue(*tracks: pb.Track, **over: Any) -> Build:
    return lambda i: pb.EnqueueRequest(**change(i), tracks=list(tracks), **over)


def mutate(request: type[Message], **fields: Any) -> Build:
    return lambda i: request(**change(i), **fields)


def read(request: type[Message], **fields: Any) -> Build:
    return lambda i: request(**where(i), **fields)


CASES: list[Case] = [
    *(_mutation_case(m, *row) for m in MUTATIONS for row in ADDRESSING + REQUEST_IDS),
    *(_read_case(m, *row) for m in READS for row in ADDRESSING),
]

TEN_THOUSAND_AND_ONE = [GOOD] * (validation.MAX_TRACKS_PER_ENQUEUE + 1)
CASES += [
    # Enqueue: how many, where, and what the tracks hold
    Case("Enqueue-10001-tracks", "Enqueue", enqueue(*TEN_THOUSAND_AND_ONE), INVALID),
    Case("Enqueue-no-tracks", "Enqueue", enqueue(), INVALID),
    Case("Enqueue-unknown-mode", "Enqueue", enqueue(GOOD, mode=99), INVALID),  # type: ignore[arg-type]
    Case("Enqueue-position-0", "Enqueue", enqueue(GOOD, position=0), OUT_OF_RANGE),
    Case("Enqueue-position-negative", "Enqueue", enqueue(GOOD, position=-5), OUT_OF_RANGE),
    Case("Enqueue-position-past-any-queue", "Enqueue", enqueue(GOOD, position=100_002), OUT_OF_RANGE),
    Case("Enqueue-position-max-sint32", "Enqueue", enqueue(GOOD, position=MAX_SINT32), OUT_OF_RANGE),
    Case("Enqueue-encoded-empty", "Enqueue", enqueue(bad(encoded="")), INVALID),
    Case("Enqueue-encoded-not-base64", "Enqueue", enqueue(bad(encoded="this is not a track!")), INVALID),
    Case("Enqueue-encoded-mixed-alphabets", "Enqueue", enqueue(bad(encoded="ab+_cdef" * 8)), INVALID),
    Case("Enqueue-encoded-bad-padding", "Enqueue", enqueue(bad(encoded="QUJDREVGR0hJSktMTU5PUFFS=")), INVALID),
    Case("Enqueue-encoded-too-short", "Enqueue", enqueue(bad(encoded="QUJD")), INVALID),
    Case("Enqueue-encoded-zeros", "Enqueue", enqueue(bad(encoded="A" * 120)), INVALID),
    Case("Enqueue-encoded-random-bytes", "Enqueue", enqueue(bad(encoded=b64(bytes(range(7, 250, 3))))), INVALID),
    Case("Enqueue-encoded-wrong-frame-size", "Enqueue",
         enqueue(bad(encoded=b64((1 << 30 | 500).to_bytes(4, "big") + b"\x03" + b"x" * 40))), INVALID),
    Case("Enqueue-encoded-json-array", "Enqueue", enqueue(bad(encoded=b64(json.dumps(list(range(9))).encode()))),
         INVALID),
    Case("Enqueue-encoded-40k", "Enqueue", enqueue(bad(encoded="QUJD" * 10_000)), INVALID),
    Case("Enqueue-title-1001", "Enqueue", enqueue(bad(title="t" * 1_001)), INVALID),
    Case("Enqueue-title-100k", "Enqueue", enqueue(bad(title="t" * 100_000)), INVALID),
    Case("Enqueue-author-501", "Enqueue", enqueue(bad(author="a" * 501)), INVALID),
    Case("Enqueue-uri-4097", "Enqueue", enqueue(bad(uri="https://e.x/" + "u" * 4_086)), INVALID),
    Case("Enqueue-uri-newline", "Enqueue", enqueue(bad(uri="https://e.x/a\nb")), INVALID),
    Case("Enqueue-artwork-nul", "Enqueue", enqueue(bad(artwork_url="https://e.x/\x00.jpg")), INVALID),
    Case("Enqueue-identifier-4097", "Enqueue", enqueue(bad(identifier="i" * 4_097)), INVALID),
    Case("Enqueue-source-65", "Enqueue", enqueue(bad(source="s" * 65)), INVALID),
    Case("Enqueue-source-bidi-override", "Enqueue", enqueue(bad(source="you\u202etube")), INVALID),
    Case("Enqueue-length-past-java-long", "Enqueue", enqueue(bad(length_ms=2**63)), INVALID),
    Case("Enqueue-start-past-java-long", "Enqueue", enqueue(bad(start_ms=MAX_UINT64)), INVALID),
    Case("Enqueue-end-past-java-long", "Enqueue", enqueue(bad(end_ms=2**63 + 5)), INVALID),
    Case("Enqueue-end-before-start", "Enqueue", enqueue(bad(start_ms=5_000, end_ms=1_000)), INVALID),
    Case("Enqueue-start-past-length", "Enqueue", enqueue(bad(start_ms=99_000_000)), INVALID),
    Case("Enqueue-requester-2^63", "Enqueue", enqueue(bad(requester_id=TOO_BIG_ID)), INVALID),
    Case("Enqueue-third-track-bad", "Enqueue", enqueue(GOOD, GOOD, bad(encoded="%%%"), GOOD), INVALID),
    # Skip and Back: how far
    Case("Skip-by-100001", "Skip", mutate(pb.SkipRequest, by=100_001), INVALID),
    Case("Skip-by-minus-100001", "Skip", mutate(pb.SkipRequest, by=-100_001), INVALID),
    Case("Skip-by-max-sint32", "Skip", mutate(pb.SkipRequest, by=MAX_SINT32), INVALID),
    Case("Skip-by-0", "Skip", mutate(pb.SkipRequest, by=0), INVALID),
    Case("Skip-to-0", "Skip", mutate(pb.SkipRequest, to=0), OUT_OF_RANGE),
    Case("Skip-to-negative", "Skip", mutate(pb.SkipRequest, to=-1), OUT_OF_RANGE),
    Case("Skip-to-past-any-queue", "Skip", mutate(pb.SkipRequest, to=100_001), OUT_OF_RANGE),
    Case("Skip-to-max-sint32", "Skip", mutate(pb.SkipRequest, to=MAX_SINT32), OUT_OF_RANGE),
    Case("Skip-to-past-this-queue", "Skip", mutate(pb.SkipRequest, to=40), OUT_OF_RANGE),
    Case("Back-by-0", "Back", mutate(pb.BackRequest, by=0), INVALID),
    Case("Back-by-negative", "Back", mutate(pb.BackRequest, by=-1), INVALID),
    Case("Back-by-100001", "Back", mutate(pb.BackRequest, by=100_001), INVALID),
    Case("Back-by-max-sint32", "Back", mutate(pb.BackRequest, by=MAX_SINT32), INVALID),
    Case("Back-past-the-first", "Back", mutate(pb.BackRequest, by=5), OUT_OF_RANGE),
    # Seek: how far
    Case("Seek-8-days", "Seek", mutate(pb.SeekRequest, position_ms=8 * 86_400_000), INVALID),
    Case("Seek-relative-2^62", "Seek", mutate(pb.SeekRequest, position_ms=2**62, relative=True), INVALID),
    Case("Seek-relative-minus-2^62", "Seek",
         mutate(pb.SeekRequest, position_ms=-(2**62), relative=True), INVALID),
    Case("Seek-max-sint64", "Seek", mutate(pb.SeekRequest, position_ms=2**63 - 1), INVALID),
    Case("Seek-negative", "Seek", mutate(pb.SeekRequest, position_ms=-1), INVALID),
    Case("Seek-past-the-track", "Seek", mutate(pb.SeekRequest, position_ms=86_400_000), INVALID),
    # SetVolume: absolute 0-1000, relative at most ±10,000
    Case("SetVolume-1001", "SetVolume", mutate(pb.SetVolumeRequest, volume=1_001), INVALID),
    Case("SetVolume-negative", "SetVolume", mutate(pb.SetVolumeRequest, volume=-1), INVALID),
    Case("SetVolume-max-sint32", "SetVolume", mutate(pb.SetVolumeRequest, volume=MAX_SINT32), INVALID),
    Case("SetVolume-relative-10001", "SetVolume",
         mutate(pb.SetVolumeRequest, volume=10_001, relative=True), INVALID),
    Case("SetVolume-relative-minus-10001", "SetVolume",
         mutate(pb.SetVolumeRequest, volume=-10_001, relative=True), INVALID),
    Case("SetVolume-relative-max-sint32", "SetVolume",
         mutate(pb.SetVolumeRequest, volume=MAX_SINT32, relative=True), INVALID),
    Case("SetVolume-relative-min-sint32", "SetVolume",
         mutate(pb.SetVolumeRequest, volume=-(2**31), relative=True), INVALID),
    # SetRepeat
    Case("SetRepeat-unspecified", "SetRepeat", mutate(pb.SetRepeatRequest), INVALID),
    Case("SetRepeat-unknown", "SetRepeat", mutate(pb.SetRepeatRequest, mode=42), INVALID),
    # Move: positions
    Case("Move-from-0", "Move", mutate(pb.MoveRequest, from_position=0, to_position=4), OUT_OF_RANGE),
    Case("Move-to-0", "Move", mutate(pb.MoveRequest, from_position=4, to_position=0), OUT_OF_RANGE),
    Case("Move-from-negative", "Move", mutate(pb.MoveRequest, from_position=-3, to_position=4), OUT_OF_RANGE),
    Case("Move-from-past-any-queue", "Move",
         mutate(pb.MoveRequest, from_position=100_001, to_position=4), OUT_OF_RANGE),
    Case("Move-to-max-sint32", "Move",
         mutate(pb.MoveRequest, from_position=4, to_position=MAX_SINT32), OUT_OF_RANGE),
    Case("Move-the-current-track", "Move", mutate(pb.MoveRequest, from_position=2, to_position=4), INVALID),
    # Remove: what to remove
    Case("Remove-no-target", "Remove", mutate(pb.RemoveRequest), INVALID),
    Case("Remove-range-start-0", "Remove", mutate(pb.RemoveRequest, range=pb.RemoveRange(start=0)), OUT_OF_RANGE),
    Case("Remove-range-start-negative", "Remove",
         mutate(pb.RemoveRequest, range=pb.RemoveRange(start=-1)), OUT_OF_RANGE),
    Case("Remove-range-end-past-any-queue", "Remove",
         mutate(pb.RemoveRequest, range=pb.RemoveRange(start=3, end=100_001)), OUT_OF_RANGE),
    Case("Remove-range-start-max-sint32", "Remove",
         mutate(pb.RemoveRequest, range=pb.RemoveRange(start=MAX_SINT32)), OUT_OF_RANGE),
    Case("Remove-range-backwards", "Remove",
         mutate(pb.RemoveRequest, range=pb.RemoveRange(start=5, end=3)), INVALID),
    Case("Remove-requester-0", "Remove",
         mutate(pb.RemoveRequest, requester=pb.RemoveRequester(user_id=0)), INVALID),
    Case("Remove-requester-2^63", "Remove",
         mutate(pb.RemoveRequest, requester=pb.RemoveRequester(user_id=TOO_BIG_ID)), INVALID),
    Case("Remove-absent-10001-ids", "Remove",
         mutate(pb.RemoveRequest, absent=pb.RemoveAbsent(present_ids=range(1, 10_002))), INVALID),
    Case("Remove-absent-id-0", "Remove",
         mutate(pb.RemoveRequest, absent=pb.RemoveAbsent(present_ids=[ALICE, 0])), INVALID),
    # Connect: optional ids
    Case("Connect-text-channel-max-uint64", "Connect", mutate(pb.ConnectRequest, text_channel_id=MAX_UINT64), INVALID),
    Case("Connect-text-channel-2^63", "Connect",
         mutate(pb.ConnectRequest, text_channel_id=TOO_BIG_ID), INVALID),
    Case("Connect-dj-role-2^63", "Connect", mutate(pb.ConnectRequest, dj_role_id=TOO_BIG_ID), INVALID),
    Case("Connect-dj-role-max-uint64", "Connect",
         mutate(pb.ConnectRequest, dj_role_id=MAX_UINT64), INVALID),
    # Disconnect: the words shown to people
    Case("Disconnect-detail-201", "Disconnect",
         mutate(pb.DisconnectRequest, ending=pb.Ending(detail="d" * 201)), INVALID),
    # GetQueue: the page
    Case("GetQueue-offset-negative", "GetQueue", read(pb.GetQueueRequest, offset=-1), INVALID),
    Case("GetQueue-offset-past-any-queue", "GetQueue",
         read(pb.GetQueueRequest, offset=100_001), INVALID),
    Case("GetQueue-offset-max-sint32", "GetQueue",
         read(pb.GetQueueRequest, offset=MAX_SINT32), INVALID),
    Case("GetQueue-limit-0", "GetQueue", read(pb.GetQueueRequest, limit=0), INVALID),
    Case("GetQueue-limit-101", "GetQueue", read(pb.GetQueueRequest, limit=101), INVALID),
    Case("GetQueue-limit-negative", "GetQueue", read(pb.GetQueueRequest, limit=-1), INVALID),
    # ListSessions
    Case("ListSessions-guild-2^63", "ListSessions", lambda i: pb.ListSessionsRequest(guild_id=TOO_BIG_ID), INVALID),
]


async def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 200
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_a_bad_call_is_refused_and_changes_nothing(stage: Stage, case: Case) -> None:
    before = await stage.snapshot()
    error = await stage.refused(case.method, case.build(stage.ids))
    assert error.code() == case.code, error.details()
    assert (error.details() or "").strip(), "the refusal must say why"
    assert "Something went wrong" not in (error.details() or "")
    after = await stage.snapshot()
    assert after == before, changed(before, after)


def changed(before: tuple[Message, Message], after: tuple[Message, Message]) -> str:
    """The lines of the snapshots that differ (tracks' encoded data left out: long and never the point)."""
    def lines(snapshot: tuple[Message, Message]) -> list[str]:
        text = "".join(text_format.MessageToString(m) for m in snapshot)
        return [line for line in text.splitlines() if "encoded:" not in line]

    old, new = lines(before), lines(after)
    gone = [f"- {line}" for line in old if line not in new]
    return "\n".join([*gone, *(f"+ {line}" for line in new if line not in old)])


# -- a hostile caller with the secret -----------------------------------------------------------------


async def test_another_guild_cannot_read_or_change_a_session_by_its_channel_id(stage: Stage) -> None:
    i = stage.ids
    mine = await stage.snapshot(i.other_guild, i.other_channel)  # the caller's own session, in its own guild
    theirs = await stage.snapshot()
    as_me = {"guild_id": i.other_guild, "channel_id": i.channel}  # my guild, their channel
    for method, request in (
        ("GetState", pb.GetStateRequest(**as_me)),
        ("GetQueue", pb.GetQueueRequest(**as_me, limit=100)),
        ("Connect", pb.ConnectRequest(**as_me, request_id=uuid.uuid4().hex, text_channel_id=i.text)),
        ("Skip", pb.SkipRequest(**as_me, request_id=uuid.uuid4().hex, to=1)),
        ("Clear", pb.ClearRequest(**as_me, request_id=uuid.uuid4().hex)),
        ("SetVolume", pb.SetVolumeRequest(**as_me, request_id=uuid.uuid4().hex, volume=0)),
        ("Enqueue", pb.EnqueueRequest(**as_me, request_id=uuid.uuid4().hex, tracks=[GOOD], position=3)),
        ("Disconnect", pb.DisconnectRequest(**as_me, request_id=uuid.uuid4().hex)),
    ):
        error = await stage.refused(method, request)
        assert error.code() == NOT_FOUND, (method, error.details())
        assert error.details() == "Nothing is playing in your voice channel."  # the same as for no session at all
    assert await stage.snapshot() == theirs
    assert await stage.snapshot(i.other_guild, i.other_channel) == mine
    listed = await stage.call("ListSessions", pb.ListSessionsRequest(guild_id=i.other_guild))
    assert [s.channel_id for s in listed.sessions] == [i.other_channel]  # the list shows only the caller's guild
    assert "naming guild" in stage.child.log_text()  # the operator sees who tried


async def test_a_request_id_cannot_be_replayed_with_another_payload(stage: Stage) -> None:
    i = stage.ids
    request_id = uuid.uuid4().hex
    first = pb.EnqueueRequest(**where(i), request_id=request_id, tracks=[catalogue_track("replay one")])
    first_reply = await stage.call("Enqueue", first)
    after_first = await stage.snapshot()
    other_payload = pb.EnqueueRequest(**where(i), request_id=request_id, tracks=[catalogue_track("replay two")] * 2)
    error = await stage.refused("Enqueue", other_payload)
    assert error.code() == INVALID and "already used for a different request" in (error.details() or "")
    assert await stage.snapshot() == after_first  # not applied, and no one else's reply
    assert await stage.call("Enqueue", first) == first_reply  # the same request again: the first reply, applied once
    assert await stage.snapshot() == after_first
    await stage.call("Remove", pb.RemoveRequest(**change(i), range=pb.RemoveRange(start=first_reply.positions[0])))


async def test_a_request_id_reused_on_another_channel_is_that_channels_own_request(stage: Stage) -> None:
    i = stage.ids
    request_id = uuid.uuid4().hex
    theirs = await stage.snapshot()
    mine = await stage.call("SetVolume", pb.SetVolumeRequest(
        guild_id=i.other_guild, channel_id=i.other_channel, request_id=request_id, volume=77,
    ))
    assert mine.state.channel_id == i.other_channel and mine.state.volume == 77
    again = await stage.call("SetVolume", pb.SetVolumeRequest(**where(i), request_id=request_id, volume=100))
    assert again.state.channel_id == i.channel  # its own channel's state, not the first caller's reply
    assert await stage.snapshot() == theirs  # volume 100 was already the volume there


async def test_a_full_queue_takes_no_more(stage: Stage) -> None:
    """100,000 entries fit in one session's queue; the next Enqueue is refused whole and changes nothing."""
    discord = stage.sandbox.discord
    guild = await discord.create_guild("Big Queues")  # one session per guild per bot: a guild of its own
    voice = await discord.create_voice_channel(guild, "marathon")
    where_ = {"guild_id": guild.id, "channel_id": voice.id}
    await open_paused(stage, guild.id, voice.id, [GOOD, GOOD])  # paused: the queue never moves on
    total = (await stage.call("GetState", pb.GetStateRequest(**where_))).state.total

    def small(n: int) -> pb.Track:  # the fake Lavalink's kind of encoded track, as small as it gets
        info = json.dumps({"identifier": f"cap-{n:06d}", "title": f"cap {n}"}).encode()
        return pb.Track(encoded=b64(info), title=f"cap {n}", length_ms=60_000)

    while total < validation.MAX_QUEUE_TRACKS:
        room = min(validation.MAX_TRACKS_PER_ENQUEUE, validation.MAX_QUEUE_TRACKS - total)
        batch = [small(total + k) for k in range(room)]
        reply = await stage.call("Enqueue", pb.EnqueueRequest(**where_, request_id=uuid.uuid4().hex, tracks=batch))
        total = reply.total
    assert total == validation.MAX_QUEUE_TRACKS
    before = await stage.snapshot(**where_)
    error = await stage.refused("Enqueue", pb.EnqueueRequest(**where_, request_id=uuid.uuid4().hex, tracks=[small(0)]))
    assert error.code() == INVALID
    assert error.details() == "A queue holds at most 100,000 tracks; this one has 100,000, so 0 more fit, not 1."
    assert await stage.snapshot(**where_) == before
    await stage.call("Disconnect", pb.DisconnectRequest(**where_, request_id=uuid.uuid4().hex))


# -- who may call -------------------------------------------------------------------------------------


AUTH_VARIANTS: list[tuple[str, Callable[[str], tuple[tuple[str, str], ...]]]] = [
    ("no-header", lambda secret: ()),
    ("right-then-wrong", lambda secret: (("authorization", f"Bearer {secret}"), ("authorization", "Bearer guess"))),
    ("wrong-then-right", lambda secret: (("authorization", "Bearer guess"), ("authorization", f"Bearer {secret}"))),
    ("right-twice", lambda secret: (("authorization", f"Bearer {secret}"),) * 2),
    ("lowercase-bearer", lambda secret: (("authorization", f"bearer {secret}"),)),
    ("no-scheme", lambda secret: (("authorization", secret),)),
    ("basic-scheme", lambda secret: (("authorization", f"Basic {secret}"),)),
    ("two-spaces", lambda secret: (("authorization", f"Bearer  {secret}"),)),
    ("trailing-space", lambda secret: (("authorization", f"Bearer {secret} "),)),
    ("secret-prefix", lambda secret: (("authorization", f"Bearer {secret[:-1]}"),)),
    ("empty", lambda secret: (("authorization", ""),)),
]


@pytest.mark.parametrize(("name", "metadata"), AUTH_VARIANTS, ids=[name for name, _ in AUTH_VARIANTS])
async def test_anything_but_one_exact_bearer_header_is_unauthenticated(
    stage: Stage, name: str, metadata: Callable[[str], tuple[tuple[str, str], ...]]
) -> None:
    before = await stage.snapshot()
    skip = pb.SkipRequest(**change(stage.ids), to=1)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stage.stub.Skip(skip, metadata=metadata(stage.sandbox.secret), timeout=10)
    assert info.value.code() == UNAUTHENTICATED, name
    assert info.value.details() == "The cluster secret was missing or wrong."
    assert await stage.snapshot() == before


async def test_the_one_right_header_is_accepted_and_refusals_are_logged_with_their_reason(stage: Stage) -> None:
    reply = await stage.stub.GetState(pb.GetStateRequest(**where(stage.ids)), metadata=stage.auth, timeout=10)
    assert reply.state.channel_id == stage.ids.channel
    log = stage.child.log_text()
    assert "WARNING azura_child.auth: rejected /azura.koe.v1.KoeSession/Skip: 2 authorization headers" in log
    assert "rejected /azura.koe.v1.KoeSession/Skip: no authorization header" in log
    assert stage.sandbox.secret not in log  # the secret never reaches the log


# -- bytes that are no request ------------------------------------------------------------------------

UNARY_METHODS = [m.name for m in pb.DESCRIPTOR.services_by_name["KoeSession"].methods if not m.client_streaming]
JUNK = {
    "varint-overflow": b"\xff" * 12,
    "truncated-field": b"\x12\x05ab",
    "invalid-wire-type": b"\x07",
    "truncated-varint": b"\x08",
}


@pytest.mark.parametrize("method", UNARY_METHODS)
@pytest.mark.parametrize("junk", list(JUNK), ids=list(JUNK))
async def test_garbage_bytes_are_an_invalid_argument_logged_without_a_traceback(
    stage: Stage, method: str, junk: str
) -> None:
    before = await stage.snapshot()
    logged = len(stage.child.log_text())
    raw = stage.channel.unary_unary(SERVICE + method)  # no serializers: the bytes go as they are
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await raw(JUNK[junk], metadata=stage.auth, timeout=10)
    assert info.value.code() == INVALID, info.value.details()
    assert info.value.details() == f"The request to {SERVICE}{method} could not be decoded; check the message type."
    assert await stage.snapshot() == before
    new_log = stage.child.log_text()[logged:]
    assert f"WARNING azura_child.decoding: undecodable request to {SERVICE}{method}" in new_log
    assert "Traceback" not in new_log and " ERROR " not in new_log, new_log


async def test_garbage_without_the_secret_is_unauthenticated_not_a_crash(stage: Stage) -> None:
    logged = len(stage.child.log_text())
    raw = stage.channel.unary_unary(SERVICE + "Skip")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await raw(JUNK["varint-overflow"], timeout=10)
    assert info.value.code() == UNAUTHENTICATED
    new_log = stage.child.log_text()[logged:]
    assert "Traceback" not in new_log and " ERROR " not in new_log, new_log


async def test_a_garbage_message_on_the_link_ends_it_as_an_invalid_argument(stage: Stage) -> None:
    logged = len(stage.child.log_text())
    link = stage.channel.stream_stream(SERVICE + "Link")  # raw bytes both ways

    async def junk() -> AsyncIterator[bytes]:
        yield JUNK["truncated-field"]

    replies: list[bytes] = []
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for reply in link(junk(), metadata=stage.auth, timeout=10):
            replies.append(reply)
    assert info.value.code() == INVALID, info.value.details()
    assert pb.ChildEvent.FromString(replies[0]).HasField("hello")  # the Link had started: the junk ended it
    new_log = stage.child.log_text()[logged:]
    assert f"undecodable request to {SERVICE}Link" in new_log
    assert "Traceback" not in new_log and " ERROR " not in new_log, new_log
