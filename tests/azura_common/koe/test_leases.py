"""The child's lease book: one promise per guild at a time, dying with its Link or its deadline."""

from __future__ import annotations

import pytest

from azura_common.koe import convert
from azura_common.koe.link import LeaseBook
from azura_common.koe.link.leases import CLAIM_HOLD_S, NotReserved
from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb
from azura_common.koe.session import CloseReason


def test_lease_book_rules() -> None:
    now = [0.0]
    book = LeaseBook(clock=lambda: now[0])
    owner = object()
    assert book.offer("r1", 1, 10, 3000, owner)
    assert not book.offer("r2", 1, 11, 3000, owner)  # one promise per guild at a time
    assert book.offer("r3", 2, 20, 3000, owner)  # other guilds are independent
    assert book.blocks(1, 11) and not book.blocks(1, 10)
    assert not book.claim("r2", 1, 11, owner) and book.claim("r1", 1, 10, owner)
    now[0] = 10.0  # a claim holds longer than an offer
    assert book.blocks(1, 11) and not book.blocks(2, 21)
    book.consume(1, 10)
    assert not book.blocks(1, 11)
    assert book.offer("r4", 1, 12, 3000, owner) and book.drop_owner(owner) == 1 and len(book) == 0


def test_an_offer_expires_and_a_released_lease_frees_the_guild() -> None:
    now = [0.0]
    book = LeaseBook(clock=lambda: now[0])
    assert book.offer("r1", 1, 10, 500, object())
    now[0] = 0.6
    assert not book.blocks(1, 11) and not book.claim("r1", 1, 10, object())  # too late to claim
    owner = object()
    assert book.offer("r2", 1, 11, 500, owner)
    assert not book.release("r2", 1, object())  # only the stream that asked may release it
    assert book.release("r2", 1, owner)
    assert not book.blocks(1, 12)


def test_only_a_claimed_lease_reserves_its_own_channel() -> None:
    now = [0.0]
    book = LeaseBook(clock=lambda: now[0])
    mine, theirs = object(), object()
    assert book.offer("r1", 1, 10, 3000, mine)
    assert not book.reserved(1, 10)  # offered is not claimed
    with pytest.raises(NotReserved) as info:
        book.require_reserved(1, 10)
    assert info.value.status == "FAILED_PRECONDITION" and "not reserved" in info.value.message
    assert not book.claim("r1", 1, 10, theirs)  # another Link stream cannot claim it
    assert not book.claim("r1", 1, 11, mine)  # nor can it be claimed for another channel
    assert not book.claim("r1", 2, 10, mine)  # nor in another guild
    assert book.claim("r1", 1, 0, mine) and book.reserved(1, 10)  # 0: the channel it was offered for
    assert not book.reserved(1, 11) and not book.reserved(2, 10)
    assert book.drop_owner(mine) == 0 and book.reserved(1, 10)  # a claim outlives its stream
    now[0] = CLAIM_HOLD_S + 0.1
    assert not book.reserved(1, 10)  # but not its hold
    assert book.offer("r2", 1, 10, 3000, mine) and book.claim("r2", 1, 10, mine)
    book.consume(1, 10)
    assert not book.reserved(1, 10)  # one Connect per claim


def test_close_reasons_on_the_wire() -> None:
    # Every kind has its own wire value and comes back as itself, detail included; the words never decide it.
    values = {convert.close_reason_to_pb(reason) for reason in CloseReason}
    assert len(values) == len(CloseReason) and pb.CLOSE_REASON_UNSPECIFIED not in values
    for reason in CloseReason:
        back = convert.ending_from_pb(convert.close_reason_to_pb(reason), "/leave by Kickstart")
        assert back.reason is reason and str(back) == "/leave by Kickstart"
    assert convert.ending_from_pb(pb.CLOSE_REASON_UNSPECIFIED, "").reason is CloseReason.DISCONNECT
