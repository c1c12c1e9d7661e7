"""Rate limits as Discord does them, and real discord.py coping with them unchanged."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import discord
import pytest
from live_discord import Server

from azura_sandbox.fake_discord.ratelimit import Limit

pytestmark = pytest.mark.slow  # real rate-limit windows: these tests wait them out

EDIT = ("PATCH", "/channels/{channel_id}/messages/{message_id}")


async def test_buckets_per_channel_and_bot_with_discords_headers_and_429(server: Server) -> None:
    fake = server.fake
    tokens = {name: fake.create_bot(name) for name in ("one", "two")}
    async with aiohttp.ClientSession() as http:

        async def call(method: str, path: str, bot: str = "one", json: object = None) -> aiohttp.ClientResponse:
            headers = {"Authorization": f"Bot {tokens[bot]}"}
            async with http.request(method, f"{fake.api_base}{path}", headers=headers, json=json) as resp:
                await resp.read()
                return resp

        sent = await call("POST", f"/channels/{server.text.id}/messages", json={"content": "hi"})
        msg_id = (await sent.json())["id"]
        h = sent.headers
        assert (h["X-RateLimit-Limit"], h["X-RateLimit-Remaining"]) == ("5", "4")  # 5 messages per 5 s
        assert 4.9 <= float(h["X-RateLimit-Reset-After"]) <= 5.0
        assert abs(float(h["X-RateLimit-Reset"]) - (time.time() + 5)) < 1 and len(h["X-RateLimit-Bucket"]) == 32

        edit = f"/channels/{server.text.id}/messages/{msg_id}"
        edits = [await call("PATCH", edit, json={"content": str(i)}) for i in range(5)]
        seen = [resp.headers["X-RateLimit-Remaining"] for resp in edits]
        assert seen == ["4", "3", "2", "1", "0"]  # 5 edits per 5 s per channel
        refused = await call("PATCH", edit, json={"content": "sixth"})
        assert refused.status == 429
        body = await refused.json()
        assert body["global"] is False and body["code"] == 0 and 4 < body["retry_after"] <= 5
        assert refused.headers["X-RateLimit-Scope"] == "user" and refused.headers["Via"]
        assert int(refused.headers["Retry-After"]) == 5 and refused.headers["X-RateLimit-Remaining"] == "0"
        assert fake.message(int(msg_id)).content == "4"  # type: ignore[union-attr]  # the refused edit changed nothing

        # another channel, or another bot, has its own bucket
        other = await call("POST", f"/channels/{server.other_text.id}/messages", json={"content": "x"})
        assert other.headers["X-RateLimit-Remaining"] == "4"
        two = await call("POST", f"/channels/{server.text.id}/messages", bot="two", json={"content": "y"})
        assert two.headers["X-RateLimit-Remaining"] == "4"


async def test_discord_py_waits_out_an_exhausted_bucket_without_a_429(server: Server) -> None:
    server.fake.limiter.routes[EDIT] = Limit(2, 0.5)
    server.fake.exchanges = []
    client = await server.start_bot("azura")
    channel = client.get_channel(server.text.id)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("0")
    started = time.monotonic()
    for i in range(1, 6):
        message = await message.edit(content=str(i))
    assert time.monotonic() - started >= 0.9  # five edits at two per half second: two waits
    assert server.fake.message(message.id).content == "5"  # type: ignore[union-attr]
    assert [e.status for e in server.fake.exchanges if e.method == "PATCH"] == [200] * 5  # it read the headers


async def test_a_throttled_channel_does_not_slow_another(server: Server) -> None:
    fake = server.fake
    fake.exchanges = []
    client = await server.start_bot("azura")
    boards = []
    for channel_id in (server.text.id, server.other_text.id):
        channel = client.get_channel(channel_id)
        assert isinstance(channel, discord.TextChannel)
        boards.append(await channel.send("board"))
    fake.throttle_message_edits(server.text, window_s=1.0)
    done: dict[int, float] = {}
    started = time.monotonic()

    async def edit(message: discord.Message) -> None:
        await message.edit(content="updated")
        done[message.channel.id] = time.monotonic() - started

    await asyncio.gather(*(edit(b) for b in boards))
    assert done[server.other_text.id] < 0.5 <= 0.9 <= done[server.text.id]
    refusals = [e for e in fake.exchanges if e.status == 429]
    assert [(e.method, e.route, e.body["global"]) for e in refusals] == [(*EDIT, False)]
    assert all(fake.message(b.id).content == "updated" for b in boards)  # type: ignore[union-attr]
    fake.unthrottle_message_edits(server.text)


async def test_the_global_limit_answers_429_global_and_spares_interactions(server: Server) -> None:
    fake = server.fake
    fake.exchanges = []
    client = await server.start_bot("azura")
    fake.set_global_rate_limit(3)
    users = await asyncio.gather(*(client.fetch_user(server.alice.id) for _ in range(6)))
    assert {u.id for u in users} == {server.alice.id}
    refusals = [e.body for e in fake.exchanges if e.status == 429]
    assert refusals and all(body["global"] is True for body in refusals)
