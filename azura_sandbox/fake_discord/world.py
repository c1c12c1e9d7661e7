"""The fake Discord's world: its bots and their tokens, guilds and who is in them, messages, commands.

Nothing here does I/O. The server mutates a :class:`World` and turns its objects into the payloads real
discord.py parses (``*_json`` helpers). By default every bot is in every guild with every permission (a
managed role without Administrator, so channel overwrites still apply); the driver changes that.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from .objects import (
    CHANNEL_TEXT,
    CHANNEL_VOICE,
    DISCORD_EPOCH_MS,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMMAND,
    INTERACTION_COMPONENT,
    INTERACTION_PING,
    JSON,
    ApplicationCommand,
    Bot,
    Channel,
    Guild,
    InteractionRecord,
    Member,
    Message,
    Role,
    User,
    VoiceServer,
    VoiceState,
    iso_now,
    new_snowflake,
)
from .permissions import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    BOT_DEFAULT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    channel_permissions,
)
from .tokens import issue_token, token_user_id, verify_token

__all__ = [
    "CHANNEL_TEXT",
    "CHANNEL_VOICE",
    "DISCORD_EPOCH_MS",
    "FLAG_EPHEMERAL",
    "FLAG_LOADING",
    "INTERACTION_AUTOCOMPLETE",
    "INTERACTION_COMMAND",
    "INTERACTION_COMPONENT",
    "INTERACTION_PING",
    "JSON",
    "ApplicationCommand",
    "Bot",
    "Channel",
    "Guild",
    "InteractionRecord",
    "Member",
    "Message",
    "Role",
    "User",
    "VoiceServer",
    "VoiceState",
    "World",
    "iso_now",
    "new_snowflake",
]


@dataclass
class World:
    """All state of the fake Discord."""

    users: dict[int, User] = field(default_factory=dict)
    bots: dict[str, Bot] = field(default_factory=dict)  # name -> bot
    guilds: dict[int, Guild] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    commands: dict[int, ApplicationCommand] = field(default_factory=dict)
    interactions: dict[int, InteractionRecord] = field(default_factory=dict)
    voice_servers: dict[tuple[int, int], VoiceServer] = field(default_factory=dict)  # (guild, bot user) -> server
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))  # signs the tokens this world issues

    # ---- bots and tokens ----------------------------------------------------------------------------

    def create_bot(self, name: str) -> Bot:
        """Declare a bot account (idempotent by name); it joins every guild with every permission."""
        bot = self.bots.get(name)
        if bot is not None:
            return bot
        user_id = new_snowflake()
        bot = Bot(name=name, user_id=user_id, token=issue_token(self.secret, user_id))
        self.bots[name] = bot
        self.users[user_id] = User(id=user_id, username=name, bot=True)
        for guild in self.guilds.values():
            self.join_guild(guild, bot)
        return bot

    def bot_by_token(self, token: str) -> Bot | None:
        """The bot whose current token this is; ``None`` for an unknown, malformed, forged or reset token."""
        user_id = token_user_id(token)
        bot = self.bot_by_user(user_id) if user_id is not None else None
        if bot is None or verify_token(self.secret, token, bot.generation) != bot.user_id:
            return None
        return bot

    def reset_token(self, bot: Bot) -> str:
        bot.generation += 1
        bot.token = issue_token(self.secret, bot.user_id, bot.generation)
        return bot.token

    def bot_by_user(self, user_id: int) -> Bot | None:
        return next((b for b in self.bots.values() if b.user_id == user_id), None)

    def bot_by_application(self, application_id: int) -> Bot | None:
        return next((b for b in self.bots.values() if b.application_id == application_id), None)

    # ---- lookup -------------------------------------------------------------------------------------

    def channel(self, channel_id: int) -> Channel | None:
        for guild in self.guilds.values():
            ch = guild.channels.get(channel_id)
            if ch is not None:
                return ch
        return None

    def interaction_by_token(self, token: str) -> InteractionRecord | None:
        for rec in self.interactions.values():
            if rec.token == token:
                return rec
        return None

    def is_member(self, guild_id: int, user_id: int) -> bool:
        guild = self.guilds.get(guild_id)
        return guild is not None and user_id in guild.members

    # ---- mutation -----------------------------------------------------------------------------------

    def add_guild(self, name: str, owner_id: int | None = None, guild_id: int | None = None) -> Guild:
        gid = guild_id if guild_id is not None else new_snowflake()
        if owner_id is None:
            owner = self.add_user(f"{name}-owner")
            owner_id = owner.id
        guild = Guild(id=gid, name=name, owner_id=owner_id)
        guild.roles[gid] = Role(id=gid, guild_id=gid, name="@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS)
        guild.members[owner_id] = Member(user_id=owner_id, guild_id=gid)
        self.guilds[gid] = guild
        for bot in self.bots.values():
            self.join_guild(guild, bot)
        return guild

    def join_guild(self, guild: Guild, bot: Bot) -> Member:
        """A bot joins: its member and its managed role, as when invited with every permission."""
        member = guild.members.get(bot.user_id)
        if member is not None:
            return member
        role = Role(
            id=new_snowflake(),
            guild_id=guild.id,
            name=bot.name,
            permissions=BOT_DEFAULT_PERMISSIONS,
            position=len(guild.roles),
            bot_id=bot.user_id,
        )
        guild.roles[role.id] = role
        member = Member(user_id=bot.user_id, guild_id=guild.id, roles=[role.id])
        guild.members[bot.user_id] = member
        return member

    def leave_guild(self, guild: Guild, user_id: int) -> None:
        """A member leaves (a bot: its managed role goes too)."""
        guild.members.pop(user_id, None)
        guild.voice_states.pop(user_id, None)
        role = guild.bot_role(user_id)
        if role is not None:
            del guild.roles[role.id]

    def add_user(self, name: str, bot: bool = False) -> User:
        user = User(id=new_snowflake(), username=name, bot=bot)
        self.users[user.id] = user
        return user

    def add_channel(self, guild_id: int, name: str, type_: int) -> Channel:
        guild = self.guilds[guild_id]
        ch = Channel(id=new_snowflake(), guild_id=guild_id, name=name, type=type_, position=len(guild.channels))
        guild.channels[ch.id] = ch
        return ch

    # ---- permissions --------------------------------------------------------------------------------

    def permissions(self, guild: Guild, user_id: int) -> int:
        """Guild-wide permissions (@everyone + roles; the owner and Administrator: all; 0 for a non-member)."""
        if user_id not in guild.members:
            return 0
        base = self._base_permissions(guild, user_id)
        return ALL_PERMISSIONS if user_id == guild.owner_id or base & ADMINISTRATOR else base

    def channel_permissions(self, channel: Channel, user_id: int) -> int:
        """What *user_id* may do in *channel* (0 when not a member of its guild)."""
        guild = self.guilds[channel.guild_id]
        member = guild.members.get(user_id)
        if member is None:
            return 0
        return channel_permissions(
            base=self._base_permissions(guild, user_id),
            is_owner=user_id == guild.owner_id,
            everyone_role_id=guild.id,
            member_id=user_id,
            member_role_ids=member.roles,
            overwrites=channel.overwrites,
        )

    def _base_permissions(self, guild: Guild, user_id: int) -> int:
        member = guild.members.get(user_id)
        perms = guild.roles[guild.id].permissions
        for rid in member.roles if member else []:
            role = guild.roles.get(rid)
            if role is not None:
                perms |= role.permissions
        return perms

    # ---- JSON ---------------------------------------------------------------------------------------

    def member_json(self, guild: Guild, user_id: int, with_permissions: bool = False) -> JSON | None:
        member = guild.members.get(user_id)
        user = self.users.get(user_id)
        if member is None or user is None:
            return None
        return member.to_json(user, self.permissions(guild, user_id) if with_permissions else None)

    def voice_state_json(self, vs: VoiceState) -> JSON:
        guild = self.guilds.get(vs.guild_id)
        member = self.member_json(guild, vs.user_id) if guild else None
        return vs.to_json(member)

    def guild_json(self, guild: Guild, full: bool = True) -> JSON:
        data: JSON = {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "home_header": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "widget_channel_id": None,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw": False,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "preferred_locale": guild.preferred_locale,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [r.to_json() for r in guild.roles.values()],
            "application_id": None,
            "vanity_url_code": None,
            "max_presences": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "incidents_data": None,
            "approximate_member_count": len(guild.members),
            "approximate_presence_count": 0,
        }
        if full:
            data.update(
                joined_at=guild.joined_at,
                large=False,
                unavailable=False,
                member_count=len(guild.members),
                channels=[c.to_json() for c in guild.channels.values()],
                members=[m for uid in guild.members if (m := self.member_json(guild, uid)) is not None],
                voice_states=[vs.to_json() for vs in guild.voice_states.values() if vs.channel_id],
                presences=[],
                threads=[],
                stage_instances=[],
                guild_scheduled_events=[],
                soundboard_sounds=[],
            )
        return data

    def message_json(self, msg: Message) -> JSON:
        author = self.users.get(msg.author_id) or User(id=msg.author_id, username="unknown")
        data = msg.to_json(author)
        if msg.interaction_id is not None:
            rec = self.interactions.get(msg.interaction_id)
            if rec is not None:
                user = self.users.get(rec.user_id)
                metadata: JSON = {
                    "id": str(rec.id),
                    "type": rec.type,
                    "authorizing_integration_owners": {"0": str(rec.guild_id)},
                }
                if user is not None:
                    metadata["user"] = user.to_json()
                if rec.source_message_id is not None:
                    metadata["interacted_message_id"] = str(rec.source_message_id)
                data["interaction_metadata"] = metadata
        return data

    def channel_messages(self, channel_id: int, include_ephemeral: bool = False) -> list[Message]:
        return [
            m for m in self.messages.values() if m.channel_id == channel_id and (include_ephemeral or not m.ephemeral)
        ]
