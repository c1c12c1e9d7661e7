"""The child's Link boundary against a real child process: leases only by the handshake, bad events refused.

A child opens a session only for a channel a claimed lease reserved for it, so a caller with the secret that
skips the handshake cannot put this bot in a channel the parent did not give it. The table sends bad
``ParentEvent`` s on a raw Link stream, one row each, and checks the child's answers (or its silence), then
that no lease and no session changed: an offer held by another stream is still claimable by it, and no
channel became connectable without a handshake.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import grpc
import pytest
import pytest_asyncio
from google.protobuf.message import Message

from azura_common.koe.link.by_hand import RawLink, reserve
from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb
from azura_common.koe.pb.azura.koe.v1 import koe_pb2_grpc as pb_grpc
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import ChildProcess, Sandbox

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

FAILED_PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
TOO_BIG_ID = 2**63  # one past the largest snowflake
MINUS_ONE = 2**64 - 1  # what -1 looks like in a uint64
STRANGER = 987_654_321_987_654_321  # a guild nobody has heard of
MARK = 4_242_424_242  # the heartbeat that ends each row: every answer to the row comes before its echo


@dataclass(frozen=True)
class Ids:
    free: int  # a guild where nobody holds anything; a bystander's offer is made here
    free_voice: int
    free_voice_2: int
    mine: int  # the hostile stream's own guild, where it holds an honest offer
    mine_voice: int
    spare: int  # a guild nobody holds, for rows that ask for a lease
    spare_voice: int
    playing: int  # the guild where the child plays (a session held through the proper handshake)
    playing_voice: int
    playing_voice_2: int


class Stage:
    def __init__(self, sandbox: Sandbox, child: ChildProcess, channel: grpc.aio.Channel, ids: Ids) -> None:
        self.sandbox = sandbox
        self.child = child
        self.channel = channel
        self.stub = pb_grpc.KoeSessionStub(channel)
        self.metadata = (("authorization", f"Bearer {sandbox.secret}"),)
        self.ids = ids
        self.bot_id = 0

    async def call(self, method: str, request: Message) -> Message:
        reply: Message = await getattr(self.stub, method)(request, metadata=self.metadata, timeout=20)
        return reply

    async def link(self) -> RawLink:
        return await RawLink.open(self.stub, self.metadata)

    async def sessions(self) -> list[tuple[int, int, int]]:
        listed = await self.call("ListSessions", pb.ListSessionsRequest())
        assert isinstance(listed, pb.ListSessionsReply)
        return sorted((s.guild_id, s.channel_id, s.total) for s in listed.sessions)

    async def refused_connect(self, guild_id: int, channel_id: int) -> grpc.aio.AioRpcError:
        request = pb.ConnectRequest(guild_id=guild_id, channel_id=channel_id, request_id=uuid.uuid4().hex)
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await self.call("Connect", request)
        return info.value

    def in_voice(self, guild_id: int) -> int | None:
        state = self.sandbox.discord.voice_state(guild_id, self.bot_id)
        return None if state is None else state.channel_id


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stage(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stage]:
    sandbox = await Sandbox.start(speed=50)
    discord = sandbox.discord
    guilds = [await discord.create_guild(name) for name in ("Free", "Mine", "Spare")]
    voices = [await discord.create_voice_channel(g, f"{g.name}-voice") for g in guilds]
    free_voice_2 = await discord.create_voice_channel(guilds[0], "Free-voice-2")
    with pytest.MonkeyPatch.context() as env:  # a log folder of its own: the tests read the child's log
        env.setenv("AZURA_SANDBOX_LOGS", str(tmp_path_factory.mktemp("link-boundary-logs")))
        child = await sandbox.spawn_child("link-boundary-child")
    channel = grpc.aio.insecure_channel(child.address)
    ids = Ids(
        guilds[0].id, voices[0].id, free_voice_2.id, guilds[1].id, voices[1].id, guilds[2].id, voices[2].id,
        sandbox.guild.id, sandbox.voices[0].id, sandbox.voices[1].id,
    )
    stage = Stage(sandbox, child, channel, ids)
    link = await stage.link()
    stage.bot_id = link.hello.bot_user_id
    await link.close()
    # The child plays in one guild, reserved and connected as the parent does it.
    await reserve(stage, ids.playing, ids.playing_voice)
    where = {"guild_id": ids.playing, "channel_id": ids.playing_voice}
    await stage.call("Connect", pb.ConnectRequest(**where, request_id=uuid.uuid4().hex))
    found = load_tracks("ytsearch:link boundary")["data"][0]
    track = pb.Track(encoded=found["encoded"], title=found["info"]["title"], length_ms=found["info"]["length"])
    enqueue = pb.EnqueueRequest(request_id=uuid.uuid4().hex, tracks=[track])
    enqueue.guild_id, enqueue.channel_id = ids.playing, ids.playing_voice
    await stage.call("Enqueue", enqueue)
    yield stage
    await channel.close()
    await sandbox.stop()


# -- a hostile caller with the secret ------------------------------------------------------------------------


async def test_a_connect_the_parent_did_not_lease_is_refused_and_no_bot_joins(stage: Stage) -> None:
    i = stage.ids
    before = await stage.sessions()
    for guild_id, channel_id in ((i.free, i.free_voice), (i.playing, i.playing_voice_2)):
        error = await stage.refused_connect(guild_id, channel_id)
        assert error.code() == FAILED_PRECONDITION, error.details()
        assert "not reserved for that voice channel" in (error.details() or "")
    restore = pb.RestoreRequest(
        guild_id=i.free, channel_id=i.free_voice, request_id=uuid.uuid4().hex,
        record=pb.SessionRecord(guild_id=i.free, channel_id=i.free_voice),
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stage.call("Restore", restore)
    assert info.value.code() == FAILED_PRECONDITION, info.value.details()
    await asyncio.sleep(0.5)  # a join would have shown by now
    assert stage.in_voice(i.free) is None
    assert stage.in_voice(i.playing) == i.playing_voice  # still only where it was put
    assert await stage.sessions() == before


async def test_a_lease_reserves_only_its_own_channel_and_only_once_claimed(stage: Stage) -> None:
    i = stage.ids
    link = await stage.link()
    try:
        request_id = uuid.uuid4().hex
        assert await link.query(i.spare, i.spare_voice, request_id) == "available"
        offered = await stage.refused_connect(i.spare, i.spare_voice)  # offered is not claimed
        assert offered.code() == FAILED_PRECONDITION
        assert await link.claim(request_id, i.spare, i.spare_voice)
        other_channel = await stage.refused_connect(i.spare, i.free_voice)  # claimed for one channel only
        assert other_channel.code() == FAILED_PRECONDITION
        assert stage.in_voice(i.spare) is None
        await link.send(pb.ParentEvent(release=pb.Release(request_id=request_id, guild_id=i.spare)))
        await link.send(pb.ParentEvent(heartbeat=pb.Heartbeat(sent_at_ms=MARK)))
        assert await answers(link) == []
        assert (await stage.refused_connect(i.spare, i.spare_voice)).code() == FAILED_PRECONDITION  # released
    finally:
        await link.close()


async def test_a_retried_connect_of_a_held_session_needs_no_new_lease(stage: Stage) -> None:
    i = stage.ids
    where = {"guild_id": i.playing, "channel_id": i.playing_voice}
    reply = await stage.call("Connect", pb.ConnectRequest(**where, request_id=uuid.uuid4().hex))
    assert isinstance(reply, pb.ConnectReply) and reply.state.channel_id == i.playing_voice and reply.state.total == 1


# -- the table of bad Link events ----------------------------------------------------------------------------


@dataclass
class Row:
    """What one row knows: the ids, the bystander's and its own honest request ids."""

    ids: Ids
    theirs: str  # a bystander stream's offer in the free guild
    mine: str  # the hostile stream's own offer in its guild
    spare_leases: list[str] = field(default_factory=list)  # leases a row was (rightly) offered in the spare guild


