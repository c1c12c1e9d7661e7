"""Imported first by both bots' ``__main__``, before anything imports grpc.

gRPC's older I/O path (``GRPC_EXPERIMENTS=-event_engine_client,-event_engine_listener``) answers a call on an
open stream about 1.8x faster here under uvloop (bench/remote_latency.py; FIELD_NOTES.md). It must be chosen
before grpc initialises, and a value already in the environment wins. Re-measure on every grpcio upgrade:
future versions may drop the switch.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRPC_EXPERIMENTS", "-event_engine_client,-event_engine_listener")
