"""``make demo``: a scripted evening in one server, on the real parent and two children from the Procfile.

The fakes run in this process; honcho runs the Procfile (parent + 2 child processes, each running two bot
accounts: ``AZURA_CHILD_BOTS``) against them with sandbox
settings; the users are driven through the fake Discord. Every step checks what it expects and the demo
stops with a clear message (exit 1) when something does not happen.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from azura_common.envhelp import parse_entry_point_args

from .fake_discord import FakeDiscord
from .fake_discord.driver import InteractionResult
from .fake_discord.world import Channel, Guild, User
from .fake_lavalink import FakeLavalink
from .testing import free_port
from .waiting import eventually

__all__ = ["DemoFailed", "main", "run_demo"]

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
SECRET = "demo-cluster-secret"
DEADLINE_S = 60.0
CHILD_PROCESSES = 2  # honcho's child.1 and child.2 from the Procfile
BOTS_PER_CHILD = 2  # each child process runs two bot accounts (AZURA_CHILD_BOTS)
CHILD_BOTS = CHILD_PROCESSES * BOTS_PER_CHILD


class DemoFailed(Exception):
    """A step of the story did not happen; the message says which."""


def free_port_block(size: int = 200) -> int:
    """A base port whose honcho ports (base, base+100, base+101) are free right now."""
    for _ in range(50):
        base = free_port()
        if base + size > 65000:
            continue
        ports = [base, base + 100, base + 101]
        try:
            for port in ports:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise DemoFailed("no free block of ports for the cluster")


class Story:
    """Prints what users see, in plain words."""

    def __init__(self, discord: FakeDiscord, guild: Guild) -> None:
        self.discord = discord
        self.guild = guild
        self.names: dict[int, str] = {}

    def say(self, text: str = "") -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def plain(self, text: str) -> str:
        """Discord markdown → what a reader sees."""
        text = re.sub(r"\[([^\]]*)\]\(<?[^)>]*>?\)", r"\1", text)
        text = re.sub(r"<@!?(\d+)>", lambda m: "@" + self.names.get(int(m.group(1)), "someone"), text)
        text = re.sub(r"<#(\d+)>", lambda m: "#" + self.names.get(int(m.group(1)), "channel"), text)
        return text.replace("**", "").replace("`", "")

    def answer(self, who: str, result: InteractionResult) -> None:
        privately = " (only you can see this)" if result.private else ""
        lines = self.plain(result.text).splitlines() or ["(no answer)"]
        self.say(f"   {who} sees{privately}: {lines[0]}")
        for line in lines[1:]:
            self.say(f"      {line}")


async def run_demo(keep: bool = False) -> None:
    started = time.monotonic()
    discord = FakeDiscord()
    await discord.start()
    lavalink = FakeLavalink(speed=10, player_update_interval=0.5)
    await lavalink.start()
    guild = await discord.create_guild("Azura Lounge")
    text = await discord.create_text_channel(guild, "music")
    lounge = await discord.create_voice_channel(guild, "Lounge")
    gaming = await discord.create_voice_channel(guild, "Gaming")
    alice = await discord.create_user("Alice")
    bob = await discord.create_user("Bob")
    carol = await discord.create_user("Carol")
    story = Story(discord, guild)
    for thing, name in ((text, "music"), (lounge, "Lounge"), (gaming, "Gaming"), (alice, "Alice"), (bob, "Bob"),
                        (carol, "Carol")):
        story.names[thing.id] = name

    workdir = Path(tempfile.mkdtemp(prefix="azura-demo-"))
    base = free_port_block()
    empty_env = workdir / "empty.env"
    empty_env.write_text("")  # never read a developer's real .env with tokens
    venv_bin = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
        # the fake Discord issues each bot's Discord-format token; it refuses any other
        "AZURA_PARENT_TOKEN": discord.create_bot("demo-parent"),
        "AZURA_CHILD_TOKENS": ",".join(discord.create_bot(f"demo-child-{i}") for i in range(1, CHILD_BOTS + 1)),
        "AZURA_CHILD_COUNT": str(CHILD_PROCESSES),  # honcho's child.1, child.2: each logs in BOTS_PER_CHILD bots
        "AZURA_CHILD_BOTS": str(BOTS_PER_CHILD),
        "AZURA_CLUSTER_SECRET": SECRET,
        "LAVALINK_URI": f"http://127.0.0.1:{lavalink.port}",
        "LAVALINK_PASSWORD": lavalink.password,
        "AZURA_DISCORD_API": discord.base_url,
        "AZURA_DB_PATH": str(workdir / "azura.sqlite3"),
        "AZURA_COMMAND_GUILDS": str(guild.id),
        "PYTHONUNBUFFERED": "1",
        # -- the web dashboard: the parent serves it on honcho's $PORT (its logins go through the fake Discord) --
        "AZURA_WEB_HOST": "127.0.0.1",
        "AZURA_WEB_URL": f"http://127.0.0.1:{base}",
        "AZURA_OAUTH_CLIENT_SECRET": discord.oauth_client_secret,
    }
    honcho = shutil.which("honcho", path=venv_bin) or "honcho"
    log_path = workdir / "cluster.log"
    story.say(f"🎧 Azura sandbox demo: one server, two voice channels, {CHILD_BOTS + 1} bot accounts, no internet.")
    story.say(f"   fake Discord {discord.base_url} · fake Lavalink :{lavalink.port} (10× speed)")
    story.say(f"   starting the Procfile with honcho: parent on :{base}, two child processes on :{base + 100} and "
              f":{base + 101}, {BOTS_PER_CHILD} bots each")
    story.say(f"   (process output: {log_path})")
    story.say(f"   web dashboard: http://127.0.0.1:{base} (log in as Alice, Bob or Carol on the fake Discord's page)")
    cluster = _start_cluster(
        [honcho, "start", "-e", str(empty_env), "-f", str(ROOT / "Procfile"), "-d", str(ROOT), "-p", str(base),
         "-c", "parent=1,child=2,worker=0,web=0", "--no-colour"],
        env, log_path,
    )
    try:
        linked = f"parent ready: {CHILD_BOTS}/{CHILD_BOTS} children linked"
        await _wait_for(lambda: linked in log_path.read_text(errors="replace"),
                        40, "the parent did not link every child bot", cluster, log_path)
        bots = discord.bot_user_ids()
        parent_id = next(b for b in bots if discord.commands(b, guild))
        story.names[parent_id] = "Azura"
        child_ids = [b for b in bots if b != parent_id]
        story.say(f"   the cluster is up in {time.monotonic() - started:.1f} s: Azura (parent) + {CHILD_BOTS} child "
                  f"bots in {CHILD_PROCESSES} processes\n")

        def who_plays(channel: Channel) -> str:
            for bot_id in bots:
                state = discord.voice_state(guild, bot_id)
                if state is not None and state.channel_id == channel.id:
                    return story.names.get(bot_id, "a child bot")
            raise DemoFailed(f"no bot joined {story.names[channel.id]}")

        async def command(user: User, name: str, options: dict[str, object] | None = None,
                          sub: str | None = None, expect: str | None = None) -> InteractionResult:
            label = f"/{name}{' ' + sub if sub else ''}"
            shown = " ".join(f"{k}:{story.names.get(v, v) if isinstance(v, int) else v}"
                             for k, v in (options or {}).items())
            story.say(f"{story.names[user.id]} types {label} {shown}".rstrip())
            result = await discord.invoke(user, guild, text, name, options or {}, subcommand=sub, timeout_s=15)
            story.answer(story.names[user.id], result)
            if expect is not None and expect not in story.plain(result.text):
                raise DemoFailed(f"{label}: expected {expect!r}, got {story.plain(result.text)!r}")
            return result

        # -- 1. Alice in the Lounge: the parent serves -------------------------------------------------
        story.say("🌆 8 pm. Alice joins 🔊 Lounge.")
        await discord.user_join_voice(alice, lounge)
        await command(alice, "play", {"query": "https://music.example/playlist?list=lounge-classics"},
                      expect="Queued 12 tracks")
        for child_id in child_ids:
            story.names[child_id] = "Azura Child"
        if who_plays(lounge) != "Azura":
            raise DemoFailed("the parent should play in the first channel")
        story.say("   → Azura (the parent) joined Lounge.\n")

        # -- 2. Bob in Gaming at the same time: a child serves -----------------------------------------
        story.say("🎮 Bob joins 🔊 Gaming and wants his own music.")
        await discord.user_join_voice(bob, gaming)
        await command(bob, "play", {"query": "https://music.example/playlist?list=boss-fights"},
                      expect="Queued 12 tracks")
        gaming_bot = next(b for b in child_ids if (s := discord.voice_state(guild, b)) and s.channel_id == gaming.id)
        story.names[gaming_bot] = "Azura Child #1"
        story.say(f"   → {story.names[gaming_bot]} (a child bot) joined Gaming; same commands, other bot.\n")

        # -- 3. Carol joins the Lounge and interlaces her tracks ---------------------------------------
        story.say("🎤 Carol joins 🔊 Lounge and adds a few songs fairly (interlace), not after Alice's 12.")
        await discord.user_join_voice(carol, lounge)
        await command(carol, "play", {"query": "https://music.example/playlist?list=carol-favourites",
                                      "mode": "interlace"}, expect="Queued 12 tracks")
        queue = await command(carol, "queue")
        lines = [line for line in story.plain(queue.text).splitlines()[1:6]]
        requesters = ["Carol" in line for line in lines]
        if requesters[:5] != [False, False, True, False, True]:
            raise DemoFailed(f"Carol's tracks were not interlaced: {lines}")
        story.say("   → Alice's and Carol's songs now alternate.\n")

        # -- 4. Bob uses the buttons on the child's message --------------------------------------------
        story.say("🔘 Bob uses the buttons on the now-playing message that the child bot posted.")
        message = await _now_playing(discord, text, gaming, gaming_bot)
        for press in ("skip", "skip", "back"):
            result = await discord.click(bob, message, f"azura:np:{press}", timeout_s=15)
            lines = story.plain(result.content).splitlines()
            where = lines[3].split(" · ")[0] if len(lines) > 3 else ""
            story.say(f"   Bob presses {press}: {lines[1] if len(lines) > 1 else lines[0]}  [{where}]")
        position = re.search(r"#(\d+) of", story.plain(discord.message(message).content))  # type: ignore[union-attr]
        if position is None or position.group(1) != "2":
            raise DemoFailed("after skip, skip, back the child should be at track #2")
        story.say("   → skipped by 2 and went back 1: track #2, all handled by the child.\n")

        # -- 4b. Effects: nightcore on the child's session, on its now-playing message and in Lavalink ----
        story.say("🎛️ Bob wants the boss fights faster and higher: nightcore.")
        await command(bob, "effects", {"preset": "nightcore"}, expect="Effects in")

        def effects_line() -> str | None:
            content = story.plain(discord.message(message).content)  # type: ignore[union-attr]
            return next((line for line in content.splitlines() if line.startswith("🎛️")), None)

        story.say(f"   the now-playing message shows: {await _wait_for(effects_line, 10, 'no effects line')}")
        speeds = [p["filters"].get("timescale", {}).get("speed") for p in lavalink.players_truth()
                  if p["channel_id"] == str(gaming.id)]
        story.say(f"   → the child's Lavalink player plays at timescale speed {speeds[0]}; it stays for every "
                  "next track.\n")

        # -- 5. A playlist saved from the queue and replayed --------------------------------------------
        story.say("💾 Alice saves the Lounge queue as a playlist and shares it.")
        await command(alice, "playlist", {"name": "Friday Lounge"}, sub="create", expect="Created playlist")
        await command(alice, "playlist", {"name": "Friday Lounge", "what": "queue"}, sub="add", expect="Added 24")
        await command(alice, "playlist", {"name": "Friday Lounge", "visibility": "public"}, sub="visibility",
                      expect="now public")
        await command(bob, "playlist", {"name": "Friday Lounge", "owner": alice.id, "mode": "lifo"}, sub="play",
                      expect="Queued 24 tracks")
        story.say("   → Bob queued Alice's playlist in Gaming: no search, the saved tracks play as they are.\n")

        # -- 5b. Carol picks from the top results of a search (/search) ---------------------------------
        story.say("🔎 Carol searches and picks two of the top results from a menu.")
        found = await command(carol, "search", {"query": "sunset drive"}, expect="10 results")
        menu = next(item for row in found.components for item in row.get("components", []) if item.get("type") == 3)
        for option in menu["options"][:3]:
            story.say(f"      ▸ {option['label']}")
        story.say("   Carol picks the 1st and the 3rd.")
        picked = await discord.choose(carol, found.message_id or 0, menu["custom_id"], ["0", "2"], timeout_s=15)
        story.answer("Carol", picked)
        if "picked 2 of the results" not in story.plain(picked.text):
            raise DemoFailed(f"Carol's picks were not queued: {story.plain(picked.text)!r}")
        story.say("   → both joined the Lounge queue; the menu is gone from the message.\n")

        # -- 6. The child playing Gaming freezes mid-song: another bot carries on -----------------------
        story.say(f"🧊 {story.names[gaming_bot]}'s process freezes mid-song, with both bots it runs (SIGSTOP, like a "
                  "machine that hangs).")
        by_token = [discord.bot(f"demo-child-{i}").user_id for i in range(1, CHILD_BOTS + 1)]
        process = by_token.index(gaming_bot) // BOTS_PER_CHILD  # child.N runs tokens (N-1)*K+1 ... N*K
        frozen_bots = set(by_token[process * BOTS_PER_CHILD:(process + 1) * BOTS_PER_CHILD])
        frozen = _child_pid(base, 1 + process)
        os.kill(frozen, signal.SIGSTOP)
        froze = time.monotonic()
        try:
            notice = await _wait_for(lambda: next((m.content for m in discord.messages(text)
                                                   if "took over at" in m.content), None),
                                     10, "no other bot took Gaming over", cluster, log_path)
            took = time.monotonic() - froze
            new_bot = await _wait_for(lambda: next((b for b in child_ids if b not in frozen_bots
                                                    and (s := discord.voice_state(guild, b)) is not None
                                                    and s.channel_id == gaming.id), None),
                                      5, "no bot of the other process joined Gaming", cluster, log_path)
            story.names[new_bot] = "Azura Child #2"
            story.say(f"   after {took:.1f} s the parent posts: {story.plain(notice)}")
        finally:
            os.kill(frozen, signal.SIGCONT)
        story.say(f"   {story.names[gaming_bot]} wakes up, hears its session moved, and leaves Gaming.")
        await _wait_for(lambda: discord.voice_state(guild, gaming_bot) is None, 10,
                        "the frozen child did not stand down", cluster, log_path)
        await command(bob, "nowplaying", expect="#2 of 36")  # the same track, not one of the 36 lost
        story.say("   → the same song went on, on another bot; Bob's queue is all there.\n")
        gaming_bot = new_bot
        message = await _now_playing(discord, text, gaming, gaming_bot)

        # -- 7. Bob presses leave on the child's message -----------------------------------------------
        story.say("👋 Bob is done: he presses Leave on the child's message.")
        result = await discord.click(bob, message, "azura:np:leave", timeout_s=15)
        story.say(f"   the message now says: {story.plain(result.content)}")
        await _wait_for(lambda: discord.voice_state(guild, gaming_bot) is None, 5, "the child did not leave Gaming")
        await command(bob, "nowplaying", expect="Nothing is playing in")
        story.say("   → the child told the parent over the Link; the parent forgot the Gaming session.\n")
        if who_plays(lounge) != "Azura":
            raise DemoFailed("the Lounge session should have kept playing")
        await command(alice, "nowplaying", expect="Playing")
        story.say("   → meanwhile the Lounge plays on.\n")
        if keep:  # make demo KEEP=1: the cluster and the dashboard stay up until Ctrl+C
            started += await _keep_running(story, f"http://127.0.0.1:{base}")
    finally:
        await _stop_cluster(cluster)
        await lavalink.stop()
        await discord.stop()
    took = time.monotonic() - started
    stopped = re.findall(r"(\S+) stopped \(rc=(-?\d+)\)", _tail(log_path) + "\n")
    unclean = [f"{name} (rc={rc})" for name, rc in stopped if rc != "0"]
    if len(stopped) != 3 or unclean:
        raise DemoFailed(f"not every process stopped cleanly: {unclean or stopped}; see {log_path}")
    story.say(f"🌙 Everyone stops: parent and children shut down cleanly. Demo finished in {took:.1f} s.")
    if took > DEADLINE_S:
        raise DemoFailed(f"the demo took {took:.0f} s (more than {DEADLINE_S:.0f} s)")
    shutil.rmtree(workdir, ignore_errors=True)  # a demo that passed leaves nothing behind; a failed one keeps its log


async def _now_playing(discord: FakeDiscord, text: Channel, voice: Channel, author: int) -> int:
    def posted() -> int | None:
        for msg in reversed(discord.messages(text)):
            if msg.author_id == author and f"<#{voice.id}>" in msg.content and msg.components:
                return msg.id
        return None

    return await _wait_for(posted, 10, "the child never posted its now-playing message")


async def _wait_for(check: Callable[[], T | None], timeout: float, failure: str,
                    process: subprocess.Popen[bytes] | None = None, log_path: Path | None = None) -> T:
    """``eventually(check)`` as a step of the story: a timeout, or the cluster exiting, fails the demo."""

    def alive_and_done() -> T | None:
        if process is not None and process.poll() is not None:
            raise DemoFailed(f"{failure}: the cluster exited early.\n{_tail(log_path)}")
        return check()

    try:
        return await eventually(alive_and_done, timeout=timeout, what=failure, poll_s=0.1)
    except TimeoutError:
        raise DemoFailed(f"{failure} within {timeout:.0f} s.\n{_tail(log_path)}") from None


def _start_cluster(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log_file:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )


def _child_pid(base: int, index: int) -> int:
    """The pid of honcho's ``child.<index>`` (it serves gRPC on ``base + 100 + index - 1``)."""
    port = f"PORT={base + 100 + index - 1}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if b"azura_child" in cmdline and port in environ.split(b"\0"):
            return int(entry.name)
    raise DemoFailed(f"no child process serves on {port.decode()}")


