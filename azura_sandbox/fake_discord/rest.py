"""The fake Discord's REST routes for users, the application, channels, messages, guilds and members.

Every route authenticates the bot by its token (401 otherwise) and checks what Discord checks: a guild the
bot is not in is 403 Missing Access (50001), so is a channel it cannot view; posting without Send Messages,
embedding without Embed Links or moving members without Move Members is 403 Missing Permissions (50013).
"""

from __future__ import annotations

import logging

from aiohttp import web

from .components import check_components
from .core import FakeDiscordCore
from .objects import FLAG_EPHEMERAL, JSON, Message, new_snowflake
from .permissions import EMBED_LINKS, MANAGE_MESSAGES, MOVE_MEMBERS, SEND_MESSAGES, VIEW_CHANNEL, has
from .replies import (
    ApiError,
    bad_request,
    invalid_field,
    json_response,
    missing_permissions,
    no_content,
    read_object,
    snowflake_param,
    unknown,
)

__all__ = ["RestApi", "embeds_of"]

log = logging.getLogger(__name__)


def embeds_of(body: JSON) -> list[JSON] | None:
    """The embeds a message body sets (``embeds`` or the legacy ``embed``), ``None`` when it sets none."""
    embeds = body.get("embeds")
    if embeds is None and body.get("embed"):
        embeds = [body["embed"]]
    if embeds is not None and not isinstance(embeds, list):
        raise invalid_field("embeds", "LIST_TYPE_CONVERT", "Must be an array.")
    return embeds


