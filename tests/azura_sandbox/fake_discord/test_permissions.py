"""Guild membership and channel permissions per bot, as a real discord.py bot meets them."""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord import app_commands
from live_discord import RecordingVoice, Server

from azura_sandbox.fake_discord import SandboxError

pytestmark = pytest.mark.slow  # real clients, voice joins that time out as Discord makes them


def _guild(client: discord.Client, server: Server) -> discord.Guild:
    guild = client.get_guild(server.guild.id)
    assert guild is not None
    return guild


def _text(client: discord.Client, channel_id: int) -> discord.TextChannel:
    channel = client.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def _refused(code: int, call: object) -> None:
    with pytest.raises(discord.Forbidden) as caught:
        await call  # type: ignore[misc]
    assert caught.value.code == code and caught.value.status == 403


async def test_by_default_every_bot_is_in_every_guild_with_every_permission(server: Server) -> None:
    client = await server.start_bot("azura")
    me = _guild(client, server).me
    assert me.guild_permissions.send_messages and me.guild_permissions.connect and me.guild_permissions.speak
    assert not me.guild_permissions.administrator  # so channel overwrites still apply, as for a real bot
    for channel in (server.text, server.voice):
        granted = server.fake.channel_permissions("azura", channel)
        assert {"view_channel", "send_messages", "embed_links", "connect", "speak"} <= set(granted)
    sent = await _text(client, server.text.id).send("hi", embed=discord.Embed(title="t"))
    assert server.fake.message(sent.id) is not None


async def test_a_bot_removed_from_a_guild_gets_missing_access(server: Server) -> None:
    client = await server.start_bot("azura")
    gone = asyncio.Event()
    client.event(_set_on("on_guild_remove", gone))
    await server.fake.remove_bot_from_guild("azura", server.guild)
    await asyncio.wait_for(gone.wait(), 5)
    assert client.get_guild(server.guild.id) is None
    await _refused(50001, client.fetch_guild(server.guild.id))
    await _refused(50001, client.fetch_channel(server.text.id))
    await _refused(50001, client.http.send_message(server.text.id, params=_params("hello")))
    tree = app_commands.CommandTree(client)
    await _refused(50001, tree.sync(guild=discord.Object(id=server.guild.id)))
    with pytest.raises(SandboxError, match="no application registered"):  # its commands went with it
        await server.fake.invoke(server.alice, server.guild, server.text, "anything")

    back = asyncio.Event()
    client.event(_set_on("on_guild_join", back))
    await server.fake.add_bot_to_guild("azura", server.guild)
    await asyncio.wait_for(back.wait(), 5)
    assert (await client.fetch_guild(server.guild.id)).id == server.guild.id


async def test_missing_send_messages_or_embed_links_is_missing_permissions(server: Server) -> None:
    client = await server.start_bot("azura")
    music = _text(client, server.other_text.id)
    await server.fake.deny_in_channel("azura", server.other_text, ["send_messages"])
    await server.fake.wait_for(lambda: not music.permissions_for(music.guild.me).send_messages, 5, "CHANNEL_UPDATE")
    assert not music.permissions_for(music.guild.me).embed_links  # implied: no Send Messages, no embeds
    await _refused(50013, music.send("now playing"))
    assert (await _text(client, server.text.id).send("elsewhere is fine")).content == "elsewhere is fine"

    await server.fake.allow_in_channel("azura", server.other_text, ["send_messages"])
    await server.fake.deny_in_channel("azura", server.other_text, ["embed_links"])
    await server.fake.wait_for(lambda: music.permissions_for(music.guild.me).send_messages, 5, "CHANNEL_UPDATE")
    await _refused(50013, music.send(embed=discord.Embed(title="board")))
    assert (await music.send("plain text works")).content == "plain text works"
    assert server.fake.channel_permissions("azura", server.other_text) == sorted(
        set(server.fake.channel_permissions("azura", server.text)) - {"embed_links"}
    )


async def test_an_interaction_is_answered_in_a_channel_the_bot_may_not_post_in(server: Server) -> None:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
    tree = app_commands.CommandTree(client)
    posted: list[str] = []

    @tree.command(name="play", description="answers, then tries to post a board", guild=server.guild)
    async def play(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("▶ playing")
        assert isinstance(interaction.channel, discord.TextChannel)
        try:
            await interaction.channel.send("board")
        except discord.Forbidden as exc:
            posted.append(f"refused {exc.code}")

    await server.start_bot("azura", client)
    await tree.sync(guild=server.guild)
    await server.fake.deny_in_channel("azura", server.other_text, ["send_messages"])
    result = await server.fake.invoke(server.alice, server.guild, server.other_text, "play")
    assert result.content == "▶ playing" and not result.private
    await server.fake.wait_for(lambda: posted, 5, "the board attempt")
    assert posted == ["refused 50013"]
    assert [m.content for m in server.fake.messages(server.other_text)] == ["▶ playing"]


async def test_voice_needs_connect_and_speaking_needs_speak(server: Server) -> None:
    client = await server.start_bot("azura")
    guild = _guild(client, server)
    bot_id = server.fake.bot("azura").user_id
    await server.fake.deny_in_channel("azura", server.voice, ["connect"])
    voice_1 = guild.get_channel(server.voice.id)
    assert isinstance(voice_1, discord.VoiceChannel)
    await server.fake.wait_for(lambda: not voice_1.permissions_for(guild.me).connect, 5, "CHANNEL_UPDATE")
    with pytest.raises(asyncio.TimeoutError):  # Discord does not answer a join it refuses: the client times out
        await voice_1.connect(cls=RecordingVoice, timeout=1)
    assert server.fake.voice_state(server.guild, bot_id) is None
    assert [(r.channel_id, r.accepted) for r in server.fake.voice_requests] == [(server.voice.id, False)]

    await server.fake.deny_in_channel("azura", server.other_voice, ["speak"])
    voice_2 = guild.get_channel(server.other_voice.id)
    assert isinstance(voice_2, discord.VoiceChannel)
    await voice_2.connect(cls=RecordingVoice, timeout=5)
    state = server.fake.voice_state(server.guild, bot_id)
    assert state is not None and state.channel_id == server.other_voice.id and state.suppress
    await server.fake.wait_for(lambda: guild.me.voice is not None and guild.me.voice.suppress, 5, "the voice state")


async def test_moving_members_needs_move_members(server: Server) -> None:
    client = await server.start_bot("azura")
    await server.fake.user_join_voice(server.alice, server.voice)
    everything_but_moving = [p for p in server.fake.channel_permissions("azura", server.text) if p != "move_members"]
    await server.fake.set_bot_permissions("azura", server.guild, everything_but_moving)
    member = await _guild(client, server).fetch_member(server.alice.id)
    other = _guild(client, server).get_channel(server.other_voice.id)
    assert isinstance(other, discord.VoiceChannel)
    await _refused(50013, member.move_to(other))
    await server.fake.set_bot_permissions("azura", server.guild, [*everything_but_moving, "move_members"])
    await member.move_to(other)
    state = server.fake.voice_state(server.guild, server.alice)
    assert state is not None and state.channel_id == server.other_voice.id


def _set_on(name: str, event: asyncio.Event) -> object:
    async def handler(*_: object) -> None:
        event.set()

    handler.__name__ = name
    return handler


def _params(content: str) -> discord.http.MultipartParameters:
    return discord.http.handle_message_parameters(content=content)
