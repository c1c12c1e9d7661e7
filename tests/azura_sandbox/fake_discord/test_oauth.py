"""The fake Discord's OAuth2 authorization-code flow: the consent page, the token exchange, and the bearer reads,
which answer as Discord's published OpenAPI spec says (read from ``../shared/specs/discord-openapi.json``)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from azura_sandbox.fake_discord import FakeDiscord
from azura_sandbox.fake_discord.openapi import SpecValidator, check_replies

SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "discord-openapi.json"
REDIRECT = "http://dashboard.example/auth/callback"
needs_spec = pytest.mark.skipif(not SPEC.is_file(), reason=f"Discord's OpenAPI spec is not at {SPEC}")


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    discord = FakeDiscord()
    await discord.start()
    try:
        yield discord
    finally:
        await discord.stop()


async def authorize(http: aiohttp.ClientSession, fake: FakeDiscord, client_id: int, user_id: int,
                    scope: str = "identify guilds") -> str:
    """Walk the consent page as a browser: the code the redirect carries (its state checked)."""
    query = {"response_type": "code", "client_id": str(client_id), "scope": scope, "state": "s-1",
             "redirect_uri": REDIRECT}
    async with http.get(f"{fake.base_url}/oauth2/authorize", params=query) as r:
        assert r.status == 200 and r.content_type == "text/html"
        page = await r.text()
    assert f'<option value="{user_id}">' in page
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    form |= {"user_id": str(user_id), "decision": "authorize"}
    async with http.post(f"{fake.base_url}/oauth2/authorize", data=form, allow_redirects=False) as r:
        assert r.status == 302
        location = r.headers["Location"]
    assert location.startswith(REDIRECT + "?") and "state=s-1" in location
    return location.split("code=")[1].split("&")[0]


async def exchange(http: aiohttp.ClientSession, fake: FakeDiscord, client_id: int, code: str,
                   secret: str | None = None) -> tuple[int, dict[str, str]]:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    basic = base64.b64encode(f"{client_id}:{secret or fake.oauth_client_secret}".encode()).decode()
    async with http.post(f"{fake.api_base}/oauth2/token", data=form, headers={"Authorization": f"Basic {basic}"}) as r:
        return r.status, await r.json()


@needs_spec
async def test_the_flow_answers_as_discord_documents_it(fake: FakeDiscord) -> None:
    guild = await fake.create_guild("Lounge")
    other = await fake.create_guild("Elsewhere")
    alice = await fake.create_user("alice", guilds=[guild])
    fake.create_bot("azura")
    bot = fake.world.bots["azura"]
    fake.exchanges = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        code = await authorize(http, fake, bot.application_id, alice.id)
        status, token = await exchange(http, fake, bot.application_id, code)
        assert status == 200, token
        assert token["token_type"] == "Bearer" and token["scope"] == "guilds identify"
        assert isinstance(token["expires_in"], int) and token["access_token"] and token["refresh_token"]
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        async with http.get(f"{fake.api_base}/users/@me", headers=bearer) as r:
            me = await r.json()
        async with http.get(f"{fake.api_base}/users/@me/guilds", headers=bearer) as r:
            guilds = await r.json()
    assert me["id"] == str(alice.id) and me["username"] == "alice"
    assert [g["id"] for g in guilds] == [str(guild.id)]  # not Elsewhere, which alice is not in
    assert str(other.id) not in json.dumps(guilds)
    validator = SpecValidator(json.loads(SPEC.read_text(encoding="utf-8")))
    replies = [(e.method, e.path, e.status, e.body) for e in fake.exchanges if e.path.startswith("/users/@me")]
    assert {(m, p) for m, p, _, _ in replies} == {("GET", "/users/@me"), ("GET", "/users/@me/guilds")}
    assert [f for f in check_replies(validator, replies) if f.problems] == []


async def test_a_code_works_once_and_only_with_the_right_secret(fake: FakeDiscord) -> None:
    await fake.create_guild("Lounge")
    alice = await fake.create_user("alice")
    fake.create_bot("azura")
    app = fake.world.bots["azura"].application_id
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        code = await authorize(http, fake, app, alice.id)
        status, body = await exchange(http, fake, app, code, secret="wrong")
        assert (status, body["error"]) == (401, "invalid_client")
        status, _ = await exchange(http, fake, app, code)
        assert status == 200
        status, body = await exchange(http, fake, app, code)  # replayed
        assert (status, body["error"]) == (400, "invalid_grant")
        identify_only = await authorize(http, fake, app, alice.id, scope="identify")
        _, token = await exchange(http, fake, app, identify_only)
        async with http.get(f"{fake.api_base}/users/@me/guilds",
                            headers={"Authorization": f"Bearer {token['access_token']}"}) as r:
            assert r.status == 401  # no guilds scope
        async with http.get(f"{fake.api_base}/users/@me", headers={"Authorization": "Bearer forged"}) as r:
            assert r.status == 401