class RestApi(FakeDiscordCore):
    """REST handlers, mixed into ``FakeDiscord``."""

    # ---- gateway, users, application ----------------------------------------------------------------

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        policy = self.shard_policy
        shards = bot.shards or policy.recommended_shards(self.guild_count(bot))
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": policy.max_concurrency}
        return json_response({"url": self.gateway_url, "shards": shards, "session_start_limit": limit})

    async def _get_me(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        return json_response(self.world.users[bot.user_id].to_private_json())

    async def _get_user(self, request: web.Request) -> web.Response:
        self._bot(request)
        user = self.world.users.get(snowflake_param(request, "user_id"))
        if user is None:
            raise unknown("User", 10013)
        return json_response(user.to_json())

    async def _get_application(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        user = self.world.users[bot.user_id]
        owner = self.world.users.get(next(iter(self.world.guilds.values())).owner_id) if self.world.guilds else None
        in_guilds = sum(1 for g in self.world.guilds.values() if bot.user_id in g.members)
        return json_response(
            {
                "id": str(bot.application_id),
                "name": user.username,
                "description": "",
                "icon": None,
                "type": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": (owner or user).to_json(),
                "verify_key": "00" * 32,
                "flags": 0,
                "flags_new": "0",
                "team": None,
                "bot": user.to_json(),
                "summary": "",
                "rpc_origins": [],
                "tags": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "approximate_guild_count": in_guilds,
                "approximate_user_install_count": 0,
                "approximate_user_authorization_count": 0,
                "explicit_content_filter": 0,
                "eligible_oauth2_scopes": ["bot", "applications.commands"],
            }
        )

    # ---- channels and messages ----------------------------------------------------------------------

    async def _get_channel(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        return json_response(self._channel(snowflake_param(request, "channel_id"), bot).to_json())

    async def _list_messages(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        ch = self._channel(snowflake_param(request, "channel_id"), bot)
        try:
            limit = max(1, min(100, int(request.query.get("limit", "50"))))
            before = int(request.query["before"]) if "before" in request.query else None
            after = int(request.query["after"]) if "after" in request.query else None
        except ValueError:
            raise bad_request("Invalid Form Body") from None
        msgs = sorted(self.world.channel_messages(ch.id), key=lambda m: m.id, reverse=True)
        if before is not None:
            msgs = [m for m in msgs if m.id < before]
        if after is not None:
            msgs = [m for m in msgs if m.id > after]
            msgs = sorted(msgs, key=lambda m: m.id)[:limit]
            msgs.reverse()
        return json_response([self.world.message_json(m) for m in msgs[:limit]])

    async def _create_message(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        ch = self._channel(snowflake_param(request, "channel_id"), bot, VIEW_CHANNEL | SEND_MESSAGES)
        body = await read_object(request)
        embeds = embeds_of(body)
        content = body.get("content")
        components = body.get("components")
        if not content and not embeds and not components and not body.get("sticker_ids"):
            raise ApiError(400, "Cannot send an empty message", 50006)
        if not isinstance(components or [], list):
            raise invalid_field("components", "LIST_TYPE_CONVERT", "Must be an array.")
        check_components(body)
        if embeds and not has(self.world.channel_permissions(ch, bot.user_id), EMBED_LINKS):
            raise missing_permissions()
        msg = Message(
            id=new_snowflake(),
            channel_id=ch.id,
            guild_id=ch.guild_id,
            author_id=bot.user_id,
            content=str(content or ""),
            embeds=list(embeds or []),
            components=list(components or []),
            flags=int(body.get("flags") or 0) & ~FLAG_EPHEMERAL,
            application_id=bot.application_id,
            type=19 if body.get("message_reference") else 0,
        )
        self.world.messages[msg.id] = msg
        await self.publish_message(msg)
        return json_response(self.world.message_json(msg))

    async def _get_message(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        ch = self._channel(snowflake_param(request, "channel_id"), bot)
        msg = self._message(snowflake_param(request, "message_id"), ch.id)
        return json_response(self.world.message_json(msg))

    async def _edit_message(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        ch = self._channel(snowflake_param(request, "channel_id"), bot)
        msg = self._message(snowflake_param(request, "message_id"), ch.id)
        body = await read_object(request)
        if msg.author_id != bot.user_id:
            raise ApiError(403, "Cannot edit a message authored by another user", 50005)
        check_components(body)
        if embeds_of(body) and not has(self.world.channel_permissions(ch, bot.user_id), EMBED_LINKS):
            raise missing_permissions()
        msg.apply_edit(body)
        await self.publish_message(msg, "MESSAGE_UPDATE")
        return json_response(self.world.message_json(msg))

    async def _delete_message(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        ch = self._channel(snowflake_param(request, "channel_id"), bot)
        msg = self._message(snowflake_param(request, "message_id"), ch.id)
        if msg.author_id != bot.user_id and not has(self.world.channel_permissions(ch, bot.user_id), MANAGE_MESSAGES):
            raise missing_permissions()  # someone else's message needs Manage Messages
        await self.remove_message(msg)
        return no_content()

    async def _typing(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        self._channel(snowflake_param(request, "channel_id"), bot, VIEW_CHANNEL | SEND_MESSAGES)
        return no_content()

    # ---- guilds and members -------------------------------------------------------------------------

    async def _get_guild(self, request: web.Request) -> web.Response:
        guild = self._guild(snowflake_param(request, "guild_id"), self._bot(request))
        return json_response(self.world.guild_json(guild, full=False))

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        guild = self._guild(snowflake_param(request, "guild_id"), bot)
        channels = guild.channels.values()
        visible = [c for c in channels if has(self.world.channel_permissions(c, bot.user_id), VIEW_CHANNEL)]
        return json_response([c.to_json() for c in visible])

    async def _get_guild_roles(self, request: web.Request) -> web.Response:
        guild = self._guild(snowflake_param(request, "guild_id"), self._bot(request))
        return json_response([r.to_json() for r in guild.roles.values()])

    async def _list_members(self, request: web.Request) -> web.Response:
        guild = self._guild(snowflake_param(request, "guild_id"), self._bot(request))
        return json_response([m for uid in guild.members if (m := self.world.member_json(guild, uid))])

    async def _get_member(self, request: web.Request) -> web.Response:
        guild = self._guild(snowflake_param(request, "guild_id"), self._bot(request))
        member = self.world.member_json(guild, snowflake_param(request, "user_id"))
        if member is None:
            raise unknown("Member", 10007)
        return json_response(member)

    async def _patch_member(self, request: web.Request) -> web.Response:
        """Only voice moves/disconnects (``channel_id``) are modelled; they need Move Members."""
        bot = self._bot(request)
        guild = self._guild(snowflake_param(request, "guild_id"), bot)
        user_id = snowflake_param(request, "user_id")
        body = await read_object(request)
        if guild.members.get(user_id) is None:
            raise unknown("Member", 10007)
        if "channel_id" in body:
            if not has(self.world.permissions(guild, bot.user_id), MOVE_MEMBERS):
                raise missing_permissions()
            vs = guild.voice_states.get(user_id)
            if vs is None:
                raise ApiError(400, "Target user is not connected to voice.", 40032)
            target = int(body["channel_id"]) if body["channel_id"] else None
            if target is not None and (target not in guild.channels or not guild.channels[target].is_voice):
                raise unknown("Channel", 10003)
            await self.set_voice_state(guild.id, user_id, target, self_mute=vs.self_mute, self_deaf=vs.self_deaf)
        return json_response(self.world.member_json(guild, user_id))
