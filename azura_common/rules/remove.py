"""Removing tracks from a queue: what a ``/remove`` asks for and who may do it. Pure.

Anyone may remove their own upcoming tracks; removing someone else's (by position, by user, or everyone who
left the channel) needs a DJ.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from azura_common.i18n import text
from azura_common.koe.errors import InvalidArgument
from azura_common.koe.session import RemoveAbsent, RemoveRange, RemoveRequester, RemoveTarget

from .parse import parse_positions

__all__ = ["DJ_REMOVE", "DJ_REMOVE_KEY", "may_remove", "remove_target", "touches_others"]

DJ_REMOVE_KEY: Final = "rules.dj_remove"
DJ_REMOVE: Final = text(DJ_REMOVE_KEY)  # English; the catalogue has it in every language


def remove_target(*, positions: str | None, user_id: int | None, absent: bool) -> RemoveTarget:
    """The one target a ``/remove`` names: positions (``5``, ``3-7``), a user's tracks, or absent members'
    (who is still present is filled in by the caller, which knows the channel)."""
    if sum([positions is not None, user_id is not None, absent]) != 1:
        raise InvalidArgument(argument="target", key="rules.remove_choose_one")
    if positions is not None:
        return parse_positions(positions)
    if user_id is not None:
        return RemoveRequester(user_id)
    return RemoveAbsent()


def touches_others(target: RemoveTarget, *, user_id: int, requesters: Iterable[int] = ()) -> bool:
    """Whether removing ``target`` could take someone else's track. For a range of positions, ``requesters``
    are who requested the tracks in it."""
    if isinstance(target, RemoveAbsent):
        return True
    if isinstance(target, RemoveRequester):
        return target.user_id != user_id
    assert isinstance(target, RemoveRange)
    return bool(set(requesters) - {user_id})


def may_remove(target: RemoveTarget, *, dj: bool, user_id: int, requesters: Iterable[int] = ()) -> bool:
    """A DJ may remove anything; anyone else only their own tracks."""
    return dj or not touches_others(target, user_id=user_id, requesters=requesters)
