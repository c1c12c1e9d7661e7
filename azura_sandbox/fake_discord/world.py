"""The fake Discord's world: plain dataclasses plus their Discord JSON shapes.

Nothing here does I/O. The server (``server.py``) mutates a :class:`World` and turns its objects into the
payloads real discord.py parses (``*_json`` helpers).
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

CHANNEL_TEXT = 0
CHANNEL_VOICE = 2

# Interaction types
INTERACTION_PING = 1
INTERACTION_COMMAND = 2
INTERACTION_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4

# Message flags
FLAG_EPHEMERAL = 64
FLAG_LOADING = 128

ALL_PERMISSIONS = (1 << 53) - 1
DEFAULT_EVERYONE_PERMISSIONS = 0x0000_0006_3384_0E41  # view, send, connect, speak, use slash…

JSON = dict[str, Any]

_counter = itertools.count(1)


def new_snowflake() -> int:
    """A fresh, increasing snowflake (timestamp + process-wide counter)."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_counter) & 0x3FFFFF)


def snowflake_for_token(token: str) -> int:
    """A stable 18-digit id derived from a bot token (bot user id == application id)."""
    digest = int.from_bytes(hashlib.sha256(token.encode()).digest()[:16], "big")
    return 10**17 + digest % (9 * 10**17)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def to_json(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
        }


@dataclass
class Bot:
    token: str
    user_id: int

    @property
    def application_id(self) -> int:
        return self.user_id


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False

    def to_json(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": self.mentionable,
            "flags": 0,
        }


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    type: int = CHANNEL_TEXT
    position: int = 0
    parent_id: int | None = None
    bitrate: int = 64000
    user_limit: int = 0
    topic: str | None = None

    @property
    def is_voice(self) -> bool:
        return self.type == CHANNEL_VOICE

    def to_json(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "permission_overwrites": [],
            "nsfw": False,
            "flags": 0,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }
        if self.is_voice:
            data.update(bitrate=self.bitrate, user_limit=self.user_limit, rtc_region=None, video_quality_mode=1)
        else:
            data.update(topic=self.topic, default_auto_archive_duration=1440)
        return data


