"""The slash-command boundary, table-driven: bad input typed into each option reaches the user as one exact,
private, friendly sentence, and changes nothing (the queue, the volume, the settings, the playlists).

Each row runs the real handler with the handler-level fakes (``command_fakes``): a fake interaction, fake
sessions on the real pure Queue, the real Store on SQLite in memory, the tree's one error handler."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from command_fakes import GUILD_ID, FakeInteraction, FakeMember, FakeSession, World, choice, invoke, world

from azura_common.koe.validation import MAX_QUERY_CHARS
from azura_parent.commands.music import MusicCommands
from azura_parent.commands.playlists import PlaylistCommands
from azura_parent.commands.queue import QueueCommands
from azura_parent.commands.server import ServerCommands
from azura_parent.commands.settings import SettingsCommands

ARABIC_3 = "٣"  # ARABIC-INDIC DIGIT THREE: int() reads it as 3
FULLWIDTH_80 = "８０"  # FULLWIDTH DIGITS: int() reads them as 80
DEVANAGARI_5 = "५"
SUPERSCRIPT_2 = "²"  # str.isdigit() is True, int() refuses it
HUGE = "9" * 22
HUGER = "9" * 5_000  # past int()'s 4,300-digit limit: a ValueError if anything tried
__all__ = ["world"]  # the fixture, from command_fakes


def not_a_time(typed: str) -> str:
    return f"⚠️ {typed} is not a time. Use 1:23 to jump there, +15 to go forward or -10 to go back."


def not_a_volume(typed: str) -> str:
    return f"⚠️ {typed} is not a volume. Use a number from 0 to 1000, or + / - to step it."


def not_positions(typed: str) -> str:
    return f"⚠️ {typed} is not a position or a range; use a number like 5 or a range like 3-7."


LONG_ECHO = "'" + "9" * 39 + "…'"  # what the errors repeat of 5,000 nines: 40 characters with the "…"


@dataclass(frozen=True)
class Bad:
    """One bad input: the command (area, name), its options, and exactly what the user reads."""

    area: str
    command: str
    options: dict[str, Any]
    expected: str

    def __str__(self) -> str:
        shown = {k: (v if not isinstance(v, str) or len(v) < 30 else f"{v[:10]}…({len(v)})")
                 for k, v in self.options.items()}
        return f"/{self.area} {self.command} {shown}"


CASES = [
    # -- /seek: times ------------------------------------------------------------------------------------
    *(Bad("music", "seek", {"time": typed}, not_a_time(repr(typed))) for typed in [
        "", "abc", ARABIC_3, f"1:{ARABIC_3}0", FULLWIDTH_80, f"+{DEVANAGARI_5}", SUPERSCRIPT_2, "1:75", "1::2",
        "--5", "+", "1.5", "1e3", "0x10", "99999999:00", "1:99999999:00", f"+{HUGE}", f"-{HUGE}", HUGE,
        "169:00:00", "+10081m", "9999999999h", "1:23 am", "½",
    ]),
    Bad("music", "seek", {"time": HUGER}, not_a_time(LONG_ECHO)),
    Bad("music", "seek", {"time": f"+{HUGER}"}, not_a_time("'+" + "9" * 38 + "…'")),
    # -- /volume -----------------------------------------------------------------------------------------
    *(Bad("music", "volume", {"level": typed}, not_a_volume(repr(typed))) for typed in [
        "", "loud", ARABIC_3, FULLWIDTH_80, f"+{ARABIC_3}", f"-{DEVANAGARI_5}", SUPERSCRIPT_2, "1.5", "+-3",
        "99999", HUGE, f"+{HUGE}", f"-{HUGE}", "50%%", "%50", "0x10", "1e3", "½", "++", "−5",
    ]),
    Bad("music", "volume", {"level": HUGER}, not_a_volume(LONG_ECHO)),
    Bad("music", "volume", {"level": "1001"}, "⚠️ Volume must be between 0 and 1000, not 1001."),
    Bad("music", "volume", {"level": "9999"}, "⚠️ Volume must be between 0 and 1000, not 9999."),
    # -- /remove positions -------------------------------------------------------------------------------
    *(Bad("queue", "remove", {"positions": typed}, not_positions(repr(typed))) for typed in [
        "", "abc", ARABIC_3, FULLWIDTH_80, f"2-{ARABIC_3}", SUPERSCRIPT_2, "2-", "-2", "2--3", "1.5", "3,4",
        HUGE, f"2-{HUGE}",
    ]),
    Bad("queue", "remove", {"positions": HUGER}, not_positions(LONG_ECHO)),
    Bad("queue", "remove", {"positions": "0"}, "⚠️ Position 0 is out of range: positions start at 1."),
    Bad("queue", "remove", {"positions": "0-3"}, "⚠️ Position 0 is out of range: positions start at 1."),
    Bad("queue", "remove", {"positions": "999999"},
        "⚠️ Position 999,999 is out of range: a queue holds at most 100,000 tracks."),
    Bad("queue", "remove", {"positions": "2-999999"},
        "⚠️ Position 999,999 is out of range: a queue holds at most 100,000 tracks."),
    Bad("queue", "remove", {"positions": "4-2"}, "⚠️ The range 4-2 runs backwards; write it as 2-4."),
    Bad("queue", "remove", {"positions": "40"}, "⚠️ Position 40 is past the end of the queue (5 tracks)."),
    Bad("queue", "remove", {"positions": "1"}, "⚠️ Position 1 is playing now; use skip to move past it."),
    # -- /play: the query --------------------------------------------------------------------------------
    Bad("music", "play", {"query": ""}, "⚠️ Tell me what to play: a search, a link or a playlist link."),
    Bad("music", "play", {"query": "   "}, "⚠️ Tell me what to play: a search, a link or a playlist link."),
    Bad("music", "play", {"query": "q" * (MAX_QUERY_CHARS + 1)},
        "⚠️ A search can be at most 6,000 characters, not 6,001."),
    Bad("music", "play", {"query": "q" * 100_000}, "⚠️ A search can be at most 6,000 characters, not 100,000."),
    Bad("music", "play", {"query": "never\ngonna"}, "⚠️ A search must not contain control characters."),
    Bad("music", "play", {"query": "a\x00b"}, "⚠️ A search must not contain control characters."),
    Bad("music", "play", {"query": "lofi beats", "mode": choice("sideways")},
        "⚠️ Enqueue mode must be one of fifo, lifo, random, interlace, not 'sideways'."),
    Bad("music", "play", {"query": "lofi beats", "position": 1},
        "⚠️ Position 1 is already played or playing; new tracks can go at 2 to 6."),
    Bad("music", "play", {"query": "lofi beats", "position": 40},
        "⚠️ Position 40 is past the end of the queue (5 tracks)."),
    # -- /skip, /back, /move, /queue: numbers the handler checks ----------------------------------------
    Bad("music", "skip", {"by": 0}, "⚠️ Skipping by 0 tracks does nothing; use a positive or negative number."),
    Bad("music", "skip", {"by": 2, "to": 3}, "⚠️ Use either `by` or `to`, not both."),
    Bad("music", "skip", {"to": 40}, "⚠️ Position 40 is past the end of the queue (5 tracks)."),
    Bad("music", "back", {"by": 3}, "⚠️ This is the first track; there is nothing before it."),
    Bad("queue", "move", {"from_position": 1, "to_position": 3},
        "⚠️ Position 1 is already played or playing; only upcoming tracks (2-5) can be moved."),
    Bad("queue", "move", {"from_position": 2, "to_position": 40},
        "⚠️ Position 40 is past the end of the queue (5 tracks)."),
    Bad("queue", "move", {"from_position": 40, "to_position": 2},
        "⚠️ Position 40 is past the end of the queue (5 tracks)."),
    Bad("queue", "queue", {"page": 9}, "⚠️ The queue has only 1 pages."),
    Bad("music", "repeat", {"mode": choice("forever")}, "⚠️ Repeat must be one of none, one, all, not 'forever'."),
    # -- /playlist -----------------------------------------------------------------------------------------
    Bad("playlist", "create", {"name": ""}, "⚠️ A playlist name can't be empty."),
    Bad("playlist", "create", {"name": "   "}, "⚠️ A playlist name can't be empty."),
    Bad("playlist", "create", {"name": "n" * 51}, "⚠️ A playlist name can be at most 50 characters long."),
    Bad("playlist", "create", {"name": "n" * 6_000}, "⚠️ A playlist name can be at most 50 characters long."),
    Bad("playlist", "create", {"name": "mix"}, "⚠️ You already have a playlist called 'mix'."),
    Bad("playlist", "rename", {"name": "Mix", "new_name": "n" * 51},
        "⚠️ A playlist name can be at most 50 characters long."),
    Bad("playlist", "rename", {"name": "Nope", "new_name": "Fine"}, "⚠️ You have no playlist called 'Nope'."),
    Bad("playlist", "delete", {"name": "x" * 6_000}, "⚠️ A playlist name can be at most 50 characters long."),
    Bad("playlist", "show", {"name": "x" * 6_000}, "⚠️ A playlist name can be at most 50 characters long."),
    Bad("playlist", "play", {"name": ""}, "⚠️ A playlist name can't be empty."),
    Bad("playlist", "show", {"name": "Mix", "page": 9}, "⚠️ **Mix** has only 1 page."),
    Bad("playlist", "remove", {"name": "Mix", "positions": ARABIC_3}, not_positions(repr(ARABIC_3))),
    Bad("playlist", "remove", {"name": "Mix", "positions": FULLWIDTH_80}, not_positions(repr(FULLWIDTH_80))),
    Bad("playlist", "remove", {"name": "Mix", "positions": HUGE}, not_positions(repr(HUGE))),
    Bad("playlist", "remove", {"name": "Mix", "positions": "0"}, "⚠️ Position 0 is out of range: positions start at 1."),
    Bad("playlist", "remove", {"name": "Mix", "positions": "9"},
        "⚠️ Position 9 is past the end of the playlist 'Mix' (3 tracks)."),
    Bad("playlist", "trim", {"name": "Mix", "position": 1, "start": ARABIC_3}, not_a_time(repr(ARABIC_3))),
    Bad("playlist", "trim", {"name": "Mix", "position": 1, "end": f"+{HUGE}"}, not_a_time(repr(f"+{HUGE}"))),
    Bad("playlist", "trim", {"name": "Mix", "position": 1, "start": "+15"},
        "⚠️ Give the start as a time like 1:23, not '+15'."),
    Bad("playlist", "trim", {"name": "Mix", "position": 1, "start": "2:00", "end": "1:00"},
        "⚠️ A track's end must come after its start."),
    Bad("playlist", "trim", {"name": "Mix", "position": 9, "start": "0:10"},
        "⚠️ Position 9 is past the end of the playlist 'Mix' (3 tracks)."),
    Bad("playlist", "add", {"name": "Mix", "what": choice("query"), "query": "q" * 100_000},
        "⚠️ A search can be at most 6,000 characters, not 100,000."),
    Bad("playlist", "add", {"name": "Mix", "what": choice("query"), "query": "  "},
        "⚠️ Give a `query` to add (search words or a link)."),
    Bad("playlist", "visibility", {"name": "Mix", "visibility": choice("everyone")},
        "⚠️ Visibility must be one of private, public, global, not 'everyone'."),
    Bad("playlist", "play", {"name": "Mix", "mode": choice("sideways")},
        "⚠️ Enqueue mode must be one of fifo, lifo, random, interlace, not 'sideways'."),
    # -- /settings, /server ------------------------------------------------------------------------------
    *(Bad("settings", "volume_step", {"step": step}, f"⚠️ The volume step must be between 1 and 100, not {step}.")
      for step in (0, 101, -5, 10**30)),
    Bad("settings", "mode", {"mode": choice("sideways")},
        "⚠️ Enqueue mode must be one of fifo, lifo, random, interlace, not 'sideways'."),
    *(Bad("server", "idle_timeout", {"seconds": seconds},
          f"⚠️ The idle timeout must be between 30 seconds and 24 hours (86400 seconds), not {seconds}.")
      for seconds in (5, -1, 86_401, 10**30)),
]


@dataclass
class Scene:
    world: World
    alice: FakeMember  # a DJ (Manage Server) in the room, with her playlist "Mix"
    session: FakeSession
    areas: dict[str, object]

    async def state(self) -> tuple[object, ...]:
        """Everything a bad command could have changed."""
        store = self.world.store
        mix = await store.get_playlist(self.alice.id, "Mix")
        return (
            self.session.snapshot(), tuple(self.session.calls), await store.get_user_settings(self.alice.id),
            await store.get_guild_settings(GUILD_ID),
            await store.list_playlists(self.alice.id), await store.tracks(mix), tuple(self.world.koe.routes()),
        )


async def scene(world: World) -> Scene:
    alice = world.member("alice", manage_guild=True, voice=world.room)
    session = await world.playing(world.room, *world.songs(5, alice))
    await world.store.create_playlist(alice.id, "Mix")
    await world.store.add_entries(alice.id, "Mix", world.songs(3))
    areas = {"music": MusicCommands(world), "queue": QueueCommands(world), "playlist": PlaylistCommands(world),
             "settings": SettingsCommands(world), "server": ServerCommands(world)}
    return Scene(world, alice, session, areas)


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 60
    assert len({str(case) for case in CASES}) == len(CASES)  # no row twice


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_bad_input_is_refused_privately_and_changes_nothing(world: World, case: Bad) -> None:
    s = await scene(world)
    before = await s.state()
    command = getattr(s.areas[case.area], case.command)
    interaction = FakeInteraction(s.alice)
    await invoke(command, interaction, **case.options)
    assert (interaction.text, interaction.private) == (case.expected, True)
    assert await s.state() == before
