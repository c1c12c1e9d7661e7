"""The only importer of ``pb``: protobuf messages ⇄ session dataclasses, ``KoeError`` ⇄ gRPC status.

Both directions live side by side so a field added on one side is visibly missing on the other. Errors
travel in gRPC's standard rich error model: a ``google.rpc.Status`` (code, message) in the trailers whose
``google.rpc.ErrorInfo`` detail names the error kind (``reason``) and carries its fields (``metadata``).
A status without that detail (a dead child, a deadline, a proxy) still maps to the nearest ``KoeError``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import grpc
from google.protobuf.message import DecodeError
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from .effects import Effects
from .errors import (
    ChildUnavailable,
    FieldValue,
    InvalidArgument,
    KoeError,
    KoeTimeout,
    NoSession,
    Unauthenticated,
    error_kinds,
)
from .pb.azura.koe.v1 import koe_pb2 as pb
from .records import MovedBoard, SessionRecord
from .session import (
    CloseReason,
    Ending,
    EnqueueMode,
    EnqueueResult,
    QueueItem,
    QueuePage,
    RemoveAbsent,
    RemoveRange,
    RemoveRequester,
    RemoveTarget,
    RepeatMode,
    SessionState,
    Track,
)

__all__ = [
    "ERROR_DOMAIN",
    "close_reason_to_pb",
    "effects_from_pb",
    "effects_to_pb",
    "ending_from_pb",
    "ending_to_pb",
    "enqueue_mode_from_pb",
    "enqueue_mode_to_pb",
    "enqueue_result_from_pb",
    "enqueue_result_to_pb",
    "error_from_rpc_error",
    "error_from_status",
    "error_to_grpc_status",
    "error_to_status",
    "page_from_pb",
    "page_to_pb",
    "record_from_pb",
    "record_to_pb",
    "remove_target_from_pb",
    "remove_target_to_pb",
    "repeat_from_pb",
    "repeat_to_pb",
    "stale_boards_from_pb",
    "stale_boards_to_pb",
    "state_from_pb",
    "state_to_pb",
    "status_code",
    "track_from_pb",
    "track_to_pb",
    "tracks_from_pb",
]

ERROR_DOMAIN = "koe.azura"  # ErrorInfo.domain: whose error kinds the reasons name

log = logging.getLogger(__name__)

# -- enums --------------------------------------------------------------------------------------------

_ENQUEUE_TO_PB = {
    EnqueueMode.FIFO: pb.ENQUEUE_MODE_FIFO,
    EnqueueMode.LIFO: pb.ENQUEUE_MODE_LIFO,
    EnqueueMode.RANDOM: pb.ENQUEUE_MODE_RANDOM,
    EnqueueMode.INTERLACE: pb.ENQUEUE_MODE_INTERLACE,
}
_ENQUEUE_FROM_PB = {v: k for k, v in _ENQUEUE_TO_PB.items()}
_REPEAT_TO_PB = {
    RepeatMode.NONE: pb.REPEAT_MODE_NONE,
    RepeatMode.ONE: pb.REPEAT_MODE_ONE,
    RepeatMode.ALL: pb.REPEAT_MODE_ALL,
}
_REPEAT_FROM_PB = {v: k for k, v in _REPEAT_TO_PB.items()}


_CLOSE_TO_PB = {
    CloseReason.DISCONNECT: pb.CLOSE_REASON_DISCONNECT,
    CloseReason.BUTTON: pb.CLOSE_REASON_BUTTON,
    CloseReason.IDLE: pb.CLOSE_REASON_IDLE,
    CloseReason.KICKED: pb.CLOSE_REASON_KICKED,
    CloseReason.CHANNEL_DELETED: pb.CLOSE_REASON_CHANNEL_DELETED,
    CloseReason.LAVALINK_LOST: pb.CLOSE_REASON_LAVALINK_LOST,
    CloseReason.SHUTDOWN: pb.CLOSE_REASON_SHUTDOWN,
    CloseReason.CHILD_LOST: pb.CLOSE_REASON_CHILD_LOST,
    CloseReason.MOVED: pb.CLOSE_REASON_MOVED,
}
_CLOSE_FROM_PB = {v: k for k, v in _CLOSE_TO_PB.items()}


def close_reason_to_pb(reason: CloseReason) -> pb.CloseReason.ValueType:
    return _CLOSE_TO_PB[reason]


def ending_to_pb(ending: Ending) -> pb.Ending:
    return pb.Ending(reason=_CLOSE_TO_PB[ending.reason], detail=ending.detail)


def ending_from_pb(reason: int, detail: str) -> Ending:
    """An Ending from the wire; an unknown or unset kind reads as a plain disconnect."""
    return Ending(_CLOSE_FROM_PB.get(reason, CloseReason.DISCONNECT), detail)  # type: ignore[call-overload]


def enqueue_mode_to_pb(mode: EnqueueMode) -> pb.EnqueueMode.ValueType:
    return _ENQUEUE_TO_PB[mode]


def enqueue_mode_from_pb(value: int) -> EnqueueMode:
    """UNSPECIFIED means FIFO; an unknown number is a caller's mistake."""
    if value == pb.ENQUEUE_MODE_UNSPECIFIED:
        return EnqueueMode.FIFO
    try:
        return _ENQUEUE_FROM_PB[value]  # type: ignore[index]
    except KeyError:
        raise InvalidArgument(f"Unknown enqueue mode {value}.", "mode") from None


