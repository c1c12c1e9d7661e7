"""The fake Discord checks message components as Discord does (its published spec's limits) and lets a user
choose options in a select menu; real discord.py sends the menus and receives the choices."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import discord
import pytest
from live_discord import Server

from azura_sandbox.fake_discord.components import LIMITS, component_errors
from azura_sandbox.fake_discord.core import SandboxError
from azura_sandbox.fake_discord.openapi import SpecValidator

SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "discord-openapi.json"
MENU_SCHEMA = {"$ref": "#/components/schemas/StringSelectComponentForMessageRequest"}


def menu(options: int = 3, **fields: Any) -> dict[str, Any]:
    return {"type": 3, "custom_id": "pick", "min_values": 1, "max_values": 2,
            "options": [{"label": f"Song {i}", "value": str(i), "description": "by someone"} for i in range(options)],
            **fields}


def row(*items: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": 1, "components": list(items)}]


def errors_at(components: Any) -> list[str]:
    """Every field path the fake's 400 would name, as "0.components.0.options.1.label"."""
    found: list[str] = []

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        for key, value in node.items():
            if key == "_errors":
                found.append(".".join(path))
            else:
                walk(value, (*path, key))

    walk(component_errors(components), ())
    return found


def test_a_valid_menu_and_buttons_pass() -> None:
    assert component_errors(row(menu(25, max_values=25))) == {}
    buttons = ({"type": 2, "style": 1, "custom_id": f"b{i}", "label": "ok"} for i in range(5))
    assert component_errors(row(*buttons)) == {}
    assert component_errors([]) == {}


def test_each_broken_limit_is_named_where_discord_names_it() -> None:
    long = "x" * 101
    broken = menu(3)
    broken["options"][1]["label"] = long
    broken["options"][2]["description"] = long
    assert errors_at(row(broken)) == ["0.components.0.options.1.label", "0.components.0.options.2.description"]
    assert errors_at(row(menu(26, max_values=25))) == ["0.components.0.options"]
    assert errors_at(row(menu(0, max_values=1))) == ["0.components.0.options"]
    assert errors_at(row(menu(3, max_values=4))) == ["0.components.0.max_values"]
    assert errors_at(row(menu(3, min_values=3, max_values=2))) == ["0.components.0.min_values"]
    assert errors_at(row(menu(3, custom_id="c" * 101))) == ["0.components.0.custom_id"]
    twice = menu(2)
    twice["options"][1]["value"] = "0"
    assert errors_at(row(twice)) == ["0.components.0.options.1.value"]
    assert errors_at(row(menu(2), {"type": 2, "style": 1, "custom_id": "b"})) == ["0.components.0"]
    assert errors_at([row(menu(2, custom_id=f"m{i}"))[0] for i in range(6)]) == [""]  # 6 rows: one too many
    assert errors_at(row(menu(2)) * 2) == ["1.components.0.custom_id"]  # the same custom_id twice


def test_the_limits_are_the_specs_and_the_verdicts_agree_with_it() -> None:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    select, option = schemas["StringSelectComponentForMessageRequest"], schemas["StringSelectOptionForRequest"]
    assert LIMITS["custom_id"] == select["properties"]["custom_id"]["maxLength"]
    assert LIMITS["placeholder"] == select["properties"]["placeholder"]["maxLength"]
    assert LIMITS["options"] == select["properties"]["options"]["maxItems"]
    values = select["properties"]
    assert LIMITS["values"] == values["max_values"]["maximum"] == values["min_values"]["maximum"]
    for name in ("label", "value", "description"):
        assert LIMITS[f"option_{name}"] == option["properties"][name]["maxLength"]
    validator = SpecValidator(spec)
    cases = [menu(3), menu(25, max_values=25), menu(26, max_values=25), menu(0), menu(3, custom_id="c" * 101),
             menu(3, placeholder="p" * 151)]
    for field in ("label", "value", "description"):
        for length in (100, 101):
            case = menu(3)
            case["options"][0][field] = "y" * length
            cases.append(case)
    for case in cases:  # what the spec's schema can say (not max_values vs options): the fake says the same
        assert (validator.validate(MENU_SCHEMA, copy.deepcopy(case)) == []) == (errors_at(row(case)) == []), case


async def test_a_bot_is_refused_a_broken_menu_and_a_user_chooses_in_a_good_one(server: Server) -> None:
    client = await server.start_bot("picker")
    channel = client.get_channel(server.text.id)
    assert isinstance(channel, discord.TextChannel)
    chosen: asyncio.Future[list[str]] = asyncio.get_running_loop().create_future()

    class Picker(discord.ui.View):
        @discord.ui.select(custom_id="pick", min_values=1, max_values=2,
                           options=[discord.SelectOption(label=f"Song {i}", value=str(i)) for i in range(3)])
        async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Picker]) -> None:
            chosen.set_result(list(select.values))
            await interaction.response.edit_message(content="picked", view=None)

    broken = Picker()
    broken.pick.options[0].description = "d" * 101  # type: ignore[attr-defined]
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send("choose", view=broken)
    assert refused.value.status == 400 and refused.value.code == 50035
    assert not server.fake.messages(server.text.id)  # nothing was posted

    message = await channel.send("choose", view=Picker())
    with pytest.raises(SandboxError, match="not options"):
        await server.fake.choose(server.alice, message.id, "pick", ["7"])
    with pytest.raises(SandboxError, match="takes 1 to 2"):
        await server.fake.choose(server.alice, message.id, "pick", ["0", "1", "2"])
    result = await server.fake.choose(server.alice, message.id, "pick", ["2", "0"])
    assert await asyncio.wait_for(chosen, 5) == ["2", "0"]
    assert result.text == "picked" and server.fake.message(message.id).components == []  # type: ignore[union-attr]
