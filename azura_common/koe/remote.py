"""RemoteSession: the Session protocol on the generated KoeSession stub, one child's LocalSession away.

Every call has a deadline and maps any failure to the very ``KoeError`` the child's LocalSession raised.
Typed requests ride a small pool of open ``Call`` streams (the hot path: about half the latency of a unary
call, FIELD_NOTES.md); while a stream is down the same request goes as the unary RPC. Mutating requests
carry a request id, so a request retried on the unary path after a broken stream is applied once.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Sequence
from typing import Any

import grpc

from . import convert
from .errors import ChildUnavailable, KoeTimeout, SessionLost
from .pb.azura.koe.v1 import koe_pb2 as pb
from .pb.azura.koe.v1 import koe_pb2_grpc as pb_grpc
from .session import (
    ASKED,
    Ending,
    EnqueueMode,
    EnqueueResult,
    QueuePage,
    RemoveTarget,
    RepeatMode,
    SessionState,
    Track,
)

__all__ = ["CALL_TIMEOUT_S", "ChildConnection", "RemoteSession"]

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 20.0  # joining voice waits for Discord's voice server update
# Unary method names by their oneof field name in CommandRequest (they are the same words).
_UNARY = {
    field.name: method.name
    for method in pb.DESCRIPTOR.services_by_name["KoeSession"].methods
    for field in pb.CommandRequest.DESCRIPTOR.oneofs_by_name["request"].fields
    if field.message_type is method.input_type
}


class _CallStream:
    """One open ``Call`` stream: writes requests, matches replies to waiters by call id."""

    def __init__(self, stub: pb_grpc.KoeSessionStub, metadata: tuple[tuple[str, str], ...]) -> None:
        self._call: Any = stub.Call(metadata=metadata)  # type: ignore[call-arg]  # grpc.aio: write() later
        self._pending: dict[int, asyncio.Future[pb.CommandReply]] = {}
        self._ids = itertools.count(1)
        self._write_lock = asyncio.Lock()
        self._reader = asyncio.create_task(self._read(), name="koe-call-reader")
        self.broken = False

    async def _read(self) -> None:
        try:
            while True:
                reply = await self._call.read()
                if reply is grpc.aio.EOF:
                    break
                waiter = self._pending.pop(reply.call_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(reply)
        except grpc.aio.AioRpcError as exc:
            log.debug("call stream ended: %s", exc.code())
        except asyncio.CancelledError:
            raise
        finally:
            self.broken = True
            for waiter in self._pending.values():
                if not waiter.done():
                    waiter.set_exception(ChildUnavailable())
            self._pending.clear()

    async def send(self, field: str, request: Any, timeout: float) -> pb.CommandReply:
        call_id = next(self._ids)
        command = pb.CommandRequest(call_id=call_id, timeout_ms=int(timeout * 1000))
        getattr(command, field).CopyFrom(request)
        waiter: asyncio.Future[pb.CommandReply] = asyncio.get_running_loop().create_future()
        self._pending[call_id] = waiter
        try:
            # asyncio.timeout, not wait_for: no extra task per call on the hot path.
            async with asyncio.timeout(timeout):
                async with self._write_lock:
                    await self._call.write(command)
                return await waiter
        except (grpc.aio.AioRpcError, grpc.aio.UsageError, asyncio.InvalidStateError) as exc:
            self.broken = True
            raise ChildUnavailable() from exc
        finally:
            self._pending.pop(call_id, None)

    async def close(self) -> None:
        self.broken = True
        self._call.cancel()
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)


class ChildConnection:
    """One gRPC channel to one child, reused by every RemoteSession on it and by its Link."""

    def __init__(self, address: str, secret: str, *, streams: int = 2, use_streams: bool = True) -> None:
        self.address = address
        self.metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {secret}"),)
        self.channel = grpc.aio.insecure_channel(
            address,
            options=[
                ("grpc.keepalive_time_ms", 10_000),
                ("grpc.keepalive_timeout_ms", 5_000),
                ("grpc.initial_reconnect_backoff_ms", 200),
                ("grpc.max_reconnect_backoff_ms", 2_000),
            ],
        )
        self.stub = pb_grpc.KoeSessionStub(self.channel)
        self._use_streams = use_streams
        self._streams: list[_CallStream | None] = [None] * max(1, streams)
        self._next = itertools.count()
        self.stream_calls = 0  # how many calls rode a stream (observable for tests and benches)
        self.unary_calls = 0

    async def invoke(self, field: str, request: Any, timeout: float = CALL_TIMEOUT_S) -> Any:
        """Send one typed request; returns the typed reply or raises the child's ``KoeError``."""
        if self._use_streams:
            slot = next(self._next) % len(self._streams)
            stream = self._streams[slot]
            if stream is None or stream.broken:
                if stream is not None:
                    await stream.close()  # its reader and call must not linger until the channel closes
                stream = self._streams[slot] = _CallStream(self.stub, self.metadata)
            try:
                reply = await stream.send(field, request, timeout)
            except ChildUnavailable:
                log.debug("call stream to %s broke; falling back to unary %s", self.address, field)
            except TimeoutError as exc:
                raise KoeTimeout() from exc
            else:
                self.stream_calls += 1
                if reply.WhichOneof("reply") == "error":
                    raise convert.error_from_call_error(reply.error)
                return getattr(reply, field)
        return await self.unary(field, request, timeout)

    async def unary(self, field: str, request: Any, timeout: float = CALL_TIMEOUT_S) -> Any:
        method = getattr(self.stub, _UNARY[field])
        try:
            reply = await method(request, timeout=timeout, metadata=self.metadata)
        except grpc.aio.AioRpcError as exc:
            raise convert.error_from_status(exc.code(), exc.details(), exc.trailing_metadata()) from exc
        self.unary_calls += 1
        return reply

    async def close(self) -> None:
        for stream in self._streams:
            if stream is not None:
                await stream.close()
        self._streams = [None] * len(self._streams)
        await self.channel.close(grace=None)


