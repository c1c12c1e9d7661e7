"""A 1,000-entry playlist plays through the real cluster without a single search."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from azura_common.koe.session import Track
from azura_parent.db import Database
from azura_parent.store import Store
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import ParentProcess, Sandbox

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]


class Cluster:
    def __init__(self, sandbox: Sandbox, parent: ParentProcess, db_path: Path) -> None:
        self.sandbox, self.parent, self.db_path = sandbox, parent, db_path


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    sandbox = await Sandbox.start(speed=1, user_names=("dana",))
    child = await sandbox.spawn_child("big-playlist-child")
    db_path = tmp_path_factory.mktemp("big") / "azura.sqlite3"
    parent = await sandbox.spawn_parent("big-playlist-parent", [child], db_path)
    yield Cluster(sandbox, parent, db_path)
    await sandbox.stop()


async def test_a_thousand_entry_playlist_enqueues_without_searching(cluster: Cluster) -> None:
    sb = cluster.sandbox
    dana = sb.users["dana"]
    found = [t for i in range(200) for t in load_tracks(f"ytsearch:mix {i}")["data"]][:1000]
    tracks = [Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"]) for t in found]
    assert len(tracks) == 1000
    # The parent owns the database; another connection writes the playlist (WAL lets both work at once).
    db = await Database.open(cluster.db_path)
    try:
        store = Store(db)
        await store.create_playlist(dana.id, "Thousand")
        await store.add_entries(dana.id, "Thousand", tracks)
    finally:
        await db.close()
    await sb.discord.user_join_voice(dana, sb.voices[0])
    searches_before = len(sb.lavalink.searches)
    result = await sb.discord.invoke(dana, sb.guild, sb.text, "playlist", {"name": "Thousand"}, subcommand="play",
                                     timeout_s=20)
    assert "Queued **1000 tracks** from **Thousand**" in result.text and not result.private, result.text
    assert len(sb.lavalink.searches) == searches_before  # played from the stored encoded tracks
    page = await sb.discord.invoke(dana, sb.guild, sb.text, "queue", {"page": 100})
    assert "1000 tracks, page 100/100" in page.text and tracks[-1].title in page.text
    await sb.discord.invoke(dana, sb.guild, sb.text, "leave")
    await asyncio.sleep(0)
