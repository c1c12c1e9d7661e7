"""The command metrics' outcome: refused when the user can fix it, failed when it is ours (as the one error
handler tells them apart for the words users read)."""

from __future__ import annotations

import pytest
from discord import app_commands

from azura_common.koe.errors import KoeTimeout, NoSession, TrackLoadFailed
from azura_parent.commands.tree import outcome_of


@pytest.mark.parametrize(("error", "outcome"), [
    (NoSession(), "refused"),
    (app_commands.CheckFailure("Not here."), "refused"),
    (KoeTimeout(), "failed"),
    (TrackLoadFailed("Couldn't load 'x': Failed to fulfill request to Lavalink: status=500"), "failed"),
    (TrackLoadFailed("Nothing found for 'x'. Try other words or a link."), "refused"),
    (RuntimeError("a bug"), "failed"),
])
def test_the_users_mistakes_are_told_from_ours(error: Exception, outcome: str) -> None:
    assert outcome_of(error) == outcome