def repeat_to_pb(mode: RepeatMode) -> pb.RepeatMode.ValueType:
    return _REPEAT_TO_PB[mode]


def repeat_from_pb(value: int, *, strict: bool = False) -> RepeatMode:
    """``strict`` (SetRepeat) rejects UNSPECIFIED; in a state it reads as NONE."""
    if value == pb.REPEAT_MODE_UNSPECIFIED and not strict:
        return RepeatMode.NONE
    try:
        return _REPEAT_FROM_PB[value]  # type: ignore[index]
    except KeyError:
        raise InvalidArgument(f"Unknown repeat mode {value}; use none, one or all.", "mode") from None


# -- data ---------------------------------------------------------------------------------------------


def track_to_pb(track: Track) -> pb.Track:
    msg = pb.Track(
        encoded=track.encoded,
        title=track.title,
        author=track.author,
        uri=track.uri,
        length_ms=track.length_ms,
        identifier=track.identifier,
        source=track.source,
        artwork_url=track.artwork_url,
        is_stream=track.is_stream,
        requester_id=track.requester_id,
        start_ms=track.start_ms,
    )
    if track.end_ms is not None:
        msg.end_ms = track.end_ms
    return msg


def track_from_pb(msg: pb.Track) -> Track:
    return Track(
        encoded=msg.encoded,
        title=msg.title,
        author=msg.author,
        uri=msg.uri,
        length_ms=msg.length_ms,
        identifier=msg.identifier,
        source=msg.source,
        artwork_url=msg.artwork_url,
        is_stream=msg.is_stream,
        requester_id=msg.requester_id,
        start_ms=msg.start_ms,
        end_ms=msg.end_ms if msg.HasField("end_ms") else None,
    )


def tracks_from_pb(msgs: Iterable[pb.Track]) -> tuple[Track, ...]:
    return tuple(track_from_pb(m) for m in msgs)


# -- effects --
def effects_to_pb(effects: Effects) -> pb.Effects:
    return pb.Effects(preset=effects.preset, equalizer=effects.equalizer, speed=effects.speed, pitch=effects.pitch)


def effects_from_pb(msg: pb.Effects) -> Effects:
    """Unset rates (0) read as unchanged (1.0); ranges are the session's to check."""
    return Effects(preset=msg.preset, equalizer=msg.equalizer, speed=msg.speed or 1.0, pitch=msg.pitch or 1.0)


def state_to_pb(state: SessionState) -> pb.SessionState:
    msg = pb.SessionState(
        guild_id=state.guild_id,
        channel_id=state.channel_id,
        bot_id=state.bot_id,
        connected=state.connected,
        current_position=state.current_position,
        position_ms=max(0, state.position_ms),
        paused=state.paused,
        volume=state.volume,
        repeat=repeat_to_pb(state.repeat),
        total=state.total,
        upcoming=state.upcoming,
        effects=effects_to_pb(state.effects),
        autoplay=state.autoplay,  # -- autoplay --
    )
    if state.text_channel_id is not None:
        msg.text_channel_id = state.text_channel_id
    if state.current is not None:
        msg.current.CopyFrom(track_to_pb(state.current))
    return msg


