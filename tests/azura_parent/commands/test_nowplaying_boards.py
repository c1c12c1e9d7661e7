"""The now-playing boards, posted by a real discord.py client to the fake Discord in this process, over a real
Koe with in-memory sessions: each board keeps its own timeline and edits only when its text changed; a
rate-limited board holds up no other and shows its ending once Discord lets it; a bot that may not post in a
channel makes no request there (Discord bans clients that keep making refused ones) and says so once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
import pytest
import pytest_asyncio
import yarl
from command_fakes import FakeSession, World

from azura_common.koe.session import CloseReason, Ending, Session
from azura_common.nowplaying import NowPlayingBoard
from azura_sandbox.fake_discord import FakeDiscord
from azura_sandbox.fake_discord.server import Exchange
from azura_sandbox.fake_discord.world import Channel, Message

pytestmark = pytest.mark.slow  # a real discord.py client and real refresh/429 waits

REFRESH_S = 0.25
THROTTLE_S = 1.5


@dataclass
class Scene:
    fake: FakeDiscord
    world: World
    board: NowPlayingBoard
    texts: list[Channel]
    voices: list[Channel]
    guild_id: int

    async def playing(self, n: int) -> FakeSession:
        """A session in voice channel ``n`` started from text channel ``n``, its board poked as a change would."""
        session, _ = await self.world.koe.open_tracked(self.guild_id, self.voices[n].id, self.texts[n].id)
        assert isinstance(session, FakeSession)
        await session.enqueue(self.world.songs(3))
        self.board.poke(session.channel_id)
        return session

    def message(self, n: int) -> Message | None:
        found = [m for m in self.fake.messages(self.texts[n]) if m.content.startswith("🎶")]
        return found[-1] if found else None

    def shows(self, n: int, text: str) -> bool:
        message = self.message(n)
        return message is not None and text in message.content

    async def posted(self, n: int) -> Message:
        return await self.fake.wait_for(lambda: self.message(n), 3.0, f"the board in text channel {n}")

    def edits(self, n: int) -> list[Exchange]:
        prefix = f"/channels/{self.texts[n].id}/messages/"
        return [e for e in self.fake.exchanges or [] if e.method == "PATCH" and e.path.startswith(prefix)]


@pytest_asyncio.fixture
async def scene(world: World, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Scene]:
    fake = FakeDiscord()
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)  # monkeypatch puts Discord's back
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
    guild = await fake.create_guild("boards")
    texts = [await fake.create_text_channel(guild, f"music-{n}") for n in (1, 2)]
    voices = [await fake.create_voice_channel(guild, f"voice-{n}") for n in (1, 2)]
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
    running = asyncio.create_task(client.start(fake.create_bot("board-bot")))

    async def no_dj_role(session: Session) -> int | None:
        return None

    board = NowPlayingBoard(client, world.koe, no_dj_role, refresh_s=REFRESH_S)
    try:
        await asyncio.wait_for(client.wait_until_ready(), 10)
        board.start()
        fake.exchanges = []
        yield Scene(fake, world, board, texts, voices, guild.id)
    finally:
        await board.close()
        await client.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await running
        await fake.stop()


async def test_a_board_edits_only_when_its_text_changes(scene: Scene) -> None:
    session = await scene.playing(0)
    await scene.posted(0)
    await asyncio.sleep(2.5 * REFRESH_S)
    assert scene.edits(0) == []  # ticks came, the text was the same: nothing sent
    session.position_ms = 65_000
    await scene.fake.wait_for(lambda: scene.shows(0, "`1:05 / "), REFRESH_S + 1.0, "the timeline on the next tick")
    assert len(scene.edits(0)) == 1
    session.paused = True
    scene.board.poke(session.channel_id)
    await scene.fake.wait_for(lambda: scene.shows(0, "⏸ Paused"), 2.0, "the pause")
    await asyncio.sleep(2.5 * REFRESH_S)
    assert len(scene.edits(0)) == 2  # the pause, then nothing while paused


async def test_a_rate_limited_board_holds_up_no_other_and_ends_when_discord_allows(scene: Scene) -> None:
    throttled, free = await scene.playing(0), await scene.playing(1)
    await scene.posted(0)
    await scene.posted(1)
    scene.fake.throttle_message_edits(scene.texts[0], limit=1, window_s=THROTTLE_S)  # the next edit there: 429
    throttled.position_ms = free.position_ms = 30_000
    await scene.fake.wait_for(lambda: scene.edits(0) and scene.edits(1), REFRESH_S + 1.0, "both boards' next tick")
    free.position_ms = 60_000
    await scene.fake.wait_for(lambda: len(scene.edits(1)) == 2, REFRESH_S + 1.0, "the free board's next tick")
    assert [e.status for e in scene.edits(0)] == [429]  # meanwhile the other one waits out its 429
    scene.fake.unthrottle_message_edits(scene.texts[0])  # after this window, the usual 5 edits per 5 s

    await scene.world.koe.destroy(throttled.channel_id)
    await scene.board.ended(throttled, Ending(CloseReason.BUTTON, "leave pressed"))  # as the bots' on_closed does
    left = f"⏏ Left <#{scene.voices[0].id}> (leave pressed)."
    await scene.fake.wait_for(lambda: scene.fake.messages(scene.texts[0])[-1].content == left, THROTTLE_S + 2.0,
                              "the ending, once the throttle's window passed")
    assert [e.status for e in scene.edits(0)] == [429, 200, 200]  # the waited-out edit, then the ending


async def test_a_bot_that_may_not_post_there_makes_no_request_and_says_so_once(
    scene: Scene, caplog: pytest.LogCaptureFixture
) -> None:
    await scene.fake.deny_in_channel("board-bot", scene.texts[0], ["send_messages"])
    await asyncio.sleep(0.1)  # CHANNEL_UPDATE reaches the client
    with caplog.at_level(logging.WARNING, logger="azura_common.nowplaying"):
        session = await scene.playing(0)
        for position in (10_000, 20_000, 30_000):
            session.position_ms = position
            scene.board.poke(session.channel_id)
            await asyncio.sleep(REFRESH_S)
    assert scene.message(0) is None
    assert [e for e in scene.fake.exchanges or [] if e.status == 403] == []
    refusals = [r for r in caplog.records if "can't post the now-playing message" in r.getMessage()]
    assert len(refusals) == 1, refusals
    assert f"#music-1 ({scene.texts[0].id})" in refusals[0].getMessage()
