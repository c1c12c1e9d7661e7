"""A bot whose gateway connection dies stays in voice until its session times out, then it is removed, as on
Discord; a bot that resumes in time keeps its place. Raw websocket clients against the real fake server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from raw_gateway import RawGateway

from azura_sandbox.fake_discord import FakeDiscord, SandboxClient, SandboxError
from azura_sandbox.fake_discord.objects import Channel

pytestmark = pytest.mark.slow  # waits out real session timeouts

TIMEOUT_S = 1.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    server.create_bot("player")
    server.create_bot("watcher")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def identify(http: aiohttp.ClientSession, fake: FakeDiscord, bot: str) -> tuple[RawGateway, dict[str, Any]]:
    gw = RawGateway(await http.ws_connect(fake.gateway_url))
    assert (await gw.recv())["op"] == 10
    await gw.ws.send_json({"op": 2, "d": {"token": fake.create_bot(bot), "intents": 641, "properties": {}}})
    ready = await gw.until("READY")
    await gw.until("GUILD_CREATE")
    return gw, ready["d"]


async def in_voice(fake: FakeDiscord, http: aiohttp.ClientSession) -> tuple[Channel, RawGateway, RawGateway, int, str]:
    """The player bot in a voice channel, the watcher bot listening; the player's user id and session id."""
    guild = await fake.create_guild("g")
    voice = await fake.create_voice_channel(guild, "music")
    player, ready = await identify(http, fake, "player")
    watcher, _ = await identify(http, fake, "watcher")
    await player.ws.send_json({"op": 4, "d": {"guild_id": str(guild.id), "channel_id": str(voice.id)}})
    await player.until("VOICE_SERVER_UPDATE")
    await watcher.until("VOICE_STATE_UPDATE")
    user_id = int(ready["user"]["id"])
    assert fake.voice_members(voice) == [user_id]
    return voice, player, watcher, user_id, ready["session_id"]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_a_dead_connection_keeps_the_bot_in_voice_until_the_session_times_out(
    fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    async with SandboxClient(fake.base_url) as control:  # the faults through the control API
        await control.set_session_timeout(TIMEOUT_S)
        voice, player, watcher, user_id, session_id = await in_voice(fake, http)
        assert await control.drop_gateway("player") == 1
    dropped = time.monotonic()
    await asyncio.sleep(TIMEOUT_S / 2)
    assert fake.voice_members(voice) == [user_id]  # still shown in the channel: Discord waits for a resume
    gone = await asyncio.wait_for(watcher.until("VOICE_STATE_UPDATE"), TIMEOUT_S * 3)
    took = time.monotonic() - dropped
    print(f"fake Discord: a dropped bot left voice {took:.2f} s after its gateway died (timeout {TIMEOUT_S} s)")
    assert gone["d"]["user_id"] == str(user_id) and gone["d"]["channel_id"] is None
    assert TIMEOUT_S <= took < TIMEOUT_S * 2
    assert fake.voice_members(voice) == []
    # the session is over: it can no longer be resumed
    late = RawGateway(await http.ws_connect(fake.gateway_url))
    assert (await late.recv())["op"] == 10
    await late.ws.send_json({"op": 6, "d": {"token": fake.create_bot("player"), "session_id": session_id, "seq": 0}})
    assert await late.recv() == {"op": 9, "d": False}
    await asyncio.gather(late.ws.close(), player.ws.close(), watcher.ws.close())


async def test_a_bot_that_resumes_in_time_keeps_its_voice_state(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    fake.set_session_timeout(TIMEOUT_S)
    voice, player, watcher, user_id, session_id = await in_voice(fake, http)
    assert await fake.drop_gateway("player") == 1
    again = RawGateway(await http.ws_connect(fake.gateway_url))
    assert (await again.recv())["op"] == 10
    token = fake.create_bot("player")
    await again.ws.send_json({"op": 6, "d": {"token": token, "session_id": session_id, "seq": player.seq}})
    await again.until("RESUMED")
    await asyncio.sleep(TIMEOUT_S * 1.5)
    assert fake.voice_members(voice) == [user_id]  # resumed: the timeout of the dropped connection does nothing
    await asyncio.gather(again.ws.close(), player.ws.close(), watcher.ws.close())


def test_the_session_timeout_must_be_positive(fake: FakeDiscord) -> None:
    with pytest.raises(SandboxError):
        fake.set_session_timeout(0)
