"""The human (and admin) side of the fake Discord: build the world, declare bots, change what they may do,
move voice around, throttle channels, and read what happened.

Mixed into :class:`~azura_sandbox.fake_discord.server.FakeDiscord`; slash commands and clicks are in
``invoking.py``, the HTTP control API (``/_sandbox/``) in ``control.py``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable
from typing import Any

from .core import VOICE_ENDPOINT, FakeDiscordCore, Ref, SandboxError, rid
from .invoking import InteractionResult, SentMessage
from .objects import (
    CHANNEL_TEXT,
    CHANNEL_VOICE,
    ApplicationCommand,
    Bot,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    User,
    VoiceServer,
    VoiceState,
    new_snowflake,
)
from .permissions import NAMES, OVERWRITE_MEMBER, OVERWRITE_ROLE, Overwrite, parse_permissions
from .ratelimit import Limit

__all__ = ["Driver", "InteractionResult", "Ref", "SandboxError", "SentMessage", "rid"]

log = logging.getLogger(__name__)

EDIT_ROUTE = ("PATCH", "/channels/{channel_id}/messages/{message_id}")
_endpoints = itertools.count(2)


class Driver(FakeDiscordCore):
    """Driver API mixed into ``FakeDiscord``; everything here is safe to call from tests."""

    # ---- bots and tokens ----------------------------------------------------------------------------

    def create_bot(self, name: str) -> str:
        """Declare a bot (idempotent by name) and return its token: in every guild, with every permission."""
        return self.world.create_bot(name).token

    def bot(self, name: str) -> Bot:
        """A declared bot by name (or user id)."""
        return self._bot_of(name)

    def reset_bot_token(self, bot: Ref | Bot) -> str:
        """A new token for the bot; the old one is refused from now on (401 / gateway 4004)."""
        return self.world.reset_token(self._bot_of(bot))

    async def remove_bot_from_guild(self, bot: Ref | Bot, guild: Ref) -> None:
        """Kick a bot from a guild: it gets GUILD_DELETE, the others GUILD_MEMBER_REMOVE."""
        b, g = self._bot_of(bot), self._guild_of(guild)
        if b.user_id not in g.members:
            return
        if b.user_id in g.voice_states:
            await self.set_voice_state(g.id, b.user_id, None)
        role = g.bot_role(b.user_id)
        user = self.world.users[b.user_id].to_json()
        self.world.leave_guild(g, b.user_id)
        for session in self.live_sessions_for(b.application_id, g.id):
            await session.dispatch("GUILD_DELETE", {"id": str(g.id)})
        await self.dispatch_guild(g.id, "GUILD_MEMBER_REMOVE", {"guild_id": str(g.id), "user": user})
        if role is not None:
            await self.dispatch_guild(g.id, "GUILD_ROLE_DELETE", {"guild_id": str(g.id), "role_id": str(role.id)})

    async def add_bot_to_guild(self, bot: Ref | Bot, guild: Ref) -> None:
        """Invite a bot (with every permission): it gets GUILD_CREATE, the others GUILD_MEMBER_ADD."""
        b, g = self._bot_of(bot), self._guild_of(guild)
        if b.user_id in g.members:
            return
        self.world.join_guild(g, b)
        for session in self.live_sessions_for(b.application_id, g.id):
            await session.dispatch("GUILD_CREATE", self._joined_guild_json(g))
        role = g.bot_role(b.user_id)
        if role is not None:
            await self.dispatch_guild(g.id, "GUILD_ROLE_CREATE", {"guild_id": str(g.id), "role": role.to_json()})
        await self._member_update(g, b.user_id, "GUILD_MEMBER_ADD")

    # ---- permissions --------------------------------------------------------------------------------

    async def set_bot_permissions(self, bot: Ref | Bot, guild: Ref, permissions: list[str] | int) -> None:
        """What the bot may do in the whole guild (its managed role): names like ``"send_messages"`` or bits."""
        b, g = self._bot_of(bot), self._guild_of(guild)
        role = g.bot_role(b.user_id)
        if role is None:
            raise SandboxError(f"bot {b.name} is not in guild {g.id}")
        role.permissions = permissions if isinstance(permissions, int) else parse_permissions(permissions)
        await self.dispatch_guild(g.id, "GUILD_ROLE_UPDATE", {"guild_id": str(g.id), "role": role.to_json()})

    async def deny_in_channel(self, target: Ref | Bot, channel: Ref, permissions: list[str] | str) -> None:
        """A channel overwrite denying *permissions* (``"send_messages"``, ``["connect", "speak"]``…) to a
        member (a bot, a user) or a role; Discord tells every bot in the guild with CHANNEL_UPDATE."""
        await self._overwrite(target, channel, deny=self._bits(permissions))

    async def allow_in_channel(self, target: Ref | Bot, channel: Ref, permissions: list[str] | str) -> None:
        """Lift denials made with :meth:`deny_in_channel` (or allow explicitly)."""
        await self._overwrite(target, channel, allow=self._bits(permissions))

    def channel_permissions(self, user: Ref | Bot, channel: Ref) -> list[str]:
        """The named permissions *user* (or bot) has in *channel*, as Discord computes them."""
        perms = self.world.channel_permissions(self._channel_of(channel), self._member_id(user))
        return sorted(name for name, bit in NAMES.items() if perms & bit == bit)

    @staticmethod
    def _bits(names: list[str] | str) -> int:
        try:
            return parse_permissions([names] if isinstance(names, str) else names)
        except ValueError as exc:
            raise SandboxError(str(exc)) from None

    async def _overwrite(self, target: Ref | Bot, channel: Ref, *, allow: int = 0, deny: int = 0) -> None:
        ch = self._channel_of(channel)
        guild = self.world.guilds[ch.guild_id]
        target_id = self._member_id(target)
        kind = OVERWRITE_ROLE if target_id in guild.roles else OVERWRITE_MEMBER
        if kind == OVERWRITE_MEMBER and target_id not in guild.members:
            raise SandboxError(f"{target_id} is neither a role nor a member of guild {guild.id}")
        ow = next((o for o in ch.overwrites if o.id == target_id and o.type == kind), None)
        if ow is None:
            ow = Overwrite(target_id, kind)
            ch.overwrites.append(ow)
        ow.allow = (ow.allow | allow) & ~deny
        ow.deny = (ow.deny | deny) & ~allow
        if not ow.allow and not ow.deny:
            ch.overwrites.remove(ow)
        await self.dispatch_guild(guild.id, "CHANNEL_UPDATE", ch.to_json())

    # ---- rate limits --------------------------------------------------------------------------------

    def throttle_message_edits(
        self, channel: Ref, *, limit: int = 1, window_s: float = 30.0, bot: Ref | Bot | None = None
    ) -> None:
        """Message edits in *channel* (by *bot*, or any bot) get *limit* per *window_s*, starting exhausted:
        the next edit is answered 429 (Scope ``shared``), as when another client of the bot used the bucket."""
        ch = self._channel_of(channel)
        bot_id = self._bot_of(bot).user_id if bot is not None else None
        self.limiter.throttle(*EDIT_ROUTE, str(ch.id), Limit(limit, window_s), bot_id=bot_id)

    def unthrottle_message_edits(self, channel: Ref) -> None:
        self.limiter.unthrottle(*EDIT_ROUTE, str(self._channel_of(channel).id))

    def set_global_rate_limit(self, per_second: int) -> None:
        """Requests per second per bot before Discord answers 429 with ``global: true`` (default 50)."""
        self.limiter.global_per_s = per_second

    # ---- sharding -----------------------------------------------------------------------------------

    def set_recommended_shards(self, bot: Ref | Bot, shards: int | None) -> None:
        """The shard count ``/gateway/bot`` tells *bot* to use (``None``: by its guild count, as Discord does)."""
        if shards is not None and (not isinstance(shards, int) or shards < 1):
            raise SandboxError(f"a shard count is a positive number, not {shards!r}")
        self._bot_of(bot).shards = shards

    def set_shard_limits(
        self,
        *,
        max_concurrency: int | None = None,
        identify_interval_s: float | None = None,
        max_guilds_per_shard: int | None = None,
        guilds_per_shard: int | None = None,
    ) -> None:
        """Discord's sharding numbers (``ShardPolicy``): identify buckets and their interval (5 s on Discord),
        guilds one session may hold before IDENTIFY needs shards (2,500), guilds per recommended shard (1,000)."""
        policy = self.shard_policy
        for name, value in (("max_concurrency", max_concurrency), ("max_guilds_per_shard", max_guilds_per_shard),
                            ("guilds_per_shard", guilds_per_shard)):
            if value is not None:
                if not isinstance(value, int) or value < 1:
                    raise SandboxError(f"{name} must be a positive number, not {value!r}")
                setattr(policy, name, value)
        if identify_interval_s is not None:
            if identify_interval_s < 0:
                raise SandboxError("identify_interval_s cannot be negative")
            policy.identify_interval_s = float(identify_interval_s)

    def connected_shards(self, bot: Ref | Bot) -> list[list[int]]:
        """The ``[id, count]`` of every connected session of *bot* (``[0, 1]`` for an unsharded one), sorted."""
        b = self._bot_of(bot)
        return sorted(list(s.shard or (0, 1)) for s in self.live_sessions() if s.bot is b)

    # ---- world building -----------------------------------------------------------------------------

    async def create_guild(self, name: str = "guild", owner: Ref | None = None, guild_id: Ref | None = None) -> Guild:
        """A guild every bot is in; *guild_id* chooses its id (which shard it lands on, see ``sharding``)."""
        if guild_id is not None and rid(guild_id) in self.world.guilds:
            raise SandboxError(f"guild {rid(guild_id)} exists already")
        guild = self.world.add_guild(name, rid(owner) if owner is not None else None,
                                     rid(guild_id) if guild_id is not None else None)
        for session in self._current_sessions():
            if session.bot.user_id in guild.members and session.owns(guild.id):
                await session.dispatch("GUILD_CREATE", self._joined_guild_json(guild))
        return guild

    def _joined_guild_json(self, guild: Guild) -> dict[str, Any]:
        """GUILD_CREATE for a guild the bot just joined: without ``unavailable`` (with ``false`` it is the
        lazy load after READY, and discord.py would report the guild available instead of joined)."""
        data = self.world.guild_json(guild)
        del data["unavailable"]
        return data

    async def create_text_channel(self, guild: Ref, name: str = "general") -> Channel:
        return await self._create_channel(guild, name, CHANNEL_TEXT)

    async def create_voice_channel(self, guild: Ref, name: str = "voice") -> Channel:
        return await self._create_channel(guild, name, CHANNEL_VOICE)

    async def _create_channel(self, guild: Ref, name: str, type_: int) -> Channel:
        g = self._guild_of(guild)
        ch = self.world.add_channel(g.id, name, type_)
        await self.dispatch_guild(g.id, "CHANNEL_CREATE", ch.to_json())
        return ch

    async def create_user(self, name: str = "user", guilds: list[Ref] | None = None) -> User:
        """A human user, member of *guilds* (default: every guild)."""
        user = self.world.add_user(name)
        targets = [self._guild_of(g) for g in guilds] if guilds is not None else list(self.world.guilds.values())
        for g in targets:
            await self.add_member(g, user)
        return user

    async def add_member(self, guild: Ref, user: Ref) -> None:
        g = self._guild_of(guild)
        u = self._user_of(user)
        if u.id in g.members:
            return
        g.members[u.id] = Member(user_id=u.id, guild_id=g.id)
        await self._member_update(g, u.id, "GUILD_MEMBER_ADD")

    async def create_role(self, guild: Ref, name: str, permissions: int = 0, color: int = 0) -> Role:
        g = self._guild_of(guild)
        role = Role(
            id=new_snowflake(), guild_id=g.id, name=name, permissions=permissions, color=color, position=len(g.roles)
        )
        g.roles[role.id] = role
        await self.dispatch_guild(g.id, "GUILD_ROLE_CREATE", {"guild_id": str(g.id), "role": role.to_json()})
        return role

    async def give_role(self, guild: Ref, user: Ref, role: Ref) -> None:
        g = self._guild_of(guild)
        member = g.members.get(rid(user))
        if member is None:
            raise SandboxError(f"user {rid(user)} is not a member of guild {g.id}")
        if rid(role) not in g.roles:
            raise SandboxError(f"unknown role {rid(role)}")
        if rid(role) not in member.roles:
            member.roles.append(rid(role))
        await self._member_update(g, member.user_id)

    async def take_role(self, guild: Ref, user: Ref, role: Ref) -> None:
        g = self._guild_of(guild)
        member = g.members.get(rid(user))
        if member is not None and rid(role) in member.roles:
            member.roles.remove(rid(role))
            await self._member_update(g, member.user_id)

    async def _member_update(self, guild: Guild, user_id: int, event: str = "GUILD_MEMBER_UPDATE") -> None:
        member = self.world.member_json(guild, user_id)
        if member is not None:
            await self.dispatch_guild(guild.id, event, member | {"guild_id": str(guild.id)})

    async def delete_channel(self, channel: Ref) -> None:
        ch = self._channel_of(channel)
        guild = self.world.guilds[ch.guild_id]
        for vs in list(guild.voice_states.values()):
            if vs.channel_id == ch.id:
                await self.set_voice_state(guild.id, vs.user_id, None, self_mute=vs.self_mute)
        del guild.channels[ch.id]
        for mid in [m.id for m in self.world.messages.values() if m.channel_id == ch.id]:
            del self.world.messages[mid]
        await self.dispatch_guild(guild.id, "CHANNEL_DELETE", ch.to_json())

    # ---- voice --------------------------------------------------------------------------------------

    async def user_join_voice(self, user: Ref, channel: Ref) -> VoiceState:
        ch = self._channel_of(channel)
        if not ch.is_voice:
            raise SandboxError(f"channel {ch.id} is not a voice channel")
        u = self._user_of(user)
        if u.id not in self.world.guilds[ch.guild_id].members:
            raise SandboxError(f"user {u.id} is not a member of guild {ch.guild_id}")
        return await self.set_voice_state(ch.guild_id, u.id, ch.id)

    async def user_leave_voice(self, user: Ref | Bot, guild: Ref | None = None) -> None:
        uid = self._member_id(user)
        guilds = [self._guild_of(guild)] if guild is not None else list(self.world.guilds.values())
        for g in guilds:
            if uid in g.voice_states:
                await self.set_voice_state(g.id, uid, None)

    async def kick_from_voice(self, user: Ref | Bot, guild: Ref | None = None) -> None:
        """Disconnect anyone (bots included) from voice, as a moderator would."""
        await self.user_leave_voice(user, guild)

    async def move_voice(self, user: Ref | Bot, channel: Ref) -> VoiceState:
        """Move someone already in voice to *channel*, as an admin dragging them would; a bot also gets a
        VOICE_SERVER_UPDATE (Discord then closes its old voice connection with 4014)."""
        ch = self._channel_of(channel)
        uid = self._member_id(user)
        current = self.world.guilds[ch.guild_id].voice_states.get(uid)
        if current is None or current.channel_id is None:
            raise SandboxError(f"{uid} is not in a voice channel of guild {ch.guild_id}")
        if not ch.is_voice:
            raise SandboxError(f"channel {ch.id} is not a voice channel")
        state = await self.set_voice_state(ch.guild_id, uid, ch.id, self_mute=current.self_mute,
                                           self_deaf=current.self_deaf)
        server = self.world.voice_servers.get((ch.guild_id, uid))
        if self.world.bot_by_user(uid) is not None:
            await self.send_voice_server(ch.guild_id, uid, server.endpoint if server else VOICE_ENDPOINT)
        return state

    async def move_voice_server(self, guild: Ref, bot: Ref | Bot, endpoint: str | None = None) -> VoiceServer:
        """The guild's voice server changed (failover): a new VOICE_SERVER_UPDATE to a bot in voice there."""
        g, b = self._guild_of(guild), self._bot_of(bot)
        if g.voice_states.get(b.user_id) is None:
            raise SandboxError(f"bot {b.name} is not in voice in guild {g.id}")
        endpoint = endpoint or f"voice-{next(_endpoints)}.fake-discord.local:443"
        server = await self.send_voice_server(g.id, b.user_id, endpoint)
        if server is None:
            raise SandboxError(f"bot {b.name} has no connected gateway session")
        return server

    async def drop_gateway(self, bot: Ref | Bot) -> int:
        """Cut the bot's gateway connections as a network failure would (close code 1006, no clean goodbye):
        its sessions stay resumable and it stays in voice until ``session_timeout_s``. How many were cut."""
        b = self._bot_of(bot)
        cut = 0
        for session in [s for s in self.live_sessions() if s.bot is b]:
            if session.ws is not None:
                await session.ws.close(code=1006)
                cut += 1
        return cut

    def set_session_timeout(self, seconds: float) -> None:
        """How long a dropped gateway session stays resumable (and its bot in voice) before it ends."""
        if seconds <= 0:
            raise SandboxError("the session timeout must be positive")
        self.session_timeout_s = float(seconds)

    def voice_server(self, guild: Ref, bot: Ref | Bot) -> VoiceServer | None:
        """What the last VOICE_SERVER_UPDATE told the bot (what Lavalink should have been given)."""
        return self.world.voice_servers.get((rid(guild), self._bot_of(bot).user_id))

    def voice_state(self, guild: Ref, user: Ref | Bot) -> VoiceState | None:
        g = self.world.guilds.get(rid(guild))
        return g.voice_states.get(self._member_id(user)) if g else None

    def voice_members(self, channel: Ref) -> list[int]:
        ch = self._channel_of(channel)
        return [vs.user_id for vs in self.world.guilds[ch.guild_id].voice_states.values() if vs.channel_id == ch.id]

    # ---- reading ------------------------------------------------------------------------------------

    def messages(self, channel: Ref, include_ephemeral: bool = False) -> list[Message]:
        return sorted(self.world.channel_messages(rid(channel), include_ephemeral), key=lambda m: m.id)

    def message(self, message_id: Ref) -> Message | None:
        return self.world.messages.get(rid(message_id))

    def bot_user_ids(self) -> list[int]:
        return [b.user_id for b in self.world.bots.values()]

    def connected_bots(self) -> list[int]:
        return sorted({s.bot.user_id for s in self.live_sessions()})

    def commands(self, application_id: Ref | None = None, guild: Ref | None = None) -> list[ApplicationCommand]:
        return [
            c
            for c in self.world.commands.values()
            if (application_id is None or c.application_id == rid(application_id))
            and (guild is None or c.guild_id in (None, rid(guild)))
        ]

    async def wait_for(self, predicate: Callable[[], Any], timeout_s: float = 5.0, what: str = "condition") -> Any:
        """Poll *predicate* until it is truthy (returns its value) or raise TimeoutError."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout_s}s waiting for {what}")
            await asyncio.sleep(0.02)

    async def wait_for_bots(self, count: int, timeout_s: float = 10.0) -> list[int]:
        return await self.wait_for(  # type: ignore[no-any-return]
            lambda: (ids := self.connected_bots()) and len(ids) >= count and ids, timeout_s, f"{count} bots"
        )
