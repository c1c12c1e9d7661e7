"""Gateway intents, as Discord applies them: a session receives an event only when its IDENTIFY asked for the
intent the event belongs to (https://discord.com/developers/docs/events/gateway#gateway-intents). Events under no
intent (READY, INTERACTION_CREATE, VOICE_SERVER_UPDATE, GUILD_MEMBERS_CHUNK, ...) always pass.

A bot that asks only for what it uses is spared the rest: every public reply and now-playing edit in a server
would otherwise reach every bot in it.
"""

from __future__ import annotations

from .objects import JSON

__all__ = ["ALL_INTENTS", "intent_of", "receives"]

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_VOICE_STATES = 1 << 7
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_TYPING = 1 << 11
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_TYPING = 1 << 14
ALL_INTENTS = (1 << 26) - 1

_GUILD_EVENTS = {
    "GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE", "GUILD_ROLE_CREATE", "GUILD_ROLE_UPDATE", "GUILD_ROLE_DELETE",
    "CHANNEL_CREATE", "CHANNEL_UPDATE", "CHANNEL_DELETE", "CHANNEL_PINS_UPDATE", "THREAD_CREATE", "THREAD_UPDATE",
    "THREAD_DELETE", "THREAD_LIST_SYNC", "THREAD_MEMBER_UPDATE", "STAGE_INSTANCE_CREATE", "STAGE_INSTANCE_UPDATE",
    "STAGE_INSTANCE_DELETE",
}
_MEMBER_EVENTS = {"GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE", "THREAD_MEMBERS_UPDATE"}
_MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"}


def intent_of(event: str, data: JSON) -> int | None:
    """The intent *event* belongs to (None: it is always sent)."""
    if event in _GUILD_EVENTS:
        return GUILDS
    if event in _MEMBER_EVENTS:
        return GUILD_MEMBERS
    if event == "VOICE_STATE_UPDATE":
        return GUILD_VOICE_STATES
    in_guild = isinstance(data, dict) and data.get("guild_id") is not None
    if event in _MESSAGE_EVENTS:
        return GUILD_MESSAGES if in_guild else DIRECT_MESSAGES
    if event == "TYPING_START":
        return GUILD_MESSAGE_TYPING if in_guild else DIRECT_MESSAGE_TYPING
    return None


def receives(intents: int, event: str, data: JSON) -> bool:
    """Whether a session identified with *intents* is sent *event*."""
    needed = intent_of(event, data)
    return needed is None or bool(intents & needed)
