"""The now-playing message with its buttons, posted and handled by the bot that owns the voice connection.

Both bots run a ``NowPlayingBoard`` over their own sessions: the parent for the channels it plays in, each
child for its own. A board posts one message per session in the text channel the session was started
from, edits it in place on every change and about every 10 s for the timeline, and handles the buttons on
it. The view is persistent (fixed custom ids, no timeout): after a restart the bot registers it again and
old messages keep working; the session is found through Koe from the server the press comes from.
The message's id goes into the session's record. A bot that comes back after its sessions moved to other
bots is handed its messages of them (only their author may edit them) and edits each to say where the
music went, without buttons.
Who may press what is decided by ``azura_common.rules`` (the same rules as the slash commands).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

import discord

from .endings import ending_text
from .i18n import text
from .koe.effects import NO_EFFECTS
from .koe.errors import KoeError
from .koe.koe import Koe
from .koe.records import MovedBoard
from .koe.session import CloseReason, Ending, RepeatMode, Session, SessionState
from .nowplaying_view import ACTIONS, NowPlayingView, custom_id, voice_channel
from .render import mention, now_playing_lines
from .replies import private_locale, reply_privately
from .rules.limits import BUTTON_VOLUME_STEP
from .rules.permissions import DJ_ONLY_KEY, button_needs_dj, may_dj
from .rules.skip import DJ_SKIP_BUTTON_KEY, Skip, skip_verdict
from .supervised import Supervised, wait_set
from .voicebot import humans_in

__all__ = ["ACTIONS", "DjRoleOf", "NowPlayingBoard", "NowPlayingView", "custom_id", "moved_text"]

log = logging.getLogger(__name__)

REFRESH_S = 10.0  # the timeline: well inside Discord's 5 edits / 5 s per channel
COALESCE_S = 0.2  # a burst of changes becomes one edit
_NEXT_REPEAT = {RepeatMode.NONE: RepeatMode.ALL, RepeatMode.ALL: RepeatMode.ONE, RepeatMode.ONE: RepeatMode.NONE}

BoardChannel = discord.TextChannel | discord.VoiceChannel | discord.StageChannel | discord.Thread
"""Where a now-playing message can be: a server's text channel, a voice or stage channel's chat, a thread."""

DjRoleOf = Callable[[Session], Awaitable[int | None]]
"""The DJ role a session's buttons follow (None or 0: everyone may DJ)."""


def moved_text(board: MovedBoard, locale: str | None = None) -> str:
    """What a bot's old now-playing message says once its session plays on another bot."""
    return text("nowplaying.moved", locale, bot=mention(board.now_bot_id), channel=f"<#{board.voice_channel_id}>")


@runtime_checkable
class BoardKept(Protocol):
    """A session that keeps its now-playing message in its record (a LocalSession)."""

    def board_posted(self, message_id: int) -> None: ...


