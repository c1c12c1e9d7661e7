"""What users read for each internal failure: one sentence of ours per kind, never a library's words, a raw
status, "None" or a traceback; and "busy" counts only the bots that are up.

The Lavalink failures are produced by the real adapter (``lavalink_call`` around wavelink's own exceptions,
as a 404/500 reply or an empty node pool raises them) and reach the user through the real /play handler."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import NoReturn

import pytest
import wavelink
from command_fakes import FakeInteraction, World, invoke

from azura_common.koe.errors import (
    Busy,
    ChildUnavailable,
    InvalidArgument,
    KoeError,
    KoeTimeout,
    MusicServerDown,
    SessionLost,
    TrackLoadFailed,
    Unauthenticated,
)
from azura_common.koe.link.children import UNREACHABLE
from azura_common.koe.local import SearchResult
from azura_common.koe.local.player import REFUSED, lavalink_call
from azura_common.rules.limits import MESSAGE_CHARS
from azura_parent.commands.music import MusicCommands
from azura_parent.commands.tree import LAVALINK_REFUSED, MUSIC_SERVER_ERROR, SOMETHING_WENT_WRONG, error_message

RAW = ("None", "Failed to", "status=", "wavelink", "Traceback", "Pool", "Something went wrong inside Azura")
TIMEOUT = "That took too long. Try again in a moment."
SETUP = "The Azura bots can't talk to each other right now (a setup problem). Tell the server's admin; try again later."


def lavalink_error(status: int, reason: str) -> wavelink.LavalinkException:
    data = {"timestamp": 0, "status": status, "error": reason, "path": "/v4/loadtracks"}
    return wavelink.LavalinkException(data=data)  # type: ignore[arg-type]


async def failing(exc: BaseException) -> NoReturn:
    raise exc


async def koe_error_of(call: Awaitable[object], refused: str) -> KoeError:
    """The KoeError the real adapter makes of a wavelink failure."""
    with pytest.raises(KoeError) as caught:
        await lavalink_call(call, refused)
    return caught.value


class FailingSearch:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def search(self, query: str, requester_id: int = 0) -> SearchResult:
        raise self.error


async def test_lavalink_failures_read_as_our_sentences(world: World) -> None:
    cases = {
        "500": (await koe_error_of(failing(lavalink_error(500, "Internal Server Error")), "Couldn't load 'lofi'"),
                f"Couldn't load 'lofi': {LAVALINK_REFUSED}"),
        "404": (await koe_error_of(failing(lavalink_error(404, "Not Found")), "Couldn't load 'lofi'"),
                f"Couldn't load 'lofi': {LAVALINK_REFUSED}"),
        "refused": (await koe_error_of(failing(lavalink_error(400, "Bad Request")), REFUSED), MUSIC_SERVER_ERROR),
        "no nodes": (await koe_error_of(failing(wavelink.InvalidNodeException(
            "No nodes are currently assigned to the wavelink.Pool in a CONNECTED state.")), REFUSED),
            "The music server is restarting; your queue is safe."),
        "unreachable": (await koe_error_of(failing(OSError("Connection refused")), REFUSED),
                        "The music server is restarting; your queue is safe."),
    }
    for what, (error, expected) in cases.items():
        world.lavalink = FailingSearch(error)  # type: ignore[assignment]
        i = FakeInteraction(world.member(what, voice=world.room))
        await invoke(MusicCommands(world).play, i, query="lofi")
        assert (i.text, i.private) == (f"⚠️ {expected}", True), what
        assert not any(raw in i.text for raw in RAW), (what, i.text)
        assert world.koe.routes() == []  # a failed search brings no bot in


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (KoeError(), SOMETHING_WENT_WRONG),  # a failure another process could not name
        (KoeError("Something went wrong inside Azura."), SOMETHING_WENT_WRONG),
        (MusicServerDown(), "The music server is restarting; your queue is safe."),
        (MusicServerDown("The music server did not answer in time; your queue is safe."),
         "The music server did not answer in time; your queue is safe."),
        (ChildUnavailable(), "The bot playing in your channel can't be reached right now. Try again in a moment."),
        (ChildUnavailable(UNREACHABLE), UNREACHABLE),
        (SessionLost(), "The bot playing in your channel went away; the session is being recovered."),
        (KoeTimeout(), TIMEOUT),
        (KoeTimeout("deadline exceeded after 5.0s"), TIMEOUT),
        (TimeoutError(), TIMEOUT),
        (Unauthenticated(), SETUP),
        (Unauthenticated("metadata: bad bearer"), SETUP),
        (TrackLoadFailed("Nothing found for 'x'. Try other words or a link."),
         "Nothing found for 'x'. Try other words or a link."),
        (TrackLoadFailed("Lavalink has no YouTube source: add the youtube plugin, see README (Lavalink sources)."),
         "Lavalink has no YouTube source: add the youtube plugin, see README (Lavalink sources)."),
        (TrackLoadFailed("Couldn't load \"it's: here\": Failed to Load Tracks: error=x, severity=fault, cause=y"),
         f"Couldn't load \"it's: here\": {LAVALINK_REFUSED}"),
        (ValueError("invalid literal for int() with base 10: '٣x'"), SOMETHING_WENT_WRONG),
        (AttributeError("'NoneType' object has no attribute 'id'"), SOMETHING_WENT_WRONG),
    ],
    ids=repr,
)
def test_each_failure_reads_as_one_sentence_of_ours(error: Exception, expected: str) -> None:
    text = error_message(error, "test")
    assert text == expected
    assert not any(raw in text for raw in RAW)


def test_a_huge_message_is_cut_to_fit_one_discord_message() -> None:
    text = error_message(InvalidArgument("x" * 100_000))
    assert len("⚠️ " + text) <= MESSAGE_CHARS and text.endswith("…")


# -- busy: only bots that are up count ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("offline", "expected"),
    [
        (0, "All 3 Azura bots are busy in this server."),
        (1, "All 2 available Azura bots are busy in this server; 1 is offline."),
        (2, "The one available Azura bot is busy in this server; 2 are offline."),
    ],
)
async def test_busy_counts_only_bots_that_are_up(world: World, offline: int, expected: str) -> None:
    await world.playing(world.room, *world.songs(2))  # the parent's own bot plays here

    async def none_free(guild_id: int, channel_id: int) -> None:
        return None

    world.children.acquire = none_free  # type: ignore[method-assign]
    world.children.offline = offline
    i = FakeInteraction(world.member("bob", voice=world.voice_channel("other")))
    await invoke(MusicCommands(world).play, i, query="lofi beats")
    assert (i.text, i.private) == (f"⚠️ {expected}", True)
    assert len(world.koe.routes()) == 1


def test_busy_travels_with_its_offline_count() -> None:
    error = Busy(3, offline=1)
    assert Busy.from_fields(error.message, {k: str(v) for k, v in error.fields().items()}) == error
