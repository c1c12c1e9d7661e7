"""Failover: the sessions of a bot that went away keep playing on another bot.

When a child's Link drops (its process died: the stream resets at once) or its heartbeats stop (a
partition, a frozen process), each of its sessions is first *parked* (``ParkedSession``: commands keep
working on its queue at once, nothing hangs) and its dead player is destroyed on Lavalink, so nothing
plays on unattached. Then it is restored from the child's last record on a bot free in that server — the
parent itself if it is free there, else a child through the usual lease handshake — same queue, same
track at the position it had reached. With no bot free it stays parked (its position where the music
stopped) and is retried as soon as a bot links up (``bot_up``: a restarted child), and every ``retry_s``.

A child that is stopping (``Draining``) gets the same treatment while it still plays: its sessions are
restored elsewhere first, then it is told to stand down (``CloseReason.MOVED``), so the music does not
stop. A child that comes back holding sessions that moved is told to stand down too (the Link does it
on ``Hello``), so two bots never play in one channel.

A bot that went away leaves its now-playing messages behind, and only their author may edit them: the
failover keeps each moved session's message (``MovedBoard``) until that bot links up again, and the Link
hands them over after its ``Hello`` so the bot edits them to say where the music went.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from .. import metrics
from ..supervised import Supervised, wait_set
from .errors import KoeError
from .koe import Koe
from .parked import ParkedSession
from .records import MovedBoard, SessionRecord
from .session import CloseReason, Ending, Session

__all__ = ["Failover", "Moved"]

log = logging.getLogger(__name__)

RETRY_S = 2.0  # a parked session tries again this often (and at once when a bot links up)
DESTROY_TIMEOUT_S = 3.0


@dataclass(frozen=True, slots=True)
class Moved:
    """What happened to one session whose bot went away; what the notices say."""

    record: SessionRecord  # as it was restored (or parked)
    from_bot: int
    why: str  # what happened to ``from_bot``: "dropped out", "is restarting", "restarted"
    to_bot: int | None  # None: parked, no bot was free
    position_ms: int  # where playback carries on
    took_s: float  # from the bot going away to the music playing again (or parking)


class Failover:
    """Moves sessions off bots that went away. Owned by the parent; wired to its Links."""

    def __init__(
        self,
        koe: Koe,
        *,
        on_moved: Callable[[Moved], Awaitable[None]] | None = None,
        destroy_player: Callable[[SessionRecord], Awaitable[None]] | None = None,
        retry_s: float = RETRY_S,
    ) -> None:
        self.koe = koe
        self._on_moved = on_moved
        self._destroy_player = destroy_player
        self._retry_s = retry_s
        self._tasks: set[asyncio.Task[None]] = set()
        self._retrier = Supervised("failover-retry", self._retry_parked)
        self._attempting: set[int] = set()  # channels with a restore under way
        self._bot_up = asyncio.Event()  # a bot linked up: parked sessions try again now, not at the next tick
        self._moved_boards: dict[int, dict[int, MovedBoard]] = {}  # gone bot → its old boards, by voice channel

    def start(self) -> None:
        self._retrier.start()

    async def close(self) -> None:
        await self._retrier.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, work: Awaitable[None], name: str) -> None:
        async def run() -> None:
            try:
                await work
            except KoeError as exc:
                log.warning("%s: %s", name, exc)

        task = asyncio.create_task(run(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- a bot went away --------------------------------------------------------------------------------
    def bot_gone(self, sessions: list[Session], records: dict[int, SessionRecord], from_bot: int) -> None:
        """``sessions`` lost their bot (``from_bot``): park each now, restore it elsewhere in the background."""
        for session in sessions:
            record = records.get(session.channel_id)
            if record is None:
                # Never heard how it stood (it died before its first record): nothing to carry on from.
                self._spawn(self._forget(session), f"forget-{session.channel_id}")
            else:
                self.resume(record, from_bot, "dropped out")

    def resume(self, record: SessionRecord, from_bot: int, why: str) -> None:
        """Bring back a session nobody plays from its record: parked at once, restored in the background."""
        parked = ParkedSession(replace(record, bot_id=from_bot), why=why)
        metrics.count_failover(why)
        self.koe.adopt(parked, local=False)
        self._spawn(self._recover(parked, record, from_bot, time.monotonic()), f"failover-{record.channel_id}")

    async def _forget(self, session: Session) -> None:
        await self.koe.forget(session.channel_id, Ending(CloseReason.CHILD_LOST), session)

    async def _recover(self, parked: ParkedSession, record: SessionRecord, from_bot: int, started: float) -> None:
        if self._destroy_player is not None and record.lavalink_session_id:
            try:
                await asyncio.wait_for(self._destroy_player(record), DESTROY_TIMEOUT_S)
            except (TimeoutError, KoeError) as exc:
                log.warning("could not destroy the player of %s on Lavalink: %s", record.channel_id, exc)
        moved = await self._try_restore(parked, started)
        if moved is None:
            log.info("no bot free for %s: parked with %d tracks", record.channel_id, len(record.tracks))
            await self._tell(Moved(parked.record(), from_bot, parked.why, None, parked.record().position_ms,
                                   time.monotonic() - started))

    async def _try_restore(self, parked: ParkedSession, started: float) -> Moved | None:
        if parked.channel_id in self._attempting or self.koe.get(parked.channel_id) is not parked:
            return None
        self._attempting.add(parked.channel_id)
        try:
            record = parked.record()
            # the record again once a bot is found: nothing played while it waited for one (a child starting)
            session = await self.koe.restore(record, replacing=parked, as_of_now=parked.record)
            state = await session.get_state()
        except KoeError as exc:
            log.debug("restoring %s: %s", parked.channel_id, exc)
            return None
        finally:
            self._attempting.discard(parked.channel_id)
        moved = Moved(record, parked.from_bot, parked.why, state.bot_id, state.position_ms, time.monotonic() - started)
        self._remember_board(moved)
        log.info("session in %s moved from bot %s to bot %s at %d ms after %.2f s", record.channel_id, parked.from_bot,
                 state.bot_id, state.position_ms, moved.took_s)
        await self._tell(moved)
        return moved

    def _remember_board(self, moved: Moved) -> None:
        """Keep the gone bot's now-playing message of a session that now plays on another bot."""
        record = moved.record
        if record.nowplaying_message_id and record.text_channel_id and moved.to_bot and moved.to_bot != moved.from_bot:
            board = MovedBoard(record.text_channel_id, record.nowplaying_message_id, record.channel_id, moved.to_bot)
            self._moved_boards.setdefault(moved.from_bot, {})[record.channel_id] = board

    def take_moved_boards(self, bot_id: int) -> list[MovedBoard]:
        """The now-playing messages ``bot_id`` left behind for sessions that moved (handed over once)."""
        return list(self._moved_boards.pop(bot_id, {}).values())

    async def _tell(self, moved: Moved) -> None:
        if self._on_moved is not None:
            try:
                await self._on_moved(moved)
            except Exception:  # a notice that cannot be posted must not undo the move
                log.exception("telling users that %s moved", moved.record.channel_id)

    def bot_up(self) -> None:
        """A bot just became able to take sessions: restore the parked ones now."""
        self._bot_up.set()

    async def _retry_parked(self) -> None:
        while True:
            await wait_set(self._bot_up, self._retry_s)
            self._bot_up.clear()
            for route in self.koe.routes():
                if isinstance(route.session, ParkedSession) and route.channel_id not in self._attempting:
                    await self._try_restore(route.session, time.monotonic())

    # -- a bot is stopping ------------------------------------------------------------------------------
    def bot_draining(self, sessions: list[Session], records: dict[int, SessionRecord], from_bot: int) -> None:
        """Move ``sessions`` off a bot that is stopping; each stands down there once it plays elsewhere."""
        started = time.monotonic()
        for session in sessions:
            record = records.get(session.channel_id)
            if record is not None:
                self._spawn(self._hand_over(session, record, from_bot, started), f"handover-{session.channel_id}")

    async def _hand_over(self, session: Session, record: SessionRecord, from_bot: int, started: float) -> None:
        try:
            restored = await self.koe.restore(record, replacing=session)
            state = await restored.get_state()
        except KoeError as exc:
            log.info("no bot can take %s over from the stopping bot: %s", record.channel_id, exc)
            return  # it keeps playing where it is until that bot's deadline
        metrics.count_failover("is restarting")
        try:
            await session.disconnect(Ending(CloseReason.MOVED))
        except KoeError as exc:
            log.debug("standing down %s: %s", record.channel_id, exc)
        moved = Moved(record, from_bot, "is restarting", state.bot_id, state.position_ms, time.monotonic() - started)
        await self._tell(moved)

