"""The child end of every Link stream opened to this child (``LinkHub``).

On every new Link the child sends ``Hello`` (its bot id, whether it is ready, every session it holds),
answers ``AvailabilityQuery`` with ``Available`` plus a short lease when it is free in that guild, turns a
``Claim`` into a reservation for the ``Connect`` that follows, echoes the parent's heartbeats (the parent's
own cadence measures liveness and the round trip), and sends ``SessionClosed`` whenever one of its sessions
ends, whatever ended it. Leases die with their Link, so a parent that vanishes mid-handshake leaks nothing.

Records: after ``Hello`` a new Link gets every session's whole record; then each change is pushed as a
``RecordUpdate`` as it happens, before the call that changed it returns (so no answered change can be
lost with this child), with the queue's tracks only when they changed; a playing session's position is
re-checkpointed every ``checkpoint_s``. These records are what the parent restores a session from if this child dies.

Token index: ``Hello`` says which index of AZURA_CHILD_TOKENS this child holds (0: none yet) and whether its
environment fixed it. A child without one waits (``token_assigned``) for the parent's ``TokenAssignment``,
takes the first valid one, and says ``Hello`` again (``announce``) holding it; it says ``Hello`` once more
when it is ready, with its bot id. A ``DUPLICATE`` answer (another child holds the index this one claims)
is logged as an error and leaves this child free nowhere; one whose index was assigned is also told to stop
(``on_token_refused``), so a fresh start asks for a free index.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Protocol, runtime_checkable

import grpc

from ...supervised import Supervised
from .. import convert, validation
from ..errors import InvalidArgument
from ..koe import Koe
from ..pb.azura.koe.v1 import koe_pb2 as pb
from ..records import MovedBoard, SessionRecord
from ..session import Ending, Session
from .leases import LeaseBook

__all__ = ["LinkHub", "Recorded"]

log = logging.getLogger(__name__)

_Outbox = asyncio.Queue[pb.ChildEvent | None]  # None ends the stream

CHECKPOINT_S = 3.0  # a playing session's position checkpoint is refreshed this often


@runtime_checkable
class Recorded(Protocol):
    """A session that can describe itself as a record (a LocalSession)."""

    @property
    def paused_or_idle(self) -> bool: ...

    def record(self) -> SessionRecord: ...


class LinkHub:
    """Every Link stream open to this child, and the answers it gives on them."""

    def __init__(
        self,
        koe: Koe,
        bot_user_id: Callable[[], int],
        ready: Callable[[], bool],
        *,
        in_guild: Callable[[int], bool] = lambda guild_id: True,
        checkpoint_s: float = CHECKPOINT_S,
        token_index: int = 0,
        token_fixed: bool = True,
        token_count: int = 0,
        bot_slot: int = 1,
        process_bots: Callable[[], int] = lambda: 1,
    ) -> None:
        self.koe = koe
        self.bot_slot = bot_slot  # this bot's slot in its process (the Link's ``azura-bot`` metadata)
        self._process_bots = process_bots  # how many bots its process runs (Hello tells the parent)
        self.leases = LeaseBook()
        self._bot_user_id = bot_user_id
        self._ready = ready
        self._in_guild = in_guild  # is this bot a member of that server (it can only play where it is)
        self._outboxes: set[_Outbox] = set()
        self._checkpoint_s = checkpoint_s
        self._draining = False  # stopping: free nowhere, its sessions are being moved
        self._pusher = Supervised("link-records", self._push_records)
        # told (after Hello) of now-playing messages this bot left for sessions that moved while it was away
        self.on_stale_boards: Callable[[list[MovedBoard]], None] | None = None
        self.token_index = token_index  # the index of AZURA_CHILD_TOKENS this child holds; 0: none (yet)
        self.token_fixed = token_fixed  # its environment fixed the index (or gave it a token of its own)
        self.token_count = token_count  # how many tokens AZURA_CHILD_TOKENS has here
        self.token_refused = ""  # why this child may not play: another child holds its index
        self._token_waits = ""  # the last reason to wait the parent gave (logged once each)
        self._token_given = asyncio.Event()
        if token_index or token_fixed:
            self._token_given.set()
        # told when the parent says another child holds the index this one was assigned: it should stop
        self.on_token_refused: Callable[[str], None] | None = None

    def start(self) -> None:
        self._pusher.start()

    @property
    def links(self) -> int:
        """How many parents are listening right now."""
        return len(self._outboxes)

    async def token_assigned(self) -> int:
        """Wait until this child holds a token index (at once when its environment fixed one); that index."""
        await self._token_given.wait()
        return self.token_index

    async def announce(self) -> None:
        """Say ``Hello`` again on every Link: what the parent knows of this child changed (an index, a login)."""
        if self._outboxes:
            self.broadcast(await self.hello())

    def is_free(self, guild_id: int, channel_id: int) -> bool:
        if self.token_refused or self._draining or not self._ready() or not self._in_guild(guild_id):
            return False
        if self.koe.local_channel(guild_id) is not None:
            return False
        return not self.leases.blocks(guild_id, channel_id)

    async def hello(self) -> pb.ChildEvent:
        states = await self.koe.states()
        return pb.ChildEvent(
            hello=pb.Hello(
                bot_user_id=self._bot_user_id(),
                sessions=[convert.state_to_pb(s) for s in states],
                ready=self._ready(),
                token_index=self.token_index,
                token_fixed=self.token_fixed,
                token_count=self.token_count,
                process_bots=self._process_bots(),
                bot_slot=self.bot_slot,
            )
        )

    async def serve(self, requests: AsyncIterator[pb.ParentEvent]) -> AsyncIterator[pb.ChildEvent]:
        """One Link: yields Hello, then answers and notices until the parent goes away."""
        outbox: _Outbox = asyncio.Queue()
        owner = object()
        self._outboxes.add(outbox)
        reader = asyncio.create_task(self._read(requests, outbox, owner), name="link-reader")
        try:
            yield await self.hello()
            for record in self._records():
                yield _record_event(record, with_tracks=True)
            while True:
                event = await outbox.get()
                if event is None:
                    break
                yield event
        finally:
            self._outboxes.discard(outbox)
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
            dropped = self.leases.drop_owner(owner)
            if dropped:
                log.info("link closed mid-handshake; released %d lease(s)", dropped)

    async def _read(self, requests: AsyncIterator[pb.ParentEvent], outbox: _Outbox, owner: object) -> None:
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
            return self._availability(event.availability_query, owner)
        if kind == "claim":
            c = event.claim
            problem = _problem(c.request_id, c.guild_id, c.channel_id)
            if problem is not None:  # a request id that is not one is not echoed either (it may be 100 KB)
                log.warning("refused a Link claim: %s", problem)
                return pb.ChildEvent(claimed=pb.Claimed(ok=False))
            ok = self.leases.claim(c.request_id, c.guild_id, c.channel_id, owner)
            return pb.ChildEvent(claimed=pb.Claimed(request_id=c.request_id, ok=ok))
        if kind == "release":
            if not self.leases.release(event.release.request_id, event.release.guild_id, owner):
                log.debug("a Link released a lease it does not hold (%r)", event.release.request_id[:64])
        elif kind == "stale_boards":
            if self.on_stale_boards is not None:
                self.on_stale_boards(convert.stale_boards_from_pb(event.stale_boards))
        elif kind == "token_assignment":
            self._on_token(event.token_assignment)
        elif kind == "heartbeat":  # echoed as is: the parent times the round trip with its own clock
            return pb.ChildEvent(heartbeat=pb.Heartbeat(sent_at_ms=event.heartbeat.sent_at_ms))
        else:  # no event, or one this child does not know (a newer parent): nothing to answer
            log.debug("ignored a Link event of kind %s", kind)
        return None

    def _on_token(self, answer: pb.TokenAssignment) -> None:
        if answer.outcome == pb.TOKEN_OUTCOME_ASSIGNED:
            self._take_token(answer.index, answer.token_count)
        elif answer.outcome == pb.TOKEN_OUTCOME_WAIT and answer.detail != self._token_waits:
            self._token_waits = answer.detail
            level = logging.WARNING if answer.detail.startswith("no free token") else logging.INFO
            log.log(level, "waiting for a token index from the parent: %s", answer.detail[:500])
        elif answer.outcome == pb.TOKEN_OUTCOME_DUPLICATE and not self.token_refused:
            self.token_refused = answer.detail[:500] or f"token index {answer.index} is held by another child"
            stops = "" if self.token_fixed else "; stopping, to ask for a free index when started again"
            log.error("this child gets no sessions: %s (two children must not share a token)%s",
                      self.token_refused, stops)
            if not self.token_fixed and self.on_token_refused is not None:
                self.on_token_refused(self.token_refused)

    def _take_token(self, index: int, token_count: int) -> None:
        if self.token_fixed or self.token_index:
            if index != self.token_index:
                log.warning("ignored token index %d from a parent: this child holds %s", index,
                            self.token_index or "its own token")
            return
        if not 1 <= index <= self.token_count or token_count != self.token_count:
            log.error("ignored token index %d of %d from the parent: AZURA_CHILD_TOKENS here has %d", index,
                      token_count, self.token_count)
            return
        self.token_index = index
        log.info("the parent assigned token index %d of %d (AZURA_CHILD_TOKENS)", index, self.token_count)
        self._token_given.set()

    def _availability(self, q: pb.AvailabilityQuery, owner: object) -> pb.ChildEvent:
        problem = _problem(q.request_id, q.guild_id, q.channel_id)
        if problem is not None:
            log.warning("refused a Link availability query: %s", problem)
            unavailable = pb.Unavailable(guild_id=q.guild_id, reason=f"invalid query: {problem}", retry=False)
            return pb.ChildEvent(unavailable=unavailable)
        if self.is_free(q.guild_id, q.channel_id) and self.leases.offer(
            q.request_id, q.guild_id, q.channel_id, q.lease_ms, owner
        ):
            available = pb.Available(request_id=q.request_id, guild_id=q.guild_id, bot_user_id=self._bot_user_id())
            return pb.ChildEvent(available=available)
        # retry: worth asking again in a moment (only a lease is in the way, or this bot is still starting).
        if self.token_refused:
            reason, retry = "another child holds its token", False
        elif self._draining:
            reason, retry = "stopping", False
        elif not self._ready():
            reason, retry = "not ready", True  # Discord or Lavalink is seconds away: a /play may wait for it
        elif not self._in_guild(q.guild_id):
            reason, retry = "not in this server", False
        else:
            retry = self.koe.local_channel(q.guild_id) is None
            reason = "promised to another request" if retry else "busy"
        unavailable = pb.Unavailable(request_id=q.request_id, guild_id=q.guild_id, reason=reason, retry=retry)
        return pb.ChildEvent(unavailable=unavailable)

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

    def session_changed(self, session: Recorded, queue_changed: bool) -> None:
        """A LocalSession's on_change (inside the change, before its caller gets the answer): push its record."""
        if self._outboxes:  # nobody listens: a parent that links up gets whole records after Hello
            self.broadcast(_record_event(session.record(), with_tracks=queue_changed))

    def draining(self, deadline_s: float) -> None:
        """Tell every parent this child is stopping: move its sessions within ``deadline_s``."""
        self._draining = True
        self.broadcast(pb.ChildEvent(draining=pb.Draining(deadline_ms=int(deadline_s * 1000))))

    async def _push_records(self) -> None:
        """Re-checkpoint the position of every playing session (it moves without any change)."""
        while True:
            await asyncio.sleep(self._checkpoint_s)
            for route in self.koe.routes():
                if isinstance(route.session, Recorded) and not route.session.paused_or_idle:
                    self.session_changed(route.session, False)

    def _records(self) -> list[SessionRecord]:
        return [r.session.record() for r in self.koe.routes() if isinstance(r.session, Recorded)]

    async def close(self) -> None:
        """End every Link stream (shutdown)."""
        await self._pusher.close()
        for outbox in list(self._outboxes):
            outbox.put_nowait(None)


def _problem(request_id: str, guild_id: int, channel_id: int) -> str | None:
    """What is wrong with a handshake event's request id and ids (a parent always sends all three), if anything."""
    try:
        validation.check_ids(guild_id, channel_id)
        validation.check_request_id(request_id)
    except InvalidArgument as exc:
        return exc.message
    return None if request_id else "request_id is empty."


def _record_event(record: SessionRecord, *, with_tracks: bool) -> pb.ChildEvent:
    update = pb.RecordUpdate(record=convert.record_to_pb(record, with_tracks=with_tracks), tracks_included=with_tracks)
    return pb.ChildEvent(record=update)
