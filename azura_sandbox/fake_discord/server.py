"""The fake Discord server: REST under ``/api/v{N}``, the gateway websocket at ``/gateway``, the driver.

Real discord.py accepts it once ``discord.http.Route.BASE`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` point here. This module assembles the parts (one
mixin each: ``gateway``, ``rest``, ``commands``, ``interactions``, ``driver``, ``invoking``, ``control``)
into one aiohttp app, and runs every API request through the rate limiter and the error handling.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ..web import serve_app
from .commands import CommandsApi
from .components import ComponentDriver
from .control import ControlApi
from .driver import Driver
from .gateway import GatewayApi
from .interactions import InteractionsApi
from .locales import LocaleDriver
from .oauth import OAuthApi
from .ratelimit import RateLimiter, Verdict
from .replies import RATELIMIT_HEADERS, ApiError, json_response
from .rest import RestApi
from .voice_status import VoiceStatusApi
from .world import World

__all__ = ["API_PREFIX", "Exchange", "FakeDiscord"]

log = logging.getLogger(__name__)

API_PREFIX = "/api/{version}"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Exchange:
    """One REST request and the reply the fake gave (recorded for the spec check)."""

    method: str
    path: str  # without the /api/vN prefix
    route: str  # the fake's route template, e.g. /channels/{channel_id}/messages
    status: int
    body: Any


class FakeDiscord(
    OAuthApi, GatewayApi, RestApi, CommandsApi, InteractionsApi, Driver, ComponentDriver, ControlApi, VoiceStatusApi,
    LocaleDriver,
):
    """A network-level Discord fake: one aiohttp app serving REST, gateway and the sandbox control API."""

    def __init__(self, world: World | None = None, limiter: RateLimiter | None = None) -> None:
        super().__init__(world, limiter)
        self.exchanges: list[Exchange] | None = None  # set to [] to record every REST reply
        self._runner: web.AppRunner | None = None
        self.app = self._build_app()

    # ---- lifecycle ----------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        self._runner, self._port = await serve_app(self.app, host, port)
        self._host = host
        log.info("fake Discord listening on %s", self.base_url)
        return self._port

    async def stop(self) -> None:
        await self.cancel_expiries()
        for session in list(self.sessions.values()):
            if session.ws is not None and not session.ws.closed:
                with contextlib.suppress(Exception):
                    await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---- app ----------------------------------------------------------------------------------------

    def routes(self) -> list[tuple[str, str, Handler]]:
        """Every REST route the fake implements (paths without the ``/api/vN`` prefix)."""
        return [
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/users/@me", self._get_me),
            ("GET", "/users/{user_id}", self._get_user),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/@me", self._get_application),
            ("GET", "/applications/{app_id}/commands", self._list_commands),
            ("PUT", "/applications/{app_id}/commands", self._put_commands),
            ("POST", "/applications/{app_id}/commands", self._post_command),
            ("GET", "/applications/{app_id}/commands/{cmd_id}", self._get_command),
            ("PATCH", "/applications/{app_id}/commands/{cmd_id}", self._patch_command),
            ("DELETE", "/applications/{app_id}/commands/{cmd_id}", self._delete_command),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", self._list_commands),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self._put_commands),
            ("POST", "/applications/{app_id}/guilds/{guild_id}/commands", self._post_command),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands/permissions", self._command_permissions),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands/{cmd_id}", self._get_command),
            ("PATCH", "/applications/{app_id}/guilds/{guild_id}/commands/{cmd_id}", self._patch_command),
            ("DELETE", "/applications/{app_id}/guilds/{guild_id}/commands/{cmd_id}", self._delete_command),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback),
            ("POST", "/webhooks/{app_id}/{token}", self._webhook_followup),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_get_message),
            ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_edit_message),
            ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_delete_message),
            ("GET", "/channels/{channel_id}", self._get_channel),
            ("GET", "/channels/{channel_id}/messages", self._list_messages),
            ("POST", "/channels/{channel_id}/messages", self._create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message),
            ("POST", "/channels/{channel_id}/typing", self._typing),
            ("PUT", "/channels/{channel_id}/voice-status", self._put_voice_status),
            ("GET", "/guilds/{guild_id}", self._get_guild),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self._get_guild_roles),
            ("GET", "/guilds/{guild_id}/members", self._list_members),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
            ("PATCH", "/guilds/{guild_id}/members/{user_id}", self._patch_member),
        ]

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._api_middleware], client_max_size=32 * 1024 * 1024)
        r = app.router
        r.add_get("/gateway", self._gateway)
        r.add_get("/", self._gateway_or_root)
        for method, path, handler in self.routes():
            r.add_route(method, "/api/{version:v[0-9]+}" + path, handler)
        self.add_control_routes(app)
        self.add_oauth_routes(app)  # Log in with Discord (oauth.py)
        r.add_route("*", "/{tail:.*}", self._not_found)
        return app

    @web.middleware
    async def _api_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        resource = request.match_info.route.resource
        canonical = resource.canonical if resource is not None else ""
        route = canonical.removeprefix(API_PREFIX) if canonical.startswith(API_PREFIX) else None
        headers: dict[str, str] = {}
        if route is not None:
            verdict = self._admit(request, route)
            headers = verdict.headers
            if verdict.refusal is not None:
                log.info("%s %s -> 429 (%s)", request.method, request.path, headers.get("X-RateLimit-Scope"))
                refused = json_response(verdict.refusal, status=429)
                refused.headers.update(headers)
                self._record(request, route, refused)
                return refused
            request[RATELIMIT_HEADERS] = headers
        response = await self._handle(request, handler)
        if not response.prepared:
            response.headers.update(headers)
        if route is not None:
            self._record(request, route, response)
        return response

    def _admit(self, request: web.Request, route: str) -> Verdict:
        auth = request.headers.get("Authorization", "")
        bot = self.world.bot_by_token(auth.removeprefix("Bot ")) if auth else None
        params = {k: v for k, v in request.match_info.items() if k != "version"}
        return self.limiter.admit(
            bot_id=bot.user_id if bot is not None else None,
            method=request.method,
            route=route,
            major=self.limiter.major(params),
            interaction=route.startswith(("/interactions/", "/webhooks/")),
        )

    async def _handle(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as exc:
            log.info("%s %s -> %s %s", request.method, request.path, exc.status, exc.message)
            return exc.to_response()
        except web.HTTPException as exc:
            if exc.status == 405:
                log.warning("method not allowed: %s %s", request.method, request.path)
                return json_response({"message": "405: Method Not Allowed", "code": 0}, status=405)
            raise
        except Exception:
            log.exception("internal error on %s %s", request.method, request.path)
            return json_response({"message": "500: Internal Server Error", "code": 0}, status=500)

    def _record(self, request: web.Request, route: str, response: web.StreamResponse) -> None:
        if self.exchanges is None:
            return
        body: Any = None
        raw = response.body if isinstance(response, web.Response) else None
        if isinstance(raw, bytes) and raw and response.content_type == "application/json":
            body = json.loads(raw)
        path = request.path.split("/", 3)[3] if request.path.count("/") >= 3 else request.path
        self.exchanges.append(Exchange(request.method, "/" + path, route, response.status, body))

    async def _not_found(self, request: web.Request) -> web.Response:
        log.warning("fake Discord: unknown route %s %s", request.method, request.path_qs)
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    async def _gateway_or_root(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._gateway(request)
        return json_response({"fake_discord": True, "api_base": self.api_base, "gateway": self.gateway_url})
