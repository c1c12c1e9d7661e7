"""Small stand-ins for what a command handler touches, so each handler runs in milliseconds, no process started.

- ``FakeSession``: the Session protocol in memory, on the real pure ``Queue`` (the contract suite proves
  LocalSession and RemoteSession alike; this one follows the same rules for what the handlers see).
- ``FakeInteraction``: records what a handler answers (``response.send_message``/``defer``, followups,
  edits) and carries the user, server and channel a handler reads; ``text``/``private`` read like the
  sandbox driver's ``InteractionResult``: what the user sees last.
- ``FakeMember``: a ``discord.Member`` whose attributes are given, not built from gateway data.
- ``World``: the bot's services (real Koe, real Store on an in-memory SQLite database, real SkipVotes, a
  small catalogue for searches) plus people and voice channels, and ``invoke``, which runs a command's
  handler and, if it raises, the tree's one error handler, as discord.py does.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import discord
import pytest_asyncio
from discord import app_commands

from azura_common.koe.effects import NO_EFFECTS, Effects, check_effects
from azura_common.koe.errors import InvalidArgument, NoSession, NothingPlaying, TrackLoadFailed
from azura_common.koe.koe import Koe
from azura_common.koe.local import SearchResult
from azura_common.koe.queue import Queue
from azura_common.koe.session import (
    ASKED,
    Ending,
    EnqueueMode,
    EnqueueResult,
    QueuePage,
    RemoveTarget,
    RepeatMode,
    Session,
    SessionState,
    Track,
)
from azura_common.rules.limits import MAX_VOLUME
from azura_common.rules.votes import SkipVotes
from azura_parent.commands.tree import report_error
from azura_parent.db import Database
from azura_parent.store import Store

# What users read (literally: a change of wording must show up here).
NOT_IN_VOICE = "⚠️ You're not in a voice channel. Join one first."
DJ_ONLY = "⚠️ Only a DJ (the DJ role or Manage Server) can do that while others listen."

GUILD_ID = 500
TEXT_CHANNEL_ID = 600
PARENT_BOT_ID = 9000


# -- the session ---------------------------------------------------------------------------------------
class FakeSession:
    """One voice channel's music in memory. Like LocalSession: every failure is a KoeError and changes nothing."""

    def __init__(self, guild_id: int, channel_id: int) -> None:
        self._guild_id, self._channel_id = guild_id, channel_id
        self.queue = Queue()
        self.connected = False
        self.ended: Ending | None = None
        self.text_channel_id: int | None = None
        self.dj_role_id: int | None = None
        self.paused = False
        self.volume = 100
        self.effects = NO_EFFECTS
        self.position_ms = 0
        self.calls: list[str] = []  # the mutating methods called, in order

    @property
    def guild_id(self) -> int:
        return self._guild_id

    @property
    def channel_id(self) -> int:
        return self._channel_id

    def snapshot(self) -> tuple[object, ...]:
        """Everything a command could change: equal snapshots mean "nothing changed"."""
        return (self.queue.tracks, self.queue.current_position, self.queue.repeat, self.paused, self.volume,
                self.position_ms, self.ended)

    def _alive(self) -> None:
        if self.ended is not None or not self.connected:
            raise NoSession()

    def _state(self) -> SessionState:
        return SessionState(
            guild_id=self._guild_id, channel_id=self._channel_id, bot_id=PARENT_BOT_ID,
            text_channel_id=self.text_channel_id, connected=self.connected and self.ended is None,
            current=self.queue.current, current_position=self.queue.current_position,
            position_ms=self.position_ms if self.queue.current else 0, paused=self.paused, volume=self.volume,
            repeat=self.queue.repeat, total=self.queue.total, upcoming=self.queue.upcoming_count,
            effects=self.effects,
        )

    def _started(self) -> SessionState:
        current = self.queue.current
        self.position_ms = current.start_ms if current else 0
        return self._state()

    async def connect(self, text_channel_id: int | None = None, dj_role_id: int | None = None) -> SessionState:
        if self.ended is not None:
            raise NoSession("This session has ended.")
        self.text_channel_id = text_channel_id if text_channel_id is not None else self.text_channel_id
        self.dj_role_id = dj_role_id if dj_role_id is not None else self.dj_role_id
        self.connected = True
        return self._state()

    async def disconnect(self, ending: Ending = ASKED) -> None:
        self.calls.append("disconnect")
        self.ended = ending

    async def enqueue(self, tracks: Sequence[Track], mode: EnqueueMode = EnqueueMode.FIFO,
                      position: int | None = None) -> EnqueueResult:
        self._alive()
        idle = self.queue.current is None
        positions = self.queue.enqueue(tracks, mode, position)
        self.calls.append("enqueue")
        started = idle and self.queue.current is not None
        if started:
            self._started()
        return EnqueueResult(positions=positions, started=started, total=self.queue.total)

    async def skip(self, by: int = 1, to: int | None = None) -> SessionState:
        self._alive()
        if to is not None:
            self.queue.skip_to(to)
        else:
            self.queue.skip(by)
        self.calls.append("skip")
        return self._started()

    async def back(self, by: int = 1) -> SessionState:
        self._alive()
        self.queue.back(by)
        self.calls.append("back")
        return self._started()

    async def _set_paused(self, paused: bool) -> SessionState:
        self._alive()
        if self.queue.current is None:
            raise NothingPlaying()
        self.paused = paused
        self.calls.append("pause" if paused else "resume")
        return self._state()

    async def pause(self) -> SessionState:
        return await self._set_paused(True)

    async def resume(self) -> SessionState:
        return await self._set_paused(False)

    async def stop(self) -> SessionState:
        self._alive()
        self.queue.stop()
        self.paused = False
        self.calls.append("stop")
        return self._state()

    async def seek(self, position_ms: int, relative: bool = False) -> SessionState:
        self._alive()
        track = self.queue.current
        if track is None:
            raise NothingPlaying()
        target = self.position_ms + position_ms if relative else position_ms
        end = track.length_ms if track.end_ms is None else min(track.end_ms, track.length_ms)
        if not relative and not 0 <= target <= end:
            raise InvalidArgument("That time is outside this track.", "position")
        self.position_ms = max(track.start_ms, min(target, end))
        self.calls.append("seek")
        return self._state()

    async def set_volume(self, volume: int, relative: bool = False) -> SessionState:
        self._alive()
        target = self.volume + volume if relative else volume
        if relative:
            target = max(0, min(MAX_VOLUME, target))
        elif not 0 <= target <= MAX_VOLUME:
            raise InvalidArgument(f"Volume must be between 0 and {MAX_VOLUME}, not {volume}.", "volume")
        self.volume = target
        self.calls.append("set_volume")
        return self._state()

    async def set_repeat(self, mode: RepeatMode) -> SessionState:
        self._alive()
        self.queue.repeat = mode
        self.calls.append("set_repeat")
        return self._state()

    async def set_effects(self, effects: Effects) -> SessionState:
        self._alive()
        self.effects = check_effects(effects)
        self.calls.append("set_effects")
        return self._state()

    async def shuffle(self) -> SessionState:
        self._alive()
        self.queue.shuffle()
        self.calls.append("shuffle")
        return self._state()

    async def move(self, from_position: int, to_position: int) -> SessionState:
        self._alive()
        self.queue.move(from_position, to_position)
        self.calls.append("move")
        return self._state()

    async def remove(self, target: RemoveTarget) -> tuple[Track, ...]:
        self._alive()
        removed = tuple(self.queue.remove(target))
        self.calls.append("remove")
        return removed

    async def clear(self) -> SessionState:
        self._alive()
        self.queue.clear()
        self.calls.append("clear")
        return self._state()

    async def get_state(self) -> SessionState:
        self._alive()
        return self._state()

    async def get_queue(self, offset: int = 0, limit: int = 25) -> QueuePage:
        self._alive()
        return self.queue.page(offset, limit)


