"""Check the fake Discord's replies against Discord's published OpenAPI spec.

    python tools/check_discord_spec.py SPEC [--json]

SPEC is ``openapi.json`` from https://github.com/discord/discord-api-spec (``specs/openapi.json``, MIT);
it is not part of this repository. The script starts the fake Discord, drives a real discord.py bot against
it through every route the fake implements (login, command sync, messages, guilds, members, interaction
callbacks of every type and the interaction webhook, plus the errors: 401, 403 50001/50013, 404, 400, 429),
records each reply and validates it against the operation's schema for that status. It prints one line per
route and every mismatch, and exits 1 on any mismatch, on a route the spec does not know, or on a route of
the fake this run did not reach.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from azura_sandbox.fake_discord import FakeDiscord  # noqa: E402
from azura_sandbox.fake_discord.openapi import ERRATA, SpecValidator, check_replies  # noqa: E402

log = logging.getLogger("check_discord_spec")


class SpecView(discord.ui.View):
    """A message's components of every kind the fake echoes: buttons and a select menu."""

    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="edit", custom_id="spec-edit")
    async def edit(self, interaction: discord.Interaction, _: discord.ui.Button[SpecView]) -> None:
        await interaction.response.edit_message(content="edited by a click", view=SpecView())  # type 7

    @discord.ui.button(label="later", custom_id="spec-later")
    async def later(self, interaction: discord.Interaction, _: discord.ui.Button[SpecView]) -> None:
        await interaction.response.defer()  # type 6
        await interaction.edit_original_response(content="deferred update done")

    @discord.ui.select(custom_id="spec-pick", options=[discord.SelectOption(label=x) for x in "ab"])
    async def pick(self, interaction: discord.Interaction, _: discord.ui.Select[SpecView]) -> None:
        await interaction.response.defer()


class SpecModal(discord.ui.Modal, title="spec"):
    answer: discord.ui.TextInput[SpecModal] = discord.ui.TextInput(label="answer")


def build_tree(client: discord.Client, guild: discord.Object) -> app_commands.CommandTree[discord.Client]:
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)

    @tree.command(name="say", description="type 4 with embed and components", guild=guild)
    async def say(interaction: discord.Interaction, text: str) -> None:
        embed = discord.Embed(title="said", description=text)
        await interaction.response.send_message(text, embed=embed, view=SpecView())

    @say.autocomplete("text")
    async def say_complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"{current}!", value=f"{current}!")]  # type 8

    @tree.command(name="slow", description="type 5, then the interaction webhook", guild=guild)
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        first = await interaction.followup.send("first", wait=True)  # replaces the loading message
        extra = await interaction.followup.send("extra", embed=discord.Embed(title="x"), wait=True)
        await interaction.edit_original_response(content="original edited")
        await interaction.original_response()
        await extra.edit(content="extra edited")
        await interaction.followup.fetch_message(extra.id)
        await extra.delete()
        assert first.id

    @tree.command(name="ask", description="type 9", guild=guild)
    async def ask(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(SpecModal())

    @tree.command(name="gone", description="an original response deleted", guild=guild)
    async def gone(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("bye", ephemeral=True)
        await interaction.delete_original_response()

    return tree


async def expect_error(status: int, call: Awaitable[Any]) -> None:
    try:
        await call
    except discord.HTTPException as exc:
        if exc.status != status:
            raise AssertionError(f"expected HTTP {status}, got {exc.status}: {exc}") from exc
        return
    raise AssertionError(f"expected HTTP {status}, the call succeeded")


async def drive(fake: FakeDiscord) -> None:
    """Every route the fake implements, the way discord.py calls it."""
    token = fake.create_bot("spec-bot")
    fake.create_bot("outsider")  # a bot in the first guild only, for 'not a member' answers
    guild = await fake.create_guild("spec")
    text = await fake.create_text_channel(guild, "general")
    locked = await fake.create_text_channel(guild, "locked")
    voice = await fake.create_voice_channel(guild, "music")
    other_voice = await fake.create_voice_channel(guild, "other")
    alice = await fake.create_user("alice")
    elsewhere = await fake.create_guild("elsewhere")
    await fake.remove_bot_from_guild("spec-bot", elsewhere)
    await fake.deny_in_channel("spec-bot", locked, ["send_messages"])

    discord.http.Route.BASE = f"{fake.api_base}"  # this process talks to the fake only
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    stranger = discord.Client(intents=discord.Intents.none())
    with contextlib.suppress(discord.LoginFailure):
        await stranger.login("not-a-token")  # 401
    await stranger.close()

    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.2)
    tree = build_tree(client, discord.Object(id=guild.id))
    runner = asyncio.create_task(client.start(token))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 15)
        await converse(fake, client, tree, guild.id, text.id, locked.id, voice.id, other_voice.id, alice.id,
                       elsewhere.id)
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await runner


