"""The fake Lavalink's session and player REST routes (``/v4/sessions/{sid}[/players[/{guild}]]``)."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from azura_sandbox.fake_lavalink import catalogue
from azura_sandbox.fake_lavalink.core import LavalinkCore
from azura_sandbox.fake_lavalink.filters import check_filters
from azura_sandbox.fake_lavalink.model import FakePlayer, LavalinkError

__all__ = ["PlayersApi"]

logger = logging.getLogger(__name__)


class PlayersApi(LavalinkCore):
    """Session and player handlers, mixed into ``FakeLavalink``."""

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
                result = catalogue.load_tracks(str(spec["identifier"]), self.sources)
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
        filters = check_filters(body["filters"]) if body.get("filters") is not None else None
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
            player.voice_updates += 1
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
