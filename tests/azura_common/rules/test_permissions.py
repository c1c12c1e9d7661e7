"""The DJ rule and what it guards, shared by commands and buttons."""

from __future__ import annotations

import pytest

from azura_common.rules.permissions import button_needs_dj, command_needs_dj, may_dj, may_set_visibility


def test_the_dj_rule() -> None:
    assert may_dj(manage_guild=False, role_ids=[], dj_role_id=None, listeners=5)  # no DJ role: everyone
    assert may_dj(manage_guild=False, role_ids=[], dj_role_id=0, listeners=5)  # 0 means "none" on the wire
    assert may_dj(manage_guild=True, role_ids=[], dj_role_id=9, listeners=5)
    assert may_dj(manage_guild=False, role_ids=[3, 9], dj_role_id=9, listeners=5)
    assert may_dj(manage_guild=False, role_ids=[3], dj_role_id=9, listeners=1)  # alone: nobody to upset
    assert not may_dj(manage_guild=False, role_ids=[3], dj_role_id=9, listeners=2)


@pytest.mark.parametrize(
    ("name", "by", "needs"),
    [("stop", 1, True), ("leave", 1, True), ("clear", 1, True), ("back", 1, False), ("back", 2, True),
     ("pause", 1, False), ("volume", 1, False), ("shuffle", 1, False), ("move", 1, False)],
)
def test_which_commands_are_a_djs_call(name: str, by: int, needs: bool) -> None:
    assert command_needs_dj(name, by=by) is needs


def test_which_buttons_are_a_djs_call() -> None:
    assert {a for a in ("back", "toggle", "skip", "stop", "leave", "repeat", "shuffle", "volume_up")
            if button_needs_dj(a)} == {"back", "stop", "leave"}


def test_only_manage_server_lists_a_playlist_for_everyone() -> None:
    assert may_set_visibility("private", manage_guild=False)
    assert may_set_visibility("public", manage_guild=False)
    assert not may_set_visibility("global", manage_guild=False)
    assert may_set_visibility("global", manage_guild=True)
