"""Logging in and out: Discord's OAuth2 authorization code (scopes ``identify guilds``), a single-use ``state``
bound to the browser, then a signed HttpOnly SameSite=Lax session cookie (Secure on https). Logging out is a
POST with the CSRF token, so no link on another site can log anyone out."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from .logins import LOGIN_COOKIE, SESSION_COOKIE, SESSION_TTL_S, STATE_TTL_S
from .oauth import OAuthError

if TYPE_CHECKING:
    from .app import Dashboard

__all__ = ["add_routes", "safe_next"]

log = logging.getLogger(__name__)

LOGIN_FAILED = "Discord didn't let us log you in. Try again in a moment."
STALE_LOGIN = "This login link was already used or has expired. Log in again."


def safe_next(path: str | None) -> str:
    """Where to go after logging in: a path on this site only (no scheme, no host, no ``//`` or ``\\``)."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")) or any(c in path for c in "\\\r\n"):
        return "/"
    return path


def add_routes(app: web.Application, dashboard: Dashboard) -> None:
    def cookie(response: web.StreamResponse, name: str, value: str, max_age: int, path: str = "/") -> None:
        response.set_cookie(name, value, max_age=max_age, path=path, httponly=True, samesite="Lax",
                            secure=dashboard.config.secure_cookies)

    async def login(request: web.Request) -> web.StreamResponse:
        oauth = dashboard.oauth()
        if oauth is None:
            return dashboard.page("message.html", status=503, title="Logging in is not set up",
                                  message="Set AZURA_OAUTH_CLIENT_SECRET (your application's OAuth2 client secret) "
                                          f"and register {dashboard.config.redirect_uri} as a redirect in the "
                                          "Discord Developer Portal.")
        state = dashboard.states.issue(safe_next(request.query.get("next")))
        response = web.HTTPFound(oauth.authorize_url(state))
        cookie(response, LOGIN_COOKIE, state, STATE_TTL_S, path="/auth")
        raise response

    async def callback(request: web.Request) -> web.StreamResponse:
        oauth = dashboard.oauth()
        next_path = dashboard.states.redeem(request.query.get("state", ""), request.cookies.get(LOGIN_COOKIE))
        if oauth is None or next_path is None:
            return dashboard.page("message.html", status=400, title="Log in again", message=STALE_LOGIN,
                                  login_link=True)
        if "code" not in request.query:  # access_denied: the user pressed Cancel
            return dashboard.page("message.html", status=400, title="Not logged in",
                                  message="You didn't authorize Azura, so you're not logged in.", login_link=True)
        try:
            user = await oauth.login(request.query["code"])
        except OAuthError as exc:
            log.warning("dashboard login failed: %s", exc)
            return dashboard.page("message.html", status=502, title="Not logged in", message=LOGIN_FAILED,
                                  login_link=True)
        _, signed = await dashboard.logins.open(user.user_id, user.name, user.guild_ids, user.locale)
        log.info("dashboard: %s (%d) logged in", user.name, user.user_id)
        response = web.HTTPFound(next_path)
        cookie(response, SESSION_COOKIE, signed, SESSION_TTL_S)
        response.del_cookie(LOGIN_COOKIE, path="/auth")
        raise response

    async def logout(request: web.Request) -> web.StreamResponse:
        login = await dashboard.require_login(request)
        await dashboard.checked_form(request, login)
        await dashboard.logins.close(login)
        dashboard.flashes.pop(login.session_id, None)
        response = web.HTTPSeeOther("/")
        response.del_cookie(SESSION_COOKIE, path="/")
        raise response

    app.router.add_get("/login", login)
    app.router.add_get("/auth/callback", callback)
    app.router.add_post("/logout", logout)
