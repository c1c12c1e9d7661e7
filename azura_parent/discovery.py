"""Discovery that follows scaling: ``all:name:port`` entries of AZURA_CHILDREN, re-resolved while the parent runs.

Every ``AZURA_DISCOVERY_INTERVAL_S`` (default 15 s) each name is looked up again (Fly's
``child.process.<app>.internal``, a Kubernetes headless Service):

- an address that appears gets a new ``ChildLink``, opened at once;
- an address that vanished is retired: out of the pool for new sessions, its sessions moved to other bots
  first (handed over while the child still answers, failed over by its Link when it is down), and the link is
  closed and removed once it holds none. An address that comes back before that stays;
- a name that does not resolve (yet) is logged and tried again; a failed lookup changes nothing, so a DNS
  hiccup never drops a child that is playing.

The parent's own addresses are never taken for a child (``<app>.internal`` on Fly answers the parent's
machine too): an answer that is an address of one of this machine's interfaces is skipped. It is found by
binding a socket to it, which succeeds only for a local address (no interface list to read, IPv4 and IPv6
alike). Loopback answers are kept: a name only answers loopback when the operator pointed it at this machine
on purpose (children on other loopback addresses, as the tests do). The parent serves no gRPC, so an address
that slipped through would only ever show as a child that cannot be reached, never as a second bot.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from azura_common.config import ConfigError
from azura_common.koe.link import ChildLink, Children
from azura_common.supervised import Supervised, wait_set
from azura_common.tls import address_host

from .config import Resolver, expand_children, system_resolve

__all__ = ["Discovery", "NameEntry", "is_own_address", "split_children"]

log = logging.getLogger(__name__)

HANDOVER_RETRY_S = 30.0  # a retired child still holding sessions (nobody was free) is asked to hand over again
LINK_WAIT_S = 60.0  # how long a new link is watched for coming up (to log when it did)


@dataclass(frozen=True, slots=True)
class NameEntry:
    """One ``all:name:port`` entry: every address ``name`` resolves to is a child on ``port``."""

    name: str
    port: int

    @property
    def text(self) -> str:
        return f"all:{self.name}:{self.port}"


def split_children(entries: list[str]) -> tuple[list[str], list[NameEntry]]:
    """The entries dialled as they are (``host:port``, ``unix:/path``: gRPC resolves a name itself) and the
    ``all:name:port`` ones discovery follows."""
    fixed: list[str] = []
    names: list[NameEntry] = []
    for entry in entries:
        if entry.startswith("all:"):
            name, _, port = entry.removeprefix("all:").rpartition(":")
            names.append(NameEntry(name, int(port)))
        else:
            fixed.append(entry)
    return fixed, names


def is_own_address(host: str) -> bool:
    """Whether ``host`` (an IP) is an address of this machine other than loopback."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if ip.is_loopback:
        return False
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((host, 0))
        except OSError as exc:
            if exc.errno != errno.EADDRNOTAVAIL:
                log.debug("probing %s: %s", host, exc)
            return False
    return True


