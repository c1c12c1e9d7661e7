"""The now-playing message's buttons: their labels in the server's language, and the gate a press passes (only
people in the session's voice channel may press). Every press goes to the ``NowPlayingBoard`` that owns them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from .i18n import text
from .koe.errors import KoeError
from .koe.session import RepeatMode, SessionState
from .replies import private_locale, reply_privately
from .rules.limits import BUTTON_VOLUME_STEP

if TYPE_CHECKING:
    from .nowplaying import NowPlayingBoard

__all__ = ["ACTIONS", "NowPlayingView", "custom_id", "voice_channel"]

PREFIX = "azura:np:"
ACTIONS = ("back", "toggle", "skip", "stop", "leave", "repeat", "shuffle", "volume_down", "volume_up",
           "effects_off")


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

    def __init__(self, board: NowPlayingBoard, state: SessionState | None = None, locale: str | None = None) -> None:
        super().__init__(timeout=None)
        self.board = board
        paused = state.paused if state else False
        repeat = state.repeat if state else RepeatMode.NONE

        def label(key: str) -> str:
            return text(f"nowplaying.{key}", locale)

        buttons: list[tuple[str, str, discord.ButtonStyle, int]] = [
            ("back", label("back"), discord.ButtonStyle.secondary, 0),
            ("toggle", label("resume" if paused else "pause"), discord.ButtonStyle.primary, 0),
            ("skip", label("skip"), discord.ButtonStyle.secondary, 0),
            ("stop", label("stop"), discord.ButtonStyle.secondary, 0),
            ("leave", label("leave"), discord.ButtonStyle.danger, 0),
            ("repeat", label(f"repeat_{repeat.value}"), discord.ButtonStyle.secondary, 1),
            ("shuffle", label("shuffle"), discord.ButtonStyle.secondary, 1),
            ("volume_down", f"🔉 −{BUTTON_VOLUME_STEP}", discord.ButtonStyle.secondary, 1),
            ("volume_up", f"🔊 +{BUTTON_VOLUME_STEP}", discord.ButtonStyle.secondary, 1),
        ]
        if state is None or state.effects.active:  # -- effects -- (always in the persistent view: old messages)
            buttons.append(("effects_off", text("effects.clear_button", locale), discord.ButtonStyle.secondary, 2))
        for action, shown, style, row in buttons:
            self.add_item(ControlButton(board, action, shown, style, row))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only people in the session's voice channel may press; anyone else is told why, privately."""
        session = self.board.session_for(interaction)
        locale = private_locale(interaction)
        if session is None:
            await reply_privately(interaction, text("nowplaying.ended", locale))
            return False
        channel = voice_channel(interaction.user)
        if channel is None or channel.id != session.channel_id:
            await reply_privately(interaction, text("nowplaying.join_first", locale,
                                                    channel=f"<#{session.channel_id}>"))
            return False
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[NowPlayingView]
    ) -> None:
        if isinstance(error, KoeError):  # the session refused: say why, change nothing
            await reply_privately(interaction, error.text_in(private_locale(interaction)))
        else:
            await super().on_error(interaction, error, item)


def voice_channel(user: discord.User | discord.Member) -> discord.VoiceChannel | discord.StageChannel | None:
    """The voice channel a member is in (a plain user, outside any server, is in none)."""
    voice = user.voice if isinstance(user, discord.Member) else None
    return voice.channel if voice is not None else None