# -- Discord's side ------------------------------------------------------------------------------------
@dataclass(eq=False)
class FakeVoiceChannel:
    id: int
    name: str
    members: list[FakeMember] = field(default_factory=list)

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass(frozen=True)
class FakeRole:
    id: int
    name: str = "DJ"

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass(frozen=True)
class FakeVoiceState:
    channel: FakeVoiceChannel | None


@dataclass(frozen=True)
class FakeGuild:
    id: int = GUILD_ID

    def get_channel(self, channel_id: int) -> None:
        return None  # the handler tests' server knows no text channels: no now-playing permission notice

    def get_member(self, user_id: int) -> None:
        return None


class FakeMember(discord.Member):
    """A server member with the attributes handlers read; ``isinstance(..., discord.Member)`` holds."""

    def __init__(self, user_id: int, name: str, *, roles: Sequence[FakeRole] = (), manage_guild: bool = False,
                 bot: bool = False) -> None:
        self._fake_id, self._fake_name, self._fake_bot = user_id, name, bot
        self._fake_roles = list(roles)
        self._fake_manage_guild = manage_guild
        self.channel: FakeVoiceChannel | None = None

    @property
    def id(self) -> int:  # type: ignore[override]
        return self._fake_id

    @property
    def bot(self) -> bool:  # type: ignore[override]
        return self._fake_bot

    @property
    def mention(self) -> str:
        return f"<@{self._fake_id}>"

    @property
    def display_name(self) -> str:
        return self._fake_name

    @property
    def roles(self) -> list[FakeRole]:  # type: ignore[override]
        return self._fake_roles

    @property
    def guild_permissions(self) -> discord.Permissions:
        return discord.Permissions(manage_guild=self._fake_manage_guild)

    @property
    def voice(self) -> FakeVoiceState | None:  # type: ignore[override]
        return FakeVoiceState(self.channel) if self.channel is not None else None

    def __repr__(self) -> str:
        return f"<FakeMember {self._fake_name} {self._fake_id}>"