Events = Callable[[Row], list[pb.ParentEvent]]
Expect = Callable[[Row, list[pb.ChildEvent]], None]


@dataclass(frozen=True)
class Case:
    name: str
    events: Events
    expect: Expect


def query(guild: Callable[[Ids], int], channel: Callable[[Ids], int], request_id: Callable[[Row], str] | None = None,
          lease_ms: int = 3_000) -> Events:
    def build(row: Row) -> list[pb.ParentEvent]:
        rid = request_id(row) if request_id else uuid.uuid4().hex
        ids = row.ids
        q = pb.AvailabilityQuery(request_id=rid, guild_id=guild(ids), channel_id=channel(ids), lease_ms=lease_ms)
        return [pb.ParentEvent(availability_query=q)]

    return build


def claim(request_id: Callable[[Row], str], guild: Callable[[Ids], int], channel: Callable[[Ids], int]) -> Events:
    def build(row: Row) -> list[pb.ParentEvent]:
        c = pb.Claim(request_id=request_id(row), guild_id=guild(row.ids), channel_id=channel(row.ids))
        return [pb.ParentEvent(claim=c)]

    return build


def release(request_id: Callable[[Row], str], guild: Callable[[Ids], int]) -> Events:
    return lambda row: [pb.ParentEvent(release=pb.Release(request_id=request_id(row), guild_id=guild(row.ids)))]


