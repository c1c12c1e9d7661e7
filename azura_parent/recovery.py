"""The parent's part of "nothing lost": session records kept in the database, failover wired to the Links
and told to users, and sessions restored after the parent itself restarts.

- Records: about once a second every session's latest record is written (a child's as its Link pushed
  it, the parent's own and parked ones from the session itself); a record goes when its session ends.
- Failover (``azura_common.koe.failover``): a child that dies or goes silent has its sessions moved to
  another bot; users read one short notice in the session's text channel.
- Restart: the records left in the database are what was playing when the parent went down. Sessions a
  child still holds come back over its Link (``Hello``); every other one (the parent's own, or a child's
  that did not come back) is restored on a free bot, and the old Lavalink player it left is destroyed.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import logging
import time
from typing import TYPE_CHECKING

import discord

from azura_common.i18n import catalogue, text
from azura_common.koe.failover import Failover, Moved
from azura_common.koe.local import LocalSession
from azura_common.koe.parked import ParkedSession
from azura_common.koe.records import SessionRecord
from azura_common.koe.remote import RemoteSession
from azura_common.render import format_duration
from azura_common.supervised import Supervised

if TYPE_CHECKING:
    from .bot import ParentBot

__all__ = ["Recovery"]

log = logging.getLogger(__name__)

WRITE_EVERY_S = 1.0
CHECKPOINT_EVERY_MS = 3_000  # a playing session's position is rewritten at least this often
RECENT_FAILOVERS = 20  # kept for the dashboard's cluster page
RESTORE_WAIT_S = 10.0  # after a restart, how long children get to link up and reattach their sessions


class Recovery:
    def __init__(self, bot: ParentBot) -> None:
        self.bot = bot
        self.failover = Failover(bot.koe, on_moved=self._tell, destroy_player=self._destroy_player)
        for link in bot.children.links:
            link.failover = self.failover
        self._written: dict[int, SessionRecord] = {}  # what the database holds, by channel
        self._writer = Supervised("session-records", self._keep_records)
        self._restore_task: asyncio.Task[None] | None = None
        self.recent: collections.deque[tuple[float, Moved]] = collections.deque(maxlen=RECENT_FAILOVERS)  # the web

    def start(self) -> None:
        self.failover.start()
        self._restore_task = asyncio.create_task(self._restore_then_keep(), name="restore-sessions")

    async def close(self) -> None:
        """Write the last records and stop: the parent's own sessions come back when it starts again."""
        if self._restore_task is not None:
            self._restore_task.cancel()
            await asyncio.gather(self._restore_task, return_exceptions=True)
        if self._writer.running:
            await self._writer.close()
            await self._write()
        await self.failover.close()

    # -- records ------------------------------------------------------------------------------------------
    def _current(self) -> dict[int, SessionRecord | None]:
        """Every session's record now; None for a session whose record is not known yet (keep the old)."""
        found: dict[int, SessionRecord | None] = {}
        for route in self.bot.koe.routes():
            session = route.session
            if isinstance(session, RemoteSession):
                link = self.bot.children.link_of(session)
                found[route.channel_id] = link.records.get(route.channel_id) if link else None
            elif isinstance(session, ParkedSession | LocalSession):  # this process knows them whole
                found[route.channel_id] = session.record()
            else:
                found[route.channel_id] = None
        return found

    async def _write(self) -> None:
        current = self._current()
        changed = [r for r in current.values() if r is not None and self._needs_write(r)]
        gone = [c for c in self._written if c not in current]
        if changed:
            await self.bot.store.save_records(changed)
            self._written.update((r.channel_id, r) for r in changed)
        if gone:
            await self.bot.store.delete_records(gone)
            for channel_id in gone:
                del self._written[channel_id]

    def _needs_write(self, record: SessionRecord) -> bool:
        before = self._written.get(record.channel_id)
        if before is None:
            return True
        moving = not record.paused and record.current is not None
        if moving and record.checkpoint_ms - before.checkpoint_ms >= CHECKPOINT_EVERY_MS:
            return True
        return _settled(record) != _settled(before)

    async def _keep_records(self) -> None:
        while True:
            await asyncio.sleep(WRITE_EVERY_S)
            await self._write()

    # -- restart ------------------------------------------------------------------------------------------
    async def _restore_then_keep(self) -> None:
        records = await self.bot.store.session_records()
        self._written = {r.channel_id: r for r in records}
        if records:
            await self._restore(records)
        self._writer.start()

    async def _restore(self, records: list[SessionRecord]) -> None:
        await self.bot.ready_event.wait()
        if self.bot.children.links:
            await self.bot.children.wait_up(RESTORE_WAIT_S)  # a child's Hello reattaches what it holds
        # Not waiting for Lavalink: a restore that fails before it is up stays parked and is retried.
        own = self.bot.user.id if self.bot.user else 0
        for record in records:
            if self.bot.koe.get(record.channel_id) is not None:
                continue  # a child still plays it
            log.info("restoring the session in %s from its record (%d tracks)", record.channel_id, len(record.tracks))
            self.failover.resume(record, record.bot_id, "restarted" if record.bot_id == own else "dropped out")

    # -- what users read ----------------------------------------------------------------------------------
    async def _destroy_player(self, record: SessionRecord) -> None:
        await self.bot.lavalink.destroy_player(record.lavalink_session_id, record.guild_id)

    async def _tell(self, moved: Moved) -> None:
        self.recent.append((time.time(), moved))
        channel_id = moved.record.text_channel_id
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if not isinstance(channel, discord.abc.Messageable):
            return
        try:
            guild = getattr(channel, "guild", None)
            locale = str(guild.preferred_locale) if isinstance(guild, discord.Guild) else None
            await channel.send(moved_text(moved, locale), allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("could not post the failover notice in %s: %s", channel_id, exc)


def moved_text(moved: Moved, locale: str | None = None) -> str:
    """The one short notice a failover posts (in the language of ``locale``: the server's)."""
    who = f"<@{moved.from_bot}>" if moved.from_bot else text("failover.someone", locale)
    why_key = "failover." + moved.why.replace(" ", "_")  # the known ones ("dropped out"…) read translated
    why = text(why_key, locale) if why_key in catalogue() else moved.why
    if moved.to_bot is None:
        return text("failover.parked", locale, who=who, why=why)
    at = format_duration(moved.position_ms)
    if moved.to_bot == moved.from_bot:
        return text("failover.same_bot", locale, who=who, why=why, at=at)
    return text("failover.took_over", locale, who=who, why=why, bot=f"<@{moved.to_bot}>", at=at)


def _settled(record: SessionRecord) -> SessionRecord:
    """The record without what moves on its own while playing (position, clocks)."""
    return dataclasses.replace(record, position_ms=0, checkpoint_ms=0, updated_ms=0)
