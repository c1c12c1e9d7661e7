"""The Link stream between the parent and each child: availability handshakes with leases, teardown
upstream, heartbeats.

- ``leases``: the child's lease book (pure bookkeeping).
- ``child_end``: ``LinkHub``, what a child answers on every Link opened to it.
- ``parent_end``: ``ChildLink`` (one child's Link, kept open).
- ``children``: ``Children`` (Koe's child pool: every ChildLink, and acquiring a free child).
- ``by_hand``: the handshake spoken by hand (``RawLink``, ``reserve``), for tests, benches and operators
  who call a child's Connect/Restore without a parent.
"""

from .child_end import LinkHub
from .children import Children
from .leases import LeaseBook
from .parent_end import ChildLink

__all__ = ["ChildLink", "Children", "LeaseBook", "LinkHub"]
