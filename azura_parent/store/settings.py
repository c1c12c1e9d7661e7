"""Per-user and per-guild settings: what a user or a server chose, with defaults for what they did not.

Every setter validates first (a ``KoeError`` a user can read, nothing written) and returns the settings
as they now are. Who may change a guild's settings is the caller's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from azura_common.koe.errors import InvalidArgument
from azura_common.koe.session import MAX_VOLUME, EnqueueMode

from .database import Tables

__all__ = ["IDLE_TIMEOUT_RANGE", "VOLUME_STEP_RANGE", "GuildSettings", "SettingsStore", "UserSettings"]

VOLUME_STEP_RANGE: Final = (1, 100)
IDLE_TIMEOUT_RANGE: Final = (30, 86_400)


@dataclass(frozen=True, slots=True)
class UserSettings:
    enqueue_mode: str = EnqueueMode.FIFO.value
    volume_step: int = 10
    last_volume: int | None = None


@dataclass(frozen=True, slots=True)
class GuildSettings:
    dj_role_id: int | None = None
    always_on: bool = False  # 24/7: stay in voice when the queue runs dry or everyone leaves
    idle_timeout_s: int | None = None  # None: the bot's default (AZURA_IDLE_TIMEOUT_S, 300 s unless set)
    autoplay: bool = False  # new sessions start with autoplay on


def _clean_mode(mode: str | EnqueueMode) -> str:
    value = mode.value if isinstance(mode, EnqueueMode) else mode
    valid = [m.value for m in EnqueueMode]
    if value not in valid:
        raise InvalidArgument(f"Enqueue mode must be one of {', '.join(valid)}, not {value!r}.", "enqueue_mode")
    return value


def _in_range(value: int, bounds: tuple[int, int], message: str, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not bounds[0] <= value <= bounds[1]:
        raise InvalidArgument(message, argument)
    return value


class SettingsStore(Tables):
    """The ``user_settings`` and ``guild_settings`` tables."""

    # -- user settings ------------------------------------------------------------------------------------

    async def get_user_settings(self, user_id: int) -> UserSettings:
        async with self._db.read() as conn:
            row = await conn.fetch_one(
                "SELECT enqueue_mode, volume_step, last_volume FROM user_settings WHERE user_id = ?", (user_id,)
            )
        if row is None:
            return UserSettings()
        return UserSettings(
            enqueue_mode=str(row["enqueue_mode"]),
            volume_step=int(row["volume_step"]),
            last_volume=None if row["last_volume"] is None else int(row["last_volume"]),
        )

    async def set_enqueue_mode(self, user_id: int, mode: str | EnqueueMode) -> UserSettings:
        value = _clean_mode(mode)
        await self._upsert_user(user_id, "enqueue_mode", value)
        return await self.get_user_settings(user_id)

    async def set_volume_step(self, user_id: int, step: int) -> UserSettings:
        low, high = VOLUME_STEP_RANGE
        _in_range(step, VOLUME_STEP_RANGE, f"The volume step must be between {low} and {high}, not {step}.", "step")
        await self._upsert_user(user_id, "volume_step", step)
        return await self.get_user_settings(user_id)

    async def set_last_volume(self, user_id: int, volume: int | None) -> UserSettings:
        if volume is not None:
            _in_range(volume, (0, MAX_VOLUME), f"Volume must be between 0 and {MAX_VOLUME}, not {volume}.", "volume")
        await self._upsert_user(user_id, "last_volume", volume)
        return await self.get_user_settings(user_id)

    async def _upsert_user(self, user_id: int, column: str, value: object) -> None:
        assert column in {"enqueue_mode", "volume_step", "last_volume"}
        await self._upsert("user_settings", "user_id", user_id, column, value)

    async def _upsert(self, table: str, key_column: str, key: int, column: str, value: object) -> None:
        """Set one settings column, creating the row with defaults if it is new (names come from code)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                f"INSERT INTO {table} ({key_column}, {column}) VALUES (?, ?)"
                f" ON CONFLICT ({key_column}) DO UPDATE SET {column} = excluded.{column}",
                (key, value),
            )

    # -- guild settings -----------------------------------------------------------------------------------

    async def get_guild_settings(self, guild_id: int) -> GuildSettings:
        async with self._db.read() as conn:
            row = await conn.fetch_one(
                "SELECT dj_role_id, always_on, idle_timeout_s, autoplay FROM guild_settings WHERE guild_id = ?",
                (guild_id,),
            )
        if row is None:
            return GuildSettings()
        return GuildSettings(
            dj_role_id=None if row["dj_role_id"] is None else int(row["dj_role_id"]),
            always_on=bool(row["always_on"]),
            idle_timeout_s=None if row["idle_timeout_s"] is None else int(row["idle_timeout_s"]),
            autoplay=bool(row["autoplay"]),
        )

    async def set_dj_role(self, guild_id: int, role_id: int | None) -> GuildSettings:
        await self._upsert_guild(guild_id, "dj_role_id", role_id)
        return await self.get_guild_settings(guild_id)

    async def set_always_on(self, guild_id: int, always_on: bool) -> GuildSettings:
        await self._upsert_guild(guild_id, "always_on", 1 if always_on else 0)
        return await self.get_guild_settings(guild_id)

    async def set_idle_timeout(self, guild_id: int, seconds: int) -> GuildSettings:
        low, high = IDLE_TIMEOUT_RANGE
        _in_range(
            seconds,
            IDLE_TIMEOUT_RANGE,
            f"The idle timeout must be between {low} seconds and {high // 3600} hours ({high} seconds), not {seconds}.",
            "idle_timeout_s",
        )
        await self._upsert_guild(guild_id, "idle_timeout_s", seconds)
        return await self.get_guild_settings(guild_id)

    async def set_autoplay_default(self, guild_id: int, enabled: bool) -> GuildSettings:
        await self._upsert_guild(guild_id, "autoplay", 1 if enabled else 0)
        return await self.get_guild_settings(guild_id)

    async def _upsert_guild(self, guild_id: int, column: str, value: object) -> None:
        assert column in {"dj_role_id", "always_on", "idle_timeout_s", "autoplay"}
        await self._upsert("guild_settings", "guild_id", guild_id, column, value)
