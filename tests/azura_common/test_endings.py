"""An ended player says why in its server's language: every reason a session ends with reads translated, the
English stays as it was, and words the catalogue does not know are shown as they are."""

from __future__ import annotations

import pytest

from azura_common.endings import ending_text
from azura_common.koe.session import CloseReason, Ending

DETAILS = ["kicked from voice", "moved out of its channel", "the voice connection keeps failing",
           "couldn't rejoin the voice channel", "idle: nobody listening", "idle: the queue ended", "nothing to play"]


@pytest.mark.parametrize("ending", [*(Ending(reason) for reason in CloseReason),
                                    *(Ending(CloseReason.KICKED, detail) for detail in DETAILS)], ids=str)
def test_every_ending_reads_in_german_and_unchanged_in_english(ending: Ending) -> None:
    assert ending_text(str(ending), "en") == str(ending)
    assert ending_text(str(ending), "de") != str(ending)


def test_who_ended_it_is_named_in_the_sentence() -> None:
    assert ending_text("/leave by Zoë", "de") == "/leave von Zoë"
    assert ending_text("leave pressed by Zoë", "fr") == "Zoë a appuyé sur quitter"
    assert ending_text("leave pressed by Zoë", "en") == "leave pressed by Zoë"


def test_words_the_catalogue_does_not_know_are_shown_as_they_are() -> None:
    assert ending_text("the cat unplugged it", "ja") == "the cat unplugged it"
