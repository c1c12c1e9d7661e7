"""A real Azura cluster (parent + two children) against the sandbox fakes, for the end-to-end tests.

One ``Cluster`` serves a whole test module. Every test takes fresh voice channels from ``room()`` and the
``cleanup()`` at its end makes the bots leave them and the users go home, so tests don't depend on each other.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from azura_sandbox.fake_discord.driver import InteractionResult
from azura_sandbox.fake_discord.world import Channel, Message, User
from azura_sandbox.testing import ChildProcess, ParentProcess, Sandbox

__all__ = ["Cluster", "start_cluster"]

USERS = ("alice", "bob", "carol", "dave")
NOT_IN_VOICE = "⚠️ You're not in a voice channel. Join one first."


class Cluster:
    def __init__(self, sb: Sandbox, kids: list[ChildProcess], parent: ParentProcess) -> None:
        self.sb, self.kids, self.parent = sb, kids, parent
        self.d = sb.discord
        self.rooms: list[Channel] = []
        self.parent_bot_id = self.bot_id("parent-token")
        self.kid_bot_ids = {self.bot_id("kid-1"), self.bot_id("kid-2")}

    def bot_id(self, token: str) -> int:
        return self.d.world.bots[token].user_id

    @property
    def owner(self) -> User:
        return self.d.world.users[self.sb.guild.owner_id]

    def user(self, name: str) -> User:
        return self.owner if name == "owner" else self.sb.users[name]

    # -- acting --------------------------------------------------------------------------------------
    async def room(self, name: str = "room") -> Channel:
        """A fresh voice channel (cleaned up after the test)."""
        channel = await self.d.create_voice_channel(self.sb.guild, f"{name}-{len(self.rooms) + 1}")
        self.rooms.append(channel)
        return channel

    async def join(self, who: str | User, channel: Channel) -> None:
        user = self.user(who) if isinstance(who, str) else who
        await self.d.user_join_voice(user, channel)

    async def leave_voice(self, who: str | User) -> None:
        user = self.user(who) if isinstance(who, str) else who
        await self.d.user_leave_voice(user, self.sb.guild)

    async def run(
        self, who: str | User, command: str, options: dict[str, Any] | None = None, sub: str | None = None,
        timeout_s: float = 8.0,
    ) -> InteractionResult:
        user = self.user(who) if isinstance(who, str) else who
        return await self.d.invoke(user, self.sb.guild, self.sb.text, command, options or {}, subcommand=sub,
                                   timeout_s=timeout_s)

    async def ok(self, who: str | User, command: str, options: dict[str, Any] | None = None,
                 sub: str | None = None) -> str:
        """Run a command that must succeed publicly; its text."""
        r = await self.run(who, command, options, sub)
        assert not r.private, f"/{command} {sub or ''} {options}: {r.text}"
        assert not r.text.startswith("⚠️"), r.text
        return r.text

    async def fails(self, who: str | User, command: str, options: dict[str, Any] | None = None,
                    sub: str | None = None) -> str:
        """Run a command that must fail: the error text without the ⚠️ prefix; it must be ephemeral."""
        r = await self.run(who, command, options, sub)
        assert r.private, f"expected an ephemeral error for /{command} {options}, got {r.text!r}"
        assert r.text.startswith("⚠️ "), r.text
        return r.text.removeprefix("⚠️ ")

    async def queue(self, who: str | User, page: int | None = None) -> str:
        return await self.ok(who, "queue", {} if page is None else {"page": page})

    async def titles(self, who: str | User) -> list[str]:
        """Every title in the queue, in order (all pages), plus the current position marker as '▶'."""
        out: list[str] = []
        page = 1
        while True:
            text = await self.queue(who, page)
            out += queue_titles(text)
            m = re.search(r"page (\d+)/(\d+)", text)
            assert m, text
            if int(m.group(1)) >= int(m.group(2)):
                return out
            page += 1

    async def nowplaying(self, who: str | User) -> InteractionResult:
        return await self.run(who, "nowplaying")

    # -- reading -------------------------------------------------------------------------------------
    def np_message(self, author_id: int, channel: Channel) -> Message | None:
        """The latest now-playing message about *channel* written by *author_id*."""
        found = [m for m in self.d.messages(self.sb.text)
                 if m.author_id == author_id and m.content.startswith(f"🎶 **Now playing in <#{channel.id}>**")]
        return found[-1] if found else None

    async def wait_np(self, author_id: int, channel: Channel, contains: str = "", timeout_s: float = 6.0) -> Message:
        def check() -> Message | None:
            m = self.np_message(author_id, channel)
            return m if m is not None and contains in m.content else None

        return await self.d.wait_for(check, timeout_s, f"now-playing message with {contains!r}")

    def bot_in(self, channel: Channel) -> int | None:
        """The bot user connected to *channel*, if any."""
        bots = set(self.d.world.bots[t].user_id for t in self.d.world.bots)
        for uid in self.d.voice_members(channel):
            if uid in bots:
                return uid
        return None

    async def wait_bot_in(self, channel: Channel, want: bool = True, timeout_s: float = 6.0) -> int | None:
        await self.d.wait_for(lambda: (self.bot_in(channel) is not None) == want, timeout_s,
                              f"a bot {'in' if want else 'out of'} {channel.name}")
        return self.bot_in(channel)

    # -- cleaning ------------------------------------------------------------------------------------
    async def cleanup(self) -> None:
        """Bots leave every room (the owner, always a DJ, says /leave), users go home, settings reset."""
        for channel in self.rooms:
            await self.join("owner", channel)
            r = await self.run("owner", "leave")
            assert r.text.startswith(("👋", "⚠️ Nothing is playing")), r.text
        for name in (*USERS, "owner"):
            await self.leave_voice(name)
        for channel in self.rooms:
            await self.wait_bot_in(channel, want=False)
        self.rooms.clear()

    async def stop(self) -> None:
        await self.sb.stop()


def queue_titles(text: str) -> list[str]:
    """Titles of a /queue page; the current one is prefixed with '▶ '."""
    out = []
    for line in text.splitlines()[1:]:
        m = re.match(r"`([▶✓ ])\s*\d+\.` \[(.+?)\]\(", line)
        if m:
            out.append(("▶ " if m.group(1) == "▶" else "") + m.group(2))
    return out


async def start_cluster(tmp: Path, *, idle_timeout_s: float = 300, speed: float = 50.0,
                        parent_env: Mapping[str, str] | None = None, lavalink_sources: Sequence[str] = ()) -> Cluster:
    """``parent_env``: more settings for the parent; ``lavalink_sources``: the fake Lavalink's sources instead of
    its default ones."""
    sb = await Sandbox.start(user_names=USERS, voice_channels=1, speed=speed)
    if lavalink_sources:
        sb.lavalink.sources = tuple(lavalink_sources)
    try:
        kids = list(await asyncio.gather(sb.spawn_child("kid-1"), sb.spawn_child("kid-2")))
        parent = await sb.spawn_parent("parent-token", kids, tmp / "db.sqlite3", idle_timeout_s=idle_timeout_s,
                                       env=parent_env)
    except BaseException:
        await sb.stop()
        raise
    return Cluster(sb, kids, parent)
