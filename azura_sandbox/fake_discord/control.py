"""The fake Discord's HTTP control API under ``/_sandbox/``: the driver, for another process.

``POST /_sandbox/call/{method}`` with keyword arguments as a JSON object calls one whitelisted driver method
and answers ``{"result": …}``; ``GET /_sandbox/state`` shows the world. See ``client.py`` for the client.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .core import FakeDiscordCore, SandboxError
from .objects import ApplicationCommand, Guild

__all__ = ["ControlApi"]


class ControlApi(FakeDiscordCore):
    """The ``/_sandbox/`` routes, mixed into ``FakeDiscord``."""

    def add_control_routes(self, app: web.Application) -> None:
        app.router.add_post("/_sandbox/call/{method}", self._control_call)
        app.router.add_get("/_sandbox/state", self._control_state)

    _CONTROL_METHODS = frozenset(
        {
            "create_guild",
            "create_text_channel",
            "create_voice_channel",
            "create_user",
            "add_member",
            "create_role",
            "give_role",
            "take_role",
            "delete_channel",
            "user_join_voice",
            "user_leave_voice",
            "kick_from_voice",
            "voice_state",
            "voice_members",
            "messages",
            "message",
            "bot_user_ids",
            "connected_bots",
            "commands",
            "invoke",
            "autocomplete",
            "click",
            "interaction_result",
            "interaction_timing",
            "create_bot",
            "reset_bot_token",
            "remove_bot_from_guild",
            "add_bot_to_guild",
            "set_bot_permissions",
            "deny_in_channel",
            "allow_in_channel",
            "channel_permissions",
            "throttle_message_edits",
            "unthrottle_message_edits",
            "set_global_rate_limit",
            "move_voice",
            "move_voice_server",
            "voice_server",
            "drop_gateway",
            "set_session_timeout",
            "set_recommended_shards",
            "set_shard_limits",
            "connected_shards",
            "voice_status",
            "voice_status_count",
            "set_user_locale",
            "set_guild_locale",
        }
    )

    async def _control_call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method not in self._CONTROL_METHODS:
            return _control_json({"error": f"unknown sandbox method {method!r}"}, 404)
        try:
            kwargs = await request.json() if request.can_read_body else {}
        except ValueError:
            return _control_json({"error": "malformed JSON body"}, 400)
        if not isinstance(kwargs, dict):
            return _control_json({"error": "body must be a JSON object of keyword arguments"}, 400)
        func: Callable[..., Any] = getattr(self, method)
        try:
            result = func(**kwargs)
            if isinstance(result, Awaitable):
                result = await result
        except (SandboxError, TypeError, ValueError) as exc:
            return _control_json({"error": str(exc), "kind": type(exc).__name__}, 400)
        except TimeoutError as exc:
            return _control_json({"error": str(exc), "kind": "TimeoutError"}, 408)
        return _control_json({"result": _to_jsonable(result)})

    async def _control_state(self, request: web.Request) -> web.Response:
        return _control_json(
            {
                "guilds": [
                    {
                        "id": g.id,
                        "name": g.name,
                        "channels": [dataclasses.asdict(c) for c in g.channels.values()],
                        "members": list(g.members),
                        "voice_states": [dataclasses.asdict(v) for v in g.voice_states.values()],
                    }
                    for g in self.world.guilds.values()
                ],
                "bots": {b.name: b.user_id for b in self.world.bots.values()},
                "connected_bots": sorted({s.bot.user_id for s in self.live_sessions()}),
                "commands": [c.to_json() for c in self.world.commands.values()],
            }
        )


def _to_jsonable(value: Any) -> Any:
    if isinstance(value, Guild):
        return {"id": value.id, "name": value.name, "owner_id": value.owner_id}
    if isinstance(value, ApplicationCommand):
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list | tuple):
        return [_to_jsonable(v) for v in value]
    return value


def _control_json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})
