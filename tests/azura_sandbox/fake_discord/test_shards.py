"""The fake Discord shards a bot's gateway as Discord does, seen from a hand-written gateway client.

Four guilds, one on each of four shards (``(guild_id >> 22) % 4``): READY and GUILD_CREATE per shard, every
guild event (channels, messages, voice, interactions) only to the shard owning the guild, op 4 only over it;
4010 for an invalid shard, 4011 when the guilds need more shards than IDENTIFY says; identifies paced per
``max_concurrency`` bucket.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from raw_gateway import RawGateway

from azura_sandbox.fake_discord import FakeDiscord, SandboxClient, SandboxError
from azura_sandbox.fake_discord.sharding import shard_of, snowflake_on_shard
from azura_sandbox.fake_discord.world import Guild

BOT = "sharded"
SHARDS = 4


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    server.create_bot(BOT)
    server.set_shard_limits(identify_interval_s=0.0, max_concurrency=SHARDS)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def four_guilds(fake: FakeDiscord) -> list[Guild]:
    """Guild *i* on shard *i* of 4."""
    return [await fake.create_guild(f"g{i}", guild_id=snowflake_on_shard(i, SHARDS, i)) for i in range(SHARDS)]


async def connect(fake: FakeDiscord, http: aiohttp.ClientSession) -> RawGateway:
    gw = RawGateway(await http.ws_connect(f"{fake.gateway_url}?v=10&encoding=json"))
    assert (await gw.recv())["op"] == 10
    return gw


async def identify(fake: FakeDiscord, gw: RawGateway, shard: Any) -> None:
    await gw.ws.send_json({"op": 2, "d": {"token": fake.create_bot(BOT), "intents": 641, "properties": {},
                                          "shard": shard}})


async def shard_session(
    fake: FakeDiscord, http: aiohttp.ClientSession, shard_id: int
) -> tuple[RawGateway, dict[str, Any]]:
    """A session of shard *shard_id* of 4, after its READY and GUILD_CREATE: (gateway, READY's data)."""
    gw = await connect(fake, http)
    await identify(fake, gw, [shard_id, SHARDS])
    ready = await gw.recv()
    assert ready["t"] == "READY", ready
    for _ in ready["d"]["guilds"]:
        assert (await gw.recv())["t"] == "GUILD_CREATE"
    return gw, ready["d"]


async def close_code(gw: RawGateway) -> int | None:
    msg = await asyncio.wait_for(gw.ws.receive(), 5)
    assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING), msg
    return gw.ws.close_code


async def events_within(gw: RawGateway, within_s: float = 0.3) -> list[str]:
    """The dispatches that arrive within *within_s*."""
    seen: list[str] = []
    deadline = time.monotonic() + within_s
    while (left := deadline - time.monotonic()) > 0:
        try:
            seen.append(str((await asyncio.wait_for(gw.ws.receive_json(), left)).get("t")))
        except TimeoutError:
            break
    return seen


async def nothing_arrives(gw: RawGateway) -> None:
    assert await events_within(gw) == []


def test_guild_ids_land_on_the_shard_asked_for() -> None:
    for count in (1, 2, 4, 16):
        for shard_id in range(count):
            assert shard_of(snowflake_on_shard(shard_id, count, 7), count) == shard_id


async def test_gateway_bot_recommends_shards_by_guild_count_or_as_set(fake: FakeDiscord) -> None:
    await four_guilds(fake)

    async def gateway_bot() -> dict[str, Any]:
        async with aiohttp.ClientSession() as http, http.get(
            f"{fake.api_base}/gateway/bot", headers={"Authorization": f"Bot {fake.create_bot(BOT)}"}
        ) as resp:
            assert resp.status == 200
            body: dict[str, Any] = await resp.json()
            return body

    first = await gateway_bot()
    assert first["shards"] == 1 and first["session_start_limit"]["max_concurrency"] == SHARDS
    async with SandboxClient(fake.base_url) as client:  # the driver's settings, from another process too
        await client.call("set_shard_limits", guilds_per_shard=1)  # one shard per guild recommended
        assert (await gateway_bot())["shards"] == SHARDS
        await client.call("set_recommended_shards", bot=BOT, shards=2)  # a driver setting wins
        assert (await gateway_bot())["shards"] == 2
        with pytest.raises(SandboxError, match="positive"):
            await client.call("set_recommended_shards", bot=BOT, shards=0)
    with pytest.raises(SandboxError, match="max_concurrency"):
        fake.set_shard_limits(max_concurrency=0)


