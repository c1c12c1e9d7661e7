"""Who may do DJ things: one rule for the parent's commands and every bot's buttons. Pure."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["DJ_ONLY", "may_dj"]

DJ_ONLY = "Only a DJ (the DJ role or Manage Server) can do that while others listen."


def may_dj(*, manage_guild: bool, role_ids: Iterable[int], dj_role_id: int | None, listeners: int) -> bool:
    """Manage Server; or the server's DJ role (none set: everyone); or nobody else is listening."""
    if manage_guild or not dj_role_id:
        return True
    return dj_role_id in set(role_ids) or listeners <= 1
