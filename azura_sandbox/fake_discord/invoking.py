"""Slash commands, autocomplete and clicks as a user makes them, and what that user then sees.

Mixed into :class:`~azura_sandbox.fake_discord.server.FakeDiscord`. ``invoke``/``click`` return as soon as
the interaction's record is complete: the bot answered and, for a deferred answer, edited or followed up
(and the followups asked for arrived). Before a click reaches the bot, the driver makes sure the bot has
handled the reply that last changed the clicked message (a heartbeat round trip, see
``GatewaySession.caught_up``), so a human-impossible fast click cannot overtake the View it stored.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .core import FakeDiscordCore, Ref, SandboxError, rid
from .objects import (
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMMAND,
    INTERACTION_COMPONENT,
    JSON,
    ApplicationCommand,
    Channel,
    Guild,
    InteractionRecord,
    Message,
    User,
    new_snowflake,
)

__all__ = ["InteractionDriver", "InteractionResult", "SentMessage"]


@dataclass
class SentMessage:
    """A message as the user sees it."""

    message_id: int
    content: str
    embeds: list[JSON]
    components: list[JSON]
    ephemeral: bool

    @classmethod
    def of(cls, msg: Message) -> SentMessage:
        return cls(msg.id, msg.content, list(msg.embeds), list(msg.components), msg.ephemeral)


@dataclass
class InteractionResult:
    """What the invoking user sees after a slash command, click or autocomplete."""

    interaction_id: int
    response_type: int | None = None
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    ephemeral: bool = False
    deferred: bool = False
    message_id: int | None = None
    followups: list[SentMessage] = field(default_factory=list)
    choices: list[JSON] | None = None
    modal: JSON | None = None

    @property
    def text(self) -> str:
        """What the user reads last: the latest followup, else the response itself."""
        return self.followups[-1].content if self.followups else self.content

    @property
    def private(self) -> bool:
        """Whether that last message is ephemeral (only the invoking user sees it)."""
        return self.followups[-1].ephemeral if self.followups else self.ephemeral

    def custom_ids(self) -> list[str]:
        """Every component custom_id in the response message (handy for ``click``)."""
        out: list[str] = []

        def walk(items: list[JSON]) -> None:
            for item in items:
                if "custom_id" in item:
                    out.append(str(item["custom_id"]))
                sub = item.get("components")
                if isinstance(sub, list):
                    walk(sub)

        walk(self.components)
        return out

    def to_json(self) -> JSON:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: JSON) -> InteractionResult:
        data = dict(data)
        data["followups"] = [SentMessage(**f) for f in data.get("followups", [])]
        return cls(**data)


_OPTION_SUBCOMMAND = 1
_OPTION_GROUP = 2


class InteractionDriver(FakeDiscordCore):
    """Invoking commands and clicking components, mixed into ``FakeDiscord``."""

    def _find_command(self, guild: Guild, name: str, application_id: int | None, type_: int = 1) -> ApplicationCommand:
        found = [
            c
            for c in self.world.commands.values()
            if c.name == name
            and c.type == type_
            and c.guild_id in (None, guild.id)
            and (application_id is None or c.application_id == application_id)
            and self._app_in_guild(c.application_id, guild)
        ]
        if not found:
            raise SandboxError(f"no application registered /{name} for guild {guild.id}")
        apps = {c.application_id for c in found}
        if len(apps) > 1:
            raise SandboxError(f"/{name} is registered by several applications {sorted(apps)}: pass application_id")
        # a guild command shadows the global one of the same application
        found.sort(key=lambda c: c.guild_id is None)
        return found[0]

    def _app_in_guild(self, application_id: int, guild: Guild) -> bool:
        """A user only sees the commands of applications whose bot is in the guild."""
        bot = self.world.bot_by_application(application_id)
        return bot is None or bot.user_id in guild.members

    def _build_options(
        self,
        guild: Guild,
        schema: list[JSON],
        values: dict[str, Any],
        focused: str | None,
    ) -> tuple[list[JSON], JSON]:
        resolved: JSON = {}
        out: list[JSON] = []
        by_name = {str(o.get("name")): o for o in schema}
        for name, value in values.items():
            opt = by_name.get(name)
            if opt is None:
                raise SandboxError(f"unknown option {name!r}; known: {sorted(by_name)}")
            otype = int(opt.get("type", 3))
            entry: JSON = {"name": name, "type": otype}
            if name == focused:
                entry["value"] = "" if value is None else str(value)
                entry["focused"] = True
            elif otype == 4:
                entry["value"] = int(value)
            elif otype == 10:
                entry["value"] = float(value)
            elif otype == 5:
                entry["value"] = bool(value)
            elif otype in (6, 7, 8, 9):
                ident = rid(value)
                entry["value"] = str(ident)
                self._resolve(guild, otype, ident, resolved)
            else:
                entry["value"] = str(value)
            out.append(entry)
        if focused is None:
            missing = [o["name"] for o in schema if o.get("required") and o.get("name") not in values]
            if missing:
                raise SandboxError(f"missing required options {missing}")
        return out, resolved

    def _resolve(self, guild: Guild, otype: int, ident: int, resolved: JSON) -> None:
        user = self.world.users.get(ident)
        if otype in (6, 9) and user is not None:
            resolved.setdefault("users", {})[str(ident)] = user.to_json()
            member = self.world.member_json(guild, ident, with_permissions=True)
            if member is not None:
                member.pop("user", None)
                resolved.setdefault("members", {})[str(ident)] = member
            return
        if otype in (8, 9) and ident in guild.roles:
            resolved.setdefault("roles", {})[str(ident)] = guild.roles[ident].to_json()
            return
        if otype == 7 and ident in guild.channels:
            ch = guild.channels[ident].to_json()
            ch["permissions"] = str(guild.roles[guild.id].permissions)
            resolved.setdefault("channels", {})[str(ident)] = ch
            return
        raise SandboxError(f"option value {ident} does not resolve to a {otype=} object in guild {guild.id}")

    def _command_data(
        self,
        guild: Guild,
        cmd: ApplicationCommand,
        options: dict[str, Any],
        subcommand: str | list[str] | None,
        focused: str | None,
    ) -> JSON:
        path = subcommand.split() if isinstance(subcommand, str) else list(subcommand or [])
        schema = cmd.options
        chain: list[JSON] = []
        for part in path:
            sub = next(
                (o for o in schema if o.get("name") == part and o.get("type") in (_OPTION_SUBCOMMAND, _OPTION_GROUP)),
                None,
            )
            if sub is None:
                raise SandboxError(f"/{cmd.name} has no subcommand {part!r}")
            chain.append(sub)
            schema = sub.get("options") or []
        leaf, resolved = self._build_options(guild, schema, options, focused)
        for sub in reversed(chain):
            leaf = [{"name": sub["name"], "type": sub["type"], "options": leaf}]
        data: JSON = {"id": str(cmd.id), "name": cmd.name, "type": cmd.type, "options": leaf}
        if resolved:
            data["resolved"] = resolved
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        return data

    def _interaction_payload(self, rec: InteractionRecord, guild: Guild, channel: Channel) -> JSON:
        member = self.world.member_json(guild, rec.user_id)
        if member is not None:
            member["permissions"] = str(self.world.channel_permissions(channel, rec.user_id))
        bot = self.world.bot_by_application(rec.application_id)
        app_perms = self.world.channel_permissions(channel, bot.user_id) if bot else 0
        payload: JSON = {
            "id": str(rec.id),
            "application_id": str(rec.application_id),
            "type": rec.type,
            "data": rec.data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
            "channel_id": str(channel.id),
            "channel": channel.to_json(),
            "member": member,
            "token": rec.token,
            "version": 1,
            "app_permissions": str(app_perms),
            "locale": self.world.users[rec.user_id].locale if rec.user_id in self.world.users else "en-US",
            "guild_locale": guild.preferred_locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if rec.source_message_id is not None:
            msg = self.world.messages.get(rec.source_message_id)
            if msg is not None:
                payload["message"] = self.world.message_json(msg)
        return payload

    async def _send_interaction(self, rec: InteractionRecord, guild: Guild, channel: Channel) -> None:
        self.world.interactions[rec.id] = rec
        self._changed[rec.id] = asyncio.Event()
        payload = self._interaction_payload(rec, guild, channel)
        rec.dispatched_at = time.monotonic()  # before the send: a quick reply may arrive while it is awaited
        if not await self.dispatch_app(rec.application_id, "INTERACTION_CREATE", payload, guild.id):
            raise SandboxError(f"application {rec.application_id} has no connected gateway session")

    def _check_member(self, guild: Guild, user: User, channel: Channel) -> None:
        if user.id not in guild.members:
            raise SandboxError(f"user {user.id} is not a member of guild {guild.id}")
        if channel.guild_id != guild.id:
            raise SandboxError(f"channel {channel.id} is not in guild {guild.id}")

    async def invoke(
        self,
        user: Ref,
        guild: Ref,
        channel: Ref,
        command_name: str,
        options: dict[str, Any] | None = None,
        subcommand: str | list[str] | None = None,
        application_id: Ref | None = None,
        timeout_s: float = 5.0,
        wait_followups: int = 0,
    ) -> InteractionResult:
        """Run ``/command_name [subcommand…] options`` as *user* and return what they see."""
        g, u, ch = self._guild_of(guild), self._user_of(user), self._channel_of(channel)
        self._check_member(g, u, ch)
        cmd = self._find_command(g, command_name, rid(application_id) if application_id is not None else None)
        data = self._command_data(g, cmd, options or {}, subcommand, None)
        rec = self._new_record(cmd.application_id, INTERACTION_COMMAND, g, ch, u, data)
        await self._send_interaction(rec, g, ch)
        return await self._await_result(rec, timeout_s, wait_followups)

    async def autocomplete(
        self,
        user: Ref,
        guild: Ref,
        channel: Ref,
        command_name: str,
        options: dict[str, Any],
        focused: str,
        subcommand: str | list[str] | None = None,
        application_id: Ref | None = None,
        timeout_s: float = 5.0,
    ) -> list[JSON]:
        """Type into option *focused* (its partial text is ``options[focused]``); returns the choices."""
        g, u, ch = self._guild_of(guild), self._user_of(user), self._channel_of(channel)
        self._check_member(g, u, ch)
        cmd = self._find_command(g, command_name, rid(application_id) if application_id is not None else None)
        values = dict(options)
        values.setdefault(focused, "")
        data = self._command_data(g, cmd, values, subcommand, focused)
        rec = self._new_record(cmd.application_id, INTERACTION_AUTOCOMPLETE, g, ch, u, data)
        await self._send_interaction(rec, g, ch)
        if not await self._wait_change(rec, timeout_s, lambda: rec.acked, "autocomplete response"):
            raise TimeoutError(f"application {rec.application_id} did not answer autocomplete in {timeout_s}s")
        return list(rec.autocomplete_choices or [])

    async def click(
        self,
        user: Ref,
        message_id: Ref,
        custom_id: str,
        values: list[str] | None = None,
        timeout_s: float = 5.0,
        wait_followups: int = 0,
        catch_up: bool = True,
    ) -> InteractionResult:
        """Click a button (or choose *values* in a select menu) on a bot's message. ``catch_up=False`` skips
        making sure the bot has seen the message's last change (a load driver whose clicks come seconds apart
        per message: the heartbeat requests would spend the bot's gateway send budget)."""
        msg = self.world.messages.get(rid(message_id))
        if msg is None:
            raise SandboxError(f"unknown message {rid(message_id)}")
        component = msg.find_component(custom_id)
        if component is None:
            raise SandboxError(f"message {msg.id} has no component {custom_id!r}")
        if component.get("disabled"):
            raise SandboxError(f"component {custom_id!r} is disabled")
        app_id = msg.application_id
        if app_id is None:
            raise SandboxError(f"message {msg.id} was not sent by an application")
        ch = self._channel_of(msg.channel_id)
        g = self._guild_of(ch.guild_id)
        u = self._user_of(user)
        self._check_member(g, u, ch)
        data: JSON = {"custom_id": custom_id, "component_type": int(component.get("type", 2))}
        if values is not None or data["component_type"] != 2:
            data["values"] = list(values or [])
        rec = self._new_record(app_id, INTERACTION_COMPONENT, g, ch, u, data)
        rec.source_message_id = msg.id
        if catch_up:
            await self.caught_up(app_id, msg.changed_at, guild_id=g.id)  # the bot handled the reply that made it
        await self._send_interaction(rec, g, ch)
        return await self._await_result(rec, timeout_s, wait_followups)

    def _new_record(
        self, app_id: int, type_: int, guild: Guild, channel: Channel, user: User, data: JSON
    ) -> InteractionRecord:
        return InteractionRecord(
            id=new_snowflake(),
            token="fake_" + secrets.token_urlsafe(24),
            application_id=app_id,
            type=type_,
            guild_id=guild.id,
            channel_id=channel.id,
            user_id=user.id,
            data=data,
        )

    async def _wait_change(self, rec: InteractionRecord, timeout_s: float, done: Callable[[], bool], what: str) -> bool:
        ev = self._changed.setdefault(rec.id, asyncio.Event())
        deadline = time.monotonic() + timeout_s
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            ev.clear()
            try:
                await asyncio.wait_for(ev.wait(), remaining)
            except TimeoutError:
                return done()
        return True

    async def _await_result(self, rec: InteractionRecord, timeout_s: float, wait_followups: int) -> InteractionResult:
        start = time.monotonic()
        if not await self._wait_change(rec, timeout_s, lambda: rec.acked, "response"):
            raise TimeoutError(f"application {rec.application_id} did not answer interaction {rec.id} in {timeout_s}s")
        left = max(0.0, timeout_s - (time.monotonic() - start))
        if rec.response_type in (5, 6):  # deferred: what the user ends up seeing is the edit or a followup
            await self._wait_change(rec, left, lambda: rec.original_edited or bool(rec.followup_ids), "deferred edit")
        if wait_followups:
            left = max(0.0, timeout_s - (time.monotonic() - start))
            ok = await self._wait_change(rec, left, lambda: len(rec.followup_ids) >= wait_followups, "followups")
            if not ok:
                raise TimeoutError(
                    f"interaction {rec.id}: wanted {wait_followups} followups, got {len(rec.followup_ids)}"
                )
        return self.interaction_result(rec.id)

    def interaction_timing(self, interaction_id: Ref) -> JSON:
        """When the fake dispatched an interaction and when the bot's callback arrived (``time.monotonic()``
        seconds, None until it happened), and how it was answered: latency measured on Discord's side."""
        rec = self.world.interactions.get(rid(interaction_id))
        if rec is None:
            raise SandboxError(f"unknown interaction {rid(interaction_id)}")
        return {"interaction_id": rec.id, "dispatched_at": rec.dispatched_at, "answered_at": rec.answered_at,
                "response_type": rec.response_type, "ephemeral": rec.ephemeral}

    def interaction_result(self, interaction_id: Ref) -> InteractionResult:
        """The current view of an interaction (followups may keep arriving after ``invoke`` returns)."""
        rec = self.world.interactions.get(rid(interaction_id))
        if rec is None:
            raise SandboxError(f"unknown interaction {rid(interaction_id)}")
        result = InteractionResult(
            interaction_id=rec.id,
            response_type=rec.response_type,
            deferred=rec.deferred,
            ephemeral=rec.ephemeral,
            message_id=rec.response_message_id,
            choices=rec.autocomplete_choices,
            modal=rec.modal,
        )
        msg = self.world.messages.get(rec.response_message_id) if rec.response_message_id else None
        if msg is not None:
            result.content = msg.content
            result.embeds = list(msg.embeds)
            result.components = list(msg.components)
        for fid in rec.followup_ids:
            f = self.world.messages.get(fid)
            if f is not None:
                result.followups.append(SentMessage.of(f))
        return result