def stranger_query(ids: Ids, guild_id: int) -> pb.ParentEvent:
    q = pb.AvailabilityQuery(request_id=uuid.uuid4().hex, guild_id=guild_id, channel_id=ids.spare_voice)
    return pb.ParentEvent(availability_query=q)


def many(events: Events, n: int) -> Events:
    return lambda row: [event for _ in range(n) for event in events(row)]


def silence(row: Row, got: list[pb.ChildEvent]) -> None:
    assert got == [], got


def refused_claim(row: Row, got: list[pb.ChildEvent]) -> None:
    assert [e.WhichOneof("event") for e in got] == ["claimed"], got
    assert not got[0].claimed.ok


def refused_claims(n: int) -> Expect:
    def check(row: Row, got: list[pb.ChildEvent]) -> None:
        assert len(got) == n and all(e.WhichOneof("event") == "claimed" and not e.claimed.ok for e in got), got

    return check


def unavailable(reason: str, *, retry: bool = False, times: int = 1) -> Expect:
    def check(row: Row, got: list[pb.ChildEvent]) -> None:
        assert [e.WhichOneof("event") for e in got] == ["unavailable"] * times, got
        for event in got:
            assert reason in event.unavailable.reason and event.unavailable.retry is retry, event

    return check


def offered_once(n: int) -> Expect:
    """n queries for the spare guild: the first gets the lease, every other one hears it is promised."""
    def check(row: Row, got: list[pb.ChildEvent]) -> None:
        kinds = [e.WhichOneof("event") for e in got]
        assert kinds == ["available"] + ["unavailable"] * (n - 1), kinds
        assert all(e.unavailable.retry for e in got[1:])
        row.spare_leases.append(got[0].available.request_id)

    return check


def heartbeat_echoed(sent_at_ms: int) -> Expect:
    def check(row: Row, got: list[pb.ChildEvent]) -> None:
        assert [e.heartbeat.sent_at_ms for e in got] == [sent_at_ms] and got[0].WhichOneof("event") == "heartbeat"

    return check


INVALID = "invalid query"
UNKNOWN_FIELD = bytes([15 << 3 | 2, 3]) + b"new"  # field 15, 3 bytes: an event a newer parent might send
RANDOM = lambda row: uuid.uuid4().hex  # noqa: E731
MINE = lambda row: row.mine  # noqa: E731
THEIRS = lambda row: row.theirs  # noqa: E731

