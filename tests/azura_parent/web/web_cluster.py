"""A real Azura cluster with its dashboard on, against the sandbox fakes: for the dashboard's end-to-end tests.

``login`` walks Discord's OAuth2 flow (the fake's consent page) the way a browser would, with aiohttp."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp
from e2e_cluster import USERS, Cluster

from azura_sandbox.testing import Sandbox, free_port

__all__ = ["WebCluster", "start_web_cluster"]

WEB_SECRET = "dashboard-test-cookie-secret"


class WebCluster(Cluster):
    web_url: str

    async def login(self, http: aiohttp.ClientSession, who: str, next_path: str = "/") -> aiohttp.ClientResponse:
        """Log ``who`` in through the fake Discord's consent page; the reply after the last redirect."""
        async with http.get(f"{self.web_url}/login", params={"next": next_path}, allow_redirects=False) as r:
            assert r.status == 302, r.status
            authorize = r.headers["Location"]
        async with http.get(authorize) as r:
            page = await r.text()
        form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
        form = {k: v.replace("&amp;", "&") for k, v in form.items()}
        form |= {"user_id": str(self.user(who).id), "decision": "authorize"}
        async with http.post(authorize.split("?")[0], data=form, allow_redirects=False) as r:
            assert r.status == 302, await r.text()
            callback = r.headers["Location"]
        reply = await http.get(callback)
        await reply.read()
        return reply


async def start_web_cluster(tmp: Path, *, children: int = 1, speed: float = 50.0) -> WebCluster:
    sb = await Sandbox.start(user_names=USERS, voice_channels=1, speed=speed)
    try:
        names = [f"kid-{i + 1}" for i in range(2)]
        kids = list(await asyncio.gather(*(sb.spawn_child(n) for n in names[:children])))
        for name in names[children:]:
            sb.discord.create_bot(name)  # declared for Cluster's bookkeeping; never started
        port = free_port()
        parent = await sb.spawn_parent("parent-token", kids, tmp / "db.sqlite3", env={
            "AZURA_WEB_PORT": str(port), "AZURA_WEB_HOST": "127.0.0.1", "AZURA_WEB_SECRET": WEB_SECRET,
            "AZURA_OAUTH_CLIENT_SECRET": sb.discord.oauth_client_secret,
        })
    except BaseException:
        await sb.stop()
        raise
    cluster = WebCluster(sb, kids, parent)
    cluster.web_url = f"http://127.0.0.1:{port}"
    return cluster
