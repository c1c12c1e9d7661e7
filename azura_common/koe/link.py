"""The Link stream, both ends: availability handshakes with leases, teardown upstream, heartbeats.

Child end (``LinkHub``): on every new Link it sends ``Hello`` (its bot id and every session it holds),
answers ``AvailabilityQuery`` with ``Available`` plus a short lease when it is free in that guild, turns a
``Claim`` into a reservation for the ``Connect`` that follows, and sends ``SessionClosed`` whenever one of
its sessions ends, whatever ended it. Leases die with their Link, so a parent that vanishes
mid-handshake leaks nothing.

Parent end (``ChildLink`` per child, ``Children`` for all of them): keeps each Link open, reconnecting
with backoff; on ``Hello`` reconciles Koe (adopts sessions a restarted parent did not know, forgets those
the child no longer holds); on ``SessionClosed`` forgets at once; when heartbeats stop it marks the
child's sessions lost (never silently forgets them). ``Children.acquire`` asks every child at once and
claims the first that is free.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import grpc

from ..supervised import Supervised, wait_set
from . import convert
from .errors import ChildUnavailable
from .koe import Koe
from .pb.azura.koe.v1 import koe_pb2 as pb
from .remote import ChildConnection, RemoteSession
from .session import CloseReason, Ending, Session, SessionState

__all__ = ["ChildLink", "Children", "LeaseBook", "LinkHub"]

log = logging.getLogger(__name__)

HEARTBEAT_S = 2.0
DEAD_AFTER_S = 7.0  # three missed heartbeats and a bit: the child is gone
LEASE_MS = 3_000  # how long a child waits for a Claim after saying Available
CLAIM_HOLD_S = 30.0  # how long a claimed reservation waits for its Connect
QUERY_TIMEOUT_S = 2.0
ACQUIRE_TIMEOUT_S = 5.0  # a /play waits at most this long for a free child
UNREACHABLE = "The other Azura bots can't be reached right now; try again in a moment."

# -- child end ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Lease:
    request_id: str
    guild_id: int
    channel_id: int
    expires_at: float
    owner: object  # the Link stream that asked; the lease dies with it
    claimed: bool = False


class LeaseBook:
    """Which guilds this child has promised to a parent for a moment. Pure bookkeeping, injected clock."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._by_guild: dict[int, _Lease] = {}

    def _live(self, guild_id: int) -> _Lease | None:
        lease = self._by_guild.get(guild_id)
        if lease is not None and lease.expires_at <= self._clock():
            del self._by_guild[guild_id]
            return None
        return lease

    def offer(self, request_id: str, guild_id: int, channel_id: int, lease_ms: int, owner: object) -> bool:
        """Hold the guild for ``request_id`` unless someone already holds it."""
        if self._live(guild_id) is not None:
            return False
        ms = lease_ms if 0 < lease_ms <= 30_000 else LEASE_MS
        self._by_guild[guild_id] = _Lease(request_id, guild_id, channel_id, self._clock() + ms / 1000, owner)
        return True

    def claim(self, request_id: str, guild_id: int, channel_id: int) -> bool:
        lease = self._live(guild_id)
        if lease is None or lease.request_id != request_id:
            return False
        lease.claimed = True
        lease.channel_id = channel_id or lease.channel_id
        lease.expires_at = self._clock() + CLAIM_HOLD_S
        return True

    def release(self, request_id: str, guild_id: int) -> None:
        lease = self._by_guild.get(guild_id)
        if lease is not None and lease.request_id == request_id:
            del self._by_guild[guild_id]

    def blocks(self, guild_id: int, channel_id: int) -> bool:
        """True when a live lease holds the guild for another channel."""
        lease = self._live(guild_id)
        return lease is not None and lease.channel_id != channel_id

    def consume(self, guild_id: int, channel_id: int) -> None:
        """The reserved Connect happened: the session now holds the guild."""
        lease = self._by_guild.get(guild_id)
        if lease is not None and lease.channel_id == channel_id:
            del self._by_guild[guild_id]

    def drop_owner(self, owner: object) -> int:
        """Forget every unclaimed lease of a Link that closed; returns how many."""
        doomed = [g for g, lease in self._by_guild.items() if lease.owner is owner and not lease.claimed]
        for guild_id in doomed:
            del self._by_guild[guild_id]
        return len(doomed)

    def __len__(self) -> int:
        return sum(1 for g in list(self._by_guild) if self._live(g) is not None)


