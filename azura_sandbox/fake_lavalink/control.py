"""The fake Lavalink's sandbox control: ground truth of players and sessions, and fault injection, as a
Python API and over HTTP under ``/_sandbox/`` (no auth)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import web

from azura_sandbox.fake_lavalink.core import LavalinkCore
from azura_sandbox.fake_lavalink.model import (
    STUCK_THRESHOLD_MS,
    WS_CLOSE_REASONS,
    FakePlayer,
    LavalinkError,
    NodeLoad,
    Session,
)

__all__ = ["ControlApi"]

logger = logging.getLogger(__name__)


class ControlApi(LavalinkCore):
    """Sandbox control, mixed into ``FakeLavalink``."""

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
                    "voice_token": player.voice.get("token"),
                    "voice_endpoint": player.voice.get("endpoint"),
                    "voice_session_id": player.voice.get("sessionId"),
                    "voice_updates": player.voice_updates,
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

    def _find_players(self, guild: str | int, user_id: str | int | None = None) -> list[tuple[Session, FakePlayer]]:
        """The players of a guild (of the bot *user_id* only, when given: each bot has its own Lavalink
        session, and several bots play in one guild)."""
        return [
            (s, s.players[str(guild)])
            for s in self.sessions.values()
            if str(guild) in s.players and (user_id is None or s.user_id == str(user_id))
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

    def refuse_for(self, seconds: float) -> None:
        """Refuse every Lavalink connection (REST and new websockets) for ``seconds``, then serve again, as a
        node that is unreachable for a while; open websockets are not touched (``drop_websockets`` cuts them)."""
        if self._refusal_end is not None:
            self._refusal_end.cancel()
        self.refuse_connections = True
        self._refusal_end = asyncio.get_running_loop().call_later(max(0.0, seconds), self._stop_refusing)
        logger.info("refusing connections for %.1f s", seconds)

    def _stop_refusing(self) -> None:
        self.refuse_connections = False
        self._refusal_end = None
        logger.info("accepting connections again")

    def restart_soon(self, down_s: float = 0.0) -> None:
        """``restart`` in the background (the control API answers first: restarting stops its own server)."""
        if self._restarting is not None and not self._restarting.done():
            raise ValueError("the fake Lavalink is already restarting")
        self._restarting = asyncio.get_running_loop().create_task(self.restart(down_s), name="fake-lavalink-restart")

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

    def websocket_closed(
        self,
        guild: str | int,
        code: int = 4014,
        by_remote: bool = True,
        *,
        user_id: str | int | None = None,
        reason: str | None = None,
    ) -> int:
        """Discord's voice server closed the player's voice connection with *code* (4006 session no longer
        valid, 4009 session timeout, 4014 disconnected, 4015 voice server crashed…): the player is no longer
        connected until the client sends a new voice state, and the client gets ``WebSocketClosedEvent
        {code, reason, byRemote}``, as Lavalink emits it. *user_id* picks one bot's player in the guild.
        Returns how many players it hit."""
        found = self._find_players(guild, user_id)
        for session, player in found:
            player.rebase()
            player.voice = {}
            self._schedule_end(session, player)
            self._event(session, player, "WebSocketClosedEvent", code=code,
                        reason=reason if reason is not None else WS_CLOSE_REASONS.get(code, "Unknown"),
                        byRemote=by_remote)
        return len(found)

    def set_load(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Set what the node reports in ``stats``: ``system_load`` / ``lavalink_load`` (0..1),
        ``frames_nulled`` / ``frames_deficit`` (per minute), ``stats_interval`` (seconds; the next report comes
        after it). Nothing changes when a figure is bad (ValueError). Returns the figures now reported."""
        figures = {key: value for key, value in spec.items() if key != "stats_interval"}
        load = NodeLoad.parse(figures, self.load)
        interval = spec.get("stats_interval", self.stats_interval)
        if isinstance(interval, bool) or not isinstance(interval, int | float) or interval <= 0:
            raise ValueError(f"stats_interval must be a number of seconds above 0, not {interval!r}")
        self.load, self.stats_interval = load, float(interval)
        self._stats_changed.set()
        logger.info("load set: %s, stats every %.2f s", load, self.stats_interval)
        return {**{key: getattr(load, key) for key in NodeLoad.__dataclass_fields__},
                "stats_interval": self.stats_interval}

    async def apply_faults(self, faults: dict[str, Any]) -> dict[str, Any]:
        """Apply a fault spec (same keys as POST /_sandbox/faults); returns what was done."""
        done: dict[str, Any] = {}
        known = {"drop_websockets", "clean", "refuse_connections", "http_500", "delay_ms", "track_exception",
                 "track_stuck", "websocket_closed", "code", "message", "threshold_ms", "by_remote", "user_id",
                 "reason", "refuse_for_s", "restart", "down_s"}
        unknown = set(faults) - known
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}")
        if "refuse_connections" in faults:
            self.refuse_connections = bool(faults["refuse_connections"])
            done["refuse_connections"] = self.refuse_connections
        if faults.get("refuse_for_s") is not None:
            self.refuse_for(float(faults["refuse_for_s"]))
            done["refuse_for_s"] = float(faults["refuse_for_s"])
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
                faults["websocket_closed"], int(faults.get("code", 4014)), bool(faults.get("by_remote", True)),
                user_id=faults.get("user_id"), reason=faults.get("reason"),
            )
        if faults.get("drop_websockets"):
            done["drop_websockets"] = await self.drop_websockets(clean=bool(faults.get("clean", False)))
        if faults.get("restart"):
            self.restart_soon(float(faults.get("down_s", 0.0)))
            done["restart"] = {"down_s": float(faults.get("down_s", 0.0))}
        logger.info("faults applied: %s", done)
        return done

    # ------------------------------------------------------------------ sandbox control (HTTP)

    async def _sandbox_players(self, request: web.Request) -> web.Response:
        return web.json_response({"players": self.players_truth(), "sessions": self.sessions_truth()})

    async def _sandbox_load(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        if not isinstance(body, dict):
            raise LavalinkError(400, "Body must be a JSON object")
        try:
            return web.json_response({"load": self.set_load(body)})
        except ValueError as exc:
            raise LavalinkError(400, str(exc)) from exc

    async def _sandbox_faults(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        if not isinstance(body, dict):
            raise LavalinkError(400, "Body must be a JSON object")
        try:
            done = await self.apply_faults(body)
        except (ValueError, TypeError) as exc:
            raise LavalinkError(400, str(exc)) from exc
        return web.json_response({"applied": done})