class NowPlayingBoard:
    """One bot's now-playing messages: post, refresh, handle buttons, close.

    Each session's message is a ``_Board`` with its own task: a message edit that Discord rate-limits (a 429
    makes discord.py wait out ``retry_after`` inside the call) holds up that message alone, never the others.
    A board edits only when its text changed: a paused player's message is left alone."""

    def __init__(self, client: discord.Client, koe: Koe, dj_role_of: DjRoleOf, *, refresh_s: float = REFRESH_S) -> None:
        self.client = client
        self.koe = koe
        self.dj_role_of = dj_role_of
        self.refresh_s = refresh_s
        self._boards: dict[int, _Board] = {}  # voice channel id → the board of the session playing there
        self._owned: list[_Board] = []  # every board whose task may still run (ended ones finish their last edit)
        self._routes = Supervised("now-playing-boards", self._watch_routes)
        self._moved: list[MovedBoard] = []  # old messages of sessions that moved away, still to edit
        self._moved_wake = asyncio.Event()
        self._mover = Supervised("now-playing-moved", self._edit_moved)

    def start(self) -> None:
        self.client.add_view(NowPlayingView(self))  # persistent: presses on old messages still arrive
        self._routes.start()
        self._mover.start()

    async def close(self) -> None:
        await self._routes.close()
        await self._mover.close()
        boards, self._owned = self._owned, []
        self._boards.clear()
        await asyncio.gather(*(board.close() for board in boards))

    def poke(self, channel_id: int) -> None:
        """Something changed in that channel's session: refresh its message soon."""
        self._board(channel_id).wake.set()

    def _board(self, channel_id: int) -> _Board:
        board = self._boards.get(channel_id)
        if board is None:
            self._owned = [b for b in self._owned if b.running]
            board = self._boards[channel_id] = _Board(self, channel_id)
            self._owned.append(board)
            board.start()
        return board

    def drop(self, board: _Board) -> None:
        """A board whose session is gone without an ending (a poke that came too late) lets go of its channel."""
        if self._boards.get(board.channel_id) is board:
            del self._boards[board.channel_id]

    async def _watch_routes(self) -> None:
        """Every session this bot plays gets its board, even one that never announced a change (a restored one);
        from then on each board keeps its own timeline."""
        while True:
            for route in self.koe.routes():
                if route.local and route.channel_id not in self._boards:
                    self.poke(route.channel_id)
            await asyncio.sleep(self.refresh_s)

    def locale_of(self, guild_id: int) -> str | None:
        """The language of a server's public messages: its preferred locale (Discord keeps it current)."""
        guild = self.client.get_guild(guild_id)
        return str(guild.preferred_locale) if guild is not None else None

    def locale_in(self, channel_id: int) -> str | None:
        """The language of the server a channel is in (None: unknown here)."""
        channel = self.client.get_channel(channel_id)
        guild = getattr(channel, "guild", None)
        return str(guild.preferred_locale) if isinstance(guild, discord.Guild) else None

    def render(self, state: SessionState) -> str:
        """The message's text, in the language of the session's server."""
        locale = self.locale_of(state.guild_id)
        header = text("nowplaying.header", locale, channel=f"<#{state.channel_id}>")
        return "\n".join([header, *now_playing_lines(state, mention, locale=locale)])

    async def ended(self, session: Session, ending: Ending) -> None:
        """The session is gone: its message will say so and lose its buttons. Done by the board's own task:
        callers (Koe's teardown, the Link reader) must not wait on Discord's rate limits."""
        board = self._boards.pop(session.channel_id, None)
        if board is not None:
            board.end(str(ending))

    def show_moved(self, boards: list[MovedBoard]) -> None:
        """These messages of ours belong to sessions that moved to other bots while we were away: edit each to
        say where (in the background, once logged in: the caller is the Link reader)."""
        self._moved.extend(boards)
        self._moved_wake.set()

    async def _edit_moved(self) -> None:
        while True:
            await self._moved_wake.wait()
            self._moved_wake.clear()
            await self.client.wait_until_ready()
            boards, self._moved = self._moved, []
            for board in boards:
                channel = self.client.get_partial_messageable(board.text_channel_id)
                message = channel.get_partial_message(board.message_id)
                try:
                    await message.edit(content=moved_text(board, self.locale_in(board.text_channel_id)), view=None)
                except discord.HTTPException as exc:  # deleted, or no longer visible: nothing to correct
                    log.info("could not mark now-playing message %s as moved: %s", board.message_id, exc)

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
            await reply_privately(interaction, text("nowplaying.ended", private_locale(interaction)))
            return
        refusal = await self._refusal(interaction.user, session, action)
        if refusal is not None:
            await reply_privately(interaction, text(refusal, private_locale(interaction)))
            return
        # Answer within Discord's 3 s first ("deferred update"), then do the Lavalink work and edit the message.
        await interaction.response.defer()
        if action == "leave":
            board = self._boards.get(session.channel_id)
            if board is not None:
                board.message = None  # this press edits the message itself, once
            ending = Ending(CloseReason.BUTTON, f"leave pressed by {interaction.user.display_name}")
            await self.koe.destroy(session.channel_id, ending)
            await interaction.edit_original_response(content=text(
                "nowplaying.left_pressed", self.locale_of(session.guild_id), channel=f"<#{session.channel_id}>",
                member=interaction.user.mention), view=None)
            return
        state = await self._apply(session, action)
        content = self.render(state)
        view = NowPlayingView(self, state, self.locale_of(state.guild_id))
        await interaction.edit_original_response(content=content, view=view)
        board = self._boards.get(session.channel_id)
        if board is not None and interaction.message is not None and board.message is not None \
                and interaction.message.id == board.message[1]:
            board.shown = content  # that message shows it now: the board need not edit it again

    async def _refusal(self, user: discord.User | discord.Member, session: Session, action: str) -> str | None:
        """Why ``user`` may not press ``action`` now (the rules the slash commands follow: a catalogue key), or
        None."""
        if action != "skip" and not button_needs_dj(action):
            return None
        member_roles = user.roles if isinstance(user, discord.Member) else []
        dj = may_dj(
            manage_guild=isinstance(user, discord.Member) and user.guild_permissions.manage_guild,
            role_ids=(role.id for role in member_roles),
            dj_role_id=await self.dj_role_of(session),
            listeners=len(humans_in(voice_channel(user))),  # the gate made sure it is the session's
        )
        if action == "skip":
            current = (await session.get_state()).current
            own = current is not None and current.requester_id == user.id
            return None if skip_verdict(dj=dj, own_track=own) is Skip.NOW else DJ_SKIP_BUTTON_KEY  # no vote here
        return None if dj else DJ_ONLY_KEY

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
        if action == "effects_off":
            return await session.set_effects(NO_EFFECTS)
        raise ValueError(f"unknown now-playing action {action!r}")  # pragma: no cover - ACTIONS is closed