CASES: list[Case] = [
    # events that are no event
    Case("empty-event", lambda row: [pb.ParentEvent()], silence),
    Case("unknown-event", lambda row: [pb.ParentEvent.FromString(UNKNOWN_FIELD)], silence),
    Case("empty-query", lambda row: [pb.ParentEvent(availability_query=pb.AvailabilityQuery())],
         unavailable(INVALID)),
    Case("empty-claim", lambda row: [pb.ParentEvent(claim=pb.Claim())], refused_claim),
    Case("empty-release", lambda row: [pb.ParentEvent(release=pb.Release())], silence),
    # claims of leases this stream was never offered
    Case("claim-never-offered", claim(RANDOM, lambda i: i.spare, lambda i: i.spare_voice), refused_claim),
    Case("claim-another-streams-lease", claim(THEIRS, lambda i: i.free, lambda i: i.free_voice), refused_claim),
    Case("claim-another-streams-lease-channel-0", claim(THEIRS, lambda i: i.free, lambda i: 0), refused_claim),
    Case("claim-wrong-request-id", claim(RANDOM, lambda i: i.mine, lambda i: i.mine_voice), refused_claim),
    Case("claim-request-id-other-case", claim(lambda row: row.mine.upper(), lambda i: i.mine, lambda i: i.mine_voice),
         refused_claim),
    Case("claim-request-id-trailing-space", claim(lambda row: row.mine + " ", lambda i: i.mine,
                                                  lambda i: i.mine_voice), refused_claim),
    Case("claim-mine-in-another-guild", claim(MINE, lambda i: i.free, lambda i: i.mine_voice), refused_claim),
    Case("claim-mine-for-another-channel", claim(MINE, lambda i: i.mine, lambda i: i.free_voice), refused_claim),
    Case("claim-mine-in-a-stranger-guild", claim(MINE, lambda i: STRANGER, lambda i: i.mine_voice), refused_claim),
    Case("claim-empty-request-id", claim(lambda row: "", lambda i: i.mine, lambda i: i.mine_voice), refused_claim),
    Case("claim-request-id-129-chars", claim(lambda row: "r" * 129, lambda i: i.mine, lambda i: i.mine_voice),
         refused_claim),
    Case("claim-request-id-100k", claim(lambda row: "r" * 100_000, lambda i: i.mine, lambda i: i.mine_voice),
         refused_claim),
    Case("claim-request-id-newline", claim(lambda row: row.mine[:8] + "\n", lambda i: i.mine, lambda i: i.mine_voice),
         refused_claim),
    Case("claim-guild-0", claim(MINE, lambda i: 0, lambda i: i.mine_voice), refused_claim),
    Case("claim-guild-2^63", claim(MINE, lambda i: TOO_BIG_ID, lambda i: i.mine_voice), refused_claim),
    Case("claim-guild-minus-one", claim(MINE, lambda i: MINUS_ONE, lambda i: i.mine_voice), refused_claim),
    Case("claim-channel-minus-one", claim(MINE, lambda i: i.mine, lambda i: MINUS_ONE), refused_claim),
    Case("flood-300-claims", many(claim(RANDOM, lambda i: i.free, lambda i: i.free_voice), 300), refused_claims(300)),
    # releases of leases this stream does not hold
    Case("release-another-streams-lease", release(THEIRS, lambda i: i.free), silence),
    Case("release-never-offered", release(RANDOM, lambda i: i.spare), silence),
    Case("release-mine-in-another-guild", release(MINE, lambda i: i.free), silence),
    Case("release-wrong-request-id", release(RANDOM, lambda i: i.mine), silence),
    Case("release-guild-0", release(MINE, lambda i: 0), silence),
    Case("release-guild-minus-one", release(THEIRS, lambda i: MINUS_ONE), silence),
    Case("release-request-id-100k", release(lambda row: "r" * 100_000, lambda i: i.free), silence),
    # availability queries that are not questions
    Case("query-guild-0", query(lambda i: 0, lambda i: i.spare_voice), unavailable(INVALID)),
    Case("query-channel-0", query(lambda i: i.spare, lambda i: 0), unavailable(INVALID)),
    Case("query-guild-2^63", query(lambda i: TOO_BIG_ID, lambda i: i.spare_voice), unavailable(INVALID)),
    Case("query-guild-minus-one", query(lambda i: MINUS_ONE, lambda i: i.spare_voice), unavailable(INVALID)),
    Case("query-channel-minus-one", query(lambda i: i.spare, lambda i: MINUS_ONE), unavailable(INVALID)),
    Case("query-empty-request-id", query(lambda i: i.spare, lambda i: i.spare_voice, lambda row: ""),
         unavailable(INVALID)),
    Case("query-request-id-129-chars", query(lambda i: i.spare, lambda i: i.spare_voice, lambda row: "q" * 129),
         unavailable(INVALID)),
    Case("query-request-id-control-chars", query(lambda i: i.spare, lambda i: i.spare_voice, lambda row: "a\x00\x1b"),
         unavailable(INVALID)),
    # availability queries the child must not grant
    Case("query-a-stranger-guild", query(lambda i: STRANGER, lambda i: i.spare_voice),
         unavailable("not in this server")),
    Case("query-a-guild-promised-to-another-stream", query(lambda i: i.free, lambda i: i.free_voice_2),
         unavailable("promised to another request", retry=True)),
    Case("query-with-another-streams-request-id", query(lambda i: i.free, lambda i: i.free_voice, THEIRS),
         unavailable("promised to another request", retry=True)),
    Case("query-where-it-plays", query(lambda i: i.playing, lambda i: i.playing_voice_2), unavailable("busy")),
    Case("query-where-it-plays-same-channel", query(lambda i: i.playing, lambda i: i.playing_voice),
         unavailable("busy")),
    Case("flood-300-queries-stranger-guilds",
         lambda row: [stranger_query(row.ids, STRANGER + n) for n in range(300)],
         unavailable("not in this server", times=300)),
    # queries it grants, but with a lease of its own making (and one per guild however many ask)
    Case("query-lease-ms-0", query(lambda i: i.spare, lambda i: i.spare_voice, lease_ms=0), offered_once(1)),
    Case("query-lease-ms-max-uint32", query(lambda i: i.spare, lambda i: i.spare_voice, lease_ms=2**32 - 1),
         offered_once(1)),
    Case("flood-300-queries-one-guild", many(query(lambda i: i.spare, lambda i: i.spare_voice), 300),
         offered_once(300)),
    # heartbeats are echoed whatever they carry
    Case("heartbeat-0", lambda row: [pb.ParentEvent(heartbeat=pb.Heartbeat(sent_at_ms=0))], heartbeat_echoed(0)),
    Case("heartbeat-minus-one", lambda row: [pb.ParentEvent(heartbeat=pb.Heartbeat(sent_at_ms=MINUS_ONE))],
         heartbeat_echoed(MINUS_ONE)),
]