@dataclass
class Sent:
    """One message the user would see: the response or a followup."""

    content: str
    ephemeral: bool
    view: discord.ui.View | None = None


class FakeResponse:
    def __init__(self, interaction: FakeInteraction) -> None:
        self._interaction = interaction
        self.type: discord.InteractionResponseType | None = None
        self.deferred_ephemeral = False
        self.choices: list[app_commands.Choice[Any]] | None = None

    def is_done(self) -> bool:
        return self.type is not None

    def _answer(self, kind: discord.InteractionResponseType) -> None:
        assert self.type is None, "an interaction is answered once"
        self.type = kind

    async def send_message(self, content: str, *, ephemeral: bool = False, view: discord.ui.View | None = None,
                           allowed_mentions: discord.AllowedMentions | None = None) -> None:
        self._answer(discord.InteractionResponseType.channel_message)
        self._interaction.original = Sent(content, ephemeral, view)

    async def defer(self, *, thinking: bool = False, ephemeral: bool = False) -> None:
        is_component = self._interaction.message_id is not None
        kind = (discord.InteractionResponseType.deferred_message_update if is_component and not thinking
                else discord.InteractionResponseType.deferred_channel_message)
        self._answer(kind)
        self.deferred_ephemeral = ephemeral
        if kind is discord.InteractionResponseType.deferred_channel_message:
            self._interaction.original = Sent("🤔 thinking…", ephemeral)

    async def edit_message(self, *, content: str, view: discord.ui.View | None = None) -> None:
        self._answer(discord.InteractionResponseType.message_update)
        self._interaction.edited = Sent(content, False, view)


