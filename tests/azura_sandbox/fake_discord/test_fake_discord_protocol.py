"""Fake Discord REST/gateway edges with a raw HTTP/websocket client (no discord.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from raw_gateway import RawGateway

from azura_sandbox.fake_discord import FakeDiscord, SandboxClient, SandboxError

BOT = "raw"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    server.create_bot(BOT)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def auth(fake: FakeDiscord) -> dict[str, str]:
    return {"Authorization": f"Bot {fake.create_bot(BOT)}"}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _json(resp: aiohttp.ClientResponse) -> Any:
    assert resp.headers["Content-Type"] == "application/json"
    return await resp.json()


async def test_unknown_route_is_404_json_and_logged(
    fake: FakeDiscord, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    bot_auth = auth(fake)
    with caplog.at_level(logging.WARNING, logger="azura_sandbox.fake_discord"):
        async with http.get(f"{fake.api_base}/no/such/route", headers=bot_auth) as resp:
            assert resp.status == 404
            assert await _json(resp) == {"message": "404: Not Found", "code": 0}
        async with http.post(f"{fake.base_url}/elsewhere") as resp:
            assert resp.status == 404
    assert any("unknown route" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


async def test_malformed_body_is_400_and_unknown_objects_404(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    bot_auth = auth(fake)
    guild = await fake.create_guild("g")
    text = await fake.create_text_channel(guild, "general")
    url = f"{fake.api_base}/channels/{text.id}/messages"
    headers = bot_auth | {"Content-Type": "application/json"}
    async with http.post(url, data=b"{not json", headers=headers) as resp:
        assert resp.status == 400
        body = await _json(resp)
        assert body["code"] == 50035 and isinstance(body["message"], str) and body["errors"] == {}
    async with http.post(url, data=b"[1, 2]", headers=headers) as resp:
        assert resp.status == 400 and (await _json(resp))["code"] == 50035
    async with http.get(f"{url}/123", headers=bot_auth) as resp:
        assert resp.status == 404
        assert await _json(resp) == {"message": "Unknown Message", "code": 10008}
    async with http.get(f"{fake.api_base}/channels/999", headers=bot_auth) as resp:
        assert (await _json(resp))["code"] == 10003
    async with http.get(f"{fake.api_base}/channels/abc", headers=bot_auth) as resp:
        assert resp.status == 400
    async with http.get(f"{fake.api_base}/users/@me") as resp:
        assert resp.status == 401
    # a bot message: create, edit, list, delete
    async with http.post(url, json={"content": "hello"}, headers=bot_auth) as resp:
        msg = await _json(resp)
        assert msg["author"]["id"] == str(fake.bot(BOT).user_id) and msg["content"] == "hello"
    async with http.patch(f"{url}/{msg['id']}", json={"content": "edited"}, headers=bot_auth) as resp:
        assert (await _json(resp))["content"] == "edited"
    async with http.get(url, headers=bot_auth) as resp:
        assert [m["content"] for m in await _json(resp)] == ["edited"]
    async with http.delete(f"{url}/{msg['id']}", headers=bot_auth) as resp:
        assert resp.status == 204
    assert fake.messages(text) == []
    async with http.post(url, json={}, headers=bot_auth) as resp:
        assert resp.status == 400 and (await _json(resp))["code"] == 50006


async def test_login_routes_and_command_sync(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    bot_auth = auth(fake)
    guild = await fake.create_guild("g")
    api = fake.api_base
    async with http.get(f"{api}/users/@me", headers=bot_auth) as resp:
        me = await _json(resp)
    app_id = int(me["id"])
    assert app_id == fake.bot(BOT).user_id and me["bot"] is True
    async with http.get(f"{api}/oauth2/applications/@me", headers=bot_auth) as resp:
        app = await _json(resp)
        assert app["id"] == me["id"] and "verify_key" in app and "owner" in app
    async with http.get(f"{api}/gateway/bot", headers=bot_auth) as resp:
        assert (await _json(resp))["url"] == fake.gateway_url
    async with http.get(f"{api}/guilds/{guild.id}/members/{app_id}", headers=bot_auth) as resp:
        assert (await _json(resp))["user"]["id"] == str(app_id)  # every bot is in every guild

    cmds = [{"name": "play", "description": "d", "options": [{"type": 3, "name": "q", "description": "x"}]}]
    gurl = f"{api}/applications/{app_id}/guilds/{guild.id}/commands"
    async with http.put(gurl, json=cmds, headers=bot_auth) as resp:
        first = await _json(resp)
    async with http.put(gurl, json=cmds, headers=bot_auth) as resp:
        assert (await _json(resp))[0]["id"] == first[0]["id"]  # re-sync keeps ids
    async with http.get(gurl, headers=bot_auth) as resp:
        assert [c["name"] for c in await _json(resp)] == ["play"]
    async with http.put(
        f"{api}/applications/{app_id}/commands", json=[{"name": "g", "description": "d"}], headers=bot_auth
    ) as resp:
        assert (await _json(resp))[0]["name"] == "g"
    async with http.put(f"{api}/applications/1/commands", json=[], headers=bot_auth) as resp:
        assert resp.status == 403
    async with http.put(gurl, data=b"{}", headers=bot_auth) as resp:
        assert resp.status == 400 and (await _json(resp))["code"] == 50035
    assert sorted(c.name for c in fake.commands(app_id, guild)) == ["g", "play"]


async def test_gateway_identify_voice_interaction_resume(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    """A hand-written gateway client: READY/GUILD_CREATE, op 4, a deferred interaction answered by REST, RESUME."""
    token = fake.create_bot(BOT)
    bot_auth = auth(fake)
    guild = await fake.create_guild("g")
    text = await fake.create_text_channel(guild, "general")
    voice = await fake.create_voice_channel(guild, "music")
    alice = await fake.create_user("alice")
    gw = RawGateway(await http.ws_connect(f"{fake.gateway_url}?v=10&encoding=json&compress=zlib-stream"))
    ws = gw.ws
    assert (await gw.recv())["op"] == 10
    await ws.send_json({"op": 1, "d": None})
    assert (await gw.recv())["op"] == 11
    await ws.send_json({"op": 2, "d": {"token": token, "intents": 641, "properties": {}}})
    ready = await gw.recv()
    assert ready["t"] == "READY" and ready["d"]["guilds"] == [{"id": str(guild.id), "unavailable": True}]
    app_id = int(ready["d"]["application"]["id"])
    created = await gw.recv()
    assert created["t"] == "GUILD_CREATE"
    assert {c["name"] for c in created["d"]["channels"]} == {"general", "music"}

    # voice: join -> VOICE_STATE_UPDATE then VOICE_SERVER_UPDATE
    await ws.send_json(
        {"op": 4, "d": {"guild_id": str(guild.id), "channel_id": str(voice.id), "self_mute": False, "self_deaf": True}}
    )
    vsu = await gw.recv()
    assert vsu["t"] == "VOICE_STATE_UPDATE" and vsu["d"]["channel_id"] == str(voice.id)
    assert vsu["d"]["session_id"] == ready["d"]["session_id"] and vsu["d"]["self_deaf"] is True
    server = await gw.recv()
    assert server["t"] == "VOICE_SERVER_UPDATE" and server["d"]["endpoint"] and server["d"]["token"]
    assert fake.voice_members(voice) == [app_id]
    await fake.user_join_voice(alice, voice)
    assert (await gw.until("VOICE_STATE_UPDATE"))["d"]["user_id"] == str(alice.id)

    # a slash command answered with a "thinking" defer then an @original edit, plus a followup
    gurl = f"{fake.api_base}/applications/{app_id}/guilds/{guild.id}/commands"
    async with http.put(gurl, json=[{"name": "slow", "description": "d"}], headers=bot_auth) as resp:
        assert resp.status == 200

    async def bot_side() -> None:
        inter = (await gw.until("INTERACTION_CREATE"))["d"]
        assert inter["data"]["name"] == "slow" and inter["member"]["user"]["id"] == str(alice.id)
        base = f"{fake.api_base}/interactions/{inter['id']}/{inter['token']}/callback"
        async with http.post(base, params={"with_response": "true"}, json={"type": 5, "data": {}}) as resp:
            body = await _json(resp)
            # Discord's spec has a callback resource only for types 4, 7 and 12; a defer answers the interaction
            assert "resource" not in body and body["interaction"]["response_message_loading"] is True
        async with http.post(base, json={"type": 4, "data": {"content": "again"}}) as resp:
            assert (await _json(resp))["code"] == 40060
        hook = f"{fake.api_base}/webhooks/{app_id}/{inter['token']}"
        async with http.patch(f"{hook}/messages/@original", json={"content": "done", "embeds": [{"title": "t"}]}) as r:
            assert (await _json(r))["content"] == "done"
        async with http.post(hook, params={"wait": "true"}, json={"content": "psst", "flags": 64}) as r:
            assert (await _json(r))["flags"] == 64

    bot_task = asyncio.create_task(bot_side())
    result = await fake.invoke(alice, guild, text, "slow", wait_followups=1)
    await bot_task
    assert result.deferred and result.content == "done" and result.embeds == [{"title": "t"}]
    assert [(f.content, f.ephemeral) for f in result.followups] == [("psst", True)]
    assert [m.content for m in fake.messages(text)] == ["done"]  # the ephemeral followup is not in the channel

    # RESUME on a new socket replays what was missed
    seq = 0
    await ws.close()
    await fake.create_text_channel(guild, "missed")
    gw2 = RawGateway(await http.ws_connect(fake.gateway_url))
    assert (await gw2.recv())["op"] == 10
    await gw2.ws.send_json({"op": 6, "d": {"token": token, "session_id": ready["d"]["session_id"], "seq": seq}})
    replayed = []
    while True:
        msg = await gw2.recv()
        replayed.append(msg["t"])
        if msg["t"] == "RESUMED":
            break
    assert "CHANNEL_CREATE" in replayed
    await gw2.ws.send_json({"op": 6, "d": {"token": token, "session_id": "nope", "seq": 0}})
    assert (await gw2.recv()) == {"op": 9, "d": False}
    await gw2.ws.close()


@pytest.mark.slow  # starts the CLI as a process
async def test_control_api_errors_and_cli(fake: FakeDiscord) -> None:
    async with SandboxClient(fake.base_url) as client:
        gid = await client.create_guild("remote")
        voice = await client.create_voice_channel(gid, "v")
        bob = await client.create_user("bob")
        role = await client.create_role(gid, "dj", permissions=8)
        await client.give_role(gid, bob, role)
        await client.user_join_voice(bob, voice)
        state = await client.voice_state(gid, bob)
        assert state is not None and state.channel_id == voice.id
        await client.delete_channel(voice)
        assert await client.voice_state(gid, bob) is None
        with pytest.raises(SandboxError):
            await client.call("not_a_method")
        with pytest.raises(SandboxError):
            await client.user_join_voice(bob, 12345)
        # another process declares a bot, takes its token and changes what it may do
        token = await client.create_bot("remote-bot")
        text = await client.create_text_channel(gid, "t")
        await client.deny_in_channel("remote-bot", text, ["send_messages"])
        await client.throttle_message_edits(text, window_s=5)
        with pytest.raises(SandboxError, match="unknown permission"):
            await client.deny_in_channel("remote-bot", text, ["fly"])
        await client.remove_bot_from_guild("remote-bot", gid)
    assert fake.world.guilds[gid].members[bob.id].roles == [role.id]
    remote = fake.bot("remote-bot")
    assert token == remote.token and remote.user_id not in fake.world.guilds[gid].members
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{fake.api_base}/users/@me", headers={"Authorization": f"Bot {token}"}) as resp:
            assert (await _json(resp))["username"] == "remote-bot"

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "azura_sandbox.fake_discord",
        "--port",
        "0",
        "--log-level",
        "INFO",
        "--bots",
        "cli-bot",
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stderr is not None
        seen = []
        async with asyncio.timeout(10):
            while b"api_base=" not in (line := await proc.stderr.readline()):
                assert line, "CLI exited"
                seen.append(line.decode())
        assert any("bot cli-bot: token " in s for s in seen), seen
        url = json.dumps(line.decode())
        assert "/api/v10" in url
    finally:
        proc.terminate()
        await proc.wait()
