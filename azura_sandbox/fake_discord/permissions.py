"""Discord permission bits and how a member's permissions in a channel are computed. Pure: no I/O.

The computation is Discord's documented one: @everyone plus the member's roles give the base; the owner
and Administrator get everything; then the channel's overwrites apply in order (@everyone, the member's
roles together, the member); a member who cannot view a channel has no permission in it, and one who
cannot send messages there cannot embed links either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "ADMINISTRATOR",
    "ALL_PERMISSIONS",
    "BOT_DEFAULT_PERMISSIONS",
    "CONNECT",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "EMBED_LINKS",
    "MANAGE_CHANNELS",
    "MANAGE_MESSAGES",
    "MOVE_MEMBERS",
    "NAMES",
    "OVERWRITE_MEMBER",
    "OVERWRITE_ROLE",
    "SEND_MESSAGES",
    "SET_VOICE_CHANNEL_STATUS",
    "SPEAK",
    "VIEW_CHANNEL",
    "Overwrite",
    "channel_permissions",
    "has",
    "parse_permissions",
]

ADMINISTRATOR = 1 << 3
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
MENTION_EVERYONE = 1 << 17
CONNECT = 1 << 20
SPEAK = 1 << 21
MOVE_MEMBERS = 1 << 24
MANAGE_CHANNELS = 1 << 4
SET_VOICE_CHANNEL_STATUS = 1 << 48

# The names discord.py uses (``Permissions.send_messages``…), for the driver API.
NAMES: dict[str, int] = {
    "administrator": ADMINISTRATOR,
    "view_channel": VIEW_CHANNEL,
    "send_messages": SEND_MESSAGES,
    "send_tts_messages": SEND_TTS_MESSAGES,
    "manage_messages": MANAGE_MESSAGES,
    "embed_links": EMBED_LINKS,
    "attach_files": ATTACH_FILES,
    "mention_everyone": MENTION_EVERYONE,
    "connect": CONNECT,
    "speak": SPEAK,
    "move_members": MOVE_MEMBERS,
    "manage_channels": MANAGE_CHANNELS,
    "set_voice_channel_status": SET_VOICE_CHANNEL_STATUS,
}

ALL_PERMISSIONS = (1 << 53) - 1
BOT_DEFAULT_PERMISSIONS = ALL_PERMISSIONS & ~ADMINISTRATOR  # everything, yet channel overwrites still apply
# A new server's @everyone: invite, react, stream, view, send, embed, attach, history, external emojis,
# connect, speak, voice activity, nickname, slash commands, request to speak, threads, stickers, activities
DEFAULT_EVERYONE_PERMISSIONS = sum(
    1 << bit for bit in (0, 6, 9, 10, 11, 14, 15, 16, 18, 20, 21, 25, 26, 31, 32, 35, 36, 37, 38, 39)
)
_NEEDS_SEND = SEND_TTS_MESSAGES | EMBED_LINKS | ATTACH_FILES | MENTION_EVERYONE

OVERWRITE_ROLE = 0
OVERWRITE_MEMBER = 1


@dataclass
class Overwrite:
    """One channel permission overwrite, as in ``permission_overwrites``."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def to_json(self) -> dict[str, object]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


def parse_permissions(names: Iterable[str]) -> int:
    """Bits for discord.py-style names (``"send_messages"``); unknown names raise ValueError."""
    bits = 0
    for name in names:
        try:
            bits |= NAMES[name]
        except KeyError:
            raise ValueError(f"unknown permission {name!r}; known: {sorted(NAMES)}") from None
    return bits


def has(permissions: int, wanted: int) -> bool:
    return permissions & wanted == wanted


def channel_permissions(
    *,
    base: int,
    is_owner: bool,
    everyone_role_id: int,
    member_id: int,
    member_role_ids: Iterable[int],
    overwrites: Iterable[Overwrite],
) -> int:
    """A member's permissions in one channel, from its guild-wide *base* and the channel's *overwrites*."""
    if is_owner or base & ADMINISTRATOR:
        return ALL_PERMISSIONS
    by_target = {(o.type, o.id): o for o in overwrites}
    perms = base
    everyone = by_target.get((OVERWRITE_ROLE, everyone_role_id))
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member_role_ids:
        role = by_target.get((OVERWRITE_ROLE, role_id))
        if role is not None:
            allow |= role.allow
            deny |= role.deny
    perms = (perms & ~deny) | allow
    member = by_target.get((OVERWRITE_MEMBER, member_id))
    if member is not None:
        perms = (perms & ~member.deny) | member.allow
    if not perms & VIEW_CHANNEL:
        return 0
    if not perms & SEND_MESSAGES:
        perms &= ~_NEEDS_SEND
    return perms
