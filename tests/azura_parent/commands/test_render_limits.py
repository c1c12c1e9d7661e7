"""What each command answers fits Discord however big the tracks are: 100 KB titles and authors, a giant link,
a 100,000-track queue, a long channel name. Each reply is at most 2,000 characters, every autocomplete
choice at most 100 (name and value), and what is cut ends with "…"."""

from __future__ import annotations

from dataclasses import replace

import pytest
from command_fakes import FakeInteraction, FakeRole, FakeVoiceChannel, World, choice, invoke
from discord import app_commands

from azura_common.koe.local import SearchResult
from azura_common.koe.session import Track
from azura_common.rules.limits import AUTOCOMPLETE_CHOICES, CHOICE_LENGTH, MESSAGE_CHARS, SHOWN_TITLE_CHARS
from azura_common.rules.text import ELLIPSIS
from azura_parent.commands.music import MusicCommands
from azura_parent.commands.playlists import PlaylistCommands
from azura_parent.commands.queue import QueueCommands

pytestmark = pytest.mark.slow  # a 100,000-track queue of giant tracks per test

BIG = 100_000
QUEUE_TOTAL = 100_000


def giant(n: int, requester_id: int = 0) -> Track:
    return Track(encoded=f"enc-{n}", title=f"{n} " + "T" * BIG, author="A" * BIG,
                 uri="https://e.x/" + "u" * 5_000, length_ms=200_000, requester_id=requester_id)


class GiantSearch:
    """A search whose every match is as big as a track can come."""

    async def search(self, query: str, requester_id: int = 0) -> SearchResult:
        return SearchResult(tuple(giant(n, requester_id) for n in range(12)), playlist="P" * BIG)


def fits(text: str) -> str:
    assert 0 < len(text) <= MESSAGE_CHARS, len(text)
    return text


def fit_choices(found: list[app_commands.Choice[str]] | list[app_commands.Choice[int]]) -> None:
    assert 0 < len(found) <= AUTOCOMPLETE_CHOICES
    for c in found:
        assert 1 <= len(c.name) <= CHOICE_LENGTH and c.name.endswith(ELLIPSIS), c.name
        assert not isinstance(c.value, str) or len(c.value) <= CHOICE_LENGTH


@pytest.fixture
async def big_room(world: World) -> tuple[World, object]:
    """alice (a DJ) and bob listen in a room with a long name; 100,000 giant tracks queued, #99,995 playing."""
    world.room = FakeVoiceChannel(world.room.id, "r" * 100)
    alice = world.member("alice", manage_guild=True, voice=world.room)
    world.member("bob", voice=world.room)
    one = giant(0, alice.id)
    session = await world.playing(world.room, *[replace(one, encoded=f"enc-{n}") for n in range(QUEUE_TOTAL)])
    session.queue.skip_to(QUEUE_TOTAL - 5)
    return world, alice


async def test_every_reply_fits_with_the_worst_tracks(big_room: tuple[World, object]) -> None:
    world, alice = big_room
    world.lavalink = GiantSearch()  # type: ignore[assignment]
    music, queue, playlists = MusicCommands(world), QueueCommands(world), PlaylistCommands(world)
    replies: dict[str, str] = {}

    async def run(label: str, command: object, **options: object) -> None:
        i = FakeInteraction(alice)  # type: ignore[arg-type]
        await invoke(command, i, **options)  # type: ignore[arg-type]
        assert not i.text.startswith("⚠️"), (label, i.text[:200])
        replies[label] = fits(i.text)

    await run("nowplaying", music.nowplaying)
    await run("queue", queue.queue)
    await run("queue page 1", queue.queue, page=1)
    await run("history", queue.history)
    await run("play one", music.play, query="anything")
    await run("play many", music.play, query="https://e.x/playlist", mode=choice("fifo"))
    await run("seek", music.seek, time="0:30")
    await run("move", queue.move, from_position=QUEUE_TOTAL - 1, to_position=QUEUE_TOTAL)
    await run("remove", queue.remove, positions=str(QUEUE_TOTAL))
    await run("skip", music.skip)
    await run("back", music.back)
    await world.store.create_playlist(alice.id, "Mix")  # type: ignore[attr-defined]
    await run("playlist add", playlists.add, name="Mix", what=choice("current"))
    await run("playlist show", playlists.show, name="Mix")
    await run("playlist trim", playlists.trim, name="Mix", position=1, start="0:10")
    assert ELLIPSIS in replies["nowplaying"] and ELLIPSIS in replies["queue"]
    head = f"📜 **Queue in {'r' * (SHOWN_TITLE_CHARS - 10)}…** — 100000 tracks, page 10000/10000"
    assert replies["queue"].splitlines()[0] == head
    assert len(replies["queue"].splitlines()) == 11  # every entry of the page, none cut off
    assert "`▶ 99995.` **0 " in replies["queue"]


async def test_a_vote_to_skip_names_a_bounded_title(big_room: tuple[World, object]) -> None:
    world, _ = big_room
    await world.dj_role(FakeRole(77))
    carol = world.member("carol", voice=world.room)
    i = FakeInteraction(carol)
    await invoke(MusicCommands(world).skip, i)
    assert fits(i.text).startswith(f"🗳 <@{carol.id}> voted to skip **0 {'T' * (SHOWN_TITLE_CHARS - 3)}…** (")


async def test_autocomplete_choices_fit(big_room: tuple[World, object]) -> None:
    world, alice = big_room
    world.lavalink = GiantSearch()  # type: ignore[assignment]
    music, queue = MusicCommands(world), QueueCommands(world)
    suggestions = await music.play_suggestions(FakeInteraction(alice), "anything")  # type: ignore[arg-type]
    fit_choices(suggestions)
    assert all(not c.value.startswith("https://") for c in suggestions)  # a cut link would lead nowhere
    fit_choices(await queue.upcoming_positions(FakeInteraction(alice), ""))  # type: ignore[arg-type]
    fit_choices(await queue.upcoming_ranges(FakeInteraction(alice), "99990-"))  # type: ignore[arg-type]
    assert await queue.upcoming_positions(FakeInteraction(alice), "٣") != []  # type: ignore[arg-type]
