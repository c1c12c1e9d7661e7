"""The fake Discord's gateway: the websocket at ``/gateway`` (HELLO, IDENTIFY, RESUME, op 4 voice, op 8).

A token the world did not issue closes the socket with 4004 ("Authentication failed."), as Discord does.
Sharding follows Discord (``sharding.py``): a session identified with ``shard: [id, count]`` gets only its
shard's guilds and their events, and must send a guild's voice state over that shard; a malformed shard closes
with 4010, too few shards for the bot's guilds with 4011, an IDENTIFY faster than its bucket allows gets op 9.
A bot sees only the guilds it is in; a voice join it may not make (no View Channel or Connect) is ignored
without an answer, as Discord does, so the client's connect times out.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
from typing import Any

from aiohttp import WSMsgType, web

from .core import VOICE_ENDPOINT, FakeDiscordCore
from .gateway_session import GatewaySession
from .intents import ALL_INTENTS
from .objects import CHANNEL_VOICE, JSON, Bot, VoiceRequest
from .permissions import CONNECT, VIEW_CHANNEL, has
from .sharding import CLOSE_INVALID_SHARD, parse_shard

__all__ = ["GatewayApi"]

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250

OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_VOICE_STATE = 4
OP_RESUME = 6
OP_REQUEST_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

CLOSE_DECODE_ERROR = 4002
CLOSE_NOT_AUTHENTICATED = 4003
CLOSE_AUTHENTICATION_FAILED = 4004


class GatewayApi(FakeDiscordCore):
    """Gateway websocket handling, mixed into ``FakeDiscord``."""

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        log.debug("gateway connection from %s (%s)", request.remote, request.query_string)
        session: GatewaySession | None = None
        await ws.send_str(json.dumps({"op": OP_HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    if msg.type == WSMsgType.ERROR:
                        break
                    continue
                try:
                    payload = json.loads(msg.data)
                    op = payload.get("op")
                    data = payload.get("d")
                except (ValueError, AttributeError):
                    log.warning("gateway: malformed frame %r", msg.data[:200])
                    await ws.close(code=CLOSE_DECODE_ERROR, message=b"Error while decoding payload.")
                    break
                try:
                    session = await self._gateway_op(ws, session, op, data)
                except Exception:
                    log.exception("gateway: error handling op %s", op)
        finally:
            if session is not None and session.ws is ws:
                self.session_dropped(session)
            log.debug("gateway connection closed")
        return ws

    async def _gateway_op(
        self, ws: web.WebSocketResponse, session: GatewaySession | None, op: Any, data: Any
    ) -> GatewaySession | None:
        if op == OP_HEARTBEAT:
            if session is not None:
                session.heartbeat_received(data)
                await session.send_raw({"op": OP_HEARTBEAT_ACK})
            else:
                await ws.send_str(json.dumps({"op": OP_HEARTBEAT_ACK}))
        elif op == OP_IDENTIFY:
            return await self._identify(ws, data or {})
        elif op == OP_RESUME:
            return await self._resume(ws, data or {})
        elif session is None:
            log.warning("gateway: op %s before identify", op)
            await ws.close(code=CLOSE_NOT_AUTHENTICATED, message=b"Not authenticated.")
        elif op == OP_VOICE_STATE:
            await self._voice_state_op(session, data or {})
        elif op == OP_REQUEST_MEMBERS:
            await self._request_members(session, data or {})
        elif op == OP_PRESENCE:
            pass
        else:
            log.info("gateway: ignoring op %s", op)
        return session

    def _token_bot(self, data: JSON) -> Bot | None:
        token = str(data.get("token", ""))
        return self.world.bot_by_token(token.removeprefix("Bot ")) if token else None

    async def _identify(self, ws: web.WebSocketResponse, data: JSON) -> GatewaySession | None:
        bot = self._token_bot(data)
        if bot is None:
            log.info("gateway: IDENTIFY with a token this world did not issue: closing with 4004")
            await ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return None
        shard = parse_shard(data["shard"]) if "shard" in data else None
        if "shard" in data and shard is None:
            log.info("gateway: IDENTIFY with an invalid shard %r: closing with 4010", data["shard"])
            await ws.close(code=CLOSE_INVALID_SHARD, message=b"Invalid shard.")
            return None
        refusal = self.shard_policy.refusal(shard, self.guild_count(bot))
        if refusal is not None:
            code, reason = refusal
            log.info("gateway: %s: closing with %s", reason, code)
            await ws.close(code=code, message=reason.encode())
            return None
        if not self.identify_gate.admit(bot.user_id, shard[0] if shard else 0):
            log.info("gateway: %s identified too fast for its bucket (shard %s): op 9", bot.name, shard)
            await ws.send_str(json.dumps({"op": OP_INVALID_SESSION, "d": False}))
            return None
        intents = data.get("intents")
        session = GatewaySession(session_id=secrets.token_hex(16), bot=bot, ws=ws, shard=shard,
                                 intents=intents if isinstance(intents, int) and intents >= 0 else ALL_INTENTS)
        self.sessions[session.session_id] = session
        guilds = [g for g in self.world.guilds.values() if bot.user_id in g.members and session.owns(g.id)]
        ready: JSON = {
            "v": 10,
            "user": self.world.users[bot.user_id].to_private_json(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(bot.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake"],
            "user_settings": {},
        }
        if shard is not None:
            ready["shard"] = list(shard)
        await session.dispatch("READY", ready)
        for guild in guilds:
            await session.dispatch("GUILD_CREATE", self.world.guild_json(guild))
        log.info("bot %s (%s) identified (session %s, shard %s)", bot.name, bot.user_id, session.session_id, shard)
        if bot.user_id not in self._announced:
            self._announced.add(bot.user_id)
            await self._announce_member(bot, skip=session)
        return session

    async def _announce_member(self, bot: Bot, skip: GatewaySession) -> None:
        """Tell the other bots in the new bot's guilds that it is a member (their caches did not have it)."""
        for guild in self.world.guilds.values():
            member = self.world.member_json(guild, bot.user_id)
            if member is None:
                continue
            for other in self._current_sessions():
                if other is not skip and other.bot.user_id in guild.members and other.owns(guild.id):
                    await other.dispatch("GUILD_MEMBER_ADD", member | {"guild_id": str(guild.id)})

    async def _resume(self, ws: web.WebSocketResponse, data: JSON) -> GatewaySession | None:
        bot = self._token_bot(data)
        if bot is None:
            await ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return None
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.bot is not bot:
            log.info("gateway: resume of unknown session, invalidating")
            await ws.send_str(json.dumps({"op": OP_INVALID_SESSION, "d": False}))
            return None
        seq = int(data.get("seq") or 0)
        async with session.lock:
            old = session.ws
            session.ws = ws
            session.disconnected_at = None
            if old is not None and old is not ws and not old.closed:
                with contextlib.suppress(Exception):
                    await old.close()
            await session.replay_after(seq)
        await session.dispatch("RESUMED", {})
        log.info("bot %s resumed session %s from seq %s", bot.user_id, session.session_id, seq)
        return session

    async def _voice_state_op(self, session: GatewaySession, data: JSON) -> None:
        bot = session.bot
        try:
            guild_id = int(data["guild_id"])
        except (KeyError, TypeError, ValueError):
            log.warning("gateway: op 4 without guild_id: %r", data)
            return
        raw_channel = data.get("channel_id")
        channel_id = int(raw_channel) if raw_channel else None
        if not session.owns(guild_id):
            log.warning("gateway: op 4 for guild %s over shard %s, which does not own it: ignored", guild_id,
                        session.shard)
            return
        accepted = self._voice_allowed(bot, guild_id, channel_id)
        self.voice_requests.append(VoiceRequest(bot.user_id, guild_id, channel_id, accepted))
        if not accepted:
            return
        await self.set_voice_state(
            guild_id,
            bot.user_id,
            channel_id,
            session_id=session.session_id,
            self_mute=bool(data.get("self_mute")),
            self_deaf=bool(data.get("self_deaf")),
        )
        if channel_id is not None:
            endpoint = self.world.guilds[guild_id].voice_endpoint or VOICE_ENDPOINT
            await self.send_voice_server(guild_id, bot.user_id, endpoint)

    def _voice_allowed(self, bot: Bot, guild_id: int, channel_id: int | None) -> bool:
        guild = self.world.guilds.get(guild_id)
        if guild is None or bot.user_id not in guild.members:
            log.warning("gateway: op 4 from %s for a guild it is not in (%s): ignored", bot.name, guild_id)
            return False
        if channel_id is None:
            return True
        ch = guild.channels.get(channel_id)
        if ch is None or ch.type != CHANNEL_VOICE:
            log.warning("gateway: op 4 to unknown/non-voice channel %s", channel_id)
            return False
        if not has(self.world.channel_permissions(ch, bot.user_id), VIEW_CHANNEL | CONNECT):
            log.info("gateway: %s may not connect to %s: op 4 ignored, as Discord does", bot.name, ch.name)
            return False
        return True

    async def _request_members(self, session: GatewaySession, data: JSON) -> None:
        raw = data.get("guild_id")
        ids = raw if isinstance(raw, list) else [raw]
        for gid in ids:
            guild = self.world.guilds.get(int(gid)) if gid else None
            if guild is None or session.bot.user_id not in guild.members or not session.owns(guild.id):
                continue
            members = [m for uid in guild.members if (m := self.world.member_json(guild, uid)) is not None]
            chunk: JSON = {"guild_id": str(guild.id), "members": members, "chunk_index": 0, "chunk_count": 1}
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)
