"""The LavaLyrics Lyrics object read as Koe lyrics: synced lines, plain text, nothing; the line sung at a position."""

from __future__ import annotations

from azura_common.koe.lyrics import LYRICS_PAGE, lyrics_from_json


def test_synced_lines_give_the_line_sung_at_a_position() -> None:
    lyrics = lyrics_from_json({
        "sourceName": "spotify", "provider": "MusixMatch", "text": None, "plugin": {},
        "lines": [{"timestamp": 16_770, "duration": None, "line": "Took a walk", "plugin": {}},
                  {"timestamp": 20_000, "duration": 1_000, "line": "to the water", "plugin": {}},
                  {"timestamp": 214_480, "duration": None, "line": "", "plugin": {}}],
    })
    assert lyrics is not None and lyrics.synced and lyrics.provider == "MusixMatch"
    assert lyrics.current_index(0) is None  # before the first line
    assert lyrics.current_index(16_770) == 0 and lyrics.current_index(19_999) == 0
    assert lyrics.current_index(25_000) == 1 and lyrics.current_index(300_000) == 2


def test_plain_text_is_split_into_lines_with_no_line_sung() -> None:
    lyrics = lyrics_from_json({"sourceName": "youtube", "provider": "Genius", "text": "one\ntwo\nthree", "lines": []})
    assert lyrics is not None and not lyrics.synced
    assert [line.text for line in lyrics.lines] == ["one", "two", "three"]
    assert lyrics.current_index(10_000) is None


def test_no_words_at_all_is_no_lyrics() -> None:
    assert lyrics_from_json({"text": "  \n", "lines": [{"timestamp": 0, "line": ""}]}) is None
    assert lyrics_from_json({}) is None


def test_pages_hold_the_sung_line() -> None:
    lines = [{"timestamp": i * 1000, "line": f"line {i}"} for i in range(LYRICS_PAGE * 2 + 1)]
    lyrics = lyrics_from_json({"lines": lines})
    assert lyrics is not None and lyrics.pages == 3
    assert lyrics.page_of(None) == 1 and lyrics.page_of(LYRICS_PAGE) == 2
    start, shown = lyrics.page_lines(9)  # clamped to the last page
    assert start == LYRICS_PAGE * 2 and [line.text for line in shown] == [f"line {LYRICS_PAGE * 2}"]
