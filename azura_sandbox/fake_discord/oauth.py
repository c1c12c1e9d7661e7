"""Discord's OAuth2 authorization-code flow, faked: what a dashboard's "Log in with Discord" talks to.

- ``GET /oauth2/authorize`` (browser-facing, as on discord.com): the consent page. The sandbox has no
  passwords, so the page lets whoever sits at the browser pick which of the world's people logs in; Authorize
  redirects to ``redirect_uri`` with ``code`` and ``state``, Cancel with ``error=access_denied``.
- ``POST /api/v10/oauth2/token`` (form-encoded, client credentials by HTTP Basic or in the form): a code,
  once, for a bearer token, as RFC 6749 and Discord's docs describe (``invalid_grant``/``invalid_client``).
- ``GET /users/@me`` and ``GET /users/@me/guilds`` with ``Authorization: Bearer``: the user, and the servers
  they are in (``MyGuildResponse`` of the OpenAPI spec); ``/users/@me/guilds`` answers a bot token too.

Every application of the world shares one client secret, ``oauth_client_secret`` (a test hands it to the app).
"""

from __future__ import annotations

import base64
import html
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web

from .objects import JSON, Guild
from .replies import json_response, unauthorized
from .rest import RestApi

__all__ = ["OAuthApi"]

CODE_TTL_S = 600
TOKEN_TTL_S = 604_800  # what Discord gives: a week
KNOWN_SCOPES = frozenset({"identify", "guilds", "email", "guilds.members.read"})


@dataclass(frozen=True, slots=True)
class Grant:
    user_id: int
    client_id: int
    redirect_uri: str
    scopes: frozenset[str]
    expires: float


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    return json_response({"error": error, "error_description": description}, status=status)


