"""The fake Discord's application command routes (global and per guild), as ``tree.sync()`` uses them.

An application may only touch its own commands (else 403 Missing Access), and guild commands only in a
guild its bot is in (403 Missing Access, the error a bot sees when it was not invited there).
"""

from __future__ import annotations

import logging

from aiohttp import web

from .core import FakeDiscordCore
from .locales import check_command
from .objects import JSON, ApplicationCommand, new_snowflake
from .replies import (
    invalid_field,
    json_response,
    missing_access,
    no_content,
    read_object,
    read_objects,
    snowflake_param,
    unknown,
)

__all__ = ["CommandsApi"]

log = logging.getLogger(__name__)


class CommandsApi(FakeDiscordCore):
    """Application command handlers, mixed into ``FakeDiscord``."""

    def _command_scope(self, request: web.Request) -> tuple[int, int | None]:
        bot = self._bot(request)
        app_id = snowflake_param(request, "app_id")
        if app_id != bot.application_id:
            raise missing_access()
        guild_id = snowflake_param(request, "guild_id") if "guild_id" in request.match_info else None
        if guild_id is not None:
            self._guild(guild_id, bot)
        return app_id, guild_id

    def _scoped_commands(self, app_id: int, guild_id: int | None) -> list[ApplicationCommand]:
        return [c for c in self.world.commands.values() if c.application_id == app_id and c.guild_id == guild_id]

    def _make_command(
        self, app_id: int, guild_id: int | None, body: JSON, cmd_id: int | None = None
    ) -> ApplicationCommand:
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise invalid_field("name", "BASE_TYPE_REQUIRED", "This field is required")
        options = body.get("options") or []
        if not isinstance(options, list):
            raise invalid_field("options", "LIST_TYPE_CONVERT", "Must be an array.")
        return ApplicationCommand(
            id=cmd_id or new_snowflake(),
            application_id=app_id,
            guild_id=guild_id,
            name=name,
            description=str(body.get("description") or ""),
            type=int(body.get("type") or 1),
            options=options,
            raw=body,
        )

    async def _list_commands(self, request: web.Request) -> web.Response:
        app_id, guild_id = self._command_scope(request)
        return json_response([c.to_json() for c in self._scoped_commands(app_id, guild_id)])

    async def _command_permissions(self, request: web.Request) -> web.Response:
        """No per-command permission overrides are modelled: an empty list."""
        self._command_scope(request)
        return json_response([])

    async def _put_commands(self, request: web.Request) -> web.Response:
        app_id, guild_id = self._command_scope(request)
        bodies = await read_objects(request)
        for index, body in enumerate(bodies):
            check_command(body, str(index))
        existing = {(c.name, c.type): c for c in self._scoped_commands(app_id, guild_id)}
        new = []
        for body in bodies:
            old = existing.get((body.get("name"), int(body.get("type") or 1)))  # type: ignore[arg-type]
            new.append(self._make_command(app_id, guild_id, body, old.id if old else None))
        for c in existing.values():
            self.world.commands.pop(c.id, None)
        for c in new:
            self.world.commands[c.id] = c
        log.info("app %s synced %d commands (guild %s)", app_id, len(new), guild_id)
        return json_response([c.to_json() for c in new])

    async def _post_command(self, request: web.Request) -> web.Response:
        app_id, guild_id = self._command_scope(request)
        body = await read_object(request)
        check_command(body)
        existing = {(c.name, c.type): c for c in self._scoped_commands(app_id, guild_id)}
        old = existing.get((body.get("name"), int(body.get("type") or 1)))  # type: ignore[arg-type]
        cmd = self._make_command(app_id, guild_id, body, old.id if old else None)
        self.world.commands[cmd.id] = cmd
        return json_response(cmd.to_json(), status=200 if old else 201)

    def _scoped_command(self, request: web.Request) -> ApplicationCommand:
        app_id, guild_id = self._command_scope(request)
        cmd = self.world.commands.get(snowflake_param(request, "cmd_id"))
        if cmd is None or cmd.application_id != app_id or cmd.guild_id != guild_id:
            raise unknown("application command", 10063)
        return cmd

    async def _get_command(self, request: web.Request) -> web.Response:
        return json_response(self._scoped_command(request).to_json())

    async def _patch_command(self, request: web.Request) -> web.Response:
        cmd = self._scoped_command(request)
        body = await read_object(request)
        merged = cmd.raw | body
        merged["name"] = merged.get("name", cmd.name)
        check_command(merged)
        new = self._make_command(cmd.application_id, cmd.guild_id, merged, cmd.id)
        self.world.commands[cmd.id] = new
        return json_response(new.to_json())

    async def _delete_command(self, request: web.Request) -> web.Response:
        cmd = self._scoped_command(request)
        self.world.commands.pop(cmd.id, None)
        return no_content()
