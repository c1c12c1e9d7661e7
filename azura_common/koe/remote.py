"""RemoteSession: the Session protocol on the generated KoeSession stub, one child's LocalSession away.

Each method is one unary RPC with a deadline, and any failure becomes the very ``KoeError`` the child's
LocalSession raised. The channel's service config retries UNAVAILABLE (gRPC's own retry policy); mutating
requests carry a request id, so a retried one is applied once by the child.
"""

from __future__ import annotations

import copy
import json
import logging
import uuid
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

import grpc

from .. import metrics
from ..tls import LinkTls, address_host, link_failure_hint
from . import convert
from .effects import Effects
from .errors import ChildUnavailable, SessionLost
from .pb.azura.koe.v1 import koe_pb2 as pb
from .pb.azura.koe.v1 import koe_pb2_grpc as pb_grpc
from .records import SessionRecord
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

__all__ = [
    "BOT_HEADER", "CALL_TIMEOUT_S", "CONNECT_TIMEOUT_S", "ChildConnection", "RemoteSession", "channel_credentials",
]

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 10.0
BOT_HEADER = "azura-bot"  # the metadata naming the bot of a multi-bot child process a call is for (slot 1: none)
CONNECT_TIMEOUT_S = 20.0  # joining voice waits for Discord's voice server update

_SERVICE = pb.DESCRIPTOR.services_by_name["KoeSession"]
# Retry the unary RPCs when the child cannot be reached (the Link stream reconnects on its own). Every
# call's deadline bounds its retries too.
SERVICE_CONFIG = json.dumps({
    "methodConfig": [{
        "name": [
            {"service": _SERVICE.full_name, "method": method.name}
            for method in _SERVICE.methods
            if not (method.client_streaming or method.server_streaming)
        ],
        "retryPolicy": {
            "maxAttempts": 3,
            "initialBackoff": "0.1s",
            "maxBackoff": "1s",
            "backoffMultiplier": 2,
            "retryableStatusCodes": ["UNAVAILABLE"],
        },
    }],
})

class _HasState(Protocol):
    @property
    def state(self) -> pb.SessionState: ...


Request = TypeVar("Request")
Reply = TypeVar("Reply")
StateReply = TypeVar("StateReply", bound=_HasState)


def channel_credentials(tls: LinkTls) -> grpc.ChannelCredentials:
    """The parent's side of TLS: trust ``AZURA_TLS_CA`` (the system's roots without it) and present
    ``AZURA_TLS_CERT``/``KEY`` as the client certificate when given (what a child under mTLS asks for)."""
    return grpc.ssl_channel_credentials(root_certificates=tls.ca, private_key=tls.key, certificate_chain=tls.cert)


