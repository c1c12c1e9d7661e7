"""``python -m tests.azura_parent.discovery_parent``: the real parent, whose DNS answers come from a JSON file.

The test rewrites the file (``{"name": ["ip", ...]}``) to add and remove children while the parent runs; a
name missing from it does not resolve, as an unknown name does not. Only the resolver differs from
``python -m azura_parent``: it is what ``azura_parent.__main__.main`` takes for the purpose.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from pathlib import Path

from azura_parent.__main__ import main


async def resolve_from_file(host: str, port: int) -> list[str]:
    text = await asyncio.to_thread(Path(os.environ["AZURA_TEST_DNS_FILE"]).read_text)  # as DNS: not on the loop
    answers: dict[str, list[str]] = json.loads(text)
    if host not in answers:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return answers[host]


if __name__ == "__main__":
    raise SystemExit(main(resolve=resolve_from_file))
