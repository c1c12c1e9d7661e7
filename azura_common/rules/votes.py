"""Vote-skip: a majority of the listeners in the channel skips a track. Pure bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SkipVotes", "VoteOutcome", "track_key"]


def track_key(position: int, encoded: str) -> str:
    """What a vote is about: this entry of the queue. A new track (or the same one again later) starts afresh."""
    return f"{position}:{encoded[:32]}"


@dataclass(frozen=True, slots=True)
class VoteOutcome:
    votes: int
    needed: int

    @property
    def passed(self) -> bool:
        return self.votes >= self.needed


@dataclass
class SkipVotes:
    """Votes per voice channel, for one track at a time (a new track starts a new vote)."""

    _votes: dict[int, tuple[str, set[int]]] = field(default_factory=dict)

    @staticmethod
    def needed(listeners: int) -> int:
        """A strict majority of the humans listening (one listener decides alone)."""
        return listeners // 2 + 1

    def vote(self, channel_id: int, track_key: str, user_id: int, listeners: frozenset[int]) -> VoteOutcome:
        key, voters = self._votes.get(channel_id, (track_key, set()))
        if key != track_key:
            voters = set()
        voters = {v for v in voters if v in listeners}  # people who left no longer count
        if user_id in listeners:
            voters.add(user_id)
        self._votes[channel_id] = (track_key, voters)
        outcome = VoteOutcome(len(voters), self.needed(len(listeners)))
        if outcome.passed:
            self._votes.pop(channel_id, None)
        return outcome

    def reset(self, channel_id: int) -> None:
        self._votes.pop(channel_id, None)
