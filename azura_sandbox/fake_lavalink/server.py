"""An in-process fake Lavalink v4 server that the real wavelink 3.x client accepts.

It models sessions, players, a playback clock (wall time × ``speed``), websocket events, session resuming,
configurable source managers and a fault-injection control API under ``/_sandbox/`` (no auth). This module
assembles the app and serves the node-wide routes (info, stats, loadtracks, decoding) and the websocket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
import traceback
from collections.abc import Awaitable, Callable

from aiohttp import WSMsgType, web

from azura_sandbox.fake_lavalink import catalogue, recommendations
from azura_sandbox.fake_lavalink.control import ControlApi
from azura_sandbox.fake_lavalink.lavasrc import load_lavasrc
from azura_sandbox.fake_lavalink.lyrics import LYRICS_PLUGIN, LyricsApi
from azura_sandbox.fake_lavalink.model import LavalinkError, Session, error_response
from azura_sandbox.fake_lavalink.players import PlayersApi
from azura_sandbox.fake_lavalink.sources import plugins_for
from azura_sandbox.web import serve_app

__all__ = ["LAVALINK_VERSION", "FakeLavalink"]

logger = logging.getLogger(__name__)

LAVALINK_VERSION = "4.0.8"
FILTERS = [
    "volume", "equalizer", "karaoke", "timescale", "tremolo", "vibrato", "distortion", "rotation",
    "channelMix", "lowPass",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FakeLavalink(PlayersApi, ControlApi, LyricsApi):
    """A fake Lavalink v4 node (see :class:`~azura_sandbox.fake_lavalink.core.LavalinkCore` for its options)."""

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
        r.add_get("/v4/lyrics", self._track_lyrics)  # LavaLyrics
        r.add_get("/v4/sessions/{sid}/players/{guild}/track/lyrics", self._player_lyrics)
        r.add_get("/_sandbox/players", self._sandbox_players)
        r.add_post("/_sandbox/faults", self._sandbox_faults)
        r.add_post("/_sandbox/load", self._sandbox_load)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Start serving; returns the bound port."""
        self.host = host
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
        tasks = [*self._tasks, *([self._restarting] if self._restarting is not None else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks, self._restarting = [], None
        if self._refusal_end is not None:
            self._refusal_end.cancel()
            self._refusal_end = None
        await self._close_sessions(b"Shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        logger.info("fake Lavalink stopped")

    async def restart(self, down_s: float = 0.0) -> None:
        """The node restarts, as a Lavalink process does: every websocket is closed cleanly (1001), every
        session and player is gone, nothing listens for ``down_s`` seconds (connections are refused), then
        a fresh node serves on the same port. Clients must start new sessions: nothing resumes."""
        if self._runner is None or self.port is None:
            raise RuntimeError("the fake Lavalink is not running")
        logger.info("restarting (down for %.1f s); every session is lost", down_s)
        await self._close_sessions(b"Restarting")
        runner, self._runner = self._runner, None
        await runner.cleanup()
        await asyncio.sleep(down_s)
        self.app = self._build_app()  # a cleaned-up aiohttp app cannot be served again
        self._runner, _ = await serve_app(self.app, self.host, self.port)
        self.started_at = time.monotonic()
        self.restarts += 1
        logger.info("restarted on %s:%s", self.host, self.port)

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
                    return error_response(request, 401, "Unauthorized")
                if self.delay_ms > 0:
                    await asyncio.sleep(self.delay_ms / 1000)
                if self.http_500_remaining > 0 and path != "/v4/websocket":
                    self.http_500_remaining -= 1
                    return error_response(request, 500, "Injected failure (fake Lavalink fault)")
            return await handler(request)
        except LavalinkError as exc:
            return error_response(request, exc.status, exc.message)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return error_response(request, exc.status, exc.reason)
        except Exception as exc:
            logger.exception("fake Lavalink handler failed for %s %s", request.method, path)
            return error_response(request, 500, f"{type(exc).__name__}: {exc}", traceback.format_exc())

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
            "sourceManagers": list(self.sources),
            "filters": FILTERS,
            "plugins": plugins_for(self.sources) + ([LYRICS_PLUGIN] if self.lyrics_plugin else []),
        })

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(self._stats_payload(frames=False))

    async def _routeplanner(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _loadtracks(self, request: web.Request) -> web.Response:
        identifier = request.query.get("identifier")
        if identifier is None:
            raise LavalinkError(400, "Required parameter 'identifier' is not present")
        self.searches.append(identifier)  # observable truth: tests check what was (not) searched
        # the LavaSrc plugin first, as its sources come first; then autoplay's mixes and sprec:
        claimed = load_lavasrc(identifier, self.sources)
        claimed = claimed or recommendations.load_recommendations(identifier, self.sources)
        return web.json_response(claimed or catalogue.load_tracks(identifier, self.sources))

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
            self._stats_changed.clear()
            try:
                await asyncio.wait_for(self._stats_changed.wait(), self.stats_interval)
                continue  # a new interval (set_load): wait that long from now
            except TimeoutError:
                pass
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