class LinkHub:
    """The child end of every Link stream opened to this child."""

    def __init__(
        self,
        koe: Koe,
        bot_user_id: Callable[[], int],
        ready: Callable[[], bool],
        *,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self.koe = koe
        self.leases = LeaseBook()
        self._bot_user_id = bot_user_id
        self._ready = ready
        self._heartbeat_s = heartbeat_s
        self._outboxes: set[asyncio.Queue[pb.ChildEvent | None]] = set()

    @property
    def links(self) -> int:
        return len(self._outboxes)

    def is_free(self, guild_id: int, channel_id: int) -> bool:
        if not self._ready() or self.koe.local_channel(guild_id) is not None:
            return False
        return not self.leases.blocks(guild_id, channel_id)

    async def hello(self) -> pb.ChildEvent:
        states = await self.koe.states()
        return pb.ChildEvent(
            hello=pb.Hello(
                bot_user_id=self._bot_user_id(),
                sessions=[convert.state_to_pb(s) for s in states],
                ready=self._ready(),
            )
        )

    async def serve(self, requests: AsyncIterator[pb.ParentEvent]) -> AsyncIterator[pb.ChildEvent]:
        """One Link: yields Hello, then answers and notices until the parent goes away."""
        outbox: asyncio.Queue[pb.ChildEvent | None] = asyncio.Queue()
        owner = object()
        self._outboxes.add(outbox)
        reader = asyncio.create_task(self._read(requests, outbox, owner), name="link-reader")
        beater = asyncio.create_task(self._beat(outbox), name="link-heartbeat")
        try:
            yield await self.hello()
            while True:
                event = await outbox.get()
                if event is None:
                    break
                yield event
        finally:
            self._outboxes.discard(outbox)
            for task in (reader, beater):
                task.cancel()
            await asyncio.gather(reader, beater, return_exceptions=True)
            dropped = self.leases.drop_owner(owner)
            if dropped:
                log.info("link closed mid-handshake; released %d lease(s)", dropped)

    async def _beat(self, outbox: asyncio.Queue[pb.ChildEvent | None]) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_s)
            outbox.put_nowait(pb.ChildEvent(heartbeat=pb.Heartbeat(sent_at_ms=int(time.monotonic() * 1000))))

    async def _read(
        self, requests: AsyncIterator[pb.ParentEvent], outbox: asyncio.Queue[pb.ChildEvent | None], owner: object
    ) -> None:
        try:
            async for event in requests:
                reply = self._answer(event, owner)
                if reply is not None:
                    outbox.put_nowait(reply)
        except (grpc.aio.AioRpcError, asyncio.InvalidStateError) as exc:
            log.debug("link read ended: %s", exc)
        finally:
            outbox.put_nowait(None)

    def _answer(self, event: pb.ParentEvent, owner: object) -> pb.ChildEvent | None:
        kind = event.WhichOneof("event")
        if kind == "availability_query":
            q = event.availability_query
            if self.is_free(q.guild_id, q.channel_id) and self.leases.offer(
                q.request_id, q.guild_id, q.channel_id, q.lease_ms, owner
            ):
                available = pb.Available(request_id=q.request_id, guild_id=q.guild_id, bot_user_id=self._bot_user_id())
                return pb.ChildEvent(available=available)
            held = self._ready() and self.koe.local_channel(q.guild_id) is None  # only a lease is in the way
            reason = "not ready" if not self._ready() else ("promised to another request" if held else "busy")
            unavailable = pb.Unavailable(request_id=q.request_id, guild_id=q.guild_id, reason=reason, retry=held)
            return pb.ChildEvent(unavailable=unavailable)
        if kind == "claim":
            c = event.claim
            ok = self.leases.claim(c.request_id, c.guild_id, c.channel_id)
            return pb.ChildEvent(claimed=pb.Claimed(request_id=c.request_id, ok=ok))
        if kind == "release":
            self.leases.release(event.release.request_id, event.release.guild_id)
        if kind == "heartbeat":  # echoed, so the parent's own cadence measures liveness and round trips
            return pb.ChildEvent(heartbeat=pb.Heartbeat(sent_at_ms=event.heartbeat.sent_at_ms))
        return None

    def broadcast(self, event: pb.ChildEvent) -> None:
        for outbox in list(self._outboxes):
            outbox.put_nowait(event)

    async def session_closed(self, session: Session, ending: Ending) -> None:
        """Koe's on_closed on the child: tell every parent at once."""
        self.broadcast(
            pb.ChildEvent(
                session_closed=pb.SessionClosed(
                    guild_id=session.guild_id,
                    channel_id=session.channel_id,
                    reason=convert.close_reason_to_pb(ending.reason),
                    detail=ending.detail,
                )
            )
        )

    def state_changed(self, state: SessionState) -> None:
        self.broadcast(pb.ChildEvent(state_snapshot=pb.StateSnapshot(state=convert.state_to_pb(state))))

    async def close(self) -> None:
        """End every Link stream (shutdown)."""
        for outbox in list(self._outboxes):
            outbox.put_nowait(None)