@dataclass
class Member:
    user_id: int
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    def to_json(self, user: User, permissions: int | None = None) -> JSON:
        data: JSON = {
            "user": user.to_json(),
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class VoiceState:
    guild_id: int
    user_id: int
    channel_id: int | None
    session_id: str = field(default_factory=lambda: secrets.token_hex(16))
    self_mute: bool = False
    self_deaf: bool = False

    def to_json(self, member: JSON | None = None) -> JSON:
        data: JSON = {
            "guild_id": str(self.guild_id),
            "channel_id": str(self.channel_id) if self.channel_id else None,
            "user_id": str(self.user_id),
            "session_id": self.session_id,
            "deaf": False,
            "mute": False,
            "self_deaf": self.self_deaf,
            "self_mute": self.self_mute,
            "self_stream": False,
            "self_video": False,
            "suppress": False,
            "request_to_speak_timestamp": None,
        }
        if member is not None:
            data["member"] = member
        return data


@dataclass
class Message:
    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    application_id: int | None = None
    webhook_id: int | None = None
    interaction_id: int | None = None
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    def apply_edit(self, body: JSON) -> None:
        """Apply a PATCH body (only keys present are changed)."""
        if "content" in body:
            self.content = body["content"] or ""
        if "embeds" in body:
            self.embeds = list(body["embeds"] or [])
        elif "embed" in body:
            self.embeds = [body["embed"]] if body["embed"] else []
        if "components" in body:
            self.components = list(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            self.flags = (self.flags & FLAG_EPHEMERAL) | (int(body["flags"]) & ~FLAG_EPHEMERAL)
        self.flags &= ~FLAG_LOADING
        self.edited_timestamp = iso_now()

    def find_component(self, custom_id: str) -> JSON | None:
        def walk(items: list[JSON]) -> JSON | None:
            for item in items:
                if item.get("custom_id") == custom_id:
                    return item
                for key in ("components", "accessory"):
                    sub = item.get(key)
                    if isinstance(sub, dict):
                        sub = [sub]
                    if isinstance(sub, list):
                        found = walk(sub)
                        if found is not None:
                            return found
            return None

        return walk(self.components)

    def to_json(self, author: User) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": author.to_json(),
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "type": self.type,
            "flags": self.flags,
            "reactions": [],
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        return data


@dataclass
class ApplicationCommand:
    id: int
    application_id: int
    guild_id: int | None
    name: str
    description: str = ""
    type: int = 1
    options: list[JSON] = field(default_factory=list)
    raw: JSON = field(default_factory=dict)
    version: int = field(default_factory=new_snowflake)

    def to_json(self) -> JSON:
        data = dict(self.raw)
        data.update(
            id=str(self.id),
            application_id=str(self.application_id),
            name=self.name,
            description=self.description,
            type=self.type,
            options=self.options,
            version=str(self.version),
            default_member_permissions=self.raw.get("default_member_permissions"),
            dm_permission=self.raw.get("dm_permission", True),
            nsfw=self.raw.get("nsfw", False),
        )
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        return data


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    channels: dict[int, Channel] = field(default_factory=dict)
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    voice_states: dict[int, VoiceState] = field(default_factory=dict)
    joined_at: str = field(default_factory=iso_now)


@dataclass
class InteractionRecord:
    """One interaction the fake sent to a bot and what the bot answered."""

    id: int
    token: str
    application_id: int
    type: int
    guild_id: int
    channel_id: int
    user_id: int
    data: JSON
    source_message_id: int | None = None
    response_type: int | None = None
    response_message_id: int | None = None
    deferred: bool = False
    ephemeral: bool = False
    autocomplete_choices: list[JSON] | None = None
    modal: JSON | None = None
    followup_ids: list[int] = field(default_factory=list)
    original_edited: bool = False
    acked: bool = False  # the callback's HTTP reply has been fully written to the bot


@dataclass
class World:
    """All state of the fake Discord."""

    users: dict[int, User] = field(default_factory=dict)
    bots: dict[str, Bot] = field(default_factory=dict)  # token -> bot
    guilds: dict[int, Guild] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    commands: dict[int, ApplicationCommand] = field(default_factory=dict)
    interactions: dict[int, InteractionRecord] = field(default_factory=dict)

    # ---- lookup -------------------------------------------------------------------------------------

    def bot_for_token(self, token: str) -> tuple[Bot, bool]:
        """The bot for *token*, creating it (and its guild memberships) on first use."""
        bot = self.bots.get(token)
        if bot is not None:
            return bot, False
        user_id = snowflake_for_token(token)
        bot = Bot(token=token, user_id=user_id)
        self.bots[token] = bot
        if user_id not in self.users:
            self.users[user_id] = User(id=user_id, username=f"bot-{str(user_id)[-4:]}", bot=True)
        for guild in self.guilds.values():
            guild.members.setdefault(user_id, Member(user_id=user_id, guild_id=guild.id))
        return bot, True

    def bot_by_application(self, application_id: int) -> Bot | None:
        for bot in self.bots.values():
            if bot.application_id == application_id:
                return bot
        return None

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

    # ---- mutation -----------------------------------------------------------------------------------

    def add_guild(self, name: str, owner_id: int | None = None) -> Guild:
        gid = new_snowflake()
        if owner_id is None:
            owner = self.add_user(f"{name}-owner")
            owner_id = owner.id
        guild = Guild(id=gid, name=name, owner_id=owner_id)
        guild.roles[gid] = Role(id=gid, guild_id=gid, name="@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS)
        guild.members[owner_id] = Member(user_id=owner_id, guild_id=gid)
        for bot in self.bots.values():
            guild.members[bot.user_id] = Member(user_id=bot.user_id, guild_id=gid)
        self.guilds[gid] = guild
        return guild

    def add_user(self, name: str, bot: bool = False) -> User:
        user = User(id=new_snowflake(), username=name, bot=bot)
        self.users[user.id] = user
        return user

    def add_channel(self, guild_id: int, name: str, type_: int) -> Channel:
        guild = self.guilds[guild_id]
        ch = Channel(id=new_snowflake(), guild_id=guild_id, name=name, type=type_, position=len(guild.channels))
        guild.channels[ch.id] = ch
        return ch

    # ---- JSON ---------------------------------------------------------------------------------------

    def permissions(self, guild: Guild, user_id: int) -> int:
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        if any(bot.user_id == user_id for bot in self.bots.values()):
            return ALL_PERMISSIONS
        member = guild.members.get(user_id)
        perms = guild.roles[guild.id].permissions
        for rid in member.roles if member else []:
            role = guild.roles.get(rid)
            if role is not None:
                perms |= role.permissions
        return perms

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
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "preferred_locale": "en-US",
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [r.to_json() for r in guild.roles.values()],
            "application_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "approximate_member_count": len(guild.members),
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
                data["interaction_metadata"] = {
                    "id": str(rec.id),
                    "type": rec.type,
                    "user": user.to_json() if user else None,
                    "authorizing_integration_owners": {"0": str(rec.guild_id)},
                }
        return data

    def channel_messages(self, channel_id: int, include_ephemeral: bool = False) -> list[Message]:
        return [
            m for m in self.messages.values() if m.channel_id == channel_id and (include_ephemeral or not m.ephemeral)
        ]
