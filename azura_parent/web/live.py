"""The live part of a server page: the stream of card updates (server-sent events, fed by ``SessionFeed``) and
the controls on each card. A control answers JSON to the page's script, or redirects back with the sentence
shown at the top when the browser posted the form itself (no JavaScript)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING

from aiohttp import web

from azura_common.koe.errors import KoeError

from ..commands.tree import ERROR_MARK, error_message
from .controls import plain, run_control, voice_in

if TYPE_CHECKING:
    from .app import Dashboard, Viewer
    from .cards import Card

__all__ = ["add_routes"]

log = logging.getLogger(__name__)

KEEPALIVE_S = 15.0  # a comment line this often keeps proxies from closing an idle stream


def add_routes(app: web.Application, dashboard: Dashboard) -> None:
    bot = dashboard.bot

    async def card_html(viewer: Viewer, card: Card) -> str:
        settings = await bot.store.get_guild_settings(viewer.guild.id)
        return dashboard.render("card.html", card=card, viewer=viewer, login=viewer.login,
                                is_dj=viewer.may_dj(settings.dj_role_id))

    async def events(request: web.Request) -> web.StreamResponse:
        viewer = await dashboard.viewer(request)
        subscription = dashboard.feed.subscribe(viewer.guild.id)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                               "X-Accel-Buffering": "no"})
        try:
            await response.prepare(request)
            await response.write(b": live\n\n")
            closing = asyncio.ensure_future(dashboard.closing.wait())
            try:
                while not dashboard.closing.is_set():
                    getter = asyncio.ensure_future(subscription.events.get())
                    finished, _ = await asyncio.wait({getter, closing}, timeout=KEEPALIVE_S,
                                                     return_when=asyncio.FIRST_COMPLETED)
                    if getter not in finished:
                        getter.cancel()
                        if not dashboard.closing.is_set():
                            await response.write(b": keepalive\n\n")
                        continue
                    event = getter.result()
                    member = viewer.guild.get_member(viewer.login.user_id)
                    if member is None or not dashboard.logins.is_open(viewer.login):  # left, or logged out: it ends
                        break
                    fresh = type(viewer)(viewer.login, viewer.guild, member)
                    data = {"channel_id": str(event.channel_id), "server_now_ms": int(time.time() * 1000),
                            "html": await card_html(fresh, event.card) if event.card is not None else None}
                    await response.write(f"event: card\ndata: {json.dumps(data)}\n\n".encode())
            finally:
                closing.cancel()
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            subscription.close()
        return response

    async def control(request: web.Request) -> web.StreamResponse:
        viewer = await dashboard.viewer(request)
        form = await dashboard.checked_form(request, viewer.login)
        channel_text = request.match_info["channel_id"]
        wants_json = "application/json" in request.headers.get("Accept", "")
        try:
            channel_id = int(channel_text) if channel_text.isdigit() and len(channel_text) < 21 else 0
            voice = voice_in(viewer.guild, viewer.member, channel_id)
            text, ok = await run_control(bot, voice, request.match_info["action"], form, viewer.login.locale), True
        except KoeError as exc:
            where = f"dashboard {request.match_info['action']}"
            text, ok = ERROR_MARK + error_message(exc, where, viewer.login.locale), False
        text = plain(text, viewer.guild)
        if wants_json:
            return web.json_response({"ok": ok, "text": text}, status=200 if ok else 400)
        dashboard.flashes[viewer.login.session_id] = (text, ok)
        raise web.HTTPSeeOther(f"/servers/{viewer.guild.id}#card-{channel_text}")

    app.router.add_get("/servers/{guild_id}/events", events)
    app.router.add_post("/servers/{guild_id}/channels/{channel_id}/{action}", control)