class ChildConnection:
    """One gRPC channel to one child, reused by every RemoteSession on it and by its Link.

    With ``tls`` that dials TLS the channel is secure; ``server_name`` (else ``AZURA_TLS_SERVER_NAME``) is the
    name the child's certificate must carry when it is not the host dialled (a child dialled by IP)."""

    def __init__(self, address: str, secret: str, tls: LinkTls | None = None, server_name: str | None = None) -> None:
        self.address = address
        self.metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {secret}"),)
        options: list[tuple[str, str | int]] = [
            ("grpc.keepalive_time_ms", 10_000),
            ("grpc.keepalive_timeout_ms", 5_000),
            ("grpc.initial_reconnect_backoff_ms", 200),
            ("grpc.max_reconnect_backoff_ms", 2_000),
            ("grpc.enable_retries", 1),
            ("grpc.service_config", SERVICE_CONFIG),
        ]
        self.secure = tls is not None and tls.dials_tls
        self.server_name = (tls.server_name if tls else None) or server_name or address_host(address) or "localhost"
        self._told: set[str] = set()  # the TLS problems already logged as warnings
        if tls is not None and tls.dials_tls:
            if self.server_name != address_host(address):
                options.append(("grpc.ssl_target_name_override", self.server_name))
            self.channel = grpc.aio.secure_channel(address, channel_credentials(tls), options=options)
        else:
            self.channel = grpc.aio.insecure_channel(address, options=options)
        self.stub = pb_grpc.KoeSessionStub(self.channel)
        self.bot_slot = 1  # which bot of the child's process this names (``azura-bot``; see ``for_bot``)

    @property
    def name(self) -> str:
        """The child this connection names: its address, plus ``#slot`` for a process's bots past the first."""
        return self.address if self.bot_slot == 1 else f"{self.address}#{self.bot_slot}"

    def for_bot(self, slot: int) -> ChildConnection:
        """The connection to bot ``slot`` of the same process: the same channel (one per process, shared by its
        bots' Links and sessions), every call carrying ``azura-bot: slot``."""
        other = copy.copy(self)
        other.bot_slot = slot
        other.metadata = (*self.metadata[:1], (BOT_HEADER, str(slot)))
        other._told = set()
        return other

    def shares_channel(self, other: ChildConnection) -> bool:
        """Another bot of the same process (closing the channel closes them all)."""
        return other.channel is self.channel

    async def call(
        self,
        method: grpc.aio.UnaryUnaryMultiCallable[Request, Reply],
        request: Request,
        timeout: float = CALL_TIMEOUT_S,
    ) -> Reply:
        """One unary RPC of ``stub``: the typed reply, or the child's ``KoeError``."""
        try:
            with metrics.timed_remote_call(method):
                return await method(request, timeout=timeout, metadata=self.metadata)
        except grpc.aio.AioRpcError as exc:
            raise convert.error_from_rpc_error(exc) from exc
        except grpc.aio.UsageError as exc:  # the channel was closed: this child is gone from here
            raise ChildUnavailable() from exc

    async def close(self) -> None:
        await self.channel.close(grace=None)

    def tell_tls_problem(self, exc: BaseException) -> None:
        """Log a WARNING saying what to set when ``exc`` shows a TLS problem, once per problem (the Link keeps
        retrying with backoff; the same words every few seconds would bury everything else)."""
        if not isinstance(exc, grpc.aio.AioRpcError):
            return
        hint = link_failure_hint(exc.details() or "", secure=self.secure, server_name=self.server_name)
        if hint is not None and hint not in self._told:
            self._told.add(hint)
            log.warning("cannot link to the child at %s: %s", self.address, hint)


def _request_id() -> str:
    return uuid.uuid4().hex


