"""The child's KoeSession service: one ``async def`` per RPC of the generated servicer, over this child's Koe.

What every RPC shares lives once, in two decorators. ``read``: in-flight tracking (a graceful shutdown
waits for the calls under way), the caller's deadline, a ``KoeError`` sent back as a rich status, anything
else logged whole and sent as the friendly default. ``mutation`` adds the request-id dedupe (a retried
request is applied once; an id reused for another payload is refused) and, after the change, the state
snapshot for the parents' Links and the now-playing refresh.

Every request is checked against ``azura_common.koe.validation`` before anything changes, and a session
answers only to its own (guild, channel) pair: another guild naming the right channel finds no session.
A new session (Connect, Restore) needs a claimed lease from the Link handshake (``LeaseBook.require_reserved``).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any, NoReturn, Protocol, TypeVar, cast

import grpc
from google.protobuf.message import Message

from azura_common import logcontext
from azura_common.koe import convert, validation
from azura_common.koe.errors import InvalidArgument, KoeError, KoeTimeout, NoSession
from azura_common.koe.koe import Koe
from azura_common.koe.link import LinkHub
from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb
from azura_common.koe.pb.azura.koe.v1 import koe_pb2_grpc as pb_grpc
from azura_common.koe.session import RemoveRange, RemoveRequester, Session
from azura_common.supervised import wait_set

from .dedupe import RequestDedupe

__all__ = ["DEFAULT_PAGE", "KoeSessionService", "abort_with", "mutation", "read"]

log = logging.getLogger(__name__)

DEFAULT_PAGE = 25

Context = grpc.aio.ServicerContext[Any, Any]


class _Addressed(Protocol):
    """What every session request carries: the session's (guild, channel) pair."""

    @property
    def guild_id(self) -> int: ...
    @property
    def channel_id(self) -> int: ...


class _Mutation(_Addressed, Protocol):
    """What every mutating request carries besides."""

    @property
    def request_id(self) -> str: ...
    def SerializeToString(self, *, deterministic: bool = ...) -> bytes: ...


Request = TypeVar("Request")
MutationRequest = TypeVar("MutationRequest", bound=_Mutation)
Reply = TypeVar("Reply", bound=Message)
Handler = Callable[["KoeSessionService", Request, Context], Awaitable[Reply]]


async def abort_with(context: Context, error: KoeError) -> NoReturn:
    """End the call with ``error``: a ``google.rpc.Status`` whose ``ErrorInfo`` names its kind."""
    await context.abort_with_status(convert.error_to_grpc_status(error))


def read(handler: Handler[Request, Reply]) -> Handler[Request, Reply]:
    """An RPC that changes nothing."""
    name = handler.__name__

    @functools.wraps(handler)
    async def serve(self: KoeSessionService, request: Request, context: Context) -> Reply:
        with logcontext.about(request):  # its log lines name the guild and channel
            return await self._serve(name, context, lambda: handler(self, request, context))

    return serve


def mutation(handler: Handler[MutationRequest, Reply]) -> Handler[MutationRequest, Reply]:
    """An RPC that changes a session: applied once per request id, then shown to whoever watches."""
    name = handler.__name__

    @functools.wraps(handler)
    async def serve(self: KoeSessionService, request: MutationRequest, context: Context) -> Reply:
        def apply() -> Awaitable[Reply]:
            return handler(self, request, context)

        with logcontext.about(request):  # its log lines name the guild and channel
            return await self._serve(name, context, lambda: self._mutate(name, request, apply))

    return serve


