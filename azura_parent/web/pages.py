"""The read views and the admin forms: the server list, a server's page (one card per voice channel session),
the server's settings (Manage Server), one's playlists, and the cluster (the bot's owners). Server-rendered:
everything here reads without JavaScript."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from typing import TYPE_CHECKING

from aiohttp import web

from azura_common.i18n import text
from azura_common.koe.errors import InvalidArgument, KoeError
from azura_common.koe.session import EnqueueMode

from ..cluster_status import format_uptime
from ..commands.base import open_in_channel
from ..commands.status import gather_status
from ..commands.tree import error_message
from ..commands.voice import NotInVoice, Voice
from ..store.playlists import clean_name
from .controls import plain

if TYPE_CHECKING:
    from .app import Dashboard, Viewer

__all__ = ["add_routes"]



def add_routes(app: web.Application, dashboard: Dashboard) -> None:
    bot = dashboard.bot

    def flash_of(session_id: str) -> tuple[str, bool] | None:
        return dashboard.flashes.pop(session_id, None)

    def done(login_id: str, where: str, text: str, ok: bool = True) -> web.HTTPSeeOther:
        dashboard.flashes[login_id] = (text, ok)
        return web.HTTPSeeOther(where)

    async def index(request: web.Request) -> web.Response:
        login = await dashboard.login_of(request)
        if login is None:
            return dashboard.page("index.html", login=None, servers=[])
        servers = []
        for guild in sorted(bot.guilds, key=lambda g: g.name.casefold()):
            if guild.id in login.guild_ids and guild.get_member(login.user_id) is not None:
                sessions = sum(1 for r in bot.koe.routes() if r.guild_id == guild.id)
                servers.append((guild, sessions))
        owner = login.user_id in await dashboard.owner_ids()
        return dashboard.page("index.html", login=login, servers=servers, owner=owner)

    async def server(request: web.Request) -> web.Response:
        viewer = await dashboard.viewer(request)
        cards = await dashboard.cards(viewer.guild)
        settings = await bot.store.get_guild_settings(viewer.guild.id)
        dj = settings.dj_role_id
        return dashboard.page("server.html", viewer=viewer, login=viewer.login, cards=cards,
                              playing={c.channel_id for c in cards},
                              flash=flash_of(viewer.login.session_id), is_dj=viewer.may_dj(dj))

    # -- the server's settings (Manage Server) --------------------------------------------------------------
    async def admin(request: web.Request) -> Viewer:
        viewer = await dashboard.viewer(request)
        if not viewer.manages:
            raise web.HTTPForbidden(text=text("web.admins_only", viewer.login.locale))
        return viewer

    async def settings_page(request: web.Request) -> web.Response:
        viewer = await admin(request)
        settings = await bot.store.get_guild_settings(viewer.guild.id)
        roles = [r for r in reversed(viewer.guild.roles) if not r.is_default() and not r.managed]
        return dashboard.page("settings.html", viewer=viewer, login=viewer.login, settings=settings, roles=roles,
                              default_idle=int(bot.config.idle_timeout_s), flash=flash_of(viewer.login.session_id))

    async def settings_post(request: web.Request) -> web.Response:
        viewer = await admin(request)
        form = await dashboard.checked_form(request, viewer.login)
        where = f"/servers/{viewer.guild.id}/settings"
        guild_id = viewer.guild.id
        try:
            role_text = form.get("dj_role", "")
            role = viewer.guild.get_role(int(role_text)) if role_text.isdigit() else None
            if role_text and role is None:
                raise InvalidArgument(argument="dj_role", key="web.unknown_role")
            idle_text = form.get("idle_timeout", "").strip()
            if idle_text and not idle_text.isdigit():
                raise InvalidArgument(key="web.idle_not_a_number", params={"value": idle_text[:20]})
            if idle_text:
                await bot.store.set_idle_timeout(guild_id, int(idle_text))
            await bot.store.set_always_on(guild_id, form.get("always_on") == "on")
            await bot.store.set_dj_role(guild_id, role.id if role else None)
        except KoeError as exc:
            said = plain(error_message(exc, "dashboard settings", viewer.login.locale), viewer.guild)
            raise done(viewer.login.session_id, where, said, ok=False) from None
        for route in bot.koe.routes():  # running sessions' buttons follow the new DJ role at once, as /server does
            if route.guild_id == guild_id:
                with contextlib.suppress(KoeError):
                    await route.session.connect(dj_role_id=role.id if role else 0)
        raise done(viewer.login.session_id, where, text("web.settings_saved", viewer.login.locale))

    # -- one's playlists -------------------------------------------------------------------------------------
    async def playlists(request: web.Request) -> web.Response:
        login = await dashboard.require_login(request)
        owned = await bot.store.list_playlists(login.user_id)
        return dashboard.page("playlists.html", login=login, playlists=owned, flash=flash_of(login.session_id))

    async def playlist_post(request: web.Request) -> web.Response:
        login = await dashboard.require_login(request)
        form = await dashboard.checked_form(request, login)
        try:
            name = clean_name(form.get("name", ""))
            if form.get("action") == "delete":
                playlist = await bot.store.delete_playlist(login.user_id, name)
                said = text("web.playlist_deleted", login.locale, name=playlist.name)
            elif form.get("action") == "play":
                said = await play_playlist(login.user_id, name, login.locale)
            else:
                raise InvalidArgument(argument="action", key="web.unknown_control")
        except KoeError as exc:
            said = error_message(exc, "dashboard playlists", login.locale).replace("`", "")
            raise done(login.session_id, "/playlists", said, ok=False) from None
        raise done(login.session_id, "/playlists", said)

    async def play_playlist(user_id: int, name: str, locale: str) -> str:
        """Into the voice channel the user is in (as ``/playlist play``), with their enqueue mode; where nothing
        plays yet, this starts the session as ``/play`` does."""
        voice = next((Voice(g, m, m.voice.channel) for g in bot.guilds
                      if (m := g.get_member(user_id)) is not None and m.voice and m.voice.channel), None)
        if voice is None:
            raise NotInVoice()
        playlist = await bot.store.find_playable(user_id, name)
        settings = await bot.store.get_user_settings(user_id)
        tracks = [dataclasses.replace(t, requester_id=user_id) for t in await bot.store.tracks(playlist)]
        if not tracks:
            raise InvalidArgument(argument="name", key="web.playlist_empty", params={"name": playlist.name})
        result = await open_in_channel(bot, voice, voice.channel.id, tracks, EnqueueMode(settings.enqueue_mode))
        return text("web.playlist_queued", locale, count=len(tracks), name=playlist.name, channel=voice.channel.name,
                    position=result.positions[0])

    # -- the cluster (the bot's owners) ------------------------------------------------------------------------
    async def cluster(request: web.Request) -> web.Response:
        login = await dashboard.require_login(request)
        if login.user_id not in await dashboard.owner_ids():
            raise web.HTTPForbidden(text=text("web.owners_only", login.locale))
        status = gather_status(bot, dashboard.started, time.monotonic())
        failovers = list(reversed(getattr(bot.recovery, "recent", ())))
        return dashboard.page("cluster.html", login=login, cluster=status, uptime=format_uptime(status.uptime_s),
                              failovers=failovers, names=dashboard.names(None), now=time.time())

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok" if bot.ready_event.is_set() else "starting")

    app.router.add_get("/", index)
    app.router.add_get("/healthz", health)
    app.router.add_get("/servers/{guild_id}", server)
    app.router.add_get("/servers/{guild_id}/settings", settings_page)
    app.router.add_post("/servers/{guild_id}/settings", settings_post)
    app.router.add_get("/playlists", playlists)
    app.router.add_post("/playlists", playlist_post)
    app.router.add_get("/cluster", cluster)

