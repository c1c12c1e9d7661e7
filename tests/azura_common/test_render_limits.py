"""Every text render.py builds fits Discord, whatever the tracks hold: 100 KB titles and authors, a link of
4,096 characters, a 100,000-track queue. Cut text ends with "…"; nothing is sent that Discord would refuse."""

from __future__ import annotations

from azura_common.koe.session import QueueItem, QueuePage, RepeatMode, SessionState, Track
from azura_common.render import (
    fit_message,
    mention,
    moved_text,
    now_playing_lines,
    queue_lines,
    queue_message,
    queued_text,
    shown_title,
    track_line,
    tracks_text,
)
from azura_common.rules.limits import MESSAGE_CHARS, SHOWN_AUTHOR_CHARS, SHOWN_TITLE_CHARS
from azura_common.rules.text import ELLIPSIS, echo, fit_lines, shorten

BIG = 100_000
WORST = Track(encoded="e", title="T" * BIG, author="A" * BIG, uri="https://e.x/" + "u" * 4_084, length_ms=200_000,
              requester_id=2**63 - 1)
SMALL = Track(encoded="e", title="Song", author="Band", uri="https://e.x/s", length_ms=200_000)
QUEUE_TOTAL = 100_000


def worst_state() -> SessionState:
    return SessionState(guild_id=1, channel_id=2, bot_id=3, connected=True, current=WORST,
                        current_position=QUEUE_TOTAL - 5, position_ms=90_000, paused=True, volume=1000,
                        repeat=RepeatMode.ALL, total=QUEUE_TOTAL, upcoming=5)


def worst_page() -> QueuePage:
    items = tuple(QueueItem(position=QUEUE_TOTAL - 9 + n, track=WORST) for n in range(10))
    return QueuePage(items=items, total=QUEUE_TOTAL, offset=QUEUE_TOTAL - 10, current_position=QUEUE_TOTAL - 5)


def test_a_track_line_shows_a_bounded_title_and_author_and_drops_a_giant_link() -> None:
    line = track_line(WORST, mention)
    assert f"**{'T' * (SHOWN_TITLE_CHARS - 1)}{ELLIPSIS}**" in line
    assert f" — {'A' * (SHOWN_AUTHOR_CHARS - 1)}{ELLIPSIS} " in line
    assert "https://" not in line  # a cut link would lead nowhere
    assert len(line) < 300
    assert track_line(SMALL) == "[Song](<https://e.x/s>) — Band (3:20)"  # what fits is shown as it is


def test_every_message_fits_discord_with_the_worst_tracks() -> None:
    texts = {
        "nowplaying": fit_message(now_playing_lines(worst_state(), mention)),
        "queue page": queue_message(worst_page(), "Queue in " + "c" * 10_000),
        "history": fit_message(["📜 **Recently played**", *queue_lines(worst_page(), mention)]),
        "queued one": queued_text([WORST], [QUEUE_TOTAL], started=True),
        "queued many": queued_text([WORST] * 10_000, list(range(1, 10_001)), started=False, source="P" * BIG),
        "moved": moved_text("⏭ Skipped", worst_state()),
        "removed": tracks_text([WORST]),
    }
    for what, text in texts.items():
        assert 0 < len(text) <= MESSAGE_CHARS, (what, len(text))
    assert "P" * SHOWN_TITLE_CHARS not in texts["queued many"] and ELLIPSIS in texts["queued many"]
    assert texts["nowplaying"].startswith("⏸ Paused **T") and texts["nowplaying"].endswith("🔁 repeat all")


def test_a_queue_page_keeps_its_header_and_marks_what_was_left_out() -> None:
    text = queue_message(worst_page(), "Queue in room")
    lines = text.splitlines()
    assert lines[0] == "📜 **Queue in room** — 100000 tracks, page 10000/10000"
    assert 1 < len(lines) <= 11
    if len(lines) < 11:  # not every entry fitted: the cut is shown
        assert lines[-1] == ELLIPSIS


def test_shorten_echo_and_fit_lines() -> None:
    assert shorten("abc", 3) == "abc" and shorten("abcd", 3) == "ab…" and len(shorten("x" * BIG, 100)) == 100
    assert echo("  " + "9" * 5_000) == "'" + "9" * 39 + "…'"
    assert fit_lines(["a", "b"], 3) == "a\nb"
    assert fit_lines(["aaaa", "bbbb", "cccc"], 10) == "aaaa\n…"
    assert fit_lines(["x" * 50], 10) == "x" * 9 + "…"
    assert shown_title(Track(encoded="e", title="[a]*`b`", length_ms=1)) == "⁅a⁆∗'b'"
