"""The fake Discord's latency observable: when it dispatched an interaction and when the bot's callback came."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from raw_gateway import RawGateway

from azura_sandbox.fake_discord import FakeDiscord, SandboxClient

THINK_S = 0.08  # the bot takes this long before it answers


async def test_dispatch_and_callback_times_bracket_the_bots_answer_and_the_control_api_reports_them() -> None:
    fake = FakeDiscord()
    token = fake.create_bot("timed")
    await fake.start()
    try:
        guild = await fake.create_guild("g")
        text = await fake.create_text_channel(guild, "general")
        alice = await fake.create_user("alice")
        async with aiohttp.ClientSession() as http:
            gw = RawGateway(await http.ws_connect(fake.gateway_url))
            assert (await gw.recv())["op"] == 10
            await gw.ws.send_json({"op": 2, "d": {"token": token, "intents": 641, "properties": {}}})
            app_id = int((await gw.until("READY"))["d"]["application"]["id"])
            url = f"{fake.api_base}/applications/{app_id}/guilds/{guild.id}/commands"
            async with http.put(url, json=[{"name": "ping", "description": "d"}],
                                headers={"Authorization": f"Bot {token}"}) as resp:
                assert resp.status == 200
            seen: dict[str, float] = {}

            async def bot_side() -> None:
                inter = (await gw.until("INTERACTION_CREATE"))["d"]
                seen["received"] = time.monotonic()
                before = fake.interaction_timing(int(inter["id"]))
                assert before["dispatched_at"] is not None and before["answered_at"] is None
                await asyncio.sleep(THINK_S)
                seen["answering"] = time.monotonic()
                callback = f"{fake.api_base}/interactions/{inter['id']}/{inter['token']}/callback"
                async with http.post(callback, json={"type": 4, "data": {"content": "pong"}}) as resp:
                    assert resp.status == 204

            bot = asyncio.create_task(bot_side())
            result = await fake.invoke(alice, guild, text, "ping")
            await bot
            timing = fake.interaction_timing(result.interaction_id)
            assert timing["dispatched_at"] <= seen["received"]  # stamped once the frame was written
            assert seen["answering"] <= timing["answered_at"]  # stamped when the callback request arrived
            assert THINK_S <= timing["answered_at"] - timing["dispatched_at"] < THINK_S + 1.0
            assert (timing["response_type"], timing["ephemeral"]) == (4, False)
            async with SandboxClient(fake.base_url) as client:  # the same through /_sandbox/, for other processes
                assert await client.call("interaction_timing", interaction_id=result.interaction_id) == timing
            await gw.ws.close()
    finally:
        await fake.stop()
