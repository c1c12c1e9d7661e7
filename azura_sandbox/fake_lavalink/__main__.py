"""`python -m azura_sandbox.fake_lavalink --port 2333 [--speed S] [--password X] [--sources youtube,soundcloud]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from azura_sandbox.fake_lavalink.server import FakeLavalink
from azura_sandbox.fake_lavalink.sources import DEFAULT_SOURCES, KNOWN_SOURCES, parse_sources

logger = logging.getLogger("azura_sandbox.fake_lavalink")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m azura_sandbox.fake_lavalink", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2333)
    parser.add_argument("--speed", type=float, default=1.0, help="playback clock multiplier")
    parser.add_argument("--password", default="youshallnotpass")
    parser.add_argument("--player-update-interval", type=float, default=1.0, help="seconds")
    parser.add_argument("--stats-interval", type=float, default=5.0, help="seconds")
    parser.add_argument(
        "--sources",
        type=_sources,
        default=DEFAULT_SOURCES,
        help=f"comma-separated source managers, of {','.join(KNOWN_SOURCES)} (default: {','.join(DEFAULT_SOURCES)})",
    )
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def _sources(text: str) -> tuple[str, ...]:
    try:
        return parse_sources(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


async def serve(args: argparse.Namespace) -> None:
    server = FakeLavalink(
        password=args.password,
        speed=args.speed,
        player_update_interval=args.player_update_interval,
        stats_interval=args.stats_interval,
        sources=args.sources,
    )
    port = await server.start(args.host, args.port)
    logger.info("fake Lavalink ready on http://%s:%d (sources: %s)", args.host, port, ",".join(server.sources))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
