"""No sentence a Discord user reads is written in the code: the answers the bots send and the errors they raise
come from the catalogue (``azura_common.i18n``), so they read in the user's language.

Read from the source with ``ast``: a string with words, given to what sends a message (``reply_privately``,
``send_done``, ``send_message``, ``edit_message``, ``edit_original_response``, ``send``, ``content=``) or as
the sentence of a ``KoeError`` raised in code that serves users, or what a command's ``work`` returns (its
answer), is English nobody can translate."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from azura_common.koe.errors import error_kinds

ROOT = Path(__file__).resolve().parents[3]
SENDERS = {"reply_privately", "send_done", "send_message", "edit_message", "edit_original_response", "send"}
USER_FACING = [
    *sorted((ROOT / "azura_parent" / "commands").glob("*.py")),
    ROOT / "azura_parent" / "cluster_status.py",
    ROOT / "azura_parent" / "recovery.py",
    ROOT / "azura_parent" / "store" / "playlists.py",
    ROOT / "azura_common" / "nowplaying.py",
    ROOT / "azura_common" / "nowplaying_view.py",
    ROOT / "azura_common" / "endings.py",
    ROOT / "azura_common" / "render.py",
    ROOT / "azura_common" / "koe" / "playback.py",
    ROOT / "azura_common" / "koe" / "effects.py",
    ROOT / "azura_common" / "koe" / "validation.py",
    ROOT / "azura_common" / "koe" / "local" / "player.py",
    ROOT / "azura_common" / "koe" / "local" / "session.py",
    ROOT / "azura_common" / "koe" / "local" / "lyrics.py",
    ROOT / "azura_common" / "koe" / "local" / "lavalink.py",
    ROOT / "azura_common" / "koe" / "koe.py",
    ROOT / "azura_common" / "koe" / "parked.py",
    ROOT / "azura_common" / "voicebot.py",
    ROOT / "azura_common" / "rules" / "picker.py",
]
WORDS = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}")  # two words in a row: a sentence, not a mark or an id
ERRORS = {cls.__name__ for cls in error_kinds().values()} | {"PlaylistNotFound", "NotInVoice"}


def _words(node: ast.expr | None) -> str | None:
    """The literal text of ``node`` when it holds words (a plain or an f-string), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        found = node.value
    elif isinstance(node, ast.JoinedStr):
        found = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    else:
        return None
    return found if WORDS.search(found) else None


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def hardcoded(source: str, where: str) -> Iterator[str]:
    """``where:line: text`` for each sentence written in ``source`` that a user would read, in line order."""
    tree = ast.parse(source)
    answers = [node.value for work in ast.walk(tree) if isinstance(work, ast.AsyncFunctionDef) and work.name == "work"
               for node in ast.walk(work) if isinstance(node, ast.Return)]  # a session command's answer
    for answer in answers:
        if (found := _words(answer)) is not None:
            yield f"{where}:{answer.lineno}: {found!r}"
    for node in sorted(ast.walk(tree), key=lambda node: getattr(node, "lineno", 0)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node)
        candidates: list[ast.expr] = []
        if name in SENDERS:
            candidates += node.args[1:] if name in ("reply_privately", "send_done") else node.args
        if name in ERRORS and node.args:
            candidates.append(node.args[0])
        candidates += [kw.value for kw in node.keywords if kw.arg == "content"]
        for candidate in candidates:
            found = _words(candidate)
            if found is not None:
                yield f"{where}:{node.lineno}: {found!r}"


def test_the_scan_finds_a_sentence_written_in_the_code() -> None:
    planted = ('async def f(i):\n    await send_done(i, f"Paused in {i.channel}.")\n'
               '    raise NoSession("This session has ended.")\n    await reply_privately(i, "⚠️")\n'
               '    await message.edit(content=text("nowplaying.ended", None))\n'
               '    async def work(voice, session):\n        return f"🔀 Shuffled {n} tracks."\n')
    assert list(hardcoded(planted, "sample.py")) == [
        "sample.py:7: '🔀 Shuffled  tracks.'", "sample.py:2: 'Paused in .'", "sample.py:3: 'This session has ended.'"]


@pytest.mark.parametrize("path", USER_FACING, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_user_facing_sentence_is_written_in_the_code(path: Path) -> None:
    found = list(hardcoded(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))))
    assert not found, "English a user reads, not from the catalogue:\n" + "\n".join(found)
