"""The child end of token assignment: which answers a child without an index takes, and what a duplicate does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from azura_common.koe.koe import Koe
from azura_common.koe.link import LinkHub
from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb

pytestmark = pytest.mark.asyncio


def answer(outcome: int, index: int = 0, count: int = 2, detail: str = "") -> pb.ParentEvent:
    return pb.ParentEvent(
        token_assignment=pb.TokenAssignment(outcome=outcome, index=index, token_count=count, detail=detail)  # type: ignore[arg-type]
    )


async def link(hub: LinkHub, *events: pb.ParentEvent) -> list[pb.ChildEvent]:
    """One Link stream carrying ``events``; what the child sent on it."""

    async def requests() -> AsyncIterator[pb.ParentEvent]:
        for event in events:
            yield event

    return [event async for event in hub.serve(requests())]


def hub_without_index(count: int = 2, *, fixed: bool = False, index: int = 0) -> LinkHub:
    return LinkHub(Koe(local_factory=None), bot_user_id=lambda: 0, ready=lambda: False, token_index=index,
                   token_fixed=fixed, token_count=count)


async def test_a_child_without_an_index_takes_the_first_valid_one_only() -> None:
    hub = hub_without_index()
    sent = await link(
        hub,
        answer(pb.TOKEN_OUTCOME_WAIT, detail="no free token: AZURA_CHILD_TOKENS has 2"),
        answer(pb.TOKEN_OUTCOME_ASSIGNED, 3),  # beyond its two tokens
        answer(pb.TOKEN_OUTCOME_ASSIGNED, 1, count=3),  # the parent counted other tokens than this child has
        answer(pb.TOKEN_OUTCOME_ASSIGNED, 2),
        answer(pb.TOKEN_OUTCOME_ASSIGNED, 1),  # a second parent, later: it already holds 2
    )
    first = sent[0].hello
    assert (first.token_index, first.token_fixed, first.token_count) == (0, False, 2)
    assert hub.token_index == 2 and await hub.token_assigned() == 2
    hello = (await hub.hello()).hello
    assert (hello.token_index, hello.token_fixed) == (2, False)


async def test_a_duplicate_stops_an_assigned_child_and_leaves_a_fixed_one_free_nowhere() -> None:
    stops: list[str] = []
    assigned = hub_without_index(index=1)  # its index came from a parent earlier
    assigned.on_token_refused = stops.append
    await link(assigned, answer(pb.TOKEN_OUTCOME_DUPLICATE, 1, detail="token index 1 is held by child-b:5101"))
    assert stops == ["token index 1 is held by child-b:5101"]

    fixed = hub_without_index(fixed=True, index=1)
    fixed.on_token_refused = stops.append
    await link(fixed, answer(pb.TOKEN_OUTCOME_DUPLICATE, 1, detail="token index 1 (fixed) is held by child-b:5101"))
    assert len(stops) == 1 and fixed.token_refused == "token index 1 (fixed) is held by child-b:5101"
    assert not fixed.is_free(1, 10)
    sent = await link(fixed, pb.ParentEvent(availability_query=pb.AvailabilityQuery(
        request_id="r1", guild_id=1, channel_id=10, lease_ms=3000)))
    assert sent[-1].unavailable.reason == "another child holds its token" and not sent[-1].unavailable.retry
