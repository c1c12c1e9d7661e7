"""Bot tokens as Discord issues them: only the world's own tokens log in, over REST and the gateway."""

from __future__ import annotations

import asyncio
import base64

import aiohttp
import discord
import pytest
from live_discord import Server

from azura_sandbox.fake_discord.tokens import issue_token, token_user_id, verify_token


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_token_carries_its_bot_id_and_only_its_signer_accepts_it() -> None:
    token = issue_token(b"secret", 1_177_000_000_000_000_001)
    id_part, stamp, mac = token.split(".")
    assert base64.urlsafe_b64decode(id_part + "==").decode() == "1177000000000000001"
    assert len(stamp) == 6 and len(mac) == 27  # the shape of a real bot token
    assert token_user_id(token) == verify_token(b"secret", token) == 1_177_000_000_000_000_001
    assert verify_token(b"another secret", token) is None
    forged = f"{_b64('1177000000000000002')}.{stamp}.{mac}"  # someone else's id, same signature
    assert token_user_id(forged) == 1_177_000_000_000_000_002 and verify_token(b"secret", forged) is None
    for malformed in ("", "abc", "a.b", "a.b.c.d", "!!!.x.y", f"{_b64('not a number')}.{stamp}.{mac}"):
        assert verify_token(b"secret", malformed) is None


async def test_discord_py_logs_in_only_with_the_worlds_token(server: Server) -> None:
    fake = server.fake
    client = await server.start_bot("azura")
    bot = fake.bot("azura")
    assert client.user is not None and client.user.id == bot.user_id == token_user_id(bot.token)
    assert [g.id for g in client.guilds] == [server.guild.id]

    for wrong in ("any-string", bot.token[:-1] + ("A" if bot.token[-1] != "A" else "B")):
        stranger = discord.Client(intents=discord.Intents.none())
        with pytest.raises(discord.LoginFailure):
            await stranger.login(wrong)
        await stranger.close()

    old = bot.token
    new = fake.reset_bot_token("azura")
    assert new != old and fake.world.bot_by_token(old) is None and fake.world.bot_by_token(new) is bot


async def test_an_unknown_token_is_401_on_rest_and_4004_on_the_gateway(server: Server) -> None:
    fake = server.fake
    unknown = issue_token(b"not the world's secret", 1_177_000_000_000_000_003)
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"Authorization": f"Bot {unknown}"}, {"Authorization": "Bot nonsense"}):
            async with http.get(f"{fake.api_base}/users/@me", headers=headers) as resp:
                assert resp.status == 401
                assert await resp.json() == {"message": "401: Unauthorized", "code": 0}
        async with http.ws_connect(fake.gateway_url) as ws:
            assert (await ws.receive_json())["op"] == 10
            await ws.send_json({"op": 2, "d": {"token": unknown, "intents": 0, "properties": {}}})
            closing = await asyncio.wait_for(ws.receive(), 5)
            assert closing.type is aiohttp.WSMsgType.CLOSE
            assert (closing.data, closing.extra) == (4004, "Authentication failed.")
    assert fake.connected_bots() == []