class KoeSessionService(pb_grpc.KoeSessionServicer):
    """KoeSession on this child: typed request → the LocalSession's answer as the typed reply."""

    def __init__(self, koe: Koe, hub: LinkHub, on_change: Callable[[int], None] | None = None) -> None:
        self.koe = koe
        self.hub = hub
        self.on_change = on_change  # a voice channel's session changed (the now-playing board refreshes)
        self.dedupe: RequestDedupe[Message] = RequestDedupe()
        # One Enqueue at a time per channel, so the queue cap holds against concurrent callers.
        self._enqueue_turns: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self.in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def add_to_server(self, server: grpc.aio.Server) -> None:
        pb_grpc.add_KoeSessionServicer_to_server(self, server)

    async def wait_idle(self, timeout: float) -> bool:
        return await wait_set(self._idle, timeout)

    async def _serve(self, name: str, context: Context, work: Callable[[], Awaitable[Reply]]) -> Reply:
        self.in_flight += 1
        self._idle.clear()
        try:
            remaining = context.time_remaining()
            async with asyncio.timeout(remaining if remaining is not None and remaining > 0 else None):
                return await work()
        except TimeoutError:
            error: KoeError = KoeTimeout()
        except KoeError as exc:
            error = exc
        except Exception:
            # A bug or a library error: log it whole, tell the caller only the friendly default.
            log.exception("%s failed unexpectedly", name)
            error = KoeError()
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self._idle.set()
        await abort_with(context, error)

    async def _mutate(self, name: str, request: _Mutation, work: Callable[[], Awaitable[Reply]]) -> Reply:
        validation.check_ids(request.guild_id, request.channel_id)  # before the dedupe: no key for a non-request
        validation.check_request_id(request.request_id)
        key = (name, request.guild_id, request.channel_id, request.request_id) if request.request_id else None
        fingerprint = hashlib.sha256(request.SerializeToString(deterministic=True)).digest() if key else b""
        reply = cast(Reply, await self.dedupe.run(key, work, fingerprint))  # one key, one RPC: its reply type
        session = self.koe.get(request.channel_id)  # none after a Disconnect: nothing left to show
        if session is not None and session.guild_id == request.guild_id:
            if self.on_change is not None:
                self.on_change(request.channel_id)
        return reply

    def _existing(self, request: _Addressed) -> Session | None:
        """The session of the request's channel, if any; one of another guild is none of this caller's."""
        validation.check_ids(request.guild_id, request.channel_id)
        session = self.koe.get(request.channel_id)
        if session is not None and session.guild_id != request.guild_id:
            log.warning(
                "refused a call for channel %s naming guild %s: its session is in guild %s",
                request.channel_id, request.guild_id, session.guild_id,
            )
            raise NoSession()  # the same answer as for no session: nothing to learn by probing
        return session

    def _session(self, request: _Addressed) -> Session:
        session = self._existing(request)
        if session is None:
            raise NoSession()
        return session

    # -- one method per RPC --------------------------------------------------------------------------
    @mutation
    async def Connect(self, request: pb.ConnectRequest, context: Context) -> pb.ConnectReply:
        text = request.text_channel_id if request.HasField("text_channel_id") else None
        dj_role = request.dj_role_id if request.HasField("dj_role_id") else None
        for optional_id, argument in ((text, "text_channel_id"), (dj_role, "dj_role_id")):
            if optional_id:  # absent or 0: none, as everywhere on the wire
                validation.check_snowflake(optional_id, argument)
        session = self._existing(request)
        if session is None:  # a retried Connect of a session it holds is fine; a new one needs the handshake
            self.hub.leases.require_reserved(request.guild_id, request.channel_id)
        try:
            if session is not None:
                state = await session.connect(text, dj_role)
            else:
                session = await self.koe.open(request.guild_id, request.channel_id, text, dj_role)
                state = await session.get_state()
        finally:
            # Joined or failed, the reservation has served: a failed join must not keep the guild held.
            self.hub.leases.consume(request.guild_id, request.channel_id)
        return pb.ConnectReply(state=convert.state_to_pb(state))

    @mutation
    async def Restore(self, request: pb.RestoreRequest, context: Context) -> pb.RestoreReply:
        record = validation.check_record(convert.record_from_pb(request.record))
        if (record.guild_id, record.channel_id) != (request.guild_id, request.channel_id):
            raise InvalidArgument("The record belongs to another voice channel.", "record")
        if self._existing(request) is None:  # one it holds already is refused by Koe as already connected
            self.hub.leases.require_reserved(request.guild_id, request.channel_id)
        try:
            state = await (await self.koe.restore(record)).get_state()
        finally:
            self.hub.leases.consume(request.guild_id, request.channel_id)
        return pb.RestoreReply(state=convert.state_to_pb(state))

    @mutation
    async def Disconnect(self, request: pb.DisconnectRequest, context: Context) -> pb.DisconnectReply:
        ending = convert.ending_from_pb(request.ending.reason, validation.check_detail(request.ending.detail))
        self._session(request)
        await self.koe.destroy(request.channel_id, ending)
        return pb.DisconnectReply()

    @mutation
    async def Enqueue(self, request: pb.EnqueueRequest, context: Context) -> pb.EnqueueReply:
        position = request.position if request.HasField("position") else None
        if position is not None:
            validation.check_position(position, insert=True)
        mode = convert.enqueue_mode_from_pb(request.mode)
        tracks = validation.check_enqueue(convert.tracks_from_pb(request.tracks))
        session = self._session(request)
        turn = self._enqueue_turns.setdefault(request.channel_id, asyncio.Lock())
        async with turn:
            validation.check_queue_room((await session.get_state()).total, len(tracks))
            result = await session.enqueue(tracks, mode, position)
        return convert.enqueue_result_to_pb(result)

    @mutation
    async def Skip(self, request: pb.SkipRequest, context: Context) -> pb.SkipReply:
        to = request.to if request.HasField("to") else None
        if to is not None:
            validation.check_position(to)
        else:
            validation.check_steps(request.by)
        state = await self._session(request).skip(request.by, to)
        return pb.SkipReply(state=convert.state_to_pb(state))

    @mutation
    async def Back(self, request: pb.BackRequest, context: Context) -> pb.BackReply:
        validation.check_steps(request.by)
        state = await self._session(request).back(request.by)
        return pb.BackReply(state=convert.state_to_pb(state))

    @mutation
    async def Pause(self, request: pb.PauseRequest, context: Context) -> pb.PauseReply:
        return pb.PauseReply(state=convert.state_to_pb(await self._session(request).pause()))

    @mutation
    async def Resume(self, request: pb.ResumeRequest, context: Context) -> pb.ResumeReply:
        return pb.ResumeReply(state=convert.state_to_pb(await self._session(request).resume()))

    @mutation
    async def Stop(self, request: pb.StopRequest, context: Context) -> pb.StopReply:
        return pb.StopReply(state=convert.state_to_pb(await self._session(request).stop()))

    @mutation
    async def Seek(self, request: pb.SeekRequest, context: Context) -> pb.SeekReply:
        validation.check_seek(request.position_ms)
        state = await self._session(request).seek(request.position_ms, request.relative)
        return pb.SeekReply(state=convert.state_to_pb(state))

    @mutation
    async def SetVolume(self, request: pb.SetVolumeRequest, context: Context) -> pb.SetVolumeReply:
        validation.check_volume(request.volume, request.relative)
        state = await self._session(request).set_volume(request.volume, request.relative)
        return pb.SetVolumeReply(state=convert.state_to_pb(state))

    @mutation
    async def SetRepeat(self, request: pb.SetRepeatRequest, context: Context) -> pb.SetRepeatReply:
        state = await self._session(request).set_repeat(convert.repeat_from_pb(request.mode, strict=True))
        return pb.SetRepeatReply(state=convert.state_to_pb(state))

    # -- effects --
    @mutation
    async def SetEffects(self, request: pb.SetEffectsRequest, context: Context) -> pb.SetEffectsReply:
        state = await self._session(request).set_effects(convert.effects_from_pb(request.effects))
        return pb.SetEffectsReply(state=convert.state_to_pb(state))

    @mutation
    async def Shuffle(self, request: pb.ShuffleRequest, context: Context) -> pb.ShuffleReply:
        return pb.ShuffleReply(state=convert.state_to_pb(await self._session(request).shuffle()))

    # -- autoplay --
    @mutation
    async def SetAutoplay(self, request: pb.SetAutoplayRequest, context: Context) -> pb.SetAutoplayReply:
        state = await self._session(request).set_autoplay(request.enabled)
        return pb.SetAutoplayReply(state=convert.state_to_pb(state))

    @mutation
    async def Move(self, request: pb.MoveRequest, context: Context) -> pb.MoveReply:
        validation.check_position(request.from_position)
        validation.check_position(request.to_position)
        state = await self._session(request).move(request.from_position, request.to_position)
        return pb.MoveReply(state=convert.state_to_pb(state))

    @mutation
    async def Remove(self, request: pb.RemoveRequest, context: Context) -> pb.RemoveReply:
        target = convert.remove_target_from_pb(request)
        if isinstance(target, RemoveRange):
            validation.check_position(target.start)
            if target.end is not None:
                validation.check_position(target.end)
        elif isinstance(target, RemoveRequester):
            validation.check_snowflake(target.user_id, "user_id")
        else:
            validation.check_present_ids(request.absent.present_ids)
        removed = await self._session(request).remove(target)
        return pb.RemoveReply(removed=[convert.track_to_pb(t) for t in removed])

    @mutation
    async def Clear(self, request: pb.ClearRequest, context: Context) -> pb.ClearReply:
        return pb.ClearReply(state=convert.state_to_pb(await self._session(request).clear()))

    @read
    async def GetState(self, request: pb.GetStateRequest, context: Context) -> pb.GetStateReply:
        state = await self._session(request).get_state()
        return pb.GetStateReply(state=convert.state_to_pb(state))

    @read
    async def GetQueue(self, request: pb.GetQueueRequest, context: Context) -> pb.GetQueueReply:
        limit = request.limit if request.HasField("limit") else DEFAULT_PAGE
        validation.check_page(request.offset, limit)
        return convert.page_to_pb(await self._session(request).get_queue(request.offset, limit))

    @read
    async def ListSessions(self, request: pb.ListSessionsRequest, context: Context) -> pb.ListSessionsReply:
        if request.guild_id:
            validation.check_snowflake(request.guild_id, "guild_id")
        states = await self.koe.states()
        return pb.ListSessionsReply(
            sessions=[convert.state_to_pb(s) for s in states if request.guild_id in (0, s.guild_id)]
        )

    async def Link(
        self, request_iterator: AsyncIterator[pb.ParentEvent], context: Context
    ) -> AsyncIterator[pb.ChildEvent]:
        # An async generator function itself: grpc.aio picks its streaming path by inspecting the method.
        stream = self.hub.serve(request_iterator)
        try:
            async for event in stream:
                yield event
        finally:
            if isinstance(stream, AsyncGenerator):  # close it now, not whenever it is collected
                await stream.aclose()
