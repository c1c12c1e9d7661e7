"""One card per voice channel session: what the server page shows of it, read once per change and shared by
every browser watching (the feed renders it per viewer, in the viewer's language: so the effects stay raw).
Plain data; the names come from the parent's cache."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from azura_common.koe.autoplay import is_autoplay
from azura_common.koe.effects import Effects
from azura_common.koe.session import Session, Track
from azura_common.render import format_duration, shown_title

__all__ = ["QUEUE_SHOWN", "Card", "CardTrack", "read_card"]

QUEUE_SHOWN = 15  # upcoming entries listed on a card; the count says how many more
Names = Callable[[int], str]


@dataclass(frozen=True, slots=True)
class CardTrack:
    position: int
    title: str
    author: str
    uri: str
    length: str  # 3:25 ("" for a live stream: the page shows its LIVE badge)
    length_ms: int
    requester: str  # a display name, or "" (a playlist without one; autoplay's tracks say so instead)
    live: bool  # a stream: no length, no progress bar, no seeking
    by_autoplay: bool

    @classmethod
    def of(cls, position: int, track: Track, names: Names) -> CardTrack:
        by_autoplay = is_autoplay(track)
        requester = names(track.requester_id) if track.requester_id and not by_autoplay else ""
        length = "" if track.is_stream else format_duration(track.play_length_ms)
        return cls(position, shown_title(track), track.author, track.uri, length, track.play_length_ms, requester,
                   track.is_stream, by_autoplay)


@dataclass(frozen=True, slots=True)
class Card:
    guild_id: int
    channel_id: int
    channel_name: str
    bot_id: int
    bot_name: str
    current: CardTrack | None
    position_ms: int
    read_at_ms: int  # wall clock when position_ms was read: the page's clock moves the bar on from there
    paused: bool
    volume: int
    repeat: str
    upcoming: tuple[CardTrack, ...]
    more: int  # upcoming entries not listed
    total: int
    effects: Effects  # raw: every viewer reads its labels in their own language (``effect_names``)
    autoplay: bool

    @property
    def effect_preset(self) -> str:
        return self.effects.preset  # "" for none

    @property
    def equalizer(self) -> str:
        return self.effects.equalizer  # "" for flat

    def effect_names(self, locale: str | None) -> list[str]:
        """What is on, short, in ``locale``'s language ("nightcore", "EQ rock"); none: the sound is unchanged."""
        return self.effects.names(locale)

    @property
    def progress_percent(self) -> float:
        if self.current is None or self.current.live or self.current.length_ms <= 0:
            return 0.0
        return min(100.0, 100.0 * self.position_ms / self.current.length_ms)

    @property
    def position(self) -> str:
        return format_duration(self.position_ms)


async def read_card(session: Session, channel_name: str, names: Names) -> Card:
    """The session's card now (two reads: its state, and the current track plus what is next)."""
    state = await session.get_state()
    page = await session.get_queue(max(0, state.current_position - 1), QUEUE_SHOWN + 1)
    upcoming = tuple(CardTrack.of(i.position, i.track, names) for i in page.items
                     if i.position > state.current_position)[:QUEUE_SHOWN]
    current = CardTrack.of(state.current_position, state.current, names) if state.current else None
    return Card(
        guild_id=state.guild_id, channel_id=state.channel_id, channel_name=channel_name, bot_id=state.bot_id,
        bot_name=names(state.bot_id), current=current, position_ms=state.position_ms,
        read_at_ms=int(time.time() * 1000), paused=state.paused, volume=state.volume, repeat=state.repeat.value,
        upcoming=upcoming, more=max(0, state.upcoming - len(upcoming)), total=state.total,
        effects=state.effects, autoplay=state.autoplay,
    )
