"""An in-process fake Lavalink v4 server that the real wavelink 3.x client accepts.

It models sessions, players, a playback clock (wall time × ``speed``), websocket events, session resuming
and a fault-injection control API under ``/_sandbox/`` (no auth). See ``FakeLavalink``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from aiohttp import WSMsgType, web

from azura_sandbox.fake_lavalink import catalogue
from azura_sandbox.web import serve_app

logger = logging.getLogger(__name__)

LAVALINK_VERSION = "4.0.8"
DEFAULT_RESUME_TIMEOUT_S = 60
STUCK_THRESHOLD_MS = 10_000
FILTERS = [
    "volume", "equalizer", "karaoke", "timescale", "tremolo", "vibrato", "distortion", "rotation",
    "channelMix", "lowPass",
]
WS_CLOSE_REASONS: dict[int, str] = {
    4001: "Unknown opcode", 4002: "Failed to decode payload", 4003: "Not authenticated",
    4004: "Authentication failed", 4005: "Already authenticated", 4006: "Session no longer valid",
    4009: "Session timeout", 4011: "Server not found", 4012: "Unknown protocol",
    4014: "Disconnected", 4015: "Voice server crashed", 4016: "Unknown encryption mode",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LavalinkError(Exception):
    """Raised inside handlers to answer with Lavalink's error JSON."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_body(status: int, message: str, path: str, trace: str | None = None) -> dict[str, Any]:
    """Lavalink v4's REST error shape."""
    body: dict[str, Any] = {
        "timestamp": int(time.time() * 1000),
        "status": status,
        "error": HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error",
        "message": message,
        "path": path,
    }
    if trace is not None:
        body["trace"] = trace
    return body


def _error_response(request: web.Request, status: int, message: str, trace: str | None = None) -> web.Response:
    want_trace = request.query.get("trace", "").lower() == "true"
    return web.json_response(
        error_body(status, message, request.path, (trace or "") if want_trace else None), status=status
    )


@dataclass
class FakePlayer:
    """One guild's player inside a session, with its playback clock."""

    guild_id: str
    speed: float
    advance_without_voice: bool
    track: dict[str, Any] | None = None
    volume: int = 100
    paused: bool = False
    filters: dict[str, Any] = field(default_factory=dict)
    voice: dict[str, Any] = field(default_factory=dict)
    end_time: int | None = None
    base_position: int = 0
    anchor: float = field(default_factory=time.monotonic)
    end_handle: asyncio.TimerHandle | None = None
    generation: int = 0

    @property
    def connected(self) -> bool:
        return all(self.voice.get(key) for key in ("token", "endpoint", "sessionId"))

    @property
    def running(self) -> bool:
        """Whether the clock advances: a track, not paused, and voice (unless ``advance_without_voice``)."""
        return (
            self.track is not None and not self.paused and (self.connected or self.advance_without_voice)
        )

    @property
    def limit(self) -> int | None:
        """Position (ms) at which the current track finishes, or ``None`` for a stream without endTime."""
        if self.track is None:
            return None
        info = self.track["info"]
        length = None if info.get("isStream") else int(info["length"])
        if self.end_time is not None:
            return self.end_time if length is None else min(self.end_time, length)
        return length

    def position(self, now: float | None = None) -> int:
        if self.track is None:
            return 0
        now = time.monotonic() if now is None else now
        pos = self.base_position
        if self.running:
            pos += int((now - self.anchor) * 1000 * self.speed)
        limit = self.limit
        return min(pos, limit) if limit is not None else pos

    def rebase(self, position: int | None = None) -> None:
        """Freeze the clock at ``position`` (or the current one) before changing what makes it run."""
        now = time.monotonic()
        self.base_position = self.position(now) if position is None else max(0, position)
        self.anchor = now

    def track_with_position(self) -> dict[str, Any] | None:
        if self.track is None:
            return None
        track = dict(self.track)
        track["info"] = {**self.track["info"], "position": self.position()}
        return track

    def state(self) -> dict[str, Any]:
        return {
            "time": int(time.time() * 1000),
            "position": self.position(),
            "connected": self.connected,
            "ping": 12 if self.connected else -1,
        }

    def response(self) -> dict[str, Any]:
        return {
            "guildId": self.guild_id,
            "track": self.track_with_position(),
            "volume": self.volume,
            "paused": self.paused,
            "state": self.state(),
            "voice": {
                "token": self.voice.get("token", ""),
                "endpoint": self.voice.get("endpoint", ""),
                "sessionId": self.voice.get("sessionId", ""),
            },
            "filters": self.filters,
        }


