"""What both bots' ``__main__`` do around their work: logging (text, or JSON lines with AZURA_LOG_FORMAT=json,
carrying the guild/channel/bot of ``logcontext``), Prometheus metrics (AZURA_METRICS_PORT), SIGTERM/SIGINT, a
bounded graceful stop, and the exit codes a supervisor can tell apart: 2 a missing or malformed setting, 3 a bot
token Discord rejected (neither is worth restarting for), 1 any other failure."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .config import ConfigError, ConfigProblems
from .envhelp import EnvHelp, parse_entry_point_args
from .health_server import health_port
from .logcontext import ContextFilter, JsonFormatter, TextFormatter
from .metrics_http import MetricsServer, metrics_host, metrics_port

T = TypeVar("T")

__all__ = [
    "EXIT_CONFIG",
    "EXIT_TOKEN_REJECTED",
    "LOG_FORMATS",
    "Observability",
    "bot_main",
    "config_problems_text",
    "configure_logging",
    "run_main",
    "run_until_signalled",
    "token_rejected",
]

log = logging.getLogger(__name__)

EXIT_CONFIG = 2
EXIT_TOKEN_REJECTED = 3
GATEWAY_AUTHENTICATION_FAILED = 4004  # Discord's gateway close code for a token it does not accept
TOKEN_VARIABLES = {"azura_parent": "AZURA_PARENT_TOKEN", "azura_child": "AZURA_CHILD_TOKEN (or AZURA_CHILD_TOKENS)"}


def token_rejected(exc: BaseException) -> bool:
    """Discord refused the bot's token: discord.py's ``LoginFailure`` (a 401 at login) or a gateway close 4004
    (the token was reset while the bot ran). Told apart by class name and close code, so this module stays free
    of Discord types (docs/DESIGN.md, import rules)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "LoginFailure" in names:
        return True
    return "ConnectionClosed" in names and getattr(exc, "code", None) == GATEWAY_AUTHENTICATION_FAILED


def run_main(main: Coroutine[Any, Any, int]) -> int:
    """Run a bot's main coroutine on uvloop when it is installed (and AZURA_UVLOOP is not 0)."""
    if os.environ.get("AZURA_UVLOOP", "1") != "0":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return int(uvloop.run(main))
    return asyncio.run(main)


LOG_FORMATS = ("text", "json")


@dataclass(frozen=True, slots=True)
class Observability:
    """How operators see this process: AZURA_LOG_FORMAT, AZURA_METRICS_PORT (see ``metrics_http`` for the port
    of each process) and AZURA_HEALTH_PORT (the parent's gRPC health), checked before the bot starts."""

    log_format: str = "text"
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"
    health_port: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Observability:
        problems = ConfigProblems()
        log_format = env.get("AZURA_LOG_FORMAT", "").strip().lower() or "text"
        if log_format not in LOG_FORMATS:
            problems.add(f"AZURA_LOG_FORMAT must be text or json, not {env['AZURA_LOG_FORMAT']!r}")
        metrics = problems.check(lambda: metrics_port(env), None)
        health = problems.check(lambda: health_port(env), None)
        problems.raise_if_any()
        return cls(log_format, metrics, metrics_host(env), health)


def configure_logging(log_format: str | None = None) -> None:
    """Log to stderr at AZURA_LOG_LEVEL, as text or (``json``, default AZURA_LOG_FORMAT) one JSON object a line;
    either way with the guild/channel/bot a line is about when a command or an RPC bound them."""
    chosen = log_format or os.environ.get("AZURA_LOG_FORMAT", "text").strip().lower()
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    logging.basicConfig(level=os.environ.get("AZURA_LOG_LEVEL", "INFO"), handlers=[handler])


async def _observed(work: Coroutine[Any, Any, int], observability: Observability) -> int:
    """Run ``work`` with this process's /metrics server around it (when AZURA_METRICS_PORT is set)."""
    if observability.metrics_port is None:
        return await work
    server = MetricsServer(observability.metrics_port, observability.metrics_host)
    try:
        await server.start()
    except OSError as exc:
        work.close()
        log.error("cannot serve metrics on %s:%d: %s", server.host, server.port, exc)
        return EXIT_CONFIG
    try:
        return await work
    finally:
        await server.close()


