"""The fake Discord sends a gateway session only the events of the intents its IDENTIFY asked for, as Discord
does; events under no intent (READY, INTERACTION_CREATE, ...) always arrive, and sequence numbers count only what
was sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from raw_gateway import RawGateway

from azura_sandbox.fake_discord import FakeDiscord
from azura_sandbox.fake_discord.intents import receives

GUILDS, VOICE_STATES, GUILD_MESSAGES = 1 << 0, 1 << 7, 1 << 9


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def session(fake: FakeDiscord, http: aiohttp.ClientSession, bot: str, intents: int) -> RawGateway:
    gw = RawGateway(await http.ws_connect(f"{fake.gateway_url}?v=10&encoding=json"))
    assert (await gw.recv())["op"] == 10
    await gw.ws.send_json({"op": 2, "d": {"token": fake.create_bot(bot), "intents": intents, "properties": {}}})
    assert (await gw.recv())["t"] == "READY"
    assert (await gw.recv())["t"] == "GUILD_CREATE"
    return gw


async def arrivals(gw: RawGateway, within_s: float = 0.3) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while (left := deadline - loop.time()) > 0:
        try:
            seen.append(await asyncio.wait_for(gw.recv(), left))
        except TimeoutError:
            break
    return seen


def test_events_map_to_the_intents_discord_documents() -> None:
    assert receives(GUILDS, "CHANNEL_CREATE", {"guild_id": "1"})
    assert not receives(GUILDS, "MESSAGE_CREATE", {"guild_id": "1"})
    assert receives(GUILD_MESSAGES, "MESSAGE_UPDATE", {"guild_id": "1"})
    assert not receives(GUILD_MESSAGES, "MESSAGE_CREATE", {"channel_id": "5"})  # a DM needs DIRECT_MESSAGES
    assert not receives(GUILDS, "VOICE_STATE_UPDATE", {"guild_id": "1"})
    assert not receives(GUILDS, "GUILD_MEMBER_ADD", {"guild_id": "1"})
    for always in ("READY", "INTERACTION_CREATE", "VOICE_SERVER_UPDATE", "GUILD_MEMBERS_CHUNK"):
        assert receives(0, always, {"guild_id": "1"})


async def test_a_bot_without_message_intents_is_not_sent_messages(fake: FakeDiscord) -> None:
    fake.create_bot("reader")
    fake.create_bot("quiet")
    guild = await fake.create_guild("g")  # every bot is in it
    text = await fake.create_text_channel(guild, "general")
    async with aiohttp.ClientSession() as http:
        reader = await session(fake, http, "reader", GUILDS | VOICE_STATES | GUILD_MESSAGES)
        quiet = await session(fake, http, "quiet", GUILDS | VOICE_STATES)
        await arrivals(reader)
        await arrivals(quiet)
        before = quiet.seq
        auth = {"Authorization": f"Bot {fake.create_bot('reader')}"}
        async with http.post(f"{fake.api_base}/channels/{text.id}/messages", json={"content": "hi"},
                             headers=auth) as resp:
            assert resp.status == 200
        voice = await fake.create_voice_channel(guild, "voice")
        got_reader = [m["t"] for m in await arrivals(reader)]
        got_quiet = await arrivals(quiet)
        assert "MESSAGE_CREATE" in got_reader and "CHANNEL_CREATE" in got_reader
        assert [m["t"] for m in got_quiet] == ["CHANNEL_CREATE"], got_quiet
        assert got_quiet[0]["d"]["id"] == str(voice.id)
        assert quiet.seq == (before or 0) + 1  # the message it was not sent took no sequence number
