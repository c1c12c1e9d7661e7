"""``python -m azura_sandbox.fake_discord --port P``: run the fake Discord until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import logging

from .server import FakeDiscord

log = logging.getLogger("azura_sandbox.fake_discord")


async def _serve(host: str, port: int, demo: bool, bots: list[str]) -> None:
    fake = FakeDiscord()
    bound = await fake.start(host, port)
    for name in bots:  # only tokens this fake issued log in: print them for the bots to use
        log.info("bot %s: token %s", name, fake.create_bot(name))
    if demo:
        guild = await fake.create_guild("sandbox")
        await fake.create_text_channel(guild, "general")
        await fake.create_voice_channel(guild, "music")
        await fake.create_user("alice")
    log.info("fake Discord on port %d: api_base=%s gateway=%s", bound, fake.api_base, fake.gateway_url)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m azura_sandbox.fake_discord")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-demo", action="store_true", help="start with an empty world")
    parser.add_argument(
        "--bots", default="", help="comma-separated bot names to declare; their tokens are logged (or ask /_sandbox/)"
    )
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        bots = [name.strip() for name in args.bots.split(",") if name.strip()]
        asyncio.run(_serve(args.host, args.port, not args.no_demo, bots))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
