"""The now-playing message with its buttons, posted and handled by the bot that owns the voice connection.

Both bots run a ``NowPlayingBoard`` over their own sessions: the parent for the channels it plays in, each
child for its own. A board posts one message per session in the text channel the session was started
from, edits it in place on every change and about every 10 s for the timeline, and handles the buttons on
it. The view is persistent (fixed custom ids, no timeout): after a restart the bot registers it again and
old messages keep working; the session is found through Koe from the server the press comes from.
Who may press what is decided by ``azura_common.rules`` (the same rules as the slash commands).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import discord

from .koe.errors import KoeError
from .koe.koe import Koe
from .koe.session import CloseReason, Ending, RepeatMode, Session, SessionState
from .render import mention, now_playing_lines
from .replies import reply_privately
from .rules.limits import BUTTON_VOLUME_STEP
from .rules.permissions import DJ_ONLY, button_needs_dj, may_dj
from .rules.skip import DJ_SKIP_BUTTON, Skip, skip_verdict
from .supervised import Supervised
from .voicebot import humans_in

__all__ = ["ACTIONS", "DjRoleOf", "NowPlayingBoard", "NowPlayingView", "custom_id"]

log = logging.getLogger(__name__)

PREFIX = "azura:np:"
ACTIONS = ("back", "toggle", "skip", "stop", "leave", "repeat", "shuffle", "volume_down", "volume_up")
REFRESH_S = 10.0  # the timeline: well inside Discord's 5 edits / 5 s per channel
ENDED = "This player has ended. Start a new one with `/play`."
_NEXT_REPEAT = {RepeatMode.NONE: RepeatMode.ALL, RepeatMode.ALL: RepeatMode.ONE, RepeatMode.ONE: RepeatMode.NONE}
_REPEAT_LABEL = {RepeatMode.NONE: "🔁 Repeat: off", RepeatMode.ALL: "🔁 Repeat: all", RepeatMode.ONE: "🔂 Repeat: one"}

DjRoleOf = Callable[[Session], Awaitable[int | None]]
"""The DJ role a session's buttons follow (None or 0: everyone may DJ)."""


def custom_id(action: str) -> str:
    return PREFIX + action


class ControlButton(discord.ui.Button["NowPlayingView"]):
    """One button of the now-playing message; a press goes to the board with its action."""

    def __init__(self, board: NowPlayingBoard, action: str, label: str, style: discord.ButtonStyle, row: int) -> None:
        super().__init__(label=label, style=style, custom_id=custom_id(action), row=row)
        self.board = board
        self.action = action

    async def callback(self, interaction: discord.Interaction) -> None:
        await self.board.press(interaction, self.action)


class NowPlayingView(discord.ui.View):
    """The buttons. Stateless apart from labels: every press looks the session up afresh."""

    def __init__(self, board: NowPlayingBoard, state: SessionState | None = None) -> None:
        super().__init__(timeout=None)
        self.board = board
        paused = state.paused if state else False
        repeat = state.repeat if state else RepeatMode.NONE
        buttons: list[tuple[str, str, discord.ButtonStyle, int]] = [
            ("back", "⏮ Back", discord.ButtonStyle.secondary, 0),
            ("toggle", "▶ Resume" if paused else "⏸ Pause", discord.ButtonStyle.primary, 0),
            ("skip", "⏭ Skip", discord.ButtonStyle.secondary, 0),
            ("stop", "⏹ Stop", discord.ButtonStyle.secondary, 0),
            ("leave", "⏏ Leave", discord.ButtonStyle.danger, 0),
            ("repeat", _REPEAT_LABEL[repeat], discord.ButtonStyle.secondary, 1),
            ("shuffle", "🔀 Shuffle", discord.ButtonStyle.secondary, 1),
            ("volume_down", f"🔉 −{BUTTON_VOLUME_STEP}", discord.ButtonStyle.secondary, 1),
            ("volume_up", f"🔊 +{BUTTON_VOLUME_STEP}", discord.ButtonStyle.secondary, 1),
        ]
        for action, label, style, row in buttons:
            self.add_item(ControlButton(board, action, label, style, row))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only people in the session's voice channel may press; anyone else is told why, privately."""
        session = self.board.session_for(interaction)
        if session is None:
            await reply_privately(interaction, ENDED)
            return False
        channel = _voice_channel(interaction.user)
        if channel is None or channel.id != session.channel_id:
            await reply_privately(interaction, f"Join <#{session.channel_id}> to use these buttons.")
            return False
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[NowPlayingView]
    ) -> None:
        if isinstance(error, KoeError):  # the session refused: say why, change nothing
            await reply_privately(interaction, str(error))
        else:
            await super().on_error(interaction, error, item)


