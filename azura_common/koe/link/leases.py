"""The child's lease book: which guilds it has promised to a parent for a moment.

A child that says ``Available`` holds the guild for that request for ``LEASE_MS`` (a ``Claim`` turns the
lease into a reservation for the ``Connect`` that follows, held ``CLAIM_HOLD_S``). A lease belongs to the
Link stream that asked for it: only that stream may claim or release it, and an unclaimed one dies with it.
A child serves ``Connect`` and ``Restore`` only for a channel it holds a claimed lease for (``require_reserved``),
so a caller that skipped the handshake cannot put a second bot in a channel. Pure bookkeeping with an injected
clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import KoeError

__all__ = ["CLAIM_HOLD_S", "LEASE_MS", "LeaseBook", "NotReserved"]

LEASE_MS = 3_000  # how long a child waits for a Claim after saying Available
MAX_LEASE_MS = 30_000  # a parent asking for longer (or for nothing) gets LEASE_MS
CLAIM_HOLD_S = 30.0  # how long a claimed reservation waits for its Connect


class NotReserved(KoeError):
    """A Connect or Restore for a channel this child was not reserved for (no claimed lease, no session)."""

    kind = "not_reserved"
    status = "FAILED_PRECONDITION"

    def default_message(self) -> str:
        return "This bot was not reserved for that voice channel: ask for a free bot on the Link first."


@dataclass(slots=True)
class _Lease:
    request_id: str
    guild_id: int
    channel_id: int
    expires_at: float
    owner: object  # the Link stream that asked; the lease dies with it
    claimed: bool = False


class LeaseBook:
    """Which guilds this child has promised to a parent for a moment."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._by_guild: dict[int, _Lease] = {}

    def _live(self, guild_id: int) -> _Lease | None:
        lease = self._by_guild.get(guild_id)
        if lease is not None and lease.expires_at <= self._clock():
            del self._by_guild[guild_id]
            return None
        return lease

    def offer(self, request_id: str, guild_id: int, channel_id: int, lease_ms: int, owner: object) -> bool:
        """Hold the guild for ``request_id`` unless someone already holds it."""
        if self._live(guild_id) is not None:
            return False
        ms = lease_ms if 0 < lease_ms <= MAX_LEASE_MS else LEASE_MS
        self._by_guild[guild_id] = _Lease(request_id, guild_id, channel_id, self._clock() + ms / 1000, owner)
        return True

    def claim(self, request_id: str, guild_id: int, channel_id: int, owner: object) -> bool:
        """Turn the offer made to ``owner`` for ``request_id`` into a reservation of its channel (0: the same)."""
        lease = self._live(guild_id)
        if lease is None or lease.request_id != request_id or lease.owner is not owner:
            return False
        if channel_id not in (0, lease.channel_id):
            return False  # offered for one channel, claimed for another: not what was promised
        lease.claimed = True
        lease.expires_at = self._clock() + CLAIM_HOLD_S
        return True

    def release(self, request_id: str, guild_id: int, owner: object) -> bool:
        """Drop ``owner``'s lease for ``request_id``; whether there was one (another stream's stays)."""
        lease = self._by_guild.get(guild_id)
        if lease is None or lease.request_id != request_id or lease.owner is not owner:
            return False
        del self._by_guild[guild_id]
        return True

    def reserved(self, guild_id: int, channel_id: int) -> bool:
        """True when a live claimed lease reserves this guild for exactly this channel."""
        lease = self._live(guild_id)
        return lease is not None and lease.claimed and lease.channel_id == channel_id

    def require_reserved(self, guild_id: int, channel_id: int) -> None:
        if not self.reserved(guild_id, channel_id):
            raise NotReserved()

    def blocks(self, guild_id: int, channel_id: int) -> bool:
        """True when a live lease holds the guild for another channel."""
        lease = self._live(guild_id)
        return lease is not None and lease.channel_id != channel_id

    def consume(self, guild_id: int, channel_id: int) -> None:
        """The reserved Connect happened: the session now holds the guild."""
        lease = self._by_guild.get(guild_id)
        if lease is not None and lease.channel_id == channel_id:
            del self._by_guild[guild_id]

    def drop_owner(self, owner: object) -> int:
        """Forget every unclaimed lease of a Link that closed; returns how many."""
        doomed = [g for g, lease in self._by_guild.items() if lease.owner is owner and not lease.claimed]
        for guild_id in doomed:
            del self._by_guild[guild_id]
        return len(doomed)

    def __len__(self) -> int:
        return sum(1 for g in list(self._by_guild) if self._live(g) is not None)
