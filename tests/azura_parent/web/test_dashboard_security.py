"""The dashboard's security, end to end against a real parent (its own dashboard) and the fake Discord's OAuth2:
logins, cookies, CSRF, the OAuth2 state, who sees which server, and no open redirect."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from web_cluster import WebCluster

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

WEB_CLUSTER = {"children": 0}


@pytest_asyncio.fixture(loop_scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                     timeout=aiohttp.ClientTimeout(total=15)) as session:
        yield session


async def test_without_a_session_every_page_sends_you_to_log_in(web: WebCluster, http: aiohttp.ClientSession) -> None:
    guild = web.sb.guild.id
    pages = (f"/servers/{guild}", f"/servers/{guild}/settings", f"/servers/{guild}/events", "/playlists", "/cluster")
    for path in pages:
        async with http.get(web.web_url + path, allow_redirects=False) as r:
            assert r.status == 302, path
            assert r.headers["Location"].startswith("/login?next="), r.headers["Location"]
    async with http.post(f"{web.web_url}/servers/{guild}/channels/1/pause", data={"csrf": "x"},
                         allow_redirects=False) as r:
        assert r.status == 302 and r.headers["Location"].startswith("/login")


async def test_logging_in_sets_an_httponly_samesite_cookie_and_lands_where_asked(
    web: WebCluster, http: aiohttp.ClientSession
) -> None:
    reply = await web.login(http, "alice", f"/servers/{web.sb.guild.id}")
    assert reply.status == 200
    assert reply.url.path == f"/servers/{web.sb.guild.id}"
    assert "Azura Lounge" in await reply.text()
    cookie_header = next(h for r in reply.history for h in r.headers.getall("Set-Cookie", [])
                         if h.startswith("azura_session="))
    assert "HttpOnly" in cookie_header and "SameSite=Lax" in cookie_header
    assert "Secure" not in cookie_header  # an http:// dashboard (a local one) cannot keep a Secure cookie


async def test_a_replayed_oauth_state_is_refused(web: WebCluster, http: aiohttp.ClientSession) -> None:
    reply = await web.login(http, "bob")
    callback = str(reply.history[-1].url)  # /auth/callback?code=…&state=…
    async with http.get(callback, allow_redirects=False) as again:
        assert again.status == 400
        assert "already used or has expired" in await again.text()


async def test_a_state_from_another_browser_is_refused(web: WebCluster, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{web.web_url}/login", allow_redirects=False) as r:
        state = r.headers["Location"].split("state=")[1].split("&")[0]
    async with aiohttp.ClientSession() as other:  # no azura_login cookie: not the browser that asked
        async with other.get(f"{web.web_url}/auth/callback", params={"code": "x", "state": state},
                             allow_redirects=False) as r:
            assert r.status == 400


async def test_a_forged_csrf_token_is_refused_and_changes_nothing(web: WebCluster, http: aiohttp.ClientSession) -> None:
    await web.login(http, "owner")
    guild = web.sb.guild.id
    async with http.post(f"{web.web_url}/servers/{guild}/settings",
                         data={"csrf": "forged", "always_on": "on", "idle_timeout": "600"}) as r:
        assert r.status == 403
    async with http.get(f"{web.web_url}/servers/{guild}/settings") as r:
        page = await r.text()
    assert 'name="always_on" >' in page or 'name="always_on">' in page  # still off
    async with http.post(f"{web.web_url}/logout", data={"csrf": "forged"}, allow_redirects=False) as r:
        assert r.status == 403
    async with http.get(f"{web.web_url}/playlists", allow_redirects=False) as r:
        assert r.status == 200  # still logged in


async def test_nobody_sees_a_server_they_are_not_in_or_one_without_azura(
    web: WebCluster, http: aiohttp.ClientSession
) -> None:
    d = web.d
    private = await d.create_guild("Private Club")  # Azura's bots join every guild the fake creates
    vip = await d.create_voice_channel(private, "vip")
    elsewhere = await d.create_guild("No Azura Here")
    for bot in list(d.world.bots):
        await d.remove_bot_from_guild(bot, elsewhere)
    await d.add_member(elsewhere, web.user("carol"))
    page = await (await web.login(http, "alice")).text()  # alice is in neither
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    async with http.post(f"{web.web_url}/servers/{private.id}/channels/{vip.id}/pause", data={"csrf": csrf},
                         allow_redirects=False) as r:
        assert r.status == 404  # nor control it, with a valid CSRF token of her own
    for guild in (private, elsewhere):
        async with http.get(f"{web.web_url}/servers/{guild.id}", allow_redirects=False) as r:
            assert r.status == 404, guild.name
        async with http.get(f"{web.web_url}/servers/{guild.id}/events", allow_redirects=False) as r:
            assert r.status == 404
    async with http.get(f"{web.web_url}/") as r:
        assert "Private Club" not in await r.text()
    for name in ("alice", "carol"):
        await web.login(http, name)
        async with http.get(f"{web.web_url}/servers/{elsewhere.id}", allow_redirects=False) as r:
            assert r.status == 404  # carol is in it, but Azura is not


async def test_no_open_redirect_after_login(web: WebCluster, http: aiohttp.ClientSession) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        reply = await web.login(http, "alice", target)
        assert reply.url.host == "127.0.0.1" and reply.url.path == "/", target


async def test_logout_ends_the_session(web: WebCluster, http: aiohttp.ClientSession) -> None:
    reply = await web.login(http, "alice")
    csrf = (await reply.text()).split('name="csrf" value="')[1].split('"')[0]
    async with http.post(f"{web.web_url}/logout", data={"csrf": csrf}, allow_redirects=False) as r:
        assert r.status == 303
    async with http.get(f"{web.web_url}/playlists", allow_redirects=False) as r:
        assert r.status == 302


async def test_settings_are_for_manage_server_and_the_cluster_for_the_owner(
    web: WebCluster, http: aiohttp.ClientSession
) -> None:
    guild = web.sb.guild.id
    await web.login(http, "alice")  # neither an admin nor the bot's owner
    async with http.get(f"{web.web_url}/servers/{guild}/settings") as r:
        assert r.status == 403 and "Only members with Manage Server" in await r.text()
    async with http.get(f"{web.web_url}/cluster") as r:
        assert r.status == 403 and "Only the bot's owner can see the cluster." in html.unescape(await r.text())
    page = await (await web.login(http, "owner", f"/servers/{guild}/settings")).text()  # owns the server and the app
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    async with http.post(f"{web.web_url}/servers/{guild}/settings",
                         data={"csrf": csrf, "dj_role": "", "always_on": "on", "idle_timeout": "5"}) as r:
        refused = await r.text()
    assert "The idle timeout must be between 30 seconds and 24 hours (86400 seconds), not 5." in refused
    assert "checked" not in refused  # a refused form changes nothing: 24/7 is still off
    async with http.post(f"{web.web_url}/servers/{guild}/settings",
                         data={"csrf": csrf, "dj_role": "", "always_on": "on", "idle_timeout": "600"}) as r:
        saved = await r.text()
    assert "Saved the server's settings" in html.unescape(saved) and 'value="600"' in saved and "checked" in saved
    r = await web.run("owner", "server", {"enabled": False}, sub="always-on")  # Discord sees the same settings
    assert r.text.startswith("⏱ 24/7 mode is off"), r.text
    async with http.get(f"{web.web_url}/cluster") as r:
        cluster = await r.text()
    assert r.status == 200 and "🟢 up" in cluster and "Lavalink nodes" in cluster


async def test_a_login_survives_a_restart_of_the_parent_until_logout(
    web: WebCluster, http: aiohttp.ClientSession
) -> None:
    """Logins are in the database (a hash of the session id), the cookie signed with AZURA_WEB_SECRET: a deploy
    logs nobody out, and the form token from before the restart still works."""
    guild = web.sb.guild.id
    page = await (await web.login(http, "alice", f"/servers/{guild}")).text()
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    await web.parent.stop()
    web.parent.start()
    await web.parent.wait_ready()
    async with http.get(f"{web.web_url}/servers/{guild}", allow_redirects=False) as r:
        assert r.status == 200 and "Azura Lounge" in await r.text()
    async with http.post(f"{web.web_url}/logout", data={"csrf": csrf}, allow_redirects=False) as r:
        assert r.status == 303  # the CSRF token from before the restart is the session's still
    async with http.get(f"{web.web_url}/servers/{guild}", allow_redirects=False) as r:
        assert r.status == 302 and r.headers["Location"].startswith("/login")