class Discovery:
    """Keeps ``children`` in step with what the names of ``entries`` resolve to."""

    def __init__(
        self,
        entries: list[NameEntry],
        children: Children,
        make_link: Callable[[str, str], ChildLink],  # (address, the name its certificate should carry)
        *,
        resolve: Resolver = system_resolve,
        interval_s: float = 15.0,
        is_own: Callable[[str], bool] = is_own_address,
    ) -> None:
        self.entries = entries
        self.children = children
        self._make_link = make_link
        self._resolve = resolve
        self.interval_s = interval_s
        self._is_own = is_own
        self._found: dict[str, tuple[NameEntry, ChildLink]] = {}  # address → the entry that found it, its link
        self._retired: dict[ChildLink, float] = {}  # link → when its sessions were last asked to move
        self._failing: set[NameEntry] = set()  # names whose last lookup failed (logged once per spell)
        self._ignored: set[str] = set()  # own addresses already logged
        self._first_pass = asyncio.Event()
        self._watchers: set[asyncio.Task[None]] = set()
        self._task = Supervised("discovery", self._run)

    def start(self) -> None:
        self._task.start()

    async def wait_first_pass(self, timeout: float) -> bool:
        return await wait_set(self._first_pass, timeout)

    async def close(self) -> None:
        await self._task.close()
        for task in list(self._watchers):
            task.cancel()
        await asyncio.gather(*self._watchers, return_exceptions=True)

    async def _run(self) -> None:
        tick = min(1.0, self.interval_s)  # retired links are checked this often, names every interval_s
        next_lookup = 0.0
        while True:
            if time.monotonic() >= next_lookup:
                next_lookup = time.monotonic() + self.interval_s
                await self.refresh()
                self._first_pass.set()
            await self.sweep()
            await asyncio.sleep(tick)

    # -- one pass -----------------------------------------------------------------------------------------
    async def refresh(self) -> None:
        """Look every name up once and link or retire what changed."""
        for entry in self.entries:
            answer = await self._lookup(entry)
            if answer is not None:
                self._apply(entry, answer)

    async def _lookup(self, entry: NameEntry) -> set[str] | None:
        try:
            found = await expand_children([entry.text], self._resolve)  # bounded by its own 10 s timeout
        except ConfigError as exc:
            if entry not in self._failing:
                log.warning("%s; trying again every %g s", exc, self.interval_s)
                self._failing.add(entry)
            else:
                log.debug("%s", exc)
            return None
        if entry in self._failing:
            self._failing.discard(entry)
            log.info("AZURA_CHILDREN: %s resolves again", entry.name)
        addresses = set()
        for address in found:
            host = address_host(address) or ""
            if self._is_own(host):
                if address not in self._ignored:
                    self._ignored.add(address)
                    log.info("AZURA_CHILDREN: %s answers %s, an address of this machine (the parent): not a child",
                             entry.name, address)
                continue
            addresses.add(address)
        return addresses

    def _apply(self, entry: NameEntry, addresses: set[str]) -> None:
        mine = {address for address, (found_by, _) in self._found.items() if found_by == entry}
        for address in sorted(addresses - mine):
            if address in self._found or any(link.address == address for link in self.children.links):
                continue  # another entry has it already: one link per child
            link = self._make_link(address, entry.name)
            self._found[address] = (entry, link)
            self.children.add(link)
            log.info("child found at %s (%s); linking", address, entry.name)
            self._watch(link, entry, time.monotonic())
        for address in sorted(mine & addresses):
            link = self._found[address][1]
            if self._retired.pop(link, None) is not None:
                self.children.keep(link)
                log.info("child at %s is back in %s's answer; keeping it", address, entry.name)
        for address in sorted(mine - addresses):
            link = self._found[address][1]
            if link not in self._retired:
                log.info("child at %s is gone from %s's answer; moving its %d session(s) before dropping it",
                         address, entry.name, len(link.sessions()))
                self._retired[link] = time.monotonic()
                self.children.retire(link)

    async def sweep(self) -> None:
        """Drop each retired link that holds no session any more; ask again for those that still do."""
        for link, asked in list(self._retired.items()):
            if not self.children.process_sessions(link):  # every bot of its process, when it runs several
                del self._retired[link]
                self._found.pop(link.address, None)
                await self.children.remove(link)
                log.info("child at %s dropped: no longer in the answer and holding no session", link.address)
            elif time.monotonic() - asked > HANDOVER_RETRY_S:
                self._retired[link] = time.monotonic()
                self.children.retire(link)

    def _watch(self, link: ChildLink, entry: NameEntry, since: float) -> None:
        """Log when a new child's Link comes up, and how long after it appeared in the answer."""

        async def watch() -> None:
            if await link.wait_up(LINK_WAIT_S):
                log.info("child at %s linked (%s), %.2f s after it appeared", link.address, entry.name,
                         time.monotonic() - since)

        task = asyncio.create_task(watch(), name=f"discovered-{link.address}")
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)