async def run_until_signalled(
    work: Coroutine[Any, Any, Any], stop: Callable[[], Awaitable[None]], *, grace_s: float = 9.0
) -> int:
    """Run ``work`` until it ends or SIGTERM/SIGINT arrives, then ``stop()`` within ``grace_s``.

    Returns the exit code: ``EXIT_TOKEN_REJECTED`` when Discord refused the token, 1 when ``work`` failed by
    itself otherwise, else 0."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    worker = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(stopping.wait())
    await asyncio.wait({worker, waiter}, return_when=asyncio.FIRST_COMPLETED)
    code = 0
    failure = worker.exception() if worker.done() and not worker.cancelled() else None
    if failure is not None and token_rejected(failure):
        log.error("token rejected: Discord refused this bot's token (%s); stopping", failure)
        code = EXIT_TOKEN_REJECTED
    elif failure is not None:
        log.error("stopped by an error: %s", failure)
        code = 1
    waiter.cancel()
    try:
        await asyncio.wait_for(stop(), grace_s)
    except TimeoutError:
        log.warning("shutdown took longer than %.0f s; exiting anyway", grace_s)
    if not worker.done():
        worker.cancel()
    await asyncio.gather(worker, waiter, return_exceptions=True)
    await _end_leftover_tasks()
    return code


async def _end_leftover_tasks(timeout_s: float = 2.0) -> None:
    """Every task still running once the stop is done was owned by nobody: name them (a leak to fix) and end
    them here, so none is destroyed pending (asyncio's "Task was destroyed but it is pending!") at exit."""
    current = asyncio.current_task()
    leftover = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    if not leftover:
        return
    names = sorted(_task_name(task) for task in leftover)
    log.warning("%d task(s) still running after the stop, ending them: %s", len(leftover), ", ".join(names))
    for task in leftover:
        task.cancel()
    await asyncio.wait(leftover, timeout=timeout_s)


def _task_name(task: asyncio.Task[Any]) -> str:
    coro = task.get_coro()
    return getattr(coro, "__qualname__", None) or task.get_name()


def bot_main(
    name: str,
    load_config: Callable[[], T],
    run: Callable[[T], Coroutine[Any, Any, int]],
    *,
    description: str = "",
    environment: tuple[EnvHelp, ...] = (),
    argv: list[str] | None = None,
) -> int:
    """A bot's whole ``main()``: ``--help`` (what it is and the environment variables it reads), logging,
    configuration (every ``ConfigError`` problem listed at once, exit 2), run (a token Discord refuses exits 3
    naming the variable to fix)."""
    try:
        parse_entry_point_args(f"python -m {name}", description, environment, argv)
    except SystemExit as exc:  # argparse's way out: --help (0) or an argument it does not know (2)
        return exc.code if isinstance(exc.code, int) else EXIT_CONFIG
    problems = ConfigProblems()
    observability = problems.check(Observability.from_env, Observability())
    configure_logging(observability.log_format)
    config = problems.check(load_config, None)
    if problems.found or config is None:
        sys.stderr.write(config_problems_text(name, ConfigError(*problems.found)))
        return EXIT_CONFIG
    code = run_main(_observed(run(config), observability))
    if code == EXIT_TOKEN_REJECTED:
        variable = TOKEN_VARIABLES.get(name, "the bot's token setting")
        sys.stderr.write(
            f"{name}: token rejected by Discord: set {variable} to the token of this bot's application "
            "(Developer Portal → Bot → Reset Token; a reset makes the old token invalid)\n"
        )
    return code


def config_problems_text(name: str, error: ConfigError) -> str:
    """What the operator reads when the configuration is wrong: one line, or every problem on its own line."""
    problems = error.problems or (str(error),)
    if len(problems) == 1:
        return f"{name}: {problems[0]}\n"
    listed = "".join(f"  - {problem}\n" for problem in problems)
    return f"{name}: {len(problems)} configuration problems (see --help and .env.example):\n{listed}"
