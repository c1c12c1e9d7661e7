"""A Link stream spoken by hand, for tests and tools: what a parent says before it may Connect a child.

A child opens a session (``Connect``, ``Restore``) only for a channel a Link handshake reserved for it
(AvailabilityQuery → Available → Claim → Claimed). The parent's ``Children.acquire`` does that; a test that
calls a child directly does it with ``reserve``, and a test of bad Link events sends them with ``RawLink``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Protocol, cast

import grpc

from ..pb.azura.koe.v1 import koe_pb2 as pb
from ..pb.azura.koe.v1 import koe_pb2_grpc as pb_grpc
from .leases import LEASE_MS

__all__ = ["Caller", "HandshakeFailed", "RawLink", "reserve"]

Metadata = Sequence[tuple[str, str]]
_LinkCall = grpc.aio.StreamStreamCall[pb.ParentEvent, pb.ChildEvent]
# Events a child sends on its own (not as an answer): skipped while waiting for an answer.
_NOTICES = frozenset({"record", "session_closed", "draining"})


class HandshakeFailed(Exception):
    """The child did not answer as the handshake expects."""


class Caller(Protocol):
    """Whatever calls a child: a ``ChildConnection``, or a test's own stub and metadata."""

    @property
    def stub(self) -> pb_grpc.KoeSessionStub: ...
    @property
    def metadata(self) -> Metadata: ...


class RawLink:
    """One Link stream opened to a child, its Hello already read."""

    def __init__(self, call: _LinkCall, hello: pb.Hello) -> None:
        self.call = call
        self.hello = hello

    @classmethod
    async def open(cls, stub: pb_grpc.KoeSessionStub, metadata: Metadata, timeout: float = 30.0) -> RawLink:
        # No request iterator: this stream is written to with write() (no generator left to close).
        call = cast(_LinkCall, stub.Link(metadata=tuple(metadata), timeout=timeout))  # type: ignore[call-arg]
        first = await asyncio.wait_for(call.read(), timeout)
        if not isinstance(first, pb.ChildEvent) or first.WhichOneof("event") != "hello":
            call.cancel()
            raise HandshakeFailed(f"the child did not say Hello first: {first!r}")
        return cls(call, first.hello)

    async def send(self, event: pb.ParentEvent) -> None:
        await self.call.write(event)

    async def answer(self, timeout: float = 5.0) -> pb.ChildEvent | None:
        """The child's next answer (its own notices skipped), or None when none comes within ``timeout`` (a
        read given up cancels the whole stream: grpc.aio has no other way to stop waiting)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                event = await asyncio.wait_for(self.call.read(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                return None
            if not isinstance(event, pb.ChildEvent):  # grpc.aio.EOF: the child ended the stream
                return None
            if event.WhichOneof("event") not in _NOTICES:
                return event

    async def query(self, guild_id: int, channel_id: int, request_id: str = "", lease_ms: int = LEASE_MS) -> str:
        """Send an AvailabilityQuery; the answer's kind (``available``/``unavailable``), or ``silence``."""
        await self.send(pb.ParentEvent(availability_query=pb.AvailabilityQuery(
            request_id=request_id or uuid.uuid4().hex, guild_id=guild_id, channel_id=channel_id, lease_ms=lease_ms,
        )))
        answer = await self.answer()
        return "silence" if answer is None else str(answer.WhichOneof("event"))

    async def claim(self, request_id: str, guild_id: int, channel_id: int) -> bool:
        await self.send(pb.ParentEvent(claim=pb.Claim(request_id=request_id, guild_id=guild_id, channel_id=channel_id)))
        answer = await self.answer()
        if answer is None or answer.WhichOneof("event") != "claimed":
            raise HandshakeFailed(f"a Claim was answered with {answer!r}")
        return answer.claimed.ok and answer.claimed.request_id == request_id

    async def reserve(self, guild_id: int, channel_id: int) -> str:
        """The parent's handshake: query, then claim; the request id of the claimed lease."""
        request_id = uuid.uuid4().hex
        answered = await self.query(guild_id, channel_id, request_id)
        if answered != "available":
            raise HandshakeFailed(f"the child is not free for {guild_id}/{channel_id}: {answered}")
        if not await self.claim(request_id, guild_id, channel_id):
            raise HandshakeFailed(f"the child refused the claim for {guild_id}/{channel_id}")
        return request_id

    async def close(self) -> None:
        """End the stream as a parent does (a claimed lease outlives it; an unclaimed one does not)."""
        if self.call.done():
            return
        await self.call.done_writing()
        while isinstance(await self.call.read(), pb.ChildEvent):
            pass


async def reserve(caller: Caller, guild_id: int, channel_id: int) -> None:
    """Reserve the child behind ``caller`` for one channel, as the parent does before its Connect or Restore."""
    link = await RawLink.open(caller.stub, caller.metadata)
    try:
        await link.reserve(guild_id, channel_id)
    finally:
        await link.close()
