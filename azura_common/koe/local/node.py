"""One of this process's Lavalink nodes as wavelink sees it, kept connected by Azura instead of by wavelink.

wavelink's node reconnects itself: after a dropped connection it starts an unowned loop with a random backoff
of up to 30 s, and after Lavalink's clean close frame its listener dies and the node stays "CONNECTED" with
nobody listening. ``KeptNode`` joins wavelink's Pool like any node (searches and players find it there), but
its websocket (``_KeptWebsocket``) is opened and reopened by a ``keeper.LinkKeeper``: wavelink's listener
still handles every message, and however it ends the keeper hears of it at once. The node also keeps
Lavalink's last ``stats`` report, which the choice of a node for a new session weighs (``node_choice``).

The few wavelink internals this relies on are named in ``WAVELINK_INTERNALS`` and checked when a node is
made, so a wavelink upgrade that changes them fails at once and loudly, not at the first outage.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

import aiohttp
import wavelink
import wavelink.websocket

from ...supervised import wait_set
from .keeper import LinkDown, LinkKeeper
from .node_choice import NodeLoad, NodeView

__all__ = ["WAVELINK_INTERNALS", "KeptNode", "check_wavelink_internals"]

log = logging.getLogger(__name__)

# What of wavelink's insides the adapter uses (3.5): the node's connection, status and session; the websocket's
# listener; the voice state a player keeps and hands to Lavalink, its connection event, its 4014 handler.
WAVELINK_INTERNALS: dict[type, tuple[str, ...]] = {
    wavelink.Node: ("_connect", "_update_player", "_status", "_session_id", "_session", "_client", "_websocket",
                    "_has_closed", "_uri", "_password", "_players"),
    wavelink.websocket.Websocket: ("keep_alive", "connect", "headers", "socket", "keep_alive_task", "dispatch"),
    wavelink.Player: ("_voice_state", "_connection_event", "_disconnected_wait", "on_voice_server_update", "_node"),
}


_ABSENT = object()


def check_wavelink_internals(*instances: object) -> None:
    """Raise if one of ``instances`` (a node, its websocket, a player) lacks what the adapter relies on."""
    missing = [
        f"{cls.__name__}.{name}"
        for instance in instances
        for cls, names in WAVELINK_INTERNALS.items()
        if isinstance(instance, cls)
        for name in names
        if inspect.getattr_static(instance, name, _ABSENT) is _ABSENT  # static: runs no property
    ]
    if missing:
        raise RuntimeError(f"wavelink {wavelink.__version__} lacks what Azura's adapter uses: {', '.join(missing)}")


class _KeptWebsocket(wavelink.websocket.Websocket):
    """wavelink's Lavalink websocket, opened and reopened by the keeper instead of by itself.

    wavelink's listener (``keep_alive``) handles every message; what differs is the end: it dies on a clean
    close frame without telling anyone, and after other ends starts an unowned reconnect loop. Here the end of
    the listener, however it comes, marks the link closed and wakes the keeper.
    """

    def __init__(self, *, node: KeptNode) -> None:
        super().__init__(node=node)
        self._kept = node
        self._closed = asyncio.Event()
        self._closed.set()

    @property
    def is_open(self) -> bool:
        task = self.keep_alive_task
        return (
            self.socket is not None and not self.socket.closed and task is not None and not task.done()
            and self.node.status is wavelink.NodeStatus.CONNECTED
        )

    @property
    def session_id(self) -> str:
        return self.node.session_id or ""

    async def connect(self) -> None:
        # wavelink calls this after a dropped connection, as an unowned task retrying for ever with up to
        # 30 s between tries. The keeper reconnects instead, on its own schedule.
        return

    async def open(self, timeout_s: float) -> None:
        await self.close_socket()
        node = self.node
        node._status = wavelink.NodeStatus.CONNECTING
        try:
            async with asyncio.timeout(timeout_s):
                self.socket = await node._session.ws_connect(
                    url=f"{node.uri}/v4/websocket", heartbeat=node.heartbeat, headers=self.headers
                )
                self._closed.clear()
                self.keep_alive_task = asyncio.create_task(self._listen(), name=f"lavalink-{node.identifier}")
                while node.status is not wavelink.NodeStatus.CONNECTED:  # set on Lavalink's "ready"
                    if await wait_set(self._closed, 0.01):
                        raise LinkDown("closed before Lavalink said ready")
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            await self.close_socket()
            raise LinkDown(f"{type(exc).__name__}: {exc}") from exc
        except LinkDown:
            await self.close_socket()
            raise

    async def _listen(self) -> None:
        try:
            await self.keep_alive()
        except Exception as exc:  # wavelink's listener does not expect a close or error frame and dies on it
            log.debug("Lavalink listener of %s ended: %r", self.node.identifier, exc)
        finally:
            self.node._status = wavelink.NodeStatus.DISCONNECTED
            self._closed.set()

    async def wait_closed(self, timeout_s: float) -> None:
        await wait_set(self._closed, timeout_s)

    def dispatch(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        if event == "stats_update" and args and isinstance(args[0], wavelink.StatsEventPayload):
            self._kept.note_stats(args[0])
        super().dispatch(event, *args, **kwargs)

    async def close_socket(self) -> None:
        task, self.keep_alive_task = self.keep_alive_task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        socket, self.socket = self.socket, None
        if socket is not None and not socket.closed:
            try:
                await asyncio.wait_for(socket.close(), 2.0)
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                log.debug("closing the Lavalink websocket: %r", exc)
        self.node._status = wavelink.NodeStatus.DISCONNECTED
        self._closed.set()


class KeptNode(wavelink.Node):
    """A wavelink Node the keeper connects: joining the Pool only registers it (searches find it there)."""

    keeper: LinkKeeper | None = None
    region: str = ""  # the configured region hint (LAVALINK_NODES)
    load: NodeLoad | None = None  # Lavalink's last stats report
    _players_at_report = 0  # how many of our players were on it when that report came

    async def _connect(self, *, client: Any) -> None:
        self._client = self._client or client
        self._has_closed = False
        self._websocket = _KeptWebsocket(node=self)

    @property
    def link(self) -> _KeptWebsocket:
        websocket = self._websocket
        assert isinstance(websocket, _KeptWebsocket), "the node joins the Pool before it is kept"
        return websocket

    @property
    def serving(self) -> bool:
        return self.keeper is not None and self.keeper.up

    def note_stats(self, stats: wavelink.StatsEventPayload) -> None:
        frames = stats.frames
        self.load = NodeLoad(
            players=stats.players, playing_players=stats.playing,
            system_load=stats.cpu.system_load, lavalink_load=stats.cpu.lavalink_load,
            frames_deficit=frames.deficit if frames is not None else None,
            frames_nulled=frames.nulled if frames is not None else None,
        )
        self._players_at_report = len(self._players)

    def view(self) -> NodeView:
        """What the choice of a node for a new session knows of this one."""
        return NodeView(name=self.identifier, healthy=self.serving, region=self.region, load=self.load,
                        started_since_report=len(self._players) - self._players_at_report)
