"""What every part of the fake Discord shares: the world, the gateway sessions, dispatch and access checks.

``FakeDiscord`` (``server.py``) is this core plus one mixin per concern: the gateway, the REST routes,
application commands, interactions, and the driver (the human side). Each mixin inherits the core, so
each can be read alone.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import Protocol

from aiohttp import web

from .gateway_session import GatewaySession
from .objects import JSON, Bot, Channel, Guild, Message, User, VoiceRequest, VoiceServer, VoiceState
from .permissions import SPEAK, VIEW_CHANNEL, has
from .ratelimit import RateLimiter
from .replies import missing_access, missing_permissions, unauthorized, unknown
from .sharding import IdentifyGate, ShardPolicy
from .world import World

__all__ = ["SESSION_TIMEOUT_S", "VOICE_ENDPOINT", "FakeDiscordCore", "HasId", "Ref", "SandboxError", "rid"]

log = logging.getLogger(__name__)

# A gateway session whose connection died stays resumable for this long, and its bot stays in voice (what
# people see) meanwhile; then the session ends and its voice states go, as on Discord, whose exact timeout
# is not published (about a minute is what bots meet). Tests set ``session_timeout_s`` short.
SESSION_TIMEOUT_S = 60.0
CAUGHT_UP_TIMEOUT_S = 2.0
VOICE_ENDPOINT = "voice.fake-discord.local:443"


class HasId(Protocol):
    @property
    def id(self) -> int: ...


Ref = int | str | HasId


def rid(ref: Ref) -> int:
    """An id from an int, a numeric string or an object with ``.id``."""
    if isinstance(ref, int):
        return ref
    if isinstance(ref, str):
        return int(ref)
    return int(ref.id)


class SandboxError(Exception):
    """A driver action that the real Discord client would refuse (unknown command, not a member…)."""


class FakeDiscordCore:
    """State and plumbing; no routes."""

    def __init__(self, world: World | None = None, limiter: RateLimiter | None = None) -> None:
        self.world = world or World()
        self.limiter = limiter or RateLimiter()
        self.sessions: dict[str, GatewaySession] = {}
        self._changed: dict[int, asyncio.Event] = {}
        self.voice_requests: list[VoiceRequest] = []  # every op 4 a bot sent, in order
        self._announced: set[int] = set()  # bots whose membership the other bots have been told about
        self.session_timeout_s = SESSION_TIMEOUT_S
        self.shard_policy = ShardPolicy()
        self.identify_gate = IdentifyGate(self.shard_policy)
        self._expiries: set[asyncio.Task[None]] = set()  # one timer per dropped gateway session
        self._host = "127.0.0.1"
        self._port = 0

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self._port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self._host}:{self._port}/gateway"

    # ---- driver lookups (a refusal is a SandboxError) -----------------------------------------------

    def _guild_of(self, ref: Ref) -> Guild:
        guild = self.world.guilds.get(rid(ref))
        if guild is None:
            raise SandboxError(f"unknown guild {rid(ref)}")
        return guild

    def _channel_of(self, ref: Ref) -> Channel:
        ch = self.world.channel(rid(ref))
        if ch is None:
            raise SandboxError(f"unknown channel {rid(ref)}")
        return ch

    def _user_of(self, ref: Ref) -> User:
        user = self.world.users.get(rid(ref))
        if user is None:
            raise SandboxError(f"unknown user {rid(ref)}")
        return user

    def _bot_of(self, ref: Ref | Bot) -> Bot:
        """A declared bot by object, user id, numeric string or name."""
        if isinstance(ref, Bot):
            return ref
        if isinstance(ref, str) and ref in self.world.bots:
            return self.world.bots[ref]
        bot = self.world.bot_by_user(rid(ref))
        if bot is None:
            raise SandboxError(f"unknown bot {ref!r}; declared: {sorted(self.world.bots)}")
        return bot

    def _member_id(self, ref: Ref | Bot) -> int:
        """A user id from a bot (object or name) or any user reference."""
        if isinstance(ref, Bot):
            return ref.user_id
        if isinstance(ref, str) and ref in self.world.bots:
            return self.world.bots[ref].user_id
        return rid(ref)

    # ---- REST access (a refusal is an ApiError) -----------------------------------------------------

    def _bot(self, request: web.Request) -> Bot:
        """The bot a request authenticates as; 401 for a missing, malformed or unknown token."""
        auth = request.headers.get("Authorization", "")
        bot = self.world.bot_by_token(auth.removeprefix("Bot ")) if auth else None
        if bot is None:
            raise unauthorized()
        return bot

    def _guild(self, guild_id: int, bot: Bot | None = None) -> Guild:
        """A guild; with *bot*, one it is in (else 403 Missing Access, as Discord answers a non-member)."""
        guild = self.world.guilds.get(guild_id)
        if guild is None:
            raise unknown("Guild", 10004)
        if bot is not None and bot.user_id not in guild.members:
            raise missing_access()
        return guild

    def _channel(self, channel_id: int, bot: Bot | None = None, need: int = VIEW_CHANNEL) -> Channel:
        """A channel; with *bot*, one it may see (50001) and use as *need* says (50013)."""
        ch = self.world.channel(channel_id)
        if ch is None:
            raise unknown("Channel", 10003)
        if bot is not None:
            perms = self.world.channel_permissions(ch, bot.user_id)
            if not has(perms, VIEW_CHANNEL):
                raise missing_access()
            if not has(perms, need):
                raise missing_permissions()
        return ch

    def _message(self, message_id: int, channel_id: int | None = None) -> Message:
        msg = self.world.messages.get(message_id)
        if msg is None or (channel_id is not None and msg.channel_id != channel_id):
            raise unknown("Message", 10008)
        return msg

    # ---- dispatch -----------------------------------------------------------------------------------

    def live_sessions(self, application_id: int | None = None) -> list[GatewaySession]:
        return [
            s
            for s in self.sessions.values()
            if s.connected and (application_id is None or s.bot.application_id == application_id)
        ]

    def _current_sessions(self) -> list[GatewaySession]:
        """Sessions connected or still resumable; older ones are dropped."""
        now = time.monotonic()
        for sid, session in list(self.sessions.items()):
            if session.disconnected_at is not None and now - session.disconnected_at > self.session_timeout_s:
                del self.sessions[sid]
        return list(self.sessions.values())

    def session_dropped(self, session: GatewaySession) -> None:
        """``session``'s connection died: unless it is resumed within ``session_timeout_s``, it ends then."""
        session.ws = None
        session.disconnected_at = dropped_at = time.monotonic()

        async def expire() -> None:
            await asyncio.sleep(self.session_timeout_s)
            if session.disconnected_at == dropped_at:  # else resumed (a later drop has its own timer)
                await self.end_session(session)

        task = asyncio.create_task(expire(), name=f"gateway-session-timeout-{session.session_id}")
        self._expiries.add(task)
        task.add_done_callback(self._expiries.discard)

    async def end_session(self, session: GatewaySession) -> None:
        """The session timed out: it can no longer be resumed, and its bot leaves every voice channel it joined
        through it (everyone else sees VOICE_STATE_UPDATE with no channel)."""
        self.sessions.pop(session.session_id, None)
        bot_id = session.bot.user_id
        for guild in list(self.world.guilds.values()):
            state = guild.voice_states.get(bot_id)
            if state is not None and state.session_id == session.session_id:
                log.info("bot %s's gateway session timed out: removed from voice in %s", bot_id, guild.id)
                await self.set_voice_state(guild.id, bot_id, None)

    async def cancel_expiries(self) -> None:
        for task in list(self._expiries):
            task.cancel()
        await asyncio.gather(*self._expiries, return_exceptions=True)

    def guild_count(self, bot: Bot) -> int:
        return sum(1 for g in self.world.guilds.values() if bot.user_id in g.members)

    async def dispatch_all(self, event: str, data: JSON) -> None:
        """Dispatch to every identified session that receives direct messages (shard 0 of a sharded bot)."""
        for session in self._current_sessions():
            if session.owns(None):
                await session.dispatch(event, data)

    async def dispatch_guild(self, guild_id: int, event: str, data: JSON, channel_id: int | None = None) -> None:
        """Dispatch to the sessions of the bots in that guild (that may see *channel_id*, when given)."""
        guild = self.world.guilds.get(guild_id)
        if guild is None:
            return
        channel = guild.channels.get(channel_id) if channel_id is not None else None
        for session in self._current_sessions():
            user_id = session.bot.user_id
            if user_id not in guild.members or not session.owns(guild_id):
                continue
            if channel is not None and not has(self.world.channel_permissions(channel, user_id), VIEW_CHANNEL):
                continue
            await session.dispatch(event, data)

    def live_sessions_for(self, application_id: int, guild_id: int | None) -> list[GatewaySession]:
        """The application's connected sessions that receive *guild_id*'s events (its shard's), oldest first."""
        return [s for s in self.live_sessions(application_id) if s.owns(guild_id)]

    async def dispatch_app(self, application_id: int, event: str, data: JSON, guild_id: int | None = None) -> bool:
        """Dispatch to the newest connected session of one application that owns *guild_id* (its shard); False
        if none is connected."""
        live = self.live_sessions_for(application_id, guild_id)
        if not live:
            return False
        await live[-1].dispatch(event, data)
        return True

    async def caught_up(
        self, application_id: int, since: float, timeout_s: float = CAUGHT_UP_TIMEOUT_S, guild_id: int | None = None
    ) -> bool:
        """Wait until the application's bot (its shard owning *guild_id*) has read what was sent to it up to
        *since* (monotonic; see GatewaySession.caught_up)."""
        live = self.live_sessions_for(application_id, guild_id)
        if not live:
            return False
        answered = await live[-1].caught_up(since, timeout_s)
        if not answered:
            log.info("application %s did not answer a heartbeat request in %.1f s", application_id, timeout_s)
        return answered

    async def publish_message(self, msg: Message, event: str = "MESSAGE_CREATE") -> None:
        if msg.ephemeral:
            return
        data = self.world.message_json(msg)
        if msg.guild_id is None:
            await self.dispatch_all(event, data)
            return
        if event == "MESSAGE_CREATE":
            guild = self.world.guilds.get(msg.guild_id)
            member = self.world.member_json(guild, msg.author_id) if guild else None
            if member is not None:
                member.pop("user", None)
                data["member"] = member
        await self.dispatch_guild(msg.guild_id, event, data, msg.channel_id)

    async def remove_message(self, msg: Message) -> None:
        self.world.messages.pop(msg.id, None)
        if not msg.ephemeral:
            data: JSON = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
            if msg.guild_id is None:
                await self.dispatch_all("MESSAGE_DELETE", data)
                return
            data["guild_id"] = str(msg.guild_id)
            await self.dispatch_guild(msg.guild_id, "MESSAGE_DELETE", data, msg.channel_id)

    async def set_voice_state(
        self,
        guild_id: int,
        user_id: int,
        channel_id: int | None,
        session_id: str | None = None,
        self_mute: bool = False,
        self_deaf: bool = False,
    ) -> VoiceState:
        """Change a voice state and tell every bot in the guild."""
        guild = self._guild(guild_id)
        vs = guild.voice_states.get(user_id)
        if vs is None:
            vs = VoiceState(guild_id=guild_id, user_id=user_id, channel_id=channel_id)
            guild.voice_states[user_id] = vs
        vs.channel_id = channel_id
        vs.self_mute = self_mute
        vs.self_deaf = self_deaf
        if session_id is not None:
            vs.session_id = session_id
        channel = guild.channels.get(channel_id) if channel_id is not None else None
        vs.suppress = channel is not None and not has(self.world.channel_permissions(channel, user_id), SPEAK)
        payload = self.world.voice_state_json(vs)
        if channel_id is None:
            guild.voice_states.pop(user_id, None)
            self.world.voice_servers.pop((guild_id, user_id), None)
        await self.dispatch_guild(guild_id, "VOICE_STATE_UPDATE", payload)
        return vs

    async def send_voice_server(self, guild_id: int, user_id: int, endpoint: str) -> VoiceServer | None:
        """A VOICE_SERVER_UPDATE with a fresh token to the bot's session (join, or the voice server moved)."""
        server = VoiceServer(guild_id=guild_id, token=secrets.token_hex(8), endpoint=endpoint)
        live = [s for s in self.live_sessions() if s.bot.user_id == user_id and s.owns(guild_id)]
        if not live:
            return None
        self.world.voice_servers[(guild_id, user_id)] = server
        await live[-1].dispatch("VOICE_SERVER_UPDATE", server.to_json())
        return server

    # ---- interaction waiters ------------------------------------------------------------------------

    def notify(self, interaction_id: int) -> None:
        ev = self._changed.get(interaction_id)
        if ev is not None:
            ev.set()
