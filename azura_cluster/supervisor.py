"""The supervisor of the one-dyno cluster: the parent and its children as subprocesses of this one.

Each process's output is copied to ours line by line, prefixed with its name like honcho does
(``child.2 | ...``). A process that exits is started again after a backoff (``backoff.Backoff``), except
one that exits with the codes that say restarting cannot help (``EXIT_CONFIG``: a setting is wrong,
``EXIT_TOKEN_REJECTED``: Discord refused its token): a child is then left stopped, the parent ends the
whole cluster with that code. A parent that keeps failing fast (``MAX_FAST_PARENT_FAILURES`` exits in a row,
each before it was up ``stable_s``) ends the cluster with 1, so the platform shows a crashed dyno instead of
a restart loop. SIGTERM/SIGINT are forwarded to every process, which then have ``stop_grace_s`` (within
Heroku's 30 s) to stop cleanly before they are killed.

A hand-written loop rather than supervisord or circus: neither prefixes each process's output, backs off
after a process that had been running, or ends on one program's fatal exit codes without extra plug-ins.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

from azura_common.process import EXIT_CONFIG, EXIT_TOKEN_REJECTED
from azura_common.supervised import wait_set

from .backoff import Backoff

__all__ = ["MAX_FAST_PARENT_FAILURES", "Program", "Supervisor"]

log = logging.getLogger(__name__)

MAX_FAST_PARENT_FAILURES = 5
FATAL_EXITS = {EXIT_CONFIG: "a setting is missing or wrong", EXIT_TOKEN_REJECTED: "Discord rejected its token"}


@dataclass(slots=True)
class Program:
    """One supervised process: ``python -m <module>`` with its environment."""

    name: str  # the output prefix: "parent", "child.1", ...
    module: str
    env: Mapping[str, str]
    essential: bool = False  # the cluster ends when this one cannot be kept running (the parent)
    process: asyncio.subprocess.Process | None = field(default=None, init=False)
    starts: int = field(default=0, init=False)


class Supervisor:
    """Starts every program, keeps it running, stops them all on a signal."""

    def __init__(
        self,
        programs: list[Program],
        *,
        output: BinaryIO | None = None,
        stop_grace_s: float = 25.0,
        stable_s: float = 30.0,
        first_backoff_s: float = 1.0,
    ) -> None:
        self.programs = programs
        self._output = output if output is not None else sys.stdout.buffer
        self._stop_grace_s = stop_grace_s
        self._stable_s = stable_s
        self._first_backoff_s = first_backoff_s
        self._stopping = asyncio.Event()
        self._exit_code = 0
        self._width = max((len(p.name) for p in programs), default=0)

    def stop(self, code: int = 0) -> None:
        """End the cluster with ``code`` (the first reason given wins)."""
        if not self._stopping.is_set():
            self._exit_code = code
            self._stopping.set()

    async def run(self) -> int:
        """Until a signal or a fatal exit; every process stopped by then. The exit code."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._signalled, sig)
        keepers = [asyncio.create_task(self._keep(p), name=f"keep-{p.name}") for p in self.programs]
        try:
            await self._stopping.wait()
        finally:
            await self._stop_all()
            await asyncio.gather(*keepers, return_exceptions=True)
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        return self._exit_code

    def _signalled(self, sig: signal.Signals) -> None:
        log.info("%s: stopping every process", sig.name)
        self.stop(0)

    async def _keep(self, program: Program) -> None:
        backoff = Backoff(first_s=self._first_backoff_s, stable_s=self._stable_s)
        while not self._stopping.is_set():
            started = time.monotonic()
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", program.module, env=dict(program.env),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )
            program.process = process
            program.starts += 1
            log.info("%s started (pid %d)", program.name, process.pid)
            if self._stopping.is_set():  # the stop came while it was starting: _stop_all did not see it
                process.send_signal(signal.SIGTERM)
            assert process.stdout is not None
            await self._copy_output(program.name, process.stdout)
            code = await process.wait()
            if self._stopping.is_set():
                log.info("%s stopped (exit code %d)", program.name, code)
                return
            up_for = time.monotonic() - started
            if code in FATAL_EXITS:
                log.error("%s exited with %d (%s): not restarting it", program.name, code, FATAL_EXITS[code])
                if program.essential:
                    self.stop(code)
                return
            delay = backoff.after_exit(up_for)
            if program.essential and backoff.fast_failures >= MAX_FAST_PARENT_FAILURES:
                log.error("%s failed %d times in a row, each within %.0f s of its start: giving up", program.name,
                          backoff.fast_failures, self._stable_s)
                self.stop(1)
                return
            log.warning("%s exited with %d after %.1f s; restarting it in %.1f s", program.name, code, up_for, delay)
            await wait_set(self._stopping, delay)

    async def _copy_output(self, name: str, stream: asyncio.StreamReader) -> None:
        """Copy a process's output to ours, each line prefixed with its name, until it closes its output."""
        prefix = f"{name:<{self._width}} | ".encode()
        while True:
            try:
                line = await stream.readline()
            except ValueError:  # a line longer than the stream's limit: take what is there
                line = await stream.read(65536)
            if not line:
                return
            self._output.write(prefix + (line if line.endswith(b"\n") else line + b"\n"))
            self._output.flush()

    async def _stop_all(self) -> None:
        """SIGTERM to every running process; SIGKILL to those still running after ``stop_grace_s``."""
        running = [p.process for p in self.programs if p.process is not None and p.process.returncode is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        waits = [asyncio.create_task(process.wait()) for process in running]
        if not waits:
            return
        _, late = await asyncio.wait(waits, timeout=self._stop_grace_s)
        for process in running:
            if process.returncode is None:
                log.warning("pid %d still running %.0f s after SIGTERM: killing it", process.pid, self._stop_grace_s)
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
        await asyncio.gather(*waits, return_exceptions=True)
        if not late:
            log.info("every process stopped")
