"""The fake Discord's interaction routes: the callback (``/interactions/{id}/{token}/callback``) and the
interaction webhook (followups, ``@original`` and followup edits and deletes).

These are authenticated by the interaction token in the path, not by the bot token, and are not bound by
channel permissions: a bot that may not post in a channel can still answer a slash command there.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web

from .components import check_components
from .core import FakeDiscordCore
from .objects import FLAG_LOADING, INTERACTION_COMMAND, JSON, InteractionRecord, Message, new_snowflake
from .replies import (
    RATELIMIT_HEADERS,
    ApiError,
    invalid_field,
    json_response,
    no_content,
    read_object,
    snowflake_param,
    unknown,
)
from .rest import embeds_of

__all__ = ["InteractionsApi"]

log = logging.getLogger(__name__)

CALLBACK_TYPES = (1, 4, 5, 6, 7, 8, 9)
RESOURCE_TYPES = (4, 7)  # the spec's callback resources that carry a message (12, an activity, is not modelled)
MESSAGE_CHAT_INPUT_COMMAND = 20
MESSAGE_REPLY = 19


class InteractionsApi(FakeDiscordCore):
    """Interaction callback and webhook handlers, mixed into ``FakeDiscord``."""

    def _message_from_body(self, rec: InteractionRecord, body: JSON, type_: int) -> Message:
        bot = self.world.bot_by_application(rec.application_id)
        return Message(
            id=new_snowflake(),
            channel_id=rec.channel_id,
            guild_id=rec.guild_id,
            author_id=bot.user_id if bot is not None else rec.application_id,
            content=str(body.get("content") or ""),
            embeds=list(embeds_of(body) or []),
            components=list(body.get("components") or []),
            flags=int(body.get("flags") or 0),
            type=type_,
            application_id=rec.application_id,
            webhook_id=rec.application_id,
            interaction_id=rec.id,
        )

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        iid = snowflake_param(request, "interaction_id")
        rec = self.world.interactions.get(iid)
        if rec is None or rec.token != request.match_info["token"]:
            raise unknown("interaction", 10062)
        if rec.answered_at is None:
            rec.answered_at = arrived
        body = await read_object(request)
        try:
            rtype = int(body["type"])
        except (KeyError, TypeError, ValueError):
            raise invalid_field("type", "BASE_TYPE_REQUIRED", "This field is required") from None
        data = body.get("data") or {}
        if not isinstance(data, dict):
            raise invalid_field("data", "DICT_TYPE_CONVERT", "Only dictionaries may be used.")
        if rec.response_type is not None:
            raise ApiError(400, "Interaction has already been acknowledged.", 40060)
        if rtype not in CALLBACK_TYPES:
            raise invalid_field("type", "BASE_TYPE_CHOICES", f"Value must be one of {CALLBACK_TYPES}.")
        check_components(data)
        msg = await self._apply_callback(rec, rtype, data)
        rec.response_type = rtype
        log.debug("interaction %s answered with type %s", rec.id, rtype)
        if request.query.get("with_response", "").lower() not in ("1", "true"):
            return await self._ack(request, rec, no_content())
        interaction: JSON = {
            "id": str(rec.id),
            "type": rec.type,
            "response_message_loading": rtype == 5,
            "response_message_ephemeral": rec.ephemeral,
            "channel_id": str(rec.channel_id),
            "guild_id": str(rec.guild_id),
        }
        if rec.response_message_id is not None:
            interaction["response_message_id"] = str(rec.response_message_id)
        reply: JSON = {"interaction": interaction}
        if rtype in RESOURCE_TYPES and msg is not None:
            reply["resource"] = {"type": rtype, "message": self.world.message_json(msg)}
        return await self._ack(request, rec, json_response(reply))

    async def _apply_callback(self, rec: InteractionRecord, rtype: int, data: JSON) -> Message | None:
        """Make the callback happen in the world; the message it created or edited, if any."""
        msg_type = MESSAGE_CHAT_INPUT_COMMAND if rec.type == INTERACTION_COMMAND else MESSAGE_REPLY
        if rtype in (4, 5):
            body = data if rtype == 4 else {"flags": int(data.get("flags") or 0) | FLAG_LOADING}
            msg = self._message_from_body(rec, body, msg_type)
            self.world.messages[msg.id] = msg
            rec.deferred = rtype == 5
            rec.ephemeral = msg.ephemeral
            rec.response_message_id = msg.id
            await self.publish_message(msg)
            return msg
        if rtype in (6, 7):
            if rec.source_message_id is None:
                raise ApiError(400, "Interaction response type is not valid for this interaction", 50035, {})
            source = self.world.messages.get(rec.source_message_id)
            rec.response_message_id = rec.source_message_id
            rec.deferred = rtype == 6
            if source is not None:
                rec.ephemeral = source.ephemeral
                if rtype == 7:
                    source.apply_edit(data)
                    rec.original_edited = True
                    await self.publish_message(source, "MESSAGE_UPDATE")
            return source
        if rtype == 8:
            rec.autocomplete_choices = list(data.get("choices") or [])
        elif rtype == 9:
            rec.modal = data
        return None

    async def _ack(self, request: web.Request, rec: InteractionRecord, response: web.Response) -> web.Response:
        """Write the callback reply, then tell driver waiters (the bot has its answer before the user acts)."""
        response.headers.update(request.get(RATELIMIT_HEADERS, {}))
        await response.prepare(request)
        await response.write_eof()
        rec.acked = True
        self.notify(rec.id)
        return response

    def _webhook_interaction(self, request: web.Request) -> InteractionRecord:
        app_id = snowflake_param(request, "app_id")
        rec = self.world.interaction_by_token(request.match_info["token"])
        if rec is None or rec.application_id != app_id:
            raise unknown("Webhook", 10015)
        return rec

    def _webhook_message(self, request: web.Request, rec: InteractionRecord) -> Message:
        raw = request.match_info["message_id"]
        if raw == "@original":
            if rec.response_message_id is None:
                raise unknown("Message", 10008)
            return self._message(rec.response_message_id)
        mid = snowflake_param(request, "message_id")
        if mid != rec.response_message_id and mid not in rec.followup_ids:
            raise unknown("Message", 10008)
        return self._message(mid)

    async def _webhook_followup(self, request: web.Request) -> web.Response:
        rec = self._webhook_interaction(request)
        body = await read_object(request)
        check_components(body)
        if rec.response_type is None:
            raise unknown("Webhook", 10015)
        original_alive = rec.response_message_id is not None and rec.response_message_id in self.world.messages
        if rec.response_type == 5 and not rec.original_edited and original_alive:
            # Discord: the first followup after a "thinking" defer replaces the loading message.
            msg = self._message(rec.response_message_id)  # type: ignore[arg-type]
            msg.apply_edit(body)
            rec.original_edited = True
            await self.publish_message(msg, "MESSAGE_UPDATE")
        else:
            msg = self._message_from_body(rec, body, 0)
            self.world.messages[msg.id] = msg
            rec.followup_ids.append(msg.id)
            await self.publish_message(msg)
        self.notify(rec.id)
        if request.query.get("wait", "").lower() not in ("1", "true"):
            return no_content()
        return json_response(self.world.message_json(msg))

    async def _webhook_get_message(self, request: web.Request) -> web.Response:
        rec = self._webhook_interaction(request)
        return json_response(self.world.message_json(self._webhook_message(request, rec)))

    async def _webhook_edit_message(self, request: web.Request) -> web.Response:
        rec = self._webhook_interaction(request)
        msg = self._webhook_message(request, rec)
        body = await read_object(request)
        check_components(body)
        msg.apply_edit(body)
        if msg.id == rec.response_message_id:
            rec.original_edited = True
        await self.publish_message(msg, "MESSAGE_UPDATE")
        self.notify(rec.id)
        return json_response(self.world.message_json(msg))

    async def _webhook_delete_message(self, request: web.Request) -> web.Response:
        rec = self._webhook_interaction(request)
        msg = self._webhook_message(request, rec)
        await self.remove_message(msg)
        self.notify(rec.id)
        return no_content()
