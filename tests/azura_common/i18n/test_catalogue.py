"""The catalogue is complete: every message in every language, with the same placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from azura_common.i18n import LANGUAGES, catalogue, language_of, messages, text


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(catalogue()))
def test_every_message_is_in_every_language_with_the_same_placeholders(key: str) -> None:
    entry = catalogue()[key]
    missing = [lang for lang in LANGUAGES if not entry.get(lang, "").strip()]
    assert not missing, f"{key} is missing in {missing}"
    extra = set(entry) - set(LANGUAGES)
    assert not extra, f"{key} names languages Azura does not speak: {extra}"
    english = _fields(entry["en"])
    for lang in LANGUAGES:
        assert _fields(entry[lang]) == english, f"{key} in {lang} has other placeholders than in English"


@pytest.mark.parametrize(
    ("locale", "language"),
    [(None, "en"), ("en-US", "en"), ("en-GB", "en"), ("de", "de"), ("es-ES", "es"), ("es-419", "es"),
     ("pt-BR", "pt-BR"), ("ja", "ja"), ("fr", "fr"), ("ko", "en"), ("", "en")],
)
def test_a_discord_locale_reads_its_language_or_english(locale: str | None, language: str) -> None:
    assert language_of(locale) == language


def test_text_fills_the_placeholders_in_the_users_language() -> None:
    if not catalogue():
        pytest.fail("the catalogue is empty")
    key, entry = next((k, e) for k, e in sorted(catalogue().items()) if _fields(e["en"]))
    params = {name: f"<{name}>" for name in _fields(entry["en"])}
    german = text(key, "de", **params)
    assert all(value in german for value in params.values())
    assert text(key, "de", **params) != text(key, "en-US", **params) or entry["de"] == entry["en"]


def test_no_area_writes_a_key_twice() -> None:
    """A dict literal keeps the last of two equal keys without a word: the first sentence would vanish."""
    twice: list[str] = []
    for path in sorted(Path(messages.__path__[0]).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
                twice += [f"{path.name}: {k}" for k in sorted(set(keys)) if keys.count(k) > 1]
    assert not twice, f"keys written twice (the first is lost): {twice}"
