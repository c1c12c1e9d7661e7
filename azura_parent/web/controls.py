"""The dashboard's controls: the same rules as the slash commands and buttons (``azura_common.rules``), the same
session calls, the same sentences. A control acts on one voice channel's session; a listener in that channel
may use it, DJ rules apply as in Discord, and ``bot.changed(session)`` refreshes the now-playing message.

Every control returns the sentence to show (in the user's language where the catalogue has it), or raises a
``KoeError`` whose words the command tree's ``error_message`` turns into what the user reads. Adding to a
channel where nothing plays yet opens its session exactly as ``/play`` does (``open_in_channel``).
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace

import discord

from azura_common.i18n import text
from azura_common.koe.errors import InvalidArgument, NothingPlaying, PermissionDenied
from azura_common.koe.session import EnqueueMode, RemoveRange, RepeatMode, Session
from azura_common.koe.validation import check_query
from azura_common.render import format_duration, moved_text, queued_text, shown_title, tracks_text
from azura_common.rules.parse import parse_choice, parse_positions, parse_seek, parse_volume
from azura_common.rules.permissions import DJ_ONLY_KEY, command_needs_dj
from azura_common.rules.remove import DJ_REMOVE, may_remove
from azura_common.rules.skip import check_skip_options

from ..commands.base import BotServices, open_in_channel, queue_tracks, session_in
from ..commands.effects import effects_change, equalizer_choice
from ..commands.music import REPEAT_TEXT
from ..commands.skipping import vote_or_skip
from ..commands.voice import NotInVoice, Voice
from ..store.playlists import clean_name

__all__ = ["ACTIONS", "Form", "plain", "run_control", "voice_in"]

Form = Mapping[str, str]
Control = Callable[["Controls", Voice, Session, Form], Awaitable[str]]


def voice_in(guild: discord.Guild, member: discord.Member, channel_id: int) -> Voice:
    """The member as a listener of ``channel_id``: they must be in it, as with the slash commands."""
    channel = member.voice.channel if member.voice else None
    if channel is None:
        raise NotInVoice()
    if channel.id != channel_id:
        wanted = guild.get_channel(channel_id)
        name = wanted.name if wanted is not None else "?"
        raise NotInVoice(key="web.other_channel", params={"here": channel.name, "there": name})
    return Voice(guild, member, channel)


def _number(form: Form, key: str, label: str, *, optional: bool = False) -> int | None:
    text = form.get(key, "").strip()
    if not text and optional:
        return None
    if not text.lstrip("-").isdigit() or len(text) > 8:
        raise InvalidArgument(f"{label} must be a whole number.", key)
    return int(text)


class Controls:
    def __init__(self, bot: BotServices, locale: str | None = None) -> None:
        self.bot, self.locale = bot, locale

    def t(self, key: str, **params: object) -> str:
        return text(key, self.locale, **params)

    async def is_dj(self, voice: Voice) -> bool:
        settings = await self.bot.store.get_guild_settings(voice.guild.id)
        return voice.may_dj(settings.dj_role_id)

    async def _dj(self, voice: Voice, needed: bool) -> None:
        if needed and not await self.is_dj(voice):
            raise PermissionDenied(key=DJ_ONLY_KEY)

    # -- transport ------------------------------------------------------------------------------------
    async def pause(self, voice: Voice, session: Session, form: Form) -> str:
        await session.pause()
        return self.t("web.paused", channel=voice.channel.name)

    async def resume(self, voice: Voice, session: Session, form: Form) -> str:
        await session.resume()
        return self.t("web.resumed", channel=voice.channel.name)

    async def skip(self, voice: Voice, session: Session, form: Form) -> str:
        by, to = _number(form, "by", "Skip by", optional=True), _number(form, "to", "Skip to", optional=True)
        check_skip_options(by, to)
        state, pending = await vote_or_skip(self.bot, voice, session, by, to)
        if pending is not None and state.current is not None:
            return (f"🗳 {voice.member.display_name} voted to skip {shown_title(state.current)} "
                    f"({pending.votes}/{pending.needed} votes).")
        new = await session.skip(by if by is not None else 1, to)
        self.bot.votes.reset(voice.channel.id)
        return moved_text(self.t("music.skipped"), new, self.locale)

    async def back(self, voice: Voice, session: Session, form: Form) -> str:
        by = _number(form, "by", "Back by", optional=True) or 1
        await self._dj(voice, command_needs_dj("back", by=by))
        return moved_text(self.t("music.back"), await session.back(by), self.locale)

    async def stop(self, voice: Voice, session: Session, form: Form) -> str:
        await self._dj(voice, command_needs_dj("stop"))
        await session.stop()
        return self.t("web.stopped", channel=voice.channel.name)

    async def seek(self, voice: Voice, session: Session, form: Form) -> str:
        position, relative = parse_seek(form.get("time", ""))
        state = await session.seek(position, relative)
        title = shown_title(state.current) if state.current else ""
        return self.t("music.seeked", time=format_duration(state.position_ms), title=title)

    async def volume(self, voice: Voice, session: Session, form: Form) -> str:
        settings = await self.bot.store.get_user_settings(voice.member.id)
        value, relative = parse_volume(form.get("level", ""), settings.volume_step)
        state = await session.set_volume(value, relative)
        await self.bot.store.set_last_volume(voice.member.id, state.volume)
        return self.t("web.volume_set", volume=state.volume, channel=voice.channel.name)

    async def repeat(self, voice: Voice, session: Session, form: Form) -> str:
        state = await session.set_repeat(parse_choice(form.get("mode", ""), RepeatMode, "Repeat"))
        return self.t(REPEAT_TEXT[state.repeat])

    async def shuffle(self, voice: Voice, session: Session, form: Form) -> str:
        state = await session.shuffle()
        return self.t("music.shuffled", count=state.upcoming)

    # -- effects and autoplay (issue 15) -------------------------------------------------------------
    async def effects(self, voice: Voice, session: Session, form: Form) -> str:
        """A preset, or off (the clear button): ``/effects preset:``, a DJ's call."""
        change = effects_change(form.get("preset", ""), None, None)
        await self._dj(voice, command_needs_dj("effects"))
        state = await session.set_effects(change.applied_to((await session.get_state()).effects))
        if not state.effects.active:
            return self.t("effects.cleared", channel=voice.channel.name)
        applied = " · ".join(state.effects.names(self.locale))
        return self.t("effects.applied", channel=voice.channel.name, effects=applied)

    async def equalizer(self, voice: Voice, session: Session, form: Form) -> str:
        name = equalizer_choice(form.get("preset", ""))
        await self._dj(voice, command_needs_dj("equalizer"))
        await session.set_effects(replace((await session.get_state()).effects, equalizer=name))
        if not name:
            return self.t("effects.equalizer_flat", channel=voice.channel.name)
        return self.t("effects.equalizer_set", preset=name, channel=voice.channel.name)

    async def autoplay(self, voice: Voice, session: Session, form: Form) -> str:
        enabled = parse_choice(form.get("mode", ""), OnOff, "Autoplay") is OnOff.ON
        await session.set_autoplay(enabled)
        return self.t("autoplay.on" if enabled else "autoplay.off")

    # -- the queue ------------------------------------------------------------------------------------
    async def add(self, voice: Voice, session: Session | None, form: Form) -> str:
        """Search and add with the member's enqueue mode; where nothing plays yet, this starts the session."""
        query = check_query(form.get("query", ""))
        settings = await self.bot.store.get_user_settings(voice.member.id)
        found = await self.bot.lavalink.search(query, requester_id=voice.member.id)
        tracks = found.tracks if found.playlist else found.tracks[:1]
        mode = EnqueueMode(settings.enqueue_mode)
        if session is None:  # the voice channel's own chat gets the now-playing message
            result = await open_in_channel(self.bot, voice, voice.channel.id, tracks, mode)
        else:
            result = await session.enqueue(tracks, mode)
        return queued_text(tracks, result.positions, result.started, found.playlist, self.locale)

    async def move(self, voice: Voice, session: Session, form: Form) -> str:
        start = _number(form, "from", "From")
        end = _number(form, "to", "To")
        assert start is not None and end is not None
        await session.move(start, end)
        return self.t("web.moved", start=start, end=end)

    async def remove(self, voice: Voice, session: Session, form: Form) -> str:
        target = parse_positions(form.get("positions", ""))
        requesters = {t.requester_id for t in await queue_tracks(session, target.start, target.end or target.start)}
        if not may_remove(target, dj=await self.is_dj(voice), user_id=voice.member.id, requesters=requesters):
            raise PermissionDenied(DJ_REMOVE)
        removed = await session.remove(RemoveRange(target.start, target.end))
        return self.t("web.removed", what=tracks_text(removed)) if removed else self.t("replies.nothing_matched")

    async def clear(self, voice: Voice, session: Session, form: Form) -> str:
        await self._dj(voice, command_needs_dj("clear"))
        before = await session.get_state()
        await session.clear()
        return self.t("web.cleared", count=before.upcoming)

    async def save(self, voice: Voice, session: Session, form: Form) -> str:
        """The whole queue into one of the member's playlists (made when it does not exist yet)."""
        name = clean_name(form.get("name", ""))
        tracks = [dataclasses.replace(t, requester_id=0) for t in await queue_tracks(session)]
        if not tracks:
            raise NothingPlaying(key="web.nothing_to_save")
        owned = {p.name.casefold() for p in await self.bot.store.list_playlists(voice.member.id)}
        if name.casefold() not in owned:
            await self.bot.store.create_playlist(voice.member.id, name)
        await self.bot.store.add_entries(voice.member.id, name, tracks)
        return self.t("web.saved", what=tracks_text(tracks), name=name)