async def _keep_running(story: Story, dashboard: str) -> float:
    """Wait for Ctrl+C (or SIGTERM) with everything up; how long that was (not the demo's own time)."""
    story.say(f"🌐 Still running: open {dashboard} (Log in with Discord → pick Alice, Bob or Carol). Ctrl+C stops.")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    waited = time.monotonic()
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    return time.monotonic() - waited


def _tail(log_path: Path | None) -> str:
    return log_path.read_text(errors="replace")[-3000:] if log_path else ""


async def _stop_cluster(cluster: subprocess.Popen[bytes]) -> int:
    if cluster.poll() is None:
        cluster.send_signal(signal.SIGTERM)  # honcho passes it to every process and waits for them
        try:
            await asyncio.to_thread(cluster.wait, 15)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            await asyncio.to_thread(cluster.wait, 5)
    return cluster.returncode if cluster.returncode is not None else -1


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    keep = "--keep" in args  # keep the cluster and its dashboard up after the story, until Ctrl+C
    args = [a for a in args if a != "--keep"]
    parse_entry_point_args(
        "python -m azura_sandbox",
        "The offline demo (make demo): a fake Discord and a fake Lavalink in this process, the real parent and two "
        "children from the Procfile with honcho, a scripted evening in one server. It needs no tokens and never "
        "reads your .env; its files live in a temporary directory, removed when it passes (kept, with the "
        "processes' log, when it fails). --keep: keep everything (and the web dashboard) running afterwards.",
        (), args,
    )
    logging.basicConfig(level=logging.ERROR)
    try:
        asyncio.run(run_demo(keep=keep))
    except DemoFailed as exc:
        sys.stderr.write(f"\n❌ The demo failed: {exc}\n")
        return 1
    return 0
