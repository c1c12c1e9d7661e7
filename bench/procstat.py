"""CPU ticks and resident memory of a process, read from /proc (Linux)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TICKS_PER_S", "ProcSample", "sample"]

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcSample:
    ticks: int  # utime + stime, in clock ticks
    rss_kb: int


def sample(pid: int) -> ProcSample | None:
    """utime+stime and VmRSS of ``pid``; None when it has exited."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    ticks = int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat(5): utime, stime
    rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return ProcSample(ticks, rss)
