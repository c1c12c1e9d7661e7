"""What users read: durations, the progress bar, now-playing lines and queue pages."""

from __future__ import annotations

from azura_common.koe.session import QueueItem, QueuePage, RepeatMode, SessionState, Track
from azura_common.render import (
    format_duration,
    mention,
    moved_text,
    now_playing_lines,
    progress_bar,
    queue_lines,
    queue_message,
    queued_text,
    track_line,
    tracks_text,
)

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


def test_queued_text_for_one_track_and_for_many() -> None:
    assert queued_text([SONG], (4,), started=False) == (
        "🎶 Queued [Song ⁅Live⁆](<https://e.x/s>) — Band (3:20) at **#4**.")
    many = [SONG, Track(encoded="y", title="B", length_ms=100_000)]
    assert queued_text(many, (2, 3), started=True, source="Mix") == (
        "🎶 Queued **2 tracks** from **Mix** (5:00) at **#2–#3** — playing now.")
    assert queued_text(many, (7, 5), started=False) == "🎶 Queued **2 tracks** (5:00) at **#5–#7**."


def test_queue_message_numbers_its_page() -> None:
    page = QueuePage(items=tuple(QueueItem(p, SONG) for p in (11, 12)), total=12, current_position=11, offset=10)
    text = queue_message(page, "Queue in room")
    assert text.splitlines()[0] == "📜 **Queue in room** — 12 tracks, page 2/2"
    assert text.splitlines()[1].startswith("`▶11.` [Song") and text.endswith(f"· {mention(7)}")


def test_where_a_skip_landed_and_how_many_tracks() -> None:
    state = SessionState(guild_id=1, channel_id=2, bot_id=3, current=SONG, current_position=5)
    assert moved_text("⏭ Skipped", state) == "⏭ Skipped to **#5** [Song ⁅Live⁆](<https://e.x/s>) — Band (3:20)."
    assert moved_text("⏮ Back", SessionState(guild_id=1, channel_id=2, bot_id=3)) == (
        "⏮ Back: that was the end of the queue.")
    assert tracks_text([SONG]) == track_line(SONG) and tracks_text([SONG, SONG, SONG]) == "3 tracks"
    assert mention(42) == "<@42>"