class OAuthApi(RestApi):
    oauth_client_secret: str = "sandbox-oauth-client-secret"

    def _oauth_state(self) -> tuple[dict[str, Grant], dict[str, Grant]]:
        if not hasattr(self, "_oauth_codes"):
            self._oauth_codes: dict[str, Grant] = {}
            self._oauth_tokens: dict[str, Grant] = {}
        return self._oauth_codes, self._oauth_tokens

    def add_oauth_routes(self, app: web.Application) -> None:
        app.router.add_get("/oauth2/authorize", self._authorize_page)
        app.router.add_post("/oauth2/authorize", self._authorize)
        app.router.add_post("/api/{version:v[0-9]+}/oauth2/token", self._token)
        app.router.add_post("/api/oauth2/token", self._token)  # Discord's docs give it without a version too
        app.router.add_get("/api/{version:v[0-9]+}/users/@me/guilds", self._my_guilds)

    # ---- the browser's side -------------------------------------------------------------------------
    def _check_request(self, params: dict[str, str]) -> str | None:
        """What is wrong with an authorize request, or None."""
        if params.get("response_type") != "code":
            return "response_type must be code"
        client = params.get("client_id", "")
        if not client.isdigit() or self.world.bot_by_application(int(client)) is None:
            return "unknown client_id"
        if not params.get("redirect_uri", "").startswith(("http://", "https://")):
            return "redirect_uri must be an http(s) URL"
        scopes = set(params.get("scope", "").split())
        if not scopes or not scopes <= KNOWN_SCOPES:
            return f"invalid scope {params.get('scope', '')!r}"
        return None

    async def _authorize_page(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        problem = self._check_request(params)
        if problem is not None:
            return web.Response(status=400, text=f"Invalid OAuth2 request: {problem}")
        app = self.world.bot_by_application(int(params["client_id"]))
        assert app is not None
        hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in params.items())
        people = "".join(f'<option value="{u.id}">{html.escape(u.username)}</option>'
                         for u in self.world.users.values() if not u.bot)
        name = html.escape(self.world.users[app.user_id].username)
        page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize {name}</title></head>'
                f'<body><main><h1>{name} wants to access your account</h1>'
                f'<p>Scopes: {html.escape(params["scope"])}</p>'
                f'<form method="post" action="/oauth2/authorize">{hidden}'
                f'<label for="user">Log in as</label> <select id="user" name="user_id">{people}</select> '
                f'<button type="submit" name="decision" value="authorize">Authorize</button> '
                f'<button type="submit" name="decision" value="cancel">Cancel</button></form></main></body></html>')
        return web.Response(text=page, content_type="text/html")

    async def _authorize(self, request: web.Request) -> web.StreamResponse:
        form = {k: str(v) for k, v in (await request.post()).items()}
        problem = self._check_request(form)
        if problem is not None:
            return web.Response(status=400, text=f"Invalid OAuth2 request: {problem}")
        target = form["redirect_uri"]
        joiner = "&" if "?" in target else "?"
        if form.get("decision") != "authorize":
            raise web.HTTPFound(target + joiner + urlencode({"error": "access_denied", "state": form.get("state", "")}))
        user_id = int(form.get("user_id", "0") or 0)
        if user_id not in self.world.users:
            return web.Response(status=400, text="unknown user")
        code = secrets.token_urlsafe(20)
        codes, _ = self._oauth_state()
        codes[code] = Grant(user_id, int(form["client_id"]), target, frozenset(form["scope"].split()),
                            time.monotonic() + CODE_TTL_S)
        query = {"code": code} | ({"state": form["state"]} if form.get("state") else {})
        raise web.HTTPFound(target + joiner + urlencode(query))

    # ---- the application's side ---------------------------------------------------------------------
    def _client(self, request: web.Request, form: dict[str, str]) -> tuple[str, str]:
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return "", ""
            return client_id, secret
        return form.get("client_id", ""), form.get("client_secret", "")

    async def _token(self, request: web.Request) -> web.Response:
        if request.content_type != "application/x-www-form-urlencoded":
            return _oauth_error(400, "invalid_request", "the body must be application/x-www-form-urlencoded")
        form = {k: str(v) for k, v in (await request.post()).items()}
        client_id, secret = self._client(request, form)
        known = client_id.isdigit() and self.world.bot_by_application(int(client_id)) is not None
        if not known or not secrets.compare_digest(secret, self.oauth_client_secret):
            return _oauth_error(401, "invalid_client", "unknown client or wrong secret")
        if form.get("grant_type") != "authorization_code":
            return _oauth_error(400, "unsupported_grant_type", "only authorization_code is modelled")
        codes, tokens = self._oauth_state()
        grant = codes.pop(form.get("code", ""), None)  # a code works once
        if (grant is None or grant.expires < time.monotonic() or grant.client_id != int(client_id)
                or grant.redirect_uri != form.get("redirect_uri")):
            return _oauth_error(400, "invalid_grant", 'Invalid "code" in request.')
        access = secrets.token_urlsafe(24)
        tokens[access] = Grant(grant.user_id, grant.client_id, grant.redirect_uri, grant.scopes,
                               time.monotonic() + TOKEN_TTL_S)
        return json_response({"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_TTL_S,
                              "refresh_token": secrets.token_urlsafe(24), "scope": " ".join(sorted(grant.scopes))})

    def bearer_grant(self, request: web.Request, scope: str) -> Grant | None:
        """The grant of a ``Bearer`` request; None when it is not one; 401 for a bad token or a missing scope."""
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return None
        _, tokens = self._oauth_state()
        grant = tokens.get(auth.removeprefix("Bearer "))
        if grant is None or grant.expires < time.monotonic() or scope not in grant.scopes:
            raise unauthorized()
        return grant

    async def _get_me(self, request: web.Request) -> web.Response:
        grant = self.bearer_grant(request, "identify")
        if grant is None:
            return await super()._get_me(request)  # the bot's own
        user = self.world.users[grant.user_id]
        if "email" in grant.scopes:  # only that scope shows the address (the sandbox's people have none)
            return json_response(user.to_private_json())
        return json_response(user.to_json() | {"mfa_enabled": False, "locale": user.locale})  # the client's language

    async def _my_guilds(self, request: web.Request) -> web.Response:
        grant = self.bearer_grant(request, "guilds")
        user_id = grant.user_id if grant is not None else self._bot(request).user_id
        return json_response([self._my_guild(g, user_id) for g in self.world.guilds.values() if user_id in g.members])

    def _my_guild(self, guild: Guild, user_id: int) -> JSON:
        permissions = self.world.permissions(guild, user_id)
        return {"id": str(guild.id), "name": guild.name, "icon": None, "banner": None,
                "owner": guild.owner_id == user_id, "permissions": str(permissions), "features": [],
                "approximate_member_count": None, "approximate_presence_count": None}
