"""``python -m azura_sandbox`` (``make demo``): the scripted evening on the offline sandbox."""

from __future__ import annotations

from .demo import main

if __name__ == "__main__":
    raise SystemExit(main())
