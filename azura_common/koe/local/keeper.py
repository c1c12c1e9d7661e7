"""Keeping this process connected to a Lavalink node: notice a lost connection at once, reconnect, put
sessions back. Each configured node has its own keeper (``lavalink.Lavalink`` moves a lost node's sessions).

wavelink alone does not: its listener dies on Lavalink's clean close frame and leaves the node "CONNECTED"
with nobody listening, and it retries a dropped connection with a random backoff of up to 30 s. So the
wavelink adapter (``player.py``) turns wavelink's reconnecting off and ``LinkKeeper`` runs the link:

- **Detection** is local: the adapter's listener ends whenever the websocket does (clean close, reset, a
  missed ping), which wakes the keeper at once; a 0.5 s check of the socket's own state backs it up. Nothing
  here is a network probe that a loaded machine could time out, so it cannot flap; a Lavalink that hangs
  without closing is caught by the websocket's ping/pong (the adapter's heartbeat).
- **Reconnecting**: one attempt every ``check_s`` while it is down (a refused connection costs nothing), so
  the link is back within ``check_s`` of Lavalink.
- **Restoring**: Lavalink resumes a session it still holds (a dropped connection, a partition shorter than
  the resume timeout): the players played on and nothing needs doing. A new session id means Lavalink lost
  everything (a restart): ``on_restored`` puts every player back before commands are served again.

No wavelink here: the link is anything that speaks ``NodeLink``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

__all__ = ["CHECK_S", "OPEN_TIMEOUT_S", "LinkDown", "LinkKeeper", "NodeLink", "Outage"]

log = logging.getLogger(__name__)

CHECK_S = 0.5  # how often the link's state is checked, and a reconnect tried while it is down
OPEN_TIMEOUT_S = 3.0  # one reconnect attempt: the websocket and Lavalink's "ready"


class LinkDown(Exception):
    """An attempt to open the link failed; the message says why (for the log)."""


class NodeLink(Protocol):
    """This process's websocket to one Lavalink node."""

    @property
    def is_open(self) -> bool:
        """The websocket is open, listened to, and Lavalink said ready."""
        ...

    @property
    def session_id(self) -> str:
        """Lavalink's session id of the open link ("" before the first)."""
        ...

    async def open(self, timeout_s: float) -> None:
        """One attempt: open the websocket (resuming the last session if Lavalink still has it) and wait for
        Lavalink's ready. Raises ``LinkDown``."""
        ...

    async def wait_closed(self, timeout_s: float) -> None:
        """Return when the link closes, or after ``timeout_s``."""
        ...


Restored = Callable[[bool], Awaitable[None]]
"""Called once the link is back, before commands are served: ``resumed`` is False when Lavalink lost the
session (every player must be put back), True when it kept it."""


@dataclass(frozen=True, slots=True)
class Outage:
    """One loss of the link, as the keeper saw it (monotonic seconds)."""

    lost_at: float
    back_at: float
    resumed: bool

    @property
    def lasted_s(self) -> float:
        return self.back_at - self.lost_at


class LinkKeeper:
    """Runs the link (``run`` is the owned background task): up, lost, reconnecting, restoring, up again."""

    def __init__(
        self,
        link: NodeLink,
        *,
        on_restored: Restored | None = None,
        check_s: float = CHECK_S,
        open_timeout_s: float = OPEN_TIMEOUT_S,
        name: str = "lavalink",
    ) -> None:
        self._link = link
        self.on_restored = on_restored
        self._check_s = check_s
        self._open_timeout_s = open_timeout_s
        self._name = name
        self._up = False
        self._lost_at: float | None = None  # when the link was lost; None while up and before the first link
        self._session_id = ""
        self.tried = False  # the first attempt to connect has ended, either way
        self.outages: deque[Outage] = deque(maxlen=20)  # the latest, for logs and tests

    @property
    def up(self) -> bool:
        """Connected, and every session restored: commands may use Lavalink."""
        return self._up

    def down_for(self) -> float | None:
        """Seconds since the link was lost, or None while it is up (or was never up)."""
        return None if self._lost_at is None else time.monotonic() - self._lost_at

    async def run(self) -> None:
        last_attempt = -self._check_s
        while True:
            if self._link.is_open:
                if not self._up:  # opened, but restoring did not finish (this task was restarted meanwhile)
                    await self._back()
                await self._link.wait_closed(self._check_s)
                continue
            if self._up:
                self._lost()
            # At most one attempt per check_s, even when each opens and then fails (Lavalink refusing us once
            # connected): the first after a loss goes at once.
            await asyncio.sleep(max(0.0, last_attempt + self._check_s - time.monotonic()))
            last_attempt = time.monotonic()
            try:
                await self._link.open(self._open_timeout_s)
            except LinkDown as exc:
                log.debug("%s: reconnecting failed: %s", self._name, exc)
                continue
            finally:
                self.tried = True
            await self._back()

    def _lost(self) -> None:
        self._up = False
        self._lost_at = time.monotonic()
        log.warning("%s: connection lost; reconnecting every %.1f s", self._name, self._check_s)

    async def _back(self) -> None:
        session_id = self._link.session_id
        first = not self._session_id
        resumed = not first and session_id == self._session_id
        if not first and self.on_restored is not None:
            try:
                await self.on_restored(resumed)
            except Exception:  # a session that could not be put back must not keep every other one waiting
                log.exception("%s: restoring the sessions failed", self._name)
        if not self._link.is_open:  # lost again while restoring: the next pass restores again, from the start
            return
        self._session_id = session_id  # only now: a restore cut short is never taken for "resumed"
        self._up = True
        if self._lost_at is not None:
            outage = Outage(self._lost_at, time.monotonic(), resumed)
            self.outages.append(outage)
            log.warning("%s: back after %.1f s (%s)", self._name, outage.lasted_s,
                        "session resumed" if resumed else "new session: sessions replayed")
        else:
            log.info("%s: connected (session %s)", self._name, session_id)
        self._lost_at = None
