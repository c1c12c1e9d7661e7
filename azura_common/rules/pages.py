"""Paging through a queue or a playlist: which page holds what. Pure."""

from __future__ import annotations

from azura_common.koe.errors import InvalidArgument

from .limits import PAGE

__all__ = ["check_playlist_page", "history_window", "page_count", "page_of", "queue_offset"]


def page_count(total: int, per_page: int = PAGE) -> int:
    """Pages needed for ``total`` entries; an empty list still has its one (empty) page."""
    return max(1, -(-total // per_page))


def page_of(offset: int, per_page: int = PAGE) -> int:
    """The 1-based page number that starts at ``offset`` (0-based)."""
    return offset // per_page + 1


def queue_offset(page: int | None, *, current_position: int, total: int) -> int:
    """Where page ``page`` of a queue starts (0-based); no page: the one holding the current track."""
    if page is None:
        return max(0, current_position - 1) // PAGE * PAGE if current_position else 0
    offset = (page - 1) * PAGE
    if total and offset >= total:
        raise InvalidArgument(argument="page", key="rules.queue_pages", params={"pages": page_count(total)})
    return offset


def history_window(*, current_position: int, total: int) -> tuple[int, int] | None:
    """``(offset, limit)`` of the last page of what played before the current track; None if nothing has."""
    played = (current_position - 1) if current_position else total
    if played <= 0:
        return None
    return max(0, played - PAGE), min(PAGE, played)


def check_playlist_page(page: int, *, total: int, name: str) -> None:
    """Page ``page`` of playlist ``name`` (``total`` entries) exists, or a friendly error says how many do."""
    pages = page_count(total)
    if page > pages:
        key = "rules.playlist_pages" if pages > 1 else "rules.playlist_one_page"
        raise InvalidArgument(argument="page", key=key, params={"name": name, "pages": pages})