async def test_each_shard_gets_only_its_guilds_and_their_events(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    guilds = await four_guilds(fake)
    alice = await fake.create_user("alice")
    sessions = [await shard_session(fake, http, i) for i in range(SHARDS)]
    for i, (_, ready) in enumerate(sessions):
        assert ready["shard"] == [i, SHARDS]
        assert [g["id"] for g in ready["guilds"]] == [str(guilds[i].id)]
    assert fake.connected_shards(BOT) == [[i, SHARDS] for i in range(SHARDS)]
    app_id = int(sessions[0][1]["application"]["id"])

    target = guilds[2]
    owner, others = sessions[2][0], [gw for i, (gw, _) in enumerate(sessions) if i != 2]
    text = await fake.create_text_channel(target, "general")
    assert (await owner.recv())["t"] == "CHANNEL_CREATE"
    voice = await fake.create_voice_channel(target, "voice")
    assert (await owner.recv())["t"] == "CHANNEL_CREATE"
    await fake.user_join_voice(alice, voice)
    assert (await owner.until("VOICE_STATE_UPDATE"))["d"]["guild_id"] == str(target.id)
    bot_auth = {"Authorization": f"Bot {fake.create_bot(BOT)}"}
    async with http.post(f"{fake.api_base}/channels/{text.id}/messages", json={"content": "hi"},
                         headers=bot_auth) as resp:
        assert resp.status == 200
    assert (await owner.until("MESSAGE_CREATE"))["d"]["content"] == "hi"
    url = f"{fake.api_base}/applications/{app_id}/guilds/{target.id}/commands"
    async with http.put(url, json=[{"name": "ping", "description": "d"}], headers=bot_auth) as resp:
        assert resp.status == 200
    invoked = asyncio.create_task(fake.invoke(alice, target, text, "ping", timeout_s=2))
    interaction = (await owner.until("INTERACTION_CREATE"))["d"]
    assert interaction["guild_id"] == str(target.id)
    callback = f"{fake.api_base}/interactions/{interaction['id']}/{interaction['token']}/callback"
    async with http.post(callback, json={"type": 4, "data": {"content": "pong"}}) as resp:
        assert resp.status in (200, 204)
    assert (await invoked).text == "pong"
    for gw in others:
        await nothing_arrives(gw)

    # a voice join goes over the guild's own shard; over another shard Discord ignores it
    join = {"op": 4, "d": {"guild_id": str(target.id), "channel_id": str(voice.id), "self_mute": False,
                           "self_deaf": True}}
    await others[0].ws.send_json(join)
    assert "VOICE_STATE_UPDATE" not in await events_within(owner)
    assert app_id not in fake.voice_members(voice)
    await owner.ws.send_json(join)
    assert (await owner.until("VOICE_SERVER_UPDATE"))["d"]["guild_id"] == str(target.id)
    assert app_id in fake.voice_members(voice)
    for gw in others:
        await nothing_arrives(gw)


async def test_an_invalid_shard_closes_with_4010(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    await four_guilds(fake)
    for bad in ([SHARDS, SHARDS], [0, 0], [-1, 2], [0], "0,4", [True, 4]):
        gw = await connect(fake, http)
        await identify(fake, gw, bad)
        assert await close_code(gw) == 4010, bad
    assert fake.connected_shards(BOT) == []


async def test_too_few_shards_for_the_guilds_closes_with_4011(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    await four_guilds(fake)
    fake.set_shard_limits(max_guilds_per_shard=1)  # four guilds now need four shards
    for too_few in ([0, 1], [1, 2]):
        gw = await connect(fake, http)
        await identify(fake, gw, too_few)
        assert await close_code(gw) == 4011, too_few
    gw = await connect(fake, http)  # no shard at all is one shard: refused the same way
    await gw.ws.send_json({"op": 2, "d": {"token": fake.create_bot(BOT), "intents": 641, "properties": {}}})
    assert await close_code(gw) == 4011
    _, ready = await shard_session(fake, http, 3)  # the count it must use is accepted
    assert len(ready["guilds"]) == 1


async def test_identifies_are_paced_per_max_concurrency_bucket(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    await four_guilds(fake)
    interval = 0.5
    fake.set_shard_limits(max_concurrency=2, identify_interval_s=interval)  # buckets {0, 2} and {1, 3}
    started = time.monotonic()
    await shard_session(fake, http, 0)
    await shard_session(fake, http, 1)  # another bucket: at once
    early = await connect(fake, http)
    await identify(fake, early, [2, SHARDS])  # shard 0's bucket, within the interval: invalid session
    refused = await early.recv()
    assert refused == {"op": 9, "d": False} and time.monotonic() - started < interval
    await asyncio.sleep(interval)
    _, ready = await shard_session(fake, http, 2)  # the bucket's next slot
    assert ready["shard"] == [2, SHARDS]