# -- parent end ---------------------------------------------------------------------------------------


class _LinkDown(Exception):
    """The Link went down while a handshake step waited for its answer."""


class ChildLink:
    """The parent's view of one child: its connection, its Link stream, and what it holds."""

    def __init__(
        self,
        connection: ChildConnection,
        koe: Koe,
        *,
        heartbeat_s: float = HEARTBEAT_S,
        dead_after_s: float = DEAD_AFTER_S,
        backoff_s: tuple[float, float] = (0.2, 5.0),
    ) -> None:
        self.connection = connection
        self.koe = koe
        self.bot_user_id = 0
        self.ready = False
        self._heartbeat_s = heartbeat_s
        self._dead_after_s = dead_after_s
        self._backoff = backoff_s
        self._up = asyncio.Event()
        self._outbox: asyncio.Queue[pb.ParentEvent] | None = None
        self._waiters: dict[tuple[str, str], asyncio.Future[pb.ChildEvent]] = {}
        self._last_seen = 0.0
        self._task = Supervised(f"link-{connection.address}", self._run)
        self._call: Any = None
        self.snapshots: dict[int, SessionState] = {}  # channel id → last StateSnapshot from the child

    @property
    def address(self) -> str:
        return self.connection.address

    @property
    def up(self) -> bool:
        return self._up.is_set()

    def start(self) -> None:
        self._task.start()

    async def wait_up(self, timeout: float) -> bool:
        return await wait_set(self._up, timeout)

    async def close(self) -> None:
        await self._task.close()
        self._mark_down("parent shutting down", lose_sessions=False)

    def drop_stream(self) -> None:
        """Cut the current Link stream (tests use this to simulate a network failure); it reconnects."""
        if self._call is not None:
            self._call.cancel()

    # -- the stream loop -----------------------------------------------------------------------------
    async def _run(self) -> None:
        delay = self._backoff[0]
        while True:
            try:
                await self._one_stream()
                delay = self._backoff[0]
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # we are being shut down
                log.info("link to %s cut (heartbeats missed or dropped on purpose)", self.address)
            except (grpc.aio.AioRpcError, grpc.aio.UsageError, OSError, TimeoutError) as exc:
                log.info("link to %s down: %s", self.address, exc)
            except Exception:  # a bug while handling an event: log it, reconnect, reconcile on Hello
                log.exception("link to %s failed", self.address)
            self._mark_down("link lost", lose_sessions=True)
            await asyncio.sleep(delay)
            delay = min(self._backoff[1], delay * 2)

    async def _one_stream(self) -> None:
        outbox: asyncio.Queue[pb.ParentEvent] = asyncio.Queue()

        async def outgoing() -> AsyncIterator[pb.ParentEvent]:
            while True:
                yield await outbox.get()

        call = self.connection.stub.Link(outgoing(), metadata=self.connection.metadata)
        self._call = call
        self._last_seen = time.monotonic()
        watchdog = asyncio.create_task(self._watch(call, outbox), name=f"link-watch-{self.address}")
        try:
            async for event in call:
                self._last_seen = time.monotonic()
                if event.WhichOneof("event") == "hello":
                    self._outbox = outbox
                    await self._on_hello(event.hello)
                    self._up.set()
                else:
                    await self._on_event(event)
        finally:
            watchdog.cancel()
            await asyncio.gather(watchdog, return_exceptions=True)
            self._call = None

    async def _watch(self, call: Any, outbox: asyncio.Queue[pb.ParentEvent]) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_s)
            outbox.put_nowait(pb.ParentEvent(heartbeat=pb.Heartbeat(sent_at_ms=int(time.monotonic() * 1000))))
            if time.monotonic() - self._last_seen > self._dead_after_s:
                log.warning("child %s missed its heartbeats; dropping the link", self.address)
                call.cancel()
                return

    def _mark_down(self, why: str, *, lose_sessions: bool) -> None:
        self._up.clear()
        self._outbox = None
        self.ready = False
        for waiter in self._waiters.values():
            if not waiter.done():
                waiter.set_exception(_LinkDown())
        self._waiters.clear()
        if lose_sessions:
            for session in self.sessions():
                session.lost = why

    def sessions(self) -> list[RemoteSession]:
        """Koe's sessions that live on this child."""
        return [
            r.session
            for r in self.koe.routes()
            if isinstance(r.session, RemoteSession) and r.session.connection is self.connection
        ]

    async def _on_hello(self, hello: pb.Hello) -> None:
        self.bot_user_id = hello.bot_user_id
        self.ready = hello.ready
        held = {s.channel_id: convert.state_from_pb(s) for s in hello.sessions}
        for session in self.sessions():
            if session.channel_id in held:
                session.lost = None
            else:
                await self.koe.forget(session.channel_id, Ending(CloseReason.CHILD_LOST), session)
        for channel_id, state in held.items():
            self.snapshots[channel_id] = state
            known = self.koe.get(channel_id)
            if known is None:
                self.koe.adopt(RemoteSession(self.connection, state.guild_id, channel_id, state.bot_id), local=False)
                log.info("reattached session in channel %s on %s", channel_id, self.address)

    async def _on_event(self, event: pb.ChildEvent) -> None:
        kind = event.WhichOneof("event")
        if kind in ("available", "unavailable", "claimed"):
            request_id = getattr(event, kind).request_id
            group = "claim" if kind == "claimed" else "query"
            waiter = self._waiters.pop((group, request_id), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(event)
        elif kind == "session_closed":
            closed = event.session_closed
            self.snapshots.pop(closed.channel_id, None)
            for session in self.sessions():
                if session.channel_id == closed.channel_id:
                    ending = convert.ending_from_pb(closed.reason, closed.detail)
                    await self.koe.forget(closed.channel_id, ending, session)
        elif kind == "state_snapshot":
            state = convert.state_from_pb(event.state_snapshot.state)
            self.snapshots[state.channel_id] = state

    # -- the handshake -------------------------------------------------------------------------------
    async def _ask(self, group: str, request_id: str, event: pb.ParentEvent, timeout: float) -> pb.ChildEvent | None:
        outbox = self._outbox
        if outbox is None:
            return None
        waiter: asyncio.Future[pb.ChildEvent] = asyncio.get_running_loop().create_future()
        self._waiters[(group, request_id)] = waiter
        outbox.put_nowait(event)
        try:
            return await asyncio.wait_for(waiter, timeout)
        except (TimeoutError, _LinkDown):
            return None
        finally:
            self._waiters.pop((group, request_id), None)

    async def query(self, request_id: str, guild_id: int, channel_id: int, timeout: float = QUERY_TIMEOUT_S) -> bool:
        """True when the child is free and now holds a lease for ``request_id``."""
        return await self.ask_availability(request_id, guild_id, channel_id, timeout) == "available"

    async def ask_availability(
        self, request_id: str, guild_id: int, channel_id: int, timeout: float = QUERY_TIMEOUT_S
    ) -> str:
        """``available`` (lease held), ``held`` (promised to another request: ask again), ``busy`` or ``down``."""
        event = pb.ParentEvent(
            availability_query=pb.AvailabilityQuery(
                request_id=request_id, guild_id=guild_id, channel_id=channel_id, lease_ms=LEASE_MS
            )
        )
        answer = await self._ask("query", request_id, event, timeout)
        if answer is None:
            return "down"
        if answer.WhichOneof("event") == "available":
            return "available"
        return "held" if answer.unavailable.retry else "busy"

    async def claim(self, request_id: str, guild_id: int, channel_id: int, timeout: float = QUERY_TIMEOUT_S) -> bool:
        event = pb.ParentEvent(claim=pb.Claim(request_id=request_id, guild_id=guild_id, channel_id=channel_id))
        answer = await self._ask("claim", request_id, event, timeout)
        return answer is not None and answer.claimed.ok

    def release(self, request_id: str, guild_id: int) -> None:
        if self._outbox is not None:
            self._outbox.put_nowait(pb.ParentEvent(release=pb.Release(request_id=request_id, guild_id=guild_id)))


class Children:
    """Every configured child: Koe's ChildPool on the parent."""

    def __init__(self, links: list[ChildLink]) -> None:
        self.links = links

    @property
    def size(self) -> int:
        return len(self.links)

    def start(self) -> None:
        for link in self.links:
            link.start()

    async def wait_up(self, timeout: float) -> int:
        results = await asyncio.gather(*(link.wait_up(timeout) for link in self.links))
        return sum(results)

    async def close(self) -> None:
        await asyncio.gather(*(link.close() for link in self.links))
        await asyncio.gather(*(link.connection.close() for link in self.links), return_exceptions=True)

    def link_of(self, session: Session) -> ChildLink | None:
        if isinstance(session, RemoteSession):
            for link in self.links:
                if link.connection is session.connection:
                    return link
        return None

    async def acquire(self, guild_id: int, channel_id: int) -> Session | None:
        """Ask every child at once; claim the first that is free; release the rest.

        A child that is only promised to a concurrent request is asked again after a short, jittered
        pause, so twenty simultaneous /plays spread over every free child instead of all but one failing."""
        deadline = time.monotonic() + ACQUIRE_TIMEOUT_S
        candidates = [link for link in self.links if link.up]
        if self.links and not candidates:
            raise ChildUnavailable(UNREACHABLE)
        while candidates:
            chosen, held, answered = await self._acquire_round(guild_id, channel_id, candidates)
            if chosen is not None:
                return RemoteSession(chosen.connection, guild_id, channel_id, chosen.bot_user_id)
            if not answered:
                raise ChildUnavailable(UNREACHABLE)  # "busy" would be a lie: nobody could say
            if not held or time.monotonic() > deadline:
                return None
            candidates = held
            await asyncio.sleep(random.uniform(0.005, 0.03))
        return None

    async def _acquire_round(
        self, guild_id: int, channel_id: int, candidates: list[ChildLink]
    ) -> tuple[ChildLink | None, list[ChildLink], bool]:
        request_id = uuid.uuid4().hex
        asks = {
            asyncio.create_task(link.ask_availability(request_id, guild_id, channel_id)): link for link in candidates
        }
        chosen: ChildLink | None = None
        held: list[ChildLink] = []
        answered = False
        try:
            pending = set(asks)
            while pending and chosen is None:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    answer, link = task.result(), asks[task]
                    answered = answered or answer != "down"
                    if answer == "held":
                        held.append(link)
                    elif answer == "available" and chosen is None:
                        if await link.claim(request_id, guild_id, channel_id):
                            chosen = link
                        else:
                            link.release(request_id, guild_id)
        finally:
            for task in asks:
                if not task.done():
                    task.cancel()
            results = await asyncio.gather(*asks, return_exceptions=True)
            for task, outcome in zip(asks, results, strict=True):
                link = asks[task]
                if link is not chosen and outcome == "available":
                    link.release(request_id, guild_id)
        return chosen, held, answered


@contextlib.asynccontextmanager
async def children_for(
    addresses: list[str], secret: str, koe: Koe, **link_options: Any
) -> AsyncIterator[Children]:
    """Open links to ``addresses`` for ``koe``; closes them on exit."""
    children = Children([ChildLink(ChildConnection(a, secret), koe, **link_options) for a in addresses])
    children.start()
    try:
        yield children
    finally:
        await children.close()