def state_from_pb(msg: pb.SessionState) -> SessionState:
    return SessionState(
        guild_id=msg.guild_id,
        channel_id=msg.channel_id,
        bot_id=msg.bot_id,
        text_channel_id=msg.text_channel_id if msg.HasField("text_channel_id") else None,
        connected=msg.connected,
        current=track_from_pb(msg.current) if msg.HasField("current") else None,
        current_position=msg.current_position,
        position_ms=msg.position_ms,
        paused=msg.paused,
        volume=msg.volume,
        repeat=repeat_from_pb(msg.repeat),
        total=msg.total,
        upcoming=msg.upcoming,
        effects=effects_from_pb(msg.effects),
        autoplay=msg.autoplay,  # -- autoplay --
    )


def record_to_pb(record: SessionRecord, *, with_tracks: bool = True) -> pb.SessionRecord:
    msg = pb.SessionRecord(
        guild_id=record.guild_id,
        channel_id=record.channel_id,
        bot_id=record.bot_id,
        current_position=record.current_position,
        position_ms=max(0, record.position_ms),
        checkpoint_ms=record.checkpoint_ms,
        paused=record.paused,
        volume=record.volume,
        repeat=repeat_to_pb(record.repeat),
        lavalink_session_id=record.lavalink_session_id,
        updated_ms=record.updated_ms,
        effects=effects_to_pb(record.effects),
        autoplay=record.autoplay,  # -- autoplay --
    )
    if with_tracks:
        msg.tracks.extend(track_to_pb(t) for t in record.tracks)
    if record.text_channel_id is not None:
        msg.text_channel_id = record.text_channel_id
    if record.dj_role_id is not None:
        msg.dj_role_id = record.dj_role_id
    if record.nowplaying_message_id is not None:
        msg.nowplaying_message_id = record.nowplaying_message_id
    return msg


def record_from_pb(msg: pb.SessionRecord) -> SessionRecord:
    return SessionRecord(
        guild_id=msg.guild_id,
        channel_id=msg.channel_id,
        bot_id=msg.bot_id,
        text_channel_id=msg.text_channel_id if msg.HasField("text_channel_id") else None,
        dj_role_id=msg.dj_role_id if msg.HasField("dj_role_id") else None,
        tracks=tracks_from_pb(msg.tracks),
        current_position=msg.current_position,
        position_ms=msg.position_ms,
        checkpoint_ms=msg.checkpoint_ms,
        paused=msg.paused,
        volume=msg.volume,
        repeat=repeat_from_pb(msg.repeat),
        nowplaying_message_id=msg.nowplaying_message_id if msg.HasField("nowplaying_message_id") else None,
        lavalink_session_id=msg.lavalink_session_id,
        updated_ms=msg.updated_ms,
        effects=effects_from_pb(msg.effects),
        autoplay=msg.autoplay,  # -- autoplay --
    )


def stale_boards_to_pb(boards: Iterable[MovedBoard]) -> pb.StaleBoards:
    return pb.StaleBoards(boards=[
        pb.StaleBoard(text_channel_id=b.text_channel_id, message_id=b.message_id,
                      voice_channel_id=b.voice_channel_id, now_bot_id=b.now_bot_id)
        for b in boards
    ])


def stale_boards_from_pb(msg: pb.StaleBoards) -> list[MovedBoard]:
    return [MovedBoard(b.text_channel_id, b.message_id, b.voice_channel_id, b.now_bot_id) for b in msg.boards]


def page_to_pb(page: QueuePage) -> pb.GetQueueReply:
    return pb.GetQueueReply(
        items=[pb.QueueItem(position=i.position, track=track_to_pb(i.track)) for i in page.items],
        total=page.total,
        current_position=page.current_position,
        offset=page.offset,
    )


def page_from_pb(msg: pb.GetQueueReply) -> QueuePage:
    return QueuePage(
        items=tuple(QueueItem(i.position, track_from_pb(i.track)) for i in msg.items),
        total=msg.total,
        current_position=msg.current_position,
        offset=msg.offset,
    )


def enqueue_result_to_pb(result: EnqueueResult) -> pb.EnqueueReply:
    return pb.EnqueueReply(positions=list(result.positions), started=result.started, total=result.total)


def enqueue_result_from_pb(msg: pb.EnqueueReply) -> EnqueueResult:
    return EnqueueResult(positions=tuple(msg.positions), started=msg.started, total=msg.total)


