"""The now-playing message with its buttons, posted and handled by the bot that owns the voice connection.

Both bots run a ``NowPlayingBoard`` over their own LocalSessions: the parent for the channels it plays in,
each child for its own. A board posts one message per session in the text channel the session was started
from, edits it in place on every change and about every 10 s for the timeline, and handles the buttons on
it. The view is persistent (fixed custom ids, no timeout): after a restart the bot registers it again and
old messages keep working; the session is found from the bot's voice connection in that server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import discord

from .koe.errors import KoeError, NoSession
from .koe.koe import Koe
from .koe.local import LocalSession, session_of
from .koe.session import CloseReason, Ending, RepeatMode, Session, SessionState
from .permissions import DJ_ONLY, may_dj
from .render import now_playing_lines
from .supervised import Supervised
from .voicebot import humans_in

__all__ = ["ACTIONS", "NowPlayingBoard", "NowPlayingView", "custom_id"]

log = logging.getLogger(__name__)

PREFIX = "azura:np:"
ACTIONS = ("back", "toggle", "skip", "stop", "leave", "repeat", "shuffle", "volume_down", "volume_up")
REFRESH_S = 10.0  # the timeline: well inside Discord's 5 edits / 5 s per channel
VOLUME_STEP = 10
DJ_ACTIONS = frozenset({"stop", "leave", "skip", "back"})  # what the slash commands also keep for DJs
_NEXT_REPEAT = {RepeatMode.NONE: RepeatMode.ALL, RepeatMode.ALL: RepeatMode.ONE, RepeatMode.ONE: RepeatMode.NONE}


def custom_id(action: str) -> str:
    return PREFIX + action


def mention(user_id: int) -> str:
    return f"<@{user_id}>"


class NowPlayingView(discord.ui.View):
    """The buttons. Stateless apart from labels: every press looks the session up afresh."""

    def __init__(self, board: NowPlayingBoard, state: SessionState | None = None) -> None:
        super().__init__(timeout=None)
        paused = state.paused if state else False
        repeat = state.repeat if state else RepeatMode.NONE
        buttons: list[tuple[str, str, discord.ButtonStyle, int]] = [
            ("back", "⏮ Back", discord.ButtonStyle.secondary, 0),
            ("toggle", "▶ Resume" if paused else "⏸ Pause", discord.ButtonStyle.primary, 0),
            ("skip", "⏭ Skip", discord.ButtonStyle.secondary, 0),
            ("stop", "⏹ Stop", discord.ButtonStyle.secondary, 0),
            ("leave", "⏏ Leave", discord.ButtonStyle.danger, 0),
            ("repeat", {RepeatMode.NONE: "🔁 Repeat: off", RepeatMode.ALL: "🔁 Repeat: all",
                        RepeatMode.ONE: "🔂 Repeat: one"}[repeat], discord.ButtonStyle.secondary, 1),
            ("shuffle", "🔀 Shuffle", discord.ButtonStyle.secondary, 1),
            ("volume_down", "🔉 −10", discord.ButtonStyle.secondary, 1),
            ("volume_up", "🔊 +10", discord.ButtonStyle.secondary, 1),
        ]
        for action, label, style, row in buttons:
            button: discord.ui.Button[NowPlayingView] = discord.ui.Button(
                label=label, style=style, custom_id=custom_id(action), row=row
            )
            button.callback = _callback(board, action)  # type: ignore[method-assign,assignment]
            self.add_item(button)


def _callback(board: NowPlayingBoard, action: str) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
    async def press(interaction: discord.Interaction) -> None:
        await board.press(interaction, action)

    return press


class NowPlayingBoard:
    """One bot's now-playing messages: post, refresh, handle buttons, close."""

    def __init__(self, client: discord.Client, koe: Koe, *, refresh_s: float = REFRESH_S) -> None:
        self.client = client
        self.koe = koe
        self.refresh_s = refresh_s
        self.messages: dict[int, tuple[int, int]] = {}  # voice channel id → (text channel id, message id)
        self._pokes: set[int] = set()
        self._endings: list[tuple[int, int, int, str]] = []  # (voice, text channel, message, reason) to edit
        self._wake = asyncio.Event()
        self._task = Supervised("now-playing-board", self._run)
        self._locks: dict[int, asyncio.Lock] = {}

    def start(self) -> None:
        self.client.add_view(NowPlayingView(self))  # persistent: presses on old messages still arrive
        self._task.start()

    async def close(self) -> None:
        await self._task.close()

    def poke(self, channel_id: int) -> None:
        """Something changed in that channel's session: refresh its message soon."""
        self._pokes.add(channel_id)
        self._wake.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_sweep = loop.time() + self.refresh_s
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, next_sweep - loop.time()))
            self._wake.clear()
            if loop.time() >= next_sweep:
                self._pokes.update(r.channel_id for r in self.koe.routes() if r.local)
                next_sweep = loop.time() + self.refresh_s
            endings, self._endings = self._endings, []
            for voice_id, text_id, message_id, reason in endings:
                await self._show_ended(voice_id, text_id, message_id, reason)
            pokes, self._pokes = self._pokes, set()
            for channel_id in pokes:
                session = self.koe.get(channel_id)
                if session is not None:
                    await self.refresh(session)
            await asyncio.sleep(0.2)  # coalesce bursts of changes into one edit

    async def refresh(self, session: Session) -> None:
        """Post or edit the session's message to show its state now."""
        lock = self._locks.setdefault(session.channel_id, asyncio.Lock())
        async with lock:
            try:
                state = await session.get_state()
            except KoeError:
                return
            if state.text_channel_id is None:
                return
            channel = self.client.get_channel(state.text_channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                return
            content = self.render(state)
            view = NowPlayingView(self, state)
            known = self.messages.get(session.channel_id)
            try:
                if known is None:
                    if state.current is None:
                        return  # nothing to show yet
                    message = await channel.send(content, view=view, allowed_mentions=discord.AllowedMentions.none())
                    self.messages[session.channel_id] = (state.text_channel_id, message.id)
                else:
                    partial = channel.get_partial_message(known[1])
                    await partial.edit(content=content, view=view)
            except discord.HTTPException as exc:
                log.warning("now-playing message in %s: %s", state.text_channel_id, exc)
                if isinstance(exc, discord.NotFound):
                    self.messages.pop(session.channel_id, None)

    def render(self, state: SessionState) -> str:
        header = f"🎶 **Now playing in <#{state.channel_id}>**"
        return "\n".join([header, *now_playing_lines(state, mention)])

    async def ended(self, session: Session, ending: Ending) -> None:
        """The session is gone: its message will say so and lose its buttons. Queued for the board's task:
        callers (Koe's teardown, the Link reader) must not wait on Discord's rate limits."""
        known = self.messages.pop(session.channel_id, None)
        self._locks.pop(session.channel_id, None)
        if known is not None:
            self._endings.append((session.channel_id, known[0], known[1], str(ending)))
            self._wake.set()

    async def _show_ended(self, voice_id: int, text_id: int, message_id: int, reason: str) -> None:
        channel = self.client.get_channel(text_id)
        if isinstance(channel, discord.abc.Messageable):
            with contextlib.suppress(discord.HTTPException):
                partial = channel.get_partial_message(message_id)
                await partial.edit(content=f"⏏ Left <#{voice_id}> ({reason}).", view=None)

    # -- buttons ----------------------------------------------------------------------------------------
    async def press(self, interaction: discord.Interaction, action: str) -> None:
        guild = interaction.guild
        session = session_of(guild.voice_client) if guild else None
        if not isinstance(session, LocalSession) or self.koe.get(session.channel_id) is not session:
            await _tell(interaction, "This player has ended. Start a new one with `/play`.")
            return
        member = interaction.user
        voice = member.voice if isinstance(member, discord.Member) else None
        if (
            not isinstance(member, discord.Member)
            or voice is None
            or voice.channel is None
            or voice.channel.id != session.channel_id
        ):
            await _tell(interaction, f"Join <#{session.channel_id}> to use these buttons.")
            return
        if action in DJ_ACTIONS and not self._may_dj(member, session, voice.channel, action):
            if action == "skip":
                await _tell(interaction, "Only a DJ can skip with the button while others listen; use /skip to vote.")
            else:
                await _tell(interaction, DJ_ONLY)
            return
        # Answer within Discord's 3 s first ("deferred update"), then do the Lavalink work and edit the message.
        await interaction.response.defer()
        try:
            if action == "leave":
                self.messages.pop(session.channel_id, None)  # this press edits the message itself, once
                ending = Ending(CloseReason.BUTTON, f"leave pressed by {member.display_name}")
                await self.koe.destroy(session.channel_id, ending)
                await interaction.edit_original_response(
                    content=f"⏏ Left <#{session.channel_id}> (leave pressed by {member.mention}).", view=None
                )
                return
            state = await self._apply(session, action)
        except KoeError as error:
            await _tell(interaction, str(error))
            return
        await interaction.edit_original_response(content=self.render(state), view=NowPlayingView(self, state))

    @staticmethod
    def _may_dj(member: discord.Member, session: LocalSession, channel: object, action: str) -> bool:
        """The parent's rule for its commands, applied to the buttons; skipping your own track is fine too."""
        if may_dj(
            manage_guild=member.guild_permissions.manage_guild,
            role_ids=(role.id for role in member.roles),
            dj_role_id=session.dj_role_id,
            listeners=len(humans_in(channel)),
        ):
            return True
        current = session.queue.current
        return action == "skip" and current is not None and current.requester_id == member.id

    async def _apply(self, session: LocalSession, action: str) -> SessionState:
        if action == "toggle":
            state = await session.get_state()
            return await (session.resume() if state.paused else session.pause())
        if action == "back":
            return await session.back(1)
        if action == "skip":
            return await session.skip(1)
        if action == "stop":
            return await session.stop()
        if action == "repeat":
            return await session.set_repeat(_NEXT_REPEAT[(await session.get_state()).repeat])
        if action == "shuffle":
            return await session.shuffle()
        if action in ("volume_down", "volume_up"):
            return await session.set_volume(VOLUME_STEP if action == "volume_up" else -VOLUME_STEP, relative=True)
        raise NoSession()  # pragma: no cover - ACTIONS is closed


async def _tell(interaction: discord.Interaction, message: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(message, ephemeral=True)
    else:
        await interaction.response.send_message(message, ephemeral=True)
