"""The child's KoeSession servicer: one handler table behind both the unary RPCs and the Call stream.

Each handler takes the typed request and returns the typed reply, so a request means the same thing
whichever path it rode. Mutating requests go through the request-id dedupe, so a retry (say, on the unary
path after a Call stream broke) is applied once. ``KoeError`` becomes a status plus the typed trailer on
the unary path and a ``CallError`` on the stream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from azura_common.koe import convert
from azura_common.koe.errors import Busy, InvalidArgument, KoeError, KoeTimeout
from azura_common.koe.koe import Koe
from azura_common.koe.link import LinkHub
from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb
from azura_common.koe.pb.azura.koe.v1 import koe_pb2_grpc as pb_grpc
from azura_common.supervised import wait_set

from .dedupe import RequestDedupe

__all__ = ["KoeSessionServicer", "SessionHandlers", "abort_with"]

log = logging.getLogger(__name__)

Handler = Callable[[Any], Awaitable[Any]]
READ_ONLY = frozenset({"get_state", "get_queue", "list_sessions"})
DEFAULT_PAGE = 25


async def abort_with(context: Any, error: KoeError) -> None:
    """End a unary call with ``error``: its status code plus the typed detail in the trailers."""
    await context.abort(convert.status_code(error), error.message, trailing_metadata=convert.error_trailers(error))


class SessionHandlers:
    """Typed request → typed reply, over this child's Koe of LocalSessions."""

    def __init__(self, koe: Koe, hub: LinkHub, on_change: Callable[[int], None] | None = None) -> None:
        self.koe = koe
        self.hub = hub
        self.on_change = on_change  # a voice channel's session changed (the now-playing board refreshes)
        self.dedupe: RequestDedupe[Any] = RequestDedupe()
        self.table: dict[str, Handler] = {
            name: getattr(self, name)
            for name in (field.name for field in pb.CommandRequest.DESCRIPTOR.oneofs_by_name["request"].fields)
        }

    async def dispatch(self, name: str, request: Any) -> Any:
        handler = self.table.get(name)
        if handler is None:  # pragma: no cover - the table is built from the oneof itself
            raise InvalidArgument(f"Unknown call {name!r}.", "request")
        if name in READ_ONLY:
            return await handler(request)
        if request.guild_id == 0 or request.channel_id == 0:
            raise InvalidArgument("guild_id and channel_id are required.", "channel_id")
        key = f"{name}:{request.request_id}" if request.request_id else ""
        reply = await self.dedupe.run(key, lambda: handler(request))
        if name != "disconnect":
            session = self.koe.get(request.channel_id)
            if session is not None:
                if self.hub.links:  # snapshots are for parents on a Link; none listening, none built
                    self.hub.state_changed(await session.get_state())
                if self.on_change is not None:
                    self.on_change(request.channel_id)
        return reply

    # -- one handler per RPC -------------------------------------------------------------------------
    async def connect(self, request: pb.ConnectRequest) -> pb.ConnectReply:
        text = request.text_channel_id if request.HasField("text_channel_id") else None
        dj_role = request.dj_role_id if request.HasField("dj_role_id") else None
        if self.hub.leases.blocks(request.guild_id, request.channel_id):
            raise Busy(1, "This bot is reserved for another voice channel of this server.")
        try:
            session = self.koe.get(request.channel_id)
            if session is not None:
                state = await session.connect(text, dj_role)
            else:
                session = await self.koe.open(request.guild_id, request.channel_id, text, dj_role)
                state = await session.get_state()
        finally:
            # Joined or failed, the reservation has served: a failed join must not keep the guild held.
            self.hub.leases.consume(request.guild_id, request.channel_id)
        return pb.ConnectReply(state=convert.state_to_pb(state))

    async def disconnect(self, request: pb.DisconnectRequest) -> pb.DisconnectReply:
        await self.koe.destroy(request.channel_id, convert.ending_from_pb(request.ending.reason, request.ending.detail))
        return pb.DisconnectReply()

    async def enqueue(self, request: pb.EnqueueRequest) -> pb.EnqueueReply:
        session = self.koe.require(request.channel_id)
        result = await session.enqueue(
            convert.tracks_from_pb(request.tracks),
            convert.enqueue_mode_from_pb(request.mode),
            request.position if request.HasField("position") else None,
        )
        return convert.enqueue_result_to_pb(result)

    async def skip(self, request: pb.SkipRequest) -> pb.SkipReply:
        session = self.koe.require(request.channel_id)
        to = request.to if request.HasField("to") else None
        return pb.SkipReply(state=convert.state_to_pb(await session.skip(request.by, to)))

    async def back(self, request: pb.BackRequest) -> pb.BackReply:
        session = self.koe.require(request.channel_id)
        return pb.BackReply(state=convert.state_to_pb(await session.back(request.by)))

    async def pause(self, request: pb.PauseRequest) -> pb.PauseReply:
        return pb.PauseReply(state=convert.state_to_pb(await self.koe.require(request.channel_id).pause()))

    async def resume(self, request: pb.ResumeRequest) -> pb.ResumeReply:
        return pb.ResumeReply(state=convert.state_to_pb(await self.koe.require(request.channel_id).resume()))

    async def stop(self, request: pb.StopRequest) -> pb.StopReply:
        return pb.StopReply(state=convert.state_to_pb(await self.koe.require(request.channel_id).stop()))

    async def seek(self, request: pb.SeekRequest) -> pb.SeekReply:
        session = self.koe.require(request.channel_id)
        return pb.SeekReply(state=convert.state_to_pb(await session.seek(request.position_ms, request.relative)))

    async def set_volume(self, request: pb.SetVolumeRequest) -> pb.SetVolumeReply:
        session = self.koe.require(request.channel_id)
        state = await session.set_volume(request.volume, request.relative)
        return pb.SetVolumeReply(state=convert.state_to_pb(state))

    async def set_repeat(self, request: pb.SetRepeatRequest) -> pb.SetRepeatReply:
        session = self.koe.require(request.channel_id)
        state = await session.set_repeat(convert.repeat_from_pb(request.mode, strict=True))
        return pb.SetRepeatReply(state=convert.state_to_pb(state))

    async def shuffle(self, request: pb.ShuffleRequest) -> pb.ShuffleReply:
        return pb.ShuffleReply(state=convert.state_to_pb(await self.koe.require(request.channel_id).shuffle()))

    async def move(self, request: pb.MoveRequest) -> pb.MoveReply:
        session = self.koe.require(request.channel_id)
        state = await session.move(request.from_position, request.to_position)
        return pb.MoveReply(state=convert.state_to_pb(state))

    async def remove(self, request: pb.RemoveRequest) -> pb.RemoveReply:
        session = self.koe.require(request.channel_id)
        removed = await session.remove(convert.remove_target_from_pb(request))
        return pb.RemoveReply(removed=[convert.track_to_pb(t) for t in removed])

    async def clear(self, request: pb.ClearRequest) -> pb.ClearReply:
        return pb.ClearReply(state=convert.state_to_pb(await self.koe.require(request.channel_id).clear()))

    async def get_state(self, request: pb.GetStateRequest) -> pb.GetStateReply:
        state = await self.koe.require(request.channel_id).get_state()
        return pb.GetStateReply(state=convert.state_to_pb(state))

    async def get_queue(self, request: pb.GetQueueRequest) -> pb.GetQueueReply:
        session = self.koe.require(request.channel_id)
        limit = request.limit if request.HasField("limit") else DEFAULT_PAGE
        return convert.page_to_pb(await session.get_queue(request.offset, limit))

    async def list_sessions(self, request: pb.ListSessionsRequest) -> pb.ListSessionsReply:
        states = await self.koe.states()
        return pb.ListSessionsReply(
            sessions=[convert.state_to_pb(s) for s in states if request.guild_id in (0, s.guild_id)]
        )