def _request_id() -> str:
    return uuid.uuid4().hex


class RemoteSession:
    """A session whose LocalSession lives on a child; same methods, same errors."""

    def __init__(self, connection: ChildConnection, guild_id: int, channel_id: int, bot_id: int = 0) -> None:
        self.connection = connection
        self._guild_id = guild_id
        self._channel_id = channel_id
        self.bot_id = bot_id
        self.lost: str | None = None  # why the child holding it went silent; calls fail until it is back

    @property
    def guild_id(self) -> int:
        return self._guild_id

    @property
    def channel_id(self) -> int:
        return self._channel_id

    def __repr__(self) -> str:
        return f"RemoteSession(guild={self._guild_id}, channel={self._channel_id}, child={self.connection.address})"

    async def _call(self, field: str, request: Any, timeout: float = CALL_TIMEOUT_S) -> Any:
        if self.lost is not None:
            raise SessionLost()
        return await self.connection.invoke(field, request, timeout)

    def _ids(self) -> dict[str, Any]:
        return {"guild_id": self._guild_id, "channel_id": self._channel_id}

    def _mutation(self) -> dict[str, Any]:
        return {**self._ids(), "request_id": _request_id()}

    async def _state_call(self, field: str, request: Any) -> SessionState:
        reply = await self._call(field, request)
        return convert.state_from_pb(reply.state)

    async def connect(self, text_channel_id: int | None = None, dj_role_id: int | None = None) -> SessionState:
        request = pb.ConnectRequest(**self._mutation())
        if text_channel_id is not None:
            request.text_channel_id = text_channel_id
        if dj_role_id is not None:
            request.dj_role_id = dj_role_id
        reply = await self._call("connect", request, CONNECT_TIMEOUT_S)
        state = convert.state_from_pb(reply.state)
        self.bot_id = state.bot_id or self.bot_id
        return state

    async def disconnect(self, ending: Ending = ASKED) -> None:
        await self._call("disconnect", pb.DisconnectRequest(**self._mutation(), ending=convert.ending_to_pb(ending)))

    async def enqueue(
        self,
        tracks: Sequence[Track],
        mode: EnqueueMode = EnqueueMode.FIFO,
        position: int | None = None,
    ) -> EnqueueResult:
        request = pb.EnqueueRequest(
            **self._mutation(),
            tracks=[convert.track_to_pb(t) for t in tracks],
            mode=convert.enqueue_mode_to_pb(mode),
        )
        if position is not None:
            request.position = position
        return convert.enqueue_result_from_pb(await self._call("enqueue", request))

    async def skip(self, by: int = 1, to: int | None = None) -> SessionState:
        request = pb.SkipRequest(**self._mutation(), by=by)
        if to is not None:
            request.to = to
        return await self._state_call("skip", request)

    async def back(self, by: int = 1) -> SessionState:
        return await self._state_call("back", pb.BackRequest(**self._mutation(), by=by))

    async def pause(self) -> SessionState:
        return await self._state_call("pause", pb.PauseRequest(**self._mutation()))

    async def resume(self) -> SessionState:
        return await self._state_call("resume", pb.ResumeRequest(**self._mutation()))

    async def stop(self) -> SessionState:
        return await self._state_call("stop", pb.StopRequest(**self._mutation()))

    async def seek(self, position_ms: int, relative: bool = False) -> SessionState:
        request = pb.SeekRequest(**self._mutation(), position_ms=position_ms, relative=relative)
        return await self._state_call("seek", request)

    async def set_volume(self, volume: int, relative: bool = False) -> SessionState:
        request = pb.SetVolumeRequest(**self._mutation(), volume=volume, relative=relative)
        return await self._state_call("set_volume", request)

    async def set_repeat(self, mode: RepeatMode) -> SessionState:
        request = pb.SetRepeatRequest(**self._mutation(), mode=convert.repeat_to_pb(mode))
        return await self._state_call("set_repeat", request)

    async def shuffle(self) -> SessionState:
        return await self._state_call("shuffle", pb.ShuffleRequest(**self._mutation()))

    async def move(self, from_position: int, to_position: int) -> SessionState:
        request = pb.MoveRequest(**self._mutation(), from_position=from_position, to_position=to_position)
        return await self._state_call("move", request)

    async def remove(self, target: RemoveTarget) -> tuple[Track, ...]:
        request = pb.RemoveRequest(**self._mutation())
        convert.remove_target_to_pb(target, request)
        reply = await self._call("remove", request)
        return convert.tracks_from_pb(reply.removed)

    async def clear(self) -> SessionState:
        return await self._state_call("clear", pb.ClearRequest(**self._mutation()))

    async def get_state(self) -> SessionState:
        return await self._state_call("get_state", pb.GetStateRequest(**self._ids()))

    async def get_queue(self, offset: int = 0, limit: int = 25) -> QueuePage:
        request = pb.GetQueueRequest(**self._ids(), offset=offset, limit=limit)
        return convert.page_from_pb(await self._call("get_queue", request))
