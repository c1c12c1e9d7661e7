"""Starting music from the dashboard where nothing plays yet, end to end (a real parent with its dashboard, the
fake Discord and Lavalink): a saved playlist's "Play in my channel" and a search opens the session as /play does;
a failed start changes nothing; playlists are deleted from the page."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from web_cluster import WebCluster

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

WEB_CLUSTER = {"children": 0}
PLAYLIST = "https://www.youtube.com/playlist?list=PLweb"


@pytest_asyncio.fixture(loop_scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                     timeout=aiohttp.ClientTimeout(total=15)) as session:
        yield session


def csrf_of(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def flash_of(page: str) -> str:
    return html.unescape(page.split('role="status">', 1)[1].split("</p>", 1)[0])


async def test_a_failed_start_changes_nothing_and_a_search_starts_the_session(
    web: WebCluster, http: aiohttp.ClientSession
) -> None:
    room = await web.room("web-start")
    await web.join("carol", room)
    page = await (await web.login(http, "carol", f"/servers/{web.sb.guild.id}")).text()
    assert f'id="start-{room.id}"' in page and "Nothing plays here yet" in html.unescape(page)
    add = f"{web.web_url}/servers/{web.sb.guild.id}/channels/{room.id}/add"
    json_reply = {"Accept": "application/json"}
    async with http.post(add, data={"csrf": csrf_of(page), "query": "nothing at all"}, headers=json_reply) as r:
        refused = await r.json()
    assert r.status == 400 and refused == {
        "ok": False, "text": "⚠️ Nothing found for 'nothing at all'. Try other words or a link."}
    assert web.bot_in(room) is None  # no bot joined for nothing

    async with http.post(add, data={"csrf": csrf_of(page), "query": "first light"}, headers=json_reply) as r:
        started = await r.json()
    assert r.status == 200 and started["ok"] and started["text"].startswith("🎶 Queued "), started
    assert await web.wait_bot_in(room) == web.parent_bot_id
    np = await web.d.wait_for(lambda: next((m for m in web.d.messages(room) if "Now playing" in m.content), None),
                              6, "the now-playing message in the voice channel's chat")
    assert np.author_id == web.parent_bot_id
    async with http.get(f"{web.web_url}/servers/{web.sb.guild.id}") as r:
        page = await r.text()
    assert f'id="card-{room.id}"' in page and "asked by carol" in page
    await web.ok("carol", "leave")
    await web.wait_bot_in(room, want=False)


async def test_playing_a_saved_playlist_where_nothing_plays_opens_the_session(
    web: WebCluster, http: aiohttp.ClientSession
) -> None:
    room = await web.room("web-playlist")
    await web.run("dave", "playlist", {"name": "Empty One"}, sub="create")
    await web.run("dave", "playlist", {"name": "Web Mix"}, sub="create")
    await web.run("dave", "playlist", {"name": "Web Mix", "what": "query", "query": PLAYLIST}, sub="add")
    page = await (await web.login(http, "dave", "/playlists")).text()
    assert "Web Mix" in page and "Empty One" in page
    async with http.post(f"{web.web_url}/playlists", data={"csrf": csrf_of(page), "name": "Web Mix",
                                                            "action": "play"}) as r:
        assert flash_of(await r.text()) == "You're not in a voice channel. Join one first."

    await web.join("dave", room)
    async with http.post(f"{web.web_url}/playlists", data={"csrf": csrf_of(page), "name": "Empty One",
                                                            "action": "play"}) as r:
        assert flash_of(await r.text()) == "Empty One is empty."
    assert web.bot_in(room) is None  # a failed start changes nothing

    async with http.post(f"{web.web_url}/playlists", data={"csrf": csrf_of(page), "name": "Web Mix",
                                                            "action": "play"}) as r:
        played = flash_of(await r.text())
    assert played == f"▶ Queued 12 tracks of Web Mix in {room.name} (from #1).", played
    assert await web.wait_bot_in(room) == web.parent_bot_id
    titles = await web.titles("dave")
    assert len(titles) == 12 and titles[0].startswith("▶ "), titles

    async with http.post(f"{web.web_url}/playlists", data={"csrf": csrf_of(page), "name": "Empty One",
                                                            "action": "delete"}) as r:
        page = await r.text()
    assert flash_of(page) == "🗑 Deleted Empty One." and "Empty One</td>" not in page
    await web.ok("dave", "leave")
