"""Discord's OAuth2 authorization-code flow, the client side: the authorize URL, the token exchange and the two
reads the dashboard needs (``/users/@me``, ``/users/@me/guilds``), each call under a timeout."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

__all__ = ["SCOPES", "DiscordOAuth", "OAuthError", "OAuthUser"]

log = logging.getLogger(__name__)

SCOPES = "identify guilds"
CALL_TIMEOUT_S = 10.0


class OAuthError(Exception):
    """Discord refused a step of the login (the words are for the log; users read a fixed sentence)."""


@dataclass(frozen=True, slots=True)
class OAuthUser:
    user_id: int
    name: str
    guild_ids: frozenset[int]
    locale: str = "en-US"


class DiscordOAuth:
    def __init__(self, discord_web: str, discord_api: str, client_id: int, client_secret: str, redirect_uri: str,
                 timeout_s: float = CALL_TIMEOUT_S) -> None:
        self.discord_web, self.discord_api = discord_web, discord_api
        self.client_id, self._secret, self.redirect_uri = client_id, client_secret, redirect_uri
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    def authorize_url(self, state: str) -> str:
        query = urlencode({"response_type": "code", "client_id": str(self.client_id), "scope": SCOPES,
                           "state": state, "redirect_uri": self.redirect_uri, "prompt": "none"})
        return f"{self.discord_web}/oauth2/authorize?{query}"

    async def login(self, code: str) -> OAuthUser:
        """Trade the code for a token, then read who the user is and which servers they are in."""
        async with aiohttp.ClientSession(timeout=self._timeout) as http:
            form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri,
                    "client_id": str(self.client_id), "client_secret": self._secret}  # form-encoded, as Discord's docs
            token = await self._json(http.post(f"{self.discord_api}/oauth2/token", data=form))
            access = token.get("access_token") if isinstance(token, dict) else None
            if not isinstance(access, str) or str(token.get("token_type", "")).lower() != "bearer":
                raise OAuthError(f"the token reply has no bearer token: {token!r}"[:300])
            bearer = {"Authorization": f"Bearer {access}"}
            me = await self._json(http.get(f"{self.discord_api}/users/@me", headers=bearer))
            guilds = await self._json(http.get(f"{self.discord_api}/users/@me/guilds", headers=bearer))
        try:
            name = str(me.get("global_name") or me["username"])
            locale = str(me.get("locale") or "en-US")
            return OAuthUser(int(me["id"]), name, frozenset(int(g["id"]) for g in guilds), locale)
        except (KeyError, TypeError, ValueError) as exc:
            raise OAuthError(f"unexpected reply from Discord: {exc!r}") from None

    @staticmethod
    async def _json(request: Any) -> Any:
        try:
            async with request as reply:
                if reply.status != 200:
                    raise OAuthError(f"{reply.method} {reply.url.path} answered {reply.status}: {await reply.text()}")
                return await reply.json()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise OAuthError(f"Discord could not be reached: {exc!r}") from None