async def answers(link: RawLink) -> list[pb.ChildEvent]:
    """Everything the child answered before it echoed the MARK heartbeat (its own notices left out)."""
    got: list[pb.ChildEvent] = []
    while True:
        event = await link.answer(timeout=10)
        assert event is not None, f"no echo of the mark after {len(got)} answers"
        if event.WhichOneof("event") == "heartbeat" and event.heartbeat.sent_at_ms == MARK:
            return got
        got.append(event)


async def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 30
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_a_bad_link_event_is_answered_as_nothing_and_changes_nothing(stage: Stage, case: Case) -> None:
    i = stage.ids
    sessions = await stage.sessions()
    bystander, hostile = await stage.link(), await stage.link()
    try:
        theirs, mine = uuid.uuid4().hex, uuid.uuid4().hex
        assert await bystander.query(i.free, i.free_voice, theirs) == "available"
        assert await hostile.query(i.mine, i.mine_voice, mine) == "available"
        row = Row(i, theirs, mine)
        for event in case.events(row):
            await hostile.send(event)
        await hostile.send(pb.ParentEvent(heartbeat=pb.Heartbeat(sent_at_ms=MARK)))
        case.expect(row, await answers(hostile))
        # Nothing became connectable without a handshake, and nobody joined voice.
        for guild_id, channel_id in ((i.free, i.free_voice), (i.free, i.free_voice_2), (i.mine, i.mine_voice),
                                     (i.spare, i.spare_voice), (i.mine, i.free_voice)):
            assert (await stage.refused_connect(guild_id, channel_id)).code() == FAILED_PRECONDITION
        assert [stage.in_voice(g) for g in (i.free, i.mine, i.spare)] == [None, None, None]
        assert await stage.sessions() == sessions
        # The honest leases are where they were: each stream can still claim its own.
        assert await bystander.claim(theirs, i.free, i.free_voice)
        assert await hostile.claim(mine, i.mine, i.mine_voice)
        for link, request_id, guild_id in ((bystander, theirs, i.free), (hostile, mine, i.mine),
                                           *((hostile, r, i.spare) for r in row.spare_leases)):
            await link.send(pb.ParentEvent(release=pb.Release(request_id=request_id, guild_id=guild_id)))
    finally:
        await bystander.close()
        await hostile.close()
    # Every lease is gone with its release or its stream: a proper handshake finds each guild free again.
    await assert_free(stage, (i.free, i.free_voice), (i.mine, i.mine_voice), (i.spare, i.spare_voice))


async def assert_free(stage: Stage, *places: tuple[int, int]) -> None:
    link = await stage.link()
    try:
        for guild_id, channel_id in places:
            request_id = uuid.uuid4().hex
            assert await link.query(guild_id, channel_id, request_id) == "available", (guild_id, channel_id)
            await link.send(pb.ParentEvent(release=pb.Release(request_id=request_id, guild_id=guild_id)))
    finally:
        await link.close()


async def test_after_the_table_a_proper_handshake_still_connects(stage: Stage) -> None:
    i = stage.ids
    await reserve(stage, i.spare, i.spare_voice)
    where = {"guild_id": i.spare, "channel_id": i.spare_voice}
    reply = await stage.call("Connect", pb.ConnectRequest(**where, request_id=uuid.uuid4().hex))
    assert isinstance(reply, pb.ConnectReply) and reply.state.connected
    try:
        await stage.sandbox.discord.wait_for(lambda: stage.in_voice(i.spare) == i.spare_voice, 6, "the bot in voice")
    finally:
        await stage.call("Disconnect", pb.DisconnectRequest(
            guild_id=i.spare, channel_id=i.spare_voice, request_id=uuid.uuid4().hex,
        ))
    assert "refused a Link claim" in stage.child.log_text()  # the operator sees what was refused