class RemoteSession:
    """A session whose LocalSession lives on a child; same methods, same errors."""

    def __init__(self, connection: ChildConnection, guild_id: int, channel_id: int, bot_id: int = 0) -> None:
        self.connection = connection
        self._stub = connection.stub
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

    async def _call(
        self,
        method: grpc.aio.UnaryUnaryMultiCallable[Request, Reply],
        request: Request,
        timeout: float = CALL_TIMEOUT_S,
    ) -> Reply:
        if self.lost is not None:
            raise SessionLost()
        return await self.connection.call(method, request, timeout)

    async def _state_call(
        self, method: grpc.aio.UnaryUnaryMultiCallable[Request, StateReply], request: Request
    ) -> SessionState:
        return convert.state_from_pb((await self._call(method, request)).state)

    def _ids(self) -> dict[str, Any]:
        return {"guild_id": self._guild_id, "channel_id": self._channel_id}

    def _mutation(self) -> dict[str, Any]:
        return {**self._ids(), "request_id": _request_id()}

    async def connect(self, text_channel_id: int | None = None, dj_role_id: int | None = None) -> SessionState:
        request = pb.ConnectRequest(**self._mutation())
        if text_channel_id is not None:
            request.text_channel_id = text_channel_id
        if dj_role_id is not None:
            request.dj_role_id = dj_role_id
        reply = await self._call(self._stub.Connect, request, CONNECT_TIMEOUT_S)
        state = convert.state_from_pb(reply.state)
        self.bot_id = state.bot_id or self.bot_id
        return state

    async def restore(self, record: SessionRecord) -> SessionState:
        request = pb.RestoreRequest(**self._mutation(), record=convert.record_to_pb(record))
        reply = await self._call(self._stub.Restore, request, CONNECT_TIMEOUT_S)
        state = convert.state_from_pb(reply.state)
        self.bot_id = state.bot_id or self.bot_id
        return state

    async def disconnect(self, ending: Ending = ASKED) -> None:
        request = pb.DisconnectRequest(**self._mutation(), ending=convert.ending_to_pb(ending))
        await self._call(self._stub.Disconnect, request)

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
        return convert.enqueue_result_from_pb(await self._call(self._stub.Enqueue, request))

    async def skip(self, by: int = 1, to: int | None = None) -> SessionState:
        request = pb.SkipRequest(**self._mutation(), by=by)
        if to is not None:
            request.to = to
        return await self._state_call(self._stub.Skip, request)

    async def back(self, by: int = 1) -> SessionState:
        return await self._state_call(self._stub.Back, pb.BackRequest(**self._mutation(), by=by))

    async def pause(self) -> SessionState:
        return await self._state_call(self._stub.Pause, pb.PauseRequest(**self._mutation()))

    async def resume(self) -> SessionState:
        return await self._state_call(self._stub.Resume, pb.ResumeRequest(**self._mutation()))

    async def stop(self) -> SessionState:
        return await self._state_call(self._stub.Stop, pb.StopRequest(**self._mutation()))

    async def seek(self, position_ms: int, relative: bool = False) -> SessionState:
        request = pb.SeekRequest(**self._mutation(), position_ms=position_ms, relative=relative)
        return await self._state_call(self._stub.Seek, request)

    async def set_volume(self, volume: int, relative: bool = False) -> SessionState:
        request = pb.SetVolumeRequest(**self._mutation(), volume=volume, relative=relative)
        return await self._state_call(self._stub.SetVolume, request)

    async def set_repeat(self, mode: RepeatMode) -> SessionState:
        request = pb.SetRepeatRequest(**self._mutation(), mode=convert.repeat_to_pb(mode))
        return await self._state_call(self._stub.SetRepeat, request)

    # -- effects --
    async def set_effects(self, effects: Effects) -> SessionState:
        request = pb.SetEffectsRequest(**self._mutation(), effects=convert.effects_to_pb(effects))
        return await self._state_call(self._stub.SetEffects, request)

    async def shuffle(self) -> SessionState:
        return await self._state_call(self._stub.Shuffle, pb.ShuffleRequest(**self._mutation()))

    # -- autoplay --
    async def set_autoplay(self, enabled: bool) -> SessionState:
        request = pb.SetAutoplayRequest(**self._mutation(), enabled=enabled)
        return await self._state_call(self._stub.SetAutoplay, request)

    async def move(self, from_position: int, to_position: int) -> SessionState:
        request = pb.MoveRequest(**self._mutation(), from_position=from_position, to_position=to_position)
        return await self._state_call(self._stub.Move, request)

    async def remove(self, target: RemoveTarget) -> tuple[Track, ...]:
        request = pb.RemoveRequest(**self._mutation())
        convert.remove_target_to_pb(target, request)
        reply = await self._call(self._stub.Remove, request)
        return convert.tracks_from_pb(reply.removed)

    async def clear(self) -> SessionState:
        return await self._state_call(self._stub.Clear, pb.ClearRequest(**self._mutation()))

    async def get_state(self) -> SessionState:
        return await self._state_call(self._stub.GetState, pb.GetStateRequest(**self._ids()))

    async def get_queue(self, offset: int = 0, limit: int = 25) -> QueuePage:
        request = pb.GetQueueRequest(**self._ids(), offset=offset, limit=limit)
        return convert.page_from_pb(await self._call(self._stub.GetQueue, request))
