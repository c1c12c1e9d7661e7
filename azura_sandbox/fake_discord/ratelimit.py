"""Discord's rate limits: per-route buckets, a global limit per bot, and the headers and 429s that tell a client.

Each request is admitted or refused here before its handler runs. Buckets are keyed like Discord's: the
bot, the route's bucket and its major parameter (channel, guild, or webhook + token), with a fixed window
that starts at its first request. Discord does not publish most numbers; the fake uses the well-known
ones (5 messages and 5 edits per 5 s per channel) and a generous default elsewhere. Interaction callbacks
and interaction webhooks are not bound by the global limit, as on Discord. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["GLOBAL_PER_S", "Limit", "RateLimiter", "Verdict"]

GLOBAL_PER_S = 50


@dataclass(frozen=True)
class Limit:
    count: int
    window_s: float


ROUTE_LIMITS: dict[tuple[str, str], Limit] = {
    ("POST", "/channels/{channel_id}/messages"): Limit(5, 5.0),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"): Limit(5, 5.0),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}"): Limit(5, 1.0),
}
WEBHOOK_LIMIT = Limit(5, 2.0)  # per interaction token
DEFAULT_LIMIT = Limit(50, 1.0)
MAJOR_PARAMETERS = ("channel_id", "guild_id", "app_id", "interaction_id")
_VIA = "1.1 google"  # discord.py treats a 429 without Via as a Cloudflare ban, not a rate limit


@dataclass
class _Bucket:
    limit: Limit
    remaining: int = 0
    resets_at: float = 0.0


@dataclass
class Verdict:
    """Admitted (with headers to add to the reply) or refused with a 429 body."""

    headers: dict[str, str]
    refusal: dict[str, object] | None = None

    @property
    def admitted(self) -> bool:
        return self.refusal is None


@dataclass
class _Throttle:
    limit: Limit
    bot_id: int | None
    blocked_until: float


@dataclass
class RateLimiter:
    """All buckets of one fake Discord."""

    global_per_s: int = GLOBAL_PER_S
    enabled: bool = True
    routes: dict[tuple[str, str], Limit] = field(default_factory=lambda: dict(ROUTE_LIMITS))
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    _buckets: dict[tuple[int | None, str, str], _Bucket] = field(default_factory=dict)
    _recent: dict[int, deque[float]] = field(default_factory=dict)
    _throttles: dict[tuple[str, str, str], _Throttle] = field(default_factory=dict)

    @staticmethod
    def bucket_hash(method: str, route: str) -> str:
        return hashlib.blake2b(f"{method} {route}".encode(), digest_size=16).hexdigest()

    @staticmethod
    def major(params: dict[str, str]) -> str:
        parts = [params[k] for k in MAJOR_PARAMETERS if k in params]
        if "token" in params:
            parts.append(params["token"])
        return "+".join(parts[:2])

    def throttle(
        self, method: str, route: str, major: str, limit: Limit, *, bot_id: int | None = None, exhaust: bool = True
    ) -> None:
        """Give one route+major its own *limit* (for *bot_id*, or every bot); *exhaust* uses up the first window
        now, as another client of the same bot would: the next request gets a 429 with Scope ``shared``."""
        now = self.clock()
        self._throttles[(method, route, major)] = _Throttle(limit, bot_id, now + limit.window_s if exhaust else now)
        self._forget(method, route, major)

    def unthrottle(self, method: str, route: str, major: str) -> None:
        self._throttles.pop((method, route, major), None)
        self._forget(method, route, major)

    def _forget(self, method: str, route: str, major: str) -> None:
        wanted = (self.bucket_hash(method, route), major)
        for key in [k for k in self._buckets if k[1:] == wanted]:
            del self._buckets[key]

    def _throttle_for(self, bot_id: int | None, method: str, route: str, major: str) -> _Throttle | None:
        throttle = self._throttles.get((method, route, major))
        return throttle if throttle is not None and throttle.bot_id in (None, bot_id) else None

    def _limit_for(self, throttle: _Throttle | None, method: str, route: str) -> Limit:
        if throttle is not None:
            return throttle.limit
        if route.startswith("/webhooks/"):
            return WEBHOOK_LIMIT
        return self.routes.get((method, route), DEFAULT_LIMIT)

    def admit(self, *, bot_id: int | None, method: str, route: str, major: str, interaction: bool) -> Verdict:
        """Count one request of *bot_id* (``None``: authenticated by a webhook token) on *route*."""
        if not self.enabled:
            return Verdict({})
        now = self.clock()
        if bot_id is not None and not interaction:
            refusal = self._global(bot_id, now)
            if refusal is not None:
                return refusal
        bucket_hash = self.bucket_hash(method, route)
        key = (bot_id, bucket_hash, major)
        throttle = self._throttle_for(bot_id, method, route, major)
        limit = self._limit_for(throttle, method, route)
        bucket = self._buckets.get(key)
        if throttle is not None and now < throttle.blocked_until:
            bucket = _Bucket(limit, 0, throttle.blocked_until)
        elif bucket is None or now >= bucket.resets_at:
            bucket = _Bucket(limit, limit.count, now + limit.window_s)
            self._buckets[key] = bucket
        reset_after = max(0.0, bucket.resets_at - now)
        headers = {
            "X-RateLimit-Limit": str(bucket.limit.count),
            "X-RateLimit-Reset": f"{self.wall() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash,
        }
        if bucket.remaining <= 0:
            headers |= {
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Scope": "shared" if throttle is not None else "user",
                "Retry-After": str(math.ceil(reset_after)),
                "Via": _VIA,
            }
            return Verdict(headers, _body(reset_after, is_global=False))
        bucket.remaining -= 1
        headers["X-RateLimit-Remaining"] = str(bucket.remaining)
        return Verdict(headers)

    def _global(self, bot_id: int, now: float) -> Verdict | None:
        recent = self._recent.setdefault(bot_id, deque())
        while recent and now - recent[0] >= 1.0:
            recent.popleft()
        if len(recent) < self.global_per_s:
            recent.append(now)
            return None
        retry_after = max(0.001, 1.0 - (now - recent[0]))
        headers = {
            "X-RateLimit-Global": "true",
            "X-RateLimit-Scope": "global",
            "Retry-After": str(math.ceil(retry_after)),
            "Via": _VIA,
        }
        return Verdict(headers, _body(retry_after, is_global=True))


def _body(retry_after: float, *, is_global: bool) -> dict[str, object]:
    return {
        "message": "You are being rate limited.",
        "retry_after": round(max(retry_after, 0.001), 3),
        "global": is_global,
        "code": 0,
    }
