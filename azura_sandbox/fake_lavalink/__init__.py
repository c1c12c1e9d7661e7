"""A fake Lavalink v4 node for offline tests and the sandbox demo.

``FakeLavalink`` serves the Lavalink v4 REST API and websocket that wavelink 3.x uses, with a deterministic
track catalogue, configurable sources, a speed-scaled playback clock, session resuming and fault injection
under ``/_sandbox/``.
"""

from azura_sandbox.fake_lavalink.catalogue import decode_track, encode_info, load_tracks, make_track
from azura_sandbox.fake_lavalink.lavasrc import LAVASRC_SOURCES
from azura_sandbox.fake_lavalink.model import FakePlayer, Session, error_body
from azura_sandbox.fake_lavalink.server import FakeLavalink
from azura_sandbox.fake_lavalink.sources import DEFAULT_SOURCES, STOCK_SOURCES

__all__ = [
    "DEFAULT_SOURCES",
    "LAVASRC_SOURCES",
    "STOCK_SOURCES",
    "FakeLavalink",
    "FakePlayer",
    "Session",
    "decode_track",
    "encode_info",
    "error_body",
    "load_tracks",
    "make_track",
]
