"""The fake Discord's objects (users, bots, guilds, channels, messages…) and their JSON shapes.

Plain dataclasses, no I/O. Each ``to_json`` gives the fields Discord's published spec requires for that
object, so real clients parse them and the spec check passes; :class:`~.world.World` holds them.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .permissions import Overwrite

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

JSON = dict[str, Any]

_counter = itertools.count(1)


def new_snowflake() -> int:
    """A fresh, increasing snowflake (timestamp + process-wide counter)."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_counter) & 0x3FFFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None
    locale: str = "en-US"  # the Discord client's language: each interaction's ``locale``

    def to_json(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "collectibles": None,
            "primary_guild": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
        }

    def to_private_json(self) -> JSON:
        """The shape ``/users/@me`` gives the user itself."""
        return self.to_json() | {"verified": True, "mfa_enabled": False, "email": None, "locale": self.locale}


@dataclass
class Bot:
    """A bot account the world declares; only its current token logs in."""

    name: str
    user_id: int
    token: str
    generation: int = 0  # bumped by a token reset; older tokens stop working
    shards: int | None = None  # the shard count /gateway/bot recommends (None: by the bot's guild count)

    @property
    def id(self) -> int:
        return self.user_id

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
    bot_id: int | None = None  # the managed role Discord gives a bot when it joins

    def to_json(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.bot_id is not None,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


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
    overwrites: list[Overwrite] = field(default_factory=list)
    voice_status: str | None = None  # a voice channel's status (PUT /channels/{id}/voice-status)

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
            "permission_overwrites": [o.to_json() for o in self.overwrites],
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
    suppress: bool = False  # Discord: "whether this user's permission to speak is denied"

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
            "suppress": self.suppress,
            "request_to_speak_timestamp": None,
        }
        if member is not None:
            data["member"] = member
        return data


@dataclass
class VoiceServer:
    """What the last VOICE_SERVER_UPDATE told one bot about one guild's voice server."""

    guild_id: int
    token: str
    endpoint: str

    def to_json(self) -> JSON:
        return {"token": self.token, "guild_id": str(self.guild_id), "endpoint": self.endpoint}


@dataclass
class VoiceRequest:
    """One gateway op 4 (voice state update) a bot sent, and whether Discord let it through."""

    bot_id: int
    guild_id: int
    channel_id: int | None
    accepted: bool
    at: float = field(default_factory=time.monotonic)


def _numbered_components(items: list[JSON], counter: itertools.count[int]) -> list[JSON]:
    """Components as Discord echoes them: every one has an integer ``id`` (numbered in order when not sent)."""
    out: list[JSON] = []
    for item in items:
        copy = dict(item)
        copy.setdefault("id", next(counter))
        for key in ("components", "accessory"):
            sub = copy.get(key)
            if isinstance(sub, list):
                copy[key] = _numbered_components(sub, counter)
            elif isinstance(sub, dict):
                copy[key] = _numbered_components([sub], counter)[0]
        out.append(copy)
    return out


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
    changed_at: float = field(default_factory=time.monotonic)  # last creation or edit, for the driver

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
        self.changed_at = time.monotonic()

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
            "embeds": [{"type": "rich"} | embed for embed in self.embeds],
            "components": _numbered_components(self.components, itertools.count(1)),
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
            # Discord fills in the default (installed to guilds) when a client sends null
            integration_types=self.raw.get("integration_types") or [0],
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
    voice_endpoint: str | None = None  # the voice server bots joining here get (its region); None: the default
    preferred_locale: str = "en-US"  # the server's language: each interaction's ``guild_locale``

    def bot_role(self, bot_id: int) -> Role | None:
        return next((r for r in self.roles.values() if r.bot_id == bot_id), None)


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
    # Latency observables (time.monotonic(), comparable across processes on one host): when the
    # INTERACTION_CREATE frame was written to the bot's gateway, and when the bot's callback request arrived.
    dispatched_at: float | None = None
    answered_at: float | None = None