class FakeFollowup:
    def __init__(self, interaction: FakeInteraction) -> None:
        self._interaction = interaction

    async def send(self, content: str, *, ephemeral: bool = False, view: discord.ui.View | None = None,
                   allowed_mentions: discord.AllowedMentions | None = None) -> None:
        i = self._interaction
        assert i.response.is_done(), "a followup needs a response first"
        if i.original is not None and i.original.content == "🤔 thinking…" and not i.original_deleted:
            # Discord: the first followup after a "thinking…" defer takes its place, with the defer's visibility
            i.original = Sent(content, i.response.deferred_ephemeral, view)
        else:
            i.followups.append(Sent(content, ephemeral, view))


class FakeInteraction:
    """A slash command or a button press, as a handler sees it."""

    def __init__(self, user: FakeMember | None, *, guild: FakeGuild | None = None, message_id: int | None = None,
                 namespace: dict[str, Any] | None = None, locale: str = "en-US", guild_locale: str = "en-US") -> None:
        self.user = user
        self.locale = discord.Locale(locale)  # the user's Discord language; the guild's for public messages
        self.guild_locale = discord.Locale(guild_locale)
        self.guild = guild if guild is not None else FakeGuild()
        self.guild_id = self.guild.id if self.guild else None
        self.channel_id = TEXT_CHANNEL_ID
        self.message_id = message_id  # set for a button press (a component interaction)
        self.command: Any = None
        self.namespace = SimpleNamespace(**(namespace or {}))  # the options typed so far (autocomplete reads them)
        self.response = FakeResponse(self)
        self.followup = FakeFollowup(self)
        self.original: Sent | None = None
        self.original_deleted = False
        self.edited: Sent | None = None  # the button's message after an edit
        self.followups: list[Sent] = []
        self.extras: dict[str, Any] = {}  # discord.Interaction's own scratch space (the tree notes the outcome)

    async def delete_original_response(self) -> None:
        assert self.original is not None
        self.original_deleted = True

    async def edit_original_response(self, *, content: str, view: discord.ui.View | None = None) -> None:
        self.edited = Sent(content, False, view)

    # -- what the user sees --------------------------------------------------------------------------
    @property
    def last(self) -> Sent:
        if self.followups:
            return self.followups[-1]
        assert self.original is not None and not self.original_deleted, "the user was never answered"
        return self.original

    @property
    def text(self) -> str:
        return self.last.content

    @property
    def private(self) -> bool:
        return self.last.ephemeral


# -- the bot ---------------------------------------------------------------------------------------------
CATALOGUE = {
    "lofi beats": ("Lofi Beats", "Chill Girl", 180_000),
    "calm piano": ("Calm Piano", "Keys", 240_000),
    "bob's own": ("Bob's Own", "Bob", 200_000),
}
PLAYLIST = "https://www.youtube.com/playlist?list=PLtest"


def track(title: str, *, requester_id: int = 0, length_ms: int = 200_000, author: str = "Artist") -> Track:
    slug = title.lower().replace(" ", "-")
    return Track(encoded=f"enc-{slug}", title=title, author=author, uri=f"https://e.x/{slug}", length_ms=length_ms,
                 requester_id=requester_id)


