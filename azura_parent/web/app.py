"""The dashboard inside the parent process: an aiohttp app beside the bot, seeing Koe, the Links' records and
the database directly. ``Dashboard`` owns the server, the logins and the live feed; the pages are in
``pages.py`` and ``live.py``, logging in and out in ``auth.py``.

Who may see what is decided here, for every page: a logged-in user (else: to the login page), in a server Discord
listed for them at login that the parent is in and where the parent's cache has them as a member (else: 404, the
same answer as for a server that does not exist). Every POST carries the session's CSRF token (else: 403).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
import jinja2
from aiohttp import web

from azura_common.i18n import language_of, text
from azura_common.koe.effects import EFFECT_PRESETS, EQUALIZER_PRESETS
from azura_common.koe.errors import KoeError

from ..commands.voice import Voice
from .cards import Card, read_card
from .config import WebConfig
from .feed import SessionFeed
from .logins import SESSION_COOKIE, Login, LoginBook, Signer, StateBook
from .oauth import DiscordOAuth

if TYPE_CHECKING:
    from ..bot import ParentBot

__all__ = ["Dashboard", "Viewer"]

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; "
                               "form-action 'self' {discord}",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
ERROR_TITLES = {403: "web.not_allowed_title", 404: "web.not_found_title", 405: "web.not_allowed_title"}


@dataclass(frozen=True, slots=True)
class Viewer:
    """A logged-in user looking at one of their servers."""

    login: Login
    guild: discord.Guild
    member: discord.Member

    @property
    def voice_channel_id(self) -> int | None:
        channel = self.member.voice.channel if self.member.voice else None
        return channel.id if channel is not None else None

    @property
    def manages(self) -> bool:
        return self.member.guild_permissions.manage_guild

    def may_dj(self, dj_role_id: int | None) -> bool:
        """The DJ rule (``rules.permissions.may_dj``) in the member's voice channel; outside one, as if alone."""
        channel = self.member.voice.channel if self.member.voice else None
        if channel is None:
            return self.manages or not dj_role_id
        return Voice(self.guild, self.member, channel).may_dj(dj_role_id)


