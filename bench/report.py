"""BENCHMARKS.md, the plots under bench/plots/ and the README's figures, from the JSON in bench/results/.

    .venv/bin/python bench/report.py

Run by bench/run_all.py (``make bench``) after the benchmarks; it can be run alone to re-render. A
benchmark without results gets a line saying so instead of its table and plot.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from figures import PLOTS, memory_rows, plot_children, plot_failover, plot_latency, plot_memory

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
README_START, README_END = "<!-- figures:start -->", "<!-- figures:end -->"
CHILDREN = (1, 2, 4, 8)

Json = dict[str, Any]


def load(name: str) -> Json | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def table(header: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        return f"{v:,.1f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def missing(name: str, meta: Json) -> str:
    status = meta.get("steps", {}).get(name, {}).get("status", "not run")
    return f"_No results: `{name}` {status} (see bench/results/{name}.log)._"


# ---- sections ------------------------------------------------------------------------------------------

def load_row(name: str, r: Json) -> list[Any]:
    c, ld = r["config"], r["load"]
    lat = ld["latency"] or {}
    mode = f"{c['in_flight']} in flight (closed loop)" if c.get("in_flight") else f"{c['rate']:.0f}/s offered"
    return [name, mode, ld["sent"], ld["achieved_per_s"], ld["through_parent_per_s"], ld["errors"],
            lat.get("p50_ms", "-"), lat.get("p99_ms", "-"), lat.get("max_ms", "-")]


def cpu_ms_per_command(r: Json) -> dict[str, float]:
    """CPU each process spent per answered command under load, beyond its CPU with the sessions playing."""
    ld = r["load"]
    base = r.get("cpu_playing_pct", {})
    return {name: round((pct - base.get(name, 0.0)) / 100 * ld["wall_s"] / max(1, ld["answered"]) * 1000, 2)
            for name, pct in r["cpu_load_pct"].items()}


def section_load(meta: Json) -> tuple[str, Json]:
    runs = {name: r for name in ("load_capacity", "load_goal_rate", "load_steady") if (r := load(name))}
    figures: Json = {}
    if not runs:
        return "## Load through one parent\n\n" + missing("load_capacity", meta), figures
    out = ["## Load through one parent",
           "Parent + 8 children as processes, 4 guilds, 32 sessions playing (one listener each); the fakes and "
           "the driver in one more process. The mix: `/nowplaying` 30 %, `/queue` 20 %, `/volume` 20 % (slash "
           "commands: the parent answers), the now-playing buttons volume up / down 30 % (the session's bot "
           "answers). Latency: the fake Discord wrote INTERACTION_CREATE → the bot's callback arrived. Errors: "
           "no reply within the timeout (a refused, non-2xx callback is never acknowledged, so it lands here), "
           "a ⚠️ reply, a private answer to a button.", "",
           table(["run", "load", "sent", "answered/s", "by the parent/s", "errors", "p50 ms", "p99 ms", "max ms"],
                 [load_row(n, r) for n, r in runs.items()])]
    if (cap := runs.get("load_capacity")) is not None:
        cpu_ms = cpu_ms_per_command(cap)
        names = list(cap["cpu_load_pct"])
        out += ["", "Per process in the closed-loop run (CPU: % of one core; CPU ms per command: CPU under load "
                "beyond the playing baseline, per answered command of the whole mix):", "",
                table(["process", "RSS idle MB", "RSS after MB", "CPU idle %", "CPU playing %", "CPU under load %",
                       "CPU ms / command"],
                      [[n, cap["rss_idle_mb"].get(n, "-"), cap["rss_after_mb"].get(n, "-"),
                        cap.get("cpu_idle_pct", {}).get(n, "-"), cap.get("cpu_playing_pct", {}).get(n, "-"),
                        cap["cpu_load_pct"][n], cpu_ms[n]] for n in names])]
        figures["capacity_per_s"] = cap["load"]["achieved_per_s"]
        figures["capacity_p99_ms"] = (cap["load"]["latency"] or {}).get("p99_ms")
        figures["parent_cpu_ms"] = cpu_ms.get("parent")
        figures["children_cpu_ms"] = round(sum(v for k, v in cpu_ms.items() if k.startswith("kid-")), 2)
        figures["fakes_cpu_ms"] = cpu_ms.get("fakes+driver")
    if (steady := runs.get("load_steady")) is not None:
        out += ["", f"By action at {steady['config']['rate']:.0f}/s offered:", "",
                table(["action", "sent", "errors", "p50 ms", "p99 ms"],
                      [[a, row["sent"], row["errors"], row.get("p50_ms", "-"), row.get("p99_ms", "-")]
                       for a, row in steady["load"]["by_action"].items()])]
        figures["steady"] = steady["load"]
    if (goal := runs.get("load_goal_rate")) is not None:
        figures["goal_rate"] = goal["load"]
    return "\n".join(out), figures


def section_session(meta: Json) -> tuple[str, Json]:
    cap = load("load_capacity")
    if cap is None or "session_cost" not in cap:
        return "## What a playing session costs\n\n" + missing("load_capacity", meta), {}
    cost = cap["session_cost"]
    rows = [[n, r["sessions"], r["idle_pct"], r["playing_pct"], r["per_session_pct"]]
            for n, r in cost["children"].items()]
    text = ["## What a playing session costs",
            f"Each child's CPU over {cap['config']['idle_seconds']:.0f} s with the bots logged in and nothing "
            "playing, then again with the sessions playing and no commands (the fake Lavalink sends a "
            "playerUpdate every 5 s, Lavalink's default; the now-playing message is edited every 10 s).", "",
            table(["child", "sessions", "CPU idle %", "CPU playing %", "per session %"], rows), "",
            f"All children: **{cost['per_session_pct']} % of a core per playing session** "
            f"({cost['sessions']} sessions; goal ≤ 0.5 %). The noise of a shared machine is of the same order "
            "(a 100 Hz tick counter over the window): read it as \"well under\", not as a precise figure."]
    return "\n".join(text), {"session_pct": cost["per_session_pct"]}


def section_play(meta: Json) -> tuple[str, Json]:
    cap = load("load_capacity")
    play = cap.get("play") if cap else None
    if not play or "beyond_search_ms" not in play:
        return "## /play → TrackStart\n\n" + missing("load_capacity", meta), {}
    text = ["## /play → TrackStart on a child",
            "For each session a child took (4 guilds started in parallel, one /play at a time per "
            "guild): *total* = the fake Discord wrote /play's INTERACTION_CREATE → the fake Lavalink started "
            "the track; *search* = that dispatch → the fake Lavalink's `loadtracks` reply was ready (the parent "
            "got the interaction, deferred, searched); *beyond the search* = total − search: choosing a bot, "
            "opening the session on the child over gRPC, joining voice (gateway op 4, Discord's voice events, "
            "the voice state to Lavalink) and the play request.", "",
            table(["", "p50 ms", "p90 ms", "p99 ms", "max ms"],
                  [[k.removesuffix("_ms").replace("_", " "), play[k]["p50_ms"], play[k]["p90_ms"], play[k]["p99_ms"],
                    play[k]["max_ms"]] for k in ("total_ms", "search_ms", "beyond_search_ms")])]
    slow = [p for p in play["sessions"] if p["beyond_search_ms"] > 1000]
    if slow:
        times = ", ".join(f"{p['beyond_search_ms'] / 1000:.1f} s" for p in slow)
        text += ["", f"{len(slow)} of {len(play['sessions'])} took over a second beyond the search "
                 f"({times}) with no warning in any "
                 "process's log; the rest are the p50 above. Not explained yet."]
    return "\n".join(text), {"beyond_p50": play["beyond_search_ms"]["p50_ms"],
                             "beyond_p99": play["beyond_search_ms"]["p99_ms"]}


def section_children(meta: Json) -> tuple[str, Json]:
    rows = [(c, r) for c in CHILDREN if (r := load(f"children_{c}")) is not None]
    if not rows:
        return "## Throughput vs children count\n\n" + missing("children_1", meta), {}
    plot_children(rows)
    base = rows[0][1]["load"]["achieved_per_s"]
    text = ["## Throughput vs children count",
            "The same closed loop (16 in flight, 4 guilds, 8 sessions) with 1, 2, 4 and 8 child processes. Every "
            "child process runs on the same 2 cores as the parent, the fakes and the driver, so past a few children "
            "they take CPU from the parent even when they play nothing (gateway events of their guilds: voice "
            "states, members; message events are not sent to them since they do not ask for that intent).", "",
            table(["children", "answered/s", "vs 1 child", "p50 ms", "p99 ms", "parent CPU %", "errors"],
                  [[c, r["load"]["achieved_per_s"], f"{r['load']['achieved_per_s'] / base:.2f}×",
                    r["load"]["latency"]["p50_ms"], r["load"]["latency"]["p99_ms"], r["cpu_load_pct"].get("parent"),
                    r["load"]["errors"]] for c, r in rows]), "",
            "![throughput vs children](bench/plots/throughput_vs_children.png)"]
    return "\n".join(text), {"children": {c: r["load"]["achieved_per_s"] for c, r in rows}}


def section_failover(meta: Json) -> tuple[str, Json]:
    fo = load("failover")
    if fo is None:
        return "## Failover\n\n" + missing("failover", meta), {}
    plot_failover(fo)
    s = fo["seconds"]
    errors = sorted(r["position_error_ms"] for r in fo["rounds"])
    text = ["## Failover over repeated kills",
            f"{len(fo['rounds'])} rounds of kill -9 on the child playing a session (parent + "
            f"{fo['config']['children']} children, the killed one restarted at once): the time from the kill to "
            "the fake Lavalink playing the same track on another bot, and how far its position was from where "
            "the music would have been.", "",
            table(["", "p50", "p90", "max", f"within {fo['goal_s']:.0f} s"],
                  [["seconds", f"{s['p50_s']:.2f}", f"{s['p90_s']:.2f}", f"{s['max_s']:.2f}",
                    f"{fo['within_goal']}/{len(fo['rounds'])}"],
                   ["position error ms", errors[len(errors) // 2], errors[int(len(errors) * 0.9)], errors[-1], ""]]),
            ""]
    history = fo.get("by_history", {})
    if history:
        labels = {"first_kill": "the child's first kill in the run", "killed_before": "a child killed before, "
                  "restarted on its address, killed again"}
        text += [table(["which kill", "rounds", "p50 s", "max s"],
                       [[labels[k], r["count"], f"{r['p50_s']:.2f}", f"{r['max_s']:.2f}"] for k, r in history.items()]),
                 ""]
    if history.get("killed_before", {}).get("p50_s", 0) > fo["goal_s"]:
        text += ["A child killed again after a restart is declared gone only after the parent's Link retries its "
                 "address, and that retry waits the reconnect backoff the earlier outage built up (0.2 s doubling "
                 "to 5 s): `ChildLink._run` (azura_common/koe/link/parent_end.py) resets the delay only when a "
                 "stream ends without an error, which a broken stream never does, so a Link that was up again "
                 "keeps the old 5 s. A first kill is noticed in ~0.2 s. Resetting the delay once the stream had "
                 "heard the child's Hello brings every round to the first kill's time.", ""]
    text.append("![failover](bench/plots/failover.png)")
    return "\n".join(text), {"failover": s, "failover_within": f"{fo['within_goal']}/{len(fo['rounds'])}",
                             "failover_first": history.get("first_kill"),
                             "failover_again": history.get("killed_before")}


def section_soak(meta: Json) -> tuple[str, Json]:
    soak = load("soak")
    if soak is None:
        return "## Soak\n\n" + missing("soak", meta), {}
    if soak["max_growth_pct"] is None:
        return "## Soak\n\n_The soak was too short to tell growth (two samples after its warm-up needed)._", {}
    c = soak["config"]
    rows = [[n, v[0], v[-1], f"{soak['growth_pct'].get(n, 0):+.2f} %"] for n, v in soak["rss_mb"].items()]
    text = ["## Soak",
            f"{c['seconds'] / 60:.1f} minutes at {c['rate']:.0f} commands/s (the load mix, {c['sessions']} sessions "
            f"playing, parent + {c['children']} children), "
            f"RSS read every {c['sample_s']:.0f} s; growth = mean of the last three samples over the first after "
            f"the warm-up ({soak['warmup_windows']} window(s)). {soak['load']['sent']:,} commands, "
            f"{soak['load']['errors']} errors.", "",
            table(["process", "RSS first MB", "RSS last MB", "growth"], rows), "",
            f"Largest growth of an Azura process: **{soak['max_growth_pct']:+.2f} %** (goal ≤ 5 %).", "",
            "Why the parent grows in a short soak: it keeps each `/queue` reply's pager (a discord.py View) for "
            "600 s (`PAGER_TIMEOUT_S`, azura_parent/commands/queue.py). With `/queue` a fifth of the mix, "
            f"{c['rate'] * 0.2 * 600:,.0f} pagers are alive at steady state; until the first ones expire the "
            "parent's memory climbs with them, then it levels off. Only a soak whose warm-up is past those 600 s "
            "says whether anything else grows:"]
    figures: Json = {"soak_growth": soak["max_growth_pct"], "soak_minutes": c["seconds"] / 60}
    long = load("soak_long")
    if long is not None:
        lc = long["config"]
        text += ["", f"A longer soak (`bench/soak.py --seconds {lc['seconds']:.0f} --warmup-s {lc['warmup_s']:.0f}`, "
                 f"run once apart from `make bench`, while a full test suite ran beside it): growth after the first "
                 f"{lc['warmup_s'] / 60:.0f} minutes, {long['load']['sent']:,} commands, {long['load']['errors']} "
                 f"errors (no reply in 10 s), p99 {long['load']['latency']['p99_ms']:,.0f} ms.", "",
                 table(["process", "RSS first MB", "RSS at warm-up end MB", "RSS last MB", "growth after warm-up"],
                       [[n, v[0], v[long['warmup_windows']], v[-1], f"{long['growth_pct'].get(n, 0):+.2f} %"]
                        for n, v in long["rss_mb"].items()]), "",
                 f"Largest growth of an Azura process after the warm-up: **{long['max_growth_pct']:+.2f} %**."]
        figures.update({"soak_growth": long["max_growth_pct"], "soak_minutes": lc["seconds"] / 60})
    return "\n".join(text), figures


def section_remote(meta: Json) -> tuple[str, Json]:
    remote = load("remote_latency")
    if remote is None:
        return "## Latency local vs remote\n\n" + missing("remote_latency", meta), {}
    plot_latency(remote, load("load_steady"))

    def p(samples: list[float], q: float) -> float:
        ordered = sorted(samples)
        return ordered[max(0, int(len(ordered) * q) - 1)] / 1000

    rows = [[group.removesuffix("_us").replace("_", " "), name, round(p(v, 0.5), 3), round(p(v, 0.99), 3)]
            for group in ("transport_us", "end_to_end_us", "acquisition_us") for name, v in remote[group].items()]
    e2e = remote["end_to_end_us"]
    local, child = p(e2e["LocalSession.pause (in-process)"], 0.5), p(e2e["RemoteSession.pause (child process)"], 0.5)
    text = ["## Latency local vs remote",
            f"bench/remote_latency.py, {remote['calls']} calls per variant, interleaved: a pause on a session in "
            "the parent's own process vs the same call to a child process over gRPC (and over the first Koe's "
            "HTTP design), the transport alone, and acquiring a free child among 1, 4 and 16.", "",
            table(["group", "variant", "p50 ms", "p99 ms"], rows), "",
            f"Remote / local at p50: **{child / local:.1f}×**.", "",
            "![latency local vs remote](bench/plots/latency_local_vs_remote.png)"]
    return "\n".join(text), {"remote_ratio": round(child / local, 1), "remote_p50": child, "local_p50": local}


def section_memory(meta: Json) -> tuple[str, Json]:
    multibot = load("multibot_memory")
    rows = memory_rows(multibot) if multibot is not None else []
    if not rows:
        reason = ("bench/multibot_memory.py is not in this tree (the multibot helper writes it; the lead merges "
                  "both), so this run has no memory-vs-bots figure" if not (HERE / "multibot_memory.py").exists()
                  else missing("multibot_memory", meta))
        return f"## Memory vs bots per process\n\n_Skipped: {reason}._", {}
    plot_memory(rows)
    per_bot = (rows[-1][1] - rows[0][1]) / (rows[-1][0] - rows[0][0]) if len(rows) > 1 else None
    text = ["## Memory vs bots per process", "From bench/multibot_memory.py.", "",
            table(["bots in the process", "RSS MB"], [[int(b), m] for b, m in rows]), "",
            f"Each extra bot: **{per_bot:.1f} MB** (goal ≤ 15 MB)." if per_bot is not None else "",
            "![memory vs bots](bench/plots/memory_vs_bots.png)"]
    return "\n".join(text), {"mb_per_bot": per_bot}


# ---- the whole -----------------------------------------------------------------------------------------

def shared_note(load_start: list[float], cores: Any) -> str:
    """Whether other work shared the machine, judged by the load average when the run began."""
    if not load_start:
        return "The load average at the start was not recorded."
    if load_start[0] >= 1.0:
        return (f"Other work shared the machine: the 1-minute load average was {load_start[0]:.1f} on {cores} cores "
                "when the run began.")
    return f"The machine was otherwise idle when the run began (1-minute load average {load_start[0]:.1f})."


def section_machine(meta: Json) -> str:
    m = meta.get("machine", {})
    load_start = ", ".join(f"{v:.1f}" for v in m.get("load_average", []))
    load_end = ", ".join(f"{v:.1f}" for v in m.get("load_average_end", []))
    steps = meta.get("steps", {})
    return "\n".join([
        "## The machine",
        table(["", ""], [["CPU", m.get("cpu", "?")], ["cores", m.get("cores", "?")], ["Python", m.get("python", "?")],
                         ["OS", m.get("os", "?")], ["date", m.get("date", "?")],
                         ["load average (1, 5, 15 min) at start / end", f"{load_start} / {load_end}"],
                         ["whole run", f"{meta.get('total_s', 0) / 60:.1f} min"]]),
        "",
        shared_note(m.get("load_average", []), m.get("cores", 2)) + " Every process of the cluster, the fakes and "
        "the load driver are on the same cores, so the absolute rates and latencies here are those of a small, "
        "crowded machine; the ratios, the CPU per command and per session, and memory are the figures that carry "
        "over.",
        "",
        table(["benchmark", "status", "seconds"], [[n, s["status"], s["seconds"]] for n, s in steps.items()]),
    ])


def section_goals(f: Json) -> str:
    rows: list[list[Any]] = []
    goal_rate = f.get("goal_rate")
    if goal_rate:
        lat = goal_rate["latency"] or {}
        ok = goal_rate["achieved_per_s"] >= 500 and lat.get("p99_ms", 1e9) <= 25 and goal_rate["errors"] == 0
        rows.append(["≥ 500 commands/s through one parent, p99 ≤ 25 ms, 0 errors",
                     f"500/s offered: {goal_rate['achieved_per_s']}/s answered, p99 {lat.get('p99_ms', 0):,.0f} ms, "
                     f"{goal_rate['errors']} errors; closed loop: {f.get('capacity_per_s')}/s at p99 "
                     f"{f.get('capacity_p99_ms') or 0:,.0f} ms", verdict(ok)])
    if f.get("session_pct") is not None:
        rows.append(["a playing session ≤ 0.5 % of a core on its bot", f"{f['session_pct']} %",
                     verdict(f["session_pct"] <= 0.5)])
    if f.get("beyond_p50") is not None:
        rows.append(["/play → TrackStart on a child ≤ 50 ms beyond the search",
                     f"p50 {f['beyond_p50']:.1f} ms, p99 {f['beyond_p99']:.1f} ms", verdict(f["beyond_p50"] <= 50)
                     + (" at p50" if f["beyond_p99"] > 50 else "")])
    if f.get("soak_growth") is not None:
        rows.append([f"RSS growth ≤ 5 % over a 10-minute soak (the {f['soak_minutes']:.0f}-minute soak below)",
                     f"{f['soak_growth']:+.2f} %", verdict(f["soak_growth"] <= 5)])
    if f.get("failover"):
        split = "".join(f"; {label} p50 {r['p50_s']:.2f} s" for label, r in
                        (("first kill", f.get("failover_first")), ("killed again", f.get("failover_again"))) if r)
        rows.append(["a killed child's session plays on within 3 s (docs/RELIABILITY.md)",
                     f"p50 {f['failover']['p50_s']:.2f} s, max {f['failover']['max_s']:.2f} s{split}",
                     f"{f['failover_within']} rounds"])
    if f.get("mb_per_bot") is not None:
        rows.append(["each extra bot in a process ≤ 15 MB RSS", f"{f['mb_per_bot']:.1f} MB",
                     verdict(f["mb_per_bot"] <= 15)])
    return "## Goals\n\n" + table(["goal", "measured", ""], rows)


def update_readme(f: Json) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    lines = [README_START, "## Figures", "",
             "Measured by `make bench` on a shared 2-core machine; every number and its method is in "
             "[BENCHMARKS.md](BENCHMARKS.md)."]
    facts = []
    if f.get("capacity_per_s") is not None:
        facts.append(f"one parent answered {f['capacity_per_s']} commands/s with 16 in flight (p99 "
                     f"{f['capacity_p99_ms']:.0f} ms) while 32 sessions played; the goal of 500/s at p99 ≤ 25 ms "
                     "was not reached on this machine" if (f.get("goal_rate") or {}).get("achieved_per_s", 0) < 500 else
                     f"one parent answered {f['capacity_per_s']} commands/s")
    if f.get("session_pct") is not None:
        facts.append(f"a playing session costs {f['session_pct']} % of a core on its child")
    if f.get("beyond_p50") is not None:
        facts.append(f"/play reaches TrackStart {f['beyond_p50']:.0f} ms (p50) after the search")
    if f.get("failover_first") and f.get("failover_again"):
        facts.append(f"a kill -9'd child's session plays on in {f['failover_first']['p50_s']:.2f} s (p50) the "
                     f"first time a child dies, {f['failover_again']['p50_s']:.2f} s when it had died and restarted "
                     "before (a Link backoff bug, see BENCHMARKS.md)")
    elif f.get("failover"):
        facts.append(f"a kill -9'd child's session plays on in {f['failover']['p50_s']:.2f} s (p50, max "
                     f"{f['failover']['max_s']:.2f} s over {f['failover']['count']} kills)")
    if f.get("remote_ratio") is not None:
        facts.append(f"a session call to a child process is {f['remote_ratio']}× an in-process one at p50")
    if facts:
        lines += ["", "In the last run: " + "; ".join(facts) + "."]
    for name, title in (("latency_local_vs_remote", "Latency local vs remote"),
                        ("failover", "Failover over repeated kills"),
                        ("throughput_vs_children", "Throughput vs children"), ("memory_vs_bots", "Memory vs bots")):
        if (PLOTS / f"{name}.png").exists():
            lines += ["", f"![{title}](bench/plots/{name}.png)"]
    lines.append(README_END)
    block = "\n".join(lines)
    if README_START in text:
        text = re.sub(re.escape(README_START) + ".*?" + re.escape(README_END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(text)


def main() -> int:
    PLOTS.mkdir(exist_ok=True)
    meta = load("run") or {}
    figures: Json = {}
    sections = []
    for make in (section_load, section_session, section_play, section_children, section_failover, section_soak,
                 section_remote, section_memory):
        text, found = make(meta)
        sections.append(text)
        figures.update(found)
    doc = ["# Benchmarks",
           "Written by `make bench` (bench/run_all.py, then bench/report.py from bench/results/*.json); do not "
           "edit by hand. What each benchmark does is in its module's docstring.", "",
           section_goals(figures), "", section_machine(meta), "", *[s + "\n" for s in sections]]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(doc).rstrip("\n") + "\n")
    update_readme(figures)
    print("wrote BENCHMARKS.md, bench/plots/*.png and the README's figures")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
