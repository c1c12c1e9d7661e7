"""What every part of the fake Lavalink shares: configuration, sessions, sending events, and playback.

``FakeLavalink`` (``server.py``) is this core plus the player/session REST routes (``players.py``) and the
sandbox control API (``control.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from azura_sandbox.fake_lavalink.model import FakePlayer, LavalinkError, NodeLoad, Session
from azura_sandbox.fake_lavalink.sources import DEFAULT_SOURCES, parse_sources

__all__ = ["LavalinkCore"]

logger = logging.getLogger(__name__)


class LavalinkCore:
    """A fake Lavalink v4 node.

    ``speed`` multiplies the playback clock (50 → a 3-minute track lasts 3.6 s). ``player_update_interval``
    and ``stats_interval`` are wall-clock seconds (a real Lavalink reports stats every 60 s). The ``stats``
    op reports the real players and playing players; its CPU and frame figures are ``load`` (``NodeLoad``,
    set through the control API to make the node look busy). ``advance_without_voice`` lets the clock run for
    players that never received a voice state (real Lavalink does not play them). ``sources`` are the
    source managers the node has (``sources.py``; default: YouTube by its plugin and the built-in ones).
    """

    def __init__(
        self,
        password: str = "youshallnotpass",
        speed: float = 1.0,
        *,
        player_update_interval: float = 1.0,
        stats_interval: float = 5.0,
        advance_without_voice: bool = True,
        sources: Iterable[str] = DEFAULT_SOURCES,
    ) -> None:
        self.password = password
        self.speed = speed
        self.player_update_interval = player_update_interval
        self.stats_interval = stats_interval
        self.load = NodeLoad()
        self._stats_changed = asyncio.Event()  # a new stats interval: the stats loop starts over with it
        self.advance_without_voice = advance_without_voice
        self.sources = parse_sources(sources)
        self.sessions: dict[str, Session] = {}
        self.searches: list[str] = []  # every loadtracks identifier, in order
        self.started_at = time.monotonic()
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.restarts = 0  # how many times the node restarted (``restart``), state lost each time
        # faults
        self.refuse_connections = False
        self.http_500_remaining = 0
        self.delay_ms = 0
        self._refusal_end: asyncio.TimerHandle | None = None
        self._restarting: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._ws_tasks: set[asyncio.Task[Any]] = set()
        self.app = self._build_app()

    def _build_app(self) -> web.Application:
        raise NotImplementedError  # server.py assembles the routes of every part

    async def restart(self, down_s: float = 0.0) -> None:
        raise NotImplementedError  # server.py: the node's lifecycle

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

    def _stats_payload(self, *, frames: bool = True) -> dict[str, Any]:
        """Lavalink's stats: ``frameStats`` (per minute, 3,000 frames per playing player) only on the websocket
        and only while there are players, as Lavalink sends them."""
        players = [p for s in self.sessions.values() for p in s.players.values()]
        playing = sum(1 for p in players if p.track is not None and not p.paused)
        load = self.load
        return {
            "players": len(players),
            "playingPlayers": playing,
            "uptime": int((time.monotonic() - self.started_at) * 1000),
            "memory": {"free": 100_000_000, "used": 80_000_000, "allocated": 180_000_000,
                       "reservable": 1_000_000_000},
            "cpu": {"cores": 4, "systemLoad": load.system_load, "lavalinkLoad": load.lavalink_load},
            "frameStats": {"sent": 3000 * playing, "nulled": load.frames_nulled, "deficit": load.frames_deficit}
            if players and frames else None,
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

    # ------------------------------------------------------------------ sessions

    def _detach(self, session: Session) -> None:
        session.ws = None
        if session.resuming and session.timeout > 0:
            session.detached_at = time.monotonic()
            logger.info("session %s detached; resumable for %d s", session.session_id, session.timeout)
        else:
            self._drop_session(session)

    async def _close_sessions(self, message: bytes) -> None:
        """Close every websocket as Lavalink does when it stops (1001, going away) and forget every session
        and player: nothing of them survives."""
        sessions = list(self.sessions.values())
        self.sessions.clear()
        for session in sessions:
            for player in session.players.values():
                self._cancel_end(player)
            session.players.clear()
            ws, session.ws = session.ws, None
            if ws is not None and not ws.closed:
                with contextlib.suppress(Exception):  # a dying socket must never break the server
                    await ws.close(code=1001, message=message)

    def _drop_session(self, session: Session) -> None:
        for player in session.players.values():
            self._cancel_end(player)
        session.players.clear()
        self.sessions.pop(session.session_id, None)
        logger.info("session %s destroyed", session.session_id)
