"""The parent end of one child's Link stream: ``ChildLink`` (all of them together: ``children.Children``).

A ``ChildLink`` keeps its Link open, reconnecting with backoff. On ``Hello`` it reconciles Koe (adopts
sessions a restarted parent did not know, takes parked ones back, tells the child to stand down from
sessions that moved to another bot and hands it its now-playing messages of them to edit, forgets those the
child no longer holds); on ``SessionClosed`` it forgets at once; it keeps the child's latest record of each
session. It sends a heartbeat every ``heartbeat_s``; the child echoes it, which both proves the child alive
and measures the round trip (``rtt_ms``). The child is gone, and its sessions go to the ``Failover``, when
its heartbeats stop for ``dead_after_s`` or when the Link breaks and cannot be opened again at once (a dead
process refuses the connection; a child that is alive answers ``Hello`` within a moment and keeps its
sessions).

Token indices: every ``Hello`` says which index of AZURA_CHILD_TOKENS the child holds; the ``TokenBook``
shared by all Links (``tokens.py``) records it, or decides what to tell a child that holds none (an index
to log in with, or to wait). Only a child that holds its index (or has its own token) is ``UP``; one that
waits for an index is ``WAITING`` (asked again every heartbeat), one whose index another child holds is
``REFUSED``: neither gets sessions.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import AsyncIterator, Callable

import grpc

from ... import metrics
from ...supervised import Supervised, wait_set
from .. import convert
from ..errors import KoeError
from ..failover import Failover
from ..koe import Koe
from ..parked import ParkedSession
from ..pb.azura.koe.v1 import koe_pb2 as pb
from ..records import SessionRecord
from ..remote import ChildConnection, RemoteSession
from ..session import CloseReason, Ending
from .leases import LEASE_MS
from .tokens import TokenBook, TokenDecision, TokenOutcome

__all__ = ["ChildLink", "LinkState"]

log = logging.getLogger(__name__)

# A heartbeat each 0.5 s and silence for 2 s means gone: detection within 2.5 s. The child only echoes,
# so 2 s of silence means its event loop (or the network) stalled four heartbeats in a row, which a loaded
# 2-core machine does not do while the process is alive and scheduled.
HEARTBEAT_S = 0.5
DEAD_AFTER_S = 2.0
QUERY_TIMEOUT_S = 2.0
# Reconnect delays: from 0.2 s, doubling, at most 1 s. A child that is down is tried about once a second (a
# refused connect costs nothing), so a restarted one is linked, and takes parked sessions, within ~1 s of serving;
# a 5 s ceiling left sessions parked (silent) for seconds after their new bot was ready.
BACKOFF_S = (0.2, 1.0)

_LinkCall = grpc.aio.StreamStreamCall[pb.ParentEvent, pb.ChildEvent]
_TOKEN_OUTCOMES = {
    TokenOutcome.ASSIGNED: pb.TOKEN_OUTCOME_ASSIGNED,
    TokenOutcome.WAIT: pb.TOKEN_OUTCOME_WAIT,
    TokenOutcome.DUPLICATE: pb.TOKEN_OUTCOME_DUPLICATE,
}


class LinkState(enum.Enum):
    """Where a ChildLink's stream is. Handshakes run only while it is UP."""

    CLOSED = "closed"  # not started, or closed by the parent
    CONNECTING = "connecting"  # a stream is opening; the child has not said Hello on it yet
    UP = "up"  # Hello received: handshakes run, teardown notices arrive
    WAITING = "waiting"  # Hello received, but the child holds no token index yet: no handshakes
    REFUSED = "refused"  # Hello received claiming a token index another child holds: no handshakes
    DOWN = "down"  # the stream broke; another one opens after a backoff


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
        backoff_s: tuple[float, float] = BACKOFF_S,
    ) -> None:
        self.connection = connection
        self.koe = koe
        self.bot_user_id = 0
        self.rtt_ms: float | None = None  # the last heartbeat's round trip; None until one came back
        self._state = LinkState.CLOSED
        self._is_up = asyncio.Event()  # wakes wait_up; set exactly while the state is UP (see _enter)
        self._heartbeat_s = heartbeat_s
        self._dead_after_s = dead_after_s
        self._backoff = backoff_s
        self._outbox: asyncio.Queue[pb.ParentEvent | None] = asyncio.Queue()  # the current stream's
        self._waiters: dict[tuple[str, str], asyncio.Future[pb.ChildEvent]] = {}
        self._pings: dict[int, float] = {}  # heartbeat sent_at_ms → when it left (monotonic s)
        self._last_seen = 0.0
        self._call: _LinkCall | None = None
        self._task = Supervised(f"link-{connection.name}", self._run)
        self._chores: set[asyncio.Task[None]] = set()  # stand-downs under way
        self._silent = False  # the current stream was cut because heartbeats stopped
        # channel id → the child's latest record of that session (what a failover restores from)
        self.records: dict[int, SessionRecord] = {}
        self.draining_until: float | None = None  # monotonic deadline once the child said it is stopping
        self.failover: Failover | None = None  # where the sessions go when this child goes away
        self._heard_hello = False  # on the current stream
        self.tokens = TokenBook()  # its own until Children shares one between every Link (use_tokens)
        self.tokens.expect(self.address)
        self.token_index = 0  # the index of AZURA_CHILD_TOKENS the child holds (0: none, or its own token)
        self._token_count = 0  # how many tokens the child has (its Hello)
        self._token_told: TokenDecision | None = None  # the last TokenAssignment sent on the current stream
        # told (on a Hello of a process's first bot) how many bots its process runs: Children links the others
        self.on_process_bots: Callable[[ChildLink, int], None] | None = None
        self.on_record: Callable[[int], None] | None = None  # told a voice channel id on each record or close (the web)

    @property
    def address(self) -> str:
        """The child's name: its address (``#slot`` for a multi-bot process's bots past the first)."""
        return self.connection.name

    @property
    def up(self) -> bool:
        return self._state is LinkState.UP

    def start(self) -> None:
        self._task.start()

    def sibling(self, slot: int) -> ChildLink:
        """A Link, with the same settings, to bot ``slot`` of this child's process (over the same channel)."""
        link = ChildLink(self.connection.for_bot(slot), self.koe, heartbeat_s=self._heartbeat_s,
                         dead_after_s=self._dead_after_s, backoff_s=self._backoff)
        link.on_record = self.on_record
        return link

    def use_tokens(self, book: TokenBook) -> None:
        """Share ``book`` with the other Links of this parent (before ``start``)."""
        self.tokens = book
        book.expect(self.address)

    async def wait_up(self, timeout: float) -> bool:
        return await wait_set(self._is_up, timeout)

    async def close(self) -> None:
        await self._task.close()
        for task in list(self._chores):
            task.cancel()
        await asyncio.gather(*self._chores, return_exceptions=True)
        self._mark_down(LinkState.CLOSED, "parent shutting down", lose_sessions=False)

    def drop_stream(self) -> None:
        """Cut the current Link stream (tests use this to simulate a network failure); it reconnects."""
        if self._call is not None:
            self._call.cancel()

    def _enter(self, state: LinkState) -> None:
        if state is not self._state:
            log.debug("link to %s: %s → %s", self.address, self._state.value, state.value)
        self._state = state
        metrics.LINK_STATE.labels(self.address).state(state.value)
        if state is LinkState.UP:
            self._is_up.set()
        else:
            self._is_up.clear()

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
                self.connection.tell_tls_problem(exc)  # a certificate problem: a WARNING saying what to set
            except Exception:  # a bug while handling an event: log it, reconnect, reconcile on Hello
                log.exception("link to %s failed", self.address)
            self._mark_down(LinkState.DOWN, "link lost", lose_sessions=True)
            if self._heard_hello:
                # It was up: a fresh outage, retried from the shortest delay (not where the last outage left it,
                # which made a child killed a second time noticed seconds late).
                delay = self._backoff[0]
                self.tokens.down(self.address)
            else:
                self.tokens.unreachable(self.address)
            if not self._heard_hello or self._silent:
                self._gone()  # could not link up again, or heartbeats stopped: the child is gone
            await asyncio.sleep(delay)
            delay = min(self._backoff[1], delay * 2)

    async def _one_stream(self) -> None:
        outbox: asyncio.Queue[pb.ParentEvent | None] = asyncio.Queue()  # None ends the stream's requests
        self._outbox = outbox
        self._pings.clear()
        self._heard_hello = self._silent = False
        self._token_told = None
        self._enter(LinkState.CONNECTING)

        async def outgoing() -> AsyncIterator[pb.ParentEvent]:
            while (event := await outbox.get()) is not None:
                yield event

        call: _LinkCall = self.connection.stub.Link(outgoing(), metadata=self.connection.metadata)
        self._call = call
        self._last_seen = time.monotonic()
        watchdog = asyncio.create_task(self._watch(call, outbox), name=f"link-watch-{self.address}")
        try:
            async for event in call:
                self._last_seen = time.monotonic()
                if event.WhichOneof("event") == "hello":
                    first, self._heard_hello = not self._heard_hello, True
                    self._enter(await self._on_hello(event.hello, first=first))
                    if self.up and self.failover is not None:
                        self.failover.bot_up()  # sessions parked for want of a free bot may come here
                else:
                    await self._on_event(event)
        finally:
            # grpc stops reading our requests only when it cancels a call itself: a call that failed (the child
            # is gone) would leave its request task waiting in outgoing() for good, one task per reconnect.
            outbox.put_nowait(None)
            watchdog.cancel()
            await asyncio.gather(watchdog, return_exceptions=True)
            self._call = None

    async def _watch(self, call: _LinkCall, outbox: asyncio.Queue[pb.ParentEvent | None]) -> None:
        """Send a heartbeat every ``heartbeat_s``; cut the stream when nothing came back for too long."""
        while True:
            await asyncio.sleep(self._heartbeat_s)
            now = time.monotonic()
            sent_at_ms = int(now * 1000)
            self._pings = {ms: t for ms, t in self._pings.items() if now - t < self._dead_after_s}
            self._pings[sent_at_ms] = now
            outbox.put_nowait(pb.ParentEvent(heartbeat=pb.Heartbeat(sent_at_ms=sent_at_ms)))
            if self._state is LinkState.WAITING:  # an index may have come free, or the book settled
                self._tell_token(self.tokens.request(self.address, self._token_count))
            if now - self._last_seen > self._dead_after_s:
                log.warning("child %s missed its heartbeats; dropping the link", self.address)
                self._silent = True
                call.cancel()
                return

    def _mark_down(self, state: LinkState, why: str, *, lose_sessions: bool) -> None:
        self._enter(state)
        for waiter in self._waiters.values():
            if not waiter.done():
                waiter.set_exception(_LinkDown())
        self._waiters.clear()
        if lose_sessions:
            for session in self.sessions():
                session.lost = why

    def _gone(self) -> None:
        sessions = self.sessions()
        if self.failover is None or not sessions:
            return
        log.warning("child %s is gone; moving its %d session(s)", self.address, len(sessions))
        self.failover.bot_gone(list(sessions), dict(self.records), self.bot_user_id)
        for session in sessions:
            self.records.pop(session.channel_id, None)

    def sessions(self) -> list[RemoteSession]:
        """Koe's sessions that live on this child."""
        return [
            r.session
            for r in self.koe.routes()
            if isinstance(r.session, RemoteSession) and r.session.connection is self.connection
        ]

    async def _on_hello(self, hello: pb.Hello, *, first: bool) -> LinkState:
        """The state the Link enters: UP only for a child that may play. The first Hello of a stream reconciles
        the sessions; a later one (the child got its token index, or logged in) only updates who it is: on
        the same stream every change since came as an event, and a session being connected right then may
        not be in the Hello yet."""
        self.bot_user_id = hello.bot_user_id
        self._token_count = hello.token_count
        if hello.process_bots > 1 and self.connection.bot_slot == 1 and self.on_process_bots is not None:
            self.on_process_bots(self, hello.process_bots)
        decision = self.tokens.hello(
            self.address, hello.token_index, fixed=hello.token_fixed, token_count=hello.token_count
        )
        if decision.outcome is TokenOutcome.DUPLICATE:
            self._tell_token(decision)  # and leave its sessions alone: they are another process's too
            return LinkState.REFUSED
        self.token_index = decision.index if decision.may_play else 0
        if first:
            await self._reconcile(hello)
        if self.failover is not None:  # its old now-playing messages of sessions that moved: it edits them
            boards = self.failover.take_moved_boards(self.bot_user_id)
            if boards:
                self._outbox.put_nowait(pb.ParentEvent(stale_boards=convert.stale_boards_to_pb(boards)))
        if decision.may_play:
            return LinkState.UP
        self._tell_token(decision)
        return LinkState.WAITING

    async def _reconcile(self, hello: pb.Hello) -> None:
        """Koe's sessions on this child against those its Hello says it holds."""
        self.draining_until = None  # a Hello comes from a process that just linked up, not a stopping one
        held = {s.channel_id: convert.state_from_pb(s) for s in hello.sessions}
        for session in self.sessions():
            if session.channel_id in held:
                session.lost = None
            else:
                await self.koe.forget(session.channel_id, Ending(CloseReason.CHILD_LOST), session)
        for channel_id, state in held.items():
            known = self.koe.get(channel_id)
            mine = isinstance(known, RemoteSession) and known.connection is self.connection
            remote = RemoteSession(self.connection, state.guild_id, channel_id, state.bot_id)
            if known is None or isinstance(known, ParkedSession):
                # A restarted parent, or the child is back before any bot could take its session: carry on.
                self.koe.adopt(remote, local=False)
                log.info("reattached session in channel %s on %s", channel_id, self.address)
            elif not mine:
                # It moved to another bot while this child was away: this one must not play it too.
                log.info("child %s is back holding %s, which moved; it stands down", self.address, channel_id)
                self._stand_down(remote)

    def _tell_token(self, decision: TokenDecision) -> None:
        """Send the child what the book decided about its index, once per decision on this stream."""
        if decision == self._token_told:
            return
        self._token_told = decision
        if decision.outcome is TokenOutcome.ASSIGNED:
            log.info("child %s gets token index %d of %d", self.address, decision.index, self._token_count)
        elif decision.outcome is TokenOutcome.DUPLICATE:
            log.error("child %s gets no sessions: %s", self.address, decision.detail)
        elif decision.detail.startswith("no free token"):
            log.warning("child %s waits for a token: %s", self.address, decision.detail)
        else:
            log.info("child %s waits for a token: %s", self.address, decision.detail)
        assignment = pb.TokenAssignment(
            outcome=_TOKEN_OUTCOMES[decision.outcome], index=decision.index, token_count=self._token_count,
            detail=decision.detail,
        )
        self._outbox.put_nowait(pb.ParentEvent(token_assignment=assignment))

    def _stand_down(self, session: RemoteSession) -> None:
        async def stand_down() -> None:
            try:
                await session.disconnect(Ending(CloseReason.MOVED))
            except KoeError as exc:
                log.debug("standing %s down: %s", session.channel_id, exc)

        task = asyncio.create_task(stand_down(), name=f"stand-down-{session.channel_id}")
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    async def _on_event(self, event: pb.ChildEvent) -> None:
        kind = event.WhichOneof("event")
        if kind in ("available", "unavailable", "claimed"):
            request_id = getattr(event, kind).request_id
            group = "claim" if kind == "claimed" else "query"
            if kind == "available" and event.available.bot_user_id:  # the child may have logged in since its Hello
                self.bot_user_id = event.available.bot_user_id
            waiter = self._waiters.pop((group, request_id), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(event)
        elif kind == "session_closed":
            closed = event.session_closed
            self.records.pop(closed.channel_id, None)
            if self.on_record is not None:
                self.on_record(closed.channel_id)
            for session in self.sessions():
                if session.channel_id == closed.channel_id:
                    ending = convert.ending_from_pb(closed.reason, closed.detail)
                    await self.koe.forget(closed.channel_id, ending, session)
        elif kind == "heartbeat":
            self._on_echo(event.heartbeat.sent_at_ms)
        elif kind == "record":
            self._on_record(event.record)
        elif kind == "draining":
            self.draining_until = time.monotonic() + event.draining.deadline_ms / 1000
            log.info("child %s is stopping; %d ms to move its sessions", self.address, event.draining.deadline_ms)
            if self.failover is not None:
                self.failover.bot_draining(list(self.sessions()), dict(self.records), self.bot_user_id)

    def _on_record(self, update: pb.RecordUpdate) -> None:
        record = convert.record_from_pb(update.record)
        if not update.tracks_included:
            earlier = self.records.get(record.channel_id)
            if earlier is None:
                log.debug("record of %s without its queue and none known; waiting for a whole one", record.channel_id)
                return
            record = record.with_tracks_of(earlier)
        self.records[record.channel_id] = record
        if self.on_record is not None:
            self.on_record(record.channel_id)

    def _on_echo(self, sent_at_ms: int) -> None:
        left = self._pings.pop(sent_at_ms, None)
        if left is None:
            return  # from an earlier stream, or pruned as too old
        self.rtt_ms = (time.monotonic() - left) * 1000
        metrics.observe_link_rtt(self.address, self.rtt_ms)
        log.debug("link to %s: heartbeat round trip %.2f ms", self.address, self.rtt_ms)

    # -- the handshake -------------------------------------------------------------------------------
    async def _ask(self, group: str, request_id: str, event: pb.ParentEvent, timeout: float) -> pb.ChildEvent | None:
        if not self.up:
            return None
        waiter: asyncio.Future[pb.ChildEvent] = asyncio.get_running_loop().create_future()
        self._waiters[(group, request_id)] = waiter
        self._outbox.put_nowait(event)
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
        # On a stream that is no longer up the lease died with the old stream: nothing to release.
        if self.up:
            self._outbox.put_nowait(pb.ParentEvent(release=pb.Release(request_id=request_id, guild_id=guild_id)))
