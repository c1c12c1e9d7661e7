"""The human side of the fake Discord: create guilds/users/channels, invoke slash commands, click buttons.

:class:`Driver` is mixed into :class:`~azura_sandbox.fake_discord.server.FakeDiscord` (in-process API) and
served under ``/_sandbox/`` (HTTP control API, see :class:`~azura_sandbox.fake_discord.client.SandboxClient`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from .world import (
    CHANNEL_TEXT,
    CHANNEL_VOICE,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMMAND,
    INTERACTION_COMPONENT,
    JSON,
    ApplicationCommand,
    Channel,
    Guild,
    InteractionRecord,
    Member,
    Message,
    Role,
    User,
    VoiceState,
    World,
    new_snowflake,
)

if TYPE_CHECKING:
    from .server import GatewaySession

log = logging.getLogger(__name__)


class HasId(Protocol):
    @property
    def id(self) -> int: ...


Ref = int | str | HasId


def rid(ref: Ref) -> int:
    """An id from an int, a numeric string or an object with ``.id``."""
    if isinstance(ref, int):
        return ref
    if isinstance(ref, str):
        return int(ref)
    return int(ref.id)


class SandboxError(Exception):
    """A driver action that the real Discord client would refuse (unknown command, not a member…)."""


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


# After a response, give the bot's process a moment to finish handling its own HTTP reply (e.g. store a
# View under the new message id) before the "user" can act on it: a human is never that fast.
SETTLE_S = 0.05

_OPTION_SUBCOMMAND = 1
_OPTION_GROUP = 2


class Driver:
    """Driver API mixed into ``FakeDiscord``; everything here is async and safe to call from tests."""

    world: World
    sessions: dict[str, GatewaySession]
    _changed: dict[int, asyncio.Event]

    if TYPE_CHECKING:

        async def dispatch_all(self, event: str, data: JSON) -> None: ...
        async def dispatch_app(self, application_id: int, event: str, data: JSON) -> bool: ...
        async def publish_message(self, msg: Message, event: str = ...) -> None: ...
        async def remove_message(self, msg: Message) -> None: ...
        def live_sessions(self, application_id: int | None = None) -> list[GatewaySession]: ...
        async def set_voice_state(
            self,
            guild_id: int,
            user_id: int,
            channel_id: int | None,
            session_id: str | None = None,
            self_mute: bool = False,
            self_deaf: bool = False,
        ) -> VoiceState: ...

    # ---- world building -----------------------------------------------------------------------------

    def _guild_of(self, ref: Ref) -> Guild:
        guild = self.world.guilds.get(rid(ref))
        if guild is None:
            raise SandboxError(f"unknown guild {rid(ref)}")
        return guild

    def _channel_of(self, ref: Ref) -> Channel:
        ch = self.world.channel(rid(ref))
        if ch is None:
            raise SandboxError(f"unknown channel {rid(ref)}")
        return ch

    def _user_of(self, ref: Ref) -> User:
        user = self.world.users.get(rid(ref))
        if user is None:
            raise SandboxError(f"unknown user {rid(ref)}")
        return user

    async def create_guild(self, name: str = "guild", owner: Ref | None = None) -> Guild:
        guild = self.world.add_guild(name, rid(owner) if owner is not None else None)
        await self.dispatch_all("GUILD_CREATE", self.world.guild_json(guild))
        return guild

    async def create_text_channel(self, guild: Ref, name: str = "general") -> Channel:
        return await self._create_channel(guild, name, CHANNEL_TEXT)

    async def create_voice_channel(self, guild: Ref, name: str = "voice") -> Channel:
        return await self._create_channel(guild, name, CHANNEL_VOICE)

    async def _create_channel(self, guild: Ref, name: str, type_: int) -> Channel:
        g = self._guild_of(guild)
        ch = self.world.add_channel(g.id, name, type_)
        await self.dispatch_all("CHANNEL_CREATE", ch.to_json())
        return ch

    async def create_user(self, name: str = "user", guilds: list[Ref] | None = None) -> User:
        """A human user, member of *guilds* (default: every guild)."""
        user = self.world.add_user(name)
        targets = [self._guild_of(g) for g in guilds] if guilds is not None else list(self.world.guilds.values())
        for g in targets:
            await self.add_member(g, user)
        return user

    async def add_member(self, guild: Ref, user: Ref) -> None:
        g = self._guild_of(guild)
        u = self._user_of(user)
        if u.id in g.members:
            return
        g.members[u.id] = Member(user_id=u.id, guild_id=g.id)
        member = self.world.member_json(g, u.id)
        assert member is not None
        await self.dispatch_all("GUILD_MEMBER_ADD", member | {"guild_id": str(g.id)})

    async def create_role(self, guild: Ref, name: str, permissions: int = 0, color: int = 0) -> Role:
        g = self._guild_of(guild)
        role = Role(
            id=new_snowflake(), guild_id=g.id, name=name, permissions=permissions, color=color, position=len(g.roles)
        )
        g.roles[role.id] = role
        await self.dispatch_all("GUILD_ROLE_CREATE", {"guild_id": str(g.id), "role": role.to_json()})
        return role

    async def give_role(self, guild: Ref, user: Ref, role: Ref) -> None:
        g = self._guild_of(guild)
        member = g.members.get(rid(user))
        if member is None:
            raise SandboxError(f"user {rid(user)} is not a member of guild {g.id}")
        if rid(role) not in g.roles:
            raise SandboxError(f"unknown role {rid(role)}")
        if rid(role) not in member.roles:
            member.roles.append(rid(role))
        await self._member_update(g, member.user_id)

    async def take_role(self, guild: Ref, user: Ref, role: Ref) -> None:
        g = self._guild_of(guild)
        member = g.members.get(rid(user))
        if member is not None and rid(role) in member.roles:
            member.roles.remove(rid(role))
            await self._member_update(g, member.user_id)

    async def _member_update(self, guild: Guild, user_id: int) -> None:
        member = self.world.member_json(guild, user_id)
        if member is not None:
            await self.dispatch_all("GUILD_MEMBER_UPDATE", member | {"guild_id": str(guild.id)})

    async def delete_channel(self, channel: Ref) -> None:
        ch = self._channel_of(channel)
        guild = self.world.guilds[ch.guild_id]
        for vs in list(guild.voice_states.values()):
            if vs.channel_id == ch.id:
                await self.set_voice_state(guild.id, vs.user_id, None, self_mute=vs.self_mute)
        del guild.channels[ch.id]
        for mid in [m.id for m in self.world.messages.values() if m.channel_id == ch.id]:
            del self.world.messages[mid]
        await self.dispatch_all("CHANNEL_DELETE", ch.to_json())

    # ---- voice --------------------------------------------------------------------------------------

    async def user_join_voice(self, user: Ref, channel: Ref) -> VoiceState:
        ch = self._channel_of(channel)
        if not ch.is_voice:
            raise SandboxError(f"channel {ch.id} is not a voice channel")
        u = self._user_of(user)
        if u.id not in self.world.guilds[ch.guild_id].members:
            raise SandboxError(f"user {u.id} is not a member of guild {ch.guild_id}")
        return await self.set_voice_state(ch.guild_id, u.id, ch.id)

    async def user_leave_voice(self, user: Ref, guild: Ref | None = None) -> None:
        uid = rid(user)
        guilds = [self._guild_of(guild)] if guild is not None else list(self.world.guilds.values())
        for g in guilds:
            if uid in g.voice_states:
                await self.set_voice_state(g.id, uid, None)

    async def kick_from_voice(self, user: Ref, guild: Ref | None = None) -> None:
        """Disconnect anyone (bots included) from voice, as a moderator would."""
        await self.user_leave_voice(user, guild)

    def voice_state(self, guild: Ref, user: Ref) -> VoiceState | None:
        g = self.world.guilds.get(rid(guild))
        return g.voice_states.get(rid(user)) if g else None

    def voice_members(self, channel: Ref) -> list[int]:
        ch = self._channel_of(channel)
        return [vs.user_id for vs in self.world.guilds[ch.guild_id].voice_states.values() if vs.channel_id == ch.id]

    # ---- reading ------------------------------------------------------------------------------------

    def messages(self, channel: Ref, include_ephemeral: bool = False) -> list[Message]:
        return sorted(self.world.channel_messages(rid(channel), include_ephemeral), key=lambda m: m.id)

    def message(self, message_id: Ref) -> Message | None:
        return self.world.messages.get(rid(message_id))

    def bot_user_ids(self) -> list[int]:
        return [b.user_id for b in self.world.bots.values()]

    def connected_bots(self) -> list[int]:
        return sorted({s.bot.user_id for s in self.live_sessions()})

    def commands(self, application_id: Ref | None = None, guild: Ref | None = None) -> list[ApplicationCommand]:
        return [
            c
            for c in self.world.commands.values()
            if (application_id is None or c.application_id == rid(application_id))
            and (guild is None or c.guild_id in (None, rid(guild)))
        ]

    async def wait_for(self, predicate: Callable[[], Any], timeout_s: float = 5.0, what: str = "condition") -> Any:
        """Poll *predicate* until it is truthy (returns its value) or raise TimeoutError."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout_s}s waiting for {what}")
            await asyncio.sleep(0.02)

    async def wait_for_bots(self, count: int, timeout_s: float = 10.0) -> list[int]:
        return await self.wait_for(  # type: ignore[no-any-return]
            lambda: (ids := self.connected_bots()) and len(ids) >= count and ids, timeout_s, f"{count} bots"
        )

    # ---- interactions -------------------------------------------------------------------------------

    def _find_command(self, guild: Guild, name: str, application_id: int | None, type_: int = 1) -> ApplicationCommand:
        found = [
            c
            for c in self.world.commands.values()
            if c.name == name
            and c.type == type_
            and c.guild_id in (None, guild.id)
            and (application_id is None or c.application_id == application_id)
        ]
        if not found:
            raise SandboxError(f"no application registered /{name} for guild {guild.id}")
        apps = {c.application_id for c in found}
        if len(apps) > 1:
            raise SandboxError(f"/{name} is registered by several applications {sorted(apps)}: pass application_id")
        # a guild command shadows the global one of the same application
        found.sort(key=lambda c: c.guild_id is None)
        return found[0]

    def _build_options(
        self,
        guild: Guild,
        schema: list[JSON],
        values: dict[str, Any],
        focused: str | None,
    ) -> tuple[list[JSON], JSON]:
        resolved: JSON = {}
        out: list[JSON] = []
        by_name = {o.get("name"): o for o in schema}
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
            ch["permissions"] = str(self.world.permissions(guild, 0))
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
        member = self.world.member_json(guild, rec.user_id, with_permissions=True)
        bot = next((b for b in self.world.bots.values() if b.application_id == rec.application_id), None)
        app_perms = self.world.permissions(guild, bot.user_id) if bot else 0
        payload: JSON = {
            "id": str(rec.id),
            "application_id": str(rec.application_id),
            "type": rec.type,
            "data": rec.data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": channel.to_json(),
            "member": member,
            "token": rec.token,
            "version": 1,
            "app_permissions": str(app_perms),
            "locale": "en-US",
            "guild_locale": "en-US",
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
        if not await self.dispatch_app(rec.application_id, "INTERACTION_CREATE", payload):
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
    ) -> InteractionResult:
        """Click a button (or choose *values* in a select menu) on a bot's message."""
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
        await asyncio.sleep(SETTLE_S)
        return self.interaction_result(rec.id)

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

    # ---- HTTP control API ---------------------------------------------------------------------------

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
                "bots": self.bot_user_ids(),
                "connected_bots": self.connected_bots(),
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