class KoeSessionServicer(pb_grpc.KoeSessionServicer):
    """The gRPC face of SessionHandlers; unary methods are generated from the same table."""

    def __init__(self, handlers: SessionHandlers) -> None:
        self.handlers = handlers
        self.in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def add_to_server(self, server: grpc.aio.Server) -> None:
        pb_grpc.add_KoeSessionServicer_to_server(self, server)

    async def wait_idle(self, timeout: float) -> bool:
        return await wait_set(self._idle, timeout)

    async def _run(self, name: str, request: Any, timeout: float | None) -> Any:
        self.in_flight += 1
        self._idle.clear()
        try:
            if timeout is not None and timeout > 0:
                try:
                    async with asyncio.timeout(timeout):  # no extra task per call, unlike wait_for
                        return await self.handlers.dispatch(name, request)
                except TimeoutError as exc:
                    raise KoeTimeout() from exc
            return await self.handlers.dispatch(name, request)
        except KoeError:
            raise
        except Exception as exc:
            # A bug or a library error: log it whole, tell the caller only the friendly default.
            log.exception("%s failed unexpectedly", name)
            raise KoeError() from exc
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self._idle.set()

    async def unary(self, name: str, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        try:
            return await self._run(name, request, context.time_remaining())
        except KoeError as error:
            await abort_with(context, error)

    async def Call(
        self, request_iterator: AsyncIterator[pb.CommandRequest], context: grpc.aio.ServicerContext[Any, Any]
    ) -> None:
        """Answers each command as soon as it is done (concurrently), writing replies straight to the stream."""
        write_lock = asyncio.Lock()
        tasks: set[asyncio.Task[None]] = set()

        async def answer(command: pb.CommandRequest) -> None:
            name = command.WhichOneof("request")
            reply = pb.CommandReply(call_id=command.call_id)
            try:
                if name is None:
                    raise InvalidArgument("The command carries no request.", "request")
                timeout = command.timeout_ms / 1000 if command.timeout_ms else None
                result = await self._run(name, getattr(command, name), timeout)
                getattr(reply, name).CopyFrom(result)
            except KoeError as error:
                reply.error.CopyFrom(convert.error_to_call_error(error))
            async with write_lock:
                await context.write(reply)

        try:
            async for command in request_iterator:
                if command.WhichOneof("request") in READ_ONLY:
                    await answer(command)  # reads never wait on I/O: answering inline saves a task per call
                    continue
                task = asyncio.create_task(answer(command))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for task in list(tasks):
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)

    async def Link(
        self, request_iterator: AsyncIterator[pb.ParentEvent], context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[pb.ChildEvent]:
        # An async generator function itself: grpc.aio picks its streaming path by inspecting the method.
        stream = self.handlers.hub.serve(request_iterator)
        try:
            async for event in stream:
                yield event
        finally:
            await stream.aclose()


def _unary_method(name: str) -> Callable[..., Awaitable[Any]]:
    async def method(self: KoeSessionServicer, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        return await self.unary(name, request, context)

    method.__name__ = "".join(part.title() for part in name.split("_"))
    return method


for _field in pb.CommandRequest.DESCRIPTOR.oneofs_by_name["request"].fields:
    setattr(KoeSessionServicer, "".join(p.title() for p in _field.name.split("_")), _unary_method(_field.name))
