"""The fake Lavalink's players and sessions (a player's clock runs at wall time × ``speed``), and its errors.

Plain data and arithmetic, no I/O; ``core.py`` drives them.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from aiohttp import web

__all__ = [
    "DEFAULT_RESUME_TIMEOUT_S",
    "STUCK_THRESHOLD_MS",
    "WS_CLOSE_REASONS",
    "FakePlayer",
    "LavalinkError",
    "NodeLoad",
    "Session",
    "error_body",
    "error_response",
]

DEFAULT_RESUME_TIMEOUT_S = 60
STUCK_THRESHOLD_MS = 10_000
# Discord voice gateway close codes, as Lavalink reports them in WebSocketClosedEvent
WS_CLOSE_REASONS: dict[int, str] = {
    4001: "Unknown opcode", 4002: "Failed to decode payload", 4003: "Not authenticated",
    4004: "Authentication failed", 4005: "Already authenticated", 4006: "Session no longer valid",
    4009: "Session timeout", 4011: "Server not found", 4012: "Unknown protocol",
    4014: "Disconnected", 4015: "Voice server crashed", 4016: "Unknown encryption mode",
}


@dataclass(frozen=True, slots=True)
class NodeLoad:
    """The CPU and audio-frame figures the node reports in ``stats`` (its players are counted, not set)."""

    system_load: float = 0.05  # 0..1: the whole machine
    lavalink_load: float = 0.01  # 0..1: Lavalink's own share
    frames_nulled: int = 0  # per minute
    frames_deficit: int = 0

    @classmethod
    def parse(cls, spec: dict[str, Any], current: NodeLoad) -> NodeLoad:
        """``current`` with what ``spec`` sets; a bad figure raises ValueError naming it."""
        unknown = set(spec) - {"system_load", "lavalink_load", "frames_nulled", "frames_deficit"}
        if unknown:
            raise ValueError(f"unknown load keys: {sorted(unknown)}")
        values: dict[str, Any] = {}
        for key in ("system_load", "lavalink_load"):
            if key in spec:
                value = spec[key]
                if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                    raise ValueError(f"{key} must be a number from 0 to 1, not {value!r}")
                values[key] = float(value)
        for key in ("frames_nulled", "frames_deficit"):
            if key in spec:
                value = spec[key]
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{key} must be a whole number of frames per minute, not {value!r}")
                values[key] = value
        return cls(**{**{key: getattr(current, key) for key in cls.__dataclass_fields__}, **values})


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


def error_response(request: web.Request, status: int, message: str, trace: str | None = None) -> web.Response:
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
    voice_updates: int = 0  # voice states the client sent (a rejoin or a voice server move adds one)
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
