"""The parent's token-index book: which child logs in with which of AZURA_CHILD_TOKENS.

Children started without a fixed index (replicas of one service with one environment) ask the parent for
one over the Link; children with a fixed index (honcho's ``child.N``, AZURA_CHILD_INDEX, a StatefulSet
ordinal) just report theirs. Only the index travels, never a token. The book is rebuilt from every
``Hello`` (each reports the index its child holds), so a restarted parent learns the map from its children.

Rules, all to keep one token from being used by two children at once:

- **Wait before handing out.** A restarted parent does not know what its children hold until they say
  ``Hello``. It assigns nothing until every expected Link has either said ``Hello`` or failed its first
  attempt (an unreachable child is a dead one or a new one: either holds nothing usable), or ``settle_s``
  has passed since the book was made (a Link that hangs must not block every new child for ever).
- **Lowest free index**, up to the child's own token count (its Hello says how many it has).
- **First holder keeps it.** A Hello claiming an index another Link holds is a ``DUPLICATE``: that child
  gets no sessions (both ends log an error). A child whose index was assigned stops on that answer, so its
  supervisor starts it afresh and it asks for a free one.
- **Taken back** when the Link is forgotten (its address left the configuration or discovery), when its
  child says ``Hello`` holding something else (it restarted), or once the Link has been down for
  ``release_after_s`` (gone for good). A child that was only cut off that long and comes back holding the
  index finds it given away: that is the duplicate case above, which ends with it asking afresh.
- An assignment not yet confirmed by the child's ``Hello`` is held too (a pending one), so two Links asking
  at once get two indices.

Links are named by their address. Pure bookkeeping with an injected clock.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RELEASE_AFTER_S", "SETTLE_S", "TokenBook", "TokenDecision", "TokenOutcome"]

SETTLE_S = 5.0  # a new book waits at most this long to hear from every expected Link before assigning
RELEASE_AFTER_S = 30.0  # a Link down this long no longer holds its index


class TokenOutcome(enum.Enum):
    HOLDS = "holds"  # the child holds this index and it is its own: it may play
    OWN_TOKEN = "own token"  # the child has its own AZURA_CHILD_TOKEN: no index to track; it may play
    ASSIGNED = "assigned"  # tell the child to log in with this index (it may play once it confirms)
    WAIT = "wait"  # no index for now (settling, or none free): the child waits
    DUPLICATE = "duplicate"  # another Link holds the index this child claims: no sessions for it


@dataclass(frozen=True, slots=True)
class TokenDecision:
    outcome: TokenOutcome
    index: int = 0
    detail: str = ""  # for the logs: why there is no index, who holds it

    @property
    def may_play(self) -> bool:
        return self.outcome in (TokenOutcome.HOLDS, TokenOutcome.OWN_TOKEN)


class TokenBook:
    """Token index → the Link (address) holding it, for every child of one parent."""

    def __init__(
        self,
        *,
        settle_s: float = SETTLE_S,
        release_after_s: float = RELEASE_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._settle_until = clock() + settle_s
        self._release_after_s = release_after_s
        self._holders: dict[int, str] = {}  # index → link
        self._pending: set[int] = set()  # assigned, not yet confirmed by the child's Hello
        self._expected: set[str] = set()
        self._heard: set[str] = set()  # said Hello or failed an attempt: what they hold is known
        self._down_since: dict[str, float] = {}

    # -- what the Links report -----------------------------------------------------------------------
    def expect(self, link: str) -> None:
        """A Link the parent is opening: hear from it before assigning (within ``settle_s``)."""
        self._expected.add(link)

    def forget(self, link: str) -> None:
        """The Link is gone from the configuration: its index is free."""
        self._release(link)
        self._expected.discard(link)
        self._heard.discard(link)
        self._down_since.pop(link, None)

    def unreachable(self, link: str) -> None:
        """An attempt to open the Link failed before any Hello (the child is dead, or not serving yet)."""
        self._heard.add(link)
        self._down_since.setdefault(link, self._clock())

    def down(self, link: str) -> None:
        """The Link's stream broke: its index stays held for ``release_after_s``."""
        self._down_since.setdefault(link, self._clock())

    def hello(self, link: str, index: int, *, fixed: bool, token_count: int) -> TokenDecision:
        """A Hello: what the child holds. Records it, or answers what to tell the child."""
        self._heard.add(link)
        self._down_since.pop(link, None)
        if index == 0 and fixed:
            self._release(link)
            return TokenDecision(TokenOutcome.OWN_TOKEN)
        if index == 0:
            mine = self.index_of(link)
            if mine and mine not in self._pending:
                self._release(link)  # it held a confirmed index and holds none now: it restarted
            return self.request(link, token_count)
        holder = self._holder(index)
        if holder is not None and holder != link:
            why = "fixed" if fixed else "assigned earlier"
            return TokenDecision(TokenOutcome.DUPLICATE, index, f"token index {index} ({why}) is held by {holder}")
        self._release(link)
        self._holders[index] = link
        return TokenDecision(TokenOutcome.HOLDS, index)

    def request(self, link: str, token_count: int) -> TokenDecision:
        """The Link's child holds no index: the lowest free one, or why it must wait."""
        mine = self.index_of(link)
        if mine:
            return TokenDecision(TokenOutcome.ASSIGNED, mine)  # already promised: the same again
        if not self.settled:
            waiting_for = sorted(self._expected - self._heard)
            return TokenDecision(TokenOutcome.WAIT, detail=f"waiting to hear what {', '.join(waiting_for)} hold")
        for index in range(1, token_count + 1):
            if self._holder(index) is None:
                self._holders[index] = link
                self._pending.add(index)
                return TokenDecision(TokenOutcome.ASSIGNED, index)
        return TokenDecision(
            TokenOutcome.WAIT,
            detail=f"no free token: AZURA_CHILD_TOKENS has {token_count}, all held by other children "
            "(add one token per extra child)",
        )

    # -- reading -------------------------------------------------------------------------------------
    @property
    def settled(self) -> bool:
        """True once what every expected Link holds is known, or the settling time is over."""
        return self._expected <= self._heard or self._clock() >= self._settle_until

    def index_of(self, link: str) -> int:
        """The index the Link holds (or was promised), 0 for none."""
        return next((index for index, holder in self._holders.items() if holder == link), 0)

    def holders(self) -> dict[int, str]:
        """Index → Link, for every index held and not expired."""
        return {index: holder for index in sorted(self._holders) if (holder := self._holder(index)) is not None}

    def _holder(self, index: int) -> str | None:
        """Who holds ``index``; a holder down for ``release_after_s`` loses it here."""
        holder = self._holders.get(index)
        if holder is None:
            return None
        since = self._down_since.get(holder)
        if since is not None and self._clock() - since >= self._release_after_s:
            del self._holders[index]
            self._pending.discard(index)
            return None
        return holder

    def _release(self, link: str) -> None:
        for index in [i for i, holder in self._holders.items() if holder == link]:
            del self._holders[index]
            self._pending.discard(index)
