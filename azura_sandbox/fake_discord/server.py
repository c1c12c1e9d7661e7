"""The fake Discord server: REST under ``/api/v{N}`` and the gateway websocket at ``/gateway``.

Real discord.py accepts it once ``discord.http.Route.BASE`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` point here. The driver API (``driver.py``) is mixed in
so tests and other processes can play the human side.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from ..web import serve_app
from .driver import Driver
from .world import (
    CHANNEL_VOICE,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    INTERACTION_COMMAND,
    JSON,
    ApplicationCommand,
    Bot,
    Channel,
    Guild,
    InteractionRecord,
    Message,
    VoiceState,
    World,
    new_snowflake,
)

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250
REPLAY_BUFFER = 1000
RESUME_WINDOW_S = 300.0  # a disconnected session can be resumed for this long, then it is dropped

# Gateway opcodes
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_VOICE_STATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11


class ApiError(Exception):
    """A Discord-shaped JSON error reply."""

    def __init__(self, status: int, message: str, code: int = 0, errors: JSON | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.errors = errors

    def to_response(self) -> web.Response:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return json_response(body, status=self.status)


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


def no_content() -> web.Response:
    return web.Response(status=204)


def unknown(what: str, code: int) -> ApiError:
    return ApiError(404, f"Unknown {what}", code)


def bad_request(message: str, errors: JSON | None = None) -> ApiError:
    return ApiError(400, message, 50035, errors if errors is not None else {})


def snowflake_param(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"Invalid Form Body: {name} is not a snowflake") from None


@dataclass
class GatewaySession:
    """One identified gateway session of one bot; survives its websocket so RESUME can replay."""

    session_id: str
    bot: Bot
    ws: web.WebSocketResponse | None = None
    seq: int = 0
    buffer: deque[JSON] = field(default_factory=lambda: deque(maxlen=REPLAY_BUFFER))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    disconnected_at: float | None = None

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed

    async def dispatch(self, event: str, data: JSON) -> None:
        async with self.lock:
            self.seq += 1
            payload = {"op": OP_DISPATCH, "t": event, "s": self.seq, "d": data}
            self.buffer.append(payload)
            await self._send(payload)

    async def send_raw(self, payload: JSON) -> None:
        async with self.lock:
            await self._send(payload)

    async def _send(self, payload: JSON) -> None:
        ws = self.ws
        if ws is None or ws.closed:
            return
        try:
            await ws.send_str(json.dumps(payload))
        except (ConnectionError, RuntimeError) as exc:
            log.info("gateway send to %s failed: %s", self.session_id, exc)


class FakeDiscord(Driver):
    """A network-level Discord fake: one aiohttp app serving REST, gateway and the sandbox control API."""

    def __init__(self, world: World | None = None) -> None:
        self.world = world or World()
        self.sessions: dict[str, GatewaySession] = {}
        self._changed: dict[int, asyncio.Event] = {}
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port = 0
        self.app = self._build_app()

    # ---- lifecycle ----------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        self._runner, self._port = await serve_app(self.app, host, port)
        self._host = host
        log.info("fake Discord listening on %s", self.base_url)
        return self._port

    async def stop(self) -> None:
        for session in list(self.sessions.values()):
            if session.ws is not None and not session.ws.closed:
                with contextlib.suppress(Exception):
                    await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

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

    # ---- app ----------------------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._error_middleware], client_max_size=32 * 1024 * 1024)
        r = app.router
        r.add_get("/gateway", self._gateway)
        r.add_get("/", self._gateway_or_root)
        a = "/api/{version:v[0-9]+}"
        routes: list[tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = [
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/users/@me", self._get_me),
            ("GET", "/users/{user_id}", self._get_user),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/@me", self._get_application),
            ("GET", "/applications/{app_id}/commands", self._list_commands),
            ("PUT", "/applications/{app_id}/commands", self._put_commands),
            ("POST", "/applications/{app_id}/commands", self._post_command),
            ("GET", "/applications/{app_id}/commands/{cmd_id}", self._get_command),
            ("PATCH", "/applications/{app_id}/commands/{cmd_id}", self._patch_command),
            ("DELETE", "/applications/{app_id}/commands/{cmd_id}", self._delete_command),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", self._list_commands),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self._put_commands),
            ("POST", "/applications/{app_id}/guilds/{guild_id}/commands", self._post_command),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands/permissions", self._empty_list),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands/{cmd_id}", self._get_command),
            ("PATCH", "/applications/{app_id}/guilds/{guild_id}/commands/{cmd_id}", self._patch_command),
            ("DELETE", "/applications/{app_id}/guilds/{guild_id}/commands/{cmd_id}", self._delete_command),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback),
            ("POST", "/webhooks/{app_id}/{token}", self._webhook_followup),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_get_message),
            ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_edit_message),
            ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_delete_message),
            ("GET", "/channels/{channel_id}", self._get_channel),
            ("GET", "/channels/{channel_id}/messages", self._list_messages),
            ("POST", "/channels/{channel_id}/messages", self._create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message),
            ("POST", "/channels/{channel_id}/typing", self._typing),
            ("GET", "/guilds/{guild_id}", self._get_guild),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self._get_guild_roles),
            ("GET", "/guilds/{guild_id}/members", self._list_members),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
            ("PATCH", "/guilds/{guild_id}/members/{user_id}", self._patch_member),
        ]
        for method, path, handler in routes:
            r.add_route(method, a + path, handler)
        self.add_control_routes(app)
        r.add_route("*", "/{tail:.*}", self._not_found)
        return app

    @web.middleware
    async def _error_middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as exc:
            log.info("%s %s -> %s %s", request.method, request.path, exc.status, exc.message)
            return exc.to_response()
        except web.HTTPException as exc:
            if exc.status == 405:
                log.warning("method not allowed: %s %s", request.method, request.path)
                return json_response({"message": "405: Method Not Allowed", "code": 0}, status=405)
            raise
        except Exception:
            log.exception("internal error on %s %s", request.method, request.path)
            return json_response({"message": "500: Internal Server Error", "code": 0}, status=500)

    async def _not_found(self, request: web.Request) -> web.Response:
        log.warning("fake Discord: unknown route %s %s", request.method, request.path_qs)
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    async def _gateway_or_root(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._gateway(request)
        return json_response({"fake_discord": True, "api_base": self.api_base, "gateway": self.gateway_url})

    # ---- helpers ------------------------------------------------------------------------------------

    def _bot(self, request: web.Request) -> Bot:
        auth = request.headers.get("Authorization", "")
        token = auth[4:] if auth.startswith("Bot ") else auth
        if not token:
            raise ApiError(401, "401: Unauthorized", 0)
        bot, created = self.world.bot_for_token(token)
        if created:
            log.info("new bot user %s from REST token", bot.user_id)
        return bot

    async def _body(self, request: web.Request) -> JSON:
        ctype = request.content_type
        try:
            if ctype.startswith("multipart/"):
                form = await request.post()
                raw = form.get("payload_json")
                if raw is None:
                    return {}
                data = json.loads(raw if isinstance(raw, str) else raw.file.read())
            else:
                text = await request.text()
                if not text.strip():
                    return {}
                data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request(f"Invalid Form Body: {exc}") from None
        if not isinstance(data, dict):
            raise bad_request("Invalid Form Body: expected an object")
        return data

    async def _list_body(self, request: web.Request) -> list[JSON]:
        try:
            text = await request.text()
            data = json.loads(text) if text.strip() else []
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request(f"Invalid Form Body: {exc}") from None
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            raise bad_request("Invalid Form Body: expected an array of objects")
        return data

    def _guild(self, guild_id: int) -> Guild:
        guild = self.world.guilds.get(guild_id)
        if guild is None:
            raise unknown("Guild", 10004)
        return guild

    def _channel(self, channel_id: int) -> Channel:
        ch = self.world.channel(channel_id)
        if ch is None:
            raise unknown("Channel", 10003)
        return ch

    def _message(self, message_id: int, channel_id: int | None = None) -> Message:
        msg = self.world.messages.get(message_id)
        if msg is None or (channel_id is not None and msg.channel_id != channel_id):
            raise unknown("Message", 10008)
        return msg

    def notify(self, interaction_id: int) -> None:
        ev = self._changed.get(interaction_id)
        if ev is not None:
            ev.set()

    def live_sessions(self, application_id: int | None = None) -> list[GatewaySession]:
        return [
            s
            for s in self.sessions.values()
            if s.connected and (application_id is None or s.bot.application_id == application_id)
        ]

    async def dispatch_all(self, event: str, data: JSON) -> None:
        """Dispatch to every identified session (every bot is in every guild)."""
        now = time.monotonic()
        for sid, session in list(self.sessions.items()):
            if session.disconnected_at is not None and now - session.disconnected_at > RESUME_WINDOW_S:
                del self.sessions[sid]
                continue
            await session.dispatch(event, data)

    async def dispatch_app(self, application_id: int, event: str, data: JSON) -> bool:
        """Dispatch to the newest connected session of one application; False if none is connected."""
        live = self.live_sessions(application_id)
        if not live:
            return False
        await live[-1].dispatch(event, data)
        return True

    async def publish_message(self, msg: Message, event: str = "MESSAGE_CREATE") -> None:
        if msg.ephemeral:
            return
        data = self.world.message_json(msg)
        if event == "MESSAGE_CREATE" and msg.guild_id is not None:
            guild = self.world.guilds.get(msg.guild_id)
            member = self.world.member_json(guild, msg.author_id) if guild else None
            if member is not None:
                member.pop("user", None)
                data["member"] = member
        await self.dispatch_all(event, data)

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
        payload = self.world.voice_state_json(vs)
        if channel_id is None:
            guild.voice_states.pop(user_id, None)
        await self.dispatch_all("VOICE_STATE_UPDATE", payload)
        return vs

    # ---- gateway ------------------------------------------------------------------------------------

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
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                try:
                    session = await self._gateway_op(ws, session, op, data)
                except Exception:
                    log.exception("gateway: error handling op %s", op)
        finally:
            if session is not None and session.ws is ws:
                session.ws = None
                session.disconnected_at = time.monotonic()
            log.debug("gateway connection closed")
        return ws

    async def _gateway_op(
        self, ws: web.WebSocketResponse, session: GatewaySession | None, op: Any, data: Any
    ) -> GatewaySession | None:
        if op == OP_HEARTBEAT:
            if session is not None:
                await session.send_raw({"op": OP_HEARTBEAT_ACK})
            else:
                await ws.send_str(json.dumps({"op": OP_HEARTBEAT_ACK}))
        elif op == OP_IDENTIFY:
            return await self._identify(ws, data or {})
        elif op == OP_RESUME:
            return await self._resume(ws, data or {})
        elif session is None:
            log.warning("gateway: op %s before identify", op)
            await ws.close(code=4003, message=b"Not authenticated.")
        elif op == OP_VOICE_STATE:
            await self._voice_state_op(session, data or {})
        elif op == OP_REQUEST_MEMBERS:
            await self._request_members(session, data or {})
        elif op == OP_PRESENCE:
            pass
        else:
            log.info("gateway: ignoring op %s", op)
        return session

    async def _identify(self, ws: web.WebSocketResponse, data: JSON) -> GatewaySession:
        token = str(data.get("token", ""))
        token = token[4:] if token.startswith("Bot ") else token
        if not token:
            await ws.close(code=4004, message=b"Authentication failed.")
            raise ApiError(401, "no token")
        bot, created = self.world.bot_for_token(token)
        session = GatewaySession(session_id=secrets.token_hex(16), bot=bot, ws=ws)
        self.sessions[session.session_id] = session
        user = self.world.users[bot.user_id]
        me = user.to_json() | {"verified": True, "mfa_enabled": False, "email": None}
        ready: JSON = {
            "v": 10,
            "user": me,
            "guilds": [{"id": str(g), "unavailable": True} for g in self.world.guilds],
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
        if "shard" in data:
            ready["shard"] = data["shard"]
        await session.dispatch("READY", ready)
        for guild in self.world.guilds.values():
            await session.dispatch("GUILD_CREATE", self.world.guild_json(guild))
        log.info("bot %s identified (session %s)", bot.user_id, session.session_id)
        if created:
            for guild in self.world.guilds.values():
                member = self.world.member_json(guild, bot.user_id)
                if member is not None:
                    for other in self.sessions.values():
                        if other is not session:
                            await other.dispatch("GUILD_MEMBER_ADD", member | {"guild_id": str(guild.id)})
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: JSON) -> GatewaySession | None:
        token = str(data.get("token", ""))
        token = token[4:] if token.startswith("Bot ") else token
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.bot.token != token:
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
            for payload in list(session.buffer):
                if payload["s"] > seq:
                    await session._send(payload)
        await session.dispatch("RESUMED", {})
        log.info("bot %s resumed session %s from seq %s", session.bot.user_id, session.session_id, seq)
        return session

    async def _voice_state_op(self, session: GatewaySession, data: JSON) -> None:
        try:
            guild_id = int(data["guild_id"])
        except (KeyError, TypeError, ValueError):
            log.warning("gateway: op 4 without guild_id: %r", data)
            return
        guild = self.world.guilds.get(guild_id)
        if guild is None:
            log.warning("gateway: op 4 for unknown guild %s", guild_id)
            return
        raw_channel = data.get("channel_id")
        channel_id = int(raw_channel) if raw_channel else None
        if channel_id is not None:
            ch = guild.channels.get(channel_id)
            if ch is None or ch.type != CHANNEL_VOICE:
                log.warning("gateway: op 4 to unknown/non-voice channel %s", channel_id)
                return
        user_id = session.bot.user_id
        await self.set_voice_state(
            guild_id,
            user_id,
            channel_id,
            session_id=session.session_id,
            self_mute=bool(data.get("self_mute")),
            self_deaf=bool(data.get("self_deaf")),
        )
        if channel_id is not None:
            await session.dispatch(
                "VOICE_SERVER_UPDATE",
                {"token": secrets.token_hex(8), "guild_id": str(guild_id), "endpoint": "voice.fake-discord.local:443"},
            )

    async def _request_members(self, session: GatewaySession, data: JSON) -> None:
        raw = data.get("guild_id")
        ids = raw if isinstance(raw, list) else [raw]
        for gid in ids:
            guild = self.world.guilds.get(int(gid)) if gid else None
            if guild is None:
                continue
            members = [m for uid in guild.members if (m := self.world.member_json(guild, uid)) is not None]
            chunk: JSON = {"guild_id": str(guild.id), "members": members, "chunk_index": 0, "chunk_count": 1}
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    # ---- REST: gateway, users, application ----------------------------------------------------------

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        self._bot(request)
        return json_response(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1},
            }
        )

    async def _get_me(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        user = self.world.users[bot.user_id]
        return json_response(user.to_json() | {"verified": True, "mfa_enabled": False, "email": None})

    async def _get_user(self, request: web.Request) -> web.Response:
        self._bot(request)
        user = self.world.users.get(snowflake_param(request, "user_id"))
        if user is None:
            raise unknown("User", 10013)
        return json_response(user.to_json())

    async def _get_application(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        user = self.world.users[bot.user_id]
        owner = self.world.users.get(next(iter(self.world.guilds.values())).owner_id) if self.world.guilds else None
        return json_response(
            {
                "id": str(bot.application_id),
                "name": user.username,
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": (owner or user).to_json(),
                "verify_key": "00" * 32,
                "flags": 0,
                "team": None,
                "bot": user.to_json(),
                "summary": "",
                "rpc_origins": [],
                "tags": [],
                "redirect_uris": [],
                "approximate_guild_count": len(self.world.guilds),
            }
        )

    async def _empty_list(self, request: web.Request) -> web.Response:
        self._bot(request)
        return json_response([])

    # ---- REST: application commands -----------------------------------------------------------------

    def _command_scope(self, request: web.Request) -> tuple[int, int | None]:
        bot = self._bot(request)
        app_id = snowflake_param(request, "app_id")
        if app_id != bot.application_id:
            raise ApiError(403, "Missing Access", 50001)
        guild_id = snowflake_param(request, "guild_id") if "guild_id" in request.match_info else None
        if guild_id is not None:
            self._guild(guild_id)
        return app_id, guild_id

    def _scoped_commands(self, app_id: int, guild_id: int | None) -> list[ApplicationCommand]:
        return [c for c in self.world.commands.values() if c.application_id == app_id and c.guild_id == guild_id]

    def _make_command(
        self, app_id: int, guild_id: int | None, body: JSON, cmd_id: int | None = None
    ) -> ApplicationCommand:
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise bad_request("Invalid Form Body", {"name": {"_errors": [{"code": "BASE_TYPE_REQUIRED"}]}})
        options = body.get("options") or []
        if not isinstance(options, list):
            raise bad_request("Invalid Form Body", {"options": {"_errors": [{"code": "BASE_TYPE_BAD"}]}})
        return ApplicationCommand(
            id=cmd_id or new_snowflake(),
            application_id=app_id,
            guild_id=guild_id,
            name=name,
            description=str(body.get("description") or ""),
            type=int(body.get("type") or 1),
            options=options,
            raw=body,
        )

    async def _list_commands(self, request: web.Request) -> web.Response:
        app_id, guild_id = self._command_scope(request)
        return json_response([c.to_json() for c in self._scoped_commands(app_id, guild_id)])

    async def _put_commands(self, request: web.Request) -> web.Response:
        app_id, guild_id = self._command_scope(request)
        bodies = await self._list_body(request)
        existing = {(c.name, c.type): c for c in self._scoped_commands(app_id, guild_id)}
        new = [
            self._make_command(
                app_id,
                guild_id,
                b,
                existing[(b["name"], int(b.get("type") or 1))].id
                if (b.get("name"), int(b.get("type") or 1)) in existing
                else None,
            )
            for b in bodies
        ]
        for c in existing.values():
            self.world.commands.pop(c.id, None)
        for c in new:
            self.world.commands[c.id] = c
        log.info("app %s synced %d commands (guild %s)", app_id, len(new), guild_id)
        return json_response([c.to_json() for c in new])

    async def _post_command(self, request: web.Request) -> web.Response:
        app_id, guild_id = self._command_scope(request)
        body = await self._body(request)
        existing = {(c.name, c.type): c for c in self._scoped_commands(app_id, guild_id)}
        key = (body.get("name"), int(body.get("type") or 1))
        old = existing.get(key)  # type: ignore[arg-type]
        cmd = self._make_command(app_id, guild_id, body, old.id if old else None)
        self.world.commands[cmd.id] = cmd
        return json_response(cmd.to_json(), status=200 if old else 201)

    def _scoped_command(self, request: web.Request) -> ApplicationCommand:
        app_id, guild_id = self._command_scope(request)
        cmd = self.world.commands.get(snowflake_param(request, "cmd_id"))
        if cmd is None or cmd.application_id != app_id or cmd.guild_id != guild_id:
            raise unknown("application command", 10063)
        return cmd

    async def _get_command(self, request: web.Request) -> web.Response:
        return json_response(self._scoped_command(request).to_json())

    async def _patch_command(self, request: web.Request) -> web.Response:
        cmd = self._scoped_command(request)
        body = await self._body(request)
        merged = cmd.raw | body
        merged["name"] = merged.get("name", cmd.name)
        new = self._make_command(cmd.application_id, cmd.guild_id, merged, cmd.id)
        self.world.commands[cmd.id] = new
        return json_response(new.to_json())

    async def _delete_command(self, request: web.Request) -> web.Response:
        cmd = self._scoped_command(request)
        self.world.commands.pop(cmd.id, None)
        return no_content()

    # ---- REST: interactions and webhooks ------------------------------------------------------------

    def _message_from_body(self, rec: InteractionRecord, body: JSON, type_: int) -> Message:
        flags = int(body.get("flags") or 0)
        embeds = body.get("embeds")
        if embeds is None and body.get("embed"):
            embeds = [body["embed"]]
        return Message(
            id=new_snowflake(),
            channel_id=rec.channel_id,
            guild_id=rec.guild_id,
            author_id=self.world.bot_by_application(rec.application_id).user_id  # type: ignore[union-attr]
            if self.world.bot_by_application(rec.application_id)
            else rec.application_id,
            content=str(body.get("content") or ""),
            embeds=list(embeds or []),
            components=list(body.get("components") or []),
            flags=flags,
            type=type_,
            application_id=rec.application_id,
            webhook_id=rec.application_id,
            interaction_id=rec.id,
        )

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        iid = snowflake_param(request, "interaction_id")
        rec = self.world.interactions.get(iid)
        if rec is None or rec.token != request.match_info["token"]:
            raise unknown("interaction", 10062)
        body = await self._body(request)
        try:
            rtype = int(body["type"])
        except (KeyError, TypeError, ValueError):
            raise bad_request("Invalid Form Body", {"type": {"_errors": [{"code": "BASE_TYPE_REQUIRED"}]}}) from None
        data = body.get("data") or {}
        if not isinstance(data, dict):
            raise bad_request("Invalid Form Body", {"data": {"_errors": [{"code": "DICT_TYPE_CONVERT"}]}})
        if rec.response_type is not None:
            raise ApiError(400, "Interaction has already been acknowledged.", 40060)
        if rtype not in (1, 4, 5, 6, 7, 8, 9):
            raise bad_request("Invalid Form Body", {"type": {"_errors": [{"code": "BASE_TYPE_CHOICES"}]}})
        msg: Message | None = None
        if rtype == 4:
            msg_type = 20 if rec.type == INTERACTION_COMMAND else 19
            msg = self._message_from_body(rec, data, msg_type)
            self.world.messages[msg.id] = msg
            rec.ephemeral = msg.ephemeral
            rec.response_message_id = msg.id
            await self.publish_message(msg)
        elif rtype == 5:
            msg_type = 20 if rec.type == INTERACTION_COMMAND else 19
            msg = self._message_from_body(rec, {"flags": int(data.get("flags") or 0) | FLAG_LOADING}, msg_type)
            self.world.messages[msg.id] = msg
            rec.deferred = True
            rec.ephemeral = msg.ephemeral
            rec.response_message_id = msg.id
            await self.publish_message(msg)
        elif rtype in (6, 7):
            if rec.source_message_id is None:
                raise ApiError(400, "Interaction response type is not valid for this interaction", 50035, {})
            msg = self.world.messages.get(rec.source_message_id)
            rec.response_message_id = rec.source_message_id
            rec.deferred = rtype == 6
            if msg is not None:
                rec.ephemeral = msg.ephemeral
                if rtype == 7:
                    msg.apply_edit(data)
                    rec.original_edited = True
                    await self.publish_message(msg, "MESSAGE_UPDATE")
        elif rtype == 8:
            rec.autocomplete_choices = list(data.get("choices") or [])
        elif rtype == 9:
            rec.modal = data
        rec.response_type = rtype
        log.debug("interaction %s answered with type %s", rec.id, rtype)
        if request.query.get("with_response", "").lower() not in ("1", "true"):
            return await self._ack(request, rec, no_content())
        resource: JSON = {"type": rtype}
        if msg is not None:
            resource["message"] = self.world.message_json(msg)
        return await self._ack(
            request,
            rec,
            json_response(
                {
                    "interaction": {
                        "id": str(rec.id),
                        "type": rec.type,
                        "response_message_id": str(rec.response_message_id) if rec.response_message_id else None,
                        "response_message_loading": rtype == 5,
                        "response_message_ephemeral": rec.ephemeral,
                    },
                    "resource": resource,
                }
            ),
        )

    async def _ack(self, request: web.Request, rec: InteractionRecord, response: web.Response) -> web.Response:
        """Write the callback reply, then tell driver waiters (the bot has its answer before the user acts)."""
        await response.prepare(request)
        await response.write_eof()
        rec.acked = True
        self.notify(rec.id)
        return response

    def _webhook_interaction(self, request: web.Request) -> InteractionRecord:
        app_id = snowflake_param(request, "app_id")
        rec = self.world.interaction_by_token(request.match_info["token"])
        if rec is None or rec.application_id != app_id:
            raise unknown("Webhook", 10015)
        return rec

    def _webhook_message(self, request: web.Request, rec: InteractionRecord) -> Message:
        raw = request.match_info["message_id"]
        if raw == "@original":
            if rec.response_message_id is None:
                raise unknown("Message", 10008)
            return self._message(rec.response_message_id)
        mid = snowflake_param(request, "message_id")
        if mid != rec.response_message_id and mid not in rec.followup_ids:
            raise unknown("Message", 10008)
        return self._message(mid)

    def _wants_wait(self, request: web.Request) -> bool:
        return request.query.get("wait", "").lower() in ("1", "true")

    async def _webhook_followup(self, request: web.Request) -> web.Response:
        rec = self._webhook_interaction(request)
        body = await self._body(request)
        if rec.response_type is None:
            raise unknown("Webhook", 10015)
        original_alive = rec.response_message_id is not None and rec.response_message_id in self.world.messages
        if rec.response_type == 5 and not rec.original_edited and original_alive:
            # Discord: the first followup after a "thinking" defer replaces the loading message.
            msg = self._message(rec.response_message_id)
            msg.apply_edit(body)
            rec.original_edited = True
            await self.publish_message(msg, "MESSAGE_UPDATE")
        else:
            msg = self._message_from_body(rec, body, 0)
            self.world.messages[msg.id] = msg
            rec.followup_ids.append(msg.id)
            await self.publish_message(msg)
        self.notify(rec.id)
        if not self._wants_wait(request):
            return no_content()
        return json_response(self.world.message_json(msg))

    async def _webhook_get_message(self, request: web.Request) -> web.Response:
        rec = self._webhook_interaction(request)
        return json_response(self.world.message_json(self._webhook_message(request, rec)))

    async def _webhook_edit_message(self, request: web.Request) -> web.Response:
        rec = self._webhook_interaction(request)
        msg = self._webhook_message(request, rec)
        body = await self._body(request)
        msg.apply_edit(body)
        if msg.id == rec.response_message_id:
            rec.original_edited = True
        await self.publish_message(msg, "MESSAGE_UPDATE")
        self.notify(rec.id)
        return json_response(self.world.message_json(msg))

    async def _webhook_delete_message(self, request: web.Request) -> web.Response:
        rec = self._webhook_interaction(request)
        msg = self._webhook_message(request, rec)
        await self.remove_message(msg)
        self.notify(rec.id)
        return no_content()

    async def remove_message(self, msg: Message) -> None:
        self.world.messages.pop(msg.id, None)
        if not msg.ephemeral:
            data: JSON = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
            if msg.guild_id is not None:
                data["guild_id"] = str(msg.guild_id)
            await self.dispatch_all("MESSAGE_DELETE", data)

    # ---- REST: channels and messages ----------------------------------------------------------------

    async def _get_channel(self, request: web.Request) -> web.Response:
        self._bot(request)
        return json_response(self._channel(snowflake_param(request, "channel_id")).to_json())

    async def _list_messages(self, request: web.Request) -> web.Response:
        self._bot(request)
        ch = self._channel(snowflake_param(request, "channel_id"))
        try:
            limit = max(1, min(100, int(request.query.get("limit", "50"))))
            before = int(request.query["before"]) if "before" in request.query else None
            after = int(request.query["after"]) if "after" in request.query else None
        except ValueError:
            raise bad_request("Invalid Form Body: bad query") from None
        msgs = sorted(self.world.channel_messages(ch.id), key=lambda m: m.id, reverse=True)
        if before is not None:
            msgs = [m for m in msgs if m.id < before]
        if after is not None:
            msgs = [m for m in msgs if m.id > after]
            msgs = sorted(msgs, key=lambda m: m.id)[:limit]
            msgs.reverse()
        return json_response([self.world.message_json(m) for m in msgs[:limit]])

    async def _create_message(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        ch = self._channel(snowflake_param(request, "channel_id"))
        body = await self._body(request)
        embeds = body.get("embeds")
        if embeds is None and body.get("embed"):
            embeds = [body["embed"]]
        content = body.get("content")
        components = body.get("components")
        if not content and not embeds and not components and not body.get("sticker_ids"):
            raise ApiError(400, "Cannot send an empty message", 50006)
        if not isinstance(embeds or [], list) or not isinstance(components or [], list):
            raise bad_request("Invalid Form Body", {"embeds": {"_errors": [{"code": "LIST_TYPE_CONVERT"}]}})
        msg = Message(
            id=new_snowflake(),
            channel_id=ch.id,
            guild_id=ch.guild_id,
            author_id=bot.user_id,
            content=str(content or ""),
            embeds=list(embeds or []),
            components=list(components or []),
            flags=int(body.get("flags") or 0) & ~FLAG_EPHEMERAL,
            application_id=bot.application_id,
            type=19 if body.get("message_reference") else 0,
        )
        self.world.messages[msg.id] = msg
        await self.publish_message(msg)
        return json_response(self.world.message_json(msg))

    async def _get_message(self, request: web.Request) -> web.Response:
        self._bot(request)
        msg = self._message(snowflake_param(request, "message_id"), snowflake_param(request, "channel_id"))
        return json_response(self.world.message_json(msg))

    async def _edit_message(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        msg = self._message(snowflake_param(request, "message_id"), snowflake_param(request, "channel_id"))
        body = await self._body(request)
        if msg.author_id != bot.user_id:
            raise ApiError(403, "Cannot edit a message authored by another user", 50005)
        msg.apply_edit(body)
        await self.publish_message(msg, "MESSAGE_UPDATE")
        return json_response(self.world.message_json(msg))

    async def _delete_message(self, request: web.Request) -> web.Response:
        self._bot(request)
        msg = self._message(snowflake_param(request, "message_id"), snowflake_param(request, "channel_id"))
        await self.remove_message(msg)
        return no_content()

    async def _typing(self, request: web.Request) -> web.Response:
        self._bot(request)
        self._channel(snowflake_param(request, "channel_id"))
        return no_content()

    # ---- REST: guilds -------------------------------------------------------------------------------

    async def _get_guild(self, request: web.Request) -> web.Response:
        self._bot(request)
        guild = self._guild(snowflake_param(request, "guild_id"))
        return json_response(self.world.guild_json(guild, full=False))

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        self._bot(request)
        guild = self._guild(snowflake_param(request, "guild_id"))
        return json_response([c.to_json() for c in guild.channels.values()])

    async def _get_guild_roles(self, request: web.Request) -> web.Response:
        self._bot(request)
        guild = self._guild(snowflake_param(request, "guild_id"))
        return json_response([r.to_json() for r in guild.roles.values()])

    async def _list_members(self, request: web.Request) -> web.Response:
        self._bot(request)
        guild = self._guild(snowflake_param(request, "guild_id"))
        return json_response([m for uid in guild.members if (m := self.world.member_json(guild, uid))])

    async def _get_member(self, request: web.Request) -> web.Response:
        self._bot(request)
        guild = self._guild(snowflake_param(request, "guild_id"))
        member = self.world.member_json(guild, snowflake_param(request, "user_id"))
        if member is None:
            raise unknown("Member", 10007)
        return json_response(member)

    async def _patch_member(self, request: web.Request) -> web.Response:
        """Only voice moves/disconnects (``channel_id``) are modelled."""
        self._bot(request)
        guild = self._guild(snowflake_param(request, "guild_id"))
        user_id = snowflake_param(request, "user_id")
        body = await self._body(request)
        if guild.members.get(user_id) is None:
            raise unknown("Member", 10007)
        if "channel_id" in body:
            vs = guild.voice_states.get(user_id)
            if vs is None:
                raise ApiError(400, "Target user is not connected to voice.", 40032)
            target = int(body["channel_id"]) if body["channel_id"] else None
            if target is not None and (target not in guild.channels or not guild.channels[target].is_voice):
                raise unknown("Channel", 10003)
            await self.set_voice_state(guild.id, user_id, target, self_mute=vs.self_mute, self_deaf=vs.self_deaf)
        member = self.world.member_json(guild, user_id)
        return json_response(member)
