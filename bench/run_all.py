"""`make bench`: every benchmark, one after the other, then BENCHMARKS.md and the plots (bench/report.py).

    .venv/bin/python bench/run_all.py [--only NAME ...]

Each benchmark runs as its own process with a time limit and writes JSON under bench/results/; one that
fails or overruns is recorded as such and the rest still run (the report says which). Durations are chosen
so the whole run fits in 15 minutes on a 2-core machine; the soak's length is ``AZURA_SOAK_S`` (the Makefile
passes 180 unless it is set).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"


@dataclass(frozen=True)
class Step:
    name: str
    argv: list[str]
    limit_s: float


def steps() -> list[Step]:
    soak_s = float(os.environ.get("AZURA_SOAK_S", "600"))
    load = ["bench/load.py", "--children", "8", "--guilds", "4", "--sessions", "32"]
    out = [
        Step("remote_latency", ["bench/remote_latency.py", "2000"], 150),
        # the most one parent answers with 16 commands waiting at most (a closed loop cannot overload it)
        Step("load_capacity", [*load, "--in-flight", "16", "--seconds", "15", "--idle-seconds", "15"], 150),
        # the goal's rate, offered open loop whatever happens
        Step("load_goal_rate", [*load, "--rate", "500", "--seconds", "10", "--idle-seconds", "0", "--timeout", "5"],
             150),
        # a rate this machine keeps up with: the latency a user sees below saturation
        Step("load_steady", [*load, "--rate", "40", "--seconds", "15", "--idle-seconds", "0"], 120),
    ]
    for children in (1, 2, 4, 8):
        out.append(Step(f"children_{children}", ["bench/load.py", "--children", str(children), "--guilds", "4",
                                                 "--sessions", "8", "--in-flight", "16", "--seconds", "8",
                                                 "--idle-seconds", "0"], 100))
    out.append(Step("failover", ["bench/failover.py", "--kills", "20", "--children", "4"], 200))
    out.append(Step("soak", ["bench/soak.py", "--seconds", str(soak_s)], soak_s + 120))
    if (HERE / "multibot_memory.py").exists():
        out.append(Step("multibot_memory", ["bench/multibot_memory.py"], 150))
    return out


def machine() -> dict[str, object]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
                 platform.processor() or "unknown")
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}", "load_average": list(os.getloadavg()),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def run_step(step: Step) -> dict[str, object]:
    out = RESULTS / f"{step.name}.json"
    out.unlink(missing_ok=True)
    log = RESULTS / f"{step.name}.log"
    started = time.monotonic()
    print(f"== {step.name}: {' '.join(step.argv)}", flush=True)
    with log.open("w") as sink:
        try:
            done = subprocess.run([sys.executable, *step.argv, "--json", str(out)], cwd=ROOT, stdout=sink,
                                  stderr=subprocess.STDOUT, timeout=step.limit_s)
            status = "ok" if done.returncode == 0 and out.exists() else f"failed (exit {done.returncode})"
        except subprocess.TimeoutExpired:
            status = f"stopped after {step.limit_s:.0f} s"
    took = time.monotonic() - started
    print(f"   {status} in {took:.0f} s", flush=True)
    printed = [line for line in log.read_text(errors="replace").splitlines()
               if not line.startswith((" ", "Traceback")) or line.startswith("  ")]
    print("\n".join(printed[-14:]), flush=True)
    return {"status": status, "seconds": round(took, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/run_all.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="run only these steps (the report uses what is there)")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    started = time.monotonic()
    meta_path = RESULTS / "run.json"
    meta = json.loads(meta_path.read_text()) if args.only and meta_path.exists() else {"steps": {}}
    meta["machine"] = machine()
    for step in steps():
        if args.only and step.name not in args.only:
            continue
        meta["steps"][step.name] = run_step(step)
        meta_path.write_text(json.dumps(meta, indent=1))
    meta["machine"]["load_average_end"] = list(os.getloadavg())
    meta["total_s"] = round(time.monotonic() - started, 1)
    meta_path.write_text(json.dumps(meta, indent=1))
    print(f"all benchmarks: {meta['total_s']:.0f} s", flush=True)
    return subprocess.run([sys.executable, "bench/report.py"], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