ACTIONS: dict[str, Control] = {
    "pause": Controls.pause, "resume": Controls.resume, "skip": Controls.skip, "back": Controls.back,
    "stop": Controls.stop, "seek": Controls.seek, "volume": Controls.volume, "repeat": Controls.repeat,
    "shuffle": Controls.shuffle, "add": Controls.add, "move": Controls.move, "remove": Controls.remove,
    "clear": Controls.clear, "save": Controls.save, "effects": Controls.effects, "equalizer": Controls.equalizer,
    "autoplay": Controls.autoplay,
}
CHANGES_NOTHING = frozenset({"save"})  # the session is unchanged: no now-playing refresh


async def run_control(bot: BotServices, voice: Voice, action: str, form: Form, locale: str | None = None) -> str:
    """Run ``action`` on the session of ``voice``'s channel for ``voice.member``; the sentence to show (or a
    ``KoeError``). Only adding may find no session: it opens one, as ``/play``."""
    control = ACTIONS.get(action)
    if control is None:
        raise InvalidArgument(key="web.unknown_control")
    if action == "add" and bot.koe.get(voice.channel.id) is None:
        return await Controls(bot, locale).add(voice, None, form)  # open_in_channel refreshes the message
    session = session_in(bot.koe, voice)
    said = await control(Controls(bot, locale), voice, session, form)
    if action not in CHANGES_NOTHING:
        bot.changed(session)
    return said


class OnOff(enum.Enum):
    ON = "on"
    OFF = "off"


_LINK = re.compile(r"\[([^\]]*)\]\(<?[^)>\s]*>?\)")
_MENTION = re.compile(r"<(@!?|#|@&)(\d{1,20})>")


def plain(text: str, guild: discord.Guild) -> str:
    """A command's sentence as a web page shows it: no Discord markdown (links keep their text, bold its words,
    code its words) and mentions as the names they stand for."""

    def name(match: re.Match[str]) -> str:
        kind, found = match.group(1), int(match.group(2))
        if kind == "#":
            channel = guild.get_channel(found)
            return channel.name if channel is not None else "a channel"
        if kind == "@&":
            role = guild.get_role(found)
            return f"@{role.name}" if role is not None else "a role"
        member = guild.get_member(found)
        return member.display_name if member is not None else "someone"

    return _MENTION.sub(name, _LINK.sub(r"\1", text)).replace("**", "").replace("`", "")
