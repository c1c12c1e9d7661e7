"""Text users read: durations, progress bars, now-playing lines, queue pages. Pure: no discord.

Everything here fits Discord's limits whatever the tracks hold: a title, an author or a link is cut (with
"…") to what one line may show, and a whole message to ``MESSAGE_CHARS``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .i18n import text
from .koe.autoplay import is_autoplay
from .koe.session import QueuePage, RepeatMode, SessionState, Track
from .rules.limits import MESSAGE_CHARS, SHOWN_AUTHOR_CHARS, SHOWN_LINK_CHARS, SHOWN_TITLE_CHARS
from .rules.pages import page_count, page_of
from .rules.text import fit_lines, shorten

__all__ = [
    "fit_message",
    "format_duration",
    "live_badge",
    "mention",
    "moved_text",
    "now_playing_lines",
    "progress_bar",
    "queue_lines",
    "queue_message",
    "queued_text",
    "shown_title",
    "track_line",
    "tracks_text",
]

Names = Callable[[int], str]
"""User id → a display mention (``<@id>`` on Discord)."""


def mention(user_id: int) -> str:
    """How Discord writes a mention of a user (shown as their name; pings are turned off where it matters)."""
    return f"<@{user_id}>"


def format_duration(ms: int) -> str:
    seconds = max(0, ms) // 1000
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


def live_badge(locale: str | None = None) -> str:
    """What a live stream shows instead of its length or a timeline (it has neither)."""
    return text("streams.live", locale)


def progress_bar(position_ms: int, length_ms: int, width: int = 18, *, locale: str | None = None) -> str:
    if length_ms <= 0:
        return live_badge(locale)
    filled = min(width - 1, max(0, round(width * position_ms / length_ms)))
    return "▬" * filled + "🔘" + "▬" * (width - filled - 1)


def _escape(text: str) -> str:
    return text.replace("[", "⁅").replace("]", "⁆").replace("*", "∗").replace("`", "'")


def fit_message(lines: Sequence[str]) -> str:
    """Lines as one Discord message: whole lines while they fit, then "…"."""
    return fit_lines(lines, MESSAGE_CHARS)


def shown_title(track: Track) -> str:
    """A track's title as one line shows it (escaped, at most ``SHOWN_TITLE_CHARS``)."""
    return _escape(shorten(track.title, SHOWN_TITLE_CHARS))


def track_line(track: Track, names: Names | None = None, *, link: bool = True, locale: str | None = None) -> str:
    """One track: its title (linked when ``link`` and its link is not too long), author, length, requester."""
    title = shown_title(track)
    linked = link and track.uri and len(track.uri) <= SHOWN_LINK_CHARS and ">" not in track.uri
    shown = f"[{title}](<{track.uri}>)" if linked else f"**{title}**"
    length = live_badge(locale) if track.is_stream else format_duration(track.play_length_ms)
    by = f" — {_escape(shorten(track.author, SHOWN_AUTHOR_CHARS))}" if track.author else ""
    who = f" · {names(track.requester_id)}" if names and track.requester_id else ""
    if names and is_autoplay(track):  # -- autoplay --: queued by autoplay, not by a user
        who = " · " + text("render.autoplay_requester", locale)
    return f"{shown}{by} ({length}){who}"


def tracks_text(tracks: Sequence[Track], locale: str | None = None) -> str:
    """One track's line, or how many tracks there are."""
    return track_line(tracks[0], locale=locale) if len(tracks) == 1 else text("render.tracks", locale,
                                                                               count=len(tracks))


_REPEAT = {RepeatMode.NONE: "", RepeatMode.ONE: "render.repeat_one", RepeatMode.ALL: "render.repeat_all"}


def now_playing_lines(state: SessionState, names: Names | None = None, *, locale: str | None = None) -> list[str]:
    """The body of a now-playing message, in the language of ``locale``."""
    track = state.current
    if track is None:
        return [text("render.nothing_playing", locale)]
    elapsed = max(0, state.position_ms - track.start_ms)
    length = track.play_length_ms
    status = text("render.paused" if state.paused else "render.playing", locale)
    lines = [
        f"{status} {track_line(track, names, locale=locale)}",
        live_badge(locale) if track.is_stream else f"{progress_bar(elapsed, length, locale=locale)} "
                                                   f"`{format_duration(elapsed)} / {format_duration(length)}`",
    ]
    extras = [text("render.position_of", locale, position=state.current_position, total=state.total),
              f"🔊 {state.volume}%"]
    if state.upcoming:
        extras.insert(1, text("render.up_next", locale, count=state.upcoming))
    if _REPEAT[state.repeat]:
        extras.append(text(_REPEAT[state.repeat], locale))
    if state.autoplay:  # -- autoplay --
        extras.append(text("render.autoplay_on", locale))
    lines.append(" · ".join(extras))
    if state.effects.active:  # -- effects --
        lines.append(text("effects.nowplaying", locale, effects=" · ".join(state.effects.names(locale))))
    return lines


def queue_lines(
    page: QueuePage, names: Names | None = None, *, links: bool = True, locale: str | None = None
) -> list[str]:
    """One line per entry: history, the current track (▶) and what comes next, with absolute positions."""
    if not page.items:
        return [text("render.queue_empty" if page.total == 0 else "render.page_empty", locale)]
    width = len(str(page.items[-1].position))
    lines = []
    for item in page.items:
        marker = "▶" if item.position == page.current_position else ("✓" if item.position < page.current_position
                                                                       or page.current_position == 0 else " ")
        lines.append(f"`{marker}{item.position:>{width}}.` "
                     f"{track_line(item.track, names, link=links, locale=locale)}")
    return lines


def queue_message(page: QueuePage, title: str, locale: str | None = None) -> str:
    """One page of ``/queue``: a header with the page number, then the entries."""
    head = text("render.queue_head", locale, title=shorten(title, SHOWN_TITLE_CHARS), total=page.total,
                page=page_of(page.offset), pages=page_count(page.total))
    lines = [head, *queue_lines(page, mention, locale=locale)]
    if len("\n".join(lines)) > MESSAGE_CHARS:  # every entry, unlinked, rather than some entries linked
        lines = [head, *queue_lines(page, mention, links=False, locale=locale)]
    return fit_message(lines)


def queued_text(
    tracks: Sequence[Track], positions: Sequence[int], started: bool, source: str | None = None,
    locale: str | None = None,
) -> str:
    """What ``/play`` and ``/playlist play`` answer: what went where, and whether it started playing."""
    if len(tracks) == 1:
        head = text("render.queued_one", locale, track=track_line(tracks[0], locale=locale), position=positions[0])
    else:
        total = sum(t.play_length_ms for t in tracks)
        origin = text("render.queued_from", locale, source=_escape(shorten(source, SHOWN_TITLE_CHARS))) \
            if source else ""
        head = text("render.queued_many", locale, count=len(tracks), origin=origin, length=format_duration(total),
                    span=f"#{min(positions)}–#{max(positions)}")
    return head + text("render.playing_now" if started else "render.sentence_end", locale)


def moved_text(verb: str, state: SessionState, locale: str | None = None) -> str:
    """Where a skip or a back landed: ``⏭ Skipped to **#3** …`` or the end of the queue."""
    if state.current is None:
        return text("render.moved_to_end", locale, verb=verb)
    return text("render.moved_to", locale, verb=verb, position=state.current_position,
                track=track_line(state.current, locale=locale))