async def converse(
    fake: FakeDiscord,
    client: discord.Client,
    tree: app_commands.CommandTree[discord.Client],
    guild_id: int,
    text_id: int,
    locked_id: int,
    voice_id: int,
    other_voice_id: int,
    alice_id: int,
    elsewhere_id: int,
) -> None:
    http = client.http
    app_id = client.application_id or 0
    route = discord.http.Route
    await http.request(route("GET", "/gateway"))
    await http.get_bot_gateway()
    await http.request(route("GET", "/applications/@me"))
    await client.application_info()
    await client.fetch_user(alice_id)
    await expect_error(404, client.fetch_user(1))

    # commands: sync (PUT), then one by one, global and per guild
    await tree.sync(guild=discord.Object(id=guild_id))
    await tree.sync()
    payload: Any = {"name": "extra", "description": "d", "type": 1}
    for scope in ("global", "guild"):
        on_guild = scope == "guild"
        made = await (http.upsert_guild_command(app_id, guild_id, payload) if on_guild
                      else http.upsert_global_command(app_id, payload))
        cid = int(made["id"])
        await (http.get_guild_command(app_id, guild_id, cid) if on_guild else http.get_global_command(app_id, cid))
        await (http.edit_guild_command(app_id, guild_id, cid, {"description": "e"}) if on_guild
               else http.edit_global_command(app_id, cid, {"description": "e"}))
        await (http.get_guild_commands(app_id, guild_id) if on_guild else http.get_global_commands(app_id))
        await (http.delete_guild_command(app_id, guild_id, cid) if on_guild
               else http.delete_global_command(app_id, cid))
        await expect_error(404, http.get_global_command(app_id, cid))
    await http.get_guild_application_command_permissions(app_id, guild_id)
    await expect_error(403, http.get_guild_commands(app_id, elsewhere_id))
    await expect_error(400, http.request(route("PUT", "/applications/{a}/commands", a=app_id), json={"x": 1}))
    bad_locale: Any = {"name": "extra", "description": "d", "name_localizations": {"xx": "extra"}}
    await expect_error(400, http.upsert_global_command(app_id, bad_locale))  # not a Discord locale
    await expect_error(400, http.upsert_global_command(app_id, {"name": "Extra", "description": "d"}))  # uppercase

    # guild, channels, roles, members
    guild = await client.fetch_guild(guild_id)
    await guild.fetch_channels()
    await guild.fetch_roles()
    await http.get_members(guild_id, 100, None)
    await guild.fetch_member(alice_id)
    await expect_error(404, guild.fetch_member(1))
    await expect_error(403, client.fetch_guild(elsewhere_id))

    # messages
    channel = await client.fetch_channel(text_id)
    assert isinstance(channel, discord.TextChannel)
    await expect_error(404, client.fetch_channel(1))
    async with channel.typing():
        pass
    message = await channel.send("hello", embed=discord.Embed(title="e"), view=SpecView())
    await message.edit(content="hello again")
    await channel.fetch_message(message.id)
    _ = [m async for m in channel.history(limit=5)]
    await expect_error(404, channel.fetch_message(1))
    await expect_error(400, http.send_message(text_id, params=discord.http.MultipartParameters({}, None, None)))
    locked = await client.fetch_channel(locked_id)
    assert isinstance(locked, discord.TextChannel)
    await expect_error(403, locked.send("not allowed"))
    fake.throttle_message_edits(text_id, limit=5, window_s=0.3)
    await message.edit(content="after a 429")  # answered 429 once, discord.py waits and retries
    fake.unthrottle_message_edits(text_id)
    await message.delete()

    # voice moves through REST (PATCH member)
    await fake.user_join_voice(alice_id, voice_id)
    member = await guild.fetch_member(alice_id)
    other = client.get_channel(other_voice_id)
    assert isinstance(other, discord.VoiceChannel)
    await member.move_to(other)

    # a voice channel's status: set (204), too long (400), not a voice channel (400), not allowed (403)
    await http.edit_voice_channel_status("♪ spec", channel_id=voice_id)
    await http.edit_voice_channel_status(None, channel_id=voice_id)
    await expect_error(400, http.edit_voice_channel_status("x" * 501, channel_id=voice_id))
    await expect_error(400, http.edit_voice_channel_status("x", channel_id=text_id))
    await fake.deny_in_channel("spec-bot", other_voice_id, ["set_voice_channel_status"])
    await expect_error(403, http.edit_voice_channel_status("x", channel_id=other_voice_id))

    # interactions: every callback type and the interaction webhook
    said = await fake.invoke(alice_id, guild_id, text_id, "say", {"text": "hi"})
    assert said.message_id is not None, said
    await fake.autocomplete(alice_id, guild_id, text_id, "say", {"text": "h"}, "text")
    await fake.click(alice_id, said.message_id, "spec-edit")
    await fake.click(alice_id, said.message_id, "spec-later")
    await fake.click(alice_id, said.message_id, "spec-pick", values=["a"])
    await fake.invoke(alice_id, guild_id, text_id, "slow", wait_followups=1)
    await fake.invoke(alice_id, guild_id, text_id, "ask")
    gone = await fake.invoke(alice_id, guild_id, text_id, "gone")
    await fake.wait_for(lambda: fake.message(gone.message_id or 0) is None, 5, "the original response deleted")