@dataclass
class Session:
    """A websocket session (possibly detached while within its resume timeout)."""

    session_id: str
    user_id: str
    client_name: str
    ws: web.WebSocketResponse | None = None
    resuming: bool = False
    timeout: int = DEFAULT_RESUME_TIMEOUT_S
    detached_at: float | None = None
    players: dict[str, FakePlayer] = field(default_factory=dict)
    backlog: list[dict[str, Any]] = field(default_factory=list)


class FakeLavalink:
    """A fake Lavalink v4 node.

    ``speed`` multiplies the playback clock (50 → a 3-minute track lasts 3.6 s). ``player_update_interval``
    and ``stats_interval`` are wall-clock seconds. ``advance_without_voice`` lets the clock run for
    players that never received a voice state (real Lavalink does not play them).
    """

    def __init__(
        self,
        password: str = "youshallnotpass",
        speed: float = 1.0,
        *,
        player_update_interval: float = 1.0,
        stats_interval: float = 5.0,
        advance_without_voice: bool = True,
    ) -> None:
        self.password = password
        self.speed = speed
        self.player_update_interval = player_update_interval
        self.stats_interval = stats_interval
        self.advance_without_voice = advance_without_voice
        self.sessions: dict[str, Session] = {}
        self.searches: list[str] = []  # every loadtracks identifier, in order
        self.started_at = time.monotonic()
        self.port: int | None = None
        # faults
        self.refuse_connections = False
        self.http_500_remaining = 0
        self.delay_ms = 0
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._ws_tasks: set[asyncio.Task[Any]] = set()
        self.app = self._build_app()

    # ------------------------------------------------------------------ lifecycle

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_get("/version", self._version)
        r.add_get("/v4/info", self._info)
        r.add_get("/v4/stats", self._stats)
        r.add_get("/v4/websocket", self._websocket)
        r.add_get("/v4/loadtracks", self._loadtracks)
        r.add_get("/v4/decodetrack", self._decodetrack)
        r.add_post("/v4/decodetracks", self._decodetracks)
        r.add_get("/v4/routeplanner/status", self._routeplanner)
        r.add_patch("/v4/sessions/{sid}", self._update_session)
        r.add_get("/v4/sessions/{sid}/players", self._get_players)
        r.add_get("/v4/sessions/{sid}/players/{guild}", self._get_player)
        r.add_patch("/v4/sessions/{sid}/players/{guild}", self._update_player)
        r.add_delete("/v4/sessions/{sid}/players/{guild}", self._destroy_player)
        r.add_get("/_sandbox/players", self._sandbox_players)
        r.add_post("/_sandbox/faults", self._sandbox_faults)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Start serving; returns the bound port."""
        self._runner, self.port = await serve_app(self.app, host, port)
        self._tasks = [
            asyncio.create_task(self._player_update_loop(), name="fake-lavalink-player-updates"),
            asyncio.create_task(self._stats_loop(), name="fake-lavalink-stats"),
            asyncio.create_task(self._expiry_loop(), name="fake-lavalink-expiry"),
        ]
        logger.info("fake Lavalink listening on %s:%s (speed %.1f)", host, self.port, self.speed)
        return self.port

    async def stop(self) -> None:
        """Stop serving, closing websockets and timers."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        for session in self.sessions.values():
            for player in session.players.values():
                self._cancel_end(player)
            if session.ws is not None and not session.ws.closed:
                with contextlib.suppress(Exception):
                    await session.ws.close(code=1001, message=b"Shutting down")
        self.sessions.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        logger.info("fake Lavalink stopped")

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ middleware

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        is_lavalink = not path.startswith("/_sandbox/")
        try:
            if is_lavalink:
                if self.refuse_connections:
                    logger.info("refusing %s %s (fault)", request.method, path)
                    if request.transport is not None:
                        request.transport.abort()  # the client sees the connection die, as with a dead node
                    return web.Response(status=503)
                if request.headers.get("Authorization") != self.password:
                    return _error_response(request, 401, "Unauthorized")
                if self.delay_ms > 0:
                    await asyncio.sleep(self.delay_ms / 1000)
                if self.http_500_remaining > 0 and path != "/v4/websocket":
                    self.http_500_remaining -= 1
                    return _error_response(request, 500, "Injected failure (fake Lavalink fault)")
            return await handler(request)
        except LavalinkError as exc:
            return _error_response(request, exc.status, exc.message)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return _error_response(request, exc.status, exc.reason)
        except Exception as exc:
            logger.exception("fake Lavalink handler failed for %s %s", request.method, path)
            return _error_response(request, 500, f"{type(exc).__name__}: {exc}", traceback.format_exc())

    # ------------------------------------------------------------------ helpers

    async def _json(self, request: web.Request) -> Any:
        raw = await request.read()
        try:
            return json.loads(raw.decode() or "null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise LavalinkError(400, f"Malformed JSON body: {exc}") from exc

    def _session(self, request: web.Request) -> Session:
        session = self.sessions.get(request.match_info["sid"])
        if session is None:
            raise LavalinkError(404, "Session not found")
        return session

    @staticmethod
    def _guild(request: web.Request) -> str:
        guild = request.match_info["guild"]
        if not guild.isdigit():
            raise LavalinkError(400, f"Invalid guild id: {guild}")
        return guild

    def _stats_payload(self) -> dict[str, Any]:
        players = [p for s in self.sessions.values() for p in s.players.values()]
        playing = sum(1 for p in players if p.track is not None and not p.paused)
        return {
            "players": len(players),
            "playingPlayers": playing,
            "uptime": int((time.monotonic() - self.started_at) * 1000),
            "memory": {"free": 100_000_000, "used": 80_000_000, "allocated": 180_000_000,
                       "reservable": 1_000_000_000},
            "cpu": {"cores": 4, "systemLoad": 0.05, "lavalinkLoad": 0.01},
            "frameStats": {"sent": 3000, "nulled": 0, "deficit": 0} if players else None,
        }

    async def _send(self, session: Session, payload: dict[str, Any], *, buffer: bool = True) -> None:
        """Send to the session's websocket; events are buffered while a resumable session is detached."""
        ws = session.ws
        if ws is None or ws.closed:
            if buffer and session.resuming:
                session.backlog.append(payload)
            return
        try:
            await ws.send_json(payload)
        except Exception as exc:  # a dying socket must never break the server
            logger.debug("send to session %s failed: %s", session.session_id, exc)
            if buffer and session.resuming:
                session.backlog.append(payload)

    def _emit(self, session: Session, payload: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._send(session, payload))
        self._ws_tasks.add(task)
        task.add_done_callback(self._ws_tasks.discard)

    def _event(self, session: Session, player: FakePlayer, event_type: str, **fields: Any) -> None:
        logger.debug("session %s guild %s: %s %s", session.session_id, player.guild_id, event_type, fields.get(
            "reason", ""))
        self._emit(session, {"op": "event", "type": event_type, "guildId": player.guild_id, **fields})

    # ------------------------------------------------------------------ playback

    def _cancel_end(self, player: FakePlayer) -> None:
        player.generation += 1
        if player.end_handle is not None:
            player.end_handle.cancel()
            player.end_handle = None

    def _schedule_end(self, session: Session, player: FakePlayer) -> None:
        self._cancel_end(player)
        limit = player.limit
        if not player.running or limit is None:
            return
        remaining_ms = max(0, limit - player.position())
        generation = player.generation
        player.end_handle = asyncio.get_running_loop().call_later(
            remaining_ms / 1000 / self.speed, self._finish, session, player, generation
        )

    def _finish(self, session: Session, player: FakePlayer, generation: int) -> None:
        if generation != player.generation or player.track is None:
            return
        if player.running and (player.limit or 0) > player.position():  # clock drift: try again shortly
            self._schedule_end(session, player)
            return
        self._end_track(session, player, "finished")

    def _end_track(self, session: Session, player: FakePlayer, reason: str) -> None:
        track = player.track_with_position()
        self._cancel_end(player)
        player.track = None
        player.end_time = None
        player.base_position = 0
        player.anchor = time.monotonic()
        if track is not None:
            self._event(session, player, "TrackEndEvent", track=track, reason=reason)

    def _start_track(
        self, session: Session, player: FakePlayer, track: dict[str, Any], position: int, no_replace: bool
    ) -> None:
        if player.track is not None:
            if no_replace:
                return
            self._end_track(session, player, "replaced")
        player.track = track
        player.base_position = max(0, position)
        player.anchor = time.monotonic()
        self._event(session, player, "TrackStartEvent", track=player.track_with_position())
        if "loadfail" in str(track["info"].get("uri", "")).lower():
            self._fail_track(session, player, "The track could not be loaded (fake loadfail).")

    def _fail_track(self, session: Session, player: FakePlayer, message: str) -> None:
        if player.track is None:
            return
        exception = {
            "message": message,
            "severity": "common",
            "cause": f"com.sedmelluq.discord.lavaplayer.tools.FriendlyException: {message}",
            "causeStackTrace": "",
        }
        self._event(session, player, "TrackExceptionEvent", track=player.track_with_position(),
                    exception=exception)
        self._end_track(session, player, "loadFailed")

    # ------------------------------------------------------------------ REST routes

    async def _version(self, request: web.Request) -> web.Response:
        return web.Response(text=LAVALINK_VERSION)

    async def _info(self, request: web.Request) -> web.Response:
        major, minor, patch = (int(x) for x in LAVALINK_VERSION.split("."))
        return web.json_response({
            "version": {"semver": LAVALINK_VERSION, "major": major, "minor": minor, "patch": patch,
                        "preRelease": None, "build": None},
            "buildTime": 1_700_000_000_000,
            "git": {"branch": "main", "commit": "fa4e1a7", "commitTime": 1_700_000_000_000},
            "jvm": "17.0.9",
            "lavaplayer": "2.2.1",
            "sourceManagers": catalogue.SOURCE_MANAGERS,
            "filters": FILTERS,
            "plugins": [],
        })

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(self._stats_payload())

    async def _routeplanner(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _loadtracks(self, request: web.Request) -> web.Response:
        identifier = request.query.get("identifier")
        if identifier is None:
            raise LavalinkError(400, "Required parameter 'identifier' is not present")
        self.searches.append(identifier)  # observable truth: tests check what was (not) searched
        return web.json_response(catalogue.load_tracks(identifier))

    async def _decodetrack(self, request: web.Request) -> web.Response:
        encoded = request.query.get("encodedTrack")
        if encoded is None:
            raise LavalinkError(400, "Required parameter 'encodedTrack' is not present")
        track = catalogue.decode_track(encoded)
        if track is None:
            raise LavalinkError(400, "Failed to decode track")
        return web.json_response(track)

    async def _decodetracks(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        if not isinstance(body, list) or not all(isinstance(x, str) for x in body):
            raise LavalinkError(400, "Body must be a JSON array of encoded tracks")
        tracks = [catalogue.decode_track(x) for x in body]
        if any(t is None for t in tracks):
            raise LavalinkError(400, "Failed to decode track")
        return web.json_response(tracks)

    async def _update_session(self, request: web.Request) -> web.Response:
        session = self._session(request)
        body = await self._json(request)
        if not isinstance(body, dict):
            raise LavalinkError(400, "Body must be a JSON object")
        if "resuming" in body:
            if not isinstance(body["resuming"], bool):
                raise LavalinkError(400, "'resuming' must be a boolean")
            session.resuming = body["resuming"]
        if "timeout" in body:
            if not isinstance(body["timeout"], int) or isinstance(body["timeout"], bool) or body["timeout"] < 0:
                raise LavalinkError(400, "'timeout' must be a non-negative integer")
            session.timeout = body["timeout"]
        return web.json_response({"resuming": session.resuming, "timeout": session.timeout})

    async def _get_players(self, request: web.Request) -> web.Response:
        session = self._session(request)
        return web.json_response([p.response() for p in session.players.values()])

    async def _get_player(self, request: web.Request) -> web.Response:
        session = self._session(request)
        player = session.players.get(self._guild(request))
        if player is None:
            raise LavalinkError(404, "Player not found")
        return web.json_response(player.response())

    def _resolve_track(self, body: dict[str, Any]) -> tuple[bool, dict[str, Any] | None]:
        """Returns (track given?, track or None meaning stop)."""
        if "track" in body:
            spec = body["track"]
            if not isinstance(spec, dict):
                raise LavalinkError(400, "'track' must be an object")
            if "encoded" in spec and "identifier" in spec:
                raise LavalinkError(400, "Only one of 'encoded' or 'identifier' may be set")
            user_data = spec.get("userData") or {}
            if not isinstance(user_data, dict):
                raise LavalinkError(400, "'userData' must be an object")
            if "identifier" in spec:
                result = catalogue.load_tracks(str(spec["identifier"]))
                data = result["data"]
                first = {"track": data, "search": (data or [None])[0],
                         "playlist": (data.get("tracks") if isinstance(data, dict) else None) or [None]}
                found = first.get(result["loadType"])
                if isinstance(found, list):
                    found = found[0]
                if not found:
                    raise LavalinkError(400, f"No track found for identifier {spec['identifier']!r}")
                return True, {**found, "userData": user_data}
            if "encoded" not in spec:
                if "userData" in spec:
                    return False, None  # userData alone: updated on the current track by caller
                raise LavalinkError(400, "'track' needs 'encoded' or 'identifier'")
            encoded = spec["encoded"]
        elif "encodedTrack" in body:
            encoded = body["encodedTrack"]
            user_data = {}
        else:
            return False, None
        if encoded is None:
            return True, None
        if not isinstance(encoded, str):
            raise LavalinkError(400, "Encoded track must be a string")
        decoded = catalogue.decode_track(encoded)
        if decoded is None:
            raise LavalinkError(400, "Failed to decode track")
        decoded["userData"] = user_data
        return True, decoded

    async def _update_player(self, request: web.Request) -> web.Response:
        session = self._session(request)
        guild = self._guild(request)
        body = await self._json(request)
        if not isinstance(body, dict):
            raise LavalinkError(400, "Body must be a JSON object")
        no_replace = request.query.get("noReplace", "false").lower() == "true"

        # validate everything before mutating anything
        track_given, new_track = self._resolve_track(body)
        position = body.get("position")
        if position is not None and (not isinstance(position, int) or isinstance(position, bool)):
            raise LavalinkError(400, "'position' must be an integer")
        end_time_given = "endTime" in body
        end_time = body.get("endTime")
        if end_time is not None and (not isinstance(end_time, int) or isinstance(end_time, bool) or end_time < 0):
            raise LavalinkError(400, "'endTime' must be a non-negative integer or null")
        volume = body.get("volume")
        if volume is not None and (not isinstance(volume, int) or isinstance(volume, bool) or not 0 <= volume <= 1000):
            raise LavalinkError(400, "'volume' must be an integer between 0 and 1000")
        paused = body.get("paused")
        if paused is not None and not isinstance(paused, bool):
            raise LavalinkError(400, "'paused' must be a boolean")
        filters = body.get("filters")
        if filters is not None and not isinstance(filters, dict):
            raise LavalinkError(400, "'filters' must be an object")
        voice = body.get("voice")
        if voice is not None:
            if not isinstance(voice, dict) or not all(
                isinstance(voice.get(k), str) and voice.get(k) for k in ("token", "endpoint", "sessionId")
            ):
                raise LavalinkError(400, "Partial Lavalink voice state: token, endpoint and sessionId required")

        player = session.players.get(guild)
        if player is None:
            player = FakePlayer(guild, self.speed, self.advance_without_voice)
            session.players[guild] = player
            logger.info("session %s: created player for guild %s", session.session_id, guild)

        player.rebase()
        if voice is not None:
            player.voice = {k: voice[k] for k in ("token", "endpoint", "sessionId")}
            if "channelId" in voice:
                player.voice["channelId"] = voice["channelId"]
        if volume is not None:
            player.volume = volume
        if filters is not None:
            player.filters = filters
        if paused is not None:
            player.paused = paused
        if "track" in body and isinstance(body["track"], dict) and not track_given and player.track is not None:
            player.track = {**player.track, "userData": body["track"].get("userData") or {}}

        if track_given:
            if new_track is None:
                if player.track is not None:
                    self._end_track(session, player, "stopped")
            elif not (no_replace and player.track is not None):
                self._start_track(session, player, new_track, position or 0, no_replace)
                if player.track is not None:
                    player.end_time = end_time if end_time_given else None
        else:
            if end_time_given:
                player.end_time = end_time
            if position is not None and player.track is not None and player.track["info"].get("isSeekable", True):
                player.rebase(position)
        self._schedule_end(session, player)
        return web.json_response(player.response())

    async def _destroy_player(self, request: web.Request) -> web.Response:
        session = self._session(request)
        guild = self._guild(request)
        player = session.players.pop(guild, None)
        if player is not None:
            if player.track is not None:
                self._end_track(session, player, "cleanup")
            self._cancel_end(player)
            logger.info("session %s: destroyed player for guild %s", session.session_id, guild)
        return web.Response(status=204)

    # ------------------------------------------------------------------ websocket

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        user_id = request.headers.get("User-Id", "")
        client_name = request.headers.get("Client-Name", "")
        if not user_id.isdigit():
            raise LavalinkError(400, "Missing or invalid User-Id header")
        if not client_name:
            raise LavalinkError(400, "Missing Client-Name header")
        wanted = request.headers.get("Session-Id")
        session = self.sessions.get(wanted) if wanted else None
        resumed = (
            session is not None
            and session.resuming
            and session.detached_at is not None
            and (session.ws is None or session.ws.closed)
        )
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        if resumed and session is not None:
            session.ws = ws
            session.detached_at = None
            logger.info("session %s resumed by %s (%s)", session.session_id, client_name, user_id)
        else:
            session = Session(secrets.token_hex(8), user_id, client_name, ws=ws)
            self.sessions[session.session_id] = session
            logger.info("new session %s for %s (%s)", session.session_id, client_name, user_id)
        await self._send(session, {"op": "ready", "resumed": resumed, "sessionId": session.session_id},
                         buffer=False)
        backlog, session.backlog = session.backlog, []
        for payload in backlog:
            await self._send(session, payload)
        await self._send(session, {"op": "stats", **self._stats_payload()}, buffer=False)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.ERROR:
                    break
                logger.debug("session %s sent %r (ignored: Lavalink v4 has no client ops)", session.session_id,
                             msg.data)
        except Exception as exc:
            logger.debug("websocket of session %s errored: %s", session.session_id, exc)
        finally:
            if session.ws is ws:
                self._detach(session)
        return ws

    def _detach(self, session: Session) -> None:
        session.ws = None
        if session.resuming and session.timeout > 0:
            session.detached_at = time.monotonic()
            logger.info("session %s detached; resumable for %d s", session.session_id, session.timeout)
        else:
            self._drop_session(session)

    def _drop_session(self, session: Session) -> None:
        for player in session.players.values():
            self._cancel_end(player)
        session.players.clear()
        self.sessions.pop(session.session_id, None)
        logger.info("session %s destroyed", session.session_id)

    async def _player_update_loop(self) -> None:
        while True:
            await asyncio.sleep(self.player_update_interval)
            for session in list(self.sessions.values()):
                if session.ws is None:
                    continue
                for player in list(session.players.values()):
                    if player.track is not None or player.connected:
                        await self._send(
                            session, {"op": "playerUpdate", "guildId": player.guild_id, "state": player.state()},
                            buffer=False,
                        )

    async def _stats_loop(self) -> None:
        while True:
            await asyncio.sleep(self.stats_interval)
            payload = {"op": "stats", **self._stats_payload()}
            for session in list(self.sessions.values()):
                await self._send(session, payload, buffer=False)

    async def _expiry_loop(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            for session in list(self.sessions.values()):
                if session.detached_at is not None and now - session.detached_at > session.timeout:
                    logger.info("session %s resume timeout expired", session.session_id)
                    self._drop_session(session)

    # ------------------------------------------------------------------ sandbox control (Python API)

    def players_truth(self) -> list[dict[str, Any]]:
        """The ground truth of every player, flat: one dict per (session, guild)."""
        out: list[dict[str, Any]] = []
        for session in self.sessions.values():
            for player in session.players.values():
                info = player.track["info"] if player.track else None
                out.append({
                    "session_id": session.session_id,
                    "user_id": session.user_id,
                    "session_attached": session.ws is not None and not session.ws.closed,
                    "guild_id": player.guild_id,
                    "track_title": info["title"] if info else None,
                    "track_identifier": info["identifier"] if info else None,
                    "track_length_ms": info["length"] if info else None,
                    "is_stream": bool(info and info["isStream"]),
                    "user_data": player.track.get("userData") if player.track else None,
                    "position_ms": player.position(),
                    "end_time_ms": player.end_time,
                    "paused": player.paused,
                    "volume": player.volume,
                    "filters": player.filters,
                    "connected": player.connected,
                    "channel_id": player.voice.get("channelId"),
                })
        return out

    def sessions_truth(self) -> list[dict[str, Any]]:
        return [
            {
                "session_id": s.session_id,
                "user_id": s.user_id,
                "client_name": s.client_name,
                "attached": s.ws is not None and not s.ws.closed,
                "resuming": s.resuming,
                "timeout": s.timeout,
                "players": len(s.players),
            }
            for s in self.sessions.values()
        ]

    def _find_players(self, guild: str | int) -> list[tuple[Session, FakePlayer]]:
        return [
            (s, s.players[str(guild)]) for s in self.sessions.values() if str(guild) in s.players
        ]

    async def drop_websockets(self, *, clean: bool = False) -> int:
        """Cut every websocket. ``clean`` sends a close frame; otherwise the TCP connection is aborted."""
        count = 0
        for session in list(self.sessions.values()):
            ws = session.ws
            if ws is None or ws.closed:
                continue
            count += 1
            if clean:
                with contextlib.suppress(Exception):
                    await ws.close(code=1001, message=b"Dropped by fault injection")
            else:
                transport = ws._req.transport if ws._req is not None else None
                if transport is not None:
                    transport.abort()
                else:
                    with contextlib.suppress(Exception):
                        await ws.close(code=1011)
            if session.ws is ws:
                self._detach(session)
        logger.info("dropped %d websocket(s) (clean=%s)", count, clean)
        return count

    def track_exception(self, guild: str | int, message: str = "Something broke while playing (fake).") -> int:
        found = self._find_players(guild)
        for session, player in found:
            self._fail_track(session, player, message)
        return len(found)

    def track_stuck(self, guild: str | int, threshold_ms: int = STUCK_THRESHOLD_MS) -> int:
        found = self._find_players(guild)
        for session, player in found:
            if player.track is not None:
                self._event(session, player, "TrackStuckEvent", track=player.track_with_position(),
                            thresholdMs=threshold_ms)
        return len(found)

    def websocket_closed(self, guild: str | int, code: int = 4014, by_remote: bool = True) -> int:
        """Discord closed the player's voice connection: emits WebSocketClosedEvent, player disconnected."""
        found = self._find_players(guild)
        for session, player in found:
            player.rebase()
            player.voice = {}
            self._schedule_end(session, player)
            self._event(session, player, "WebSocketClosedEvent", code=code,
                        reason=WS_CLOSE_REASONS.get(code, "Unknown"), byRemote=by_remote)
        return len(found)

    async def apply_faults(self, faults: dict[str, Any]) -> dict[str, Any]:
        """Apply a fault spec (same keys as POST /_sandbox/faults); returns what was done."""
        done: dict[str, Any] = {}
        known = {"drop_websockets", "clean", "refuse_connections", "http_500", "delay_ms", "track_exception",
                 "track_stuck", "websocket_closed", "code", "message", "threshold_ms", "by_remote"}
        unknown = set(faults) - known
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}")
        if "refuse_connections" in faults:
            self.refuse_connections = bool(faults["refuse_connections"])
            done["refuse_connections"] = self.refuse_connections
        if "http_500" in faults:
            self.http_500_remaining = max(0, int(faults["http_500"]))
            done["http_500"] = self.http_500_remaining
        if "delay_ms" in faults:
            self.delay_ms = max(0, int(faults["delay_ms"]))
            done["delay_ms"] = self.delay_ms
        if faults.get("track_exception") is not None:
            done["track_exception"] = self.track_exception(
                faults["track_exception"], faults.get("message", "Something broke while playing (fake).")
            )
        if faults.get("track_stuck") is not None:
            done["track_stuck"] = self.track_stuck(
                faults["track_stuck"], int(faults.get("threshold_ms", STUCK_THRESHOLD_MS))
            )
        if faults.get("websocket_closed") is not None:
            done["websocket_closed"] = self.websocket_closed(
                faults["websocket_closed"], int(faults.get("code", 4014)), bool(faults.get("by_remote", True))
            )
        if faults.get("drop_websockets"):
            done["drop_websockets"] = await self.drop_websockets(clean=bool(faults.get("clean", False)))
        logger.info("faults applied: %s", done)
        return done

    # ------------------------------------------------------------------ sandbox control (HTTP)

    async def _sandbox_players(self, request: web.Request) -> web.Response:
        return web.json_response({"players": self.players_truth(), "sessions": self.sessions_truth()})

    async def _sandbox_faults(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        if not isinstance(body, dict):
            raise LavalinkError(400, "Body must be a JSON object")
        try:
            done = await self.apply_faults(body)
        except (ValueError, TypeError) as exc:
            raise LavalinkError(400, str(exc)) from exc
        return web.json_response({"applied": done})
