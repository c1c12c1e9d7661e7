"""Discord's sharding rules, as the fake Discord applies them (pure: no I/O).

A bot with many guilds splits its gateway into shards: IDENTIFY carries ``shard: [id, count]`` and the
session receives only the guilds with ``(guild_id >> 22) % count == id``. ``GET /gateway/bot`` recommends a
count (about one shard per 1,000 guilds); past 2,500 guilds on one session Discord refuses the IDENTIFY with
close code 4011 (sharding required), and a malformed shard (id ≥ count, count < 1) with 4010 (invalid shard).
Identifies are paced: shards whose ``id % max_concurrency`` match share one bucket, which takes one IDENTIFY per
5 s; a faster one is answered with op 9 (invalid session). Every number is a ``ShardPolicy`` field so a test
world can require sharding with four guilds and pace identifies in milliseconds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from .objects import DISCORD_EPOCH_MS

__all__ = [
    "CLOSE_INVALID_SHARD",
    "CLOSE_SHARDING_REQUIRED",
    "IdentifyGate",
    "Shard",
    "ShardPolicy",
    "parse_shard",
    "shard_of",
    "snowflake_on_shard",
]

CLOSE_INVALID_SHARD = 4010  # "You sent an invalid shard when identifying."
CLOSE_SHARDING_REQUIRED = 4011  # "The session would have handled too many guilds - you are required to shard."

Shard = tuple[int, int]
"""``(shard_id, shard_count)`` as IDENTIFY sends it."""


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that receives *guild_id*'s events (Discord's routing formula)."""
    return (guild_id >> 22) % shard_count


def snowflake_on_shard(shard_id: int, shard_count: int, counter: int = 0) -> int:
    """A fresh snowflake (now-ish timestamp) that ``shard_of`` puts on *shard_id* of *shard_count*."""
    stamp = int(time.time() * 1000) - DISCORD_EPOCH_MS
    stamp += (shard_id - stamp) % shard_count
    return (stamp << 22) | (counter & 0x3FFFFF)


def parse_shard(raw: object) -> Shard | None:
    """IDENTIFY's ``shard`` field as ``(id, count)``; ``None`` for a malformed one (a 4010)."""
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        return None
    shard_id, count = raw
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (shard_id, count)):
        return None
    if count < 1 or not 0 <= shard_id < count:
        return None
    return shard_id, count


@dataclass
class ShardPolicy:
    """The numbers behind ``/gateway/bot`` and the IDENTIFY checks (Discord's by default)."""

    guilds_per_shard: int = 1000  # what the recommended count aims for
    max_guilds_per_shard: int = 2500  # more on one session: 4011
    max_concurrency: int = 1  # identify buckets (large bots get 16, 32, …)
    identify_interval_s: float = 5.0  # one IDENTIFY per bucket per interval

    def required_shards(self, guild_count: int) -> int:
        return max(1, math.ceil(guild_count / self.max_guilds_per_shard))

    def recommended_shards(self, guild_count: int) -> int:
        return max(self.required_shards(guild_count), math.ceil(guild_count / self.guilds_per_shard))

    def refusal(self, shard: Shard | None, guild_count: int) -> tuple[int, str] | None:
        """The close code and reason for an IDENTIFY with *shard* by a bot in *guild_count* guilds, if refused."""
        count = shard[1] if shard is not None else 1
        required = self.required_shards(guild_count)
        if count < required:
            return CLOSE_SHARDING_REQUIRED, (
                f"Sharding required: {guild_count} guilds need at least {required} shards, not {count}."
            )
        return None


@dataclass
class IdentifyGate:
    """Identify pacing per bot: bucket ``shard_id % max_concurrency`` takes one IDENTIFY per interval."""

    policy: ShardPolicy
    _last: dict[tuple[int, int], float] = field(default_factory=dict)  # (bot, bucket) -> monotonic time

    def admit(self, bot_id: int, shard_id: int) -> bool:
        """Record an IDENTIFY of *shard_id*; False when its bucket already took one within the interval."""
        key = (bot_id, shard_id % max(1, self.policy.max_concurrency))
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.policy.identify_interval_s:
            return False
        self._last[key] = now
        return True