def report(fake: FakeDiscord, validator: SpecValidator, as_json: bool) -> int:
    exchanges = fake.exchanges or []
    findings = check_replies(validator, [(e.method, e.path, e.status, e.body) for e in exchanges])
    implemented = {(m, path) for m, path, _ in fake.routes()}
    reached = {(e.method, e.route) for e in exchanges}
    unreached = sorted(implemented - reached)
    mismatches = sum(len(f.problems) for f in findings)
    routes = {(f.method, f.template) for f in findings}
    answers = len(findings)
    if as_json:
        print(json.dumps({
            "replies": len(exchanges), "routes": len(routes), "route_statuses": answers, "mismatches": mismatches,
            "unreached": [" ".join(r) for r in unreached],
            "findings": [f.__dict__ for f in findings if f.problems],
        }, indent=2))
    else:
        for f in findings:
            mark = "ok  " if not f.problems else "FAIL"
            print(f"{mark} {f.method:6} {f.template} -> {f.status} ({f.count} replies)")
            for problem in f.problems:
                print(f"       {problem}")
        for method, path in unreached:
            print(f"FAIL {method:6} {path}: implemented by the fake, not reached by this check")
        print(f"errata applied: {len(ERRATA)} ({'; '.join(reason for reason, _ in ERRATA.values())})")
        print(f"{len(exchanges)} replies checked on {len(routes)} routes ({answers} route+status pairs): "
              f"{mismatches} mismatches, {len(unreached)} implemented routes not reached")
    return 1 if mismatches or unreached else 0


async def run(spec: dict[str, Any], as_json: bool) -> int:
    validator = SpecValidator(spec)
    fake = FakeDiscord()
    fake.exchanges = []
    await fake.start()
    try:
        await drive(fake)
    finally:
        await fake.stop()
    return report(fake, validator, as_json)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", type=Path, help="Discord's openapi.json (github.com/discord/discord-api-spec)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary instead of lines")
    parser.add_argument("--log-level", default="ERROR")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    if not args.spec.is_file():
        parser.error(f"no spec file at {args.spec}")
    return asyncio.run(run(json.loads(args.spec.read_text(encoding="utf-8")), args.json))


if __name__ == "__main__":
    raise SystemExit(main())
