"""pb ⇄ dataclasses and KoeError ⇄ google.rpc.Status, including a real grpc.aio round trip for every error."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from azura_common.koe import convert
from azura_common.koe.errors import (
    AlreadyConnected,
    Busy,
    ChildUnavailable,
    InvalidArgument,
    KoeError,
    KoeTimeout,
    MusicServerDown,
    NoSession,
    NotConnected,
    NothingPlaying,
    PermissionDenied,
    QueueIndexError,
    SessionLost,
    TrackLoadFailed,
    Unauthenticated,
    error_kinds,
)
from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb
from azura_common.koe.pb.azura.koe.v1 import koe_pb2_grpc as pb_grpc
from azura_common.koe.records import MovedBoard
from azura_common.koe.session import (
    EnqueueMode,
    EnqueueResult,
    QueueItem,
    QueuePage,
    RemoveAbsent,
    RemoveRange,
    RemoveRequester,
    RepeatMode,
    SessionState,
    Track,
)

SAMPLES: list[KoeError] = [
    KoeError(),
    NoSession(),
    NotConnected(),
    AlreadyConnected(),
    NothingPlaying("The queue has ended; there is nothing to skip."),
    QueueIndexError(40, 12),
    InvalidArgument("A page holds 1 to 100 tracks.", "limit"),
    Busy(3),
    PermissionDenied("Only a DJ can clear the queue."),
    Unauthenticated(),
    ChildUnavailable(),
    SessionLost(),
    KoeTimeout(),
    MusicServerDown(),
    TrackLoadFailed("That video is private."),
    InvalidArgument("'Kōri — 氷の歌' is shorter than its start trim.", "start_ms"),  # titles are any text
]

TRACK = Track(
    encoded="QAAA", title="Song", author="Band", uri="https://example.com/s", length_ms=201_000,
    identifier="abc", source="youtube", artwork_url="https://example.com/a.jpg", requester_id=42,
    start_ms=1_000, end_ms=90_000,
)


def test_samples_cover_every_error_kind() -> None:
    # Errors that travel between processes; bot-only errors (NotInVoice, ...) subclass KoeError elsewhere.
    wire = {kind for kind, cls in error_kinds().items() if cls.__module__ == "azura_common.koe.errors"}
    assert {e.kind for e in SAMPLES} == wire


@pytest.mark.parametrize("error", SAMPLES, ids=lambda e: e.kind)
def test_error_survives_its_rich_status(error: KoeError) -> None:
    status = convert.error_to_status(error)
    assert status.code == convert.status_code(error).value[0] and status.message == error.message
    assert convert.status_code(error).name == error.status
    info = error_details_pb2.ErrorInfo()
    assert len(status.details) == 1 and status.details[0].Unpack(info)
    assert info.reason == error.kind.upper() and info.domain == convert.ERROR_DOMAIN
    fields = {key: value for key, value in info.metadata.items() if not key.startswith("i18n_")}
    assert fields == {key: str(value) for key, value in error.fields().items()}
    again = convert.error_from_status(convert.status_code(error), error.message, status)
    assert again == error and type(again) is type(error) and str(again) == str(error)
    assert again.text_in("de") == error.text_in("de")  # the user's language, wherever it was raised


def test_an_errors_catalogue_sentence_crosses_the_wire_and_reads_in_the_users_language() -> None:
    error = QueueIndexError(7, 3)
    again = convert.error_from_status(None, None, convert.error_to_status(error))
    assert again.message == "Position 7 is past the end of the queue (3 tracks)."  # English for logs and callers
    assert again.text_in("de") == "Position 7 liegt hinter dem Ende der Warteschlange (3 Titel)."
    assert again.text_in("ko") == again.message  # a language Azura does not speak reads English
    plain = convert.error_from_status(None, None, convert.error_to_status(TrackLoadFailed("That video is private.")))
    assert plain.key is None and plain.text_in("de") == "That video is private."  # no key: its own words


def test_user_facing_messages() -> None:
    assert str(QueueIndexError(40, 12)) == "Position 40 is past the end of the queue (12 tracks)."
    assert str(Busy(3)) == "All 3 Azura bots are busy in this server."


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (grpc.StatusCode.UNAVAILABLE, ChildUnavailable),
        (grpc.StatusCode.DEADLINE_EXCEEDED, KoeTimeout),
        (grpc.StatusCode.UNAUTHENTICATED, Unauthenticated),
        (grpc.StatusCode.NOT_FOUND, NoSession),
        (grpc.StatusCode.INTERNAL, KoeError),
    ],
)
def test_a_bare_status_maps_to_the_nearest_error(code: grpc.StatusCode, expected: type[KoeError]) -> None:
    error = convert.error_from_status(code, "boom", None)
    assert type(error) is expected
    # A rich status from someone else (another domain, another detail type) is not Koe's error either.
    foreign = status_pb2.Status(code=code.value[0], message="boom")
    foreign.details.add().Pack(error_details_pb2.ErrorInfo(reason="QUEUE_INDEX", domain="googleapis.com"))
    foreign.details.add().Pack(error_details_pb2.RetryInfo())
    assert type(convert.error_from_status(code, "boom", foreign)) is expected


def test_track_state_page_and_result_round_trip() -> None:
    assert convert.track_from_pb(convert.track_to_pb(TRACK)) == TRACK
    untrimmed = Track(encoded="x", title="Live", is_stream=True)
    assert convert.track_from_pb(convert.track_to_pb(untrimmed)).end_ms is None
    state = SessionState(guild_id=1, channel_id=2, bot_id=3, text_channel_id=4, connected=True, current=TRACK,
                         current_position=5, position_ms=6_000, paused=True, volume=150, repeat=RepeatMode.ALL,
                         total=9, upcoming=4)
    assert convert.state_from_pb(convert.state_to_pb(state)) == state
    empty = SessionState(guild_id=1, channel_id=2, bot_id=3)
    assert convert.state_from_pb(convert.state_to_pb(empty)) == empty
    page = QueuePage(items=(QueueItem(3, TRACK),), total=10, current_position=2, offset=2)
    assert convert.page_from_pb(convert.page_to_pb(page)) == page
    result = EnqueueResult(positions=(4, 5), started=True, total=5)
    assert convert.enqueue_result_from_pb(convert.enqueue_result_to_pb(result)) == result


def test_stale_boards_round_trip() -> None:
    boards = [MovedBoard(text_channel_id=1, message_id=2, voice_channel_id=3, now_bot_id=4),
              MovedBoard(text_channel_id=5, message_id=6, voice_channel_id=7, now_bot_id=8)]
    wire = pb.ParentEvent(stale_boards=convert.stale_boards_to_pb(boards)).SerializeToString()
    assert convert.stale_boards_from_pb(pb.ParentEvent.FromString(wire).stale_boards) == boards


def test_enums_round_trip_and_reject_unknown_numbers() -> None:
    for mode in EnqueueMode:
        assert convert.enqueue_mode_from_pb(convert.enqueue_mode_to_pb(mode)) is mode
    for repeat in RepeatMode:
        assert convert.repeat_from_pb(convert.repeat_to_pb(repeat), strict=True) is repeat
    assert convert.enqueue_mode_from_pb(pb.ENQUEUE_MODE_UNSPECIFIED) is EnqueueMode.FIFO
    with pytest.raises(InvalidArgument):
        convert.enqueue_mode_from_pb(77)
    with pytest.raises(InvalidArgument):
        convert.repeat_from_pb(pb.REPEAT_MODE_UNSPECIFIED, strict=True)


@pytest.mark.parametrize(
    "target",
    [RemoveRange(3), RemoveRange(3, 7), RemoveRequester(42), RemoveAbsent(frozenset({1, 2})), RemoveAbsent()],
)
def test_remove_targets_round_trip(target: object) -> None:
    request = pb.RemoveRequest(guild_id=1, channel_id=2)
    convert.remove_target_to_pb(target, request)  # type: ignore[arg-type]
    assert convert.remove_target_from_pb(request) == target


def test_a_remove_request_without_a_target_is_invalid() -> None:
    with pytest.raises(InvalidArgument):
        convert.remove_target_from_pb(pb.RemoveRequest(guild_id=1, channel_id=2))


GARBLED = 1_000  # a channel id past SAMPLES: the trailer is not a Status at all
MISMATCHED = 1_001  # the Status in the trailer names another code than the call's


class _FailingServicer(pb_grpc.KoeSessionServicer):
    """Answers GetState with the error whose index is the requested channel id (or a broken trailer)."""

    async def GetState(self, request: pb.GetStateRequest, context: grpc.aio.ServicerContext) -> pb.GetStateReply:  # type: ignore[override]
        if request.channel_id == GARBLED:
            await context.abort(grpc.StatusCode.NOT_FOUND, "boom", (("grpc-status-details-bin", b"\xff\xff garbage"),))
        if request.channel_id == MISMATCHED:
            status = convert.error_to_status(QueueIndexError(4, 2))
            await context.abort(grpc.StatusCode.UNAVAILABLE, status.message,
                                (("grpc-status-details-bin", status.SerializeToString()),))
        await context.abort_with_status(convert.error_to_grpc_status(SAMPLES[request.channel_id]))


@pytest.fixture
async def failing_stub() -> AsyncIterator[pb_grpc.KoeSessionStub]:
    server = grpc.aio.server()
    pb_grpc.add_KoeSessionServicer_to_server(_FailingServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield pb_grpc.KoeSessionStub(channel)
    await server.stop(None)


async def failed_call(stub: pb_grpc.KoeSessionStub, channel_id: int) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.GetState(pb.GetStateRequest(guild_id=1, channel_id=channel_id), timeout=5)
    return info.value


async def test_every_error_crosses_a_real_grpc_call(failing_stub: pb_grpc.KoeSessionStub) -> None:
    for index, error in enumerate(SAMPLES):
        rpc = await failed_call(failing_stub, index)
        assert rpc.code() == convert.status_code(error) and rpc.details() == error.message
        assert convert.error_from_rpc_error(rpc) == error, error.kind


async def test_a_broken_trailer_does_not_hide_the_status(failing_stub: pb_grpc.KoeSessionStub) -> None:
    assert type(convert.error_from_rpc_error(await failed_call(failing_stub, GARBLED))) is NoSession
    assert type(convert.error_from_rpc_error(await failed_call(failing_stub, MISMATCHED))) is ChildUnavailable
