"""The DJ rule shared by commands and buttons."""

from __future__ import annotations

from azura_common.permissions import may_dj


def test_the_dj_rule() -> None:
    assert may_dj(manage_guild=False, role_ids=[], dj_role_id=None, listeners=5)  # no DJ role: everyone
    assert may_dj(manage_guild=False, role_ids=[], dj_role_id=0, listeners=5)  # 0 means "none" on the wire
    assert may_dj(manage_guild=True, role_ids=[], dj_role_id=9, listeners=5)
    assert may_dj(manage_guild=False, role_ids=[3, 9], dj_role_id=9, listeners=5)
    assert may_dj(manage_guild=False, role_ids=[3], dj_role_id=9, listeners=1)  # alone: nobody to upset
    assert not may_dj(manage_guild=False, role_ids=[3], dj_role_id=9, listeners=2)
