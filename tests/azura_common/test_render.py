"""What users read: durations, the progress bar, now-playing lines and queue pages."""

from __future__ import annotations

from azura_common.koe.session import QueueItem, QueuePage, RepeatMode, SessionState, Track
from azura_common.render import format_duration, now_playing_lines, progress_bar, queue_lines, track_line

SONG = Track(encoded="x", title="Song [Live]", author="Band", uri="https://e.x/s", length_ms=200_000, requester_id=7)


def test_durations_and_bar() -> None:
    assert format_duration(61_000) == "1:01" and format_duration(3_600_000) == "1:00:00"
    bar = progress_bar(100_000, 200_000, width=10)
    assert bar.index("🔘") == 5 and len(bar) == 10
    assert progress_bar(0, 0) == "🔴 LIVE"


def test_track_line_escapes_markdown_and_names_the_requester() -> None:
    line = track_line(SONG, lambda uid: f"@{uid}")
    assert line == "[Song ⁅Live⁆](<https://e.x/s>) — Band (3:20) · @7"
    trimmed = Track(encoded="x", title="T", length_ms=200_000, start_ms=20_000, end_ms=80_000)
    assert track_line(trimmed) == "**T** (1:00)"


def test_now_playing_lines() -> None:
    state = SessionState(guild_id=1, channel_id=2, bot_id=3, current=SONG, current_position=4, position_ms=50_000,
                         paused=True, volume=80, repeat=RepeatMode.ALL, total=9, upcoming=5)
    first, bar, extras = now_playing_lines(state)
    assert first.startswith("⏸ Paused [Song")
    assert bar.endswith("`0:50 / 3:20`")
    assert extras == "#4 of 9 · 5 up next · 🔊 80% · 🔁 repeat all"
    assert now_playing_lines(SessionState(guild_id=1, channel_id=2, bot_id=3))[0].startswith("Nothing is playing")


def test_queue_lines_mark_history_current_and_upcoming() -> None:
    page = QueuePage(items=tuple(QueueItem(p, SONG) for p in (9, 10, 11)), total=11, current_position=10, offset=8)
    lines = queue_lines(page)
    assert [line[:5] for line in lines] == ["`✓ 9.", "`▶10.", "` 11."]
    assert queue_lines(QueuePage(items=(), total=0, current_position=0, offset=0)) == ["The queue is empty."]