class Catalogue:
    """Searches a fixed catalogue, as the bot's Lavalink node would: a playlist link gives 12 tracks."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    async def search(self, query: str, requester_id: int = 0) -> SearchResult:
        self.queries.append(query)
        text = query.strip()
        if not text:
            raise InvalidArgument("Tell me what to play: a search, a link or a playlist link.", "query")
        if text == PLAYLIST:
            return SearchResult(tuple(track(f"Song {n}", requester_id=requester_id) for n in range(1, 13)),
                                playlist="Test Mix")
        if text in CATALOGUE:
            title, author, length = CATALOGUE[text]
            return SearchResult((track(title, requester_id=requester_id, author=author, length_ms=length),))
        if text.startswith("nothing"):
            raise TrackLoadFailed(f"Nothing found for {text!r}. Try other words or a link.")
        return SearchResult(tuple(track(f"{text.title()} {n}", requester_id=requester_id) for n in (1, 2, 3)))


class FakeChildren:
    """Children that are always free: a second channel of the server gets a session too (as a child's would)."""

    def __init__(self, new_session: Callable[[int, int], Session], size: int = 2) -> None:
        self._new_session = new_session
        self.size = size
        self.offline = 0

    async def acquire(self, guild_id: int, channel_id: int) -> Session | None:
        return self._new_session(guild_id, channel_id)


class World:
    """The bot's services for the commands (BotServices) plus the people and channels of one server."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.sessions: dict[int, FakeSession] = {}
        self.children = FakeChildren(self._new_session)
        self.koe = Koe(local_factory=self._new_session, children=self.children)
        self.lavalink = Catalogue()
        self.votes = SkipVotes()
        self.poked: list[int] = []
        self._ids = itertools.count(1000)
        self.room = self.voice_channel("room")

    # BotServices
    def changed(self, session: Session) -> None:
        self.poked.append(session.channel_id)

    def _new_session(self, guild_id: int, channel_id: int) -> Session:
        session = FakeSession(guild_id, channel_id)
        self.sessions[channel_id] = session
        return session

    # people and places
    def voice_channel(self, name: str) -> FakeVoiceChannel:
        return FakeVoiceChannel(next(self._ids), name)

    def member(self, name: str, *, roles: Sequence[FakeRole] = (), manage_guild: bool = False,
               voice: FakeVoiceChannel | None = None) -> FakeMember:
        member = FakeMember(next(self._ids), name, roles=roles, manage_guild=manage_guild)
        if voice is not None:
            self.join(member, voice)
        return member

    @staticmethod
    def join(member: FakeMember, channel: FakeVoiceChannel) -> None:
        if member.channel is not None:
            member.channel.members.remove(member)
        member.channel = channel
        channel.members.append(member)

    @staticmethod
    def leave(member: FakeMember) -> None:
        if member.channel is not None:
            member.channel.members.remove(member)
        member.channel = None

    async def dj_role(self, role: FakeRole | None) -> None:
        await self.store.set_dj_role(GUILD_ID, role.id if role else None)

    async def playing(self, channel: FakeVoiceChannel, *tracks: Track) -> FakeSession:
        """A session in ``channel`` with ``tracks`` queued (the first one playing)."""
        session, _ = await self.koe.open_tracked(GUILD_ID, channel.id, TEXT_CHANNEL_ID)
        assert isinstance(session, FakeSession)
        if tracks:
            await session.enqueue(tracks)
        session.calls.clear()
        return session

    def songs(self, n: int, requester: FakeMember | None = None) -> list[Track]:
        return [replace(track(f"Song {i}"), requester_id=requester.id if requester else 0) for i in range(1, n + 1)]


async def invoke(command: app_commands.Command[Any, ..., Any], interaction: FakeInteraction, **options: Any) -> None:
    """Run a command's handler as the tree does: what it raises goes to the one error handler."""
    interaction.command = command
    try:
        await command.callback(command.binding, interaction, **options)  # type: ignore[arg-type]
    except Exception as error:
        await report_error(interaction, app_commands.CommandInvokeError(command, error))  # type: ignore[arg-type]


async def private_text(command: app_commands.Command[Any, ..., Any], interaction: FakeInteraction,
                       **options: Any) -> str:
    """Run the command; what the user read last, which must be for their eyes only."""
    await invoke(command, interaction, **options)
    assert interaction.private, f"public: {interaction.text!r}"
    return interaction.text


def choice(value: str) -> app_commands.Choice[str]:
    return app_commands.Choice(name=value, value=value)


@pytest_asyncio.fixture
async def world() -> AsyncIterator[World]:
    """A fresh server: the real Store on an in-memory SQLite database, a real Koe over fake sessions.
    (A fixture here, not in a conftest, so tests outside this folder can import it too.)"""
    db = await Database.open(":memory:")
    try:
        yield World(Store(db))
    finally:
        await db.close()