def _voice_channel(user: discord.User | discord.Member) -> discord.VoiceChannel | discord.StageChannel | None:
    """The voice channel a member is in (a plain user, outside any server, is in none)."""
    voice = user.voice if isinstance(user, discord.Member) else None
    return voice.channel if voice is not None else None


class NowPlayingBoard:
    """One bot's now-playing messages: post, refresh, handle buttons, close."""

    def __init__(self, client: discord.Client, koe: Koe, dj_role_of: DjRoleOf, *, refresh_s: float = REFRESH_S) -> None:
        self.client = client
        self.koe = koe
        self.dj_role_of = dj_role_of
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
    def session_for(self, interaction: discord.Interaction) -> Session | None:
        """The session this bot plays in the server a press comes from (None: it has ended)."""
        guild = interaction.guild
        channel_id = self.koe.local_channel(guild.id) if guild is not None else None
        return self.koe.get(channel_id) if channel_id is not None else None

    async def press(self, interaction: discord.Interaction, action: str) -> None:
        """A button press that passed the view's gate (the presser is in the session's channel)."""
        session = self.session_for(interaction)
        if session is None:  # it ended between the gate and now
            await reply_privately(interaction, ENDED)
            return
        refusal = await self._refusal(interaction.user, session, action)
        if refusal is not None:
            await reply_privately(interaction, refusal)
            return
        # Answer within Discord's 3 s first ("deferred update"), then do the Lavalink work and edit the message.
        await interaction.response.defer()
        if action == "leave":
            self.messages.pop(session.channel_id, None)  # this press edits the message itself, once
            ending = Ending(CloseReason.BUTTON, f"leave pressed by {interaction.user.display_name}")
            await self.koe.destroy(session.channel_id, ending)
            await interaction.edit_original_response(
                content=f"⏏ Left <#{session.channel_id}> (leave pressed by {interaction.user.mention}).", view=None
            )
            return
        state = await self._apply(session, action)
        await interaction.edit_original_response(content=self.render(state), view=NowPlayingView(self, state))

    async def _refusal(self, user: discord.User | discord.Member, session: Session, action: str) -> str | None:
        """Why ``user`` may not press ``action`` now (the rules the slash commands follow), or None."""
        if action != "skip" and not button_needs_dj(action):
            return None
        member_roles = user.roles if isinstance(user, discord.Member) else []
        dj = may_dj(
            manage_guild=isinstance(user, discord.Member) and user.guild_permissions.manage_guild,
            role_ids=(role.id for role in member_roles),
            dj_role_id=await self.dj_role_of(session),
            listeners=len(humans_in(_voice_channel(user))),  # the gate made sure it is the session's
        )
        if action == "skip":
            current = (await session.get_state()).current
            own = current is not None and current.requester_id == user.id
            return None if skip_verdict(dj=dj, own_track=own) is Skip.NOW else DJ_SKIP_BUTTON  # no vote on a button
        return None if dj else DJ_ONLY

    async def _apply(self, session: Session, action: str) -> SessionState:
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
            step = BUTTON_VOLUME_STEP if action == "volume_up" else -BUTTON_VOLUME_STEP
            return await session.set_volume(step, relative=True)
        raise ValueError(f"unknown now-playing action {action!r}")  # pragma: no cover - ACTIONS is closed
