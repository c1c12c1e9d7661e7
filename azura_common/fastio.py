"""gRPC's faster I/O path for this process, chosen by each entry point before anything imports grpc.

gRPC's older I/O path (``GRPC_EXPERIMENTS=-event_engine_client,-event_engine_listener``) answers a call on
an open stream about 1.8x faster here under uvloop (bench/remote_latency.py; docs/DESIGN.md). grpc reads
the variable once, when it is first imported, so the entry points (``python -m azura_parent``,
``python -m azura_child``, the benches) set it first thing::

    os.environ.setdefault("GRPC_EXPERIMENTS", FAST_GRPC_IO)  # before anything imports grpc

``setdefault``: a value already in the environment wins. Re-measure on every grpcio upgrade: future
versions may drop the switch.
"""

from __future__ import annotations

__all__ = ["FAST_GRPC_IO"]

FAST_GRPC_IO = "-event_engine_client,-event_engine_listener"
