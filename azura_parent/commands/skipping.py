"""/skip's rule, shared by the slash command and the dashboard: who skips at once, who votes, who is refused."""

from __future__ import annotations

from azura_common.koe.errors import NothingPlaying, PermissionDenied
from azura_common.koe.session import Session, SessionState
from azura_common.rules.skip import DJ_SKIP_KEY, Skip, is_forced_skip, skip_needs_a_track, skip_verdict
from azura_common.rules.votes import VoteOutcome, track_key

from .base import BotServices, is_dj
from .voice import Voice

__all__ = ["vote_or_skip"]


async def vote_or_skip(
    bot: BotServices, voice: Voice, session: Session, by: int | None, to: int | None
) -> tuple[SessionState, VoteOutcome | None]:
    """Check a skip (``check_skip_options`` first) and count a vote when it needs one: the state, and the vote
    when it has not passed yet (the skip then waits). Raises when nothing plays or only a DJ may skip so."""
    state = await session.get_state()
    if state.current is None and skip_needs_a_track(by=by, to=to):
        raise NothingPlaying()
    own = state.current is not None and state.current.requester_id == voice.member.id
    verdict = skip_verdict(dj=await is_dj(bot.store, voice), own_track=own, forced=is_forced_skip(by=by, to=to))
    if verdict is Skip.DJ_ONLY:
        raise PermissionDenied(key=DJ_SKIP_KEY)
    if verdict is Skip.VOTE and state.current is not None:
        key = track_key(state.current_position, state.current.encoded)
        outcome = bot.votes.vote(voice.channel.id, key, voice.member.id, voice.listeners)
        if not outcome.passed:
            return state, outcome
    return state, None
