"""`SandboxClient`: drive a fake Discord running in another process through ``/_sandbox/``."""

from __future__ import annotations

from typing import Any

import aiohttp

from .core import Ref, SandboxError, rid
from .invoking import InteractionResult
from .objects import Channel, Message, Role, User, VoiceState


def _id(ref: Ref | None) -> int | None:
    return None if ref is None else rid(ref)


def _bot(ref: Ref) -> int | str:
    """A bot by name stays a name (the fake resolves it); anything else is an id."""
    return ref if isinstance(ref, str) and not ref.isdigit() else rid(ref)


class SandboxClient:
    """Async client of the control API; mirrors the :class:`~.driver.Driver` methods."""

    def __init__(self, base_url: str, timeout_s: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, method: str, **kwargs: Any) -> Any:
        """Call any whitelisted driver method; returns its JSON result. Errors raise SandboxError/TimeoutError."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        body = {k: v for k, v in kwargs.items() if v is not None}
        async with self._session.post(f"{self.base_url}/_sandbox/call/{method}", json=body) as resp:
            data = await resp.json()
        if resp.status == 408:
            raise TimeoutError(data.get("error"))
        if resp.status != 200:
            raise SandboxError(data.get("error", f"HTTP {resp.status}"))
        return data["result"]

    async def state(self) -> dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        async with self._session.get(f"{self.base_url}/_sandbox/state") as resp:
            return await resp.json()  # type: ignore[no-any-return]

    # ---- typed wrappers -----------------------------------------------------------------------------

    async def create_guild(self, name: str = "guild") -> int:
        return int((await self.call("create_guild", name=name))["id"])

    async def create_text_channel(self, guild: Ref, name: str = "general") -> Channel:
        return Channel(**await self.call("create_text_channel", guild=rid(guild), name=name))

    async def create_voice_channel(self, guild: Ref, name: str = "voice") -> Channel:
        return Channel(**await self.call("create_voice_channel", guild=rid(guild), name=name))

    async def create_user(self, name: str = "user") -> User:
        return User(**await self.call("create_user", name=name))

    async def create_role(self, guild: Ref, name: str, permissions: int = 0) -> Role:
        return Role(**await self.call("create_role", guild=rid(guild), name=name, permissions=permissions))

    async def give_role(self, guild: Ref, user: Ref, role: Ref) -> None:
        await self.call("give_role", guild=rid(guild), user=rid(user), role=rid(role))

    async def user_join_voice(self, user: Ref, channel: Ref) -> VoiceState:
        return VoiceState(**await self.call("user_join_voice", user=rid(user), channel=rid(channel)))

    async def user_leave_voice(self, user: Ref, guild: Ref | None = None) -> None:
        await self.call("user_leave_voice", user=rid(user), guild=_id(guild))

    async def kick_from_voice(self, user: Ref, guild: Ref | None = None) -> None:
        await self.call("kick_from_voice", user=rid(user), guild=_id(guild))

    async def delete_channel(self, channel: Ref) -> None:
        await self.call("delete_channel", channel=rid(channel))

    async def voice_state(self, guild: Ref, user: Ref) -> VoiceState | None:
        data = await self.call("voice_state", guild=rid(guild), user=rid(user))
        return VoiceState(**data) if data else None

    async def messages(self, channel: Ref, include_ephemeral: bool = False) -> list[Message]:
        data = await self.call("messages", channel=rid(channel), include_ephemeral=include_ephemeral)
        return [Message(**m) for m in data]

    async def connected_bots(self) -> list[int]:
        return [int(x) for x in await self.call("connected_bots")]

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
        data = await self.call(
            "invoke",
            user=rid(user),
            guild=rid(guild),
            channel=rid(channel),
            command_name=command_name,
            options=options,
            subcommand=subcommand,
            application_id=_id(application_id),
            timeout_s=timeout_s,
            wait_followups=wait_followups,
        )
        return InteractionResult.from_json(data)

    async def click(
        self, user: Ref, message_id: Ref, custom_id: str, values: list[str] | None = None, timeout_s: float = 5.0
    ) -> InteractionResult:
        data = await self.call(
            "click", user=rid(user), message_id=rid(message_id), custom_id=custom_id, values=values, timeout_s=timeout_s
        )
        return InteractionResult.from_json(data)

    async def autocomplete(
        self,
        user: Ref,
        guild: Ref,
        channel: Ref,
        command_name: str,
        options: dict[str, Any],
        focused: str,
        subcommand: str | list[str] | None = None,
        timeout_s: float = 5.0,
    ) -> list[dict[str, Any]]:
        return await self.call(  # type: ignore[no-any-return]
            "autocomplete",
            user=rid(user),
            guild=rid(guild),
            channel=rid(channel),
            command_name=command_name,
            options=options,
            focused=focused,
            subcommand=subcommand,
            timeout_s=timeout_s,
        )

    # ---- bots, permissions, rate limits, voice --------------------------------------------------------

    async def create_bot(self, name: str) -> str:
        """Declare a bot; its Discord-format token (the only one the fake accepts for it)."""
        return str(await self.call("create_bot", name=name))

    async def remove_bot_from_guild(self, bot: Ref, guild: Ref) -> None:
        await self.call("remove_bot_from_guild", bot=_bot(bot), guild=rid(guild))

    async def add_bot_to_guild(self, bot: Ref, guild: Ref) -> None:
        await self.call("add_bot_to_guild", bot=_bot(bot), guild=rid(guild))

    async def deny_in_channel(self, target: Ref, channel: Ref, permissions: list[str]) -> None:
        await self.call("deny_in_channel", target=_bot(target), channel=rid(channel), permissions=permissions)

    async def allow_in_channel(self, target: Ref, channel: Ref, permissions: list[str]) -> None:
        await self.call("allow_in_channel", target=_bot(target), channel=rid(channel), permissions=permissions)

    async def throttle_message_edits(self, channel: Ref, *, limit: int = 1, window_s: float = 30.0) -> None:
        await self.call("throttle_message_edits", channel=rid(channel), limit=limit, window_s=window_s)

    async def move_voice(self, user: Ref, channel: Ref) -> VoiceState:
        return VoiceState(**await self.call("move_voice", user=_bot(user), channel=rid(channel)))

    async def move_voice_server(self, guild: Ref, bot: Ref) -> dict[str, Any]:
        return await self.call("move_voice_server", guild=rid(guild), bot=_bot(bot))  # type: ignore[no-any-return]


    async def drop_gateway(self, bot: Ref) -> int:
        return int(await self.call("drop_gateway", bot=_bot(bot)))

    async def set_session_timeout(self, seconds: float) -> None:
        await self.call("set_session_timeout", seconds=seconds)