class _Board:
    """One session's now-playing message and the task that keeps it current."""

    def __init__(self, owner: NowPlayingBoard, channel_id: int) -> None:
        self.owner = owner
        self.channel_id = channel_id
        self.message: tuple[int, int] | None = None  # (text channel id, message id) once posted
        self.shown: str | None = None  # the text the message has now
        self.wake = asyncio.Event()
        self._ending: str | None = None
        self._refused = False  # told the log once that this bot may not post there
        self._task = Supervised(f"now-playing-{channel_id}", self._run)

    @property
    def running(self) -> bool:
        return self._task.running

    def start(self) -> None:
        self._task.start()

    async def close(self) -> None:
        await self._task.close()

    def end(self, reason: str) -> None:
        """The session ended: show ``reason`` on the message (if there is one) and stop."""
        self._ending = reason
        self.wake.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_tick = loop.time() + self.owner.refresh_s
        while True:
            await wait_set(self.wake, max(0.0, next_tick - loop.time()))
            self.wake.clear()
            if self._ending is not None:
                await self._show_ended(self._ending)
                return
            while next_tick <= loop.time():  # the timeline: one tick per refresh_s, missed ones dropped
                next_tick += self.owner.refresh_s
            session = self.owner.koe.get(self.channel_id)
            if session is None and self.message is None:  # a late poke about a session that has gone
                self.owner.drop(self)
                return
            if session is not None:  # else the session is ending: its ending comes next
                await self.refresh(session)
            await asyncio.sleep(COALESCE_S)

    async def refresh(self, session: Session) -> None:
        """Post or edit the message to show the session's state now; nothing when that is what it shows."""
        try:
            state = await session.get_state()
        except KoeError:
            return
        channel = self.owner.client.get_channel(state.text_channel_id) if state.text_channel_id else None
        if not isinstance(channel, BoardChannel):
            return
        content = self.owner.render(state)
        if content == self.shown:
            return  # unchanged (paused, say): no edit, nothing spent of the channel's rate limit
        view = NowPlayingView(self.owner, state, self.owner.locale_of(state.guild_id))
        try:
            if self.message is None:
                if state.current is None or not self._allowed(channel, posting=True):
                    return  # nothing to show yet, or not allowed to (said once in the log; /play tells people)
                message = await channel.send(content, view=view, allowed_mentions=discord.AllowedMentions.none())
                self.message = (channel.id, message.id)
                if isinstance(session, BoardKept):
                    session.board_posted(message.id)
            elif self._allowed(channel, posting=False):
                await channel.get_partial_message(self.message[1]).edit(content=content, view=view)
            else:
                return
            self.shown = content
            self._refused = False
        except discord.Forbidden as exc:  # permissions changed before our cache knew
            self._say_refused(channel, str(exc))
        except discord.HTTPException as exc:
            log.warning("now-playing message in %s: %s", channel.id, exc)
            if isinstance(exc, discord.NotFound):  # deleted: post a new one next time
                self.message, self.shown = None, None

    def _allowed(self, channel: BoardChannel, *, posting: bool) -> bool:
        """Whether Discord lets this bot post in ``channel`` (or edit its own message there: seeing the channel
        is enough), from the permissions it sent: no refused request, Discord bans clients that keep making them."""
        me = channel.guild.me
        if me is None:
            return True  # not known yet: Discord will say
        allowed = channel.permissions_for(me)
        if allowed.view_channel and (allowed.send_messages or not posting):
            return True
        self._say_refused(channel, "no View Channel or Send Messages permission there" if posting
                          else "no View Channel permission there")
        return False

    def _say_refused(self, channel: BoardChannel, why: str) -> None:
        if not self._refused:
            self._refused = True
            log.warning("can't post the now-playing message of %s in #%s (%s): %s; the music plays on without it",
                        self.channel_id, channel.name, channel.id, why)

    async def _show_ended(self, reason: str) -> None:
        if self.message is None:
            return
        text_id, message_id = self.message
        channel = self.owner.client.get_channel(text_id)
        if isinstance(channel, BoardChannel):
            with contextlib.suppress(discord.HTTPException):
                partial = channel.get_partial_message(message_id)
                locale = self.owner.locale_in(text_id)
                await partial.edit(content=text("nowplaying.left", locale, channel=f"<#{self.channel_id}>",
                                                reason=ending_text(reason, locale)), view=None)