class Dashboard:
    def __init__(self, bot: ParentBot, config: WebConfig) -> None:
        self.bot, self.config = bot, config
        self.states = StateBook()
        self.feed = SessionFeed(self._read_card_of, self._guild_of)
        self.flashes: dict[str, tuple[str, bool]] = {}  # session id → the sentence of its last no-JS form post
        self.started = time.monotonic()
        self.closing = asyncio.Event()
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                            autoescape=True, trim_blocks=True, lstrip_blocks=True)
        self._owner_ids: frozenset[int] | None = None
        self._runner: web.AppRunner | None = None
        self.app = self._build()

    @functools.cached_property
    def logins(self) -> LoginBook:
        """The logins, in the bot's database (open once the bot's ``setup_hook`` has run)."""
        return LoginBook(Signer(self.config.cookie_secret), self.bot.store)

    # -- lifecycle --------------------------------------------------------------------------------------
    def _build(self) -> web.Application:
        from . import auth, live, pages

        app = web.Application(middlewares=[self._headers])
        app.router.add_static("/static", HERE / "static", append_version=True)
        auth.add_routes(app, self)
        pages.add_routes(app, self)
        live.add_routes(app, self)
        return app

    async def start(self) -> None:
        if pruned := await self.logins.prune():
            log.info("dashboard: %d expired logins forgotten", pruned)
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        log.info("dashboard on %s (listening on %s:%d)", self.config.base_url, self.config.host, self.config.port)

    async def close(self) -> None:
        self.closing.set()  # live streams end
        await self.feed.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _headers(self, request: web.Request, handler: Any) -> web.StreamResponse:
        response: web.StreamResponse
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            if exc.status not in ERROR_TITLES:
                raise
            login = await self.login_of(request)
            response = self.page("message.html", status=exc.status, login=login,
                                 title=text(ERROR_TITLES[exc.status], login.locale if login else None),
                                 message=(exc.text or "").removeprefix(f"{exc.status}: "))
        if not response.prepared:
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value.format(discord=self.config.discord_web))
        return response

    # -- who is asking ----------------------------------------------------------------------------------
    async def login_of(self, request: web.Request) -> Login | None:
        return await self.logins.find(request.cookies.get(SESSION_COOKIE))

    async def require_login(self, request: web.Request) -> Login:
        login = await self.login_of(request)
        if login is None:
            raise web.HTTPFound("/login?" + _query({"next": request.path_qs}))
        return login

    async def viewer(self, request: web.Request) -> Viewer:
        """The logged-in member of the server in the path, or 404 (not theirs, not Azura's, no such server)."""
        login = await self.require_login(request)
        guild_text = request.match_info.get("guild_id", "")
        guild = self.bot.get_guild(int(guild_text)) if guild_text.isdigit() and len(guild_text) < 21 else None
        member = guild.get_member(login.user_id) if guild is not None else None
        if guild is None or member is None or guild.id not in login.guild_ids:
            raise web.HTTPNotFound(text=text("web.no_such_server", login.locale))
        return Viewer(login, guild, member)

    async def checked_form(self, request: web.Request, login: Login) -> dict[str, str]:
        """The POSTed form, after its CSRF token: a forged or missing one is refused (403)."""
        form = {key: str(value) for key, value in (await request.post()).items()}
        if not login.csrf_ok(form.get("csrf", "")):
            raise web.HTTPForbidden(text=text("web.form_expired", login.locale))
        return form

    async def owner_ids(self) -> frozenset[int]:
        """The bot's owners: the application's owner (or its team) and AZURA_OWNER_IDS."""
        if self._owner_ids is None:
            found = set(self.config.owner_ids)
            try:
                info = await asyncio.wait_for(self.bot.application_info(), 10)
                found.add(info.owner.id)
                if info.team is not None:
                    found.update(m.id for m in info.team.members)
            except (discord.HTTPException, TimeoutError) as exc:
                log.warning("no application info for the owner check (%s): only AZURA_OWNER_IDS", exc)
                return frozenset(found)
            self._owner_ids = frozenset(found)
        return self._owner_ids

    def oauth(self) -> DiscordOAuth | None:
        client_id = self.config.client_id or self.bot.application_id
        if not self.config.client_secret or not client_id:
            return None
        return DiscordOAuth(self.config.discord_web, self.config.discord_api, client_id, self.config.client_secret,
                            self.config.redirect_uri)

    # -- what the pages show ------------------------------------------------------------------------------
    def names(self, guild: discord.Guild | None) -> Any:
        def name(user_id: int) -> str:
            member = guild.get_member(user_id) if guild is not None else None
            if member is not None:
                return member.display_name
            user = self.bot.get_user(user_id)
            return user.display_name if user is not None else f"user {user_id}"
        return name

    def _guild_of(self, channel_id: int) -> int | None:
        session = self.bot.koe.get(channel_id)
        return session.guild_id if session is not None else None

    async def _read_card_of(self, channel_id: int) -> Card | None:
        session = self.bot.koe.get(channel_id)
        if session is None:
            return None
        guild = self.bot.get_guild(session.guild_id)
        channel = guild.get_channel(channel_id) if guild is not None else None
        return await read_card(session, channel.name if channel is not None else str(channel_id), self.names(guild))

    async def cards(self, guild: discord.Guild) -> list[Card]:
        """Every session of the server now, one card each (read side by side)."""
        channels = sorted(r.channel_id for r in self.bot.koe.routes() if r.guild_id == guild.id)
        found = await asyncio.gather(*(self._read_card_of(c) for c in channels), return_exceptions=True)
        cards = []
        for channel_id, card in zip(channels, found, strict=True):
            if isinstance(card, KoeError):
                log.info("card of %s not read: %s", channel_id, card)
            elif isinstance(card, BaseException):
                raise card
            elif card is not None:
                cards.append(card)
        return cards

    def render(self, template: str, **context: Any) -> str:
        """``template`` in the viewer's language: its ``t(key, **params)`` reads the catalogue."""
        login = context.get("login")
        if isinstance(login, Login) and "owner" not in context:  # the cluster link, once the owners are known
            context["owner"] = login.user_id in (self._owner_ids or self.config.owner_ids)
        locale = login.locale if isinstance(login, Login) else None

        def t(key: str, **params: object) -> str:
            return text(key, locale, **params)

        return self.templates.get_template(template).render(
            **context, t=t, lang=language_of(locale), server_now_ms=int(time.time() * 1000),
            effect_presets=("off", *EFFECT_PRESETS), equalizer_presets=EQUALIZER_PRESETS)

    def page(self, template: str, status: int = 200, **context: Any) -> web.Response:
        return web.Response(text=self.render(template, **context), status=status, content_type="text/html")


def _query(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)
