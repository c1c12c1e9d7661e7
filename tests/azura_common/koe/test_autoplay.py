"""Autoplay's pure decisions: which lookups a seed gives, which related tracks may play (never the session's
last 50, no song twice, no streams), and that they are marked as autoplay's."""

from __future__ import annotations

from dataclasses import replace

from azura_common.koe.autoplay import (
    AUTOPLAY_REQUESTER_ID,
    RECENT_TRACKS,
    RelatedQuery,
    is_autoplay,
    pick_related,
    related_queries,
)
from azura_common.koe.session import Track


def track(n: int, *, source: str = "youtube", author: str = "Mira Solano", **fields: object) -> Track:
    base = Track(encoded=f"enc{n}", title=f"Song {n}", author=author, uri=f"https://www.youtube.com/watch?v=id{n}",
                 length_ms=200_000, identifier=f"id{n}", source=source, requester_id=4242)
    return replace(base, **fields)  # type: ignore[arg-type]


def test_a_youtube_seed_asks_for_its_mix_then_its_artist() -> None:
    assert related_queries(track(7)) == (
        RelatedQuery("https://www.youtube.com/watch?v=id7&list=RDid7", True),
        RelatedQuery("Mira Solano", False),
    )


def test_a_spotify_seed_asks_lavasrc_for_recommendations() -> None:
    assert related_queries(track(3, source="spotify"))[0] == RelatedQuery("sprec:seed_tracks=id3", True)


def test_other_sources_search_the_artist_and_a_seed_without_artist_or_id_gives_nothing() -> None:
    assert related_queries(track(1, source="soundcloud")) == (RelatedQuery("Mira Solano", False),)
    assert related_queries(track(1, source="http", author="  ", identifier="")) == ()


def test_picks_are_marked_autoplay_untrimmed_in_candidate_order() -> None:
    history = [track(1)]
    picked = pick_related([track(2, start_ms=5_000, end_ms=9_000), track(3), track(4), track(5)], history)
    assert [t.identifier for t in picked] == ["id2", "id3", "id4"]  # a batch of three
    assert all(is_autoplay(t) and t.requester_id == AUTOPLAY_REQUESTER_ID for t in picked)
    assert picked[0].start_ms == 0 and picked[0].end_ms is None
    assert not is_autoplay(track(2))


def test_none_of_the_last_fifty_but_older_ones_may_come_back() -> None:
    history = [track(n) for n in range(60)]  # 0..9 are older than the last 50
    candidates = [track(n) for n in range(60)]
    picked = pick_related(candidates, history, batch=20)
    assert [t.identifier for t in picked] == [f"id{n}" for n in range(60 - RECENT_TRACKS)]


def test_the_same_song_twice_is_one_song() -> None:
    history = [track(1)]
    reupload = track(9, title="song 1 ", author="MIRA SOLANO")  # another upload of a song that just played
    same_link = track(10, uri="https://www.youtube.com/watch?v=id1")
    twice = [track(2), track(2, encoded="other blob")]
    picked = pick_related([reupload, same_link, *twice, track(3)], history)
    assert [t.identifier for t in picked] == ["id2", "id3"]


def test_streams_are_never_picked_and_nothing_eligible_is_empty() -> None:
    assert pick_related([track(2, is_stream=True)], []) == ()
    assert pick_related([track(1)], [track(1)]) == ()
