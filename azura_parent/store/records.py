"""Session records in the parent's database: what a crash or a restart of any process restores from."""

from __future__ import annotations

from collections.abc import Iterable

from azura_common.koe.records import SessionRecord, record_from_json, record_to_json

from .database import Tables

__all__ = ["RecordStore"]


class RecordStore(Tables):
    """The ``session_records`` table: one record per voice channel."""

    async def save_records(self, records: Iterable[SessionRecord]) -> None:
        rows = [(r.channel_id, r.guild_id, r.bot_id, record_to_json(r), r.updated_ms) for r in records]
        if not rows:
            return
        async with self._db.transaction() as conn:
            await conn.execute_many(
                "INSERT INTO session_records (channel_id, guild_id, bot_id, record, updated_ms) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (channel_id) DO UPDATE SET guild_id = excluded.guild_id, bot_id = excluded.bot_id,"
                " record = excluded.record, updated_ms = excluded.updated_ms",
                rows,
            )

    async def delete_records(self, channel_ids: Iterable[int]) -> None:
        ids = [(c,) for c in channel_ids]
        if not ids:
            return
        async with self._db.transaction() as conn:
            await conn.execute_many("DELETE FROM session_records WHERE channel_id = ?", ids)

    async def session_records(self) -> list[SessionRecord]:
        async with self._db.read() as conn:
            rows = await conn.fetch_all("SELECT record FROM session_records ORDER BY updated_ms")
        return [record_from_json(str(row["record"])) for row in rows]