def remove_target_to_pb(target: RemoveTarget, request: pb.RemoveRequest) -> None:
    """Fill ``request``'s ``target`` oneof."""
    if isinstance(target, RemoveRange):
        request.range.start = target.start
        if target.end is not None:
            request.range.end = target.end
    elif isinstance(target, RemoveRequester):
        request.requester.user_id = target.user_id
    else:
        request.absent.present_ids.extend(sorted(target.present_ids))
        request.absent.SetInParent()  # an empty set of present members is still a choice


def remove_target_from_pb(request: pb.RemoveRequest) -> RemoveTarget:
    which = request.WhichOneof("target")
    if which == "range":
        return RemoveRange(request.range.start, request.range.end if request.range.HasField("end") else None)
    if which == "requester":
        return RemoveRequester(request.requester.user_id)
    if which == "absent":
        return RemoveAbsent(frozenset(request.absent.present_ids))
    raise InvalidArgument("Say what to remove: a range, a requester, or absent members.", "target")


# -- errors -------------------------------------------------------------------------------------------

# A status that arrives without Koe's detail (the child never answered) still means something.
_BARE_STATUS: dict[grpc.StatusCode, type[KoeError]] = {
    grpc.StatusCode.UNAVAILABLE: ChildUnavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: KoeTimeout,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.NOT_FOUND: NoSession,
    grpc.StatusCode.CANCELLED: ChildUnavailable,
}


def status_code(error: KoeError) -> grpc.StatusCode:
    return grpc.StatusCode[error.status]


def error_to_status(error: KoeError) -> status_pb2.Status:
    """``error`` as a ``google.rpc.Status``: its code and message, and an ``ErrorInfo`` naming its kind."""
    info = error_details_pb2.ErrorInfo(
        reason=error.kind.upper(),  # ErrorInfo reasons are UPPER_SNAKE_CASE by convention
        domain=ERROR_DOMAIN,
        metadata={key: str(value) for key, value in error.fields().items()} | _text_metadata(error),
    )
    status = status_pb2.Status(code=status_code(error).value[0], message=error.message)
    status.details.add().Pack(info)
    return status


# The catalogue sentence travels beside the fields, so the parent shows a child's error in the user's language.
_TEXT_KEY = "i18n_key"
_TEXT_PARAM = "i18n_param_"


def _text_metadata(error: KoeError) -> dict[str, str]:
    if error.key is None or error.is_default_text():
        return {}  # none, or the default sentence: the kind and the fields rebuild it on the other side
    return {_TEXT_KEY: error.key} | {_TEXT_PARAM + name: str(value) for name, value in error.params.items()}


def _with_text(error: KoeError, metadata: dict[str, str]) -> KoeError:
    key = metadata.get(_TEXT_KEY)
    if key is not None:
        error.key = key
        error.params = {k.removeprefix(_TEXT_PARAM): v for k, v in metadata.items() if k.startswith(_TEXT_PARAM)}
    return error


def error_to_grpc_status(error: KoeError) -> grpc.Status:
    """What a servicer aborts with (``context.abort_with_status``): the status plus its trailer."""
    return rpc_status.to_status(error_to_status(error))


def error_from_status(code: grpc.StatusCode | None, details: str | None, status: status_pb2.Status | None) -> KoeError:
    """Rebuild the ``KoeError`` a call failed with, from its code and its rich status, if any."""
    if status is not None:
        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info) and info.domain == ERROR_DOMAIN:
                kind = error_kinds().get(info.reason.lower(), KoeError)
                metadata = dict(info.metadata)
                fields: dict[str, FieldValue] = {k: v for k, v in metadata.items() if not k.startswith("i18n_")}
                return _with_text(kind.from_fields(status.message, fields), metadata)
    bare = _BARE_STATUS.get(code) if code is not None else None
    if bare is not None:
        return bare()
    # Not from Koe (a crash, a proxy, a message too big): users get the friendly default, logs the details.
    log.warning("cluster call failed without a Koe error: %s %s", code.name if code else "?", details)
    return KoeError()


def error_from_rpc_error(error: grpc.aio.AioRpcError) -> KoeError:
    """The ``KoeError`` behind a failed grpc.aio call (its status code, details and trailers)."""
    try:
        # AioRpcError answers code()/details()/trailing_metadata() synchronously, as the grpc.Call that
        # rpc_status.from_call reads (rpc_status.aio.from_call wants a call object to await instead).
        status: status_pb2.Status | None = rpc_status.from_call(error)  # type: ignore[arg-type]
    except (DecodeError, ValueError):  # a corrupt or mismatched trailer must not hide the status itself
        status = None
    return error_from_status(error.code(), error.details(), status)
