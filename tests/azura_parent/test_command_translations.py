"""The slash commands in Azura's languages: every registered command has its catalogue entries (the test names
the missing ones), every localised name is one Discord accepts, and a command without entries stays English."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest_asyncio
from discord import app_commands

from azura_common.i18n import catalogue
from azura_parent.bot import ParentBot
from azura_parent.commands.translator import LOCALISED, CatalogueTranslator, missing_keys
from azura_parent.config import ParentConfig
from azura_sandbox.fake_discord.locales import LOCALES, command_name_ok

SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "discord-openapi.json"
WANTED = {"de", "es-ES", "es-419", "fr", "pt-BR", "ja"}


@pytest_asyncio.fixture
async def bot(tmp_path: Path) -> AsyncIterator[ParentBot]:
    parent = ParentBot(ParentConfig.from_env({"AZURA_PARENT_TOKEN": "t", "AZURA_DB_PATH": str(tmp_path / "db")}))
    await parent.tree.set_translator(CatalogueTranslator())
    try:
        yield parent
    finally:
        await parent.close()


async def payloads(tree: app_commands.CommandTree[Any]) -> list[dict[str, Any]]:
    """What ``tree.sync()`` sends Discord."""
    assert tree.translator is not None
    return [await c.get_translated_payload(tree, tree.translator) for c in tree.get_commands()]


def walk(nodes: list[dict[str, Any]], where: str = "") -> list[tuple[str, str, dict[str, Any]]]:
    """Every command, option and choice of a payload: (path, kind, node)."""
    found = []
    for node in nodes:
        path = f"{where} {node['name']}".strip()
        kind = "option" if node.get("type") in range(3, 12) and where else "command"
        found.append((path, kind, node))
        for choice in node.get("choices") or []:
            found.append((f"{path}={choice['value']}", "choice", choice))
        found.extend(walk(node.get("options") or [], path))
    return found


async def test_every_registered_command_has_its_translations(bot: ParentBot) -> None:
    missing = missing_keys(bot.tree)
    assert not missing, (
        f"{len(missing)} catalogue entries missing for registered commands (add them to "
        f"azura_common/i18n/messages/commands.py): {missing}"
    )


async def test_the_catalogues_english_is_the_commands_english(bot: ParentBot) -> None:
    # The catalogue's English must say what the code says, else a translation drifts from its source.
    for path, kind, node in walk(await payloads(bot.tree)):
        if kind == "choice":
            assert catalogue()[f"commands.choice.{node['value']}"]["en"] == node["name"], path
        else:
            names = path.split(" ")
            key = "commands." + ".".join([*names[:-1], "option", names[-1]] if kind == "option" else names)
            assert catalogue()[f"{key}.name"]["en"] == node["name"], path
            assert catalogue()[f"{key}.description"]["en"] == node["description"], path


async def test_every_command_option_and_choice_is_localised_in_every_language(bot: ParentBot) -> None:
    assert {str(locale) for locale in LOCALISED} == WANTED
    for path, kind, node in walk(await payloads(bot.tree)):
        assert set(node.get("name_localizations") or {}) == WANTED, path
        if kind != "choice":
            assert set(node.get("description_localizations") or {}) == WANTED, path


async def test_localised_names_follow_discords_rules_and_are_unique_per_level(bot: ParentBot) -> None:
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)  # (parent path, locale) → names there
    for path, kind, node in walk(await payloads(bot.tree)):
        for locale, name in (node.get("name_localizations") or {}).items():
            if kind == "choice":
                assert 1 <= len(name) <= 100, (path, locale, name)
                continue
            assert command_name_ok(name), f"/{path} in {locale}: {name!r} is not a valid command name"
            assert name == name.lower() and len(name) <= 32, (path, locale, name)
            seen[(path.rpartition(" ")[0], locale)].append(name)
        for locale, description in (node.get("description_localizations") or {}).items():
            assert 1 <= len(description) <= 100, (path, locale, description)
    duplicates = {where: names for where, names in seen.items() if len(names) != len(set(names))}
    assert not duplicates, duplicates


async def test_a_command_without_entries_stays_english_and_the_list_names_it() -> None:
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)

    @tree.command(name="karaoke", description="Sing along.")
    async def karaoke(interaction: discord.Interaction, key: int) -> None: ...

    @tree.command(name="queue", description="Show the queue: history, what's playing and what's next.")
    async def queue(interaction: discord.Interaction) -> None: ...

    await tree.set_translator(CatalogueTranslator())
    sent = {p["name"]: p for p in await payloads(tree)}
    assert sent["karaoke"]["name"] == "karaoke" and sent["karaoke"]["description"] == "Sing along."
    assert not sent["karaoke"].get("name_localizations") and not sent["karaoke"]["options"][0].get("name_localizations")
    assert sent["queue"]["name_localizations"]["de"] == "warteschlange"  # a known one is still translated
    assert missing_keys(tree) == ["commands.karaoke.description", "commands.karaoke.name",
                                  "commands.karaoke.option.key.description", "commands.karaoke.option.key.name"]


def test_the_locales_are_discords() -> None:
    assert SPEC.is_file(), f"Discord's OpenAPI spec is not at {SPEC}"
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    available = {item["const"] for item in spec["components"]["schemas"]["AvailableLocalesEnum"]["oneOf"]}
    assert LOCALES == available  # the fake accepts exactly Discord's locales
    assert {str(locale) for locale in LOCALISED} <= available
